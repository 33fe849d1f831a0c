"""Asking a test's gRPC server how its health service answers, and a disk
whose free space a test sets."""

from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc


async def health_check(server: rpc.Server, service: str = "") -> tuple[str, str]:
    """The status the server's health service answers for the service ("" for
    the whole server), and the reason its trailing metadata gives ("" when
    none)."""
    async with rpc.channel(f"127.0.0.1:{server.port}") as channel:
        call = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service)
        )
        reply = await call
        metadata = dict(await call.trailing_metadata() or ())
    reason = metadata.get(rpc.HEALTH_REASON_KEY, b"").decode()
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status), reason


class FakeDisk:
    """A disk whose free space a test sets, read in place of the real one's
    (as cardscan.disk.free_bytes), and the folders it was asked about."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.asked: list = []

    def free_bytes(self, path) -> int:
        self.asked.append(path)
        return self.free
