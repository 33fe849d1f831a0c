"""The gateway's gRPC health: SERVING while both NATS and the store answer.

Without NATS no card can be queued and no change heard; without the store
no upload can be registered and no batch shown. While either is out of
reach, the gateway reports NOT_SERVING, for the whole server and for
CardScanService alike, and SERVING again once both answer.
"""

import logging

from cardscan.health import Dependency, Standing

logger = logging.getLogger(__name__)

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
