"""Starts the gateway: python -m gateway."""

import asyncio
import signal

from cardscan import logs
from cardscan.errors import CardscanError
from gateway import config
from gateway.server import serve


async def main() -> None:
    try:
        settings = config.load()
    except ValueError as error:
        raise SystemExit(f"gateway: {error}") from None
    logs.configure("gateway", settings.log_level)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve(settings, stop)
    except CardscanError as error:
        raise SystemExit(f"gateway: {error}") from None


if __name__ == "__main__":
    asyncio.run(main())
