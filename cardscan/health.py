"""A service's standing: whether each thing it depends on answers, turned
into its gRPC health status, a reason naming what is down, and one log line
for each loss and return; and the watch on the store that tells it."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc
from cardscan.v1 import store_pb2

STORE_SERVICE = store_pb2.DESCRIPTOR.services_by_name["StoreService"].full_name
# How often a service asks the store whether it serves, and how long it
# waits for the answer.
STORE_CHECK_SECONDS = 2.0
STORE_CHECK_TIMEOUT_SECONDS = 3.0

SERVING = health_pb2.HealthCheckResponse.SERVING

# Told whether a dependency answers, and if not, why as far as known.
Answers = Callable[[bool, str], Awaitable[None]]


@dataclass(frozen=True)
class Dependency:
    """Something a service needs in order to serve, and the words its log
    uses for it: "{shown} {lost} (why)", "{shown} {back}", and "{shown}
    {first}" for its first answer.

    One not waited for, such as the free space on a disk, answers nothing:
    while it is down, why is the whole of its log line and of its part in
    the service's reason, and the latest why is the one told.
    """

    shown: str
    lost: str = "is unreachable"
    back: str = "answers again"
    first: str = "answers"
    waited: bool = True


class Standing:
    """SERVING while every dependency is up, else NOT_SERVING, as reported
    on an attached server's health service.

    Each dependency starts up (True), down (False) or not yet heard of
    (None). A change is reported and logged once; being told again what is
    already known changes nothing. A first answer is logged only when it
    leaves the service SERVING, as until then the service is only starting.
    """

    def __init__(
        self,
        owner: str,
        dependencies: dict[str, tuple[Dependency, bool | None]],
        logger: logging.Logger | None = None,
    ) -> None:
        self._owner = owner
        self._dependencies = {name: dep for name, (dep, _) in dependencies.items()}
        self._up = {name: up for name, (_, up) in dependencies.items()}
        # Why each dependency that is down was found so, as far as known.
        self._why: dict[str, str] = {}
        self._logger = logger
        self._server: rpc.Server | None = None
        # Why the service serves no more once it is stopping, else empty.
        self._stopping = ""

    @property
    def serving(self) -> bool:
        """Whether every dependency is up and the service is not stopping."""
        return not self._stopping and all(up is True for up in self._up.values())

    @property
    def stopping(self) -> bool:
        """Whether the service is stopping, and so serves no more."""
        return bool(self._stopping)

    def answers(self, name: str) -> bool | None:
        """Whether the dependency answers; None while not yet heard of."""
        return self._up[name]

    def waiting_for(self) -> list[str]:
        """The dependencies waited for that are not up, as shown."""
        return [
            dep.shown
            for name, dep in self._dependencies.items()
            if dep.waited and self._up[name] is not True
        ]

    def why_down(self, name: str) -> str | None:
        """Why the dependency was last found down, "" when that is not
        known; None while it is up or not yet heard of."""
        return self._why.get(name) if self._up[name] is False else None

    def reason(self) -> str:
        """Why the service is NOT_SERVING, naming what is down, or that it
        is stopping; empty while SERVING."""
        if self._stopping:
            return self._stopping
        missing = self.waiting_for()
        causes = [f"waiting for {' and '.join(missing)} to answer"] if missing else []
        causes += [
            self._why[name]
            for name, dep in self._dependencies.items()
            if not dep.waited and self._up[name] is False
        ]
        return "; ".join(causes)

    async def attach(self, server: rpc.Server) -> None:
        """Reports the standing to the server's health service, now and at
        each change; until then, and after detach, what the standing is
        told is ignored."""
        self._server = server
        await self._report()

    def detach(self) -> None:
        """Stops reporting and logging, before the service closes its own
        connections, whose loss is then no news."""
        self._server = None

    async def stop(self, reason: str) -> None:
        """Reports NOT_SERVING with the reason from now on, whatever the
        dependencies, as the service stops; then detaches."""
        self._stopping = reason
        if self._server is not None:
            await self._server.shut_down(reason)
        self.detach()

    async def up(self, name: str) -> None:
        """Notes that the dependency answers."""
        if self._server is None or self._up[name] is True:
            return
        first = self._up[name] is None
        self._up[name] = True
        dependency = self._dependencies[name]
        if not first:
            self._log_return(dependency, dependency.back)
        elif self.serving:
            self._log_return(dependency, dependency.first)
        await self._report()

    async def note(self, name: str, answers: bool, why: str = "") -> None:
        """Notes whether the dependency answers, and if not, why if known."""
        await (self.up(name) if answers else self.down(name, why))

    async def down(self, name: str, why: str = "") -> None:
        """Notes that the dependency does not answer, and why if known.

        The first why of one waited for is kept while it is down; a new why
        of one not waited for is reported, not logged again.
        """
        if self._server is None:
            return
        lost = self._up[name] is not False
        if not lost and (self._dependencies[name].waited or self._why[name] == why):
            return
        self._up[name] = False
        self._why[name] = why
        if lost and self._logger is not None:
            self._logger.warning(
                "%s: %s is NOT_SERVING", self._loss(name, why), self._owner
            )
        await self._report()

    def _loss(self, name: str, why: str) -> str:
        """The loss of the dependency, as the log tells it."""
        dependency = self._dependencies[name]
        if not dependency.waited:
            return why
        because = f" ({why})" if why else ""
        return f"{dependency.shown} {dependency.lost}{because}"

    def _log_return(self, dependency: Dependency, words: str) -> None:
        if self._logger is not None:
            self._logger.info("%s %s: %s", dependency.shown, words, self._verdict())

    def _verdict(self) -> str:
        """The service's status, and while it is NOT_SERVING, what it waits
        for: those that were lost, else those not heard of yet."""
        if self.serving:
            return f"{self._owner} is SERVING"
        lost = [
            dep for name, dep in self._dependencies.items() if self._up[name] is False
        ]
        if lost:
            causes = " and ".join(f"{dep.shown} {dep.lost}" for dep in lost)
            return f"{self._owner} stays NOT_SERVING while {causes}"
        unheard = [
            dep for name, dep in self._dependencies.items() if self._up[name] is None
        ]
        causes = " and ".join(f"{dep.shown} {dep.first}" for dep in unheard)
        return f"{self._owner} is NOT_SERVING until {causes}"

    async def _report(self) -> None:
        if self._server is not None:
            await self._server.set_serving(self.serving, self.reason())


async def ask_store(channel: grpc.aio.Channel) -> tuple[bool, str]:
    """Asks the store's health service once whether it serves: whether the
    store answers, and if not, why as far as known.

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
    call = stub.Check(request, timeout=STORE_CHECK_TIMEOUT_SECONDS)
    try:
        reply = await call
        metadata = await call.trailing_metadata()
    except grpc.aio.AioRpcError as error:
        return False, rpc.why_unanswered(error)
    if reply.status != SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        reasons = [v for k, v in metadata or () if k == rpc.HEALTH_REASON_KEY]
        said = f": {reasons[0].decode(errors='replace')}" if reasons else ""
        return False, f"it reports {status}{said}"
    return True, ""


async def watch_store(channel: grpc.aio.Channel, tell: Answers) -> None:
    """Asks the store every STORE_CHECK_SECONDS whether it serves, as
    ask_store does, and tells whether it answers, until cancelled."""
    while True:
        await tell(*await ask_store(channel))
        await asyncio.sleep(STORE_CHECK_SECONDS)
