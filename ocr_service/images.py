"""Decoding card image bytes into an upright greyscale picture Tesseract reads
well, refusing what is not a readable image."""

import io
import re
import warnings

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cardscan import settings
from cardscan.errors import InvalidInput
from cardscan.signatures import image_format, lookalike

# The most pixels a card image may have unless the worker is told otherwise.
MAX_PIXELS = settings.MAX_IMAGE_PIXELS
# No line of text fits in fewer pixels than this across.
MIN_SIDE = 8

# The formats cards come in. Pillow knows many more, some through old or
# rarely used decoders (EPS even runs Ghostscript), which untrusted uploads
# are kept away from.
FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF", "PPM")


class UnreadableImage(InvalidInput):
    """The card's bytes are not an image this service can read."""


def describe(data: bytes) -> str:
    """What the bytes look like, for an error message."""
    kind = lookalike(data)
    if kind == "text":
        sample = data[:24].decode("utf-8", errors="replace")
        return f"{len(data)} bytes of text starting {sample!r}"
    if kind:
        return kind
    return f"{len(data)} bytes of unknown binary data starting {data[:8].hex()}"


def decode(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """The image, fully decoded.

    Raises UnreadableImage when the bytes are empty, not an image, damaged,
    truncated, of zero size, over max_pixels or of several pages.
    """
    if not data:
        raise UnreadableImage("the image is empty (0 bytes)")
    image = open_image(data, max_pixels)
    check_size(image, max_pixels)
    check_single_page(image)
    if image.format == "JPEG" and image.mode == "RGB":
        # Only the brightness is read, and a colour JPEG stores it apart: the
        # decoder hands it over without building colours, which takes a
        # third off decoding a phone photo. The grey levels are those of the
        # colours decoded whole but where rebuilding a colour clips it.
        image.draft("L", image.size)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow counts the bytes of its last buffer left over, not those
        # missing, which reads as if little were lost.
        reason = re.sub(r"\s*\(\d+ bytes not processed\)", "", str(error))
        raise UnreadableImage(
            f"the {image.format} image is damaged or truncated: {reason}"
        ) from error
    return image


def allow_pixels(max_pixels: int) -> None:
    """Lets Pillow open images of up to max_pixels, for the whole process,
    so that check_size is what refuses larger ones; Pillow's own limit
    stops images over about 179 megapixels before they can be measured."""
    if Image.MAX_IMAGE_PIXELS is not None:
        Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS, max_pixels)


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Opens the image's header, naming what the bytes are when they are not one."""
    # Registers every format plugin, so that FORMATS can name them; cheap
    # after the first call.
    Image.init()
    try:
        # Pillow's own bomb warning would only duplicate check_size.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as error:
        raise UnreadableImage(f"{over_the_limit(max_pixels)}: {error}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise refusal(data) from error


def refusal(data: bytes) -> UnreadableImage:
    """The error for bytes Pillow cannot open, saying what they are."""
    kind = image_format(data)
    size = png_size(data) if kind == "PNG" else None
    if size is not None and 0 in size:
        return UnreadableImage(f"the image has no pixels: it is {size[0]}x{size[1]}")
    if kind:
        return UnreadableImage(
            f"the {kind} image is damaged: its {len(data)} bytes do not "
            f"decode as {kind}"
        )
    return UnreadableImage(
        f"not an image in a format read here ({', '.join(FORMATS)}): "
        f"the bytes look like {describe(data)}"
    )


def png_size(data: bytes) -> tuple[int, int] | None:
    """The width and height a PNG's header chunk states, if it has one."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def over_the_limit(max_pixels: int) -> str:
    """Why an image with too many pixels is refused, and the setting to change."""
    return (
        f"the image is over the limit of {max_pixels / 1_000_000:g} megapixels"
        " (MAX_IMAGE_PIXELS)"
    )


def check_size(image: Image.Image, max_pixels: int) -> None:
    """Refuses images with no pixels or more than max_pixels."""
    width, height = image.size
    if width <= 0 or height <= 0:
        raise UnreadableImage(f"the image has no pixels: it is {width}x{height}")
    if min(width, height) < MIN_SIDE:
        raise UnreadableImage(
            f"the image is {width}x{height} pixels, too thin to hold a line of "
            f"text (a card image is at least {MIN_SIDE} pixels each way)"
        )
    if width * height > max_pixels:
        raise UnreadableImage(
            f"{over_the_limit(max_pixels)}: it is {width}x{height} pixels"
        )


# Formats whose files can hold several pictures, each of which could be a
# card. A JPEG's second picture (MPO) is a camera's preview or depth map.
PAGED_FORMATS = {"TIFF": "pages", "GIF": "frames", "WEBP": "frames"}


def check_single_page(image: Image.Image) -> None:
    """Refuses a file of several pages or frames: reading the first alone
    would drop the cards on the others without a word."""
    pages = PAGED_FORMATS.get(image.format)
    count = getattr(image, "n_frames", 1) if pages else 1
    if count > 1:
        raise UnreadableImage(
            f"the {image.format} file holds {count} {pages}, and one card is read "
            f"from one picture: save each of its {pages} as an image of its own"
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
    if image.mode == "LAB":
        return np.asarray(image.getchannel("L"))
    if image.mode == "La":
        image = image.convert("LA")
    if image.mode in ("P", "PA", "RGBa"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    if image.mode == "CMYK":
        image = image.convert("RGB")
    try:
        return np.asarray(image.convert("L"))
    except ValueError as error:
        raise UnreadableImage(
            f"the {image.format or 'image'} is in the {image.mode} colour mode, "
            f"which cannot be turned to greyscale: {error}"
        ) from error


def stretch_to_8_bit(pixels: np.ndarray) -> np.ndarray:
    """High bit-depth greyscale scaled to 0..255 over its own range."""
    pixels = pixels.astype(np.float32)
    low, high = float(pixels.min()), float(pixels.max())
    if high <= low:
        return np.full(pixels.shape, 255, dtype=np.uint8)
    return ((pixels - low) * (255.0 / (high - low))).astype(np.uint8)


# The card's long side is brought within these bounds: below, small print
# falls under the height Tesseract reads well; above, the extra pixels cost
# layout time without adding legible detail.
MIN_LONG_SIDE = 1000
MAX_LONG_SIDE = 2000


def fit_size(grey: np.ndarray) -> np.ndarray:
    """The card scaled so that its long side lies within the bounds."""
    long_side = max(grey.shape)
    target = min(max(long_side, MIN_LONG_SIDE), MAX_LONG_SIDE)
    if target == long_side:
        return grey
    factor = target / long_side
    size = (
        max(1, round(grey.shape[1] * factor)),
        max(1, round(grey.shape[0] * factor)),
    )
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=method)


# Local contrast below this many grey levels is paper texture or noise,
# which stretching must not turn into ink.
MIN_CONTRAST = 40.0


def text_against_background(grey: np.ndarray) -> np.ndarray:
    """Dark text on white, whatever the text's and background's shades.

    Each pixel becomes its distance from the local background, stretched
    by the strongest contrast nearby: light text on a dark band, pale text
    on a coloured band and dark text on white all come out black on white,
    and uneven light across a photo evens out.
    """
    height, width = grey.shape
    small_size = (max(width // 4, 1), max(height // 4, 1))
    small = cv2.resize(grey, small_size, interpolation=cv2.INTER_AREA)
    kernel = min(max(3, (min(small.shape) // 12) | 1), 255)
    background = cv2.medianBlur(small, kernel)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    distance = cv2.absdiff(grey, background)

    strongest = cv2.resize(
        cv2.dilate(distance, np.ones((4, 4), np.uint8)),
        small_size,
        interpolation=cv2.INTER_NEAREST,
    )
    strongest = cv2.dilate(strongest, np.ones((kernel, kernel), np.uint8))
    strongest = cv2.resize(strongest, (width, height), interpolation=cv2.INTER_LINEAR)
    scale = 255.0 / np.maximum(strongest.astype(np.float32), MIN_CONTRAST)
    return (255 - np.clip(distance * scale, 0, 255)).astype(np.uint8)


# Canny's thresholds for the edges of a prepared card's text, black on white.
TEXT_EDGE_THRESHOLDS = (50, 150)


def edge_steepness(prepared: np.ndarray) -> float:
    """How sharp a prepared card's text is: the median Sobel gradient along
    its edges, in ranges of grey (a step from black to white gives 4); a
    card with no edges counts as sharp."""
    edges = cv2.Canny(prepared, *TEXT_EDGE_THRESHOLDS) > 0
    if not edges.any():
        return float("inf")
    across = cv2.Sobel(prepared, cv2.CV_32F, 1, 0)
    down = cv2.Sobel(prepared, cv2.CV_32F, 0, 1)
    return float(np.median(cv2.magnitude(across, down)[edges])) / 255


# An unsharp mask: the picture less this much of a Gaussian blur of it,
# that wide, strengthens edges about as wide as blurred print's.
SHARPEN_SIGMA = 2.0
SHARPEN_AMOUNT = 1.0


def sharpened(grey: np.ndarray) -> np.ndarray:
    """The picture with its edges made steeper, for blurred print."""
    blurred = cv2.GaussianBlur(grey, (0, 0), SHARPEN_SIGMA)
    return cv2.addWeighted(grey, 1 + SHARPEN_AMOUNT, blurred, -SHARPEN_AMOUNT, 0)


# Side of the small copy the card's outline is searched on; outlines need no
# more detail, and the search stays a few milliseconds.
OUTLINE_SIDE = 512

# A card fills at least this share of a photo of it, and a scan fills more
# than the upper share, which leaves nothing to crop.
MIN_CARD_SHARE = 0.12
MAX_CARD_SHARE = 0.92


def crop_to_card(grey: np.ndarray) -> np.ndarray:
    """The card cut out of a photo and squared up, or the whole picture
    levelled when no card outline stands out from its surroundings."""
    small, scale = outline_copy(grey)
    corners = card_corners(small, scale)
    if corners is None:
        return straighten(grey, small)
    corners = widen_to_card_shape(corners)
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(max(distance(top_left, top_right), distance(bottom_left, bottom_right)))
    height = int(
        max(distance(top_left, bottom_left), distance(top_right, bottom_right))
    )
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(
        grey, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE
    )


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """The distance between two points."""
    return float(np.linalg.norm(a - b))


# Cards run from 1.4 (A8) to 1.8 (90x50 mm) times as long as they are wide.
# An outline far longer than that is the card without a band whose colour
# merged with the table: the card is widened both ways to the usual shape,
# taking in the band on one side and a strip of table on the other.
MAX_CARD_ASPECT = 1.9
USUAL_CARD_ASPECT = 1.7


def widen_to_card_shape(corners: np.ndarray) -> np.ndarray:
    """The corners pushed apart across the card when it is too narrow."""
    top_left, top_right, bottom_right, bottom_left = corners
    across = (bottom_left - top_left + bottom_right - top_right) / 2
    along = (top_right - top_left + bottom_right - bottom_left) / 2
    if np.linalg.norm(across) > np.linalg.norm(along):
        # A portrait card: widen it sideways instead.
        return np.roll(widen_to_card_shape(np.roll(corners, -1, axis=0)), 1, axis=0)
    long_side, short_side = np.linalg.norm(along), np.linalg.norm(across)
    if long_side <= MAX_CARD_ASPECT * short_side:
        return corners
    push = across * ((long_side / USUAL_CARD_ASPECT - short_side) / short_side)
    return np.array(
        [top_left - push, top_right - push, bottom_right + push, bottom_left + push],
        dtype=np.float32,
    )


def outline_copy(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The picture shrunk to OUTLINE_SIDE on its long side, and the factor
    it was shrunk by."""
    height, width = grey.shape
    scale = OUTLINE_SIDE / max(height, width)
    size = (max(int(width * scale), 1), max(int(height * scale), 1))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale


def card_corners(small: np.ndarray, scale: float) -> np.ndarray | None:
    """The card's corners in full-size pixels, clockwise from top left, found
    on the outline copy of the picture and the factor it was shrunk by:
    along the edges that stand out, else along fainter ones, as a dark card
    on a dark table shows."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    for low, high in EDGE_THRESHOLDS:
        corners = _corners_along(cv2.Canny(blurred, low, high), scale, small.shape)
        if corners is not None:
            return corners
    return None


# Canny's thresholds for the card's outline, tried in turn.
EDGE_THRESHOLDS = ((30, 90), (15, 45))


def _corners_along(
    edges: np.ndarray, scale: float, shape: tuple[int, int]
) -> np.ndarray | None:
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    hulls = sorted((cv2.convexHull(c) for c in contours), key=cv2.contourArea)
    for hull in reversed(hulls):
        if is_card_outline(hull, shape):
            outline = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(outline) != 4:
                outline = cv2.boxPoints(cv2.minAreaRect(hull))
            return clockwise(outline.reshape(4, 2).astype(np.float32) / scale)
    return None


# How closely an outline must fill its tightest rectangle to be a card.
MIN_RECTANGULARITY = 0.85


def is_card_outline(hull: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether an outline could be a card: large, rectangular and clear of
    the picture's edges, which a card photographed whole does not touch."""
    height, width = shape
    share = cv2.contourArea(hull) / float(height * width)
    if not MIN_CARD_SHARE <= share <= MAX_CARD_SHARE:
        return False
    x, y, w, h = cv2.boundingRect(hull)
    if x <= 1 or y <= 1 or x + w >= width - 1 or y + h >= height - 1:
        return False
    rectangle = cv2.minAreaRect(hull)
    if is_turned_frame(cv2.boxPoints(rectangle), shape):
        return False
    (_, _), (rect_w, rect_h), _ = rectangle
    return cv2.contourArea(hull) >= MIN_RECTANGULARITY * rect_w * rect_h


# A corner this share of the picture's short side from its nearest side
# lies on that side, as far as the outline copy's blur and edges tell.
FRAME_MARGIN = 0.04


def is_turned_frame(corners: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether three of an outline's corners or all four lie on the sides of
    the picture: the edge of a photo turned a few degrees and its corners
    filled, whose outline runs from side to side around the card and all
    of its table, or runs into the card's own edge where it comes near."""
    height, width = shape
    x, y = corners[:, 0], corners[:, 1]
    nearest = np.minimum.reduce([x, y, width - 1 - x, height - 1 - y])
    return int((nearest <= FRAME_MARGIN * min(height, width)).sum()) >= 3


def clockwise(points: np.ndarray) -> np.ndarray:
    """Four corners ordered top left, top right, bottom right, bottom left."""
    sums, diffs = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(sums)],
            points[np.argmin(diffs)],
            points[np.argmax(sums)],
            points[np.argmax(diffs)],
        ],
        dtype=np.float32,
    )


# Text turned less than this reads as well as level text, and is left as
# it is, which saves a warp; at a degree, Tesseract already misreads a
# scan's emails and titles now and then.
MIN_SKEW_DEGREES = 0.3
# Lines further than this from horizontal are taken for vertical strokes.
MAX_SKEW_DEGREES = 20.0


def straighten(grey: np.ndarray, small: np.ndarray | None = None) -> np.ndarray:
    """The picture turned so that its long straight edges run level.

    For photos whose card outline was not found: the edges of the card,
    of coloured bands and the baselines of text still show the skew. The
    outline copy is made here unless given.
    """
    angle = skew_degrees(grey, small)
    if angle is None or abs(angle) < MIN_SKEW_DEGREES:
        return grey
    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(
        grey,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def skew_degrees(grey: np.ndarray, small: np.ndarray | None = None) -> float | None:
    """The median angle of the picture's long, nearly level straight lines,
    found on its outline copy (made here unless given)."""
    if small is None:
        small, _ = outline_copy(grey)
    edges = cv2.Canny(small, 50, 150)
    segments = cv2.HoughLinesP(
        edges,
        1,
        np.pi / 360,
        threshold=60,
        minLineLength=small.shape[1] // 4,
        maxLineGap=8,
    )
    if segments is None:
        return None
    x1, y1, x2, y2 = segments.reshape(-1, 4).T.astype(np.float64)
    angles = np.degrees(np.arctan2(y2 - y1, x2 - x1))
    angles = (angles + 90) % 180 - 90
    level = angles[np.abs(angles) < MAX_SKEW_DEGREES]
    return float(np.median(level)) if level.size else None


# A blank strip at least this share of the card's width, running the full
# height of the text, parts two columns.
MIN_COLUMN_GAP = 0.015
# Each side of a gap must hold this share of the ink to count as a column,
# so a stray mark at the edge does not make one.
MIN_COLUMN_INK = 0.1


# Grey levels below this are ink on a card prepared for reading.
INK_LEVEL = 128


def text_columns(prepared: np.ndarray) -> list[tuple[int, int]]:
    """The left and right edges of the card's columns of text.

    Tesseract joins two columns set close together into one line, mixing
    their words; a blank strip running the height of the text parts them.
    Rules and band edges crossing the whole card are left out, as they
    cross the strip without breaking the columns.
    """
    # Every other pixel both ways still holds ink in every column of text.
    ink = (prepared[::2, ::2] < INK_LEVEL).astype(np.uint8)
    width = ink.shape[1]
    text = without_strokes(ink, (1, width // 4))
    profile = text.sum(axis=0)
    inked = np.flatnonzero(profile)
    if inked.size == 0:
        return [(0, width)]
    edges = [0]
    for gap_start, gap_end in blank_runs(profile, inked[0], inked[-1]):
        if gap_end - gap_start >= MIN_COLUMN_GAP * width:
            edges.append((gap_start + gap_end) // 2)
    edges.append(width)
    columns = merge_thin_columns(text, edges)
    full_width = prepared.shape[1]
    return [(2 * left, min(2 * right, full_width)) for left, right in columns]


def text_ink(prepared: np.ndarray) -> np.ndarray:
    """The ink of a prepared card, 1 where it lies, without the strokes that
    run a quarter of the card across or down: rules, band edges and what
    the cut-out kept of the card's outline, which would run the rows of
    text beside them into one."""
    ink = (prepared < INK_LEVEL).astype(np.uint8)
    # Strokes that long are found as well at half the size, in an eighth
    # of the time.
    half = ink[::2, ::2]
    rows, columns = half.shape
    across = long_strokes(half, (1, max(columns // 4, 1)))
    down = long_strokes(half, (max(rows // 4, 1), 1))
    strokes = np.repeat(np.repeat(across | down, 2, axis=0), 2, axis=1)
    return ink & (1 - strokes[: ink.shape[0], : ink.shape[1]])


def without_strokes(ink: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The ink, 1 where it lies, less its long strokes."""
    return ink & (1 - long_strokes(ink, shape))


def long_strokes(ink: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The ink's strokes, 1 where they lie, that fill a rectangle of the
    shape (rows, columns) somewhere along them."""
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(shape, np.uint8))


def blank_runs(profile: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of columns without ink between start and end."""
    blank = np.concatenate(([0], (profile[start:end] == 0).astype(np.int8), [0]))
    changes = np.flatnonzero(np.diff(blank))
    return [
        (start + a, start + b) for a, b in zip(changes[::2], changes[1::2], strict=True)
    ]


def merge_thin_columns(ink: np.ndarray, edges: list[int]) -> list[tuple[int, int]]:
    """Columns between the edges, each thin one joined to its neighbour, and
    so is one that holds a single line going on in its neighbour: a name in
    large type parts its words by a gap as wide as a column's."""
    profile = ink.sum(axis=0)
    least = MIN_COLUMN_INK * max(int(profile.sum()), 1)
    columns = [
        (int(left), int(right)) for left, right in zip(edges, edges[1:], strict=False)
    ]
    merged = [columns[0]]
    for left, right in columns[1:]:
        before = profile[merged[-1][0] : merged[-1][1]].sum()
        thin = before < least or profile[left:right].sum() < least
        if thin or one_line_apart(ink, merged[-1], (left, right)):
            merged[-1] = (merged[-1][0], right)
        else:
            merged.append((left, right))
    return merged


# Two runs of inked rows are one line of text when their heights and tops
# differ by less than this share of the taller.
SAME_LINE_SHARE = 0.25


def one_line_apart(
    ink: np.ndarray, first: tuple[int, int], second: tuple[int, int]
) -> bool:
    """Whether either column holds one line of text alone that a line of
    the other column continues, at its height and level."""
    lines = [inked_rows(ink[:, left:right]) for left, right in (first, second)]
    if min(map(len, lines)) != 1:
        return False
    single, others = sorted(lines, key=len)
    top, bottom = single[0]
    for other_top, other_bottom in others:
        size = max(bottom - top, other_bottom - other_top)
        if (
            abs(top - other_top) <= SAME_LINE_SHARE * size
            and abs(bottom - other_bottom) <= SAME_LINE_SHARE * size
        ):
            return True
    return False


def inked_rows(ink: np.ndarray) -> list[tuple[int, int]]:
    """The runs of rows holding ink: the lines of text, where leading
    parts them."""
    rows = ink.sum(axis=1)
    inked = np.flatnonzero(rows)
    if inked.size == 0:
        return []
    gaps = blank_runs(rows, inked[0], inked[-1] + 1)
    starts = [inked[0], *(end for _, end in gaps)]
    ends = [*(start for start, _ in gaps), inked[-1] + 1]
    return list(zip(starts, ends, strict=True))
