"""One card from image bytes to contact, through the real engine."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr_service.cards import CardOcr
from ocr_service.reading import UnreadableImage


@pytest.fixture(scope="module")
def ocr():
    return CardOcr(languages=None, tessdata_path=None)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("colour", ["white", "black"])
def test_card_with_no_text_fails_saying_so(ocr, colour):
    blank = png(Image.new("RGB", (1050, 600), colour))

    with pytest.raises(UnreadableImage, match="no text was found on the card"):
        ocr.read(blank)


def test_printed_email_and_phone_come_back_as_fields(ocr):
    card = Image.new("RGB", (1050, 600), "white")
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=34)
    draw.text((60, 80), "Ana Lima", fill="black", font=ImageFont.load_default(56))
    draw.text((60, 200), "Tel +44 20 7946 0958", fill="black", font=font)
    draw.text((60, 260), "ana.lima@example.org", fill="black", font=font)

    contact = ocr.read(png(card))

    assert list(contact.emails) == ["ana.lima@example.org"]
    assert [p.number for p in contact.phones] == ["+442079460958"]
    assert contact.name.full == "Ana Lima"


def test_a_lower_pixel_limit_refuses_a_card_over_it():
    strict = CardOcr(languages=None, tessdata_path=None, max_pixels=500_000)
    card = png(Image.new("RGB", (1050, 600), "white"))

    with pytest.raises(UnreadableImage) as refused:
        strict.read(card)

    assert str(refused.value) == (
        "the image is over the limit of 0.5 megapixels (MAX_IMAGE_PIXELS): "
        "it is 1050x600 pixels"
    )
