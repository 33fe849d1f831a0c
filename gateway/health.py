"""The gateway's gRPC health: SERVING while both NATS and the store answer.

Without NATS no card can be queued and no change heard; without the store
no upload can be registered and no batch shown. While either is out of
reach, the gateway reports NOT_SERVING, for the whole server and for
CardScanService alike, and SERVING again once both answer.
"""

import asyncio
import logging

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc
from cardscan.health import Dependency, Standing
from cardscan.v1 import store_pb2

logger = logging.getLogger(__name__)

STORE_SERVICE = store_pb2.DESCRIPTOR.services_by_name["StoreService"].full_name
# How often the gateway asks the store whether it serves, and how long it
# waits for the answer.
STORE_CHECK_SECONDS = 2.0
STORE_CHECK_TIMEOUT_SECONDS = 3.0

SERVING = health_pb2.HealthCheckResponse.SERVING

# The gateway's dependencies, by the names its Standing knows them by.
NATS = "nats"
STORE = "store"

# Why a stopping gateway serves no more, over gRPC and HTTP alike.
SHUTTING_DOWN = "the gateway is shutting down"


def gateway_standing(store_addr: str) -> Standing:
    """The gateway's standing: NATS down until the gateway connects, the
    store not heard of until it is first asked."""
    return Standing(
        "the gateway",
        {
            NATS: (Dependency("NATS", back="is connected"), False),
            STORE: (Dependency(f"the store at {store_addr}"), None),
        },
        logger,
    )


async def watch_store(channel: grpc.aio.Channel, standing: Standing) -> None:
    """Asks the store's health service every STORE_CHECK_SECONDS whether it
    serves and tells the gateway's standing, until cancelled.

    The store's health service is asked rather than the channel's
    connectivity state watched: a store that is up but hangs, or that
    reports NOT_SERVING as it stops, leaves the channel READY; an idle
    channel is IDLE without trying to connect; and while the store is away
    the state swings between CONNECTING and TRANSIENT_FAILURE at each try.
    A Check with a deadline asks what matters, whether the store answers
    calls, and each one also has the channel try to connect again.
    """
    stub = health_pb2_grpc.HealthStub(channel)
    request = health_pb2.HealthCheckRequest(service=STORE_SERVICE)
    while True:
        try:
            reply = await stub.Check(request, timeout=STORE_CHECK_TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            await standing.down(STORE, rpc.why_unanswered(error))
        else:
            if reply.status == SERVING:
                await standing.up(STORE)
            else:
                status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
                await standing.down(STORE, f"it reports {status}")
        await asyncio.sleep(STORE_CHECK_SECONDS)
