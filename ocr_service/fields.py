"""Field parsing: the text lines OCR read on a card become a Contact, with
how sure each field is."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from cardscan.v1 import contact_pb2
from ocr_service import (
    addresses,
    companies,
    countries,
    crosscheck,
    links,
    misreads,
    names,
    phones,
    roles,
    wording,
)
from ocr_service.lines import Line
from ocr_service.wording import fold, word_set

# A contact with any field less sure than this is flagged for review.
# Tuned on the labelled sample cards: there it flagged every card with a
# wrong field that had a confidence and no right card, where 0.75 also
# flagged a number whose digits OCR was unsure of but read right and 0.8
# flagged a fifth of all cards; the doubts fields set for a misread letter
# (0.5 and 0.6) lie well below it.
REVIEW_THRESHOLD = 0.7

# Lines at least this share of the tallest line's height are in the
# card's largest type.
LARGEST_TYPE = 0.9
# Lines OCR is less sure of than this, or with fewer letters and digits,
# are logo and background noise.
NOISE_CONFIDENCE = 0.3
NOISE_MIN_CHARACTERS = 2

# OCR line confidence at which a field on the line earns no trust, and the
# rise above it at which it earns full trust.
TRUST_FLOOR = 0.4
TRUST_SPAN = 0.5

# OCR character confidence at which a character earns no trust, and how far
# below 1 it earns full trust: on the labelled cards Tesseract rated the
# characters it misread from 0.90 to 0.95, and nearly all others 0.99.
CHARACTER_FLOOR = 0.9
CHARACTER_SURE_MARGIN = 0.02

# How sure a field is whose line runs into the edge of the picture read.
CLIPPED_TRUST = 0.5

# A split point between the items OCR joined on one line.
_CUT = "\x00"


@dataclass
class Segment:
    """A piece of a line that holds one field, in reading order."""

    text: str
    line: Line
    order: int
    kind: str = ""
    phone: contact_pb2.Phone | None = None
    score: float = 0.0
    # Put right from a misread letter rather than read as printed.
    repaired: bool = False
    # A phone number printed with no label at all.
    bare: bool = False


@dataclass
class Card:
    """What parsing found so far, with the confidence of each field."""

    segments: list[Segment]
    contact: contact_pb2.Contact = field(default_factory=contact_pb2.Contact)
    region: str | None = None
    # Fields a reader should check whatever else on the card vouches for
    # them: one put together from pieces OCR parted, or one a piece read
    # as garbage was left out of.
    doubts: set[str] = field(default_factory=set)

    def texts(self, kind: str = "") -> list[Segment]:
        return [s for s in self.segments if s.kind == kind]

    def set_confidence(self, name: str, value: float) -> None:
        crosscheck.set_confidence(self.contact, name, value)

    def lower_confidence(self, name: str, value: float) -> None:
        crosscheck.lower(self.contact, name, value)


def parse(lines: Sequence[Line]) -> contact_pb2.Contact:
    """The contact printed on a card, from the lines OCR read on it."""
    noise = [is_noise(line) for line in lines]
    kept = [
        line
        for index, line in enumerate(lines)
        if not noise[index]
        or _house_number_by_street(line, lines, noise, index)
        or _number_in_groups(line)
    ]
    region = _region_of(kept)
    kept = _marks_read_right(kept, region)
    kept = _turkish_marks_read_right(kept, region)
    kept = _initial_i_read_right(_dotless_i_read_right(_unsure_tails_cut(kept)))
    mailboxes = _mailboxes(kept)
    kept = _small_l_read_right_by_email(kept, mailboxes)
    kept = _spaced_name_joined(kept, mailboxes)
    kept = _split_word_joined(kept, mailboxes)
    kept = [_without_j_before_j(line) for line in kept]
    kept = [replace(line, text=companies.form_read_right(line.text)) for line in kept]
    card = Card(_segments(kept, region), region=region)
    _take_links(card)
    _take_phones(card)
    _take_address(card)
    _take_extensions(card)
    _complete_local_numbers(card)
    _leave_out_short_numbers(card)
    _take_people_and_organisation(card)
    card.contact.raw_text = "\n".join(line.text for line in lines)
    # A field left empty keeps its doubt, so that the card is looked at.
    for name in card.doubts:
        trust = card.contact.confidence.get(name, crosscheck.MISREAD_TRUST)
        card.set_confidence(name, min(trust, crosscheck.MISREAD_TRUST))
    # A card is given for its person: one where text but no name was found
    # is looked at, as OCR may have lost the name to a photo's blur.
    nameless = bool(kept) and not card.contact.name.full
    card.contact.needs_review = nameless or any(
        value < REVIEW_THRESHOLD for value in card.contact.confidence.values()
    )
    return card.contact


# Accented letters Turkish never writes: a word that holds one and a
# dotless "ı" is no Turkish word, and its "ı" is an "i" whose dot a blurred
# photo lost ("Urbanızacıón"). A Turkish name keeps its "ı" on any card.
NOT_TURKISH_LETTERS = "áéíóúàèìòùãõñäëåøæœßčřžšłńśźżőű"
_WORD_WITH_DOTLESS_I = re.compile(r"\w*ı\w*")


def _dotless_i_read_right(lines: list[Line]) -> list[Line]:
    """The lines with the dotless "ı" in words of other languages than
    Turkish read as "i"."""
    return [
        replace(line, text=_WORD_WITH_DOTLESS_I.sub(_i_dotted, line.text))
        if "ı" in line.text
        else line
        for line in lines
    ]


def _marks_read_right(lines: list[Line], region: str | None) -> list[Line]:
    """The lines with the marks their language never writes put right:
    "Hākansson" on a Swedish card is "Håkansson", "Såāo" on a Brazilian
    one "São"; not a name of a language that writes them, "Åsa Berg" on
    a Brazilian card."""
    language = misreads.marks_language(" ".join(li.text for li in lines), region)
    if language is None:
        return lines
    local_parts = names.letters_of(_mailboxes(lines))
    right = []
    for line in lines:
        text, twice = misreads.marks_read_right(line.text, language, local_parts)
        line = replace(line, text=text) if text != line.text else line
        right.append(_without_characters(line, twice) if twice else line)
    return right


def _turkish_marks_read_right(lines: list[Line], region: str | None) -> list[Line]:
    """The lines with the Romanian comma below OCR read for the Turkish
    cedilla put right, where the card or the line is Turkish."""
    turkish = misreads.turkish_card(" ".join(li.text for li in lines), region)
    return [
        replace(line, text=misreads.turkish_marks_read_right(line.text, turkish))
        for line in lines
    ]


def _without_j_before_j(line: Line) -> Line:
    """The line without the small "j" OCR reads before a capital "J"
    starting a word as its double ("Lake jJenniferburgh",
    "Thomas-jJohnson"): no word starts so. Elsewhere the two stand so in
    names written together ("PankajJain") and in links ("youtu.be/jJ3k")."""
    places = {m.start() for m in _J_BEFORE_J.finditer(line.text)}
    return _without_characters(line, places) if places else line


def _without_characters(line: Line, places: set[int]) -> Line:
    """The line without the characters at those places, its confidences
    kept in step."""

    def without(values: Sequence) -> tuple:
        # Confidences not one to a character are none to keep in step.
        if len(values) != len(line.text):
            return ()
        return tuple(v for i, v in enumerate(values) if i not in places)

    return replace(
        line,
        text="".join(c for i, c in enumerate(line.text) if i not in places),
        characters=without(line.characters),
        word_confidences=without(line.word_confidences),
    )


_J_BEFORE_J = re.compile(r"(?:^|(?<=[\s-]))j(?=J[a-z])")


def _largest_type(lines: list[Line]) -> float:
    """The least height of a line in the card's largest type."""
    return LARGEST_TYPE * max((line.height for line in lines), default=0)


# A word OCR rated below this is more likely a speck than a word, and one
# rated above SURE_WORD a word it read right.
SPECK_WORD = 0.4
SURE_WORD = 0.9


def _unsure_tails_cut(lines: list[Line]) -> list[Line]:
    """The lines in the card's largest type without the small words OCR
    made of specks after them, rated far below the words before:
    "Cynthia Peterson ineei ua" on a photo of a card on a rough table."""
    largest = _largest_type(lines)
    return [
        _without_unsure_tail(line) if line.height >= largest else line for line in lines
    ]


def _without_unsure_tail(line: Line) -> Line:
    if len(line.word_confidences) != len(line.text):
        return line
    words = list(re.finditer(r"\S+", line.text))
    keep = len(words)
    while keep > 1:
        word = words[keep - 1]
        speck = line.word_confidences[word.start()] < SPECK_WORD
        if not (speck and word[0].isalpha() and word[0].islower()):
            break
        keep -= 1
    sure_before = any(
        line.word_confidences[w.start()] >= SURE_WORD and w[0][:1].isupper()
        for w in words[:keep]
    )
    if keep == len(words) or not sure_before:
        return line
    end = words[keep - 1].end()
    return replace(
        line,
        text=line.text[:end],
        characters=line.characters[:end],
        word_confidences=line.word_confidences[:end],
    )


# A word of five letters or more starting with a small "l" and a vowel,
# among capitalised words: in Sans type OCR reads the capital "I" of
# "Iacobucci" so.
_SMALL_L_FOR_I = re.compile(r"(?<![\w'’.@/-])l(?=[aeiou][a-zà-ÿ]{3,}\b)")


def _initial_i_read_right(lines: list[Line]) -> list[Line]:
    """The lines in the card's largest type, the name's or the company's,
    with the capital "I" OCR read as a small "l" at the start of a word put
    back, where every other word of three letters or more is capitalised:
    "Elena lacobucci", not "Técnico de laboratorio" in smaller type."""
    largest = _largest_type(lines)
    return [
        replace(line, text=_SMALL_L_FOR_I.sub("I", line.text))
        if line.height >= largest and _capitalised_but_l(line.text)
        else line
        for line in lines
    ]


# A word starting with a small "l" that OCR may have read for a capital
# "I": "lacobucci", and "llaria" where the "I" and the "l" after it look
# alike in Sans type.
_WORD_FROM_SMALL_L = re.compile(r"(?<![\w'’.@/-])l[^\W\d_]{3,}")


def _mailboxes(lines: list[Line]) -> list[str]:
    """The local parts of the emails the lines print, in small letters."""
    return [
        email.value.split("@")[0] for line in lines for email in links.emails(line.text)
    ]


def _small_l_read_right_by_email(lines: list[Line], mailboxes: list[str]) -> list[Line]:
    """The lines with a word starting with a small "l" put right to the
    capital "I" where an email's local part spells the word so and not as
    read, in any type: "llaria Gori" beside ilaria.gori@…, and a name's
    first word where the local part is its initial and the family name:
    "lain Davies" beside i.davies@…."""
    if not mailboxes:
        return lines
    spelled = {word for box in mailboxes for word in re.split(r"[._+-]", box)}
    local_parts = names.letters_of(mailboxes)

    def put_right(word: re.Match) -> str:
        as_i = "i" + word[0][1:].lower()
        if as_i in spelled and word[0].lower() not in spelled:
            return "I" + word[0][1:]
        return word[0]

    def name_put_right(text: str) -> str:
        words = text.split()
        if not (2 <= len(words) <= 4 and len(words[0]) >= 3 and text[0] == "l"):
            return text
        if not all(w.isalpha() for w in words):
            return text
        letters = fold("".join(words)).lower()
        as_i = "i" + letters[1:]
        if any(
            names.local_part_spells(p, as_i) and not names.local_part_spells(p, letters)
            for p in local_parts
        ):
            return "I" + text[1:]
        return text

    return [
        line
        if "@" in line.text
        else replace(
            line,
            text=name_put_right(_WORD_FROM_SMALL_L.sub(put_right, line.text)),
        )
        for line in lines
    ]


# A run of words a name's letters may make where OCR read a letter-spaced
# name, or a photo's blur spaced it: "Ka ne B ree n", "Gi rol a mo Ta fu ri".
_SPACED_RUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+){2,}")


def _spaced_name_joined(lines: list[Line], mailboxes: list[str]) -> list[Line]:
    """The lines with a name OCR read in pieces of a few letters put
    together, where an email's local part spells the letters joined:
    "E m i lie Deeg ada n" beside emilie.deegadan@… is "Emilie Deegadan".
    A new word starts at each capital after a space, or in a name printed
    in capitals, where the email parts its words: "M A R K U S W E B E R"
    beside markus.weber@… is "MARKUS WEBER"."""
    if not mailboxes:
        return lines
    local_parts = names.letters_of(mailboxes)
    joined = []
    for line in lines:
        places = set()
        for run in _SPACED_RUN.finditer(line.text):
            name = _spelled_pieces(run[0].split(" "), local_parts)
            word_ends = _word_ends(name, mailboxes) if name.isupper() else set()
            letters = 0
            for i, c in enumerate(name):
                if c != " ":
                    letters += 1
                elif not (name[i + 1].isupper() and not word_ends) and (
                    letters not in word_ends
                ):
                    places.add(run.start() + i)
        joined.append(_without_characters(line, places) if places else line)
    return joined


# A word and the word after it, which the next pair starts from.
_WORD_AND_NEXT = re.compile(r"(?<!\w)([^\W\d_]+) (?=([^\W\d_]+)(?!\w))")


def _split_word_joined(lines: list[Line], mailboxes: list[str]) -> list[Line]:
    """The lines with a space OCR read inside a name's word put out, where
    a word of an email's local part spells the two pieces joined and
    neither alone: "Helena Ma rques" beside helena.marques@… is "Helena
    Marques". A piece that starts a word has a capital; a particle in small
    letters before it ("Jet de Roos" beside j.deroos@…) stays apart."""
    words = {w for box in mailboxes for w in names.letters_of(re.split(r"[._+-]", box))}
    joined = []
    for line in lines:
        places = set()
        for match in _WORD_AND_NEXT.finditer(line.text):
            first, second = match[1], match[2]
            if not (first[0].isupper() and second[0].islower()):
                continue
            pieces = names.letters_of([first, second])
            if "".join(pieces) in words and not words & set(pieces):
                places.add(match.end() - 1)
        joined.append(_without_characters(line, places) if places else line)
    return joined


def _word_ends(name: str, mailboxes: list[str]) -> set[int]:
    """After how many of the name's letters each of its words ends, as the
    local part of an email that spells it whole parts them: {6} for
    markus.weber@ beside "M A R K U S W E B E R"; empty where none does."""
    letters = fold(name.replace(" ", "")).lower()
    for box in mailboxes:
        words = names.letters_of(re.split(r"[._+-]", box))
        if "".join(words) == letters and len(words) > 1:
            ends, total = set(), 0
            for word in words[:-1]:
                total += len(word)
                ends.add(total)
            return ends
    return set()


def _spelled_pieces(pieces: list[str], local_parts: list[str]) -> str:
    """The longest run of pieces from the first, mostly of one or two
    letters, that an email's local part spells joined; "" where none is.
    A word that follows the name on its line ("… Deeg ada n emilie") is
    left out."""
    for end in range(len(pieces), 2, -1):
        run = pieces[:end]
        if sum(len(p) <= 2 for p in run) * 2 < len(run):
            continue
        letters = fold("".join(run)).lower()
        if any(names.local_part_spells(local, letters) for local in local_parts):
            return " ".join(run)
    return ""


def _capitalised_but_l(text: str) -> bool:
    """Whether every word of three letters or more is capitalised but for
    at least one that starts with a small "l" and a vowel."""
    found = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 3]
    small = [w for w in found if w[0].islower()]
    return (
        len(found) >= 2
        and all(_SMALL_L_FOR_I.match(w) for w in small)
        and len(small) < len(found)
        and bool(small)
    )


# A capital "I" after a name's first capital and before small letters,
# which no name spells: OCR read an "l" so ("UIf", "EIke", "IIse").
_CAPITAL_I_FOR_L = re.compile(r"(?<![\w'’])([A-ZÀ-ÖØ-Þ])I(?=[a-zß-öø-ÿ])")


def _small_l_read_right(name: contact_pb2.PersonName) -> None:
    """Puts back the "l" OCR read as a capital "I" in the given and family
    names; not in a prefix ("DIin", Austria's for a woman engineer) nor in
    a company's or a domain's words, which may spell "AI" or "KI"."""
    for part in ("given", "family"):
        read = getattr(name, part)
        spelled = _CAPITAL_I_FOR_L.sub(r"\1l", read)
        if spelled != read:
            setattr(name, part, spelled)
            name.full = name.full.replace(read, spelled)


def _i_dotted(word: re.Match) -> str:
    foreign = any(c in NOT_TURKISH_LETTERS for c in word[0].lower())
    return word[0].replace("ı", "i") if foreign else word[0]


def is_noise(line: Line) -> bool:
    """True for a line that is logo or background texture, not text."""
    characters = sum(c.isalnum() for c in line.text)
    # A lone digit may be a house number set apart from its street.
    if characters < NOISE_MIN_CHARACTERS and not line.text.strip(" ,").isdigit():
        return True
    # OCR rates emails and web addresses poorly as words; a line holding
    # one is no logo.
    if line.confidence < NOISE_CONFIDENCE:
        text = links.repair(line.text)
        if "@" in text or links.websites(text):
            return False
        # Tesseract rates some words poorly that it read letter by letter
        # with confidence, accented words it does not know among them.
        return not _read_letter_by_letter(line)
    # Edges and rules read as strokes: "I", "l", "1", "|".
    if not line.text.strip(" Il1|!i[]()/\\"):
        return True
    # Texture reads as punctuation and stray capitals with few real words.
    return characters < len(line.text.replace(" ", "")) * 0.6


# The least confidence in each character of a word read letter by letter.
CLEAR_CHARACTER = 0.8
# Letters and digits a line needs for its characters' confidence to speak
# for it.
CLEAR_LETTERS = 4


def _read_letter_by_letter(line: Line) -> bool:
    """Whether OCR was sure of every character of a line of letters, or of
    digits with a letter: "T| 0471397162" is rated as a word poorly too,
    but digits alone are as often a barcode's or stripes read."""
    letters = sum(c.isalnum() for c in line.text)
    return (
        letters >= CLEAR_LETTERS
        and any(c.isalpha() for c in line.text)
        and bool(line.characters)
        and min(line.characters) >= CLEAR_CHARACTER
    )


def _house_number_by_street(
    line: Line, lines: Sequence[Line], noise: list[bool], index: int
) -> bool:
    """True for a number alone, such as "1" or "11", which is_noise takes
    for strokes, lined up under its street's name or over a street that
    starts with its street word: "Dorfstrasse" over "1", "11" over "rue de
    la Paix, 75002 Paris"."""
    if not line.text.strip(" ,").isdigit():
        return False
    texts = [x for x, dropped in zip(lines, noise, strict=True) if not dropped]
    above = next((x for x in reversed(texts) if x.top < line.top), None)
    below = next((x for x in texts if x.top > line.top), None)
    named_above = above is not None and addresses.street_evidence(above.text)
    named_below = below is not None and addresses.starts_with_street_word(below.text)
    return (named_above and _lined_up(line, above)) or (
        named_below and _lined_up(line, below)
    )


# A gap between groups of a number's digits.
_DIGIT_GROUPS = re.compile(r"\d[\s./-]+\d")


def _number_in_groups(line: Line) -> bool:
    """True for a line that is a phone number alone, its digits in groups,
    which OCR rated as texture ("0451-337-4200" at confidence 0): kept, so
    that its doubt flags the card rather than the number being lost; a
    barcode's or stripes' digits run on without gaps."""
    found = phones.find(line.text, None)
    return (
        len(found) == 1
        and not line.text[: found[0].start].strip()
        and not line.text[found[0].end :].strip()
        and _DIGIT_GROUPS.search(line.text) is not None
    )


def _lined_up(line: Line, other: Line) -> bool:
    """Whether two lines share a left edge, a right edge or a centre."""
    edges = (
        line.left - other.left,
        line.left + line.width - other.left - other.width,
        2 * line.left + line.width - 2 * other.left - other.width,
    )
    return min(map(abs, edges)) <= other.height


def ocr_trust(line: Line) -> float:
    """How far OCR's own confidence in a line supports a field on it: full
    on a cleanly read line, falling to nothing at TRUST_FLOOR."""
    return max(0.0, min(1.0, (line.confidence - TRUST_FLOOR) / TRUST_SPAN))


def segment_trust(segment: Segment) -> float:
    """How far OCR's own confidence in the words a field was read from
    supports it; the whole line's where the words cannot be told."""
    line = segment.line
    start = line.text.lower().find(segment.text.lower())
    if start < 0 or len(line.word_confidences) != len(line.text):
        return ocr_trust(line)
    span = line.word_confidences[start : start + len(segment.text)]
    confidence = sum(span) / len(span)
    return max(0.0, min(1.0, (confidence - TRUST_FLOOR) / TRUST_SPAN))


def _region_of(lines: list[Line]) -> str | None:
    """The country the card's national numbers are dialled in: the one its
    international numbers call, else the one its postal code's shape tells."""
    found = []
    told = []
    for line in lines:
        text = links.repair(line.text)
        numbers = phones.find(text, None)
        found += [f.phone for f in numbers]
        # A phone number is no postcode, though it may have one's shape:
        # Norway's "92823302" is a Brazilian CEP's; nor is a tax number:
        # "CUIT 30-71234567-8"; nor does a code only a street makes one
        # tell the country.
        postal = addresses.postal_code(text)
        if phones.prints_registration(text) or (postal and postal.needs_street):
            postal = None
        if postal and not any(f.start <= postal.start < f.end for f in numbers):
            told.append(postal.country)
    called = phones.country_of(found)
    if called:
        return called
    found = list(filter(None, told))
    # Else a country printed on a line of its own, as under an address.
    found = found or [code for li in lines if (code := countries.code_of(li.text))]
    # Else the country of the card's email domains.
    if not found:
        hosts = [e.value.split("@")[1] for li in lines for e in links.emails(li.text)]
        found = list(filter(None, map(links.country_of_host, hosts)))
    return found[-1] if found else None


def _segments(lines: list[Line], region: str | None) -> list[Segment]:
    segments = []
    for line in lines:
        pieces = _pieces(links.repair(line.text.strip()), region)
        for _, text, kind, found in sorted(pieces, key=lambda p: p[0]):
            segments.append(Segment(text, line, len(segments), kind, **found))
    return segments


def _pieces(text: str, region: str | None) -> list[tuple]:
    """A line cut into its emails, websites, phones and the text between,
    each with where it starts, its text, its kind and what else its segment
    holds (a phone's number, and whether it was printed with no label)."""
    found, sites, text = links.emails_and_websites(text, _CUT)
    out: list[tuple] = [(email.start, email.value, "email", {}) for email in found]
    out += [(site.start, site.value, "website", {}) for site in sites]
    for chunk in re.finditer(f"[^{_CUT}]+", text):
        for number in phones.find(chunk[0], region):
            start, end = chunk.start() + number.start, chunk.start() + number.end
            phone = {
                "phone": number.phone,
                "bare": number.bare,
                "repaired": number.repaired,
            }
            out.append((start, number.phone.raw, "phone", phone))
            text = links.blanked(text, start, end, _CUT)
    for chunk in re.finditer(f"[^{_CUT}]+", text):
        for offset, piece in _text_pieces(chunk[0]):
            out.append((chunk.start() + offset, piece, "", {}))
    return out


def _without_debris(text: str) -> str:
    """The text without the marks a logo leaves before it: symbols or a
    word with a bracket it never closes, and a lone letter after them."""
    words = text.split()
    start = 0
    while start < len(words) and _is_debris(words[start]):
        start += 1
    if 0 < start < len(words) - 1 and len(words[start]) == 1:
        start += 1
    # A rule or the card's edge read as a stroke before a house number:
    # "l 34 Mullany Street".
    if (
        start < len(words) - 1
        and words[start] in STROKES
        and words[start + 1][0].isdigit()
    ):
        start += 1
    return " ".join(words[start:]) if start else text


# Letters OCR reads a stroke as.
STROKES = ("l", "I", "i", "|")


def _is_debris(word: str) -> bool:
    if not any(c.isalnum() for c in word):
        return True
    return word.count("(") > word.count(")") and len(word) <= 4


def _text_pieces(chunk: str) -> list[tuple[int, str]]:
    """The text between a line's links and numbers; a vertical bar
    separates columns or a logo from the text."""
    out = []
    for part in re.finditer(r"[^|¦]+", chunk):
        # Pronouns and an address's label are no field of the contact either.
        text = names.PRONOUNS.sub(_blank, part[0])
        text = addresses.ADDRESS_LABEL.sub(_blank, text)
        piece = _without_debris(text).strip(" =-—»«•·:;,_*~")
        too_short = sum(c.isalnum() for c in piece) < NOISE_MIN_CHARACTERS
        # A network's handle is no field of the contact.
        if too_short and not piece.isdigit() or links.is_handle(piece):
            continue
        joined = companies.split_after_legal_form(piece) or (piece,)
        # Spaces left where pronouns stood go, as between words.
        out += [(part.start() + text.find(p), " ".join(p.split())) for p in joined]
    return out


def _blank(match: re.Match) -> str:
    """Spaces for the text matched, which keep the line's other offsets."""
    return " " * len(match[0])


def _take_links(card: Card) -> None:
    _rejoin_split_hosts(card)
    _find_misread_emails(card)
    _rejoin_local_parts(card)
    _leave_out_host_tails(card)
    emails = card.texts("email")
    sites = card.texts("website")
    card.contact.emails.extend(dict.fromkeys(s.text for s in emails))
    card.contact.websites.extend(_distinct_sites([s.text for s in sites]))
    if emails:
        card.set_confidence("emails", min(_link_trust(s, card) for s in emails))
    if sites:
        card.set_confidence("websites", min(_link_trust(s, card) for s in sites))


def _rejoin_split_hosts(card: Card) -> None:
    """Emails whose host OCR parted with a space, so that the rest of it
    reads as a web address: "anna.berg@ferrell thomas.io" is one email of
    "ferrellthomas.io", no website "thomas.io". Whether the space was
    printed, as no host holds one, is a reader's call."""
    for site in card.texts("website"):
        before = [
            s for s in card.segments if s.line is site.line and s.order < site.order
        ]
        if not before or before[-1].kind:
            continue
        joined = links.email_split_in_host(before[-1].text, site.text)
        if joined is None:
            continue
        site.text, site.kind = joined[0], "email"
        before[-1].text = joined[1]
        before[-1].kind = "" if before[-1].text else "spent"
        card.doubts.add("emails")


def _leave_out_host_tails(card: Card) -> None:
    """Leaves out a bare host that is the tail of another link's host, a
    piece of it OCR read apart from the rest ("tas.biz" beside
    "tasfreitas.biz"); one printed with "www." or its scheme is whole, but
    for letters OCR lost ("www.inanzas.biz" beside "info@finanzas.biz").
    A host under another ("mail.acme.com" and "acme.com") is two. Either
    way the websites are left for a reader to check."""
    hosts = {links.host(s.text) for s in card.segments if s.kind in _LINKS}
    for site in card.texts("website"):
        mine = links.host(site.text)
        tails = (h[-len(mine) - 1] != "." for h in hosts - {mine} if h.endswith(mine))
        if not any(tails):
            continue
        card.doubts.add("websites")
        if site.text == mine:
            site.kind = "spent"


_LINKS = ("email", "website")


def _find_misread_emails(card: Card) -> None:
    """Emails whose "@" or host OCR misread, told by a host printed
    elsewhere; the pieces of their line that held the email make way for
    it."""
    if card.texts("email"):
        return
    hosts = misreads.hosts_of([s.text for s in card.texts("website")])
    for line in dict.fromkeys(s.line for s in card.segments):
        text = links.repair(line.text)
        email = misreads.email_with_misread_at(
            text, hosts
        ) or misreads.email_with_misread_host(text, hosts)
        if email is None:
            continue
        pieces = [s for s in card.segments if s.line is line and s.kind != "phone"]
        pieces[0].text, pieces[0].kind, pieces[0].repaired = email, "email", True
        for piece in pieces[1:]:
            piece.kind = "spent"


def _rejoin_local_parts(card: Card) -> None:
    """Emails whose local part lost a dot to OCR's space, so that the piece
    before it stands apart: "stephen jackson@x.io" on the card of Stephen
    Jackson. Only where each piece is a word another line prints, as the
    person's names are."""
    for email in card.texts("email"):
        before = [
            s for s in card.segments if s.line is email.line and s.order < email.order
        ]
        if not before or not re.fullmatch(r"[a-z][a-z-]*", before[-1].text):
            continue
        elsewhere = {
            word
            for s in card.segments
            if s.line is not email.line
            for word in wording.words(s.line.text)
        }
        local = email.text.split("@")[0]
        pieces = [before[-1].text, *re.split(r"[._-]", local)]
        if all(fold(piece) in elsewhere for piece in pieces):
            email.text = f"{before[-1].text}.{email.text}"
        # Or a space read inside a word of it: "vfasc hing@" of Victoria
        # Fasching.
        elif _spelled_by_words(fold(before[-1].text + local), elsewhere):
            email.text = before[-1].text + email.text
        else:
            continue
        email.repaired = True
        before[-1].kind = "spent"


def _spelled_by_words(local: str, words: set[str]) -> bool:
    """Whether a local part is a word of the card's, or an initial and a
    word, or two words run together: "vfasching" beside "Victoria
    Fasching"."""
    initials = {word[0] for word in words}
    return (
        local in words
        or (local[:1] in initials and local[1:] in words)
        or any(
            local[:k] in words and local[k:] in words for k in range(2, len(local) - 1)
        )
    )


def _distinct_sites(sites: list[str]) -> list[str]:
    """Websites without repeats: one printed twice, once with its scheme,
    is kept once, in its longest form."""
    kept: dict[str, str] = {}
    for site in sites:
        key = re.sub(r"^[a-z]+://", "", site).removeprefix("www.").rstrip("/")
        if len(site) > len(kept.get(key, "")):
            kept[key] = site
    return list(kept.values())


def _link_trust(segment: Segment, card: Card) -> float:
    trust = segment_trust(segment)
    if segment.repaired:
        trust = min(trust, crosscheck.MISREAD_TRUST)
    # An email and a website whose domains are a letter apart mean OCR
    # changed a letter in one of them.
    mine = links.domain(segment.text)
    others = {
        links.domain(s.text) for s in card.segments if s.kind in ("email", "website")
    }
    if any(companies.is_near_miss(mine, other) for other in others - {mine}):
        trust = min(trust, crosscheck.MISREAD_TRUST)
    return trust


def _take_phones(card: Card) -> None:
    numbers = card.texts("phone")
    _type_unlabelled(card, numbers)
    card.contact.phones.extend(
        _without_repeats([s.phone for s in numbers], card.region)
    )
    if numbers:
        trust = min(_phone_trust(s, card.region) for s in numbers)
        card.set_confidence("phones", trust)


def _without_repeats(
    found: list[contact_pb2.Phone], region: str | None
) -> list[contact_pb2.Phone]:
    """The numbers, each once: a number read twice, as a row read again may
    be, is one number; so is one printed with its country and again
    without, as a switchboard's beside the main line, kept as printed with
    its country."""
    kept: dict[tuple[str, int], contact_pb2.Phone] = {}
    for phone in found:
        key = (phones.dialled(phone, region), phone.type)
        first = kept.setdefault(key, phone)
        if phone.number.startswith("+") and not first.number.startswith("+"):
            kept[key] = phone
    return list(kept.values())


def _complete_local_numbers(card: Card) -> None:
    """Completes each number printed without its area code, as a direct
    line's or a fax's beside the main number may be, with the area code
    of the number whose local part it starts as; in the country the
    card's numbers or its address tell, as the area code's length depends
    on it. A number completed twice, as a direct line's printed beside the
    whole of it, is kept once."""
    region = card.region or card.contact.address.country or None
    phones_read = list(card.contact.phones)
    for phone in phones_read:
        mains = [main for main in phones_read if main is not phone]
        found = (phones.completed(phone, main, region) for main in mains)
        whole = next(filter(None, found), None)
        if whole is not None:
            phone.number, phone.extension = whole.number, whole.extension
    kept = _without_repeats(phones_read, region)
    if len(kept) < len(phones_read):
        del card.contact.phones[:]
        card.contact.phones.extend(kept)


def _leave_out_short_numbers(card: Card) -> None:
    """Leaves out a number too short for its country that no main number
    completed, as one whose digits OCR read in part ("(677 (677"): no
    number at all, for a reader to look for."""
    region = card.region or card.contact.address.country or None
    kept = [
        phone
        for phone in card.contact.phones
        if sum(c.isdigit() for c in phone.number) >= phones.SHORT_DIGITS
        or phones.length_fault(phone, region) != phones.TOO_SHORT
    ]
    if len(kept) < len(card.contact.phones):
        del card.contact.phones[:]
        card.contact.phones.extend(kept)
        card.doubts.add("phones")


def _take_extensions(card: Card) -> None:
    """Makes a line of an extension's digits alone the extension of the
    card's first work number, or its direct line where the number ends in
    the switchboard's "-0"."""
    mains = [p for p in card.contact.phones if p.type == phones.WORK]
    for segment in card.texts():
        found = phones.EXTENSION_ALONE.fullmatch(segment.text)
        if found is None or not mains or mains[0].extension:
            continue
        segment.kind = "phone"
        whole = phones.extended(mains[0], found["digits"])
        if whole.raw == mains[0].raw:
            mains[0].extension = whole.extension
        else:
            card.contact.phones.append(whole)
            # A number the card prints only in part, for a reader to check.
            card.lower_confidence("phones", crosscheck.MISREAD_TRUST)
        return


def _type_unlabelled(card: Card, numbers: list[Segment]) -> None:
    """Types again the numbers printed with no label: by labels alone on
    the lines above them, else as a mobile where libphonenumber says so
    and another number is labelled work; otherwise each stays the card's
    work number."""
    bare = [s for s in numbers if s.bare]
    headed = _typed_by_labels_above(card, bare)
    labelled = [s for s in numbers if s not in bare or id(s) in headed]
    if not any(s.phone.type == phones.WORK for s in labelled):
        return
    # A generic heading over a list types its mobiles no more than no
    # label does: "Telefon" over "+49 89 …" and "+49 171 …".
    listed = [
        s for s in bare if s.phone.type == phones.WORK and headed.get(id(s), 0) > 1
    ]
    for segment in [s for s in bare if id(s) not in headed] + listed:
        if phones.kind_by_range(segment.phone, card.region) == phones.MOBILE:
            segment.phone.type = phones.MOBILE


def _typed_by_labels_above(card: Card, bare: list[Segment]) -> dict[int, int]:
    """Types each run of numbers with no label by the labels alone on the
    lines right above it: one label types the whole list under it, as many
    labels as numbers type them in order ("T:" and "M:" over two numbers
    in a column beside them). Returns how long the run of each number
    typed is, by the number's id."""
    by_order = {s.order: s for s in card.segments}
    orders = {s.order for s in bare}
    typed: dict[int, int] = {}
    for first in bare:
        if first.order - 1 in orders:
            continue
        run = [first]
        while run[-1].order + 1 in orders:
            run.append(by_order[run[-1].order + 1])
        labels = []
        while (above := by_order.get(first.order - len(labels) - 1)) is not None:
            kind = None if above.kind else phones.lone_label_kind(above.text)
            if kind is None:
                break
            labels.insert(0, (above, kind))
        if len(labels) not in (1, len(run)):
            continue
        kinds = [kind for _, kind in labels] * (len(run) // len(labels))
        for above, _kind in labels:
            above.kind = "label"
        for segment, kind in zip(run, kinds, strict=True):
            segment.phone.type = kind
            typed[id(segment)] = len(run)
    return typed


# OCR word confidence at which a number no number of its country is dialled
# as earns no trust, and the rise above it at which it earns full trust:
# stricter than for other fields, as a misread digit, which such a number
# may hold, leaves the rest of the line as sure. On photos of the sample
# cards Tesseract rated the digit groups it misread or cut short 0.82 and
# 0.87; the numbers of unassigned area codes it read right, 0.89 and up on
# over a hundred rendered cards, as low as 0.87 on a few photos.
INVALID_NUMBER_FLOOR = 0.8
INVALID_NUMBER_SPAN = 0.1


def _phone_trust(segment: Segment, region: str | None) -> float:
    phone = segment.phone
    trust = segment_trust(segment)
    # Digits OCR read twice were left out; one too many or too few for the
    # number's country were not: which ones the card means is a reader's
    # call.
    if segment.repaired or phones.length_fault(phone, region):
        trust = min(trust, crosscheck.MISREAD_TRUST)
    if phones.invalid(phone, region):
        trust = min(trust, _least_word_trust(segment))
    # Neither a label nor libphonenumber could type it: a reader might.
    if phone.type == phones.UNSPECIFIED:
        trust = min(trust, 0.75)
    if sum(c.isdigit() for c in phone.raw) < phones.SHORT_DIGITS:
        trust = min(trust, 0.5)
    # Normalising dropped a printed digit: which one the card means is a
    # reader's call.
    if phones.rewrites_digits(phone):
        trust = min(trust, 0.5)
    return trust


def _least_word_trust(segment: Segment) -> float:
    """How far OCR's confidence in the least sure word of a number that
    is dialled nowhere supports it."""
    line = segment.line
    start = line.text.find(segment.text)
    if start < 0 or len(line.word_confidences) != len(line.text):
        return segment_trust(segment)
    least = min(line.word_confidences[start : start + len(segment.text)])
    return max(0.0, min(1.0, (least - INVALID_NUMBER_FLOOR) / INVALID_NUMBER_SPAN))


def _take_address(card: Card) -> None:
    domains = crosscheck.domains(card.contact)
    block = _address_block(card.texts(), card.region, domains)
    if not block:
        return
    for segment in block:
        segment.kind = "address"
    texts = [s.text for s in block]
    # Where nothing tells the card's country, letters Turkish never writes
    # on it tell its "ı" is an "i" whose dot OCR lost: "Heisıngborg" on a
    # card with "Säljare"; address() does so where the country is known.
    if card.region is None and _in_other_letters_than_turkish(card):
        texts = [text.replace("ı", "i") for text in texts]
    address = addresses.address(texts, card.region)
    _town_initial_i_read_right(address)
    card.contact.address.CopyFrom(address)
    evidence = 1.0 if card.contact.address.postal_code else 0.6
    trust = min(segment_trust(s) for s in block)
    card.set_confidence("address", min(evidence, trust))


def _in_other_letters_than_turkish(card: Card) -> bool:
    """Whether a card prints letters Turkish never writes, and none that
    only Turkish and Azerbaijani write."""
    text = "".join(s.line.text for s in card.segments)
    return any(c in NOT_TURKISH_LETTERS for c in text.lower()) and not any(
        c in addresses.TURKISH_LETTERS for c in text
    )


def _town_initial_i_read_right(address: contact_pb2.Address) -> None:
    """Puts back the capital "I" OCR read as a small "l" at the start of the
    city, before a consonant no town's "L" comes before: "lpswich",
    "lnverness". Before a vowel, a "j" or an "h" it may be an "L" printed
    small ("04229 leipzig", "341 30 ljungby"), and stays."""
    city = address.city
    if not re.match(r"l[bcdfgkmnpqrstvwxz][a-zß-öø-ÿ]", city):
        return
    spelled = "I" + city[1:]
    at = address.full.rfind(city)
    address.full = address.full[:at] + spelled + address.full[at + len(city) :]
    address.city = spelled


# Words a line between a street and its code has at most.
SHORT_LINE_WORDS = 4


def _address_block(
    texts: list[Segment], region: str | None, domains: list[str]
) -> list[Segment]:
    """The consecutive text segments that make the address, around the
    last one with a postal code or, lacking one, a street."""
    by_order = {s.order: s for s in texts}
    anchors = [(s, code) for s in texts if (code := _postcode_of(s, by_order, region))]
    # On a card whose country nothing tells, a code that needs a street to
    # be one gives way to one that does not: "10115 Berlin" over "Treptow
    # 123456". Where the country is known, the last code is the address's.
    sure = [s for s, code in anchors if not (region or code.needs_street)]
    if anchors:
        anchor = (sure or [s for s, _ in anchors])[-1]
        return _around_postal_line(anchor, by_order, region, domains)
    # An Irish address may print neither its Eircode nor a house number:
    # "Main Street" over "Ennis, Co. Clare"; not a tagline under the firm,
    # "Serving Midleton, Co. Cork".
    counties = [
        s
        for s in texts
        if addresses.irish_county_line(s.text)
        and _street_line(_beside(s, by_order, -1))
    ]
    if counties:
        return _around_postal_line(counties[-1], by_order, region, domains)
    streets = [
        s
        for s in texts
        if (
            addresses.street_evidence(s.text)
            or addresses.english_street_and_town(s.text)
        )
        and re.search(r"\d", s.text)
        and _names_more_than_a_number(s, by_order)
    ]
    if not streets:
        return []
    street = streets[-1]
    return (
        _streets_above(street, by_order, domains, right_above_postcode=False)
        + [street]
        + _places_to_a_country(street, by_order, region)
    )


def _around_postal_line(
    anchor: Segment,
    by_order: dict[int, Segment],
    region: str | None,
    domains: list[str],
) -> list[Segment]:
    """The address's lines around the line that ends it, its postal line or
    an Irish county's: the street and city above, the city and country
    below."""
    return (
        _lines_above_postcode(anchor, by_order, region, domains)
        + [anchor]
        + _lines_below_postcode(anchor, by_order, region, domains)
    )


def _names_more_than_a_number(segment: Segment, by_order: dict[int, Segment]) -> bool:
    """True unless a line is a number alone with no address line above it
    to end: logos leave digits, and a number alone is no address."""
    if re.search(r"[^\W\d_]", segment.text):
        return True
    above = _beside(segment, by_order, -1)
    return (
        above is not None
        and _address_like(above)
        and re.search(r"[^\W\d_]", above.text) is not None
    )


def _lines_above_postcode(
    anchor: Segment,
    by_order: dict[int, Segment],
    region: str | None,
    domains: list[str],
) -> list[Segment]:
    """The city and street lines printed above a postal line."""
    above = _beside(anchor, by_order, -1)
    # An American military post office follows its unit or ship, whatever
    # it is named ("USNS Wells" over "FPO AP 89018"), unless the unit is on
    # its own line ("PSC 7562, Box 9613, APO AP 39200"); no department is.
    if above is not None and addresses.military_post(anchor.text):
        unit_beside = re.match(r"\s*(?:PSC|CMR|Unit)\b", anchor.text)
        return [] if unit_beside or roles.is_department(above.text) else [above]
    # The code alone, or with its region or county: "Manchester" over "M2
    # 4LQ", "Main St 5, Austin" over "TX 78701", "Maidstone" over "Kent ME17
    # 1PL".
    city_above = above is not None and (_is_place(above) or _ends_in_place(above))
    if city_above and (
        not _place_beside(anchor.text, region)
        or addresses.county_before_code(anchor.text, region)
        and _town_name(above.text)
    ):
        streets = _streets_above(above, by_order, domains, right_above_postcode=True)
        return streets + [above]
    return _streets_above(anchor, by_order, domains, right_above_postcode=True)


# Small words inside British and Irish towns' names: "Bridge of Allan",
# "Stratford upon Avon".
ENGLISH_TOWN_PARTICLES = word_set("of on upon under in by")


def _town_name(text: str) -> bool:
    """Whether a line is a town's name alone, as over a county and its
    code: one word ("Maidstone"), or words its small words join ("Bridge of
    Allan"); not a firm, a title or a person ("Khan Pharmacy", "Rebecca
    Hart")."""
    words = text.split()
    small = addresses.TOWN_PARTICLES | ENGLISH_TOWN_PARTICLES
    joined = len(words) == 1 or any(fold(w) in small for w in words[1:-1])
    return (
        joined
        and all(w[:1].isupper() or fold(w) in small for w in words)
        and not re.search(r"[\d@:/]", text)
        and not _names_a_firm(text)
        and not roles.title_word_count(text)
    )


def _streets_above(
    top: Segment,
    by_order: dict[int, Segment],
    domains: list[str],
    right_above_postcode: bool,
) -> list[Segment]:
    """The street lines above the top of an address, at most two, and a
    short line between them and the top that names a floor, a door or a
    building: "Paseo de Gracia, 85" over "Principal 2ª" over "08008
    Barcelona"."""
    above = _lines_above(top, by_order, domains)
    streets: list[Segment] = []
    for step, before in enumerate(above[:2], start=1):
        # Over a street's line, not a unit's alone ("Park Avenue" over
        # "Suite 2100").
        over_a_street = bool(streets) and not addresses.unit_first(streets[0].text)
        if _company_line(before, domains, over_a_street):
            break
        # A street's name with its number, or a name alone over a line that
        # starts with the number: "Incrocio Renzo" over "92, 13853, Crosa".
        named_over_postcode = (
            right_above_postcode
            and step == 1
            and (
                addresses.numbered_street(before.text)
                or addresses.english_street(before.text)
                # A title above a company passed over is no street's name,
                # nor is a department ("Finance" over "90, rue Léger").
                or (
                    addresses.number_first(top.text)
                    and _is_place(before)
                    and before is _beside(top, by_order, -1)
                    and not roles.is_department(before.text)
                )
                or _street_without_number(before, by_order, domains)
            )
        )
        if _address_like(before) or named_over_postcode:
            streets.insert(0, before)
            continue
        street = above[step] if step < len(above) else None
        short = len(before.text.split()) <= SHORT_LINE_WORDS
        if step == 1 and short and street is not None and _address_like(street):
            streets[:0] = [street, before]
        break
    return streets


def _street_without_number(
    line: Segment, by_order: dict[int, Segment], domains: list[str]
) -> bool:
    """Whether a line of words right above a postal line is the street or
    building it names without a house number, as Irish addresses print
    one ("Cnoc na Radharc" over "Leitir Ceanainn, Co. Dhún na nGall"):
    where another line names the company, which a line in its place would
    otherwise be taken for; not a title, a department, a firm, nor the
    person: a line in the card's largest type, or the only one shaped as a
    name."""
    others = [s for s in by_order.values() if s is not line]
    largest = _largest_type([s.line for s in by_order.values()])
    return (
        _is_place(line)
        and line.line.height < largest
        and not roles.title_word_count(line.text)
        and not roles.is_department(line.text)
        and not _names_a_firm(line.text)
        and not _only_shaped_as_a_name(line, others)
        and any(
            _names_a_firm(s.text) or _names_the_company(s.text, domains) for s in others
        )
    )


def _only_shaped_as_a_name(line: Segment, others: list[Segment]) -> bool:
    """Whether a line is shaped as a person's name and no other line, but
    for titles and firms, is as much."""
    likeness = names.likeness(line.text)
    return likeness >= NAME_LIKE and not any(
        names.likeness(s.text) >= likeness
        and not roles.title_word_count(s.text)
        and not _names_a_firm(s.text)
        for s in others
    )


def _beside(
    segment: Segment, by_order: dict[int, Segment], step: int
) -> Segment | None:
    """The segment a number of lines above (a negative step) or below a
    segment in its column. A line that shares no stretch of the card's
    width with it stands in another column, which OCR may have read in
    between, unless it stands on the same row and one of the two has no
    line of its own column near: then it is a piece of the same row
    ("Hauptstraße 5" beside "80331 München")."""
    found: Segment | None = segment
    for _ in range(abs(step)):
        found = _next_in_column(segment, found.order, by_order, 1 if step > 0 else -1)
        if found is None:
            return None
    return found


def _next_in_column(
    segment: Segment, after: int, by_order: dict[int, Segment], direction: int
) -> Segment | None:
    """The next segment after the order given in the segment's column: a
    line beside it that stands in no column of its own is in its column all
    the same, set in or a piece of its row."""
    order = after + direction
    while (other := by_order.get(order)) is not None:
        if _share_width(other.line, segment.line):
            return other
        if not _in_a_column(other, by_order, apart_from=segment):
            return other
        one_row = _share_row(other.line, segment.line)
        if one_row and not _in_a_column(segment, by_order, apart_from=other):
            return other
        order += direction
    return None


# How many lines away in reading order, and how many of its line heights
# away on the card, the lines of a segment's column are looked for.
COLUMN_REACH = 3
COLUMN_REACH_HEIGHTS = 3


def _in_a_column(
    segment: Segment, by_order: dict[int, Segment], apart_from: Segment
) -> bool:
    """Whether lines right above or below a segment share its stretch of
    the card's width, but for lines as wide as to span the other segment's
    too, as a footer across the card does."""
    line = segment.line
    reach = range(-COLUMN_REACH, COLUMN_REACH + 1)
    near = [by_order.get(segment.order + k) for k in reach]
    return any(
        other is not None
        and other is not segment
        and _share_width(other.line, line)
        and not _share_width(other.line, apart_from.line)
        and not _share_row(other.line, line)
        and abs(other.line.top - line.top) <= COLUMN_REACH_HEIGHTS * line.height
        for other in near
    )


def _share_width(line: Line, other: Line) -> bool:
    return line.left < other.left + other.width and other.left < line.left + line.width


def _share_row(line: Line, other: Line) -> bool:
    return line.top < other.top + other.height and other.top < line.top + line.height


# Words that put a company into an address: "c/o Regus GmbH", "im Hause".
CARE_OF = re.compile(
    r"\s*(?:c/o|c\.o\.|care\s+of|attn|z\.?\s?hd|im\s+hause|bei|chez|immeuble"
    r"|b[aâ]timent|edificio|edif[ií]cio|building|tower)\b",
    re.IGNORECASE,
)


def _lines_above(
    top: Segment, by_order: dict[int, Segment], domains: list[str]
) -> list[Segment]:
    """The three lines above the top of an address, nearest first, past a
    company read right above it, as when two columns' lines interleave:
    "Trecho Lopes" over "Dias - ME" over "3, Vila Aeroporto, 38804-323"; a
    company by its legal form or a domain that spells it, and not one the
    address is in the care of ("c/o Regus GmbH")."""
    above = []
    passed_company = False
    before = top
    while len(above) < 3 and (before := _beside(before, by_order, -1)) is not None:
        company = _company_line(before, domains, over_a_street=False)
        if company and not passed_company and not above:
            passed_company = True
            continue
        above.append(before)
    return above


def _company_line(segment: Segment, domains: list[str], over_a_street: bool) -> bool:
    """Whether a line names the company, by its legal form or a domain that
    spells it, and not its street: a firm named after a street has no house
    number and holds the street's type inside its name ("Harcourt Lane
    Capital LLP"), and an address in a company's care names it ("c/o Regus
    GmbH"). A line of a street's shape is a street ("Corporation Street",
    "Harbour Lane" at harbourlane.co.uk), unless a domain spells it over a
    street already found: "Hotel Plaça" over "Carrer de Mallorca, 255"."""
    spelled = _domain_fit(segment.text, domains) >= COMPANY_SPELLED
    named = companies.legal_form(segment.text) or spelled
    shaped = _address_like(segment) and (
        re.search(r"\d", segment.text)
        or addresses.street_type_at_an_end(segment.text)
        and not (over_a_street and spelled)
    )
    return bool(named) and not (shaped or CARE_OF.match(segment.text))


def _lines_below_postcode(
    anchor: Segment,
    by_order: dict[int, Segment],
    region: str | None,
    domains: list[str],
) -> list[Segment]:
    """The city printed under a line that ends with its postal code, and a
    country line that ends the address."""
    below = []
    after = _beside(anchor, by_order, 1)
    if _ends_with_postcode(anchor.text, region) and _is_city(after):
        # A line a domain spells under a postal line that names its place
        # beside the code is the company, which OCR may read after the
        # address in two columns. Under a code alone a town stays the town,
        # though a domain spell it ("1011 PN" over "Amsterdam", amsterdam.nl).
        if not (
            _place_beside(anchor.text, region)
            and _names_the_company(after.text, domains)
        ):
            below.append(after)
        after = _beside(after, by_order, 1)
    if after is not None and countries.code_of(after.text):
        below.append(after)
    return below


def _places_to_a_country(
    street: Segment, by_order: dict[int, Segment], region: str | None
) -> list[Segment]:
    """The lines of places under a street with no postcode, up to and with
    the country that ends them, or a region of the card's country: "Las
    Condes, Santiago" over "Chile", "Business Bay, Dubai" on a card with
    numbers of the Emirates; none when neither ends them, as they may be
    anything else."""
    places: list[Segment] = []
    for step in (1, 2, 3):
        line = _beside(street, by_order, step)
        if not _is_place(line):
            return []
        places.append(line)
        if countries.split_trailing(line.text)[1]:
            return places
        # A Dublin district tells its country, though it be printed under it.
        if addresses.dublin_district(line.text):
            after = _beside(line, by_order, 1)
            country = after is not None and countries.code_of(after.text)
            return places + [after] if country else places
        if step == 1 and region and _towns_to_a_region(line.text, region):
            return places
    return []


def _towns_to_a_region(text: str, region: str) -> bool:
    """Whether a line names towns, as printed, up to a region of the card's
    country: "Business Bay, Dubai", not "Admitted in New York, New Jersey"
    or "Regional Manager, Queensland"."""
    *towns, last = text.split(",")
    return (
        addresses.names_a_region(last, region)
        and all(addresses.a_town(town) for town in towns)
        and roles.title_word_count(text) == 0
    )


def _postcode_of(
    segment: Segment, by_order: dict[int, Segment], region: str | None
) -> addresses.Postal | None:
    """The postcode a line holds where the lines around it make it one."""
    postal = addresses.postal_code(segment.text, region)
    # A tax or company number can have a postcode's shape: "KvK 12345678".
    if postal is None or phones.prints_registration(segment.text):
        return None
    return postal if _postal_line(segment, postal, by_order) else None


def _postal_line(
    segment: Segment, postal: addresses.Postal, by_order: dict[int, Segment]
) -> bool:
    above = _beside(segment, by_order, -1)
    if postal.needs_street:
        # "Auckland 1010" after its street or under it, not "Since 1987"; a
        # code alone under its street or under the town under it.
        before = segment.text[: postal.start].strip(" ,")
        two_above = _beside(segment, by_order, -2)
        return (
            _names_a_street(before)
            or _street_line(above)
            or (_is_place(above) and _street_line(two_above))
        )
    # A postal code comes with a place name beside it, or above it: the
    # British print "Manchester" over "M2 4LQ", Brazil a city over its CEP.
    if sum(c.isalpha() for c in segment.text) >= 3:
        return True
    if _is_place(above) or (above is not None and _ends_in_place(above)):
        return True
    # A code whose shape names its country, alone under its street, with
    # the city under it: "Oudegracht 210" / "3511 NR" / "Utrecht", and a
    # street without a street word: "Amstel 1" / "1011 PN" / "Amsterdam".
    return (
        postal.country is not None
        and above is not None
        and _names_a_street(above.text)
        and _is_city(_beside(segment, by_order, 1))
    )


def _place_beside(text: str, region: str | None) -> bool:
    """True when a postal line names a place beside its code, not only a
    word for "postcode"."""
    postal = addresses.postal_code(text, region)
    if postal is None:
        return False
    rest = addresses.POSTCODE_MARK.sub("", text[: postal.start]) + text[postal.end :]
    return sum(c.isalpha() for c in rest) >= 3


def _ends_with_postcode(text: str, region: str | None) -> bool:
    postal = addresses.postal_code(text, region)
    return postal is not None and not text[postal.end :].strip(" ,.")


def _ends_in_place(segment: Segment) -> bool:
    """True when a line's last comma-parted piece is a place: "Calle Mayor
    4, Huesca"."""
    head, comma, last = segment.text.rpartition(",")
    place = addresses.PLACE.fullmatch(last.strip()) or addresses.dublin_district(last)
    return bool(comma and head.strip() and place)


def _is_city(segment: Segment | None) -> bool:
    """True when a line may be a city alone: a place of a few words, read
    with some confidence, not a speck of a logo ("Co")."""
    if not _is_place(segment) or ocr_trust(segment.line) == 0:
        return False
    if sum(c.isalpha() for c in segment.text) < 3:
        return False
    # A province in brackets after the city is no more of its name.
    words = re.sub(r"\([^)]*\)", "", segment.text).split()
    return len(words) <= 4


def _is_place(segment: Segment | None) -> bool:
    return segment is not None and (
        addresses.PLACE.fullmatch(segment.text) is not None
        or addresses.dublin_district(segment.text)
    )


def _street_line(segment: Segment | None) -> bool:
    return segment is not None and _names_a_street(segment.text)


def _names_a_street(text: str) -> bool:
    """True when text is a street, with a street word or a house number
    before or after its name: "Havnevej 3", "Borgerstræde 782", "28/23,
    Bajwa Ganj"."""
    return _street_like(text) or addresses.numbered_street(text)


def _address_like(segment: Segment) -> bool:
    # A name with a number after it is more often two columns run together
    # than a street, unless a postcode is printed beside it or under it.
    return _street_like(segment.text)


def _street_like(text: str) -> bool:
    # A street line names a street type or starts with its house number,
    # perhaps after its unit ("Level 3 1 Johnson Arcade").
    return (
        addresses.street_evidence(text)
        or re.match(r"\d", text) is not None
        or addresses.unit_first(text)
    )


# A name read less surely than this may have a letter put right from the
# email; OCR rates most names it reads right above it.
UNSURE_NAME = 0.8

# Kinds of segment made of words rather than numbers or addresses.
_WORDY = ("", "name", "title", "department", "company")


def _take_people_and_organisation(card: Card) -> None:
    texts = card.texts()
    _take_department(card, texts)
    _take_company(card, card.texts())
    if _capitalised_but_l(card.contact.company):
        card.contact.company = _SMALL_L_FOR_I.sub("I", card.contact.company)
        card.lower_confidence("company", crosscheck.INITIAL_TRUST)
    _take_name(card, card.texts())
    _small_l_read_right(card.contact.name)
    _take_title(card, card.texts())
    _take_company_by_place(card)
    crosscheck.credit_corroboration(card.contact)
    crosscheck.back_links_by_each_other(card.contact)
    # After the credit: an email that spells the name put right from it
    # does not corroborate it.
    _name_letters_from_email(card)
    _stray_mark_left_out(card)
    _keep_unchecked_characters_doubted(card)
    _keep_repairs_doubted(card)
    crosscheck.put_back_ls(card.contact)
    crosscheck.outvote_misread_domains(card.contact)
    crosscheck.unblur_domains(card.contact)
    crosscheck.repair_initials(card.contact)
    crosscheck.repair_initial_dots(card.contact)
    crosscheck.repair_local_parts(card.contact)
    crosscheck.repair_company_letters(card.contact)
    crosscheck.repair_legal_form(card.contact)
    crosscheck.doubt_cut_legal_form(card.contact)
    crosscheck.repair_by_legal_form(card.contact)
    crosscheck.doubt_near_misses(card.contact)
    _keep_unsure_marks_doubted(card)
    _keep_clipped_doubted(card)


def _name_letters_from_email(card: Card) -> None:
    """Puts right a letter OCR misread in a name it was unsure of, from an
    email it read more surely that spells the name's word otherwise by that
    letter; or an "l" it read as an "i" however sure it was, where the
    company spells the word as the email does ("Karisson" beside
    g.karlsson@ at "Karlsson & Mohamed HB"). Doubted, as the email may be
    another's."""
    names_read = card.texts("name")
    if not names_read or not card.contact.emails:
        return
    unsure = min(s.line.confidence for s in names_read) < UNSURE_NAME
    company_words = set(wording.words(card.contact.company))
    local_words = [
        word
        for s in card.texts("email")
        if s.line.confidence > UNSURE_NAME
        for word in re.split(r"[._-]", s.text.split("@")[0].lower())
    ]
    name = card.contact.name
    for word in names.split_parts(name.full):
        found = misreads.name_word_by_email(word, local_words)
        if found is None:
            continue
        spelled, letter = found
        l_for_i = misreads.l_read_as_i(word.lower(), spelled.lower())
        witnessed = l_for_i and fold(spelled) in company_words
        doubted = unsure and any(
            _letter_unsure(s.line, word, letter) for s in names_read
        )
        if not witnessed and not doubted:
            continue
        _put_name_word(name, word, spelled)
        card.lower_confidence("name", crosscheck.MISREAD_TRUST)


def _put_name_word(name: contact_pb2.PersonName, word: str, spelled: str) -> None:
    swap = re.compile(rf"\b{re.escape(word)}\b")
    name.full, name.given, name.family = (
        swap.sub(spelled, part) for part in (name.full, name.given, name.family)
    )


def _stray_mark_left_out(card: Card) -> None:
    """Leaves out of a name the one mark no language of the card writes,
    where an email spells the name's word without it ("McIīneely" beside
    bmcineely@ on an Irish card reads "McIneely"): the email would vouch
    for the name as read, as its matching leaves marks out. Doubted, as
    the mark may be the person's own."""
    name = card.contact.name
    strange = misreads.strange_marks(name.full, card.region)
    if len(strange) != 1:
        return
    local_parts = names.letters_of([e.split("@")[0] for e in card.contact.emails])
    word = next(w for w in names.split_parts(name.full) if strange[0] in w)
    spelled = misreads.stray_mark_left_out(word, strange[0], local_parts)
    if spelled is None:
        return
    _put_name_word(name, word, spelled)
    card.lower_confidence("name", crosscheck.MISREAD_TRUST)


# OCR rates the letters of a name it read right above this, one by one.
UNSURE_LETTER = 0.96


def _letter_unsure(line: Line, word: str, letter: int) -> bool:
    """Whether OCR was unsure of the letter at that place of the word in
    the line; without its word on each character nothing is doubted."""
    match = re.search(rf"\b{re.escape(word)}\b", line.text)
    if match is None or match.start() + letter >= len(line.characters):
        return False
    return line.characters[match.start() + letter] < UNSURE_LETTER


def _keep_repairs_doubted(card: Card) -> None:
    # An "@" put back is a guess that its own host cannot confirm, since the
    # host was found by it; only the name and the company both spelling the
    # email can.
    contact = card.contact
    for segment in card.texts("email"):
        if segment.repaired and not crosscheck.spelled_out(contact, segment.text):
            card.lower_confidence("emails", crosscheck.MISREAD_TRUST)


def _keep_unchecked_characters_doubted(card: Card) -> None:
    # The company spells only an email's domain, and the name only the
    # letters of its local part: a dot read as a hyphen, a digit or a local
    # part no name spells stays as sure as OCR was of those characters.
    contact = card.contact
    for segment in card.texts("email"):
        line, local = segment.line, segment.text.split("@")[0]
        start = line.text.lower().find(local + "@")
        # Without OCR's word on each character there is nothing to go by.
        if start < 0 or len(line.characters) != len(line.text):
            continue
        spelled = names.email_overlap(contact.name.full, local) >= 0.9
        read = zip(local, line.characters[start:], strict=False)
        unchecked = [c for letter, c in read if not (spelled and letter.isalpha())]
        if not unchecked:
            continue
        trust = max(segment_trust(segment), character_trust(min(unchecked)))
        card.lower_confidence("emails", trust)


def _keep_unsure_marks_doubted(card: Card) -> None:
    # A domain spells a company's letters but not their marks, which emails
    # leave out: a mark OCR was unsure of, or of the letter beside it, may
    # be a speck of noise ("Weijters & deë Bruijn"), and stays as sure as
    # OCR was. Where a mark belongs no rule tells for every language.
    for segment in card.texts("company"):
        line = segment.line
        start = line.text.find(segment.text)
        if start < 0 or len(line.characters) != len(line.text):
            continue
        sureness = line.characters[start : start + len(segment.text)]
        marked = [i for i, c in enumerate(segment.text) if fold(c) != c.lower()]
        around = [
            sureness[j]
            for i in marked
            for j in (i - 1, i, i + 1)
            if 0 <= j < len(sureness)
        ]
        if around:
            card.lower_confidence("company", character_trust(min(around)))


# The contact's confidence key for each kind of segment that makes a field.
_FIELD_OF_KIND = {
    "email": "emails",
    "website": "websites",
    "phone": "phones",
    "address": "address",
    "name": "name",
    "title": "title",
    "department": "department",
    "company": "company",
}


def _keep_clipped_doubted(card: Card) -> None:
    # A field read from a line that runs into the picture's edge may have
    # lost letters there, however well OCR read the rest and whatever
    # other fields spell: they spell the start of it as well as the whole.
    for segment in card.segments:
        field_name = _FIELD_OF_KIND.get(segment.kind)
        if field_name is None or not segment.line.clipped:
            continue
        # Reading a confidence the map lacks would add it.
        if field_name in card.contact.confidence:
            card.lower_confidence(field_name, CLIPPED_TRUST)


def character_trust(confidence: float) -> float:
    """How far OCR's confidence in one character supports it: Tesseract
    rates the characters it reads right at 0.98 or more, and rarely rates
    one below CHARACTER_FLOOR that it read right."""
    span = 1.0 - CHARACTER_SURE_MARGIN - CHARACTER_FLOOR
    return max(0.0, min(1.0, (confidence - CHARACTER_FLOOR) / span))


# How nearly a domain spells a line named as a department for the line to
# be the firm, no department: "Brass Section" at brasssectionband.com; a
# short word a letter off the domain is another word, "Sales" at alves.org.
DEPARTMENT_SPELLED = 0.85


def _take_department(card: Card, texts: list[Segment]) -> None:
    domains = crosscheck.domains(card.contact)
    found = next(
        (
            s
            for s in texts
            if roles.is_department(s.text)
            and _domain_fit(s.text, domains) < DEPARTMENT_SPELLED
        ),
        None,
    )
    # A university's institute is its department: "Institut für Informatik"
    # of "Technische Universität Dresden".
    units = [s for s in texts if companies.names_unit(s.text)]
    if found is None and units:
        parents = [
            s for s in texts if s not in units and companies.names_parent(s.text)
        ]
        found = (
            units[0] if parents and not roles.title_word_count(units[0].text) else None
        )
    if found is not None:
        found.kind = "department"
        card.contact.department = found.text
        card.set_confidence("department", segment_trust(found))
        return
    for segment in texts:
        spelled = roles.misread_department(segment.text)
        # A one-word company its domain spells is no department misread.
        if spelled and _domain_fit(segment.text, domains) < COMPANY_SPELLED:
            segment.kind = "department"
            card.contact.department = spelled
            # A guess from likeness, which no other field can confirm.
            trust = min(segment_trust(segment), crosscheck.MISREAD_TRUST)
            card.set_confidence("department", trust)
            return


def _company_evidence(segment: Segment, domains: list[str]) -> float:
    text = segment.text
    likeness = _domain_fit(text, domains)
    legal = 0.9 if companies.legal_form(text) and not _title_with_a_form(text) else 0.0
    kind = 0.7 if companies.names_organisation(text) else 0.0
    evidence = max(likeness, legal, kind)
    # A line that spells the domain, whole or by its initials, is the
    # company even with a word titles use too, as in "Ledgerline
    # Analytics"; so is one with a legal form, which no title has.
    if roles.title_word_count(text) and likeness < 0.9 and not legal:
        evidence -= 0.4
    return evidence


def _title_with_a_form(text: str) -> bool:
    """Whether a line is a job title that holds a word of a legal form, its
    other words all titles' words: "Company secretary", "Company Director";
    not "Acme Company"."""
    rest = companies.LEGAL_FORM.sub(" ", text)
    named = [word for word in wording.words(rest) if len(word) > 1]
    return bool(named) and roles.title_word_count(rest) == len(named)


def _fit_to_domain(segment: Segment, domains: list[str]) -> None:
    """Cuts a stray word off a line that is the company without it: OCR
    joins a logo's letters before it, or a house number from the next
    column after it."""
    words = segment.text.split()
    if len(words) < 2:
        return
    now = _domain_fit(segment.text, domains)
    shorter_forms = []
    # A logo leaves a few letters or marks; a longer word is the company's
    # own, as in "Institut Pasteur" at pasteur.fr.
    if len(words[0]) <= 3 or not words[0].isalpha() or not words[0][0].isupper():
        shorter_forms.append(" ".join(words[1:]))
    if words[-1].isdigit():
        shorter_forms.append(" ".join(words[:-1]))
    for shorter in shorter_forms:
        if _domain_fit(shorter, domains) >= max(now + 0.01, 0.95):
            segment.text = shorter
            return


def _names_the_company(text: str, domains: list[str]) -> bool:
    """Whether a line without digits names the company, as a domain spells
    it; a legal form alone does not tell ("Castanea Delle Furie (ME)" is
    a town and its province)."""
    if any(c.isdigit() for c in text):
        return False
    return _domain_fit(text, domains) >= COMPANY_SPELLED


def _domain_fit(text: str, domains: list[str]) -> float:
    return max((companies.domain_likeness(text, d) for d in domains), default=0.0)


# How much a domain must look like a line for the line to name the company.
COMPANY_SPELLED = 0.9
# How much evidence a line needs to be taken for the company.
COMPANY_LEAST = 0.6

# How much a line must look like a name to be one candidate for it, and
# how much the only one in the largest type must, to be taken for the
# person rather than a company its domain spells.
NAME_LIKE = 0.6
NAME_IN_PRINT = 0.8


def _take_company(card: Card, texts: list[Segment]) -> None:
    domains = crosscheck.domains(card.contact)
    local_parts = [e.split("@")[0] for e in card.contact.emails]
    only_name = _only_name_in_print(texts)
    small_name = _name_in_small_letters(card, texts)
    for segment in texts:
        # A footer of register numbers names no firm, though it says
        # "Company No." or starts with a legal form: "SARL au capital de
        # 50 000 € – RCS Rennes 512 345 678"; a firm's name before its
        # numbers does: "Romano Arredamenti S.r.l. – P.IVA 02345678901".
        person = segment is only_name or segment is small_name
        firm = phones.before_registration(segment.text)
        registered = firm != segment.text
        footer = registered and (not firm or phones.SHARE_CAPITAL.search(firm))
        if person or footer or _is_the_person(segment.text, local_parts, domains):
            segment.score = 0.0
            continue
        segment.text = firm
        _fit_to_domain(segment, domains)
        segment.score = _company_evidence(segment, domains)
    _take_best(card, texts, "company", least=COMPANY_LEAST)
    _join_name_over_two_lines(card)


def _join_name_over_two_lines(card: Card) -> None:
    """Makes the company the two lines its name is set over: the company's
    line and the one under or above it that finishes or starts its name
    ("Nordvik" over "Technology"), or, where no line alone is the company,
    two lines that are together ("Nordvik" over "Technology" at
    nordvik-technology.no); as sure as the joined name is a company, but no
    surer than OCR read both lines."""
    domains = crosscheck.domains(card.contact)
    company = next((s for s in card.segments if s.kind == "company"), None)
    if company is not None:
        pairs = [_name_over_two_lines(company, card)]
    else:
        pairs = [_name_over_two_lines(s, card) for s in card.texts()]
    scored = [
        (_company_evidence(_joined(*pair), domains), pair) for pair in pairs if pair
    ]
    evidence, pair = max(scored, key=lambda found: found[0], default=(0.0, None))
    if pair is None or company is None and evidence < COMPANY_LEAST:
        return
    first, second = pair
    trust = min(segment_trust(first), segment_trust(second))
    first.kind = second.kind = "company"
    card.contact.company = _joined(first, second).text
    sure = max(evidence, card.contact.confidence.get("company", 0.0))
    card.set_confidence("company", min(sure, trust))


def _joined(first: Segment, second: Segment) -> Segment:
    """The first of two segments with the text of both."""
    return replace(first, text=f"{first.text} {second.text}")


def _name_over_two_lines(
    segment: Segment, card: Card
) -> tuple[Segment, Segment] | None:
    """A line and the line right under or above it that hold a company's
    name together, in reading order, each alone on its line and the lower
    one lined up right under the upper; None where there is none."""
    segments = card.segments
    at = segment.order
    below = segments[at + 1] if at + 1 < len(segments) else None
    above = segments[at - 1] if at > 0 else None
    department = card.contact.department
    for first, second in ((segment, below), (above, segment)):
        if first is None or second is None or first.line is second.line:
            continue
        if (
            _alone_on_its_line(first, segments)
            and _alone_on_its_line(second, segments)
            and _right_under(second.line, first.line)
            and (
                _finished_below(first.text, second.text, department)
                or _continued_below(first.text, second.text, department)
            )
        ):
            return first, second
    return None


def _finished_below(upper: str, lower: str, department: str) -> bool:
    """Whether the lower of two lines is made of the words that finish a
    company's name ("Nordvik" over "Technology"), the upper carrying no
    legal form, which ends a name, nor a title's, department's or slogan's
    words or a number, and not shaped as a person's name."""
    return (
        companies.finishes_name(lower)
        and not roles.is_department(lower)
        and not roles.title_word_count(lower)
        and not companies.legal_form(upper)
        and names.likeness(upper) < NAME_LIKE
        and _could_be_company(upper, department)
    )


# The most words the line a company's name goes on to has.
CONTINUED_MOST_WORDS = 4


def _continued_below(upper: str, lower: str, department: str) -> bool:
    """Whether the upper of two lines ends in a word or mark that goes on
    to the lower ("Müller &" over "Söhne GmbH", "Hansen &" over "Partner
    AS"): the upper with no title's, department's or slogan's words, the
    lower a few words from a capital, no department's nor, without a legal
    form, a title's."""
    return (
        companies.ends_unfinished(upper)
        and _could_be_company(upper, department)
        and lower[:1].isupper()
        and len(lower.split()) <= CONTINUED_MOST_WORDS
        and not re.search(r"[@/:•·|]|\d", lower)
        and not roles.is_department(f"{upper} {lower}")
        and bool(companies.legal_form(lower) or not roles.title_word_count(lower))
    )


def _alone_on_its_line(segment: Segment, segments: list[Segment]) -> bool:
    """Whether a segment of words no other field than the company took is
    all its line holds."""
    return segment.kind in ("", "company") and not any(
        s.line is segment.line for s in segments if s is not segment
    )


def _right_under(line: Line, upper: Line) -> bool:
    """Whether a line is set right under another, lined up with it, with
    no more room between them than a line's height."""
    room = line.top - upper.top - upper.height
    return 0 <= room <= max(line.height, upper.height) and _lined_up(line, upper)


def _only_name_in_print(texts: list[Segment]) -> Segment | None:
    """The line in the card's largest type when it is the only one shaped
    as a person's name and nothing marks it a firm: "Chloe Nguyen" at
    chloenguyen.design names her, not a company."""
    named = [
        s
        for s in texts
        if names.likeness(s.text) >= NAME_LIKE
        and not roles.title_word_count(s.text)
        and not _names_a_firm(s.text)
    ]
    if len(named) != 1:
        return None
    line, text = named[0].line, named[0].text
    if line.height < max(s.line.height for s in texts):
        return None
    return named[0] if names.likeness(text) >= NAME_IN_PRINT else None


def _names_a_firm(text: str) -> bool:
    return bool(companies.legal_form(text) or companies.names_organisation(text))


def _is_the_person(text: str, local_parts: list[str], domains: list[str]) -> bool:
    """True when a line is a name whose email spells a word of it that the
    domain does not hold: "Łukasz Wróbel" of lukasz@wrobel.pl is the person,
    not the company his domain is named for; "Wróbel GmbH", "Bufete
    Fernández" and "Lefebvre Frères" of jm.lefebvre@lefebvre-freres.fr stay
    companies."""
    if _names_a_firm(text) or names.likeness(text) < NAME_LIKE:
        return False
    domain_letters = [re.sub(r"[^a-z]", "", fold(d)) for d in domains]
    for word in names.split_parts(text):
        letters = re.sub(r"[^a-z]", "", fold(word))
        spelled = any(names.email_overlap(word, lp) >= 0.5 for lp in local_parts)
        if spelled and not any(letters in d for d in domain_letters):
            return True
    return False


def _take_best(card: Card, texts: list[Segment], field: str, least: float) -> None:
    """Makes the best-scored text the contact's field, when it scores at
    least `least`; its confidence is the score, capped by OCR's trust."""
    best = max(texts, key=lambda s: s.score, default=None)
    if best is None or best.score < least:
        return
    best.kind = field
    setattr(card.contact, field, best.text)
    card.set_confidence(field, min(best.score, segment_trust(best)))


def _name_score(
    text: str, segment: Segment, tallest: int, local_parts: list[str]
) -> float:
    likeness = names.likeness(text)
    if likeness == 0:
        return 0.0
    size = segment.line.height / tallest
    overlap = max((names.email_overlap(text, lp) for lp in local_parts), default=0)
    score = likeness * (0.4 + 0.3 * size + 0.4 * overlap)
    return score - 0.3 * roles.title_word_count(text)


def _take_name(card: Card, texts: list[Segment]) -> None:
    if not texts:
        return
    tallest = max(1, *(s.line.height for s in texts))
    local_parts = [e.split("@")[0] for e in card.contact.emails]
    # The words of a line an email backs, when it backs only some.
    two_family_names = _carries_two_family_names(card)
    trimmed = {
        id(s): names.trim_to_email(s.text, local_parts, two_family_names) for s in texts
    }
    for segment in texts:
        text = trimmed[id(segment)]
        segment.score = _name_score(text, segment, tallest, local_parts)
        if text != segment.text:
            # Words cut off a name lower the trust in it.
            segment.score *= 0.9
    best = max(texts, key=lambda s: s.score)
    trust = min(best.score / 0.75, segment_trust(best))
    if best.score <= 0.3:
        best = _name_in_small_letters(card, texts)
        if best is None:
            return
        trust = min(SMALL_LETTERS_NAME_TRUST, segment_trust(best))
    trimmed_text = trimmed.get(id(best), best.text)
    # Digits cut off the name's line, as many as a number has, are a
    # number OCR read too poorly to take: a two-column card's phone beside
    # the name ("Ana Carolina Pastor TM2@1436369:7936").
    if _digits(best.text) - _digits(trimmed_text) >= phones.SHORT_DIGITS:
        card.doubts.add("phones")
    best.kind, best.text = "name", trimmed_text
    card.contact.name.CopyFrom(
        names.person_name(best.text, local_parts, two_family_names)
    )
    card.set_confidence("name", trust)


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _carries_two_family_names(card: Card) -> bool:
    """Whether the card is of a country whose people carry two family
    names, as its numbers, postcode, email or address tell, or, where
    none of them does, as its words in Spanish, Catalan or Portuguese
    tell."""
    country = card.region or card.contact.address.country
    if country:
        return country in names.TWO_FAMILY_NAMES
    printed = {w for s in card.segments for w in wording.words(s.line.text)}
    return bool(printed & names.TWO_FAMILY_NAMES_WORDS)


# Trust in a name printed in small letters that the emails and domains spell.
SMALL_LETTERS_NAME_TRUST = 0.8


def _name_in_small_letters(card: Card, texts: list[Segment]) -> Segment | None:
    """The name of a card set all in small letters, which no capital tells:
    the line in its largest type whose every word but particles an email's
    local part or the domain spells, and one of them the local part, "sam
    king" of sam@kingstudio.co.uk, not the logo "studio nord" of
    anna@studionord.se; None where there is no such line, or where a line
    is shaped as a name in capitals."""
    if any(names.likeness(s.text) >= NAME_LIKE for s in texts):
        return None
    locals_ = [
        re.sub(r"[^a-z]", "", fold(e.split("@")[0])) for e in card.contact.emails
    ]
    letters = locals_ + [
        re.sub(r"[^a-z]", "", d) for d in crosscheck.domains(card.contact)
    ]
    tallest = max((s.line.height for s in texts), default=0)
    for segment in texts:
        words = segment.text.split()
        named = [fold(w) for w in words if w not in names.PARTICLES]
        if (
            segment.line.height == tallest
            and 2 <= len(words) <= 5
            and re.fullmatch(r"[a-zß-öø-ÿ'’ -]+", segment.text)
            and not roles.title_word_count(segment.text)
            and all(any(w in spelling for spelling in letters) for w in named)
            and any(w in local for w in named for local in locals_)
        ):
            return segment
    return None


# Trust in a company told by nothing but where the card prints it: below
# the review threshold, for a reader to check.
PLACE_ONLY_TRUST = 0.5


def _take_company_by_place(card: Card) -> None:
    """With no domain, legal form or word for an organisation to tell it,
    the company is the line of words where cards print it: right above the
    name, or right after the name's title and department."""
    if card.contact.company:
        return
    segments = card.segments
    at = next((i for i, s in enumerate(segments) if s.kind == "name"), None)
    if at is None:
        return
    after = at + 1
    while after < len(segments) and _under_the_name(segments[after]):
        after += 1
    places = [segments[i] for i in (at - 1, after) if 0 <= i < len(segments)]
    found = next(
        (
            s
            for s in places
            if s.kind == "" and _could_be_company(s.text, card.contact.department)
        ),
        None,
    )
    if found is None:
        return
    found.kind = "company"
    card.contact.company = found.text
    card.set_confidence("company", min(PLACE_ONLY_TRUST, segment_trust(found)))
    _join_name_over_two_lines(card)


def _under_the_name(segment: Segment) -> bool:
    """Whether a line is one cards print between the name and the company:
    the title, the department, or the number the person is registered
    under with their profession's council ("OAB/SP 245.118")."""
    if segment.kind in ("title", "department"):
        return True
    return segment.kind == "" and phones.is_registration(segment.text)


# Words a slogan speaks to its reader with, which no company's name holds.
SLOGAN_WORDS = word_set("you your we our us")


def _could_be_company(text: str, department: str) -> bool:
    """True for a short line starting with a capital, without the digits of
    a slogan's year or a street's number, a slogan's words or the dots of a
    list of services, that no title, department or country uses; a line
    named as a department is the organisation under the card's department
    all the same: "Department of Finance" under "Strategic Policy Branch"."""
    words = text.split()
    return (
        0 < len(words) <= 6
        and words[0][0].isupper()
        and any(sum(c.isalpha() for c in word) >= 3 for word in words)
        and not any(fold(word) in SLOGAN_WORDS for word in words)
        and not re.search(r"[@/:•·|]|\b\d+\b", text)
        and not roles.title_word_count(text)
        and not (roles.is_department(text) and not department)
        and countries.code_of(text) is None
    )


def _take_title(card: Card, texts: list[Segment]) -> None:
    distances = _distances_from_name(card)
    for segment in texts:
        segment.score = _title_score(segment, distances.get(id(segment)))
    _take_best(card, texts, "title", least=0.3)
    _stray_letters_off_title(card)
    title = roles.title_read_right(card.contact.title)
    if title != card.contact.title:
        card.contact.title = title
        card.lower_confidence("title", crosscheck.MISREAD_TRUST)


def _stray_letters_off_title(card: Card) -> None:
    """Leaves out a lone small letter OCR read before the title, which no
    title starts with ("i Optician, dispensing"); other letters there may
    be an abbreviation no list holds ("SB"), so the title keeps them and
    the card is flagged for review."""
    title = card.contact.title
    letters = roles.stray_letters(title)
    if letters is None:
        return
    if len(letters) == 1 and letters.islower():
        card.contact.title = title[1:].lstrip()
    else:
        card.lower_confidence("title", crosscheck.MISREAD_TRUST)


def _distances_from_name(card: Card) -> dict[int, int]:
    """How many lines of words, not contact lines, each line of words lies
    from the name, by its id: down the card in the name's column, as OCR
    may read a short line right under the name last; in reading order
    elsewhere; none where no name was found."""
    wordy = [s for s in card.segments if s.kind in _WORDY]
    name = next((s for s in wordy if s.kind == "name"), None)
    if name is None:
        return {}
    rank = {id(s): index for index, s in enumerate(wordy)}
    column = [s for s in wordy if s is name or _share_width(s.line, name.line)]
    column.sort(key=lambda s: (s.line.top, s.order))
    start = rank[id(name)] - column.index(name)
    rank |= {id(s): start + k for k, s in enumerate(column)}
    return {key: index - rank[id(name)] for key, index in rank.items()}


# Digits no title holds this many of.
TITLE_MAX_DIGITS = 5


def _title_score(segment: Segment, distance: int | None) -> float:
    words = roles.title_word_count(segment.text)
    score = 0.8 if words else 0.0
    # Cards print the title right under the name.
    if distance == 1:
        score += 0.85
    elif distance == 2:
        score += 0.5
    digits = sum(c.isdigit() for c in segment.text)
    # A line of many digits is a number OCR garbled, whatever its place.
    if digits >= TITLE_MAX_DIGITS:
        return 0.0
    if digits:
        score -= 0.5
    return min(score, 1.0)
