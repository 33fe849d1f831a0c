"""The store's contract, held alike by every backend: SQLite on a file,
the MongoDB backend on mongomock-motor, and a real MongoDB when MONGO_URL
is set."""

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime

import pytest
from mongomock_motor import AsyncMongoMockClient
from pymongo import AsyncMongoClient

from cardscan import skips
from cardscan.errors import AlreadyExists, InvalidInput, NotFound
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2
from store_service import backend, mongo_backend, sqlite_backend
from store_service.mongo_backend import MongoBackend
from store_service.sqlite_backend import SqliteBackend

CardState = batch_pb2.CardState
QUEUED = CardState.CARD_STATE_QUEUED
PROCESSING = CardState.CARD_STATE_PROCESSING
DONE = CardState.CARD_STATE_DONE
FAILED = CardState.CARD_STATE_FAILED
RUNNING = batch_pb2.BatchState.BATCH_STATE_RUNNING
COMPLETE = batch_pb2.BatchState.BATCH_STATE_COMPLETE


class Storage:
    """One place to keep data, opened as a backend as often as a test likes."""

    def __init__(self, make, large_batch=5000):
        self._make = make
        self.large_batch = large_batch
        self.opened = []

    async def open(self):
        store = self._make()
        await store.open()
        self.opened.append(store)
        return store

    async def close_all(self):
        for store in self.opened:
            await store.close()


@pytest.fixture(params=["sqlite", "mongomock", "mongodb"])
async def storage(request, tmp_path):
    """Fresh storage on one backend; each test sees only its own data."""
    if request.param == "sqlite":
        storage = Storage(lambda: SqliteBackend(tmp_path / "store.sqlite3"))
        yield storage
        await storage.close_all()
    elif request.param == "mongomock":
        client = AsyncMongoMockClient()
        # mongomock checks a unique index against every stored document on
        # each insert, so thousands of cards would take it minutes.
        storage = Storage(lambda: MongoBackend(client["cardscan"]), large_batch=500)
        yield storage
        await storage.close_all()
    else:
        async for storage in real_mongo_storage():
            yield storage


async def real_mongo_storage():
    """A throw-away database on the MongoDB at MONGO_URL."""
    url = os.environ.get("MONGO_URL")
    if not url:
        pytest.skip("MONGO_URL is not set, so there is no real MongoDB to test")
    client = AsyncMongoClient(url, serverSelectionTimeoutMS=5000)
    name = f"cardscan_test_{uuid.uuid4().hex}"
    storage = Storage(lambda: MongoBackend(client[name]))
    try:
        yield storage
        await storage.close_all()
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
async def store(storage):
    return await storage.open()


def new_cards(*names):
    """NewCards with fresh ids and the given file names."""
    return [
        store_pb2.NewCard(card_id=uuid.uuid4().hex, file_name=name) for name in names
    ]


def contact(company="Acme Ltda", email="ana@acme.example"):
    """A contact that uses every kind of field: messages, enums, lists, a map."""
    return contact_pb2.Contact(
        name=contact_pb2.PersonName(full="Dr. Ana Lima", prefix="Dr.", given="Ana"),
        title="CTO",
        company=company,
        phones=[
            contact_pb2.Phone(
                type=contact_pb2.PhoneType.PHONE_TYPE_MOBILE,
                number="+5511987654321",
                raw="(11) 98765-4321",
            )
        ],
        emails=[email],
        address=contact_pb2.Address(city="São Paulo", country="BR"),
        confidence={"name": 0.5, "company": 0.25},
        needs_review=True,
    )


async def register(store, *names, skipped=(), skipped_count=0):
    """Registers a batch with cards of the given file names."""
    batch_id = uuid.uuid4().hex
    return await store.register_batch(
        batch_id, new_cards(*names), list(skipped), skipped_count
    )


def skipped_entries(number):
    """That many entries skipped as no images, named in upload order."""
    return [
        batch_pb2.SkippedEntry(name=f"{i:05}.txt", reason="is not an image")
        for i in range(number)
    ]


def micros_now():
    """Now, floored to the millisecond that MongoDB keeps."""
    return time.time_ns() // 1_000_000 * 1000


# RegisterBatch


async def test_registered_batch_has_its_cards_queued_in_upload_order(store):
    cards = new_cards("c.png", "a.png", "b.png")

    batch = await store.register_batch("b1", cards, [])

    assert [c.card_id for c in batch.cards] == [c.card_id for c in cards]
    assert [c.file_name for c in batch.cards] == ["c.png", "a.png", "b.png"]
    assert {c.state for c in batch.cards} == {QUEUED}
    assert {c.attempts for c in batch.cards} == {0}
    assert {c.batch_id for c in batch.cards} == {"b1"}
    assert batch.counts.total == batch.counts.queued == 3
    assert batch.state == RUNNING
    assert batch.created_at.ToMicroseconds() > 0


async def test_registered_batch_keeps_its_skipped_entries_in_order(store):
    skipped = [
        batch_pb2.SkippedEntry(name="notes.txt", reason="not an image"),
        batch_pb2.SkippedEntry(name="../x.png", reason="unsafe path"),
    ]

    batch = await register(store, "a.png", skipped=skipped)

    assert list(batch.skipped) == skipped
    assert list((await store.fetch_batch(batch.batch_id)).skipped) == skipped


async def test_a_batch_lists_the_first_skipped_entries_and_counts_them_all(store):
    batch = await register(
        store, "a.png", skipped=skipped_entries(skips.LISTED), skipped_count=4900
    )
    fetched = await store.fetch_batch(batch.batch_id)
    summaries, _ = await store.fetch_batches(0, "")

    for told in batch, fetched:
        assert list(told.skipped) == skipped_entries(skips.LISTED)
        assert told.skipped_count == 4900
    assert [s.skipped_count for s in summaries] == [4900]


async def test_skipped_entries_past_the_first_are_counted_not_kept(store):
    # As from a sender that lists every entry and tells no count.
    batch = await register(store, "a.png", skipped=skipped_entries(250))
    fetched = await store.fetch_batch(batch.batch_id)
    summaries, _ = await store.fetch_batches(0, "")

    for told in batch, fetched:
        assert list(told.skipped) == skipped_entries(skips.LISTED)
        assert told.skipped_count == 250
    assert [s.skipped_count for s in summaries] == [250]


async def test_a_batch_that_skipped_nothing_counts_none(store):
    batch = await register(store, "a.png")

    fetched = await store.fetch_batch(batch.batch_id)

    assert (list(fetched.skipped), fetched.skipped_count) == ([], 0)


async def test_batch_without_cards_is_complete(store):
    batch = await register(store)

    assert batch.counts.total == 0
    assert batch.state == COMPLETE


async def test_registering_a_batch_again_with_the_same_cards_returns_it(store):
    cards = new_cards("a.png", "b.png")
    first = await store.register_batch("b1", cards, [])
    await store.start_card(cards[0].card_id)

    again = await store.register_batch("b1", cards, [])

    assert again.created_at == first.created_at
    assert [c.card_id for c in again.cards] == [c.card_id for c in cards]
    assert again.cards[0].state == PROCESSING
    assert again.counts.total == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda cards: cards[:1],
        lambda cards: [*cards, *new_cards("c.png")],
        lambda cards: [cards[0], store_pb2.NewCard(card_id="other", file_name="b.png")],
        lambda cards: [cards[0], store_pb2.NewCard(card_id=cards[1].card_id)],
        lambda cards: cards[::-1],
    ],
    ids=["fewer", "more", "other-id", "other-name", "other-order"],
)
async def test_registering_a_batch_again_with_other_cards_is_already_exists(
    store, change
):
    cards = new_cards("a.png", "b.png")
    await store.register_batch("b1", cards, [])

    with pytest.raises(AlreadyExists, match="'b1'"):
        await store.register_batch("b1", change(cards), [])

    batch = await store.fetch_batch("b1")
    assert [c.card_id for c in batch.cards] == [c.card_id for c in cards]


async def test_a_card_id_of_another_batch_is_already_exists(store):
    taken = new_cards("a.png")
    await store.register_batch("b1", taken, [])

    with pytest.raises(AlreadyExists, match=f"{taken[0].card_id}.*'b1'"):
        await store.register_batch("b2", [*new_cards("x.png"), *taken], [])

    with pytest.raises(NotFound):
        await store.fetch_batch("b2")


@pytest.mark.parametrize(
    ("batch_id", "cards", "message"),
    [
        ("", [store_pb2.NewCard(card_id="c1")], "batch_id is empty"),
        ("b1", [store_pb2.NewCard(card_id="")], "card 0 of batch 'b1' has no card_id"),
        (
            "b1",
            [store_pb2.NewCard(card_id="c1"), store_pb2.NewCard(card_id="c1")],
            "card_id 'c1' appears twice in batch 'b1'",
        ),
    ],
    ids=["empty-batch-id", "empty-card-id", "duplicate-card-id"],
)
async def test_invalid_registration_is_rejected_saying_why(
    store, batch_id, cards, message
):
    with pytest.raises(InvalidInput, match=message):
        await store.register_batch(batch_id, cards, [])

    with pytest.raises((NotFound, InvalidInput)):
        await store.fetch_batch(batch_id)


# RegisterBatch with an upload key


async def test_a_key_is_found_with_its_batch_by_the_same_upload_only(store):
    registered = await store.register_batch(
        "b1", new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
    )
    await store.register_batch("b2", new_cards("b.png"), [])

    found = await store.find_upload("k1", "d1")
    with pytest.raises(AlreadyExists, match="'k1' was used for another upload"):
        await store.find_upload("k1", "d2")
    with pytest.raises(NotFound, match="no batch holds the upload key 'k2'"):
        await store.find_upload("k2", "d1")

    assert found.batch_id == "b1"
    assert [c.card_id for c in found.cards] == [c.card_id for c in registered.cards]


async def test_a_key_registered_again_returns_its_batch_and_records_nothing(store):
    first = await store.register_batch(
        "b1", new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
    )

    again = await store.register_batch(
        "b2", new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
    )
    listed, _ = await store.fetch_batches(0, "")

    assert again.batch_id == "b1"
    assert [c.card_id for c in again.cards] == [c.card_id for c in first.cards]
    assert [b.batch_id for b in listed] == ["b1"]
    with pytest.raises(NotFound):
        await store.fetch_batch("b2")


async def test_a_key_with_the_digest_of_another_upload_is_already_exists(store):
    await store.register_batch(
        "b1", new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
    )

    with pytest.raises(AlreadyExists, match="'k1' was used for another upload"):
        await store.register_batch(
            "b2", new_cards("a.png"), [], upload_key="k1", upload_digest="d2"
        )

    with pytest.raises(NotFound):
        await store.fetch_batch("b2")


async def test_a_batch_registered_again_under_its_key_returns_it(store):
    cards = new_cards("a.png")
    await store.register_batch("b1", cards, [], upload_key="k1", upload_digest="d1")

    again = await store.register_batch(
        "b1", cards, [], upload_key="k1", upload_digest="d1"
    )

    assert again.batch_id == "b1"


async def test_batches_under_other_keys_or_none_are_each_registered(store):
    await store.register_batch(
        "b1", new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
    )
    await store.register_batch(
        "b2", new_cards("a.png"), [], upload_key="k2", upload_digest="d1"
    )
    await store.register_batch("b3", new_cards("a.png"), [])
    await store.register_batch("b4", new_cards("a.png"), [])

    listed, _ = await store.fetch_batches(0, "")

    assert sorted(b.batch_id for b in listed) == ["b1", "b2", "b3", "b4"]


async def test_concurrent_registrations_under_one_key_make_one_batch(store):
    ids = [f"b{i}" for i in range(5)]

    batches = await asyncio.gather(
        *(
            store.register_batch(
                i, new_cards("a.png"), [], upload_key="k1", upload_digest="d1"
            )
            for i in ids
        )
    )
    listed, _ = await store.fetch_batches(0, "")

    assert len({batch.batch_id for batch in batches}) == 1
    assert [b.batch_id for b in listed] == [batches[0].batch_id]
    assert listed[0].counts.total == 1


async def test_a_key_without_its_digest_is_rejected(store):
    with pytest.raises(InvalidInput, match="upload_key 'k1' but no upload_digest"):
        await store.register_batch(
            "b1", new_cards("a.png"), [], upload_key="k1", upload_digest=""
        )


async def test_a_large_batch_registers_and_fetches_whole(storage):
    store = await storage.open()
    names = [f"card-{i:05}.jpg" for i in range(storage.large_batch)]

    registered = await register(store, *names)
    fetched = await store.fetch_batch(registered.batch_id)
    cards = await store.fetch_cards(registered.batch_id)

    assert [c.file_name for c in fetched.cards] == names
    assert [c.file_name for c in cards] == names
    assert fetched.counts.total == fetched.counts.queued == len(names)


# StartCard


async def test_starting_a_card_marks_it_processing_and_counts_attempts(store):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id

    first = await store.start_card(card_id)
    second = await store.start_card(card_id)

    assert (first.state, first.attempts) == (PROCESSING, 1)
    assert (second.state, second.attempts) == (PROCESSING, 2)
    assert (await store.fetch_batch(batch.batch_id)).cards[0].attempts == 2


@pytest.mark.parametrize("outcome", ["contact", "error"])
async def test_starting_an_ended_card_leaves_it_as_it_is(store, outcome):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id
    await store.start_card(card_id)
    if outcome == "contact":
        ended = await store.finish_card(card_id, contact(), "")
    else:
        ended = await store.finish_card(card_id, None, "unreadable")

    started = await store.start_card(card_id)

    assert started == ended
    assert started.state in (DONE, FAILED)
    assert started.attempts == 1


async def test_starting_an_unknown_card_is_not_found(store):
    with pytest.raises(NotFound, match="'no-such-card'"):
        await store.start_card("no-such-card")


async def test_starting_a_card_without_id_is_invalid(store):
    with pytest.raises(InvalidInput, match="card_id is empty"):
        await store.start_card("")


# FinishCard


async def test_finishing_with_a_contact_stores_it_done(store):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id
    await store.start_card(card_id)

    finished = await store.finish_card(card_id, contact(), "")

    assert finished.state == DONE
    assert finished.contact == contact()
    assert finished.error == ""
    assert (await store.fetch_cards(batch.batch_id))[0].contact == contact()


async def test_finishing_with_an_error_stores_it_failed(store):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id

    finished = await store.finish_card(card_id, None, "no text found")

    assert finished.state == FAILED
    assert finished.error == "no text found"
    assert not finished.HasField("contact")
    stored = (await store.fetch_cards(batch.batch_id))[0]
    assert (stored.state, stored.error) == (FAILED, "no text found")


@pytest.mark.parametrize(
    ("first", "later"),
    [
        ((contact(), ""), (None, "timed out")),
        ((None, "timed out"), (contact(), "")),
        ((contact(company="First"), ""), (contact(company="Second"), "")),
        ((None, "first error"), (None, "second error")),
    ],
    ids=["done-then-failed", "failed-then-done", "done-twice", "failed-twice"],
)
async def test_the_first_ending_of_a_card_wins(store, first, later):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id
    ended = await store.finish_card(card_id, *first)

    again = await store.finish_card(card_id, *later)

    assert again == ended
    assert (await store.fetch_cards(batch.batch_id))[0] == ended


async def test_concurrent_finishes_of_one_card_store_one_outcome(store):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id
    await store.start_card(card_id)
    outcomes = [(contact(company=f"Company {i}"), "") for i in range(8)]
    outcomes += [(None, f"error {i}") for i in range(8)]

    replies = await asyncio.gather(
        *(store.finish_card(card_id, *outcome) for outcome in outcomes)
    )

    stored = (await store.fetch_cards(batch.batch_id))[0]
    assert all(reply == stored for reply in replies)
    assert stored.state in (DONE, FAILED)
    assert (stored.contact.company, stored.error) in [
        (c.company if c else "", e) for c, e in outcomes
    ]


@pytest.mark.parametrize(
    ("contact_given", "error", "message"),
    [
        (None, "", "neither a contact nor an error"),
        (contact(), "boom", "both a contact and an error"),
    ],
    ids=["neither", "both"],
)
async def test_finishing_without_one_outcome_is_invalid(
    store, contact_given, error, message
):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id

    with pytest.raises(InvalidInput, match=f"'{card_id}'.*{message}"):
        await store.finish_card(card_id, contact_given, error)

    assert (await store.fetch_cards(batch.batch_id))[0].state == QUEUED


async def test_finishing_an_unknown_card_is_not_found(store):
    with pytest.raises(NotFound, match="'no-such-card'"):
        await store.finish_card("no-such-card", None, "unreadable")


# FetchBatch and FetchCards


async def test_a_fetched_batch_counts_cards_by_state_without_contacts(store):
    batch = await register(store, "q.png", "p.png", "d.png", "f.png")
    queued, processing, done, failed = (c.card_id for c in batch.cards)
    await store.start_card(processing)
    await store.finish_card(done, contact(), "")
    await store.finish_card(failed, None, "blank image")

    fetched = await store.fetch_batch(batch.batch_id)

    counts = fetched.counts
    assert (counts.total, counts.queued, counts.processing) == (4, 1, 1)
    assert (counts.done, counts.failed) == (1, 1)
    assert [c.state for c in fetched.cards] == [QUEUED, PROCESSING, DONE, FAILED]
    assert not any(c.HasField("contact") for c in fetched.cards)
    assert fetched.cards[3].error == "blank image"
    assert fetched.state == RUNNING
    assert (fetched.workers_online, fetched.notice) == (0, "")
    assert fetched.created_at == batch.created_at


async def test_a_batch_is_complete_once_every_card_is_done_or_failed(store):
    batch = await register(store, "a.png", "b.png")
    first, second = (c.card_id for c in batch.cards)
    await store.finish_card(first, contact(), "")
    assert (await store.fetch_batch(batch.batch_id)).state == RUNNING

    await store.finish_card(second, None, "unreadable")

    assert (await store.fetch_batch(batch.batch_id)).state == COMPLETE


async def test_fetched_cards_come_in_upload_order_with_contacts_of_done_ones(store):
    batch = await register(store, "z.png", "a.png", "m.png")
    z, a, m = (c.card_id for c in batch.cards)
    await store.finish_card(m, contact(company="M"), "")
    await store.finish_card(z, contact(company="Z"), "")
    await store.finish_card(a, None, "unreadable")

    cards = await store.fetch_cards(batch.batch_id)

    assert [c.card_id for c in cards] == [z, a, m]
    assert [c.contact.company for c in cards] == ["Z", "", "M"]
    assert [c.HasField("contact") for c in cards] == [True, False, True]


async def test_cards_are_fetched_from_an_offset_and_up_to_a_limit(store):
    batch = await register(store, *(f"{name}.png" for name in "zamqb"))
    ids = [c.card_id for c in batch.cards]
    await store.finish_card(ids[2], contact(company="M"), "")

    middle = await store.fetch_cards(batch.batch_id, offset=1, limit=3)
    rest = await store.fetch_cards(batch.batch_id, offset=3)
    past = await store.fetch_cards(batch.batch_id, offset=5, limit=3)

    assert [c.card_id for c in middle] == ids[1:4]
    assert middle[1].contact.company == "M"
    assert [c.card_id for c in rest] == ids[3:]
    assert past == []


def without_cards(batch):
    """The batch as it is with its cards left out."""
    basic = batch_pb2.Batch()
    basic.CopyFrom(batch)
    basic.ClearField("cards")
    return basic


async def test_a_batch_fetched_without_its_cards_has_all_else_the_full_one_has(
    store,
):
    batch = await register(
        store,
        *(f"{i}.png" for i in range(6)),
        skipped=skipped_entries(skips.LISTED + 20),
    )
    ids = [c.card_id for c in batch.cards]
    await store.start_card(ids[1])
    await store.start_card(ids[2])
    await store.finish_card(ids[3], contact(), "")
    await store.finish_card(ids[4], None, "blank image")

    full = await store.fetch_batch(batch.batch_id)
    basic = await store.fetch_batch(batch.batch_id, with_cards=False)

    assert list(basic.cards) == []
    assert basic == without_cards(full)
    counts = basic.counts
    assert (counts.total, counts.queued, counts.processing) == (6, 2, 2)
    assert (counts.done, counts.failed) == (1, 1)
    assert basic.state == RUNNING
    assert list(basic.skipped) == skipped_entries(skips.LISTED)
    assert basic.skipped_count == skips.LISTED + 20
    assert basic.created_at == batch.created_at


async def test_a_batch_fetched_without_its_cards_is_complete_once_they_all_end(
    store,
):
    batch = await register(store, "a.png", "b.png")
    first, second = (c.card_id for c in batch.cards)
    await store.finish_card(first, contact(), "")
    await store.finish_card(second, None, "unreadable")

    basic = await store.fetch_batch(batch.batch_id, with_cards=False)

    assert basic.state == COMPLETE
    assert (basic.counts.done, basic.counts.failed) == (1, 1)


async def test_a_batch_without_cards_fetched_without_them_is_complete(store):
    batch = await register(store)

    basic = await store.fetch_batch(batch.batch_id, with_cards=False)

    assert basic.state == COMPLETE
    assert basic.counts == batch_pb2.BatchCounts()


async def test_a_large_batch_fetched_without_its_cards_counts_them_all(storage):
    store = await storage.open()
    names = [f"card-{i:05}.jpg" for i in range(storage.large_batch)]
    registered = await register(store, *names)
    await store.finish_card(registered.cards[-1].card_id, None, "unreadable")

    basic = await store.fetch_batch(registered.batch_id, with_cards=False)

    assert list(basic.cards) == []
    assert (basic.counts.total, basic.counts.failed) == (len(names), 1)
    assert basic.counts.queued == len(names) - 1


async def test_batches_fetched_without_cards_count_only_their_own(store):
    first = await register(store, "a.png", "b.png")
    second = await register(store, "c.png")
    await store.finish_card(second.cards[0].card_id, contact(), "")

    basic_first = await store.fetch_batch(first.batch_id, with_cards=False)
    basic_second = await store.fetch_batch(second.batch_id, with_cards=False)

    assert (basic_first.counts.total, basic_first.counts.queued) == (2, 2)
    assert (basic_second.counts.total, basic_second.counts.done) == (1, 1)


async def test_fetching_an_unknown_batch_without_its_cards_is_not_found(store):
    await register(store, "a.png")

    with pytest.raises(NotFound, match="'no-such-batch'"):
        await store.fetch_batch("no-such-batch", with_cards=False)


async def test_fetching_without_a_batch_id_and_its_cards_is_invalid(store):
    with pytest.raises(InvalidInput, match="batch_id is empty"):
        await store.fetch_batch("", with_cards=False)


@pytest.mark.parametrize("fetch", ["fetch_batch", "fetch_cards"])
async def test_fetching_an_unknown_batch_is_not_found(store, fetch):
    await register(store, "a.png")

    with pytest.raises(NotFound, match="'no-such-batch'"):
        await getattr(store, fetch)("no-such-batch")


@pytest.mark.parametrize("fetch", ["fetch_batch", "fetch_cards"])
async def test_fetching_without_a_batch_id_is_invalid(store, fetch):
    with pytest.raises(InvalidInput, match="batch_id is empty"):
        await getattr(store, fetch)("")


async def test_updated_at_is_set_on_every_state_change(store):
    batch = await register(store, "a.png")
    card_id = batch.cards[0].card_id
    registered_at = batch.cards[0].updated_at.ToMicroseconds()
    await asyncio.sleep(0.002)

    before_start = micros_now()
    started = await store.start_card(card_id)
    await asyncio.sleep(0.002)
    before_finish = micros_now()
    finished = await store.finish_card(card_id, None, "unreadable")

    assert registered_at > 0
    assert started.updated_at.ToMicroseconds() >= before_start > registered_at
    assert finished.updated_at.ToMicroseconds() >= before_finish
    assert before_finish > started.updated_at.ToMicroseconds() - 1000


# FetchBatches


async def all_pages(store, page_size):
    """Every page of the listing, in order, as lists of batch ids."""
    pages, token = [], ""
    while True:
        summaries, token = await store.fetch_batches(page_size, token)
        pages.append([summary.batch_id for summary in summaries])
        if not token:
            return pages


async def test_batches_are_listed_newest_first_with_their_counts(store):
    older = await register(
        store,
        "a.png",
        "b.png",
        "c.png",
        skipped=[batch_pb2.SkippedEntry(name="notes.txt", reason="not an image")],
    )
    await store.start_card(older.cards[0].card_id)
    await store.finish_card(older.cards[1].card_id, contact(), "")
    await store.finish_card(older.cards[2].card_id, None, "unreadable")
    await asyncio.sleep(0.002)
    newer = await register(store, "d.png")
    for card in newer.cards:
        await store.finish_card(card.card_id, contact(), "")

    summaries, token = await store.fetch_batches(0, "")

    assert token == ""
    assert [s.batch_id for s in summaries] == [newer.batch_id, older.batch_id]
    first, second = summaries
    assert first.state == COMPLETE
    assert (first.counts.total, first.counts.done, first.skipped_count) == (1, 1, 0)
    assert second.state == RUNNING
    counts = second.counts
    assert (counts.total, counts.queued, counts.processing) == (3, 0, 1)
    assert (counts.done, counts.failed, second.skipped_count) == (1, 1, 1)
    assert second.created_at == older.created_at


async def test_pages_of_batches_hold_every_batch_once_in_order(store):
    ids = [(await register(store, "a.png")).batch_id for _ in range(7)]

    pages = await all_pages(store, 3)

    assert [len(page) for page in pages] == [3, 3, 1]
    listed = [batch_id for page in pages for batch_id in page]
    assert sorted(listed) == sorted(ids)
    summaries, _ = await store.fetch_batches(7, "")
    assert listed == [s.batch_id for s in summaries]


class FrozenDatetime(datetime):
    """A datetime class whose now() is always the same moment."""

    @classmethod
    def now(cls, tz=None):
        return cls(2026, 3, 1, 9, 30, tzinfo=UTC)


async def test_batches_accepted_in_the_same_instant_are_each_listed_once(
    store, monkeypatch
):
    # Each backend's clock is stopped; only the one under test reads its own.
    monkeypatch.setattr(sqlite_backend, "now_micros", lambda: 1_772_357_400_000_000)
    monkeypatch.setattr(mongo_backend, "datetime", FrozenDatetime)
    ids = [(await register(store, "a.png")).batch_id for _ in range(5)]

    pages = await all_pages(store, 2)

    listed = [batch_id for page in pages for batch_id in page]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(listed) == sorted(ids)


async def test_a_page_size_of_0_lists_20_batches(store):
    for _ in range(21):
        await register(store)

    summaries, token = await store.fetch_batches(0, "")

    assert len(summaries) == 20
    assert token != ""


async def test_a_long_page_token_is_shown_cut_short_in_the_error(store):
    token = "A" * 17_000

    with pytest.raises(InvalidInput) as raised:
        await store.fetch_batches(5, token)

    assert len(str(raised.value)) < 200
    assert "(17000 characters)" in str(raised.value)


def test_a_page_holds_at_most_500_batches():
    assert backend.page_limit(10_000) == 500
    assert backend.page_limit(7) == 7


async def test_an_empty_store_lists_no_batches(store):
    assert await store.fetch_batches(5, "") == ([], "")


async def test_a_negative_page_size_is_invalid(store):
    with pytest.raises(InvalidInput, match="page_size is -1"):
        await store.fetch_batches(-1, "")


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "bm8tY29sb24",  # no-colon
        "eDph",  # x:a
        "eDoxOmE",  # x:1:a
        "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk6eA",  # 99999999999999999999999:x
        "LTU6eA",  # -5:x
    ],
)
async def test_a_page_token_no_listing_gave_is_invalid(store, token):
    with pytest.raises(InvalidInput, match=f"page_token {token!r} is not one"):
        await store.fetch_batches(5, token)


# Durability


async def test_stored_data_survives_reopening(storage):
    first = await storage.open()
    batch = await register(
        first,
        "a.png",
        "b.png",
        skipped=skipped_entries(skips.LISTED),
        skipped_count=4900,
    )
    card_a, card_b = (c.card_id for c in batch.cards)
    await first.start_card(card_a)
    await first.finish_card(card_a, contact(), "")
    await first.finish_card(card_b, None, "unreadable")
    before = await first.fetch_cards(batch.batch_id)
    await first.close()

    reopened = await storage.open()

    assert await reopened.fetch_cards(batch.batch_id) == before
    fetched = await reopened.fetch_batch(batch.batch_id)
    assert fetched.state == COMPLETE
    assert fetched.created_at == batch.created_at
    assert list(fetched.skipped) == skipped_entries(skips.LISTED)
    assert fetched.skipped_count == 4900
    summaries, _ = await reopened.fetch_batches(0, "")
    assert [s.skipped_count for s in summaries] == [4900]
