"""Letters OCR commonly misreads, put right where the rest of the card says
what they must be."""

import difflib
import re
import unicodedata
from collections.abc import Iterable

from ocr_service import links
from ocr_service.companies import LEGAL_FORMS
from ocr_service.wording import fold, plain_spellings, word_set

# Glyphs OCR reads for "@": its ring looks like these letters.
AT_LOOKALIKES = "oOqQ0©®@"
# Letters OCR swaps for one another at the start of a word.
I_OR_L = "iIlL1|"


def email_initial(email: str, given: str, family: str) -> str:
    """The email with its first letter set to the given name's initial when
    the rest of its local part is the family name: "iparedes" from the card
    of Lara Paredes reads "lparedes"."""
    local, _, host = email.partition("@")
    initial = fold(given)[:1]
    family_letters = re.sub(r"[^a-z]", "", fold(family))
    rest = local[1:].lstrip(".")
    if not initial or initial not in "il" or local[:1] not in I_OR_L:
        return email
    if local[:1] == initial or rest != family_letters:
        return email
    return f"{initial}{local[1:]}@{host}"


# Letters whose tail runs below the line: OCR now and then reads a dot
# printed after one of them as a hyphen.
DESCENDERS = "gjpqy"


def email_initial_dot(email: str, given: str, family: str) -> str:
    """The email with the dot after its local part's initial put back where
    OCR read it as a hyphen, the initial one with a tail below the line and
    the rest the family name: "j-hull" from the card of Jaclyn Hull reads
    "j.hull"; "m-hull" stays, as no tail lifted its dot."""
    local, _, host = email.partition("@")
    initial = fold(given)[:1]
    family_letters = re.sub(r"[^a-z]", "", fold(family))
    if not initial or initial not in DESCENDERS or not family_letters:
        return email
    if local.casefold() != f"{initial}-{family_letters}":
        return email
    return f"{local[0]}.{local[2:]}@{host}"


def company_initial(company: str, domains: list[str]) -> str:
    """The company with its first letter set from a domain that spells it
    with the other of "I" and "l": "lannotti SRL" beside iannottisrl.example
    reads "Iannotti SRL"."""
    if not company or company[0] not in I_OR_L:
        return company
    letters = spelled_letters(company)[1:]
    for domain in domains:
        if domain[:1] in "il" and domain[1:] and letters.startswith(domain[1:]):
            return domain[0].upper() + company[1:]
    return company


# A domain puts right at most one letter in this many of the company's, and
# no more than two: beyond that it names the company otherwise.
LETTERS_PER_REPAIR = 5
MAX_REPAIRS = 2


def company_letters(company: str, domains: list[str]) -> str:
    """The company with the letters OCR misread set from a domain that
    spells it otherwise letter for letter, whole or its start: "Fox, George
    and Tackson" beside foxgeorgeandja.example reads "Fox, George and
    Jackson", "Baro77i" beside barozzi.example "Barozzi"."""
    # Domains drop or spell out accented letters, which leaves the rest of
    # the name out of step: only plain names are compared.
    if not company.isascii():
        return company
    # Each letter or digit of the company as a domain spells it, and where
    # it stands; an "!" is an "l" or an "i" OCR misread as often as not.
    spelled = [(i, c.lower()) for i, c in enumerate(company) if c.isalnum() or c == "!"]
    letters = "".join(letter for _, letter in spelled)
    # The legal form the company ends with is spelled as it is known; a
    # domain that differs there was misread ("younglic" beside "Young LLC").
    _, _, last = company.rpartition(" ")
    form_start = (
        len(letters) - len(spelled_letters(last)) if last in LEGAL_FORMS else None
    )
    for domain in domains:
        if not domain.isalnum() or len(domain) > len(letters):
            continue
        wrong = [k for k, c in enumerate(domain) if letters[k] != c]
        if not wrong:
            return company
        if not all(lookalikes(letters[k], domain[k]) for k in wrong):
            continue
        if form_start is not None and wrong[-1] >= form_start:
            continue
        allowed = min(MAX_REPAIRS, len(domain) // LETTERS_PER_REPAIR)
        # A short name the domain spells whole may have one letter put right:
        # "Gav" beside gay.example.
        if len(domain) == len(letters) >= 3:
            allowed = max(allowed, 1)
        if len(wrong) > allowed:
            continue
        chars = list(company)
        for k in wrong:
            place = spelled[k][0]
            before = chars[place - 1] if place else " "
            upper = chars[place].isupper() or before == " " or before.isupper()
            chars[place] = domain[k].upper() if upper else domain[k]
        return "".join(chars)
    return company


# Letters and digits OCR reads for one another, in groups of lookalikes.
LOOKALIKE_GROUPS = ("jtl1i!", "yv", "z7", "o0", "s5", "b8h", "ce", "uv", "g9")


def lookalikes(read: str, spelled: str) -> bool:
    """Whether OCR reads the one letter or digit, in lower case, for the
    other."""
    return any(read in group and spelled in group for group in LOOKALIKE_GROUPS)


# What OCR reads for an "i" whose dot a blurred photo smeared.
BLURRED_I = "üïíìîı"


def read_for(read: str, printed: str) -> bool:
    """Whether OCR may have read the one letter or digit, in lower case, for
    the other: the same, a look-alike, or an "i" whose dot blurred into a
    mark."""
    return (
        read == printed
        or lookalikes(read, printed)
        or (printed == "i" and read in BLURRED_I)
    )


def misread_letters(read: str, printed: str) -> int | None:
    """How many letters OCR read otherwise in reading the printed text as
    ``read``, each one it may be read for; None where the two differ in
    length or in a letter it is not."""
    if len(read) != len(printed) or not all(map(read_for, read, printed)):
        return None
    return sum(map(str.__ne__, read, printed))


def spelled_as(word: str, spellings: Iterable[str]) -> str | None:
    """The one of the spellings, all lower case, that the word is but for
    one letter OCR misread: "Celi" is "cell"."""
    read = word.lower()
    found = {spelled for spelled in spellings if misread_letters(read, spelled) == 1}
    return found.pop() if len(found) == 1 else None


# A word in capitals but for the small "l"s OCR read for capital "I"s.
_CAPITALS_BUT_L = re.compile(r"(?=[A-Z.]*l)[A-Zl.]*[A-Z][A-Zl.]*")


# Strokes OCR reads twice, as "lI" for an "I": "MclIvor".
_STROKES = "il1|"


def name_word_by_email(word: str, local_words: Iterable[str]) -> tuple[str, int] | None:
    """The name's word with the letter OCR misread set from the one word of
    an email's local part that spells it otherwise by that letter, and
    where that letter stands: "Carison" beside c.carlson reads "Carlson";
    or without the stroke OCR read twice, a small "l" beside a capital "I":
    "MclIvor" beside laoise.mcivor reads "McIvor". None where an email
    spells the word as read, or where no word, or more than one, spells it
    otherwise."""
    read = word.lower()
    local_words = set(local_words)
    if len(read) < 4 or not (read.isascii() and read.isalpha()) or read in local_words:
        return None
    found = set()
    for spelled in local_words:
        if not spelled.isalpha():
            continue
        if misread_letters(read, spelled) == 1:
            at = next(k for k in range(len(read)) if read[k] != spelled[k])
            cased = "".join(_cased_as(s, r) for s, r in zip(spelled, word, strict=True))
            found.add((cased, at))
        elif (k := _stroke_read_twice(word, spelled)) is not None:
            found.add((word[:k] + word[k + 1 :], k))
    return found.pop() if len(found) == 1 else None


def _cased_as(letter: str, read: str) -> str:
    return letter.upper() if read.isupper() else letter


def _stroke_read_twice(word: str, spelled: str) -> int | None:
    """Where the word as read holds a stroke more than the spelled one, a
    small "l" beside a capital "I" or the other way round, which no name
    spells."""
    if len(word) != len(spelled) + 1:
        return None
    for k in range(len(word) - 1):
        pair = word[k : k + 2]
        if pair not in ("lI", "Il"):
            continue
        for extra in (k, k + 1):
            if (word[:extra] + word[extra + 1 :]).lower() == spelled:
                return extra
    return None


# A blurred "l" loses its height and OCR reads an "i"; an "i" is hardly
# ever read as an "l". Where two fields spell a word, one with an "i" where
# the other has an "l", the "l" was printed. At most this many letters in a
# word are put back so.
MAX_LS_READ_AS_I = 2
# The fewest letters a company and a domain, or two domains, must spell
# alike to be the same name ("Telia" is a mail provider, not "Tellab AB").
LS_MIN_LETTERS = 7
# The fewest letters a word of an email's local part must have to be put
# right from the name ("deli@" on the card of Sam Dell stays).
LS_MIN_NAME_LETTERS = 5


def l_read_as_i(read: str, printed: str) -> bool:
    """Whether the read word, lower case, is the printed one with one or
    two of its "l"s read as "i"s."""
    if len(read) != len(printed):
        return False
    wrong = [(r, p) for r, p in zip(read, printed, strict=True) if r != p]
    return 0 < len(wrong) <= MAX_LS_READ_AS_I and all(w == ("i", "l") for w in wrong)


# The fewest letters a domain must have for a double "l" read once in it
# to be told ("hil.law" is a name of its own beside "hill.law").
DOUBLE_L_MIN_LETTERS = 6


def double_read_once(read: str, printed: str) -> bool:
    """Whether the read word is the printed one with its double "l" read as
    one, the two strokes run together: "williamslc" for "williamsllc". A
    double of another letter, or one beside a third, is as often spelled
    so ("Aggarwal" and "Agarwal", "Schifffahrt" and "Schiffahrt")."""
    if len(read) < DOUBLE_L_MIN_LETTERS or len(read) + 1 != len(printed):
        return False
    return any(
        len(match[0]) == 2
        and printed[: match.start()] + printed[match.end() - 1 :] == read
        for match in re.finditer(r"l+", printed)
    )


def ls_put_back(text: str, spelled: str) -> str:
    """The text with the "l"s OCR read as "i"s put back, from letters that
    spell it, or its start, or that it spells the start of, with an "l"
    where it has an "i" and alike elsewhere: "Karisson & Ekman HB" beside
    karlssonekmanh.example reads "Karlsson & Ekman HB", and the domain
    akermancarisso.example beside "Åkerman & Carlsson HB" akermancarlsso.
    An "I" starting a word stays, as OCR reads a capital "I" and an "l"
    for one another alike."""
    places = [(i, fold(c)) for i, c in enumerate(text) if fold(c).isalnum()]
    letters = "".join(letter for _, letter in places)
    if len(letters) != len(places):
        return text
    common = min(len(letters), len(spelled))
    if common < LS_MIN_LETTERS:
        return text
    if not l_read_as_i(letters[:common], spelled[:common]):
        return text
    chars = list(text)
    for k in range(common):
        place = places[k][0]
        if letters[k] == spelled[k]:
            continue
        if chars[place] == "I" and not text[place - 1 : place].islower():
            return text
        chars[place] = "l"
    return "".join(chars)


def letter_lost(read: str, printed: str) -> bool:
    """Whether the read word is the printed one with a letter lost, as OCR
    loses one at a word's edge or in a blurred stretch: "inanzasoerysl" for
    "finanzasoerysl", "howelljonson" for "howelljohnson". A letter of a
    double is none: a firm may own both spellings ("hil.law" beside
    "hill.law")."""
    if len(read) < DOUBLE_L_MIN_LETTERS or len(read) + 1 != len(printed):
        return False
    at = next((i for i, c in enumerate(read) if c != printed[i]), len(read))
    if read[at:] != printed[at + 1 :]:
        return False
    return printed[at] not in (printed[at - 1 : at] + printed[at + 1 : at + 2])


# What a blurred photo reads for letters in small type: a vowel for
# another, two letters as one.
_BLURRED = (("e", "o"), ("ri", "n"), ("rn", "m"))


# Words of the shared mailboxes cards print, which no name was blurred into.
_MAILBOX_WORDS = word_set(
    """
    hello hallo hola ola ciao salut bonjour hej hoi moin info infos
    office home mail post contact kontakt contacto contatto team sales
    admin service support studio welcome shop news press presse jobs job
    demo events booking orders billing accounts hr careers
    """
)


def local_part_by_name(email: str, name_parts: list[str]) -> str:
    """The email with each word of its local part that a name part, folded,
    was read as by a blur, or with an "l" read as an "i", spelled as the
    name part; a shared mailbox's word ("hello" beside "Helle Jensen")
    stays."""
    local, at, host = email.partition("@")
    words = re.split(r"([._-])", local)
    for index, word in enumerate(words):
        if len(word) < 3 or word in name_parts or word in _MAILBOX_WORDS:
            continue
        # A name part the local part spells already is not spelled twice:
        # "kim.kirn" beside "Tom Kirn".
        spelled_already = set(words) & set(name_parts)
        spelled = {part for part in name_parts if _name_misread_as(word, part)}
        # Or an initial before a name part: "dfemandes" is "dfernandes".
        initials = {part[0] for part in name_parts}
        if not spelled and word[0] in initials:
            rest = word[1:]
            spelled = {word[0] + p for p in name_parts if _name_misread_as(rest, p)}
        spelled -= spelled_already
        if len(spelled) == 1:
            words[index] = spelled.pop()
    return "".join(words) + at + host


def _name_misread_as(word: str, part: str) -> bool:
    """Whether an email's word is a name part a blur misread, or one long
    enough to tell with an "l" read as an "i"."""
    if blurred_from(word, part):
        return True
    return len(word) >= LS_MIN_NAME_LETTERS and l_read_as_i(word, part)


def domain_unblurred(domain: str, company: str) -> str | None:
    """The domain spelled as the company's letters are, whole or cut short,
    where a blurred photo read one letter or pair of them in it as another
    ("wnghtgoughand" beside "Wright, Gough and Booth" is wrightgoughand);
    None where the company does not spell it so, or is too short to be the
    same name."""
    letters = spelled_letters(company)
    if min(len(domain), len(letters)) < LS_MIN_LETTERS:
        return None
    for size in (len(domain) + 1, len(domain)):
        if blurred_from(domain, letters[:size]):
            return letters[:size]
    return None


def blurred_as(word: str, spellings: Iterable[str]) -> str | None:
    """The one of the spellings, all lower case, that a blurred photo read
    the word from ("Coll" is "cell"); None where none is, or several."""
    read = word.lower()
    found = {spelled for spelled in spellings if blurred_from(read, spelled)}
    return found.pop() if len(found) == 1 else None


def blurred_from(read: str, printed: str) -> bool:
    """Whether the word was read from the printed one with one of its
    letters, or pair of letters, blurred into another."""
    return any(
        read == printed[:i] + blurred + printed[i + len(letters) :]
        for letters, blurred in _BLURRED
        for i in range(len(printed))
        if printed.startswith(letters, i)
    )


def company_legal_form(company: str, domains: list[str]) -> str:
    """The company with its last word set to the legal form a domain spells
    after the rest of the name, where OCR misread one letter of it:
    "Geerling By" beside geerlingbv.example reads "Geerling BV"; or to the
    legal form it spells in capitals, where OCR read a small "l" for each
    capital "I": "Aparecida Pires - El" reads "Aparecida Pires - EI"."""
    head, _, last = company.rpartition(" ")
    head_letters, last_letters = spelled_letters(head), spelled_letters(last)
    if not head_letters or last in LEGAL_FORMS:
        return company
    spelled = last.replace("l", "I")
    # Spanish and Portuguese "El" is a word too, but not after a dash.
    worded = len(last) <= 2 and not head.endswith(("-", "–"))
    if _CAPITALS_BUT_L.fullmatch(last) and spelled in LEGAL_FORMS and not worded:
        return f"{head} {spelled}"
    for domain in domains:
        if not domain.startswith(head_letters):
            continue
        spelled = domain[len(head_letters) :]
        for form in LEGAL_FORMS:
            letters = spelled_letters(form)
            if (
                letters == spelled
                and len(form) == len(last)
                and len(letters) == len(last_letters)
                and sum(map(str.__ne__, letters, last_letters)) == 1
            ):
                return f"{head} {form}"
    return company


def legal_form_cut(company: str, domains: list[str]) -> bool:
    """Whether the company ends in the first letter of a legal form that a
    domain spells whole after the rest of the name, OCR having lost the
    rest of the form: "Cardoso Alves S" beside cardosoalvessa.example,
    where the form may be "S.A." or "SA"."""
    head, _, last = company.rpartition(" ")
    head_letters = spelled_letters(head)
    if not head_letters or len(last) != 1 or not last.isupper():
        return False
    forms = {spelled_letters(form) for form in LEGAL_FORMS}
    return any(
        domain.startswith(head_letters)
        and (rest := domain[len(head_letters) :]).startswith(last.lower())
        and len(rest) > 1
        and rest in forms
        for domain in domains
    )


def domain_by_legal_form(domain: str, company: str) -> str:
    """The domain spelled as the company is where the two differ only in
    look-alikes OCR read for the letters of its legal form, which the
    company's larger type and its known spelling vouch for: "lopezitd"
    beside "Lopez Ltd" reads "lopezltd"."""
    head, _, last = company.rpartition(" ")
    spelled, form = spelled_letters(company), spelled_letters(last)
    if not head or last not in LEGAL_FORMS or len(domain) != len(spelled):
        return domain
    start = len(spelled) - len(form)
    if domain[:start] != spelled[:start] or domain == spelled:
        return domain
    misread = misread_letters(domain[start:], spelled[start:]) is not None
    return spelled if misread else domain


def spelled_letters(text: str) -> str:
    """The text's letters and digits, accents folded, as a domain spells it."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def email_with_misread_at(text: str, hosts: list[str]) -> str | None:
    """An email whose "@" OCR misread, found by a host the card prints
    elsewhere: "anna Qexample com" beside www.example.com."""
    for host in hosts:
        labels = [re.escape(part) for part in host.split(".")]
        pattern = (
            r"(?<![\w.])([a-z0-9][a-z0-9._-]*)\s*["
            + re.escape(AT_LOOKALIKES)
            + r"]\s*"
            + r"[.,\s]+".join(labels)
            + r"\b"
        )
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return f"{match[1].lower()}@{host}"
    return None


def email_with_misread_host(text: str, hosts: list[str]) -> str | None:
    """An email whose host OCR garbled, rebuilt with a host the card prints
    elsewhere that it nearly spells: "ana@limalahs:c0m" beside limalabs.com."""
    match = re.search(r"([a-z0-9][a-z0-9._-]*)\s*@\s*(\S+)", text, re.IGNORECASE)
    if match is None:
        return None
    garbled = re.sub(r"[^a-z0-9]", "", match[2].lower())
    for host in hosts:
        letters = re.sub(r"[^a-z0-9]", "", host)
        if difflib.SequenceMatcher(None, garbled, letters).ratio() >= 0.75:
            return f"{match[1].lower()}@{host}"
    return None


def with_domain(address: str, old: str, new: str) -> str:
    """An email or website with one domain name put in place of another in
    its host, its user and path left alone."""
    head, at, host = address.rpartition("@")
    if not at:
        scheme, _, rest = address.rpartition("://")
        host, slash, path = rest.partition("/")
        head = f"{scheme}://" if scheme else ""
        return head + _swap_label(host, old, new) + slash + path
    return f"{head}@{_swap_label(host, old, new)}"


def _swap_label(host: str, old: str, new: str) -> str:
    labels = host.split(".")
    return ".".join(new if label == old else label for label in labels)


def hosts_of(values: list[str]) -> list[str]:
    """The hosts of a card's emails and websites, without "www."."""
    found = []
    for value in values:
        host = links.host(value)
        if "." in host:
            found.append(host)
    return list(dict.fromkeys(found))


# Marks the Latin model reads on letters that a card's language never
# writes, each with the letter that language writes in its place: the ring
# of "å" read as a macron ("Hākansson"), the circumflex of "ê" and the
# tilde of "õ" read as a macron or a dot ("Maitė"). Portugal's "ã" comes
# apart below.
_MARKS_OF_LANGUAGE = {
    "nordic": str.maketrans("āĀ", "åÅ"),
    "portuguese": str.maketrans("ēĒėĖōŌ", "êÊêÊõÕ"),
}
_LANGUAGE_OF_COUNTRY = {
    "SE": "nordic",
    "NO": "nordic",
    "DK": "nordic",
    "FI": "nordic",
    "BR": "portuguese",
    "PT": "portuguese",
}
# Letters that tell a card's language where its country is unknown, in the
# order they are asked: the ring that may be a misread tilde comes last.
_LETTERS_OF_LANGUAGE = (("portuguese", "ãõÃÕ"), ("nordic", "åøæÅØÆ"))
# Letters of the Baltic languages, which write the macron, and of others
# that mark letters so: a line that holds one is a name or a place of
# theirs ("Jānis Bērziņš", "Björn Åberg" on a Brazilian card), left as
# read.
_OTHER_ALPHABETS = {
    "nordic": set("ēīūņķļģčšžąęįųėĒĪŪŅĶĻĢČŠŽĄĘĮŲĖ"),
    "portuguese": set("ēīūņķļģčšžąęįųøæäöØÆÄÖ"),
}
# Given names of the languages that write the marks another language's
# cards put right, as read: a line that holds one is a person's from
# there, "Åsa Berg" on a Brazilian card, "Jānis Ozols" on a Swedish one.
_GIVEN_NAMES_OF_OTHER_ALPHABETS = {
    "nordic": word_set(
        """
        jānis kārlis māris mārcis dāvis gunārs ilmārs ainārs guntārs
        valdemārs ināra māra dārta ārija lāsma diāna tatjāna kristiāna
        """
    ),
    "portuguese": word_set(
        "åsa åse åke håkan håkon håvard måns mårten pål ståle åsmund"
    ),
}
# The letters each language's marks are put right on.
_MARKED_FOR_LANGUAGE = {
    "nordic": set("āĀ"),
    "portuguese": set("ēĒėĖōŌāåĀÅ"),
}
# The marked "a" of either language read twice over, as a ring and a macron
# ("ÅĀkergränd", "Såāo"): neither language doubles it.
_A_READ_TWICE = re.compile(r"(?<=[åāãÅĀÃ])[åāãÅĀÃ]")
# Where Portuguese writes "ã": before "o" or "e" ("São", "mãe") or ending a
# word ("irmã", "irmãs"); a macron or a ring elsewhere is a speck on an
# "a" ("Gonçālves").
_PORTUGUESE_TILDE = re.compile(r"[āåĀÅ](?=[oeOE]|s?\b)")


def _name_of_another_alphabet(
    text: str, language: str, local_parts: Iterable[str]
) -> bool:
    """Whether a line holds, with the marks the language would put right,
    a given name of a language that writes them ("Åsa", "Jānis"), or a
    word an email spells with its marks spelled out: "Åkerlund" beside
    lars.aakerlund@…."""
    for word in re.findall(r"[^\W\d_]+", text):
        if not _MARKED_FOR_LANGUAGE[language] & set(word):
            continue
        if word.lower() in _GIVEN_NAMES_OF_OTHER_ALPHABETS[language]:
            return True
        spelled_out = plain_spellings(word) - {fold(word)}
        if any(s in local for s in spelled_out for local in local_parts):
            return True
    return False


def marks_language(text: str, country: str | None) -> str | None:
    """The language whose marks a card's text is put right to: its
    country's, else the one its own marked letters tell."""
    if country:
        return _LANGUAGE_OF_COUNTRY.get(country)
    for language, letters in _LETTERS_OF_LANGUAGE:
        if any(letter in text for letter in letters):
            return language
    return None


def marks_read_right(
    text: str, language: str, local_parts: Iterable[str] = ()
) -> tuple[str, set[int]]:
    """The text with marks its language never writes put right, and the
    places of the marked letters read twice over, to be left out; a line
    that holds letters of another alphabet that marks letters so stays,
    and so does one with a name of its own (local_parts are the card's
    emails' local parts in plain letters)."""
    if _OTHER_ALPHABETS[language] & set(text):
        return text, set()
    if _name_of_another_alphabet(text, language, local_parts):
        return text, set()
    twice = {m.start() for m in _A_READ_TWICE.finditer(text)}
    once = "".join(c for i, c in enumerate(text) if i not in twice)
    if language == "portuguese":
        once = _PORTUGUESE_TILDE.sub(lambda m: "Ã" if m[0].isupper() else "ã", once)
        once = once.translate(str.maketrans("āåĀÅ", "aaAA"))
    once = once.translate(_MARKS_OF_LANGUAGE[language])
    # Back to the places of the text as read, the letters read twice
    # standing where they were.
    kept = iter(once)
    right = "".join(c if i in twice else next(kept) for i, c in enumerate(text))
    return right, twice


# The marked Latin letters of the languages cards come in, English's
# borrowings among them: a name on any card may carry one of them ("Zoë",
# "José", "Åsa Berg", "Łukasz", "Şahin").
_WEST_MARKED = "áàâäãåæçéèêëíìîïñóòôöõøœúùûüýÿ"
_CENTRAL_AND_TURKISH_MARKED = "čďěňřšťůžĺľŕąćęłńśźżőűășțşţğ"
_CARD_MARKED = _WEST_MARKED + _CENTRAL_AND_TURKISH_MARKED
_CARD_LETTERS = frozenset(_CARD_MARKED + _CARD_MARKED.upper() + "ßıİ")
# Marked letters that cards of a few countries alone write: Latvia's and
# Lithuania's, and the macron of New Zealand's Māori names.
_LETTERS_OF_COUNTRY = {
    "LV": frozenset("āēīūģķļņĀĒĪŪĢĶĻŅ"),
    "LT": frozenset("ėįųūĖĮŲŪ"),
    "NZ": frozenset("āēīōūĀĒĪŌŪ"),
}


# The given names of every language whose marks a name keeps where they are.
_GIVEN_NAMES_WITH_MARKS = frozenset().union(*_GIVEN_NAMES_OF_OTHER_ALPHABETS.values())


def strange_marks(text: str, country: str | None) -> list[str]:
    """The marked Latin letters of the text that no language the card
    plausibly uses writes, the macron of "McIīneely" on an Irish card among
    them; none in a line with a given name of a language that writes them
    ("Ināra Kalniņa")."""
    words = re.findall(r"[^\W\d_]+", text)
    if any(word.lower() in _GIVEN_NAMES_WITH_MARKS for word in words):
        return []
    known = _CARD_LETTERS | _LETTERS_OF_COUNTRY.get(country or "", frozenset())
    return [
        c
        for word in words
        for c in word
        if fold(c) != c.lower() and c not in known and _latin(c)
    ]


def _latin(letter: str) -> bool:
    return unicodedata.name(letter, "").startswith("LATIN")


def stray_mark_left_out(
    word: str, letter: str, local_parts: Iterable[str]
) -> str | None:
    """The name's word without the mark on its letter that no language of
    the card writes, where an email's local part (in plain letters) spells
    it so: with the letter plain where it spells that ("Blāke" beside
    blake.m@ reads "Blake"), else without the letter where it leaves it
    out, a stroke OCR read twice ("McIīneely" beside bmcineely@ reads
    "McIneely"). None where no local part spells it either way."""
    at = word.find(letter)
    if at < 0:
        return None
    plain = fold(letter).upper() if letter.isupper() else fold(letter)
    for spelled in (word[:at] + plain + word[at + 1 :], word[:at] + word[at + 1 :]):
        letters = re.sub(r"[^a-z]", "", fold(spelled))
        if len(letters) >= 3 and any(letters in local for local in local_parts):
            return spelled
    return None


# Romanian's letters with a comma below, which OCR reads for Turkish ones
# with a cedilla: "A.Ș." for "A.Ş.". Turkish writes no "t" with a mark, so
# a mark under one is a speck.
_COMMA_BELOW_AS_TURKISH = str.maketrans("ȘșȚț", "ŞşTt")
# Turkish legal forms, with the "Ş" read either way: "A.Ş.", "Ltd. Şti.".
TURKISH_FORM = re.compile(r"(?<!\w)(?:A\.\s?[ŞȘ]\.|[ŞȘ]ti\.?)(?!\w)")
# Letters only Turkish writes of the card languages, and only Romanian.
_TURKISH_ONLY = set("ğĞıİ")
_ROMANIAN_ONLY = set("ăĂ")


def turkish_card(text: str, country: str | None) -> bool:
    """Whether a card is Turkish: its country, else its letters tell."""
    if country:
        return country == "TR"
    letters = set(text)
    return bool(letters & _TURKISH_ONLY) and not letters & _ROMANIAN_ONLY


def turkish_marks_read_right(text: str, turkish: bool) -> str:
    """The line with the comma below that OCR read for a Turkish cedilla
    put right, on a Turkish card or on a line with a Turkish legal form:
    "Örnek Ticaret A.Ș." reads "Örnek Ticaret A.Ş."; elsewhere the comma
    is Romanian's and stays."""
    if turkish or TURKISH_FORM.search(text):
        return text.translate(_COMMA_BELOW_AS_TURKISH)
    return text
