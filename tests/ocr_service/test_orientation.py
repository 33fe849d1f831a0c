"""Tests of guessing from the ink how far a card's text is turned."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service import images
from ocr_service.orientation import quarter_turns

MIXED_CASE = [
    "Hilde Brandt",
    "Senior Project Manager",
    "Northwind Logistics GmbH",
    "Am Kanal 12, 20457 Hamburg",
    "hilde.brandt@northwind.example",
]

# What each labelled orientation of a sample card needs, counted as
# numpy.rot90 counts; EXIF-turned cards depend on their tags, not the ink.
TURNS_BY_LABEL = {"upright": 0, "pixels-90": 3, "pixels-180": 2, "pixels-270": 1}


def rendered(lines: list[str]) -> np.ndarray:
    """A white 1050x600 card with the lines in dark grey, as an array."""
    card = Image.new("L", (1050, 600), 250)
    draw = ImageDraw.Draw(card)
    for row, text in enumerate(lines):
        font = ImageFont.load_default(size=44 if row == 0 else 32)
        draw.text((80, 80 + row * 90), text, fill=25, font=font)
    return np.asarray(card)


def test_upright_card_needs_no_turn():
    assert quarter_turns(rendered(MIXED_CASE)) == 0


@pytest.mark.parametrize("turned_by", [1, 2, 3])
def test_turned_card_is_turned_back(turned_by):
    turned = np.rot90(rendered(MIXED_CASE), turned_by)
    turns = quarter_turns(turned)
    assert (turned_by + turns) % 4 == 0, turns


def test_blank_card_needs_no_turn():
    assert quarter_turns(np.full((600, 1050), 255, np.uint8)) == 0


def test_capitals_and_digits_give_no_sign_which_way_is_up():
    capitals = rendered(["NORTHWIND", "TEL +49 40 1234 5678", "FAX +49 40 1234 5679"])
    assert quarter_turns(capitals) == 0
    assert quarter_turns(np.rot90(capitals, 2)) == 0


def test_sample_cards_turned_in_their_pixels_are_guessed(sample_cards):
    guessed = []
    for path, label in sample_cards:
        if label["orientation"] not in TURNS_BY_LABEL:
            continue
        grey = images.to_grey(images.decode(path.read_bytes()))
        grey = images.text_against_background(
            images.fit_size(images.crop_to_card(grey))
        )
        guessed.append(quarter_turns(grey) == TURNS_BY_LABEL[label["orientation"]])
    assert sum(guessed) >= 0.95 * len(guessed), f"{sum(guessed)} of {len(guessed)}"
