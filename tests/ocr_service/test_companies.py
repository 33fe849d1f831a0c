"""Companies are told by legal form and by the card's domains."""

import pytest

from ocr_service import companies


@pytest.mark.parametrize(
    "text",
    ["Acme GmbH", "Lévy Gay S.A.R.L.", "Spies BV", "Trussardi s.r.l.", "Ekman AB",
     "Lima Castro S/A", "Rodriguez Group", "Delahaye et Fils", "Mulders & Co.",
     "Rossi Costruzioni S.R.L.", "Bianchi S.P.A.", "Verdi S.N.C."],
)  # fmt: skip
def test_legal_forms_are_found(text):
    assert companies.legal_form(text)


@pytest.mark.parametrize("text", ["Sales", "Web Developer", "Ana Lima"])
def test_plain_lines_have_no_legal_form(text):
    assert companies.legal_form(text) is None


@pytest.mark.parametrize(
    "text",
    ["Technology", "Consulting Group", "Soluciones S.L.", "Lösungen GmbH",
     "Technology & Consulting", "Sistemi"],
)  # fmt: skip
def test_words_that_finish_a_company_on_a_line_of_their_own(text):
    assert companies.finishes_name(text)


@pytest.mark.parametrize(
    "text",
    ["GmbH", "Sales", "Nordvik", "Systems Engineering", "Your partner in technology"],
)
def test_other_lines_finish_no_company(text):
    assert not companies.finishes_name(text)


@pytest.mark.parametrize(
    "text", ["Müller &", "Müller&", "Hansen +", "Berg og", "Gomes e", "Smith and"]
)
def test_a_line_ending_in_a_conjunction_goes_on_to_the_next(text):
    assert companies.ends_unfinished(text)


@pytest.mark.parametrize("text", ["Müller", "&", "og", "Vitamin E", "Berg Og", "B2B"])
def test_a_line_ending_in_no_conjunction_is_finished(text):
    assert not companies.ends_unfinished(text)


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Arnold-Brady", "arnoldbrady"),
        ("Hänel", "hnel"),
        ("Mendes da Mota S/A", "mendesdamotasa"),
        ("Hopkins, Ortiz and Walters", "hopkinsortizan"),
        ("Ledgerline Analytics", "ledgerline-analytics"),
        ("Atelier Verlaine SARL", "atelier-verlaine"),
    ],
)
def test_company_spelled_by_its_domain(text, domain):
    assert companies.domain_likeness(text, domain) >= 0.95


@pytest.mark.parametrize(
    ("text", "domain", "likeness"),
    [
        ("Nordvik", "nordviktechnology", companies.FINISHED_BY_DOMAIN),
        ("Nordvik", "nordvik-consulting-group", companies.FINISHED_BY_DOMAIN),
        ("Feliu", "feliusoluciones", companies.FINISHED_BY_DOMAIN),
        # Words that finish no firm's name, or a line too short to tell.
        ("Nordvik", "nordvikbakeri", 0.0),
        ("Vik", "viktech", 0.0),
    ],
)
def test_a_domain_may_finish_the_name_a_line_prints(text, domain, likeness):
    assert companies.domain_likeness(text, domain) == likeness


def test_public_mail_hosts_say_nothing_of_the_company():
    assert companies.domain_likeness("Gmail", "gmail") == 0


def test_joined_columns_split_after_the_legal_form():
    assert companies.split_after_legal_form("Segni SPA Rotonda Trillini") == (
        "Segni SPA",
        "Rotonda Trillini",
    )


@pytest.mark.parametrize(
    ("text", "domain", "near"),
    [
        ("Ginty LLC", "gintylic", True),
        ("Reyes-Burns", "reyesbums", True),
        ("Rydén Söderström HB", "rydnsderstr", False),
        ("Arnold-Brady", "arnoldbrady", False),
    ],
)
def test_near_misses_are_letters_swapped_not_left_out(text, domain, near):
    assert companies.is_near_miss(text, domain) is near


@pytest.mark.parametrize(
    ("text", "form"),
    [("AB Volvo", "AB"), ("Volvo AB", "AB"), ("1012 AB Amsterdam", None)],
)
def test_letters_of_a_dutch_postcode_are_no_legal_form(text, form):
    assert companies.legal_form(text) == form
    assert companies.split_after_legal_form(text) is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Jeet Kune Do Academy", True),
        ("Stichting Open Data", True),
        ("Universität Hamburg", True),
        ("Desert Bloom Construction", True),
        ("Berner Kantonalbank", True),
        ("Universitätsklinikum Köln", True),
        ("Academy", False),
        ("Head of the Academy Board", False),
    ],
)
def test_a_word_for_a_kind_of_organisation_names_a_company(text, named):
    assert companies.names_organisation(text) is named


@pytest.mark.parametrize(
    ("text", "domain", "likeness"),
    [
        ("Jeet Kune Do Academy", "jkd", 0.9),
        ("Jeet Kune Do Academy", "jkda", 0.9),
        ("International Business Machines Corp.", "ibm", 0.9),
        ("Bruce Lee", "bl", 0.0),
    ],
)
def test_a_domain_of_a_names_initials_spells_it(text, domain, likeness):
    assert companies.domain_likeness(text, domain) == likeness


@pytest.mark.parametrize(
    "text", ["Groupe Boréal inc.", "Grupo Industrial Azteca, S.A. de C.V."]
)
def test_a_legal_form_leading_the_name_splits_nothing_off(text):
    assert companies.split_after_legal_form(text) is None


@pytest.mark.parametrize(
    "read",
    [
        "Budimex sp. z 0.0.",
        "Budimex Sp. z 0.o.",
        "Budimex sp. z o.o.",
        "Budimex sp. z 0. 0.",
    ],
)
def test_the_polish_legal_form_read_with_zeros_is_spelled_right(read):
    assert companies.form_read_right(read).lower() == "budimex sp. z o.o."


def test_an_irish_countys_co_parts_no_firm_from_the_rest_of_its_line():
    assert companies.split_after_legal_form("Murphy & Co. Kerry Ltd") is None
