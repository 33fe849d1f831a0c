"""The uploads a gateway has in hand, so that one told to stop refuses those
still arriving at once and lets those fully received be queued first.

An upload still arriving when the gateway stops could only be finished by
keeping the gateway up for as long as its client takes to send it, which
no stop deadline allows; it is refused, and nothing of it is kept. Once
an upload has fully arrived, its cards are queued, within a time limit:
the cards the gateway could not queue by then stay in its spool file,
and the next gateway to start on the data directory queues them.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar

from cardscan.health import Standing
from gateway.health import SHUTTING_DOWN, UPLOAD_AT_SHUTDOWN, ShuttingDown

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Intake:
    """The uploads arriving and those being queued, until the gateway stops;
    whether it stops is its standing's to tell."""

    def __init__(self, standing: Standing) -> None:
        self._standing = standing
        # Set once the gateway stops waiting for uploads to be queued: the
        # cards of an upload not yet queued then wait for the next start.
        self.cut_short = False
        self._arriving: set[asyncio.Task] = set()
        self._refused: set[asyncio.Task] = set()
        self._queueing: set[asyncio.Future] = set()

    @asynccontextmanager
    async def arriving(self) -> AsyncIterator[None]:
        """Marks the calling task as receiving an upload while the block
        runs: a stop then cancels the task, and the block raises
        ShuttingDown in place of the cancellation."""
        if self._standing.stopping:
            raise ShuttingDown(UPLOAD_AT_SHUTDOWN)
        task = asyncio.current_task()
        self._arriving.add(task)
        try:
            yield
        except asyncio.CancelledError:
            if task not in self._refused:
                raise
            # The cancel was the stop's, not the caller's: the call goes on
            # to answer its client.
            task.uncancel()
            logger.info(
                "an upload still arriving was refused: the gateway is shutting "
                "down; nothing of it was kept"
            )
            raise ShuttingDown(UPLOAD_AT_SHUTDOWN) from None
        finally:
            self._arriving.discard(task)
            self._refused.discard(task)

    def queueing(self, work: Awaitable[T]) -> asyncio.Future[T]:
        """Runs the queueing of an upload received whole as a task of its
        own, which a stop waits for."""
        running = asyncio.ensure_future(work)
        self._queueing.add(running)
        running.add_done_callback(self._queueing.discard)
        return running

    async def stop(self) -> None:
        """Has the standing report NOT_SERVING as the gateway shuts down,
        which then takes no upload, and refuses those still arriving."""
        await self._standing.stop(SHUTTING_DOWN)
        for task in self._arriving - self._refused:
            self._refused.add(task)
            task.cancel()

    async def drain(self, timeout: float) -> int:
        """Waits up to timeout seconds for the uploads received whole to be
        queued, then has any still queueing leave the rest of its cards to
        the next start; returns how many were cut short so."""
        if self._queueing:
            await asyncio.wait(set(self._queueing), timeout=timeout)
        self.cut_short = True
        return len(self._queueing)
