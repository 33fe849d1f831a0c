"""Settings of an OCR worker, read from the environment at start-up."""

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from cardscan.settings import MAX_IMAGE_PIXELS, address, nats_url, positive_number


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


def load(env: Mapping[str, str] = os.environ) -> Settings:
    """Reads the settings; raises ValueError naming a variable set wrong."""
    return Settings(
        nats_url=nats_url(env, "NATS_URL", "nats://127.0.0.1:4222"),
        store_address=address(env, "STORE_ADDR", "127.0.0.1:50052"),
        health_listen=address(env, "OCR_HEALTH_LISTEN", "127.0.0.1:50053"),
        languages=env.get("OCR_LANGUAGES") or None,
        tessdata_path=env.get("TESSDATA_PREFIX") or None,
        max_attempts=positive_number(env, "OCR_MAX_ATTEMPTS", 3),
        max_pixels=positive_number(env, "MAX_IMAGE_PIXELS", MAX_IMAGE_PIXELS),
        worker_id=env.get("OCR_WORKER_ID", f"{socket.gethostname()}-{os.getpid()}"),
        log_level=env.get("LOG_LEVEL", "INFO"),
    )
