"""Emails and websites on a card, with the damage OCR commonly does to them
repaired."""

import re
import unicodedata
from dataclasses import dataclass

from ocr_service.wording import fold, word_set

# Top-level domains accepted on a bare host (one printed without a scheme
# or "www."), besides every two-letter country code.
COMMON_TLDS = word_set(
    "com org net io co biz info edu gov app dev tech online site shop store "
    "agency studio group global email cloud eu asia cat eus gal bzh scot wales "
    "design photography photo dental "
    "swiss berlin hamburg bayern wien paris london nyc amsterdam brussels"
)

EMAIL = re.compile(
    r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}", re.IGNORECASE
)
WEBSITE = re.compile(
    r"(?<![\w@.])(?P<scheme>https?://)?(?P<www>www\.)?"
    r"(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?P<tld>[a-z]{2,24}))"
    r"(?P<path>/[^\s,;]*)?",
    re.IGNORECASE,
)
_KNOWN_TLD = r"(?:" + "|".join(sorted(COMMON_TLDS)) + r")\b"
# A domain after a gap ends the host: "firma. de" at the line's end or
# before a path, unlike "Av. de la Constitución".
_TLD_ENDING_A_HOST = (
    r"(?:" + "|".join(sorted(COMMON_TLDS)) + r"|[a-z]{2})(?=\s*$|/|\s*[|;])"
)

# The commonest domain endings, which OCR damage around is undone on.
_COMMON_ENDINGS = "com|net|org|biz|info|io"
# An email's host with no dot at all, ending in a common domain ending.
_DOTLESS_HOST = re.compile(
    rf"(?<=@)([a-z0-9-]{{2,}}?)({_COMMON_ENDINGS})\b(?![.@-])", re.IGNORECASE
)

# Marks OCR reads in place of "@": "(at)" as people write it, between a
# name and a domain (Italy prints a province "Asti (AT)"), and "©" and "®"
# from the ring of the glyph.
_AT_WORDS = re.compile(r"(?<=\w)\s*[(\[]\s*at\s*[)\]]\s*(?=[\w-]+\.\w)", re.IGNORECASE)
_AT_GLYPHS = re.compile(r"(?<=\w)\s*[©®]\s*(?=\w)")
# The ring read as a glyph of its own beside the "@" itself: "anna®@x.io".
_AT_WITH_GLYPH = re.compile(r"[©®]\s*@|@\s*[©®]")


@dataclass(frozen=True)
class Link:
    """An email or website found in a repaired line, with its span."""

    value: str
    start: int
    end: int


# A dot inside an email's local part with OCR's space or colon beside it,
# after the word before it; perhaps read twice: "m.. fowler@".
_LOCAL_PART_BREAK = re.compile(
    r"([\w-]+)\s*\.{1,2}:?\s*(?=[a-z0-9._-]+@)", re.IGNORECASE
)
# Words printed before an email, which its dot does not join: "Email. anna@".
_MAIL_LABELS = word_set("e email e-mail mail courriel correo epost e-post")


def _local_part_joined(match: re.Match) -> str:
    word = match[1]
    return match[0] if fold(word) in _MAIL_LABELS else f"{word}."


# A token that holds an email or a web address.
_LINK_TOKEN = re.compile(r"\S*(?:@|www\.|://)\S*", re.IGNORECASE)
# Letters OCR reads in place of plain ones that have no accent to drop.
_PLAIN_LETTERS = str.maketrans("ıłø", "ilo")


def _plain(token: str) -> str:
    """An email's or web address's token in plain letters: a host holds no
    accent, and a mailbox very seldom does, but OCR reads them into both
    ("fraccıspa.org")."""
    decomposed = unicodedata.normalize("NFKD", token.translate(_PLAIN_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Names of networks whose handles cards print after a colon: "IG:@anna".
_NETWORKS = word_set(
    "instagram insta ig twitter x tiktok telegram threads mastodon bluesky "
    "github linkedin facebook fb youtube snapchat"
)


_HANDLE = re.compile(r"(?:([^\W\d_]+)\s*:?\s*)?@[\w.]+")


def is_handle(text: str) -> bool:
    """Whether a piece of a line is a social network handle, alone or after
    the network's name: "@anna.design", "IG @anna.design"."""
    match = _HANDLE.fullmatch(text.strip())
    return match is not None and (match[1] is None or fold(match[1]) in _NETWORKS)


def _i_for_colon(match: re.Match) -> str:
    word = match[1]
    return f"{word}:" if fold(word) in _NETWORKS else f"{word}i"


def _ending_joined(match: re.Match) -> str:
    # Not after a host that has its ending already: "www.boutin.org .com".
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match[1], flags=re.I)
    return match[0] if "." in host else f"{match[1]}."


def _at_joined(match: re.Match) -> str:
    # A handle after a network's name, a label in capitals, is no email:
    # "IG @anna.design", but "threads @threadsandco.com" is one.
    word = match[1]
    return match[0] if _network_label(word) else f"{word}@"


def repair(text: str) -> str:
    """The line with the spaces and misread marks OCR leaves inside emails
    and web addresses undone."""
    text = _LINK_TOKEN.sub(lambda token: _plain(token[0]), text)
    text = _AT_WORDS.sub("@", text)
    text = _AT_WITH_GLYPH.sub("@", text)
    text = _AT_GLYPHS.sub("@", text)
    # An "i" right before the "@", read as a colon: "alberd:@", but not
    # after a social network's name: "Instagram:@anna.design".
    text = re.sub(r"(?<![\w.-])([a-z0-9._-]*[a-z]):(?=@[a-z0-9])", _i_for_colon, text)
    # A comma inside an email's local part is a misread dot, and a space
    # beside a dot there is OCR's, as is a colon after it: "anna .berg@",
    # "anna.: berg@".
    text = re.sub(r"(?<=[a-z0-9]),(?=[a-z0-9._-]*@)", ".", text, flags=re.I)
    text = _LOCAL_PART_BREAK.sub(_local_part_joined, text)
    # A dot read twice there: "jens. .vandijk@".
    text = re.sub(r"(?<=\w)\.{2,}(?=[\w.+-]*@)", ".", text)
    text = re.sub(r"([\w.]+)\s+@\s*(?=\w)", _at_joined, text)
    text = re.sub(r"(?<=\w)@\s+(?=\w)", "@", text)
    # A web address OCR ran into the word before it, as when it read two
    # columns as one line: "de aguahttps://www.example.net".
    text = re.sub(r"(?<=[^\W\d_])(?=https?\s*[:;.]?\s*/\s*/)", " ", text, flags=re.I)
    text = re.sub(r"\b(https?)\s*[:;.]?\s*/\s*/\s*", r"\1://", text, flags=re.I)
    # The last dot of a line that is a host alone, read as a colon or a
    # hyphen: "example:com", "https://example-info".
    text = re.sub(
        rf"^(\S*[a-z0-9]{{4}})[:-](?=(?:{_COMMON_ENDINGS})\s*$)", r"\1.", text
    )
    # After "www." any country's ending: "www.grupoiberico:es".
    text = re.sub(r"^((?:https?://)?www\.[a-z0-9-]+)[:-](?=[a-z]{2}\s*$)", r"\1.", text)
    text = re.sub(r"\bw{4,}\.", "www.", text, flags=re.I)
    # A space before the dot of a web address's ending: "www. boutin .org".
    if re.search(r"\bwww\b|://", text, flags=re.I):
        text = re.sub(
            rf"(\S*[a-z0-9])\s+\.(?={_KNOWN_TLD}\b)", _ending_joined, text, flags=re.I
        )
    # The dot after "www" read as a space, or with a mark beside it.
    text = re.sub(
        r"\bwww(?:\s*[.,:;]+\s*|\s+)(?=[a-z0-9-]+\.[a-z])", "www.", text, flags=re.I
    )
    text = re.sub(r"\bwww(?=[a-z0-9-]+\.[a-z]{2,}\b)", "www.", text, flags=re.I)
    text = re.sub(r"(?<=[a-z0-9])\s?[.,]\s(?=" + _TLD_ENDING_A_HOST + ")", ".", text)
    # An email's or a web address's last dot is often read as a space, or
    # lost: "anna@firma de", "www.firma biz".
    text = re.sub(
        r"((?:@|\bwww\.)[a-z0-9-]+)\s(?=" + _KNOWN_TLD + ")", r"\1.", text, flags=re.I
    )
    text = _DOTLESS_HOST.sub(r"\1.\2", text)
    # A space read inside a host after "www.", which ends the line: "www.
    # smithmayoand me.io".
    text = re.sub(
        rf"(\bwww\.[a-z0-9-]+)\s+(?=[a-z0-9-]+\.{_KNOWN_TLD}/?\s*$)",
        r"\1",
        text,
        flags=re.I,
    )
    # "www" with a "w" lost: "https://ww.example.com".
    text = re.sub(r"(?<![\w.])ww\.(?=[a-z0-9-]+\.[a-z])", "www.", text, flags=re.I)
    # Tokens the repairs above joined into links, in plain letters too.
    return _LINK_TOKEN.sub(lambda token: _plain(token[0]), text)


# Country-code domains used the world over for their sound, not their
# country.
_TLDS_OF_NO_COUNTRY = word_set("co io me tv ai ly fm am to cc ws gg la nu tk ag")


# Domains of a region or city, by the country it lies in.
_TLDS_OF_REGIONS = {
    "cat": "ES", "eus": "ES", "gal": "ES", "bzh": "FR", "paris": "FR",
    "scot": "GB", "wales": "GB", "london": "GB", "berlin": "DE",
    "hamburg": "DE", "bayern": "DE", "wien": "AT", "swiss": "CH",
    "amsterdam": "NL", "brussels": "BE",
}  # fmt: skip


def country_of_host(host: str) -> str | None:
    """The ISO code of the country a host's domain belongs to, if it is a
    country's: "firma.ch" is CH, "uni.ac.uk" GB, "acme.io" none."""
    tld = host.rsplit(".", 1)[-1].lower()
    if tld in _TLDS_OF_REGIONS:
        return _TLDS_OF_REGIONS[tld]
    if len(tld) != 2 or not tld.isalpha() or tld in _TLDS_OF_NO_COUNTRY:
        return None
    return "GB" if tld == "uk" else tld.upper()


def emails(text: str) -> list[Link]:
    """Every email address in a repaired line; a network's name in
    capitals before the "@" makes a handle, not an email: "IG@anna.design"."""
    return [
        Link(m[0].rstrip(".-").lower(), m.start(), m.end())
        for m in EMAIL.finditer(text)
        if not _network_label(m[0].split("@")[0])
    ]


def _network_label(word: str) -> bool:
    return word[:1].isupper() and fold(word) in _NETWORKS


def websites(text: str) -> list[Link]:
    """Every web address in a repaired line from which emails are cut."""
    found = []
    for match in WEBSITE.finditer(text):
        # The name after a handle's "@" is no web address: "IG@anna.studio".
        if _is_website(match) and not text[: match.start()].endswith("@"):
            host = match["host"].lower()
            value = (match["scheme"] or "").lower() + (match["www"] or "").lower()
            value += host + (match["path"] or "").rstrip("/.")
            found.append(Link(value, match.start(), match.end()))
    return found


# Accounts that are neither emails nor websites: a fediverse handle after
# the network's name or on a server that names it ("Mastodon: @anna@x.org",
# "@anna@mastodon.social"; an icon read as "@" may stand before an email),
# and a messenger's id ("Skype: anna.design"; a number after it is a phone).
_FEDIVERSE = r"(?<![\w@])@[\w.]+@[\w-]+(?:\.[\w-]+)+"
ACCOUNT = re.compile(
    rf"\b(?:{'|'.join(sorted(_NETWORKS))})\s*:?\s*{_FEDIVERSE}"
    r"|(?<![\w@])@[\w.]+@(?:[\w-]+\.)*(?:mastodon|masto|mstdn)(?:\.[\w-]+)+"
    # Not after a label it shares ("E-mail/Skype:"), nor an email.
    r"|(?<!/)\b(?:skype|wechat|weixin|discord|signal|line\s?id)\s*:\s*"
    r"[^\W\d][^\s@]*(?!\S)",
    re.IGNORECASE,
)


def emails_and_websites(
    text: str, fill: str = " "
) -> tuple[list[Link], list[Link], str]:
    """The emails in a repaired line, the web addresses in the rest of it,
    and the line with both filled over by ``fill``, each later span left
    where it was; accounts on networks are filled over as well."""
    text = ACCOUNT.sub(lambda account: fill * len(account[0]), text)
    found = emails(text)
    text = filled(text, found, fill)
    sites = websites(text)
    return found, sites, filled(text, sites, fill)


def filled(text: str, spans: list[Link], fill: str) -> str:
    """The text with each link's characters replaced by ``fill``."""
    for link in spans:
        text = blanked(text, link.start, link.end, fill)
    return text


def blanked(text: str, start: int, end: int, fill: str) -> str:
    """The text with the span filled over, every later span left where it
    was."""
    return text[:start] + fill * (end - start) + text[end:]


# An email cut short where OCR read a space inside its host, which ends the
# text before the rest: "anna.berg@ferrell" of "anna.berg@ferrell thomas.io".
_EMAIL_CUT_IN_HOST = re.compile(r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+", re.IGNORECASE)
# The rest, which reads as a web address of its own: a bare host, not one
# printed with "www." after an email cut short some other way.
_HOST_REST = re.compile(r"(?!www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}")


def email_split_in_host(before: str, rest: str) -> tuple[str, str] | None:
    """The email whose host OCR parted with a space, so that its rest reads
    as a web address, and the text before the email: "anna.berg@ferrell"
    and "thomas.io" are "anna.berg@ferrellthomas.io" after nothing; None
    where the text does not end in an email cut short, or the rest is no
    bare host."""
    if not _HOST_REST.fullmatch(rest):
        return None
    cut = _EMAIL_CUT_IN_HOST.search(before)
    if cut is None or cut.end() != len(before):
        return None
    return f"{cut[0].lower()}{rest}", before[: cut.start()].strip()


def host(address: str) -> str:
    """The host of an email or website, without scheme, path or "www."."""
    host = address.split("@")[-1]
    return re.sub(r"^[a-z]+://", "", host).split("/")[0].removeprefix("www.")


def domain(address: str) -> str:
    """The registered-looking part of an email or website host, such as
    "example" for "mail.example.co.uk"."""
    parts = host(address.lower()).split(".")
    # Second-level labels such as "co" in "co.uk" belong to the suffix.
    while len(parts) > 2 and len(parts[-2]) <= 3 and len(parts[-1]) == 2:
        parts = parts[:-1]
    return parts[-2] if len(parts) >= 2 else parts[0]


def _is_website(match: re.Match) -> bool:
    if match["scheme"] or match["www"]:
        return True
    host, tld = match["host"], match["tld"]
    # A bare host must look like one: lowercase, with a known suffix, so that
    # "S.A." or "e.G." are not taken for domains.
    return (
        host == host.lower()
        and (tld in COMMON_TLDS or len(tld) == 2)
        and len(host.split(".")[0]) >= 2
    )
