"""Watching the stack's processes with psutil: CPU time spent and peak memory."""

import threading
from dataclasses import dataclass, field

import psutil

SAMPLE_INTERVAL_SECONDS = 0.05


def tree(pid: int) -> list[psutil.Process]:
    """The process and its children, those still alive."""
    try:
        top = psutil.Process(pid)
        return [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss(pid: int) -> int:
    """The resident memory of the process and its children, in bytes."""
    total = 0
    for process in tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process and its children so far."""
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user
        total += times.children_system
    return total


def cpu_by_name(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process."""
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


@dataclass
class PeakMemory:
    """Samples the resident memory of named processes in a background
    thread, every SAMPLE_INTERVAL_SECONDS, keeping each one's peak."""

    pids: dict[str, int]
    peaks: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "PeakMemory":
        self.peaks = {name: 0 for name in self.pids}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peaks[name] = max(self.peaks[name], rss(pid))
            self.samples += 1
            if self._stop.wait(SAMPLE_INTERVAL_SECONDS):
                return
