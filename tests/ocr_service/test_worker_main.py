"""Starting an OCR worker with bad settings stops it naming what is wrong."""

import os
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan.stack import free_port


def start_worker(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocr_service"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL must be one of DEBUG, INFO"),
        ({"OCR_MAX_ATTEMPTS": "many"}, "OCR_MAX_ATTEMPTS must be a whole number"),
        (
            {"OCR_LANGUAGES": "klingon"},
            "cannot load the OCR engine for OCR_LANGUAGES ('klingon'): no Tesseract "
            "language data for klingon found: install the packages "
            "tesseract-ocr-klingon",
        ),
        ({"OCR_LANGUAGES": "eng,deu"}, "not 'eng,deu': write eng+deu"),
        ({"OCR_LANGUAGES": "+"}, "OCR_LANGUAGES must name Tesseract models joined"),
        ({"MAX_IMAGE_PIXELS": "big"}, "MAX_IMAGE_PIXELS must be a whole number"),
        ({"NATS_URL": "garbage"}, "NATS_URL must be nats://HOST:PORT"),
        ({"NATS_URL": ""}, "NATS_URL must be nats://HOST:PORT"),
        ({"NATS_URL": "http://127.0.0.1:4222"}, "not 'http://127.0.0.1:4222'"),
        ({"NATS_URL": "nats://127.0.0.1:99999"}, "the port is not from 1 to 65535"),
    ],
)
def test_bad_setting_stops_start_up_naming_it(env, message):
    worker = start_worker(**env)

    assert worker.returncode == 1
    assert message in worker.stderr
    assert "Traceback" not in worker.stderr


def test_a_nats_without_jetstream_stops_start_up_saying_how_to_start_it(
    nats_without_jetstream,
):
    health = f"127.0.0.1:{free_port()}"

    worker = start_worker(NATS_URL=nats_without_jetstream, OCR_HEALTH_LISTEN=health)

    assert worker.returncode == 1
    assert "Traceback" not in worker.stderr
    assert worker.stderr.strip().splitlines()[-1] == (
        f"ocr: NATS at {nats_without_jetstream} has no JetStream enabled: start "
        "nats-server with --jetstream (-js), or enable jetstream in its "
        "configuration file"
    )


def health_status(address: str) -> int:
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=2
        )
    return reply.status


def wait_for_status(address: str, status: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = health_status(address)
        if seen == status:
            break
        time.sleep(0.2)
    return seen


def test_worker_reports_not_serving_while_cut_off_from_nats(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    (address,) = stack_parts.start_ocr(1)
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING

    stack_parts.stop_process("nats")
    while_away = wait_for_status(address, not_serving)
    stack_parts.start_nats()
    once_back = wait_for_status(address, serving)

    assert while_away == not_serving
    assert once_back == serving


def hang_store(stack_parts) -> None:
    # A stopped process keeps its connections open: the worker's channel
    # stays READY while the store answers nothing.
    stack_parts.processes["store"].send_signal(signal.SIGSTOP)


def wake_store(stack_parts) -> None:
    stack_parts.processes["store"].send_signal(signal.SIGCONT)


def stop_store(stack_parts) -> None:
    stack_parts.stop_process("store")


@pytest.mark.parametrize(
    ("lose", "bring_back"),
    [(hang_store, wake_store), (stop_store, lambda parts: parts.start_store())],
    ids=["hangs", "stops"],
)
def test_an_idle_worker_reports_not_serving_while_the_store_does_not_answer(
    stack_parts, lose, bring_back
):
    stack_parts.start_nats()
    stack_parts.start_store()
    (address,) = stack_parts.start_ocr(1)
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING

    lose(stack_parts)
    try:
        while_away = wait_for_status(address, not_serving, timeout=10)
    finally:
        bring_back(stack_parts)
    once_back = wait_for_status(address, serving, timeout=10)
    stack_parts.stop_process("ocr-1")
    log = (stack_parts.logs / "ocr-1.log").read_text()

    assert while_away == not_serving
    assert once_back == serving
    assert log.count("the store is unreachable") == 1
    assert log.count("the store answers again; taking cards") == 1


def test_a_taken_health_port_stops_start_up_naming_the_address():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        address = f"127.0.0.1:{holder.getsockname()[1]}"

        worker = start_worker(OCR_HEALTH_LISTEN=address)

    assert worker.returncode == 1
    assert f"cannot listen on {address}" in worker.stderr
    assert "Traceback" not in worker.stderr


def test_a_worker_stopped_on_purpose_does_not_report_a_lost_connection(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.start_ocr(1)

    stack_parts.stop_process("ocr-1")
    log = (stack_parts.logs / "ocr-1.log").read_text()

    assert "consuming from" in log
    assert "lost the connection to NATS" not in log
    assert "stopping: finishing 0 card(s) in hand" in log
    assert log.rstrip().endswith("stopped")


def test_worker_is_not_serving_until_both_nats_and_the_store_answer(
    stack_parts, tmp_path
):
    address = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "NATS_URL": stack_parts.nats_url,
        "STORE_ADDR": stack_parts.store_address,
        "OCR_HEALTH_LISTEN": address,
    }
    log = tmp_path / "ocr.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "ocr_service"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
    try:
        waiting_for_nats = wait_for_answer(address)
        stack_parts.start_nats()
        wait_for_line(log, "taking no cards until it answers")
        waiting_for_store = health_status(address)
        stack_parts.start_store()
        once_both = wait_for_status(address, serving)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert waiting_for_nats == not_serving
    assert waiting_for_store == not_serving
    assert once_both == serving


def wait_for_answer(address: str, timeout: float = 30) -> int:
    """The first status the health service at the address answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return health_status(address)
        except grpc.RpcError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for_line(log, words: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while words not in log.read_text():
        assert time.monotonic() < deadline, f"{words!r} not logged in time"
        time.sleep(0.1)


def test_a_password_in_nats_url_is_never_logged(stack_parts, tmp_path):
    stack_parts.start_nats()
    url = stack_parts.nats_url.replace("nats://", "nats://cards:s3cret@")
    env = {
        **os.environ,
        "NATS_URL": url,
        "STORE_ADDR": f"127.0.0.1:{free_port()}",
        "OCR_HEALTH_LISTEN": f"127.0.0.1:{free_port()}",
    }
    log = tmp_path / "ocr.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "ocr_service"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_line(log, "consuming from")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    said = log.read_text()
    assert "s3cret" not in said
    assert "consuming from nats://cards:***@127.0.0.1:" in said
