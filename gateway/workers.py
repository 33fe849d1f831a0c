"""Tracks the OCR workers alive, from the heartbeats they publish."""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from cardscan import messaging
from cardscan.errors import Unavailable
from cardscan.v1 import batch_pb2
from gateway.health import GatewayStanding

# A worker that missed this many heartbeats in a row counts as gone.
MISSED_BEATS = 3
# How long a worker may stay silent and still count as alive; also how long
# the gateway must listen before the silence of every worker means anything.
WINDOW_SECONDS = MISSED_BEATS * messaging.HEARTBEAT_INTERVAL_SECONDS
# What the gateway knows when no heartbeat came: a worker that hangs is
# silent too.
NONE_HEARD = (
    f"no OCR worker is running (none has sent a heartbeat in {WINDOW_SECONDS:g} s:"
    " none was started, or each has stopped, hangs or cannot reach the store)"
)
HOW_TO_START = (
    "`cardscan up` on the stack's data directory starts again the workers that "
    "stopped, and `cardscan down` then `cardscan up --workers N` runs N; "
    "`docker compose up --scale ocr=N` starts N"
)
# The gateway sends itself a message on a subject of this prefix as often as
# workers beat: when its own messages stop arriving too, the silence of the
# workers says nothing about them, only that NATS does not deliver.
ECHO_SUBJECT_PREFIX = "cardscan.gateway.echo"


class Workers:
    """The OCR workers seen lately, by the worker ids in their heartbeats.

    Until a whole heartbeat window has passed since the object was made, or
    since ``listen``, a worker that runs may simply not have beaten yet, and
    no batch is told there is none. Nor while the store or NATS is away from
    the gateway, or within a window of its return: an OCR worker cut off
    from the store stops its heartbeats until it answers again, and one cut
    off from NATS beats again only once it has reconnected, which may be
    after the gateway hears its own echo again. The gateway's standing
    tells of both.
    """

    def __init__(
        self, standing: GatewayStanding, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._standing = standing
        self._clock = clock
        self._since = clock()
        self._last_seen: dict[str, float] = {}
        # When the gateway last heard its own echo; None until it listens.
        self._last_echo: float | None = None
        self._subscriptions: list[Subscription] = []
        self._echoing: asyncio.Task | None = None
        self._nc: Client | None = None

    async def listen(self, nc: Client) -> None:
        """Starts counting the workers by the heartbeats and goodbyes that
        arrive on the connection, and checking that NATS delivers at all."""
        echo_subject = f"{ECHO_SUBJECT_PREFIX}.{uuid.uuid4().hex}"
        self._nc = nc
        self._since = self._last_echo = self._clock()
        self._subscriptions = [
            await nc.subscribe(messaging.WORKER_SUBJECTS, cb=self._on_message),
            await nc.subscribe(echo_subject, cb=self._on_echo),
        ]
        self._echoing = asyncio.create_task(_keep_echoing(nc, echo_subject))

    async def stop_listening(self) -> None:
        """Stops listening and echoing."""
        if self._echoing:
            self._echoing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._echoing
        for subscription in self._subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _on_echo(self, msg: Msg) -> None:
        self.echoed()

    def echoed(self) -> None:
        """Records that the gateway's own message came back just now."""
        self._last_echo = self._clock()

    def nats_delivers(self) -> bool:
        """Whether messages arrive, as the gateway's own echo shows: a
        NATS that hangs silences every worker's heartbeat at once."""
        if self._last_echo is None:
            return True
        return self._clock() - self._last_echo <= WINDOW_SECONDS

    async def _on_message(self, msg: Msg) -> None:
        worker_id = msg.data.decode("utf-8", "replace")
        if msg.subject == messaging.HEARTBEAT_SUBJECT:
            self.beat(worker_id)
        elif msg.subject == messaging.WORKER_LEFT_SUBJECT:
            self.left(worker_id)

    def beat(self, worker_id: str) -> None:
        """Records that a worker was alive just now."""
        self._last_seen[worker_id] = self._clock()

    def left(self, worker_id: str) -> None:
        """Records that a worker has stopped on purpose."""
        self._last_seen.pop(worker_id, None)

    def _silenced_by_an_outage(self) -> bool:
        """Whether the store or NATS is away, or came back too recently for
        the workers cut off from it to have beaten again."""
        return self._standing.lost_lately(WINDOW_SECONDS)

    def online(self) -> int:
        """How many workers sent a heartbeat lately."""
        cutoff = self._clock() - WINDOW_SECONDS
        self._last_seen = {w: t for w, t in self._last_seen.items() if t >= cutoff}
        return len(self._last_seen)

    def none_running(self) -> bool:
        """Whether the gateway listened for a whole heartbeat window and
        knows that no worker runs."""
        return (
            self._listened_long_enough()
            and not self._silenced_by_an_outage()
            and self.nats_delivers()
            and not self.online()
        )

    def _listened_long_enough(self) -> bool:
        """Whether the gateway has listened for heartbeats a whole window."""
        return self._clock() - self._since >= WINDOW_SECONDS

    def require_one_for_a_card(self) -> None:
        """Raises Unavailable, before a single card is taken, once the
        gateway knows that no worker runs to read it."""
        if self.none_running():
            raise Unavailable(
                f"{NONE_HEARD}; start one ({HOW_TO_START}) and send the card again"
            )

    def notice_for_new_batch(self) -> str:
        """What to tell of a batch just taken, if the gateway knows that no
        worker runs; its cards wait in the queue, so it is taken all the same."""
        if not self.none_running():
            return ""
        return (
            f"{NONE_HEARD}; the cards wait in the queue and are read once one"
            f" starts ({HOW_TO_START})"
        )

    def annotate(self, batch: batch_pb2.Batch) -> batch_pb2.Batch:
        """The batch with the workers online and, if it is stuck, a notice."""
        batch.workers_online = self.online()
        waiting = batch.counts.queued + batch.counts.processing
        if waiting and self._nc is not None and not self._nc.is_connected:
            batch.notice = (
                f"{waiting} card(s) are waiting; the gateway has lost its "
                "connection to NATS, so no card moves on until NATS is back"
            )
            return batch
        # While the store or NATS is away the cards wait for it, which the
        # gateway's health says; the workers beat again once it is back.
        if not waiting or batch.workers_online or self._silenced_by_an_outage():
            return batch
        if not self._listened_long_enough():
            batch.notice = (
                f"{waiting} card(s) are waiting; checking for OCR workers, as "
                "the gateway started too recently to have heard from them"
            )
        elif not self.nats_delivers():
            batch.notice = (
                f"{waiting} card(s) are waiting; NATS delivers no messages to the "
                "gateway, not even its own, so it cannot tell whether OCR "
                "workers run"
            )
        else:
            batch.notice = (
                f"{waiting} card(s) are waiting and {NONE_HEARD}; they stay"
                " queued and are read once a worker starts"
            )
        return batch


async def _keep_echoing(nc: Client, subject: str) -> None:
    """Sends the gateway's own message as often as a worker beats."""
    while True:
        with contextlib.suppress(Exception):
            await nc.publish(subject, b"")
        await asyncio.sleep(WINDOW_SECONDS / MISSED_BEATS)
