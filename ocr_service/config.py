"""Settings of an OCR worker, read from the environment at start-up."""

import os
import socket
from dataclasses import dataclass

from ocr_service.images import MAX_PIXELS


@dataclass(frozen=True)
class Settings:
    """Everything an OCR worker is configured with."""

    nats_url: str
    store_address: str
    health_listen: str
    languages: str | None
    tessdata_path: str | None
    max_attempts: int
    max_pixels: int
    worker_id: str
    log_level: str


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be 1 or more, not {value}")
    return value


def load() -> Settings:
    """Reads the settings; a bad value stops start-up naming the variable."""
    return Settings(
        nats_url=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"),
        store_address=os.environ.get("STORE_ADDR", "127.0.0.1:50052"),
        health_listen=os.environ.get("OCR_HEALTH_LISTEN", "127.0.0.1:50053"),
        languages=os.environ.get("OCR_LANGUAGES") or None,
        tessdata_path=os.environ.get("TESSDATA_PREFIX") or None,
        max_attempts=_positive_int("OCR_MAX_ATTEMPTS", 3),
        max_pixels=_positive_int("MAX_IMAGE_PIXELS", MAX_PIXELS),
        worker_id=os.environ.get(
            "OCR_WORKER_ID", f"{socket.gethostname()}-{os.getpid()}"
        ),
        log_level=os.environ.get("LOG_LEVEL", "INFO"),
    )
