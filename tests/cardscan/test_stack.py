"""Tests of running a stack detached, finding it again and stopping it."""

import socket
import subprocess
import sys

import pytest

from cardscan.stack import (
    DetachedStack,
    Ports,
    ephemeral_ports,
    free_port,
    port_taken,
    process_runs,
)


def test_a_process_runs_only_while_alive_with_its_own_command_line():
    script = "print('ready', flush=True); import time; time.sleep(60)"
    argv = [sys.executable, "-c", script]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        # Once it speaks, its exec has ended and its command line is set.
        assert process.stdout.readline() == "ready\n"
        alive = process_runs(process.pid, argv)
        other = process_runs(process.pid, [sys.executable, "-c", "pass"])
    finally:
        process.kill()
        process.wait()
        process.stdout.close()

    assert alive
    assert not other
    assert not process_runs(process.pid, argv)


def test_ports_held_by_a_listener_are_named():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        held = holder.getsockname()[1]
        free = free_port()
        ports = Ports(nats=held, store=free, gateway_grpc=free, gateway_http=free)

        assert port_taken(held)
        assert ports.taken() == {"nats": held}


def test_a_detached_stack_is_stopped_gateway_side_first(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    record = stack_parts.detach()
    try:
        detached = DetachedStack.load(stack_parts.data_dir)
        running = detached.running()
        stopped = detached.stop()
    finally:
        leftover = DetachedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert running == ["nats", "store"]
    assert stopped == ["store", "nats"]
    assert not record.exists()
    assert not port_taken(stack_parts.ports.nats)
    assert not port_taken(stack_parts.ports.store)


def test_no_record_means_no_detached_stack(tmp_path):
    assert DetachedStack.load(tmp_path) is None


def test_a_broken_record_is_refused_with_its_path(tmp_path):
    (tmp_path / "stack.json").write_text('{"ports": {}}')

    with pytest.raises(ValueError, match="stack.json is not a stack record"):
        DetachedStack.load(tmp_path)


def test_free_ports_are_distinct_and_outside_the_ephemeral_range():
    ports = [free_port() for _ in range(50)]

    assert len(set(ports)) == len(ports)
    assert not set(ports) & set(ephemeral_ports())
    assert not any(port_taken(port) for port in ports)


@pytest.fixture
def held_port():
    """A port a listener of this test holds, as another program would."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize("part", ["store", "gateway_grpc", "gateway_http"])
def test_a_taken_port_stops_start_up_with_the_reason_from_the_log(
    stack_parts, held_port, part
):
    setattr(stack_parts.ports, part, held_port)
    log_name = "store" if part == "store" else "gateway"
    stack_parts.logs.mkdir(parents=True)
    (stack_parts.logs / f"{log_name}.log").write_text("a line of an earlier run\n")
    stack_parts.start_nats()
    if part != "store":
        stack_parts.start_store()

    with pytest.raises(RuntimeError) as raised:
        if part == "store":
            stack_parts.start_store()
        else:
            stack_parts.start_gateway()

    message = str(raised.value)
    assert "exited with code 1" in message
    assert f"cannot listen on 127.0.0.1:{held_port}" in message
    assert "Traceback" not in message
    assert "earlier run" not in message
