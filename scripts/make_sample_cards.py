"""Renders the invented business cards in samples/cards that the demo reads.

Run it from anywhere with the project's Python; it overwrites the images.
It draws with the DejaVu fonts (Debian package fonts-dejavu-core), since
Pillow's built-in font has no accented letters. Every name, number and
address on the cards is made up.
"""

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT_DIR = Path(__file__).resolve().parents[1] / "samples" / "cards"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CARD_SIZE = (1050, 600)
INK = (28, 30, 36)
PAPER = (252, 251, 247)


@dataclass
class Card:
    """One card's file name, layout, accent colour and lines of text."""

    file: str
    layout: str
    accent: tuple[int, int, int]
    name: str
    title: str
    company: str
    details: list[str]


CARDS = [
    Card(
        "01-holt-en.png",
        "left",
        (22, 96, 136),
        "Maren Holt",
        "Head of Logistics, Operations",
        "Brightwater Freight Ltd",
        [
            "Mobile +44 7700 900123",
            "Tel +44 20 7946 0958",
            "maren.holt@brightwaterfreight.co.uk",
            "www.brightwaterfreight.co.uk",
            "14 Quayside Road, Bristol BS1 4RN",
        ],
    ),
    Card(
        "02-feldmeier-de.png",
        "centre",
        (150, 40, 40),
        "Dr. Jonas Feldmeier",
        "Leiter Qualitätssicherung",
        "Feldmeier & Söhne GmbH",
        [
            "Tel. +49 89 4711 2350  ·  Fax +49 89 4711 2359",
            "Mobil +49 151 2345 6789",
            "j.feldmeier@feldmeier-soehne.de  ·  www.feldmeier-soehne.de",
            "Lindenstraße 14, 80331 München",
        ],
    ),
    Card(
        "03-roussel-fr.png",
        "columns",
        (90, 60, 130),
        "Camille Roussel",
        "Directrice commerciale",
        "Atelier Verlaine SARL",
        [
            "Tél. +33 1 42 68 53 00",
            "Portable +33 6 12 34 56 78",
            "camille.roussel@atelier-verlaine.fr",
            "www.atelier-verlaine.fr",
            "12, rue des Tanneurs",
            "69002 Lyon",
        ],
    ),
    Card(
        "04-benitez-es-rotated.png",
        "left",
        (200, 110, 20),
        "Lucía Benítez Ortega",
        "Gerente de Proyectos",
        "Construcciones Albarrán S.L.",
        [
            "Móvil +34 612 345 678",
            "Tel. +34 91 555 01 34",
            "lucia.benitez@albarran-construcciones.es",
            "www.albarran-construcciones.es",
            "Calle de Alcalá 120, 28009 Madrid",
        ],
    ),
    Card(
        "05-sjoberg-sv-photo.jpg",
        "left",
        (30, 120, 80),
        "Erik Sjöberg",
        "Systemutvecklare",
        "Nordljus Data AB",
        [
            "Mobil +46 70 123 45 67",
            "erik.sjoberg@nordljusdata.se",
            "nordljusdata.se",
            "Storgatan 8, 411 38 Göteborg",
        ],
    ),
    Card(
        "06-raman-us.png",
        "right",
        (10, 70, 60),
        "Priya Raman",
        "Senior Data Scientist",
        "Ledgerline Analytics",
        [
            "Cell +1 415 555 0172",
            "Fax +1 415 555 0199",
            "priya.raman@ledgerline-analytics.com",
            "https://ledgerline-analytics.com",
            "500 Harbor Blvd, Suite 210, San Francisco, CA 94111",
        ],
    ),
]


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A DejaVu font, or an exit that says which package provides it."""
    path = FONT_DIR / f"{name}.ttf"
    if not path.exists():
        sys.exit(f"{path} is missing: install the Debian package fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)


def draw_lines(draw, lines, x, y, anchor) -> None:
    """Draws (text, font, colour) lines downwards from y, aligned on x."""
    for text, face, colour in lines:
        draw.text((x, y), text, font=face, fill=colour, anchor=anchor)
        y += face.size + 14


def render(card: Card) -> Image.Image:
    """The card upright on plain paper, in the card's layout."""
    image = Image.new("RGB", CARD_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    bold, regular = font("DejaVuSans-Bold", 46), font("DejaVuSans", 28)
    company = font("DejaVuSerif-Bold", 34)
    head = [
        (card.company, company, card.accent),
        (card.name, bold, INK),
        (card.title, regular, INK),
    ]
    body = [(line, regular, INK) for line in card.details]
    width, height = CARD_SIZE

    if card.layout == "centre":
        draw_lines(draw, head + body, width // 2, 60, "ma")
    elif card.layout == "right":
        draw.rectangle((0, 0, 28, height), fill=card.accent)
        draw_lines(draw, head + body, width - 60, 50, "ra")
    elif card.layout == "columns":
        draw.line((width // 2 - 20, 60, width // 2 - 20, height - 60), card.accent, 3)
        draw_lines(draw, head, 60, 170, "la")
        draw_lines(draw, body, width // 2 + 10, 130, "la")
    else:
        draw.rectangle((0, height - 24, width, height), fill=card.accent)
        draw_lines(draw, head + body, 70, 50, "la")
    return image


def photographed(card_image: Image.Image, seed: int) -> Image.Image:
    """The card as a phone photo: tilted on a grainy desk, a little soft."""
    rng = random.Random(seed)
    desk = Image.new("RGB", (1400, 1000), (118, 92, 66))
    grain = Image.effect_noise(desk.size, 28).convert("RGB")
    desk = Image.blend(desk, grain, 0.18)

    shadow = Image.new("RGBA", card_image.size, (0, 0, 0, 110))
    tilted = card_image.convert("RGBA").rotate(4, expand=True, resample=Image.BICUBIC)
    shadow = shadow.rotate(4, expand=True).filter(ImageFilter.GaussianBlur(12))
    x, y = 150 + rng.randint(-20, 20), 150 + rng.randint(-20, 20)
    desk.paste(shadow, (x + 14, y + 18), shadow)
    desk.paste(tilted, (x, y), tilted)
    return desk.filter(ImageFilter.GaussianBlur(1.1))


def save(image: Image.Image, path: Path) -> None:
    """Saves small files: PNG in a palette, or a moderate JPEG."""
    if path.suffix == ".jpg":
        image.save(path, quality=82, optimize=True)
    else:
        image.quantize(colors=32).save(path, optimize=True)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for number, card in enumerate(CARDS):
        image = render(card)
        if "rotated" in card.file:
            image = image.rotate(90, expand=True)
        if "photo" in card.file:
            image = photographed(image, seed=number)
        save(image, OUT_DIR / card.file)
        print(f"{card.file}: {(OUT_DIR / card.file).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
