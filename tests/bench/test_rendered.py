"""The rendered-card benchmark writes images with labels that
bench/accuracy.py reads as it reads the samples; how well they are read is
not checked here."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def test_each_card_is_an_image_with_its_label_beside_it(tmp_path):
    if not FONTS.is_dir():
        pytest.skip(f"no DejaVu fonts (Debian's fonts-dejavu-core) in {FONTS}")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "rendered.py")]
        + ["--per-locale", "3", "--locales", "en_GB,de_DE", "--photos", "0.5"]
        + ["--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    labels = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("*.json"))]
    assert len(labels) == 6
    for label in labels:
        image = Image.open(tmp_path / label["file"])
        assert image.format == ("JPEG" if label["kind"] == "photo" else "PNG")
        upright = ImageOps.exif_transpose(image)
        turned = label["orientation"] in ("pixels-90", "pixels-270")
        assert (upright.width < upright.height) == turned, label["file"]
        assert {"name", "company", "phones", "emails", "layout"} <= set(label)
    assert {label["locale"] for label in labels} == {"en_GB", "de_DE"}
