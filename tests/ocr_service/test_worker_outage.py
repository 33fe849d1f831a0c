"""An OCR worker through a store outage: it keeps the cards it holds and
stores them after, and takes no more until the store answers."""

import asyncio
import logging

import grpc
from health_support import health_check
from worker_support import messages_left

from cardscan import messaging, rpc
from cardscan.health import Dependency, Standing
from cardscan.stack import free_port
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from ocr_service import worker
from ocr_service.worker import Worker
from store_service.server import StoreServicer, serve
from store_service.sqlite_backend import SqliteBackend


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
    run = asyncio.create_task(Worker(nc, channel, read, "w", 3).run(stop))
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


class CountingStarts(StoreServicer):
    """The real store, counting the cards workers started on it."""

    started = 0

    async def StartCard(self, request, context):
        CountingStarts.started += 1
        return await super().StartCard(request, context)


class WorkerHealth:
    """A health service reporting a worker's standing, as the worker's
    process attaches one, the store being its one dependency."""

    STORE = "store"

    def __init__(self, server: rpc.Server, store_address: str) -> None:
        self.server = server
        self.standing = Standing(
            "the OCR worker",
            {self.STORE: (Dependency(f"the store at {store_address}"), True)},
        )

    async def tell(self, answers: bool, why: str) -> None:
        await self.standing.note(self.STORE, answers, why)

    async def wait_for(self, status: str, timeout: float = 30) -> tuple[str, str]:
        async def reported():
            while (seen := await health_check(self.server))[0] != status:
                await asyncio.sleep(0.05)
            return seen

        return await asyncio.wait_for(reported(), timeout)


def said(caplog, start: str) -> list[str]:
    """The worker's log lines that start so."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == worker.__name__ and record.getMessage().startswith(start)
    ]


async def test_a_worker_that_loses_its_store_leaves_the_cards_to_the_others(
    stack_parts, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger=worker.__name__)
    stack_parts.start_nats()
    stack_parts.start_store()
    nc = await messaging.connect(stack_parts.nats_url, "test")
    js = nc.jetstream()
    await messaging.ensure_stream(js)
    left = await nc.subscribe(messaging.WORKER_LEFT_SUBJECT)
    channel = rpc.channel(stack_parts.store_address)
    store = store_pb2_grpc.StoreServiceStub(channel)
    card_ids = [f"b-{i}" for i in range(8)]
    await store.RegisterBatch(
        store_pb2.RegisterBatchRequest(
            batch_id="b",
            cards=[store_pb2.NewCard(card_id=i, file_name=i) for i in card_ids],
        )
    )

    # The lost worker's own store answers at its start, then goes away.
    monkeypatch.setattr("store_service.server.StoreServicer", CountingStarts)
    backend = SqliteBackend(tmp_path / "other.sqlite3")
    await backend.open()
    other_address = f"127.0.0.1:{free_port()}"
    other = await serve(other_address, backend)
    other_channel = rpc.channel(other_address)
    health = WorkerHealth(rpc.Server(f"127.0.0.1:{free_port()}", []), other_address)
    await health.server.start()
    await health.standing.attach(health.server)

    def read(image: bytes) -> contact_pb2.Contact:
        return contact_pb2.Contact(company="Example")

    stop = asyncio.Event()
    lost = Worker(nc, other_channel, read, "lost", 3, on_store=health.tell)
    runs = [asyncio.create_task(lost.run(stop))]
    await asyncio.sleep(1)
    await other.stop(0)
    for card_id in card_ids:
        await js.publish(
            messaging.card_subject(card_id),
            b"img",
            headers={messaging.CARD_ID_HEADER: card_id},
        )
    while_lost = await health.wait_for("NOT_SERVING")
    runs.append(asyncio.create_task(Worker(nc, channel, read, "kept", 3).run(stop)))

    async def all_done():
        while True:
            reply = await store.FetchCards(store_pb2.FetchCardsRequest(batch_id="b"))
            if all(c.state == batch_pb2.CARD_STATE_DONE for c in reply.cards):
                return reply.cards
            await asyncio.sleep(0.1)

    cards = await asyncio.wait_for(all_done(), 60)
    started_while_lost = CountingStarts.started
    farewell = await left.next_msg(timeout=5)
    other = await serve(other_address, backend)
    once_back = await health.wait_for("SERVING")
    stop.set()
    await asyncio.gather(*runs)
    pending = await messages_left(js)
    await nc.drain()
    await channel.close()
    await other_channel.close()
    await other.stop(0)
    await health.server.stop(0)
    await backend.close()

    assert [c.contact.company for c in cards] == ["Example"] * len(card_ids)
    assert pending == 0
    # The cards it held when the store went: one a slot at most.
    assert started_while_lost <= worker.IN_FLIGHT + 1
    assert farewell.data == b"lost"
    assert while_lost == (
        "NOT_SERVING",
        f"waiting for the store at {other_address} to answer",
    )
    assert once_back == ("SERVING", "")
    assert len(said(caplog, "the store is unreachable (")) == 1
    assert said(caplog, "the store answers again") == [
        "the store answers again; taking cards"
    ]
