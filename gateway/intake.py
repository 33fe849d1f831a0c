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

from cardscan.errors import Unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

SHUTTING_DOWN = (
    "the gateway is shutting down, so it took nothing of this upload; send it "
    "again once the gateway is back"
)


class ShuttingDown(Unavailable):
    """The gateway is shutting down and takes no upload, nor the rest of one."""


class Intake:
    """The uploads arriving and those being queued, until the gateway stops."""

    def __init__(self) -> None:
        self.stopping = False
        # Set once the gateway stops waiting for uploads to be queued: the
        # cards of an upload not yet queued then wait for the next start.
        self.cut_short = False
        self._arriving: set[asyncio.Task] = set()
        self._refused: set[asyncio.Task] = set()
        self._queueing: set[asyncio.Future] = set()

    def require_open(self) -> None:
        """Raises ShuttingDown once the gateway has been told to stop."""
        if self.stopping:
            raise ShuttingDown(SHUTTING_DOWN)

    @asynccontextmanager
    async def arriving(self) -> AsyncIterator[None]:
        """Marks the calling task as receiving an upload while the block
        runs: a stop then cancels the task, and the block raises
        ShuttingDown in place of the cancellation."""
        self.require_open()
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
            raise ShuttingDown(SHUTTING_DOWN) from None
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

    def stop(self) -> None:
        """Takes no upload from now on, and refuses those still arriving."""
        self.stopping = True
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
