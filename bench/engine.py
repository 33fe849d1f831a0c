"""The reading engine without the pipeline: the old one-card-at-a-time way,
and the service's own CardOcr in one process per core."""

import contextlib
import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cardset import Card
from cardscan.errors import CardscanError

# Each engine process reads this many cards before the clock starts, so that
# loading the engine and the first, slower read are not counted.
WARM_UP_CARDS = 1

_ocr = None
_barrier = None


def old_way_seconds(cards: list[Card]) -> dict[str, float]:
    """Seconds pytesseract takes on each distinct card as the old system
    called it: the command-line engine started afresh per card, with
    Tesseract's default language model and threading."""
    # Imported here so that the other parts run where it is not installed.
    try:
        import pytesseract
    except ImportError:
        raise RuntimeError(
            "the old way needs pytesseract, one of the dev extras: "
            "pip install -e '.[dev]'; or leave the part out with --parts"
        ) from None

    # The old system left Tesseract to use every core on each card.
    os.environ.pop("OMP_THREAD_LIMIT", None)
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="cardscan-bench-") as folder:
        for card in {c.name: c for c in cards}.values():
            path = Path(folder) / card.name
            path.write_bytes(card.image)
            started = time.perf_counter()
            pytesseract.image_to_string(str(path))
            seconds[card.name] = time.perf_counter() - started
    return seconds


def _load_engine(languages, tessdata, warm: bytes, barrier) -> None:
    """Pool initializer: one CardOcr per process, one OCR thread each, as
    the OCR workers run it."""
    global _ocr, _barrier
    _barrier = barrier
    # OpenMP reads the limit when Tesseract's library loads, which is when
    # ocr_service.cards is first imported in this process.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from ocr_service.cards import CardOcr

    _ocr = CardOcr(languages, tessdata)
    for _ in range(WARM_UP_CARDS):
        _ocr.read(warm)


def _read(image: bytes) -> tuple[float, float]:
    """Reads one card in a pool process; returns the seconds it took on the
    clock and in CPU time of this process."""
    started, cpu_started = time.perf_counter(), time.process_time()
    # A card the engine refuses still costs its time, as in the pipeline.
    with contextlib.suppress(CardscanError):
        _ocr.read(image)
    return time.perf_counter() - started, time.process_time() - cpu_started


def _meet(_: int) -> None:
    """Blocks until every pool process holds one of these calls, which each
    can only take once its engine is loaded."""
    _barrier.wait()


def _pool(processes: int, languages, tessdata, warm: bytes):
    """Processes with a loaded engine each, ready before this returns."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    pool = context.Pool(
        processes,
        initializer=_load_engine,
        initargs=(languages, tessdata, warm, barrier),
    )
    pool.map(_meet, range(processes), chunksize=1)
    return pool


@dataclass(frozen=True)
class EngineRun:
    """Bare CardOcr.read over a card list in a pool of processes."""

    cards_per_second: float
    cpu_seconds_per_card: float


def engine_rate(cards: list[Card], processes: int, languages, tessdata) -> EngineRun:
    """Cards per second of bare CardOcr.read in one process per core, and
    the CPU time each card took."""
    with _pool(processes, languages, tessdata, cards[0].image) as pool:
        started = time.perf_counter()
        timings = pool.map(_read, [c.image for c in cards], chunksize=1)
        elapsed = time.perf_counter() - started
    cpu = sum(cpu for _, cpu in timings) / len(cards)
    return EngineRun(len(cards) / elapsed, cpu)


def single_reader(languages, tessdata, warm: bytes):
    """One process with a loaded CardOcr, for timing cards one at a time."""
    return _pool(1, languages, tessdata, warm)


def read_seconds(reader, image: bytes) -> float:
    """Seconds the single reader's CardOcr.read took on the image."""
    wall, _ = reader.apply(_read, (image,))
    return wall
