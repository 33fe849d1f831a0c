"""Waiting for something at start-up while a stop may come first."""

import asyncio

from cardscan import signals


async def test_work_that_ends_first_gives_its_result():
    stop = asyncio.Event()

    assert await signals.unless_stopped(asyncio.sleep(0, result=42), stop) == 42


async def test_a_stop_ends_the_wait_and_cancels_the_work():
    stop = asyncio.Event()
    work = asyncio.ensure_future(asyncio.sleep(60))
    asyncio.get_running_loop().call_later(0.05, stop.set)

    assert await signals.unless_stopped(work, stop) is None
    await asyncio.sleep(0)
    assert work.cancelled()
