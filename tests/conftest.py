"""Fixtures shared by every test area: free ports, real servers as
processes, and the labelled sample cards beside the project."""

import json
import os
import shutil
from pathlib import Path

import pytest

from cardscan.stack import (
    Ports,
    Stack,
    ephemeral_ports,
    free_port,
    nats_server_binary,
    port_taken,
)

SHARED_CARDS = Path(__file__).resolve().parents[2] / "shared" / "cards" / "dev"


@pytest.fixture
def stack_parts(tmp_path):
    """A stack on free ports with nothing started; tests start what they
    need, and every started process is stopped afterwards."""
    stack = Stack(data_dir=tmp_path / "stack", ports=Ports.free(), ocr_workers=0)
    yield stack
    stack.stop()


@pytest.fixture
def two_free_ports():
    """The first of two free ports in a row, as the OCR workers' health
    ports run from the one chosen for the first of them."""
    while True:
        first = free_port()
        second = first + 1
        if not port_taken(second) and second not in ephemeral_ports():
            return first


@pytest.fixture
def respecting_permissions():
    """The start of a command line whose process is held to file
    permissions as any user's is, also when the tests run as root, who
    writes into a read-only folder all the same."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root's file override")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.fixture
def nats_url(stack_parts):
    """A real nats-server with JetStream on a free port."""
    stack_parts.start_nats()
    return stack_parts.nats_url


@pytest.fixture
def nats_without_jetstream(stack_parts):
    """A real nats-server on a free port, started without JetStream."""
    argv = [nats_server_binary(), "--addr", "127.0.0.1"]
    stack_parts.start_part("nats", [*argv, "--port", str(stack_parts.ports.nats)], {})
    return stack_parts.nats_url


@pytest.fixture
def store_address(stack_parts):
    """A real store service on SQLite on a free port."""
    stack_parts.start_store()
    return stack_parts.store_address


@pytest.fixture(scope="session")
def sample_cards():
    """The labelled sample cards: (image path, label) pairs."""
    if not SHARED_CARDS.is_dir():
        pytest.skip(f"the labelled sample cards are not at {SHARED_CARDS}")
    pairs = []
    for label_path in sorted(SHARED_CARDS.glob("*.json")):
        label = json.loads(label_path.read_text())
        pairs.append((SHARED_CARDS / label["file"], label))
    return pairs
