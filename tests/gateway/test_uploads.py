"""The ZIP reader over good uploads and every kind of bad one."""

import io
import struct
import wave
import zipfile
import zlib

import pytest
from PIL import Image, PngImagePlugin

from cardscan.errors import InvalidInput, TooLarge
from gateway.config import Limits
from gateway.uploads import (
    MAX_NAME_CHARS,
    open_zip,
    read_card,
    require_cards,
    shown,
    survey,
)

LIMITS = Limits()


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, kind)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header announces the size and holds no pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", b"")


def encoded_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + data))
    return struct.pack(">I", len(data)) + kind + data + crc


def make_zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def read(data: bytes, limits: Limits = LIMITS):
    archive = open_zip(io.BytesIO(data), limits)
    return archive, survey(archive, limits)


def reasons(found) -> dict[str, str]:
    return {entry.name: entry.reason for entry in found.skipped}


def set_flag(data: bytes, name: bytes, flag: int) -> bytes:
    """The ZIP with a general-purpose flag set on an entry in both headers."""
    out = bytearray(data)
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = out.find(signature)
        while at >= 0:
            if out[at + name_at : at + name_at + len(name)] == name:
                (flags,) = struct.unpack_from("<H", out, at + flag_at)
                struct.pack_into("<H", out, at + flag_at, flags | flag)
            at = out.find(signature, at + 4)
    return bytes(out)


def set_method(data: bytes, name: bytes, method: int) -> bytes:
    """The ZIP with an entry's compression method changed in both headers."""
    out = bytearray(data)
    for signature, method_at, name_at in (
        (b"PK\x03\x04", 8, 30),
        (b"PK\x01\x02", 10, 46),
    ):
        at = out.find(signature)
        while at >= 0:
            if out[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<H", out, at + method_at, method)
            at = out.find(signature, at + 4)
    return bytes(out)


def test_images_become_cards_in_order_with_their_bytes():
    png, jpeg = image_bytes("PNG"), image_bytes("JPEG")
    archive, found = read(make_zip({"a/one.png": png, "two.jpg": jpeg}))

    assert [card.name for card in found.cards] == ["a/one.png", "two.jpg"]
    assert found.skipped == []
    assert read_card(archive, found.cards[0], LIMITS) == png
    assert read_card(archive, found.cards[1], LIMITS) == jpeg


def test_empty_upload_is_refused():
    with pytest.raises(InvalidInput, match="empty"):
        open_zip(io.BytesIO(b""), LIMITS)


def test_text_upload_is_refused_as_not_a_zip():
    with pytest.raises(InvalidInput, match="not a ZIP file; it looks like text"):
        open_zip(io.BytesIO(b"name,email\nAna,ana@example.com\n"), LIMITS)


def test_single_image_upload_points_to_the_card_endpoint():
    with pytest.raises(InvalidInput, match="not a ZIP file but a PNG image.*cards"):
        open_zip(io.BytesIO(image_bytes()), LIMITS)


def test_huge_single_image_upload_is_refused_as_not_a_zip():
    with pytest.raises(InvalidInput, match="not a ZIP file but a PNG image"):
        open_zip(io.BytesIO(png_header(20000, 20000)), LIMITS)


def test_truncated_zip_is_refused_as_truncated():
    data = make_zip({"one.png": image_bytes(), "two.png": image_bytes()})

    with pytest.raises(InvalidInput, match="truncated"):
        open_zip(io.BytesIO(data[: len(data) // 2]), LIMITS)


def test_zip_without_entries_has_no_cards_and_says_so():
    _, found = read(make_zip({}))

    with pytest.raises(InvalidInput, match="no card images: it holds no files"):
        require_cards(found)


def test_zip_without_images_lists_what_was_skipped():
    _, found = read(make_zip({"notes.txt": b"hello", "card.pdf": b"%PDF-1.7\n"}))

    with pytest.raises(InvalidInput) as raised:
        require_cards(found)
    assert "notes.txt: is not an image; it looks like text" in str(raised.value)
    assert "card.pdf: is not an image; it looks like a PDF document" in str(
        raised.value
    )


def test_macos_metadata_dotfiles_and_directories_are_ignored_not_listed():
    entries = {
        "__MACOSX/._card.png": image_bytes(),
        "._card.png": image_bytes(),
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
        ".hidden/card.png": image_bytes(),
        "cards/.env": b"SECRET=1",
        "card.png": image_bytes(),
    }
    data = make_zip(entries)
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.mkdir("cards/")
    _, found = read(out.getvalue())

    assert [card.name for card in found.cards] == ["card.png"]
    assert found.skipped == []
    assert found.ignored == 6


def test_only_metadata_is_refused_and_counts_what_was_ignored():
    _, found = read(make_zip({"__MACOSX/._a.png": b"x", ".DS_Store": b"y"}))

    with pytest.raises(InvalidInput, match="2 directories, hidden or macOS"):
        require_cards(found)


def test_path_traversal_names_are_only_shown_never_used():
    entries = {
        "../../etc/passwd": b"root:x:0:0:root:/root:/bin/bash\n",
        "/abs/card.png": image_bytes(),
        "..\\win\\card.png": image_bytes(),
    }
    _, found = read(make_zip(entries))

    assert [card.name for card in found.cards] == ["/abs/card.png", "..\\win\\card.png"]
    assert reasons(found) == {"../../etc/passwd": "is not an image; it looks like text"}


def test_cards_of_one_name_in_a_zip_are_numbered_as_file_managers_do():
    buffer = io.BytesIO()
    names = ["a.png", "a.png", "a (2).png", "a.png", "scans.v2/b", "scans.v2/b"]
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        # The first is empty, no card, and leaves its name to the next.
        archive.writestr(names[0], b"")
        for name in [*names[1:], "a.png"]:
            archive.writestr(name, image_bytes())
    _, found = read(buffer.getvalue())

    assert [card.name for card in found.cards] == [
        "a.png",
        "a (2).png",
        "a (3).png",
        "scans.v2/b",
        "scans.v2/b (2)",
        "a (4).png",
    ]
    assert reasons(found) == {"a.png": "is empty"}


def test_unflagged_non_utf8_name_is_read_as_cp437():
    data = make_zip({"caf_.png": image_bytes()}).replace(b"caf_.png", b"caf\xe9.png")
    _, found = read(data)

    assert [card.name for card in found.cards] == ["caf\u0398.png"]


def test_unflagged_utf8_name_is_read_as_utf8():
    name = "M\u00fcller.png".encode()
    data = make_zip({"Mxxller.png": image_bytes()}).replace(b"Mxxller.png", name)
    _, found = read(data)

    assert [card.name for card in found.cards] == ["M\u00fcller.png"]


def test_flagged_utf8_name_that_is_not_utf8_is_refused_clearly():
    data = make_zip({"caf_.png": image_bytes()}).replace(b"caf_.png", b"caf\xff.png")
    data = set_flag(data, b"caf\xff.png", 0x800)

    with pytest.raises(InvalidInput, match="not valid UTF-8"):
        open_zip(io.BytesIO(data), LIMITS)


def test_unprintable_characters_in_names_are_escaped():
    _, found = read(make_zip({"evil\x1b[2J\nname.txt": b"plain text"}))

    assert [entry.name for entry in found.skipped] == ["evil\\x1b[2J\\nname.txt"]


def test_a_name_too_long_for_a_card_is_cut_before_its_end():
    name = "\x01" * 17_000 + ".jpg"

    kept = shown(name)

    assert len(kept) == MAX_NAME_CHARS
    assert kept.startswith("\\x01\\x01")
    assert kept.endswith("\\x01\\x01.jpg")
    assert "\N{HORIZONTAL ELLIPSIS}" in kept
    assert shown("a" * MAX_NAME_CHARS) == "a" * MAX_NAME_CHARS


def test_more_entries_than_the_limit_are_refused():
    entries = {f"card{i}.png": image_bytes() for i in range(6)}

    with pytest.raises(TooLarge, match="6 entries; the limit is 5"):
        open_zip(io.BytesIO(make_zip(entries)), Limits(max_entries=5))


def test_mac_zip_of_2500_cards_with_their_metadata_twins_is_taken_by_default():
    card = image_bytes()
    entries = {"cards/": b"", "__MACOSX/": b"", "__MACOSX/cards/": b""}
    for i in range(2500):
        entries[f"cards/card{i}.png"] = card
        entries[f"__MACOSX/cards/._card{i}.png"] = b"\x00\x05\x16\x07"

    archive = open_zip(io.BytesIO(make_zip(entries)), LIMITS)
    found = survey(archive, LIMITS)

    assert len(archive.infolist()) == 5003
    assert (len(found.cards), found.ignored, found.skipped) == (2500, 2503, [])


def with_zip64_end(data: bytes, entries: int) -> bytes:
    """The ZIP with a ZIP64 end record that claims the given entry count."""
    at = data.rfind(b"PK\x05\x06")
    directory_bytes, directory_at = struct.unpack_from("<LL", data, at + 12)
    record = struct.pack(
        "<4sQ2H2L4Q",
        b"PK\x06\x06",
        44,
        45,
        45,
        0,
        0,
        entries,
        entries,
        directory_bytes,
        directory_at,
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    return data[:at] + record + locator + data[at:]


def test_zip64_end_record_over_the_entry_limit_is_refused():
    cards = {f"card{i}.png": image_bytes() for i in range(3)}
    data = with_zip64_end(make_zip(cards), 3)

    with pytest.raises(TooLarge, match="3 entries; the limit is 2"):
        open_zip(io.BytesIO(data), Limits(max_entries=2))


def test_end_record_claiming_more_entries_than_the_file_holds_is_damage():
    data = with_zip64_end(make_zip({"card.png": image_bytes()}), 1_000_000)

    with pytest.raises(InvalidInput) as raised:
        open_zip(io.BytesIO(data), LIMITS)

    assert not isinstance(raised.value, TooLarge)
    assert str(raised.value) == (
        "the upload is a damaged ZIP file: its end record gives 1000000 entries,"
        " more than its directory of 54 bytes holds"
    )


def test_end_record_claiming_more_entries_than_its_directory_holds_is_damage():
    cards = {f"card{i}.png": image_bytes() for i in range(60)}
    data = bytearray(make_zip(cards))
    at = bytes(data).rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, at + 8, 30_000, 30_000)

    with pytest.raises(InvalidInput) as raised:
        open_zip(io.BytesIO(bytes(data)), LIMITS)

    assert not isinstance(raised.value, TooLarge)
    assert "gives 30000 entries, more than its directory of" in str(raised.value)


def test_end_record_claiming_a_directory_larger_than_the_file_is_damage():
    data = bytearray(make_zip({"card.png": image_bytes()}))
    at = bytes(data).rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, at + 12, 0xFFFFFF00)

    with pytest.raises(
        InvalidInput, match="damaged ZIP file: .* 4294967040 bytes, more"
    ):
        open_zip(io.BytesIO(bytes(data)), LIMITS)


def test_zip64_end_record_within_limits_is_read():
    _, found = read(with_zip64_end(make_zip({"card.png": image_bytes()}), 1))

    assert [card.name for card in found.cards] == ["card.png"]


def test_zip_bomb_of_zeros_is_skipped_while_reading():
    data = make_zip({"bomb.jpg": bytes(50 * 1024 * 1024)})
    assert len(data) < 100_000

    _, found = read(data)

    assert found.cards == []
    assert "looks like a zip bomb" in reasons(found)["bomb.jpg"]


def test_image_header_followed_by_a_bomb_is_skipped_while_reading():
    data = make_zip({"bomb.png": png_header(100, 100) + bytes(30 * 1024 * 1024)})
    _, found = read(data)

    assert "times its" in reasons(found)["bomb.png"]


def test_total_decompressed_size_over_the_limit_refuses_the_upload():
    entries = {f"card{i}.bmp": image_bytes("BMP", (300, 300)) for i in range(4)}
    limits = Limits(max_total_uncompressed_bytes=600_000)

    with pytest.raises(TooLarge, match="more than 600000 bytes"):
        read(make_zip(entries), limits)


def test_card_over_the_size_limit_is_skipped():
    big = image_bytes("BMP", (400, 400))
    _, found = read(make_zip({"big.bmp": big}), Limits(max_card_bytes=100_000))

    assert "more than 100000 bytes" in reasons(found)["big.bmp"]


def test_encrypted_entry_is_skipped_with_reason():
    data = set_flag(make_zip({"locked.png": image_bytes()}), b"locked.png", 0x1)
    _, found = read(data)

    assert reasons(found) == {
        "locked.png": "is encrypted; cardscan reads no password-protected entries"
    }


@pytest.mark.parametrize("target", [b"/etc/passwd", b"\x89PNG\r\n\x1a\n"])
def test_a_symbolic_link_is_skipped_saying_so_whatever_it_names(target):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        link = zipfile.ZipInfo("card.png")
        link.create_system = 3
        link.external_attr = (0o120777) << 16
        archive.writestr(link, target)
        archive.writestr("real.png", image_bytes())
    _, found = read(out.getvalue())

    assert [card.name for card in found.cards] == ["real.png"]
    assert "is a symbolic link" in reasons(found)["card.png"]


def test_a_file_with_a_unix_mode_is_read_as_any_other():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        entry = zipfile.ZipInfo("card.png")
        entry.create_system = 3
        entry.external_attr = 0o100644 << 16
        archive.writestr(entry, image_bytes())
    _, found = read(out.getvalue())

    assert [card.name for card in found.cards] == ["card.png"]


def test_file_that_is_not_an_image_is_skipped_whatever_its_extension():
    entries = {"card.jpg": b"%PDF-1.4 fake", "card.png": b"\x00\x01\x02\x03" * 10}
    _, found = read(make_zip(entries))

    assert reasons(found) == {
        "card.jpg": "is not an image; it looks like a PDF document",
        "card.png": "is not an image; it looks like unknown data starting with "
        "00 01 02 03 00 01 02 03",
    }


def wav_bytes() -> bytes:
    """A second of silence as a WAV file, a RIFF file as a WebP image is."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(16000))
    return out.getvalue()


def test_a_wav_named_as_a_webp_is_skipped_as_a_sound_and_a_webp_taken():
    entries = {"card.webp": wav_bytes(), "real.webp": image_bytes("WEBP")}
    _, found = read(make_zip(entries))

    assert [card.name for card in found.cards] == ["real.webp"]
    assert reasons(found) == {"card.webp": "is not an image; it looks like a WAV sound"}


def test_image_in_a_format_no_card_is_read_from_is_skipped_naming_those_read():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    netpbm = b"P5\n400 300\n255\n" + bytes(64)
    _, found = read(make_zip({"IMG_0001.HEIC": heic, "card.pgm": netpbm}))

    read_from = "save it as JPEG, PNG, TIFF, GIF, BMP or WebP"
    assert reasons(found) == {
        "IMG_0001.HEIC": f"is a HEIC photo, which cardscan does not read; {read_from}",
        "card.pgm": "is a Netpbm (PBM, PGM or PPM) image, which cardscan does not "
        f"read; {read_from}",
    }


def test_image_with_a_damaged_header_is_skipped_naming_its_format():
    jpeg = encoded_jpeg()
    damaged = jpeg[:4] + bytes(range(256)) * 4

    _, found = read(make_zip({"photo.jpg": damaged}))

    assert reasons(found) == {
        "photo.jpg": "is a damaged JPEG image: its header cannot be read"
    }


def test_an_image_cut_short_after_its_signature_is_called_damaged_not_text():
    _, found = read(
        make_zip(
            {
                "photo.jpg": b"\xff\xd8\xff",
                "card.png": b"\x89",
                "card.webp": b"RIFF\x24\x3e\x00\x00WEBPVP8 ",
            }
        )
    )

    assert reasons(found) == {
        "photo.jpg": "is a damaged JPEG image: its header cannot be read",
        "card.png": "is not an image; it looks like unknown data starting with 89",
        "card.webp": "is a damaged WebP image: its header cannot be read",
    }


def test_pixel_limit_above_pillows_own_is_the_one_applied():
    limits = Limits(max_image_pixels=400_000_000)
    entries = {
        "big.png": png_header(20000, 15000),
        "huge.png": png_header(30000, 15000),
    }

    _, found = read(make_zip(entries), limits)

    assert [entry.name for entry in found.cards] == ["big.png"]
    assert reasons(found) == {
        "huge.png": "is a PNG image of 30000x15000 pixels, more than the "
        "400000000 pixels allowed (MAX_IMAGE_PIXELS)"
    }
    assert Image.MAX_IMAGE_PIXELS is not None


def test_image_announcing_too_many_pixels_is_skipped_giving_its_size():
    _, found = read(make_zip({"huge.png": png_header(10000, 8000)}))

    assert "10000x8000 pixels" in reasons(found)["huge.png"]


def test_image_too_large_for_pillow_to_open_is_skipped_giving_its_size():
    _, found = read(make_zip({"huge.png": png_header(20000, 20000)}))

    assert reasons(found)["huge.png"] == (
        "is a PNG image of 20000x20000 pixels, more than the 50000000 pixels "
        "allowed (MAX_IMAGE_PIXELS)"
    )


def test_truncated_image_pillow_can_place_is_accepted_as_a_card():
    out = io.BytesIO()
    Image.effect_noise((400, 300), 80).save(out, "JPEG")
    jpeg = out.getvalue()
    _, found = read(make_zip({"cut.jpg": jpeg[: len(jpeg) // 2]}))

    assert [card.name for card in found.cards] == ["cut.jpg"]


def test_entry_damaged_in_the_zip_is_skipped():
    png = image_bytes()
    data = bytearray(make_zip({"bad.png": png}, zipfile.ZIP_STORED))
    at = bytes(data).find(png) + len(png) - 5
    data[at] ^= 0xFF
    _, found = read(bytes(data))

    assert reasons(found)["bad.png"] == (
        "is damaged in the ZIP: its bytes do not match the checksum the ZIP gives"
        " for them; the file was damaged, on disk or on its way"
    )


def test_a_zip_sent_with_its_halves_swapped_is_told_as_out_of_order():
    data = make_zip({"a.png": image_bytes(), "b.png": image_bytes()})
    half = len(data) // 2

    _, found = read(data[half:] + data[:half])

    assert found.cards == []
    assert set(reasons(found).values()) == {
        "is damaged in the ZIP: its data is not where the ZIP's directory says;"
        " the file is damaged, or its parts were sent out of order"
    }


def test_entry_whose_data_is_not_where_the_directory_says_is_skipped():
    data = bytearray(make_zip({"bad.png": image_bytes(), "good.png": image_bytes()}))
    data[: len(b"PK\x03\x04")] = b"XXXX"

    _, found = read(bytes(data))

    assert [card.name for card in found.cards] == ["good.png"]
    assert reasons(found) == {
        "bad.png": "is damaged in the ZIP: its data is not where the ZIP's "
        "directory says; the file is damaged, or its parts were sent out of order"
    }


@pytest.mark.parametrize(
    ("method", "named", "remedy"),
    [
        (9, "Deflate64", "with Deflate"),
        (99, "WinZip AES encryption", "without encryption"),
    ],
)
def test_entry_compressed_with_a_method_not_read_is_skipped_naming_it(
    method, named, remedy
):
    data = set_method(make_zip({"card.png": image_bytes()}), b"card.png", method)

    _, found = read(data)

    assert reasons(found) == {
        "card.png": f"cannot be decompressed: it is compressed with {named} (ZIP "
        f"method {method}), which cardscan does not read; make the ZIP again "
        f"{remedy}"
    }


def lzma_zip_with_bad_options(good: str, bad: str) -> bytes:
    """An LZMA ZIP whose second entry's LZMA properties no decoder takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_LZMA) as archive:
        archive.writestr(good, image_bytes())
        archive.writestr(bad, image_bytes())
    out = bytearray(buffer.getvalue())
    at = out.find(b"PK\x03\x04")
    while out[at + 30 : at + 30 + len(bad)] != bad.encode():
        at = out.find(b"PK\x03\x04", at + 4)
    name_size, extra_size = struct.unpack_from("<HH", out, at + 26)
    # After the LZMA header's version and size comes its properties byte.
    out[at + 30 + name_size + extra_size + 4] = 0xFF
    return bytes(out)


def test_a_damaged_lzma_entry_is_skipped_and_the_others_kept():
    _, found = read(lzma_zip_with_bad_options("good.png", "bad.png"))

    assert [card.name for card in found.cards] == ["good.png"]
    assert reasons(found) == {
        "bad.png": "is damaged in the ZIP: its compressed data is damaged or cut short"
    }


def test_png_whose_text_metadata_is_too_large_to_read_is_not_called_damaged():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "x" * 1_200_000, zip=True)
    buffer = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buffer, "PNG", pnginfo=info)

    _, found = read(make_zip({"card.png": buffer.getvalue()}))

    assert reasons(found) == {
        "card.png": "is a PNG image whose text metadata decompresses to more than "
        "Pillow reads (1 MB a chunk); save the image again without it"
    }


def test_a_directory_of_names_longer_than_cards_have_is_over_the_limit():
    cards = {f"{i}{'n' * 1500}.png": image_bytes() for i in range(2)}

    with pytest.raises(TooLarge) as raised:
        open_zip(io.BytesIO(make_zip(cards)), Limits(max_entries=2))

    assert str(raised.value).endswith(
        "more than the 2048 that 2 entries (MAX_ENTRIES) with names of up to "
        "about 1024 bytes take; shorten the entry names, or send fewer cards "
        "at a time"
    )


def test_a_survey_keeps_the_first_skipped_entries_and_counts_them_all():
    notes = {f"note-{i:04}.txt": b"not a card" for i in range(250)}

    _, found = read(make_zip({**notes, "card.png": image_bytes()}))
    with pytest.raises(InvalidInput) as refused:
        require_cards(read(make_zip(notes))[1])

    assert [entry.name for entry in found.skipped] == list(notes)[:100]
    assert found.skipped_count == 250
    assert len(found.cards) == 1
    assert str(refused.value).endswith("; and 240 more")
