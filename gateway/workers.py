"""Tracks the OCR workers alive, from the heartbeats they publish."""

import time
from collections.abc import Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from cardscan import messaging
from cardscan.v1 import batch_pb2

# A worker that missed this many heartbeats in a row counts as gone.
MISSED_BEATS = 3


class Workers:
    """The OCR workers seen lately, by the worker ids in their heartbeats."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    async def listen(self, nc: Client) -> Subscription:
        """Starts counting the heartbeats that arrive on the connection."""
        return await nc.subscribe(messaging.HEARTBEAT_SUBJECT, cb=self._on_beat)

    async def _on_beat(self, msg: Msg) -> None:
        self.beat(msg.data.decode("utf-8", "replace"))

    def beat(self, worker_id: str) -> None:
        """Records that a worker was alive just now."""
        self._last_seen[worker_id] = self._clock()

    def online(self) -> int:
        """How many workers sent a heartbeat lately."""
        cutoff = self._clock() - MISSED_BEATS * messaging.HEARTBEAT_INTERVAL_SECONDS
        self._last_seen = {w: t for w, t in self._last_seen.items() if t >= cutoff}
        return len(self._last_seen)

    def annotate(self, batch: batch_pb2.Batch) -> batch_pb2.Batch:
        """The batch with the workers online and, if it is stuck, a notice."""
        batch.workers_online = self.online()
        waiting = batch.counts.queued + batch.counts.processing
        if waiting and not batch.workers_online:
            batch.notice = (
                f"{waiting} card(s) are waiting and no OCR worker is running; "
                "they stay queued and are read once a worker starts"
            )
        return batch
