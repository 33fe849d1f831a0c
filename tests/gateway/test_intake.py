"""A gateway told to stop refuses the uploads still arriving at once, and
queues those it received whole before it stops."""

import asyncio
import dataclasses
import logging

import aiohttp
import grpc
import pytest
from gateway_support import (
    image_bytes,
    make_zip,
    queued_messages,
    running_gateway,
)

from cardscan import messaging
from cardscan.v1 import cardscan_pb2, store_pb2
from gateway import health, server

# Far more than the part of an upload a test sends before the gateway stops.
UPLOAD = make_zip({f"card-{i:03}.png": image_bytes() for i in range(400)})
SENT_BEFORE_STOP = 64 * 1024
# Enough cards that queueing them lasts longer than one look at the store.
CARDS = 2000
# A guard only: a gateway that stops as it should takes a few seconds.
STOP_GUARD_SECONDS = 60


async def _half_sent(sent: asyncio.Event):
    """The upload's first bytes, then nothing more: a client still sending."""
    yield UPLOAD[:SENT_BEFORE_STOP]
    sent.set()
    await asyncio.Event().wait()


async def _spool_started(upload_dir) -> None:
    """Waits until the gateway has begun to spool an upload."""
    while not any(path.stat().st_size for path in upload_dir.glob("*.zip")):
        await asyncio.sleep(0.02)


async def _stopped(gateway) -> None:
    """Stops the gateway as SIGTERM does and waits until it has stopped."""
    gateway.stop.set()
    async with asyncio.timeout(STOP_GUARD_SECONDS):
        await gateway.serving


async def test_http_upload_still_arriving_at_stop_is_refused_saying_send_it_again(
    gateway, caplog
):
    caplog.set_level(logging.INFO)
    sent = asyncio.Event()
    async with aiohttp.ClientSession(gateway.http_url) as http:
        posting = asyncio.create_task(http.post("/v1/batches", data=_half_sent(sent)))
        await sent.wait()
        await _spool_started(gateway.settings.upload_dir)
        stopping = asyncio.create_task(_stopped(gateway))
        async with asyncio.timeout(STOP_GUARD_SECONDS):
            reply = await posting
        body = await reply.json()
        await stopping

    assert reply.status == 503
    assert body["error"] == {
        "code": "UNAVAILABLE",
        "message": health.UPLOAD_AT_SHUTDOWN,
    }
    assert list(gateway.settings.upload_dir.iterdir()) == []
    messages = [record.getMessage() for record in caplog.records]
    assert (
        "an upload still arriving was refused: the gateway is shutting down; "
        "nothing of it was kept"
    ) in messages
    assert not any("cancelled by its client" in message for message in messages)


async def test_grpc_upload_still_arriving_at_stop_is_refused_as_unavailable(gateway):
    sent = asyncio.Event()

    async def requests():
        async for chunk in _half_sent(sent):
            yield cardscan_pb2.CreateBatchRequest(chunk=chunk)

    creating = asyncio.ensure_future(gateway.stub.CreateBatch(requests()))
    await sent.wait()
    await _spool_started(gateway.settings.upload_dir)
    stopping = asyncio.create_task(_stopped(gateway))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        async with asyncio.timeout(STOP_GUARD_SECONDS):
            await creating
    await stopping

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.value.details() == health.UPLOAD_AT_SHUTDOWN
    assert list(gateway.settings.upload_dir.iterdir()) == []


async def _registered_batch(gateway) -> str:
    """Waits until the store has registered an upload; returns its batch id."""
    request = store_pb2.FetchBatchesRequest()
    while True:
        reply = await gateway.store.FetchBatches(request)
        if reply.batches:
            return reply.batches[0].batch_id
        await asyncio.sleep(0.005)


async def _cards_in_stream(gateway) -> int:
    return (await gateway.js.stream_info(messaging.STREAM)).state.messages


async def test_upload_received_whole_before_stop_has_every_card_queued(gateway):
    upload = make_zip({f"card-{i:04}.png": image_bytes() for i in range(CARDS)})
    async with aiohttp.ClientSession(gateway.http_url) as http:
        posting = asyncio.create_task(http.post("/v1/batches", data=upload))
        await _registered_batch(gateway)
        queued_at_stop = await _cards_in_stream(gateway)
        stopping = asyncio.create_task(_stopped(gateway))
        async with asyncio.timeout(STOP_GUARD_SECONDS):
            reply = await posting
        body = await reply.json()
        await stopping

    assert queued_at_stop < CARDS, "every card was queued before the stop"
    assert (reply.status, body["accepted"], body["notice"]) == (202, CARDS, "")
    assert await _cards_in_stream(gateway) == CARDS


async def test_upload_not_queued_whole_in_time_is_left_to_the_next_start(
    gateway_settings, monkeypatch
):
    monkeypatch.setattr(server, "DRAIN_SECONDS", 0.0)
    upload = make_zip({f"card-{i:04}.png": image_bytes() for i in range(CARDS)})
    async with running_gateway(gateway_settings) as gateway:
        async with aiohttp.ClientSession(gateway.http_url) as http:
            posting = asyncio.create_task(http.post("/v1/batches", data=upload))
            batch_id = await _registered_batch(gateway)
            stopping = asyncio.create_task(_stopped(gateway))
            async with asyncio.timeout(STOP_GUARD_SECONDS):
                reply = await posting
            body = await reply.json()
            await stopping
        queued_at_stop = await _cards_in_stream(gateway)
    spool_files = [path.name for path in gateway_settings.upload_dir.iterdir()]

    async with running_gateway(gateway_settings) as restarted:
        queued_after_restart = await _cards_in_stream(restarted)

    assert reply.status == 202
    assert queued_at_stop < CARDS
    postponed = CARDS - queued_at_stop
    assert body["notice"] == (
        f"the gateway is shutting down and had not queued {postponed} of the "
        f"{CARDS} cards; it keeps the upload and queues them when it starts again"
    )
    assert spool_files == [f"{batch_id}.zip"]
    assert queued_after_restart == CARDS


async def test_card_waiting_to_be_read_at_stop_is_answered_naming_its_batch(
    gateway_settings,
):
    settings = dataclasses.replace(gateway_settings, scan_timeout_seconds=120.0)
    async with (
        running_gateway(settings) as gateway,
        aiohttp.ClientSession(gateway.http_url) as http,
    ):
        posting = asyncio.create_task(http.post("/v1/cards", data=image_bytes()))
        [message] = await queued_messages(gateway.js, 1, single=True)
        card_id = message.headers[messaging.CARD_ID_HEADER]
        batch_id = messaging.batch_id_of(card_id)
        stopping = asyncio.create_task(_stopped(gateway))
        async with asyncio.timeout(STOP_GUARD_SECONDS):
            reply = await posting
        body = await reply.json()
        await stopping

    assert reply.status == 503
    assert body["error"]["message"] == (
        f"the gateway is shutting down; card {card_id} stays in batch "
        f"{batch_id}, QUEUED, and is read all the same: fetch it later with "
        f"GET /v1/batches/{batch_id} or GetBatch"
    )
