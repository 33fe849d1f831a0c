"""What only the SQLite backend promises: its file, schema and journal, and
registrations that are all or nothing."""

import sqlite3

import pytest

from cardscan.errors import AlreadyExists
from cardscan.v1 import store_pb2
from store_service.sqlite_backend import SqliteBackend


@pytest.fixture
async def store(tmp_path):
    store = SqliteBackend(tmp_path / "nested" / "store.sqlite3")
    await store.open()
    yield store
    await store.close()


def query(store, sql):
    """Rows read through a connection of its own, as another reader would."""
    with sqlite3.connect(store.path) as db:
        return db.execute(sql).fetchall()


async def test_opening_creates_the_file_with_its_schema_in_wal_mode(store):
    tables = query(store, "SELECT name FROM sqlite_master WHERE type = 'table'")

    assert query(store, "PRAGMA journal_mode") == [("wal",)]
    assert {"batches", "cards", "skipped"} <= {name for (name,) in tables}


async def test_a_registration_that_fails_halfway_leaves_nothing_behind(store):
    await store.register_batch("b1", [store_pb2.NewCard(card_id="taken")], [])
    cards = [store_pb2.NewCard(card_id="fresh"), store_pb2.NewCard(card_id="taken")]

    with pytest.raises(AlreadyExists, match="'taken' already belongs to batch 'b1'"):
        await store.register_batch("b2", cards, [])

    assert query(store, "SELECT card_id FROM cards") == [("taken",)]
    assert query(store, "SELECT batch_id FROM batches") == [("b1",)]
