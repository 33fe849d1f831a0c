"""A second reading, by another recogniser, of the email and web address
lines Tesseract was unsure of, kept where the evidence says it is better."""

from dataclasses import replace
from typing import Protocol

import numpy as np

from ocr_service import links
from ocr_service.lines import Line

# Lines holding a link that Tesseract rated below this are read again; it
# rates most links it reads right from 0.85 to 0.92.
UNSURE = 0.8

# The second recogniser's score from which its reading is taken: on the
# labelled cards it misread no link it scored this high where Tesseract
# was unsure.
SURE = 0.95

# At most this many letters may part the two readings of a link: more
# means the crop caught something else, not that one letter was misread.
MAX_EDITS = 2

# How sure a line is that the second recogniser read surely and that
# Tesseract read the same or a letter or two apart: a clean reading.
SECOND_READING_CONFIDENCE = 0.9


class LineRecogniser(Protocol):
    """Reads the text of a picture holding one line of text."""

    def recognise(self, crop: np.ndarray) -> tuple[str, float]:
        """The line's text and how sure the recogniser is, from 0 to 1."""


class RapidLineRecogniser:
    """RapidOCR's text recogniser alone, with the model its wheel ships,
    on one thread as each Tesseract engine runs."""

    def __init__(self) -> None:
        # Imported here: the ONNX runtime is large and only readers with a
        # second look need it.
        from rapidocr import RapidOCR

        self._engine = RapidOCR(
            params={
                "Global.use_det": False,
                "Global.use_cls": False,
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )

    def recognise(self, crop: np.ndarray) -> tuple[str, float]:
        colour = np.ascontiguousarray(np.repeat(crop[:, :, None], 3, axis=2))
        result = self._engine(colour, use_det=False, use_cls=False, use_rec=True)
        if not result.txts:
            return "", 0.0
        return result.txts[0], float(result.scores[0])


def needs_second_look(line: Line) -> bool:
    """True for a line holding an email or web address that Tesseract was
    unsure of."""
    return line.confidence < UNSURE and bool(link_values(line.text))


def crop_of(grey: np.ndarray, line: Line) -> np.ndarray:
    """The line's part of the picture, with a margin of a third of its
    height that recognisers need around the letters."""
    margin = max(4, line.height // 3)
    top, left = max(0, line.top - margin), max(0, line.left - margin)
    bottom = min(grey.shape[0], line.top + line.height + margin)
    right = min(grey.shape[1], line.left + line.width + margin)
    return grey[top:bottom, left:right]


def better_line(line: Line, text: str, score: float) -> Line:
    """The line as the second recogniser read it when it was sure and read
    the same links, each the same or a letter or two apart; else the line
    as it was. Either way two readers agreeing make the line sure."""
    if score < SURE:
        return line
    mine, theirs = link_values(line.text), link_values(text)
    if not theirs or len(theirs) != len(mine):
        return line
    if any(edits(a, b) > MAX_EDITS for a, b in zip(mine, theirs, strict=True)):
        return line
    # The second reading's confidence stands for the whole line: Tesseract's
    # for its words no longer tells how sure the line is.
    confidence = max(line.confidence, SECOND_READING_CONFIDENCE)
    if mine == theirs:
        return replace(line, confidence=confidence, word_confidences=())
    return replace(
        line, text=text, confidence=confidence, characters=(), word_confidences=()
    )


def link_values(text: str) -> list[str]:
    """The emails, then the web addresses, a line holds once repaired."""
    found, sites, _ = links.emails_and_websites(links.repair(text))
    return [x.value for x in found] + [x.value for x in sites]


def edits(a: str, b: str) -> int:
    """How many letters to insert, delete or change to turn a into b."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            changed = previous + (x != y)
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, changed)
    return row[-1]
