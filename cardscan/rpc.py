"""gRPC server and channel set-up shared by every cardscan service."""

import functools
import inspect
import logging
from collections.abc import Callable, Iterable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from cardscan.errors import CardscanError, StorageFault

logger = logging.getLogger(__name__)

# The range of the API's 32-bit number fields.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# Room for a large card photo in one message; gRPC's default is 4 MB.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

MESSAGE_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]


def cannot_listen(listen: str) -> str:
    """What a server says when it cannot bind its listen address."""
    return (
        f"cannot listen on {listen}: the port is taken by another program,"
        " or the address is not one of this machine's"
    )


# gRPC lets a second server bind a port one already listens on, and the two
# then share its calls; a service started on a taken port must fail instead.
LISTEN_OPTIONS = [("grpc.so_reuseport", 0)]


# The trailing metadata of a health check answered NOT_SERVING: why, in
# words, where the server was told. The standard health protocol has no
# field for it; clients that know the key show it, others ignore it.
HEALTH_REASON_KEY = "cardscan-health-reason-bin"


class ExplainedHealth(health.aio.HealthServicer):
    """The standard health service, whose NOT_SERVING answers to Check also
    carry the reason the server was last given, if any."""

    def __init__(self) -> None:
        super().__init__()
        self._reason = ""
        self._shut_down = False

    def explain(self, reason: str) -> None:
        """Gives the reason NOT_SERVING answers carry from now on; once the
        service is shut down, its reason stays."""
        if not self._shut_down:
            self._reason = reason

    async def enter_graceful_shutdown(self) -> None:
        self._shut_down = True
        await super().enter_graceful_shutdown()

    async def Check(self, request, context):
        reply = await super().Check(request, context)
        serving = reply.status == health_pb2.HealthCheckResponse.SERVING
        if self._reason and not serving:
            context.set_trailing_metadata(
                ((HEALTH_REASON_KEY, status_message(self._reason).encode()),)
            )
        return reply


class Server:
    """A grpc.aio server with the standard health and reflection services."""

    def __init__(
        self,
        listen: str,
        service_names: Iterable[str],
        options: Sequence[tuple[str, int | str]] = (),
    ) -> None:
        self.grpc = grpc.aio.server(
            options=[*MESSAGE_OPTIONS, *LISTEN_OPTIONS, *options]
        )
        self.health = ExplainedHealth()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.grpc)
        self._names = list(service_names)
        reflection.enable_server_reflection(
            [*self._names, health.SERVICE_NAME, reflection.SERVICE_NAME],
            self.grpc,
        )
        try:
            # Older grpcio versions return 0 where newer ones raise.
            self.port = self.grpc.add_insecure_port(listen)
        except RuntimeError:
            self.port = 0
        if not self.port:
            raise CardscanError(cannot_listen(listen))
        self.listen = listen

    async def start(self, serving: bool = True) -> None:
        """Starts serving and reports every service as SERVING, or as
        NOT_SERVING when told so until set_serving says otherwise."""
        await self.set_serving(serving)
        await self.grpc.start()
        logger.info("gRPC listening on %s (port %d)", self.listen, self.port)

    async def set_serving(self, serving: bool, reason: str = "") -> None:
        """Reports the server and each of its services as SERVING or
        NOT_SERVING to health checks, the latter with the reason if given."""
        status = health_pb2.HealthCheckResponse.NOT_SERVING
        if serving:
            status = health_pb2.HealthCheckResponse.SERVING
        self.health.explain("" if serving else reason)
        for name in ["", *self._names]:
            await self.health.set(name, status)

    async def shut_down(self, reason: str = "") -> None:
        """Reports NOT_SERVING from now on, with the reason if given,
        whatever set_serving is told later."""
        if reason:
            self.health.explain(reason)
        await self.health.enter_graceful_shutdown()

    async def stop(self, grace: float = 5.0) -> None:
        """Reports NOT_SERVING, then stops after letting calls finish."""
        await self.shut_down()
        await self.grpc.stop(grace)


# gRPC sends a status message in the call's trailing metadata, which
# clients cap at 8 KB by default (16 KB at most) and answer a longer one
# with RESOURCE_EXHAUSTED in place of the status sent.
MAX_STATUS_MESSAGE_BYTES = 4096


def status_message(text: str) -> str:
    """The text as a status message: cut, where too long for gRPC's
    metadata, at a character's edge and marked so."""
    data = text.encode()
    if len(data) <= MAX_STATUS_MESSAGE_BYTES:
        return text
    cut = data[: MAX_STATUS_MESSAGE_BYTES - len("…".encode())]
    return cut.decode(errors="ignore") + "…"


# Trailing metadata every refusal a cardscan service makes on purpose
# carries, so that its caller can tell the service's own UNAVAILABLE (a
# database it cannot write) from gRPC's when the service is out of reach.
REFUSED_KEY = "cardscan-refused"


def answered(error: grpc.aio.AioRpcError) -> bool:
    """Whether the failed call was refused by a cardscan service itself,
    rather than left unanswered."""
    return any(key == REFUSED_KEY for key, _ in error.trailing_metadata() or ())


def why_unanswered(error: grpc.aio.AioRpcError) -> str:
    """Why a call got no answer, from the last clause of gRPC's text:
    "...: Failed to connect to remote host: Connection refused" becomes
    "connection refused"."""
    if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "no answer in time"
    cause = (error.details() or "").rsplit(": ", 1)[-1].strip()
    return cause[:1].lower() + cause[1:] if cause else error.code().name


def reporting_errors(
    logged: tuple[type[CardscanError], ...] = (CardscanError,),
    expected: tuple[type[CardscanError], ...] = (),
) -> Callable[[Callable], Callable]:
    """A decorator for servicer methods, unary or streaming: a CardscanError
    a method raises ends the call with that error's gRPC status, and one of
    the logged kinds is also logged as a warning, unless it is of the kinds
    expected as an answer; a StorageFault, which an operator must see, is
    logged as an error. Trailing metadata the method set before it raised
    is sent with the status."""

    def decorate(method: Callable) -> Callable:
        async def abort(context: grpc.aio.ServicerContext, error: CardscanError):
            if isinstance(error, StorageFault):
                logger.error("%s failed: %s", method.__name__, error)
            elif isinstance(error, logged) and not isinstance(error, expected):
                logger.warning("%s refused: %s", method.__name__, error)
            await context.abort(
                error.grpc_code,
                status_message(str(error)),
                trailing_metadata=(
                    *(context.trailing_metadata() or ()),
                    (REFUSED_KEY, type(error).__name__),
                ),
            )

        if inspect.isasyncgenfunction(method):

            @functools.wraps(method)
            async def streaming(self, request, context):
                try:
                    async for reply in method(self, request, context):
                        yield reply
                except CardscanError as error:
                    await abort(context, error)

            return streaming

        @functools.wraps(method)
        async def unary(self, request, context):
            try:
                return await method(self, request, context)
            except CardscanError as error:
                await abort(context, error)

        return unary

    return decorate


# gRPC waits up to two minutes between reconnection attempts by default; a
# service coming back after an outage should be used within seconds.
RECONNECT_OPTIONS = [
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.min_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 3000),
]


def channel(address: str) -> grpc.aio.Channel:
    """An insecure channel to another cardscan service."""
    return grpc.aio.insecure_channel(
        address, options=MESSAGE_OPTIONS + RECONNECT_OPTIONS
    )
