"""A gateway process killed while queuing an upload settles it on restart."""

import asyncio
import re
import signal
import uuid

import aiohttp
import grpc
import nats
import pytest
from gateway_support import image_bytes, make_zip, running_gateway

from cardscan import messaging, rpc, upload_keys
from cardscan.v1 import batch_pb2, store_pb2, store_pb2_grpc

# Enough cards that queuing them lasts far longer than one look at the store.
CARDS = 2000
# How many times a test looks at the store before it gives up on an upload.
LOOKS = 2000
# How long the stream's message count must stay put to count as settled.
SETTLE_SECONDS = 0.2


@pytest.fixture
async def clients(stack_parts, nats_url, store_address):
    """A store stub and a JetStream context on the test's own connections."""
    nc = await nats.connect(nats_url)
    async with rpc.channel(store_address) as channel:
        yield store_pb2_grpc.StoreServiceStub(channel), nc.jetstream()
    await nc.close()


async def fetch(store, batch_id: str) -> batch_pb2.Batch | None:
    """The batch as the store has it, or None if the store never heard of it."""
    request = store_pb2.FetchBatchRequest(batch_id=batch_id)
    try:
        return (await store.FetchBatch(request)).batch
    except grpc.aio.AioRpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise
        return None


async def messages_in_stream(js) -> int:
    return (await js.stream_info(messaging.STREAM)).state.messages


async def settled_messages_in_stream(js) -> int:
    """The stream's message count once it stops changing: NATS may still be
    storing what a killed gateway sent just before it died."""
    count = await messages_in_stream(js)
    while True:
        await asyncio.sleep(SETTLE_SECONDS)
        latest = await messages_in_stream(js)
        if latest == count:
            return count
        count = latest


async def kill_once_registered(stack_parts, store) -> str:
    """Freezes the gateway as soon as the store has its upload, kills it,
    and returns the batch id, read from the spool file's name."""
    gateway = stack_parts.processes["gateway"]
    uploads = stack_parts.data_dir / "uploads"
    for _ in range(LOOKS):
        spooled = list(uploads.glob("*.zip"))
        if spooled and await fetch(store, spooled[0].stem):
            gateway.send_signal(signal.SIGSTOP)
            gateway.kill()
            gateway.wait()
            return spooled[0].stem
        await asyncio.sleep(0.005)
    raise AssertionError("the store never registered the upload")


def large_upload() -> bytes:
    return make_zip({f"card-{i:04}.png": image_bytes() for i in range(CARDS)})


async def upload_and_kill(
    stack_parts, store, js, upload: bytes | None = None, headers=None
) -> tuple[str, int]:
    """Starts a gateway, kills it midway through queuing a large upload, and
    returns the batch id and how many of its cards had reached the stream."""
    stack_parts.start_gateway()
    upload = upload or large_upload()
    async with aiohttp.ClientSession(stack_parts.http_url) as http:
        posting = asyncio.create_task(
            http.post("/v1/batches", data=upload, headers=headers)
        )
        batch_id = await kill_once_registered(stack_parts, store)
        with pytest.raises(aiohttp.ClientError):
            await posting
    queued = await settled_messages_in_stream(js)
    assert queued < CARDS, "the gateway queued every card before it was killed"
    return batch_id, queued


async def subjects_in_stream(js) -> dict[str, int]:
    """How many messages the stream holds on each card subject."""
    info = await js.stream_info(
        messaging.STREAM, subjects_filter=messaging.CARD_SUBJECTS
    )
    return info.state.subjects or {}


def gateway_log(stack_parts) -> str:
    return (stack_parts.logs / "gateway.log").read_text()


async def test_restarted_gateway_queues_the_cards_a_killed_one_had_not(
    stack_parts, clients
):
    store, js = clients
    batch_id, queued_before = await upload_and_kill(stack_parts, store, js)

    stack_parts.start_gateway()
    subjects = await subjects_in_stream(js)
    batch = await fetch(store, batch_id)
    requeued = re.search(
        rf"batch {batch_id} resumed: (\d+) card\(s\) re-queued",
        gateway_log(stack_parts),
    )

    assert subjects == {messaging.card_subject(c.card_id): 1 for c in batch.cards}
    assert batch.counts.queued == CARDS
    assert int(requeued[1]) == CARDS - queued_before
    # No worker runs here: the upload stays until its cards are read.
    assert [p.name for p in (stack_parts.data_dir / "uploads").iterdir()] == [
        f"{batch_id}.zip"
    ]


async def test_an_upload_sent_again_under_its_key_after_a_kill_is_its_batch(
    stack_parts, clients
):
    store, js = clients
    upload, headers = large_upload(), {upload_keys.HEADER: "sent-before-the-kill"}
    batch_id, _ = await upload_and_kill(stack_parts, store, js, upload, headers)

    stack_parts.start_gateway()
    async with (
        aiohttp.ClientSession(stack_parts.http_url) as http,
        http.post("/v1/batches", data=upload, headers=headers) as reply,
    ):
        again = await reply.json()
    subjects = await subjects_in_stream(js)
    batch = await fetch(store, batch_id)
    listed = await store.FetchBatches(store_pb2.FetchBatchesRequest())

    assert (again["batch_id"], again["accepted"]) == (batch_id, CARDS)
    assert subjects == {messaging.card_subject(c.card_id): 1 for c in batch.cards}
    assert [b.batch_id for b in listed.batches] == [batch_id]


async def test_unreadable_leftover_upload_fails_its_unqueued_cards_saying_why(
    stack_parts, clients
):
    store, js = clients
    batch_id, queued_before = await upload_and_kill(stack_parts, store, js)
    spool = stack_parts.data_dir / "uploads" / f"{batch_id}.zip"
    with spool.open("r+b") as fp:
        fp.truncate(spool.stat().st_size // 2)

    stack_parts.start_gateway()
    batch = await fetch(store, batch_id)
    failed = [c for c in batch.cards if c.state == batch_pb2.CARD_STATE_FAILED]

    assert (batch.counts.queued, len(failed)) == (queued_before, CARDS - queued_before)
    assert failed[0].error == (
        "the card was never queued (NATS did not take it, or a gateway stopped "
        "first) and its upload could not be read again (the upload starts like a "
        "ZIP file but has no end record; it is truncated or damaged); upload it "
        "again"
    )
    assert await messages_in_stream(js) == queued_before
    assert (
        f"WARNING gateway.batches: batch {batch_id}: its upload cannot"
        in gateway_log(stack_parts)
    )


async def test_leftover_upload_never_registered_is_deleted(gateway_settings):
    uploads = gateway_settings.upload_dir
    uploads.mkdir(parents=True)
    never_registered = uploads / f"{uuid.uuid4().hex}.zip"
    never_registered.write_bytes(make_zip({"a.png": image_bytes()})[:100])
    stranger = uploads / "notes.txt"
    stranger.write_text("not the gateway's")

    async with running_gateway(gateway_settings):
        left = sorted(path.name for path in uploads.iterdir())

    assert left == ["notes.txt"]
