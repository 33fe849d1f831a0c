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
