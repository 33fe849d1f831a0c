"""The container health check against real gRPC servers on loopback."""

import asyncio
import socket
import sys
import time

import pytest
from grpc_health.v1 import health_pb2

from cardscan.rpc import Server
from cardscan.stack import free_port

SERVICE = "cardscan.v1.StoreService"


async def run_check(*args: str) -> tuple[int, str]:
    """Runs the health check as containers do; returns exit status and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cardscan.healthcheck",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    return process.returncode, stderr.decode()


@pytest.fixture
async def server():
    """A cardscan gRPC server with the health service, serving one service."""
    server = Server("127.0.0.1:0", [SERVICE])
    await server.start()
    yield server
    await server.stop(grace=0)


async def test_serving_server_passes_silently(server):
    status, stderr = await run_check(f"127.0.0.1:{server.port}")

    assert (status, stderr) == (0, "")


async def test_serving_named_service_passes(server):
    status, stderr = await run_check(f"127.0.0.1:{server.port}", SERVICE)

    assert (status, stderr) == (0, "")


async def test_not_serving_service_fails_with_its_status(server):
    await server.health.set(SERVICE, health_pb2.HealthCheckResponse.NOT_SERVING)

    status, stderr = await run_check(f"127.0.0.1:{server.port}", SERVICE)

    assert status == 1
    assert stderr.count("\n") == 1
    assert "NOT_SERVING" in stderr
    assert SERVICE in stderr


async def test_a_server_not_serving_is_told_with_the_reason_it_gives(server):
    await server.set_serving(False, "waiting for the database to answer")

    status, stderr = await run_check(f"127.0.0.1:{server.port}")

    assert status == 1
    assert stderr == (
        f"unhealthy: the server at 127.0.0.1:{server.port} is NOT_SERVING: "
        "waiting for the database to answer\n"
    )


async def test_server_shutting_down_fails(server):
    await server.health.enter_graceful_shutdown()

    status, stderr = await run_check(f"127.0.0.1:{server.port}")

    assert status == 1
    assert "NOT_SERVING" in stderr


async def test_unknown_service_fails_naming_it(server):
    status, stderr = await run_check(f"127.0.0.1:{server.port}", "no.such.Service")

    assert status == 1
    assert "'no.such.Service'" in stderr
    assert "NOT_FOUND" in stderr


async def test_nothing_listening_fails_with_one_line_naming_the_address():
    address = f"127.0.0.1:{free_port()}"

    status, stderr = await run_check(address)

    assert status == 1
    assert stderr.count("\n") == 1
    assert address in stderr
    assert "UNAVAILABLE" in stderr


async def test_silent_listener_fails_within_the_timeout():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"127.0.0.1:{listener.getsockname()[1]}"

        started = time.monotonic()
        status, stderr = await run_check(address, "--timeout", "0.5")
        elapsed = time.monotonic() - started

    assert status == 1
    assert "DEADLINE_EXCEEDED" in stderr
    assert elapsed < 5


@pytest.mark.parametrize("address", ["localhost", "localhost:http", ":50052"])
async def test_address_without_host_and_port_is_a_usage_error(address):
    status, stderr = await run_check(address)

    assert status == 2
    assert f"expected HOST:PORT, not {address!r}" in stderr


@pytest.mark.parametrize("address", ["127.0.0.1:99999", "127.0.0.1:0"])
async def test_a_port_out_of_range_is_a_usage_error_not_another_port(address):
    status, stderr = await run_check(address)

    assert status == 2
    assert f"expected a port from 1 to 65535, not {address!r}" in stderr


async def test_timeout_must_be_positive():
    status, stderr = await run_check("127.0.0.1:1", "--timeout", "0")

    assert status == 2
    assert "expected seconds above 0, not '0'" in stderr
