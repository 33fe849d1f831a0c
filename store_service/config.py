"""The store's settings, read from the environment in one place."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cardscan import disk
from cardscan.settings import address, number_from_zero


@dataclass(frozen=True)
class Settings:
    """Where the store listens and where it keeps its data."""

    listen: str
    mongo_url: str | None
    mongo_db: str
    data_dir: Path
    log_level: str
    # Under this many MB free on the SQLite file's disk, the store does not
    # serve; MongoDB's disk is MongoDB's to watch.
    min_free_disk_mb: int = disk.DEFAULT_MIN_FREE_MB

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file used when no MongoDB is set."""
        return self.data_dir / "store.sqlite3"


def load(environ: Mapping[str, str] = os.environ) -> Settings:
    """The settings from environment variables, with their defaults."""
    return Settings(
        listen=address(environ, "STORE_LISTEN", "127.0.0.1:50052"),
        mongo_url=environ.get("MONGO_URL") or None,
        mongo_db=environ.get("MONGO_DB", "cardscan"),
        data_dir=Path(environ.get("CARDSCAN_DATA_DIR", "data")),
        log_level=environ.get("LOG_LEVEL", "INFO"),
        min_free_disk_mb=number_from_zero(
            environ, disk.SETTING, disk.DEFAULT_MIN_FREE_MB, int
        ),
    )
