"""Helpers for the gateway tests: a running gateway, sample uploads, and
ways to see what the gateway queued."""

import asyncio
import dataclasses
import io
import zipfile
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc
import nats
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js import JetStreamContext
from PIL import Image

from cardscan import messaging, rpc
from cardscan.v1 import cardscan_pb2_grpc, store_pb2, store_pb2_grpc
from gateway import config, server, workers


@dataclass
class Gateway:
    """A running gateway and the clients a test talks to it with."""

    settings: config.Settings
    http_url: str
    stub: cardscan_pb2_grpc.CardScanServiceStub
    store: store_pb2_grpc.StoreServiceStub
    js: JetStreamContext
    nc: nats.aio.client.Client
    # Set, the gateway stops as on SIGTERM; serving ends once it has.
    stop: asyncio.Event
    serving: asyncio.Task


@asynccontextmanager
async def running_gateway(gateway_settings: config.Settings):
    """Serves a gateway with the settings for as long as the block runs."""
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve(gateway_settings, stop))
    await _wait_until_serving(gateway_settings.grpc_listen, serving)
    nc = await nats.connect(gateway_settings.nats_url)
    async with (
        rpc.channel(gateway_settings.grpc_listen) as channel,
        rpc.channel(gateway_settings.store_addr) as store_channel,
    ):
        yield Gateway(
            settings=gateway_settings,
            http_url=f"http://{gateway_settings.http_listen}",
            stub=cardscan_pb2_grpc.CardScanServiceStub(channel),
            store=store_pb2_grpc.StoreServiceStub(store_channel),
            js=nc.jetstream(),
            nc=nc,
            stop=stop,
            serving=serving,
        )
    await nc.close()
    stop.set()
    await serving


async def _wait_until_serving(address: str, serving: asyncio.Task) -> None:
    """Waits until the gateway's health service says SERVING, which it
    says once NATS answered and the uploads left before were looked at."""
    request = health_pb2.HealthCheckRequest()
    async with rpc.channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for _ in range(200):
            if serving.done():
                serving.result()
            try:
                reply = await health.Check(request, timeout=1)
            except grpc.aio.AioRpcError:
                reply = None
            if reply and reply.status == health_pb2.HealthCheckResponse.SERVING:
                return
            await asyncio.sleep(0.05)
    raise TimeoutError(f"the gateway at {address} did not report SERVING")


def with_limits(settings: config.Settings, **limits) -> config.Settings:
    """The settings with some limits changed."""
    return dataclasses.replace(
        settings, limits=dataclasses.replace(settings.limits, **limits)
    )


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, kind)
    return out.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def many_skipped_entries(skipped: int) -> dict[str, bytes]:
    """The entries of a ZIP of that many text files with names of 1000
    characters, in name order, and two cards among them."""
    entries = {f"{i:05}-{'n' * 990}.txt": b"notes" for i in range(skipped)}
    return {"first.png": image_bytes(), **entries, "last.png": image_bytes()}


def skipped_name(position: int) -> str:
    """The name of the entry many_skipped_entries skips at that position."""
    return f"{position:05}-{'n' * 990}.txt"


async def queued_messages(js: JetStreamContext, count: int, single=False) -> list:
    """The card messages in the stream of batch cards, or of single cards,
    read by a test consumer of its own."""
    subjects, stream = messaging.CARD_SUBJECTS, messaging.STREAM
    if single:
        subjects, stream = messaging.SCAN_SUBJECTS, messaging.SCAN_STREAM
    subscription = await js.pull_subscribe(subjects, stream=stream)
    messages = []
    while len(messages) < count:
        messages += await subscription.fetch(count - len(messages), timeout=5)
    await subscription.unsubscribe()
    return messages


async def finish_card(gateway: Gateway, card_id: str, **outcome) -> None:
    """Does what an OCR worker does for a card: start, finish, announce."""
    batch_id = card_id.rsplit("-", 1)[0]
    subject = messaging.event_subject(batch_id)
    await gateway.store.StartCard(store_pb2.StartCardRequest(card_id=card_id))
    await gateway.nc.publish(subject, card_id.encode())
    request = store_pb2.FinishCardRequest(card_id=card_id, **outcome)
    await gateway.store.FinishCard(request)
    await gateway.nc.publish(subject, card_id.encode())


async def logged(caplog, words: str) -> bool:
    """Whether the words come up in a log record, looking for a while."""
    for _ in range(200):
        if any(words in record.getMessage() for record in caplog.records):
            return True
        await asyncio.sleep(0.05)
    return False


def as_if_listened_a_whole_window(monkeypatch) -> None:
    """Has the gateway act as if it had listened for workers' heartbeats a
    whole window already, hearing its own echo through NATS all along."""
    monkeypatch.setattr(workers, "WINDOW_SECONDS", 0.0)
    monkeypatch.setattr(workers.Workers, "nats_delivers", lambda self: True)
