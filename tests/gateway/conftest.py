"""Fixtures for the gateway tests: settings on free ports and a running gateway."""

import pytest
from gateway_support import running_gateway

from cardscan.stack import free_port
from gateway import config


@pytest.fixture
def gateway_settings(nats_url, store_address, tmp_path):
    """Settings on free ports; tests replace fields before the gateway starts."""
    return config.Settings(
        nats_url=nats_url,
        store_addr=store_address,
        grpc_listen=f"127.0.0.1:{free_port()}",
        http_listen=f"127.0.0.1:{free_port()}",
        data_dir=tmp_path / "gateway",
        scan_timeout_seconds=1.0,
    )


@pytest.fixture
async def gateway(gateway_settings):
    async with running_gateway(gateway_settings) as running:
        yield running
