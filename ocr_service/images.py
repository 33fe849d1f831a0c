"""Decoding card image bytes into an upright greyscale picture Tesseract reads
well, refusing what is not a readable image."""

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cardscan.errors import InvalidInput

# A 48-megapixel phone photo passes; anything larger is no card photo.
MAX_PIXELS = 50_000_000

# File signatures of things people upload by mistake, to say what came instead.
SIGNATURES = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"<svg", "an SVG drawing, which has no pixels to read"),
    (b"<?xml", "an XML document"),
    (b"<!DOCTYPE html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
]

# Signatures of image formats, to tell a damaged image from a foreign file.
IMAGE_SIGNATURES = [
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"RIFF", "WebP"),
]


class UnreadableImage(InvalidInput):
    """The card's bytes are not an image this service can read."""


def describe(data: bytes) -> str:
    """What the bytes look like, for an error message."""
    head = data[:64].lstrip()
    for signature, name in SIGNATURES:
        if head.lower().startswith(signature.lower()):
            return name
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return f"{len(data)} bytes of unknown binary data starting {data[:8].hex()}"
    return f"{len(data)} bytes of text starting {data[:24].decode('utf-8')!r}"


def image_format(data: bytes) -> str | None:
    """The image format the bytes' signature names, if any."""
    for signature, name in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    return None


def decode(data: bytes) -> Image.Image:
    """The first frame of the image, fully decoded.

    Raises UnreadableImage when the bytes are empty, not an image, damaged,
    truncated, of zero size or over MAX_PIXELS.
    """
    if not data:
        raise UnreadableImage("the image is empty (0 bytes)")
    image = open_image(data)
    check_size(image)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableImage(
            f"the {image.format} image is damaged or truncated: {error}"
        ) from error
    return image


def open_image(data: bytes) -> Image.Image:
    """Opens the image's header, naming what the bytes are when they are not one."""
    try:
        # Pillow's own bomb warning would only duplicate check_size.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise UnreadableImage(f"the image is too large: {error}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        kind = image_format(data)
        if kind:
            raise UnreadableImage(
                f"the {kind} image is damaged: {len(data)} bytes that do not decode"
            ) from error
        raise UnreadableImage(
            f"not an image: the bytes look like {describe(data)}"
        ) from error


def check_size(image: Image.Image) -> None:
    """Refuses images with no pixels or more than MAX_PIXELS."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise UnreadableImage(f"the image has no pixels: it is {width}x{height}")
    if width * height > MAX_PIXELS:
        raise UnreadableImage(
            f"the image is {width}x{height} pixels, over the limit of "
            f"{MAX_PIXELS // 1_000_000} megapixels"
        )


def upright_by_exif(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation tag says."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError):
        # A damaged EXIF block says nothing reliable about the orientation.
        return image


def to_grey(image: Image.Image) -> np.ndarray:
    """The image as 8-bit greyscale, transparency flattened onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return stretch_to_8_bit(np.asarray(image))
    if image.mode == "P" or image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "RGBa", "La"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return np.asarray(image.convert("L"))


def stretch_to_8_bit(pixels: np.ndarray) -> np.ndarray:
    """High bit-depth greyscale scaled to 0..255 over its own range."""
    pixels = pixels.astype(np.float32)
    low, high = float(pixels.min()), float(pixels.max())
    if high <= low:
        return np.full(pixels.shape, 255, dtype=np.uint8)
    return ((pixels - low) * (255.0 / (high - low))).astype(np.uint8)
