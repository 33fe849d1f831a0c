"""Measures how correct the contacts read from labelled cards are, field by
field, and how well the review flag picks out the wrong ones.

Usage: python bench/accuracy.py [CARD_FOLDER] [--pipeline] [--languages eng+deu]
       [--out predictions.jsonl] [--lines lines.json] [--save-lines lines.json]
       [--no-second-look]

Reads every labelled card with the service's own reader and parser (no
services), or with --pipeline through a whole local stack (a ZIP uploaded to
the gateway, OCR workers on every core), writes one JSON line per card in
the shape the HTTP API gives, then scores them with the shared score.py
overall, by kind and by layout. --save-lines keeps what OCR read so that
--lines can re-run only the parser.
"""

import os

# One thread per engine, set before tesserocr loads, as the worker does.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cardset  # noqa: E402

from cardscan import jsonview  # noqa: E402
from cardscan.client import GatewayClient  # noqa: E402
from cardscan.stack import Ports, Stack  # noqa: E402
from cardscan.v1 import batch_pb2  # noqa: E402
from ocr_service import fields  # noqa: E402
from ocr_service.lines import Line  # noqa: E402
from ocr_service.reading import DEFAULT_LANGUAGES, CardReader  # noqa: E402
from ocr_service.second_look import RapidLineRecogniser  # noqa: E402

SCORER = ROOT.parent / "shared" / "tools" / "score.py"
DEFAULT_OUT = ROOT / "bench-results" / "accuracy.jsonl"


def read_lines(
    folder: Path, cards: list[dict], languages: str, second_look: bool
) -> dict:
    """What OCR reads on each card, by file name."""
    read = {}
    second_reader = RapidLineRecogniser() if second_look else None
    with CardReader(languages=languages, second_reader=second_reader) as reader:
        for label in cards:
            image = (folder / label["file"]).read_bytes()
            read[label["file"]] = reader.read(image)
            print(f"read {label['file']}", file=sys.stderr)
    return read


def load_lines(path: Path) -> dict:
    """Lines saved by an earlier run with --save-lines."""
    saved = json.loads(path.read_text())
    return {name: [_line(line) for line in lines] for name, lines in saved.items()}


def _line(saved: dict) -> Line:
    # JSON keeps a line's tuples of confidences as lists.
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    return Line(**fields)


def save_lines(path: Path, read: dict) -> None:
    """Keeps what OCR read, for runs that change only the parser."""
    plain = {
        name: [dataclasses.asdict(x) for x in lines] for name, lines in read.items()
    }
    path.write_text(json.dumps(plain, ensure_ascii=False))


def predictions(read: dict) -> list[dict]:
    """Each card's contact as the HTTP API shows a finished card."""
    out = []
    for name, lines in sorted(read.items()):
        card = batch_pb2.Card(
            file_name=name,
            state=batch_pb2.CARD_STATE_DONE,
            contact=fields.parse(lines),
        )
        out.append(jsonview.card(card))
    return out


def pipeline_predictions(folder: Path, cards: list[dict]) -> list[dict]:
    """Each card's contact as a local stack reads it from one uploaded ZIP."""
    with tempfile.TemporaryDirectory() as scratch:
        upload = Path(scratch) / "cards.zip"
        with zipfile.ZipFile(upload, "w") as archive:
            for label in cards:
                archive.write(folder / label["file"], label["file"])
        with (
            Stack(data_dir=Path(scratch) / "stack", ports=Ports.free()) as stack,
            GatewayClient(stack.gateway_address) as gateway,
        ):
            created = gateway.create_batch(upload)
            for batch in gateway.watch_batch(created.batch_id):
                done = batch.counts.done + batch.counts.failed
                print(f"read {done}/{batch.counts.total}", file=sys.stderr)
            found = gateway.list_contacts(created.batch_id)
    return [jsonview.card(card) for card in found]


def run_scorer(folder: Path, out: Path, *extra: str) -> str:
    """score.py's output for the predictions."""
    command = [sys.executable, str(SCORER), str(folder), str(out), *extra]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def load_scorer():
    """score.py as a module, to judge one card at a time."""
    spec = importlib.util.spec_from_file_location("score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wrong_fields(scorer, label: dict, prediction: dict) -> set[str]:
    """The fields score.py counts wrong on one card; the address is wrong
    when its token F1 falls short of 1."""
    groups, address, _ = scorer.score([label], {label["file"]: prediction})
    wrong = {f for f, (_, fp, fn) in groups["all"].items() if fp or fn}
    if address["all"] and address["all"][0] < 1.0:
        wrong.add("address")
    return wrong


def review_report(cards: list[dict], preds: list[dict]) -> str:
    """How well the review flag picks out cards with a wrong field (as
    score.py's all-correct count sees them: the address aside), and how
    often a low field confidence sits on a wrong field."""
    scorer = load_scorer()
    by_file = {p["file"]: p for p in preds}
    flagged_wrong = flagged_right = missed_wrong = low_wrong = low_right = 0
    only_absent = 0
    for label in cards:
        pred = by_file[label["file"]]
        wrong = wrong_fields(scorer, label, pred)
        low = {f for f, v in pred["confidence"].items() if v < fields.REVIEW_THRESHOLD}
        low_wrong += len(low & wrong)
        low_right += len(low - wrong)
        card_wrong = bool(wrong - {"address"})
        # A field the parser did not set has no confidence to flag it by.
        only_absent += card_wrong and not (wrong - {"address"}) & set(
            pred["confidence"]
        )
        flagged_wrong += pred["needs_review"] and card_wrong
        flagged_right += pred["needs_review"] and not card_wrong
        missed_wrong += card_wrong and not pred["needs_review"]
    precision = flagged_wrong / max(flagged_wrong + flagged_right, 1)
    recall = flagged_wrong / max(flagged_wrong + missed_wrong, 1)
    return (
        f"needs_review (threshold {fields.REVIEW_THRESHOLD}): "
        f"{flagged_wrong + flagged_right} cards flagged, "
        f"{flagged_wrong + missed_wrong} with a wrong field; "
        f"precision {precision:.2f}, recall {recall:.2f}\n"
        f"wrong cards whose wrong fields were all left empty: {only_absent}\n"
        f"fields below the threshold: {low_wrong} wrong, {low_right} right"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cards", nargs="?", type=Path, default=cardset.DEFAULT_FOLDER)
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="read through a local stack started for the run",
    )
    parser.add_argument("--languages", default=DEFAULT_LANGUAGES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--lines", type=Path, help="parse these saved lines")
    parser.add_argument("--save-lines", type=Path, help="keep what OCR read here")
    parser.add_argument(
        "--no-second-look",
        action="store_true",
        help="read with Tesseract alone, without the second look at unsure links",
    )
    args = parser.parse_args()

    try:
        cards = [label for _, label in cardset.labelled(args.cards)]
    except cardset.NoCards as error:
        sys.exit(str(error))
    if args.pipeline:
        found = pipeline_predictions(args.cards, cards)
    else:
        if args.lines:
            read = load_lines(args.lines)
        else:
            read = read_lines(
                args.cards, cards, args.languages, not args.no_second_look
            )
        if args.save_lines:
            save_lines(args.save_lines, read)
        found = predictions(read)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as out:
        for prediction in found:
            out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    for by in ((), ("--by", "kind"), ("--by", "layout")):
        print(run_scorer(args.cards, args.out, *by))
    print(
        review_report(cards, [json.loads(x) for x in args.out.read_text().splitlines()])
    )


if __name__ == "__main__":
    main()
