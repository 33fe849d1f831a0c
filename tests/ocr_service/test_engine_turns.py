"""Turns at the OCR engine: one card at a time, cards to read first ahead."""

import asyncio

import pytest

from ocr_service.worker import EngineTurns


async def take_turn(turns: EngineTurns, order: list, name: str, first=False):
    async with turns.turn(first):
        order.append(name)
        await asyncio.sleep(0.01)


async def test_cards_to_read_first_go_ahead_of_those_waiting_in_order():
    turns, order = EngineTurns(), []
    holder = asyncio.create_task(take_turn(turns, order, "holding"))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(take_turn(turns, order, "batch 1")),
        asyncio.create_task(take_turn(turns, order, "batch 2")),
        asyncio.create_task(take_turn(turns, order, "single 1", first=True)),
        asyncio.create_task(take_turn(turns, order, "single 2", first=True)),
    ]

    await asyncio.gather(holder, *waiting)

    assert order == ["holding", "single 1", "single 2", "batch 1", "batch 2"]


async def test_a_cancelled_wait_leaves_the_turns_to_the_others():
    turns, order = EngineTurns(), []
    holder = asyncio.create_task(take_turn(turns, order, "holding"))
    await asyncio.sleep(0)
    gone = asyncio.create_task(take_turn(turns, order, "gone", first=True))
    after = asyncio.create_task(take_turn(turns, order, "after"))
    await asyncio.sleep(0)
    gone.cancel()

    await asyncio.gather(holder, after)

    with pytest.raises(asyncio.CancelledError):
        await gone
    assert order == ["holding", "after"]
    async with asyncio.timeout(1):
        await take_turn(turns, order, "later")
    assert order[-1] == "later"
