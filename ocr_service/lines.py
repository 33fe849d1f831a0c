"""The text lines OCR found on a card: what image reading hands to field
parsing."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line of text on an upright card, in reading order.

    Geometry is in pixels of the prepared image, so sizes compare between
    the lines of one card, not between cards.
    """

    text: str
    left: int
    top: int
    width: int
    height: int
    # Mean word confidence from 0 to 1.
    confidence: float
    # OCR's confidence from 0 to 1 in each character of text, where the
    # reader gives one per character; empty where it does not.
    characters: tuple[float, ...] = ()
    # For each character of text, OCR's confidence from 0 to 1 in the word
    # it belongs to; empty where the reader gives none.
    word_confidences: tuple[float, ...] = ()
    # True when the line runs into the edge of the picture read, so the
    # letters there may have been cut off with the card's background.
    clipped: bool = False
