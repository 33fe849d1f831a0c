"""Measures how the reader copes with labelled cards photographed less well:
turned a few degrees, slanted, blurred, shrunk or compressed hard.

Usage: python bench/variants.py [CARD_FOLDER] [--variants turn+2-white,blur]
       [--workers 2] [--out bench-results/variants]

Each card is turned upright by its EXIF tag, made into every variant and
saved as a JPEG, then read as a worker reads it (a card with no text on it
fails). score.py scores each variant's contacts against the cards' labels;
the table gives, per variant, the cards with every field but the address
right (score.py's cards_all_correct), the cards that failed, and the
reader's CPU time per card. --out keeps each variant's contacts as JSON
Lines, for score.py to break down.
"""

import os

# One thread per engine, set before tesserocr loads, as the worker does.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from PIL import Image, ImageFilter, ImageOps  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accuracy  # noqa: E402
import cardset  # noqa: E402

from cardscan import jsonview  # noqa: E402
from cardscan.v1 import batch_pb2  # noqa: E402
from ocr_service.cards import CardOcr  # noqa: E402
from ocr_service.images import UnreadableImage  # noqa: E402

# The fills a turned photo's new corners get: a white page, as an editor
# fills them, and a dark table.
FILLS = {"white": (255, 255, 255), "dark": (35, 32, 30)}
TURN_DEGREES = (1, 2, 3, 4, 5)
# A slant as of a card seen from one side, on a dark border that shows it.
SLANT_DEGREES = 8.0
BORDER_SHARE = 0.08
BLUR_RADIUS = 1.5
SHRINK = 0.5
SAVE_QUALITY = 85
LOW_QUALITY = 30


def turned(degrees: int, fill: tuple[int, int, int]) -> Callable:
    """A variant turning the photo anticlockwise, its corners filled."""
    return lambda image: image.rotate(degrees, expand=True, fillcolor=fill)


def slanted(image: Image.Image) -> Image.Image:
    """The photo on a dark border, each row shifted right by its distance
    from the top: its sides lean SLANT_DEGREES, and the picture is widened
    by the bottom row's shift, so that the whole photo stays on it."""
    border = round(BORDER_SHARE * max(image.size))
    framed = ImageOps.expand(image, border, FILLS["dark"])
    width, height = framed.size
    lean = math.tan(math.radians(SLANT_DEGREES))
    size = (width + round(lean * height), height)
    shear = (1, -lean, 0, 0, 1, 0)
    return framed.transform(
        size, Image.Transform.AFFINE, shear, Image.Resampling.BICUBIC, 0, FILLS["dark"]
    )


def shrunk(image: Image.Image) -> Image.Image:
    """The photo at SHRINK of its size each way."""
    size = (round(image.width * SHRINK), round(image.height * SHRINK))
    return image.resize(size, Image.Resampling.LANCZOS)


def blurred(image: Image.Image) -> Image.Image:
    """The photo out of focus."""
    return image.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))


def all_variants() -> dict[str, tuple[Callable, int]]:
    """Each variant's name, how it changes the photo and the JPEG quality
    it is saved at."""
    variants = {"original": (lambda image: image, SAVE_QUALITY)}
    for fill_name, fill in FILLS.items():
        for degrees in TURN_DEGREES:
            for sign in (1, -1):
                name = f"turn{sign * degrees:+d}-{fill_name}"
                variants[name] = (turned(sign * degrees, fill), SAVE_QUALITY)
    variants["slant8-dark"] = (slanted, SAVE_QUALITY)
    variants["blur1.5"] = (blurred, SAVE_QUALITY)
    variants["half-size"] = (shrunk, SAVE_QUALITY)
    variants["jpeg-q30"] = (lambda image: image, LOW_QUALITY)
    return variants


VARIANTS = all_variants()


def variant_bytes(path: Path, variant: str) -> bytes:
    """The card's photo made into the variant, as JPEG bytes."""
    change, quality = VARIANTS[variant]
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    out = io.BytesIO()
    change(image).save(out, "JPEG", quality=quality)
    return out.getvalue()


_ocr: CardOcr | None = None


def start_reader() -> None:
    """Loads one reader for this process, as a worker does at start-up."""
    global _ocr
    _ocr = CardOcr(None, None)


def read_variant(task: tuple[str, Path]) -> tuple[str, dict, float]:
    """The variant's name, the contact read from the card's variant in the
    shape the HTTP API gives it, and the CPU milliseconds reading took."""
    variant, path = task
    image = variant_bytes(path, variant)
    card = batch_pb2.Card(file_name=path.name, state=batch_pb2.CARD_STATE_DONE)
    started = time.process_time()
    try:
        card.contact.CopyFrom(_ocr.read(image))
    except UnreadableImage as error:
        card.state, card.error = batch_pb2.CARD_STATE_FAILED, str(error)
    cpu_ms = (time.process_time() - started) * 1000
    return variant, jsonview.card(card), cpu_ms


def chosen(names: str | None) -> list[str]:
    """The variants asked for, in the table's order; all when none are."""
    if not names:
        return list(VARIANTS)
    asked = names.split(",")
    unknown = [name for name in asked if name not in VARIANTS]
    if unknown:
        raise SystemExit(
            f"unknown variant {', '.join(unknown)}: choose from {', '.join(VARIANTS)}"
        )
    return [name for name in VARIANTS if name in asked]


def report(
    variant: str, labels: list[dict], found: list[dict], cpu: list[float]
) -> str:
    """One row of the table: the variant's cards all right, failed, and
    the median and slowest CPU time per card."""
    scorer = accuracy.load_scorer()
    _, _, perfect = scorer.score(labels, {p["file"]: p for p in found})
    right, total = perfect["all"]
    failed = sum(p["state"] == "FAILED" for p in found)
    return (
        f"{variant:14} {right:4d}/{total:<4d} {failed:6d} "
        f"{statistics.median(cpu):8.0f} {max(cpu):8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cards", nargs="?", type=Path, default=cardset.DEFAULT_FOLDER)
    parser.add_argument("--variants", help="comma-separated names; all by default")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, help="write each variant's contacts here")
    args = parser.parse_args()

    try:
        labelled = cardset.labelled(args.cards)
    except cardset.NoCards as error:
        sys.exit(str(error))
    variants = chosen(args.variants)
    tasks = [(variant, path) for variant in variants for path, _ in labelled]
    found: dict[str, list[dict]] = {variant: [] for variant in variants}
    cpu: dict[str, list[float]] = {variant: [] for variant in variants}
    with multiprocessing.Pool(args.workers, initializer=start_reader) as pool:
        for variant, prediction, cpu_ms in pool.imap_unordered(read_variant, tasks):
            found[variant].append(prediction)
            cpu[variant].append(cpu_ms)

    labels = [label for _, label in labelled]
    print(f"{'variant':14} {'all right':9} {'failed':>6} {'CPU ms':>8} {'slowest':>8}")
    for variant in variants:
        print(report(variant, labels, found[variant], cpu[variant]))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            lines = [json.dumps(p, ensure_ascii=False) for p in found[variant]]
            (args.out / f"{variant}.jsonl").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
