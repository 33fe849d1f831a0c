"""The batch logic both front ends share: take uploads, queue cards, report."""

import asyncio
import enum
import hashlib
import logging
import re
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

import grpc
import nats.errors
from nats.aio.client import Client

from cardscan import jsonview, messaging, rpc, skips, views
from cardscan.errors import (
    AlreadyExists,
    CardscanError,
    InvalidInput,
    NotFound,
    TimedOut,
    Unavailable,
    from_rpc_error,
)
from cardscan.logs import SaidOnce
from cardscan.v1 import batch_pb2, store_pb2
from cardscan.v1.store_pb2_grpc import StoreServiceStub
from gateway import uploads
from gateway.config import Settings
from gateway.health import GatewayStanding, ShuttingDown
from gateway.intake import Intake
from gateway.queue import CardQueue, Refused
from gateway.workers import Workers

logger = logging.getLogger(__name__)

STORE_TIMEOUT_SECONDS = 10.0
# How long a watcher keeps its stream open while the store cannot be reached,
# looking again at every event and refresh, before it ends the watch.
STORE_OUTAGE_SECONDS = 300.0
# The codes of a store call that never got the store's answer.
UNANSWERED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
# How often a watcher re-reads a batch even without an event, in case one
# was lost: events travel on core NATS, which does not redeliver.
REFRESH_SECONDS = 2.0
# A watcher reads its batch again at most this often, and only after
# waiting WATCH_PACE times as long as its last read took: a progress view
# needs no more, and the watcher of a batch of thousands of cards, whose
# every read is long, keeps to a small share of the store's time.
WATCH_INTERVAL_SECONDS = 0.2
WATCH_PACE = 10
# But never longer than this after a read ends: a read slowed by a store
# that hung would otherwise hold the progress back long after its return.
WATCH_LONGEST_PAUSE_SECONDS = 2.0
# After this many cards of one upload in a row that NATS would not take, the
# rest of the upload waits without trying: a NATS server that hangs would
# hold the upload's reply for a publish timeout per card.
REFUSALS_BEFORE_WAITING = 3
# How long the gateway waits between its tries to queue the cards that NATS
# or the store left waiting.
SETTLE_RETRY_SECONDS = 10.0
# How many skipped entries one upload logs by name.
LOGGED_SKIPS = 20

BATCH_ID = re.compile(r"[0-9a-f]{32}")
# A spool file is named for its batch: ``<batch id>.zip``.
SPOOL_SUFFIX = ".zip"
ENDED = (batch_pb2.CARD_STATE_DONE, batch_pb2.CARD_STATE_FAILED)

T = TypeVar("T")


class Outcome(enum.Enum):
    """What became of a card the gateway tried to queue."""

    QUEUED = "queued"
    FAILED = "recorded FAILED"
    # The two below leave the card QUEUED in the store and not known to be
    # in the stream; the spool file stays, and the gateway tries again until
    # the card is settled.
    # NATS did not confirm the card: it may or may not be in the stream.
    UNCONFIRMED = "not confirmed by NATS"
    # The store did not record the card FAILED.
    UNSETTLED = "neither queued nor recorded FAILED"
    # The gateway stopped before it tried to queue the card.
    POSTPONED = "left for the gateway's next start"


# The outcomes that leave a card to be settled later.
WAITING = (Outcome.UNCONFIRMED, Outcome.UNSETTLED, Outcome.POSTPONED)


class SpoolChanged(Exception):
    """A spool file no longer reads as the upload the store registered."""


class Created(NamedTuple):
    """What an upload became: the batch, its card count, the first entries
    skipped and how many were, and a notice if some of its cards could not
    be queued or no OCR worker runs to read them."""

    batch_id: str
    accepted: int
    skipped: list[batch_pb2.SkippedEntry]
    skipped_count: int
    notice: str = ""
    # True when the upload's key named a batch made before: the reply is
    # that batch, and nothing of this upload was kept.
    repeated: bool = False


class CardWaits(TimedOut):
    """A single card not read in time: it stays in its batch, to be read."""

    def __init__(self, message: str, batch_id: str, card_id: str) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.card_id = card_id


class Batches:
    """Accepts uploads, queues their cards, and reports on batches."""

    def __init__(
        self,
        settings: Settings,
        store_channel: grpc.aio.Channel,
        workers: Workers,
        standing: GatewayStanding,
    ) -> None:
        self._settings = settings
        # The gateway's health, which alone decides whether uploads are taken.
        self._standing = standing
        self._limits = settings.limits
        self._store = StoreServiceStub(store_channel)
        self._workers = workers
        self.intake = Intake(standing)
        # None until NATS first answers: till then the standing refuses uploads.
        self._nc: Client | None = None
        self._queue: CardQueue | None = None
        # The batches whose cards the gateway tries again to settle.
        self._unsettled: set[str] = set()
        # The batches whose cards are all queued or failed, their spool files
        # kept until the store has every card ended.
        self._reading: set[str] = set()
        # Those of them whose spool file was said to stay as the store did
        # not answer; said once until the store answers again.
        self._unanswered = SaidOnce()
        # The batches whose cards were said to wait to be queued, as NATS
        # did not take them; said once until every card is queued or failed.
        self._waiting = SaidOnce()
        # The batches whose waiting cards were said to stay QUEUED as a try
        # to queue them failed; said once until a try gets through.
        self._held = SaidOnce()
        # Whether the card stream could not be looked at, said once until
        # it can.
        self._stream_unseen = SaidOnce()
        # Whether the uploads with waiting cards were said to wait for NATS
        # as it was unreachable; said once until it answers again.
        self._told_nats_away = False
        # Why cards of a batch last failed to settle.
        self._refusals: dict[str, str] = {}

    def use_nats(self, nc: Client, queue: CardQueue) -> None:
        """Takes uploads from now on, queueing their cards on the queue.

        Every spool file already in the upload folder was left by a gateway
        process that has ended, since uploads were refused until now: each
        is settled as the package docstring tells, from the next
        settle_waiting on. Two gateways sharing one data directory are not
        supported: each would take the other's uploads in progress for
        leftovers.
        """
        for path in sorted(self._settings.upload_dir.iterdir()):
            batch_id = path.name.removesuffix(SPOOL_SUFFIX)
            if path.name == batch_id or not BATCH_ID.fullmatch(batch_id):
                logger.warning("%s is no spool file of the gateway; left alone", path)
                continue
            self._unsettled.add(batch_id)
        self._nc, self._queue = nc, queue

    async def create(
        self, chunks: AsyncIterator[bytes], upload_key: str = ""
    ) -> Created:
        """Spools a ZIP upload, registers its cards, and queues each of them;
        or, when the upload key names a batch made before from the same
        bytes, answers with that batch and keeps nothing of this upload."""
        started = time.monotonic()
        self._standing.require_serving()
        batch_id = uuid.uuid4().hex
        path = self._spool_path(batch_id)
        try:
            digest = await uploads.spool(
                chunks, path, self._limits.max_upload_bytes, self.intake.arriving()
            )
        except BaseException as error:
            path.unlink(missing_ok=True)
            # A gRPC client that leaves or whose deadline passes mid-upload.
            if isinstance(error, asyncio.CancelledError):
                logger.info(
                    "upload cancelled by its client before it was complete; "
                    "nothing was accepted"
                )
            raise
        # Once registered, every card must be queued or failed, so the rest
        # runs as a task of its own that a cancelled call does not stop, and
        # that a stopping gateway waits for.
        created = await _outliving_caller(
            self.intake.queueing(self._accept(batch_id, path, upload_key, digest))
        )
        if created.repeated:
            logger.info(
                "upload under key %s answered with batch %s, which it made "
                "before; no card queued again, in %.2f s",
                upload_key,
                created.batch_id,
                time.monotonic() - started,
            )
            return created
        if not created.notice:
            created = created._replace(notice=self._workers.notice_for_new_batch())
        if created.notice:
            logger.warning("batch %s: %s", batch_id, created.notice)
        logger.info(
            "batch %s created: %d cards accepted, %d entries skipped in %.2f s",
            batch_id,
            created.accepted,
            created.skipped_count,
            time.monotonic() - started,
        )
        return created

    def _spool_path(self, batch_id: str) -> Path:
        return self._settings.upload_dir / f"{batch_id}{SPOOL_SUFFIX}"

    async def _accept(
        self, batch_id: str, path: Path, upload_key: str, digest: str
    ) -> Created:
        """Surveys the spooled ZIP, registers its cards, and queues each one.

        The spool file goes as soon as the batch surely does not exist, or
        once every card has ended; until then it stays, for a gateway that
        dies midway to finish the job when it starts again, and for cards
        lost with the card stream to be queued again.
        """
        if upload_key and await asyncio.to_thread(zipfile.is_zipfile, path):
            # Sent again: the batch it made is answered without reading the
            # ZIP; two sent at once are told apart as the store registers.
            # Bytes that are no ZIP, such as a card sent alone under the key
            # before, are refused as any other upload that is no ZIP.
            try:
                held = await self._held_batch(upload_key, digest)
            except BaseException:
                path.unlink()
                raise
            if held is not None:
                path.unlink()
                return self._made_before(held)
        with path.open("rb") as fp:
            try:
                archive, found = await asyncio.to_thread(self._survey, fp)
                _log_skipped(batch_id, found)
                uploads.require_cards(found)
            except BaseException:
                path.unlink()
                raise
            cards = {f"{batch_id}-{i}": card for i, card in enumerate(found.cards)}
            registered = await self._register_spooled(
                batch_id, path, cards, found, upload_key, digest
            )
            if registered.batch_id != batch_id:
                path.unlink()
                return self._made_before(registered)
            outcomes = await self._queue_all(archive, cards)
        # The upload's notice, logged as it is answered, says what waits.
        self._after_queueing(batch_id, outcomes, told=True)
        notice = _queueing_notice(batch_id, outcomes)
        return Created(batch_id, len(cards), found.skipped, found.skipped_count, notice)

    def _survey(self, fp: BinaryIO) -> tuple[zipfile.ZipFile, uploads.Survey]:
        archive = uploads.open_zip(fp, self._limits)
        return archive, uploads.survey(archive, self._limits)

    async def _register_spooled(
        self,
        batch_id: str,
        path: Path,
        cards: dict[str, uploads.CardEntry],
        found: uploads.Survey,
        upload_key: str,
        digest: str,
    ) -> batch_pb2.Batch:
        """Registers a spooled batch, dropping its spool if the store refused
        it; returns the batch the store holds, another one when the upload
        key was that one's."""
        new_cards = [
            store_pb2.NewCard(card_id=card_id, file_name=card.name)
            for card_id, card in cards.items()
        ]
        try:
            return await self._register(
                batch_id,
                new_cards,
                found.skipped,
                found.skipped_count,
                upload_key,
                digest,
            )
        except Unavailable as error:
            logger.warning(
                "batch %s may be registered though the store did not confirm "
                "it; its spool file stays until the store tells",
                batch_id,
            )
            self._refusals[batch_id] = str(error)
            self._unsettled.add(batch_id)
            raise
        except CardscanError:
            path.unlink()
            raise

    def _made_before(self, batch: batch_pb2.Batch) -> Created:
        """The answer to an upload whose key named a batch made before, with
        the notice a new batch would have: why its cards wait to be queued,
        if they do, or else that no worker runs, if none does."""
        notice = self._waiting_notice(batch.batch_id)
        return Created(
            batch.batch_id,
            batch.counts.total,
            list(batch.skipped),
            batch.skipped_count,
            notice or self._workers.notice_for_new_batch(),
            repeated=True,
        )

    async def _queue_all(
        self, archive: zipfile.ZipFile, cards: dict[str, uploads.CardEntry]
    ) -> list[Outcome]:
        """Queues each card in turn, or fails it if its entry cannot be
        read; returns what became of each.

        A card NATS does not take stays QUEUED, unconfirmed: a publish that
        timed out may still have reached the stream, so only a look at the
        stream later can tell. Once NATS has refused REFUSALS_BEFORE_WAITING
        cards in a row, the rest stay unconfirmed without trying; once a
        stopping gateway has waited long enough, the rest are postponed.
        """
        outcomes = []
        refused_in_a_row = untried = 0
        refusal = ""
        # Said once a batch, until its cards are queued: a batch's cards are
        # queued together.
        first = next(iter(cards), "")
        said = bool(first) and messaging.batch_id_of(first) in self._waiting
        level = logging.DEBUG if said else logging.WARNING
        for card_id, card in cards.items():
            if self.intake.cut_short:
                outcomes.append(Outcome.POSTPONED)
                continue
            if refused_in_a_row >= REFUSALS_BEFORE_WAITING:
                untried += 1
                outcomes.append(Outcome.UNCONFIRMED)
                continue
            try:
                outcomes.append(await self._queue_from_zip(archive, card_id, card))
                refused_in_a_row = 0
            except Unavailable as error:
                logger.log(level, "card %s waits to be queued: %s", card_id, error)
                refusal = str(error)
                self._refusals[messaging.batch_id_of(card_id)] = refusal
                refused_in_a_row += 1
                outcomes.append(Outcome.UNCONFIRMED)
        await self._tell_standing(refusal if refused_in_a_row else "", outcomes)
        if untried:
            logger.log(
                level,
                "%d more card(s) wait to be queued without trying, as NATS "
                "refused the %d before them",
                untried,
                refused_in_a_row,
            )
        if postponed := outcomes.count(Outcome.POSTPONED):
            logger.warning(
                "%d card(s) wait to be queued when the gateway starts again, "
                "as it is stopping",
                postponed,
            )
        return outcomes

    async def _tell_standing(self, refusal: str, outcomes: list[Outcome]) -> None:
        """Tells the standing that NATS, connected, refused the last cards
        sent, or else that it took some."""
        if refusal and self._nc is not None and self._nc.is_connected:
            await self._standing.cards_refused(refusal)
        elif Outcome.QUEUED in outcomes:
            await self._standing.cards_taken()

    async def _queue_from_zip(
        self, archive: zipfile.ZipFile, card_id: str, card: uploads.CardEntry
    ) -> Outcome:
        """Publishes one card, or records it FAILED when its entry cannot be
        read or NATS refuses its message; raises Unavailable when NATS does
        not confirm it."""
        try:
            image = await asyncio.to_thread(
                uploads.read_card, archive, card, self._limits
            )
        except uploads.EntryUnreadable as error:
            return await self._fail_unqueued(card_id, f"the entry {card.name} {error}")
        try:
            await self._queue.publish(card_id, card.name, image)
        except Refused as error:
            return await self._fail_unqueued(card_id, str(error))
        return Outcome.QUEUED

    async def _fail_unqueued(self, card_id: str, reason: str) -> Outcome:
        logger.error("card %s could not be queued: %s", card_id, reason)
        return await self._record_failed(card_id, f"could not be queued: {reason}")

    async def _record_failed(self, card_id: str, reason: str) -> Outcome:
        request = store_pb2.FinishCardRequest(card_id=card_id, error=reason)
        try:
            await self._call(self._store.FinishCard(request))
        except CardscanError as error:
            logger.error("card %s stays QUEUED: %s", card_id, error)
            self._refusals[messaging.batch_id_of(card_id)] = str(error)
            return Outcome.UNSETTLED
        return Outcome.FAILED

    def _after_queueing(
        self, batch_id: str, outcomes: list[Outcome], told: bool = False
    ) -> None:
        """Notes what became of an upload's cards: while some wait to be
        queued, the gateway tries again every SETTLE_RETRY_SECONDS, saying
        so once unless told already; once every card is queued or failed,
        its spool file waits for the cards to end. A gateway's next start
        settles what a stop left."""
        waiting = sum(outcome in WAITING for outcome in outcomes)
        if waiting:
            self._unsettled.add(batch_id)
            if not self._waiting.first(batch_id) or told:
                return
            when = f"in {SETTLE_RETRY_SECONDS:g} s"
            if self.intake.cut_short:
                when = "at its next start"
            logger.warning(
                "batch %s: %d card(s) wait to be queued; the gateway keeps the "
                "upload and tries again %s",
                batch_id,
                waiting,
                when,
            )
            return
        self._settled(batch_id)
        self._reading.add(batch_id)

    def _settled(self, batch_id: str) -> None:
        self._unsettled.discard(batch_id)
        self._refusals.pop(batch_id, None)
        self._waiting.ended(batch_id)
        self._held.ended(batch_id)

    async def keep_settling(self) -> None:
        """Tries again, until cancelled, to queue the cards of this
        process's uploads that NATS or the store left waiting."""
        while True:
            await asyncio.sleep(SETTLE_RETRY_SECONDS)
            await self.settle_waiting()

    async def settle_waiting(self) -> None:
        """Queues the waiting cards of each upload with some, once NATS and
        the store answer, and those lost with a card stream that is gone;
        an upload they still fail waits for the next try. Then deletes the
        spool files of uploads whose cards have all ended."""
        if self._nc is None or not self._nc.is_connected:
            self._tell_nats_away()
        else:
            self._tell_nats_back()
            await self._look_for_lost_cards()
            await self._queue_waiting_cards()
        await self._forget_ended_uploads()

    def _tell_nats_away(self) -> None:
        """Says that the uploads with waiting cards wait for NATS, once
        until it answers again."""
        if self._told_nats_away or not self._unsettled:
            return
        self._told_nats_away = True
        logger.warning(
            "%d upload(s) have cards waiting for NATS, which is unreachable; "
            "they wait until it answers",
            len(self._unsettled),
        )

    def _tell_nats_back(self) -> None:
        """Says, once NATS answers again, that the uploads said to wait for
        it are queued now."""
        if not self._told_nats_away:
            return
        self._told_nats_away = False
        logger.info(
            "NATS answers again; queueing the waiting cards of %d upload(s)",
            len(self._unsettled),
        )

    async def _look_for_lost_cards(self) -> None:
        """Puts the uploads whose cards are being read back among those to
        settle when the card stream was deleted or created anew: their
        cards still QUEUED went with the stream, and are queued again from
        the spool files."""
        try:
            renewed = await self._queue.stream_renewed()
        except Unavailable as error:
            if self._stream_unseen.first(messaging.STREAM):
                logger.warning(
                    "could not look at the card stream: %s; trying again every %g s",
                    error,
                    SETTLE_RETRY_SECONDS,
                )
            return
        if self._stream_unseen.ended(messaging.STREAM):
            logger.info("the card stream can be looked at again")
        if renewed and self._reading:
            logger.warning(
                "the card stream is gone or was created anew, and with it the "
                "cards it held: looking for the queued cards of %d upload(s) "
                "to queue them again",
                len(self._reading),
            )
            self._unsettled |= self._reading
            self._reading.clear()
            self._unanswered.clear()

    async def _queue_waiting_cards(self) -> None:
        for batch_id in sorted(self._unsettled):
            try:
                await self._resume(batch_id, self._spool_path(batch_id))
            except CardscanError as error:
                self._refusals[batch_id] = str(error)
                self._hold(batch_id, error)

    def _hold(self, batch_id: str, error: CardscanError) -> None:
        """Leaves the waiting cards of a batch QUEUED for the next try,
        saying so once until a try gets through."""
        if not self._held.first(batch_id):
            return
        logger.warning(
            "batch %s: its waiting cards stay QUEUED until a try gets through; "
            "trying again every %g s: %s",
            batch_id,
            SETTLE_RETRY_SECONDS,
            error,
        )

    async def _forget_ended_uploads(self) -> None:
        """Deletes the spool file of each upload whose cards have all ended;
        one the store cannot tell of waits for the next try."""
        for batch_id in sorted(self._reading):
            request = store_pb2.FetchBatchRequest(batch_id=batch_id)
            try:
                reply = await self._call(self._store.FetchBatch(request))
            except NotFound:
                logger.warning(
                    "batch %s is unknown to the store at %s; its spool file is deleted",
                    batch_id,
                    self._settings.store_addr,
                )
                self._unanswered.ended(batch_id)
            except CardscanError as error:
                self._keep_unanswered(batch_id, error)
                continue
            else:
                ended = reply.batch.state == batch_pb2.BATCH_STATE_COMPLETE
                self._answered_again(batch_id, ended)
                if not ended:
                    continue
            self._spool_path(batch_id).unlink(missing_ok=True)
            self._reading.discard(batch_id)

    def _keep_unanswered(self, batch_id: str, error: CardscanError) -> None:
        """Keeps the spool file of a batch the store did not tell of, saying
        so once until the store answers again."""
        if not self._unanswered.first(batch_id):
            return
        logger.warning(
            "batch %s: its spool file stays until the store answers: %s",
            batch_id,
            error,
        )

    def _answered_again(self, batch_id: str, ended: bool) -> None:
        """Says what becomes of a spool file said to stay as the store did
        not answer, once it tells whether the batch's cards have ended."""
        if not self._unanswered.ended(batch_id):
            return
        fate = "stays until every card has ended"
        if ended:
            fate = "is deleted, as every card has ended"
        logger.info(
            "batch %s: the store answers again; its spool file %s", batch_id, fate
        )

    async def _resume(self, batch_id: str, path: Path) -> None:
        """Queues the cards of an upload that the store has not seen end but
        the stream does not hold: those a stopped gateway left, those NATS
        or the store left waiting, and those lost with the stream."""
        request = store_pb2.FetchBatchRequest(batch_id=batch_id)
        try:
            reply = await self._call(
                self._store.FetchBatch(request, wait_for_ready=True)
            )
        except NotFound:
            logger.info(
                "upload %s stopped before it was registered: its spool file is deleted",
                batch_id,
            )
            path.unlink()
            self._settled(batch_id)
            return
        # A card being read is in the stream too until the store has its
        # outcome; one that is not went with a lost stream, and would wait
        # for ever if its worker died.
        waiting = [
            card.card_id for card in reply.batch.cards if card.state not in ENDED
        ]
        unpublished = [
            card_id for card_id in waiting if not await self._queue.holds(card_id)
        ]
        in_queue = len(waiting) - len(unpublished)
        if unpublished:
            # A card read and acknowledged since the store was asked is gone
            # from the stream too; only one still unended now is not there.
            reply = await self._call(self._store.FetchBatch(request))
            unended = {
                card.card_id for card in reply.batch.cards if card.state not in ENDED
            }
            unpublished = [card_id for card_id in unpublished if card_id in unended]
        outcomes = await self._requeue(reply.batch, path, unpublished)
        queued = outcomes.count(Outcome.QUEUED)
        # A try that queued none of the cards said to wait is no news.
        if queued or not any(outcome in WAITING for outcome in outcomes):
            self._tell_resumed(batch_id, queued, in_queue)
        self._after_queueing(batch_id, outcomes)

    def _tell_resumed(self, batch_id: str, queued: int, in_queue: int) -> None:
        """Says how many cards of a batch were queued again and how many
        were found in the queue already, and for one whose cards were said
        to stay QUEUED, that a try got through."""
        since = ""
        if self._held.ended(batch_id):
            since = " as NATS and the store answer again"
        found = f", {in_queue} found in the queue already" if in_queue else ""
        logger.info(
            "batch %s resumed%s: %d card(s) re-queued%s", batch_id, since, queued, found
        )

    async def _requeue(
        self, batch: batch_pb2.Batch, path: Path, card_ids: list[str]
    ) -> list[Outcome]:
        """Queues the cards again from the spool file, or fails them all if
        it no longer reads as the upload the store registered."""
        if not card_ids:
            return []
        with ExitStack() as files:
            try:
                fp = files.enter_context(path.open("rb"))
                archive, cards = await asyncio.to_thread(self._reread, fp, batch)
            except (OSError, CardscanError, SpoolChanged) as error:
                return await self._fail_unreadable(batch.batch_id, card_ids, error)
            return await self._queue_all(archive, {i: cards[i] for i in card_ids})

    def _reread(
        self, fp: BinaryIO, batch: batch_pb2.Batch
    ) -> tuple[zipfile.ZipFile, dict[str, uploads.CardEntry]]:
        """The spooled ZIP and its cards by id, surveyed as when it came."""
        archive, found = self._survey(fp)
        names = [card.name for card in found.cards]
        registered = [card.file_name for card in batch.cards]
        if names != registered:
            raise SpoolChanged(
                f"it now reads as {len(names)} cards where {len(registered)} "
                "were registered, or under other names"
            )
        return archive, {
            card.card_id: entry
            for card, entry in zip(batch.cards, found.cards, strict=True)
        }

    async def _fail_unreadable(
        self, batch_id: str, card_ids: list[str], error: Exception
    ) -> list[Outcome]:
        logger.warning(
            "batch %s: its upload cannot be read again (%s); its %d unqueued "
            "card(s) are failed",
            batch_id,
            error,
            len(card_ids),
        )
        reason = (
            "the card was never queued (NATS did not take it, or a gateway "
            f"stopped first) and its upload could not be read again ({error}); "
            "upload it again"
        )
        return [await self._record_failed(card_id, reason) for card_id in card_ids]

    async def get(
        self, batch_id: str, view: int = batch_pb2.BatchView.BATCH_VIEW_UNSPECIFIED
    ) -> batch_pb2.Batch:
        """The batch with the OCR workers online and each card's state, or
        without its cards in BATCH_VIEW_BASIC."""
        _check_batch_id(batch_id)
        request = store_pb2.FetchBatchRequest(
            batch_id=batch_id, view=views.checked(view)
        )
        reply = await self._call(self._store.FetchBatch(request))
        batch = self._annotated(reply.batch)
        waiting = self._waiting_notice(batch_id)
        batch.notice = "; ".join(filter(None, [waiting, batch.notice]))
        return batch

    def _waiting_notice(self, batch_id: str) -> str:
        """Why cards of the batch wait to be queued, if some of them do."""
        if batch_id not in self._unsettled:
            return ""
        reason = self._refusals.get(batch_id, "NATS or the store did not answer")
        return (
            f"cards of this batch wait to be queued (last try: {reason}); "
            f"the gateway keeps the upload and tries again every "
            f"{SETTLE_RETRY_SECONDS:g} s"
        )

    def _annotated(self, batch: batch_pb2.Batch) -> batch_pb2.Batch:
        """The batch with the workers online and, if it is stuck, a notice;
        before NATS first answers, no worker can be heard of."""
        if self._nc is not None:
            return self._workers.annotate(batch)
        waiting = batch.counts.queued + batch.counts.processing
        if waiting:
            batch.notice = (
                f"{waiting} card(s) are waiting; the gateway has not reached NATS "
                f"at {self._settings.nats_shown} since it started, so it cannot "
                "tell whether OCR workers run"
            )
        return batch

    async def page(
        self, page_size: int, page_token: str
    ) -> tuple[list[batch_pb2.BatchSummary], str]:
        """A page of batches, newest first, and the token of the next page,
        empty on the last."""
        request = store_pb2.FetchBatchesRequest(
            page_size=page_size, page_token=page_token
        )
        reply = await self._call(self._store.FetchBatches(request))
        return list(reply.batches), reply.next_page_token

    async def contacts(
        self, batch_id: str, page_size: int = 0, page_token: str = ""
    ) -> tuple[list[batch_pb2.Card], str]:
        """The batch's cards in upload order, DONE ones with a contact: all
        of them, or a page and the token of the page after it (empty on the
        last)."""
        _check_batch_id(batch_id)
        request = store_pb2.FetchCardsRequest(
            batch_id=batch_id, page_size=page_size, page_token=page_token
        )
        reply = await self._call(self._store.FetchCards(request))
        return list(reply.cards), reply.next_page_token

    async def watch(
        self, batch_id: str, view: int = batch_pb2.BatchView.BATCH_VIEW_UNSPECIFIED
    ) -> AsyncIterator[batch_pb2.Batch]:
        """The batch now and after every change, until it is complete: with
        each card's state, or without its cards in BATCH_VIEW_BASIC, where
        a change is one of what it carries: counts, state, notice, workers.

        Changes closer together than the watcher's pace come as one.
        Once the batch was found, a store that cannot be reached is waited
        out for up to STORE_OUTAGE_SECONDS, looking again at every event
        and every refresh; the batch goes on in the meantime.
        """
        _check_batch_id(batch_id)
        view = views.checked(view)
        changed = asyncio.Event()
        async with self._events(batch_id, changed):
            started = time.monotonic()
            batch = await self.get(batch_id, view)
            next_read = paced(started)
            yield batch
            outage = _Outage(batch_id)
            while batch.state != batch_pb2.BATCH_STATE_COMPLETE:
                with suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), REFRESH_SECONDS)
                await asyncio.sleep(next_read - time.monotonic())
                # Events during the wait or the read set the flag again: one
                # more read covers any burst of them.
                changed.clear()
                started = time.monotonic()
                try:
                    latest = await self.get(batch_id, view)
                except Unavailable as error:
                    outage.failed(error, started)
                    continue
                # A read that ends an outage took as long as the store was
                # away, which says nothing of how long the batch takes to read.
                next_read = paced(time.monotonic() if outage.ongoing else started)
                outage.answered()
                if latest != batch:
                    yield latest
                    batch = latest

    async def scan(
        self, image: bytes, file_name: str, upload_key: str = ""
    ) -> batch_pb2.Card:
        """Queues one image as a one-card batch and waits for OCR to end it;
        or, when the upload key names a card sent before with the same
        bytes and name, waits for that card without queueing it again."""
        started = time.monotonic()
        uploads.check_image(image, self._limits)
        self._standing.require_serving()
        digest = hashlib.sha256(image).hexdigest()
        try:
            self._workers.require_one_for_a_card()
        except Unavailable:
            # A card sent before under the key is answered all the same,
            # read or waiting; nothing new is taken while no worker runs.
            if not (upload_key and await self._held_batch(upload_key, digest)):
                raise
        batch_id = uuid.uuid4().hex
        card_id = f"{batch_id}-0"
        name = uploads.shown(file_name) or "card"
        changed = asyncio.Event()
        async with self._events(batch_id, changed):
            registered = await _outliving_caller(
                self.intake.queueing(
                    self._queue_one(batch_id, name, image, upload_key, digest)
                )
            )
            if registered.batch_id == batch_id:
                card = await self._await_card(card_id, name, image, changed)
        if registered.batch_id != batch_id:
            _ensure_same_name(upload_key, registered, name)
            card_id = registered.cards[0].card_id
            logger.info(
                "card under key %s is card %s, sent before; not queued again",
                upload_key,
                card_id,
            )
            # Its batch may have ended before this subscription began.
            changed.set()
            async with self._events(registered.batch_id, changed):
                card = await self._await_card(card_id, name, image, changed)
        logger.info(
            "card %s scanned: %s in %.2f s",
            card_id,
            jsonview.state_name(card.state),
            time.monotonic() - started,
        )
        return card

    async def _held_batch(self, upload_key: str, digest: str) -> batch_pb2.Batch | None:
        """The batch that holds the upload key for these bytes, None if none
        does; AlreadyExists if one holds it for others."""
        request = store_pb2.FindUploadRequest(
            upload_key=upload_key, upload_digest=digest
        )
        try:
            reply = await self._call(self._store.FindUpload(request))
        except NotFound:
            return None
        return reply.batch

    async def _await_card(
        self, card_id: str, name: str, image: bytes, changed: asyncio.Event
    ) -> batch_pb2.Card:
        """Waits for a single card to end, queueing it again if it was lost
        from its stream when the wait times out."""
        batch_id = messaging.batch_id_of(card_id)
        try:
            return await self._wait_for_end(batch_id, card_id, changed)
        except TimedOut:
            await self._requeue_if_lost(card_id, name, image)
            raise
        except asyncio.CancelledError:
            logger.info(
                "card %s: its caller left before it was read (a deadline or "
                "a cancel); it is read all the same, in batch %s",
                card_id,
                batch_id,
            )
            raise

    async def _queue_one(
        self, batch_id: str, name: str, image: bytes, upload_key: str, digest: str
    ) -> batch_pb2.Batch:
        """Registers a one-card batch and queues its card, or fails it;
        returns the batch the store holds, another one, whose card is not
        queued again, when the upload key was that one's."""
        card_id = f"{batch_id}-0"
        new_card = store_pb2.NewCard(card_id=card_id, file_name=name)
        registered = await self._register(
            batch_id, [new_card], [], 0, upload_key, digest
        )
        if registered.batch_id != batch_id:
            return registered
        try:
            await self._queue.publish(card_id, name, image, single=True)
        except (Unavailable, Refused) as error:
            await self._fail_unqueued(card_id, str(error))
            raise
        return registered

    async def _wait_for_end(
        self, batch_id: str, card_id: str, changed: asyncio.Event
    ) -> batch_pb2.Card:
        deadline = time.monotonic() + self._settings.scan_timeout_seconds
        while (left := deadline - time.monotonic()) > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(left, REFRESH_SECONDS))
            changed.clear()
            [card], _ = await self.contacts(batch_id)
            if card.state in ENDED:
                return card
            if self._standing.stopping:
                logger.info(
                    "card %s: answered before it was read, as the gateway stops",
                    card_id,
                )
                raise ShuttingDown(
                    f"the gateway is shutting down; card {card_id} stays in "
                    f"batch {batch_id}, {jsonview.state_name(card.state)}, and is "
                    f"read all the same: fetch it later with GET "
                    f"/v1/batches/{batch_id} or GetBatch"
                )
            if self._workers.none_running():
                logger.warning("card %s: no OCR worker runs to read it", card_id)
                state = jsonview.state_name(card.state)
                raise CardWaits(
                    f"no OCR worker runs to read card {card_id}; "
                    f"it stays in batch {batch_id}, {state}, and is "
                    f"read once a worker starts: fetch it later with GET "
                    f"/v1/batches/{batch_id} or GetBatch",
                    batch_id,
                    card_id,
                )
        logger.warning("card %s not read within the scan timeout", card_id)
        raise CardWaits(
            f"no OCR worker finished card {card_id} within "
            f"{self._settings.scan_timeout_seconds:g} s "
            f"({self._workers.online()} worker(s) online); it stays in batch "
            f"{batch_id}, still to be read: fetch it later with GET "
            f"/v1/batches/{batch_id} or GetBatch",
            batch_id,
            card_id,
        )

    async def _requeue_if_lost(self, card_id: str, name: str, image: bytes) -> None:
        """Queues a single card again whose wait timed out while the store
        has it QUEUED and its stream holds it no more: lost with a stream
        that was deleted, or with NATS's storage. Its caller is told that
        it stays queued, which then holds."""
        try:
            [card], _ = await self.contacts(messaging.batch_id_of(card_id))
            if card.state != batch_pb2.CARD_STATE_QUEUED:
                return
            if await self._queue.holds(card_id, single=True):
                return
            logger.warning(
                "card %s was lost from the queue; queueing it again", card_id
            )
            await self._queue.publish(card_id, name, image, single=True)
        except CardscanError as error:
            logger.warning(
                "card %s: could not look for it in the queue: %s", card_id, error
            )

    def _events(self, batch_id: str, changed: asyncio.Event) -> "_Subscribed":
        return _Subscribed(self._nc, messaging.event_subject(batch_id), changed)

    async def _register(
        self,
        batch_id: str,
        cards: list[store_pb2.NewCard],
        skipped: list[batch_pb2.SkippedEntry],
        skipped_count: int,
        upload_key: str = "",
        digest: str = "",
    ) -> batch_pb2.Batch:
        """Registers a batch, telling the store the first of the entries
        skipped and how many were; returns the batch the store holds,
        another one when the upload key was that one's."""
        request = store_pb2.RegisterBatchRequest(
            batch_id=batch_id,
            cards=cards,
            skipped=skips.head(skipped),
            skipped_count=skipped_count,
            upload_key=upload_key,
            upload_digest=digest,
        )
        reply = await self._call(self._store.RegisterBatch(request))
        return reply.batch

    async def _call(self, call: Awaitable[T]) -> T:
        """Awaits a store call; every store call goes through here, so that
        each failure is told as the store's, naming where it is."""
        try:
            return await asyncio.wait_for(call, STORE_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            raise self._store_error(error) from None
        except TimeoutError:
            reason = f"no answer within {STORE_TIMEOUT_SECONDS:g} s"
            raise self._unreachable(reason) from None

    def _store_error(self, error: grpc.aio.AioRpcError) -> CardscanError:
        """What a failed store call means: an outage, the store's own answer
        (an unknown batch stays NotFound), or a fault of the store."""
        if error.code() in UNANSWERED and not rpc.answered(error):
            return self._unreachable(rpc.why_unanswered(error))
        meant = from_rpc_error(error)
        if type(meant) is CardscanError:
            return CardscanError(
                f"the store at {self._settings.store_addr} failed "
                f"({error.code().name}): {meant}"
            )
        return meant

    def _unreachable(self, reason: str) -> Unavailable:
        return Unavailable(
            f"the store at {self._settings.store_addr} is unreachable ({reason})"
        )


def paced(read_started: float) -> float:
    """When a watcher may read its batch again, given when its last read
    started; the read has just ended."""
    ended = time.monotonic()
    took = ended - read_started
    at_pace = read_started + max(WATCH_INTERVAL_SECONDS, WATCH_PACE * took)
    return min(at_pace, ended + WATCH_LONGEST_PAUSE_SECONDS)


class _Outage:
    """A store outage that one watch waits out, for up to STORE_OUTAGE_SECONDS."""

    def __init__(self, batch_id: str) -> None:
        self._batch_id = batch_id
        self._since: float | None = None

    def failed(self, error: Unavailable, read_started: float) -> None:
        """Notes a look the store did not answer, begun at read_started; ends
        the watch with the error once the outage has lasted too long.

        The outage counts from the start of its first failed look: one that
        timed out began as the store stopped answering.
        """
        now = time.monotonic()
        if self._since is None:
            self._since = read_started
            logger.warning(
                "watch of batch %s: %s; waiting for up to %g s",
                self._batch_id,
                error,
                STORE_OUTAGE_SECONDS,
            )
        if now - self._since >= STORE_OUTAGE_SECONDS:
            raise Unavailable(
                f"{error}; stopped following batch {self._batch_id} after "
                f"{now - self._since:.0f} s without the store"
            )

    @property
    def ongoing(self) -> bool:
        """Whether the store did not answer the watch's last look."""
        return self._since is not None

    def answered(self) -> None:
        """Notes a look the store answered, which ends any outage."""
        if self._since is not None:
            logger.info(
                "watch of batch %s: the store answers again after %.1f s",
                self._batch_id,
                time.monotonic() - self._since,
            )
        self._since = None


class _Subscribed:
    """Sets an event whenever a message arrives on a subject, while entered."""

    def __init__(self, nc: Client | None, subject: str, changed: asyncio.Event) -> None:
        # None before NATS first answered: nothing arrives, and the watcher
        # reads its batch every REFRESH_SECONDS.
        self._nc = nc
        self._subject = subject
        self._changed = changed
        self._subscription = None

    async def __aenter__(self) -> None:
        if self._nc is None:
            return
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
        if self._subscription is None:
            return
        with suppress(nats.errors.Error):
            await self._subscription.unsubscribe()


def _check_batch_id(batch_id: str) -> None:
    """Refuses an empty batch id as bad input, and one that is not of the
    gateway's form as unknown, as the store would."""
    if not batch_id:
        raise InvalidInput(
            "no batch id was given: give the batch_id its upload was answered with"
        )
    if not BATCH_ID.fullmatch(batch_id):
        raise NotFound(f"no batch has batch_id '{uploads.shown(batch_id, 80)}'")


async def _outliving_caller(work: Awaitable[T]) -> T:
    """Runs work that must end once begun, even if its caller is cancelled."""
    running = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        running.add_done_callback(_log_if_abandoned)
        raise


def _ensure_same_name(upload_key: str, held: batch_pb2.Batch, name: str) -> None:
    """Raises AlreadyExists unless the card sent before under the upload key
    had this name: the same image under another name is another upload."""
    first_name = held.cards[0].file_name
    if first_name == name:
        return
    raise AlreadyExists(
        f"the upload key {upload_key!r} was used for this image named"
        f" {first_name!r} (batch {held.batch_id}), not {name!r}; send it again"
        " under its first name, or give each different upload a key of its own"
    )


def _log_if_abandoned(work: asyncio.Future) -> None:
    """Logs the failure of work whose caller went away before it ended."""
    if not work.cancelled() and work.exception() is not None:
        logger.warning("work failed after its caller left: %s", work.exception())


def _queueing_notice(batch_id: str, outcomes: list[Outcome]) -> str:
    """What the uploader should know of the cards not queued at once: those
    failed, and those the gateway will queue once NATS and the store answer."""
    total = len(outcomes)
    failed = outcomes.count(Outcome.FAILED)
    unconfirmed = outcomes.count(Outcome.UNCONFIRMED)
    unsettled = outcomes.count(Outcome.UNSETTLED)
    postponed = outcomes.count(Outcome.POSTPONED)
    notices = []
    if failed:
        notices.append(
            f"{_of(failed, total)} could not be queued; each says why in the "
            f"batch (GET /v1/batches/{batch_id} or GetBatch); upload "
            f"{_them(failed)} again"
        )
    if unconfirmed:
        notices.append(
            f"{_unconfirmed(unconfirmed, total)}; the gateway keeps "
            f"the upload and, once NATS answers, queues {_them(unconfirmed)} "
            "unless already in the queue, so that each is read once"
        )
    if unsettled:
        notices.append(
            f"the store did not record {_of(unsettled, total)} as failed; the "
            "gateway keeps the upload and tries again"
        )
    if postponed:
        notices.append(
            f"the gateway is shutting down and had not queued "
            f"{_of(postponed, total)}; it keeps the upload and queues "
            f"{_them(postponed)} when it starts again"
        )
    return "; ".join(notices)


def _unconfirmed(count: int, total: int) -> str:
    """ "NATS did not confirm 3 of the 10 cards", or "NATS confirmed none of
    the 10 cards" when it confirmed none."""
    if count == total > 1:
        return f"NATS confirmed none of the {total} cards"
    return f"NATS did not confirm {_of(count, total)}"


def _of(count: int, total: int) -> str:
    """ "3 of the 10 cards", or "the card" or "all 4 cards" when all of them."""
    if count < total:
        return f"{count} of the {total} cards"
    return "the card" if total == 1 else f"all {total} cards"


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def _log_skipped(batch_id: str, found: uploads.Survey) -> None:
    for entry in found.skipped[:LOGGED_SKIPS]:
        logger.warning("upload %s: skipped %s: %s", batch_id, entry.name, entry.reason)
    if found.skipped_count > LOGGED_SKIPS:
        logger.warning(
            "upload %s: skipped %d more entries",
            batch_id,
            found.skipped_count - LOGGED_SKIPS,
        )
