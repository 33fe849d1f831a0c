"""Asks a service's standard gRPC health service whether it is serving.

Containers run it as their health check::

    python -m cardscan.healthcheck HOST:PORT [SERVICE]

It exits 0 when the service answers SERVING, and otherwise 1 with one line
on stderr that says why; a malformed command line exits 2.
"""

import argparse
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc, settings

TIMEOUT_SECONDS = 3.0


SERVING = health_pb2.HealthCheckResponse.SERVING


def serving_status(channel: grpc.Channel, service: str, timeout: float) -> int:
    """The health service's status for the service ("" for the whole
    server); raises grpc.RpcError when no answer comes in time."""
    return explained_status(channel, service, timeout)[0]


def explained_status(
    channel: grpc.Channel, service: str, timeout: float
) -> tuple[int, str]:
    """The health service's status for the service, and the reason a
    cardscan service gives beside NOT_SERVING ("" when none is given);
    raises grpc.RpcError when no answer comes in time."""
    stub = health_pb2_grpc.HealthStub(channel)
    request = health_pb2.HealthCheckRequest(service=service)
    reply, call = stub.Check.with_call(request, timeout=timeout)
    reasons = [
        value
        for key, value in call.trailing_metadata() or ()
        if key == rpc.HEALTH_REASON_KEY
    ]
    reason = reasons[0].decode(errors="replace") if reasons else ""
    return reply.status, reason


def status_name(status: int) -> str:
    """SERVING, NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN."""
    return health_pb2.HealthCheckResponse.ServingStatus.Name(status)


def check(address: str, service: str = "", timeout: float = TIMEOUT_SECONDS) -> str:
    """Why the service at the address is not serving; empty when it is."""
    what = f"service {service!r}" if service else "the server"
    with grpc.insecure_channel(address) as channel:
        try:
            status, reason = explained_status(channel, service, timeout)
        except grpc.RpcError as error:
            details = " ".join((error.details() or "no details").split())
            return f"{what} at {address}: {error.code().name}: {details}"
    if status != SERVING:
        because = f": {' '.join(reason.split())}" if reason else ""
        return f"{what} at {address} is {status_name(status)}{because}"
    return ""


def _address(value: str) -> str:
    """HOST:PORT with a port from 1 to 65535, as the command line must give
    it: gRPC would take 99999 for another port."""
    found = settings.ADDRESS.fullmatch(value)
    if found is None:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {value!r}")
    if not 1 <= int(found["port"]) <= 65535:
        raise argparse.ArgumentTypeError(
            f"expected a port from 1 to 65535, not {value!r}"
        )
    return value


def _seconds(value: str) -> float:
    """A positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, not {value!r}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Runs one check and returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cardscan.healthcheck",
        description="Exit 0 if the gRPC health service reports SERVING, else 1.",
    )
    parser.add_argument("address", type=_address, help="HOST:PORT of the server")
    parser.add_argument(
        "service",
        nargs="?",
        default="",
        help="service name (default: the whole server)",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=TIMEOUT_SECONDS,
        help=f"seconds to wait for the answer (default {TIMEOUT_SECONDS:g})",
    )
    args = parser.parse_args(argv)

    reason = check(args.address, args.service, args.timeout)
    if reason:
        print(f"unhealthy: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
