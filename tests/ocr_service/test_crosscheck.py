"""Fields of one contact back each other up or cast doubt on each other."""

import pytest

from cardscan.v1 import contact_pb2
from ocr_service import crosscheck


def contact(**fields):
    found = contact_pb2.Contact(**fields)
    for name in ("company", "emails", "websites"):
        found.confidence[name] = 0.5
    return found


def test_email_domain_spelling_the_company_is_trusted():
    found = contact(company="Limalabs Ltd", emails=["ana@limalabs.com"])

    crosscheck.credit_corroboration(found)

    assert found.confidence["emails"] == pytest.approx(crosscheck.CORROBORATED)
    assert found.confidence["company"] == pytest.approx(crosscheck.CORROBORATED)


def test_email_agreeing_only_with_the_website_stays_doubted():
    found = contact(emails=["ana@limalabs.com"], websites=["limalabs.com"])

    crosscheck.credit_corroboration(found)

    assert found.confidence["emails"] == 0.5


def test_website_outvoted_by_email_and_company_takes_their_domain():
    found = contact(
        company="Ginty LLC",
        emails=["b@gintyllc.com"],
        websites=["https://www.gintylic.com"],
    )

    crosscheck.outvote_misread_domains(found)

    assert list(found.websites) == ["https://www.gintyllc.com"]
    assert found.confidence["websites"] == pytest.approx(crosscheck.OUTVOTED_TRUST)


def test_poorly_read_website_is_backed_by_a_well_read_email_of_its_domain():
    found = contact(emails=["ana@limalabs.com"], websites=["limalabs.com"])
    found.confidence["emails"] = 0.95
    found.confidence["websites"] = 0.1

    crosscheck.back_links_by_each_other(found)

    assert found.confidence["websites"] == pytest.approx(crosscheck.CORROBORATED)
    assert found.confidence["emails"] == pytest.approx(0.95)


def test_email_spelled_out_by_name_and_company():
    found = contact_pb2.Contact(company="Ferrell-Thomas")
    found.name.full = "Anthony Campbell"

    assert crosscheck.spelled_out(found, "anthony.campbell@ferrellthomas.io")
    assert not crosscheck.spelled_out(found, "anthony.campbell@other.io")


def test_an_l_read_as_an_i_is_put_back_in_the_company_from_an_email():
    found = contact(company="Karisson & Ekman HB", emails=["a@karlssonekmanh.co"])

    crosscheck.put_back_ls(found)

    assert found.company == "Karlsson & Ekman HB"
    assert found.confidence["company"] <= crosscheck.INITIAL_TRUST


def test_an_l_read_as_an_i_is_put_back_in_links_from_the_company():
    found = contact(
        company="Åkerman & Carlsson HB",
        emails=["s.ek@akermancarisso.biz"],
        websites=["https://www.akermancarisso.biz/kontakt"],
    )

    crosscheck.put_back_ls(found)

    assert list(found.emails) == ["s.ek@akermancarlsso.biz"]
    assert list(found.websites) == ["https://www.akermancarlsso.biz/kontakt"]
    assert found.company == "Åkerman & Carlsson HB"


def test_an_l_read_as_an_i_is_put_back_in_a_link_from_the_other_link():
    found = contact(emails=["m@millsgroup.info"], websites=["www.milisgroup.info"])

    crosscheck.put_back_ls(found)

    assert list(found.websites) == ["www.millsgroup.info"]
    assert list(found.emails) == ["m@millsgroup.info"]


def test_an_i_spelled_as_an_l_elsewhere_is_left():
    found = contact(company="Nilsson AB", emails=["a@nlisson.se"])

    crosscheck.put_back_ls(found)

    assert (found.company, list(found.emails)) == ("Nilsson AB", ["a@nlisson.se"])


def test_a_domain_reading_a_double_letter_once_takes_the_other_links():
    found = contact(
        company="Williams LLC",
        emails=["kathleen@williamsllc.co"],
        websites=["www.williamslc.co"],
    )

    crosscheck.outvote_misread_domains(found)

    assert list(found.websites) == ["www.williamsllc.co"]
    assert list(found.emails) == ["kathleen@williamsllc.co"]


@pytest.mark.parametrize(
    ("company", "email", "website"),
    [
        # A firm owning both spellings of a tripled or another doubled
        # letter, and a short name of its own.
        ("Rollladen Schmidt GmbH", "info@rollladenschmidt.de", "rolladenschmidt.de"),
        ("Aggarwal Traders", "a@aggarwaltraders.in", "agarwaltraders.in"),
        ("Hill Law", "ben@hill.law", "hil.law"),
    ],
)
def test_a_domain_spelled_otherwise_on_purpose_stays(company, email, website):
    found = contact(company=company, emails=[email], websites=[website])

    crosscheck.outvote_misread_domains(found)

    assert list(found.websites) == [website]


def test_a_double_letter_read_once_is_not_put_back_where_no_company_spells_it():
    found = contact(
        company="Acme Ltd",
        emails=["kathleen@williamsllc.co"],
        websites=["www.williamslc.co"],
    )

    crosscheck.outvote_misread_domains(found)

    assert list(found.websites) == ["www.williamslc.co"]


@pytest.mark.parametrize(
    ("website", "company", "outvoted"),
    [
        ("https://www.inanzasoerysl.biz", "Finanzas OERY S.L.", True),
        ("https://www.finanzasoerys.biz", "Finanzas OERY S.L.", True),
        ("https://www.finanzasoeysl.biz", "Finanzas OERY S.L.", True),
        ("https://www.inanzasoerysl.biz", "Acme Ltd", False),
        ("https://www.finanzasoeysl.biz", "Acme Ltd", False),
    ],
)
def test_a_domain_that_lost_a_letter_takes_the_other_links(website, company, outvoted):
    found = contact(
        company=company,
        emails=["regulo.rivas@finanzasoerysl.biz"],
        websites=[website],
    )

    crosscheck.outvote_misread_domains(found)

    fixed = "https://www.finanzasoerysl.biz"
    assert list(found.websites) == [fixed if outvoted else website]
    assert list(found.emails) == ["regulo.rivas@finanzasoerysl.biz"]
