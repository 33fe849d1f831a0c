"""The gateway's gRPC health: SERVING while both NATS and the store answer.

Without NATS no card can be queued and no change heard; without the store
no upload can be registered and no batch shown. While either is out of
reach, the gateway reports NOT_SERVING, for the whole server and for
CardScanService alike, and SERVING again once both answer.
"""

import asyncio
import logging

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc
from cardscan.v1 import store_pb2

logger = logging.getLogger(__name__)

STORE_SERVICE = store_pb2.DESCRIPTOR.services_by_name["StoreService"].full_name
# How often the gateway asks the store whether it serves, and how long it
# waits for the answer.
STORE_CHECK_SECONDS = 2.0
STORE_CHECK_TIMEOUT_SECONDS = 3.0

SERVING = health_pb2.HealthCheckResponse.SERVING


class Health:
    """Reports the gateway SERVING on its gRPC health service while NATS
    and the store both answer, and logs each of them going and coming back
    once."""

    def __init__(self, store_addr: str) -> None:
        self._store_addr = store_addr
        self._server: rpc.Server | None = None
        self._nats_up = False
        # None until the store was first asked.
        self._store_up: bool | None = None

    @property
    def serving(self) -> bool:
        """Whether NATS and the store both answer."""
        return self._nats_up and self._store_up is True

    def waiting_for(self) -> list[str]:
        """What does not answer the gateway yet; empty while SERVING."""
        missing = [] if self._nats_up else ["NATS"]
        if not self._store_up:
            missing.append(f"the store at {self._store_addr}")
        return missing

    def attach(self, server: rpc.Server) -> None:
        """Reports to the server's health service from now on."""
        self._server = server

    def detach(self) -> None:
        """Stops reporting, before the gateway closes its connections."""
        self._server = None

    async def nats_lost(self) -> None:
        """Notes that the NATS connection dropped."""
        if self._server is None:
            return
        self._nats_up = False
        logger.warning("NATS is unreachable: the gateway is NOT_SERVING")
        await self._report()

    async def nats_back(self) -> None:
        """Notes that NATS is connected, first or again."""
        if self._server is None:
            return
        self._nats_up = True
        logger.info("NATS is connected: %s", self._verdict())
        await self._report()

    async def store_answered(self) -> None:
        """Notes that the store answered SERVING; logs only a change."""
        if self._server is None or self._store_up:
            return
        first = self._store_up is None
        self._store_up = True
        if not first:
            logger.info(
                "the store at %s answers again: %s", self._store_addr, self._verdict()
            )
        elif self.serving:
            logger.info(
                "the store at %s answers: the gateway is SERVING", self._store_addr
            )
        await self._report()

    async def store_unanswered(self, reason: str) -> None:
        """Notes that the store did not answer SERVING, and why; logs only
        a change."""
        if self._server is None or self._store_up is False:
            return
        self._store_up = False
        logger.warning(
            "the store at %s is unreachable (%s): the gateway is NOT_SERVING",
            self._store_addr,
            reason,
        )
        await self._report()

    def _verdict(self) -> str:
        """The gateway's status after a part came back, and if it is still
        NOT_SERVING, what it waits for."""
        if self.serving:
            return "the gateway is SERVING"
        if self._store_up is None:
            return (
                "the gateway is NOT_SERVING until the store at "
                f"{self._store_addr} answers"
            )
        if not self._store_up:
            return (
                "the gateway stays NOT_SERVING while the store at "
                f"{self._store_addr} is unreachable"
            )
        return "the gateway stays NOT_SERVING while NATS is unreachable"

    async def _report(self) -> None:
        if self._server is not None:
            await self._server.set_serving(self.serving)


async def watch_store(channel: grpc.aio.Channel, health: Health) -> None:
    """Asks the store's health service every STORE_CHECK_SECONDS whether it
    serves and tells health, until cancelled.

    The store's health service is asked rather than the channel's
    connectivity state watched: a store that is up but hangs, or that
    reports NOT_SERVING as it stops, leaves the channel READY; an idle
    channel is IDLE without trying to connect; and while the store is away
    the state swings between CONNECTING and TRANSIENT_FAILURE at each try.
    A Check with a deadline asks what matters, whether the store answers
    calls, and each one also has the channel try to connect again.
    """
    stub = health_pb2_grpc.HealthStub(channel)
    request = health_pb2.HealthCheckRequest(service=STORE_SERVICE)
    while True:
        try:
            reply = await stub.Check(request, timeout=STORE_CHECK_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            await health.store_unanswered(rpc.why_unanswered(error))
        else:
            if reply.status == SERVING:
                await health.store_answered()
            else:
                status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
                await health.store_unanswered(f"it reports {status}")
        await asyncio.sleep(STORE_CHECK_SECONDS)
