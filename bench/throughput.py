"""Measures cardscan's throughput, latency and memory on this machine and
prints one table of every figure against its target.

Usage: python bench/throughput.py [--cards FOLDER] [--quick]
       [--parts old,engine,pipeline,latency,memory] [--repeats N]

The parts, all on the same cards (the labelled folder repeated to --count):

  old       the old way: pytesseract on one card after another, Tesseract
            left to its default threading;
  engine    the engine's limit: the service's CardOcr.read with nothing
            around it, one process per core;
  pipeline  a local stack with an OCR worker per core, fed one ZIP of the
            cards over gRPC, timed from the upload's start to the last card
            stored, with each process's CPU time per card;
  latency   single cards over HTTP and gRPC beside bare CardOcr.read;
  memory    peak memory of the gateway and the store while a ZIP of about
            500 MB of phone photos is uploaded over HTTP, then over gRPC,
            and read.

Progress goes to stderr, the table to stdout, and the results as JSON to
bench-results/latest.json for comparing runs.
"""

import argparse
import contextlib
import datetime
import json
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import cardset, engine, pipeline, report  # noqa: E402
from cardscan.stack import Ports, Stack  # noqa: E402
from ocr_service import config as ocr_config  # noqa: E402
from ocr_service.reading import DEFAULT_LANGUAGES  # noqa: E402

DEFAULT_OUT = Path("bench-results") / "latest.json"
PARTS = ("old", "engine", "pipeline", "latency", "memory")
FULL = {"count": 200, "repeats": 3, "zip_mb": 500}
QUICK = {"count": 12, "repeats": 1}
BATCH_TIMEOUT_SECONDS = 900.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Measure cardscan's throughput, latency and memory and print "
        "one table of every figure against its target."
    )
    parser.add_argument(
        "--cards",
        type=Path,
        help="folder of labelled cards (default: ../shared/cards/dev beside the "
        "repository's own folder)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a short run: {QUICK['count']} cards, 1 repeat, no 500 MB ZIP",
    )
    parser.add_argument("--count", type=positive, help="cards per run (default 200)")
    parser.add_argument("--repeats", type=positive, help="runs of each part (def. 3)")
    parser.add_argument(
        "--parts",
        type=parts,
        default=PARTS,
        help=f"comma-separated parts to run, of {','.join(PARTS)} (default: all)",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="follow each (c) batch with WatchBatch, as `cardscan scan` does, "
        "instead of a GetBatch each second; shows what a watcher costs",
    )
    parser.add_argument(
        "--workers",
        type=positive,
        default=os.cpu_count() or 1,
        help="engine processes and OCR workers (default: one per core, %(default)s)",
    )
    parser.add_argument(
        "--zip-mb", type=positive, default=FULL["zip_mb"], help="size of the large ZIP"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"where to write the results as JSON (default: {DEFAULT_OUT} in "
        "the repository)",
    )
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    args.count = args.count or mode["count"]
    args.repeats = args.repeats or mode["repeats"]
    args.cards = args.cards or cardset.DEFAULT_FOLDER
    args.out = args.out or ROOT / DEFAULT_OUT
    return args


def positive(text: str) -> int:
    """An argparse type for a whole number of 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def parts(text: str) -> tuple[str, ...]:
    """An argparse type for a comma-separated choice of PARTS."""
    chosen = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in chosen if p not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {','.join(PARTS)}"
        )
    return chosen


def progress(message: str) -> None:
    """A line on stderr, so that stdout carries the table alone."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ends the run through its with-blocks, so the stack it started stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        results = run(args)
    except cardset.NoCards as error:
        print(
            f"bench: {error}; name a folder of labelled cards with --cards",
            file=sys.stderr,
        )
        return 2
    except (pipeline.BenchFailed, RuntimeError, OSError) as error:
        print(f"bench: stopped: {error}", file=sys.stderr)
        return 1

    rows = report.build(results)
    results["rows"] = report.as_json(rows)
    write_json(args.out, results)
    print(header(results["run"]))
    print(report.table(rows))
    print(notes(results))
    return 0


def run(args: argparse.Namespace) -> dict:
    """Every chosen part, on one stack when a part needs one."""
    sample = cardset.load(args.cards)
    cards = cardset.repeated(sample, args.count)
    results = {"run": describe_run(args, sample, cards), "skipped": {}}
    with tempfile.TemporaryDirectory(prefix="cardscan-bench-") as folder:
        folder = Path(folder)
        stack = None
        if {"pipeline", "latency", "memory"} & set(args.parts):
            progress(f"starting a local stack with {args.workers} OCR workers")
            stack = Stack(folder / "stack", Ports.free(), ocr_workers=args.workers)
        with stack or contextlib.nullcontext():
            measure_rounds(stack, cards, args, folder, results)
            measure_after_rounds(stack, sample, cards, args, folder, results)
    results["run"]["load_average_after"] = os.getloadavg()
    return results


def describe_run(args: argparse.Namespace, sample: list, cards: list) -> dict:
    """What the run measured on, recorded beside its results."""
    return {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "cards_folder": shown_path(args.cards),
        "distinct_cards": len(sample),
        "cards_per_run": len(cards),
        "repeats": args.repeats,
        "workers": args.workers,
        "ocr_languages": languages()[0],
        "follow": "WatchBatch" if args.watch else "GetBatch once a second",
        "quick": args.quick,
        "parts": list(args.parts),
    }


def shown_path(path: Path) -> str:
    """The path relative to the repository when it can be, as it is given
    in the documentation."""
    return os.path.relpath(path.resolve(), ROOT)


def languages() -> tuple[str, str | None]:
    """The OCR languages and data folder the workers would use here."""
    try:
        settings = ocr_config.load()
    except ValueError as error:
        raise SystemExit(f"bench: {error}") from None
    return settings.languages or DEFAULT_LANGUAGES, settings.tessdata_path


def measure_rounds(stack, cards: list, args, folder: Path, results: dict) -> None:
    """(a), (b) and (c) taken in turn, once per round, so that a change in
    the machine's load between rounds touches every part alike."""
    langs, tessdata = languages()
    zip_path = folder / "cards.zip"
    if "pipeline" in args.parts:
        zip_path.write_bytes(cardset.zip_bytes(cards))
    old, engine_runs, runs = [], [], []
    for number in range(1, args.repeats + 1):
        if "old" in args.parts:
            progress(f"round {number}/{args.repeats}: old way")
            seconds = engine.old_way_seconds(cards)
            old.append(len(cards) / sum(seconds[c.name] for c in cards))
        if "engine" in args.parts:
            progress(f"round {number}/{args.repeats}: engine limit")
            engine_runs.append(engine.engine_rate(cards, args.workers, langs, tessdata))
        if "pipeline" in args.parts:
            progress(f"round {number}/{args.repeats}: pipeline, {len(cards)} cards")
            runs.append(measure_batch(stack, zip_path, args.watch))
    if old:
        results["old_way"] = {"cards_per_second": old}
    if engine_runs:
        results["engine"] = {
            "cards_per_second": [run.cards_per_second for run in engine_runs],
            "cpu_ms_per_card": statistics.median(
                run.cpu_seconds_per_card * 1000 for run in engine_runs
            ),
            "processes": args.workers,
        }
    if runs:
        results["pipeline"] = pipeline_results(runs, args, zip_path)


def measure_batch(stack, zip_path: Path, watch: bool) -> pipeline.BatchRun:
    """One (c) batch: uploaded over gRPC, followed as asked."""
    follow = pipeline.watch_complete if watch else pipeline.wait_complete
    upload = pipeline.upload_grpc
    return pipeline.run_batch(stack, zip_path, upload, BATCH_TIMEOUT_SECONDS, follow)


def pipeline_results(runs: list, args, zip_path: Path) -> dict:
    """(c)'s rates and CPU per card, with every run's details."""
    per_card = [run.cpu_ms_per_card() for run in runs]
    return {
        "cards_per_second": [run.rate for run in runs],
        "ocr_workers": args.workers,
        "zip_bytes": zip_path.stat().st_size,
        "cpu_ms_per_card": {
            part: statistics.median(p[part] for p in per_card)
            for part in pipeline.COMPONENTS
        },
        "runs": [vars(run) for run in runs],
    }


def measure_after_rounds(stack, sample, cards, args, folder, results) -> None:
    """Latency, then memory: the parts that are not rates over the card list."""
    if "latency" in args.parts:
        results["latency"] = measure_latency(stack, cards, args)
    if "memory" in args.parts and args.quick:
        results["skipped"]["memory"] = "--quick builds no 500 MB ZIP"
    elif "memory" in args.parts:
        results["memory"] = measure_memory(stack, sample, args, folder)


def measure_latency(stack: Stack, cards: list, args) -> dict:
    """Single cards one at a time, each read bare, over HTTP and over gRPC
    in turn so that all three meet the same load; every distinct card once
    per repeat, after one card to warm up."""
    distinct = list({c.name: c for c in cards}.values())
    progress(f"single-card latency, {len(distinct)} cards x {args.repeats}")
    langs, tessdata = languages()
    seconds = {"bare_seconds": [], "http_seconds": [], "grpc_seconds": []}
    with (
        engine.single_reader(langs, tessdata, distinct[0].image) as reader,
        pipeline.SingleCards(stack) as gateway,
    ):
        gateway.over_http(distinct[0])
        gateway.over_grpc(distinct[0])
        for _ in range(args.repeats):
            for card in distinct:
                seconds["bare_seconds"].append(engine.read_seconds(reader, card.image))
                seconds["http_seconds"].append(gateway.over_http(card))
                seconds["grpc_seconds"].append(gateway.over_grpc(card))
    return seconds


def measure_memory(stack: Stack, sample: list, args, folder: Path) -> dict:
    """Peak memory while a large ZIP of phone photos goes in over HTTP and
    then over gRPC; the ZIP is deleted afterwards."""
    path = folder / "photos.zip"
    progress(f"writing a ZIP of about {args.zip_mb} MB of phone photos")
    photos = cardset.write_photo_zip(sample, path, args.zip_mb * 1_000_000)
    measured = {"zip": photos.describe()}
    try:
        for name, upload in (
            ("http", pipeline.upload_http),
            ("grpc", pipeline.upload_grpc),
        ):
            progress(f"large ZIP over {name}: {photos.describe()}")
            run = pipeline.run_batch(stack, path, upload, BATCH_TIMEOUT_SECONDS)
            measured[name] = vars(run)
    finally:
        path.unlink(missing_ok=True)
    return measured


def header(run: dict) -> str:
    """What the run measured on, above the table."""
    load = ", ".join(f"{x:.2f}" for x in run["load_average_before"])
    return (
        f"cardscan benchmark, {run['started']}: {run['cores']} cores, load average "
        f"{load} at the start\n"
        f"{run['cards_per_run']} cards per run ({run['distinct_cards']} distinct "
        f"from {run['cards_folder']}), {run['repeats']} repeat(s) of each part, "
        f"{run['workers']} engine processes / OCR workers; (c) batches followed "
        f"by {run['follow']}" + (", quick mode" if run["quick"] else "") + "\n"
    )


def notes(results: dict) -> str:
    """How to read the figures the table cannot say in a cell."""
    lines = [
        "",
        "(a) runs pytesseract with its defaults (Tesseract's eng model); "
        f"the service reads with {results['run']['ocr_languages']!r}. "
        "It times each distinct card once per round and weighs it by how "
        "often it occurs in the card list. Rounds take (a), (b) and (c) in "
        "turn; ratios are the median of each round's ratio.",
        "CPU per card: CPU seconds of each process during the (c) runs over "
        "the cards read, the OCR workers together; bare CardOcr.read's from (b).",
    ]
    for run in results.get("pipeline", {}).get("runs", [])[:1]:
        lines.append(
            f"(c) first run: reply after {run['reply_seconds']:.2f} s, "
            f"{run['done']} done, {run['failed']} failed of {run['cards']}."
        )
    memory = results.get("memory")
    if memory:
        lines.append(f"Large ZIP: {memory['zip']}; deleted afterwards.")
        for key in ("http", "grpc"):
            run = memory[key]
            lines.append(
                f"  over {key}: reply after {run['reply_seconds']:.1f} s, "
                f"{run['done']} done, {run['failed']} failed, last card after "
                f"{run['last_card_seconds']:.0f} s."
            )
    return "\n".join(lines)


def write_json(path: Path, results: dict) -> None:
    """Writes the results where later runs can be compared with them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    progress(f"results written to {path}")


if __name__ == "__main__":
    sys.exit(main())
