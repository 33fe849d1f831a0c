"""Reading a card image's text lines with one Tesseract engine kept loaded."""

import glob
import os
import threading
import time
from pathlib import Path

import numpy as np
import tesserocr

from ocr_service import images
from ocr_service.images import UnreadableImage
from ocr_service.lines import Line

DEFAULT_LANGUAGES = "eng"

# Where Debian and Ubuntu's tesseract-ocr-* packages put the language data.
DEBIAN_TESSDATA = "/usr/share/tesseract-ocr/*/tessdata"

# A card holds a few hundred characters; far longer means a page of text or a
# pathological image, which must not hold a worker for minutes.
READ_TIMEOUT_SECONDS = 30.0

__all__ = ["CardReader", "UnreadableImage", "find_tessdata"]


def find_tessdata(languages: str, tessdata_path: str | None = None) -> str:
    """The folder holding every language's .traineddata file.

    The caller's folder (such as TESSDATA_PREFIX from the configuration) is
    used when given; otherwise the newest folder Debian's packages installed.
    """
    needed = languages.split("+")
    if tessdata_path:
        missing = missing_languages(Path(tessdata_path), needed)
        if missing:
            raise FileNotFoundError(
                f"no Tesseract data for {', '.join(missing)} in {tessdata_path}: "
                f"expected {', '.join(f'{m}.traineddata' for m in missing)} there"
            )
        return tessdata_path
    for folder in sorted(glob.glob(DEBIAN_TESSDATA), reverse=True):
        if not missing_languages(Path(folder), needed):
            return folder
    packages = " ".join(f"tesseract-ocr-{lang}" for lang in needed)
    raise FileNotFoundError(
        f"no Tesseract language data for {languages} found: install the "
        f"packages {packages}, or set TESSDATA_PREFIX to a folder holding "
        f"{', '.join(f'{lang}.traineddata' for lang in needed)}"
    )


def missing_languages(folder: Path, languages: list[str]) -> list[str]:
    """The languages whose .traineddata file the folder lacks."""
    return [
        lang for lang in languages if not (folder / f"{lang}.traineddata").is_file()
    ]


class CardReader:
    """Turns card image bytes into text lines with one loaded Tesseract engine.

    One call at a time: the engine is not reentrant, so calls from several
    threads wait for each other.
    """

    def __init__(
        self,
        languages: str = DEFAULT_LANGUAGES,
        tessdata_path: str | None = None,
    ) -> None:
        path = find_tessdata(languages, tessdata_path)
        self.languages = languages
        self._lock = threading.Lock()
        self._api = tesserocr.PyTessBaseAPI(
            path=path.rstrip(os.sep) + os.sep,
            lang=languages,
            psm=tesserocr.PSM.AUTO,
            oem=tesserocr.OEM.LSTM_ONLY,
        )

    def close(self) -> None:
        """Frees the engine; the reader cannot read after this."""
        with self._lock:
            self._api.End()

    def __enter__(self) -> "CardReader":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def read(
        self, image_bytes: bytes, timings: dict[str, float] | None = None
    ) -> list[Line]:
        """The card's text lines, upright and in reading order.

        Raises UnreadableImage when the bytes are no readable image. When
        given, ``timings`` receives the seconds each step took.
        """
        timings = {} if timings is None else timings
        with self._lock:
            grey = self._prepare(image_bytes, timings)
            started = time.perf_counter()
            lines = self._recognise(grey)
            timings["ocr"] = time.perf_counter() - started
        return lines

    def _prepare(self, image_bytes: bytes, timings: dict[str, float]) -> np.ndarray:
        """The greyscale picture Tesseract reads, each step timed."""
        started = time.perf_counter()
        image = images.decode(image_bytes)
        timings["decode"] = time.perf_counter() - started

        started = time.perf_counter()
        image = images.upright_by_exif(image)
        grey = images.to_grey(image)
        timings["exif_grey"] = time.perf_counter() - started
        return grey

    def _recognise(self, grey: np.ndarray) -> list[Line]:
        """Runs Tesseract over the picture and collects its text lines."""
        height, width = grey.shape
        pixels = np.ascontiguousarray(grey)
        self._api.SetImageBytes(pixels.tobytes(), width, height, 1, width)
        if not self._api.Recognize(timeout=int(READ_TIMEOUT_SECONDS * 1000)):
            raise UnreadableImage(
                f"reading the {width}x{height} image took over "
                f"{READ_TIMEOUT_SECONDS:.0f} s; it holds far more than a card"
            )
        return text_lines(self._api.GetIterator())


def text_lines(iterator: tesserocr.PyResultIterator) -> list[Line]:
    """The non-blank text lines of a recognised page, in Tesseract's order."""
    level = tesserocr.RIL.TEXTLINE
    lines = []
    for item in tesserocr.iterate_level(iterator, level):
        text = (item.GetUTF8Text(level) or "").strip()
        box = item.BoundingBox(level)
        if not text or box is None:
            continue
        left, top, right, bottom = box
        lines.append(
            Line(
                text=text,
                left=left,
                top=top,
                width=right - left,
                height=bottom - top,
                confidence=item.Confidence(level) / 100.0,
            )
        )
    return lines
