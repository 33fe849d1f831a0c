"""Settings of an OCR worker, read from the environment at start-up."""

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from cardscan.settings import (
    MAX_IMAGE_PIXELS,
    address,
    hide_password,
    nats_url,
    positive_number,
)


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

    @property
    def nats_shown(self) -> str:
        """NATS_URL as logs show it, any password masked."""
        return hide_password(self.nats_url)


def load(env: Mapping[str, str] = os.environ) -> Settings:
    """Reads the settings; raises ValueError naming a variable set wrong."""
    return Settings(
        nats_url=nats_url(env, "NATS_URL", "nats://127.0.0.1:4222"),
        store_address=address(env, "STORE_ADDR", "127.0.0.1:50052"),
        health_listen=address(env, "OCR_HEALTH_LISTEN", "127.0.0.1:50053"),
        languages=ocr_languages(env, "OCR_LANGUAGES"),
        tessdata_path=env.get("TESSDATA_PREFIX") or None,
        max_attempts=positive_number(env, "OCR_MAX_ATTEMPTS", 3),
        max_pixels=positive_number(env, "MAX_IMAGE_PIXELS", MAX_IMAGE_PIXELS),
        worker_id=env.get("OCR_WORKER_ID", f"{socket.gethostname()}-{os.getpid()}"),
        log_level=env.get("LOG_LEVEL", "INFO"),
    )


# A Tesseract model's name, as its .traineddata file is named: "eng",
# "chi_sim", "Latin", or "script/Latin" in a tessdata folder laid out as
# Tesseract's own repositories lay it out.
MODEL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_/-]*")
# What people join models with when they do not know Tesseract's "+".
OTHER_JOINS = re.compile(r"[\s,;:|]+")


def ocr_languages(env: Mapping[str, str], name: str) -> str | None:
    """The Tesseract models to load, joined with "+", or None for the
    reader's default when unset or empty; raises ValueError naming the
    setting for a value Tesseract would not take."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    expected = f"{name} must name Tesseract models joined with +, as eng+deu"
    models = raw.split("+")
    if any(not model for model in models):
        raise ValueError(f"{expected}, not {raw!r}: a model name is empty")
    if OTHER_JOINS.search(raw):
        joined = "+".join(model for model in OTHER_JOINS.split(raw) if model)
        raise ValueError(f"{expected}, not {raw!r}: write {joined}")
    for model in models:
        if not MODEL_NAME.fullmatch(model):
            raise ValueError(
                f"{expected}, not {raw!r}: {model!r} is no model name, which "
                "is letters, digits, _ and -, as chi_sim is"
            )
    return raw
