"""How many of an upload's skipped entries a batch keeps and lists by name.

A ZIP may hold thousands of entries that are no cards, each named by up to
1024 characters: listed in full, they would make a reply larger than the
4 MB a gRPC client takes by default. Every reply, and the store, keeps the
first of them in upload order, and counts them all.
"""

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# Under half a megabyte even with the longest names, of four-byte characters.
LISTED = 100


def head(entries: Sequence[T]) -> list[T]:
    """The entries a batch lists: the first LISTED of them."""
    return list(entries[:LISTED])


def total(entries: Sequence[object], count: int) -> int:
    """How many entries were skipped, given those listed and the count told
    with them: a count below the entries listed, as from a sender that
    tells none, is taken for their number."""
    return max(count, len(entries))
