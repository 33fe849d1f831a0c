"""Reads one card: image bytes in, contact out.

This is the one code path from image to contact. Batch cards and single
cards both come through it in the workers, and the benchmarks time it bare.
"""

from cardscan.v1 import contact_pb2
from ocr_service import fields
from ocr_service.images import MAX_PIXELS
from ocr_service.reading import CardReader, UnreadableImage
from ocr_service.second_look import RapidLineRecogniser


class CardOcr:
    """One loaded OCR engine, with a second recogniser for the links it is
    unsure of, and the field parser behind them."""

    def __init__(
        self,
        languages: str | None,
        tessdata_path: str | None,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        options = {"tessdata_path": tessdata_path, "max_pixels": max_pixels}
        if languages:
            options["languages"] = languages
        self._reader = CardReader(**options, second_reader=RapidLineRecogniser())

    def read(self, image: bytes) -> contact_pb2.Contact:
        """The contact on the card; raises UnreadableImage for a bad image
        or one with no text on it."""
        lines = self._reader.read(image)
        if not any(line.text.strip() for line in lines):
            raise UnreadableImage("no text was found on the card")
        return fields.parse(lines)
