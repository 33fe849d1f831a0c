"""Measures how much of each labelled card's text the reader finds, and how
long each step takes, over a folder of labelled cards.

Usage: python bench/reading.py [CARD_FOLDER] [--languages eng+deu] [--psm 3]
       [--repeat N] [--dump lines.jsonl] [--skip STEP ...]

--skip leaves preparation steps out (exif, crop, scale, background, orient,
turn, columns, second_look), to measure what each one brings.

Step times are wall-clock and suffer when other processes share the
cores; "cpu" is the reading thread's processor time for the whole card,
which stays comparable between runs on a busy machine.

A field counts as found when it appears anywhere in the OCR text: emails
and websites case-folded, phones by their digits, name, company and title
with case, accents, punctuation and spacing folded away. A card counts as
upright when at least half of its labelled strings were found, since text
read sideways or upside down matches almost nothing.
"""

import os

# One thread per engine, set before tesserocr loads, as the worker does.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cardset  # noqa: E402

from ocr_service import images, orientation  # noqa: E402
from ocr_service.reading import DEFAULT_LANGUAGES, CardReader  # noqa: E402
from ocr_service.second_look import RapidLineRecogniser  # noqa: E402

TEXT_FIELDS = ["name", "company", "title"]


def fold(text: str) -> str:
    """Lower case without accents, punctuation or spacing."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.casefold())


def site(url: str) -> str:
    """A website without scheme, "www." or trailing slash."""
    url = re.sub(r"^[a-z]+://", "", url.strip().casefold())
    return re.sub(r"^www\.", "", url).rstrip("/")


def digits(text: str) -> str:
    """The digits of a phone number, without a "(0)" trunk prefix."""
    return re.sub(r"\D", "", text.replace("(0)", ""))


def found_fields(label: dict, texts: list[str]) -> dict[str, list[bool]]:
    """For each field, whether each labelled value appears in the lines."""
    lower = [t.casefold() for t in texts]
    folded = fold(" ".join(texts))
    line_digits = [digits(t) for t in texts]
    found = {
        "emails": [e.casefold() in " ".join(lower) for e in label.get("emails", [])],
        "websites": [site(w) in " ".join(lower) for w in label.get("websites", [])],
        "phones": [
            any(digits(p["number"]) in d for d in line_digits)
            for p in label.get("phones", [])
        ],
    }
    for name in TEXT_FIELDS:
        values = label.get(name) or []
        values = [values] if isinstance(values, str) else values
        if values:
            found[name] = [any(fold(v) in folded for v in values)]
    return found


def unchanged(picture):
    """A preparation step that does nothing."""
    return picture


def skip_steps(steps: list[str]) -> None:
    """Replaces the named preparation steps with ones that do nothing."""
    functions = {
        "exif": "upright_by_exif",
        "crop": "crop_to_card",
        "scale": "fit_size",
        "background": "text_against_background",
    }
    for step in steps:
        if step in functions:
            setattr(images, functions[step], unchanged)
    if "orient" in steps:
        orientation.quarter_turns = lambda grey: 0
    if "turn" in steps:
        CardReader._upright = lambda self, grey, first: (grey, first)
    if "columns" in steps:
        CardReader._by_columns = lambda self, grey, reading: reading


def run(args: argparse.Namespace) -> None:
    """Reads every card, then prints recall, uprightness and step times."""
    try:
        cards = cardset.labelled(Path(args.cards))
    except cardset.NoCards as error:
        sys.exit(str(error))
    skip_steps(args.skip)
    second = None if "second_look" in args.skip else RapidLineRecogniser()
    reader = CardReader(
        args.languages, args.tessdata, psm=args.psm, second_reader=second
    )
    hits = defaultdict(lambda: defaultdict(list))
    times = defaultdict(lambda: defaultdict(list))
    upright = defaultdict(list)
    records = []
    for path, label in cards:
        kind, data = label.get("kind", "all"), path.read_bytes()
        for _ in range(args.repeat):
            timings: dict[str, float] = {}
            cpu_started = time.thread_time()
            lines = reader.read(data, timings)
            times[kind]["cpu"].append((time.thread_time() - cpu_started) * 1000)
            for step, seconds in timings.items():
                times[kind][step].append(seconds * 1000)
            times[kind]["total"].append(sum(timings.values()) * 1000)

        found = found_fields(label, [line.text for line in lines])
        for name, flags in found.items():
            hits[kind][name].extend(flags)
        flat = [flag for flags in found.values() for flag in flags]
        upright[kind].append(sum(flat) >= len(flat) / 2)
        missed = {n: f for n, f in found.items() if not all(f)}
        texts = [line.text for line in lines]
        records.append({"file": label["file"], "missed": missed, "lines": texts})
    report(hits, times, upright)
    if args.dump:
        with open(args.dump, "w") as dump:
            for record in records:
                dump.write(json.dumps(record, ensure_ascii=False) + "\n")


def report(hits, times, upright) -> None:
    """Prints recall per field, upright cards and step times per kind."""
    for kind in sorted(hits):
        print(f"\n== {kind}: {len(upright[kind])} cards")
        for name, flags in sorted(hits[kind].items()):
            share = sum(flags) / len(flags)
            print(f"  {name:9} recall {share:.3f}  ({sum(flags)}/{len(flags)})")
        print(f"  upright   {sum(upright[kind])}/{len(upright[kind])}")
        for step, values in times[kind].items():
            print(
                f"  {step:12} mean {statistics.mean(values):7.1f} ms  "
                f"median {statistics.median(values):7.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cards", nargs="?", default=str(cardset.DEFAULT_FOLDER))
    parser.add_argument("--languages", default=DEFAULT_LANGUAGES)
    parser.add_argument("--tessdata", default=os.environ.get("TESSDATA_PREFIX"))
    parser.add_argument("--psm", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", help="write each card's lines to this JSONL file")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=[
            "exif",
            "crop",
            "scale",
            "background",
            "orient",
            "turn",
            "columns",
            "second_look",
        ],
        help="preparation steps to leave out",
    )
    run(parser.parse_args())


if __name__ == "__main__":
    main()
