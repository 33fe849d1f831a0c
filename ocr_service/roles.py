"""What a person does: job-title and department words in the languages
cards come in."""

import re

from ocr_service import misreads
from ocr_service.wording import word_set, words

# Words that make a line a job title, folded (lowercase, no accents).
TITLE_WORDS = word_set(
    """
    manager director officer consultant analyst developer designer assistant
    specialist coordinator executive head lead chief president vice ceo cto
    cfo coo cio founder cofounder co-founder partner owner teacher lecturer
    professor technician advisor adviser architect administrator accountant
    editor engineer scientist researcher representative agent associate
    supervisor secretary clerk intern trainee surveyor therapist nurse
    doctor physician surgeon lawyer attorney solicitor counsel programmer
    operator worker producer writer journalist photographer buyer planner
    inspector controller auditor broker trader economist chemist physicist
    geologist pharmacist dentist optician psychologist librarian curator
    translator interpreter mechanic electrician plumber chef driver
    illustrator
    pilot officer principal dean fellow member staff
    geschaftsfuhrer geschaftsfuhrerin leiter leiterin berater beraterin
    ingenieur ingenieurin entwickler entwicklerin referent referentin
    sachbearbeiter sachbearbeiterin vorstand inhaber inhaberin mitarbeiter
    mitarbeiterin kaufmann kauffrau techniker technikerin
    directeur directrice responsable chef charge chargee technicien
    technicienne conseiller conseillere gerant gerante assistante
    ingenieure redacteur redactrice attache
    director directora gerente jefe jefa ingeniero ingeniera tecnico tecnica
    asesor asesora trabajador trabajadora analista coordinador coordinadora
    contador contadora contable abogado abogada arquitecto arquitecta
    direttore direttrice responsabile ingegnere tecnico consulente impiegato
    impiegata addetto addetta
    diretor diretora engenheiro engenheira assistente operador operadora
    trabalhador trabalhadora medico medica coordenador coordenadora
    directeur adviseur medewerker medewerkster beheerder eigenaar
    verkoper
    chef ingenjor konsult handlaggare saljare utvecklare ansvarig
    vd
    kierownik kierowniczka dyrektor ksiegowa ksiegowy specjalista prezes
    wlasciciel wlascicielka radca adwokat
    """
)
# Beginnings of title words that take many endings across languages.
TITLE_STEMS = ("manag", "direct", "ingen", "engin", "consult", "analy", "techni")

# Words a department line is made of, folded, in the card's languages.
DEPARTMENT_WORDS = word_set(
    """
    sales marketing engineering research development finance accounting hr
    it legal operations support procurement purchasing logistics product
    products communications communication administration compliance quality
    production services service customer human resources r&d rd treasury
    audit strategy business partnerships design innovation security
    vertrieb verkauf einkauf entwicklung forschung personal buchhaltung
    finanzen technik produktion kundendienst
    ventes recherche ingenierie comptabilite ressources humaines achats
    commercial juridique
    ventas investigacion ingenieria finanzas compras contabilidad
    vendite ricerca sviluppo ingegneria amministrazione acquisti
    vendas pesquisa engenharia financas compras
    verkoop onderzoek financien inkoop ontwikkeling
    forsaljning forskning ekonomi inkop utveckling
    assurance sprzedaz sprzedazy marketingu finansow zakupow
    """
)
# A word this long that OCR could have misread from a department's name is
# that department: "Marketüng", "Engineenng". Shorter words are too often
# other words a letter away, but for what a blurred photo reads for a
# letter ("Salos"), down to SHORT_DEPARTMENT_LENGTH letters.
MISREAD_DEPARTMENT_LENGTH = 7
SHORT_DEPARTMENT_LENGTH = 5
# Letter pairs OCR reads as one letter.
RUN_TOGETHER = {"n": "ri", "m": "rn"}
_LONG_DEPARTMENT_WORDS = frozenset(
    w for w in DEPARTMENT_WORDS if len(w) >= MISREAD_DEPARTMENT_LENGTH
)
# Those of them no other word is that blur away from ("ventes" is, from
# Portuguese "ventos").
_SHORT_DEPARTMENT_WORDS = word_set("sales legal design audit human")

# Words that may stand beside department words without making a title.
DEPARTMENT_GLUE = word_set(
    "and & of the department dept dept. team division abteilung service "
    "departement departamento dipartimento afdeling avdelning ufficio area "
    "dział dzial direzione und et y e en och de del della des du di"
)


# Words for a part of an organisation that start or end a department's
# name: "Structural Division", "Ufficio Tecnico", "Pôle Mécatronique",
# "Trade Policy Section", "Directie Water en Bodem", "Institutionen för
# datavetenskap", a government's "Strategic Policy Branch".
DEPARTMENT_KINDS = word_set(
    """
    division divisione divisao department departement departamento
    dipartimento abteilung bereich team pole ufficio afdeling avdelning
    direction direzione direccion office section
    oddeleni odbor dział dzial wydział wydzial osasto avdeling
    directie institutionen branch
    """
)


# Of those, the words that come before what they name only with a
# preposition, which follows them: "Office of the Registrar"; "Office
# Depot" is a firm.
KINDS_BEFORE_A_PREPOSITION = word_set("office department section")
KIND_PREPOSITIONS = word_set("of for de del")
# And those that only start a department's name: "Lid van de Directie" is
# a member of the board, a title.
KINDS_FIRST_ONLY = word_set("directie institutionen")


def is_department(text: str) -> bool:
    """True when every word of a short line names a department or joins
    department words, or when a word for a part of an organisation starts
    or ends it and no job title's word is in it; "Office of …" names one
    whatever it holds ("Office of Grants Management"), and a band or a
    firm named "The … Section" none."""
    found = words(text)
    if not found or len(found) > 5:
        return False
    known = [w in DEPARTMENT_WORDS or names_a_specialty(w) for w in found]
    glue = [w in DEPARTMENT_GLUE for w in found]
    if any(known) and all(k or g for k, g in zip(known, glue, strict=True)):
        return True
    if found[0] == "the":
        return False
    kind = {found[0], found[-1] if found[-1] not in KINDS_FIRST_ONLY else ""}
    kind &= DEPARTMENT_KINDS
    if found[0] in KINDS_BEFORE_A_PREPOSITION and found[-1] not in DEPARTMENT_KINDS:
        if not set(found[1:2]) & KIND_PREPOSITIONS:
            return False
        return len(found) >= 3
    others = [w for w in found if w not in DEPARTMENT_KINDS and len(w) > 1]
    return len(found) >= 2 and bool(kind) and not any(map(_is_title_word, others))


# A medical specialty, or another field named so, by how its name ends in
# the card languages: "Cardiology", "Kardiologie", "Cardiología",
# "Pediatría", "Psychiatry"; not the one who practises it, "Cardiologist",
# "Kardiologe", "Pediatra".
_SPECIALTY = re.compile(r"[a-z]{3,}(?:olog|iatr)(?:y|ie|ia|i|ics)")
# Words ending so that name no field but a means or a set of things, in
# the card languages: "Technology", "Tecnología", "Methodology",
# "Terminologie"; a firm's name or slogan holds them, as "Nordvik
# Technology" does.
_NO_FIELD = re.compile(r"(?:te[ck]h?n|meth?od|termin|ide)olog")


def names_a_specialty(word: str) -> bool:
    """Whether a folded word names a specialty, as a hospital's department
    does: "cardiologia", not "cardiologo" nor "technology"."""
    return _SPECIALTY.fullmatch(word) is not None and not _NO_FIELD.search(word)


def misread_department(text: str) -> str | None:
    """The department a line of one word names where OCR read a look-alike
    for one of its letters or one letter for two ("Marketüng" is
    "Marketing", "Engineenng" is "Engineering"), or, in a shorter word, one
    vowel for another ("Salos" is "Sales"), else None."""
    found = words(text)
    read = text.strip().lower()
    if len(found) != 1 or not read.isalpha() or len(read) < SHORT_DEPARTMENT_LENGTH:
        return None
    if found[0] in DEPARTMENT_WORDS or found[0] in TITLE_WORDS:
        return None
    if len(read) < MISREAD_DEPARTMENT_LENGTH:
        spelled = misreads.blurred_as(read, _SHORT_DEPARTMENT_WORDS)
        return spelled.capitalize() if spelled else None
    spellings = {read} | {
        read[:i] + pair + read[i + 1 :]
        for i, letter in enumerate(read)
        for one, pair in RUN_TOGETHER.items()
        if letter == one
    }
    # One letter misread, or none besides a pair read as one.
    close = {
        word
        for word in _LONG_DEPARTMENT_WORDS
        for spelled in spellings
        if (misread := misreads.misread_letters(spelled, word)) is not None
        and misread <= (spelled == read)
    }
    return close.pop().capitalize() if len(close) == 1 else None


# Title words at least this long may be put right from a blur: shorter ones
# are too often other words a blur away.
BLURRED_TITLE_LENGTH = 6


_LONG_TITLE_WORDS = [w for w in TITLE_WORDS if len(w) >= BLURRED_TITLE_LENGTH]


def title_read_right(text: str) -> str:
    """The title with each word a blurred photo misread from a job-title
    word spelled as that word: "Patent attomey" is "Patent attorney"; or
    read with its double "l" once, the strokes run together: "Ilustrator"
    is "Illustrator"."""

    def spelled(match: re.Match) -> str:
        read = match[0].lower()
        if len(read) < BLURRED_TITLE_LENGTH or _is_title_word(read):
            return match[0]
        candidates = [w for w in _LONG_TITLE_WORDS if not _vowel_of_its_own(read, w)]
        word = misreads.blurred_as(read, candidates) or _double_l_read_once(read)
        if word is None:
            return match[0]
        return word.capitalize() if match[0][0].isupper() else word

    return re.sub(r"[^\W\d_]+", spelled, text)


def _double_l_read_once(read: str) -> str | None:
    """The one title word the word is with its double "l" read once."""
    found = {w for w in _LONG_TITLE_WORDS if misreads.double_read_once(read, w)}
    return found.pop() if len(found) == 1 else None


# A word a vowel away from a title word is taken for it misread only from
# this long: shorter ones are other words as often ("Follow", "Leitor").
BLURRED_VOWEL_LENGTH = 7


def _vowel_of_its_own(read: str, title_word: str) -> bool:
    """Whether a word a vowel away from a title word may be a word of its
    own: a short one, or one ending as Romance words do ("Executivo",
    "Diretor")."""
    if len(read) != len(title_word):
        return False
    return len(read) < BLURRED_VOWEL_LENGTH or read.endswith(("o", "or"))


# Words of one or two letters that start a title as a role's or a field's
# abbreviation: "VP Sales", "IT consultant", "DJ".
TITLE_ABBREVIATIONS = word_set("vp ea pa gm md dj pr qa ux ui ai bi hr it")


def stray_letters(text: str) -> str | None:
    """The one or two letters before a title that are no abbreviation a
    title starts with: what OCR read from a speck or a logo's edge ("SB
    English as a second language teacher", "i Optician, dispensing"); None
    where the title starts with a word."""
    first, _, rest = text.partition(" ")
    if not first.isalpha() or len(first) > 2 or not title_word_count(rest):
        return None
    known = first.lower() in TITLE_ABBREVIATIONS or _is_title_word(first.lower())
    return None if known else first


def title_word_count(text: str) -> int:
    """How many words of a line are job-title words."""
    return sum(_is_title_word(w) for w in words(text) if len(w) > 1)


def _is_title_word(word: str) -> bool:
    if word in TITLE_WORDS:
        return True
    # A stem's plural or "-ing" names a business, not a person's job, and
    # its adjective qualifies one: "Engineering", "Consultants",
    # "Technische Universität".
    business = ("ing", "s", "isch", "ische", "ischen", "ical", "ique")
    return word.startswith(TITLE_STEMS) and not word.endswith(business)
