"""Measures through a running local stack: batch throughput with each
process's CPU cost, single-card latency, and memory under a large upload.

A batch's times come from the store's own clock: the card's ``updated_at``
when it ended, against the wall clock of this process on the same machine.
The batch is followed by polling GetBatch once a second, which only decides
when to stop looking, so the poll interval does not blur the figures and
adds little to the gateway's and the store's CPU time; or, when asked, by
WatchBatch as the command line follows a batch, to measure what that costs.
"""

import http.client
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import grpc

from bench import sampling
from bench.cardset import Card
from cardscan import rpc
from cardscan.client import GatewayClient
from cardscan.stack import Stack
from cardscan.v1 import batch_pb2, cardscan_pb2, cardscan_pb2_grpc

POLL_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 120.0
HTTP_BLOCK_BYTES = 256 * 1024
COMPONENTS = ("gateway", "nats", "store", "ocr")


class BenchFailed(Exception):
    """The stack did not do what the benchmark asked of it."""


@dataclass
class BatchRun:
    """One batch from the start of its upload to its last stored card."""

    cards: int
    reply_seconds: float
    first_contact_after_reply: float | None
    last_card_seconds: float
    done: int
    failed: int
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Cards per second, from the upload's start to its last stored card."""
        return self.cards / self.last_card_seconds

    def cpu_ms_per_card(self) -> dict[str, float]:
        """Milliseconds of CPU time each component spent per card."""
        return {k: v * 1000 / self.cards for k, v in self.cpu_seconds.items()}


def component_of(process_name: str) -> str:
    """The component a stack process belongs to: ocr-1, ocr-2... are 'ocr'."""
    return "ocr" if process_name.startswith("ocr-") else process_name


def pids(stack: Stack) -> dict[str, int]:
    """The process id of each part of the stack, by name."""
    return {name: process.pid for name, process in stack.processes.items()}


def cpu_by_component(stack: Stack) -> dict[str, float]:
    """CPU seconds so far of each component, OCR workers added together."""
    totals = dict.fromkeys(COMPONENTS, 0.0)
    for name, seconds in sampling.cpu_by_name(pids(stack)).items():
        totals[component_of(name)] += seconds
    return totals


def upload_grpc(stack: Stack, path: Path) -> str:
    """Streams the ZIP to CreateBatch as the command line does; the batch id."""
    with GatewayClient(stack.gateway_address) as client:
        return client.create_batch(path).batch_id


def upload_http(stack: Stack, path: Path) -> str:
    """Streams the ZIP as the body of POST /v1/batches; the batch id."""
    connection = http_connection(stack)
    try:
        with path.open("rb") as body:
            connection.request(
                "POST",
                "/v1/batches",
                body=body,
                headers={
                    "Content-Type": "application/zip",
                    "Content-Length": str(path.stat().st_size),
                },
            )
            reply = connection.getresponse()
            text = reply.read()
    finally:
        connection.close()
    if reply.status != 202:
        raise BenchFailed(f"POST /v1/batches answered {reply.status}: {text[:300]!r}")
    return json.loads(text)["batch_id"]


def http_connection(stack: Stack) -> http.client.HTTPConnection:
    """A connection to the gateway's HTTP API that sends bodies in large
    blocks, as a client streaming a file would."""
    port = stack.ports.gateway_http
    return http.client.HTTPConnection(
        "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS, blocksize=HTTP_BLOCK_BYTES
    )


def wait_complete(stack: Stack, batch_id: str, timeout: float) -> batch_pb2.Batch:
    """The batch once every card ended; fails after timeout seconds."""
    deadline = time.monotonic() + timeout
    with GatewayClient(stack.gateway_address) as client:
        while time.monotonic() < deadline:
            batch = client.get_batch(batch_id)
            if batch.state == batch_pb2.BATCH_STATE_COMPLETE:
                return batch
            time.sleep(POLL_SECONDS)
    counts = batch.counts
    raise BenchFailed(
        f"batch {batch_id} was not complete after {timeout:.0f} s: "
        f"{counts.done} done, {counts.failed} failed of {counts.total}"
    )


def watch_complete(stack: Stack, batch_id: str, timeout: float) -> batch_pb2.Batch:
    """The batch once every card ended, followed with WatchBatch."""
    request = cardscan_pb2.WatchBatchRequest(batch_id=batch_id)
    with rpc_channel(stack) as channel:
        stub = cardscan_pb2_grpc.CardScanServiceStub(channel)
        for reply in stub.WatchBatch(request, timeout=timeout):
            if reply.batch.state == batch_pb2.BATCH_STATE_COMPLETE:
                return reply.batch
    raise BenchFailed(f"WatchBatch on {batch_id} ended before the batch did")


def rpc_channel(stack: Stack) -> grpc.Channel:
    """A blocking channel to the gateway's gRPC API."""
    return grpc.insecure_channel(stack.gateway_address, options=rpc.MESSAGE_OPTIONS)


def run_batch(
    stack: Stack, path: Path, upload, timeout: float, follow=wait_complete
) -> BatchRun:
    """Uploads the ZIP with the upload function and follows it to its end,
    recording CPU time and peak memory of every process meanwhile."""
    cpu_before = cpu_by_component(stack)
    with sampling.PeakMemory(pids(stack)) as memory:
        started = time.time()
        batch_id = upload(stack, path)
        replied = time.time()
        batch = follow(stack, batch_id, timeout)
    cpu_after = cpu_by_component(stack)

    ended = [c.updated_at.ToMicroseconds() / 1e6 for c in batch.cards]
    stored = [
        c.updated_at.ToMicroseconds() / 1e6
        for c in batch.cards
        if c.state == batch_pb2.CARD_STATE_DONE
    ]
    return BatchRun(
        cards=batch.counts.total,
        reply_seconds=replied - started,
        first_contact_after_reply=min(stored) - replied if stored else None,
        last_card_seconds=max(ended) - started,
        done=batch.counts.done,
        failed=batch.counts.failed,
        cpu_seconds={k: cpu_after[k] - cpu_before[k] for k in COMPONENTS},
        peak_rss=dict(memory.peaks),
    )


class SingleCards:
    """Sends single cards to the gateway one at a time, over HTTP on one
    kept-alive connection and over gRPC on one channel, timing each."""

    def __init__(self, stack: Stack) -> None:
        self._http = http_connection(stack)
        self._grpc = GatewayClient(stack.gateway_address)

    def __enter__(self) -> "SingleCards":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()
        self._grpc.close()

    def over_http(self, card: Card) -> float:
        """Seconds POST /v1/cards took to answer with the card read."""
        started = time.perf_counter()
        post_card(self._http, card)
        return time.perf_counter() - started

    def over_grpc(self, card: Card) -> float:
        """Seconds ScanCard took to answer with the card read."""
        started = time.perf_counter()
        self._grpc.scan_card(card.path)
        return time.perf_counter() - started


def post_card(connection: http.client.HTTPConnection, card: Card) -> None:
    """Sends one image to POST /v1/cards and reads the whole reply."""
    connection.request(
        "POST",
        f"/v1/cards?file_name={quote(card.name)}",
        body=card.image,
        headers={"Content-Type": "application/octet-stream"},
    )
    reply = connection.getresponse()
    body = reply.read()
    # 422 is a card OCR could not read: answered, and timed like any other.
    if reply.status not in (200, 422):
        raise BenchFailed(f"POST /v1/cards answered {reply.status}: {body[:300]!r}")
