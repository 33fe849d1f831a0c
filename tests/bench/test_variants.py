"""The photo-variant benchmark makes each variant of a labelled card, reads
and scores it; how robust the reader is to them is not checked here."""

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"
SAMPLE = ROOT / "samples" / "cards" / "01-holt-en.png"


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "variants.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_each_variant_is_read_and_scored(tmp_path):
    if not SCORER.is_file():
        pytest.skip(f"no shared scorer at {SCORER}")
    cards = tmp_path / "cards"
    cards.mkdir()
    shutil.copy(SAMPLE, cards)
    label = {"file": SAMPLE.name, "partial": True, "name": "Maren Holt"}
    (cards / "01-holt-en.json").write_text(json.dumps(label))

    asked = "original,turn-3-white"
    result = run_bench(str(cards), "--variants", asked, "--workers", "1")
    result.check_returncode()
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == asked.split(",")
    assert all(row[1].endswith("/1") for row in rows)


def test_an_unknown_variant_is_refused_naming_it():
    result = run_bench("--variants", "original,turn+9-blue")
    assert result.returncode != 0
    assert "unknown variant turn+9-blue" in result.stderr


def test_a_slanted_card_lies_whole_on_its_dark_border(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    variants = importlib.import_module("variants")
    card = Image.new("RGB", (900, 500), "white")

    slanted = np.asarray(variants.slanted(card).convert("L"))

    edges = [slanted[0], slanted[-1], slanted[:, 0], slanted[:, -1]]
    assert all(edge.max() < 128 for edge in edges)
    card_pixels = int((slanted >= 128).sum())
    assert card_pixels == pytest.approx(card.width * card.height, rel=0.01)
