"""An OCR worker keeps a card through a store outage and stores it after."""

import asyncio

import grpc
from worker_support import messages_left

from cardscan import messaging, rpc
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from ocr_service.worker import Worker


async def test_card_waits_out_a_store_outage_and_is_stored_once(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    nc = await messaging.connect(stack_parts.nats_url, "test")
    js = nc.jetstream()
    channel = rpc.channel(stack_parts.store_address)
    store = store_pb2_grpc.StoreServiceStub(channel)
    await store.RegisterBatch(
        store_pb2.RegisterBatchRequest(
            batch_id="b", cards=[store_pb2.NewCard(card_id="b-0", file_name="a")]
        )
    )
    calls = []

    def read(image: bytes) -> contact_pb2.Contact:
        calls.append(image)
        return contact_pb2.Contact(company="Example")

    await asyncio.to_thread(stack_parts.stop_process, "store")
    stop = asyncio.Event()
    run = asyncio.create_task(Worker(nc, store, read, "w", 3).run(stop))
    await messaging.ensure_stream(js)
    await js.publish(
        messaging.card_subject("b-0"), b"img", headers={messaging.CARD_ID_HEADER: "b-0"}
    )
    await asyncio.sleep(3)  # the worker meets a store that is not there
    await asyncio.to_thread(stack_parts.start_store)

    async def done():
        while True:
            try:
                reply = await store.FetchCards(
                    store_pb2.FetchCardsRequest(batch_id="b"), wait_for_ready=True
                )
            except grpc.aio.AioRpcError:
                reply = None  # the store is still coming back
            if reply and reply.cards[0].state == batch_pb2.CARD_STATE_DONE:
                return reply.cards[0]
            await asyncio.sleep(0.1)

    card = await asyncio.wait_for(done(), 60)
    pending = await messages_left(js)
    stop.set()
    await run
    await nc.drain()
    await channel.close()

    assert card.contact.company == "Example"
    assert card.attempts == 1
    assert calls == [b"img"]
    assert pending == 0
