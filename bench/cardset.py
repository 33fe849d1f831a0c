"""The cards a benchmark run reads: the labelled sample folder, repeated into
a card list of any length, and the ZIP uploads built from it."""

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

# A phone's main camera: 12 megapixels in landscape.
# The labelled sample cards, in the shared folder beside the repository.
DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "cards" / "dev"

PHOTO_SIZE = (4000, 3000)
PHOTO_QUALITY = 92
# Sensor grain, in grey levels; without it an upscaled card compresses to a
# fraction of what a real phone photo weighs.
PHOTO_GRAIN = 6.0
# Making a photo takes a second or two; past this many, the ZIP repeats them.
MAX_DISTINCT_PHOTOS = 24


class NoCards(Exception):
    """The card folder is missing or holds no labelled card."""


@dataclass(frozen=True)
class Card:
    """One sample card: its image bytes and what its label says it is."""

    path: Path
    image: bytes
    kind: str

    @property
    def name(self) -> str:
        return self.path.name


def labelled(folder: Path) -> list[tuple[Path, dict]]:
    """(image path, label) pairs of the folder's labelled cards, in file-name
    order; NoCards when there are none."""
    if not folder.is_dir():
        raise NoCards(f"the card folder {folder} does not exist")
    pairs = []
    for label_path in sorted(folder.glob("*.json")):
        label = json.loads(label_path.read_text())
        pairs.append((folder / label["file"], label))
    if not pairs:
        raise NoCards(f"{folder} holds no labelled card (no *.json beside images)")
    return pairs


def load(folder: Path) -> list[Card]:
    """The labelled cards of the folder with their image bytes."""
    return [
        Card(image, image.read_bytes(), label.get("kind", ""))
        for image, label in labelled(folder)
    ]


def repeated(cards: list[Card], count: int) -> list[Card]:
    """The cards in order, started over as often as needed to make count."""
    return [cards[i % len(cards)] for i in range(count)]


def entry_name(index: int, card: Card) -> str:
    """A ZIP entry name unique within the upload, keeping the card's type."""
    return f"cards/{index:04d}-{card.name}"


def zip_bytes(cards: list[Card]) -> bytes:
    """A ZIP of the cards, each under a distinct entry name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index, card in enumerate(cards):
            archive.writestr(entry_name(index, card), card.image)
    return buffer.getvalue()


def phone_photo(card: Card, seed: int) -> bytes:
    """The card as a 12-megapixel phone photo: upscaled, with grain, saved
    as a high-quality JPEG of a few megabytes."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(card.image)))
    image = image.convert("RGB").resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    pixels = np.asarray(image, dtype=np.float32)
    grain = np.random.default_rng(seed).normal(0, PHOTO_GRAIN, pixels.shape[:2])
    noisy = np.clip(pixels + grain[..., None], 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, "JPEG", quality=PHOTO_QUALITY)
    return out.getvalue()


@dataclass(frozen=True)
class PhotoZip:
    """A large upload of phone photos, as written to disk."""

    path: Path
    entries: int
    distinct: int
    size: int

    def describe(self) -> str:
        """What the ZIP holds, in a sentence for the output."""
        return (
            f"{self.entries} JPEG photos of {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} "
            f"({self.distinct} distinct, {self.size / self.entries / 1e6:.1f} MB "
            f"each on average), {self.size / 1e6:.0f} MB in all"
        )


def write_photo_zip(cards: list[Card], path: Path, target_bytes: int) -> PhotoZip:
    """Writes a ZIP of phone photos made from the cards until it holds at
    least target_bytes; the photos repeat under distinct entry names."""
    sources = ([c for c in cards if c.kind == "photo"] or cards)[:MAX_DISTINCT_PHOTOS]
    photos: list[Card] = []
    written = entries = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        while written < target_bytes:
            if len(photos) < len(sources):
                source = sources[len(photos)]
                image = phone_photo(source, seed=len(photos))
                photos.append(Card(source.path.with_suffix(".jpg"), image, "photo"))
            photo = photos[entries % len(photos)]
            archive.writestr(entry_name(entries, photo), photo.image)
            written += len(photo.image)
            entries += 1
    return PhotoZip(path, entries, len(photos), path.stat().st_size)
