"""How the NATS connection is made and reports its errors."""

import asyncio
import logging
import signal

from cardscan import messaging
from cardscan.stack import free_port


def warnings_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_repeated_nats_error_is_logged_once_a_minute(caplog, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(messaging.time, "monotonic", lambda: now[0])
    log_error = messaging.error_logger("ocr w1")

    with caplog.at_level(logging.WARNING, logger="cardscan.messaging"):
        for _ in range(30):
            await log_error(ConnectionRefusedError("connect call failed"))
            now[0] += 1
        await log_error(TimeoutError())
        now[0] += messaging.ERROR_REPEAT_SECONDS
        await log_error(ConnectionRefusedError("connect call failed"))

    assert warnings_logged(caplog) == [
        "NATS connection 'ocr w1': ConnectionRefusedError: connect call failed",
        "NATS connection 'ocr w1': TimeoutError (the server did not answer in time)",
        "NATS connection 'ocr w1': ConnectionRefusedError: connect call failed",
    ]
    assert not any(r.exc_info for r in caplog.records)


async def test_a_nats_server_that_stops_answering_counts_as_lost(
    stack_parts, nats_url, monkeypatch
):
    monkeypatch.setattr(messaging, "PING_INTERVAL_SECONDS", 1)
    lost = asyncio.Event()

    async def disconnected() -> None:
        lost.set()

    nc = await messaging.connect(nats_url, "test", disconnected_cb=disconnected)
    server = stack_parts.processes["nats"]
    server.send_signal(signal.SIGSTOP)
    try:
        await asyncio.wait_for(lost.wait(), 20)
    finally:
        server.send_signal(signal.SIGCONT)
        await nc.close()

    assert lost.is_set()


async def test_a_cluster_url_connects_to_a_server_that_answers(stack_parts, nats_url):
    # Nothing listens on a fresh loopback port: that server is down.
    down = f"nats://127.0.0.1:{free_port()}"

    nc = await messaging.connect(f"{down}, {nats_url}", "cluster test")
    try:
        connected = nc.connected_url.port
    finally:
        await nc.close()

    assert connected == stack_parts.ports.nats
