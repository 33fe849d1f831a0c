"""The store's MongoDB backend, on PyMongo's async API.

Cards live in the ``cards`` collection, one document each, with the
contact as a plain document so it can be queried; batches live in
``batches`` with the first of their skipped entries, how many were
skipped and, where its uploader gave one, the upload's key and digest. A
batch document is written only after all its cards, so a batch that can be
fetched is always whole; and as the key is unique among batch documents,
the batch and its key are stored in the one write that can fail for a key
another batch took meanwhile.

A batch document written before the count was kept has none, and lists
every entry skipped: its count is the length of that list.
"""

import functools
import inspect
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WaitQueueTimeoutError,
    WTimeoutError,
)

from cardscan import skips
from cardscan.errors import (
    AlreadyExists,
    CardscanError,
    NotFound,
    StorageFault,
    Unavailable,
)
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2
from store_service import backend
from store_service.backend import CardState

DUPLICATE_KEY = 11000


# What a FetchBatch reply leaves out of each card.
WITHOUT_CONTACT = {"_id": False, "contact": False}
# A batch's count of skipped entries, in an aggregation: for a batch
# document written before the count was kept, the length of its list.
SKIPPED_COUNT = {"$ifNull": ["$skipped_count", {"$size": "$skipped"}]}

# MongoDB's codes for a user without the rights a call needs.
UNAUTHORIZED = (13, 8000)

# Faults of reaching MongoDB in time, which pass when it is back.
UNREACHED = (ConnectionFailure, ExecutionTimeout, WaitQueueTimeoutError, WTimeoutError)

P = ParamSpec("P")
T = TypeVar("T")


def fault(error: PyMongoError) -> CardscanError:
    """The error to answer for one PyMongo raised. MongoDB out of reach is
    UNAVAILABLE, to be tried again; anything else MongoDB refused is the
    operator's to mend, and is logged as such."""
    if isinstance(error, UNREACHED):
        return Unavailable(f"MongoDB (MONGO_URL) cannot be reached: {error}")
    if isinstance(error, OperationFailure) and error.code in UNAUTHORIZED:
        return StorageFault(
            "MongoDB refused the store's user (MONGO_URL): it needs to read and"
            f" write the database: {error}"
        )
    return StorageFault(f"MongoDB failed the store's request: {error}")


def answering_faults(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[T]]:
    """A backend method whose PyMongo errors are raised as the store's own,
    so a caller is told what is wrong in place of gRPC's "Unexpected
    <class ...>"."""

    @functools.wraps(method)
    async def answering(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except PyMongoError as error:
            raise fault(error) from None

    return answering


class MongoBackend:
    """Batches and cards in a MongoDB database.

    The database handle comes from a client built at start-up (PyMongo's
    AsyncMongoClient, or a stand-in in tests); whoever built the client
    closes it.
    """

    def __init__(self, database: Any) -> None:
        self._batches = database["batches"]
        self._cards = database["cards"]
        self._database = database

    async def open(self) -> None:
        # The ping fails within the client's server selection timeout when
        # MongoDB cannot be reached, instead of at the first request.
        await self._database.command("ping")
        await self._cards.create_index("card_id", unique=True)
        in_order = [("batch_id", ASCENDING), ("position", ASCENDING)]
        await self._cards.create_index(in_order)
        by_age = [("created_at", DESCENDING), ("_id", DESCENDING)]
        await self._batches.create_index(by_age)
        # Sparse: batches registered without a key have no such field.
        await self._batches.create_index("upload_key", unique=True, sparse=True)

    async def close(self) -> None:
        """Nothing to release: the client belongs to whoever built it."""

    @answering_faults
    async def ping(self) -> None:
        await self._database.command("ping")

    @answering_faults
    async def register_batch(
        self,
        batch_id: str,
        cards: Sequence[store_pb2.NewCard],
        skipped: Sequence[batch_pb2.SkippedEntry],
        skipped_count: int = 0,
        upload_key: str = "",
        upload_digest: str = "",
    ) -> batch_pb2.Batch:
        backend.check_registration(batch_id, cards, upload_key, upload_digest)
        upload = {"upload_key": upload_key, "upload_digest": upload_digest}
        if upload_key and (held := await self._held(batch_id, upload)):
            return held
        if await self._batches.find_one({"_id": batch_id}) is None:
            await self._insert_cards(batch_id, cards)
            stored = await self._find_cards(batch_id, WITHOUT_CONTACT)
            backend.ensure_same_cards(batch_id, cards, stored)
            if not await self._insert_batch(batch_id, skipped, skipped_count, upload):
                # Another batch took the key between the look and the write.
                await self._cards.delete_many({"batch_id": batch_id})
                return await self._held(batch_id, upload)
            return assembled(batch_id, await self._find_batch(batch_id), stored)
        batch = await self.fetch_batch(batch_id)
        backend.ensure_same_cards(batch_id, cards, batch.cards)
        return batch

    async def _held(
        self, batch_id: str, upload: dict[str, str]
    ) -> batch_pb2.Batch | None:
        """The batch other than batch_id that holds the upload's key, if one
        does; raises AlreadyExists if that batch came from a different
        upload."""
        found = await self._batches.find_one({"upload_key": upload["upload_key"]})
        if found is None or found["_id"] == batch_id:
            return None
        backend.ensure_same_upload(
            upload["upload_key"],
            upload["upload_digest"],
            found["_id"],
            found["upload_digest"],
        )
        return await self.fetch_batch(found["_id"])

    async def _insert_cards(
        self, batch_id: str, cards: Sequence[store_pb2.NewCard]
    ) -> None:
        ids = [card.card_id for card in cards]
        taken = await self._cards.find_one(
            {"card_id": {"$in": ids}, "batch_id": {"$ne": batch_id}}
        )
        if taken is not None:
            raise AlreadyExists(
                f"card_id {taken['card_id']!r} already belongs to batch"
                f" {taken['batch_id']!r}"
            )
        if not cards:
            return
        now = datetime.now(UTC)
        queued = backend.state_name(CardState.CARD_STATE_QUEUED)
        documents = [
            {
                "card_id": card.card_id,
                "batch_id": batch_id,
                "position": position,
                "file_name": card.file_name,
                "state": queued,
                "error": "",
                "attempts": 0,
                "contact": None,
                "updated_at": now,
            }
            for position, card in enumerate(cards)
        ]
        try:
            await self._cards.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            # Cards left by an earlier, interrupted registration of this
            # batch are already there; anything else is a real failure.
            codes = {e["code"] for e in error.details["writeErrors"]}
            if codes != {DUPLICATE_KEY}:
                raise

    async def _insert_batch(
        self,
        batch_id: str,
        skipped: Sequence[batch_pb2.SkippedEntry],
        skipped_count: int,
        upload: dict[str, str],
    ) -> bool:
        """Writes the batch document; False if another batch holds its
        upload key."""
        listed = skips.head(skipped)
        document = {
            "_id": batch_id,
            "created_at": datetime.now(UTC),
            "skipped": [{"name": s.name, "reason": s.reason} for s in listed],
            "skipped_count": skips.total(skipped, skipped_count),
        }
        if upload["upload_key"]:
            document.update(upload)
        try:
            await self._batches.insert_one(document)
        except DuplicateKeyError:
            # A retry may have registered it at the same moment; the caller
            # compares the cards either way.
            return await self._batches.find_one({"_id": batch_id}) is not None
        return True

    @answering_faults
    async def start_card(self, card_id: str) -> batch_pb2.Card:
        backend.check_id("card_id", card_id)
        processing = backend.state_name(CardState.CARD_STATE_PROCESSING)
        await self._cards.update_one(
            {"card_id": card_id, "state": {"$in": backend.OPEN_NAMES}},
            {
                "$set": {"state": processing, "updated_at": datetime.now(UTC)},
                "$inc": {"attempts": 1},
            },
        )
        return await self._find_card(card_id)

    @answering_faults
    async def finish_card(
        self, card_id: str, contact: contact_pb2.Contact | None, error: str
    ) -> batch_pb2.Card:
        backend.check_outcome(card_id, contact, error)
        if contact is not None:
            state = CardState.CARD_STATE_DONE
            document = json_format.MessageToDict(
                contact, preserving_proto_field_name=True
            )
        else:
            state, document = CardState.CARD_STATE_FAILED, None
        change = {
            "state": backend.state_name(state),
            "error": error,
            "contact": document,
            "updated_at": datetime.now(UTC),
        }
        # The state filter makes the first ending win even if two finishes
        # race: the later update matches no document.
        await self._cards.update_one(
            {"card_id": card_id, "state": {"$nin": backend.ENDED_NAMES}},
            {"$set": change},
        )
        return await self._find_card(card_id)

    async def _find_card(self, card_id: str) -> batch_pb2.Card:
        document = await self._cards.find_one({"card_id": card_id}, {"_id": False})
        if document is None:
            raise NotFound(f"no card has card_id {card_id!r}")
        return card_from_document(document)

    @answering_faults
    async def find_upload(self, upload_key: str, upload_digest: str) -> batch_pb2.Batch:
        upload = {"upload_key": upload_key, "upload_digest": upload_digest}
        held = await self._held("", upload)
        if held is None:
            raise NotFound(f"no batch holds the upload key {upload_key!r}")
        return held

    @answering_faults
    async def fetch_batch(
        self, batch_id: str, with_cards: bool = True
    ) -> batch_pb2.Batch:
        backend.check_id("batch_id", batch_id)
        found = await self._find_batch(batch_id)
        if not with_cards:
            states = await self._card_states([batch_id])
            return assembled_basic(batch_id, found, states[batch_id])
        return assembled(
            batch_id, found, await self._find_cards(batch_id, WITHOUT_CONTACT)
        )

    @answering_faults
    async def fetch_cards(
        self, batch_id: str, offset: int = 0, limit: int | None = None
    ) -> list[batch_pb2.Card]:
        backend.check_id("batch_id", batch_id)
        await self._find_batch(batch_id)
        return await self._find_cards(batch_id, {"_id": False}, offset, limit)

    @answering_faults
    async def fetch_batches(
        self, page_size: int, page_token: str
    ) -> tuple[list[batch_pb2.BatchSummary], str]:
        limit = backend.page_limit(page_size)
        start = backend.page_start(page_token)
        after: dict[str, Any] = {}
        if start is not None:
            created_at, batch_id = as_datetime(start[0]), start[1]
            after = {
                "$or": [
                    {"created_at": {"$lt": created_at}},
                    {"created_at": created_at, "_id": {"$lt": batch_id}},
                ]
            }
        # One batch past the page tells whether another page follows.
        found = await aggregated(
            self._batches,
            [
                {"$match": after},
                {"$sort": {"created_at": -1, "_id": -1}},
                {"$limit": limit + 1},
                {"$project": {"created_at": 1, "skipped_count": SKIPPED_COUNT}},
            ],
        )
        page = found[:limit]
        states = await self._card_states([batch["_id"] for batch in page])
        summaries = [
            backend.summarise(
                batch["_id"],
                micros(batch["created_at"]),
                states[batch["_id"]],
                batch["skipped_count"],
            )
            for batch in page
        ]
        if len(found) <= limit:
            return summaries, ""
        last = page[-1]
        return summaries, backend.page_token(micros(last["created_at"]), last["_id"])

    async def _card_states(self, batch_ids: list[str]) -> dict[str, dict[int, int]]:
        """How many cards of each batch are in each state."""
        states: dict[str, dict[int, int]] = {batch_id: {} for batch_id in batch_ids}
        groups = await aggregated(
            self._cards,
            [
                {"$match": {"batch_id": {"$in": batch_ids}}},
                {
                    "$group": {
                        "_id": {"batch_id": "$batch_id", "state": "$state"},
                        "cards": {"$sum": 1},
                    }
                },
            ],
        )
        for group in groups:
            state = backend.state_value(group["_id"]["state"])
            states[group["_id"]["batch_id"]][state] = group["cards"]
        return states

    async def _find_batch(self, batch_id: str) -> dict[str, Any]:
        found = await self._batches.find_one({"_id": batch_id})
        if found is None:
            raise NotFound(f"no batch has batch_id {batch_id!r}")
        return found

    async def _find_cards(
        self,
        batch_id: str,
        projection: dict[str, bool],
        offset: int = 0,
        limit: int | None = None,
    ) -> list[batch_pb2.Card]:
        cursor = self._cards.find({"batch_id": batch_id}, projection)
        # MongoDB takes a limit of 0 for none.
        cursor = cursor.sort("position", ASCENDING).skip(offset).limit(limit or 0)
        documents = await cursor.to_list(None)
        return [card_from_document(document) for document in documents]


def assembled(
    batch_id: str, found: dict[str, Any], cards: list[batch_pb2.Card]
) -> batch_pb2.Batch:
    """The Batch message from its stored document and its cards."""
    batch = assembled_basic(batch_id, found, Counter(card.state for card in cards))
    batch.cards.extend(cards)
    return batch


def assembled_basic(
    batch_id: str, found: dict[str, Any], states: Mapping[int, int]
) -> batch_pb2.Batch:
    """The Batch message without its cards, from its stored document and
    how many of its cards are in each state."""
    listed = skips.head(found["skipped"])
    skipped = [batch_pb2.SkippedEntry(**entry) for entry in listed]
    count = found.get("skipped_count", len(found["skipped"]))
    created_at = micros(found["created_at"])
    return backend.basic_batch(batch_id, states, skipped, count, created_at)


async def aggregated(collection: Any, pipeline: list[dict]) -> list[dict[str, Any]]:
    """The documents an aggregation pipeline gives.

    PyMongo's async collection hands its cursor back from a coroutine;
    Motor-style clients, such as the mongomock-motor stand-in, hand it
    back at once.
    """
    cursor = collection.aggregate(pipeline)
    if inspect.isawaitable(cursor):
        cursor = await cursor
    return await cursor.to_list(None)


def as_datetime(micros_since_epoch: int) -> datetime:
    """The UTC datetime of a count of microseconds since the Unix epoch."""
    stamp = Timestamp()
    stamp.FromMicroseconds(micros_since_epoch)
    return stamp.ToDatetime(tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch; a naive datetime, as PyMongo
    returns by default, is taken as UTC."""
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp.ToMicroseconds()


def card_from_document(document: dict[str, Any]) -> batch_pb2.Card:
    """A Card message from a stored card document."""
    card = batch_pb2.Card(
        card_id=document["card_id"],
        batch_id=document["batch_id"],
        file_name=document["file_name"],
        state=backend.state_value(document["state"]),
        error=document["error"],
        attempts=document["attempts"],
    )
    card.updated_at.FromDatetime(document["updated_at"])
    if document.get("contact") is not None:
        json_format.ParseDict(document["contact"], card.contact)
    return card
