"""Evidence that a line names a company: legal forms and the card's email
and web domains."""

import difflib
import re
from collections.abc import Iterator

from ocr_service import countries
from ocr_service.wording import plain_spellings, word_set, words

# Poland's "sp. z o.o." with its o's read as zeros: "sp. z 0.0.".
_POLISH_FORM_MISREAD = re.compile(
    r"\b(sp\.\s?z\s?)(?:0\.\s?0|0\.\s?o|o\.\s?0)\.?(?!\w)", re.IGNORECASE
)


def form_read_right(text: str) -> str:
    """The line with a legal form whose letters OCR read as digits spelled
    as printed."""
    return _POLISH_FORM_MISREAD.sub(r"\1o.o.", text)


# Legal forms as printed, matched as whole words anywhere in the line.
LEGAL_FORMS = (
    "GmbH & Co. KG",
    "GmbH & Co KG",
    "GmbH",
    "gGmbH",
    "mbH",
    "GbR",
    "AG",
    "KG",
    "OHG",
    "e.K.",
    "e.V.",
    "e.G.",
    "eG",
    "UG",
    "SE",
    "Ltd.",
    "Ltd",
    "Limited",
    "LLC",
    "LLP",
    "L.L.C.",
    "Inc.",
    "Inc",
    "inc.",
    "Co.",
    "Company",
    "P.C.",
    "PLLC",
    "P.A.",
    "Lda",
    "Lda.",
    "Sp. z o.o.",
    "sp. z o.o.",
    "S.A. de C.V.",
    "S. de R.L.",
    "KGaA",
    "Ges.m.b.H.",
    "Corp.",
    "Corp",
    "Corporation",
    "PLC",
    "plc",
    "Pty Ltd",
    "Pty",
    "S.L.U.",
    "S.L.N.E.",
    "S.L.N.E",
    "S.L.L.",
    "S.L.",
    "SL",
    "S.A.",
    "SA",
    "S.A.S.",
    "SAS",
    "SARL",
    "S.A.R.L.",
    "SASU",
    "EURL",
    "SNC",
    "S.Coop.",
    "S.Com.",
    "S.C.P.",
    "S.C.P",
    "S.A.T.",
    "S.A.U.",
    "S.A.U",
    "S.A.D.",
    "S.A.D",
    "BV",
    "B.V.",
    "NV",
    "N.V.",
    "VOF",
    "V.O.F.",
    "SpA",
    "S.p.A.",
    "SPA",
    "S.r.l.",
    "s.r.l.",
    "S.R.L.",
    "Srl",
    "SRL",
    "S.P.A.",
    "S.n.c.",
    "S.N.C.",
    "S.a.s.",
    "S/A",
    "Ltda",
    "Ltda.",
    "ME",
    "EI",
    "EIRELI",
    "AB",
    "HB",
    "KB",
    "Oy",
    "Oyj",
    "A/S",
    "ApS",
    "AS",
    "ASA",
    "A.Ş.",
    "Ltd. Şti.",
    "Group",
    "Gruppe",
    "Groupe",
    "Grupo",
    "Gruppo",
    "& Co.",
    "& Co",
    "and Sons",
    "& Sons",
    "& Partner",
    "& Partners",
    "& Associados",
    "& Associates",
    "& Asociados",
    "& Associés",
    "RL",
    "S.E.N.C.R.L.",
    "s.e.n.c.r.l.",
    "SENCRL",
    "et Fils",
    "e figli",
    "e Figli",
    "e Hijos",
    "e Filhos",
    "y Asociados",
)
_FORMS = "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
LEGAL_FORM = re.compile(rf"(?<![\w.&])(?:{_FORMS})(?![\w&])")

# Words, folded, that name a kind of organisation: a line starting or ending
# with one is a company even without a legal form ("Jeet Kune Do Academy").
ORGANISATION_WORDS = word_set(
    """
    academy institute university college school foundation association society
    agency studio studios labs laboratories laboratory clinic hospital council
    ministry museum hotel restaurant bank group holdings partners associates
    consultancy consulting solutions systems technologies industries
    enterprises ventures
    institut universitat hochschule stiftung verein akademie klinik
    universite ecole fondation agence cabinet
    universidad instituto fundacion asociacion escuela academia agencia bufete
    despacho atelier bottega ristorante trattoria osteria pizzeria brasserie
    bistro boulangerie boutique cafe caffe
    universita istituto fondazione associazione accademia studio agenzia
    universidade fundacao associacao escola agencia
    universiteit hogeschool stichting vereniging bureau gemeente
    universitet hogskola stiftelse forening byra
    construction builders brokers insurance supply supplies logistics realty
    properties capital resort polytechnic technology clinica dental bodegas
    ville commune comune ayuntamiento municipality comhairle politechnika
    yliopisto
    biuro kancelaria pracownia spoldzielnia przedsiebiorstwo
    asociados asoc estudio
    """
)
# Endings of compound words that name a kind of organisation:
# "Kantonalbank", "Universitätsklinikum".
ORGANISATION_ENDINGS = (
    "bank", "klinikum", "werke", "verband", "kammer", "gesellschaft",
    "versicherung", "stiftung",
)  # fmt: skip

# First words of a part of a university or hospital ("Institut für
# Informatik", "School of Engineering", "Servicio de Pediatría") and words of
# the whole it belongs to.
UNIT_WORDS = word_set(
    "institut institute instituto istituto klinik faculty fakultat faculte "
    "facultad school lehrstuhl chair laboratory laboratoire lab centre center "
    "servicio servei servico servizio service"
)
PARENT_WORDS = word_set(
    "hochschule college klinikum hospital polytechnic politechnika yliopisto "
    "universitet hogskola hogeschool hopital ospedale hospitalario ziekenhuis "
    "sjukhus"
)

# Words, folded, that finish a company's name on a line of their own under
# the rest of it, a name set over two lines: "Nordvik" over "Technology".
# The words a department or a job title is named by are none of them.
SECOND_LINE_WORDS = word_set(
    """
    technology technologies tech solutions consulting consultants systems
    group partners associates holdings industries ventures labs software
    networks
    technologie technologien losungen beratung systeme gruppe holding
    conseil systemes groupe partenaires associes
    tecnologia tecnologias soluciones consultores sistemas grupo socios
    asociados
    tecnologie soluzioni consulenza sistemi gruppo associati
    solucoes parceiros associados
    oplossingen advies systemen groep
    teknik teknologi losningar konsulter gruppen
    """
)
# Words, as printed, that join two words of a company's name: "Technology
# and Consulting", "Berg og Sønner".
JOINING_WORDS = word_set("and und et y e en och og")
# What joins two of them: "Technology & Consulting".
SECOND_LINE_GLUE = JOINING_WORDS | {"&"}
# The most words such a line has.
SECOND_LINE_MOST_WORDS = 4

# Marks a line of a company's name ends in, as a joining word, where the
# name goes on in the line under it: "Müller &" over "Söhne GmbH".
CONTINUING_MARKS = ("&", "+")

# Mail and web hosts anyone can use; their names say nothing of a company.
PUBLIC_DOMAINS = word_set(
    "gmail googlemail outlook hotmail live msn yahoo icloud me mac aol gmx web "
    "t-online freenet orange free laposte wanadoo libero virgilio tiscali "
    "alice telia bluewin protonmail proton zoho mail yandex uol bol terra "
    "ziggo kpnmail hetnet telenet skynet"
)


def legal_form(text: str) -> str | None:
    """The legal form a line carries, if any."""
    match = next(_legal_forms(text), None)
    return match[0] if match else None


def names_organisation(text: str) -> bool:
    """True when a line of two words or more starts or ends with a word for
    a kind of organisation, or names a university or hospital anywhere:
    "Jeet Kune Do Academy", "Stichting Open Data", "Freie Universität Berlin"."""
    found = words(LEGAL_FORM.sub("", text))
    if len(found) < 2:
        return False
    ends = {found[0], found[-1]}
    if ends & ORGANISATION_WORDS or names_parent(text):
        return True
    return any(len(w) > 6 and w.endswith(ORGANISATION_ENDINGS) for w in ends)


def finishes_name(text: str) -> bool:
    """Whether a line is made of the words that finish a company's name set
    over two lines, with perhaps a legal form: "Technology", "Consulting
    Group", "Soluciones S.L."."""
    found = words(text)
    rest = words(LEGAL_FORM.sub(" ", text))
    return (
        len(found) <= SECOND_LINE_MOST_WORDS
        and any(w in SECOND_LINE_WORDS for w in found)
        and all(w in SECOND_LINE_WORDS or w in SECOND_LINE_GLUE for w in rest)
    )


def ends_unfinished(text: str) -> bool:
    """Whether a line ends in a mark or a word that joins a word of it to
    the line under it: "Müller &", "Müller&", "Berg og"; not "Vitamin E",
    whose capital is no conjunction's."""
    found = text.split()
    last = found[-1] if found else ""
    if last in CONTINUING_MARKS or last in JOINING_WORDS:
        return len(found) >= 2
    return last.endswith(CONTINUING_MARKS) and any(c.isalpha() for c in last)


def names_unit(text: str) -> bool:
    """Whether a line names a part of a university or hospital."""
    found = words(text)
    return len(found) >= 2 and found[0] in UNIT_WORDS


def names_parent(text: str) -> bool:
    """Whether a line names a university or hospital, the whole a unit
    belongs to."""
    return any(w.startswith("universi") or w in PARENT_WORDS for w in words(text))


def split_after_legal_form(text: str) -> tuple[str, str] | None:
    """A company and the text printed after it on the same line, when OCR
    joined two columns; None when nothing follows the legal form."""
    for match in _legal_forms(text):
        # A form before any name leads it: "Groupe Boréal inc.", "AB Volvo".
        if not text[: match.start()].strip():
            continue
        rest = text[match.end() :].strip(" ,|")
        # Words follow, not a postcode: "Calgary, AB T2P 3E8" is Alberta's.
        if rest and re.match(r"[A-ZÀ-Þ][^\W\d_]*\b", rest) and len(rest.split()) >= 2:
            return text[: match.end()].strip(), rest
    return None


def _legal_forms(text: str) -> Iterator[re.Match]:
    """The legal forms in a line, but for one after a number alone: that
    "AB" is the letters of a Dutch postcode ("1012 AB Amsterdam"); nor an
    Irish county's "Co."."""
    for match in LEGAL_FORM.finditer(text):
        # An Irish county's "Co." is no company's: "Co. Galway".
        county = match[0].endswith("Co.") and countries.starts_with_irish_county(
            text[match.end() :]
        )
        if not text[: match.start()].strip().isdigit() and not county:
            yield match


def domain_likeness(text: str, domain: str) -> float:
    """How well a line's letters match a card's domain, from 0 to 1: a
    company is usually its domain, perhaps shortened or without its legal
    form."""
    if not domain or domain in PUBLIC_DOMAINS:
        return 0.0
    spellings = _spellings(text)
    if not spellings or max(map(len, spellings)) < 2:
        return 0.0
    # A hyphen stands for the space between words: "ledgerline-analytics".
    domain = domain.replace("-", "")
    if domain in spellings:
        return 1.0
    # Domains cut long names short: "smithjonesand" for "Smith, Jones and
    # Brown".
    if len(domain) >= 6 and any(s.startswith(domain) for s in spellings):
        return 0.95
    # A name printed without the words that finish it, which its domain
    # spells: "Nordvik" at nordviktechnology.no.
    if any(_finished_by_domain(s, domain) for s in spellings):
        return FINISHED_BY_DOMAIN
    # Long names go by their initials: "jkd" for "Jeet Kune Do Academy".
    if len(domain) >= 3 and domain in _initials(text):
        return 0.9
    ratio = max(difflib.SequenceMatcher(None, s, domain).ratio() for s in spellings)
    # A likeness short of a match stays below what a match or a cut scores.
    return min(ratio, 0.9) if ratio >= 0.75 else 0.0


# How well a domain that spells a line and then the words that finish a
# firm's name matches the line: short of a match, as the line may be a
# title or department the firm is named for ("Sales" at salesgroup.com).
FINISHED_BY_DOMAIN = 0.85
# The fewest letters a line must have for a domain to finish its name.
FINISHED_LEAST_LETTERS = 4
_SECOND_LINE_LETTERS = re.compile(
    "(?:{})+".format("|".join(sorted(SECOND_LINE_WORDS, key=len, reverse=True)))
)


def _finished_by_domain(spelling: str, domain: str) -> bool:
    """Whether a domain is the line's letters and then words that finish a
    firm's name: "nordviktechnology" of "nordvik"."""
    if len(spelling) < FINISHED_LEAST_LETTERS or not domain.startswith(spelling):
        return False
    return _SECOND_LINE_LETTERS.fullmatch(domain[len(spelling) :]) is not None


def _initials(text: str) -> set[str]:
    """The first letters of a line's words, of all of them and of all but the
    last, which a word for the kind of organisation often is."""
    found = [w for w in words(LEGAL_FORM.sub("", text)) if w[0].isalpha()]
    if len(found) < 3:
        return set()
    letters = "".join(w[0] for w in found)
    return {letters, letters[:-1]}


def is_near_miss(text: str, domain: str) -> bool:
    """True when a company and its domain differ in a letter or two put in
    place of others, as when OCR misread one of them.  Letters left out are
    no miss: domains drop accented letters and cut long names short."""
    if len(domain) < 4 or domain in PUBLIC_DOMAINS:
        return False
    return any(_swapped_letters(s, domain) in (1, 2) for s in _spellings(text))


def _swapped_letters(spelling: str, domain: str) -> int:
    """How many letters of the domain stand in place of the spelling's; a
    large number when the two differ otherwise."""
    swapped = 0
    matcher = difflib.SequenceMatcher(None, spelling, domain, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        # OCR swaps a letter for a letter, or "rn" for "m" and back.
        if op == "replace" and max(i2 - i1, j2 - j1) <= 2:
            swapped += max(i2 - i1, j2 - j1)
        elif op != "equal" and op != "delete":
            return 99
    return swapped


def _spellings(text: str) -> set[str]:
    """A company's letters as a domain may spell them: with or without its
    legal form, accented letters folded, spelled out or left out."""
    out = set()
    for variant in (text, LEGAL_FORM.sub("", text)):
        out.add(re.sub(r"[^a-z0-9]", "", variant.lower()))
        for spelling in plain_spellings(variant):
            out.add(re.sub(r"[^a-z0-9]", "", spelling))
    return {s for s in out if s}
