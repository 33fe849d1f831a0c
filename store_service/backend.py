"""The interface both storage backends implement, and the rules they share.

A backend stores batches, their cards in upload order, the first of their
skipped entries (cardscan.skips.LISTED) and how many were skipped. The
rules that do not depend on where the data lives sit here, so SQLite and
MongoDB check requests and build replies the same way: what a valid
registration or outcome is, when two registrations are the same, and how a
batch's counts and state follow from its cards.
"""

import base64
import binascii
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol

from cardscan import skips
from cardscan.errors import AlreadyExists, InvalidInput
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2

CardState = batch_pb2.CardState


def state_name(state: int) -> str:
    """The stored form of a card state: QUEUED, PROCESSING, DONE or FAILED."""
    return CardState.Name(state).removeprefix("CARD_STATE_")


def state_value(name: str) -> int:
    """The card state a stored name stands for."""
    return CardState.Value(f"CARD_STATE_{name}")


# A card in one of these stored states has ended: nothing changes it any more.
ENDED_NAMES = tuple(
    state_name(s) for s in (CardState.CARD_STATE_DONE, CardState.CARD_STATE_FAILED)
)
# A card in one of these stored states may still be started.
OPEN_NAMES = tuple(
    state_name(s)
    for s in (CardState.CARD_STATE_QUEUED, CardState.CARD_STATE_PROCESSING)
)


class Backend(Protocol):
    """Where batches and cards are kept; every method is safe to call
    concurrently from one event loop."""

    async def open(self) -> None:
        """Connects and creates the schema or indexes it needs."""

    async def close(self) -> None:
        """Releases what open() took."""

    async def ping(self) -> None:
        """Returns once the data can be reached, or raises Unavailable
        saying why not."""

    async def register_batch(
        self,
        batch_id: str,
        cards: Sequence[store_pb2.NewCard],
        skipped: Sequence[batch_pb2.SkippedEntry],
        skipped_count: int = 0,
        upload_key: str = "",
        upload_digest: str = "",
    ) -> batch_pb2.Batch:
        """Stores a new batch with its cards QUEUED, the first skips.LISTED
        of its skipped entries and how many were skipped in all (the count
        given, or the number of entries where that is more), or returns the
        stored one when it was registered before with the same cards. With
        an upload key that another batch holds, stores nothing and returns
        that batch, or raises AlreadyExists if its upload digest differs;
        the key and the batch are stored together or not at all."""

    async def start_card(self, card_id: str) -> batch_pb2.Card:
        """Marks an open card PROCESSING and counts the attempt."""

    async def finish_card(
        self, card_id: str, contact: contact_pb2.Contact | None, error: str
    ) -> batch_pb2.Card:
        """Ends an open card DONE or FAILED; an ended card stays as it is."""

    async def fetch_batch(
        self, batch_id: str, with_cards: bool = True
    ) -> batch_pb2.Batch:
        """The batch with its cards, without contacts; without its cards
        when with_cards is false, its counts then taken by counting its
        cards by state, not by reading each one."""

    async def find_upload(self, upload_key: str, upload_digest: str) -> batch_pb2.Batch:
        """The batch that holds the upload key, without contacts; NotFound
        when none does, AlreadyExists when its upload's digest differs."""

    async def fetch_cards(
        self, batch_id: str, offset: int = 0, limit: int | None = None
    ) -> list[batch_pb2.Card]:
        """The batch's cards in upload order, with contacts: those after
        the first offset ones, at most limit of them where limit is given."""

    async def fetch_batches(
        self, page_size: int, page_token: str
    ) -> tuple[list[batch_pb2.BatchSummary], str]:
        """A page of batches, newest first, and the token of the page after
        it, empty on the last page."""


# How many batches a page lists when the caller does not say, and at most.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 500

# A page token names a creation time from the Unix epoch to the end of
# year 9999 in microseconds, which both backends can compare.
LATEST_MICROS = 253_402_300_799_999_999
# How much of a refused page token its error shows.
SHOWN_TOKEN_CHARACTERS = 60


def page_limit(page_size: int) -> int:
    """How many batches a page holds for the page size asked for."""
    if page_size < 0:
        raise InvalidInput(
            f"page_size is {page_size}: give a positive number, or 0 for"
            f" {DEFAULT_PAGE_SIZE}"
        )
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _token(where: str) -> str:
    """A page token saying where a page starts."""
    # Without its padding, the token goes into a URL as it is.
    return base64.urlsafe_b64encode(where.encode()).decode().rstrip("=")


def _where(token: str) -> str:
    """What a page token says; raises ValueError where it is no token."""
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(token) from None


def page_token(created_at_micros: int, batch_id: str) -> str:
    """The token of the page that starts after this batch."""
    return _token(f"{created_at_micros}:{batch_id}")


def page_start(token: str) -> tuple[int, str] | None:
    """The creation time and id of the batch a page starts after, or None
    for the first page."""
    if not token:
        return None
    try:
        micros, batch_id = _where(token).split(":", 1)
        if micros.isdigit() and int(micros) <= LATEST_MICROS:
            return int(micros), batch_id
    except ValueError:
        pass
    raise InvalidInput(
        f"page_token {_shown_token(token)} is not one a listing of batches gave"
    )


# How many cards a page of a batch's cards holds at most; a page size of 0
# asks for every card at once.
MAX_CARD_PAGE_SIZE = 1000


def card_page_limit(page_size: int) -> int | None:
    """How many cards a page holds for the page size asked for; None for
    every card."""
    if page_size < 0:
        raise InvalidInput(
            f"page_size is {page_size}: give a positive number, or 0 for every card"
        )
    return min(page_size, MAX_CARD_PAGE_SIZE) or None


# What starts a token of a page of cards, which sets it apart from a token
# of a page of batches: neither listing takes the other's.
CARD_TOKEN_MARK = "cards"


def card_page_token(batch_id: str, offset: int) -> str:
    """The token of the page of a batch's cards that starts at offset."""
    return _token(f"{CARD_TOKEN_MARK}:{offset}:{batch_id}")


def card_page_offset(token: str, batch_id: str) -> int:
    """How many of the batch's cards come before the page a token asks
    for; 0 for the first page."""
    if not token:
        return 0
    try:
        mark, offset, given_for = _where(token).split(":", 2)
        if mark == CARD_TOKEN_MARK and offset.isdigit() and given_for == batch_id:
            return int(offset)
    except ValueError:
        pass
    raise InvalidInput(
        f"page_token {_shown_token(token)} is not one a listing of batch"
        f" {batch_id}'s cards gave"
    )


def _shown_token(token: str) -> str:
    shown = repr(token[:SHOWN_TOKEN_CHARACTERS])
    if len(token) > SHOWN_TOKEN_CHARACTERS:
        shown += f"... ({len(token)} characters)"
    return shown


def check_registration(
    batch_id: str,
    cards: Sequence[store_pb2.NewCard],
    upload_key: str = "",
    upload_digest: str = "",
) -> None:
    """Rejects a registration with a missing id, a card id given twice, or
    an upload key without the digest of its upload."""
    if not batch_id:
        raise InvalidInput("batch_id is empty")
    if upload_key and not upload_digest:
        raise InvalidInput(
            f"batch {batch_id!r} has upload_key {upload_key!r} but no upload_digest"
        )
    seen: set[str] = set()
    for position, card in enumerate(cards):
        if not card.card_id:
            raise InvalidInput(f"card {position} of batch {batch_id!r} has no card_id")
        if card.card_id in seen:
            raise InvalidInput(
                f"card_id {card.card_id!r} appears twice in batch {batch_id!r}"
            )
        seen.add(card.card_id)


def ensure_same_upload(
    upload_key: str, upload_digest: str, held_by: str, held_digest: str
) -> None:
    """Raises AlreadyExists unless the batch holding an upload key came from
    an upload with the same digest."""
    if upload_digest == held_digest:
        return
    raise AlreadyExists(
        f"the upload key {upload_key!r} was used for another upload (batch"
        f" {held_by}), whose content differs from this one's; give each"
        " different upload a key of its own"
    )


def check_id(name: str, value: str) -> None:
    """Rejects an empty batch or card id."""
    if not value:
        raise InvalidInput(f"{name} is empty")


def check_outcome(
    card_id: str, contact: contact_pb2.Contact | None, error: str
) -> None:
    """Rejects a finish with no outcome, or with both a contact and an error."""
    check_id("card_id", card_id)
    if contact is None and not error:
        raise InvalidInput(
            f"card {card_id!r} is finished with neither a contact nor an error"
        )
    if contact is not None and error:
        raise InvalidInput(
            f"card {card_id!r} is finished with both a contact and an error"
        )


def ensure_same_cards(
    batch_id: str,
    wanted: Sequence[store_pb2.NewCard],
    stored: Sequence[batch_pb2.Card],
) -> None:
    """Raises AlreadyExists unless the stored batch has the wanted cards."""
    wanted_pairs = [(c.card_id, c.file_name) for c in wanted]
    stored_pairs = [(c.card_id, c.file_name) for c in stored]
    if wanted_pairs == stored_pairs:
        return
    if len(wanted_pairs) != len(stored_pairs):
        raise AlreadyExists(
            f"batch {batch_id!r} is already registered with {len(stored_pairs)}"
            f" cards, not {len(wanted_pairs)}"
        )
    pairs = enumerate(zip(stored_pairs, wanted_pairs, strict=True))
    position, was, now = next((i, s, w) for i, (s, w) in pairs if s != w)
    raise AlreadyExists(
        f"batch {batch_id!r} is already registered with different cards: card"
        f" {position} is {was[0]!r} named {was[1]!r}, not {now[0]!r} named"
        f" {now[1]!r}"
    )


def assemble_batch(
    batch_id: str,
    cards: Sequence[batch_pb2.Card],
    skipped: Sequence[batch_pb2.SkippedEntry],
    skipped_count: int,
    created_at_micros: int,
) -> batch_pb2.Batch:
    """A Batch message whose counts and state follow from its cards,
    listing the first of its skipped entries and counting them all."""
    states = Counter(card.state for card in cards)
    batch = basic_batch(batch_id, states, skipped, skipped_count, created_at_micros)
    batch.cards.extend(cards)
    return batch


def basic_batch(
    batch_id: str,
    states: Mapping[int, int],
    skipped: Sequence[batch_pb2.SkippedEntry],
    skipped_count: int,
    created_at_micros: int,
) -> batch_pb2.Batch:
    """A Batch message without its cards, its counts and state from how
    many of its cards are in each state, listing the first of its skipped
    entries and counting them all."""
    counts = counted(states)
    batch = batch_pb2.Batch(
        batch_id=batch_id,
        state=batch_state(counts),
        counts=counts,
        skipped=skips.head(skipped),
        skipped_count=skips.total(skipped, skipped_count),
    )
    batch.created_at.FromMicroseconds(created_at_micros)
    return batch


def summarise(
    batch_id: str,
    created_at_micros: int,
    states: Mapping[int, int],
    skipped_count: int,
) -> batch_pb2.BatchSummary:
    """A BatchSummary from how many of the batch's cards are in each state."""
    counts = counted(states)
    summary = batch_pb2.BatchSummary(
        batch_id=batch_id,
        state=batch_state(counts),
        counts=counts,
        skipped_count=skipped_count,
    )
    summary.created_at.FromMicroseconds(created_at_micros)
    return summary


def counted(states: Mapping[int, int]) -> batch_pb2.BatchCounts:
    """A batch's counts from how many of its cards are in each state."""
    return batch_pb2.BatchCounts(
        total=sum(states.values()),
        queued=states.get(CardState.CARD_STATE_QUEUED, 0),
        processing=states.get(CardState.CARD_STATE_PROCESSING, 0),
        done=states.get(CardState.CARD_STATE_DONE, 0),
        failed=states.get(CardState.CARD_STATE_FAILED, 0),
    )


def batch_state(counts: batch_pb2.BatchCounts) -> int:
    """COMPLETE once every card has ended, else RUNNING."""
    if counts.done + counts.failed == counts.total:
        return batch_pb2.BatchState.BATCH_STATE_COMPLETE
    return batch_pb2.BatchState.BATCH_STATE_RUNNING
