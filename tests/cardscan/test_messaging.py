"""How the NATS connection reports its errors."""

import logging

from cardscan import messaging


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
        "NATS connection 'ocr w1': TimeoutError",
        "NATS connection 'ocr w1': ConnectionRefusedError: connect call failed",
    ]
    assert not any(r.exc_info for r in caplog.records)
