"""The throughput benchmark runs end to end in its quickest mode and prints
every figure; how fast anything was is not checked here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report

ROOT = Path(__file__).resolve().parents[2]
SHARED_CARDS = ROOT.parent / "shared" / "cards" / "dev"

# Far above what a quick run takes, only so that a hung stack fails the test.
RUN_TIMEOUT_SECONDS = 120


def test_quick_run_prints_every_figure_and_measures_all_but_the_large_zip(
    tmp_path,
):
    if not SHARED_CARDS.is_dir():
        pytest.skip(f"the labelled sample cards are not at {SHARED_CARDS}")
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "throughput.py"), "--quick"]
        + ["--count", "3", "--cards", str(SHARED_CARDS), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
    )

    assert result.returncode == 0, result.stderr
    for figure in report.FIGURES:
        assert figure in result.stdout, figure
    assert "1 repeat(s)" in result.stdout
    rows = {row["figure"]: row for row in json.loads(out.read_text())["rows"]}
    assert list(rows) == list(report.FIGURES)
    large_zip = {report.RSS_HTTP, report.RSS_GRPC, report.RSS_STORE}
    for figure, row in rows.items():
        if figure in large_zip:
            assert row["result"] == "not run", figure
        else:
            assert row["value"] is not None, figure
