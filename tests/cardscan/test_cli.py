"""Tests of the cardscan command against a stand-in gateway served over real
gRPC on 127.0.0.1, and of its errors when no gateway answers."""

import contextlib
import csv
import fcntl
import http.server
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent import futures
from dataclasses import asdict
from pathlib import Path

import grpc
import pytest
import vobject
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from rich.console import Console

from cardscan import cli, disk, healthcheck, jsonview, outputs
from cardscan.client import CHUNK_BYTES, GatewayClient, Unreachable
from cardscan.errors import InvalidInput
from cardscan.stack import (
    Ports,
    RecordedStack,
    Stack,
    free_port,
    port_taken,
    wait_healthy,
    write_record,
)
from cardscan.upload_keys import METADATA_KEY as UPLOAD_KEY
from cardscan.v1 import batch_pb2, cardscan_pb2, cardscan_pb2_grpc, contact_pb2

NOTICE = "No OCR worker is consuming cards: start one to read this batch."
UPLOAD_NOTICE = (
    "2 of the 2 cards wait to be queued, as NATS or the store did not answer"
)


def done_card(file_name: str) -> batch_pb2.Card:
    contact = contact_pb2.Contact(
        name=contact_pb2.PersonName(full="Maren Holt", given="Maren", family="Holt"),
        title="Head of Logistics",
        company="Brightwater Freight Ltd",
        phones=[
            contact_pb2.Phone(
                type=contact_pb2.PHONE_TYPE_MOBILE, number="+447700900123"
            )
        ],
        emails=["maren.holt@brightwaterfreight.co.uk"],
        websites=["www.brightwaterfreight.co.uk"],
        address=contact_pb2.Address(full="14 Quayside Road, Bristol BS1 4RN"),
    )
    return batch_pb2.Card(
        card_id="c1",
        batch_id="b1",
        file_name=file_name,
        state=batch_pb2.CARD_STATE_DONE,
        contact=contact,
    )


def failed_card(file_name: str, error: str) -> batch_pb2.Card:
    return batch_pb2.Card(
        card_id="c2",
        batch_id="b1",
        file_name=file_name,
        state=batch_pb2.CARD_STATE_FAILED,
        error=error,
    )


class StandInGateway(cardscan_pb2_grpc.CardScanServiceServicer):
    """Answers with set cards, and keeps what the CLI sent."""

    def __init__(self) -> None:
        self.cards = [done_card("holt.png"), failed_card("blur.jpg", "no text found")]
        self.reject = ""
        self.upload_notice = ""
        self.watch_ends_early = False
        # How many watches break off before one runs to the end.
        self.watch_breaks = 0
        self.chunks: list[bytes] = []
        self.upload_keys: list[str | None] = []
        self.batches = [summary(f"b{n}") for n in range(5, 0, -1)]
        self.page_requests: list[tuple[int, str]] = []
        # The entries the batch lists as skipped, and how many it skipped.
        self.skipped = [batch_pb2.SkippedEntry(name="notes.txt", reason="not an image")]
        self.skipped_count = 1
        # The view of each GetBatch and WatchBatch the CLI sent.
        self.get_views: list[int] = []
        self.watch_views: list[int] = []

    def CreateBatch(self, request_iterator, context):
        self.chunks = [request.chunk for request in request_iterator]
        self.upload_keys.append(dict(context.invocation_metadata()).get(UPLOAD_KEY))
        if self.reject:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, self.reject)
        return cardscan_pb2.CreateBatchResponse(
            batch_id="b1",
            accepted=len(self.cards),
            skipped=self.skipped,
            skipped_count=self.skipped_count,
            notice=self.upload_notice,
        )

    def WatchBatch(self, request, context):
        self.watch_views.append(request.view)
        total = len(self.cards)
        waiting = batch_pb2.BatchCounts(total=total, queued=total)
        ended = batch_pb2.BatchCounts(total=total, done=1, failed=1)
        # Every card again with each message, but in the basic view.
        cards = [] if request.view == batch_pb2.BATCH_VIEW_BASIC else self.cards
        yield cardscan_pb2.WatchBatchResponse(
            batch=batch_pb2.Batch(
                batch_id=request.batch_id,
                state=batch_pb2.BATCH_STATE_RUNNING,
                counts=waiting,
                cards=cards,
                notice=NOTICE,
            )
        )
        if self.watch_ends_early:
            return
        if self.watch_breaks:
            self.watch_breaks -= 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "the store is unreachable")
        yield cardscan_pb2.WatchBatchResponse(
            batch=batch_pb2.Batch(
                batch_id=request.batch_id,
                state=batch_pb2.BATCH_STATE_COMPLETE,
                counts=ended,
                cards=cards,
            )
        )

    def ListBatches(self, request, context):
        # Pages of at most two, so that a listing takes several.
        self.page_requests.append((request.page_size, request.page_token))
        start = int(request.page_token or 0)
        end = start + min(request.page_size, 2)
        token = str(end) if end < len(self.batches) else ""
        return cardscan_pb2.ListBatchesResponse(
            batches=self.batches[start:end], next_page_token=token
        )

    def ListContacts(self, request, context):
        if request.batch_id != "b1":
            context.abort(grpc.StatusCode.NOT_FOUND, f"no batch {request.batch_id}")
        # Pages of one card, so that the contacts take several calls.
        assert request.page_size > 0
        start = int(request.page_token or 0)
        token = str(start + 1) if start + 1 < len(self.cards) else ""
        return cardscan_pb2.ListContactsResponse(
            cards=self.cards[start : start + 1], next_page_token=token
        )

    def GetBatch(self, request, context):
        self.get_views.append(request.view)
        if request.batch_id != "b1":
            context.abort(grpc.StatusCode.NOT_FOUND, f"no batch {request.batch_id}")
        counts = batch_pb2.BatchCounts(total=2, done=1, failed=1)
        return cardscan_pb2.GetBatchResponse(
            batch=batch_pb2.Batch(
                batch_id="b1",
                state=batch_pb2.BATCH_STATE_COMPLETE,
                counts=counts,
                cards=self.cards,
                skipped=self.skipped,
                skipped_count=self.skipped_count,
            )
        )

    def ScanCard(self, request, context):
        if not request.image:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "image is empty")
        card = self.cards[0] if request.file_name == "holt.png" else self.cards[1]
        return cardscan_pb2.ScanCardResponse(card=card)


def summary(batch_id: str) -> batch_pb2.BatchSummary:
    """A listed batch with one card done and one failed of three."""
    counts = batch_pb2.BatchCounts(total=3, queued=1, done=1, failed=1)
    listed = batch_pb2.BatchSummary(
        batch_id=batch_id, state=batch_pb2.BATCH_STATE_RUNNING, counts=counts
    )
    listed.created_at.FromJsonString("2026-03-01T09:30:00Z")
    return listed


@pytest.fixture
def gateway():
    """The stand-in gateway on a free port, with the standard health service."""
    servicer = StandInGateway()
    servicer.health = health.HealthServicer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    cardscan_pb2_grpc.add_CardScanServiceServicer_to_server(servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(servicer.health, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    servicer.address = f"127.0.0.1:{port}"
    yield servicer
    server.stop(0)


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Keeps table cells on one line each, so assertions can find them."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def cards_zip(tmp_path):
    """A ZIP larger than several upload chunks."""
    path = tmp_path / "cards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holt.png", os.urandom(3 * CHUNK_BYTES + 100))
        archive.writestr("notes.txt", "not a card")
    return path


def test_scan_of_a_missing_file_names_it_and_fails(tmp_path, capsys):
    missing = tmp_path / "nope.zip"

    status = cli.main(["scan", str(missing), "--server", f"127.0.0.1:{free_port()}"])

    assert status != 0
    assert f"{missing} does not exist" in capsys.readouterr().err


def test_scan_without_a_gateway_names_the_address_and_how_to_start(cards_zip, capsys):
    address = f"127.0.0.1:{free_port()}"

    status = cli.main(["scan", str(cards_zip), "--server", address])

    err = capsys.readouterr().err
    assert status != 0
    assert len(err.strip().splitlines()) == 1
    assert f"cannot reach the cardscan gateway at {address}" in err
    assert "cardscan up" in err


@pytest.mark.parametrize("command", [["status", "b1"], ["batches"], ["contacts", "b1"]])
def test_reading_commands_without_a_gateway_say_how_to_start_one(command, capsys):
    address = f"127.0.0.1:{free_port()}"

    status = cli.main([*command, "--server", address])

    err = capsys.readouterr().err
    assert status != 0
    assert f"cannot reach the cardscan gateway at {address}" in err
    assert "cardscan up" in err


def not_serving(gateway: StandInGateway) -> None:
    """Has the stand-in report NOT_SERVING, as the gateway does without NATS."""
    gateway.health.set("", health_pb2.HealthCheckResponse.NOT_SERVING)


@pytest.mark.parametrize("command", [["status", "b1"], ["batches"], ["contacts", "b1"]])
def test_reading_commands_answer_while_the_gateway_is_not_serving(
    command, gateway, capsys
):
    not_serving(gateway)

    status = cli.main([*command, "--server", gateway.address])

    assert status == 0, capsys.readouterr().err


def test_a_reading_command_the_gateway_fails_reports_the_calls_error(gateway, capsys):
    not_serving(gateway)

    status = cli.main(["status", "zz9", "--server", gateway.address])

    err = capsys.readouterr().err
    assert status != 0
    assert "no batch zz9" in err
    assert "NOT_SERVING" not in err


def test_scan_refused_by_a_gateway_not_serving_does_not_suggest_starting_one(
    gateway, cards_zip, capsys
):
    not_serving(gateway)

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    err = capsys.readouterr().err
    assert status != 0
    assert f"the gateway at {gateway.address} runs but is not serving" in err
    assert "cardscan up" not in err
    assert gateway.chunks == []


def test_scan_refused_by_a_real_gateway_names_what_it_waits_for(
    tmp_path, cards_zip, capsys
):
    # Nothing listens on fresh loopback ports: neither NATS nor the store
    # ever answers, and the gateway stays NOT_SERVING.
    address, store = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "NATS_URL": f"nats://127.0.0.1:{free_port()}",
        "STORE_ADDR": store,
        "GATEWAY_GRPC_LISTEN": address,
        "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "CARDSCAN_DATA_DIR": str(tmp_path / "data"),
    }
    gateway = subprocess.Popen(
        [sys.executable, "-m", "gateway"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with GatewayClient(address) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.check(require_serving=False)
                    break
                except Unreachable:
                    assert time.monotonic() < deadline, "the gateway never answered"
                    time.sleep(0.1)
        status = cli.main(["scan", str(cards_zip), "--server", address])
    finally:
        gateway.terminate()
        gateway.wait(timeout=30)

    err = capsys.readouterr().err
    assert status != 0
    assert (
        f"the gateway at {address} runs but is not serving (NOT_SERVING): "
        f"waiting for NATS and the store at {store} to answer; try again"
    ) in " ".join(err.split())


def test_scan_through_a_store_outage_says_what_the_gateway_waits_for(
    stack_parts, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "OUTAGE_RETRY_SECONDS", 0.2)
    for start in (stack_parts.start_nats, stack_parts.start_store):
        start()
    stack_parts.start_ocr(1)
    stack_parts.start_gateway()
    cards = tmp_path / "cards.zip"
    with zipfile.ZipFile(cards, "w") as archive:
        for image in sorted(cli.SAMPLE_CARDS.glob("*.png"))[:3]:
            archive.write(image, image.name)
    store_stopped = threading.Event()

    def announce_then_stop_the_store(created, info, given_server):
        real_announce(created, info, given_server)
        stack_parts.stop_process("store")
        store_stopped.set()

    real_announce = cli.announce
    monkeypatch.setattr(cli, "announce", announce_then_stop_the_store)
    statuses = []
    argv = ["scan", str(cards), "--server", stack_parts.gateway_address]
    scanning = threading.Thread(target=lambda: statuses.append(cli.main(argv)))
    scanning.start()
    try:
        assert store_stopped.wait(60), "the upload was never taken"
        deadline = time.monotonic() + 30
        while not healthcheck.check(stack_parts.gateway_address):
            assert time.monotonic() < deadline, "the gateway never missed the store"
            time.sleep(0.1)
        # Time for the CLI to ask the gateway a few times.
        time.sleep(2)
    finally:
        # Started again only where stopped, lest a second store leak.
        if "store" not in stack_parts.processes:
            stack_parts.start_store()
    scanning.join(timeout=180)

    out = " ".join(capsys.readouterr().out.split())
    waiting = (
        "the gateway is not serving (waiting for the store at "
        f"{stack_parts.store_address} to answer); the batch waits until it is back"
    )
    assert statuses == [0]
    # Whether it says the gateway serves again depends on which comes
    # first once the store is back: the gateway's next look at it, or the
    # batch's end.
    assert waiting in out
    assert "no OCR worker" not in out


def test_a_call_to_a_gateway_that_is_gone_says_so_in_its_own_words():
    address = f"127.0.0.1:{free_port()}"

    with GatewayClient(address) as client, pytest.raises(Unreachable) as raised:
        client.list_batches(5)

    assert str(raised.value) == (
        f"cannot reach the cardscan gateway at {address}: nothing answers there"
    )


def test_a_server_that_answers_but_not_over_grpc_is_told_from_none(tmp_path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    address = f"127.0.0.1:{web.server_address[1]}"
    try:
        with GatewayClient(address) as client, pytest.raises(Unreachable) as raised:
            client.list_batches(5)
    finally:
        web.shutdown()
        web.server_close()

    assert "something answers there, but not over gRPC" in str(raised.value)
    assert "nothing answers" not in str(raised.value)


def test_a_grpc_server_that_is_no_gateway_is_named_so(store_address):
    with GatewayClient(store_address) as client, pytest.raises(Unreachable) as raised:
        client.list_batches(5)

    assert str(raised.value).startswith(
        f"the server at {store_address} answers over gRPC but is no cardscan gateway"
    )


def test_server_comes_from_the_environment_unless_given(monkeypatch):
    monkeypatch.setenv(cli.SERVER_ENV, "10.1.2.3:7000")
    from_env = cli.parse_args(["status", "b1"])
    given = cli.parse_args(["status", "b1", "--server", "127.0.0.1:9"])
    monkeypatch.delenv(cli.SERVER_ENV)
    default = cli.parse_args(["status", "b1"])

    assert from_env.server == "10.1.2.3:7000"
    assert given.server == "127.0.0.1:9"
    assert default.server == cli.DEFAULT_SERVER


def test_server_may_come_before_the_command_and_after_it_wins():
    before = cli.parse_args(["--server", "127.0.0.1:8", "status", "b1"])
    both = ["--server", "127.0.0.1:8", "status", "b1", "--server", "127.0.0.1:9"]

    assert before.server == "127.0.0.1:8"
    assert cli.parse_args(both).server == "127.0.0.1:9"


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--server", "nonsense"], "--server must be HOST:PORT, such as"),
        (["--server", "127.0.0.1:99999"], "--server must have a port from 1 to"),
        ([], "CARDSCAN_SERVER must be HOST:PORT, such as"),
    ],
)
def test_a_server_address_that_is_no_host_and_port_is_refused_naming_it(
    given, said, capsys, monkeypatch
):
    monkeypatch.setenv(cli.SERVER_ENV, "gateway.example")

    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(["status", "b1", *given])

    assert exit_info.value.code == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("command", ["up", "down", "demo"])
def test_server_is_refused_by_the_commands_that_run_their_own_stack(
    command, capsys, monkeypatch
):
    monkeypatch.setenv(cli.SERVER_ENV, "127.0.0.1:7")
    from_env = cli.parse_args([command])
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(["--server", "127.0.0.1:8", command])

    assert from_env.server == "127.0.0.1:7"
    assert exit_info.value.code == 2
    assert "up, down and demo run a stack of their own" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["up", "--server", "127.0.0.1:8"],
        ["down", "--server", "127.0.0.1:8"],
        ["demo", "--server=127.0.0.1:8"],
    ],
)
def test_server_after_a_command_that_runs_its_own_stack_is_refused_alike(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(argv)

    assert exit_info.value.code == 2
    assert "up, down and demo run a stack of their own" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["up", "down", "demo"])
def test_the_help_of_a_command_that_runs_its_own_stack_leaves_out_server(
    command, capsys
):
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args([command, "--help"])

    assert exit_info.value.code == 0
    assert "--server" not in capsys.readouterr().out


def test_a_negative_worker_count_is_refused_with_the_value(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["up", "--workers", "-2"])

    assert exit_info.value.code != 0
    assert "'-2'" in capsys.readouterr().err


def test_scan_streams_the_zip_in_chunks(gateway, cards_zip):
    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    assert status == 0
    assert len(gateway.chunks) > 1
    assert max(len(chunk) for chunk in gateway.chunks) <= CHUNK_BYTES
    assert b"".join(gateway.chunks) == cards_zip.read_bytes()


def test_each_scan_sends_its_upload_under_a_key_of_its_own(gateway, cards_zip):
    for _ in range(2):
        cli.main(["scan", str(cards_zip), "--server", gateway.address])

    first, second = gateway.upload_keys
    assert first and second and first != second


def test_scan_sends_the_key_given_with_key(gateway, cards_zip):
    argv = ["scan", str(cards_zip), "--key", "fair-2024", "--server", gateway.address]

    status = cli.main(argv)

    assert status == 0
    assert gateway.upload_keys == ["fair-2024"]


def test_scan_refuses_a_key_the_gateway_would_refuse(cards_zip, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["scan", str(cards_zip), "--key", "two words"])

    assert exit_info.value.code != 0
    assert "--key 'two words' is not a key" in capsys.readouterr().err


def test_scan_json_to_stdout_is_one_jsonview_card_per_line(gateway, cards_zip, capsys):
    status = cli.main(["scan", str(cards_zip), "--server", gateway.address, "--json"])

    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert rows == [jsonview.card(card) for card in gateway.cards]
    for key in ["file", "state", "error", "name", "title", "department", "company"]:
        assert key in rows[0]
    assert rows[0]["phones"] == [
        {"type": "mobile", "number": "+447700900123", "extension": ""}
    ]
    assert rows[1]["state"] == "FAILED"
    assert rows[1]["error"] == "no text found"
    assert "b1" in err
    assert "notes.txt: not an image" in err
    assert NOTICE in err


def test_scan_json_to_a_file_leaves_the_jsonview_cards_there(
    gateway, cards_zip, tmp_path
):
    target = tmp_path / "out.jsonl"

    status = cli.main(
        ["scan", str(cards_zip), "--server", gateway.address, "--json", str(target)]
    )

    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert status == 0
    assert rows == [jsonview.card(card) for card in gateway.cards]


def test_scan_refuses_to_write_json_over_its_own_zip(gateway, cards_zip, capsys):
    before = cards_zip.read_bytes()

    status = cli.main(
        ["scan", str(cards_zip), "--server", gateway.address, "--json", str(cards_zip)]
    )

    assert status != 0
    assert "would overwrite" in capsys.readouterr().err
    assert cards_zip.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # --json written before the argument takes it for its file.
        (["scan", "--json", "cards.zip"], "--json took cards.zip for the file"),
        (["contacts", "--json", "b1"], "--json took b1 for the file"),
        # A file of cards is never written over.
        (["contacts", "b1", "--json", "cards.zip"], "names a file of cards"),
        (["scan"], "give the ZIP of cards to scan"),
        (["contacts"], "give the batch id"),
    ],
)
def test_json_that_took_the_argument_or_names_cards_is_refused(
    gateway, tmp_path, monkeypatch, capsys, args, said
):
    monkeypatch.chdir(tmp_path)
    cards = tmp_path / "cards.zip"
    with zipfile.ZipFile(cards, "w") as archive:
        archive.writestr("one.png", b"png")
    before = cards.read_bytes()

    status = cli.main([*args, "--server", gateway.address])

    assert status != 0
    assert said in capsys.readouterr().err
    assert cards.read_bytes() == before


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("cardscan ")


def test_demo_of_a_damaged_zip_says_so(tmp_path, capsys):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("one.png", b"png")
    damaged = tmp_path / "cards.zip"
    damaged.write_bytes(whole.read_bytes()[:-40])

    status = cli.main(["demo", str(damaged)])

    assert status != 0
    assert "truncated or damaged" in capsys.readouterr().err


def test_scan_prints_contacts_and_the_error_of_failed_cards(gateway, cards_zip, capsys):
    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    for shown in [
        "Maren Holt",
        "Brightwater Freight Ltd",
        "mobile +447700900123",
        "maren.holt@brightwaterfreight.co.uk",
        "FAILED: no text found",
        "blur.jpg",
    ]:
        assert shown in out


def test_scan_follows_its_batch_without_its_cards_and_reads_them_by_page(
    gateway, cards_zip, capsys, monkeypatch
):
    # The watch after an outage, too, leaves the cards out: in the full
    # view, each change of a batch of thousands of cards would bring them all.
    monkeypatch.setattr(cli, "OUTAGE_RETRY_SECONDS", 0.01)
    gateway.watch_breaks = 1

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert gateway.watch_views == [batch_pb2.BATCH_VIEW_BASIC] * 2
    assert gateway.get_views == []
    # The stand-in's ListContacts gives a page of one card a call.
    assert "Maren Holt" in out and "blur.jpg" in out


def test_demo_of_a_file_that_is_no_zip_is_refused_before_a_stack_starts(
    tmp_path, capsys
):
    text = tmp_path / "cards.zip"
    text.write_text("not a zip at all")
    demo_folders = Path(tempfile.gettempdir()).glob("cardscan-demo-*")
    before = set(demo_folders)

    status = cli.main(["demo", str(text)])

    assert status != 0
    assert f"{text} is not a ZIP file" in capsys.readouterr().err
    assert set(Path(tempfile.gettempdir()).glob("cardscan-demo-*")) == before


def test_a_rejected_upload_prints_the_servers_message(gateway, cards_zip, capsys):
    gateway.reject = "the upload is not a ZIP file"

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    assert status != 0
    assert "the upload is not a ZIP file" in capsys.readouterr().err


def test_scan_prints_the_uploads_notice_escaped_before_following(
    gateway, cards_zip, capsys
):
    gateway.upload_notice = UPLOAD_NOTICE + "\x1b[2J"

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert out.count(UPLOAD_NOTICE + "\\x1b[2J") == 1
    assert out.index(UPLOAD_NOTICE) < out.index(NOTICE)


def test_scan_prints_a_notice_once_when_the_batch_repeats_the_uploads(
    gateway, cards_zip, capsys
):
    gateway.upload_notice = NOTICE

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    assert status == 0
    assert capsys.readouterr().out.count(NOTICE) == 1


def test_a_watch_that_ends_before_the_batch_does_fails_with_a_hint(
    gateway, cards_zip, capsys
):
    gateway.watch_ends_early = True

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    assert status != 0
    assert f"follow it with `cardscan --server {gateway.address} status b1`" in (
        capsys.readouterr().err
    )


def test_a_hint_leaves_out_the_server_the_environment_gave(
    gateway, cards_zip, capsys, monkeypatch
):
    # The shell that runs the hint still holds it.
    monkeypatch.setenv(cli.SERVER_ENV, gateway.address)
    gateway.watch_ends_early = True

    status = cli.main(["scan", str(cards_zip)])

    assert status != 0
    assert "follow it with `cardscan status b1`" in capsys.readouterr().err


def test_a_watch_broken_by_an_outage_is_watched_again(
    gateway, cards_zip, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "OUTAGE_RETRY_SECONDS", 0.01)
    gateway.watch_breaks = 2

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.count("the store is unreachable; trying again") == 2
    assert "Maren Holt" in out


def test_an_outage_that_outlasts_the_patience_fails_with_a_hint(
    gateway, cards_zip, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "OUTAGE_RETRY_SECONDS", 0.01)
    monkeypatch.setattr(cli, "OUTAGE_PATIENCE_SECONDS", 0.05)
    gateway.watch_breaks = 1000

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    err = capsys.readouterr().err
    assert status != 0
    assert "gave up following the batch (the store is unreachable)" in err
    assert f"check on it with `cardscan --server {gateway.address} status b1`" in err


def ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_during_the_upload_says_how_to_look_for_the_batch(
    gateway, cards_zip, capsys, monkeypatch
):
    monkeypatch.setattr(GatewayClient, "create_batch", ctrl_c)

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    err = capsys.readouterr().err
    assert status == cli.EXIT_INTERRUPTED
    assert "interrupted; the upload may have been accepted" in err
    assert f"`cardscan --server {gateway.address} batches`" in err
    assert f"`cardscan --server {gateway.address} scan {cards_zip} --key " in err


def test_ctrl_c_while_following_names_the_batch_and_how_to_check_on_it(
    gateway, cards_zip, capsys, monkeypatch
):
    def watch_then_ctrl_c(client, batch_id, view):
        yield batch_pb2.Batch(batch_id=batch_id, state=batch_pb2.BATCH_STATE_RUNNING)
        raise KeyboardInterrupt

    monkeypatch.setattr(GatewayClient, "watch_batch", watch_then_ctrl_c)

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    err = capsys.readouterr().err
    assert status == cli.EXIT_INTERRUPTED
    assert "interrupted; batch b1 was accepted" in err
    assert f"`cardscan --server {gateway.address} status b1`" in err
    assert f"`cardscan --server {gateway.address} batches`" in err


def test_the_sample_cards_zip_holds_every_sample_image(tmp_path):
    archive = cli.zip_sample_cards(tmp_path / "samples.zip")

    names = zipfile.ZipFile(archive).namelist()
    expected = sorted(
        p.name for p in cli.SAMPLE_CARDS.iterdir() if p.suffix in cli.IMAGE_SUFFIXES
    )
    assert len(names) >= 6
    assert sorted(names) == expected


def test_card_that_failed_exits_nonzero_with_the_reason(gateway, tmp_path, capsys):
    image = tmp_path / "blur.jpg"
    image.write_bytes(b"\xff\xd8 not much of a photo")

    status = cli.main(["card", str(image), "--server", gateway.address])

    assert status != 0
    assert "could not be read: no text found" in capsys.readouterr().err


def test_card_that_was_read_prints_its_contact(gateway, tmp_path, capsys):
    image = tmp_path / "holt.png"
    image.write_bytes(b"\x89PNG stand-in")

    status = cli.main(["card", str(image), "--server", gateway.address])

    assert status == 0
    assert "Head of Logistics" in capsys.readouterr().out


def test_card_writes_its_contact_as_scan_does_a_batch(gateway, tmp_path, capsys):
    image = tmp_path / "holt.png"
    image.write_bytes(b"\x89PNG stand-in")
    json_file, csv_file = tmp_path / "holt.jsonl", tmp_path / "holt.csv"

    status = cli.main(
        [
            *("card", str(image), "--server", gateway.address),
            *("--json", str(json_file), "--csv", str(csv_file), "--vcard", "-"),
        ]
    )

    assert status == 0
    (row,) = map(json.loads, json_file.read_text().splitlines())
    assert row["state"] == "DONE"
    assert row["title"] == "Head of Logistics"
    (entry,) = csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig")))
    assert entry["title"] == "Head of Logistics"
    out = capsys.readouterr().out
    assert out.startswith("BEGIN:VCARD")
    assert "TITLE:Head of Logistics" in out


def test_card_json_on_stdout_is_the_card_as_before(gateway, tmp_path, capsys):
    image = tmp_path / "holt.png"
    image.write_bytes(b"\x89PNG stand-in")

    status = cli.main(["card", str(image), "--json", "--server", gateway.address])

    assert status == 0
    (row,) = map(json.loads, capsys.readouterr().out.splitlines())
    assert row["title"] == "Head of Logistics"


def test_card_whose_image_json_took_says_so(gateway, tmp_path, capsys):
    image = tmp_path / "holt.png"
    image.write_bytes(b"\x89PNG stand-in")

    status = cli.main(["card", "--json", str(image), "--server", gateway.address])

    assert status != 0
    err = capsys.readouterr().err
    assert f"--json took {image} for the file to write, so the image is missing" in err
    assert gateway.chunks == []


def test_scan_of_one_image_points_to_the_card_command(gateway, tmp_path, capsys):
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0 a photo of one card")

    status = cli.main(["scan", str(image), "--server", gateway.address])

    assert status != 0
    err = capsys.readouterr().err
    assert f"{image} is a JPEG image, not a ZIP of cards" in err
    assert f"`cardscan --server {gateway.address} card {image}`" in err
    assert "/v1/cards" not in err
    assert gateway.chunks == []


def test_card_of_a_zip_points_to_the_scan_command(gateway, cards_zip, capsys):
    status = cli.main(["card", str(cards_zip), "--server", gateway.address])

    assert status != 0
    err = capsys.readouterr().err
    assert f"{cards_zip} is a ZIP archive, not a card image" in err
    assert f"`cardscan --server {gateway.address} scan {cards_zip}`" in err


def test_contacts_of_an_unknown_batch_prints_the_servers_message(gateway, capsys):
    status = cli.main(["contacts", "zz9", "--server", gateway.address])

    assert status != 0
    assert "no batch zz9" in capsys.readouterr().err


def test_status_shows_each_card_state(gateway, capsys):
    status = cli.main(["status", "b1", "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert gateway.get_views == [batch_pb2.BATCH_VIEW_FULL]
    assert "holt.png" in out and "DONE" in out
    assert "blur.jpg" in out and "FAILED" in out


def many_skipped(gateway):
    """Has the stand-in gateway list the first 100 of 5000 entries skipped."""
    gateway.skipped = [
        batch_pb2.SkippedEntry(name=f"n{i}.txt", reason="not an image")
        for i in range(100)
    ]
    gateway.skipped_count = 5000


def test_status_lists_the_first_skipped_entries_and_counts_the_rest(gateway, capsys):
    many_skipped(gateway)

    status = cli.main(["status", "b1", "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert "n99.txt: not an image" in out
    assert "… and 4,900 more entries skipped" in out


def test_status_json_counts_the_skipped_entries_beside_those_listed(gateway, capsys):
    many_skipped(gateway)

    status = cli.main(["status", "b1", "--json", "--server", gateway.address])

    shown = json.loads(capsys.readouterr().out)
    assert status == 0
    assert (len(shown["skipped"]), shown["skipped_count"]) == (100, 5000)


def test_scan_announces_the_first_skipped_entries_and_counts_the_rest(
    gateway, cards_zip, capsys
):
    many_skipped(gateway)

    status = cli.main(["scan", str(cards_zip), "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert "n19.txt: not an image" in out
    assert "n20.txt" not in out
    assert (
        f"… and 4,980 more entries skipped: `cardscan --server {gateway.address} "
        "status b1` lists the first 100"
    ) in out


def test_batches_follows_pages_up_to_the_limit(gateway, capsys):
    status = cli.main(["batches", "--limit", "3", "--server", gateway.address])

    out = capsys.readouterr().out
    assert status == 0
    assert gateway.page_requests == [(3, ""), (1, "2")]
    rows = [line for line in out.splitlines() if "2026-03-01 09:30:00" in line]
    assert [row.split()[1] for row in rows] == ["b5", "b4", "b3"]
    assert all("running" in row for row in rows)


def test_a_batch_limit_past_32_bits_asks_for_the_largest_page(gateway, capsys):
    status = cli.main(["batches", "--limit", "9" * 12, "--server", gateway.address])

    assert status == 0
    assert gateway.page_requests[0] == (2**31 - 1, "")
    assert capsys.readouterr().out.count("2026-03-01 09:30:00") == 5


def test_batches_json_is_one_jsonview_summary_per_line(gateway, capsys):
    status = cli.main(["batches", "--json", "--server", gateway.address])

    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert [json.loads(line) for line in lines] == [
        jsonview.batch_summary(listed) for listed in gateway.batches
    ]


def test_batches_says_so_when_there_are_none(gateway, capsys):
    gateway.batches = []

    status = cli.main(["batches", "--server", gateway.address])

    assert status == 0
    assert "no batches yet" in capsys.readouterr().out


def test_a_batch_limit_below_one_is_refused_with_the_value(capsys):
    with pytest.raises(SystemExit):
        cli.main(["batches", "--limit", "0"])

    assert "expected a whole number >= 1, got '0'" in capsys.readouterr().err


def test_down_where_no_stack_ever_ran_says_to_give_up_s_data_dir(tmp_path, capsys):
    status = cli.main(["down", "--data-dir", str(tmp_path)])

    assert status != 0
    assert "and none ran from it; nothing to stop (give the --data-dir" in (
        " ".join(capsys.readouterr().err.split())
    )


def test_down_again_after_a_stack_stopped_is_done(tmp_path, capsys):
    ports = Ports(nats=41222, store=41052, gateway_grpc=41051, gateway_http=41080)
    (tmp_path / cli.LAST_PORTS_NAME).write_text(json.dumps(asdict(ports)))

    status = cli.main(["down", "--data-dir", str(tmp_path)])

    assert status == 0
    assert f"No stack runs from {tmp_path}; nothing to stop." in (
        " ".join(capsys.readouterr().out.split())
    )


def test_an_error_of_many_lines_keeps_them_and_escapes_control_characters(capsys):
    cli.fail("the store exited; its log ends:\n  bad \x1b[31mthing")

    assert capsys.readouterr().err == (
        "cardscan: error: the store exited; its log ends:\n  bad \\x1b[31mthing\n"
    )


def test_up_refuses_ports_already_in_use_and_names_them(tmp_path, capsys):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        status = cli.main(
            ["up", "--data-dir", str(tmp_path), "--nats-port", str(taken)]
            + ["--grpc-port", str(free_port()), "--http-port", str(free_port())]
            + ["--store-port", str(free_port())]
        )

    err = capsys.readouterr().err
    assert status != 0
    assert f"{taken} (--nats-port)" in err
    assert f"process {os.getpid()} holds it and is no part of a stack" in err
    assert not (tmp_path / "logs").exists()


def test_up_on_ports_of_a_stack_run_elsewhere_says_how_to_stop_that_stack(
    tmp_path, capsys
):
    elsewhere = Stack(tmp_path / "elsewhere", Ports.free(), ocr_workers=0)
    elsewhere.start_store()
    elsewhere.detach()
    try:
        status = cli.main(
            ["up", "--data-dir", str(tmp_path / "here")]
            + ["--store-port", str(elsewhere.ports.store)]
            + ["--nats-port", str(free_port()), "--grpc-port", str(free_port())]
            + ["--http-port", str(free_port())]
        )
    finally:
        RecordedStack.load(elsewhere.data_dir).stop()

    assert status == 1
    assert capsys.readouterr().err == (
        "cardscan: error: cannot start: port already in use on 127.0.0.1: "
        f"{elsewhere.ports.store} (--store-port); a cardscan stack runs from "
        f"{elsewhere.data_dir} on port {elsewhere.ports.store}: stop it with "
        f"`cardscan down --data-dir {elsewhere.data_dir}`, or choose other ports "
        "(see `cardscan up --help`)\n"
    )


def test_up_on_a_worker_health_port_of_another_stack_says_how_to_stop_it(
    tmp_path, capsys
):
    elsewhere = Stack(
        tmp_path / "elsewhere", Ports.free(), ocr_workers=1, ocr_health_port=free_port()
    )
    elsewhere.start_nats()
    elsewhere.start_store()
    elsewhere.start_ocr(1)
    elsewhere.detach()
    try:
        status = cli.main(
            ["up", "--data-dir", str(tmp_path / "here"), "--workers", "1"]
            + [*port_options(Ports.free())]
            + ["--worker-health-port", str(elsewhere.ocr_health_port)]
        )
    finally:
        RecordedStack.load(elsewhere.data_dir).stop()

    assert status == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"{elsewhere.ocr_health_port} (--worker-health-port, OCR worker 1)" in err
    assert f"`cardscan down --data-dir {elsewhere.data_dir}`" in err


def test_up_help_says_the_store_uses_mongo_url_when_the_shell_sets_it(capsys):
    with pytest.raises(SystemExit):
        cli.main(["up", "--help"])

    described = " ".join(capsys.readouterr().out.split())
    assert "in the MongoDB that MONGO_URL names when the shell sets it" in described


@pytest.mark.parametrize(
    ("flag", "port"),
    [("--http-port", "70000"), ("--grpc-port", "0"), ("--worker-health-port", "0")],
)
def test_up_refuses_a_port_out_of_range(tmp_path, capsys, flag, port):
    with pytest.raises(SystemExit):
        cli.main(["up", "--data-dir", str(tmp_path), flag, port])

    assert f"expected a port from 1 to 65535, got '{port}'" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--grpc-port", "41551", "--http-port", "41551"],
            "--grpc-port and --http-port are both port 41551",
        ),
        (
            ["--grpc-port", "42201", "--http-port", "42201"]
            + ["--nats-port", "42202", "--store-port", "42202"],
            "--grpc-port and --http-port are both port 42201, and --nats-port and "
            "--store-port are both port 42202",
        ),
        (
            ["--grpc-port", "42203", "--http-port", "42203", "--store-port", "42203"],
            "--grpc-port, --http-port and --store-port are all port 42203",
        ),
        (
            ["--nats-port", "8080", "--store-port", "50051"],
            "--http-port (the default) and --nats-port are both port 8080, and "
            "--grpc-port (the default) and --store-port are both port 50051",
        ),
    ],
    ids=["two", "two-pairs", "three", "two-defaults"],
)
def test_up_refuses_parts_sharing_a_port_naming_every_clash_before_it_starts(
    tmp_path, capsys, argv, message
):
    status = cli.main(["up", "--data-dir", str(tmp_path / "data"), *argv])

    assert status == 1
    assert message in " ".join(capsys.readouterr().err.split())
    # Nothing is left of the data directory this refused `up` made.
    assert list(tmp_path.iterdir()) == []


def test_a_refused_up_leaves_a_data_directory_it_did_not_make(tmp_path, capsys):
    argv = ["--grpc-port", "41551", "--http-port", "41551"]

    status = cli.main(["up", "--data-dir", str(tmp_path), *argv])

    assert status == 1
    assert [path.name for path in tmp_path.iterdir()] == [cli.UP_LOCK_NAME]


def test_up_on_a_disk_short_of_the_free_space_kept_fails_at_once_naming_it(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv(disk.SETTING, "200")
    monkeypatch.setattr(disk, "free_bytes", lambda path: 150 * disk.MB)
    ports = Ports.free()

    status = cli.main(["up", "--data-dir", str(tmp_path), *port_options(ports)])

    assert status == 1
    assert (
        f"cannot start: the disk of {tmp_path} has 150 MB free, under the 200 MB "
        "the stack keeps free (MIN_FREE_DISK_MB); free some space, or set "
        "MIN_FREE_DISK_MB lower (0 turns the check off)"
    ) in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "logs").exists()
    assert not any(port_taken(port) for port in asdict(ports).values())


def test_up_again_on_a_disk_short_of_what_the_stack_keeps_fails_at_once(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(disk, "free_bytes", lambda path: 150 * disk.MB)
    ports = Ports.free()
    # A stack whose store stopped, started where it kept 200 MB free.
    write_record(
        tmp_path / "stack.json",
        ports,
        tmp_path / "logs",
        None,
        [{"name": "store", "pid": 1, "argv": ["gone"], "env": {disk.SETTING: "200"}}],
    )

    status = cli.main(["up", "--data-dir", str(tmp_path)])

    assert status == 1
    assert "has 150 MB free, under the 200 MB the stack keeps free" in (
        " ".join(capsys.readouterr().err.split())
    )
    assert not port_taken(ports.store)


def test_ports_json_others_can_change_is_refused_before_anything_starts(
    tmp_path, capsys
):
    ports = Ports(nats=41222, store=41052, gateway_grpc=41051, gateway_http=41080)
    (tmp_path / cli.LAST_PORTS_NAME).write_text(json.dumps(asdict(ports)))
    (tmp_path / cli.LAST_PORTS_NAME).chmod(0o646)

    status = cli.main(["up", "--data-dir", str(tmp_path)])

    assert status == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / cli.LAST_PORTS_NAME} can be changed by other users" in err
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    ("recorded", "wrong"),
    [
        ({"nats": 99999}, "nats 99999"),
        ({"nats": "41222"}, "nats '41222'"),
        ({"gateway_http": True}, "gateway_http True"),
        ({cli.WORKER_HEALTH_KEY: 70000}, f"{cli.WORKER_HEALTH_KEY} 70000"),
    ],
)
def test_ports_json_that_holds_no_ports_is_refused_saying_which(
    tmp_path, capsys, recorded, wrong
):
    ports = asdict(
        Ports(nats=41222, store=41052, gateway_grpc=41051, gateway_http=41080)
    )
    (tmp_path / cli.LAST_PORTS_NAME).write_text(json.dumps(ports | recorded))

    status = cli.main(["up", "--data-dir", str(tmp_path)])

    assert status == 1
    assert f"not a port from 1 to 65535: {wrong}" in capsys.readouterr().err
    assert not (tmp_path / "logs").exists()


def test_a_port_clash_says_which_port_came_from_where(tmp_path, capsys):
    status = cli.main(["up", "--data-dir", str(tmp_path), "--grpc-port", "8080"])

    assert status == 1
    assert "--grpc-port and --http-port (the default) are both port 8080" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--workers", "3", "--worker-health-port", "65534"],
            "--worker-health-port 65534 gives the 3 OCR workers ports up to 65536, "
            "past 65535: choose a port of 65533 or less",
        ),
        (
            ["--workers", "4", "--worker-health-port", "50050"],
            "--grpc-port (the default) and --worker-health-port 50050 are both port "
            "50051, and --store-port (the default) and --worker-health-port 50050 "
            "are both port 50052; --worker-health-port 50050 gives the 4 OCR "
            "workers ports 50050 to 50053",
        ),
        (
            ["--workers", "1", "--worker-health-port", "41551"]
            + ["--store-port", "41551"],
            "--store-port and --worker-health-port 41551 are both port 41551",
        ),
        (
            ["--workers", "3", "--worker-health-port", "42250"]
            + ["--store-port", "42252", "--grpc-port", "42250"],
            "--grpc-port and --worker-health-port 42250 are both port 42250, and "
            "--store-port and --worker-health-port 42250 are both port 42252; "
            "--worker-health-port 42250 gives the 3 OCR workers ports 42250 to 42252",
        ),
        (
            ["--workers", "3", "--worker-health-port", "42543"]
            + ["--grpc-port", "42541", "--http-port", "42541"]
            + ["--nats-port", "42543", "--store-port", "42544"],
            "--grpc-port and --http-port are both port 42541, and --nats-port and "
            "--worker-health-port 42543 are both port 42543, and --store-port and "
            "--worker-health-port 42543 are both port 42544; --worker-health-port "
            "42543 gives the 3 OCR workers ports 42543 to 42545",
        ),
        (
            ["--workers", "1", "--worker-health-port", "42541"]
            + [
                flag
                for part in ("grpc", "http", "nats", "store")
                for flag in (f"--{part}-port", "42541")
            ],
            "--grpc-port, --http-port, --nats-port, --store-port and "
            "--worker-health-port 42541 are all port 42541",
        ),
    ],
    ids=[
        "past-65535",
        "on-a-default",
        "on-a-given",
        "on-two",
        "beside-a-clash-of-parts",
        "all-on-one",
    ],
)
def test_up_refuses_worker_health_ports_past_the_last_or_on_another_part(
    tmp_path, capsys, argv, message
):
    status = cli.main(["up", "--data-dir", str(tmp_path), *argv])

    assert status == 1
    assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "logs").exists()


def test_worker_health_port_left_out_is_the_one_the_stack_last_ran_on(tmp_path, capsys):
    last = Ports(nats=41222, store=41052, gateway_grpc=41051, gateway_http=41080)
    recorded = asdict(last) | {cli.WORKER_HEALTH_KEY: 41060}
    (tmp_path / cli.LAST_PORTS_NAME).write_text(json.dumps(recorded))
    args = cli.parse_args(["up", "--data-dir", str(tmp_path)])
    term = cli.Terminal(cli.console(), cli.console(True))

    ran, ran_worker_health = cli.last_run(tmp_path)
    first = cli.worker_health_to_use(args, ran_worker_health, 2, term)
    said = capsys.readouterr().err
    clash = Ports(nats=41222, store=41052, gateway_grpc=41061, gateway_http=41080)
    with pytest.raises(InvalidInput) as refused:
        cli.refuse_shared_ports(args, ran, clash, first, 2)

    assert first == 41060
    assert "last ran on: --worker-health-port 41060" in said
    assert str(refused.value) == (
        "--grpc-port (from ports.json) and --worker-health-port 41060 (from "
        "ports.json) are both port 41061; --worker-health-port 41060 gives the 2 "
        "OCR workers ports 41060 to 41061"
    )


def test_worker_health_ports_left_out_are_free_ones_where_none_were_given(tmp_path):
    args = cli.parse_args(["up", "--data-dir", str(tmp_path)])
    term = cli.Terminal(cli.console(), cli.console(True))

    first = cli.worker_health_to_use(args, None, 2, term)

    assert first is None


def test_up_refusing_two_ports_in_use_names_both_in_the_plural(tmp_path, capsys):
    with socket.socket() as first, socket.socket() as second:
        for holder in (first, second):
            holder.bind(("127.0.0.1", 0))
            holder.listen()
        nats, store = first.getsockname()[1], second.getsockname()[1]
        status = cli.main(
            ["up", "--data-dir", str(tmp_path), "--nats-port", str(nats)]
            + ["--store-port", str(store), "--grpc-port", str(free_port())]
            + ["--http-port", str(free_port())]
        )

    err = " ".join(capsys.readouterr().err.split())
    assert status == 1
    assert (
        f"cannot start: ports already in use on 127.0.0.1: {nats} (--nats-port), "
        f"{store} (--store-port); process {os.getpid()} holds them"
    ) in err


def test_up_refuses_worker_health_ports_already_in_use_naming_the_worker(
    tmp_path, capsys, two_free_ports
):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", two_free_ports + 1))
        holder.listen()
        status = cli.main(
            ["up", "--data-dir", str(tmp_path), "--workers", "2"]
            + ["--worker-health-port", str(two_free_ports)]
            + port_options(Ports.free())
        )

    err = " ".join(capsys.readouterr().err.split())
    assert status == 1
    assert (
        "cannot start: port already in use on 127.0.0.1: "
        f"{two_free_ports + 1} (--worker-health-port, OCR worker 2); process "
        f"{os.getpid()} holds it"
    ) in err
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize("option", ["--json", "--vcard", "--csv"])
def test_contacts_that_cannot_be_written_say_how_to_fetch_them_again(option):
    card = batch_pb2.Card(
        card_id="b1-0",
        batch_id="b1",
        file_name="a.png",
        state=batch_pb2.CardState.CARD_STATE_DONE,
    )
    term = cli.Terminal(cli.console(), cli.console(True))

    with pytest.raises(cli.Failed) as refused:
        cli.show_cards([card], [outputs.Output(option, "/dev/full")], term, None)

    assert str(refused.value) == (
        "cannot write the contacts to /dev/full: No space left on device; fetch "
        f"them again with `cardscan contacts b1 {option} FILE`"
    )


def test_up_takes_the_ports_left_out_from_the_stacks_last_run(tmp_path, capsys):
    last = Ports(nats=41222, store=41052, gateway_grpc=41051, gateway_http=41080)
    (tmp_path / cli.LAST_PORTS_NAME).write_text(json.dumps(asdict(last)))
    args = cli.parse_args(["up", "--data-dir", str(tmp_path), "--http-port", "41081"])

    ports = cli.ports_to_use(
        args, cli.last_run(tmp_path)[0], cli.Terminal(cli.console(), cli.console(True))
    )

    assert ports == Ports(
        nats=41222, store=41052, gateway_grpc=41051, gateway_http=41081
    )
    assert "--grpc-port 41051, --nats-port 41222, --store-port 41052" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("workers", "available", "warned"),
    [
        (2, 24 * 2**30, []),
        (3, 24 * 2**30, ["3 OCR workers on 2 cores"]),
        (2, 2**29, ["2 OCR workers hold about 0.8 GiB of memory", "0.5 GiB"]),
        (2, None, []),
    ],
)
def test_up_warns_of_more_workers_than_the_machine_serves(
    workers, available, warned, monkeypatch, capsys
):
    monkeypatch.setattr(cli, "cores", lambda: 2)
    monkeypatch.setattr(cli, "available_memory", lambda: available)
    args = cli.parse_args(["up", "--workers", str(workers)])

    wanted = cli.workers_wanted(args, cli.Terminal(cli.console(), cli.console(True)))

    err = " ".join(capsys.readouterr().err.split())
    assert wanted == workers
    assert all(warning in err for warning in warned)
    assert bool(err) == bool(warned)


def test_the_memory_available_is_read_from_the_kernel():
    available = cli.available_memory()

    assert available is not None
    assert 0 < available <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def kill_recorded(data_dir, name):
    """Kills a recorded part outright and waits until it is gone."""
    recorded = RecordedStack.load(data_dir)
    process = next(p for p in recorded.processes if p["name"] == name)
    os.kill(process["pid"], signal.SIGKILL)
    while name in recorded.running():
        time.sleep(0.05)


def test_up_starts_again_the_parts_of_a_recorded_stack_that_stopped(
    stack_parts, capsys
):
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.detach()
    data_dir = stack_parts.data_dir
    try:
        kill_recorded(data_dir, "store")
        status = cli.main(
            ["up", "--detach", "--data-dir", str(data_dir), "--http-port", "42999"]
            + ["--workers", "3", "--worker-health-port", "42990"]
        )
        out, err = capsys.readouterr()
        running = RecordedStack.load(data_dir).running()
        again = cli.main(
            ["up", "--detach", "--data-dir", str(data_dir), "--workers", "2"]
        )
        refused = capsys.readouterr().err
    finally:
        RecordedStack.load(data_dir).stop()

    assert status == 0, err
    assert (
        "Left --http-port, --worker-health-port, --workers aside: the stack that "
        f"runs from {data_dir}" in (err)
    )
    assert f"Started again store of the stack that runs from {data_dir}" in out
    assert "nats ran already" in out
    assert running == ["nats", "store"]
    assert again != 0
    assert f"a stack already runs from {data_dir}" in refused
    assert "then start it with --workers as you want them" in refused


def environment_of(data_dir, name):
    """The environment the recorded part runs with, as /proc shows it."""
    process = next(
        p for p in RecordedStack.load(data_dir).processes if p["name"] == name
    )
    raw = Path(f"/proc/{process['pid']}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if item)


def test_a_part_started_again_gets_the_settings_it_was_first_started_with(
    stack_parts, capsys, monkeypatch
):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.delenv("MAX_ENTRIES", raising=False)
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.detach()
    data_dir = stack_parts.data_dir
    try:
        kill_recorded(data_dir, "store")
        monkeypatch.setenv("LOG_LEVEL", "WARNING")
        monkeypatch.setenv("MAX_ENTRIES", "5")
        status = cli.main(["up", "--detach", "--data-dir", str(data_dir)])
        environment = environment_of(data_dir, "store")
    finally:
        RecordedStack.load(data_dir).stop()

    assert status == 0, capsys.readouterr().err
    assert environment["LOG_LEVEL"] == "DEBUG"
    assert "MAX_ENTRIES" not in environment


def test_down_names_the_parts_that_had_stopped_already(stack_parts, capsys):
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.detach()
    try:
        kill_recorded(stack_parts.data_dir, "store")
        status = cli.main(["down", "--data-dir", str(stack_parts.data_dir)])
    finally:
        leftover = RecordedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert status == 0
    assert capsys.readouterr().out.split("\n")[:2] == [
        "Stopped nats.",
        "store had stopped already.",
    ]


# The whole stack, started by the command itself as processes.


def cardscan_command(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Runs the cardscan command as a process of its own."""
    env = {**os.environ, "COLUMNS": "250"}
    argv = [sys.executable, "-m", "cardscan.cli", *args]
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, timeout=300, **kwargs
    )


def port_options(ports: Ports) -> list[str]:
    return [
        *("--grpc-port", str(ports.gateway_grpc)),
        *("--http-port", str(ports.gateway_http)),
        *("--nats-port", str(ports.nats)),
        *("--store-port", str(ports.store)),
    ]


@pytest.mark.e2e
def test_up_detach_serves_scans_until_down(tmp_path):
    data_dir, ports = tmp_path / "data", Ports.free()
    cards = cli.zip_sample_cards(tmp_path / "samples.zip")
    up = ["up", "--detach", "--data-dir", str(data_dir), "--workers", "1"]
    try:
        started = cardscan_command(*up, *port_options(ports))
        again = cardscan_command(*up, *port_options(Ports.free()))
        scanned = cardscan_command(
            "scan", str(cards), "--json", "--server", f"127.0.0.1:{ports.gateway_grpc}"
        )
        modes = {
            path.relative_to(data_dir).as_posix(): path.stat().st_mode & 0o777
            for path in [data_dir, *data_dir.rglob("*")]
        }
        down = cardscan_command("down", "--data-dir", str(data_dir))
        # Up again with no ports given runs where the stack ran before.
        after_down = cardscan_command(*up)
        down_again = cardscan_command("down", "--data-dir", str(data_dir))
        down_once_more = cardscan_command("down", "--data-dir", str(data_dir))
    finally:
        leftover = RecordedStack.load(data_dir)
        if leftover:
            leftover.stop()

    assert after_down.returncode == 0, after_down.stderr
    assert "last ran on: --grpc-port" in after_down.stderr
    assert f"http://127.0.0.1:{ports.gateway_http}" in after_down.stdout
    assert down_again.returncode == 0, down_again.stderr
    assert down_once_more.returncode == 0, down_once_more.stderr
    assert "nothing to stop" in down_once_more.stdout
    assert started.returncode == 0, started.stderr
    assert f"http://127.0.0.1:{ports.gateway_http}" in started.stdout
    assert re.search(
        r"OCR workers   1, gRPC health on 127\.0\.0\.1:[0-9]+\n", started.stdout
    )
    assert again.returncode != 0
    assert "already runs" in again.stderr
    assert scanned.returncode == 0, scanned.stderr
    # The contacts, the cards and the settings are for the user alone.
    assert modes["."] == 0o700
    assert modes["stack.json"] == 0o600
    assert modes["store.sqlite3"] == 0o600
    assert not [path for path, mode in modes.items() if mode & 0o077]
    rows = [json.loads(line) for line in scanned.stdout.splitlines()]
    assert sorted(row["file"] for row in rows) == zipfile.ZipFile(cards).namelist()
    assert {row["state"] for row in rows} <= {"DONE", "FAILED"}
    assert any(row["state"] == "DONE" and row["emails"] for row in rows)
    assert down.returncode == 0, down.stderr
    assert not (data_dir / "stack.json").exists()
    assert not any(port_taken(port) for port in asdict(ports).values())


@pytest.mark.e2e
def test_up_gives_the_ocr_workers_health_ports_up_from_the_one_chosen(
    tmp_path, two_free_ports
):
    data_dir, ports = tmp_path / "data", Ports.free()
    health = [two_free_ports, two_free_ports + 1]
    up = ["up", "--detach", "--data-dir", str(data_dir), "--workers", "2"]
    try:
        started = cardscan_command(
            *up, *port_options(ports), "--worker-health-port", str(health[0])
        )
        checked = [healthcheck.check(f"127.0.0.1:{port}") for port in health]
        kept = json.loads((data_dir / cli.LAST_PORTS_NAME).read_text())
        down = cardscan_command("down", "--data-dir", str(data_dir))
    finally:
        leftover = RecordedStack.load(data_dir)
        if leftover:
            leftover.stop()

    assert started.returncode == 0, started.stderr
    assert (
        f"OCR workers   2, gRPC health on 127.0.0.1:{health[0]}, "
        f"127.0.0.1:{health[1]}\n"
    ) in started.stdout
    assert checked == ["", ""]
    assert kept[cli.WORKER_HEALTH_KEY] == health[0]
    assert down.returncode == 0, down.stderr
    assert not any(port_taken(port) for port in health)


@pytest.mark.e2e
def test_up_detach_records_the_stack_even_when_its_output_is_closed(tmp_path):
    data_dir, ports = tmp_path / "data", Ports.free()
    argv = [sys.executable, "-m", "cardscan.cli", "up", "--detach", "--workers", "1"]
    argv += ["--data-dir", str(data_dir), *port_options(ports)]
    try:
        # As `cardscan up --detach | head -1` does once head has its line.
        up = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        up.stdout.close()
        up.wait(timeout=300)
        recorded = RecordedStack.load(data_dir)
        running = recorded.running() if recorded else []
        down = cardscan_command("down", "--data-dir", str(data_dir))
    finally:
        leftover = RecordedStack.load(data_dir)
        if leftover:
            leftover.stop()

    assert recorded is not None
    assert sorted(running) == ["gateway", "nats", "ocr-1", "store"]
    assert down.returncode == 0, down.stderr
    assert not any(port_taken(port) for port in asdict(ports).values())


@contextlib.contextmanager
def serving_up(data_dir, ports: Ports, **popen):
    """``cardscan up`` in the foreground with one worker, once it says it
    serves; whatever is left of it is stopped after the block."""
    argv = [sys.executable, "-m", "cardscan.cli", "up", "--workers", "1"]
    argv += ["--data-dir", str(data_dir), *port_options(ports)]
    up = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, **popen)
    try:
        # Only once up says it serves has it finished starting every part.
        for line in up.stdout:
            if line.startswith("Serving"):
                break
        yield up
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        leftover = RecordedStack.load(data_dir)
        if leftover:
            leftover.stop()


def test_up_is_refused_while_another_up_starts_a_stack_from_the_data_dir(tmp_path):
    # Another `up` holds the lock until its stack is recorded.
    with open(tmp_path / cli.UP_LOCK_NAME, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        second = cardscan_command(
            "up", "--detach", "--data-dir", str(tmp_path), *port_options(Ports.free())
        )

    assert second.returncode != 0
    assert "another `cardscan up` is starting or serving a stack" in second.stderr
    assert not (tmp_path / "stack.json").exists()


@pytest.mark.e2e
def test_a_stack_in_the_foreground_refuses_a_second_and_stops_on_down(tmp_path):
    data_dir, ports = tmp_path / "data", Ports.free()
    with serving_up(data_dir, ports, stderr=subprocess.PIPE) as up:
        second = cardscan_command(
            "up", "--detach", "--data-dir", str(data_dir), *port_options(Ports.free())
        )
        down = cardscan_command("down", "--data-dir", str(data_dir))
        status = up.wait(timeout=60)
        said = up.stdout.read()

    assert second.returncode != 0
    assert "already runs" in second.stderr
    assert "in the foreground" in second.stderr
    assert down.returncode == 0, down.stderr
    assert f"(run by `cardscan up`, process {up.pid})" in down.stdout
    assert status == 0
    assert "Stopping the stack" in said
    assert not (data_dir / "stack.json").exists()
    assert not any(port_taken(port) for port in asdict(ports).values())


@pytest.mark.e2e
def test_ctrl_c_as_soon_as_up_serves_stops_the_stack_and_its_record(tmp_path):
    ports = Ports.free()

    def as_from_a_terminal():
        # Ctrl-C reaches a program started from a terminal, which does not
        # ignore it as a background job of a script would.
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    with serving_up(tmp_path, ports, preexec_fn=as_from_a_terminal) as up:
        recorded = (tmp_path / "stack.json").exists()
        up.send_signal(signal.SIGINT)
        status = up.wait(timeout=60)
    leftover = RecordedStack.load(tmp_path)

    assert recorded
    assert status == 0
    assert leftover is None
    assert not any(port_taken(port) for port in asdict(ports).values())


@pytest.mark.e2e
# SIGHUP as when the terminal it runs in is closed.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_up_stops_every_part_on_sigterm_or_sighup(tmp_path, signum):
    ports = Ports.free()
    with serving_up(tmp_path, ports, stderr=subprocess.PIPE) as up:
        wait_healthy(f"127.0.0.1:{ports.gateway_grpc}", up, "cardscan up")
        up.send_signal(signum)
        status = up.wait(timeout=60)
        said = up.stderr.read()

    assert status == 0, said
    assert not any(port_taken(port) for port in asdict(ports).values())


@pytest.mark.e2e
def test_demo_prints_the_contacts_of_the_sample_cards():
    demo = cardscan_command("demo", "--workers", "1")

    assert demo.returncode == 0, demo.stderr
    assert "Contacts" in demo.stdout
    for image in cli.SAMPLE_CARDS.iterdir():
        assert image.name in demo.stdout


def test_output_to_a_file_is_wide_enough_for_whole_words(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    wide = cli.console()
    monkeypatch.setenv("COLUMNS", "90")
    asked = cli.console()

    assert not wide.is_terminal
    assert wide.width == cli.FILE_WIDTH
    assert asked.width == 90


@pytest.mark.parametrize("command", ["scan", "contacts"])
def test_a_json_file_that_cannot_be_written_is_refused_before_anything_is_sent(
    tmp_path, capsys, command
):
    cards = cli.zip_sample_cards(tmp_path / "samples.zip")
    target = tmp_path / "missing" / "out.jsonl"
    first = str(cards) if command == "scan" else "0" * 32
    # Nothing listens there: a command that went on would find it unreachable.
    server = f"127.0.0.1:{free_port()}"

    status = cli.main([command, first, "--json", str(target), "--server", server])

    assert status == 1
    err = capsys.readouterr().err
    assert f"the folder {target.parent} does not exist" in err
    assert "cannot reach" not in err


@pytest.mark.parametrize("option", ["--json", "--vcard", "--csv"])
def test_a_file_the_file_system_will_not_take_is_refused_before_the_upload(
    tmp_path, capsys, option
):
    cards = cli.zip_sample_cards(tmp_path / "samples.zip")
    # No file can be made in /proc, by root either, though it says writable.
    target = "/proc/cardscan-contacts.out"
    server = f"127.0.0.1:{free_port()}"

    status = cli.main(["scan", str(cards), option, target, "--server", server])

    assert status == 1
    err = capsys.readouterr().err
    assert f"{option} {target}: cannot write there" in err
    assert "cannot reach" not in err


def test_checking_a_file_for_writing_leaves_it_and_its_folder_as_they_were(
    tmp_path,
):
    kept = tmp_path / "kept.vcf"
    kept.write_text("BEGIN:VCARD")

    outputs.writable_target("--vcard", str(kept))
    outputs.writable_target("--csv", str(tmp_path / "new.csv"))

    assert kept.read_text() == "BEGIN:VCARD"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.vcf"]


def described(stack: Stack) -> str:
    out = io.StringIO()
    cli.describe(stack, Console(file=out, width=200))
    return out.getvalue()


def test_up_on_other_ports_tells_how_to_reach_its_gateway(tmp_path):
    ports = Ports(nats=14222, store=15052, gateway_grpc=15051, gateway_http=18080)

    other = described(Stack(tmp_path, ports))
    usual = described(Stack(tmp_path, Ports.default()))

    assert "cardscan --server 127.0.0.1:15051 scan CARDS.zip" in other
    assert "--server" not in usual


def test_scan_writes_vcard_and_csv_files_naming_the_cards_left_out(
    gateway, cards_zip, tmp_path, capsys
):
    vcf, table = tmp_path / "out.vcf", tmp_path / "out.csv"

    status = cli.main(
        [
            "scan",
            str(cards_zip),
            "--server",
            gateway.address,
            "--vcard",
            str(vcf),
            "--csv",
            str(table),
        ]
    )

    printed = capsys.readouterr().out
    entries = list(vobject.readComponents(vcf.read_text(encoding="utf-8")))
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert status == 0
    assert [entry.fn.value for entry in entries] == ["Maren Holt"]
    assert [(row["name"], row["mobile_phone"]) for row in rows] == [
        ("Maren Holt", "'+447700900123")
    ]
    assert f"Wrote 1 contact to {vcf}" in printed
    assert f"Wrote 1 contact to {table}" in printed
    left_out = (
        "leaves out 1 card not read (failed or still open): "
        f"`cardscan --server {gateway.address} status b1` says why"
    )
    assert f"--vcard {left_out}" in printed
    assert f"--csv {left_out}" in printed


def test_contacts_as_vcard_to_stdout_leave_messages_to_stderr(gateway, capsys):
    status = cli.main(["contacts", "b1", "--server", gateway.address, "--vcard", "-"])

    printed = capsys.readouterr()
    (entry,) = vobject.readComponents(printed.out)
    assert status == 0
    assert entry.fn.value == "Maren Holt"
    assert "leaves out 1 card not read" in printed.err


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--json", "-", "--csv", "-"], "--json and --csv cannot both write to stdout"),
        (
            ["--vcard", "same.txt", "--csv", "same.txt"],
            "give each of --json, --vcard and --csv a file of its own",
        ),
        (
            ["--vcard", "card.png"],
            "--vcard card.png names a file of cards, not one to write contacts to;"
            " give --vcard a file of its own (--vcard contacts.vcf)",
        ),
        (["--csv", ""], "--csv needs a file name, or '-' for stdout"),
    ],
)
def test_contacts_outputs_that_cannot_be_written_are_refused_before_fetching(
    gateway, capsys, monkeypatch, tmp_path, extra, said
):
    monkeypatch.chdir(tmp_path)

    status = cli.main(["contacts", "b1", "--server", gateway.address, *extra])

    assert status != 0
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_scan_refuses_to_write_a_vcard_over_its_own_zip(gateway, cards_zip, capsys):
    before = cards_zip.read_bytes()

    status = cli.main(
        ["scan", str(cards_zip), "--server", gateway.address, "--vcard", str(cards_zip)]
    )

    assert status != 0
    assert f"--vcard {cards_zip} would overwrite {cards_zip}, which is being read" in (
        capsys.readouterr().err
    )
    assert cards_zip.read_bytes() == before
    assert gateway.chunks == []


def test_two_outputs_linked_to_one_file_are_refused(gateway, tmp_path, capsys):
    first = tmp_path / "a.vcf"
    first.write_text("kept")
    (tmp_path / "h.csv").hardlink_to(first)

    status = cli.main(
        [
            "contacts",
            "b1",
            "--server",
            gateway.address,
            "--vcard",
            str(first),
            "--csv",
            str(tmp_path / "h.csv"),
        ]
    )

    assert status != 0
    assert "give each of --json, --vcard and --csv a file of its own" in (
        capsys.readouterr().err
    )
    assert first.read_text() == "kept"


# The first bytes of a PNG image, with the start of its header.
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("command", "name", "held"),
    [
        ("card", "noext", "a PNG image"),
        ("card", "z.txt", "a ZIP archive"),
        ("scan", "twozip", "a ZIP archive"),
        ("scan", "noext", "a PNG image"),
        ("contacts", "z.txt", "a ZIP archive"),
    ],
)
def test_no_output_is_written_over_a_zip_or_an_image_whatever_its_name(
    gateway, cards_zip, tmp_path, capsys, command, name, held
):
    image = tmp_path / "img2.png"
    image.write_bytes(PNG_HEAD)
    first = {"card": image, "scan": cards_zip, "contacts": "b1"}[command]
    target = tmp_path / name
    target.write_bytes(PNG_HEAD if "PNG" in held else cards_zip.read_bytes())
    before = target.read_bytes()

    status = cli.main(
        [command, str(first), "--server", gateway.address, "--json", str(target)]
    )

    assert status != 0
    assert (
        f"--json {target} holds {held}, a file of cards, not one to write "
        "contacts to; give --json a file of its own (--json contacts.jsonl)"
    ) in capsys.readouterr().err
    assert target.read_bytes() == before
    assert gateway.chunks == []


def test_a_card_whose_contact_cannot_be_written_names_the_server_to_fetch_it(
    gateway, tmp_path, capsys
):
    image = tmp_path / "holt.png"
    image.write_bytes(PNG_HEAD)

    status = cli.main(
        ["--server", gateway.address, "card", str(image), "--csv", "/dev/full"]
    )

    assert status != 0
    assert (
        "fetch them again with "
        f"`cardscan --server {gateway.address} contacts b1 --csv FILE`"
    ) in capsys.readouterr().err


def test_a_failed_card_written_as_csv_names_the_server_to_ask_why(
    gateway, tmp_path, capsys
):
    image = tmp_path / "blur.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0 a blurred photo")

    status = cli.main(
        ["card", str(image), "--server", gateway.address, "--csv", str(tmp_path / "c")]
    )

    assert status != 0
    assert (
        f"--csv leaves out 1 card not read (failed or still open): `cardscan "
        f"--server {gateway.address} status b1` says why"
    ) in capsys.readouterr().out


def test_an_output_linked_to_the_image_being_read_is_refused(gateway, tmp_path, capsys):
    image = tmp_path / "img1.png"
    image.write_bytes(PNG_HEAD)
    linked = tmp_path / "hard.jsonl"
    linked.hardlink_to(image)

    status = cli.main(
        ["card", str(image), "--server", gateway.address, "--json", str(linked)]
    )

    assert status != 0
    assert f"--json {linked} would overwrite {image}, which is being read" in (
        capsys.readouterr().err
    )
    assert image.read_bytes() == PNG_HEAD


def test_a_text_file_that_begins_as_an_image_might_is_written_over(gateway, tmp_path):
    # 'BM' begins a BMP image, and this line of text too.
    notes = tmp_path / "notes.txt"
    notes.write_text("BMW dealers\n")

    status = cli.main(
        ["contacts", "b1", "--server", gateway.address, "--csv", str(notes)]
    )

    assert status == 0
    assert "Maren Holt" in notes.read_text(encoding="utf-8-sig")
