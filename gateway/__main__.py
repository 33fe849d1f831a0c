"""Starts the gateway: python -m gateway."""

import asyncio
import os

from cardscan import logs, signals
from cardscan.errors import CardscanError
from cardscan.settings import PRIVATE_UMASK
from gateway import config
from gateway.server import serve


async def main() -> None:
    os.umask(PRIVATE_UMASK)
    try:
        settings = config.load()
    except ValueError as error:
        raise SystemExit(f"gateway: {error}") from None
    logs.configure("gateway", settings.log_level)
    try:
        await serve(settings, signals.stop_event())
    except CardscanError as error:
        raise SystemExit(f"gateway: {error}") from None


if __name__ == "__main__":
    asyncio.run(main())
