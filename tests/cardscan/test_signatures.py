"""What the first bytes of a file tell about it."""

import pytest

from cardscan.signatures import TEXT_SAMPLE_BYTES, card_file, image_format, lookalike


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7", "a PDF document"),
        (b"BZh91AY&SY", "a bzip2 file"),
        (b"\xfd7zXZ\x00\x00", "an xz file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old Office document"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image"),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
        (b"\x00\x00\x00\x1cftypmif1", "a HEIF image"),
        (b"\x00\x00\x00\x1cftypavis", "an AVIF image sequence"),
        (b"P6\n640 480\n255\n\x00\x01", "a Netpbm (PBM, PGM or PPM) image"),
        (b"\xef\xbb\xbfName: Zo\xc3\xab", "text"),
        ("Name: Zoë".encode("utf-16"), "UTF-16 text"),
        (b"\xcf\xfa\xed\xfe\x07\x00", "a macOS program"),
        (b"RIFF\x24\x3e\x00\x00WAVEfmt ", "a WAV sound"),
        (b"RIFF\x24\x3e\x00\x00AVI LIST", "an AVI video"),
        (b"RIFF\x24\x3e\x00\x00CDDAfmt ", "a RIFF file of kind 'CDDA', no image"),
        (
            b'RIFF\x24\x3e\x00\x00\x00\x01\xff"',
            "a RIFF file of no kind known, no image",
        ),
        (b"RIFF", "a RIFF file cut short before it says what it holds"),
        (
            b"RIFF\x24\x3e\x00\x00WE",
            "a RIFF file cut short before it says what it holds",
        ),
    ],
)
def test_files_people_upload_instead_of_images_are_named(head, kind):
    assert lookalike(head) == kind


@pytest.mark.parametrize("head", [b"\xff\xd8\xff", b"\x89", b"\xc3"])
def test_a_whole_file_ending_inside_a_letter_is_not_text(head):
    assert lookalike(head) is None


def test_a_sample_cut_inside_a_letter_from_longer_text_is_text():
    text = ("x" * (TEXT_SAMPLE_BYTES - 1) + "é and more").encode()

    assert lookalike(text) == "text"


def test_the_start_of_a_jpeg_alone_is_a_jpeg_to_call_damaged():
    head = b"\xff\xd8\xff"

    assert lookalike(head) is None
    assert image_format(head) == "JPEG"


@pytest.mark.parametrize(
    ("head", "held"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00", "a ZIP archive"),
        # An empty ZIP is its end record alone.
        (b"PK\x05\x06" + bytes(18), "a ZIP archive"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00", "a BMP image"),
        (b"BMW dealers\n", None),
        (b"%PDF-1.7", None),
    ],
)
def test_files_of_cards_are_told_by_their_first_bytes(head, held):
    assert card_file(head) == held


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x24\x3e\x00\x00WEBPVP8 ", "WebP"),
        (b"RIFF\x24\x3e\x00\x00WAVEfmt ", None),
        (b"RIFF\x24\x3e\x00\x00AVI LIST", None),
        (b"RIFF\x24\x3e", None),
    ],
    ids=["webp", "wav", "avi", "cut-short"],
)
def test_a_riff_file_is_a_webp_image_only_when_it_names_itself_one(head, kind):
    assert image_format(head) == kind
    assert card_file(head) == (kind and f"a {kind} image")
