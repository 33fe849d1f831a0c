"""An upload sent again under its key is answered with the batch it made,
over gRPC and HTTP, against a real gateway, NATS and store."""

import asyncio

import aiohttp
import grpc
import pytest
from gateway_support import (
    as_if_listened_a_whole_window,
    finish_card,
    image_bytes,
    make_zip,
    queued_messages,
)

from cardscan import messaging, upload_keys
from cardscan.v1 import cardscan_pb2, contact_pb2, store_pb2
from gateway import uploads
from gateway.server import BATCH_ID_METADATA, CARD_ID_METADATA

CHUNK = 4096
CARDS = {"a.png": image_bytes(), "b.gif": image_bytes("GIF"), "c.txt": b"text"}


def upload_requests(data: bytes):
    for at in range(0, len(data), CHUNK):
        yield cardscan_pb2.CreateBatchRequest(chunk=data[at : at + CHUNK])


async def create(gateway, data: bytes, key: str):
    metadata = ((upload_keys.METADATA_KEY, key),)
    return await gateway.stub.CreateBatch(upload_requests(data), metadata=metadata)


async def messages_in(gateway, stream: str) -> int:
    """How many messages a card stream holds, read without consuming them."""
    return (await gateway.js.stream_info(stream)).state.messages


async def batch_ids(gateway) -> list[str]:
    reply = await gateway.store.FetchBatches(store_pb2.FetchBatchesRequest())
    return [batch.batch_id for batch in reply.batches]


def spooled(gateway) -> list[str]:
    return [path.name for path in gateway.settings.upload_dir.iterdir()]


@pytest.fixture
async def http(gateway):
    async with aiohttp.ClientSession(gateway.http_url) as session:
        yield session


async def test_a_grpc_upload_sent_again_under_its_key_is_its_batch_queued_once(
    gateway,
):
    data = make_zip(CARDS)

    first = await create(gateway, data, "upload-1")
    again = await create(gateway, data, "upload-1")

    assert again == first
    assert first.accepted == 2 and len(first.skipped) == 1
    assert await messages_in(gateway, messaging.STREAM) == 2
    assert await batch_ids(gateway) == [first.batch_id]
    assert spooled(gateway) == [f"{first.batch_id}.zip"]


async def test_an_http_upload_sent_again_under_its_key_is_its_batch_queued_once(
    gateway, http
):
    data = make_zip(CARDS)
    headers = {upload_keys.HEADER: "c0ffee-1"}

    async with http.post("/v1/batches", data=data, headers=headers) as reply:
        first = await reply.json()
    form = aiohttp.FormData()
    form.add_field("file", data, filename="cards.zip")
    async with http.post("/v1/batches", data=form, headers=headers) as reply:
        status, again = reply.status, await reply.json()

    assert status == 202
    assert again == first
    assert await messages_in(gateway, messaging.STREAM) == 2
    assert await batch_ids(gateway) == [first["batch_id"]]


async def test_a_key_is_one_for_grpc_and_http(gateway, http):
    data = make_zip(CARDS)
    created = await create(gateway, data, "shared")

    headers = {upload_keys.HEADER: "shared"}
    async with http.post("/v1/batches", data=data, headers=headers) as reply:
        again = await reply.json()

    assert again["batch_id"] == created.batch_id
    assert await messages_in(gateway, messaging.STREAM) == 2


async def test_uploads_without_a_key_or_under_other_keys_are_each_a_batch(gateway):
    data = make_zip(CARDS)

    keyed = [await create(gateway, data, key) for key in ("k1", "k2")]
    unkeyed = await gateway.stub.CreateBatch(upload_requests(data))

    assert len({keyed[0].batch_id, keyed[1].batch_id, unkeyed.batch_id}) == 3
    assert await messages_in(gateway, messaging.STREAM) == 6


async def test_a_key_sent_again_with_another_zip_is_refused_naming_its_batch(
    gateway, http
):
    created = await create(gateway, make_zip(CARDS), "k1")
    other = make_zip({"z.png": image_bytes(size=(30, 30))})

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create(gateway, other, "k1")
    headers = {upload_keys.HEADER: "k1"}
    async with http.post("/v1/batches", data=other, headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "'k1' was used for another upload" in raised.value.details()
    assert created.batch_id in raised.value.details()
    assert status == 409
    assert body["error"]["code"] == "ALREADY_EXISTS"
    assert await batch_ids(gateway) == [created.batch_id]
    assert spooled(gateway) == [f"{created.batch_id}.zip"]


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("k" * 201, "has 201 characters; give at most 200"),
        ("two words", "is not a key"),
        ("", "is not a key"),
    ],
    ids=["too-long", "space", "empty"],
)
async def test_a_bad_key_is_refused_before_the_upload_is_read(
    gateway, http, key, words
):
    data = make_zip(CARDS)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create(gateway, data, key)
    headers = {upload_keys.HEADER: key}
    async with http.post("/v1/batches", data=data, headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details().startswith("metadata idempotency-key ")
    assert words in raised.value.details()
    assert status == 400
    assert body["error"]["message"].startswith("Idempotency-Key ")
    assert words in body["error"]["message"]
    assert await batch_ids(gateway) == []


async def test_a_key_given_twice_over_http_is_refused(gateway, http):
    headers = [(upload_keys.HEADER, "a"), (upload_keys.HEADER, "b")]

    async with http.post("/v1/batches", data=b"x", headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert status == 400
    assert "given 2 times" in body["error"]["message"]


async def test_concurrent_uploads_under_one_key_make_one_batch(gateway, http):
    data = make_zip(CARDS)
    headers = {upload_keys.HEADER: "same"}

    async def over_http():
        async with http.post("/v1/batches", data=data, headers=headers) as reply:
            return (await reply.json())["batch_id"]

    async def over_grpc():
        return (await create(gateway, data, "same")).batch_id

    ids = await asyncio.gather(*[over_grpc() for _ in range(3)], over_http())

    assert len(set(ids)) == 1
    assert await batch_ids(gateway) == ids[:1]
    assert await messages_in(gateway, messaging.STREAM) == 2
    assert spooled(gateway) == [f"{ids[0]}.zip"]


async def test_a_scan_timing_out_names_its_batch_and_card_in_trailing_metadata(
    gateway,
):
    call = gateway.stub.ScanCard(cardscan_pb2.ScanCardRequest(image=image_bytes()))

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    trailing = dict(raised.value.trailing_metadata())

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert trailing[CARD_ID_METADATA] == f"{trailing[BATCH_ID_METADATA]}-0"
    assert trailing[BATCH_ID_METADATA] in raised.value.details()


async def test_a_card_sent_again_under_its_key_is_waited_for_not_queued_again(
    gateway, http
):
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
    metadata = ((upload_keys.METADATA_KEY, "card-1"),)

    waits = []
    for _ in range(2):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.stub.ScanCard(request, metadata=metadata)
        waits.append(dict(raised.value.trailing_metadata()))
    headers = {upload_keys.HEADER: "card-1"}
    async with http.post(
        "/v1/cards?file_name=a.png", data=image_bytes(), headers=headers
    ) as reply:
        status, body = reply.status, await reply.json()

    assert waits[0] == waits[1]
    assert status == 504
    assert body["error"]["card_id"] == waits[0][CARD_ID_METADATA]
    assert body["error"]["batch_id"] == waits[0][BATCH_ID_METADATA]
    assert len(await queued_messages(gateway.js, 1, single=True)) == 1
    assert await messages_in(gateway, messaging.SCAN_STREAM) == 1


async def test_a_card_sent_again_under_its_key_with_another_name_is_refused(
    gateway, http
):
    metadata = ((upload_keys.METADATA_KEY, "card-1"),)
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
    with pytest.raises(grpc.aio.AioRpcError) as first:
        await gateway.stub.ScanCard(request, metadata=metadata)
    batch_id = dict(first.value.trailing_metadata())[BATCH_ID_METADATA]

    request.file_name = "b.png"
    with pytest.raises(grpc.aio.AioRpcError) as renamed:
        await gateway.stub.ScanCard(request, metadata=metadata)
    headers = {upload_keys.HEADER: "card-1"}
    async with http.post("/v1/cards", data=image_bytes(), headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert renamed.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert renamed.value.details() == (
        f"the upload key 'card-1' was used for this image named 'a.png' (batch"
        f" {batch_id}), not 'b.png'; send it again under its first name, or give"
        " each different upload a key of its own"
    )
    assert status == 409
    assert body["error"]["code"] == "ALREADY_EXISTS"
    assert "named 'a.png'" in body["error"]["message"]
    assert "not 'card'" in body["error"]["message"]
    assert await batch_ids(gateway) == [batch_id]
    assert await messages_in(gateway, messaging.SCAN_STREAM) == 1


async def test_a_card_sent_again_as_a_zip_under_its_key_is_refused_as_no_zip(
    gateway,
):
    metadata = ((upload_keys.METADATA_KEY, "card-1"),)
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
    with pytest.raises(grpc.aio.AioRpcError) as first:
        await gateway.stub.ScanCard(request, metadata=metadata)
    batch_id = dict(first.value.trailing_metadata())[BATCH_ID_METADATA]

    with pytest.raises(grpc.aio.AioRpcError) as as_zip:
        await create(gateway, image_bytes(), "card-1")

    assert as_zip.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a ZIP" in as_zip.value.details()
    assert await batch_ids(gateway) == [batch_id]
    assert spooled(gateway) == []


async def test_a_card_sent_again_under_its_key_is_answered_when_no_worker_runs(
    gateway, monkeypatch
):
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
    sent = ((upload_keys.METADATA_KEY, "card-1"),)
    with pytest.raises(grpc.aio.AioRpcError) as first:
        await gateway.stub.ScanCard(request, metadata=sent)
    card_id = dict(first.value.trailing_metadata())[CARD_ID_METADATA]
    as_if_listened_a_whole_window(monkeypatch)

    with pytest.raises(grpc.aio.AioRpcError) as waiting:
        await gateway.stub.ScanCard(request, metadata=sent)
    with pytest.raises(grpc.aio.AioRpcError) as new_key:
        await gateway.stub.ScanCard(
            request, metadata=((upload_keys.METADATA_KEY, "card-2"),)
        )
    with pytest.raises(grpc.aio.AioRpcError) as other_image:
        await gateway.stub.ScanCard(
            cardscan_pb2.ScanCardRequest(image=image_bytes("GIF")), metadata=sent
        )
    contact = contact_pb2.Contact(name=contact_pb2.PersonName(full="Ana Lima"))
    await finish_card(gateway, card_id, contact=contact)
    read = await gateway.stub.ScanCard(request, metadata=sent)

    assert waiting.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert dict(waiting.value.trailing_metadata())[CARD_ID_METADATA] == card_id
    assert "no OCR worker runs to read card" in waiting.value.details()
    assert new_key.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "no OCR worker is running" in new_key.value.details()
    assert other_image.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert read.card.card_id == card_id
    assert read.card.contact.name.full == "Ana Lima"
    assert await batch_ids(gateway) == [messaging.batch_id_of(card_id)]


async def test_an_upload_sent_again_is_answered_without_reading_its_zip(
    gateway, monkeypatch
):
    surveyed = []
    survey = uploads.survey

    def counted(archive, limits):
        surveyed.append(len(archive.infolist()))
        return survey(archive, limits)

    monkeypatch.setattr(uploads, "survey", counted)
    data = make_zip(CARDS)

    first = await create(gateway, data, "upload-1")
    again = await create(gateway, data, "upload-1")

    assert again == first
    assert surveyed == [len(CARDS)]
    # The first upload's spool stays until its cards are read; the second's
    # is gone.
    assert spooled(gateway) == [f"{first.batch_id}.zip"]
