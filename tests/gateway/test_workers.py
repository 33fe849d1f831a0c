"""Counting OCR workers from their heartbeats."""

from cardscan import messaging
from cardscan.v1 import batch_pb2
from gateway.workers import Workers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def waiting_batch(queued: int) -> batch_pb2.Batch:
    return batch_pb2.Batch(counts=batch_pb2.BatchCounts(total=queued, queued=queued))


def test_each_worker_counts_once_however_often_it_beats():
    workers = Workers(Clock())
    for worker_id in ["a", "b", "a", "a"]:
        workers.beat(worker_id)

    assert workers.online() == 2


def test_worker_silent_for_three_intervals_is_gone():
    clock = Clock()
    workers = Workers(clock)
    workers.beat("old")
    clock.now += 2 * messaging.HEARTBEAT_INTERVAL_SECONDS
    workers.beat("new")
    clock.now += 1.5 * messaging.HEARTBEAT_INTERVAL_SECONDS

    assert workers.online() == 1


def test_waiting_batch_without_workers_gets_a_notice():
    batch = Workers(Clock()).annotate(waiting_batch(3))

    assert batch.workers_online == 0
    assert batch.notice.startswith("3 card(s) are waiting and no OCR worker")


def test_batch_with_a_worker_or_nothing_waiting_gets_no_notice():
    workers = Workers(Clock())
    idle = workers.annotate(waiting_batch(0))
    workers.beat("w")
    served = workers.annotate(waiting_batch(2))

    assert (idle.notice, served.notice, served.workers_online) == ("", "", 1)
