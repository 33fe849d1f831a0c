"""A second recogniser's reading of an unsure link line is kept only where
the evidence says it is better."""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service import second_look
from ocr_service.lines import Line


def unsure(text: str, confidence: float = 0.3) -> Line:
    characters = (0.99,) * len(text)
    return Line(text, 10, 10, 300, 20, confidence, characters)


def test_sure_second_reading_a_letter_apart_replaces_an_unsure_email():
    line = unsure("j-legoff@example.biz")

    better = second_look.better_line(line, "j.legoff@example.biz", 0.99)

    assert better.text == "j.legoff@example.biz"
    assert better.confidence >= second_look.SECOND_READING_CONFIDENCE
    assert better.characters == ()


def test_unsure_second_reading_is_left_aside():
    line = unsure("j-legoff@example.biz")

    assert second_look.better_line(line, "j.legoff@example.biz", 0.9) == line


def test_second_reading_far_from_the_first_is_left_aside():
    line = unsure("www.example.com")

    assert second_look.better_line(line, "www.elsewhere.com", 0.99) == line


def test_second_reading_without_the_link_is_left_aside():
    line = unsure("anna@example.com")

    assert second_look.better_line(line, "anna example", 0.99) == line


def test_two_readers_agreeing_make_the_line_sure_and_keep_its_characters():
    line = replace(unsure("www.example.com"), word_confidences=(0.3,) * 15)

    better = second_look.better_line(line, "www.example.com", 0.99)

    assert better.text == line.text
    assert better.characters == line.characters
    assert better.confidence >= second_look.SECOND_READING_CONFIDENCE
    assert better.word_confidences == ()


def test_only_unsure_link_lines_need_a_second_look():
    assert second_look.needs_second_look(unsure("anna@example.com"))
    assert second_look.needs_second_look(unsure("Web: www.example.com"))
    assert not second_look.needs_second_look(unsure("Anna Lima"))
    assert not second_look.needs_second_look(unsure("anna@example.com", 0.9))


def test_crop_keeps_a_margin_inside_the_picture():
    grey = np.zeros((100, 200), dtype=np.uint8)
    line = Line("anna@example.com", 5, 40, 190, 21, 0.3)

    crop = second_look.crop_of(grey, line)

    assert crop.shape == (21 + 2 * 7, 200)


@pytest.fixture(scope="module")
def recogniser():
    return second_look.RapidLineRecogniser()


def test_rapid_recogniser_reads_a_printed_email(recogniser):
    image = Image.new("L", (520, 60), 250)
    font = ImageFont.load_default(size=32)
    ImageDraw.Draw(image).text((10, 10), "hilde@northwind.io", fill=20, font=font)

    text, score = recogniser.recognise(np.asarray(image))

    assert text.replace(" ", "") == "hilde@northwind.io"
    assert 0.0 <= score <= 1.0
