"""What only the MongoDB backend promises: batch documents written before
it counted skipped entries still read, on mongomock-motor's client."""

from datetime import UTC, datetime

import pytest
from mongomock_motor import AsyncMongoMockClient

from cardscan.v1 import store_pb2
from store_service.mongo_backend import MongoBackend


@pytest.fixture
async def database():
    return AsyncMongoMockClient()["cardscan"]


async def insert_first_kind_of_batch(database, batch_id, skipped, created_at):
    """A batch of one card whose document keeps every entry skipped and no
    count of them, as the backend wrote it first."""
    await database["cards"].insert_one(
        {
            "card_id": f"{batch_id}-0",
            "batch_id": batch_id,
            "position": 0,
            "file_name": "a.png",
            "state": "QUEUED",
            "error": "",
            "attempts": 0,
            "contact": None,
            "updated_at": created_at,
        }
    )
    entries = [
        {"name": f"{i:05}.txt", "reason": "is not an image"} for i in range(skipped)
    ]
    await database["batches"].insert_one(
        {"_id": batch_id, "created_at": created_at, "skipped": entries}
    )


async def test_a_batch_written_without_a_count_counts_its_listed_entries(database):
    await insert_first_kind_of_batch(
        database, "many", 250, datetime(2024, 1, 2, tzinfo=UTC)
    )
    await insert_first_kind_of_batch(
        database, "none", 0, datetime(2024, 1, 1, tzinfo=UTC)
    )
    store = MongoBackend(database)
    await store.open()

    many = await store.fetch_batch("many")
    summaries, _ = await store.fetch_batches(0, "")

    assert [s.name for s in many.skipped] == [f"{i:05}.txt" for i in range(100)]
    assert many.skipped_count == 250
    assert [(s.batch_id, s.skipped_count) for s in summaries] == [
        ("many", 250),
        ("none", 0),
    ]


async def test_a_batch_fetched_without_its_cards_counts_them_in_the_database(
    database, monkeypatch
):
    store = MongoBackend(database)
    await store.open()
    cards = [store_pb2.NewCard(card_id=f"c{i}", file_name=f"{i}.png") for i in range(3)]
    await store.register_batch("b1", cards, [])
    finds = []
    find = store._cards.find

    def counted_find(*args, **kwargs):
        finds.append(args)
        return find(*args, **kwargs)

    monkeypatch.setattr(store._cards, "find", counted_find)

    basic = await store.fetch_batch("b1", with_cards=False)
    finds_for_basic = len(finds)
    full = await store.fetch_batch("b1")

    assert (basic.counts.total, len(full.cards)) == (3, 3)
    # The full read finds the cards' documents; the basic one aggregates.
    assert (finds_for_basic, len(finds)) == (0, 1)
