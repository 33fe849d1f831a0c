"""What only the SQLite backend promises: its file, schema and journal, and
registrations that are all or nothing."""

import os
import sqlite3

import pytest

from cardscan.errors import AlreadyExists, InvalidInput, Unavailable
from cardscan.v1 import store_pb2
from store_service.sqlite_backend import MIGRATIONS, SqliteBackend


@pytest.fixture
async def store(tmp_path):
    store = SqliteBackend(tmp_path / "nested" / "store.sqlite3")
    await store.open()
    yield store
    await store.close()


def query(store, sql):
    """Rows read through a connection of its own, as another reader would."""
    return query_file(store.path, sql)


def query_file(path, sql):
    """Rows read from the SQLite file at the path."""
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


async def test_opening_creates_the_file_with_its_schema_in_wal_mode(store):
    tables = query(store, "SELECT name FROM sqlite_master WHERE type = 'table'")

    assert query(store, "PRAGMA journal_mode") == [("wal",)]
    assert {"batches", "cards", "skipped"} <= {name for (name,) in tables}


async def traced(store, reading):
    """What a read returns, and the SQL statements the store ran for it (on
    the thread that owns the connection, as SQLite requires)."""
    statements = []
    await store._run(store.db.set_trace_callback, statements.append)
    try:
        return await reading, statements
    finally:
        await store._run(store.db.set_trace_callback, None)


async def test_a_batch_fetched_without_its_cards_counts_them_in_the_database(store):
    cards = [store_pb2.NewCard(card_id=f"c{i}", file_name=f"{i}.png") for i in range(3)]
    await store.register_batch("b1", cards, [])

    basic, basic_reads = await traced(store, store.fetch_batch("b1", with_cards=False))
    full, full_reads = await traced(store, store.fetch_batch("b1"))

    assert (basic.counts.total, len(full.cards)) == (3, 3)
    # The full read selects each card's columns; the basic one only counts.
    assert any("file_name" in sql for sql in full_reads)
    assert not any("file_name" in sql for sql in basic_reads)
    assert any("COUNT(*)" in sql and "GROUP BY" in sql for sql in basic_reads)


async def test_a_registration_that_fails_halfway_leaves_nothing_behind(store):
    await store.register_batch("b1", [store_pb2.NewCard(card_id="taken")], [])
    cards = [store_pb2.NewCard(card_id="fresh"), store_pb2.NewCard(card_id="taken")]

    with pytest.raises(AlreadyExists, match="'taken' already belongs to batch 'b1'"):
        await store.register_batch("b2", cards, [])

    assert query(store, "SELECT card_id FROM cards") == [("taken",)]
    assert query(store, "SELECT batch_id FROM batches") == [("b1",)]


# The schema as stores wrote it before batches counted their skipped entries,
# when every entry skipped was kept and the file had no user_version.
FIRST_SCHEMA = """
CREATE TABLE batches (
    batch_id   TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE INDEX batches_by_age ON batches (created_at, batch_id);
CREATE TABLE cards (
    card_id    TEXT PRIMARY KEY,
    batch_id   TEXT NOT NULL REFERENCES batches (batch_id),
    position   INTEGER NOT NULL,
    file_name  TEXT NOT NULL,
    state      TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    contact    BLOB,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX cards_in_order ON cards (batch_id, position);
CREATE TABLE skipped (
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (batch_id, position)
);
"""


def first_schema_database(path, skipped_by_batch):
    """A database of the first schema holding batches of one card each and
    the given numbers of skipped entries, all of them kept."""
    with sqlite3.connect(path) as db:
        db.executescript(FIRST_SCHEMA)
        for at, (batch_id, skipped) in enumerate(skipped_by_batch.items()):
            db.execute("INSERT INTO batches VALUES (?, ?)", (batch_id, 1000 + at))
            db.execute(
                "INSERT INTO cards (card_id, batch_id, position, file_name, state,"
                " updated_at) VALUES (?, ?, 0, 'a.png', 'QUEUED', 1000)",
                (f"{batch_id}-0", batch_id),
            )
            db.executemany(
                "INSERT INTO skipped VALUES (?, ?, ?, 'is not an image')",
                [(batch_id, i, f"{i:05}.txt") for i in range(skipped)],
            )
    db.close()


async def test_a_database_of_the_first_schema_opens_and_counts_what_it_skipped(
    tmp_path,
):
    path = tmp_path / "store.sqlite3"
    first_schema_database(path, {"many": 250, "none": 0})

    store = SqliteBackend(path)
    await store.open()
    try:
        many = await store.fetch_batch("many")
        added = await store.register_batch(
            "new", [store_pb2.NewCard(card_id="new-0")], [], 7
        )
        summaries, _ = await store.fetch_batches(0, "")
    finally:
        await store.close()

    assert [s.name for s in many.skipped] == [f"{i:05}.txt" for i in range(100)]
    assert many.skipped_count == 250
    assert [(s.batch_id, s.skipped_count) for s in summaries] == [
        ("new", 7),
        ("none", 0),
        ("many", 250),
    ]
    assert added.skipped_count == 7
    assert query(store, "PRAGMA user_version") == [(len(MIGRATIONS),)]


async def test_a_database_brought_up_to_date_opens_again_as_it_is(tmp_path):
    path = tmp_path / "store.sqlite3"
    first_schema_database(path, {"many": 250})
    for _ in range(2):
        store = SqliteBackend(path)
        await store.open()
        many = await store.fetch_batch("many")
        await store.close()

        assert many.skipped_count == 250


async def test_a_database_of_a_newer_schema_is_refused_naming_its_version(tmp_path):
    path = tmp_path / "store.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    store = SqliteBackend(path)

    with pytest.raises(Unavailable) as refused:
        await store.open()
    await store.close()

    assert str(refused.value) == (
        f"the SQLite database {path} has schema version {len(MIGRATIONS) + 1}, newer"
        f" than this store's {len(MIGRATIONS)}: it was written by a newer cardscan;"
        " run that one, or choose another data folder"
    )


async def test_a_database_made_before_upload_keys_opens_and_takes_them(tmp_path):
    path = tmp_path / "store.sqlite3"
    first_schema_database(path, {"old": 0})
    store = SqliteBackend(path)
    await store.open()

    old = await store.fetch_batch("old")
    new = await store.register_batch(
        "b1", [store_pb2.NewCard(card_id="c1")], [], upload_key="k", upload_digest="d"
    )
    again = await store.register_batch(
        "b2", [store_pb2.NewCard(card_id="c2")], [], upload_key="k", upload_digest="d"
    )
    await store.close()

    assert old.batch_id == "old"
    assert new.batch_id == again.batch_id == "b1"


async def test_a_database_readable_by_all_is_closed_to_others_when_opened(tmp_path):
    path = tmp_path / "store.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = wal")
        db.execute("CREATE TABLE kept (x)")
    db.close()
    path.chmod(0o644)
    store = SqliteBackend(path)
    await store.open()
    try:
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    finally:
        await store.close()

    assert modes["store.sqlite3"] == 0o600
    assert set(modes.values()) == {0o600}


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
async def test_a_symbolic_link_under_a_database_files_name_is_refused_naming_it(
    tmp_path, suffix
):
    elsewhere = tmp_path / "elsewhere" / "theirs.sqlite3"
    elsewhere.parent.mkdir()
    with sqlite3.connect(elsewhere) as db:
        db.execute("CREATE TABLE theirs (x)")
    db.close()
    path = tmp_path / "shared" / "store.sqlite3"
    path.parent.mkdir()
    link = path.with_name(path.name + suffix)
    link.symlink_to(elsewhere)
    store = SqliteBackend(path)

    with pytest.raises(InvalidInput) as refused:
        await store.open()
    await store.close()

    assert str(refused.value).startswith(f"{link} is a symbolic link")
    assert sorted(p.name for p in elsewhere.parent.iterdir()) == ["theirs.sqlite3"]
    assert query_file(elsewhere, "SELECT name FROM sqlite_master") == [("theirs",)]


async def test_a_database_file_another_user_owns_is_refused_and_left_unwritten(
    tmp_path, monkeypatch
):
    path = tmp_path / "store.sqlite3"
    path.touch()
    monkeypatch.setattr(os, "geteuid", lambda: path.stat().st_uid + 1)
    store = SqliteBackend(path)

    with pytest.raises(InvalidInput) as refused:
        await store.open()
    await store.close()

    assert str(refused.value).startswith(f"{path} belongs to another user (uid ")
    assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite3"]


@pytest.mark.parametrize(
    ("make", "kind"), [(os.mkfifo, "a named pipe"), (os.mkdir, "a folder")]
)
async def test_a_pipe_or_folder_under_the_database_files_name_is_refused(
    tmp_path, make, kind
):
    path = tmp_path / "store.sqlite3"
    make(path.with_name(path.name + "-wal"))
    store = SqliteBackend(path)

    with pytest.raises(InvalidInput) as refused:
        await store.open()
    await store.close()

    assert str(refused.value).startswith(f"{path}-wal is {kind}, where cardscan")
