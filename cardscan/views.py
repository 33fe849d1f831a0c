"""The views a batch is read in, after Google's AIP-157: FULL with every
card's state, BASIC without the cards, for following a batch too big to
send whole on every change.

The gateway and the store check a view the same way: a client that names
none gets FULL, as before views were added, and a number that is no view
is refused rather than taken for one.
"""

from cardscan.errors import InvalidInput
from cardscan.v1 import batch_pb2

BatchView = batch_pb2.BatchView

# The views by the names HTTP and the CLI give them.
BY_NAME = {"basic": BatchView.BATCH_VIEW_BASIC, "full": BatchView.BATCH_VIEW_FULL}


def checked(view: int) -> int:
    """The view a request names, BATCH_VIEW_FULL where it names none;
    InvalidInput for a number that is no BatchView."""
    if view == BatchView.BATCH_VIEW_UNSPECIFIED:
        return BatchView.BATCH_VIEW_FULL
    if view not in BY_NAME.values():
        known = " or ".join(f"{BatchView.Name(v)} ({v})" for v in BY_NAME.values())
        raise InvalidInput(
            f"view is {view}, which is no BatchView: give {known}, or leave it"
            " out for BATCH_VIEW_FULL"
        )
    return view


def with_cards(view: int) -> bool:
    """Whether a batch read in this view, already checked, lists its cards."""
    return view != BatchView.BATCH_VIEW_BASIC


def named(name: str) -> int:
    """The view HTTP names as basic or full; InvalidInput for another name."""
    if name not in BY_NAME:
        raise InvalidInput(f"view is {name!r}: give one of {', '.join(BY_NAME)}")
    return BY_NAME[name]
