"""The interface both storage backends implement, and the rules they share.

A backend stores batches, their cards in upload order and their skipped
entries. The rules that do not depend on where the data lives sit here, so
SQLite and MongoDB check requests and build replies the same way: what a
valid registration or outcome is, when two registrations are the same, and
how a batch's counts and state follow from its cards.
"""

from collections.abc import Sequence
from typing import Protocol

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

    async def register_batch(
        self,
        batch_id: str,
        cards: Sequence[store_pb2.NewCard],
        skipped: Sequence[batch_pb2.SkippedEntry],
    ) -> batch_pb2.Batch:
        """Stores a new batch with its cards QUEUED, or returns the stored
        one when it was registered before with the same cards."""

    async def start_card(self, card_id: str) -> batch_pb2.Card:
        """Marks an open card PROCESSING and counts the attempt."""

    async def finish_card(
        self, card_id: str, contact: contact_pb2.Contact | None, error: str
    ) -> batch_pb2.Card:
        """Ends an open card DONE or FAILED; an ended card stays as it is."""

    async def fetch_batch(self, batch_id: str) -> batch_pb2.Batch:
        """The batch with its cards, without contacts."""

    async def fetch_cards(self, batch_id: str) -> list[batch_pb2.Card]:
        """Every card of the batch in upload order, with contacts."""


def check_registration(batch_id: str, cards: Sequence[store_pb2.NewCard]) -> None:
    """Rejects a registration with a missing id or a card id given twice."""
    if not batch_id:
        raise InvalidInput("batch_id is empty")
    seen: set[str] = set()
    for position, card in enumerate(cards):
        if not card.card_id:
            raise InvalidInput(f"card {position} of batch {batch_id!r} has no card_id")
        if card.card_id in seen:
            raise InvalidInput(
                f"card_id {card.card_id!r} appears twice in batch {batch_id!r}"
            )
        seen.add(card.card_id)


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
    created_at_micros: int,
) -> batch_pb2.Batch:
    """A Batch message whose counts and state follow from its cards."""
    batch = batch_pb2.Batch(batch_id=batch_id, cards=cards, skipped=skipped)
    batch.created_at.FromMicroseconds(created_at_micros)
    counts = batch.counts
    counts.total = len(cards)
    for card in cards:
        if card.state == CardState.CARD_STATE_QUEUED:
            counts.queued += 1
        elif card.state == CardState.CARD_STATE_PROCESSING:
            counts.processing += 1
        elif card.state == CardState.CARD_STATE_DONE:
            counts.done += 1
        elif card.state == CardState.CARD_STATE_FAILED:
            counts.failed += 1
    ended = counts.done + counts.failed == counts.total
    batch.state = (
        batch_pb2.BatchState.BATCH_STATE_COMPLETE
        if ended
        else batch_pb2.BatchState.BATCH_STATE_RUNNING
    )
    return batch
