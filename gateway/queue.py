"""Puts cards on the JetStream card stream for the OCR workers to read."""

import logging
from datetime import datetime
from urllib.parse import quote

import nats.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import (
    BadRequestError,
    NoStreamResponseError,
    NotFoundError,
    ServiceUnavailableError,
)
from nats.js.object_store import ObjectStore

from cardscan import messaging
from cardscan.errors import CardscanError, Unavailable

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 10.0
# What NATS answers when the stream a card goes to is gone: deleted by
# hand, or lost with a server's storage.
NO_STREAM = (NoStreamResponseError, ServiceUnavailableError)


class Refused(CardscanError):
    """NATS refused a card's message as it is, by a limit of its own such
    as the largest message; sending it again changes nothing."""


class CardQueue:
    """Publishes each card's image bytes as one message, large ones by reference."""

    def __init__(
        self,
        nc: Client,
        js: JetStreamContext,
        images: ObjectStore,
        stream_created: datetime | None = None,
    ) -> None:
        self._nc = nc
        self._js = js
        self._images = images
        # When the card stream this queue last saw was created.
        self._stream_created = stream_created

    @classmethod
    async def open(cls, nc: Client) -> "CardQueue":
        """The queue on a connected client, with its stream and object store."""
        js = nc.jetstream(timeout=PUBLISH_TIMEOUT_SECONDS)
        await messaging.ensure_stream(js)
        info = await js.stream_info(messaging.STREAM)
        return cls(nc, js, await messaging.image_store(js), info.created)

    def require_connected(self) -> None:
        """Raises Unavailable unless NATS is reachable right now."""
        if not self._nc.is_connected:
            raise Unavailable("NATS is unreachable, so no card can be queued")

    async def publish(
        self, card_id: str, file_name: str, image: bytes, single: bool = False
    ) -> None:
        """Queues one card, a single one ahead of batch cards; the card id
        doubles as JetStream's de-duplication id.

        The file name travels percent-encoded, since header values must be
        one line of ASCII. Raises Unavailable when NATS did not confirm the
        card, and Refused when it refused the message as it is, which
        sending it again would not change.
        """
        self.require_connected()
        headers = {
            "Nats-Msg-Id": card_id,
            messaging.CARD_ID_HEADER: card_id,
            messaging.FILE_NAME_HEADER: quote(file_name, safe=""),
        }
        subject = messaging.card_subject(card_id)
        if single:
            subject = messaging.scan_subject(card_id)
        try:
            try:
                await self._put(subject, card_id, image, headers)
            except NO_STREAM:
                logger.warning("a card stream is gone; creating it again")
                await messaging.ensure_stream(self._js)
                self._images = await messaging.image_store(self._js)
                await self._put(subject, card_id, image, headers)
        except BadRequestError as error:
            raise Refused(
                f"NATS refused the card's message: {error.description}"
            ) from None
        except (TimeoutError, nats.errors.Error, OSError) as error:
            reason = str(error) or type(error).__name__
            raise Unavailable(f"NATS did not take card {card_id}: {reason}") from None

    async def _put(
        self, subject: str, card_id: str, image: bytes, headers: dict[str, str]
    ) -> None:
        """Publishes a card's message, its image in the object store when
        it is too large for the message."""
        payload = image
        if len(image) > messaging.inline_limit(self._nc):
            await self._images.put(card_id, image)
            headers = {**headers, messaging.OBJECT_HEADER: card_id}
            payload = b""
        await self._js.publish(subject, payload, headers=headers)

    async def stream_renewed(self) -> bool:
        """Whether the card stream is gone, or another than when the queue
        last looked: deleted, or lost with NATS's storage, and created anew
        without the cards it held.

        A stream keeps the time it was created through restarts of NATS, so
        a new time means a new stream.
        """
        try:
            created = (await self._js.stream_info(messaging.STREAM)).created
        except NotFoundError:
            created = None
        except (TimeoutError, nats.errors.Error, OSError) as error:
            reason = str(error) or type(error).__name__
            raise Unavailable(
                f"NATS did not say whether the card stream is the same: {reason}"
            ) from None
        renewed = created is None or created != self._stream_created
        self._stream_created = created
        return renewed

    async def holds(self, card_id: str, single: bool = False) -> bool:
        """Whether the card's message is in its stream, waiting to be read.

        Workers acknowledge a card only once the store recorded how it
        ended, so a card the store still has QUEUED is in the stream if and
        only if it was published and the stream was not lost since.
        """
        stream, subject = messaging.STREAM, messaging.card_subject(card_id)
        if single:
            stream, subject = messaging.SCAN_STREAM, messaging.scan_subject(card_id)
        try:
            await self._js.get_last_msg(stream, subject)
        except NotFoundError:
            return False
        except (TimeoutError, nats.errors.Error, OSError) as error:
            reason = str(error) or type(error).__name__
            raise Unavailable(
                f"NATS did not say whether card {card_id} is queued: {reason}"
            ) from None
        return True
