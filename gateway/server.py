"""The gRPC CardScanService, translating to and from the batch logic, and
serve(), which runs it beside the HTTP API in one process."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator

import grpc
from aiohttp import web
from nats.aio.client import Client

from cardscan import messaging, private, rpc, signals, upload_keys
from cardscan.errors import CardscanError, InvalidInput
from cardscan.health import watch_store
from cardscan.v1 import cardscan_pb2, cardscan_pb2_grpc
from gateway import http_api
from gateway.batches import Batches, CardWaits
from gateway.config import Settings
from gateway.health import STORE, GatewayStanding
from gateway.queue import CardQueue
from gateway.workers import Workers

logger = logging.getLogger(__name__)

SERVICE_NAME = cardscan_pb2.DESCRIPTOR.services_by_name["CardScanService"].full_name

# A stopping gateway waits this long for the uploads it received whole to be
# queued; the cards it has not queued by then stay in their spool files, and
# its next start queues them.
DRAIN_SECONDS = 15.0
# Then its front ends give the calls in progress this long to end. Together
# these stay well within the 30 s compose.yaml gives the gateway to stop.
STOP_GRACE_SECONDS = 5.0

# HTTP/2 BDP probing lets a fast client on a fast link grow the receive
# window until hundreds of MB of an upload wait in gRPC's buffers; without
# it the window stays small and the client is held to the spooling pace.
SERVER_OPTIONS = [("grpc.http2.bdp_probe", 0)]


# The largest reply a gRPC client takes unless its channel is told more.
CLIENT_RECEIVE_BYTES = 4 * 1024 * 1024

# How long a watch whose reply failed waits for gRPC to cancel its call.
WATCHER_GONE_SECONDS = 5.0

# The trailing metadata of a ScanCard whose card was not read in time: the
# batch it stays in, and its own id.
BATCH_ID_METADATA = "cardscan-batch-id"
CARD_ID_METADATA = "cardscan-card-id"

# A warning is logged for bad input only: an unknown batch or an unreachable
# store is told to the caller in the reply.
_reporting_errors = rpc.reporting_errors(logged=(InvalidInput,))


class CardScanServicer(cardscan_pb2_grpc.CardScanServiceServicer):
    """The public API over gRPC."""

    def __init__(self, batches: Batches) -> None:
        self._batches = batches

    @_reporting_errors
    async def CreateBatch(
        self,
        request_iterator: AsyncIterator[cardscan_pb2.CreateBatchRequest],
        context: grpc.aio.ServicerContext,
    ) -> cardscan_pb2.CreateBatchResponse:
        upload_key = _upload_key(context)
        chunks = (request.chunk async for request in request_iterator)
        created = await self._batches.create(chunks, upload_key)
        return cardscan_pb2.CreateBatchResponse(
            batch_id=created.batch_id,
            accepted=created.accepted,
            skipped=created.skipped,
            skipped_count=created.skipped_count,
            notice=created.notice,
        )

    @_reporting_errors
    async def ScanCard(
        self, request: cardscan_pb2.ScanCardRequest, context: grpc.aio.ServicerContext
    ) -> cardscan_pb2.ScanCardResponse:
        upload_key = _upload_key(context)
        try:
            card = await self._batches.scan(
                request.image, request.file_name, upload_key
            )
        except CardWaits as waiting:
            context.set_trailing_metadata(
                (
                    (BATCH_ID_METADATA, waiting.batch_id),
                    (CARD_ID_METADATA, waiting.card_id),
                )
            )
            raise
        return cardscan_pb2.ScanCardResponse(card=card)

    @_reporting_errors
    async def GetBatch(
        self, request: cardscan_pb2.GetBatchRequest, context: grpc.aio.ServicerContext
    ) -> cardscan_pb2.GetBatchResponse:
        batch = await self._batches.get(request.batch_id, request.view)
        return cardscan_pb2.GetBatchResponse(batch=batch)

    @_reporting_errors
    async def ListBatches(
        self,
        request: cardscan_pb2.ListBatchesRequest,
        context: grpc.aio.ServicerContext,
    ) -> cardscan_pb2.ListBatchesResponse:
        batches, next_page_token = await self._batches.page(
            request.page_size, request.page_token
        )
        return cardscan_pb2.ListBatchesResponse(
            batches=batches, next_page_token=next_page_token
        )

    @_reporting_errors
    async def ListContacts(
        self,
        request: cardscan_pb2.ListContactsRequest,
        context: grpc.aio.ServicerContext,
    ) -> cardscan_pb2.ListContactsResponse:
        cards, next_page_token = await self._batches.contacts(
            request.batch_id, request.page_size, request.page_token
        )
        return cardscan_pb2.ListContactsResponse(
            cards=cards, next_page_token=next_page_token
        )

    @_reporting_errors
    async def WatchBatch(
        self,
        request: cardscan_pb2.WatchBatchRequest,
        context: grpc.aio.ServicerContext,
    ) -> None:
        # Written here rather than yielded, so that a reply the watcher no
        # longer takes is told in one line, not by gRPC with a traceback.
        watch = self._batches.watch(request.batch_id, request.view)
        async with contextlib.aclosing(watch) as batches:
            async for batch in batches:
                reply = cardscan_pb2.WatchBatchResponse(batch=batch)
                if not await _written(context, reply, request.batch_id):
                    return


async def _written(
    context: grpc.aio.ServicerContext,
    reply: cardscan_pb2.WatchBatchResponse,
    batch_id: str,
) -> bool:
    """Writes a watch's reply; False once its watcher did not take it, gone
    or refusing a reply over the size its channel takes, which is logged.

    gRPC then cancels the call, as soon as it hears that the watcher left,
    maybe while the reply is still being written; a call that ended before
    then would have its failed reply logged again by gRPC, with a traceback.
    """
    try:
        await context.write(reply)
    except asyncio.CancelledError:
        _log_watcher_gone(batch_id, reply.ByteSize())
        raise
    except grpc.aio.InternalError:
        _log_watcher_gone(batch_id, reply.ByteSize())
        await asyncio.sleep(WATCHER_GONE_SECONDS)
        return False
    return True


def _log_watcher_gone(batch_id: str, size: int) -> None:
    """Logs a watch whose reply did not reach its watcher: gone, or refusing
    a reply over the size its gRPC channel takes."""
    hint = ""
    if size > CLIENT_RECEIVE_BYTES:
        hint = (
            f", which it may have refused: at {size} bytes the reply is over "
            "the 4 MB a gRPC client takes unless told more; BATCH_VIEW_BASIC "
            "follows a batch of any size"
        )
    logger.info(
        "watch of batch %s ended: its watcher went away before it took a reply%s",
        batch_id,
        hint,
    )


def _upload_key(context: grpc.aio.ServicerContext) -> str:
    """The upload key the call's metadata gives, "" when it gives none."""
    values = [
        value
        for key, value in context.invocation_metadata() or ()
        if key == upload_keys.METADATA_KEY
    ]
    return upload_keys.from_values(values, f"metadata {upload_keys.METADATA_KEY}")


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Runs the gRPC and HTTP front ends until the stop event is set.

    Both listen from the start, NOT_SERVING until NATS and the store answer:
    batches can be looked at meanwhile, and uploads are refused saying why.
    A NATS that answers without JetStream stops the gateway, as it never
    could queue a card there.
    """
    try:
        private.make_own_dir(settings.upload_dir)
    except OSError as error:
        raise CardscanError(
            f"cannot make the upload folder {settings.upload_dir}: {error.strerror}"
            " (CARDSCAN_DATA_DIR, or `cardscan up --data-dir`)"
        ) from None
    standing = GatewayStanding(settings)
    store_channel = rpc.channel(settings.store_addr)
    workers = Workers(standing)
    batches = Batches(settings, store_channel, workers, standing)
    grpc_server: rpc.Server | None = None
    http_runner: web.AppRunner | None = None
    nc: Client | None = None
    settling: asyncio.Task | None = None
    watching: list[asyncio.Task] = []
    try:
        grpc_server = rpc.Server(settings.grpc_listen, [SERVICE_NAME], SERVER_OPTIONS)
        cardscan_pb2_grpc.add_CardScanServiceServicer_to_server(
            CardScanServicer(batches), grpc_server.grpc
        )
        http_runner = web.AppRunner(
            http_api.make_app(batches, settings.limits, standing),
            shutdown_timeout=STOP_GRACE_SECONDS,
        )
        await http_runner.setup()
        host, port = settings.http_listen.rsplit(":", 1)
        try:
            await web.TCPSite(http_runner, host, int(port)).start()
        except OSError:
            raise CardscanError(rpc.cannot_listen(settings.http_listen)) from None
        logger.info("HTTP listening on %s", settings.http_listen)
        await grpc_server.start(serving=False)
        await standing.attach(grpc_server)
        watching = [
            asyncio.create_task(
                watch_store(store_channel, functools.partial(standing.note, STORE))
            ),
            asyncio.create_task(standing.watch_disk()),
        ]
        connecting = messaging.connect(
            settings.nats_url,
            name="cardscan-gateway",
            disconnected_cb=standing.nats_lost,
            reconnected_cb=standing.nats_back,
        )
        nc = await signals.unless_stopped(connecting, stop)
        if nc is None:
            logger.info("stopped while waiting for NATS at %s", settings.nats_shown)
            return
        await messaging.require_jetstream(nc)
        await workers.listen(nc)
        batches.use_nats(nc, await CardQueue.open(nc))
        standing.queueing_leftovers()
        await batches.settle_waiting()
        settling = asyncio.create_task(batches.keep_settling())
        await standing.leftovers_queued(nc.is_connected)
        await stop.wait()
        logger.info("stopping: finishing the requests in progress")
    finally:
        # NOT_SERVING at once, so that no more uploads are sent here while
        # those in hand are finished.
        await batches.intake.stop()
        for watch in watching:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
        await _finish_uploads(batches)
        await asyncio.gather(_stop_grpc(grpc_server), _stop_http(http_runner))
        if settling:
            settling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await settling
        await workers.stop_listening()
        if nc is not None:
            await nc.close()
        await store_channel.close()
    logger.info("stopped")


async def _finish_uploads(batches: Batches) -> None:
    """Lets the uploads received whole be queued, for up to DRAIN_SECONDS."""
    cut_short = await batches.intake.drain(DRAIN_SECONDS)
    if cut_short:
        logger.warning(
            "%d upload(s) not queued whole within %g s: the rest of their "
            "cards wait for the gateway's next start",
            cut_short,
            DRAIN_SECONDS,
        )


async def _stop_grpc(grpc_server: rpc.Server | None) -> None:
    if grpc_server:
        await grpc_server.stop(STOP_GRACE_SECONDS)


async def _stop_http(http_runner: web.AppRunner | None) -> None:
    if http_runner:
        await http_runner.cleanup()
