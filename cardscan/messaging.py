"""NATS names and set-up shared by the gateway and the OCR workers.

A card travels as one JetStream message on ``cardscan.cards.<card id>``
whose payload is the image file's bytes. An image too large for one
message (the server's max_payload, 1 MB by default) goes into the
``cardscan-images`` object store instead, and its message carries only the
object's name in the ``Cardscan-Object`` header.

A single card sent to be read at once travels the same way on
``cardscan.scans.<card id>``, in a stream and consumer of its own, so that
workers take it before the cards of batches queued ahead of it.
"""

import logging
import time
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError, ServiceUnavailableError
from nats.js.object_store import ObjectStore

from cardscan import settings
from cardscan.errors import CardscanError

STREAM = "cardscan-cards"
CARD_SUBJECTS = "cardscan.cards.>"
SCAN_STREAM = "cardscan-scans"
SCAN_SUBJECTS = "cardscan.scans.>"
SCAN_CONSUMER = "ocr-scans"
WORKER_SUBJECTS = "cardscan.workers.>"
HEARTBEAT_SUBJECT = "cardscan.workers.heartbeat"
# Where a worker that stops on purpose says so, so that it stops counting
# at once instead of after a heartbeat window of silence.
WORKER_LEFT_SUBJECT = "cardscan.workers.left"
OCR_CONSUMER = "ocr"
IMAGE_BUCKET = "cardscan-images"

CARD_ID_HEADER = "Cardscan-Card-Id"
OBJECT_HEADER = "Cardscan-Object"
FILE_NAME_HEADER = "Cardscan-File-Name"

# Room left in a message for its headers and protocol framing.
HEADER_ROOM = 4096

# How long a worker may hold a card without a sign of life before JetStream
# hands it to another worker; workers report progress well within this.
ACK_WAIT_SECONDS = 30.0
PROGRESS_INTERVAL_SECONDS = 10.0
HEARTBEAT_INTERVAL_SECONDS = 2.0


# A server that stops answering without closing the connection (hung, or
# cut off by the network) is noticed after this many unanswered pings this
# far apart, rather than the client's default of two minutes apart.
PING_INTERVAL_SECONDS = 10
MAX_OUTSTANDING_PINGS = 2

# While NATS is away, the client fails once a reconnect attempt; the same
# error is logged again only after this long.
ERROR_REPEAT_SECONDS = 60.0

logger = logging.getLogger(__name__)


def card_subject(card_id: str) -> str:
    """The subject a batch card's message is published on."""
    return f"cardscan.cards.{card_id}"


def scan_subject(card_id: str) -> str:
    """The subject a single card's message is published on."""
    return f"cardscan.scans.{card_id}"


def event_subject(batch_id: str) -> str:
    """The subject on which a batch's card changes are announced."""
    return f"cardscan.events.{batch_id}"


async def connect(
    url: str,
    name: str,
    disconnected_cb: Callable[[], Awaitable[None]] | None = None,
    reconnected_cb: Callable[[], Awaitable[None]] | None = None,
) -> Client:
    """Connects to NATS, retrying for as long as the server stays away; the
    URL may list a cluster's servers joined with commas, any of which will
    do. The callbacks, if given, are awaited when the connection drops and
    is back."""
    return await nats.connect(
        settings.nats_servers(url),
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=5,
        ping_interval=PING_INTERVAL_SECONDS,
        max_outstanding_pings=MAX_OUTSTANDING_PINGS,
        error_cb=error_logger(name),
        disconnected_cb=disconnected_cb,
        reconnected_cb=reconnected_cb,
    )


def error_logger(name: str) -> Callable[[Exception], Awaitable[None]]:
    """A NATS error callback that logs an error once, without a traceback,
    and the same error again only after ERROR_REPEAT_SECONDS, instead of at
    every reconnect attempt as the client's own does."""
    last_logged: dict[str, float] = {}

    async def log_error(error: Exception) -> None:
        said = f"{type(error).__name__}: {error}".rstrip(": ")
        if isinstance(error, TimeoutError) and not str(error):
            said += " (the server did not answer in time)"
        now = time.monotonic()
        if now - last_logged.get(said, -ERROR_REPEAT_SECONDS) < ERROR_REPEAT_SECONDS:
            return
        if len(last_logged) > 100:
            last_logged.clear()
        last_logged[said] = now
        logger.warning("NATS connection %r: %s", name, said)

    return log_error


class NoJetStream(CardscanError):
    """The NATS server does not run JetStream, which holds the card queue."""


async def require_jetstream(nc: Client) -> None:
    """Raises NoJetStream, saying how to start NATS, unless the server
    answers JetStream's API."""
    try:
        await nc.jetstream().account_info()
    except ServiceUnavailableError as error:
        # With no JetStream, nothing answers its API: the error has no code
        # of JetStream's own, unlike one from a JetStream that is busy.
        if error.err_code is not None:
            raise
        url = settings.hide_password(nc.connected_url.geturl())
        raise NoJetStream(
            f"NATS at {url} has no JetStream enabled: start nats-server with "
            "--jetstream (-js), or enable jetstream in its configuration file"
        ) from None


# Each stream of cards and the durable pull consumer all OCR workers share
# on it: batch cards, and single cards read before them.
LANES = (
    (STREAM, CARD_SUBJECTS, OCR_CONSUMER),
    (SCAN_STREAM, SCAN_SUBJECTS, SCAN_CONSUMER),
)


async def ensure_stream(js: JetStreamContext) -> None:
    """Creates the card streams unless they exist.

    Work-queue retention removes a card's message once a worker
    acknowledged it, so a stream holds exactly the cards not yet stored.
    """
    for stream, subjects, _ in LANES:
        try:
            await js.stream_info(stream)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=stream,
                    subjects=[subjects],
                    retention=RetentionPolicy.WORK_QUEUE,
                    storage=StorageType.FILE,
                )
            )


async def ensure_consumer(js: JetStreamContext) -> None:
    """Creates the durable pull consumers all OCR workers share."""
    await ensure_stream(js)
    for stream, subjects, consumer in LANES:
        try:
            await js.consumer_info(stream, consumer)
        except NotFoundError:
            await js.add_consumer(
                stream,
                ConsumerConfig(
                    durable_name=consumer,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=ACK_WAIT_SECONDS,
                    max_deliver=-1,
                    filter_subject=subjects,
                    max_ack_pending=1000,
                ),
            )


async def image_store(js: JetStreamContext) -> ObjectStore:
    """The object store holding images too large for one message."""
    try:
        return await js.object_store(IMAGE_BUCKET)
    except NotFoundError:
        return await js.create_object_store(IMAGE_BUCKET, storage=StorageType.FILE)


def inline_limit(nc: Client) -> int:
    """The largest image that fits in a message on this server."""
    return nc.max_payload - HEADER_ROOM


def batch_id_of(card_id: str) -> str:
    """The batch a card belongs to: card ids are ``<batch id>-<index>``."""
    batch_id, dash, index = card_id.rpartition("-")
    if not (batch_id and dash and index.isdigit()):
        raise ValueError(f"card id {card_id!r} is not of the form <batch>-<index>")
    return batch_id
