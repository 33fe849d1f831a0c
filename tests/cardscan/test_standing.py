"""A Standing turns its dependencies' answers into the health status a real
server reports, the reason it gives and one log line per loss and return."""

import logging

import pytest
from health_support import health_check

from cardscan import rpc
from cardscan.health import Dependency, Standing

SERVICE = "cardscan.v1.Testing"
LOGGER = "tests.standing"


@pytest.fixture
async def server():
    server = rpc.Server("127.0.0.1:0", [SERVICE])
    await server.start(serving=False)
    yield server
    await server.stop(0)


def two_parts(nats: bool | None = False, store: bool | None = None) -> Standing:
    return Standing(
        "the relay",
        {
            "nats": (Dependency("NATS", back="is connected"), nats),
            "store": (Dependency("the store at 127.0.0.1:1"), store),
        },
        logging.getLogger(LOGGER),
    )


def logged(caplog) -> list[str]:
    return [
        f"{record.levelname} {record.getMessage()}"
        for record in caplog.records
        if record.name == LOGGER
    ]


async def test_serving_only_while_every_dependency_is_up(server):
    standing = two_parts()
    await standing.attach(server)

    seen = [await health_check(server)]
    await standing.up("nats")
    seen.append(await health_check(server))
    await standing.up("store")
    seen.append(await health_check(server, SERVICE))
    await standing.down("store", "connection refused")
    seen.append(await health_check(server, SERVICE))

    assert seen == [
        ("NOT_SERVING", "waiting for NATS and the store at 127.0.0.1:1 to answer"),
        ("NOT_SERVING", "waiting for the store at 127.0.0.1:1 to answer"),
        ("SERVING", ""),
        ("NOT_SERVING", "waiting for the store at 127.0.0.1:1 to answer"),
    ]


async def test_the_reason_names_every_dependency_down_in_order(server):
    standing = two_parts(nats=True, store=True)
    await standing.attach(server)

    await standing.down("store")
    await standing.down("nats")

    assert not standing.serving
    assert standing.waiting_for() == ["NATS", "the store at 127.0.0.1:1"]
    assert standing.reason() == (
        "waiting for NATS and the store at 127.0.0.1:1 to answer"
    )
    assert await health_check(server) == ("NOT_SERVING", standing.reason())


async def test_each_loss_and_return_is_logged_once(server, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    standing = two_parts(nats=True, store=True)
    await standing.attach(server)

    for _ in range(3):
        await standing.down("store", "connection refused")
    await standing.down("nats")
    await standing.up("store")
    await standing.up("store")
    await standing.up("nats")

    assert logged(caplog) == [
        "WARNING the store at 127.0.0.1:1 is unreachable (connection refused): "
        "the relay is NOT_SERVING",
        "WARNING NATS is unreachable: the relay is NOT_SERVING",
        "INFO the store at 127.0.0.1:1 answers again: "
        "the relay stays NOT_SERVING while NATS is unreachable",
        "INFO NATS is connected: the relay is SERVING",
    ]


async def test_a_first_answer_is_logged_only_when_it_makes_the_service_serve(
    server, caplog
):
    caplog.set_level(logging.INFO, logger=LOGGER)
    quiet_first, told_first = two_parts(), two_parts()
    await quiet_first.attach(server)
    await told_first.attach(server)

    await quiet_first.up("store")
    await quiet_first.up("nats")
    await told_first.up("nats")
    await told_first.up("store")

    assert logged(caplog) == [
        "INFO NATS is connected: the relay is SERVING",
        "INFO NATS is connected: the relay is NOT_SERVING until the store at "
        "127.0.0.1:1 answers",
        "INFO the store at 127.0.0.1:1 answers: the relay is SERVING",
    ]


async def test_a_detached_standing_neither_reports_nor_logs(server, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    standing = two_parts(nats=True, store=True)
    await server.set_serving(True)

    await standing.down("nats")
    await standing.attach(server)
    standing.detach()
    await standing.down("store")

    assert standing.serving
    assert logged(caplog) == []
    assert await health_check(server) == ("SERVING", "")


async def test_without_a_logger_a_standing_only_reports(server, caplog):
    caplog.set_level(logging.INFO)
    standing = Standing("the worker", {"nats": (Dependency("NATS"), True)})
    await standing.attach(server)

    await standing.down("nats")

    assert caplog.records == []
    assert await health_check(server) == ("NOT_SERVING", "waiting for NATS to answer")


async def test_a_shut_down_server_keeps_its_reason(server):
    standing = two_parts(nats=True, store=True)
    await standing.attach(server)

    await server.shut_down("the relay is shutting down")
    await standing.down("store")

    assert await health_check(server) == ("NOT_SERVING", "the relay is shutting down")


async def test_a_stopping_standing_reports_and_tells_its_reason_whatever_comes(
    server, caplog
):
    caplog.set_level(logging.INFO, logger=LOGGER)
    standing = two_parts(nats=True, store=True)
    await standing.attach(server)

    await standing.stop("the relay is shutting down")
    await standing.down("store", "connection refused")
    await standing.up("store")

    assert (standing.serving, standing.stopping) == (False, True)
    assert standing.reason() == "the relay is shutting down"
    assert await health_check(server, SERVICE) == (
        "NOT_SERVING",
        "the relay is shutting down",
    )
    assert logged(caplog) == []


async def test_an_unknown_dependency_is_a_mistake_said_at_once(server):
    standing = two_parts()
    await standing.attach(server)

    with pytest.raises(KeyError):
        await standing.up("database")


async def test_why_a_dependency_is_down_is_kept_until_it_answers(server):
    standing = two_parts(nats=True, store=None)
    await standing.attach(server)

    seen = [standing.why_down("store")]
    await standing.down("store", "no answer in time")
    await standing.down("store", "connection refused")
    seen.append(standing.why_down("store"))
    await standing.up("store")
    seen.append(standing.why_down("store"))
    await standing.down("nats")
    seen.append(standing.why_down("nats"))

    assert seen == [None, "no answer in time", None, ""]


async def test_a_dependency_not_waited_for_is_told_by_its_latest_why(server, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    disk = Dependency("the disk of /d", lost="is nearly full", waited=False)
    standing = Standing(
        "the relay",
        {"store": (Dependency("the store"), True), "disk": (disk, True)},
        logging.getLogger(LOGGER),
    )
    await standing.attach(server)

    await standing.down("disk", "the disk of /d has 12 MB free")
    seen = [await health_check(server)]
    await standing.down("disk", "the disk of /d has 3 MB free")
    await standing.down("store", "connection refused")
    seen.append(await health_check(server))
    await standing.up("store")
    await standing.up("disk")
    seen.append(await health_check(server))

    assert seen == [
        ("NOT_SERVING", "the disk of /d has 12 MB free"),
        (
            "NOT_SERVING",
            "waiting for the store to answer; the disk of /d has 3 MB free",
        ),
        ("SERVING", ""),
    ]
    assert logged(caplog) == [
        "WARNING the disk of /d has 12 MB free: the relay is NOT_SERVING",
        "WARNING the store is unreachable (connection refused): the relay is "
        "NOT_SERVING",
        "INFO the store answers again: the relay stays NOT_SERVING while the disk"
        " of /d is nearly full",
        "INFO the disk of /d answers again: the relay is SERVING",
    ]
