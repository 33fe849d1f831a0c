"""The whole stack as processes: real nats-server, store on SQLite, two OCR
workers with real Tesseract, and the gateway, driven over HTTP, gRPC and
the CLI with the labelled sample cards."""

import asyncio
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import aiohttp
import pytest

from cardscan import rpc
from cardscan.stack import Ports, Stack
from cardscan.v1 import batch_pb2, cardscan_pb2, cardscan_pb2_grpc

pytestmark = pytest.mark.e2e

SCORE = Path(__file__).resolve().parents[3] / "shared" / "tools" / "score.py"
# What plain Tesseract with regular expressions scores on the sample cards.
NAIVE_F1 = {
    "name": 0.33,
    "title": 0.29,
    "company": 0.07,
    "emails": 0.60,
    "phones": 0.78,
    "websites": 0.69,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(
        data_dir=tmp_path_factory.mktemp("stack"), ports=Ports.free(), ocr_workers=2
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def cards_zip(sample_cards, tmp_path_factory):
    path = tmp_path_factory.mktemp("upload") / "cards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for image, _ in sample_cards:
            archive.write(image, f"fair/{image.name}")
        archive.writestr("__MACOSX/fair/._0000.jpg", b"\0\5\26\7")
        archive.writestr("fair/.DS_Store", b"\0\0\0\1Bud1")
    return path


@pytest.fixture(scope="module")
def scanned(stack, cards_zip, tmp_path_factory):
    """The CLI's JSON Lines for the whole sample set, card by card."""
    out = tmp_path_factory.mktemp("out") / "contacts.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "cardscan.cli", "scan", str(cards_zip)]
        + ["--server", stack.gateway_address, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return out, {Path(row["file"]).name: row for row in rows}


def test_every_card_of_the_zip_ends_done_or_failed(scanned, sample_cards):
    _, rows = scanned
    assert sorted(rows) == sorted(image.name for image, _ in sample_cards)
    for name, row in rows.items():
        assert row["state"] in ("DONE", "FAILED"), name
        assert (row["state"] == "FAILED") == bool(row["error"]), name


def test_each_card_was_read_once_and_both_workers_shared_the_work(scanned, stack):
    _, rows = scanned
    logs = {
        name: (stack.data_dir / "logs" / f"{name}.log").read_text()
        for name in ("ocr-1", "ocr-2")
    }
    finished = {
        name: re.findall(r"card (\S+) (?:DONE|FAILED) in", text)
        for name, text in logs.items()
    }
    every = finished["ocr-1"] + finished["ocr-2"]
    assert sorted(every) == sorted(row["card_id"] for row in rows.values())
    assert finished["ocr-1"] and finished["ocr-2"]
    assert all(row["attempts"] == 1 for row in rows.values())


def test_contacts_match_the_labels_of_checked_cards(scanned, sample_cards):
    _, rows = scanned
    labels = {image.name: label for image, label in sample_cards}
    for name in ("0001.png", "0016.jpg", "0064.jpg"):
        row, label = rows[name], labels[name]
        assert row["name"] == label["name"], name
        assert row["company"] == label["company"], name
        assert row["emails"] == label["emails"], name


def test_scores_beat_a_naive_reader_on_every_field(scanned):
    if not SCORE.exists():
        pytest.skip(f"the scoring tool is not at {SCORE}")
    out, _ = scanned
    labels = SCORE.parents[1] / "cards" / "dev"
    result = subprocess.run(
        [sys.executable, str(SCORE), str(labels), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    scores = json.loads(result.stdout)["groups"]["all"]
    for field, naive in NAIVE_F1.items():
        assert scores[field] > naive, (field, scores[field])


async def test_http_batch_upload_status_and_contacts(stack, sample_cards):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for image, _ in sample_cards[:3]:
            archive.write(image, image.name)
        archive.writestr("notes.txt", b"call back on monday")
        truncated = sample_cards[0][0].read_bytes()
        archive.writestr("broken.jpg", truncated[: len(truncated) // 3])

    async with aiohttp.ClientSession(stack.http_url) as http:
        async with http.post("/v1/batches", data=buffer.getvalue()) as reply:
            assert reply.status == 202
            accepted = await reply.json()
        batch_id = accepted["batch_id"]
        for _ in range(600):
            async with http.get(f"/v1/batches/{batch_id}") as reply:
                batch = await reply.json()
            if batch["state"] == "COMPLETE":
                break
            await asyncio.sleep(0.1)
        async with http.get(f"/v1/batches/{batch_id}/contacts") as reply:
            contacts = await reply.json()

    assert [s["name"] for s in accepted["skipped"]] == ["notes.txt"]
    assert batch["state"] == "COMPLETE"
    assert batch["counts"]["total"] == 4
    states = {card["file"]: card for card in contacts["cards"]}
    assert states["broken.jpg"]["state"] == "FAILED"
    assert states["broken.jpg"]["error"]
    for image, label in sample_cards[:3]:
        assert states[image.name]["state"] == "DONE"
        assert states[image.name]["emails"] == label["emails"]


async def test_http_rejects_a_body_that_is_not_a_zip(stack):
    async with (
        aiohttp.ClientSession(stack.http_url) as http,
        http.post("/v1/batches", data=b"just some text") as reply,
    ):
        body = await reply.json()
    assert reply.status == 400
    assert "ZIP" in body["error"]["message"]


async def test_single_card_over_http_and_grpc_give_the_same_contact(
    stack, sample_cards
):
    image, label = sample_cards[1]
    async with (
        aiohttp.ClientSession(stack.http_url) as http,
        http.post("/v1/cards", data=image.read_bytes()) as reply,
    ):
        over_http = await reply.json()
    async with rpc.channel(stack.gateway_address) as channel:
        gateway = cardscan_pb2_grpc.CardScanServiceStub(channel)
        over_grpc = await gateway.ScanCard(
            cardscan_pb2.ScanCardRequest(image=image.read_bytes(), file_name=image.name)
        )

    assert reply.status == 200
    assert over_http["state"] == "DONE"
    assert over_grpc.card.state == batch_pb2.CARD_STATE_DONE
    assert over_http["emails"] == list(over_grpc.card.contact.emails)
    assert over_http["emails"] == label["emails"]


async def test_watch_batch_streams_until_every_card_ended(stack, sample_cards):
    chunks = io.BytesIO()
    with zipfile.ZipFile(chunks, "w") as archive:
        for image, _ in sample_cards[:4]:
            archive.write(image, image.name)
    async with rpc.channel(stack.gateway_address) as channel:
        gateway = cardscan_pb2_grpc.CardScanServiceStub(channel)
        created = await gateway.CreateBatch(
            iter([cardscan_pb2.CreateBatchRequest(chunk=chunks.getvalue())])
        )
        updates = [
            update.batch
            async for update in gateway.WatchBatch(
                cardscan_pb2.WatchBatchRequest(batch_id=created.batch_id)
            )
        ]

    assert created.accepted == 4
    assert updates[-1].state == batch_pb2.BATCH_STATE_COMPLETE
    assert updates[-1].counts.done + updates[-1].counts.failed == 4
    assert updates[-1].workers_online == 2
