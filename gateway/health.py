"""The gateway's health: SERVING while both NATS and the store answer and
the disk of its uploads has the free space it keeps.

Without NATS no card can be queued and no change heard; without the store
no upload can be registered and no batch shown; on a full disk no upload
can be spooled. While any of these holds, and once the gateway is stopping,
it reports NOT_SERVING, for the whole server and for CardScanService alike,
and SERVING again once none does. The same standing decides whether an
upload is taken: its gRPC health service, /healthz and the uploads all ask
it.
"""

import functools
import logging
import time
from collections.abc import Callable

from cardscan.disk import FreeSpace
from cardscan.errors import Unavailable
from cardscan.health import Dependency, Standing
from gateway.config import Settings

logger = logging.getLogger(__name__)

# The gateway's dependencies, by the names its Standing knows them by.
NATS = "nats"
STORE = "store"
DISK = "disk"
# NATS's JetStream taking cards, which a connected NATS may stop doing, as
# when its disk filled up; taken to until a card is refused.
JETSTREAM = "jetstream"
# Those the gateway reaches over the network, as the OCR workers do.
REACHED = (NATS, STORE)
# NATS as the gateway's log tells its loss and return.
NATS_SHOWN = Dependency("NATS", back="is connected", first="is connected")

# Why a stopping gateway serves no more, over gRPC and HTTP alike.
SHUTTING_DOWN = "the gateway is shutting down"
# What an upload refused as the gateway stops is told.
UPLOAD_AT_SHUTDOWN = (
    "the gateway is shutting down, so it took nothing of this upload; send it "
    "again once the gateway is back"
)


class ShuttingDown(Unavailable):
    """The gateway is shutting down and takes no upload, nor the rest of one."""


class GatewayStanding(Standing):
    """The gateway's standing: NATS and the store not heard of until the
    gateway first reaches them, NATS counting as up once the cards its
    last run left are queued, and the disk of its uploads taken to have
    room until checked; and when the last of NATS and the store lost came
    back, which the count of OCR workers asks, as their heartbeats stop
    with it."""

    def __init__(
        self, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._free_space = FreeSpace(
            settings.upload_dir, settings.min_free_disk_mb, "the gateway"
        )
        super().__init__(
            "the gateway",
            {
                NATS: (NATS_SHOWN, None),
                STORE: (Dependency(f"the store at {settings.store_addr}"), None),
                DISK: (self._free_space.dependency(), True),
                JETSTREAM: (
                    Dependency(
                        "NATS's JetStream", back="takes cards again", waited=False
                    ),
                    True,
                ),
            },
            logger,
        )
        self._nats_shown = settings.nats_shown
        self._store_addr = settings.store_addr
        self._clock = clock
        # None until NATS first answers, False while the cards the last run
        # left are being queued, True once they are: NATS counts as up only
        # then, so that uploads wait for them.
        self._leftovers_queued: bool | None = None
        # When NATS or the store last came back after it was lost.
        self._back_at: float | None = None

    def queueing_leftovers(self) -> None:
        """Notes that NATS answered and the cards the last run left are
        being queued."""
        self._leftovers_queued = False

    async def leftovers_queued(self, connected: bool) -> None:
        """Notes that the cards the last run left are queued: NATS counts
        as up from now on while the gateway is connected, as it may be now."""
        self._leftovers_queued = True
        if connected:
            await self.nats_back()

    async def nats_lost(self) -> None:
        """Notes that the gateway lost its connection to NATS."""
        await self.down(NATS)

    async def nats_back(self) -> None:
        """Notes that the gateway is connected to NATS again."""
        if self._leftovers_queued:
            await self.up(NATS)

    async def watch_disk(self) -> None:
        """Notes whether the disk of the uploads has the free space the
        gateway keeps, now and every few seconds, until cancelled."""
        await self._free_space.watch(functools.partial(self.note, DISK))

    async def cards_refused(self, why: str) -> None:
        """Notes that NATS, connected, confirmed none of the last cards the
        gateway sent: its JetStream takes none, as after its disk filled
        up, until a card it takes says otherwise."""
        await self.down(
            JETSTREAM,
            f"NATS at {self._nats_shown} takes no cards ({why}); if its disk "
            "filled up, restart it once there is room",
        )

    async def cards_taken(self) -> None:
        """Notes that NATS took a card."""
        await self.up(JETSTREAM)

    async def up(self, name: str) -> None:
        """Notes that the dependency answers, and when NATS or the store
        came back, if it was lost."""
        lost = self.answers(name) is False
        await super().up(name)
        if lost and self.answers(name) and name in REACHED:
            self._back_at = self._clock()

    def lost_lately(self, seconds: float) -> bool:
        """Whether NATS or the store is lost, or the last of them lost came
        back less than the seconds ago."""
        if any(self.answers(name) is False for name in REACHED):
            return True
        back = self._back_at
        return back is not None and self._clock() - back < seconds

    def require_serving(self) -> None:
        """Raises, before an upload is read, ShuttingDown once the gateway
        stops, else Unavailable naming what it waits for, unless it serves."""
        if self.serving:
            return
        if self.stopping:
            raise ShuttingDown(UPLOAD_AT_SHUTDOWN)
        causes = (
            self._nats_cause(),
            self.why_down(JETSTREAM),
            self._store_cause(),
            self.why_down(DISK),
        )
        said = " and ".join(cause for cause in causes if cause)
        raise Unavailable(f"{said}, so no upload can be taken")

    def _nats_cause(self) -> str:
        match self.answers(NATS):
            case None if self._leftovers_queued is False:
                return "the gateway is still queueing the cards its last run left"
            case None:
                return (
                    f"NATS at {self._nats_shown} has not answered since the "
                    "gateway started"
                )
            case False:
                return f"NATS at {self._nats_shown} is unreachable"
        return ""

    def _store_cause(self) -> str:
        store = f"the store at {self._store_addr}"
        match self.answers(STORE):
            case None:
                return f"{store} has not answered since the gateway started"
            case False:
                why = self.why_down(STORE)
                return f"{store} does not serve" + (f" ({why})" if why else "")
        return ""
