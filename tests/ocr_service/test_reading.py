"""Tests of reading card images into upright text lines."""

import io
import re
import subprocess
import sys
import time
import unicodedata

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocr_service import images, orientation
from ocr_service.lines import Line
from ocr_service.reading import (
    CardReader,
    Reading,
    UnreadableImage,
    Word,
    along_the_edge,
    confident_row,
    find_tessdata,
    goes_on_in,
    is_soft,
    lost_row,
    marked_if_clipped,
    passed_over,
    readable_row,
    row_pieces,
    runs_off_the_card,
    to_line,
)

CARD_TEXT = [
    "Hilde Brandt",
    "Senior Project Manager",
    "Northwind Logistics",
    "Phone 030 1234 5678",
    "hilde.brandt@northwind.example",
]


@pytest.fixture(scope="module")
def reader():
    with CardReader() as card_reader:
        yield card_reader


def render_card(ink=(20, 20, 20), paper=(250, 250, 245), mode="RGB") -> Image.Image:
    """A plain 1050x600 card with CARD_TEXT, one item a line."""
    card = Image.new("RGB", (1050, 600), paper)
    draw = ImageDraw.Draw(card)
    for row, text in enumerate(CARD_TEXT):
        size = 48 if row == 0 else 32
        font = ImageFont.load_default(size=size)
        draw.text((80, 90 + row * 80), text, fill=ink, font=font)
    return card.convert(mode, dither=Image.Dither.NONE)


def encoded(image: Image.Image, kind: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def assert_reads_card_text(lines):
    texts = [line.text for line in lines]
    found = [t for t in CARD_TEXT if any(t in line for line in texts)]
    assert found == CARD_TEXT, texts


def test_plain_card_is_read_completely_in_order(reader):
    lines = reader.read(encoded(render_card()))
    assert_reads_card_text(lines)
    tops = [line.top for line in lines]
    assert tops == sorted(tops)


def test_accented_words_keep_their_accents(reader):
    try:
        # Pillow's built-in font has no accented letters.
        font = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        pytest.skip("no DejaVu Sans font (Debian's fonts-dejavu-core) to render with")
    card = Image.new("RGB", (1050, 600), "white")
    words = ["Björn Sjöström", "Técnico de operações", "Señora Müller"]
    for row, text in enumerate(words):
        ImageDraw.Draw(card).text((80, 120 + row * 90), text, fill="black", font=font)
    texts = [line.text for line in reader.read(encoded(card))]
    assert texts == words


def test_lines_carry_geometry_and_confidence(reader):
    lines = reader.read(encoded(render_card()))
    name = next(line for line in lines if "Hilde" in line.text)
    title = next(line for line in lines if "Senior" in line.text)
    assert name.height > title.height
    assert 60 <= name.left <= 100
    assert all(0.5 < line.confidence <= 1.0 for line in lines)


def test_lines_carry_a_confidence_for_each_character(reader):
    lines = reader.read(encoded(render_card()))
    for line in lines:
        assert len(line.characters) == len(line.text), line.text
        assert all(0.0 <= c <= 1.0 for c in line.characters)
    email = next(line for line in lines if "@" in line.text)
    assert min(email.characters) > 0.5


def test_spaced_at_is_joined_keeping_each_character_its_confidence():
    words = [
        Word("ana", 0, 0, 30, 10, 90, (99, 98, 97)),
        Word("@", 40, 0, 50, 10, 60, (60,)),
        Word("x.io", 60, 0, 90, 10, 80, (99, 70, 99, 99)),
    ]

    line = to_line(words)

    assert line.text == "ana@x.io"
    assert line.characters == (0.99, 0.98, 0.97, 0.6, 0.99, 0.7, 0.99, 0.99)
    assert line.word_confidences == (0.9, 0.9, 0.9, 0.6, 0.8, 0.8, 0.8, 0.8)


def test_words_without_character_confidences_give_a_line_without_them():
    line = to_line([Word("ana", 0, 0, 30, 10, 90), Word("lima", 40, 0, 80, 10, 80)])

    assert line.text == "ana lima"
    assert line.characters == ()
    assert line.word_confidences == (0.9,) * 4 + (0.8,) * 4


def test_line_reaching_the_picture_edge_is_marked_clipped():
    inside = Line("Duuk de Koning", 700, 120, 300, 40, 0.96)
    reaching = Line("Duuk de Konin", 700, 120, 339, 40, 0.96)

    assert not marked_if_clipped(inside, (600, 1039)).clipped
    assert marked_if_clipped(reaching, (600, 1039)).clipped


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_card_turned_in_its_pixels_comes_out_upright(reader, degrees):
    turned = render_card().rotate(degrees, expand=True)
    assert_reads_card_text(reader.read(encoded(turned)))


@pytest.mark.parametrize("wrong_guess", [1, 2, 3])
def test_card_still_comes_out_upright_when_the_ink_misleads(
    reader, monkeypatch, wrong_guess
):
    monkeypatch.setattr(
        "ocr_service.orientation.quarter_turns", lambda grey: wrong_guess
    )
    assert_reads_card_text(reader.read(encoded(render_card())))


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_card_turned_in_its_pixels_is_read_once(reader, monkeypatch, degrees):
    turned = render_card().rotate(degrees, expand=True)
    readings = []
    recognise = reader._recognise
    monkeypatch.setattr(
        reader, "_recognise", lambda grey: readings.append(1) or recognise(grey)
    )
    reader.read(encoded(turned))
    assert len(readings) == 1


@pytest.mark.parametrize(
    ("orientation", "turn"),
    [(3, Image.Transpose.ROTATE_180), (6, Image.Transpose.ROTATE_90)],
)
def test_card_turned_by_exif_tag_comes_out_upright(reader, orientation, turn):
    stored = render_card().transpose(turn)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encoded(stored, "JPEG", exif=exif.tobytes(), quality=95)
    assert_reads_card_text(reader.read(data))


def test_light_text_on_dark_card_is_read(reader):
    dark = render_card(ink=(235, 235, 235), paper=(25, 35, 70))
    assert_reads_card_text(reader.read(encoded(dark)))


@pytest.mark.parametrize("mode", ["CMYK", "P", "L", "LA", "1"])
def test_cards_in_other_colour_modes_are_read(reader, mode):
    card = render_card(mode=mode)
    kind = "JPEG" if mode == "CMYK" else "PNG"
    assert_reads_card_text(reader.read(encoded(card, kind)))


def test_sixteen_bit_card_is_read(reader):
    card = render_card(mode="L").point(lambda v: v * 257, "I").convert("I;16")
    assert_reads_card_text(reader.read(encoded(card)))


def test_transparent_card_is_read_on_white(reader):
    card = Image.new("RGBA", (1050, 600), (0, 0, 0, 0))
    card.alpha_composite(render_card(mode="RGBA"), (0, 0))
    clear = Image.new("RGBA", (1050, 600), (0, 0, 0, 0))
    mask = render_card(mode="L").point(lambda v: 255 if v < 128 else 0)
    clear.paste(card, mask=mask)
    assert_reads_card_text(reader.read(encoded(clear)))


def test_photo_of_a_card_on_a_table_is_read(reader):
    table = Image.new("RGB", (1600, 1200), (110, 90, 70))
    card = render_card().rotate(4, expand=True, fillcolor=(110, 90, 70))
    table.paste(card, (240, 260))
    assert_reads_card_text(reader.read(encoded(table, "JPEG", quality=90)))


def test_card_whose_outline_cut_through_its_text_is_read_whole(reader, monkeypatch):
    photo = Image.new("RGB", (1600, 1000), (110, 90, 70))
    photo.paste(render_card(), (270, 200))
    cut_out = []

    def outline_through_the_text(grey):
        # As a shadow across the card would: the right of every line is lost.
        cut_out.append(grey[200:800, 270:620])
        return cut_out[-1]

    monkeypatch.setattr(images, "crop_to_card", outline_through_the_text)
    lines = reader.read(encoded(photo))

    assert len(cut_out) == 1
    assert_reads_card_text(lines)


def test_card_beside_a_blank_square_taken_for_its_outline_is_read(reader, monkeypatch):
    photo = Image.new("RGB", (2000, 1000), (110, 90, 70))
    photo.paste(Image.new("RGB", (700, 500), (240, 240, 240)), (60, 250))
    photo.paste(render_card(), (850, 200))
    cut_out = []

    def the_blank_square(grey):
        # As a sheet of paper beside the card, more square than it, would be.
        cut_out.append(grey[250:750, 60:760])
        return cut_out[-1]

    monkeypatch.setattr(images, "crop_to_card", the_blank_square)
    lines = reader.read(encoded(photo))

    assert len(cut_out) == 1
    assert_reads_card_text(lines)


def out_of_focus(card: Image.Image, radius: float) -> bytes:
    """The card blurred as a photo out of focus, saved as a phone saves it."""
    return encoded(card.filter(ImageFilter.GaussianBlur(radius)), "JPEG", quality=85)


def counting_card_readings(reader, monkeypatch) -> list[int]:
    """A list that gets an item each time the reader reads a card whole."""
    readings = []
    read_card = reader._read_card
    monkeypatch.setattr(
        reader,
        "_read_card",
        lambda card, timings: readings.append(1) or read_card(card, timings),
    )
    return readings


def test_blurred_card_read_poorly_is_read_again_sharpened(reader, monkeypatch):
    readings = counting_card_readings(reader, monkeypatch)

    lines = reader.read(out_of_focus(render_card(), 3.0))

    assert len(readings) == 2
    texts = [line.text for line in lines]
    assert all(any(t in text for text in texts) for t in CARD_TEXT[:4]), texts


@pytest.mark.parametrize("radius", [0, 1.5])
def test_card_that_reads_well_is_read_once_sharp_or_soft(reader, monkeypatch, radius):
    readings = counting_card_readings(reader, monkeypatch)

    assert_reads_card_text(reader.read(out_of_focus(render_card(), radius)))
    assert len(readings) == 1


def test_soft_card_is_told_from_a_sharp_one():
    sharp = images.text_against_background(np.asarray(render_card().convert("L")))
    blurred = render_card().convert("L").filter(ImageFilter.GaussianBlur(1.5))
    soft = images.text_against_background(np.asarray(blurred))

    assert not is_soft(sharp)
    assert is_soft(soft)


def test_sharpening_makes_blurred_text_steeper():
    blurred = render_card().convert("L").filter(ImageFilter.GaussianBlur(1.5))
    grey = np.asarray(blurred)

    before = images.edge_steepness(images.text_against_background(grey))
    sharpened = images.text_against_background(images.sharpened(grey))

    assert images.edge_steepness(sharpened) > before


def test_text_running_into_a_side_of_the_card_is_told_from_specks():
    grey = np.zeros((600, 1039), dtype=np.uint8)
    inside = Line("Duuk de Koning", 700, 120, 300, 40, 0.96)
    reaching = Line("Duuk de Konin", 700, 120, 339, 40, 0.96)
    speck = Line("-", 1020, 300, 19, 10, 0.5)

    assert runs_off_the_card([reaching, reaching], grey)
    assert not runs_off_the_card([reaching, inside], grey)
    assert not runs_off_the_card([reaching, speck], grey)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"", "empty"),
        (b"%PDF-1.4\n", "PDF document"),
        (b"BEGIN:VCARD\nFN:Ana\n", "text starting 'BEGIN:VCARD"),
    ],
)
def test_unreadable_bytes_raise_unreadable_image(reader, data, named):
    with pytest.raises(UnreadableImage, match=named):
        reader.read(data)


def test_truncated_card_raises_and_the_reader_still_reads(reader):
    data = encoded(render_card(), "JPEG")
    with pytest.raises(UnreadableImage, match="truncated"):
        reader.read(data[: len(data) // 3])
    assert_reads_card_text(reader.read(data))


def test_blank_card_reads_no_lines(reader):
    assert reader.read(encoded(Image.new("RGB", (1050, 600), "white"))) == []


def test_missing_language_data_names_the_language(tmp_path):
    (tmp_path / "eng.traineddata").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="no Tesseract data for xyz"):
        find_tessdata("eng+xyz", str(tmp_path))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.casefold())


def test_sample_cards_come_out_upright_with_their_names(reader, sample_cards):
    titles_found = []
    for path, label in sample_cards:
        lines = reader.read(path.read_bytes())
        text = fold(" ".join(line.text for line in lines))
        if label["kind"] == "scan":
            assert fold(label["name"]) in text, label["file"]
            titles_found.append(fold(label["title"]) in text)
        phones = [re.sub(r"\D", "", p["number"]) for p in label["phones"]]
        found = [p for p in phones if p and p in re.sub(r"\D", "", text)]
        assert found or fold(label["name"]) in text, label["file"]
    assert sum(titles_found) >= 0.95 * len(titles_found)


def test_missing_tessdata_names_the_debian_packages(monkeypatch, tmp_path):
    monkeypatch.setattr("ocr_service.reading.DEBIAN_TESSDATA", str(tmp_path / "*"))
    with pytest.raises(FileNotFoundError, match="tesseract-ocr-script-latn"):
        find_tessdata("eng+Latin")


def test_missing_tessdata_names_debian_packages_with_hyphens(monkeypatch, tmp_path):
    monkeypatch.setattr("ocr_service.reading.DEBIAN_TESSDATA", str(tmp_path / "*"))

    with pytest.raises(FileNotFoundError) as raised:
        find_tessdata("chi_sim+chi_tra_vert")

    assert "install the packages tesseract-ocr-chi-sim tesseract-ocr-chi-tra-vert," in (
        str(raised.value)
    )


def test_missing_tessdata_names_only_what_is_missing(monkeypatch, tmp_path):
    (tmp_path / "5").mkdir()
    (tmp_path / "5" / "eng.traineddata").write_bytes(b"")
    monkeypatch.setattr("ocr_service.reading.DEBIAN_TESSDATA", str(tmp_path / "*"))

    with pytest.raises(FileNotFoundError) as raised:
        find_tessdata("eng+chi_sim")

    assert str(raised.value).startswith(
        "no Tesseract language data for chi_sim found: install the packages "
        "tesseract-ocr-chi-sim, or set"
    )


def test_a_model_named_in_capitals_is_told_to_be_written_small(monkeypatch, tmp_path):
    (tmp_path / "5").mkdir()
    (tmp_path / "5" / "eng.traineddata").write_bytes(b"")
    monkeypatch.setattr("ocr_service.reading.DEBIAN_TESSDATA", str(tmp_path / "*"))

    with pytest.raises(FileNotFoundError) as raised:
        find_tessdata("ENG")

    assert str(raised.value) == (
        "no Tesseract language data for ENG: model names are written in small "
        "letters, as eng"
    )


def test_photo_card_with_band_in_the_table_colour_keeps_the_band(reader):
    table_colour = (110, 90, 70)
    card = render_card()
    ImageDraw.Draw(card).rectangle((0, 0, 1050, 70), fill=table_colour)
    font = ImageFont.load_default(size=34)
    ImageDraw.Draw(card).text((80, 15), "Band Text Company", fill="white", font=font)
    table = Image.new("RGB", (1700, 1200), table_colour)
    table.paste(card.rotate(3, expand=True, fillcolor=table_colour), (300, 250))
    texts = [line.text for line in reader.read(encoded(table, "JPEG", quality=90))]
    assert "Band Text Company" in texts


def two_column_card() -> tuple[Image.Image, list[str]]:
    """A card whose second column starts close to the end of the first's
    lines, and its lines in reading order."""
    card = Image.new("RGB", (1050, 600), "white")
    draw = ImageDraw.Draw(card)
    draw.text(
        (60, 60), "Daria Vinter", fill="black", font=ImageFont.load_default(size=52)
    )
    left = ["Civil engineer", "Sales"]
    right = [
        "0991 745 2513",
        "M 0583 494 814",
        "daria@vinter.example",
        "www.vinter.example",
    ]
    small = ImageFont.load_default(size=28)
    for row, text in enumerate(left):
        draw.text((60, 150 + row * 45), text, fill="black", font=small)
    for row, text in enumerate(right):
        draw.text((450, 60 + row * 45), text, fill="black", font=small)
    return card, ["Daria Vinter", *left, *right]


def test_a_name_whose_words_a_wide_gap_parts_is_read_as_one_line(reader):
    card = Image.new("RGB", (1050, 600), "white")
    draw = ImageDraw.Draw(card)
    large, small = ImageFont.load_default(size=60), ImageFont.load_default(size=28)
    draw.text((420, 60), "Eva", fill="black", font=large)
    draw.text((580, 60), "Johansson", fill="black", font=large)
    lines = ["Designer", "eva@karlsson.example", "Storgatan 23"]
    for row, text in enumerate(lines):
        draw.text((600, 170 + row * 45), text, fill="black", font=small)

    assert [line.text for line in reader.read(encoded(card))] == [
        "Eva Johansson",
        *lines,
    ]


def test_two_columns_set_close_together_come_out_as_separate_lines(reader):
    card, lines = two_column_card()
    assert [line.text for line in reader.read(encoded(card))] == lines


def test_two_column_card_the_ink_guess_leaves_upside_down_still_reads_right(
    reader, monkeypatch
):
    # Read by columns upside down, the card reads badly, so it is turned,
    # read whole, and then read again by columns.
    monkeypatch.setattr(orientation, "quarter_turns", lambda grey: 0)
    card, lines = two_column_card()
    turned = card.rotate(180)
    assert [line.text for line in reader.read(encoded(turned))] == lines


# Asks Leptonica to clip a box that does not exist, which it reports on
# stderr, then does the same after a reader has been made.
LEPTONICA_COMPLAINT = """
import sys
from ocr_service.reading import CardReader, leptonica_libraries

(leptonica,) = leptonica_libraries()
leptonica.boxClipToRectangle(None, 10, 10)
sys.stderr.flush()
print("--- reader made ---", file=sys.stderr, flush=True)
CardReader().close()
leptonica.boxClipToRectangle(None, 10, 10)
"""


def test_a_reader_keeps_leptonica_from_printing_to_stderr():
    finished = subprocess.run(
        [sys.executable, "-c", LEPTONICA_COMPLAINT],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    before, after = finished.stderr.split("--- reader made ---")

    assert "Error in boxClipToRectangle" in before
    assert after.strip() == ""


def test_a_row_of_text_no_line_covers_is_read_on_its_own(reader):
    grey = np.asarray(render_card().convert("L"))
    reader._deadline = time.monotonic() + 20
    whole = reader._recognise(grey)
    # As Tesseract's layout now and then leaves the email under a phone out.
    lines = [line for line in whole.lines if "@" not in line.text]
    passed_over = Reading(lines, whole.characters, whole.confident_characters)

    found = reader._lost_rows(grey, passed_over)

    assert [line.text for line in found.lines] == [line.text for line in whole.lines]
    assert found.characters > passed_over.characters


def test_rows_that_are_no_lost_text_are_left_alone():
    line = Line("Phone 030 1234 5678", 80, 100, 400, 30, 0.9)
    ink = np.ones((30, 400), bool)
    # Beside a line read, a speck, a block as tall as a logo, and a rule's end.
    assert not lost_row((80, 100, 400, 30), ink, (30, 30), [line])
    assert not lost_row((80, 200, 400, 8), ink[:8], (30, 30), [line])
    assert not lost_row((80, 200, 400, 90), np.ones((90, 400), bool), (30, 30), [line])
    assert not lost_row((80, 200, 20, 30), ink[:, :20], (30, 30), [line])
    assert lost_row((80, 200, 400, 30), ink, (30, 30), [line])


def test_a_row_beside_what_is_left_of_the_cards_outline_is_found():
    grey = np.full((300, 600), 255, np.uint8)
    # The outline's remains down the left side, and across the top.
    grey[:, 2:4] = 0
    grey[1:3, :] = 0
    # Two rows of letters' strokes, the first read.
    for left in range(100, 300, 10):
        grey[50:70, left : left + 4] = 0
    for left in range(100, 250, 10):
        grey[100:120, left : left + 4] = 0
    read = Line("Informatiker", 100, 50, 200, 20, 0.9)

    assert passed_over(grey, [read]) == [(100, 100, 144, 20)]


def test_rows_smaller_than_the_usual_line_are_found_beside_the_largest_alone():
    grey = np.full((400, 800), 255, np.uint8)
    # Specks the cut-out kept of both sides, all the way down.
    grey[::3, 3] = 0
    grey[1::3, 796] = 0
    # A name in large type, read, over a row of small letters, not read.
    for left in range(100, 600, 20):
        grey[40:80, left : left + 8] = 0
    for left in range(100, 300, 10):
        grey[120:138, left : left + 4] = 0
    name = Line("Irmingard Hermighausen", 100, 40, 500, 40, 0.9)
    company = Line("Caspar", 100, 5, 100, 30, 0.9)

    assert passed_over(grey, [company, name]) == [(100, 120, 194, 18)]


def test_a_lost_row_is_kept_when_its_confident_words_hold_most_of_it():
    code = Word("43785", 0, 0, 50, 20, 96, ())
    town = Word("Gifhorn", 60, 0, 70, 20, 31, ())
    speck = Word("5", 0, 0, 9, 20, 95, ())
    unsure = Word("Lobby", 20, 0, 50, 20, 40, ())

    assert readable_row([code, town])
    assert not readable_row([speck, unsure])
    assert not readable_row([Word("l", 0, 0, 5, 20, 95, ())])


def test_ink_along_the_top_or_bottom_edge_or_across_the_card_is_no_row():
    shape = (600, 1000)
    assert along_the_edge((100, 0, 300, 20), shape)
    assert along_the_edge((100, 580, 300, 19), shape)
    assert along_the_edge((10, 300, 950, 20), shape)
    assert not along_the_edge((100, 300, 300, 20), shape)


def test_a_row_read_on_its_own_must_hold_confident_text():
    assert confident_row([Word("anna@x.io", 0, 0, 90, 20, 91, ())])
    assert not confident_row([Word("l", 0, 0, 5, 20, 95, ())])
    assert not confident_row([Word("Lobby", 0, 0, 50, 20, 40, ())])


def test_a_line_the_strip_between_columns_cut_is_joined_again():
    name = [Word("Ibrahim", 65, 61, 236, 95, 90)]
    # A word gap of large type, at the same level.
    assert goes_on_in(name, [Word("Scheel", 255, 61, 401, 95, 95)])
    # A column's gap, or a line lower down, is no word gap.
    assert not goes_on_in(name, [Word("Mobile:", 300, 61, 380, 95, 95)])
    assert not goes_on_in(name, [Word("Scheel", 255, 100, 401, 134, 95)])


def test_a_row_read_in_pieces_is_read_again_whole(reader):
    grey = np.asarray(render_card().convert("L"))
    reader._deadline = time.monotonic() + 20
    whole = reader._recognise(grey)
    name = whole.lines[0]
    assert name.text == "Hilde Brandt"
    # As Tesseract's layout now and then sets a word's first letters apart
    # as a block of their own, read last, and loses the letters after them.
    first = Line("Hil", name.left, name.top, name.width // 4, name.height, 0.9)
    rest_left = name.left + name.width * 2 // 5
    rest = Line("Brandt", rest_left, name.top, name.width * 3 // 5, name.height, 0.9)
    pieces = Reading([rest, *whole.lines[1:], first], 20, 20)

    found = reader._rows_in_pieces(grey, pieces)

    assert [line.text for line in found.lines] == [line.text for line in whole.lines]
    assert found.characters > pieces.characters


def test_pieces_of_a_row_are_told_from_lines_beside_each_other():
    name = Line("iano Fibonacci", 391, 101, 335, 32, 0.9)
    start = Line("Ti", 321, 101, 40, 32, 0.9)
    title = Line("Corporate treasurer", 422, 158, 207, 19, 0.9)
    # The next column, further than a word gap and a lost letter away.
    column = Line("Phone 0496-082040", 790, 101, 225, 21, 0.9)
    below = Line("Research", 321, 186, 93, 16, 0.9)
    blank = np.full((600, 1050), 255, np.uint8)
    lost_letter = blank.copy()
    lost_letter[105:130, 366:386] = 0

    assert row_pieces(lost_letter, [name, title, column, below, start]) == [[0, 4]]
    assert row_pieces(lost_letter, [name, title, column, below]) == []
    # Further apart than a word gap, with nothing between: two columns.
    assert row_pieces(blank, [name, title, column, below, start]) == []
    # A word gap needs no ink.
    closer = Line("Ti", 340, 101, 40, 32, 0.9)
    assert row_pieces(blank, [name, closer]) == [[0, 1]]
