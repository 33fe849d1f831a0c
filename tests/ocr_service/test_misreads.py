"""Misread letters are put right from what the rest of the card says."""

import pytest

from ocr_service import misreads
from ocr_service.wording import fold


def test_misread_at_is_found_by_a_known_host():
    found = misreads.email_with_misread_at("Samantha Qreyesburns co", ["reyesburns.co"])

    assert found == "samantha@reyesburns.co"


def test_text_without_the_host_gives_no_email():
    assert misreads.email_with_misread_at("Samantha Sutton", ["reyesburns.co"]) is None


def test_first_letter_follows_the_given_name():
    assert misreads.email_initial("ibustos@x.io", "Lupe", "Bustos") == "lbustos@x.io"
    assert misreads.email_initial("ibustos@x.io", "Ines", "Bustos") == "ibustos@x.io"


@pytest.mark.parametrize(
    ("email", "given", "family", "spelled"),
    [
        ("j-hull@x.io", "Jaclyn", "Hull", "j.hull@x.io"),
        ("p-goncalves@x.net", "Pedro", "Gonçalves", "p.goncalves@x.net"),
        ("j-deroos@x.biz", "Jet", "de Roos", "j.deroos@x.biz"),
        # No tail below the line lifted the dot: the hyphen was printed.
        ("m-hull@x.io", "Marc", "Hull", "m-hull@x.io"),
        # Nor is a hyphen before another word than the family name a dot.
        ("j-team@x.io", "Jaclyn", "Hull", "j-team@x.io"),
        ("jaclyn-hull@x.io", "Jaclyn", "Hull", "jaclyn-hull@x.io"),
    ],
)
def test_dot_after_an_initial_with_a_tail_is_put_back(email, given, family, spelled):
    assert misreads.email_initial_dot(email, given, family) == spelled


@pytest.mark.parametrize(
    ("read", "printed", "lost"),
    [
        ("inanzasoerysl", "finanzasoerysl", True),
        ("finanzasoerys", "finanzasoerysl", True),
        ("howelljonson", "howelljohnson", True),
        # A letter of a double: the firm may own both spellings.
        ("williamslc", "williamsllc", False),
        # Two letters lost, or one put for another, are no letter lost.
        ("howelljnson", "howelljohnson", False),
        ("howelljahnson", "howelljohnson", False),
    ],
)
def test_a_letter_lost_anywhere_but_in_a_double_is_told(read, printed, lost):
    assert misreads.letter_lost(read, printed) is lost


@pytest.mark.parametrize(
    ("company", "domains", "cut"),
    [
        ("Cardoso Alves S", ["cardosoalvessa"], True),
        ("Ferrer Rius S", ["ferrerriussl"], True),
        # A name that ends in a letter, its domain spelling no more of it.
        ("Plan B", ["planb"], False),
        ("Cardoso Alves S", ["cardosoalves"], False),
        # The form whole, or another letter than the form's first.
        ("Cardoso Alves S.A.", ["cardosoalvessa"], False),
        ("Cardoso Alves L", ["cardosoalvessa"], False),
    ],
)
def test_a_legal_form_cut_to_its_first_letter_is_told_by_the_domain(
    company, domains, cut
):
    assert misreads.legal_form_cut(company, domains) is cut


def test_company_initial_follows_its_domain():
    assert (
        misreads.company_initial("lacovelli SPA", ["iacovellispa"]) == "Iacovelli SPA"
    )


def test_legal_form_follows_a_domain_that_spells_it():
    domains = ["geerlingbv"]

    assert misreads.company_legal_form("Geerling By", domains) == "Geerling BV"
    assert misreads.company_legal_form("Geerling BV", domains) == "Geerling BV"
    assert misreads.company_legal_form("Geerling Xy", domains) == "Geerling Xy"
    assert misreads.company_legal_form("Geerling By", ["geerling"]) == "Geerling By"
    assert misreads.company_legal_form("Spies By", domains) == "Spies By"


@pytest.mark.parametrize(
    ("read", "company"),
    [
        ("Aparecida Pires - El", "Aparecida Pires - EI"),
        ("Moura Santos EIRELl", "Moura Santos EIRELI"),
        # Words, and capitals that spell no legal form, are left alone.
        ("Hotel El", "Hotel El"),
        ("Young LlC", "Young LlC"),
        ("Villa Ida", "Villa Ida"),
    ],
)
def test_a_legal_form_in_capitals_read_with_small_ls_is_spelled_right(read, company):
    assert misreads.company_legal_form(read, []) == company


def test_domain_follows_the_legal_form_its_company_spells():
    assert misreads.domain_by_legal_form("lopezitd", "Lopez Ltd") == "lopezltd"
    assert misreads.domain_by_legal_form("sanderslic", "Sanders LLC") == "sandersllc"
    # Letters outside the legal form, or no look-alikes, are left alone.
    assert misreads.domain_by_legal_form("iopezltd", "Lopez Ltd") == "iopezltd"
    assert misreads.domain_by_legal_form("lopezxtd", "Lopez Ltd") == "lopezxtd"
    # A domain that spells the company otherwise, or a company with no
    # legal form.
    assert misreads.domain_by_legal_form("lopez", "Lopez Ltd") == "lopez"
    assert misreads.domain_by_legal_form("lopezitd", "Lopez Itd") == "lopezitd"
    assert misreads.domain_by_legal_form("lawntlc", "Lawn TLC") == "lawntlc"


def test_domain_is_swapped_in_the_host_only():
    assert (
        misreads.with_domain("https://www.gintylic.com/a", "gintylic", "gintyllc")
        == "https://www.gintyllc.com/a"
    )


@pytest.mark.parametrize(
    ("email", "name", "fixed"),
    [
        ("i.wosack@rorric.biz", "Irmtraud Wesack", "i.wesack@rorric.biz"),
        ("jules.nviere@daniel.com", "Jules Rivière", "jules.riviere@daniel.com"),
        # Words that are no blurred name part, or the part itself.
        ("info@daniel.com", "Jules Rivière", "info@daniel.com"),
        ("j.rivera@daniel.com", "Jules Rivière", "j.rivera@daniel.com"),
        ("jules.riviere@daniel.com", "Jules Rivière", "jules.riviere@daniel.com"),
        ("dfemandes@souza.net", "Davi Miguel Fernandes", "dfernandes@souza.net"),
        # A name part the local part spells already.
        ("kim.kirn@x.de", "Tom Kirn", "kim.kirn@x.de"),
        # A shared mailbox's word a blur away from a name part.
        ("hello@studiojensen.dk", "Helle Jensen", "hello@studiojensen.dk"),
        ("home@horneltd.co.uk", "Marcus Horne", "home@horneltd.co.uk"),
        # An "l" read as an "i", but never an "i" as an "l".
        ("maria.carisson@x.se", "Maria Carlsson", "maria.carlsson@x.se"),
        ("wiiiiams@x.com", "Ann Williams", "williams@x.com"),
        ("maria.carlsson@x.se", "Maria Carisson", "maria.carlsson@x.se"),
        # A word too short to tell from a word of its own.
        ("deli@dellsdeli.com", "Sam Dell", "deli@dellsdeli.com"),
        # A dash after the initial is as often printed so ("t-yamada@").
        ("t-yamada@x.co.jp", "Taro Yamada", "t-yamada@x.co.jp"),
    ],
)
def test_a_local_part_a_blur_misread_follows_the_name(email, name, fixed):
    parts = [fold(part) for part in name.split()]

    assert misreads.local_part_by_name(email, parts) == fixed


@pytest.mark.parametrize(
    ("word", "local_words", "fixed"),
    [
        ("Carison", ["c", "carlson"], ("Carlson", 3)),
        ("MclIvor", ["laoise", "mcivor"], ("McIvor", 2)),
        ("CARISON", ["carlson"], ("CARLSON", 3)),
        # Spelled alike, or otherwise than by a look-alike or a stroke.
        ("Carlson", ["carlson"], None),
        ("Anne", ["ann"], None),
        ("John", ["jon"], None),
        ("Marta", ["marie"], None),
        # Two small l's are a name's own; an email spelling the word as read
        # backs it; digits are no letters of a name.
        ("Gillian", ["gilian"], None),
        ("Marta", ["marta", "maria"], None),
        ("Olsen", ["0lsen"], None),
        # Too short to tell, and two words that each could be it.
        ("Jil", ["jll"], None),
        ("Bili", ["bill", "biii"], None),
    ],
)
def test_a_name_word_takes_the_letter_an_email_spells_otherwise(
    word, local_words, fixed
):
    assert misreads.name_word_by_email(word, local_words) == fixed


@pytest.mark.parametrize(
    ("text", "spelled", "fixed"),
    [
        ("Karisson & Ekman HB", "karlssonekmanh", "Karlsson & Ekman HB"),
        ("Neelan, Neison and Raleigh", "neelannelsonan", "Neelan, Nelson and Raleigh"),
        ("akermancarisso", "akermancarlssonhb", "akermancarlsso"),
        ("MiIls Group", "millsgroup", "Mills Group"),
        # Spelled alike, an "i" where the other has an "l" (never so
        # misread), other letters apart, too few letters alike, or three
        # "l"s read as "i"s.
        ("Karlsson & Ekman HB", "karlssonekmanh", "Karlsson & Ekman HB"),
        ("Karlsson & Ekman HB", "karissonekmanh", "Karlsson & Ekman HB"),
        ("Karisson & Ekman HB", "karlsonekmanhb", "Karisson & Ekman HB"),
        ("Mii", "mil", "Mii"),
        # A mail provider's name is too short to be the company's.
        ("telia", "tellabkonsultab", "telia"),
        ("iinet", "linetechelectrical", "iinet"),
        ("Biiiiard", "billlard", "Biiiiard"),
        # A capital "I" starting a word is as likely an "I".
        ("Iannotti SRL", "lannottisrl", "Iannotti SRL"),
    ],
)
def test_an_l_read_as_an_i_is_put_back_from_letters_that_spell_it(text, spelled, fixed):
    assert misreads.ls_put_back(text, spelled) == fixed


@pytest.mark.parametrize(
    ("text", "turkish", "right"),
    [
        ("Örnek Ticaret A.Ș.", False, "Örnek Ticaret A.Ş."),
        ("Örnek Ltd. Ști.", False, "Örnek Ltd. Şti."),
        ("Ayșe Demir", True, "Ayşe Demir"),
        ("Satiș Müdürü", True, "Satiş Müdürü"),
        # Turkish writes no "t" with a mark.
        ("Mehmeț Kaya", True, "Mehmet Kaya"),
        # Elsewhere the comma is Romanian's.
        ("Ștefan Popescu", False, "Ștefan Popescu"),
    ],
)
def test_a_comma_below_is_the_turkish_cedilla_where_the_line_is_turkish(
    text, turkish, right
):
    assert misreads.turkish_marks_read_right(text, turkish) == right


@pytest.mark.parametrize(
    ("text", "country", "turkish"),
    [
        ("Yılmaz Doğan", None, True),
        ("Ayșe Demir", "TR", True),
        ("Ayșe Demir", None, False),
        # The breve only Romanian writes.
        ("Ștefănescu Yılmaz", None, False),
        ("Doğan", "RO", False),
    ],
)
def test_a_card_is_turkish_by_its_country_else_by_its_letters(text, country, turkish):
    assert misreads.turkish_card(text, country) is turkish


@pytest.mark.parametrize(
    ("text", "language", "local_parts", "right"),
    [
        ("Åsa Berg", "portuguese", [], "Åsa Berg"),
        ("Jānis Ozols", "nordic", [], "Jānis Ozols"),
        ("Lars Åkerlund", "portuguese", ["larsaakerlund"], "Lars Åkerlund"),
        ("Lars Åkerlund", "portuguese", ["larsakerlund"], "Lars Akerlund"),
        ("Hākansson", "nordic", ["hakansson"], "Håkansson"),
    ],
)
def test_a_name_of_a_language_writing_the_marks_keeps_them(
    text, language, local_parts, right
):
    assert misreads.marks_read_right(text, language, local_parts)[0] == right


@pytest.mark.parametrize(
    ("text", "country", "strange"),
    [
        ("Blake McIīneely", "IE", ["ī"]),
        ("Blake McIīneely", None, ["ī"]),
        ("Zoë Łukasiewicz-Şahin", "GB", []),
        ("İlkay Doğan", None, []),
        ("Ināra Kalniņa", None, []),
        ("Anna Bērziņa", "LV", []),
        ("Anna Bērziņa", "SE", ["ē", "ņ"]),
    ],
)
def test_marks_no_language_of_the_card_writes_are_told(text, country, strange):
    assert misreads.strange_marks(text, country) == strange


@pytest.mark.parametrize(
    ("domain", "company", "spelled"),
    [
        ("wnghtgoughand", "Wright, Gough and Booth", "wrightgoughand"),
        ("comelialabs", "Cornelia Labs", "cornelialabs"),
        # Spelled as the company is, or otherwise than by a blur, or too
        # short to be the same name.
        ("wrightgoughand", "Wright, Gough and Booth", None),
        ("wrightgoughand", "Wright, Gough and Brown", None),
        ("smithjones", "Smith & Jonas", None),
        ("mo", "Marin", None),
    ],
)
def test_a_domain_a_blur_misread_is_spelled_as_the_company(domain, company, spelled):
    assert misreads.domain_unblurred(domain, company) == spelled
