"""An OCR worker against a store that answers its health checks but fails
calls for a card: the card is tried again later, and the worker keeps
serving, as the store does."""

import asyncio
import logging
import time

import grpc
import pytest

from cardscan import messaging, rpc
from cardscan.stack import free_port
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from ocr_service import worker
from ocr_service.worker import Worker
from store_service.server import StoreServicer, serve
from store_service.sqlite_backend import SqliteBackend


class FaultyStore(StoreServicer):
    """The real store, whose first calls of one method fail, each in the
    way `fail` does; the time of every call of that method is kept."""

    method = "FinishCard"
    faults = 0
    calls: list[float] = []

    async def fail(self, context) -> None:
        await context.abort(grpc.StatusCode.INTERNAL, "disk I/O error")

    async def StartCard(self, request, context):
        await self._maybe_fail("StartCard", context)
        return await super().StartCard(request, context)

    async def FinishCard(self, request, context):
        await self._maybe_fail("FinishCard", context)
        return await super().FinishCard(request, context)

    async def _maybe_fail(self, method: str, context) -> None:
        if method != self.method:
            return
        type(self).calls.append(time.monotonic())
        if len(self.calls) <= self.faults:
            await self.fail(context)


class Slow(FaultyStore):
    """Its faulty calls answer only after the worker's deadline for them."""

    async def fail(self, context) -> None:
        await asyncio.sleep(worker.STORE_CALL_TIMEOUT_SECONDS * 2)


def faulty(base: type[FaultyStore], method: str, faults: int) -> type[FaultyStore]:
    return type("Faulty", (base,), {"method": method, "faults": faults, "calls": []})


async def store_a_card(nats_url: str, tmp_path, told: list[bool]) -> batch_pb2.Card:
    """Runs a worker on a store served here, publishes a card, and returns
    it once the store has it DONE; what the worker tells of the store, whether
    it answers, goes into told."""
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

    async def tell(answers: bool, why: str) -> None:
        told.append(answers)

    worker_run = Worker(nc, channel, read, "w", 3, on_store=tell).run(stop)
    run = asyncio.create_task(worker_run)
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
        return await asyncio.wait_for(stored(), 60)
    finally:
        stop.set()
        await run
        await nc.drain()
        await channel.close()
        await server.stop(0)
        await backend.close()


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


# How the worker's lines on losing the store and finding it again start.
LOSS_AND_RETURN = ("the store is unreachable", "the store answers")


def said_of_the_store(caplog) -> list[str]:
    """The worker's lines on losing the store and finding it again."""
    lines = [r.getMessage() for r in caplog.records if r.name == worker.__name__]
    return [line for line in lines if line.startswith(LOSS_AND_RETURN)]


@pytest.fixture
def short_calls(monkeypatch):
    """Store calls the worker gives up on quickly, so that a slow store's
    calls time out in a test's time."""
    monkeypatch.setattr(worker, "STORE_CALL_TIMEOUT_SECONDS", 0.5)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(FaultyStore, "disk I/O error"), (Slow, "Deadline Exceeded")],
    ids=["internal", "timed-out"],
)
async def test_a_contact_the_store_fails_while_it_serves_is_stored_later(
    nats_url, tmp_path, monkeypatch, caplog, short_calls, kind, reason
):
    caplog.set_level(logging.INFO, logger=worker.__name__)
    store_kind = faulty(kind, "FinishCard", faults=3)
    monkeypatch.setattr("store_service.server.StoreServicer", store_kind)
    told = []

    card = await store_a_card(nats_url, tmp_path, told)

    assert card.contact.company == "Example"
    assert card.attempts == 1
    # Each try waits longer than the one before.
    tries = gaps(store_kind.calls)
    assert len(tries) == 3
    assert tries[0] >= worker.FIRST_STORE_RETRY_SECONDS
    assert tries == sorted(tries)
    # Neither a loss of the store nor its return: it served throughout.
    assert told == []
    assert said_of_the_store(caplog) == []
    assert (
        f"card b-0: read, but the store failed the call ({reason}) while it "
        "serves; trying to store it for up to 60 s"
    ) in caplog.messages


async def test_a_card_the_store_fails_to_start_while_it_serves_comes_again_later(
    nats_url, tmp_path, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger=worker.__name__)
    store_kind = faulty(FaultyStore, "StartCard", faults=1)
    monkeypatch.setattr("store_service.server.StoreServicer", store_kind)
    told = []

    card = await store_a_card(nats_url, tmp_path, told)

    assert card.contact.company == "Example"
    assert card.attempts == 1
    # JetStream delivers it again after the delay the worker asked for.
    (delay,) = gaps(store_kind.calls)
    assert delay >= 2
    assert told == []
    assert said_of_the_store(caplog) == []
    assert (
        "card b-0: the store failed the call (disk I/O error) while it serves; "
        "trying again in 2 s"
    ) in caplog.messages
