"""``python -m gateway`` as the stack starts it: healthy, serving both APIs."""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import grpc
import pytest

from cardscan.stack import free_port
from cardscan.v1 import cardscan_pb2, cardscan_pb2_grpc


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


def test_bad_setting_stops_start_up_naming_the_variable(stack_parts, store_address):
    stack_parts.extra_env["MAX_ENTRIES"] = "lots"

    with pytest.raises(RuntimeError, match="exited"):
        stack_parts.start_gateway()
    log = (stack_parts.data_dir / "logs" / "gateway.log").read_text()

    assert "MAX_ENTRIES must be a whole number, not 'lots'" in log


def test_sigterm_stops_a_gateway_still_waiting_for_nats(tmp_path):
    # Nothing listens on a fresh loopback port, so NATS never answers.
    env = {
        **os.environ,
        "NATS_URL": f"nats://127.0.0.1:{free_port()}",
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
