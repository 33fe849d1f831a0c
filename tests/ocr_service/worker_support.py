"""Helpers shared by the OCR worker tests."""

import asyncio

from cardscan import messaging

# How long a worker may take to acknowledge a card after storing it, on a
# machine busy with other tests.
ACK_WAIT_SECONDS = 10.0


async def messages_left(js) -> int:
    """The messages in the card stream once it has emptied, or as many as
    are left when ACK_WAIT_SECONDS have passed: a worker acknowledges a
    card just after the store has it, so a test that saw the card stored
    may look at the stream a moment too soon."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ACK_WAIT_SECONDS
    while True:
        left = (await js.stream_info(messaging.STREAM)).state.messages
        if left == 0 or loop.time() > deadline:
            return left
        await asyncio.sleep(0.05)
