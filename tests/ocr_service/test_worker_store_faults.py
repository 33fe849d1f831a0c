"""An OCR worker against a store that fails in ways other than an outage."""

import asyncio

import grpc

from cardscan import messaging, rpc
from cardscan.stack import free_port
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from ocr_service.worker import Worker
from store_service.server import StoreServicer, serve
from store_service.sqlite_backend import SqliteBackend


class FaultyFirstFinish(StoreServicer):
    """The real store, but its first FinishCard fails with an internal fault."""

    faults = 1

    async def FinishCard(self, request, context):
        if self.faults:
            self.faults -= 1
            await context.abort(grpc.StatusCode.INTERNAL, "disk I/O error")
        return await super().FinishCard(request, context)


async def test_an_internal_store_fault_is_retried_and_the_card_stored(
    nats_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(
        "store_service.server.StoreServicer", FaultyFirstFinish, raising=True
    )
    backend = SqliteBackend(tmp_path / "store.sqlite3")
    await backend.open()
    address = f"127.0.0.1:{free_port()}"
    server = await serve(address, backend)
    nc = await messaging.connect(nats_url, "test")
    channel = rpc.channel(address)
    store = store_pb2_grpc.StoreServiceStub(channel)
    await store.RegisterBatch(
        store_pb2.RegisterBatchRequest(
            batch_id="b", cards=[store_pb2.NewCard(card_id="b-0", file_name="a")]
        )
    )
    stop = asyncio.Event()

    def read(image: bytes) -> contact_pb2.Contact:
        return contact_pb2.Contact(company="Example")

    run = asyncio.create_task(Worker(nc, channel, read, "w", 3).run(stop))
    js = nc.jetstream()
    await messaging.ensure_stream(js)
    await js.publish(
        messaging.card_subject("b-0"), b"img", headers={messaging.CARD_ID_HEADER: "b-0"}
    )

    async def stored():
        while True:
            reply = await store.FetchCards(store_pb2.FetchCardsRequest(batch_id="b"))
            if reply.cards[0].state == batch_pb2.CARD_STATE_DONE:
                return reply.cards[0]
            await asyncio.sleep(0.1)

    try:
        card = await asyncio.wait_for(stored(), 30)
    finally:
        stop.set()
        await run
        await nc.drain()
        await channel.close()
        await server.stop(0)
        await backend.close()

    assert card.contact.company == "Example"
    assert (
        "card b-0: read, but the store is unreachable (disk I/O error); trying "
        "to store it for up to 60 s" in caplog.messages
    )
