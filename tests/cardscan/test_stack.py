"""Tests of recording a stack, finding it again, starting again the parts
of it that stopped and stopping it."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from cardscan import cli
from cardscan.errors import InvalidInput
from cardscan.private import make_data_dir, make_own_dir, open_private
from cardscan.stack import (
    SETTING_NAMES,
    Ports,
    RecordedStack,
    ephemeral_ports,
    free_port,
    port_taken,
    process_runs,
)
from gateway import config as gateway_config
from ocr_service import config as ocr_config
from store_service import config as store_config


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
        detached = RecordedStack.load(stack_parts.data_dir)
        running = detached.running()
        stopped = detached.stop()
    finally:
        leftover = RecordedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert running == ["nats", "store"]
    assert stopped == ["store", "nats"]
    assert not record.exists()
    assert not port_taken(stack_parts.ports.nats)
    assert not port_taken(stack_parts.ports.store)


def kill_recorded(data_dir, name):
    """Kills a recorded part outright, as the system's OOM killer would."""
    recorded = RecordedStack.load(data_dir)
    process = next(p for p in recorded.processes if p["name"] == name)
    os.kill(process["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process_runs(process["pid"], process["argv"]):
        assert time.monotonic() < deadline, f"{name} outlived SIGKILL"
        time.sleep(0.05)


def test_stopped_parts_start_again_on_their_recorded_ports(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    record = stack_parts.detach()
    try:
        kill_recorded(stack_parts.data_dir, "store")
        recorded = RecordedStack.load(stack_parts.data_dir)
        stopped = recorded.stopped()
        started = recorded.start_again()
        again = RecordedStack.load(stack_parts.data_dir)
        running = again.running()
        stopped_by_down = again.stop()
    finally:
        leftover = RecordedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert stopped == ["store"]
    assert started == ["store"]
    assert running == ["nats", "store"]
    assert stopped_by_down == ["store", "nats"]
    assert not record.exists()


def bind_within(sock: socket.socket, port: int, seconds: float) -> None:
    """Binds the socket to the loopback port once it is free."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_part_is_not_started_again_on_a_port_another_program_holds(
    stack_parts,
):
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.detach()
    try:
        kill_recorded(stack_parts.data_dir, "store")
        with socket.socket() as squatter:
            # The killed store's connections may linger in TIME_WAIT, and
            # its port be released a moment after it died.
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            bind_within(squatter, stack_parts.ports.store, seconds=10)
            squatter.listen()
            recorded = RecordedStack.load(stack_parts.data_dir)
            with pytest.raises(RuntimeError) as raised:
                recorded.start_again()
    finally:
        leftover = RecordedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert str(raised.value) == (
        "cannot start store again: another program holds port "
        f"{stack_parts.ports.store} on 127.0.0.1, where it listened"
    )


def test_a_stack_whose_every_part_stopped_starts_again_on_its_ports(stack_parts):
    stack_parts.start_nats()
    stack_parts.start_store()
    stack_parts.detach()
    try:
        kill_recorded(stack_parts.data_dir, "store")
        kill_recorded(stack_parts.data_dir, "nats")
        status = cli.main(["up", "--detach", "--data-dir", str(stack_parts.data_dir)])
        again = RecordedStack.load(stack_parts.data_dir)
        running = again.running()
    finally:
        leftover = RecordedStack.load(stack_parts.data_dir)
        if leftover:
            leftover.stop()

    assert status == 0
    assert running == ["nats", "store"]
    assert again.ports == stack_parts.ports


def test_a_stack_in_the_foreground_is_recorded_until_it_stops(stack_parts):
    stack_parts.start_nats()
    record = stack_parts.record()
    recorded = RecordedStack.load(stack_parts.data_dir)
    in_foreground = recorded.in_foreground()
    stack_parts.stop()

    assert recorded.supervisor["pid"] == os.getpid()
    assert in_foreground
    assert recorded.running() == []
    assert not record.exists()


def test_a_record_with_a_supervisor_gone_is_one_in_the_background(stack_parts):
    stack_parts.start_nats()
    stack_parts.record()
    path = stack_parts.data_dir / "stack.json"
    record = json.loads(path.read_text())
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    record["supervisor"] = {"pid": gone.pid, "argv": gone.args}
    path.write_text(json.dumps(record))

    recorded = RecordedStack.load(stack_parts.data_dir)

    assert not recorded.in_foreground()
    assert recorded.running() == ["nats"]


def test_no_record_means_no_detached_stack(tmp_path):
    assert RecordedStack.load(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ('{"ports": {}}', "missing"),
        ('{"logs": "x"}', "it lacks 'ports'"),
        ("{not json", "Expecting property name"),
    ],
)
def test_a_broken_record_is_refused_with_its_path_and_what_to_do(tmp_path, text, wrong):
    (tmp_path / "stack.json").write_text(text)

    with pytest.raises(ValueError) as refused:
        RecordedStack.load(tmp_path)

    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'stack.json'} is not a stack record")
    assert wrong in message
    assert message.endswith("then delete the file")


def planted_record(data_dir, marker):
    """A stack record whose one part, started again, would make the marker."""
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    record = {
        "ports": {"nats": 1, "store": 2, "gateway_grpc": 3, "gateway_http": 4},
        "logs": str(data_dir / "logs"),
        "processes": [{"name": "nats", "pid": 2**22 + 1, "argv": command, "env": {}}],
    }
    (data_dir / "stack.json").write_text(json.dumps(record))


def test_a_record_another_user_owns_is_refused_and_nothing_it_names_runs(
    tmp_path, monkeypatch
):
    marker = tmp_path / "ran"
    planted_record(tmp_path, marker)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(tmp_path).st_uid + 1)

    with pytest.raises(InvalidInput) as refused:
        RecordedStack.load(tmp_path)

    assert str(refused.value).startswith(
        f"{tmp_path / 'stack.json'} belongs to another user (uid "
    )
    assert "use a data folder no one else writes in" in str(refused.value)
    assert cli.main(["down", "--data-dir", str(tmp_path)]) == 1
    assert not marker.exists()


def test_a_record_others_can_change_is_refused_naming_its_mode(tmp_path):
    planted_record(tmp_path, tmp_path / "ran")
    (tmp_path / "stack.json").chmod(0o666)

    with pytest.raises(
        InvalidInput, match=r"can be changed by other users \(mode 0666\)"
    ):
        RecordedStack.load(tmp_path)


@pytest.mark.parametrize(
    ("make", "kind"), [(os.mkfifo, "a named pipe"), (os.mkdir, "a folder")]
)
def test_a_record_that_is_a_pipe_or_folder_is_refused_without_waiting(
    tmp_path, make, kind
):
    make(tmp_path / "stack.json")

    with pytest.raises(InvalidInput) as refused:
        RecordedStack.load(tmp_path)

    assert str(refused.value).startswith(
        f"{tmp_path / 'stack.json'} is {kind}, where cardscan keeps a file"
    )


def test_a_lock_or_log_that_is_a_pipe_or_another_user_s_is_refused_unopened(
    tmp_path, monkeypatch
):
    os.mkfifo(tmp_path / "up.lock")
    theirs = tmp_path / "gateway.log"
    theirs.write_text("theirs")

    with pytest.raises(InvalidInput, match="up.lock is a named pipe, where cardscan"):
        open_private(tmp_path / "up.lock", os.O_APPEND)
    monkeypatch.setattr(os, "geteuid", lambda: theirs.stat().st_uid + 1)
    with pytest.raises(InvalidInput, match="gateway.log belongs to another user"):
        open_private(theirs, os.O_APPEND)
    assert theirs.read_text() == "theirs"


def test_a_record_that_is_a_symbolic_link_is_refused_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted_record(elsewhere, tmp_path / "ran")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "stack.json").symlink_to(elsewhere / "stack.json")

    with pytest.raises(InvalidInput, match="stack.json is a symbolic link"):
        RecordedStack.load(shared)


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


class Recording(dict):
    """An empty environment that notes every variable read from it."""

    def __init__(self):
        super().__init__()
        self.read = set()

    def get(self, key, default=None):
        self.read.add(key)
        return default

    def __contains__(self, key):
        self.read.add(key)
        return False


def test_a_stack_records_every_setting_the_services_read():
    read = set()
    for config in (gateway_config, ocr_config, store_config):
        environment = Recording()
        config.load(environment)
        read |= environment.read

    assert read <= set(SETTING_NAMES), sorted(read - set(SETTING_NAMES))


def test_a_data_folder_made_is_private_and_one_that_was_there_is_left_as_it_is(
    tmp_path,
):
    made = tmp_path / "new" / "data"
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)

    make_data_dir(made)
    make_data_dir(shared)
    make_own_dir(shared / "logs")

    assert made.stat().st_mode & 0o7777 == 0o700
    assert shared.stat().st_mode & 0o7777 == 0o1777
    assert (shared / "logs").stat().st_mode & 0o7777 == 0o700


def test_a_folder_of_cardscan_s_own_made_before_is_closed_to_others(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    logs.chmod(0o755)

    make_own_dir(logs)

    assert logs.stat().st_mode & 0o7777 == 0o700


def test_a_symbolic_link_under_a_name_cardscan_writes_is_refused_not_followed(
    tmp_path,
):
    victim_file, victim_dir = tmp_path / "victim.txt", tmp_path / "victim"
    victim_file.write_text("kept")
    victim_file.chmod(0o644)
    victim_dir.mkdir()
    victim_dir.chmod(0o755)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "up.lock").symlink_to(victim_file)
    (shared / "logs").symlink_to(victim_dir)

    with pytest.raises(InvalidInput, match="up.lock is a symbolic link"):
        open_private(shared / "up.lock", os.O_APPEND)
    with pytest.raises(InvalidInput, match="logs is a symbolic link"):
        make_own_dir(shared / "logs")

    assert victim_file.stat().st_mode & 0o777 == 0o644
    assert victim_file.read_text() == "kept"
    assert victim_dir.stat().st_mode & 0o777 == 0o755


def test_a_folder_of_cardscan_s_own_keeps_its_owner_s_rights_when_closed(tmp_path):
    spools = tmp_path / "uploads"
    spools.mkdir()
    spools.chmod(0o555)

    make_own_dir(spools)

    assert spools.stat().st_mode & 0o7777 == 0o500
