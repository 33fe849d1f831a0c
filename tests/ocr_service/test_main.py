"""Starting an OCR worker with bad settings stops it naming what is wrong."""

import os
import subprocess
import sys

import pytest


def start_worker(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocr_service"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL must be one of DEBUG, INFO"),
        ({"OCR_MAX_ATTEMPTS": "many"}, "OCR_MAX_ATTEMPTS must be a whole number"),
        ({"OCR_LANGUAGES": "klingon"}, "install the packages tesseract-ocr-klingon"),
    ],
)
def test_bad_setting_stops_start_up_naming_it(env, message):
    worker = start_worker(**env)

    assert worker.returncode == 1
    assert message in worker.stderr
    assert "Traceback" not in worker.stderr
