"""The batch logic both front ends share: take uploads, queue cards, report."""

import asyncio
import logging
import re
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

import grpc
import nats.errors
from nats.aio.client import Client

from cardscan import jsonview, messaging
from cardscan.errors import (
    CardscanError,
    NotFound,
    TimedOut,
    Unavailable,
    from_rpc_error,
)
from cardscan.v1 import batch_pb2, store_pb2
from cardscan.v1.store_pb2_grpc import StoreServiceStub
from gateway import uploads
from gateway.config import Settings
from gateway.queue import CardQueue
from gateway.workers import Workers

logger = logging.getLogger(__name__)

STORE_TIMEOUT_SECONDS = 10.0
STORE_CONNECT_SECONDS = 3.0
# How often a watcher re-reads a batch even without an event, in case one
# was lost: events travel on core NATS, which does not redeliver.
REFRESH_SECONDS = 2.0
# How many skipped entries one upload logs by name.
LOGGED_SKIPS = 20

BATCH_ID = re.compile(r"[0-9a-f]{32}")
ENDED = (batch_pb2.CARD_STATE_DONE, batch_pb2.CARD_STATE_FAILED)

T = TypeVar("T")


class Created(NamedTuple):
    """What an upload became: the batch, its card count, what was skipped."""

    batch_id: str
    accepted: int
    skipped: list[batch_pb2.SkippedEntry]


class Batches:
    """Accepts uploads, queues their cards, and reports on batches."""

    def __init__(
        self,
        settings: Settings,
        store: StoreServiceStub,
        store_channel: grpc.aio.Channel,
        nc: Client,
        queue: CardQueue,
        workers: Workers,
    ) -> None:
        self._settings = settings
        self._limits = settings.limits
        self._store = store
        self._store_channel = store_channel
        self._nc = nc
        self._queue = queue
        self._workers = workers

    async def create(self, chunks: AsyncIterator[bytes]) -> Created:
        """Spools a ZIP upload, registers its cards, and queues each of them."""
        started = time.monotonic()
        await self._require_services()
        batch_id = uuid.uuid4().hex
        path = self._settings.upload_dir / f"{batch_id}.zip"
        try:
            created = await self._create_from(batch_id, chunks, path)
        finally:
            path.unlink(missing_ok=True)
        logger.info(
            "batch %s created: %d cards accepted, %d entries skipped in %.2f s",
            batch_id,
            created.accepted,
            len(created.skipped),
            time.monotonic() - started,
        )
        return created

    async def _create_from(
        self, batch_id: str, chunks: AsyncIterator[bytes], path: Path
    ) -> Created:
        """Spools the upload, then accepts it even if the caller goes away.

        Once registered, every card must be queued or failed, so the rest
        runs as a task of its own that a cancelled call does not stop. The
        spool file is unlinked as soon as it is open: nothing is left on
        disk, whatever becomes of the process.
        """
        await uploads.spool(chunks, path, self._limits.max_upload_bytes)
        fp = path.open("rb")
        path.unlink()
        return await _outliving_caller(self._accept(batch_id, fp))

    async def _accept(self, batch_id: str, fp: BinaryIO) -> Created:
        """Surveys the spooled ZIP, registers its cards, and queues each one."""
        with fp:
            archive, found = await asyncio.to_thread(self._survey, fp)
            _log_skipped(batch_id, found.skipped)
            uploads.require_cards(found)
            card_ids = [f"{batch_id}-{index}" for index in range(len(found.cards))]
            new_cards = [
                store_pb2.NewCard(card_id=card_id, file_name=card.name)
                for card_id, card in zip(card_ids, found.cards, strict=True)
            ]
            await self._register(batch_id, new_cards, found.skipped)
            for card_id, card in zip(card_ids, found.cards, strict=True):
                await self._queue_from_zip(archive, card_id, card)
        return Created(batch_id, len(found.cards), list(found.skipped))

    def _survey(self, fp: BinaryIO) -> tuple[zipfile.ZipFile, uploads.Survey]:
        archive = uploads.open_zip(fp, self._limits)
        return archive, uploads.survey(archive, self._limits)

    async def _queue_from_zip(
        self, archive: zipfile.ZipFile, card_id: str, card: uploads.CardEntry
    ) -> None:
        """Publishes one card, or records it FAILED so it never waits forever."""
        try:
            image = await asyncio.to_thread(
                uploads.read_card, archive, card, self._limits
            )
        except uploads.EntryUnreadable as error:
            await self._fail_unqueued(card_id, f"the entry {card.name} {error}")
            return
        try:
            await self._queue.publish(card_id, card.name, image)
        except CardscanError as error:
            await self._fail_unqueued(card_id, str(error))

    async def _fail_unqueued(self, card_id: str, reason: str) -> None:
        logger.error("card %s could not be queued: %s", card_id, reason)
        request = store_pb2.FinishCardRequest(
            card_id=card_id, error=f"could not be queued: {reason}"
        )
        try:
            await self._call(self._store.FinishCard(request))
        except CardscanError as error:
            logger.error("card %s stays QUEUED: the store refused: %s", card_id, error)

    async def get(self, batch_id: str) -> batch_pb2.Batch:
        """The batch with each card's state and the OCR workers online."""
        _check_batch_id(batch_id)
        reply = await self._call(
            self._store.FetchBatch(store_pb2.FetchBatchRequest(batch_id=batch_id))
        )
        return self._workers.annotate(reply.batch)

    async def contacts(self, batch_id: str) -> list[batch_pb2.Card]:
        """Every card of the batch in upload order, DONE ones with a contact."""
        _check_batch_id(batch_id)
        reply = await self._call(
            self._store.FetchCards(store_pb2.FetchCardsRequest(batch_id=batch_id))
        )
        return list(reply.cards)

    async def watch(self, batch_id: str) -> AsyncIterator[batch_pb2.Batch]:
        """The batch now and after every change, until it is complete."""
        _check_batch_id(batch_id)
        changed = asyncio.Event()
        async with self._events(batch_id, changed):
            last = None
            while True:
                # Events during the fetch set the flag again: one more fetch
                # covers any burst of them.
                changed.clear()
                batch = await self.get(batch_id)
                if batch != last:
                    yield batch
                    last = batch
                if batch.state == batch_pb2.BATCH_STATE_COMPLETE:
                    return
                with suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), REFRESH_SECONDS)

    async def scan(self, image: bytes, file_name: str) -> batch_pb2.Card:
        """Queues one image as a one-card batch and waits for OCR to end it."""
        started = time.monotonic()
        uploads.check_image(image, self._limits)
        await self._require_services()
        batch_id = uuid.uuid4().hex
        card_id = f"{batch_id}-0"
        name = uploads.escape(file_name) or "card"
        changed = asyncio.Event()
        async with self._events(batch_id, changed):
            await _outliving_caller(self._queue_one(batch_id, card_id, name, image))
            card = await self._wait_for_end(batch_id, card_id, changed)
        logger.info(
            "card %s scanned: %s in %.2f s",
            card_id,
            jsonview.state_name(card.state),
            time.monotonic() - started,
        )
        return card

    async def _queue_one(
        self, batch_id: str, card_id: str, name: str, image: bytes
    ) -> None:
        """Registers a one-card batch and queues its card, or fails it."""
        new_card = store_pb2.NewCard(card_id=card_id, file_name=name)
        await self._register(batch_id, [new_card], [])
        try:
            await self._queue.publish(card_id, name, image)
        except Unavailable as error:
            await self._fail_unqueued(card_id, str(error))
            raise

    async def _wait_for_end(
        self, batch_id: str, card_id: str, changed: asyncio.Event
    ) -> batch_pb2.Card:
        deadline = time.monotonic() + self._settings.scan_timeout_seconds
        while (left := deadline - time.monotonic()) > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(left, REFRESH_SECONDS))
            changed.clear()
            card = (await self.contacts(batch_id))[0]
            if card.state in ENDED:
                return card
        logger.warning("card %s not read within the scan timeout", card_id)
        raise TimedOut(
            f"no OCR worker finished card {card_id} within "
            f"{self._settings.scan_timeout_seconds:g} s "
            f"({self._workers.online()} worker(s) online); it stays queued in "
            f"batch {batch_id}: fetch it later with GET /v1/batches/{batch_id} "
            "or GetBatch"
        )

    def _events(self, batch_id: str, changed: asyncio.Event) -> "_Subscribed":
        return _Subscribed(self._nc, messaging.event_subject(batch_id), changed)

    async def _register(
        self,
        batch_id: str,
        cards: list[store_pb2.NewCard],
        skipped: list[batch_pb2.SkippedEntry],
    ) -> None:
        request = store_pb2.RegisterBatchRequest(
            batch_id=batch_id, cards=cards, skipped=skipped
        )
        await self._call(self._store.RegisterBatch(request))

    async def _require_services(self) -> None:
        """Raises Unavailable before an upload is read if NATS or the store is down."""
        self._queue.require_connected()
        try:
            await asyncio.wait_for(
                self._store_channel.channel_ready(), STORE_CONNECT_SECONDS
            )
        except TimeoutError:
            raise Unavailable(
                f"the store at {self._settings.store_addr} is unreachable, so no "
                "upload can be taken"
            ) from None

    @staticmethod
    async def _call(call: Awaitable[T]) -> T:
        """Awaits a store call, turning its failure into a CardscanError."""
        try:
            return await asyncio.wait_for(call, STORE_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            raise from_rpc_error(error) from None
        except TimeoutError:
            raise Unavailable(
                f"the store did not answer within {STORE_TIMEOUT_SECONDS:g} s"
            ) from None


class _Subscribed:
    """Sets an event whenever a message arrives on a subject, while entered."""

    def __init__(self, nc: Client, subject: str, changed: asyncio.Event) -> None:
        self._nc = nc
        self._subject = subject
        self._changed = changed
        self._subscription = None

    async def __aenter__(self) -> None:
        try:
            self._subscription = await self._nc.subscribe(
                self._subject, cb=self._on_message
            )
        except nats.errors.Error as error:
            raise Unavailable(
                f"cannot follow {self._subject} on NATS: {error}"
            ) from None

    async def _on_message(self, _msg: object) -> None:
        self._changed.set()

    async def __aexit__(self, *exc_info: object) -> None:
        # The connection may be closing; a subscription dies with it anyway.
        with suppress(nats.errors.Error):
            await self._subscription.unsubscribe()


def _check_batch_id(batch_id: str) -> None:
    if not BATCH_ID.fullmatch(batch_id):
        raise NotFound(f"no batch has id {uploads.escape(batch_id)!r}")


async def _outliving_caller(work: Awaitable[T]) -> T:
    """Runs work that must end once begun, even if its caller is cancelled."""
    running = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        running.add_done_callback(_log_if_abandoned)
        raise


def _log_if_abandoned(work: asyncio.Future) -> None:
    """Logs the failure of work whose caller went away before it ended."""
    if not work.cancelled() and work.exception() is not None:
        logger.warning("work failed after its caller left: %s", work.exception())


def _log_skipped(batch_id: str, skipped: list[batch_pb2.SkippedEntry]) -> None:
    for entry in skipped[:LOGGED_SKIPS]:
        logger.warning("upload %s: skipped %s: %s", batch_id, entry.name, entry.reason)
    if len(skipped) > LOGGED_SKIPS:
        logger.warning(
            "upload %s: skipped %d more entries", batch_id, len(skipped) - LOGGED_SKIPS
        )
