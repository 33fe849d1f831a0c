"""Stopping a cardscan service when it is told to."""

import asyncio
import signal


def stop_event() -> asyncio.Event:
    """An event set once SIGTERM or SIGINT arrives; the running loop's
    handlers for them are replaced."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
