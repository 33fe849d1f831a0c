"""The gRPC CardScanService against a real gateway, NATS and store."""

import asyncio
import dataclasses
import logging
import os
import re

import grpc
import pytest
from gateway_support import (
    as_if_listened_a_whole_window,
    finish_card,
    image_bytes,
    logged,
    make_zip,
    many_skipped_entries,
    queued_messages,
    running_gateway,
    skipped_name,
    with_limits,
)
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import messaging, rpc, skips
from cardscan.v1 import (
    batch_pb2,
    cardscan_pb2,
    cardscan_pb2_grpc,
    contact_pb2,
    store_pb2,
    store_pb2_grpc,
)
from gateway import batches, workers
from gateway.uploads import MAX_NAME_CHARS

CHUNK = 4096


def upload_requests(data: bytes):
    for at in range(0, len(data), CHUNK):
        yield cardscan_pb2.CreateBatchRequest(chunk=data[at : at + CHUNK])


async def create(gateway, entries: dict[str, bytes]):
    return await gateway.stub.CreateBatch(upload_requests(make_zip(entries)))


async def test_chunked_upload_queues_its_cards(gateway):
    png = image_bytes("PNG", (300, 200))

    created = await create(gateway, {"a.png": png, "b.gif": image_bytes("GIF")})
    messages = await queued_messages(gateway.js, 2)

    assert created.accepted == 2
    assert list(created.skipped) == []
    assert created.notice == ""
    assert messages[0].data == png
    assert messages[0].headers[messaging.CARD_ID_HEADER] == f"{created.batch_id}-0"


async def test_get_batch_and_contacts_follow_the_store(gateway):
    created = await create(gateway, {"a.png": image_bytes(), "b.txt": b"text"})
    request = {"batch_id": created.batch_id}

    got = await gateway.stub.GetBatch(cardscan_pb2.GetBatchRequest(**request))
    listed = await gateway.stub.ListContacts(
        cardscan_pb2.ListContactsRequest(**request)
    )

    batch = got.batch
    assert (batch.batch_id, batch.counts.total, batch.counts.queued) == (
        created.batch_id,
        1,
        1,
    )
    assert [s.name for s in batch.skipped] == ["b.txt"]
    assert batch.workers_online == 0
    assert "checking for OCR workers" in batch.notice
    assert [c.file_name for c in listed.cards] == ["a.png"]


async def test_an_upload_of_many_skipped_entries_lists_the_first_and_counts_all(
    gateway,
):
    created = await create(gateway, many_skipped_entries(250))
    request = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)
    got = await gateway.stub.GetBatch(request)
    watched = gateway.stub.WatchBatch(
        cardscan_pb2.WatchBatchRequest(batch_id=created.batch_id)
    )
    first_watched = await watched.read()
    watched.cancel()
    listed = await gateway.stub.ListBatches(cardscan_pb2.ListBatchesRequest())

    assert created.accepted == 2
    first_names = [skipped_name(i) for i in range(skips.LISTED)]
    for reply, told in [
        (created, created),
        (got, got.batch),
        (first_watched, first_watched.batch),
    ]:
        assert [s.name for s in told.skipped] == first_names
        assert told.skipped_count == 250
        # Listing all 250 names of 1000 characters would take 250 kB.
        assert reply.ByteSize() < 110_000
    assert [b.skipped_count for b in listed.batches] == [250]


async def test_contacts_are_listed_page_by_page_when_asked(gateway):
    names = [f"{i}.png" for i in range(5)]
    created = await create(gateway, dict.fromkeys(names, image_bytes()))

    pages = []
    request = cardscan_pb2.ListContactsRequest(batch_id=created.batch_id, page_size=2)
    while True:
        reply = await gateway.stub.ListContacts(request)
        pages.append([c.file_name for c in reply.cards])
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token

    assert pages == [names[:2], names[2:4], names[4:]]


async def test_batches_are_listed_newest_first_page_by_page(gateway):
    older = await create(gateway, {"a.png": image_bytes(), "b.txt": b"text"})
    newer = await create(gateway, {"a.png": image_bytes(), "b.png": image_bytes()})
    await finish_card(gateway, f"{newer.batch_id}-0", error="unreadable")

    first = await gateway.stub.ListBatches(cardscan_pb2.ListBatchesRequest(page_size=1))
    second = await gateway.stub.ListBatches(
        cardscan_pb2.ListBatchesRequest(page_size=1, page_token=first.next_page_token)
    )

    (newest,) = first.batches
    assert newest.batch_id == newer.batch_id
    assert (newest.counts.total, newest.counts.failed, newest.skipped_count) == (
        2,
        1,
        0,
    )
    assert newest.state == batch_pb2.BATCH_STATE_RUNNING
    assert [(b.batch_id, b.skipped_count) for b in second.batches] == [
        (older.batch_id, 1)
    ]
    assert second.next_page_token == ""


@pytest.mark.parametrize(
    ("token", "shown"), [("nonsense", "'nonsense'"), ("A" * 17_000, "(17000 char")]
)
async def test_listing_batches_with_a_bad_page_token_is_invalid_argument(
    gateway, token, shown
):
    request = cardscan_pb2.ListBatchesRequest(page_token=token)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.ListBatches(request)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "is not one a listing of batches gave" in raised.value.details()
    assert shown in raised.value.details()


async def test_notice_says_no_worker_runs_once_a_heartbeat_window_passed(gateway):
    created = await create(gateway, {"a.png": image_bytes()})
    request = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)

    first = (await gateway.stub.GetBatch(request)).batch
    # Three heartbeat intervals must pass; look a few times an interval.
    for _ in range(60):
        batch = (await gateway.stub.GetBatch(request)).batch
        if "checking" not in batch.notice:
            break
        await asyncio.sleep(messaging.HEARTBEAT_INTERVAL_SECONDS / 4)

    assert "checking for OCR workers" in first.notice
    assert batch.workers_online == 0
    assert "no OCR worker is running" in batch.notice


async def test_heartbeats_count_workers_and_clear_the_notice(gateway):
    created = await create(gateway, {"a.png": image_bytes()})
    await gateway.nc.publish(messaging.HEARTBEAT_SUBJECT, b"worker-1")
    await gateway.nc.publish(messaging.HEARTBEAT_SUBJECT, b"worker-2")
    await gateway.nc.flush()

    request = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)
    for _ in range(50):
        batch = (await gateway.stub.GetBatch(request)).batch
        if batch.workers_online == 2:
            break
        await asyncio.sleep(0.02)

    assert batch.workers_online == 2
    assert batch.notice == ""


async def test_single_card_is_refused_at_once_after_the_last_worker_left(
    gateway, monkeypatch
):
    # A window the gateway has listened for once the sleep ends; a worker
    # that only fell silent would count for that long after its heartbeat.
    window = 3.0
    monkeypatch.setattr(workers, "WINDOW_SECONDS", window)
    await asyncio.sleep(window)
    created = await create(gateway, {"a.png": image_bytes()})
    request = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)

    async def workers_online_becomes(count: int) -> bool:
        for _ in range(25):
            if (await gateway.stub.GetBatch(request)).batch.workers_online == count:
                return True
            await asyncio.sleep(0.02)
        return False

    await gateway.nc.publish(messaging.HEARTBEAT_SUBJECT, b"worker-1")
    seen = await workers_online_becomes(1)
    beat_at = asyncio.get_running_loop().time()
    await gateway.nc.publish(messaging.WORKER_LEFT_SUBJECT, b"worker-1")
    gone = await workers_online_becomes(0)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await gateway.stub.ScanCard(
            cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
        )
    refused_after = asyncio.get_running_loop().time() - beat_at

    assert (seen, gone) == (True, True)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "no OCR worker is running" in refused.value.details()
    assert refused_after < window


async def test_single_card_stops_waiting_once_its_last_worker_falls_silent(
    gateway_settings, monkeypatch
):
    window = 1.0
    monkeypatch.setattr(workers, "WINDOW_SECONDS", window)
    settings = dataclasses.replace(gateway_settings, scan_timeout_seconds=60.0)
    async with running_gateway(settings) as gateway:
        await asyncio.sleep(window)
        # A worker that beats once and then dies without a word.
        await gateway.nc.publish(messaging.HEARTBEAT_SUBJECT, b"worker-1")
        await gateway.nc.flush()
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        with pytest.raises(grpc.aio.AioRpcError) as stopped:
            await gateway.stub.ScanCard(
                cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
            )
        waited = asyncio.get_running_loop().time() - started

    assert stopped.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "no OCR worker runs to read card" in stopped.value.details()
    assert "it stays in batch" in stopped.value.details()
    assert ", QUEUED, and is read once a worker starts" in stopped.value.details()
    assert waited < settings.scan_timeout_seconds / 2


@pytest.mark.parametrize(
    ("upload", "code", "words"),
    [
        (b"", grpc.StatusCode.INVALID_ARGUMENT, "the upload is empty"),
        (b"GIF89a....", grpc.StatusCode.INVALID_ARGUMENT, "not a ZIP file"),
        (make_zip({}), grpc.StatusCode.INVALID_ARGUMENT, "no card images"),
    ],
)
async def test_bad_uploads_are_refused_saying_why(gateway, upload, code, words):
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.CreateBatch(upload_requests(upload))

    assert raised.value.code() == code
    assert words in raised.value.details()


async def test_a_refusal_naming_many_long_entries_arrives_as_sent(gateway):
    # Thirty text files with names of a thousand characters each: the
    # refusal names some of them, shortened, within what clients accept.
    entries = {f"{i:02d}-{'名' * 1000}.txt": b"hello" for i in range(30)}

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.CreateBatch(upload_requests(make_zip(entries)))

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = raised.value.details()
    assert details.startswith("the ZIP has no card images: skipped 00-名")
    assert "is not an image; it looks like text" in details
    assert details.endswith("; and 20 more")
    assert len(details.encode()) < 4096


async def test_upload_over_the_limit_is_resource_exhausted(gateway_settings):
    settings = with_limits(gateway_settings, max_upload_bytes=10_000)
    upload = make_zip({"noise.png": os.urandom(30_000)})

    async with running_gateway(settings) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.stub.CreateBatch(upload_requests(upload))

    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "10000 bytes" in raised.value.details()


async def test_scanned_image_over_the_upload_limit_is_resource_exhausted(
    gateway_settings,
):
    settings = with_limits(gateway_settings, max_upload_bytes=10_000)
    image = image_bytes("BMP", (100, 100))
    request = cardscan_pb2.ScanCardRequest(image=image)

    async with running_gateway(settings) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.stub.ScanCard(request)

    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert raised.value.details() == (
        f"the image is {len(image)} bytes, over the 10000 bytes allowed for one "
        "image (MAX_UPLOAD_BYTES)"
    )


async def test_scanned_image_over_the_pixel_limit_is_resource_exhausted(
    gateway_settings,
):
    settings = with_limits(gateway_settings, max_image_pixels=100)
    request = cardscan_pb2.ScanCardRequest(image=image_bytes("PNG", (40, 20)))

    async with running_gateway(settings) as gateway:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await gateway.stub.ScanCard(request)

    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert raised.value.details() == (
        "the upload is a PNG image of 40x20 pixels, more than the 100 pixels "
        "allowed (MAX_IMAGE_PIXELS)"
    )


async def test_unknown_batch_is_not_found(gateway):
    request = cardscan_pb2.GetBatchRequest(batch_id="f" * 32)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.GetBatch(request)

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def watch_two_cards_end(gateway, view=0) -> list[batch_pb2.Batch]:
    """What WatchBatch streams, in the view, for a batch of two cards that
    end once the first message has come: one failed, one done."""
    created = await create(gateway, {"a.png": image_bytes(), "b.png": image_bytes()})
    request = cardscan_pb2.WatchBatchRequest(batch_id=created.batch_id, view=view)
    seen = []

    async def finish_both():
        await finish_card(gateway, f"{created.batch_id}-0", error="blurred")
        await finish_card(
            gateway, f"{created.batch_id}-1", contact=contact_pb2.Contact()
        )

    async for reply in gateway.stub.WatchBatch(request):
        seen.append(reply.batch)
        if len(seen) == 1:
            worker = asyncio.create_task(finish_both())
    await worker
    return seen


async def test_watch_streams_each_change_until_complete(gateway):
    seen = await watch_two_cards_end(gateway)

    assert seen[0].counts.queued == 2
    assert seen[-1].state == batch_pb2.BATCH_STATE_COMPLETE
    assert (seen[-1].counts.done, seen[-1].counts.failed) == (1, 1)
    assert all(s.state == batch_pb2.BATCH_STATE_RUNNING for s in seen[:-1])


BASIC = batch_pb2.BatchView.BATCH_VIEW_BASIC
FULL = batch_pb2.BatchView.BATCH_VIEW_FULL


def without_cards(batch):
    """The batch as it is with its cards left out."""
    basic = batch_pb2.Batch()
    basic.CopyFrom(batch)
    basic.ClearField("cards")
    return basic


async def test_get_batch_in_the_basic_view_leaves_out_the_cards_alone(gateway):
    created = await create(
        gateway, {"a.png": image_bytes(), "b.txt": b"text", "c.png": image_bytes()}
    )
    await finish_card(gateway, f"{created.batch_id}-1", error="blurred")
    request = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)

    unnamed = (await gateway.stub.GetBatch(request)).batch
    request.view = FULL
    full = (await gateway.stub.GetBatch(request)).batch
    request.view = BASIC
    basic = (await gateway.stub.GetBatch(request)).batch

    assert [c.file_name for c in unnamed.cards] == ["a.png", "c.png"]
    assert unnamed == full
    assert list(basic.cards) == []
    assert basic == without_cards(full)
    assert (basic.counts.total, basic.counts.queued, basic.counts.failed) == (2, 1, 1)
    assert [s.name for s in basic.skipped] == ["b.txt"]
    assert "checking for OCR workers" in basic.notice


async def test_watch_in_the_basic_view_streams_the_batch_without_its_cards(gateway):
    seen = await watch_two_cards_end(gateway, BASIC)

    assert all(list(s.cards) == [] for s in seen)
    assert seen[0].counts.queued == 2
    assert seen[-1].state == batch_pb2.BATCH_STATE_COMPLETE
    assert (seen[-1].counts.done, seen[-1].counts.failed) == (1, 1)


async def register_batch_over_4_mb(gateway, batch_id: str) -> None:
    """Registers 4,500 cards with names of 1,000 characters: over 4 MB with
    their cards."""
    cards = [
        store_pb2.NewCard(card_id=f"{batch_id}-{i}", file_name=f"{i:05}{'n' * 995}")
        for i in range(4500)
    ]
    await gateway.store.RegisterBatch(
        store_pb2.RegisterBatchRequest(batch_id=batch_id, cards=cards)
    )


async def test_a_batch_too_big_for_a_default_client_is_followed_in_the_basic_view(
    gateway,
):
    batch_id = "b" * 32
    await register_batch_over_4_mb(gateway, batch_id)

    # A client as gRPC makes it, taking replies of up to 4 MB.
    async with grpc.aio.insecure_channel(gateway.settings.grpc_listen) as channel:
        stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.GetBatch(cardscan_pb2.GetBatchRequest(batch_id=batch_id))
        got = await stub.GetBatch(
            cardscan_pb2.GetBatchRequest(batch_id=batch_id, view=BASIC)
        )
        watch = stub.WatchBatch(
            cardscan_pb2.WatchBatchRequest(batch_id=batch_id, view=BASIC)
        )
        watched = await watch.read()
        watch.cancel()

    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (got.batch.counts.total, got.batch.counts.queued) == (4500, 4500)
    assert list(got.batch.cards) == []
    assert watched.batch.counts == got.batch.counts


async def test_a_full_watch_too_big_for_its_watcher_is_logged_in_one_line(
    gateway, caplog
):
    caplog.set_level(logging.INFO, logger="gateway")
    # Last, as it sets the level caplog records at too.
    caplog.set_level(logging.DEBUG, logger="grpc")
    batch_id = "c" * 32
    await register_batch_over_4_mb(gateway, batch_id)

    # A client as gRPC makes it, taking replies of up to 4 MB.
    async with grpc.aio.insecure_channel(gateway.settings.grpc_listen) as channel:
        stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
        watch = stub.WatchBatch(cardscan_pb2.WatchBatchRequest(batch_id=batch_id))
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await watch.read()
    # gRPC ends the call on the gateway's side, logging a traceback if the
    # gateway leaves it a failure to report.
    ended = await logged(caplog, "/cardscan.v1.CardScanService/WatchBatch]")

    assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert ended
    [said] = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert said.levelname == "INFO"
    assert re.fullmatch(
        f"watch of batch {batch_id} ended: its watcher went away before it "
        r"took a reply, which it may have refused: at 49\d{5} bytes the reply "
        "is over the 4 MB a gRPC client takes unless told more; "
        "BATCH_VIEW_BASIC follows a batch of any size",
        said.getMessage(),
    )
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize("view", [3, -1])
async def test_a_view_that_is_no_batch_view_is_refused_saying_so(gateway, view):
    created = await create(gateway, {"a.png": image_bytes()})
    message = (
        f"view is {view}, which is no BatchView: give BATCH_VIEW_BASIC (1) or"
        " BATCH_VIEW_FULL (2), or leave it out for BATCH_VIEW_FULL"
    )
    get = cardscan_pb2.GetBatchRequest(batch_id=created.batch_id, view=view)
    watch = cardscan_pb2.WatchBatchRequest(batch_id=created.batch_id, view=view)

    with pytest.raises(grpc.aio.AioRpcError) as got:
        await gateway.stub.GetBatch(get)
    with pytest.raises(grpc.aio.AioRpcError) as watched:
        await gateway.stub.WatchBatch(watch).read()

    for raised in (got, watched):
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert raised.value.details() == message


@pytest.mark.parametrize(
    ("batch_id", "code", "message"),
    [
        (
            "",
            grpc.StatusCode.INVALID_ARGUMENT,
            "no batch id was given: give the batch_id its upload was answered with",
        ),
        ("x" * 5000, grpc.StatusCode.NOT_FOUND, "no batch has batch_id 'xxxxx"),
        ("nope\x00", grpc.StatusCode.NOT_FOUND, "no batch has batch_id 'nope\\x00'"),
    ],
)
async def test_a_batch_id_of_no_batch_is_refused_saying_so(
    gateway, batch_id, code, message
):
    request = cardscan_pb2.GetBatchRequest(batch_id=batch_id)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.GetBatch(request)

    assert raised.value.code() == code
    assert raised.value.details().startswith(message)
    assert len(raised.value.details()) < 120


async def test_watching_an_unknown_batch_is_not_found_at_once(gateway):
    call = gateway.stub.WatchBatch(cardscan_pb2.WatchBatchRequest(batch_id="f" * 32))

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call.read()

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert "f" * 32 in raised.value.details()


async def test_store_outage_is_unavailable_naming_the_store(gateway, stack_parts):
    created = await create(gateway, {"a.png": image_bytes()})
    stack_parts.stop_process("store")

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.ListContacts(
            cardscan_pb2.ListContactsRequest(batch_id=created.batch_id)
        )

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details() == (
        f"the store at {gateway.settings.store_addr} is unreachable "
        "(connection refused)"
    )


async def test_watch_rides_out_a_store_restart_to_the_batch_end(
    gateway, stack_parts, caplog
):
    created = await create(gateway, {"a.png": image_bytes()})
    batch_id = created.batch_id
    call = gateway.stub.WatchBatch(cardscan_pb2.WatchBatchRequest(batch_id=batch_id))
    first = (await call.read()).batch

    stack_parts.stop_process("store")
    await gateway.nc.publish(messaging.event_subject(batch_id), b"look again")
    outage_seen = await logged(caplog, f"watch of batch {batch_id}: the store at")
    stack_parts.start_store()
    async with rpc.channel(stack_parts.store_address) as channel:
        store = store_pb2_grpc.StoreServiceStub(channel)
        restarted = dataclasses.replace(gateway, store=store)
        await finish_card(restarted, f"{batch_id}-0", contact=contact_pb2.Contact())
    rest = []
    while (reply := await call.read()) != grpc.aio.EOF:
        rest.append(reply.batch)

    assert outage_seen
    assert first.state == batch_pb2.BATCH_STATE_RUNNING
    assert rest[-1].state == batch_pb2.BATCH_STATE_COMPLETE
    assert rest[-1].counts.done == 1
    assert await call.code() == grpc.StatusCode.OK


async def test_watch_ends_unavailable_naming_the_store_once_an_outage_outlasts_it(
    gateway, stack_parts, monkeypatch
):
    monkeypatch.setattr(batches, "STORE_OUTAGE_SECONDS", 0.0)
    created = await create(gateway, {"a.png": image_bytes()})
    batch_id = created.batch_id
    call = gateway.stub.WatchBatch(cardscan_pb2.WatchBatchRequest(batch_id=batch_id))
    await call.read()

    stack_parts.stop_process("store")
    await gateway.nc.publish(messaging.event_subject(batch_id), b"look again")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call.read()

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details().startswith(
        f"the store at {gateway.settings.store_addr} is unreachable ("
    )
    assert raised.value.details().endswith(
        f"; stopped following batch {batch_id} after 0 s without the store"
    )


async def test_cancelled_watch_leaves_the_gateway_serving(gateway):
    created = await create(gateway, {"a.png": image_bytes()})
    call = gateway.stub.WatchBatch(
        cardscan_pb2.WatchBatchRequest(batch_id=created.batch_id)
    )

    first = await call.read()
    call.cancel()
    again = await gateway.stub.GetBatch(
        cardscan_pb2.GetBatchRequest(batch_id=created.batch_id)
    )

    assert first.batch.batch_id == again.batch.batch_id
    assert call.cancelled()


async def test_scan_card_returns_the_failed_card_with_its_reason(gateway):
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="x.png")
    reply = asyncio.ensure_future(gateway.stub.ScanCard(request))
    (message,) = await queued_messages(gateway.js, 1, single=True)
    await finish_card(gateway, message.headers[messaging.CARD_ID_HEADER], error="dark")

    card = (await reply).card

    assert (card.file_name, card.state, card.error) == (
        "x.png",
        batch_pb2.CARD_STATE_FAILED,
        "dark",
    )


async def test_scan_card_keeps_a_very_long_file_name_cut_in_the_middle(gateway):
    name = "a" * 65_530 + ".png"
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name=name)
    reply = asyncio.ensure_future(gateway.stub.ScanCard(request))
    (message,) = await queued_messages(gateway.js, 1, single=True)
    await finish_card(gateway, message.headers[messaging.CARD_ID_HEADER], error="x")

    card = (await reply).card

    assert len(card.file_name) == MAX_NAME_CHARS
    assert card.file_name.endswith("aaaa.png")


async def test_scan_card_times_out_with_deadline_exceeded(gateway):
    request = cardscan_pb2.ScanCardRequest(image=image_bytes())

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.ScanCard(request)

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "still to be read: fetch it later" in raised.value.details()


async def test_a_single_card_its_caller_leaves_is_logged_and_stays_queued(
    gateway, caplog
):
    caplog.set_level(logging.INFO)
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.ScanCard(request, timeout=1)
    left = await logged(caplog, "its caller left before it was read")
    (queued,) = await queued_messages(gateway.js, 1, single=True)

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert left
    assert queued.data == image_bytes()


async def test_a_single_card_lost_with_its_stream_is_queued_again_on_timeout(
    gateway,
):
    request = cardscan_pb2.ScanCardRequest(image=image_bytes(), file_name="a.png")
    reply = asyncio.ensure_future(gateway.stub.ScanCard(request))
    (queued,) = await queued_messages(gateway.js, 1, single=True)
    await gateway.js.delete_stream(messaging.SCAN_STREAM)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await reply
    (again,) = await queued_messages(gateway.js, 1, single=True)

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "still to be read: fetch it later" in raised.value.details()
    card_id = messaging.CARD_ID_HEADER
    assert again.headers[card_id] == queued.headers[card_id]
    assert again.data == queued.data


async def test_scan_card_with_no_worker_running_is_unavailable_at_once(
    gateway, monkeypatch
):
    as_if_listened_a_whole_window(monkeypatch)
    request = cardscan_pb2.ScanCardRequest(image=image_bytes())

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.ScanCard(request)
    stream = await gateway.js.stream_info(messaging.SCAN_STREAM)

    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details().startswith(
        "no OCR worker is running (none has sent a heartbeat in 6 s: none was"
        " started, or each has stopped, hangs or cannot reach the store);"
        " start one"
    )
    assert stream.state.messages == 0


async def test_health_and_reflection_are_served(gateway):
    async with rpc.channel(gateway.settings.grpc_listen) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        reply = await health.Check(
            health_pb2.HealthCheckRequest(service="cardscan.v1.CardScanService")
        )

    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def health_turns(health, service: str, status: int) -> int:
    """The service's health once it turns to the status, looking for a while."""
    for _ in range(200):
        request = health_pb2.HealthCheckRequest(service=service)
        seen = (await health.Check(request)).status
        if seen == status:
            break
        await asyncio.sleep(0.05)
    return seen


@pytest.mark.parametrize("service", ["", "cardscan.v1.CardScanService"])
async def test_health_is_not_serving_while_nats_is_down(gateway, stack_parts, service):
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
    async with rpc.channel(gateway.settings.grpc_listen) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        before = await health_turns(health, service, serving)
        stack_parts.stop_process("nats")
        during = await health_turns(health, service, not_serving)
        stack_parts.start_nats()
        after = await health_turns(health, service, serving)

    assert (before, during, after) == (serving, not_serving, serving)


async def test_batch_with_no_worker_running_is_taken_with_a_notice(
    gateway, monkeypatch
):
    as_if_listened_a_whole_window(monkeypatch)

    created = await create(gateway, {"a.png": image_bytes()})
    (message,) = await queued_messages(gateway.js, 1)

    assert created.accepted == 1
    assert created.notice.startswith(
        "no OCR worker is running (none has sent a heartbeat in 6 s: none was"
        " started, or each has stopped, hangs or cannot reach the store);"
        " the cards wait"
    )
    assert message.headers[messaging.CARD_ID_HEADER] == f"{created.batch_id}-0"


async def test_an_upload_its_client_abandons_is_logged_and_nothing_kept(
    gateway, caplog
):
    caplog.set_level(logging.INFO)

    async def stalled():
        yield cardscan_pb2.CreateBatchRequest(chunk=make_zip({"a.png": b"x"})[:100])
        await asyncio.sleep(30)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await gateway.stub.CreateBatch(stalled(), timeout=1)
    cancelled = await logged(
        caplog,
        "upload cancelled by its client before it was complete; nothing was accepted",
    )

    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert cancelled
    assert list(gateway.settings.upload_dir.iterdir()) == []
