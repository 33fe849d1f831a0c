"""Counting OCR workers from their heartbeats."""

import asyncio

import pytest

from cardscan import messaging, rpc
from cardscan.errors import Unavailable
from cardscan.v1 import batch_pb2
from gateway.config import Settings
from gateway.health import NATS, STORE, GatewayStanding
from gateway.workers import MISSED_BEATS, WINDOW_SECONDS, Workers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
async def standing(clock):
    """The gateway's standing on the test's clock, attached to a health
    service as the gateway attaches it before it hears of NATS and the
    store: only then is it told of them."""
    standing = GatewayStanding(Settings(), clock)
    server = rpc.Server("127.0.0.1:0", [])
    await standing.attach(server)
    yield standing
    await server.stop(0)


def counting(clock: Clock, standing: GatewayStanding | None = None) -> Workers:
    """Workers counted on the clock, which hear of NATS and the store from
    the standing, or from one told nothing."""
    return Workers(standing or GatewayStanding(Settings(), clock), clock)


def waiting_batch(queued: int) -> batch_pb2.Batch:
    return batch_pb2.Batch(counts=batch_pb2.BatchCounts(total=queued, queued=queued))


def test_each_worker_counts_once_however_often_it_beats():
    workers = counting(Clock())
    for worker_id in ["a", "b", "a", "a"]:
        workers.beat(worker_id)

    assert workers.online() == 2


def test_worker_that_left_stops_counting_at_once():
    workers = counting(Clock())
    workers.beat("a")
    workers.beat("b")

    workers.left("a")
    workers.left("never-seen")

    assert workers.online() == 1


def test_worker_silent_for_three_intervals_is_gone():
    clock = Clock()
    workers = counting(clock)
    workers.beat("old")
    clock.now += 2 * messaging.HEARTBEAT_INTERVAL_SECONDS
    workers.beat("new")
    clock.now += 1.5 * messaging.HEARTBEAT_INTERVAL_SECONDS

    assert workers.online() == 1


def test_waiting_batch_is_told_no_worker_runs_after_a_silent_window():
    clock = Clock()
    workers = counting(clock)
    clock.now += MISSED_BEATS * messaging.HEARTBEAT_INTERVAL_SECONDS
    batch = workers.annotate(waiting_batch(3))

    assert batch.workers_online == 0
    assert batch.notice.startswith("3 card(s) are waiting and no OCR worker")


def test_gateway_just_started_says_it_is_checking_for_workers_not_that_none_run():
    clock = Clock()
    workers = counting(clock)
    at_start = workers.annotate(waiting_batch(3))
    clock.now += MISSED_BEATS * messaging.HEARTBEAT_INTERVAL_SECONDS - 0.1
    window_end = workers.annotate(waiting_batch(3))

    for batch in (at_start, window_end):
        assert batch.workers_online == 0
        assert batch.notice.startswith("3 card(s) are waiting; checking for OCR")
        assert "no OCR worker" not in batch.notice


async def test_workers_silent_for_want_of_the_store_are_not_told_gone_until_it_is_back(
    clock, standing
):
    workers = counting(clock, standing)
    workers.beat("a")
    await standing.down(STORE)
    workers.left("a")
    clock.now += 10 * WINDOW_SECONDS
    while_away = (workers.annotate(waiting_batch(3)), workers.none_running())
    await standing.up(STORE)
    clock.now += WINDOW_SECONDS - 0.1
    just_back = (workers.annotate(waiting_batch(3)), workers.none_running())
    clock.now += 0.1
    window_after = (workers.annotate(waiting_batch(3)), workers.none_running())

    for batch, none_running in (while_away, just_back):
        assert (batch.workers_online, batch.notice, none_running) == (0, "", False)
    batch, none_running = window_after
    assert batch.notice.startswith("3 card(s) are waiting and no OCR worker")
    assert none_running


async def test_workers_silent_for_want_of_nats_are_not_told_gone_till_a_window_after_it(
    clock, standing
):
    workers = counting(clock, standing)
    workers.echoed()
    workers.beat("a")
    await standing.down(NATS)
    clock.now += 10 * WINDOW_SECONDS
    none_while_away = workers.none_running()
    await standing.up(NATS)
    # The gateway hears its own echo again before any worker has reconnected.
    workers.echoed()
    clock.now += WINDOW_SECONDS - 0.1
    workers.echoed()
    just_back = workers.annotate(waiting_batch(3)), workers.none_running()
    clock.now += 0.1
    window_after = workers.annotate(waiting_batch(3)), workers.none_running()

    assert not none_while_away
    batch, none_running = just_back
    assert (batch.workers_online, batch.notice, none_running) == (0, "", False)
    batch, none_running = window_after
    assert batch.notice.startswith("3 card(s) are waiting and no OCR worker")
    assert none_running


async def test_a_card_is_taken_within_a_window_of_nats_coming_back_before_any_worker(
    clock, standing
):
    workers = counting(clock, standing)
    clock.now += WINDOW_SECONDS
    await standing.down(NATS)
    clock.now += 2 * WINDOW_SECONDS
    await standing.up(NATS)
    workers.echoed()

    workers.require_one_for_a_card()
    assert workers.notice_for_new_batch() == ""


async def test_a_nats_connection_that_never_dropped_excuses_no_silence(clock, standing):
    workers = counting(clock, standing)
    await standing.up(NATS)
    clock.now += WINDOW_SECONDS

    assert workers.none_running()


async def test_a_store_that_always_answered_excuses_no_silence(clock, standing):
    workers = counting(clock, standing)
    await standing.up(STORE)
    clock.now += WINDOW_SECONDS

    assert workers.none_running()


def test_batch_with_a_worker_or_nothing_waiting_gets_no_notice():
    workers = counting(Clock())
    idle = workers.annotate(waiting_batch(0))
    workers.beat("w")
    served = workers.annotate(waiting_batch(2))

    assert (idle.notice, served.notice, served.workers_online) == ("", "", 1)


def test_a_card_is_refused_only_once_a_whole_window_passed_without_a_worker():
    clock = Clock()
    workers = counting(clock)
    clock.now += WINDOW_SECONDS - 0.1
    workers.require_one_for_a_card()
    clock.now += 0.1

    with pytest.raises(
        Unavailable,
        match=r"^no OCR worker is running \(none has sent a heartbeat in 6 s: "
        r".*\); start one",
    ):
        workers.require_one_for_a_card()
    workers.beat("w")
    workers.require_one_for_a_card()


def test_new_batch_gets_a_notice_only_while_no_worker_is_known_to_run():
    clock = Clock()
    workers = counting(clock)
    too_soon = workers.notice_for_new_batch()
    clock.now += WINDOW_SECONDS
    none_running = workers.notice_for_new_batch()
    workers.beat("w")

    assert too_soon == ""
    assert none_running.startswith(
        "no OCR worker is running (none has sent a heartbeat in 6 s: none was"
        " started, or each has stopped, hangs or cannot reach the store);"
        " the cards wait"
    )
    assert workers.notice_for_new_batch() == ""


def test_silence_of_nats_itself_says_nothing_about_the_workers():
    clock = Clock()
    workers = counting(clock)
    workers.echoed()
    clock.now += WINDOW_SECONDS + 1

    batch = workers.annotate(waiting_batch(3))

    assert not workers.nats_delivers()
    assert not workers.none_running()
    assert batch.notice.startswith("3 card(s) are waiting; NATS delivers no messages")


async def test_the_gateway_hears_its_own_echo_through_nats(nats_url):
    clock = Clock()
    workers = counting(clock)
    nc = await messaging.connect(nats_url, "test-echo")
    try:
        await workers.listen(nc)
        clock.now += WINDOW_SECONDS + 1
        silent = workers.nats_delivers()
        async with asyncio.timeout(2 * messaging.HEARTBEAT_INTERVAL_SECONDS + 1):
            while not workers.nats_delivers():
                await asyncio.sleep(0.05)
        await workers.stop_listening()
    finally:
        await nc.close()

    assert not silent


async def test_a_batch_waiting_while_nats_is_lost_says_so_whatever_workers_beat(
    nats_url,
):
    workers = counting(Clock())
    nc = await messaging.connect(nats_url, "test-lost")
    await workers.listen(nc)
    workers.beat("ocr-1")
    connected = workers.annotate(waiting_batch(3))
    await workers.stop_listening()
    await nc.close()

    lost = workers.annotate(waiting_batch(3))

    assert connected.notice == ""
    assert lost.workers_online == 1
    assert lost.notice == (
        "3 card(s) are waiting; the gateway has lost its connection to NATS, "
        "so no card moves on until NATS is back"
    )
