"""People's names on a card: how name-like a line is, and its split into
prefix, given and family names."""

import re

from cardscan.v1 import contact_pb2
from ocr_service import phones, roles
from ocr_service.wording import fold, plain_spellings, word_set

# Honorific and academic prefixes, as printed before a name, in any case:
# "Prof. Dr. med.", "Mag.", "dr hab. inż.".
# Ranks count only with their dot: "Maj" is also a Swedish given name.
PREFIX = re.compile(
    r"^(?:(?:(?:Professor|Prof|Prof\.ssa|Dr|Dra|Drs|Dott|Dott\.ssa|Ing|Dipl\.-Ing|"
    r"Dipl\.-Kfm|DI|DIin|Mag|Magª|Ir|Mr|Mrs|Ms|Mme|Mlle|Sr|Sra|Srta|Hr|Fr|Herr|"
    r"Frau|Sir|Dame|Univ\.-Prof|PD|Priv\.-Doz|Lic|Licda|Lcdo|Lcda|Eng|Arch|Avv|Geom|"
    r"Rag|Sig|Sig\.ra|Maître|Maitre|Me|Mgr|Bc|PhDr|MUDr|JUDr|RNDr|Dr\.-Ing|"
    r"Rev|Revd|Atty|Cllr|Cr|Arq|Mtro|Mtra|Abg|Eng\.?[ª?]|Dr\.?ª|"
    r"Docteur|Professeur|Doutor|Doutora|Professora|Profa)\.?"
    # Given names as well, these are prefixes only with their full stop: "Hon
    # Chan" is a Cantonese name, "Lda" a Portuguese firm's form; France's
    # professor is "Pr.".
    r"|(?:Sgt|Lt|Capt|Maj|Hon|Ldo|Lda|Pr)\."
    # Mexico's "C.P." (contador público) before a whole name; before a
    # family name alone they are initials: "C.P. Sharma".
    r"|C\.P\.(?=\s+\S+\s+\S))"
    r"(?:\s+(?:med|rer\.\s?nat|phil|jur|h\.\s?c|sc|techn|oec|habil|hab|inż|inz)\.)*"
    r"\s+)+",
    re.IGNORECASE,
)
# Degrees and professional letters printed after a name. A PersonName has no
# field for them, so they are left out of it.
POST_NOMINALS = re.compile(
    r"(?:,?\s+(?:PhD|Ph\.D\.|DPhil|MBA|MSc|M\.Sc\.|BSc|B\.Sc\.|M\.A\.|MA|BA|"
    r"B\.A\.|MEng|BEng|CEng|MD|M\.D\.|DDS|DVM|JD|LLM|LL\.M\.|LLB|MPH|DBA|EdD|"
    r"CPA|CFA|CFP|PMP|CISSP|RN|PE|P\.E\.|AIA|RIBA|MRICS|FRICS|ACCA|FCCA|ACA|FCA|"
    r"MCIPS|MCIM|MIET|MBE|OBE|CBE|FRCS|MRCP|FRCP|BVSc|BVMS|MRCVS|FRCVS|BDS|MBBS|"
    r"MRCGP|MICE|MIStructE|CIPD|FCIPD|CIMA|ACMA|FCMA|CGMA|BEd|MEd|MFA|MArch|"
    r"BArch|Esq\.?|FRACGP|FRACP|FRACS|FRANZCP|FACP|FACS|MRCS|FRCA|FRCOG|FRCPath|"
    r"MIMechE|MIChemE|MIEE|MRTPI|MCIArb|FCIArb|MAICD|GAICD|FAICD|FCPA|CPA\(?Aust\)?|"
    r"PharmD|DPT|LCSW|CFRE|SPHR|SHRM-CP|SHRM-SCP|\(Hons?\)))+$"
)
# Pronouns printed in brackets beside a name, or alone where a bar or the
# line's ends part them: "(she/her)", "Pronouns: he/they"; not in a firm's
# name, "She/Her Collective".
_PRONOUN_PAIR = (
    r"(?:he|she|they|ze|xe)\s?/\s?(?:him|her|them|they|she|he|his|hers|theirs|"
    r"zir|hir|xem)(?:\s?/\s?(?:his|hers|theirs|them|her|him))?"
)
PRONOUNS = re.compile(
    rf"\s*[(\[]\s*(?:pronouns:?\s*)?{_PRONOUN_PAIR}\s*[)\]]"
    rf"|^\s*(?:pronouns:?\s*)?{_PRONOUN_PAIR}\s*$",
    re.IGNORECASE,
)
# A generation after a name, which is part of the name as printed.
GENERATION = re.compile(r",?\s+(?:Jr\.?|Sr\.|II|III|IV)$")
# Particles that belong to the family name that follows them.
PARTICLES = word_set(
    "van von der den de del della di da das do dos du le la los las ten ter te "
    "zu af al bin ibn mac st. saint ó o ní nic uí 't ’t 's ’s het "
    "d' d’ l' l’ en die und auch"
)
# The capital and small letters of the Latin alphabets, accented ones of
# every European language included ("Ł", "ő", "ș").
_LATIN = [chr(code) for code in range(0x250)] + [chr(c) for c in range(0x1E00, 0x1F00)]
_UPPER = "".join(c for c in _LATIN if c.isupper() and c.isalpha())
_LOWER = "".join(c for c in _LATIN if c.islower() and c.isalpha())
# Words that join two family names: "García y López", "Puig i Ferrer".
JOINERS = word_set("y i e")
# A capitalised word; a second capital may follow a hyphen, an apostrophe or
# a prefix such as "Mc" ("Jean-Luc", "O'Brien", "McAllister", "DeVries"), an
# initial may stand for one half ("Hans-H.", "H.-Dieter"), and an elided
# particle come first ("d'Hondt", "dell'Acqua").
_WORD = re.compile(
    rf"^(?:[{_UPPER}][{_LOWER}]*(?:['’\-]?[{_UPPER}]?[{_LOWER}]+)*\.?"
    rf"|(?:[{_UPPER}]\.){{2,3}}|[{_UPPER}][{_LOWER}]+-[{_UPPER}]\."
    rf"|[{_UPPER}]\.-[{_UPPER}][{_LOWER}]+"
    rf"|(?:d|l|dell|dall|degli)['’][{_UPPER}][{_LOWER}]+)$"
)
# A word in capitals, as family names are often printed ("Pierre DUPONT"),
# perhaps after an elided letter ("O'SULLIVAN", "D'ARCY").
_CAPITALS = re.compile(
    rf"^(?:[{_UPPER}]['’])?[{_UPPER}]{{2,}}(?:['’\-][{_UPPER}]{{2,}})*$"
)


def likeness(text: str) -> float:
    """How much a line looks like a person's name, from 0 to 1, by its
    shape alone: a few capitalised words, perhaps with a prefix and
    particles, and no digits."""
    if re.search(r"[\d@/:|]", text):
        return 0.0
    parts = split_parts(text)
    particles = sum(p.lower() in PARTICLES | JOINERS for p in parts)
    # Particles lengthen a name: "Olivia van der Stael de Jonge".
    if not 2 <= len(parts) <= 9 or len(parts) - particles > 5:
        return 0.0
    # A word with a dot that is no initial ends a phrase, as in a slogan.
    if any(map(_ends_a_phrase, parts)):
        return 0.2
    capitals = sum(bool(_CAPITALS.match(p)) for p in parts)
    capitalised = sum(bool(_WORD.match(p)) and len(p) > 1 for p in parts) + capitals
    if capitalised + particles < len(parts) or capitalised < 2:
        return 0.2 if capitalised >= 1 else 0.0
    score = 0.8 if len(parts) - particles <= 3 else 0.65
    # A line all in capitals is as often a slogan or a company as a name.
    if capitals == len(parts):
        score -= 0.2
    marked = PREFIX.match(text) or POST_NOMINALS.search(text) or GENERATION.search(text)
    return score + (0.2 if marked else 0.0)


def _ends_a_phrase(word: str) -> bool:
    """A word with a dot that is no initial, initials or particle: "Home."."""
    if not word.endswith(".") or len(word) <= 2 or word.lower() in PARTICLES:
        return False
    return re.fullmatch(r"(?:[^\W\d_]\.){2,3}|[^\W\d_]+-[^\W\d_]\.", word) is None


def email_overlap(name: str, local_part: str) -> float:
    """How well an email's local part matches a name, from 0 to 1: "jdoe",
    "john.doe" and "john" all point at John Doe."""
    local = re.sub(r"[^a-z]", "", fold(local_part))
    # Each part as the email would spell it, accented letters folded or
    # left out, whichever the local part holds, the longest where it holds
    # several ("sa" and "s" of "Sá" in "m.sa").
    parts = []
    for part in split_parts(name):
        spellings = sorted(_spellings(part), key=lambda s: (s not in local, -len(s), s))
        parts.append(spellings[0])
    parts = [p for p in parts if len(p) >= 2]
    if not local or not parts:
        return 0.0
    whole = [p for p in parts if p in local]
    if whole:
        return min(1.0, sum(len(p) for p in whole) / max(len(local), 1) + 0.5)
    # OCR may drop or mangle a letter of an otherwise matching name.
    longest = max(parts, key=len)
    if len(longest) >= 4 and (longest[:-1] in local or longest[1:] in local):
        return 0.5
    return 0.0


# Countries whose people carry two family names, of which an email spells
# the first: "María José García López" of mjgarcia@....
TWO_FAMILY_NAMES = word_set(
    "ES MX AR CO CL PE VE EC BO PY UY CR PA DO GT HN NI SV CU PR PT BR"
)


# Words that tell a card of a country nothing else tells is in Spanish,
# Catalan or Portuguese, whose people carry two family names: its street
# words, phone labels and job titles, folded.
TWO_FAMILY_NAMES_WORDS = word_set(
    """
    calle avenida avda paseo carrer avinguda passeig rambla rua travessa
    praca telefono movil tfno telf telefon mobil telemovel celular
    directora gerente jefe jefa ingeniero ingeniera abogado abogada
    arquitecto arquitecta diretor diretora engenheiro engenheira advogado
    advogada departamento
    """
)


def trim_to_email(
    text: str, local_parts: list[str], two_family_names: bool = False
) -> str:
    """The line cut after the last word an email's local part spells, when
    words follow that no email backs, as when OCR joined the name with the
    next column: "Ana Lima Tel" with ana.lima@... gives "Ana Lima"."""
    words = text.split()
    locals_ = letters_of(local_parts)
    # Emails often spell one half of a double name: "Meer" of "Meer-Bakker".
    spelled = [
        i
        for i, word in enumerate(words)
        if any(_spelled(half, locals_) for half in [word, *word.split("-")])
    ]
    # A particle's few letters turn up inside other names ("der" in
    # "sander"): only the other words a local part spells end the name.
    matched = [i for i in spelled if words[i].lower() not in PARTICLES]
    if not matched:
        return text
    # Logo marks read as symbols or stray letters before the name go too;
    # when the email spells two words, the first is the given name and only
    # a prefix comes before it.
    start = 0
    if len(matched) >= 2:
        start = _initial_before(words, spelled[0], locals_)
        start = _prefix_start(words, start)
    while start < spelled[0] and not _is_name_word(words[start]):
        start += 1
    # The given name follows the whole prefix: "dr inż. Anna".
    prefix = PREFIX.match(" ".join(words[start:]) + " ")
    first = start + len(prefix[0].split()) if prefix else start
    first = min(first, len(words) - 1)
    # Only a match past the given name shows where the name ends; a
    # generation after it stays: "Robert Jenkins Jr.".
    end = len(words) if matched[-1] <= first else matched[-1] + 1
    if end < len(words) and GENERATION.fullmatch(" " + words[end]):
        end += 1
    # An email of the first words alone may spell the given names only,
    # "Ana Clara Freitas" of anaclara@, as well as one family name may end
    # where people carry two.
    given_only = len(matched) >= 2 and matched == list(range(first, end))
    if given_only:
        end = _family_name_end(words, end)
    elif two_family_names:
        end = _second_family_name_end(words, end)
    # Family names joined by "i" or "y" are two wherever the card comes
    # from, though the email spells the first only: "Jordi Puig i Serra" of
    # jordi.puig@; "e" joins them only where people carry two.
    joiners = {"i", "y", "e"} if two_family_names else {"i", "y"}
    if end < len(words) and words[end].lower() in joiners:
        end = _second_family_name_end(words, end)
    end = _family_name_after_particles(words, end)
    return " ".join(words[start:end])


def _family_name_end(words: list[str], end: int) -> int:
    """The end of the name after given names an email spells alone: one or
    two name words that are no job title, department or phone label, as
    the next column may add: "Freitas" or "Casa Grande", "Sá" too."""
    rest = words[end:]
    if not 1 <= len(rest) <= 2:
        return end
    if all(_family_word(w, 2) and not roles.is_department(w) for w in rest):
        return len(words)
    return end


def _family_name_after_particles(words: list[str], end: int) -> int:
    """The end of the name when a family name with its particles ends the
    line past where the email's words end: "Luiz Miguel da Conceição" of
    luizmiguel@; the next column never starts with a particle."""
    rest = words[end:]
    particles = 0
    while particles < len(rest) and rest[particles].lower() in PARTICLES:
        particles += 1
    if not particles or len(rest) != particles + 1:
        return end
    return len(words) if _family_word(rest[-1], 1) else end


def _second_family_name_end(words: list[str], end: int) -> int:
    """The end of the name when one more name word ends the line, perhaps
    after "y", "i" or "e": "García López", "Puig i Ferrer"; no job title or
    phone label, which the next column puts there as often."""
    rest = words[end:]
    joined = 1 if rest[:1] and rest[0].lower() in JOINERS else 0
    if len(rest) != joined + 1:
        return end
    return len(words) if _family_word(rest[joined], 3) else end


def _family_word(word: str, least: int) -> bool:
    """Whether a word past those an email spells may be a family name: a
    name's word of at least ``least`` letters, not a job title's word nor a
    phone label, which the next column puts there as often."""
    if len(word) < least or not _WORD.match(word):
        return False
    return not roles.title_word_count(word) and not phones.is_label(word)


def _prefix_start(words: list[str], start: int) -> int:
    """Where the prefixes before words[start] begin, several words long as
    some are: "Dr. sc. techn.", "dr hab. inż."."""
    for begin in range(start):
        if PREFIX.fullmatch(" ".join(words[begin:start]) + " "):
            return begin
    return start


def _initial_before(words: list[str], first: int, locals_: list[str]) -> int:
    """Where the name starts when the first word an email spells whole is
    at index ``first``: earlier, when letters come before that word in the
    local part and the first of them is the initial of a name word before
    it, as "acasagrande" is for "Arthur Miguel Casa Grande"."""
    for local in locals_:
        found = [local.find(s) for s in _spellings(words[first]) if len(s) >= 3]
        if max(found, default=-1) <= 0:
            continue
        for i in range(first):
            initials = {spelling[:1] for spelling in _spellings(words[i])}
            if local[0] in initials and all(map(_is_name_word, words[i:first])):
                return i
    return first


def _is_name_word(word: str) -> bool:
    # A lone capital without its dot is logo debris, not an initial.
    if len(word) == 1:
        return False
    if _WORD.match(word) or _CAPITALS.match(word):
        return True
    return PREFIX.match(word + " ") is not None


def _spellings(word: str) -> set[str]:
    # Email addresses fold accented letters, spell them out or leave them out.
    return {
        re.sub(r"[^a-z]", "", fold(re.sub(r"[^\x00-\x7f]", "", word))),
        *(re.sub(r"[^a-z]", "", spelling) for spelling in plain_spellings(word)),
    }


def is_near_miss(name: str, local_part: str) -> bool:
    """True when a name part nearly but not quite appears in an email's
    local part, as "Hofrnann" in "k.hofmann": one of them was misread."""
    local = re.sub(r"[^a-z]", "", fold(local_part))
    for part in split_parts(name):
        spellings = {s for s in _spellings(part) if len(s) >= 5}
        if not spellings or any(s in local for s in spellings):
            continue
        for spelling in spellings:
            if any(_one_edit_apart(spelling, w) for w in _windows(local, spelling)):
                return True
    return False


# Letters a word of a name may differ by from the stretch of an email's
# local part that spells it: one for each this many of its letters. A word
# shorter than the least is too short to tell a misread from another word.
LETTERS_PER_MISREAD = 3
MISREAD_WORD_MIN = 4
# How much of the local part the name's words must spell, so read, for the
# email to be the person's.
SPELLED_SHARE = 0.8


def misread_against_email(name: str, local_part: str) -> bool:
    """True when an email's local part spells the name but for a few
    letters, as OCR misreads them, in one word or more: "Marima Apad" of
    mxima.abad@; not a nickname ("Kate" of katherine.smith@), as the rest
    of the local part is spelled by no word of the name, nor a word the
    letters another word spells stand in for ("Yvonne" of y.jones@)."""
    local = re.sub(r"[^a-z]", "", fold(local_part))
    rest, missed = local, []
    for part in split_parts(name):
        spellings = sorted(_spellings(part), key=len, reverse=True)
        held = next((s for s in spellings if len(s) >= 2 and s in rest), None)
        if held is None:
            missed.append(spellings)
        else:
            rest = rest.replace(held, "|", 1)
    pieces = rest.split("|")
    misread = sum(
        max((_misread_stretch(s, p) for s in spellings for p in pieces), default=0)
        for spellings in missed
    )
    spelled = len(local) - len(rest.replace("|", ""))
    return misread > 0 and spelled + misread >= SPELLED_SHARE * len(local)


def _misread_stretch(spelling: str, local: str) -> int:
    """How long the stretch of a local part is that spells the word but for
    a few letters; 0 where none does."""
    if len(spelling) < MISREAD_WORD_MIN:
        return 0
    most = len(spelling) // LETTERS_PER_MISREAD
    sizes = range(len(spelling) - most, len(spelling) + most + 1)
    near = [
        size
        for size in sizes
        for i in range(len(local) - size + 1)
        if _edits(spelling, local[i : i + size]) <= most
    ]
    return max(near, default=0)


def _edits(a: str, b: str) -> int:
    """How many letters changed, added or left out turn a into b."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, previous + (x != y)),
            )
    return row[-1]


def _windows(local: str, spelling: str) -> list[str]:
    """The stretches of a local part as long as the spelling or a letter
    longer; a letter shorter is no miss, as emails leave accented letters
    out."""
    sizes = (len(spelling), len(spelling) + 1)
    return [local[i : i + n] for n in sizes for i in range(len(local) - n + 1)]


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one letter changed, added or left out turns a into b."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# A nickname printed inside a name: 'James "Jim" Whitaker', "J.P. (Hans) Smit".
NICKNAME = re.compile(r'\s*(?:"[^"]*"|“[^”]*”|\([^()]*\))')


def split_parts(full: str) -> list[str]:
    """The words of a name without its prefix, nickname and the letters
    after it."""
    full = NICKNAME.sub("", full)
    rest = GENERATION.sub("", without_post_nominals(PREFIX.sub("", full).strip()))
    return rest.replace(",", " ").split()


def without_post_nominals(text: str) -> str:
    """The name without the degrees after it, and without the comma that
    set them apart: "Jane Doe, PhD" is "Jane Doe"."""
    return POST_NOMINALS.sub("", text.strip()).rstrip(" ,")


def person_name(
    full: str, local_parts: list[str], two_family_names: bool = False
) -> contact_pb2.PersonName:
    """A name split into prefix, given and family names; an email local
    part that holds the family name decides where the family name starts,
    and where people carry two, one it spells the first of ends the given
    names before it: "García López" of mjgarcia@."""
    full = without_post_nominals(" ".join(full.split()))
    # Portugal's "Eng.ª" with its "ª" read as a question mark.
    full = re.sub(r"^(Eng\.?)\?(?=\s)", r"\1ª", full)
    prefix_match = PREFIX.match(full)
    prefix = prefix_match[0].strip() if prefix_match else ""
    parts = split_parts(full)
    if len(parts) < 2:
        return contact_pb2.PersonName(full=full, prefix=prefix, family=" ".join(parts))
    cut = _family_start(parts, local_parts, two_family_names)
    if two_family_names:
        cut = _two_family_names_cut(parts, local_parts, cut)
    # Two family names joined by "y", "i" or "e" are one family name
    # whatever else the card says: "Jordi Puig i Ferrer".
    if len(parts) >= 4 and parts[-2] in JOINERS and parts[-3][:1].isupper():
        cut = min(cut, len(parts) - 3)
    return contact_pb2.PersonName(
        full=full,
        prefix=prefix,
        given=" ".join(parts[:cut]),
        family=" ".join(parts[cut:]),
    )


# Given names that come second in the compound given names of Spain,
# Catalonia, Portugal and Brazil ("María José", "Juan Pablo", "Maria
# Clara", "João Pedro"), folded; not those that are common family names as
# well ("Martín", "Vicente", "Rosa", "Cruz"), whose place a name's shape
# cannot tell.
SECOND_GIVEN_NAMES = word_set(
    """
    jose josep luis lluis carlos antonio manuel miguel angel pablo ignacio
    javier francisco jesus ramon felipe cesar bautista alberto andres eduardo
    enrique fernando gabriel jorge juan joan pedro pere rafael alfonso emilio
    gonzalo jaime joaquin mario ricardo roberto sebastian alejandro daniel
    david diego guillermo hugo lucas marc oriol albert augusto paulo rodrigo
    guilherme gustavo henrique lucca luiz otavio vinicius vitor filipe joao
    manoel arthur davi samuel benicio heitor
    maria mari ana carmen cristina belen dolores fernanda isabel luisa
    manuela pilar sofia teresa angeles elena eugenia victoria mercedes
    rosario lucia clara julia laura paula alicia beatriz carolina cecilia
    eduarda helena isis liz luiza livia sophia vitoria alice gabriela lourdes
    ines josefa antonia montserrat nuria merce amparo consuelo inmaculada
    concepcion esperanza soledad gloria fatima marta silvia raquel eva emilia
    elisa flor valentina luna
    """
)


def _two_family_names_cut(parts: list[str], local_parts: list[str], cut: int) -> int:
    """Where the family names start where people carry two: where an email
    spells the given names and the family name whole ("mariajose.garcia",
    "mjgarcia" aside), else before the word it spells as a family name
    ("mgarcia" of "María José García López"), else, where it spells no
    word past the first, by the name's shape."""
    exact = _cut_spelled_whole(parts, local_parts)
    if exact is not None:
        return exact
    first = _first_of_two_family_names(parts, local_parts)
    if first < len(parts):
        return min(cut, first)
    locals_ = letters_of(local_parts)
    if any(_spelled(part, locals_) for part in parts[1:]):
        return cut
    return _two_family_names_start(parts, cut)


def _cut_spelled_whole(parts: list[str], local_parts: list[str]) -> int | None:
    """Where the family name starts where an email spells the given names
    whole, alone or before the family name or its first word ("mariajose",
    "mariacristina.gomez", "maria.fernandez"), or the first given name's
    initial before the whole family name ("m.gomez" of "María Cristina
    Gómez"); None where no email does."""
    locals_ = letters_of(local_parts)
    plain = [re.sub(r"[^a-z]", "", fold(part)) for part in parts]
    for cut in range(len(parts) - 1, 0, -1):
        given, family = "".join(plain[:cut]), "".join(plain[cut:])
        shapes = {given + family, given + plain[cut], given[:1] + family}
        # The given names alone, where the last of them is a given name:
        # "mariafernandez" spells María and her first family name.
        if cut > 1 and fold(parts[cut - 1]) in SECOND_GIVEN_NAMES:
            shapes.add(given)
        if any(local in shapes for local in locals_ if len(local) >= 3):
            return cut
    return None


def _two_family_names_start(parts: list[str], cut: int) -> int:
    """Where the family names start in a name of three or four words with
    no particle where people carry two family names, as nothing else
    tells: after the first word, or after the second where it is a given
    name compound ones end in ("María Fernández Gil", "María José García",
    "José Luis Rodríguez Zapatero")."""
    particles = [i for i in range(1, len(parts)) if parts[i].lower() in PARTICLES]
    if particles and len(parts) <= 6:
        return _two_family_names_by_particle(parts, particles[0], cut)
    if not 3 <= len(parts) <= 4:
        return cut
    if any(p.lower() in JOINERS for p in parts):
        return cut
    return 2 if fold(parts[1]) in SECOND_GIVEN_NAMES else 1


def _two_family_names_by_particle(parts: list[str], first: int, cut: int) -> int:
    """Where the family names start in a name with a particle where people
    carry two: at the word before it, a family name of its own ("Pereira
    dos Santos", "Sánchez de Lara"), or at the particle where the word
    before it is a given name ("Maria da Silva Santos", "José María de la
    Cruz"); particles before a given name are the given names' ("María del
    Carmen García", "María de los Ángeles Pérez")."""
    given = _given_name_after_particles(parts, first)
    if given:
        return given + 1
    after = parts[first + 1] if first + 1 < len(parts) else ""
    if not after:
        return cut
    before = first - 1
    if before >= 1 and fold(parts[before]) not in SECOND_GIVEN_NAMES:
        return before
    return first


# The devotional names that end a compound given name after a particle
# ("María del Carmen", "Juan de Dios", "María de los Ángeles"), folded;
# not given names such as "Pablo" or "Miguel", which after a particle are
# family names ("Luis de Pablo Gómez").
GIVEN_NAMES_AFTER_PARTICLES = word_set(
    """
    dios deus jesus angeles carmen pilar rosario fatima lourdes mercedes
    dolores remedios consuelo mar paz luz rocio montserrat soledad
    """
)


def _given_name_after_particles(parts: list[str], first: int) -> int:
    """Where a compound given name ends whose particles start at ``first``
    ("de Dios" of "Juan de Dios Pérez", "de los Ángeles" of "María de los
    Ángeles Pérez"), with a family name after it; 0 where none does."""
    after = first
    while after < len(parts) and parts[after].lower() in PARTICLES:
        after += 1
    if after < len(parts) - 1 and fold(parts[after]) in GIVEN_NAMES_AFTER_PARTICLES:
        return after
    return 0


def _first_of_two_family_names(parts: list[str], local_parts: list[str]) -> int:
    """Where two family names start that end the name, the first spelled by
    the email, joined to the second by "y", "i" or "e" or not; past the end
    when they do not."""
    for start in range(len(parts) - 2, 0, -1):
        between = [p.lower() for p in parts[start + 1 : -1]]
        # Joined by "y", "i" or "e", or by particles: "Martínez de la Fuente".
        joined = (
            not between
            or between in (["y"], ["i"], ["e"])
            or all(p in PARTICLES for p in between)
        )
        if joined and _spelled(parts[start], letters_of(local_parts)):
            return start
    return len(parts)


def letters_of(local_parts: list[str]) -> list[str]:
    """Emails' local parts as their plain letters: "j.doe-2" is "jdoe"."""
    return [re.sub(r"[^a-z]", "", fold(p)) for p in local_parts]


def local_part_spells(local_part: str, letters: str) -> bool:
    """Whether an email's local part, as letters_of gives it, spells these
    letters of a name: all of them, or the first letter and the family
    name after it ("kbreen" for "kanebreen")."""
    if len(local_part) < 4:
        return False
    return local_part == letters or (
        local_part[0] == letters[0] and letters.endswith(local_part[1:])
    )


def _spelled(word: str, locals_: list[str]) -> bool:
    """Whether a local part, as letters_of gives it, spells the word of
    three letters or more."""
    return any(len(v) >= 3 and v in lp for v in _spellings(word) for lp in locals_)


def _family_start(
    parts: list[str], local_parts: list[str], two_family_names: bool
) -> int:
    cut = len(parts) - 1
    while cut > 1 and parts[cut - 1].lower() in PARTICLES:
        cut -= 1
    # The first particle after the given name starts the family name, of
    # one or two: "van Hoevel en van Zwindrecht"; not where people carry
    # two family names, whose given names hold particles: "María del Carmen".
    # A compound given name with a particle ends before the family name
    # all the same: "Juan de Dios Pérez".
    particles = [i for i in range(1, cut) if parts[i].lower() in PARTICLES]
    if particles and not two_family_names:
        given = _given_name_after_particles(parts, particles[0])
        cut = given + 1 if given else particles[0]
    # "adelmonte" says "Del Monte" is one family name, and "arthurmiguel"
    # that "Casa Grande" after "Arthur Miguel" is.
    locals_ = letters_of(local_parts)
    for given in range(len(parts) - 1, 1, -1):
        if re.sub(r"[^a-z]", "", fold("".join(parts[:given]))) in locals_:
            return given
    for start in range(1, cut):
        family = re.sub(r"[^a-z]", "", fold("".join(parts[start:])))
        if any(len(family) >= 5 and local.endswith(family) for local in locals_):
            return start
    return cut
