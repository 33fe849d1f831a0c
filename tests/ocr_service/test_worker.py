"""The OCR worker loop against a real nats-server and a real store.

A simple reader function stands in for the OCR engine here, so that these
tests pin down the delivery rules; the end-to-end tests read real cards.
"""

import asyncio
import threading

import pytest
from nats.js.errors import NotFoundError
from worker_support import messages_left

from cardscan import messaging, rpc
from cardscan.errors import InvalidInput
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from ocr_service.worker import Worker

DONE = batch_pb2.CARD_STATE_DONE
FAILED = batch_pb2.CARD_STATE_FAILED


class RecordingReader:
    """Returns a contact naming the bytes it read, and records each call."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.calls: list[bytes] = []
        self.fail_with = fail_with
        self.lock = threading.Lock()

    def __call__(self, image: bytes) -> contact_pb2.Contact:
        with self.lock:
            self.calls.append(image)
        if self.fail_with:
            raise self.fail_with
        return contact_pb2.Contact(company=f"read {len(image)} bytes")


class Harness:
    """A store channel and client, a NATS connection and workers to run
    against them."""

    def __init__(self, nc, channel) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.channel = channel
        self.store = store_pb2_grpc.StoreServiceStub(channel)
        self.stop = asyncio.Event()
        self.runs: list[asyncio.Task] = []

    def start_worker(self, reader, worker_id="w1", max_attempts=3) -> None:
        worker = Worker(self.nc, self.channel, reader, worker_id, max_attempts)
        self.runs.append(asyncio.create_task(worker.run(self.stop)))

    async def register(self, batch_id: str, count: int) -> list[str]:
        ids = [f"{batch_id}-{i}" for i in range(count)]
        cards = [store_pb2.NewCard(card_id=c, file_name=f"{c}.png") for c in ids]
        await self.store.RegisterBatch(
            store_pb2.RegisterBatchRequest(batch_id=batch_id, cards=cards)
        )
        return ids

    async def publish(
        self, card_id: str, image: bytes, headers=None, single: bool = False
    ) -> None:
        headers = {messaging.CARD_ID_HEADER: card_id, **(headers or {})}
        await messaging.ensure_stream(self.js)
        subject = messaging.card_subject(card_id)
        if single:
            subject = messaging.scan_subject(card_id)
        await self.js.publish(subject, image, headers=headers)

    async def card(self, batch_id: str, index: int) -> batch_pb2.Card:
        reply = await self.store.FetchCards(
            store_pb2.FetchCardsRequest(batch_id=batch_id)
        )
        return reply.cards[index]

    async def wait_ended(self, batch_id: str, timeout: float = 30) -> None:
        async def complete():
            while True:
                reply = await self.store.FetchBatch(
                    store_pb2.FetchBatchRequest(batch_id=batch_id)
                )
                if reply.batch.state == batch_pb2.BATCH_STATE_COMPLETE:
                    return
                await asyncio.sleep(0.05)

        await asyncio.wait_for(complete(), timeout)

    async def pending_messages(self) -> int:
        return await messages_left(self.js)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.runs)


@pytest.fixture
async def harness(nats_url, store_address):
    nc = await messaging.connect(nats_url, "test")
    channel = rpc.channel(store_address)
    harness = Harness(nc, channel)
    yield harness
    await harness.close()
    await nc.drain()
    await channel.close()


async def test_card_is_read_stored_and_acknowledged(harness):
    (card_id,) = await harness.register("b1", 1)
    reader = RecordingReader()
    harness.start_worker(reader)

    await harness.publish(card_id, b"image bytes")
    await harness.wait_ended("b1")

    card = await harness.card("b1", 0)
    assert card.state == DONE
    assert card.contact.company == "read 11 bytes"
    assert card.attempts == 1
    assert reader.calls == [b"image bytes"]
    assert await harness.pending_messages() == 0


class GatedReader(RecordingReader):
    """Records each call, then reads only when the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Semaphore(0)

    def __call__(self, image: bytes) -> contact_pb2.Contact:
        with self.lock:
            self.calls.append(image)
        assert self.gate.acquire(timeout=30), "the test never let the read go"
        return contact_pb2.Contact(company="read")


async def until(condition, timeout: float = 10) -> None:
    """Waits until the async condition holds."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.02)


async def test_a_single_card_is_read_before_the_batch_cards_waiting(harness):
    batch = await harness.register("bq", 4)
    (single,) = await harness.register("sq", 1)
    # A worker announces a card it took and then, with no pause in between
    # for a card sent in its message, queues it for the engine: once the
    # announcement arrives, the card waits its turn. The store's count of
    # attempts moves before the announcement, too early to go by.
    announced = []

    async def note(msg) -> None:
        announced.append(msg.data.decode())

    for batch_id in ("bq", "sq"):
        await harness.nc.subscribe(messaging.event_subject(batch_id), cb=note)
    reader = GatedReader()
    harness.start_worker(reader)
    for index, card_id in enumerate(batch):
        await harness.publish(card_id, f"batch {index}".encode())

    async def waiting(card_id: str) -> bool:
        return card_id in announced

    # The first batch card is being read and the second waits its turn.
    await until(lambda: waiting(batch[1]))
    await harness.publish(single, b"single", single=True)
    await until(lambda: waiting(single))
    for _ in range(5):
        reader.gate.release()
    await harness.wait_ended("bq")
    await harness.wait_ended("sq")

    assert reader.calls == [
        b"batch 0",
        b"single",
        b"batch 1",
        b"batch 2",
        b"batch 3",
    ]


async def test_redelivered_card_is_stored_once(harness):
    (card_id,) = await harness.register("b2", 1)
    reader = RecordingReader()
    harness.start_worker(reader)

    await harness.publish(card_id, b"first")
    await harness.wait_ended("b2")
    await harness.publish(card_id, b"second")
    await asyncio.sleep(1)

    card = await harness.card("b2", 0)
    assert card.contact.company == "read 5 bytes"
    assert reader.calls == [b"first"]
    assert await harness.pending_messages() == 0


async def test_unreadable_image_fails_the_card_with_its_reason(harness):
    (card_id,) = await harness.register("b3", 1)
    harness.start_worker(RecordingReader(InvalidInput("not an image: plain text")))

    await harness.publish(card_id, b"hello")
    await harness.wait_ended("b3")

    card = await harness.card("b3", 0)
    assert card.state == FAILED
    assert card.error == "not an image: plain text"
    assert await harness.pending_messages() == 0


async def test_a_fault_in_the_reader_fails_the_card_naming_the_fault(harness):
    (card_id,) = await harness.register("b8", 1)
    harness.start_worker(RecordingReader(IndexError("list index out of range")))

    await harness.publish(card_id, b"img")
    await harness.wait_ended("b8")

    card = await harness.card("b8", 0)
    assert card.state == FAILED
    assert "IndexError('list index out of range')" in card.error
    assert card.attempts == 1


async def test_card_that_never_finishes_fails_after_the_attempt_limit(harness):
    (card_id,) = await harness.register("b4", 1)
    for _ in range(2):  # two earlier attempts whose workers died mid-card
        await harness.store.StartCard(store_pb2.StartCardRequest(card_id=card_id))
    reader = RecordingReader()
    harness.start_worker(reader, max_attempts=2)

    await harness.publish(card_id, b"poison")
    await harness.wait_ended("b4")

    card = await harness.card("b4", 0)
    assert card.state == FAILED
    assert card.error.startswith(
        "gave up at attempt 3: the 2 attempts before it never finished"
    )
    assert card.attempts == 3
    assert reader.calls == []


async def test_giving_up_after_one_attempt_says_so_in_the_singular(harness):
    (card_id,) = await harness.register("b4a", 1)
    await harness.store.StartCard(store_pb2.StartCardRequest(card_id=card_id))
    harness.start_worker(RecordingReader(), max_attempts=1)

    await harness.publish(card_id, b"poison")
    await harness.wait_ended("b4a")

    card = await harness.card("b4a", 0)
    assert card.error.startswith(
        "gave up at attempt 2: the attempt before it never finished"
    )
    assert card.attempts == 2


async def test_large_image_comes_from_the_object_store_and_is_removed(harness):
    (card_id,) = await harness.register("b5", 1)
    image = bytes(range(256)) * (6 * 1024 * 1024 // 256)
    images = await messaging.image_store(harness.js)
    await images.put(card_id, image)
    reader = RecordingReader()
    harness.start_worker(reader)

    await harness.publish(card_id, b"", {messaging.OBJECT_HEADER: card_id})
    await harness.wait_ended("b5")

    async def stored_names():
        try:
            return [info.name for info in await images.list(ignore_deletes=True)]
        except NotFoundError:  # the bucket holds no object at all
            return []

    for _ in range(50):  # the image is removed just after the acknowledgement
        if card_id not in await stored_names():
            break
        await asyncio.sleep(0.1)

    assert reader.calls == [image]
    assert (await harness.card("b5", 0)).state == DONE
    assert card_id not in await stored_names()


async def test_two_workers_share_the_cards_and_read_each_once(harness):
    ids = await harness.register("b6", 30)
    readers = [RecordingReader(), RecordingReader()]
    harness.start_worker(readers[0], "w1")
    harness.start_worker(readers[1], "w2")

    for card_id in ids:
        await harness.publish(card_id, card_id.encode())
    await harness.wait_ended("b6")

    read = [image for reader in readers for image in reader.calls]
    assert sorted(read) == sorted(card_id.encode() for card_id in ids)
    assert all(reader.calls for reader in readers)


async def test_workers_announce_themselves_and_card_changes(harness):
    (card_id,) = await harness.register("b7", 1)
    heartbeats, events = asyncio.Queue(), asyncio.Queue()
    await harness.nc.subscribe(messaging.HEARTBEAT_SUBJECT, cb=heartbeats.put)
    await harness.nc.subscribe(messaging.event_subject("b7"), cb=events.put)
    harness.start_worker(RecordingReader(), "worker-seven")

    heartbeat = await asyncio.wait_for(heartbeats.get(), 5)
    await harness.publish(card_id, b"x")
    started = await asyncio.wait_for(events.get(), 10)
    finished = await asyncio.wait_for(events.get(), 10)

    assert heartbeat.data == b"worker-seven"
    assert started.data == finished.data == card_id.encode()


async def test_a_stopping_worker_says_it_leaves(harness):
    heartbeats, goodbyes = asyncio.Queue(), asyncio.Queue()
    await harness.nc.subscribe(messaging.HEARTBEAT_SUBJECT, cb=heartbeats.put)
    await harness.nc.subscribe(messaging.WORKER_LEFT_SUBJECT, cb=goodbyes.put)
    harness.start_worker(RecordingReader(), "worker-eight")
    await asyncio.wait_for(heartbeats.get(), 5)

    await harness.close()
    goodbye = await asyncio.wait_for(goodbyes.get(), 5)

    assert goodbye.data == b"worker-eight"


@pytest.mark.parametrize("single", [False, True])
async def test_worker_creates_a_deleted_stream_again_and_reads_from_it(harness, single):
    reader = RecordingReader()
    harness.start_worker(reader)
    stream, consumer = messaging.STREAM, messaging.OCR_CONSUMER
    if single:
        stream, consumer = messaging.SCAN_STREAM, messaging.SCAN_CONSUMER
    # Once the worker has made its consumers, the stream goes, as when a
    # server's storage is lost.
    while True:
        try:
            await harness.js.consumer_info(stream, consumer)
            break
        except NotFoundError:
            await asyncio.sleep(0.05)
    await harness.js.delete_stream(stream)

    (card_id,) = await harness.register("b1", 1)
    await harness.publish(card_id, b"after the loss", single=single)
    await harness.wait_ended("b1")

    assert (await harness.card("b1", 0)).state == DONE
    assert reader.calls == [b"after the loss"]
