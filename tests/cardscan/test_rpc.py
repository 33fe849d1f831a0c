import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from cardscan import rpc
from cardscan.errors import StorageFault
from cardscan.rpc import MAX_STATUS_MESSAGE_BYTES, status_message
from cardscan.stack import free_port


def test_a_short_status_message_is_sent_as_it_is():
    assert status_message("the upload is empty") == "the upload is empty"


def test_a_long_status_message_is_cut_at_a_character_and_marked():
    text = "the ZIP has no card images: " + "名" * 5000

    message = status_message(text)

    assert len(message.encode()) <= MAX_STATUS_MESSAGE_BYTES
    assert message.endswith("名…")
    assert text.startswith(message[:-1])


class Refusing:
    """A servicer method that refuses as a service does on purpose."""

    @rpc.reporting_errors()
    async def Check(self, request, context):
        raise StorageFault("the database at store.sqlite3 cannot be written")


async def test_a_refusal_on_purpose_is_told_from_a_service_out_of_reach():
    server = grpc.aio.server()
    handler = grpc.unary_unary_rpc_method_handler(
        Refusing().Check,
        request_deserializer=health_pb2.HealthCheckRequest.FromString,
        response_serializer=health_pb2.HealthCheckResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                "grpc.health.v1.Health", {"Check": handler}
            )
        ]
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    errors = []
    for address in (f"127.0.0.1:{port}", f"127.0.0.1:{free_port()}"):
        async with grpc.aio.insecure_channel(address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
            errors.append(raised.value)
    await server.stop(0)

    refused, unreached = errors
    assert refused.code() == unreached.code() == grpc.StatusCode.UNAVAILABLE
    assert refused.details() == "the database at store.sqlite3 cannot be written"
    assert rpc.answered(refused)
    assert not rpc.answered(unreached)
