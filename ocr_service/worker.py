"""The OCR worker loop: take cards from JetStream, read them, store them.

Every worker binds to the one durable pull consumer of batch cards, and to
the one of single cards, so JetStream shares the cards among however many
workers run; a single card goes to the engine before the batch cards a
worker holds. A card is acknowledged only after the store confirmed its
outcome; until then JetStream keeps it, and a worker that stops mid-card
leaves it to be delivered again. The store's writes are idempotent by card
id, so a card delivered twice is stored once. A worker watches the
store's health itself, and takes no cards while the store does not answer,
leaving them to workers that can store what they read.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.errors import ObjectNotFoundError, ServiceUnavailableError

from cardscan import health, messaging
from cardscan.errors import CardscanError
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc

logger = logging.getLogger(__name__)

# Cards a worker holds at once: one being read while the one before is being
# stored and the next one fetched, so the engine never waits on the network.
IN_FLIGHT = 2
# Short, so that a stopping worker notices within a second; an idle wait
# costs one small pull request per second.
FETCH_TIMEOUT_SECONDS = 1.0
STORE_CALL_TIMEOUT_SECONDS = 10.0
# How long a card's outcome is retried against an unreachable store before
# the card is handed back to JetStream for later.
STORE_RETRY_SECONDS = 60.0
# The first pause between those tries; each pause doubles, up to 10 s.
FIRST_STORE_RETRY_SECONDS = 0.5
MAX_REDELIVERY_DELAY_SECONDS = 60.0

ENDED = (batch_pb2.CARD_STATE_DONE, batch_pb2.CARD_STATE_FAILED)

# Answers that say the store will never take the request as it is. Any other
# failure (unreachable, timed out, an internal fault) may pass, so the card
# is tried again later.
REFUSALS = (
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.FAILED_PRECONDITION,
)

Reader = Callable[[bytes], contact_pb2.Contact]
# Told True when the store answers again after an outage, False and why when
# it is lost.
StoreWatcher = Callable[[bool, str], Awaitable[None]]


class EngineTurns:
    """The engine's turns, one card at a time: cards to read first go
    before the others, each kind in the order it came."""

    def __init__(self) -> None:
        self._busy = False
        self._first: deque[asyncio.Future] = deque()
        self._others: deque[asyncio.Future] = deque()

    @contextlib.asynccontextmanager
    async def turn(self, first: bool = False) -> AsyncIterator[None]:
        """Holds the engine for the block, waiting for its turn."""
        await self._wait(self._first if first else self._others)
        try:
            yield
        finally:
            self._pass_on()

    async def _wait(self, queue: deque[asyncio.Future]) -> None:
        if not self._busy:
            self._busy = True
            return
        turn = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.cancelled():
                with contextlib.suppress(ValueError):
                    queue.remove(turn)
            else:
                # The turn came as the wait was cancelled: hand it on.
                self._pass_on()
            raise

    def _pass_on(self) -> None:
        for queue in (self._first, self._others):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._busy = False


def gave_up(attempts: int) -> str:
    """Why a card fails on the attempt that gives up on it. That attempt
    counts in the card's attempts too, though it reads nothing, so the
    message names its number beside the number of readings before it."""
    earlier = "the attempt" if attempts == 2 else f"the {attempts - 1} attempts"
    return (
        f"gave up at attempt {attempts}: {earlier} before it never finished, "
        "as the OCR worker stopped or timed out"
    )


class StoreFailed(Exception):
    """A call to the store failed without refusing the card, the store
    being unreachable or failing that call; the card is retried later."""


class Worker:
    """Reads cards from the shared consumer until told to stop."""

    def __init__(
        self,
        nc: Client,
        store: grpc.aio.Channel,
        read: Reader,
        worker_id: str,
        max_attempts: int,
        on_store: StoreWatcher | None = None,
    ) -> None:
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream()
        self._channel = store
        self._store = store_pb2_grpc.StoreServiceStub(store)
        self._read = read
        self._engine = EngineTurns()
        self._worker_id = worker_id
        self._max_attempts = max_attempts
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        self._tasks: set[asyncio.Task] = set()
        self._store_up = asyncio.Event()
        self._store_up.set()
        # Held while a loss or a return of the store is noted and told, so
        # that those told hear them in the order they were found.
        self._noting_store = asyncio.Lock()
        self._on_store = on_store

    async def run(self, stop: asyncio.Event) -> None:
        """Fetches and handles cards until stop is set, then finishes the
        cards in hand."""
        await messaging.ensure_consumer(self._js)
        images = await messaging.image_store(self._js)
        subscription = await self._js.pull_subscribe_bind(
            durable=messaging.OCR_CONSUMER, stream=messaging.STREAM
        )
        singles = await self._js.pull_subscribe_bind(
            durable=messaging.SCAN_CONSUMER, stream=messaging.SCAN_STREAM
        )
        # A store that does not answer now is waited for before any card is
        # taken, as one lost later is.
        # An idle worker makes no calls to the store, and is NOT_SERVING all
        # the same while it does not answer; and only a check of its health
        # tells when it answers again.
        await self._check_store()
        watch = asyncio.create_task(health.watch_store(self._channel, self._note_store))
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        single_cards = asyncio.create_task(self._read_singles(singles, images, stop))
        try:
            while not stop.is_set():
                if not await self._store_answers():
                    continue
                await self._slots.acquire()
                msg = await self._fetch_one(subscription, stop)
                if msg is None:
                    self._slots.release()
                    continue
                task = asyncio.create_task(self._handle(msg, images))
                self._tasks.add(task)
                task.add_done_callback(self._done)
        finally:
            logger.info("stopping: finishing %d card(s) in hand", len(self._tasks))
            heartbeat.cancel()
            watch.cancel()
            # It ends within a fetch's timeout, once its card in hand is done.
            await single_cards
            if self._tasks:
                await asyncio.wait(self._tasks)
            await subscription.unsubscribe()
            await singles.unsubscribe()
            await self._say_goodbye()

    async def _read_singles(self, singles, images, stop: asyncio.Event) -> None:
        """Takes single cards one at a time, beside the batch cards in hand,
        and has each read next."""
        while not stop.is_set():
            if not await self._store_answers():
                continue
            msg = await self._fetch_one(singles, stop)
            if msg is None:
                continue
            try:
                await self._handle(msg, images, first=True)
            except Exception:
                # As for batch cards: the card is delivered again later.
                logger.exception("single card handling crashed")

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception():
            logger.error("card handling crashed", exc_info=task.exception())

    async def _fetch_one(self, subscription, stop: asyncio.Event) -> Msg | None:
        try:
            messages = await subscription.fetch(1, timeout=FETCH_TIMEOUT_SECONDS)
        except NatsTimeout:
            return None
        except ServiceUnavailableError:
            # No one answers for the consumer: it or its stream is gone,
            # deleted by hand or lost with the server's storage.
            if not stop.is_set():
                await self._restore_consumers()
            return None
        except Exception as error:  # any NATS fault: retry later
            if not stop.is_set():
                logger.warning("fetching cards failed, retrying: %s", error)
                await asyncio.sleep(1)
            return None
        return messages[0]

    async def _restore_consumers(self) -> None:
        """Creates the card streams and their consumers again where they
        are gone; a subscription bound to a consumer by name reads from
        it again once it exists."""
        logger.warning("a card consumer is gone; creating it again")
        try:
            await messaging.ensure_consumer(self._js)
        except Exception as error:  # any NATS fault: retry later
            logger.warning("creating the card consumers failed, retrying: %s", error)
        await asyncio.sleep(1)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        """Tells the gateway this worker is consuming cards, which it is not
        while the store cannot be reached."""
        payload = self._worker_id.encode()
        while not stop.is_set():
            if self._store_up.is_set():
                with contextlib.suppress(Exception):
                    await self._nc.publish(messaging.HEARTBEAT_SUBJECT, payload)
            await asyncio.sleep(messaging.HEARTBEAT_INTERVAL_SECONDS)

    async def _store_answers(self) -> bool:
        """Whether the store answers; while it does not, waits up to a
        fetch's timeout for it, so that a stopping worker still notices."""
        if self._store_up.is_set():
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._store_up.wait(), FETCH_TIMEOUT_SECONDS)
        return self._store_up.is_set()

    async def _check_store(self) -> None:
        """Asks the store's health now, then stops or starts taking cards
        as it answers."""
        await self._note_store(*await health.ask_store(self._channel))

    async def _note_store(self, answers: bool, why: str) -> None:
        """Stops or starts taking cards as the store answers or not."""
        async with self._noting_store:
            if answers:
                await self._found_store()
            else:
                await self._lost_store(why)

    async def _lost_store(self, reason: str) -> None:
        """Takes no more cards until the store answers: a worker that cannot
        store what it reads would only hand each card back late, keeping it
        from the workers that can."""
        if not self._store_up.is_set():
            return
        self._store_up.clear()
        logger.warning(
            "the store is unreachable (%s); taking no cards until it answers",
            reason,
        )
        await self._tell_store(False, reason)
        await self._say_goodbye()

    async def _found_store(self) -> None:
        if self._store_up.is_set():
            return
        logger.info("the store answers again; taking cards")
        self._store_up.set()
        await self._tell_store(True)

    async def _tell_store(self, answers: bool, why: str = "") -> None:
        if self._on_store is not None:
            await self._on_store(answers, why)

    async def _say_goodbye(self) -> None:
        """Tells the gateway this worker has stopped consuming cards; a
        worker that cannot say so is counted out after its heartbeats stop."""
        with contextlib.suppress(Exception):
            await self._nc.publish(
                messaging.WORKER_LEFT_SUBJECT, self._worker_id.encode()
            )
            await self._nc.flush(timeout=1)

    async def _handle(self, msg: Msg, images, first: bool = False) -> None:
        """Takes one card from delivery to acknowledgement; a card to read
        first goes to the engine before those waiting for it."""
        card_id = (msg.headers or {}).get(messaging.CARD_ID_HEADER, "")
        try:
            batch_id = messaging.batch_id_of(card_id)
        except ValueError as error:
            logger.warning("dropping a message with no valid card id: %s", error)
            await msg.term()
            return
        started = time.perf_counter()
        progress = asyncio.create_task(_report_progress(msg))
        try:
            outcome = await self._process(msg, card_id, batch_id, images, first)
        except grpc.aio.AioRpcError as error:
            # Not an outage: the store refused the card (say, it does not know
            # it), and delivering it again would be refused the same way.
            logger.error("card %s: the store refused it: %s", card_id, error.details())
            await msg.term()
            return
        except StoreFailed as error:
            delay = _redelivery_delay(msg)
            logger.warning("card %s: %s; trying again in %.0f s", card_id, error, delay)
            await msg.nak(delay=delay)
            return
        finally:
            progress.cancel()
        await msg.ack()
        await self._forget_image(msg, images)
        logger.info(
            "card %s %s in %.0f ms",
            card_id,
            outcome,
            (time.perf_counter() - started) * 1000,
        )

    async def _process(
        self, msg: Msg, card_id: str, batch_id: str, images, first: bool
    ) -> str:
        """Reads the card and stores its outcome; returns the outcome's name."""
        card = (
            await self._call(
                self._store.StartCard, store_pb2.StartCardRequest(card_id=card_id)
            )
        ).card
        if card.state in ENDED:
            return "was already stored"
        await self._announce(batch_id, card_id)
        if card.attempts > self._max_attempts:
            return await self._finish(batch_id, card_id, error=gave_up(card.attempts))

        try:
            # A card carried in its message goes from its announcement to
            # the engine's line without a pause; tests rely on it.
            image = await _image_bytes(msg, images)
            async with self._engine.turn(first):
                contact = await asyncio.to_thread(self._read, image)
        except CardscanError as error:
            return await self._finish(batch_id, card_id, error=str(error))
        except ObjectNotFoundError:
            error = "the card's image is missing from the NATS object store"
            return await self._finish(batch_id, card_id, error=error)
        except Exception as error:
            # A fault in the reader itself would fail the same way on every
            # delivery, so the card fails now with the fault named.
            logger.exception("card %s: the reader failed", card_id)
            reason = f"the OCR worker failed on this card: {error!r}"
            return await self._finish(batch_id, card_id, error=reason)
        return await self._finish(batch_id, card_id, contact=contact)

    async def _finish(self, batch_id: str, card_id: str, **outcome) -> str:
        request = store_pb2.FinishCardRequest(card_id=card_id, **outcome)
        deadline = time.monotonic() + STORE_RETRY_SECONDS
        delay = FIRST_STORE_RETRY_SECONDS
        while True:
            try:
                card = (await self._call(self._store.FinishCard, request)).card
                break
            except StoreFailed as error:
                if time.monotonic() + delay > deadline:
                    raise
                if delay == FIRST_STORE_RETRY_SECONDS:
                    logger.warning(
                        "card %s: read, but %s; trying to store it for up to %.0f s",
                        card_id,
                        error,
                        STORE_RETRY_SECONDS,
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            except grpc.aio.AioRpcError as error:
                if request.HasField("error"):
                    raise
                # The card must still end: with the reason its contact was
                # refused, rather than left PROCESSING.
                reason = f"the store refused the card's contact: {error.details()}"
                request = store_pb2.FinishCardRequest(card_id=card_id, error=reason)
        await self._announce(batch_id, card_id)
        return batch_pb2.CardState.Name(card.state).removeprefix("CARD_STATE_")

    async def _call(self, method, request):
        """Calls the store; a call that fails but for a refusal has the
        store's health asked at once, which tells a store that is lost from
        one that failed this call alone."""
        try:
            return await method(request, timeout=STORE_CALL_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            if error.code() in REFUSALS:
                raise
            await self._check_store()
            reason = error.details() or error.code().name
            if self._store_up.is_set():
                raise StoreFailed(
                    f"the store failed the call ({reason}) while it serves"
                ) from error
            raise StoreFailed(f"the store is unreachable ({reason})") from error

    async def _announce(self, batch_id: str, card_id: str) -> None:
        """Tells whoever follows the batch that this card changed."""
        with contextlib.suppress(Exception):
            await self._nc.publish(messaging.event_subject(batch_id), card_id.encode())

    async def _forget_image(self, msg: Msg, images) -> None:
        name = (msg.headers or {}).get(messaging.OBJECT_HEADER)
        if name:
            with contextlib.suppress(Exception):
                await images.delete(name)


async def _image_bytes(msg: Msg, images) -> bytes:
    """The card's image: the message payload, or its object store entry."""
    name = (msg.headers or {}).get(messaging.OBJECT_HEADER)
    if not name:
        return msg.data
    return (await images.get(name)).data


async def _report_progress(msg: Msg) -> None:
    """Keeps JetStream from handing a slow card to another worker."""
    while True:
        await asyncio.sleep(messaging.PROGRESS_INTERVAL_SECONDS)
        with contextlib.suppress(Exception):
            await msg.in_progress()


def _redelivery_delay(msg: Msg) -> float:
    """Backs off exponentially with each delivery of the same card."""
    delivered = msg.metadata.num_delivered if msg.metadata else 1
    return min(2.0**delivered, MAX_REDELIVERY_DELAY_SECONDS)
