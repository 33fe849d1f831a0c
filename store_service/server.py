"""The StoreService servicer: translates between the protos and a backend."""

import asyncio
import logging
import time

from cardscan import rpc, views
from cardscan.disk import FreeSpace
from cardscan.errors import CardscanError, NotFound
from cardscan.health import Dependency, Standing
from cardscan.rpc import Server
from cardscan.v1 import batch_pb2, store_pb2, store_pb2_grpc
from store_service.backend import (
    Backend,
    card_page_limit,
    card_page_offset,
    card_page_token,
)

logger = logging.getLogger(__name__)

SERVICE_NAME = store_pb2.DESCRIPTOR.services_by_name["StoreService"].full_name

# How often the store asks its database whether it answers, and how long it
# waits for the answer.
CHECK_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 3.0
# The store's dependencies, by the names its Standing knows them by.
DATABASE = "database"
DISK = "disk"

reporting_errors = rpc.reporting_errors()
# An upload key no batch holds yet is what every new upload asks about.
answering_not_found = rpc.reporting_errors(expected=(NotFound,))


class StoreServicer(store_pb2_grpc.StoreServiceServicer):
    """cardscan.v1.StoreService over a storage backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @reporting_errors
    async def RegisterBatch(self, request, context):
        started = time.perf_counter()
        batch = await self.backend.register_batch(
            request.batch_id,
            request.cards,
            request.skipped,
            request.skipped_count,
            request.upload_key,
            request.upload_digest,
        )
        if batch.batch_id != request.batch_id:
            logger.info(
                "batch %s not registered: its upload key is batch %s's",
                request.batch_id,
                batch.batch_id,
            )
            return store_pb2.RegisterBatchResponse(batch=batch)
        logger.info(
            "registered batch %s: %d cards, %d skipped in %.1f ms",
            batch.batch_id,
            batch.counts.total,
            batch.skipped_count,
            (time.perf_counter() - started) * 1000,
        )
        return store_pb2.RegisterBatchResponse(batch=batch)

    @reporting_errors
    async def StartCard(self, request, context):
        card = await self.backend.start_card(request.card_id)
        logger.debug("started card %s: attempt %d", card.card_id, card.attempts)
        return store_pb2.StartCardResponse(card=card)

    @reporting_errors
    async def FinishCard(self, request, context):
        outcome = request.WhichOneof("outcome")
        contact = request.contact if outcome == "contact" else None
        error = request.error if outcome == "error" else ""
        card = await self.backend.finish_card(request.card_id, contact, error)
        logger.info(
            "finished card %s with %s: now %s",
            card.card_id,
            outcome,
            batch_pb2.CardState.Name(card.state),
        )
        return store_pb2.FinishCardResponse(card=card)

    @answering_not_found
    async def FindUpload(self, request, context):
        batch = await self.backend.find_upload(
            request.upload_key, request.upload_digest
        )
        return store_pb2.FindUploadResponse(batch=batch)

    @reporting_errors
    async def FetchBatch(self, request, context):
        view = views.checked(request.view)
        batch = await self.backend.fetch_batch(
            request.batch_id, with_cards=views.with_cards(view)
        )
        return store_pb2.FetchBatchResponse(batch=batch)

    @reporting_errors
    async def FetchBatches(self, request, context):
        batches, next_page_token = await self.backend.fetch_batches(
            request.page_size, request.page_token
        )
        return store_pb2.FetchBatchesResponse(
            batches=batches, next_page_token=next_page_token
        )

    @reporting_errors
    async def FetchCards(self, request, context):
        limit = card_page_limit(request.page_size)
        offset = card_page_offset(request.page_token, request.batch_id)
        # One card past the page tells whether another page follows.
        cards = await self.backend.fetch_cards(
            request.batch_id, offset, None if limit is None else limit + 1
        )
        next_page_token = ""
        if limit is not None and len(cards) > limit:
            cards = cards[:limit]
            next_page_token = card_page_token(request.batch_id, offset + limit)
        return store_pb2.FetchCardsResponse(
            cards=cards, next_page_token=next_page_token
        )


def bind(listen: str) -> Server:
    """The store's server, bound to its address but not serving yet.

    The store binds before it opens its data, so that one refused its
    address stops without touching any file.
    """
    return Server(listen, [SERVICE_NAME])


async def serve_on(server: Server, backend: Backend) -> Server:
    """Starts serving the store on a bound server and an opened backend."""
    store_pb2_grpc.add_StoreServiceServicer_to_server(
        StoreServicer(backend), server.grpc
    )
    await server.start()
    return server


async def serve(listen: str, backend: Backend) -> Server:
    """Starts serving the store on an opened backend."""
    return await serve_on(bind(listen), backend)


async def watch_backend(
    server: Server, backend: Backend, free_space: FreeSpace | None = None
) -> None:
    """Reports the store SERVING on its health service while its database
    answers and, where given, the disk of its database file has the free
    space the store keeps, checking every CHECK_SECONDS, and logs each loss
    and return once, until cancelled.

    A store whose MongoDB is out of reach answers every call UNAVAILABLE;
    saying so to health checks lets the gateway and orchestrators see it
    without a card having to fail first.
    """
    dependencies = {
        DATABASE: (Dependency("the database", lost="does not answer"), True)
    }
    if free_space is not None:
        dependencies[DISK] = (free_space.dependency(), True)
    standing = Standing("the store", dependencies, logger)
    await standing.attach(server)
    while True:
        await standing.note(DATABASE, *await _ping(backend))
        if free_space is not None:
            await standing.note(DISK, *free_space.check())
        await asyncio.sleep(CHECK_SECONDS)


async def _ping(backend: Backend) -> tuple[bool, str]:
    """Whether the database answers, and if not, why."""
    try:
        await asyncio.wait_for(backend.ping(), CHECK_TIMEOUT_SECONDS)
    except (CardscanError, TimeoutError) as error:
        return False, str(error) or f"no answer in {CHECK_TIMEOUT_SECONDS:g} s"
    return True, ""
