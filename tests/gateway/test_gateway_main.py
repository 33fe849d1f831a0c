"""``python -m gateway`` as the stack starts it: healthy, serving both APIs."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import aiohttp
import grpc
import pytest
from gateway_support import image_bytes, make_zip
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc
from cardscan.stack import free_port
from cardscan.v1 import cardscan_pb2, cardscan_pb2_grpc, store_pb2, store_pb2_grpc
from gateway import config, server


def test_stack_starts_the_gateway_process_serving_http_and_grpc(
    stack_parts, store_address, nats_url
):
    stack_parts.start_gateway()
    missing = "0" * 32

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{stack_parts.http_url}/v1/batches/{missing}")
    with grpc.insecure_channel(stack_parts.gateway_address) as channel:
        stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetBatch(cardscan_pb2.GetBatchRequest(batch_id=missing), timeout=5)

    assert raised.value.code == 404
    assert json.load(raised.value)["error"]["code"] == "NOT_FOUND"
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


def test_sigterm_stops_a_serving_gateway_saying_so(
    stack_parts, store_address, nats_url
):
    stack_parts.start_gateway()

    stack_parts.stop_process("gateway")
    log = (stack_parts.logs / "gateway.log").read_text()

    assert "stopping: finishing the requests in progress" in log
    assert log.rstrip().endswith("stopped")
    assert "Traceback" not in log


async def test_sigterm_during_an_upload_refuses_it_and_stops_at_once(
    stack_parts, store_address, nats_url
):
    stack_parts.start_gateway()
    gateway = stack_parts.processes["gateway"]
    upload = make_zip({f"card-{i:03}.png": image_bytes() for i in range(400)})
    sent = asyncio.Event()

    async def half_sent():
        yield upload[: len(upload) // 4]
        sent.set()
        await asyncio.Event().wait()

    async with aiohttp.ClientSession(stack_parts.http_url) as http:
        posting = asyncio.create_task(http.post("/v1/batches", data=half_sent()))
        await sent.wait()
        spool = stack_parts.data_dir / "uploads"
        while not any(path.stat().st_size for path in spool.glob("*.zip")):
            await asyncio.sleep(0.02)
        gateway.send_signal(signal.SIGTERM)
        # A guard only: the reply comes at once, and the stop in seconds.
        async with asyncio.timeout(30):
            reply = await posting
            body = await reply.json()
            await asyncio.to_thread(gateway.wait)
    log = (stack_parts.logs / "gateway.log").read_text()

    assert reply.status == 503
    assert "shutting down" in body["error"]["message"]
    assert gateway.returncode == 0
    assert "an upload still arriving was refused" in log
    assert "cancelled by its client" not in log
    assert log.rstrip().endswith("stopped")
    assert list(spool.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "raw", "words"),
    [
        ("MAX_ENTRIES", "lots", "MAX_ENTRIES must be a whole number, not 'lots'"),
        ("MIN_FREE_DISK_MB", "-5", "MIN_FREE_DISK_MB must be zero or above, not '-5'"),
        ("MIN_FREE_DISK_MB", "1.5", "MIN_FREE_DISK_MB must be a whole number"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(
    stack_parts, store_address, name, raw, words
):
    stack_parts.extra_env[name] = raw

    with pytest.raises(RuntimeError, match="exited"):
        stack_parts.start_gateway()
    log = (stack_parts.data_dir / "logs" / "gateway.log").read_text()

    assert words in log


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "it is empty"),
        ("garbage", "there is no scheme"),
        ("http://127.0.0.1:4222", "the scheme is http"),
        ("nats://127.0.0.1:99999", "the port is not from 1 to 65535"),
    ],
)
def test_a_nats_url_that_is_no_nats_server_stops_start_up_naming_it(tmp_path, raw, why):
    env = {
        **os.environ,
        "NATS_URL": raw,
        "GATEWAY_GRPC_LISTEN": f"127.0.0.1:{free_port()}",
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    # A gateway that takes the value tries to connect for ever.
    finished = subprocess.run(
        [sys.executable, "-m", "gateway"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert finished.returncode == 1
    assert finished.stderr.strip() == (
        "gateway: NATS_URL must be nats://HOST:PORT (or tls://, ws://, wss://), "
        f"the servers of a cluster joined with commas, not {raw!r}: {why}"
    )


def test_a_nats_without_jetstream_stops_start_up_saying_how_to_start_it(
    nats_without_jetstream, tmp_path
):
    env = {
        **os.environ,
        "NATS_URL": nats_without_jetstream,
        # A port nothing listens on, not the default store's.
        "STORE_ADDR": f"127.0.0.1:{free_port()}",
        "GATEWAY_GRPC_LISTEN": f"127.0.0.1:{free_port()}",
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = subprocess.run(
        [sys.executable, "-m", "gateway"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert finished.returncode == 1
    assert finished.stderr.splitlines()[-1] == (
        f"gateway: NATS at {nats_without_jetstream} has no JetStream enabled: "
        "start nats-server with --jetstream (-js), or enable jetstream in its "
        "configuration file"
    )
    assert "Traceback" not in finished.stderr


def test_sigterm_stops_a_gateway_still_waiting_for_nats(tmp_path):
    # Nothing listens on a fresh loopback port, so NATS never answers.
    env = {
        **os.environ,
        "NATS_URL": f"nats://127.0.0.1:{free_port()}",
        "STORE_ADDR": f"127.0.0.1:{free_port()}",
        "GATEWAY_GRPC_LISTEN": f"127.0.0.1:{free_port()}",
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }
    gateway = subprocess.Popen(
        [sys.executable, "-m", "gateway"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in gateway.stderr:
            if "NATS connection" in line:
                break
        gateway.send_signal(signal.SIGTERM)
        _, rest = gateway.communicate(timeout=10)
    finally:
        gateway.kill()

    assert gateway.returncode == 0
    assert "stopped while waiting for NATS" in rest


def test_an_upload_folder_that_cannot_be_made_stops_start_up_naming_it(tmp_path):
    (tmp_path / "uploads").write_text("a file where the folder goes")
    env = {
        **os.environ,
        "NATS_URL": f"nats://127.0.0.1:{free_port()}",
        "GATEWAY_GRPC_LISTEN": f"127.0.0.1:{free_port()}",
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path),
    }

    finished = subprocess.run(
        [sys.executable, "-m", "gateway"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert finished.stderr.strip() == (
        f"gateway: cannot make the upload folder {tmp_path / 'uploads'}: File "
        "exists (CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
    )


def test_an_upload_folder_it_cannot_write_makes_uploads_unavailable_saying_why(
    stack_parts, nats_url, store_address, respecting_permissions
):
    data = stack_parts.data_dir / "gateway"
    (data / "uploads").mkdir(parents=True)
    env = {
        "NATS_URL": nats_url,
        "STORE_ADDR": store_address,
        "GATEWAY_GRPC_LISTEN": stack_parts.gateway_address,
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{stack_parts.ports.gateway_http}",
        "CARDSCAN_DATA_DIR": str(data),
    }
    argv = [*respecting_permissions, sys.executable, "-m", "gateway"]
    upload = make_zip({"a.png": image_bytes()})
    (data / "uploads").chmod(0o555)
    try:
        stack_parts.start_part("gateway", argv, env)
        request = urllib.request.Request(f"{stack_parts.http_url}/v1/batches", upload)
        with pytest.raises(urllib.error.HTTPError) as over_http:
            urllib.request.urlopen(request, timeout=10)
        with grpc.insecure_channel(stack_parts.gateway_address) as channel:
            stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
            with pytest.raises(grpc.RpcError) as over_grpc:
                stub.CreateBatch(
                    iter([cardscan_pb2.CreateBatchRequest(chunk=upload)]), timeout=10
                )
    finally:
        (data / "uploads").chmod(0o755)
    log = (stack_parts.logs / "gateway.log").read_text()

    said = f"the gateway cannot write uploads to {data / 'uploads'}: Permission denied"
    assert over_http.value.code == 503
    assert json.load(over_http.value)["error"] == {
        "code": "UNAVAILABLE",
        "message": said,
    }
    assert over_grpc.value.code() == grpc.StatusCode.UNAVAILABLE
    assert over_grpc.value.details() == said
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert len(errors) == 2
    assert all(line.endswith(said) for line in errors)
    assert "Traceback" not in log


async def test_a_gateway_started_before_nats_shows_batches_and_refuses_uploads(
    gateway_settings, stack_parts
):
    batch_id = uuid.uuid4().hex
    card = store_pb2.NewCard(card_id=f"{batch_id}-0", file_name="a.png")
    async with rpc.channel(gateway_settings.store_addr) as store_channel:
        await store_pb2_grpc.StoreServiceStub(store_channel).RegisterBatch(
            store_pb2.RegisterBatchRequest(batch_id=batch_id, cards=[card])
        )
    stack_parts.stop_process("nats")
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(gateway_settings, stop))
    try:
        async with (
            rpc.channel(gateway_settings.grpc_listen) as channel,
            aiohttp.ClientSession(f"http://{gateway_settings.http_listen}") as http,
        ):
            stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
            health = health_pb2_grpc.HealthStub(channel)
            request = cardscan_pb2.GetBatchRequest(batch_id=batch_id)
            batch = (
                await stub.GetBatch(request, wait_for_ready=True, timeout=10)
            ).batch
            await store_heard_within(health, gateway_settings.store_addr, 10)
            before = (await health.Check(health_pb2.HealthCheckRequest())).status
            upload = make_zip({"b.png": image_bytes()})
            async with http.post("/v1/batches", data=upload) as reply:
                refused = (reply.status, await reply.json())
            with pytest.raises(grpc.aio.AioRpcError) as single:
                await stub.ScanCard(cardscan_pb2.ScanCardRequest(image=image_bytes()))

            stack_parts.start_nats()
            await serving_within(health, 10)
            async with http.post("/v1/batches", data=upload) as reply:
                taken = reply.status
    finally:
        stop.set()
        await serving

    not_reached = (
        f"NATS at {gateway_settings.nats_url} has not answered since the gateway "
        "started, so no upload can be taken"
    )
    assert before == health_pb2.HealthCheckResponse.NOT_SERVING
    assert batch.notice == (
        f"1 card(s) are waiting; the gateway has not reached NATS at "
        f"{gateway_settings.nats_url} since it started, so it cannot tell "
        "whether OCR workers run"
    )
    assert refused[0] == 503
    assert refused[1]["error"]["message"] == not_reached
    assert single.value.code() == grpc.StatusCode.UNAVAILABLE
    assert single.value.details() == not_reached
    assert taken == 202


async def store_heard_within(health, store_addr: str, seconds: float) -> None:
    """Waits until the health service's reason no longer names the store,
    which the gateway asks on its own, apart from the calls made through it."""
    async with asyncio.timeout(seconds):
        while True:
            call = health.Check(health_pb2.HealthCheckRequest())
            await call
            metadata = dict(await call.trailing_metadata() or ())
            if store_addr not in metadata.get(rpc.HEALTH_REASON_KEY, b"").decode():
                return
            await asyncio.sleep(0.1)


async def serving_within(health, seconds: float) -> None:
    """Waits until the health service says SERVING."""
    async with asyncio.timeout(seconds):
        while True:
            reply = await health.Check(health_pb2.HealthCheckRequest())
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                return
            await asyncio.sleep(0.1)


@pytest.mark.parametrize(("env", "kept"), [({}, 100), ({"MIN_FREE_DISK_MB": "0"}, 0)])
def test_the_free_space_the_gateway_keeps_is_a_setting(env, kept):
    assert config.load(env).min_free_disk_mb == kept


def test_the_gateway_shows_nats_url_with_its_password_masked():
    settings = config.load({"NATS_URL": "nats://cards:s3cret@nats.internal:4222"})

    assert settings.nats_shown == "nats://cards:***@nats.internal:4222"
    assert settings.nats_url == "nats://cards:s3cret@nats.internal:4222"


def test_an_upload_folder_left_open_to_others_is_closed_at_start(
    stack_parts, nats_url, store_address
):
    spools = stack_parts.data_dir / "uploads"
    spools.mkdir(parents=True)
    spools.chmod(0o755)

    stack_parts.start_gateway()

    assert spools.stat().st_mode & 0o777 == 0o700
