"""Starts one OCR worker: ``python -m ocr_service``."""

import os

# Tesseract's own threads only slow it down when a worker runs per core; the
# limit must be set before the engine is loaded.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import asyncio  # noqa: E402
import logging  # noqa: E402

from cardscan import logs, messaging, rpc, signals  # noqa: E402
from cardscan.errors import CardscanError  # noqa: E402
from cardscan.health import Dependency, Standing  # noqa: E402
from ocr_service import config  # noqa: E402
from ocr_service.cards import CardOcr  # noqa: E402
from ocr_service.reading import DEFAULT_LANGUAGES  # noqa: E402
from ocr_service.worker import Worker  # noqa: E402

logger = logging.getLogger("ocr_service")


# The worker's dependencies, by the names its Standing knows them by.
NATS = "nats"
STORE = "store"


def worker_standing(settings: config.Settings) -> Standing:
    """SERVING only while the worker is connected to NATS and the store
    answers, as it reads nothing otherwise. The store counts as answering
    until a check of its health fails. The worker's own log lines already
    tell each loss and return, saying what it does meanwhile, so the
    standing logs nothing."""
    return Standing(
        "the OCR worker",
        {
            NATS: (Dependency(f"NATS at {settings.nats_shown}"), False),
            STORE: (Dependency(f"the store at {settings.store_address}"), True),
        },
    )


async def serve(settings: config.Settings, ocr: CardOcr) -> None:
    """Runs the worker until SIGTERM or SIGINT."""
    health = rpc.Server(settings.health_listen, [])
    standing = worker_standing(settings)
    # Health checks are answered, NOT_SERVING, while NATS is waited for.
    await health.start(serving=False)
    await standing.attach(health)
    try:
        await _consume(settings, ocr, standing)
    finally:
        await health.stop()
    logger.info("stopped")


async def _consume(settings: config.Settings, ocr: CardOcr, standing: Standing) -> None:
    stop = signals.stop_event()

    async def lost_nats() -> None:
        if stop.is_set():
            return  # the worker's own closing of the connection
        # A worker cut off from NATS reads nothing: say so to health checks.
        logger.warning("lost the connection to NATS at %s", settings.nats_shown)
        await standing.down(NATS)

    async def regained_nats() -> None:
        logger.info("connected to NATS at %s again", settings.nats_shown)
        await standing.up(NATS)

    async def store_answers(answers: bool, why: str) -> None:
        await standing.note(STORE, answers, why)

    connecting = messaging.connect(
        settings.nats_url, f"ocr {settings.worker_id}", lost_nats, regained_nats
    )
    nc = await signals.unless_stopped(connecting, stop)
    if nc is None:
        logger.info("stopped while waiting for NATS at %s", settings.nats_shown)
        return
    try:
        await messaging.require_jetstream(nc)
    except CardscanError:
        stop.set()  # the connection closed next is no loss to report
        await nc.close()
        raise
    channel = rpc.channel(settings.store_address)
    worker = Worker(
        nc,
        channel,
        ocr.read,
        settings.worker_id,
        settings.max_attempts,
        on_store=store_answers,
    )
    await standing.up(NATS)
    logger.info(
        "OCR worker %s consuming from %s, storing to %s",
        settings.worker_id,
        settings.nats_shown,
        settings.store_address,
    )
    try:
        await worker.run(stop)
    finally:
        await nc.drain()
        await channel.close()


def main() -> None:
    try:
        settings = config.load()
    except ValueError as error:
        raise SystemExit(f"ocr: {error}") from None
    logs.configure("ocr", settings.log_level)
    try:
        ocr = CardOcr(settings.languages, settings.tessdata_path, settings.max_pixels)
    except (FileNotFoundError, RuntimeError) as error:
        # Missing language data: say what to install, without a traceback.
        languages = (
            repr(settings.languages)
            if settings.languages
            else f"unset, so {DEFAULT_LANGUAGES}"
        )
        raise SystemExit(
            f"ocr: cannot load the OCR engine for OCR_LANGUAGES ({languages}): {error}"
        ) from None
    try:
        asyncio.run(serve(settings, ocr))
    except CardscanError as error:
        raise SystemExit(f"ocr: {error}") from None


if __name__ == "__main__":
    main()
