"""The parser benchmark on made-up cards runs and scores every locale; how
many cards it reads right is not checked here."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"
LOCALES = 12


def test_a_small_run_writes_labels_and_scores_each_locale(tmp_path):
    if not SCORER.is_file():
        pytest.skip(f"the shared scorer is not at {SCORER}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generated.py")]
        + ["--per-locale", "2", "--split", "any", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    summary = re.search(r"(\d+)/(\d+) cards fully right", result.stdout)
    assert summary is not None, result.stdout
    assert int(summary[2]) == 2 * LOCALES
    labels = sorted(tmp_path.glob("*.json"))
    assert len(labels) == 2 * LOCALES
    assert {"name", "phones", "address", "layout"} <= set(
        json.loads(labels[0].read_text())
    )
    for locale in ("pt_BR", "en_US", "de_DE"):
        assert locale in result.stdout, locale
    wrong = (tmp_path / "wrong.txt").read_text().count("== ")
    assert wrong == int(summary[2]) - int(summary[1])
