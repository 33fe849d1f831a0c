"""The gateway reports NOT_SERVING while NATS or the store is out of reach,
or the disk of its uploads is short of space, and SERVING again once both
answer and the disk has room."""

import asyncio
import contextlib
import dataclasses
import logging
import signal
import uuid
from types import SimpleNamespace

import aiohttp
import nats
import nats.js.errors
import pytest
from aiohttp.test_utils import TestClient, TestServer
from gateway_support import image_bytes, make_zip, running_gateway
from grpc_health.v1 import health_pb2, health_pb2_grpc
from health_support import FakeDisk, health_check

from cardscan import disk, messaging, rpc
from cardscan.disk import FreeSpace
from cardscan.v1 import store_pb2, store_pb2_grpc
from gateway import http_api, server
from gateway.config import Limits, Settings
from gateway.health import NATS, STORE, GatewayStanding
from gateway.intake import Intake
from store_service import server as store_server
from store_service.sqlite_backend import SqliteBackend

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
# A guard only: the gateway asks the store every few seconds.
GUARD_SECONDS = 30
MB = 1024 * 1024


async def statuses(health) -> set[int]:
    """The status of the whole server and of CardScanService."""
    replies = [
        await health.Check(health_pb2.HealthCheckRequest(service=service))
        for service in ("", server.SERVICE_NAME)
    ]
    return {reply.status for reply in replies}


async def until_status(health, status: int) -> None:
    """Waits until the server and CardScanService both report the status."""
    async with asyncio.timeout(GUARD_SECONDS):
        while await statuses(health) != {status}:
            await asyncio.sleep(0.1)


async def until_logged(caplog, words: str) -> None:
    """Waits until a line of the gateway's health log holds the words."""
    async with asyncio.timeout(GUARD_SECONDS):
        while not any(words in line for line in health_log(caplog)):
            await asyncio.sleep(0.05)


async def http_check(http: aiohttp.ClientSession) -> tuple[int, dict]:
    """The status and body of the gateway's HTTP health check."""
    async with http.get("/healthz") as reply:
        return reply.status, await reply.json()


def health_log(caplog) -> list[str]:
    return [
        f"{record.levelname} {record.getMessage()}"
        for record in caplog.records
        if record.name == "gateway.health"
    ]


async def test_gateway_is_not_serving_while_its_store_is_unreachable(
    gateway, stack_parts, caplog
):
    caplog.set_level(logging.INFO, logger="gateway.health")
    store = gateway.settings.store_addr
    async with (
        rpc.channel(gateway.settings.grpc_listen) as channel,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        await until_status(health, SERVING)
        checks = [await http_check(http)]
        await asyncio.to_thread(stack_parts.stop_process, "store")
        await until_status(health, NOT_SERVING)
        checks.append(await http_check(http))
        listings = []
        for _ in range(3):
            async with http.get("/v1/batches") as reply:
                listings.append(reply.status)
        await asyncio.to_thread(stack_parts.start_store)
        await until_status(health, SERVING)
        checks.append(await http_check(http))
    lost = [line for line in health_log(caplog) if "is unreachable" in line]
    back = [line for line in health_log(caplog) if "answers again" in line]

    assert checks == [
        (200, {"status": "SERVING"}),
        (
            503,
            {
                "status": "NOT_SERVING",
                "reason": f"waiting for the store at {store} to answer",
            },
        ),
        (200, {"status": "SERVING"}),
    ]
    assert listings == [503, 503, 503]
    assert len(lost) == 1
    assert lost[0].startswith(f"WARNING the store at {store} is unreachable (")
    assert lost[0].endswith("): the gateway is NOT_SERVING")
    assert back == [f"INFO the store at {store} answers again: the gateway is SERVING"]


async def test_store_back_while_nats_is_away_leaves_the_gateway_not_serving(
    gateway, stack_parts, caplog
):
    caplog.set_level(logging.INFO, logger="gateway.health")
    store = gateway.settings.store_addr
    async with (
        rpc.channel(gateway.settings.grpc_listen) as channel,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        await asyncio.to_thread(stack_parts.stop_process, "nats")
        await until_status(health, NOT_SERVING)
        await asyncio.to_thread(stack_parts.stop_process, "store")
        await until_logged(caplog, f"WARNING the store at {store} is unreachable")
        with_neither = await http_check(http)
        await asyncio.to_thread(stack_parts.start_store)
        await until_logged(
            caplog,
            f"INFO the store at {store} answers again: the gateway stays "
            "NOT_SERVING while NATS is unreachable",
        )
        with_store_only = await statuses(health)
        await asyncio.to_thread(stack_parts.start_nats)
        await until_status(health, SERVING)

    assert with_neither == (
        503,
        {
            "status": "NOT_SERVING",
            "reason": f"waiting for NATS and the store at {store} to answer",
        },
    )
    assert with_store_only == {NOT_SERVING}
    assert health_log(caplog)[-1] == "INFO NATS is connected: the gateway is SERVING"


async def test_both_health_checks_say_a_stopping_gateway_takes_no_upload():
    # Only the checks run here: no batch is asked for, no store dialled.
    standing = GatewayStanding(Settings())
    intake = Intake(standing)
    app = http_api.make_app(SimpleNamespace(intake=intake), Limits(), standing)
    grpc_server = rpc.Server("127.0.0.1:0", [])
    await grpc_server.start(serving=False)
    await standing.attach(grpc_server)
    async with TestClient(TestServer(app)) as client:
        await standing.up(STORE)
        await standing.up(NATS)
        replies = [await client.get("/healthz")]
        over_grpc = [await health_check(grpc_server)]
        await intake.stop()
        replies.append(await client.get("/healthz"))
        over_grpc.append(await health_check(grpc_server))
        # News of a dependency after the stop changes neither.
        await standing.down(STORE, "connection refused")
        replies.append(await client.get("/healthz"))
        checks = [(reply.status, await reply.json()) for reply in replies]
    await grpc_server.stop(0)

    stopping = {"status": "NOT_SERVING", "reason": "the gateway is shutting down"}
    assert checks == [(200, {"status": "SERVING"}), (503, stopping), (503, stopping)]
    assert over_grpc == [
        ("SERVING", ""),
        ("NOT_SERVING", "the gateway is shutting down"),
    ]


async def test_health_checks_stay_out_of_the_access_log(caplog):
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    app = http_api.make_app(SimpleNamespace(), Limits(), GatewayStanding(Settings()))
    async with TestClient(TestServer(app)) as client:
        for path in ("/healthz", "/healthz?verbose=1", "/nowhere"):
            await client.get(path)

    logged = [
        r.first_request_line for r in caplog.records if r.name == "aiohttp.access"
    ]
    assert logged == ["GET /nowhere HTTP/1.1"]


async def test_an_upload_is_refused_before_it_is_read_while_the_store_hangs(
    gateway, stack_parts
):
    # A stopped process keeps its connections open: the channel stays
    # READY while the store answers nothing.
    store = stack_parts.processes["store"]
    upload = make_zip({"card.png": image_bytes()})
    async with (
        rpc.channel(gateway.settings.grpc_listen) as channel,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        await until_status(health, SERVING)
        store.send_signal(signal.SIGSTOP)
        try:
            await until_status(health, NOT_SERVING)
            async with http.post("/v1/batches", data=upload) as reply:
                refused = (reply.status, await reply.json())
        finally:
            store.send_signal(signal.SIGCONT)
        await until_status(health, SERVING)
        async with http.post("/v1/batches", data=upload) as reply:
            taken = reply.status

    assert refused[0] == 503
    assert refused[1]["error"]["code"] == "UNAVAILABLE"
    assert refused[1]["error"]["message"].startswith(
        f"the store at {gateway.settings.store_addr} does not serve ("
    )
    assert refused[1]["error"]["message"].endswith("), so no upload can be taken")
    assert taken == 202


async def test_a_gateway_queueing_what_its_last_run_left_refuses_uploads_saying_so(
    gateway_settings,
):
    # Enough cards that queueing them lasts well beyond one upload.
    names = [f"card-{i:04}.png" for i in range(2000)]
    batch_id = uuid.uuid4().hex
    cards = [
        store_pb2.NewCard(card_id=f"{batch_id}-{i}", file_name=name)
        for i, name in enumerate(names)
    ]
    async with rpc.channel(gateway_settings.store_addr) as channel:
        await store_pb2_grpc.StoreServiceStub(channel).RegisterBatch(
            store_pb2.RegisterBatchRequest(batch_id=batch_id, cards=cards)
        )
    gateway_settings.upload_dir.mkdir(parents=True)
    left = make_zip({name: image_bytes() for name in names})
    (gateway_settings.upload_dir / f"{batch_id}.zip").write_bytes(left)
    nc = await nats.connect(gateway_settings.nats_url)
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(gateway_settings, stop))
    try:
        async with (
            rpc.channel(gateway_settings.grpc_listen) as channel,
            aiohttp.ClientSession(f"http://{gateway_settings.http_listen}") as http,
        ):
            health = health_pb2_grpc.HealthStub(channel)
            await until_queueing_begins(nc)
            while_queueing = await statuses(health)
            upload = make_zip({"new.png": image_bytes()})
            async with http.post("/v1/batches", data=upload) as reply:
                refused = (reply.status, await reply.json())
            await until_status(health, SERVING)
            async with http.post("/v1/batches", data=upload) as reply:
                taken = reply.status
    finally:
        stop.set()
        await serving
        await nc.close()

    assert while_queueing == {NOT_SERVING}
    assert refused == (
        503,
        {
            "error": {
                "code": "UNAVAILABLE",
                "message": "the gateway is still queueing the cards its last run "
                "left, so no upload can be taken",
            }
        },
    )
    assert taken == 202


async def until_queueing_begins(nc) -> None:
    """Waits until the card stream holds a card."""
    js = nc.jetstream()
    async with asyncio.timeout(GUARD_SECONDS):
        while True:
            with contextlib.suppress(nats.js.errors.NotFoundError):
                info = await js.stream_info(messaging.STREAM)
                if info.state.messages:
                    return
            await asyncio.sleep(0.005)


@pytest.fixture
def fake_disk(monkeypatch):
    """The disk the gateway reads its free space from, checked every 50 ms."""
    fake = FakeDisk(free=50_000 * MB)
    monkeypatch.setattr(disk, "free_bytes", fake.free_bytes)
    monkeypatch.setattr(disk, "STORE_CHECK_SECONDS", 0.05)
    return fake


def short_of_space(settings: Settings, free_mb: int) -> str:
    """The gateway's reason while its disk has that many MB free."""
    return (
        f"the disk of {settings.upload_dir} has {free_mb} MB free, under the 100"
        " MB the gateway keeps free (MIN_FREE_DISK_MB)"
    )


async def until_reason(http: aiohttp.ClientSession, reason: str) -> None:
    """Waits until /healthz gives the reason, once the gateway listens."""
    async with asyncio.timeout(GUARD_SECONDS):
        while True:
            with contextlib.suppress(aiohttp.ClientConnectorError):
                if (await http_check(http))[1].get("reason") == reason:
                    return
            await asyncio.sleep(0.05)


async def test_a_gateway_started_on_a_disk_short_of_space_is_not_serving_naming_it(
    fake_disk, gateway_settings, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger="gateway.health")
    # Checked at start only: the next check is a minute away.
    monkeypatch.setattr(disk, "STORE_CHECK_SECONDS", 60)
    fake_disk.free = 12 * MB + 5
    reason = short_of_space(gateway_settings, 12)
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(gateway_settings, stop))
    try:
        async with aiohttp.ClientSession(
            f"http://{gateway_settings.http_listen}"
        ) as http:
            await until_reason(http, reason)
            over_http = await http_check(http)
        async with rpc.channel(gateway_settings.grpc_listen) as channel:
            call = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=server.SERVICE_NAME)
            )
            over_grpc = (await call).status
            metadata = dict(await call.trailing_metadata())
    finally:
        stop.set()
        await serving

    assert over_http == (503, {"status": "NOT_SERVING", "reason": reason})
    assert over_grpc == NOT_SERVING
    assert metadata[rpc.HEALTH_REASON_KEY].decode() == reason
    assert fake_disk.asked == [gateway_settings.upload_dir]
    assert f"WARNING {reason}: the gateway is NOT_SERVING" in health_log(caplog)


async def test_an_upload_is_refused_before_it_is_read_while_the_disk_is_short(
    fake_disk, gateway
):
    reason = short_of_space(gateway.settings, 99)
    async with aiohttp.ClientSession(gateway.http_url) as http:
        fake_disk.free = 99 * MB + MB // 2
        await until_reason(http, reason)
        async with http.post(
            "/v1/batches", data=make_zip({"a.png": image_bytes()})
        ) as reply:
            batch = (reply.status, await reply.json())
        async with http.post("/v1/cards", data=image_bytes()) as reply:
            card = (reply.status, await reply.json())

    refused = {
        "error": {
            "code": "UNAVAILABLE",
            "message": f"{reason}, so no upload can be taken",
        }
    }
    assert batch == (503, refused)
    assert card == (503, refused)
    assert list(gateway.settings.upload_dir.iterdir()) == []


async def test_a_gateway_whose_disk_has_room_again_serves_again_saying_so(
    fake_disk, gateway, caplog
):
    caplog.set_level(logging.INFO, logger="gateway.health")
    reason = short_of_space(gateway.settings, 40)
    async with (
        rpc.channel(gateway.settings.grpc_listen) as channel,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        health = health_pb2_grpc.HealthStub(channel)
        fake_disk.free = 40 * MB
        await until_status(health, NOT_SERVING)
        fake_disk.free = 100 * MB
        await until_status(health, SERVING)
        check = await http_check(http)
        async with http.post(
            "/v1/batches", data=make_zip({"a.png": image_bytes()})
        ) as reply:
            taken = reply.status

    assert check == (200, {"status": "SERVING"})
    assert taken == 202
    assert health_log(caplog) == [
        f"WARNING {reason}: the gateway is NOT_SERVING",
        f"INFO the disk of {gateway.settings.upload_dir} has room again: the "
        "gateway is SERVING",
    ]


async def test_a_minimum_of_zero_free_leaves_the_disk_unchecked(
    fake_disk, gateway_settings
):
    fake_disk.free = 0
    settings = dataclasses.replace(gateway_settings, min_free_disk_mb=0)
    async with (
        running_gateway(settings) as gateway,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        await asyncio.sleep(0.2)
        check = await http_check(http)
        async with http.post(
            "/v1/batches", data=make_zip({"a.png": image_bytes()})
        ) as reply:
            taken = reply.status

    assert check == (200, {"status": "SERVING"})
    assert taken == 202
    assert fake_disk.asked == []


async def test_an_upload_is_refused_naming_the_disk_of_the_store_short_of_space(
    fake_disk, gateway_settings, tmp_path
):
    fake_disk.free = 50 * MB
    backend = SqliteBackend(tmp_path / "store.sqlite3")
    await backend.open()
    store = await store_server.serve("127.0.0.1:0", backend)
    free_space = FreeSpace(tmp_path, 100, "the store")
    watching = asyncio.create_task(
        store_server.watch_backend(store, backend, free_space)
    )
    address = f"127.0.0.1:{store.port}"
    # The gateway's own disk unchecked, the store's alone is short.
    settings = dataclasses.replace(
        gateway_settings, store_addr=address, min_free_disk_mb=0
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(settings, stop))
    try:
        async with aiohttp.ClientSession(f"http://{settings.http_listen}") as http:
            await until_reason(http, f"waiting for the store at {address} to answer")
            upload = make_zip({"a.png": image_bytes()})
            async with http.post("/v1/batches", data=upload) as reply:
                refused = (reply.status, await reply.json())
    finally:
        stop.set()
        await serving
        watching.cancel()
        await store.stop(0)
        await backend.close()

    said = (
        f"the store at {address} does not serve (it reports NOT_SERVING: the disk"
        f" of {tmp_path} has 50 MB free, under the 100 MB the store keeps free"
        " (MIN_FREE_DISK_MB)), so no upload can be taken"
    )
    assert refused == (503, {"error": {"code": "UNAVAILABLE", "message": said}})
