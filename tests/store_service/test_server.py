"""The store over real gRPC: ``python -m store_service`` on loopback."""

import asyncio
import logging

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from health_support import FakeDisk, health_check
from mongomock_motor import AsyncMongoMockClient
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from cardscan import disk, rpc
from cardscan.disk import FreeSpace
from cardscan.errors import Unavailable
from cardscan.stack import free_port
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2, store_pb2_grpc
from store_service import server as store_server
from store_service.mongo_backend import MongoBackend
from store_service.server import serve
from store_service.sqlite_backend import SqliteBackend

CardState = batch_pb2.CardState
MB = 1024 * 1024
SERVICE = "cardscan.v1.StoreService"


@pytest.fixture
async def channel(store_address):
    async with rpc.channel(store_address) as channel:
        yield channel


@pytest.fixture
def stub(channel):
    return store_pb2_grpc.StoreServiceStub(channel)


def register_request(batch_id, *card_ids):
    return store_pb2.RegisterBatchRequest(
        batch_id=batch_id,
        cards=[store_pb2.NewCard(card_id=i, file_name=f"{i}.png") for i in card_ids],
        skipped=[batch_pb2.SkippedEntry(name="readme.txt", reason="not an image")],
    )


async def test_every_rpc_round_trips(stub):
    contact = contact_pb2.Contact(company="Acme", emails=["a@acme.example"])

    registered = await stub.RegisterBatch(register_request("b1", "c1", "c2"))
    started = await stub.StartCard(store_pb2.StartCardRequest(card_id="c1"))
    done = await stub.FinishCard(
        store_pb2.FinishCardRequest(card_id="c1", contact=contact)
    )
    failed = await stub.FinishCard(
        store_pb2.FinishCardRequest(card_id="c2", error="blank image")
    )
    fetched = await stub.FetchBatch(store_pb2.FetchBatchRequest(batch_id="b1"))
    cards = await stub.FetchCards(store_pb2.FetchCardsRequest(batch_id="b1"))
    listed = await stub.FetchBatches(store_pb2.FetchBatchesRequest())

    assert [c.card_id for c in registered.batch.cards] == ["c1", "c2"]
    assert registered.batch.skipped[0].reason == "not an image"
    assert (started.card.state, started.card.attempts) == (
        CardState.CARD_STATE_PROCESSING,
        1,
    )
    assert (done.card.state, done.card.contact) == (CardState.CARD_STATE_DONE, contact)
    assert (failed.card.state, failed.card.error) == (
        CardState.CARD_STATE_FAILED,
        "blank image",
    )
    assert fetched.batch.state == batch_pb2.BatchState.BATCH_STATE_COMPLETE
    assert (fetched.batch.counts.done, fetched.batch.counts.failed) == (1, 1)
    assert not fetched.batch.cards[0].HasField("contact")
    assert [c.contact for c in cards.cards] == [contact, contact_pb2.Contact()]
    (summary,) = listed.batches
    assert (summary.batch_id, summary.counts.total, summary.skipped_count) == (
        "b1",
        2,
        1,
    )
    assert summary.state == batch_pb2.BatchState.BATCH_STATE_COMPLETE
    assert listed.next_page_token == ""


@pytest.mark.parametrize(
    "view",
    [batch_pb2.BatchView.BATCH_VIEW_UNSPECIFIED, batch_pb2.BatchView.BATCH_VIEW_FULL],
)
async def test_a_batch_is_fetched_with_its_cards_unless_asked_without(stub, view):
    await stub.RegisterBatch(register_request("b1", "c1", "c2"))
    await stub.FinishCard(store_pb2.FinishCardRequest(card_id="c2", error="blank"))

    full = await stub.FetchBatch(store_pb2.FetchBatchRequest(batch_id="b1", view=view))
    basic = await stub.FetchBatch(
        store_pb2.FetchBatchRequest(
            batch_id="b1", view=batch_pb2.BatchView.BATCH_VIEW_BASIC
        )
    )

    assert [c.card_id for c in full.batch.cards] == ["c1", "c2"]
    assert list(basic.batch.cards) == []
    full.batch.ClearField("cards")
    assert basic.batch == full.batch
    assert (basic.batch.counts.total, basic.batch.counts.failed) == (2, 1)
    assert basic.batch.skipped[0].reason == "not an image"


async def test_a_registration_counts_the_skipped_entries_it_tells_of(stub):
    request = register_request("b1", "c1")
    request.skipped_count = 4900

    registered = await stub.RegisterBatch(request)
    fetched = await stub.FetchBatch(store_pb2.FetchBatchRequest(batch_id="b1"))
    listed = await stub.FetchBatches(store_pb2.FetchBatchesRequest())

    for batch in registered.batch, fetched.batch:
        assert [s.name for s in batch.skipped] == ["readme.txt"]
        assert batch.skipped_count == 4900
    assert [s.skipped_count for s in listed.batches] == [4900]


async def test_cards_are_fetched_a_page_at_a_time(stub):
    await stub.RegisterBatch(register_request("b1", *(f"c{i}" for i in range(5))))

    pages, token = [], ""
    while True:
        request = store_pb2.FetchCardsRequest(
            batch_id="b1", page_size=2, page_token=token
        )
        reply = await stub.FetchCards(request)
        pages.append([c.card_id for c in reply.cards])
        token = reply.next_page_token
        if not token:
            break
    whole = await stub.FetchCards(store_pb2.FetchCardsRequest(batch_id="b1"))

    assert pages == [["c0", "c1"], ["c2", "c3"], ["c4"]]
    assert [c.card_id for c in whole.cards] == [f"c{i}" for i in range(5)]
    assert whole.next_page_token == ""


async def test_a_page_as_long_as_what_is_left_is_the_last(stub):
    await stub.RegisterBatch(register_request("b1", "c1", "c2"))

    reply = await stub.FetchCards(
        store_pb2.FetchCardsRequest(batch_id="b1", page_size=2)
    )

    assert [c.card_id for c in reply.cards] == ["c1", "c2"]
    assert reply.next_page_token == ""


async def test_a_page_token_of_another_batch_is_refused(stub):
    await stub.RegisterBatch(register_request("b1", "c1", "c2"))
    await stub.RegisterBatch(register_request("b2", "d1", "d2"))
    first = await stub.FetchCards(
        store_pb2.FetchCardsRequest(batch_id="b1", page_size=1)
    )

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.FetchCards(
            store_pb2.FetchCardsRequest(
                batch_id="b2", page_size=1, page_token=first.next_page_token
            )
        )

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details() == (
        f"page_token {first.next_page_token!r} is not one a listing of batch"
        " b2's cards gave"
    )


async def test_registering_a_batch_again_is_idempotent_over_grpc(stub):
    first = await stub.RegisterBatch(register_request("b1", "c1"))

    again = await stub.RegisterBatch(register_request("b1", "c1"))

    assert again.batch == first.batch


@pytest.mark.parametrize(
    ("call", "code", "message"),
    [
        (
            lambda stub: stub.RegisterBatch(register_request("", "c9")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "batch_id is empty",
        ),
        (
            lambda stub: stub.RegisterBatch(register_request("b9", "c9", "c9")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "card_id 'c9' appears twice in batch 'b9'",
        ),
        (
            lambda stub: stub.RegisterBatch(register_request("b1", "other")),
            grpc.StatusCode.ALREADY_EXISTS,
            "batch 'b1' is already registered with different cards: card 0 is"
            " 'c1' named 'c1.png', not 'other' named 'other.png'",
        ),
        (
            lambda stub: stub.StartCard(store_pb2.StartCardRequest(card_id="nope")),
            grpc.StatusCode.NOT_FOUND,
            "no card has card_id 'nope'",
        ),
        (
            lambda stub: stub.FinishCard(store_pb2.FinishCardRequest(card_id="c1")),
            grpc.StatusCode.INVALID_ARGUMENT,
            "card 'c1' is finished with neither a contact nor an error",
        ),
        (
            lambda stub: stub.FinishCard(
                store_pb2.FinishCardRequest(card_id="c1", error="")
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "card 'c1' is finished with neither a contact nor an error",
        ),
        (
            lambda stub: stub.FetchBatch(store_pb2.FetchBatchRequest(batch_id="x")),
            grpc.StatusCode.NOT_FOUND,
            "no batch has batch_id 'x'",
        ),
        (
            lambda stub: stub.FetchCards(store_pb2.FetchCardsRequest(batch_id="x")),
            grpc.StatusCode.NOT_FOUND,
            "no batch has batch_id 'x'",
        ),
        (
            lambda stub: stub.FetchBatches(store_pb2.FetchBatchesRequest(page_size=-5)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_size is -5: give a positive number, or 0 for 20",
        ),
        (
            lambda stub: stub.FetchCards(
                store_pb2.FetchCardsRequest(batch_id="b1", page_size=-1)
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_size is -1: give a positive number, or 0 for every card",
        ),
        (
            lambda stub: stub.FetchCards(
                store_pb2.FetchCardsRequest(batch_id="b1", page_token="garbage!")
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "page_token 'garbage!' is not one a listing of batch b1's cards gave",
        ),
        (
            lambda stub: stub.FetchBatch(
                store_pb2.FetchBatchRequest(batch_id="b1", view=7)
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "view is 7, which is no BatchView: give BATCH_VIEW_BASIC (1) or"
            " BATCH_VIEW_FULL (2), or leave it out for BATCH_VIEW_FULL",
        ),
    ],
    ids=[
        "empty-batch-id",
        "duplicate-card-id",
        "batch-with-other-cards",
        "start-unknown-card",
        "finish-without-outcome",
        "finish-with-empty-error",
        "fetch-unknown-batch",
        "fetch-cards-of-unknown-batch",
        "negative-page-size",
        "negative-card-page-size",
        "card-page-token-no-listing-gave",
        "fetch-in-unknown-view",
    ],
)
async def test_errors_arrive_as_status_codes_with_messages(stub, call, code, message):
    await stub.RegisterBatch(register_request("b1", "c1"))

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call(stub)

    assert raised.value.code() == code
    assert raised.value.details() == message


async def test_health_service_answers_serving(channel):
    health = health_pb2_grpc.HealthStub(channel)

    overall = await health.Check(health_pb2.HealthCheckRequest())
    store = await health.Check(
        health_pb2.HealthCheckRequest(service="cardscan.v1.StoreService")
    )

    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert store.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_store_service(channel):
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")

    replies = [reply async for reply in reflection.ServerReflectionInfo([request])]

    names = {s.name for s in replies[0].list_services_response.service}
    assert "cardscan.v1.StoreService" in names


@pytest.mark.parametrize(
    ("pragma", "said"),
    [
        # Every write then fails as on a database the store may only read.
        ("PRAGMA query_only = ON", "attempt to write a readonly database"),
        # No page may be added then, as on a full disk.
        ("PRAGMA max_page_count = 1", "database or disk is full"),
    ],
)
async def test_a_database_that_cannot_be_written_is_unavailable_naming_it(
    tmp_path, caplog, pragma, said
):
    backend = SqliteBackend(tmp_path / "store.sqlite3")
    await backend.open()
    server = await serve("127.0.0.1:0", backend)
    try:
        await backend._run(backend.db.execute, pragma)
        async with rpc.channel(f"127.0.0.1:{server.port}") as channel:
            stub = store_pb2_grpc.StoreServiceStub(channel)
            cards = (f"c{i}" for i in range(500))
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.RegisterBatch(register_request("b1", *cards))
            listed = await stub.FetchBatches(store_pb2.FetchBatchesRequest())
    finally:
        await server.stop(0)
        await backend.close()

    message = f"the store's database at {backend.path} cannot be written: {said}"
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.value.details() == message
    assert list(listed.batches) == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [f"RegisterBatch failed: {message}"]


async def test_a_page_token_of_one_listing_is_refused_by_the_other(stub):
    await stub.RegisterBatch(register_request("b1", "c1", "c2"))
    await stub.RegisterBatch(register_request("b2", "d1"))
    cards = await stub.FetchCards(
        store_pb2.FetchCardsRequest(batch_id="b1", page_size=1)
    )
    batches = await stub.FetchBatches(store_pb2.FetchBatchesRequest(page_size=1))

    with pytest.raises(grpc.aio.AioRpcError) as batch_listing:
        await stub.FetchBatches(
            store_pb2.FetchBatchesRequest(page_token=cards.next_page_token)
        )
    with pytest.raises(grpc.aio.AioRpcError) as card_listing:
        await stub.FetchCards(
            store_pb2.FetchCardsRequest(
                batch_id="b2", page_token=batches.next_page_token
            )
        )

    assert batch_listing.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert card_listing.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_mongodb_out_of_reach_is_unavailable_saying_so(caplog):
    # Nothing listens on a port just given up, so every call waits out the
    # server selection timeout as on a MongoDB that went away.
    url = f"mongodb://127.0.0.1:{free_port()}"
    client = AsyncMongoClient(url, serverSelectionTimeoutMS=200)
    server = await serve("127.0.0.1:0", MongoBackend(client["cardscan"]))
    try:
        async with rpc.channel(f"127.0.0.1:{server.port}") as channel:
            stub = store_pb2_grpc.StoreServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.FetchBatch(store_pb2.FetchBatchRequest(batch_id="b1"))
    finally:
        await server.stop(0)
        await client.close()

    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.value.details().startswith(
        "MongoDB (MONGO_URL) cannot be reached: 127.0.0.1:"
    )
    assert "Unexpected" not in caplog.text


class Unauthorised:
    """A MongoDB collection whose every call is refused as to a user
    without rights on the database."""

    def __getattr__(self, name):
        async def refuse(*args, **kwargs):
            raise OperationFailure("not authorized on cardscan", code=13)

        return refuse


async def test_a_mongodb_user_without_rights_is_a_storage_fault(caplog):
    database = AsyncMongoMockClient()["cardscan"]
    backend = MongoBackend(database)
    backend._batches = backend._cards = Unauthorised()
    server = await serve("127.0.0.1:0", backend)
    try:
        async with rpc.channel(f"127.0.0.1:{server.port}") as channel:
            stub = store_pb2_grpc.StoreServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.RegisterBatch(register_request("b1", "c1"))
    finally:
        await server.stop(0)

    message = (
        "MongoDB refused the store's user (MONGO_URL): it needs to read and write"
        " the database: not authorized on cardscan"
    )
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.value.details() == message
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [f"RegisterBatch failed: {message}"]


class Flickering:
    """A backend whose database answers pings only while told to."""

    def __init__(self):
        self.answers = True
        self.pinged = asyncio.Event()

    async def ping(self):
        self.pinged.set()
        if not self.answers:
            raise Unavailable("MongoDB (MONGO_URL) cannot be reached: refused")


async def test_health_follows_whether_the_database_answers(monkeypatch, caplog):
    monkeypatch.setattr(store_server, "CHECK_SECONDS", 0.01)
    caplog.set_level(logging.INFO, logger="store_service.server")
    backend = Flickering()
    server = await serve("127.0.0.1:0", backend)
    watching = asyncio.create_task(store_server.watch_backend(server, backend))

    async def status_after_pings():
        # Two pings: the one whose answer the status follows is over.
        for _ in range(2):
            backend.pinged.clear()
            await backend.pinged.wait()
        reply = await health.Check(
            health_pb2.HealthCheckRequest(service="cardscan.v1.StoreService")
        )
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    try:
        async with rpc.channel(f"127.0.0.1:{server.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            statuses = [await status_after_pings()]
            backend.answers = False
            statuses += [await status_after_pings(), await status_after_pings()]
            backend.answers = True
            statuses += [await status_after_pings(), await status_after_pings()]
    finally:
        watching.cancel()
        await server.stop(0)

    assert statuses == ["SERVING", "NOT_SERVING", "NOT_SERVING", "SERVING", "SERVING"]
    changes = [
        r.getMessage() for r in caplog.records if r.name == "store_service.server"
    ]
    assert changes == [
        "the database does not answer (MongoDB (MONGO_URL) cannot be reached:"
        " refused): the store is NOT_SERVING",
        "the database answers again: the store is SERVING",
    ]


@pytest.mark.parametrize("kind", ["sqlite", "mongomock"])
async def test_a_database_that_answers_is_pinged_without_error(tmp_path, kind):
    if kind == "sqlite":
        backend = SqliteBackend(tmp_path / "store.sqlite3")
    else:
        backend = MongoBackend(AsyncMongoMockClient()["cardscan"])
    await backend.open()
    try:
        assert await backend.ping() is None
    finally:
        await backend.close()


async def test_an_upload_key_is_found_over_grpc(stub, stack_parts):
    request = register_request("b1", "c1")
    request.upload_key, request.upload_digest = "k1", "d1"
    await stub.RegisterBatch(request)

    found = await stub.FindUpload(
        store_pb2.FindUploadRequest(upload_key="k1", upload_digest="d1")
    )
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.FindUpload(store_pb2.FindUploadRequest(upload_key="k2"))

    assert found.batch.batch_id == "b1"
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    # Every new upload asks for a key no batch holds yet: no warning of it.
    log = (stack_parts.logs / "store.log").read_text()
    assert "WARNING" not in log


async def until_store_status(server, status: str) -> tuple[str, str]:
    """Waits until the store's health service answers the status; its
    answer, with the reason it gives."""
    async with asyncio.timeout(30):
        while (answer := await health_check(server, SERVICE))[0] != status:
            await asyncio.sleep(0.01)
    return answer


@pytest.fixture
async def sqlite_store(tmp_path):
    """A store on SQLite, served on a free port, not yet watched."""
    backend = SqliteBackend(tmp_path / "store.sqlite3")
    await backend.open()
    server = await serve("127.0.0.1:0", backend)
    yield server, backend
    await server.stop(0)
    await backend.close()


async def test_a_store_whose_disk_is_short_of_space_is_not_serving_until_it_has_room(
    sqlite_store, tmp_path, monkeypatch, caplog
):
    fake = FakeDisk(free=12 * MB)
    monkeypatch.setattr(disk, "free_bytes", fake.free_bytes)
    monkeypatch.setattr(store_server, "CHECK_SECONDS", 0.01)
    caplog.set_level(logging.INFO, logger="store_service.server")
    server, backend = sqlite_store
    free_space = FreeSpace(tmp_path, 100, "the store")
    watching = asyncio.create_task(
        store_server.watch_backend(server, backend, free_space)
    )
    try:
        short = await until_store_status(server, "NOT_SERVING")
        fake.free = 100 * MB
        back = await until_store_status(server, "SERVING")
    finally:
        watching.cancel()

    reason = (
        f"the disk of {tmp_path} has 12 MB free, under the 100 MB the store keeps"
        " free (MIN_FREE_DISK_MB)"
    )
    assert short == ("NOT_SERVING", reason)
    assert back == ("SERVING", "")
    assert set(fake.asked) == {tmp_path}
    changes = [
        r.getMessage() for r in caplog.records if r.name == "store_service.server"
    ]
    assert changes == [
        f"{reason}: the store is NOT_SERVING",
        f"the disk of {tmp_path} has room again: the store is SERVING",
    ]


async def test_a_store_keeping_no_free_space_leaves_its_disk_unchecked(
    sqlite_store, tmp_path, monkeypatch
):
    fake = FakeDisk(free=0)
    monkeypatch.setattr(disk, "free_bytes", fake.free_bytes)
    monkeypatch.setattr(store_server, "CHECK_SECONDS", 0.01)
    server, backend = sqlite_store
    free_space = FreeSpace(tmp_path, 0, "the store")
    watching = asyncio.create_task(
        store_server.watch_backend(server, backend, free_space)
    )
    try:
        # Checks enough to have found the disk short, were it checked.
        await asyncio.sleep(0.2)
        answer = await health_check(server, SERVICE)
    finally:
        watching.cancel()

    assert answer == ("SERVING", "")
    assert fake.asked == []
