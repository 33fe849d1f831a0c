"""The key a client may give an upload, so that sending it again, after a
reply that never came, is answered with the batch the first one made.

The store records each key with its batch and the SHA-256 of the upload,
in the one write that registers the batch: a key names one batch for good,
whichever gateway took the upload and whether or not it still runs. The
same key with the same bytes is answered with that batch, its cards not
queued again; with other bytes it is refused, as is a card sent alone under
another name.
"""

import re

from cardscan.errors import InvalidInput

# The HTTP header and the gRPC metadata key that carry it.
HEADER = "Idempotency-Key"
METADATA_KEY = "idempotency-key"

MAX_CHARS = 200
# Visible ASCII: what a header and gRPC metadata both carry unchanged.
ALLOWED = re.compile(r"[\x21-\x7e]+")
# How much of a refused key its error shows.
SHOWN_CHARS = 60


def from_values(values: list[str], carrier: str) -> str:
    """The upload key among the values given for it in the carrier (the
    header or the metadata key), "" when none was; InvalidInput when it was
    given twice or is not a key."""
    if not values:
        return ""
    if len(values) > 1:
        raise InvalidInput(
            f"{carrier} was given {len(values)} times; give one key for an upload"
        )
    return check(values[0], carrier)


def check(key: str, carrier: str) -> str:
    """The key, or InvalidInput saying what is wrong with it, naming the
    carrier it came in."""
    if len(key) > MAX_CHARS:
        raise InvalidInput(
            f"{carrier} {_shown(key)} has {len(key)} characters; give at most "
            f"{MAX_CHARS}"
        )
    if not ALLOWED.fullmatch(key):
        raise InvalidInput(
            f"{carrier} {_shown(key)} is not a key: give 1 to {MAX_CHARS} ASCII "
            "letters, digits or punctuation marks, without spaces, such as a UUID"
        )
    return key


def _shown(key: str) -> str:
    shown = ascii(key[:SHOWN_CHARS])
    return shown if len(key) <= SHOWN_CHARS else f"{shown}..."
