"""Measures how fast the store writes and reads, on SQLite in a temporary
folder: on the backend directly and over gRPC to ``python -m store_service``.

Usage: python bench/store.py [--writes 2000] [--cards 5000] [--repeat 5]

Prints, per operation, the median, 95th percentile and worst time of the
calls. Timings on a shared machine are noisy: compare medians over repeats.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import percentile  # noqa: E402
from cardscan import rpc  # noqa: E402
from cardscan.stack import Ports, Stack  # noqa: E402
from cardscan.v1 import contact_pb2, store_pb2, store_pb2_grpc  # noqa: E402
from store_service.sqlite_backend import SqliteBackend  # noqa: E402

CONTACT = contact_pb2.Contact(
    name=contact_pb2.PersonName(full="Ana Lima", given="Ana", family="Lima"),
    company="Acme Ltda",
    title="CTO",
    emails=["ana@acme.example"],
    phones=[contact_pb2.Phone(number="+5511987654321")],
    raw_text="Ana Lima\nCTO\nAcme Ltda\nana@acme.example\n+55 11 98765-4321",
    confidence={"name": 0.9, "company": 0.8, "title": 0.7},
)


def report(what: str, seconds: list[float]) -> None:
    """Prints the median, 95th percentile and worst of the timings in ms."""
    ordered = sorted(seconds)
    p95 = percentile(ordered, 0.95)
    print(
        f"{what:<52} n={len(ordered):<5} median {statistics.median(ordered) * 1e3:8.3f}"
        f" ms  p95 {p95 * 1e3:8.3f} ms  max {ordered[-1] * 1e3:8.3f} ms"
    )


async def timed(call: Awaitable[object]) -> float:
    """Seconds the call takes; the coroutine does not run before it is awaited."""
    started = time.perf_counter()
    await call
    return time.perf_counter() - started


def new_cards(count: int) -> list[store_pb2.NewCard]:
    return [
        store_pb2.NewCard(card_id=uuid.uuid4().hex, file_name=f"card-{i:05}.jpg")
        for i in range(count)
    ]


class LoopLag:
    """The longest the event loop went without running a 1 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - started - 0.001)

    def __enter__(self) -> "LoopLag":
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._task.cancel()


async def bench_backend(folder: Path, writes: int, cards: int, repeat: int) -> None:
    store = SqliteBackend(folder / "store.sqlite3")
    await store.open()
    try:
        batch = await store.register_batch("writes", new_cards(writes), [])
        ids = [card.card_id for card in batch.cards]
        report(
            "backend start_card",
            [await timed(store.start_card(i)) for i in ids],
        )
        report(
            "backend finish_card (contact)",
            [await timed(store.finish_card(i, CONTACT, "")) for i in ids],
        )
        report(
            "backend finish_card (already ended)",
            [await timed(store.finish_card(i, None, "late")) for i in ids],
        )
        await bench_large_batches(store, cards, repeat, "backend")
    finally:
        await store.close()


async def bench_large_batches(store, cards: int, repeat: int, label: str) -> None:
    registers, fetches, card_fetches, lags, probes = [], [], [], [], []
    probe = (await store.register_batch(uuid.uuid4().hex, new_cards(1), [])).cards[0]
    for _ in range(repeat):
        batch_id = uuid.uuid4().hex
        wanted = new_cards(cards)
        with LoopLag() as lag:
            registering = asyncio.ensure_future(
                timed(store.register_batch(batch_id, wanted, []))
            )
            while not registering.done():
                probes.append(await timed(store.start_card(probe.card_id)))
            registers.append(registering.result())
        lags.append(lag.worst)
        fetches.append(await timed(store.fetch_batch(batch_id)))
        card_fetches.append(await timed(store.fetch_cards(batch_id)))
    report(f"{label} register_batch of {cards} cards", registers)
    report(f"{label} fetch_batch of {cards} cards", fetches)
    report(f"{label} fetch_cards of {cards} cards", card_fetches)
    report(f"{label} start_card while registering", probes)
    report(f"{label} caller's event loop stall while registering", lags)


class GrpcStore:
    """The backend's methods, as calls to a StoreService stub."""

    def __init__(self, stub: store_pb2_grpc.StoreServiceStub) -> None:
        self.stub = stub

    async def start_card(self, card_id: str):
        request = store_pb2.StartCardRequest(card_id=card_id)
        return (await self.stub.StartCard(request)).card

    async def finish_card(self, card_id: str, contact, error: str):
        request = store_pb2.FinishCardRequest(card_id=card_id)
        if contact is not None:
            request.contact.CopyFrom(contact)
        else:
            request.error = error
        return (await self.stub.FinishCard(request)).card

    async def register_batch(self, batch_id: str, cards, skipped):
        request = store_pb2.RegisterBatchRequest(batch_id=batch_id, cards=cards)
        return (await self.stub.RegisterBatch(request)).batch

    async def fetch_batch(self, batch_id: str):
        request = store_pb2.FetchBatchRequest(batch_id=batch_id)
        return (await self.stub.FetchBatch(request)).batch

    async def fetch_cards(self, batch_id: str):
        request = store_pb2.FetchCardsRequest(batch_id=batch_id)
        return list((await self.stub.FetchCards(request)).cards)


async def bench_grpc(address: str, writes: int, cards: int, repeat: int) -> None:
    async with rpc.channel(address) as channel:
        store = GrpcStore(store_pb2_grpc.StoreServiceStub(channel))
        ids = [c.card_id for c in new_cards(writes)]
        await store.register_batch(
            "writes", [store_pb2.NewCard(card_id=i) for i in ids], []
        )
        report(
            "gRPC StartCard",
            [await timed(store.start_card(i)) for i in ids],
        )
        report(
            "gRPC FinishCard (contact)",
            [await timed(store.finish_card(i, CONTACT, "")) for i in ids],
        )
        await bench_large_batches(store, cards, repeat, "gRPC")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench_backend(Path(folder), args.writes, args.cards, args.repeat))
        bench_process(Path(folder) / "stack", args)


def bench_process(folder: Path, args: argparse.Namespace) -> None:
    """Runs the gRPC figures against the store started as a process."""
    stack = Stack(data_dir=folder, ports=Ports.free(), ocr_workers=0)
    try:
        stack.start_store()
        grpc_bench = bench_grpc(
            stack.store_address, args.writes, args.cards, args.repeat
        )
        asyncio.run(grpc_bench)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
