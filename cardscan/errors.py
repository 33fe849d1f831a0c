"""The errors cardscan reports to its users, and their one mapping to gRPC
status codes and HTTP statuses.

    CardscanError
    ├── InvalidInput       the request itself is wrong (400, INVALID_ARGUMENT)
    │   └── TooLarge       it is over a size or count limit (413,
    │                      RESOURCE_EXHAUSTED)
    ├── NotFound           no such batch or card (404, NOT_FOUND)
    ├── AlreadyExists      the id is taken by something else (409,
    │                      ALREADY_EXISTS)
    ├── Unavailable        a service the request needs is down (503,
    │   │                  UNAVAILABLE)
    │   └── StorageFault   a service cannot write where it keeps its data;
    │                      logged as an error, for an operator to act on
    └── TimedOut           the work asked for did not end in time (504,
                           DEADLINE_EXCEEDED)
"""

import grpc


class CardscanError(Exception):
    """An error whose message is meant for the user."""

    grpc_code = grpc.StatusCode.INTERNAL
    http_status = 500


class InvalidInput(CardscanError):
    """The request or upload is not what the API takes."""

    grpc_code = grpc.StatusCode.INVALID_ARGUMENT
    http_status = 400


class TooLarge(InvalidInput):
    """The upload is over a size or count limit."""

    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED
    http_status = 413


class NotFound(CardscanError):
    """No batch or card has the id asked for."""

    grpc_code = grpc.StatusCode.NOT_FOUND
    http_status = 404


class AlreadyExists(CardscanError):
    """The id is already taken by a different batch or card."""

    grpc_code = grpc.StatusCode.ALREADY_EXISTS
    http_status = 409


class Unavailable(CardscanError):
    """A service the request needs cannot be reached."""

    grpc_code = grpc.StatusCode.UNAVAILABLE
    http_status = 503


class StorageFault(Unavailable):
    """A service cannot write to its own disk: a folder without permission,
    a full or failing disk. No fault of the request, which may be sent
    again once an operator has made room or set the permissions right."""


class TimedOut(CardscanError):
    """The work asked for did not end in the time allowed; it may end later."""

    grpc_code = grpc.StatusCode.DEADLINE_EXCEEDED
    http_status = 504


class Failed(CardscanError):
    """The command ran, but what it reports is a failure."""


def from_rpc_error(error: grpc.aio.AioRpcError) -> CardscanError:
    """The CardscanError a failed call to another cardscan service means."""
    kinds = {
        grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
        grpc.StatusCode.RESOURCE_EXHAUSTED: TooLarge,
        grpc.StatusCode.NOT_FOUND: NotFound,
        grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
        grpc.StatusCode.UNAVAILABLE: Unavailable,
        grpc.StatusCode.DEADLINE_EXCEEDED: Unavailable,
    }
    kind = kinds.get(error.code(), CardscanError)
    return kind(error.details() or error.code().name)
