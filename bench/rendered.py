"""Renders cards Faker makes up into images, as scans and as phone photos,
with a label each, into a folder that bench/accuracy.py reads as it reads
the labelled samples.

Usage: python bench/rendered.py [--per-locale 10] [--seed 1] [--photos 0.5]
       [--locales en_GB,de_DE] [--out bench-results/rendered]
       then: python bench/accuracy.py bench-results/rendered

The samples are 80 cards; OCR and the reader's image preparation tuned on
them may fit them alone. These cards have the samples' kinds: their twelve
locales and six layouts, light and dark designs in a sans or a serif font,
scans, and photos of a card lying on a table, seen at an angle, unevenly
lit, a little blurred and grainy, some turned a quarter or half a turn in
their pixels or by their EXIF orientation.
"""

import argparse
import json
import random
import sys
from pathlib import Path

import cv2
import generated
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = Path("/usr/share/fonts/truetype/dejavu")
# Regular and bold faces of each family the designs use.
FAMILIES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
}
# Background, text and accent colours of each design.
DESIGNS = (
    ((255, 255, 255), (40, 40, 40), (100, 70, 140)),
    ((250, 248, 240), (30, 30, 60), (20, 90, 160)),
    ((255, 255, 255), (50, 50, 50), (180, 40, 40)),
    ((25, 38, 70), (235, 235, 235), (230, 170, 40)),
    ((35, 35, 35), (240, 240, 240), (90, 200, 200)),
)
CARD_SIZE = (1050, 600)
# The least room between text and the card's edge, and the smallest size a
# long line is set in to keep that room.
MARGIN, MIN_FONT_SIZE = 40, 14
# Where generated.py starts the right column of a two-column card.
RIGHT_COLUMN = 520
# Where the first line starts, and the height of a line over its font's size.
FIRST_TOP, LEADING = 55, 1.4
# The largest tilt of a photo's card, in degrees, and how far each corner
# may move off the rectangle, as a share of the card's size.
MAX_TILT = 6.0
MAX_CORNER_SHIFT = 0.05
# Table tops a card is photographed on, and how much larger than the card
# the picture of it is, across and down.
TABLES = ((92, 80, 68), (60, 60, 62), (150, 130, 105), (200, 200, 195))
PHOTO_SPAN = (1.35, 1.6)
TURNS = ("upright", "upright", "pixels-90", "pixels-180", "pixels-270", "exif-180")
# The EXIF orientation that tells a viewer to turn a picture half a turn.
EXIF_ORIENTATION, UPSIDE_DOWN = 0x0112, 3


def render(label: dict, rng: random.Random) -> Image.Image:
    """The card as printed: its lines where generated.py lays them out,
    sized by their kind, in one of the designs."""
    paper, ink, accent = rng.choice(DESIGNS)
    regular, bold = FAMILIES[rng.choice(tuple(FAMILIES))]
    card = Image.new("RGB", CARD_SIZE, paper)
    draw = ImageDraw.Draw(card)
    kinds = {label["name"]: "name", label["company"]: "company"}
    if label["layout"] == "header":
        draw.rectangle((0, 0, CARD_SIZE[0], 24), fill=accent)
    if label["layout"] == "logo":
        draw.ellipse((60, 50, 200, 190), outline=accent, width=10)
    # The next line's top in each column: the two-column layout's right
    # column starts at the top again.
    tops: dict[bool, float] = {}
    for line in generated.card_lines(label, rng, "first"):
        if line.confidence < 0.5:  # a logo mark generated.py adds as OCR noise
            continue
        kind = kinds.get(line.text, "")
        face = bold if kind else regular
        size = {"name": 42, "company": 28}.get(kind, 21)
        room = CARD_SIZE[0] - MARGIN - line.left
        if label["layout"] in ("right", "center"):
            room = CARD_SIZE[0] - 2 * MARGIN
        elif label["layout"] == "two_col" and line.left < RIGHT_COLUMN:
            room = RIGHT_COLUMN - MARGIN - line.left
        font = _fitted(line.text, FONTS / face, size, room)
        left = _aligned(line.left, font.getlength(line.text), label["layout"])
        colour = accent if kind == "company" else ink
        column = label["layout"] == "two_col" and line.left >= RIGHT_COLUMN
        top = tops.get(column, FIRST_TOP)
        draw.text((left, top), line.text, font=font, fill=colour)
        tops[column] = top + font.size * LEADING
    return card


def _fitted(text: str, face: Path, size: int, room: float) -> ImageFont.FreeTypeFont:
    """The face at the size asked, or smaller where the text would run off
    the card, as a designer would set a long address."""
    font = ImageFont.truetype(str(face), size)
    while font.getlength(text) > room and size > MIN_FONT_SIZE:
        size -= 1
        font = ImageFont.truetype(str(face), size)
    return font


def _aligned(left: int, width: float, layout: str) -> float:
    if layout == "right":
        return CARD_SIZE[0] - MARGIN - width
    if layout == "center":
        return (CARD_SIZE[0] - width) / 2
    return left


def photographed(card: Image.Image, rng: random.Random) -> Image.Image:
    """The card lying on a table, photographed at a slight angle under a
    lamp: warped, unevenly lit, blurred, grainy and JPEG-compressed."""
    width, height = card.size
    canvas_size = (int(width * PHOTO_SPAN[0]), int(height * PHOTO_SPAN[1]))
    table = np.full((canvas_size[1], canvas_size[0], 3), rng.choice(TABLES), np.uint8)
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    angle = np.radians(rng.uniform(-MAX_TILT, MAX_TILT))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = np.array(canvas_size) / 2
    placed = (corners - [width / 2, height / 2]) @ turn.T + centre
    shift = MAX_CORNER_SHIFT * np.array([width, height])
    placed += [
        [rng.uniform(-1, 1) * shift[0], rng.uniform(-1, 1) * shift[1]] for _ in range(4)
    ]
    warp = cv2.getPerspectiveTransform(corners, placed.astype(np.float32))
    photo = cv2.warpPerspective(
        np.asarray(card),
        warp,
        canvas_size,
        dst=table,
        borderMode=cv2.BORDER_TRANSPARENT,
    )
    photo = _lit_unevenly(photo.astype(np.float32), rng)
    photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.6, 1.4))
    photo += np.random.default_rng(rng.randrange(2**32)).normal(0, 4, photo.shape)
    return Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))


def _lit_unevenly(photo: np.ndarray, rng: random.Random) -> np.ndarray:
    """The photo darker away from a lamp at a random spot."""
    height, width = photo.shape[:2]
    lamp_x, lamp_y = rng.uniform(0, width), rng.uniform(0, height)
    ys, xs = np.mgrid[0:height, 0:width]
    distance = np.hypot(xs - lamp_x, ys - lamp_y) / np.hypot(width, height)
    light = 1.0 - rng.uniform(0.2, 0.45) * distance
    return photo * light[..., None]


def saved(image: Image.Image, label: dict, rng: random.Random, out: Path) -> None:
    """Writes the image turned as its label says, and the label beside it."""
    turn = rng.choice(TURNS)
    label["orientation"] = turn
    exif = Image.Exif()
    if turn.startswith("pixels-"):
        image = image.rotate(-int(turn.removeprefix("pixels-")), expand=True)
    elif turn == "exif-180":
        image = image.rotate(180)
        exif[EXIF_ORIENTATION] = UPSIDE_DOWN
    if label["kind"] == "photo":
        label["file"] = label["file"].replace(".png", ".jpg")
        image.save(out / label["file"], quality=rng.randint(75, 92), exif=exif)
    else:
        image.save(out / label["file"], exif=exif)
    (out / Path(label["file"]).with_suffix(".json")).write_text(
        json.dumps(label, ensure_ascii=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-locale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", type=float, default=0.5, help="share of photos")
    generated.add_locales_argument(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "rendered")
    args = parser.parse_args()
    fakers = generated.seeded_fakers(args.locales, args.seed, "bench/rendered.py")
    if not FONTS.is_dir():
        sys.exit(
            f"bench/rendered.py needs the DejaVu fonts in {FONTS}: fonts-dejavu-core"
        )

    args.out.mkdir(parents=True, exist_ok=True)
    for old in [
        *args.out.glob("*.json"),
        *args.out.glob("*.png"),
        *args.out.glob("*.jpg"),
    ]:
        old.unlink()
    for locale, fake, rng in fakers:
        for index in range(args.per_locale):
            label = generated.make_label(fake, rng, index, locale)
            card = render(label, rng)
            if rng.random() < args.photos:
                label["kind"] = "photo"
                card = photographed(card, rng)
            saved(card, label, rng, args.out)
    count = args.per_locale * len(args.locales)
    print(f"{count} cards in {args.out}; score them with bench/accuracy.py {args.out}")


if __name__ == "__main__":
    main()
