"""The store's embedded backend: one SQLite file, used when no MongoDB is set.

Every call runs on one dedicated thread that owns the connection, so the
event loop never waits on the disk and no two statements interleave.
"""

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from cardscan import private, skips
from cardscan.errors import (
    AlreadyExists,
    CardscanError,
    InvalidInput,
    NotFound,
    StorageFault,
    Unavailable,
)
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2
from store_service import backend
from store_service.backend import CardState

T = TypeVar("T")

# WAL lets readers go on during a write. synchronous=NORMAL makes a commit
# survive a crash of the process, though the last commits may be lost if
# the machine loses power; that is the trade for sub-millisecond writes.
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
)

# Contacts are kept as serialized protobuf bytes: this store never looks
# inside a contact, and the bytes keep every field exactly (maps, enums,
# floats) at the lowest cost. The MongoDB backend is the one to query.
SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id   TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL  -- microseconds since the Unix epoch
);
CREATE INDEX IF NOT EXISTS batches_by_age ON batches (created_at, batch_id);
CREATE TABLE IF NOT EXISTS cards (
    card_id    TEXT PRIMARY KEY,
    batch_id   TEXT NOT NULL REFERENCES batches (batch_id),
    position   INTEGER NOT NULL,
    file_name  TEXT NOT NULL,
    state      TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    attempts   INTEGER NOT NULL DEFAULT 0,
    contact    BLOB,
    updated_at INTEGER NOT NULL  -- microseconds since the Unix epoch
);
CREATE UNIQUE INDEX IF NOT EXISTS cards_in_order ON cards (batch_id, position);
CREATE TABLE IF NOT EXISTS skipped (
    batch_id TEXT NOT NULL REFERENCES batches (batch_id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (batch_id, position)
);
"""

# The changes made to SCHEMA since it was first written, in order: a file
# whose user_version is n has had the first n of them, and each one still
# missing is made as the file opens. SCHEMA itself never changes, so a new
# file and one from any earlier version end up alike.
MIGRATIONS = (
    # Batches count their skipped entries, of which only the first are kept;
    # a batch registered before kept all of them, and counts those.
    (
        "ALTER TABLE batches ADD COLUMN skipped_count INTEGER NOT NULL DEFAULT 0",
        "UPDATE batches SET skipped_count = (SELECT COUNT(*) FROM skipped"
        " WHERE skipped.batch_id = batches.batch_id)",
    ),
    # The upload keys uploaders choose, each held by the batch its upload
    # made; the batches registered before hold none.
    (
        "CREATE TABLE upload_keys ("
        " upload_key TEXT PRIMARY KEY,"
        " batch_id TEXT NOT NULL UNIQUE REFERENCES batches (batch_id),"
        # The upload's SHA-256, in hex.
        " digest TEXT NOT NULL)",
    ),
)

# What SQLite says of a file that is no database, or one it finds damaged.
DAMAGED = ("SQLITE_NOTADB", "SQLITE_CORRUPT")
# The database file and those SQLite keeps beside it: two in WAL mode, and
# the journal of the rollback mode a new file is made in.
DATABASE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")

# Where the database's folder is set.
DATA_DIR_SETTINGS = "CARDSCAN_DATA_DIR, or `cardscan up --data-dir`"

CARD_COLUMNS = "card_id, batch_id, file_name, state, error, attempts, updated_at"


def now_micros() -> int:
    """The time now in microseconds since the Unix epoch."""
    return time.time_ns() // 1000


class SqliteBackend:
    """Batches and cards in a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite")
        self._db: sqlite3.Connection | None = None

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._thread, work, *args)
        except sqlite3.DatabaseError as error:
            raise self._fault(error) from None

    def _fault(self, error: sqlite3.DatabaseError) -> CardscanError:
        """The error to answer for one SQLite raised: the disk's faults are
        the operator's to fix, and the call may be made again after."""
        name = getattr(error, "sqlite_errorname", "")
        where = f"the store's database at {self.path}"
        if name.startswith(("SQLITE_READONLY", "SQLITE_FULL")):
            return StorageFault(f"{where} cannot be written: {error}")
        if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
            return StorageFault(f"{where} cannot be read or written: {error}")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return Unavailable(f"{where} is locked by another program: {error}")
        return CardscanError(f"{where} failed: {error}")

    def _files(self) -> list[Path]:
        """The database file and the files SQLite keeps beside it."""
        return [self.path.with_name(self.path.name + s) for s in DATABASE_FILE_SUFFIXES]

    def _refuse_foreign(self) -> None:
        """Fails where a symbolic link, another user's file or anything but
        a file stands under the name of one of the database's files: in a
        shared data folder SQLite would write the contacts where another
        user reads them, and refuses a journal's link without saying why."""
        try:
            for path in self._files():
                private.refuse_foreign(path)
        except InvalidInput as refused:
            raise InvalidInput(f"{refused} ({DATA_DIR_SETTINGS})") from None

    def _close_to_others(self) -> None:
        """Makes the database's files, the contacts themselves, readable by
        their owner alone, as a store made before its files were so left
        them readable by all."""
        for path in self._files():
            # The files are the store's own, refused before otherwise; a
            # link put in place of one since is not followed.
            with suppress(FileNotFoundError, PermissionError):
                if not path.is_symlink() and path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)

    async def open(self) -> None:
        await self._run(self._open)

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._refuse_foreign()
            # Autocommit mode: transactions are begun explicitly in _transaction.
            db = sqlite3.connect(self.path, isolation_level=None)
            for pragma in PRAGMAS:
                db.execute(pragma)
            db.executescript(SCHEMA)
            self._migrate(db)
            self._close_to_others()
        except (sqlite3.Error, OSError) as error:
            raise Unavailable(
                f"cannot open the SQLite database {self.path}: "
                f"{self._why_not_opened(error)} ({DATA_DIR_SETTINGS})"
            ) from None
        self._db = db

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Makes the changes of MIGRATIONS the file does not have yet, all
        in one transaction, so that a store opening it at the same time
        finds it either before or after them."""
        db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > len(MIGRATIONS):
                raise Unavailable(
                    f"the SQLite database {self.path} has schema version {version},"
                    f" newer than this store's {len(MIGRATIONS)}: it was written by"
                    " a newer cardscan; run that one, or choose another data folder"
                )
            for change in MIGRATIONS[version:]:
                for statement in change:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
            raise
        db.execute("COMMIT")

    def _why_not_opened(self, error: sqlite3.Error | OSError) -> str:
        """Why the database did not open, and what to do about it.

        SQLite says "unable to open database file" both for a folder it
        cannot write its journal into and for a file it cannot open, so the
        permissions are looked at first: a damaged file is the rest.
        """
        folder = self.path.parent
        if isinstance(error, OSError):
            return f"cannot make the folder {folder}: {error.strerror}"
        if not os.access(folder, os.W_OK | os.X_OK):
            return (
                f"the folder {folder} is not writable by this user; make it "
                "writable or choose another data folder"
            )
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            return (
                f"the file {self.path} is not readable and writable by this user; "
                "make it so or choose another data folder"
            )
        if getattr(error, "sqlite_errorname", "") in DAMAGED:
            return f"{error}; move the file aside or choose another data folder"
        return str(error)

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None
        self._thread.shutdown()

    async def ping(self) -> None:
        # Reads the file's header, not only the connection's memory.
        await self._run(lambda: self.db.execute("PRAGMA schema_version").fetchone())

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"the SQLite store at {self.path} is not open")
        return self._db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            # SQLite rolls back by itself on some errors, a full disk's
            # among them, and a second rollback would hide the first error.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

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
        return await self._run(
            self._register,
            batch_id,
            cards,
            skipped,
            skipped_count,
            upload_key,
            upload_digest,
        )

    def _register(
        self,
        batch_id: str,
        cards: Sequence[store_pb2.NewCard],
        skipped: Sequence[batch_pb2.SkippedEntry],
        skipped_count: int,
        upload_key: str,
        upload_digest: str,
    ) -> batch_pb2.Batch:
        with self._transaction() as db:
            held_by = self._key_holder(upload_key, upload_digest)
            if held_by is not None and held_by != batch_id:
                return self._fetch_batch(held_by)
            found = db.execute(
                "SELECT 1 FROM batches WHERE batch_id = ?", (batch_id,)
            ).fetchone()
            if found is None:
                self._insert_batch(db, batch_id, cards, skipped, skipped_count)
                if upload_key:
                    db.execute(
                        "INSERT INTO upload_keys VALUES (?, ?, ?)",
                        (upload_key, batch_id, upload_digest),
                    )
            batch = self._fetch_batch(batch_id)
        backend.ensure_same_cards(batch_id, cards, batch.cards)
        return batch

    def _insert_batch(
        self,
        db: sqlite3.Connection,
        batch_id: str,
        cards: Sequence[store_pb2.NewCard],
        skipped: Sequence[batch_pb2.SkippedEntry],
        skipped_count: int,
    ) -> None:
        now = now_micros()
        db.execute(
            "INSERT INTO batches (batch_id, created_at, skipped_count)"
            " VALUES (?, ?, ?)",
            (batch_id, now, skips.total(skipped, skipped_count)),
        )
        queued = backend.state_name(CardState.CARD_STATE_QUEUED)
        rows = [
            (c.card_id, batch_id, i, c.file_name, queued, now)
            for i, c in enumerate(cards)
        ]
        try:
            db.executemany(
                "INSERT INTO cards (card_id, batch_id, position, file_name, state,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        except sqlite3.IntegrityError:
            raise self._taken_card(db, batch_id, cards) from None
        db.executemany(
            "INSERT INTO skipped VALUES (?, ?, ?, ?)",
            [
                (batch_id, i, s.name, s.reason)
                for i, s in enumerate(skips.head(skipped))
            ],
        )

    @staticmethod
    def _taken_card(
        db: sqlite3.Connection, batch_id: str, cards: Sequence[store_pb2.NewCard]
    ) -> AlreadyExists:
        # Rows of this batch inserted before the failing one are still
        # visible here, until the transaction rolls back.
        for card in cards:
            row = db.execute(
                "SELECT batch_id FROM cards WHERE card_id = ? AND batch_id != ?",
                (card.card_id, batch_id),
            ).fetchone()
            if row is not None:
                return AlreadyExists(
                    f"card_id {card.card_id!r} already belongs to batch {row[0]!r}"
                )
        raise RuntimeError("a card insert failed though no card id was taken")

    async def start_card(self, card_id: str) -> batch_pb2.Card:
        backend.check_id("card_id", card_id)
        return await self._run(self._start, card_id)

    def _start(self, card_id: str) -> batch_pb2.Card:
        processing = backend.state_name(CardState.CARD_STATE_PROCESSING)
        self.db.execute(
            "UPDATE cards SET state = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE card_id = ? AND state IN (?, ?)",
            (processing, now_micros(), card_id, *backend.OPEN_NAMES),
        )
        return self._fetch_card(card_id)

    async def finish_card(
        self, card_id: str, contact: contact_pb2.Contact | None, error: str
    ) -> batch_pb2.Card:
        backend.check_outcome(card_id, contact, error)
        return await self._run(self._finish, card_id, contact, error)

    def _finish(
        self, card_id: str, contact: contact_pb2.Contact | None, error: str
    ) -> batch_pb2.Card:
        if contact is not None:
            state, blob = CardState.CARD_STATE_DONE, contact.SerializeToString()
        else:
            state, blob = CardState.CARD_STATE_FAILED, None
        # The state filter makes the first ending win even if two finishes
        # race: the later UPDATE matches no row.
        self.db.execute(
            "UPDATE cards SET state = ?, error = ?, contact = ?, updated_at = ?"
            " WHERE card_id = ? AND state NOT IN (?, ?)",
            (backend.state_name(state), error, blob, now_micros(), card_id)
            + backend.ENDED_NAMES,
        )
        return self._fetch_card(card_id)

    def _fetch_card(self, card_id: str) -> batch_pb2.Card:
        row = self.db.execute(
            f"SELECT {CARD_COLUMNS}, contact FROM cards WHERE card_id = ?",
            (card_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no card has card_id {card_id!r}")
        return card_from_row(row)

    async def find_upload(self, upload_key: str, upload_digest: str) -> batch_pb2.Batch:
        return await self._run(self._find_upload, upload_key, upload_digest)

    def _find_upload(self, upload_key: str, upload_digest: str) -> batch_pb2.Batch:
        held_by = self._key_holder(upload_key, upload_digest)
        if held_by is None:
            raise NotFound(f"no batch holds the upload key {upload_key!r}")
        return self._fetch_batch(held_by)

    def _key_holder(self, upload_key: str, upload_digest: str) -> str | None:
        """The id of the batch that holds the upload key, None if none does;
        AlreadyExists if it holds it for an upload of another digest."""
        held = self.db.execute(
            "SELECT batch_id, digest FROM upload_keys WHERE upload_key = ?",
            (upload_key,),
        ).fetchone()
        if held is None:
            return None
        backend.ensure_same_upload(upload_key, upload_digest, *held)
        return held[0]

    async def fetch_batch(
        self, batch_id: str, with_cards: bool = True
    ) -> batch_pb2.Batch:
        backend.check_id("batch_id", batch_id)
        return await self._run(self._fetch_batch, batch_id, with_cards)

    def _fetch_batch(self, batch_id: str, with_cards: bool = True) -> batch_pb2.Batch:
        created_at, skipped_count = self._batch_row(batch_id)
        skipped = self._skipped(batch_id)
        if not with_cards:
            states = self._card_states([batch_id])[batch_id]
            return backend.basic_batch(
                batch_id, states, skipped, skipped_count, created_at
            )
        rows = self.db.execute(
            f"SELECT {CARD_COLUMNS}, NULL FROM cards WHERE batch_id = ?"
            " ORDER BY position",
            (batch_id,),
        )
        cards = [card_from_row(row) for row in rows]
        return backend.assemble_batch(
            batch_id, cards, skipped, skipped_count, created_at
        )

    def _skipped(self, batch_id: str) -> list[batch_pb2.SkippedEntry]:
        """The first of the batch's skipped entries, in upload order."""
        return [
            batch_pb2.SkippedEntry(name=name, reason=reason)
            for name, reason in self.db.execute(
                "SELECT name, reason FROM skipped WHERE batch_id = ?"
                " ORDER BY position LIMIT ?",
                (batch_id, skips.LISTED),
            )
        ]

    async def fetch_cards(
        self, batch_id: str, offset: int = 0, limit: int | None = None
    ) -> list[batch_pb2.Card]:
        backend.check_id("batch_id", batch_id)
        return await self._run(self._fetch_cards, batch_id, offset, limit)

    def _fetch_cards(
        self, batch_id: str, offset: int, limit: int | None
    ) -> list[batch_pb2.Card]:
        self._batch_row(batch_id)
        # SQLite takes a LIMIT below zero for none.
        rows = self.db.execute(
            f"SELECT {CARD_COLUMNS}, contact FROM cards WHERE batch_id = ?"
            " ORDER BY position LIMIT ? OFFSET ?",
            (batch_id, -1 if limit is None else limit, offset),
        )
        return [card_from_row(row) for row in rows]

    async def fetch_batches(
        self, page_size: int, page_token: str
    ) -> tuple[list[batch_pb2.BatchSummary], str]:
        limit = backend.page_limit(page_size)
        start = backend.page_start(page_token)
        return await self._run(self._fetch_batches, limit, start)

    def _fetch_batches(
        self, limit: int, start: tuple[int, str] | None
    ) -> tuple[list[batch_pb2.BatchSummary], str]:
        after = "WHERE (created_at, batch_id) < (?, ?)" if start else ""
        # One row past the page tells whether another page follows.
        rows = self.db.execute(
            f"SELECT batch_id, created_at, skipped_count FROM batches {after}"
            " ORDER BY created_at DESC, batch_id DESC LIMIT ?",
            (*(start or ()), limit + 1),
        ).fetchall()
        page = rows[:limit]
        states = self._card_states([batch_id for batch_id, _, _ in page])
        summaries = [
            backend.summarise(batch_id, created_at, states[batch_id], skipped_count)
            for batch_id, created_at, skipped_count in page
        ]
        if len(rows) <= limit:
            return summaries, ""
        last_id, last_created_at, _ = page[-1]
        return summaries, backend.page_token(last_created_at, last_id)

    def _card_states(self, batch_ids: list[str]) -> dict[str, dict[int, int]]:
        """How many cards of each batch are in each state."""
        states: dict[str, dict[int, int]] = {batch_id: {} for batch_id in batch_ids}
        marks = ", ".join("?" * len(batch_ids))
        for batch_id, state, number in self.db.execute(
            f"SELECT batch_id, state, COUNT(*) FROM cards WHERE batch_id IN ({marks})"
            " GROUP BY batch_id, state",
            batch_ids,
        ):
            states[batch_id][backend.state_value(state)] = number
        return states

    def _batch_row(self, batch_id: str) -> tuple[int, int]:
        """When the batch was registered, and how many entries it skipped."""
        row = self.db.execute(
            "SELECT created_at, skipped_count FROM batches WHERE batch_id = ?",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no batch has batch_id {batch_id!r}")
        return row


def card_from_row(row: tuple) -> batch_pb2.Card:
    """A Card message from a row of CARD_COLUMNS followed by the contact."""
    card_id, batch_id, file_name, state, error, attempts, updated_at, blob = row
    card = batch_pb2.Card(
        card_id=card_id,
        batch_id=batch_id,
        file_name=file_name,
        state=backend.state_value(state),
        error=error,
        attempts=attempts,
    )
    card.updated_at.FromMicroseconds(updated_at)
    if blob is not None:
        card.contact.ParseFromString(blob)
    return card
