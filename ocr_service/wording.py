"""How words on a card compare: folded to lowercase without accents, and
gathered into sets for lookup."""

import re
import unicodedata


def fold(text: str) -> str:
    """Lowercase without accents, for comparing words across OCR damage."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of a line, with "&" kept as a word."""
    return re.findall(r"[\w&]+", fold(text))


def word_set(listing: str) -> frozenset[str]:
    """The whitespace-separated words of a listing, as a set."""
    return frozenset(listing.split())


# Letters that do not fold to a plain one, spelled in plain letters as
# emails and domains do.
_PLAIN = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "ß": "ss",
        "ł": "l",
        "đ": "d",
        "œ": "oe",
        "ı": "i",
        "ð": "d",
    }
)
# Umlauts as German, Swiss and Nordic emails write them: "Oberländer" is
# "oberlaender", "Bjørn" is "bjoern".
_SPELLED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "æ": "ae", "å": "aa", "ß": "ss"}
)


def plain_spellings(text: str) -> set[str]:
    """The ways an email or a domain spells a text in plain letters: accents
    folded ("Gómez" gomez), odd letters made plain ("Bjørn" bjorn) and
    umlauts spelled out ("Müller" mueller)."""
    lower = text.lower()
    return {fold(lower.translate(_PLAIN)), fold(lower.translate(_SPELLED_OUT))}
