"""Tests of decoding and refusing card image bytes."""

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from cardscan.errors import InvalidInput
from ocr_service import images
from ocr_service.images import UnreadableImage

# A phone photo of a card lying askew on a table, shipped with the project.
CARD_PHOTO = (
    Path(__file__).resolve().parents[2] / "samples/cards/05-sjoberg-sv-photo.jpg"
)


def encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A valid one-pixel PNG whose header states another size."""
    data = encoded(Image.new("L", (1, 1), 255))
    header = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + header + struct.pack(">I", zlib.crc32(header)) + data[33:]


def test_unreadable_image_is_invalid_input():
    assert issubclass(UnreadableImage, InvalidInput)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n1 0 obj", "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP archive"),
        (b"Name: Ana Lima\nPhone: 123", "text starting 'Name: Ana Lima"),
        (bytes(range(200, 256)), "unknown binary data"),
        (b"{\\rtf1\\ansi", "an RTF document"),
        (b"\x00\x00\x00\x18ftypheic", "a HEIC photo"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'>", "an XML, SVG or HTML"),
        ("Zoë Ångström, Café".encode(), "text starting 'Zoë Ångström, Café'"),
        # The 24 bytes shown end inside the "é".
        (("x" * 23 + "é").encode(), "text starting 'xxxxxxxxxxxxxxxxxxxxxxx"),
    ],
)
def test_bytes_that_are_no_image_are_named(data, named):
    with pytest.raises(UnreadableImage, match=named):
        images.decode(data)


def test_image_in_a_format_not_read_here_is_refused():
    with pytest.raises(UnreadableImage, match=r"not an image in a format read here"):
        images.decode(encoded(Image.new("RGB", (40, 30), "white"), "PCX"))


def test_phone_formats_are_read():
    for kind in ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF"):
        image = images.decode(encoded(Image.new("RGB", (40, 30), "white"), kind))
        assert image.size == (40, 30)


def test_truncated_jpeg_is_refused_as_truncated():
    data = encoded(Image.new("RGB", (400, 300), "white"), "JPEG")
    with pytest.raises(UnreadableImage, match="JPEG image is damaged or truncated"):
        images.decode(data[: len(data) // 2])


def test_png_with_damaged_header_is_refused_as_damaged():
    data = bytearray(encoded(Image.new("RGB", (50, 50), "white")))
    data[16:24] = b"\xff" * 8
    with pytest.raises(UnreadableImage, match="PNG image is damaged"):
        images.decode(bytes(data))


def test_zero_size_image_is_refused_with_its_size():
    with pytest.raises(UnreadableImage, match="no pixels: it is 0x5"):
        images.decode(png_claiming_size(0, 5))


def test_image_too_thin_for_text_is_refused_with_its_size():
    with pytest.raises(UnreadableImage, match="1x6000 pixels, too thin"):
        images.decode(encoded(Image.new("L", (1, 6000), "white")))


def test_image_over_the_pixel_limit_is_refused_with_its_dimensions():
    with pytest.raises(UnreadableImage) as refused:
        images.decode(png_claiming_size(8000, 8000))

    assert str(refused.value) == (
        "the image is over the limit of 50 megapixels (MAX_IMAGE_PIXELS): "
        "it is 8000x8000 pixels"
    )


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(UnreadableImage, match="over the limit of 50 megapixels"):
        images.decode(png_claiming_size(30000, 30000))


def test_the_pixel_limit_is_the_one_given():
    small = png_claiming_size(3000, 2000)

    with pytest.raises(UnreadableImage, match=r"limit of 5\.5 megapixels"):
        images.decode(small, max_pixels=5_500_000)
    with pytest.raises(UnreadableImage, match="damaged or truncated"):
        images.decode(small, max_pixels=6_000_000)


def test_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    image.putpixel((5, 5), (0, 0, 0, 255))
    grey = images.to_grey(images.decode(encoded(image)))
    assert grey[0, 0] == 255
    assert grey[5, 5] == 0


def test_sixteen_bit_greyscale_keeps_its_contrast():
    pixels = np.full((10, 20), 60000, dtype=np.uint16)
    pixels[2:4, 2:4] = 3000
    image = Image.fromarray(pixels)
    grey = images.to_grey(images.decode(encoded(image)))
    assert grey.dtype == np.uint8
    assert grey[0, 0] == 255
    assert grey[3, 3] == 0


def test_cmyk_and_palette_images_become_greyscale():
    cmyk = Image.new("CMYK", (10, 10), (0, 0, 0, 255))
    palette = Image.new("RGB", (10, 10), "black").convert("P")
    for data in (encoded(cmyk, "JPEG"), encoded(palette, "PNG")):
        grey = images.to_grey(images.decode(data))
        assert grey.shape == (10, 10)
        assert grey.max() < 40


def test_colour_jpeg_gives_the_grey_of_its_colours_decoded_whole():
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    data = encoded(Image.fromarray(colours), "JPEG")
    whole = Image.open(io.BytesIO(data)).convert("L")

    decoded = images.decode(data)
    grey = images.to_grey(decoded)

    assert decoded.mode == "L"
    assert grey.shape == (60, 80)
    # Colours clipped when rebuilt from the JPEG's parts differ a little.
    difference = np.abs(grey.astype(int) - np.asarray(whole, dtype=int))
    assert np.percentile(difference, 99) <= 2
    assert difference.mean() < 0.2


def test_photo_is_cropped_to_the_card():
    photo = np.full((600, 800), 70, dtype=np.uint8)
    photo[150:450, 200:620] = 235
    card = images.crop_to_card(photo)
    height, width = card.shape
    assert abs(width - 420) < 15
    assert abs(height - 300) < 15


def test_dark_card_on_a_dark_table_is_cropped_to_the_card():
    photo = np.full((600, 800), 60, dtype=np.uint8)
    photo[150:450, 200:620] = 38
    photo = cv2.GaussianBlur(photo, (0, 0), 1.5)
    card = images.crop_to_card(photo)
    height, width = card.shape
    assert abs(width - 420) < 15
    assert abs(height - 300) < 15


def grey_of_jpeg(image: Image.Image) -> np.ndarray:
    """The image saved as a JPEG and decoded in greyscale, as a worker would."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return images.to_grey(images.decode(buffer.getvalue()))


@pytest.mark.parametrize(
    ("degrees", "fill"),
    [(4, "white"), (-4, "white"), (5, "white"), (5, "black")],
)
def test_photo_turned_with_its_corners_filled_is_cropped_to_the_card(degrees, fill):
    photo = ImageOps.exif_transpose(Image.open(CARD_PHOTO)).convert("RGB")
    card = images.crop_to_card(grey_of_jpeg(photo))
    turned = photo.rotate(degrees, expand=True, fillcolor=fill)

    # The turned photo's own edge, running from side to side around the
    # card and its table, is no outline of the card.
    height, width = images.crop_to_card(grey_of_jpeg(turned)).shape
    assert abs(height - card.shape[0]) < 0.03 * card.shape[0]
    assert abs(width - card.shape[1]) < 0.03 * card.shape[1]


def test_turned_photos_edge_run_into_the_cards_is_no_card_outline():
    # Three corners on the sides of a 512x354 picture turned 3 degrees, the
    # fourth where its edge ran into the card's.
    merged = np.array([[3, 26], [441, 5], [399, 333], [31, 345]], dtype=np.int32)
    card = np.array([[57, 115], [413, 52], [408, 263], [95, 312]], dtype=np.int32)
    assert not images.is_card_outline(merged.reshape(-1, 1, 2), (354, 512))
    assert images.is_card_outline(card.reshape(-1, 1, 2), (354, 512))


def test_scan_filling_the_picture_is_not_cropped():
    scan = np.full((600, 1050), 240, dtype=np.uint8)
    scan[100:140, 80:500] = 20
    assert images.crop_to_card(scan).shape == scan.shape


def test_light_text_on_dark_background_becomes_dark_on_white():
    card = Image.new("L", (1050, 600), 30)
    font = ImageFont.load_default(size=36)
    ImageDraw.Draw(card).text((80, 280), "Hilde Brandt", fill=230, font=font)
    text = np.asarray(card) > 130
    flat = images.text_against_background(np.asarray(card))
    assert np.median(flat[~text]) > 200
    assert np.median(flat[text]) < 80


def test_small_card_is_enlarged_to_the_minimum_long_side():
    small = np.full((150, 262), 255, dtype=np.uint8)
    height, width = images.fit_size(small).shape
    assert width == images.MIN_LONG_SIDE
    assert abs(height / width - 150 / 262) < 0.01


def test_huge_card_is_shrunk_to_the_maximum_long_side():
    huge = np.full((3000, 5000), 255, dtype=np.uint8)
    assert max(images.fit_size(huge).shape) == images.MAX_LONG_SIDE


def test_card_within_bounds_keeps_its_size():
    card = np.full((600, 1050), 255, dtype=np.uint8)
    assert images.fit_size(card) is card


def test_skewed_picture_is_levelled():
    grey = np.full((600, 1000), 255, dtype=np.uint8)
    for top in range(150, 450, 60):
        cv2.line(grey, (100, top), (900, top + 70), 0, 3)
    assert abs(images.skew_degrees(grey) - 5.0) < 1.0
    assert abs(images.skew_degrees(images.straighten(grey))) < 1.0


def test_picture_turned_under_a_degree_is_levelled():
    grey = np.full((600, 1000), 255, dtype=np.uint8)
    for top in range(150, 450, 60):
        cv2.line(grey, (100, top), (900, top + 12), 0, 3)
    assert 0.5 < images.skew_degrees(grey) < 1.0
    assert abs(images.skew_degrees(images.straighten(grey))) < 0.2


@pytest.mark.parametrize("mode", ["LAB", "HSV", "La", "RGBa", "PA", "YCbCr", "1"])
def test_every_pillow_colour_mode_becomes_greyscale(mode):
    grey = images.to_grey(Image.new(mode, (8, 6)))
    assert grey.dtype == np.uint8
    assert grey.shape == (6, 8)


def words(card: np.ndarray, top: int, left: int, right: int) -> None:
    """Draws a line of word-like dashes."""
    for x in range(left, right, 40):
        card[top : top + 12, x : min(x + 30, right)] = 0


def test_columns_are_parted_by_a_blank_strip_the_height_of_the_text():
    card = np.full((600, 1050), 255, dtype=np.uint8)
    for top in range(60, 300, 40):
        words(card, top, 60, 420)
        words(card, top, 470, 900)
    card[350:352, 20:1030] = 0
    assert [(a // 10, b // 10) for a, b in images.text_columns(card)] == [
        (0, 44),
        (44, 105),
    ]


def test_a_large_line_alone_beside_a_gap_is_no_column_of_its_own():
    # A name in large type, its two words parted by a gap as wide as a
    # column's, over lines that leave that gap blank too.
    card = np.full((600, 1050), 255, dtype=np.uint8)
    card[60:110, 500:600] = 0
    card[60:110, 640:900] = 0
    for top in range(150, 300, 40):
        words(card, top, 660, 900)
    assert images.text_columns(card) == [(0, 1050)]


def test_single_column_card_has_one_column():
    card = np.full((600, 1050), 255, dtype=np.uint8)
    for top in range(60, 300, 40):
        words(card, top, 60, 420)
    words(card, 100, 600, 640)
    assert images.text_columns(card) == [(0, 1050)]


@pytest.mark.parametrize(("kind", "pages"), [("TIFF", "pages"), ("GIF", "frames")])
def test_a_file_of_several_pictures_is_refused_naming_them(kind, pages):
    first, second = Image.new("L", (400, 300), 255), Image.new("L", (400, 300), 0)
    buffer = io.BytesIO()
    first.save(buffer, kind, save_all=True, append_images=[second])

    with pytest.raises(UnreadableImage) as refused:
        images.decode(buffer.getvalue())

    assert f"the {kind} file holds 2 {pages}" in str(refused.value)
    assert f"save each of its {pages} as an image of its own" in str(refused.value)


def test_a_file_of_one_picture_in_a_paged_format_is_read():
    image = images.decode(encoded(Image.new("L", (400, 300), 255), "TIFF"))

    assert image.size == (400, 300)
