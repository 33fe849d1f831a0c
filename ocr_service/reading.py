"""Reading a card image's text lines with one Tesseract engine kept loaded."""

import ctypes
import dataclasses
import glob
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import tesserocr

from ocr_service import images, orientation, second_look
from ocr_service.images import UnreadableImage
from ocr_service.lines import Line
from ocr_service.second_look import LineRecogniser

# One model for every Latin-alphabet language: on the labelled cards it read
# accented names, titles and companies as well as eng+deu+fra+spa+ita+nld+
# por+swe did, at about 1.5 times the CPU of "eng" where those eight took
# over twice; "eng" alone misspelt one photo title in ten.
DEFAULT_LANGUAGES = "Latin"
DEFAULT_PSM = tesserocr.PSM.AUTO

# Where Debian and Ubuntu's tesseract-ocr-* packages put the language data.
DEBIAN_TESSDATA = "/usr/share/tesseract-ocr/*/tessdata"

# Debian names the packages of whole-script models by ISO 15924 code.
SCRIPT_CODES = {"Latin": "latn", "Cyrillic": "cyrl", "Greek": "grek"}

# A card reads in well under a second even turned four ways; far longer
# means a page of text or a pathological image, which must not hold a worker.
READ_TIMEOUT_SECONDS = 20.0

# Leptonica's message level that lets no message through.
LEPTONICA_SILENT = 6

__all__ = ["CardReader", "UnreadableImage", "find_tessdata"]

logger = logging.getLogger(__name__)


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
    folders = [Path(f) for f in sorted(glob.glob(DEBIAN_TESSDATA), reverse=True)]
    for folder in folders:
        if not missing_languages(folder, needed):
            return str(folder)
    # Named only what the fullest folder lacks, so that installed models
    # are not asked for again.
    fullest = min(
        folders, key=lambda f: len(missing_languages(f, needed)), default=None
    )
    missing = needed if fullest is None else missing_languages(fullest, needed)
    miscased = [
        lang
        for lang in missing
        if fullest is not None
        and lang != lang.lower()
        and (fullest / f"{lang.lower()}.traineddata").is_file()
    ]
    if miscased:
        raise FileNotFoundError(
            f"no Tesseract language data for {', '.join(miscased)}: model names "
            f"are written in small letters, as {', '.join(m.lower() for m in miscased)}"
        )
    packages = " ".join(debian_package(lang) for lang in missing)
    raise FileNotFoundError(
        f"no Tesseract language data for {', '.join(missing)} found: install the "
        f"packages {packages}, or set TESSDATA_PREFIX to a folder holding "
        f"{', '.join(f'{lang}.traineddata' for lang in missing)}"
    )


def debian_package(language: str) -> str:
    """The Debian package holding a language's or script's Tesseract data.

    Debian package names allow no underscore, so the data of "chi_sim" is
    in tesseract-ocr-chi-sim.
    """
    if language in SCRIPT_CODES:
        return f"tesseract-ocr-script-{SCRIPT_CODES[language]}"
    return f"tesseract-ocr-{language.lower().replace('_', '-')}"


def missing_languages(folder: Path, languages: list[str]) -> list[str]:
    """The languages whose .traineddata file the folder lacks."""
    return [
        lang for lang in languages if not (folder / f"{lang}.traineddata").is_file()
    ]


def leptonica_libraries() -> list[ctypes.CDLL]:
    """The Leptonica libraries this process has loaded, wherever the
    tesserocr build put them; none where /proc cannot tell."""
    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return []
    paths = sorted({line.split()[-1] for line in maps if "/liblept" in line})
    return [ctypes.CDLL(path) for path in paths]


def silence_leptonica() -> None:
    """Stops the Leptonica library inside Tesseract printing to stderr.

    On some cards Tesseract hands Leptonica a box that reaches past the
    picture, and Leptonica prints "Error in boxClipToRectangle" although
    the reading comes out whole; in a worker's log that reads like a fault.
    Nothing cardscan decodes goes through Leptonica, so none of its
    messages is for an operator.
    """
    for library in leptonica_libraries():
        try:
            library.setMsgSeverity(LEPTONICA_SILENT)
        except AttributeError:
            logger.debug("%s has no setMsgSeverity", library._name)


class CardReader:
    """Turns card image bytes into text lines with one loaded Tesseract engine.

    One call at a time: the engine is not reentrant, so calls from several
    threads wait for each other.
    """

    def __init__(
        self,
        languages: str = DEFAULT_LANGUAGES,
        tessdata_path: str | None = None,
        psm: int | None = None,
        second_reader: LineRecogniser | None = None,
        max_pixels: int = images.MAX_PIXELS,
    ) -> None:
        path = find_tessdata(languages, tessdata_path)
        images.allow_pixels(max_pixels)
        self._max_pixels = max_pixels
        # For the whole process: readers run one per core, so OpenCV's own
        # threads would only contend with the other readers, as Tesseract's
        # would.
        cv2.setNumThreads(1)
        silence_leptonica()
        self._second_reader = second_reader
        self._lock = threading.Lock()
        self._deadline = 0.0
        self._api = tesserocr.PyTessBaseAPI(
            path=path.rstrip(os.sep) + os.sep,
            lang=languages,
            psm=DEFAULT_PSM if psm is None else psm,
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
        """The card's text lines, upright and in reading order: column after
        column where a blank strip parts columns of text, and within each,
        block after block as Tesseract lays it out. Geometry is in pixels of
        the card as read.

        Raises UnreadableImage when the bytes are no readable image. When
        given, ``timings`` receives the seconds each step took.
        """
        timings = {} if timings is None else timings
        with self._lock:
            self._deadline = time.monotonic() + READ_TIMEOUT_SECONDS
            photo = self._decode(image_bytes, timings)

            started = time.perf_counter()
            card = images.crop_to_card(photo)
            timings["crop"] = time.perf_counter() - started

            grey, best = self._read_card(card, timings)
            if card.shape != photo.shape and (
                runs_off_the_card(best.lines, grey) or reads_next_to_nothing(best)
            ):
                # The outline found was not the card's: a shadow or a fold
                # across the card cut its text, or something else square
                # was taken for the card. The whole picture, levelled, is
                # read too, and the one read with more confidence wins.
                whole = images.straighten(photo)
                whole_grey, reading = self._read_card(whole, {})
                if reading.score() > best.score():
                    card, grey, best = whole, whole_grey, reading

            started = time.perf_counter()
            grey, best = self._sharpened_if_blurred(card, grey, best)
            timings["sharpen"] = time.perf_counter() - started

            started = time.perf_counter()
            lines = self._second_look(grey, best.lines)
            timings["second_look"] = time.perf_counter() - started
        return [marked_if_clipped(line, grey.shape) for line in lines]

    def _sharpened_if_blurred(
        self, card: np.ndarray, grey: np.ndarray, reading: "Reading"
    ) -> tuple[np.ndarray, "Reading"]:
        """The card as read, or, where its text is soft and read poorly, read
        again sharpened: whichever reading holds more confident text.

        A card that reads well is left as it is, soft or not: sharpening
        every soft card cost photos soft as taken the fields they read.
        """
        if not reads_poorly(reading) or not is_soft(grey):
            return grey, reading
        sharp = images.sharpened(images.fit_size(card))
        sharp_grey, sharp_reading = self._read_card(sharp, {})
        if sharp_reading.score() > reading.score():
            return sharp_grey, sharp_reading
        return grey, reading

    def _decode(self, image_bytes: bytes, timings: dict[str, float]) -> np.ndarray:
        """The picture in greyscale, upright as its EXIF tag says."""
        started = time.perf_counter()
        image = images.decode(image_bytes, self._max_pixels)
        timings["decode"] = time.perf_counter() - started

        started = time.perf_counter()
        image = images.upright_by_exif(image)
        grey = images.to_grey(image)
        timings["exif_grey"] = time.perf_counter() - started
        return grey

    def _read_card(
        self, card: np.ndarray, timings: dict[str, float]
    ) -> tuple[np.ndarray, "Reading"]:
        """The card, cut out of its photo, scaled, cleaned and turned
        upright, and its reading; each step timed."""
        started = time.perf_counter()
        grey = images.fit_size(card)
        timings["scale"] = time.perf_counter() - started

        started = time.perf_counter()
        grey = images.text_against_background(grey)
        timings["background"] = time.perf_counter() - started

        started = time.perf_counter()
        grey = np.rot90(grey, orientation.quarter_turns(grey))
        timings["orient"] = time.perf_counter() - started

        started = time.perf_counter()
        first = self._first_reading(grey)
        timings["ocr"] = time.perf_counter() - started

        started = time.perf_counter()
        grey, best = self._upright(grey, first)
        timings["turn"] = time.perf_counter() - started

        started = time.perf_counter()
        # The first reading took the columns into account already; only
        # a reading of the card turned was made whole.
        if best is not first:
            best = self._by_columns(grey, best)
        timings["columns"] = time.perf_counter() - started

        started = time.perf_counter()
        best = self._rows_in_pieces(grey, self._lost_rows(grey, best))
        timings["rows"] = time.perf_counter() - started
        return grey, best

    def _first_reading(self, grey: np.ndarray) -> "Reading":
        """The card read column by column where a blank strip parts columns
        of text, else read whole.

        Read whole, Tesseract often joins lines across the strip, and
        reading the card again column by column would cost a second reading.
        """
        columns = images.text_columns(grey)
        if len(columns) > 1:
            return self._read_columns(grey, columns)
        return self._recognise(grey)

    def _upright(
        self, grey: np.ndarray, first: "Reading"
    ) -> tuple[np.ndarray, "Reading"]:
        """The card turned upright, and its reading.

        EXIF tags are often missing or wrong, Tesseract's orientation
        detection fails on cards with little text, and the guess from the
        ink can be wrong too, so a card whose first reading is poor or runs
        vertically is read again turned, and the turn that reads with the
        most confidence wins.
        """
        if first.is_good() and not first.is_vertical():
            return grey, first
        turns = [1, 3] if first.is_vertical() else [2]
        candidates = [] if first.is_vertical() else [(grey, first)]
        for quarter_turns in turns:
            turned = np.rot90(grey, quarter_turns)
            reading = self._recognise(turned)
            if reading.is_good() and not reading.is_vertical():
                return turned, reading
            candidates.append((turned, reading))
        return max(candidates, key=lambda candidate: candidate[1].score())

    def _by_columns(self, grey: np.ndarray, reading: "Reading") -> "Reading":
        """The turned card read column by column when, read whole, Tesseract
        joined lines across the blank strip between two columns."""
        columns = images.text_columns(grey)
        gaps = [right for _, right in columns[:-1]]
        if not any(
            line.left < gap < line.left + line.width
            for line in reading.lines
            for gap in gaps
        ):
            return reading
        return self._read_columns(grey, columns)

    def _lost_rows(self, grey: np.ndarray, reading: "Reading") -> "Reading":
        """The reading, with each row of text that Tesseract's layout passed
        over read on its own: in a tightly set block an email under a phone
        number is now and then left out of every line."""
        words = []
        for box in passed_over(grey, reading.lines):
            padded = padded_box(box, grey.shape)
            read = self._recognise_rows(grey, padded, tesserocr.PSM.SINGLE_LINE)
            words += [found for found in read if readable_row(found)]
        if not words:
            return reading
        lines = list(reading.lines)
        read_already = {line.text for line in lines}
        for found in text_lines(words):
            if found.text in read_already:
                continue
            above = [i for i, line in enumerate(lines) if line.top <= found.top]
            lines.insert(above[-1] + 1 if above else 0, found)
        characters, confident = confident_characters(words)
        return Reading(
            lines,
            reading.characters + characters,
            reading.confident_characters + confident,
        )

    def _rows_in_pieces(self, grey: np.ndarray, reading: "Reading") -> "Reading":
        """The reading, with each row Tesseract's layout read in pieces read
        again whole: now and then it sets the first letters of a word in
        large type apart and loses the next ("Ti", "iano Fibonacci")."""
        lines: list[Line | None] = list(reading.lines)
        characters, confident = reading.characters, reading.confident_characters
        for group in row_pieces(grey, reading.lines):
            pieces = [reading.lines[i] for i in group]
            box = padded_box(bounds(pieces), grey.shape)
            read = self._recognise_rows(grey, box, tesserocr.PSM.SINGLE_LINE)
            words = [word for row in read for word in row]
            if not (words and confident_row(words)):
                continue
            if letters(w.text for w in words) < letters(p.text for p in pieces):
                continue
            first, *rest = group
            lines[first] = to_line(words)
            for i in rest:
                lines[i] = None
            more, more_confident = confident_characters([words])
            fewer, fewer_confident = counted_characters(pieces)
            characters += more - fewer
            confident += more_confident - fewer_confident
        kept = [line for line in lines if line is not None]
        return Reading(kept, characters, confident)

    def _read_columns(
        self, grey: np.ndarray, columns: list[tuple[int, int]]
    ) -> "Reading":
        """The card read one column after another, each its full height; a
        line the strip between two columns cut is joined again."""
        height = grey.shape[0]
        rows: list[list[Word]] = []
        for left, right in columns:
            for row in self._recognise_rows(grey, (left, 0, right - left, height)):
                before = next((r for r in rows if goes_on_in(r, row)), None)
                if before is None:
                    rows.append(row)
                else:
                    before += row
        return Reading(text_lines(rows), *confident_characters(rows))

    def _second_look(self, grey: np.ndarray, lines: list[Line]) -> list[Line]:
        """The lines, those with a link Tesseract was unsure of read again
        by the second reader where there is one."""
        if self._second_reader is None:
            return lines
        out = []
        for line in lines:
            if second_look.needs_second_look(line):
                crop = second_look.crop_of(grey, line)
                line = second_look.better_line(
                    line, *self._second_reader.recognise(crop)
                )
            out.append(line)
        return out

    def _recognise(self, grey: np.ndarray) -> "Reading":
        """Runs Tesseract over the picture and collects its text lines."""
        rows = self._recognise_rows(grey)
        return Reading(text_lines(rows), *confident_characters(rows))

    def _recognise_rows(
        self,
        grey: np.ndarray,
        rectangle: tuple[int, int, int, int] | None = None,
        layout: int | None = None,
    ) -> list[list["Word"]]:
        """The words of each line Tesseract reads in the picture or a part,
        laid out as the reader's page layout says, or as asked."""
        height, width = grey.shape
        pixels = np.ascontiguousarray(grey)
        self._api.SetImageBytes(pixels.tobytes(), width, height, 1, width)
        if rectangle is not None:
            self._api.SetRectangle(*rectangle)
        usual = self._api.GetPageSegMode()
        if layout is not None:
            self._api.SetPageSegMode(layout)
        try:
            remaining_ms = int((self._deadline - time.monotonic()) * 1000)
            read = remaining_ms > 0 and self._api.Recognize(timeout=remaining_ms)
        finally:
            self._api.SetPageSegMode(usual)
        if not read:
            raise UnreadableImage(
                f"reading the card took over {READ_TIMEOUT_SECONDS:.0f} s "
                f"(at {width}x{height} pixels once prepared); it holds far more "
                "than a card"
            )
        return text_rows(self._api.GetIterator())


# A word read with less confidence is probably misread, or not text at all.
CONFIDENT_WORD = 70.0

# Share of characters in confident words above which a reading is taken as
# right-side up without trying other turns; misread turns score far below.
GOOD_SHARE = 0.6


@dataclass(frozen=True)
class Reading:
    """The lines Tesseract read from one turn of a picture, and how well."""

    lines: list[Line]
    characters: int
    confident_characters: int

    def score(self) -> int:
        """How much text this turn read with confidence."""
        return self.confident_characters if not self.is_vertical() else 0

    def is_good(self) -> bool:
        """Whether most of the text read was read with confidence."""
        return self.confident_characters >= GOOD_SHARE * max(self.characters, 1)

    def mean_confidence(self) -> float:
        """The mean confidence of the lines read, from 0 to 1; 0 where
        none was."""
        read = [line.confidence for line in self.lines if line.text.strip()]
        return sum(read) / len(read) if read else 0.0

    def is_vertical(self) -> bool:
        """Whether most of the text runs up or down the picture."""
        upright = sum(len(x.text) for x in self.lines if x.width >= x.height)
        return upright < sum(len(x.text) for x in self.lines) / 2


@dataclass(frozen=True)
class Word:
    """One word Tesseract read, with its box and confidence from 0 to 100,
    and the confidence of each of its characters where Tesseract gave them."""

    text: str
    left: int
    top: int
    right: int
    bottom: int
    confidence: float
    characters: tuple[float, ...] = ()


def text_rows(iterator: tesserocr.PyResultIterator) -> list[list[Word]]:
    """The words of each text line Tesseract found, in its order, walked
    symbol by symbol to keep each character's confidence."""
    rows: list[list[list]] = []
    word_level, level = tesserocr.RIL.WORD, tesserocr.RIL.SYMBOL
    for item in tesserocr.iterate_level(iterator, level):
        if not rows or item.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            rows.append([])
        if not rows[-1] or item.IsAtBeginningOf(word_level):
            box = item.BoundingBox(word_level)
            # A word without a box is left out, as one without text is.
            text = element_text(item, word_level) if box is not None else ""
            word = Word(text, *(box or (0, 0, 0, 0)), item.Confidence(word_level))
            rows[-1].append([word, []])
        rows[-1][-1][1].append((element_text(item, level), item.Confidence(level)))
    words = [[with_symbols(*pair) for pair in row] for row in rows]
    return [row for row in ([w for w in row if w.text] for row in words) if row]


def with_symbols(word: Word, symbols: list[tuple[str, float]]) -> Word:
    """The word with the confidence of each character, from 0 to 100, when
    its symbols spell it out; a ligature's confidence goes to each letter."""
    if "".join(text for text, _ in symbols) != word.text:
        return word
    characters = tuple(conf for text, conf in symbols for _ in text)
    return dataclasses.replace(word, characters=characters)


# A gap between two words wider than this many line heights separates two
# columns that Tesseract joined into one line.
COLUMN_GAP = 2.5

# Tesseract often sets "@" apart as a word of its own because of the glyph's
# wide side bearings; an address never holds spaces around it.
SPACED_AT = re.compile(r"(?<=\S) *@ *(?=\S)")


# The widest gap between two words of a line, in line heights: a space,
# however large the type; the strip between columns is wider.
WORD_GAP = 0.8


def goes_on_in(row: list[Word], other: list[Word]) -> bool:
    """Whether a row of the column to the left goes on in a row of the next
    column, at its level and nearer than a column's gap: a name in large
    type parts its words by a strip as wide as one between columns."""
    last, first = row[-1], other[0]
    return continues(
        (last.left, last.top, last.right, last.bottom),
        (first.left, first.top, first.right, first.bottom),
    )


def continues(
    before: tuple[int, ...], after: tuple[int, ...], widest: float = WORD_GAP
) -> bool:
    """Whether text in one box goes on in another to its right, at its level
    and no further away than ``widest`` line heights; boxes are left, top,
    right, bottom."""
    height = max(before[3] - before[1], after[3] - after[1])
    overlap = min(before[3], after[3]) - max(before[1], after[1])
    gap = after[0] - before[2]
    return overlap >= height / 2 and 0 <= gap <= widest * height


# The widest gap between two pieces of one row, in line heights, when ink
# lies in it: a word gap and a letter lost in it. A wider gap than a word's
# with no ink in it parts two columns.
PIECE_GAP = 1.6


def row_pieces(grey: np.ndarray, lines: list[Line]) -> list[list[int]]:
    """The lines that are pieces of one row, each group's indices in the
    order read, the groups in order of their first line."""
    boxes = [
        (line.left, line.top, line.left + line.width, line.top + line.height)
        for line in lines
    ]
    group_of = list(range(len(lines)))
    for i, before in enumerate(boxes):
        for j, after in enumerate(boxes):
            if i == j or not continues(before, after, PIECE_GAP):
                continue
            if continues(before, after) or inked_between(grey, before, after):
                old, new = group_of[j], group_of[i]
                group_of = [new if g == old else g for g in group_of]
    groups: dict[int, list[int]] = {}
    for i, group in enumerate(group_of):
        groups.setdefault(group, []).append(i)
    return sorted(
        (group for group in groups.values() if len(group) > 1), key=lambda g: g[0]
    )


def inked_between(
    grey: np.ndarray, before: tuple[int, ...], after: tuple[int, ...]
) -> bool:
    """Whether ink lies between two boxes of one row (left, top, right,
    bottom), where no word was read."""
    top, bottom = max(before[1], after[1]), min(before[3], after[3])
    gap = grey[top:bottom, before[2] : after[0]] < images.INK_LEVEL
    return int(gap.sum()) >= MIN_ROW_INK


def bounds(lines: list[Line]) -> tuple[int, int, int, int]:
    """The box, left, top, width and height, around all the lines."""
    left, top = min(line.left for line in lines), min(line.top for line in lines)
    right = max(line.left + line.width for line in lines)
    bottom = max(line.top + line.height for line in lines)
    return left, top, right - left, bottom - top


def letters(texts: Iterable[str]) -> int:
    """How many letters and digits the texts hold."""
    return sum(char.isalnum() for text in texts for char in text)


def counted_characters(lines: list[Line]) -> tuple[int, int]:
    """The characters of the lines' words, and of those read with
    confidence, as confident_characters counts them."""
    total = confident = 0
    for line in lines:
        for char, word in zip(line.text, line.word_confidences, strict=False):
            if char != " ":
                total += 1
                confident += word >= CONFIDENT_WORD / 100
    return total, confident


def split_columns(row: list[Word]) -> list[list[Word]]:
    """The row cut wherever a gap is wide enough to part two columns."""
    height = max(w.bottom - w.top for w in row)
    pieces = [[row[0]]]
    for before, word in zip(row, row[1:], strict=False):
        if word.left - before.right > COLUMN_GAP * height:
            pieces.append([])
        pieces[-1].append(word)
    return pieces


def to_line(words: list[Word]) -> Line:
    """One Line from the words that make it."""
    left, top = min(w.left for w in words), min(w.top for w in words)
    right, bottom = max(w.right for w in words), max(w.bottom for w in words)
    text, characters, word_confidences = joined(words)
    confidence = sum(w.confidence for w in words) / len(words) / 100.0
    return Line(
        text,
        left,
        top,
        right - left,
        bottom - top,
        confidence,
        characters if all(c >= 0 for c in characters) else (),
        word_confidences,
    )


def joined(words: list[Word]) -> tuple[str, tuple[float, ...], tuple[float, ...]]:
    """The words' text joined by spaces, the confidence from 0 to 1 of each
    of its characters (-1 where a word has none), and of the word each
    character belongs to; a space counts as part of the word before it."""
    text = " ".join(w.text for w in words)
    characters: list[float] = []
    word_confidences: list[float] = []
    for word in words:
        if len(word.characters) == len(word.text):
            characters += [c / 100.0 for c in word.characters]
            characters.append(min(word.characters) / 100.0)
        else:
            characters += [-1.0] * (len(word.text) + 1)
        word_confidences += [word.confidence / 100.0] * (len(word.text) + 1)
    characters.pop()
    word_confidences.pop()
    # Joining a spaced "@" keeps the confidences of the "@" itself.
    for match in reversed(list(SPACED_AT.finditer(text))):
        at = match.start() + match[0].index("@")
        characters[match.start() : match.end()] = [characters[at]]
        word_confidences[match.start() : match.end()] = [word_confidences[at]]
        text = text[: match.start()] + "@" + text[match.end() :]
    return text, tuple(characters), tuple(word_confidences)


# Lines of text, not specks, must run into a side of the card for its
# outline to be doubted.
CUT_LINES = 2


# A run of inked rows is taken for a row of text only between these shares
# of the height of the card's smallest line of words and of its usual line:
# less is specks, more is a logo or two columns' rows run together.
ROW_HEIGHTS = (0.5, 1.8)
# A row's tallest column of ink must hold this many pixels, or it is grain.
MIN_ROW_INK = 10
# Pixels of margin Tesseract gets around a row read on its own, and the
# letters and digits it must find there.
ROW_PADDING = 4
MIN_ROW_LETTERS = 3
# The share of a lost row's letters its confident words hold at least.
READABLE_SHARE = 0.4


def passed_over(grey: np.ndarray, lines: list[Line]) -> list[tuple[int, int, int, int]]:
    """The boxes, left, top, width and height, of the rows of text in each
    column of the card that no line read covers."""
    if not lines:
        return []
    heights = [line.height for line in lines]
    worded = [line.height for line in lines if letters([line.text]) >= MIN_ROW_LETTERS]
    # A card read as its largest lines alone has smaller ones still to find.
    sizes = (min(worded or heights), float(np.median(heights)))
    boxes = []
    text = images.text_ink(grey).astype(bool)
    # Specks the cut-out kept of the card's sides would run every row of
    # text into one.
    margin = max(round(EDGE_COLUMNS * grey.shape[1]), 1)
    text[:, :margin] = False
    text[:, -margin:] = False
    for left, right in images.text_columns(grey):
        ink = text[:, left:right]
        for top, bottom in images.inked_rows(ink):
            band = ink[top:bottom]
            for start, end in row_parts(band):
                box = (left + start, top, end - start, bottom - top)
                if along_the_edge(box, grey.shape):
                    continue
                if lost_row(box, band[:, start:end], sizes, lines):
                    boxes.append(box)
    return boxes


# Rows of pixels at the top and bottom of a card that hold what the cut-out
# kept of its outline, and the share of its width no row of text spans.
EDGE_ROWS = 3
WIDE_ROW = 0.9
# The share of the card's width along each side where no text is looked for.
EDGE_COLUMNS = 0.02


def along_the_edge(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    """Whether a box of ink runs along the card's top or bottom edge, or
    across its whole width: the outline's remains or a band of the design,
    which cost a long reading to find no text in."""
    left, top, width, height = box
    rows, columns = shape[:2]
    return (
        top <= EDGE_ROWS
        or top + height >= rows - EDGE_ROWS
        or width >= WIDE_ROW * columns
    )


def row_parts(band: np.ndarray) -> list[tuple[int, int]]:
    """The first and past-the-last columns of each part of a run of inked
    rows that a gap as wide as a column's parts from the next: a speck
    left of the card's outline is no part of the text beside it."""
    profile = band.sum(axis=0)
    inked = np.flatnonzero(profile)
    widest = COLUMN_GAP * band.shape[0]
    starts, ends = [int(inked[0])], []
    for gap_start, gap_end in images.blank_runs(profile, inked[0], inked[-1]):
        if gap_end - gap_start > widest:
            ends.append(gap_start)
            starts.append(gap_end)
    ends.append(int(inked[-1]) + 1)
    return list(zip(starts, ends, strict=True))


def lost_row(
    box: tuple[int, int, int, int],
    row: np.ndarray,
    sizes: tuple[float, float],
    lines: list[Line],
) -> bool:
    """Whether a run of inked rows is a row of text that no line read
    covers: of a line's height, longer than tall, inked enough, and beside
    no line."""
    left, top, width, height = box
    low, high = ROW_HEIGHTS
    smallest, typical = sizes
    if not low * smallest <= height <= high * typical or width < 2 * height:
        return False
    if row.sum(axis=0).max() < MIN_ROW_INK:
        return False
    for line in lines:
        across = min(left + width, line.left + line.width) - max(left, line.left)
        down = min(top + height, line.top + line.height) - max(top, line.top)
        if across > 0 and down >= height / 2:
            return False
    return True


def padded_box(
    box: tuple[int, int, int, int], shape: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The box with ROW_PADDING around it, inside the picture."""
    left, top, width, height = box
    rows, columns = shape
    new_left, new_top = max(left - ROW_PADDING, 0), max(top - ROW_PADDING, 0)
    right = min(left + width + ROW_PADDING, columns)
    bottom = min(top + height + ROW_PADDING, rows)
    return int(new_left), int(new_top), int(right - new_left), int(bottom - new_top)


def readable_row(words: list["Word"]) -> bool:
    """Whether a row of ink no line covered holds text: its confident words
    hold letters enough and a good share of the row's, so that a town read
    unsure beside its confident postcode is kept, unsure as it is."""
    sure = letters(word.text for word in words if word.confidence >= CONFIDENT_WORD)
    share = READABLE_SHARE * letters(word.text for word in words)
    return sure >= MIN_ROW_LETTERS and sure >= share


def confident_row(words: list["Word"]) -> bool:
    """Whether a row read on its own holds text, not a rule or a speck read
    as a letter or two."""
    return letters(word.text for word in words) >= MIN_ROW_LETTERS and all(
        word.confidence >= CONFIDENT_WORD for word in words
    )


def runs_off_the_card(lines: list[Line], grey: np.ndarray) -> bool:
    """Whether lines of text run into the left or right side of the card,
    as when the card was cut out along a shadow across it."""
    width = grey.shape[1]
    cut = [
        line
        for line in lines
        if sum(c.isalpha() for c in line.text) >= 3
        and (line.left <= 0 or line.left + line.width >= width)
    ]
    return len(cut) >= CUT_LINES


# A card holds a name at least: a cut-out read with fewer confident
# characters than this holds no more than specks or a stray word.
FEW_CHARACTERS = 6


def reads_next_to_nothing(reading: "Reading") -> bool:
    """Whether a reading found next to no text it is sure of."""
    return reading.confident_characters < FEW_CHARACTERS


# Below this median steepness of its text's edges a prepared card is soft:
# scans measure over 3.3 and the same scans blurred by 1.5 pixels 1.4 to
# 1.8, but phone photos anywhere from 1.2 to 4, one in seven soft as taken.
SOFT_EDGES = 1.8
# A reading whose lines' mean confidence is below this is unsure of some of
# its words, as a third of the labelled photos and most blurred cards are.
POOR_CONFIDENCE = 0.92


def reads_poorly(reading: "Reading") -> bool:
    """Whether a reading is unsure of much of its text."""
    return reading.mean_confidence() < POOR_CONFIDENCE


def is_soft(prepared: np.ndarray) -> bool:
    """Whether a prepared card's text is blurred."""
    return images.edge_steepness(prepared) < SOFT_EDGES


def marked_if_clipped(line: Line, shape: tuple[int, int]) -> Line:
    """The line, marked clipped when its box reaches the picture's edge."""
    height, width = shape
    right, bottom = line.left + line.width, line.top + line.height
    if min(line.left, line.top) > 0 and right < width and bottom < height:
        return line
    return dataclasses.replace(line, clipped=True)


def text_lines(rows: list[list[Word]]) -> list[Line]:
    """The card's lines in Tesseract's order, a row parted at a column gap
    giving its pieces left to right."""
    return [to_line(piece) for row in rows for piece in split_columns(row)]


def confident_characters(rows: list[list[Word]]) -> tuple[int, int]:
    """The characters of all words, and of words read with confidence."""
    words = [word for row in rows for word in row]
    confident = [w for w in words if w.confidence >= CONFIDENT_WORD]
    return sum(len(w.text) for w in words), sum(len(w.text) for w in confident)


def element_text(item: tesserocr.PyResultIterator, level: int) -> str:
    """The text of one line or word, empty where Tesseract holds none."""
    try:
        return (item.GetUTF8Text(level) or "").strip()
    except RuntimeError:
        # tesserocr raises instead of returning "" for an element without text.
        return ""
