"""The gateway's settings, read from environment variables and nowhere else."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cardscan import disk
from cardscan.settings import (
    MAX_IMAGE_PIXELS,
    address,
    hide_password,
    nats_url,
    number_from_zero,
    positive_number,
)

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; anything over a limit is refused or skipped."""

    # The largest upload, ZIP or single image, as sent.
    max_upload_bytes: int = 1 * GIB
    # The most entries a ZIP may list. Every entry counts, folders and the
    # metadata that is ignored as cards included: a ZIP made on a Mac lists
    # a ``__MACOSX/._`` twin beside each card, so 20000 entries hold about
    # 10000 cards. The limit bounds the central directory parsed in memory.
    max_entries: int = 20000
    # The largest card image, once decompressed.
    max_card_bytes: int = 32 * MIB
    # All entries of one ZIP together, once decompressed.
    max_total_uncompressed_bytes: int = 4 * GIB
    # How many times larger than its compressed size an entry may grow.
    max_compression_ratio: float = 100.0
    # The most pixels a card image's header may announce.
    max_image_pixels: int = MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class Settings:
    """Where the gateway listens, what it talks to, and its limits."""

    nats_url: str = "nats://127.0.0.1:4222"
    store_addr: str = "127.0.0.1:50052"
    grpc_listen: str = "127.0.0.1:50051"
    http_listen: str = "127.0.0.1:8080"
    data_dir: Path = Path("data")
    scan_timeout_seconds: float = 60.0
    # Under this many MB free on the disk of the uploads, uploads are refused.
    min_free_disk_mb: int = disk.DEFAULT_MIN_FREE_MB
    log_level: str = "INFO"
    limits: Limits = field(default_factory=Limits)

    @property
    def nats_shown(self) -> str:
        """NATS_URL as logs and notices show it, any password masked."""
        return hide_password(self.nats_url)

    @property
    def upload_dir(self) -> Path:
        """Where uploads are spooled while they are read."""
        return self.data_dir / "uploads"


def load(env: Mapping[str, str] = os.environ) -> Settings:
    """The settings from the environment, defaults filling what is unset."""
    base, limits = Settings(), Limits()
    return Settings(
        nats_url=nats_url(env, "NATS_URL", base.nats_url),
        store_addr=address(env, "STORE_ADDR", base.store_addr),
        grpc_listen=address(env, "GATEWAY_GRPC_LISTEN", base.grpc_listen),
        http_listen=address(env, "GATEWAY_HTTP_LISTEN", base.http_listen),
        data_dir=Path(env.get("CARDSCAN_DATA_DIR", str(base.data_dir))),
        scan_timeout_seconds=positive_number(
            env, "SCAN_TIMEOUT_SECONDS", base.scan_timeout_seconds, float
        ),
        min_free_disk_mb=number_from_zero(
            env, disk.SETTING, base.min_free_disk_mb, int
        ),
        log_level=env.get("LOG_LEVEL", base.log_level),
        limits=Limits(
            max_upload_bytes=positive_number(
                env, "MAX_UPLOAD_BYTES", limits.max_upload_bytes, int
            ),
            max_entries=positive_number(env, "MAX_ENTRIES", limits.max_entries, int),
            max_card_bytes=positive_number(
                env, "MAX_CARD_BYTES", limits.max_card_bytes, int
            ),
            max_total_uncompressed_bytes=positive_number(
                env,
                "MAX_TOTAL_UNCOMPRESSED_BYTES",
                limits.max_total_uncompressed_bytes,
                int,
            ),
            max_compression_ratio=positive_number(
                env, "MAX_COMPRESSION_RATIO", limits.max_compression_ratio, float
            ),
            max_image_pixels=positive_number(
                env, "MAX_IMAGE_PIXELS", limits.max_image_pixels, int
            ),
        ),
    )
