"""A blocking client of the gateway's CardScanService, for the command line."""

from collections.abc import Callable, Iterator
from pathlib import Path

import grpc

from cardscan import errors, healthcheck, rpc, upload_keys
from cardscan.v1 import batch_pb2, cardscan_pb2, cardscan_pb2_grpc

# Small enough to keep memory flat, large enough to keep per-message cost low.
CHUNK_BYTES = 256 * 1024
HEALTH_TIMEOUT_SECONDS = 5.0
# Cards fetched a call, well under gRPC's 4 MB replies at about 1 kB a card.
CONTACTS_PAGE_SIZE = 500

# A batch with every card's state, or its standing alone, which stays small
# however many cards the batch holds.
FULL = batch_pb2.BatchView.BATCH_VIEW_FULL
BASIC = batch_pb2.BatchView.BATCH_VIEW_BASIC


class Unreachable(errors.Unavailable):
    """No cardscan gateway answers at the address."""


class NotServing(errors.Unavailable):
    """The gateway answers, but says it cannot serve calls that queue cards."""


class GatewayClient:
    """Calls one gateway over one channel; every failure is a CardscanError."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._channel = grpc.insecure_channel(address, options=rpc.MESSAGE_OPTIONS)
        self._stub = cardscan_pb2_grpc.CardScanServiceStub(self._channel)

    def __enter__(self) -> "GatewayClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the channel, cancelling any call still open."""
        self._channel.close()

    def check(self, require_serving: bool = True) -> None:
        """Fails with Unreachable unless a server answers, and with
        NotServing if serving is required and the server says it is not.

        The gateway stops serving while a service behind it is out of reach,
        yet can still answer calls that only read what the store holds.
        """
        status, reason = self._health()
        if require_serving and status != healthcheck.SERVING:
            name = healthcheck.status_name(status)
            # A gateway names what it waits for; an older one does not.
            why = ", as NATS or the store is out of reach, or it is stopping"
            if reason:
                why = f": {reason}"
            raise NotServing(
                f"the gateway at {self.address} runs but is not serving "
                f"({name}){why}; try again once it is back"
            )

    def waits_for(self) -> str:
        """What the gateway says it waits for before it serves again, as its
        health check answers; empty while it serves. Unreachable if no
        answer comes."""
        status, reason = self._health()
        if status == healthcheck.SERVING:
            return ""
        return reason or f"it reports {healthcheck.status_name(status)}"

    def _health(self) -> tuple[int, str]:
        """The server's health status and the reason it gives for not
        serving, if any; Unreachable if no answer comes."""
        try:
            return healthcheck.explained_status(
                self._channel, "", HEALTH_TIMEOUT_SECONDS
            )
        except grpc.RpcError as error:
            reasons = {
                grpc.StatusCode.UNAVAILABLE: _unavailable(error.details() or ""),
                grpc.StatusCode.DEADLINE_EXCEEDED: "it did not answer in time",
            }
            reason = reasons.get(error.code()) or error.details() or error.code().name
            raise Unreachable(
                f"cannot reach the cardscan gateway at {self.address}: {reason}"
            ) from None

    def create_batch(
        self,
        path: Path,
        on_chunk: Callable[[int], None] = lambda size: None,
        upload_key: str = "",
    ) -> cardscan_pb2.CreateBatchResponse:
        """Streams the ZIP file in chunks, under the upload key if one is
        given; on_chunk hears each chunk's size."""

        def chunks() -> Iterator[cardscan_pb2.CreateBatchRequest]:
            with path.open("rb") as file:
                while chunk := file.read(CHUNK_BYTES):
                    on_chunk(len(chunk))
                    yield cardscan_pb2.CreateBatchRequest(chunk=chunk)

        metadata = ((upload_keys.METADATA_KEY, upload_key),) if upload_key else None
        return self._call(self._stub.CreateBatch, chunks(), metadata=metadata)

    def scan_card(self, path: Path) -> batch_pb2.Card:
        """Reads one image and waits for its card to end DONE or FAILED."""
        request = cardscan_pb2.ScanCardRequest(
            image=path.read_bytes(), file_name=path.name
        )
        return self._call(self._stub.ScanCard, request).card

    def get_batch(self, batch_id: str, view: int = FULL) -> batch_pb2.Batch:
        """The batch with the state of each card, or without its cards in
        the basic view."""
        request = cardscan_pb2.GetBatchRequest(batch_id=batch_id, view=view)
        return self._call(self._stub.GetBatch, request).batch

    def list_batches(self, limit: int) -> list[batch_pb2.BatchSummary]:
        """The newest batches, newest first, at most ``limit`` of them."""
        batches: list[batch_pb2.BatchSummary] = []
        token = ""
        while len(batches) < limit:
            # The gateway holds a page to its own maximum anyway.
            page_size = min(limit - len(batches), rpc.INT32_MAX)
            request = cardscan_pb2.ListBatchesRequest(
                page_size=page_size, page_token=token
            )
            reply = self._call(self._stub.ListBatches, request)
            batches += reply.batches
            token = reply.next_page_token
            if not token:
                break
        return batches

    def list_contacts(self, batch_id: str) -> list[batch_pb2.Card]:
        """The batch's cards in upload order, DONE ones with their contacts,
        fetched a page at a time."""
        cards: list[batch_pb2.Card] = []
        request = cardscan_pb2.ListContactsRequest(
            batch_id=batch_id, page_size=CONTACTS_PAGE_SIZE
        )
        while True:
            reply = self._call(self._stub.ListContacts, request)
            cards += reply.cards
            if not reply.next_page_token:
                return cards
            request.page_token = reply.next_page_token

    def watch_batch(self, batch_id: str, view: int = FULL) -> Iterator[batch_pb2.Batch]:
        """The batch each time its cards change, until the gateway ends the
        stream, each time without its cards in the basic view; leaving the
        loop early cancels the call."""
        request = cardscan_pb2.WatchBatchRequest(batch_id=batch_id, view=view)
        call = self._stub.WatchBatch(request)
        try:
            for reply in call:
                yield reply.batch
        except grpc.RpcError as error:
            raise self._failure(error) from None
        finally:
            call.cancel()

    def _call(self, method, request, **options):
        try:
            return method(request, **options)
        except grpc.RpcError as error:
            raise self._failure(error) from None

    def _failure(self, error: grpc.RpcError) -> errors.CardscanError:
        """What a failed call means: the gateway's own answer, or Unreachable
        when the gateway itself answers no more, rather than the transport's
        words for it ("failed to connect to all addresses; ...")."""
        if error.code() == grpc.StatusCode.UNAVAILABLE:
            try:
                self._health()
            except Unreachable as gone:
                return gone
        if error.code() == grpc.StatusCode.UNIMPLEMENTED:
            return Unreachable(
                f"the server at {self.address} answers over gRPC but is no cardscan "
                "gateway (is it the store's port?); the gateway's gRPC port is "
                "50051 by default"
            )
        return errors.from_rpc_error(error)


def _unavailable(details: str) -> str:
    """Why gRPC found no server, in words: no program listens, or one that
    speaks another protocol, such as the gateway's HTTP port or NATS."""
    if "HTTP/2" in details or "Socket closed" in details:
        return (
            "something answers there, but not over gRPC; is it the gateway's "
            "HTTP port or another program's? The gRPC port is 50051 by default"
        )
    return "nothing answers there"
