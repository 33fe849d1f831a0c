"""Emails and websites are found in a line once OCR's damage is undone."""

import pytest

from ocr_service import links


def found_emails(text):
    return [e.value for e in links.emails(links.repair(text))]


def found_sites(text):
    return [w.value for w in links.websites(links.repair(text))]


@pytest.mark.parametrize(
    "printed",
    [
        "ana @ example.org",
        "ana(at)example.org",
        "ana [at] example.org",
        "ana©example.org",
        "ana®@example.org",
        "ana@example. org",
        "ana@example org",
        "ana@example.org).",
        "ana@exampleorg",
    ],
)
def test_damaged_email_is_repaired(printed):
    assert found_emails(printed) == ["ana@example.org"]


@pytest.mark.parametrize(
    "printed",
    ["ana. lima@example.org", "ana .lima@example.org", "ana.: lima@example.org"],
)
def test_a_space_or_colon_beside_a_dot_in_the_local_part_is_dropped(printed):
    assert found_emails(printed) == ["ana.lima@example.org"]


@pytest.mark.parametrize(
    "printed",
    ["h.alberd:@grupoharo.co", "h.alberd:@©grupoharo.co", "h.alberdi@grupoharo.co"],
)
def test_an_i_before_the_at_read_as_a_colon_is_an_i(printed):
    assert found_emails(printed) == ["h.alberdi@grupoharo.co"]


def test_a_network_word_in_small_letters_before_the_at_is_the_mailbox():
    assert found_emails("threads @threadsandco.com.au") == [
        "threads@threadsandco.com.au"
    ]


@pytest.mark.parametrize(
    "printed",
    [
        "Instagram:@anna.design",
        "IG:@anna.photo",
        "IG @estudiorossi.arq",
        "IG@estudiorossi.arq",
        "IG@anna.studio",
    ],
)
def test_a_handle_after_a_networks_name_is_no_email(printed):
    assert found_emails(printed) == []
    assert found_sites(printed) == []


@pytest.mark.parametrize(
    "printed",
    [
        "Mastodon: @anna@hachyderm.io",
        "@anna@mastodon.social",
        "Skype: anna.design",
        "WeChat: anna.studio",
    ],
)
def test_an_account_on_a_network_is_no_email_nor_website(printed):
    emails, sites, rest = links.emails_and_websites(links.repair(printed))

    assert (emails, sites) == ([], [])
    assert rest.strip() == ""


@pytest.mark.parametrize(
    ("printed", "email"),
    [
        # An icon read as an "@" before an email.
        ("@anna@berg.de", "anna@berg.de"),
        ("@hugo@mastodonte.studio", "hugo@mastodonte.studio"),
        # A label an email shares with a messenger.
        ("E-mail/Skype: jan.novak@novakstroj.cz", "jan.novak@novakstroj.cz"),
        ("Skype: mark.evans@outlook.com", "mark.evans@outlook.com"),
    ],
)
def test_an_email_that_looks_like_an_account_stays_an_email(printed, email):
    emails, _, _ = links.emails_and_websites(printed)

    assert [e.value for e in emails] == [email]


def test_a_website_after_a_label_it_shares_with_a_messenger_stays():
    _, sites, _ = links.emails_and_websites("Web/Skype: anna.design")

    assert [s.value for s in sites] == ["anna.design"]


@pytest.mark.parametrize("printed", ["jens..vandijk@heo.com", "jens. .vandijk@heo.com"])
def test_a_dot_read_twice_in_the_local_part_is_one(printed):
    assert found_emails(printed) == ["jens.vandijk@heo.com"]


@pytest.mark.parametrize(
    "printed",
    [
        "https://www.brown thomas.biz",
        "https://www.brownthomas.biz",
        "https://www.brown thomas. biz",
    ],
)
def test_a_space_read_inside_a_host_after_www_is_dropped(printed):
    assert found_sites(printed) == ["https://www.brownthomas.biz"]


def test_a_second_address_after_a_whole_one_stays_apart():
    assert found_sites("www.brown.biz thomas.io") == ["www.brown.biz", "thomas.io"]


@pytest.mark.parametrize(
    "printed", ["https://www.brownthomas biz", "https://www.brownthomas.biz"]
)
def test_a_web_address_whose_last_dot_was_read_as_a_space_is_whole(printed):
    assert found_sites(printed) == ["https://www.brownthomas.biz"]


@pytest.mark.parametrize(
    ("printed", "email"),
    [
        ("s.infantino@fraccıspa.org", "s.infantino@fraccispa.org"),
        ("k.haglund@lundqvíst.co", "k.haglund@lundqvist.co"),
    ],
)
def test_letters_ocr_reads_with_marks_in_an_email_are_plain(printed, email):
    assert found_emails(printed) == [email]
    assert found_sites("www.comercialızado.com") == ["www.comercializado.com"]


@pytest.mark.parametrize(
    "printed",
    ["Email. lima@example.org", "E-mail.: lima@example.org", "E. lima@example.org"],
)
def test_a_label_before_an_email_stays_out_of_it(printed):
    assert found_emails(printed) == ["lima@example.org"]


@pytest.mark.parametrize(
    ("printed", "site"),
    [
        ("www.example.org", "www.example.org"),
        ("https://example.org/team/", "https://example.org/team"),
        ("WWW.Example.com", "www.example.com"),
        ("www. example.com", "www.example.com"),
        ("www:.example.com", "www.example.com"),
        ("www ,example.com", "www.example.com"),
        ("wwwexample.com", "www.example.com"),
        ("Wwww.example.com", "www.example.com"),
        ("https //example.com", "https://example.com"),
        ("example.de", "example.de"),
    ],
)
def test_website_is_found_with_or_without_scheme(printed, site):
    assert found_sites(printed) == [site]


@pytest.mark.parametrize(
    "text", ["Web Developer", "Gérard S.A.", "Schinke e.G.", "Dott.ssa Rossi"]
)
def test_words_with_dots_are_no_website(text):
    assert found_sites(text) == []


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("ana@mail.example.co.uk", "example"),
        ("https://www.example.com/about", "example"),
        ("example.io", "example"),
    ],
)
def test_domain_is_the_registered_name(address, domain):
    assert links.domain(address) == domain


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        ("www.firma. de", "www.firma.de"),
        ("www.firma, de/kontakt", "www.firma.de/kontakt"),
        ("Av. de la Constitución 22", "Av. de la Constitución 22"),
        ("Ctra. de Logroño, km 5", "Ctra. de Logroño, km 5"),
    ],
)
def test_a_gap_before_a_domain_is_closed_only_where_it_ends_a_host(line, repaired):
    assert links.repair(line) == repaired


@pytest.mark.parametrize(
    ("host", "country"),
    [
        ("firma.ch", "CH"),
        ("leeds.ac.uk", "GB"),
        ("acme.io", None),
        ("acme.com", None),
        ("acme.co", None),
        ("puigarquitectes.cat", "ES"),
    ],
)
def test_a_hosts_country_is_its_country_code_domains(host, country):
    assert links.country_of_host(host) == country


def test_a_bare_host_on_a_regions_domain_is_a_website():
    assert [site.value for site in links.websites("breizhnautic.bzh")] == [
        "breizhnautic.bzh"
    ]


def test_a_www_that_lost_a_w_is_put_right():
    assert found_sites("https://ww.example.org") == ["https://www.example.org"]


def test_a_host_with_its_dot_is_left_alone():
    assert found_emails("ana@foo-com.net") == ["ana@foo-com.net"]


@pytest.mark.parametrize(
    ("printed", "site"),
    [
        ("https://example:com", "https://example.com"),
        ("example-info", "example.info"),
        ("wwwexample:com", "www.example.com"),
    ],
)
def test_a_host_alone_whose_last_dot_was_misread_is_put_right(printed, site):
    assert found_sites(printed) == [site]


def test_a_www_host_whose_country_ending_lost_its_dot_is_put_right():
    assert found_sites("www.grupoiberico:es") == ["www.grupoiberico.es"]


@pytest.mark.parametrize(
    ("printed", "site"),
    [
        ("https://www. boutin .org", "https://www.boutin.org"),
        ("www.boutin .org", "www.boutin.org"),
        # Not after a host with its ending already.
        ("www.boutin.org .com", "www.boutin.org"),
        # Joined, the host is in plain letters too.
        ("https://www. famıhamelende.net", "https://www.famihamelende.net"),
    ],
)
def test_spaces_read_around_a_web_addresss_dots_are_undone(printed, site):
    assert found_sites(printed) == [site]


@pytest.mark.parametrize(
    ("before", "rest", "joined"),
    [
        ("anna.berg@ferrell", "thomas.io", ("anna.berg@ferrellthomas.io", "")),
        ("E: Anna.Berg@Ferrell", "thomas.io", ("anna.berg@ferrellthomas.io", "E:")),
    ],
)
def test_an_email_whose_host_ocr_parted_with_a_space_is_joined(before, rest, joined):
    assert links.email_split_in_host(before, rest) == joined


@pytest.mark.parametrize(
    ("before", "rest"),
    [
        # A host printed with "www." is a website of its own.
        ("anna.berg@ferrell", "www.ferrell.io"),
        # Text after the cut email, or no email at all, before the host.
        ("anna.berg@ferrell and", "thomas.io"),
        ("Ferrell Thomas", "thomas.io"),
    ],
)
def test_a_host_after_no_email_cut_short_is_joined_to_nothing(before, rest):
    assert links.email_split_in_host(before, rest) is None


@pytest.mark.parametrize(
    "printed",
    ["de aguahttps://www.hnosrosado.net", "de aguahttp: //www.hnosrosado.net"],
)
def test_a_web_address_run_into_the_word_before_it_is_parted_from_it(printed):
    emails, sites, rest = links.emails_and_websites(links.repair(printed))

    assert [site.value.split("//")[1] for site in sites] == ["www.hnosrosado.net"]
    assert rest.split() == ["de", "agua"]


@pytest.mark.parametrize(
    ("printed", "email"),
    [
        ("m.. fowler@muellerplc.com", "m.fowler@muellerplc.com"),
        ("m .. fowler@muellerplc.com", "m.fowler@muellerplc.com"),
        ("Email.. anna@berg.de", "anna@berg.de"),
    ],
)
def test_a_dot_read_twice_with_a_space_in_an_email_is_one_dot(printed, email):
    assert found_emails(printed) == [email]
