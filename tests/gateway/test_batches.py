"""The batch logic with a real NATS and store: subscriptions and queueing."""

import asyncio
import functools
import logging
import time
import uuid

import pytest
from gateway_support import image_bytes, make_zip, queued_messages
from nats.js.errors import BadRequestError

from cardscan import messaging, rpc
from cardscan.errors import InvalidInput, Unavailable
from cardscan.health import watch_store
from cardscan.v1 import batch_pb2, contact_pb2, store_pb2
from cardscan.v1.store_pb2_grpc import StoreServiceStub
from gateway import batches as batches_module
from gateway.batches import Batches
from gateway.health import NATS, STORE, GatewayStanding
from gateway.queue import CardQueue
from gateway.uploads import MAX_NAME_CHARS
from gateway.workers import Workers


@pytest.fixture
async def nc(nats_url):
    connection = await messaging.connect(nats_url, name="test-batches")
    yield connection
    await connection.close()


@pytest.fixture
async def standing(gateway_settings):
    """The gateway's standing with NATS up, told whether the store answers
    as a gateway tells it, once the store first answered."""
    server = rpc.Server("127.0.0.1:0", [])
    await server.start(serving=False)
    standing = GatewayStanding(gateway_settings)
    await standing.attach(server)
    await standing.up(NATS)
    async with rpc.channel(gateway_settings.store_addr) as channel:
        tell = functools.partial(standing.note, STORE)
        watching = asyncio.create_task(watch_store(channel, tell))
        await serving_is(standing, True)
        yield standing
        watching.cancel()
    await server.stop(0)


async def serving_is(standing, serving: bool) -> None:
    """Waits until the standing serves, or does not."""
    async with asyncio.timeout(10):
        while standing.serving != serving:
            await asyncio.sleep(0.05)


@pytest.fixture
async def store(gateway_settings):
    """A client of the test's store on a channel of its own."""
    async with rpc.channel(gateway_settings.store_addr) as channel:
        yield StoreServiceStub(channel)


@pytest.fixture
async def make_batches(gateway_settings, nc, standing):
    """Batches over the test's NATS and store, with a queue of the test's choice."""
    async with rpc.channel(gateway_settings.store_addr) as channel:
        gateway_settings.upload_dir.mkdir(parents=True)

        async def make(queue_class=CardQueue):
            batches = Batches(gateway_settings, channel, Workers(standing), standing)
            batches.use_nats(nc, await queue_class.open(nc))
            return batches

        yield make


@pytest.fixture
async def batches(make_batches):
    return await make_batches()


async def chunks_of(data: bytes):
    yield data


def subscriptions(nc) -> int:
    # nats-py has no public count of a connection's subscriptions.
    return len(nc._subs)


async def test_closing_a_watch_drops_its_subscription(batches, nc):
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    before = subscriptions(nc)

    watch = batches.watch(created.batch_id)
    first = await anext(watch)
    during = subscriptions(nc)
    await watch.aclose()

    assert first.batch_id == created.batch_id
    assert (during, subscriptions(nc)) == (before + 1, before)


async def test_cancelling_a_watcher_drops_its_subscription(batches, nc):
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    before = subscriptions(nc)
    first_seen = asyncio.Event()

    async def watch():
        async for _ in batches.watch(created.batch_id):
            first_seen.set()

    watcher = asyncio.create_task(watch())
    await first_seen.wait()
    watcher.cancel()
    with pytest.raises(asyncio.CancelledError):
        await watcher

    assert subscriptions(nc) == before


async def cards_in_stream(nc, batch_id: str) -> dict[str, int]:
    """How many messages the card stream holds for each card of the batch."""
    subject = messaging.card_subject(f"{batch_id}-0").rsplit(".", 1)[0] + ".>"
    info = await nc.jetstream().stream_info(messaging.STREAM, subjects_filter=subject)
    return {
        name.rsplit(".", 1)[1]: count
        for name, count in (info.state.subjects or {}).items()
    }


async def read_every_card(store, batch_id: str) -> None:
    """Ends each card of the batch in the store as an OCR worker would."""
    reply = await store.FetchBatch(store_pb2.FetchBatchRequest(batch_id=batch_id))
    for card in reply.batch.cards:
        await store.StartCard(store_pb2.StartCardRequest(card_id=card.card_id))
        contact = contact_pb2.Contact(company="Acme")
        request = store_pb2.FinishCardRequest(card_id=card.card_id, contact=contact)
        await store.FinishCard(request)


def spooled(gateway_settings) -> list[str]:
    return sorted(path.name for path in gateway_settings.upload_dir.iterdir())


async def connected(nc, connected: bool) -> None:
    """Waits until the client knows whether it is connected."""
    async with asyncio.timeout(10):
        while nc.is_connected != connected:
            await asyncio.sleep(0.05)


class FlakyQueue(CardQueue):
    """A queue whose NATS refuses the cards numbered in ``refused``, and
    which counts every card it was asked to publish."""

    refused: set[int] = set()
    asked: list[str] = []

    async def publish(self, card_id, file_name, image):
        self.asked.append(card_id)
        if int(card_id.rsplit("-", 1)[1]) in self.refused:
            raise Unavailable(f"NATS did not take card {card_id}: test outage")
        await super().publish(card_id, file_name, image)


@pytest.fixture
def flaky(monkeypatch):
    monkeypatch.setattr(FlakyQueue, "asked", [])
    return FlakyQueue


async def test_card_nats_does_not_take_waits_queued_and_is_queued_later(
    make_batches, flaky, nc, gateway_settings, monkeypatch
):
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    (card,) = (await batches.get(created.batch_id)).cards
    spooled_while_waiting = spooled(gateway_settings)

    flaky.refused = set()
    await batches.settle_waiting()
    (settled,) = (await batches.get(created.batch_id)).cards

    assert (card.state, card.error) == (batch_pb2.CARD_STATE_QUEUED, "")
    assert created.notice.startswith("NATS did not confirm the card; ")
    assert spooled_while_waiting == [f"{created.batch_id}.zip"]
    assert await cards_in_stream(nc, created.batch_id) == {card.card_id: 1}
    assert settled.state == batch_pb2.CARD_STATE_QUEUED


async def test_an_upload_stops_trying_once_nats_refuses_cards_in_a_row(
    make_batches, flaky, nc, monkeypatch
):
    monkeypatch.setattr(flaky, "refused", {1, 4, 5, 6, 7, 8, 9})
    batches = await make_batches(flaky)
    entries = {f"{i}.png": image_bytes() for i in range(10)}

    created = await batches.create(chunks_of(make_zip(entries)))
    cards = (await batches.get(created.batch_id)).cards
    tried = [card_id.rsplit("-", 1)[1] for card_id in flaky.asked]
    in_stream_at_first = await cards_in_stream(nc, created.batch_id)

    flaky.refused = set()
    await batches.settle_waiting()

    assert tried == ["0", "1", "2", "3", "4", "5", "6"]
    assert {(card.state, card.error) for card in cards} == {
        (batch_pb2.CARD_STATE_QUEUED, "")
    }
    assert created.accepted == 10
    assert created.notice.startswith("NATS did not confirm 7 of the 10 cards; ")
    assert sorted(in_stream_at_first) == [f"{created.batch_id}-{i}" for i in (0, 2, 3)]
    assert await cards_in_stream(nc, created.batch_id) == {
        card.card_id: 1 for card in cards
    }


async def test_a_card_that_reached_the_stream_unconfirmed_is_not_queued_twice(
    make_batches, nc, gateway_settings, caplog
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    asked = []

    class UnconfirmedQueue(CardQueue):
        """NATS takes the card, but its confirmation never arrives."""

        async def publish(self, card_id, file_name, image):
            asked.append(card_id)
            await super().publish(card_id, file_name, image)
            if len(asked) == 1:
                raise Unavailable(f"NATS did not take card {card_id}: timeout")

    batches = await make_batches(UnconfirmedQueue)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    await batches.settle_waiting()

    assert created.notice == (
        "NATS did not confirm the card; the gateway keeps the upload and, once "
        "NATS answers, queues it unless already in the queue, so that each is "
        "read once"
    )
    assert asked == [f"{created.batch_id}-0"]
    assert await cards_in_stream(nc, created.batch_id) == {asked[0]: 1}
    assert said_by_batches(caplog, "resumed") == [
        f"batch {created.batch_id} resumed: 0 card(s) re-queued, 1 found in the "
        "queue already"
    ]


async def test_waiting_cards_wait_for_nats_to_come_back(
    make_batches, flaky, nc, gateway_settings, stack_parts, monkeypatch
):
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    flaky.refused = set()
    stack_parts.stop_process("nats")
    await connected(nc, False)
    await batches.settle_waiting()
    spooled_while_down = spooled(gateway_settings)

    stack_parts.start_nats()
    await connected(nc, True)
    await batches.settle_waiting()

    assert flaky.asked == [f"{created.batch_id}-0"] * 2
    assert spooled_while_down == [f"{created.batch_id}.zip"]
    assert await cards_in_stream(nc, created.batch_id) == {flaky.asked[0]: 1}


def said_by_batches(caplog, words: str) -> list[str]:
    """The lines the batch logic logged that hold the words."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == batches_module.__name__ and words in record.getMessage()
    ]


async def test_cards_waiting_for_nats_are_said_to_once_an_outage(
    make_batches, flaky, nc, stack_parts, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    flaky.refused = set()
    stack_parts.stop_process("nats")
    await connected(nc, False)
    for _ in range(3):
        await batches.settle_waiting()
    stack_parts.start_nats()
    await connected(nc, True)
    for _ in range(2):
        await batches.settle_waiting()

    assert said_by_batches(caplog, "upload(s)") == [
        "1 upload(s) have cards waiting for NATS, which is unreachable; they wait "
        "until it answers",
        "NATS answers again; queueing the waiting cards of 1 upload(s)",
    ]


async def test_a_gateway_whose_nats_takes_no_cards_serves_again_once_it_does(
    make_batches, flaky, standing, gateway_settings, monkeypatch
):
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    serving_while_refused = standing.serving
    # As its health checks and /healthz give it.
    reason_while_refused = standing.reason()
    with pytest.raises(Unavailable) as refused:
        standing.require_serving()
    flaky.refused = set()
    await batches.settle_waiting()

    assert serving_while_refused is False
    assert str(refused.value) == (
        f"NATS at {gateway_settings.nats_shown} takes no cards (NATS did not take card "
        f"{created.batch_id}-0: test outage); if its disk filled up, restart it "
        "once there is room, so no upload can be taken"
    )
    assert f"{reason_while_refused}, so no upload can be taken" == str(refused.value)
    assert standing.serving is True


async def test_cards_not_tried_after_refusals_are_said_to_once_a_batch(
    make_batches, flaky, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    monkeypatch.setattr(flaky, "refused", set(range(5)))
    batches = await make_batches(flaky)
    entries = {f"{i}.png": image_bytes() for i in range(5)}
    await batches.create(chunks_of(make_zip(entries)))
    for _ in range(3):
        await batches.settle_waiting()

    assert said_by_batches(caplog, "without trying") == [
        "2 more card(s) wait to be queued without trying, as NATS refused the 3 "
        "before them"
    ]


async def test_a_card_stream_nats_does_not_tell_of_is_said_once_until_it_does(
    make_batches, caplog
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    answers = [False, False, False, True, True]

    class MuteQueue(CardQueue):
        async def stream_renewed(self):
            if not answers.pop(0):
                raise Unavailable("NATS did not say: test outage")
            return await super().stream_renewed()

    batches = await make_batches(MuteQueue)
    for _ in range(5):
        await batches.settle_waiting()

    assert said_by_batches(caplog, "card stream") == [
        "could not look at the card stream: NATS did not say: test outage; "
        "trying again every 10 s",
        "the card stream can be looked at again",
    ]


def warned_by_batches(caplog) -> list[str]:
    """The warnings the batch logic logged."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == batches_module.__name__ and record.levelno >= logging.WARNING
    ]


async def test_cards_nats_refuses_while_connected_are_said_to_wait_once(
    make_batches, flaky, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    said_at_upload = warned_by_batches(caplog)
    caplog.clear()
    for _ in range(3):
        await batches.settle_waiting()
    flaky.refused = set()
    for _ in range(2):
        await batches.settle_waiting()

    assert said_at_upload == [
        f"card {created.batch_id}-0 waits to be queued: NATS did not take card "
        f"{created.batch_id}-0: test outage",
        f"batch {created.batch_id}: {created.notice}",
    ]
    assert warned_by_batches(caplog) == []
    assert said_by_batches(caplog, created.batch_id) == [
        f"batch {created.batch_id} resumed: 1 card(s) re-queued"
    ]
    assert flaky.asked == [f"{created.batch_id}-0"] * 5


async def settle_through_a_store_outage(batches, stack_parts, batch_id):
    """Tries to settle the waiting cards three times while the store is
    stopped, then twice once it is back."""
    stack_parts.stop_process("store")
    for _ in range(3):
        await batches.settle_waiting()
    await store_back(stack_parts, batches, batch_id)
    for _ in range(2):
        await batches.settle_waiting()


async def store_back(stack_parts, batches, batch_id: str) -> None:
    """Starts the store again and waits until the batches' own channel
    reaches it, which gRPC tries again after a wait of its own."""
    stack_parts.start_store()
    async with asyncio.timeout(10):
        while True:
            try:
                await batches.get(batch_id)
            except Unavailable:
                await asyncio.sleep(0.1)
            else:
                return


async def test_waiting_cards_are_said_to_stay_queued_once_a_store_outage(
    make_batches, flaky, stack_parts, caplog, monkeypatch
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    monkeypatch.setattr(batches_module, "STORE_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(flaky, "refused", {0})
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    flaky.refused = set()
    caplog.clear()
    await settle_through_a_store_outage(batches, stack_parts, created.batch_id)

    assert said_by_batches(caplog, f"batch {created.batch_id}") == [
        f"batch {created.batch_id}: its waiting cards stay QUEUED until a try gets "
        f"through; trying again every 10 s: the store at {stack_parts.store_address}"
        " is unreachable (no answer within 0.5 s)",
        f"batch {created.batch_id} resumed as NATS and the store answer again: 1 "
        "card(s) re-queued",
    ]


async def test_a_card_whose_entry_name_is_very_long_is_queued_under_a_cut_name(
    batches, nc
):
    long_name = "\x01" * 17_000 + ".png"
    upload = make_zip({long_name: image_bytes(), "ok.png": image_bytes()})

    created = await batches.create(chunks_of(upload))
    cards = (await batches.get(created.batch_id)).cards

    assert created.notice == ""
    assert [len(card.file_name) for card in cards] == [MAX_NAME_CHARS, 6]
    assert cards[0].file_name.endswith("\\x01.png")
    assert await cards_in_stream(nc, created.batch_id) == {
        card.card_id: 1 for card in cards
    }


async def test_a_card_nats_refuses_as_it_is_fails_saying_why(make_batches, nc):
    class RefusingQueue(CardQueue):
        async def _put(self, subject, card_id, image, headers):
            if card_id.endswith("-0"):
                raise BadRequestError(
                    code=400,
                    err_code=10097,
                    description="header size exceeds maximum allowed of 64k",
                )
            await super()._put(subject, card_id, image, headers)

    batches = await make_batches(RefusingQueue)
    upload = make_zip({"a.png": image_bytes(), "b.png": image_bytes()})

    created = await batches.create(chunks_of(upload))
    first, second = (await batches.get(created.batch_id)).cards

    assert created.notice.startswith(
        "1 of the 2 cards could not be queued; each says why in the batch"
    )
    assert (first.state, first.error) == (
        batch_pb2.CARD_STATE_FAILED,
        "could not be queued: NATS refused the card's message: header size "
        "exceeds maximum allowed of 64k",
    )
    assert second.state == batch_pb2.CARD_STATE_QUEUED
    assert await cards_in_stream(nc, created.batch_id) == {second.card_id: 1}


async def test_a_batch_with_waiting_cards_says_why_they_wait(make_batches, flaky):
    flaky.refused = {0, 1}
    batches = await make_batches(flaky)
    upload = make_zip({"a.png": image_bytes(), "b.png": image_bytes()})
    created = await batches.create(chunks_of(upload))

    batch = await batches.get(created.batch_id)

    assert created.notice.startswith("NATS confirmed none of the 2 cards; ")
    assert batch.notice.startswith(
        f"cards of this batch wait to be queued (last try: NATS did not take card "
        f"{created.batch_id}-1: test outage); the gateway keeps the upload and "
        "tries again every 10 s"
    )


async def test_a_card_stream_deleted_by_hand_is_created_again(batches, nc):
    await nc.jetstream().delete_stream(messaging.STREAM)

    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))

    assert created.notice == ""
    assert await cards_in_stream(nc, created.batch_id) == {f"{created.batch_id}-0": 1}


async def test_a_card_read_while_its_batch_is_settled_is_not_queued_again(
    make_batches, flaky, nc, gateway_settings, store
):
    flaky.refused = {0}
    batches = await make_batches(flaky)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    card_id = f"{created.batch_id}-0"
    holds = batches._queue.holds

    async def read_while_asked(asked_id):
        # A worker takes the card and stores it between the gateway's look
        # at the store and its look at the stream.
        await store.StartCard(store_pb2.StartCardRequest(card_id=asked_id))
        await store.FinishCard(store_pb2.FinishCardRequest(card_id=asked_id, error="x"))
        return await holds(asked_id)

    batches._queue.holds = read_while_asked
    flaky.refused = set()
    await batches.settle_waiting()

    assert flaky.asked == [card_id]
    assert await cards_in_stream(nc, created.batch_id) == {}
    assert list(gateway_settings.upload_dir.iterdir()) == []


async def test_a_gateway_starts_while_the_store_cannot_settle_its_leftovers(
    make_batches, flaky, nc, stack_parts
):
    flaky.refused = {0}
    before_restart = await make_batches(flaky)
    created = await before_restart.create(chunks_of(make_zip({"a.png": image_bytes()})))
    restarted = await make_batches()
    stack_parts.stop_process("store")

    await restarted.settle_waiting()
    waiting = await cards_in_stream(nc, created.batch_id)
    await store_back(stack_parts, restarted, created.batch_id)
    await restarted.settle_waiting()

    assert waiting == {}
    assert await cards_in_stream(nc, created.batch_id) == {f"{created.batch_id}-0": 1}


async def test_upload_is_refused_before_reading_when_the_store_is_down(
    batches, stack_parts, standing
):
    stack_parts.stop_process("store")
    await serving_is(standing, False)
    read = []

    async def chunks():
        read.append(True)
        yield make_zip({"a.png": image_bytes()})

    with pytest.raises(Unavailable) as refused:
        await batches.create(chunks())
    assert str(refused.value).startswith(
        f"the store at {stack_parts.store_address} does not serve ("
    )
    assert read == []


async def test_upload_is_refused_naming_nats_whenever_the_standing_says_it_is_away(
    batches, standing
):
    await standing.down(NATS)
    read = []

    async def chunks():
        read.append(True)
        yield make_zip({"a.png": image_bytes()})

    with pytest.raises(Unavailable) as refused:
        await batches.create(chunks())
    assert str(refused.value) == (
        f"NATS at {batches._settings.nats_shown} is unreachable, so no upload "
        "can be taken"
    )
    assert read == []


async def test_upload_whose_caller_leaves_still_queues_every_card(
    make_batches, nc, gateway_settings
):
    entered, release = asyncio.Event(), asyncio.Event()

    class HeldQueue(CardQueue):
        async def publish(self, card_id, file_name, image):
            entered.set()
            await release.wait()
            await super().publish(card_id, file_name, image)

    batches = await make_batches(HeldQueue)
    upload = make_zip({"a.png": image_bytes(), "b.png": image_bytes()})
    creating = asyncio.create_task(batches.create(chunks_of(upload)))
    await entered.wait()
    creating.cancel()
    with pytest.raises(asyncio.CancelledError):
        await creating
    spooled = list(gateway_settings.upload_dir.iterdir())
    release.set()
    messages = await queued_messages(nc.jetstream(), 2)
    batch_id = messages[0].headers[messaging.CARD_ID_HEADER][:-2]

    assert [m.headers[messaging.CARD_ID_HEADER][-2:] for m in messages] == ["-0", "-1"]
    assert [path.name for path in spooled] == [f"{batch_id}.zip"]


async def test_spool_file_stays_until_every_card_has_ended(
    batches, gateway_settings, store
):
    upload = make_zip({"a.png": image_bytes(), "b.png": image_bytes()})
    created = await batches.create(chunks_of(upload))
    await batches.settle_waiting()
    spooled_while_queued = spooled(gateway_settings)

    await read_every_card(store, created.batch_id)
    await batches.settle_waiting()

    assert created.accepted == 2
    assert spooled_while_queued == [f"{created.batch_id}.zip"]
    assert spooled(gateway_settings) == []


async def test_a_kept_upload_waits_out_a_store_outage_before_it_goes(
    batches, gateway_settings, stack_parts, store
):
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    await read_every_card(store, created.batch_id)
    stack_parts.stop_process("store")
    await batches.settle_waiting()
    spooled_while_down = spooled(gateway_settings)

    await store_back(stack_parts, batches, created.batch_id)
    await batches.settle_waiting()

    assert spooled_while_down == [f"{created.batch_id}.zip"]
    assert spooled(gateway_settings) == []


@pytest.mark.parametrize(
    ("read", "fate"),
    [
        (True, "is deleted, as every card has ended"),
        (False, "stays until every card has ended"),
    ],
)
async def test_a_kept_upload_says_once_that_it_waits_out_a_store_outage(
    batches, stack_parts, store, caplog, read, fate
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    if read:
        await read_every_card(store, created.batch_id)
    await settle_through_a_store_outage(batches, stack_parts, created.batch_id)

    said = [
        record.getMessage()
        for record in caplog.records
        if record.name == batches_module.__name__
        and "its spool file" in record.getMessage()
    ]
    assert len(said) == 2
    assert said[0].startswith(
        f"batch {created.batch_id}: its spool file stays until the store answers: "
        f"the store at {stack_parts.store_address} is unreachable ("
    )
    assert said[1] == (
        f"batch {created.batch_id}: the store answers again; its spool file {fate}"
    )


@pytest.mark.parametrize("how", ["deleted", "deleted and created again"])
async def test_cards_lost_with_the_card_stream_are_queued_again(
    batches, nc, gateway_settings, store, how
):
    upload = make_zip({f"{i}.png": image_bytes() for i in range(4)})
    created = await batches.create(chunks_of(upload))
    read_first = f"{created.batch_id}-0"
    await store.StartCard(store_pb2.StartCardRequest(card_id=read_first))
    await store.FinishCard(store_pb2.FinishCardRequest(card_id=read_first, error="x"))
    # A worker had begun this one, then died with the stream gone.
    begun = f"{created.batch_id}-3"
    await store.StartCard(store_pb2.StartCardRequest(card_id=begun))
    js = nc.jetstream()
    await js.delete_stream(messaging.STREAM)
    if how == "deleted and created again":
        await messaging.ensure_stream(js)

    await batches.settle_waiting()
    in_stream = await cards_in_stream(nc, created.batch_id)
    await batches.settle_waiting()

    assert in_stream == {f"{created.batch_id}-{i}": 1 for i in (1, 2, 3)}
    assert await cards_in_stream(nc, created.batch_id) == in_stream
    assert spooled(gateway_settings) == [f"{created.batch_id}.zip"]


async def test_an_upload_whose_cards_ended_is_not_looked_for_in_a_new_stream(
    batches, nc, gateway_settings, store
):
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    await read_every_card(store, created.batch_id)
    await batches.settle_waiting()
    js = nc.jetstream()
    await js.delete_stream(messaging.STREAM)
    await messaging.ensure_stream(js)

    await batches.settle_waiting()

    assert spooled(gateway_settings) == []
    assert await cards_in_stream(nc, created.batch_id) == {}


async def test_refused_upload_leaves_no_spool_file(batches, gateway_settings):
    with pytest.raises(InvalidInput, match="no card images"):
        await batches.create(chunks_of(make_zip({"notes.txt": b"hi"})))

    assert list(gateway_settings.upload_dir.iterdir()) == []


async def test_a_waiting_card_keeps_the_spool_file_while_the_store_is_down(
    make_batches, gateway_settings, stack_parts
):
    class OutageQueue(CardQueue):
        async def publish(self, card_id, file_name, image):
            stack_parts.stop_process("store")
            raise Unavailable(f"NATS did not take card {card_id}: test outage")

    batches = await make_batches(OutageQueue)
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))

    assert [p.name for p in gateway_settings.upload_dir.iterdir()] == [
        f"{created.batch_id}.zip"
    ]


async def test_a_watcher_reads_no_faster_than_its_pace(batches, nc, monkeypatch):
    created = await batches.create(chunks_of(make_zip({"a.png": image_bytes()})))
    read_took = 0.05
    reads: list[tuple[float, float]] = []
    get = batches.get

    async def slow_get(batch_id, view):
        started = asyncio.get_running_loop().time()
        await asyncio.sleep(read_took)
        batch = await get(batch_id, view)
        reads.append((started, asyncio.get_running_loop().time()))
        return batch

    monkeypatch.setattr(batches, "get", slow_get)
    watch = batches.watch(created.batch_id)
    await anext(watch)
    following = asyncio.create_task(anext(watch))
    # A burst of changes, as a busy batch announces them.
    for _ in range(40):
        await nc.publish(messaging.event_subject(created.batch_id), b"")
        await asyncio.sleep(0.05)
    following.cancel()
    with pytest.raises(asyncio.CancelledError):
        await following
    await watch.aclose()

    gaps = [
        (later[0] - earlier[0]) / (earlier[1] - earlier[0])
        for earlier, later in zip(reads, reads[1:], strict=False)
    ]
    assert len(reads) >= 2
    assert min(gaps) >= batches_module.WATCH_PACE * 0.99


async def reads_of_a_watch(batches, nc, monkeypatch, plan) -> list[tuple[float, float]]:
    """When the reads that a watch of a running batch made began and ended,
    those the store answered, while the batch's changes keep coming: each
    read takes the seconds its entry of the plan says, or raises the entry,
    or after the seconds of a (seconds, error) entry raises its error."""
    batch_id = uuid.uuid4().hex
    steps = iter(plan)
    answered: list[tuple[float, float]] = []

    async def get(batch_id, view):
        started = time.monotonic()
        step = next(steps, 0.0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, tuple):
            seconds, error = step
            await asyncio.sleep(seconds)
            raise error
        await asyncio.sleep(step)
        answered.append((started, time.monotonic()))
        return batch_pb2.Batch(batch_id=batch_id, state=batch_pb2.BATCH_STATE_RUNNING)

    monkeypatch.setattr(batches, "get", get)
    watch = batches.watch(batch_id)
    await anext(watch)
    following = asyncio.create_task(anext(watch))
    planned_answers = sum(isinstance(step, float) for step in plan)
    async with asyncio.timeout(20):
        while len(answered) < planned_answers:
            await nc.publish(messaging.event_subject(batch_id), b"")
            await asyncio.sleep(0.05)
    following.cancel()
    with pytest.raises(asyncio.CancelledError):
        await following
    await watch.aclose()
    return answered


async def test_a_slow_read_holds_the_next_back_no_longer_than_the_longest_pause(
    batches, nc, monkeypatch
):
    reads = await reads_of_a_watch(batches, nc, monkeypatch, [0.0, 1.0, 0.0])

    (_, slow_ended), (next_started, _) = reads[1], reads[2]
    pause = next_started - slow_ended
    longest = batches_module.WATCH_LONGEST_PAUSE_SECONDS
    assert longest - 0.05 <= pause <= longest + 0.5


async def test_the_read_that_ends_an_outage_holds_the_next_back_no_longer(
    batches, nc, monkeypatch
):
    # Far beyond the test, so that only the outage can shorten the pause.
    monkeypatch.setattr(batches_module, "WATCH_LONGEST_PAUSE_SECONDS", 60.0)
    hung = Unavailable("the store at 127.0.0.1:1 is unreachable (hung)")

    reads = await reads_of_a_watch(batches, nc, monkeypatch, [0.0, hung, 1.0, 0.0])

    (_, back_ended), (next_started, _) = reads[1], reads[2]
    pause = next_started - back_ended
    assert pause <= batches_module.WATCH_INTERVAL_SECONDS + 0.3


async def test_a_watch_counts_a_store_outage_from_the_read_that_did_not_come_back(
    batches, nc, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger=batches_module.__name__)
    hung = Unavailable("the store at 127.0.0.1:1 is unreachable (no answer)")
    timed_out_after, back_after = 1.0, 0.5

    reads = await reads_of_a_watch(
        batches, nc, monkeypatch, [0.0, (timed_out_after, hung), back_after, 0.0]
    )

    said = [
        record.getMessage()
        for record in caplog.records
        if "the store answers again after" in record.getMessage()
    ]
    assert len(said) == 1
    lasted = float(said[0].rsplit(" after ", 1)[1].removesuffix(" s"))
    (_, before_ended), (_, back_ended) = reads[0], reads[1]
    assert timed_out_after + back_after <= lasted <= back_ended - before_ended + 0.05
