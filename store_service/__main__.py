"""Runs the store service until SIGTERM or SIGINT: ``python -m store_service``."""

import asyncio
import logging
import os

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from cardscan import logs, signals
from cardscan.disk import FreeSpace
from cardscan.errors import CardscanError
from cardscan.rpc import Server
from cardscan.settings import PRIVATE_UMASK
from store_service import config
from store_service.backend import Backend
from store_service.mongo_backend import MongoBackend
from store_service.server import bind, serve_on, watch_backend
from store_service.sqlite_backend import SqliteBackend

logger = logging.getLogger("store_service")

# How long start-up waits for MongoDB before it gives up.
MONGO_TIMEOUT_MS = 5000


async def run_on_mongo(settings: config.Settings) -> None:
    """Serves on the MongoDB database named by the settings."""
    server = bind(settings.listen)
    try:
        client = AsyncMongoClient(
            settings.mongo_url, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS
        )
    except PyMongoError as error:
        raise SystemExit(f"MONGO_URL is not a usable MongoDB URL: {error}") from None
    try:
        backend = MongoBackend(client[settings.mongo_db])
        try:
            await backend.open()
        except PyMongoError as error:
            raise SystemExit(
                f"cannot reach MongoDB at MONGO_URL within"
                f" {MONGO_TIMEOUT_MS / 1000:g} s: {error}"
            ) from None
        logger.info("storing in MongoDB database %s", settings.mongo_db)
        await run_on(server, backend)
    finally:
        await client.close()


async def run_on_sqlite(settings: config.Settings) -> None:
    """Serves on the SQLite file in the data directory."""
    server = bind(settings.listen)
    backend = SqliteBackend(settings.sqlite_path)
    try:
        await backend.open()
        logger.info("storing in SQLite file %s", settings.sqlite_path)
        free_space = FreeSpace(
            settings.sqlite_path.parent, settings.min_free_disk_mb, "the store"
        )
        await run_on(server, backend, free_space)
    finally:
        await backend.close()


async def run_on(
    server: Server, backend: Backend, free_space: FreeSpace | None = None
) -> None:
    """Serves on a bound server and an opened backend until told to stop,
    keeping free space on the disk of its data where given one."""
    await serve_on(server, backend)
    watching = asyncio.create_task(watch_backend(server, backend, free_space))
    await signals.stop_event().wait()
    logger.info("stopping")
    watching.cancel()
    await server.stop()
    logger.info("stopped")


def main() -> None:
    """Reads the settings, configures logging and serves until stopped."""
    os.umask(PRIVATE_UMASK)
    try:
        settings = config.load()
    except ValueError as error:
        raise SystemExit(f"store: {error}") from None
    logs.configure("store", settings.log_level)
    run = run_on_mongo if settings.mongo_url else run_on_sqlite
    try:
        asyncio.run(run(settings))
    except CardscanError as error:
        raise SystemExit(f"store: {error}") from None


if __name__ == "__main__":
    main()
