"""Phone numbers on a card: finding them in a line, typing them from their
labels and normalising them with libphonenumber."""

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult

from cardscan.v1 import contact_pb2
from ocr_service import addresses, misreads

MOBILE = contact_pb2.PHONE_TYPE_MOBILE
WORK = contact_pb2.PHONE_TYPE_WORK
FAX = contact_pb2.PHONE_TYPE_FAX
OTHER = contact_pb2.PHONE_TYPE_OTHER
UNSPECIFIED = contact_pb2.PHONE_TYPE_UNSPECIFIED
TOO_SHORT = ValidationResult.TOO_SHORT
TOO_LONG = ValidationResult.TOO_LONG

# Labels printed before a number, in the languages cards come in, by the
# kind of number they announce.  Matched case-insensitively as whole words.
LABELS = {
    MOBILE: (
        "m mob mobile mobil mobiel mobiltelefon mobilnummer móvil movil "
        "cell cellular cellulare cel celular handy gsm portable c natel "
        "telemóvel telemovel tlm tlmv kom komórka komorka matkapuhelin "
        "whatsapp cep matkapuh wechat viber signal telegram"
    ),
    WORK: (
        "t tel tél tlf tfn telefon telephone téléphone telefone teléfono "
        "telefono telefoon phone ph p direct direkt dir office büro buro "
        "bureau ufficio oficina work fixo fijo festnetz switchboard zentrale "
        "ddi puh puhelin vaihde växel vaxel directe standard pbx landline "
        "hotline helpline toll-free freephone freecall sans-frais praxis "
        "kontor direkte sentral sentralbord centrala conmutador main reception "
        "empfang sekretariat secretariat secrétariat segreteria centralino "
        "centralita durchwahl tfno tlfno telf telef fone fon vermittlung receptie "
        "recepción recepcion recepção recepcao réception accueil omstilling "
        "direct-line direct-dial telefonzentrale"
    ),
    FAX: "f fax faks telefax fx télécopie télécopieur telecopieur téléc telec",
    OTHER: "home privat private pager domicile notfall notruf emergency",
    # Labels of any number, whose kind the number itself then tells.
    None: "call dial",
}
_LABEL_KIND = {word: kind for kind, words in LABELS.items() for word in words.split()}
# A hyphen in a label is printed as a space as often: "Toll Free".
_LABEL = "|".join(
    re.escape(label).replace(r"\-", r"[\s-]")
    for label in sorted(_LABEL_KIND, key=len, reverse=True)
)


def _label_kind(label: str) -> int | None:
    return _LABEL_KIND[re.sub(r"\s", "-", label.lower())]


# Fewer digits than this is short for a number with its area code, as when
# OCR split a number over two lines.
SHORT_DIGITS = 8

# A number as printed: an optional + or 00, its country code perhaps in
# brackets ("(+44) 20 …"), then digits with the separators cards use, then
# an optional extension.
# What sets an extension apart from the number before it, in English,
# German ("Durchwahl", "App." for Apparat), French ("poste"), Italian
# ("int." for interno) and Portuguese ("ramal"); the abbreviations only
# with their full stop, as "int" and "app" are words of their own.
_EXTENSION_MARK = (
    r"(?:x|ext\.?|extn\.?|ext\s*:|#|durchwahl|poste|int\.|interno|app\.|apparat"
    r"|ramal)"
)
# An extension's digits, which OCR may part with a space where they end
# the line ("x91 832"), six at most.
_EXTENSION_DIGITS = r"(?:(?=[\d ]{3,7}$)\d{1,5} \d{1,5}|\d{1,6})"
# An extension ends where its digits do: "int. 0031-20-…" is an
# international number, "App. 06 1234…" an app's.
_NUMBER = (
    r"(?:(?:\(\s?)?\+\s?)?\(?\d[\d\s().\-/]{4,}\d"
    rf"(?:,?\s*{_EXTENSION_MARK}\s*{_EXTENSION_DIGITS}(?![\d\-/]|\s\d))?"
)
# The label stands apart from the number, or the number's own separators
# or length show it one: "F739.717.5657", "M07700 900321", but "T427232"
# and "T48 4250" are Irish postcodes. A label right after a lone letter's
# dot ends an abbreviation, as in "Bogotá D.C. 110231", and labels nothing;
# after a word's dot it is a label all the same: "Tel.Fax", "Mob.Tel.".
# A word for "number" may follow the label: "Tel.nr.", "Fax no.", "Tel.-Nr.".
# Labels parted by a slash, an ampersand or "and" label one number: the
# last tells its kind ("Tel./Tél." in both of Canada's languages, "Cel. /
# WhatsApp"), but a fax beside a voice label makes the number both ("Tel/Fax",
# "Phone & Fax", "Tel. und Fax", "Tel.Fax").
_LABELS_JOINED = (
    r"(?:\.?\s?[/&]\s?|\.?\s(?:and|und|et|e|y|en|og|och)\s|(?<=\w\w)\.(?=\w))"
)
# A line open at all hours, between a label and its number: "Emergency
# 24/7 0800 …", "Notfall 24h: 0171 …".
_ALL_HOURS = r"24\s?/\s?7|24\s?h(?:rs|ours)?\b|24\s?std\b\.?"
# Hours from one to another, in hours or in times of day, marked as hours:
# "8-18h", "8:00-18:00 Uhr", "9 – 17 hrs".
_HOUR = r"(?:[01]?\d|2[0-4])(?:[.:][0-5]\d)?"
_HOUR_RANGE = rf"{_HOUR}\s?[-–]\s?{_HOUR}\s?(?:h|hrs|uhr)\b"
# The hours after a number, parted from it by a slash, a bar or a dash:
# "030 1234567 / 24h", "0800 123 456 – 24/7", "030 1234567 / 8-18h".
HOURS_AFTER = re.compile(
    rf"(?<=\d)\s*[/|,–-]?\s*\(?(?:{_ALL_HOURS}|{_HOUR_RANGE})\)?(?=[\s.,;)|]|$)",
    re.IGNORECASE,
)
# "Main" of "Frankfurt am Main" labels nothing. A direct line may print
# its local part after the slash that sets the main number's area code
# apart: "Durchwahl: /35406-24" beside "0711/35406-0".
LABELLED = re.compile(
    rf"(?<![\w@])(?<!(?<!\w)\w\.)(?<!\bam\s)"
    rf"(?P<labels>(?:(?:{_LABEL}){_LABELS_JOINED})*)(?P<label>{_LABEL})"
    rf"(?=[\s.:|+(]|\d{{1,5}}[.\-/()]\d|(?:\d\s?){{{SHORT_DIGITS}}})"
    rf"\s*\.?\s*(?:-?(?:nr|no)\.?\s*)?(?:(?:{_ALL_HOURS})\s*)?(?:[:|]\s*){{0,2}}"
    rf"(?:/\s*)?(?P<number>{_NUMBER})",
    re.IGNORECASE,
)
# A number alone on its line, perhaps after a label too garbled to read,
# one no listing here holds before a number printed with its country, or
# words of a label before a colon ("Toll Free:", "Out of hours:").
BARE = re.compile(
    rf"^[^\w+(]*(?:[^\W\d_]{{1,3}}[^\w+(]+|[^\W\d_]{{4,14}}[.:\s]+(?=\+)"
    r"|[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_]+){0,2}\.?\s*:\s*)?"
    rf"(?P<number>{_NUMBER})[^\w]*$",
    re.IGNORECASE,
)
# A number with its label after it: "+49 171 2345678 (mobile)".
LABELLED_AFTER = re.compile(
    rf"^[^\w+(]*(?P<number>{_NUMBER})\s*(?:[(\[]\s*|[-–|,]\s*)?"
    rf"(?P<label>{_LABEL})\.?\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_EXTENSION = re.compile(
    rf"\s*{_EXTENSION_MARK}\s*({_EXTENSION_DIGITS})$", re.IGNORECASE
)
# An extension or a direct line's last digits alone on a line, under or
# beside the number they extend: "Durchwahl: -24", "Durchwahl: /24" (after
# the slash that sets a main number's area code apart), "Ext. 4021"; not a
# booth's or a unit's "#12".
EXTENSION_ALONE = re.compile(
    r"\s*(?:x|ext|extn|durchwahl|poste|int|interno|app|apparat|ramal|direct|direkt"
    r"|dw)\.?\s*:?\s*[-/]?\s*(?P<digits>\d{1,5})\s*$",
    re.IGNORECASE,
)

# Digits a phone number has at least and at most, its extension aside.
MIN_DIGITS, MAX_DIGITS = 6, 15

_TYPE_OF_NUMBER = {
    PhoneNumberType.MOBILE: MOBILE,
    PhoneNumberType.FIXED_LINE: WORK,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: WORK,
    PhoneNumberType.TOLL_FREE: WORK,
    PhoneNumberType.SHARED_COST: WORK,
    PhoneNumberType.UAN: WORK,
    PhoneNumberType.VOIP: WORK,
    PhoneNumberType.PAGER: OTHER,
    PhoneNumberType.PERSONAL_NUMBER: OTHER,
}


@dataclass(frozen=True)
class Found:
    """A number found in a line, with the span it covered, whether it was
    printed with no label at all, and whether digits OCR read twice were
    left out of it."""

    phone: contact_pb2.Phone
    start: int
    end: int
    bare: bool = False
    repaired: bool = False


def is_label(word: str) -> bool:
    """Whether a word is one printed before a phone number: "Tel", "Mob."."""
    return word.lower().rstrip(".:") in _LABEL_KIND


# The word that starts a line before a number, and the marks after it.
_LEADING_WORD = re.compile(r"^(\W*)([^\W\d_]{1,12})(?=([\s.:|]*)[+(\d])")
# A label's bar OCR read as a capital I joined to it: "TI 0491" for
# "T | 0491"; not "Cl 100" (calle) or "Fl 12" (floor).
_BAR_LOOKALIKES = "I"
# How long a word must be to be taken for a label OCR misread a letter of:
# shorter words are too often other words a letter away. One a letter
# shorter will do with a mark after it ("Tei." or "Tei:").
MIN_UNMARKED_LABEL = 4
MIN_MISREAD_LABEL = MIN_UNMARKED_LABEL - 1
# Labels with a kind, which a word a letter away is taken for; "call" and
# "dial" are a letter from too many places ("Cali 760042").
_TYPED_LABELS = [label for label, kind in _LABEL_KIND.items() if kind is not None]


def with_label_read_right(text: str) -> str:
    """The line with the label that starts it, where OCR misread one of its
    letters, spelled as it is printed: "Celi 061-318 60 91" reads "cell
    061-318 60 91" and "TI (057)-4911862" reads "T| (057)-4911862"."""
    match = _LEADING_WORD.match(text)
    if match is None or is_label(match[2]):
        return text
    word, marked = match[2], bool(match[3].strip())
    # "MI 48226-1234" is Michigan and its ZIP code.
    if word in addresses.REGION_CODES["US"]:
        return text
    if len(word) == 2 and word[1] in _BAR_LOOKALIKES and is_label(word[0]):
        label = word[0] + "|"
    elif len(word) >= MIN_UNMARKED_LABEL or (marked and len(word) >= MIN_MISREAD_LABEL):
        label = (
            misreads.spelled_as(word, _TYPED_LABELS)
            or misreads.blurred_as(word, _TYPED_LABELS)
            or word
        )
    else:
        return text
    return match[1] + label + text[match.end() :]


# A symbol no number holds, read in place of a digit: the part of the
# number before it is not the number ("+31276-01¢ 955"); a price after a
# number stands apart from it ("0900 123456 €1,99/Min").
CUT_BY_A_SYMBOL = re.compile(r"[¢£€$¥©®°§¤]\s?\d[\d\s]*$")


# A telephone icon read as round letters before a number that starts with
# "+" or a trunk "0": "O0 +61 3 9600 1234", "0 0433 222 111"; not "0 800
# 123 456", a number France prints so; or as a tilde: "(~ 3378203930",
# not an approximate figure in brackets ("(~ 102 000)").
ICON_READ_AS_LETTERS = re.compile(
    r"^\s*(?:[O0oQ©®@]{1,2}\s+(?=\+|0)|\(?[~¬]\)?\s*(?=[+(]?\d)(?!.*\)\s*$))"
)
# A dash OCR read as a colon between a number's last two groups, after
# another group: "98 8880:6135"; not a standard's year ("ISO 9001:2015"),
# hours ("9:00") or a port ("10.0.0.1:5060").
COLON_FOR_DASH = re.compile(r"([\d)]\s\d{3,5}):(\d{4})\b")
# A comma OCR read between two groups of a number printed with its country
# code, where the card prints a space or a dot: "+34 873,64 38.28"; not a
# comma between numbers, after too many digits for a number's start, or
# with a space after it, nor an amount's.
COMMA_IN_NUMBER = re.compile(r"(\+\s?\d[\d\s.(),-]*\d),(?=\d)")


# A group of digits OCR read twice from a blurred print, the first time
# cut short: "(677 (677), 303- 303-4798" for "(677) 303-4798". The first
# reading of an area code lacks its closing bracket, and a comma may come
# with the second; the first of another group ends in its separator.
AREA_CODE_READ_TWICE = re.compile(r"\((\d{2,5})\s+(?P<kept>\(\1\)),?")
GROUP_READ_TWICE = re.compile(r"(?<!\d)(\d{2,5})[-.]\s+(?P<kept>)(?=\1[-.]\d)")


def find(text: str, region: str | None) -> list[Found]:
    """Every labelled number in a line, or the line itself when it is a
    bare number; a number's span runs over the hours printed after it, and
    over the digits OCR read twice, which it is found without."""
    hours = {m.start(): m.end() for m in HOURS_AFTER.finditer(text)}
    text = HOURS_AFTER.sub(lambda mark: " " * len(mark[0]), text)
    read_once = GROUP_READ_TWICE.sub(
        _read_once, AREA_CODE_READ_TWICE.sub(_read_once, text)
    )
    twice = {i for i, (a, b) in enumerate(zip(text, read_once, strict=True)) if a != b}
    return [
        replace(
            found,
            end=hours.get(found.end, found.end),
            repaired=any(found.start <= i < found.end for i in twice),
        )
        for found in _find(read_once, region)
    ]


def _comma_read_in_number(match: re.Match) -> str:
    """The number with the commas OCR read in it spaces, where the digits
    before the last are too few for a number dialled abroad."""
    before = sum(c.isdigit() for c in match[1])
    return match[0].replace(",", " ") if before <= ABROAD_MIN_DIGITS else match[0]


def _read_once(match: re.Match) -> str:
    """The group read twice, its first reading blanked, so that every
    other span of the line stays where it was."""
    before = match.start("kept") - match.start()
    after = match.end() - match.end("kept")
    return " " * before + match["kept"] + " " * after


def _find(text: str, region: str | None) -> list[Found]:
    # Blanked, not cut: where each number starts stays where it was read.
    text = ICON_READ_AS_LETTERS.sub(lambda icon: " " * len(icon[0]), text)
    text = with_label_read_right(text)
    text = COLON_FOR_DASH.sub(r"\1-\2", text)
    text = COMMA_IN_NUMBER.sub(_comma_read_in_number, text)
    # A speck read as a comma after the trunk zero: "+49 (0), 8357 636885".
    text = text.replace("(0),", "(0) ")
    found = []
    for match in LABELLED.finditer(text):
        # Brazil's "CEP" labels a postcode, Turkey's "Cep" a mobile; the
        # hours a reception keeps are no number: "Reception 09.00 - 17.00".
        if _shaped_as_no_phone(match["number"]):
            continue
        # Part of a number, the rest of which a symbol OCR read for a digit
        # cut off, is no number: "+31276-01¢ 955".
        if CUT_BY_A_SYMBOL.match(text, match.end()):
            continue
        # A unit's number and a postcode before a town, after a word that
        # labels numbers too, are an address: "Kontor 2 20457 Hamburg".
        if _before_a_town(text, match):
            continue
        for kind in _kinds_labelled(match):
            for number in _slash_listed(match["number"]):
                phone = build(number, kind, region)
                if phone is not None:
                    found.append(Found(phone, match.start(), match.end()))
            found += _listed_after(text, match.end(), kind, region)
    if found:
        return _with_unlabelled_beside(text, found, region)
    match = LABELLED_AFTER.match(text)
    # A lone letter after a number labels it only in brackets: "(M)".
    if match is not None and len(match["label"]) == 1 and "(" not in match[0][-4:]:
        match = None
    if match is not None:
        phone = build(match["number"], _label_kind(match["label"]), region)
        return [] if phone is None else [Found(phone, 0, len(text))]
    bare = _bare(text, 0, len(text), region)
    return [bare] if bare is not None else _side_by_side(text, region)


_ANY_LABEL = re.compile(rf"(?<!\w)(?:{_LABEL})(?!\w)", re.IGNORECASE)


def _slash_listed(number: str) -> list[str]:
    """The numbers a labelled one lists with slashes between them, each
    whole: "030 1234567 / 030 1234568" is two; "030 / 1234567", an area
    code and its number, is one."""
    parts = re.split(r"\s/\s", number)
    whole = all(sum(c.isdigit() for c in part) >= SHORT_DIGITS for part in parts)
    return parts if whole else [number]


def _kinds_labelled(match: re.Match) -> list[int | None]:
    """The kinds of number a run of joined labels gives the number after
    it: the last label's, or a voice number's and a fax's where a fax is
    joined to a voice label ("Tel/Fax")."""
    kinds = [_label_kind(label) for label in _ANY_LABEL.findall(match["labels"])]
    kinds.append(_label_kind(match["label"]))
    if FAX not in kinds:
        return kinds[-1:]
    voice = [kind for kind in kinds if kind != FAX]
    return [*voice[-1:], FAX]


def _bare(text: str, start: int, end: int, region: str | None) -> Found | None:
    """The number alone between start and end of a line, or None where no
    number, or something else, is printed there."""
    part = text[start:end]
    match = BARE.match(part)
    if match is None or _is_no_phone(part, match["number"]):
        return None
    kind = _unlabelled_kind(part, match)
    phone = build(match["number"], kind, region)
    return None if phone is None else Found(phone, start, end, bare=kind == WORK)


# Groups of digits a number printed beside others is printed in at least,
# and digits in each at most: "986 22 41 30", "(51) 3346-2200".
MIN_GROUPS = 3
MAX_GROUP_DIGITS = 5
# What parts numbers printed side by side: a bar, a dot, a comma or a gap
# wider than a space.
SIDE_BY_SIDE = re.compile(r"\s*[|·•,;]\s*|\s{2,}")


def _beside_others(text: str, start: int, end: int, region: str | None) -> Found | None:
    """A number printed alone beside others on its line, where it is
    printed as phone numbers are, in three groups or more of a few digits
    with nothing but their separators, and valid in the card's country
    where it is known: "656 12 88 04", not "NPI 1234567890", a coordinate
    ("-32.78511"), a price or opening hours ("0900-1700")."""
    part = text[start:end].strip()
    groups = re.findall(r"\d+", part)
    shaped = (
        re.fullmatch(r"[\d\s().\-/+]+", part) is not None
        and len(groups) >= MIN_GROUPS
        and max(map(len, groups)) <= MAX_GROUP_DIGITS
    )
    found = _bare(text, start, end, region) if shaped else None
    if found is None or region is None:
        return found
    parsed = _parse(found.phone.raw, region)
    valid = parsed is not None and phonenumbers.is_valid_number(parsed)
    return found if valid else None


def _with_unlabelled_beside(
    text: str, found: list[Found], region: str | None
) -> list[Found]:
    """A line's labelled numbers, with a number printed alone before or
    after them, parted from them as numbers side by side are: "944 23 78
    10 | Fax 944 23 78 11", "Telf. 986 22 41 30 | 656 12 88 04"."""
    before = text[: found[0].start]
    gap = re.search(rf"(?:{SIDE_BY_SIDE.pattern})$", before)
    first = (
        _beside_others(text, 0, gap.start(), region) if gap and gap.start() else None
    )
    after = found[-1].end
    gap = SIDE_BY_SIDE.match(text, after)
    last = _beside_others(text, gap.end(), len(text), region) if gap else None
    return [f for f in (first, *found, last) if f is not None]


def _side_by_side(text: str, region: str | None) -> list[Found]:
    """The numbers printed side by side with no label, where each part of
    the line is one: "944 23 78 10 | 656 12 88 04" holds two; none where a
    part is something else, as in "Box 118, 221 00 Lund"."""
    cuts = [edge for gap in SIDE_BY_SIDE.finditer(text) for edge in gap.span()]
    edges = [0, *cuts, len(text)]
    parts = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if a < b]
    if len(parts) < 2:
        return []
    found = [_beside_others(text, start, end, region) for start, end in parts]
    return [] if None in found else found


def _before_a_town(text: str, match: re.Match) -> bool:
    unit_and_code = re.fullmatch(r"\d{1,4}\s+\d{4,5}", match["number"].strip())
    town = re.match(r"\s+[A-ZÀ-Þ][^\W\d_]+", text[match.end() :])
    return unit_and_code is not None and town is not None


def lone_label_kind(text: str) -> int | None:
    """The kind of number a line holding a typed label alone announces for
    the number under it: "Mobile", "Fax:"."""
    word = text.strip(" .:|")
    if " " in word or not is_label(word):
        return None
    return _label_kind(word.lower())


# Digits at the end of the main number's local part that a number printed
# without its area code may print otherwise, at most: the switchboard's
# "0" a direct line's digits replace ("0341 35 40 60" and "Durchwahl: 35
# 40 6-24"), or the last digit of the fax beside it.
LOCAL_TAIL = 2
# Digits the two local parts share at least.
LOCAL_SHARED = 3


def completed(
    fragment: contact_pb2.Phone, main: contact_pb2.Phone, region: str | None
) -> contact_pb2.Phone | None:
    """The number a fragment printed without its area code dials, with the
    area code of the card's main number, whose local part it starts as:
    "35 40 6-24" beside "0341 35 40 60" is "0341 35 40 6-24"; None where
    the fragment is a whole number or starts no such local part. Its raw
    stays the fragment, as printed."""
    digits = re.sub(r"\D", "", _EXTENSION.sub("", fragment.raw))
    printed = _EXTENSION.sub("", main.raw)
    parts = _area_and_local(printed, region)
    if parts is None or _prints_country(fragment.raw) or digits.startswith("0"):
        return None
    area, local = parts
    # Germany's numbers are valid at any length: only one shorter than the
    # main number's without its trunk "0" may lack the area code.
    if len(digits) >= len(area) + len(local):
        return None
    shared = len(os.path.commonprefix([local, digits]))
    if shared < max(LOCAL_SHARED, len(local) - LOCAL_TAIL):
        return None
    # The main number as printed, up to where its local part starts.
    places = [i for i, c in enumerate(printed) if c.isdigit()]
    start = places[len(places) - len(local)]
    phone = build(printed[:start] + fragment.raw, fragment.type, region)
    if phone is None:
        return None
    # Where nothing tells the country, only the area code set apart does.
    judged = region or _prints_country(printed)
    if judged and not _valid(phone.raw, region):
        return None
    phone.raw = fragment.raw
    return phone


# A national number that sets its area code apart, after the trunk "0",
# by a slash or brackets, as German cards print it: "0711/35406-0",
# "(0711) 35406-0".
AREA_CODE_APART = re.compile(r"\s*(?:\(0(\d{1,5})\)|0(\d{1,5})\s?/)\s*\d")


def _area_and_local(printed: str, region: str | None) -> tuple[str, str] | None:
    """A number's area code and local part, both without the trunk "0":
    as the card's country numbers it where that is known, else as the
    number sets its area code apart; None where neither tells."""
    if _valid(printed, region):
        parsed = _parse(printed, region)
        area = phonenumbers.length_of_geographical_area_code(parsed)
        national = phonenumbers.national_significant_number(parsed)
        return (national[:area], national[area:]) if area else None
    apart = AREA_CODE_APART.match(printed)
    if apart is None:
        return None
    area = apart[1] or apart[2]
    return area, re.sub(r"\D", "", printed)[len(area) + 1 :]


def extended(main: contact_pb2.Phone, digits: str) -> contact_pb2.Phone:
    """The number a line of an extension's digits alone makes of the
    card's main number: the direct line whose digits replace the
    switchboard's "-0" that ends it, as German numbers print it ("0341
    35406-0" and "Durchwahl: -24"), else the main number with that
    extension."""
    if re.search(r"\d\s?-\s?0$", main.raw):
        direct = build(main.raw[:-1].rstrip() + digits, main.type, None)
        if direct is not None:
            return direct
    phone = contact_pb2.Phone()
    phone.CopyFrom(main)
    phone.extension = digits
    return phone


def judged(phone: contact_pb2.Phone, region: str | None):
    """The number as libphonenumber reads it where its country is known:
    printed with it, or a national number of the card's country; None where
    it is not, as for a national number on a card whose country nothing
    tells, or one libphonenumber would dial abroad ("0025-438484" on a
    Dutch card). Nor is one after "00" that no number of the country it
    would call is dialled as: it may be a national number ("0058-107586")."""
    main = _EXTENSION.sub("", phone.number)
    if _prints_country(main):
        parsed = _parse(main, None)
        if main.startswith("+") or parsed and phonenumbers.is_possible_number(parsed):
            return parsed
        return None
    parsed = _parse(main, region) if region else None
    if parsed is None or parsed.country_code != phonenumbers.country_code_for_region(
        region
    ):
        return None
    return parsed


def length_fault(phone: contact_pb2.Phone, region: str | None) -> int | None:
    """Whether the number has too few or too many digits for its country,
    where that is known: a digit OCR lost, or two numbers read into one
    ("21 4901 4900-7833"); None where it has neither."""
    parsed = judged(phone, region)
    if parsed is None:
        return None
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    return reason if reason in (TOO_SHORT, TOO_LONG) else None


def invalid(phone: contact_pb2.Phone, region: str | None) -> bool:
    """Whether libphonenumber knows the number's country and no number of
    it is dialled so, as where OCR misread an area code's digit."""
    parsed = judged(phone, region)
    return parsed is not None and not phonenumbers.is_valid_number(parsed)


def _valid(printed: str, region: str | None) -> bool:
    parsed = _parse(_EXTENSION.sub("", printed), region)
    return parsed is not None and phonenumbers.is_valid_number(parsed)


def dialled(phone: contact_pb2.Phone, region: str | None) -> str:
    """The number as dialled from abroad, with its extension, where the
    card's country tells it: one key for a number printed once with its
    country and once without ("+49 341 35 40 60", "0341 35 40 60"); else
    the number as given."""
    if phone.number.startswith("+") or not region:
        return f"{phone.number};{phone.extension}"
    parsed = _parse(_EXTENSION.sub("", phone.number), region)
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return f"{phone.number};{phone.extension}"
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};{phone.extension}"


def kind_by_range(phone: contact_pb2.Phone, region: str | None) -> int:
    """The kind of number libphonenumber puts the phone's digits in."""
    parsed = _parse(phone.raw, region)
    return _type_of(parsed) if parsed is not None else UNSPECIFIED


def _unlabelled_kind(text: str, match: re.Match) -> int | None:
    """A number printed with no label at all is the card's work number, as
    business cards print their office line; where a label on the line
    above or another number labelled work tells otherwise, field parsing
    types it again. After words no label list holds ("Out of hours:") the
    number itself tells."""
    if re.search(r"\w", text[: match.start("number")]):
        return None
    return WORK


# A second number after a labelled one, of the same kind: "Tel: 011-2345
# 6789, 011-2345 6790", "Mob 0412 111 222 or 0413 333 444", "+49 30 1234567
# / +49 30 1234568".
LISTED_AFTER = re.compile(
    rf"\s*(?:[,;&/]|\b(?:or|oder|ou|o|of|eller)\b)\s*(?P<number>{_NUMBER})",
    re.IGNORECASE,
)


def _listed_after(
    text: str, start: int, kind: int | None, region: str | None
) -> list[Found]:
    """The numbers listed after a labelled one, each of its kind."""
    found = []
    while match := LISTED_AFTER.match(text, start):
        phone = build(match["number"], kind, region)
        if phone is None:
            break
        found.append(Found(phone, match.start("number"), match.end()))
        start = match.end()
    return found


CEP = re.compile(addresses.CEP)
# A postcode's or a post box's word before a number: no phone follows it.
POSTAL_LABEL = re.compile(
    rf"\W*?(?:{addresses.POSTCODE_WORDS}|{addresses.POSTAL_MARK}"
    rf"|{addresses.BOX_WORDS})\b",
    re.IGNORECASE,
)


# The labels of the tax, company and bank numbers cards print, right
# before such a number: "VAT 123456789", "ABN 12 345 678 901", "KvK:
# 12345678", "CNPJ 12.345.678/0001-90", "Org.nr 556677-8899", "Sort code:
# 20-00-00", "Company No. 08123456", "Registered in England & Wales No.
# 08123456", France's "RCS Rennes B 512 345 678" with its court's town,
# Germany's "HRB 12345", "Steuernummer 021/815/08150", "Kto.-Nr." and
# "BLZ 370 400 44", and the number a Brazilian lawyer, doctor, dentist,
# engineer or accountant is registered under with their state's council:
# "OAB/SP 245.118", "CRM-RJ 52.123"; not "Pan India Helpline: 1800 …".
REGISTRATION_LABEL = re.compile(
    r"\W*(?:VAT|TVA|BTW|IVA|P\.?\s?IVA|MwSt|USt|UID|ABN|ACN|EIN|TIN|PAN|GSTIN|GST"
    r"|CIN|INN|OGRN|KPP|RC|NIT|RUT|RFC|CIF|NIF|NIPC|SIRET|SIREN|KvK|CNPJ|CPF"
    r"|CVR|NIP|I[ČC]O|I[ČC]|DI[ČC]|KRS|REGON|MVA|ALV|RUC|CUIT|CUIL|Matr[ií]cula"
    r"|TRN|ARN|Org\.?\s?nr|Regd?"
    # France's register before its court's town and the firm's SIREN.
    r"|(?-i:RCS)(?:\s+[^\W\d_]+){0,3}(?=\s*(?:[AB]\s)?\d{3}\s?\d{3}\s?\d{3}\b)"
    r"|(?:Business|Company|Commercial)\s+Reg(?:istration|ister)?"
    r"|(?:Company|Registered)(?=[\s.:#-]*(?:No|Number)\b)"
    r"|Registered\s+in\s+(?:England|Wales|Scotland|Northern\s+Ireland|Ireland)"
    r"(?:\s*(?:&|and)\s*Wales)?"
    # Germany's: "Steuernummer", "Steuer-Nr.", "Kto.-Nr.", "Konto: …", not
    # a firm named "Konto 24" or "Steuer 1".
    r"|Handelsregister|(?-i:HR[AB])|Steuer(?=-?(?:nr|nummer|id)\b)|St\.-(?=Nr)"
    r"|(?-i:BLZ)|Kto\.|Konto(?=\s*(?::|-?Nr|nummer))"
    # A Brazilian council's number names its state: "OAB/SP", "CRM-RJ".
    r"|(?-i:OAB|CRM|CRO|CREA|CRC)(?:\s?[/-]\s?|\s)(?-i:[A-Z]{2})\b"
    r"|Sort\s?code|Acc(?:ount)?|A/c)"
    r"(?:[\s.:#-]*(?:No|Nr|Nummer|Number)\b)?[\s.:#-]*(?=\d)",
    re.IGNORECASE,
)
# A date printed near the numbers, day or year first: "Valid until:
# 31/12/2025", "Stand: 2024-05-12".
DATE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}"
)
# Opening hours, from one time of day to another: "Orario: 09.00 - 13.00".
_TIME = r"(?:[01]?\d|2[0-4])\.[0-5]\d"
_HOURS = rf"{_TIME}\s*-\s*{_TIME}"
HOURS = re.compile(rf"{_HOURS}(?:\s*[/,&]\s*{_HOURS})*")


def is_registration(line: str) -> bool:
    """True when a line starts with a tax, company or bank number's label."""
    return REGISTRATION_LABEL.match(line) is not None


# What parts the notes a footer prints in a row: "SARL au capital de 50 000
# € – RCS Rennes 512 345 678 – SIRET 512 345 678 00024".
FOOTER_PARTS = re.compile(r"\s[-–—|·•]\s")


def prints_registration(line: str) -> bool:
    """True when a line starts with a tax, company or bank number's label,
    or prints one after a dash or a bar, as a footer prints its firm's
    capital, register and tax numbers in a row."""
    return before_registration(line) != line


# A firm's capital, which footers print before its register: "SARL au
# capital de 50 000 €", "Stammkapital 25.000 €", "capitale sociale".
SHARE_CAPITAL = re.compile(r"\bcapital(?:e)?\b|stammkapital|grundkapital", re.I)


def before_registration(line: str) -> str:
    """The line before the first of its parts that is a registration, as
    a footer prints a firm's name before its numbers: "Romano Arredamenti
    S.r.l." of "Romano Arredamenti S.r.l. – P.IVA 02345678901"; empty
    where the line starts with one."""
    # Each part runs from the end of a separator to the start of the next;
    # what comes before it ends where that separator starts.
    separators = [(m.start(), m.end()) for m in FOOTER_PARTS.finditer(line)]
    starts = [(0, 0), *separators]
    ends = [start for start, _ in separators] + [len(line)]
    for (end_before, start), end in zip(starts, ends, strict=True):
        if is_registration(line[start:end]):
            return line[:end_before]
    return line


def _is_no_phone(line: str, number: str) -> bool:
    """True when a bare number is a postcode or a post box, labelled as one
    ("CEP", "PLZ", "C.P.", "Postfach") or shaped as Brazil's ("01310-200"),
    a tax, company or bank number, a date or opening hours."""
    if POSTAL_LABEL.match(line) or is_registration(line):
        return True
    return _shaped_as_no_phone(number)


def _shaped_as_no_phone(number: str) -> bool:
    """Whether digits as printed are a Brazilian postcode, a date or
    opening hours."""
    return any(shape.fullmatch(number.strip()) for shape in (CEP, DATE, HOURS))


BRACKETED_COUNTRY = re.compile(r"^\(\s*\+\s*(\d{1,3})(?:[\s-]+(\d{1,4}))?\s*\)")


def _unbracketed(match: re.Match) -> str:
    """A country code, with the area code printed in its brackets, as
    written without them: "(+91-80)" reads "+91 80"."""
    return " ".join(filter(None, ["+" + match[1], match[2]]))


# The trunk zero in brackets after the country code with one of its
# brackets lost: "+490) 387500474" or "+33 (05 79 29 04 21" for "+49(0)
# 387500474" and "+33 (0)5 79 29 04 21".
TRUNK_ZERO_OPENING_LOST = re.compile(r"^\+\s?(\d{1,3})\s?0\)")
TRUNK_ZERO_CLOSING_LOST = re.compile(r"^\+\s?(\d{1,3})\s?\(0(?=\s?\d)(?![^)]*\))")


def _trunk_zero_bracketed(match: re.Match) -> str:
    return f"+{match[1]}(0)" if _is_country_code(match[1]) else match[0]


def build(printed: str, kind: int | None, region: str | None):
    """A typed, normalised Phone from a number as printed, or None when it
    has too few or too many digits to be one."""
    printed = " ".join(printed.strip(" .-/").split())
    # A country code in brackets is a country code all the same.
    printed = BRACKETED_COUNTRY.sub(_unbracketed, printed)
    printed = TRUNK_ZERO_OPENING_LOST.sub(_trunk_zero_bracketed, printed)
    printed = TRUNK_ZERO_CLOSING_LOST.sub(_trunk_zero_bracketed, printed)
    main, extension = printed, ""
    ext_match = _EXTENSION.search(printed)
    if ext_match:
        extension = ext_match[1].replace(" ", "")
        main = printed[: ext_match.start()].strip()
    digit_count = sum(c.isdigit() for c in main)
    if not MIN_DIGITS <= digit_count <= MAX_DIGITS:
        return None
    main = MEXICAN_MOBILE_ONE.sub("+52 ", main)

    parsed = _parse(main, region)
    if kind is None:
        kind = _type_of(parsed) if parsed is not None else UNSPECIFIED
    # A number printed without its country stays as printed, extension and
    # all: its country would be a guess. So does one whose E.164 form would
    # lose a digit the card printed: which one the card means is a guess
    # too; and one that starts "00" but is too short to be dialled abroad.
    number = None
    if _prints_country(main) and (main.startswith("+") or _dialled_abroad(parsed)):
        e164 = _e164(parsed)
        number = None if _drops_digits(main, e164) else e164
    return contact_pb2.Phone(
        type=kind, number=number or printed, extension=extension, raw=printed
    )


# The "1" Mexico's mobiles were dialled with from abroad before 2019, printed
# on older cards and dialled no more: "+52 1 55 3456 7890".
MEXICAN_MOBILE_ONE = re.compile(
    r"^\+\s?52[\s.-]*1[\s.-]*(?=(?:[\s.()-]*\d){10}[\s.()-]*$)"
)

# Digits after the country code that a number dialled abroad has at least,
# but for a few small islands that libphonenumber knows.
ABROAD_MIN_DIGITS = 7


def _dialled_abroad(parsed) -> bool:
    """Whether a number printed after "00" is one: valid, or long enough
    after its country code, unlike "0098 5772", which "00" merely starts."""
    if parsed is None:
        return False
    national = phonenumbers.national_significant_number(parsed)
    return phonenumbers.is_valid_number(parsed) or len(national) >= ABROAD_MIN_DIGITS


def rewrites_digits(phone: contact_pb2.Phone) -> bool:
    """True when the number's E.164 form would not keep the digits printed:
    libphonenumber drops a "0" printed after the country code outside
    brackets, as in "+31 02-7912248", which the card may mean. Such a
    number is kept as printed."""
    main = _EXTENSION.sub("", phone.raw)
    if not _prints_country(main):
        return False
    return _drops_digits(main, _e164(_parse(main, None)))


def _drops_digits(printed: str, e164: str | None) -> bool:
    """Whether an E.164 form leaves out digits of the number printed with
    its country; a "(0)" printed for national callers is no such digit."""
    if e164 is None:
        return False
    printed = (_international(printed) or printed).replace("(0)", "")
    return re.sub(r"\D", "", printed) != re.sub(r"\D", "", e164)


def country_of(phones: Iterable[contact_pb2.Phone]) -> str | None:
    """The region most of a card's internationally printed numbers call."""
    regions = []
    for phone in phones:
        if phone.number.startswith("+"):
            parsed = _parse(phone.number, None)
            region = parsed and phonenumbers.region_code_for_number(parsed)
            if region and region != "ZZ":
                regions.append(region)
    # The first printed wins a tie.
    return max(regions, key=regions.count) if regions else None


def _prints_country(printed: str) -> bool:
    return _international(printed) is not None


def _international(printed: str) -> str | None:
    """The number with "+" for its international prefix, or None when it
    is printed without its country."""
    if printed.startswith("+"):
        return printed
    # "00" dials out across Europe, but only when a country code follows
    # within its digit group: "0049 30", "001-617", not "004-963".
    match = re.match(r"\(?00(\d*)(?=[\s\-./)]|$)", printed)
    if match and (match[1] == "" or _is_country_code(match[1])):
        return "+" + printed[match.start(1) :].lstrip(")")
    return None


def _is_country_code(digits: str) -> bool:
    return digits.isdigit() and int(digits) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def _parse(printed: str, region: str | None):
    text = (_international(printed) or printed).replace("(0)", "")
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _e164(parsed) -> str | None:
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _type_of(parsed) -> int:
    return _TYPE_OF_NUMBER.get(phonenumbers.number_type(parsed), UNSPECIFIED)
