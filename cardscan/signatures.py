"""The first bytes of the image formats cards come in, so that a damaged
image can be told from a file that is no image at all, and of files people
upload by mistake, to say what came instead of a card."""

import re

IMAGE_SIGNATURES = [
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
]
# A RIFF file gives its size in the 4 bytes after "RIFF", then its kind: a
# WebP image, or the sound or video people upload by mistake.
RIFF = b"RIFF"
RIFF_KIND_AT = slice(8, 12)
WEBP = b"WEBP"
RIFF_KINDS = {b"WAVE": "a WAV sound", b"AVI ": "an AVI video"}
# A RIFF kind is four letters, digits or spaces.
RIFF_KIND_NAME = re.compile(rb"[A-Za-z0-9 ]{4}")


# What the names of files in those formats end with.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif")


def image_format(data: bytes) -> str | None:
    """The image format the bytes' signature names, if any."""
    for signature, name in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    if data.startswith(RIFF) and data[RIFF_KIND_AT] == WEBP:
        return "WebP"
    return None


# What a ZIP archive begins with: its first entry's header, or the end
# record that is all an empty one holds.
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def card_file(head: bytes) -> str | None:
    """What file of cards the first bytes begin, a ZIP archive or an image
    in a format cards are read from, or None; text that only begins like
    an image, as 'BMW' does a BMP, is none."""
    if head.startswith(ZIP_SIGNATURES):
        return "a ZIP archive"
    kind = image_format(head)
    if kind and not is_text(head):
        return f"a {kind} image"
    return None


# First bytes of common files that are not card images.
LOOKALIKES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "a gzip file"),
    (b"BZh", "a bzip2 file"),
    (b"\xfd7zXZ\x00", "an xz file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS program or Java class"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
    (b"\xff\x0a", "a JPEG XL image"),
    (b"\xef\xbb\xbf", "text"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x01\x00", "an icon"),
)
ISO_MEDIA_KINDS = {
    b"heic": "a HEIC photo",
    b"heix": "a HEIC photo",
    b"mif1": "a HEIF image",
    b"msf1": "a HEIF image sequence",
    b"avif": "an AVIF image",
    b"avis": "an AVIF image sequence",
}
# What the lookalikes that are images in formats no card is read from are
# called.
OTHER_IMAGE_KINDS = frozenset(
    {
        "a JPEG 2000 image",
        "a JPEG XL image",
        "a Photoshop document",
        "an icon",
        "a Netpbm (PBM, PGM or PPM) image",
        *ISO_MEDIA_KINDS.values(),
    }
)
# The formats cards are read from, as people know them.
READ_FORMATS = "JPEG, PNG, TIFF, GIF, BMP or WebP"
# Netpbm images begin P1 to P6 and a blank.
NETPBM = re.compile(rb"P[1-6]\s")
# How much of a file tells text from binary data.
TEXT_SAMPLE_BYTES = 4096


def lookalike(head: bytes) -> str | None:
    """What a file that is no card image seems to be, from its first bytes
    (a few kilobytes tell text apart), or None when they do not tell."""
    for signature, kind in LOOKALIKES:
        if head.startswith(signature):
            return kind
    if head.startswith(RIFF) and bytes(head[RIFF_KIND_AT]) != WEBP:
        return riff_kind(bytes(head[RIFF_KIND_AT]))
    if head[4:8] == b"ftyp":
        return ISO_MEDIA_KINDS.get(bytes(head[8:12]), "a video or HEIF image")
    if NETPBM.match(head):
        return "a Netpbm (PBM, PGM or PPM) image"
    if head[:512].lstrip().startswith(b"<"):
        return "an XML, SVG or HTML document"
    if is_text(head):
        return "text"
    return None


def riff_kind(kind: bytes) -> str:
    """What a RIFF file that is no WebP image is, by the kind it gives."""
    if len(kind) < len(WEBP):
        return "a RIFF file cut short before it says what it holds"
    if kind in RIFF_KINDS:
        return RIFF_KINDS[kind]
    if RIFF_KIND_NAME.fullmatch(kind):
        return f"a RIFF file of kind {kind.decode()!r}, no image"
    return "a RIFF file of no kind known, no image"


def is_text(head: bytes) -> bool:
    """Whether the bytes read as printable UTF-8 text."""
    sample = bytes(head[:TEXT_SAMPLE_BYTES])
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample cut from longer text may end inside a multi-byte letter;
        # a whole file may not.
        cut = len(head) > TEXT_SAMPLE_BYTES
        if not cut or error.start < len(sample) - 3:
            return False
        text = sample[: error.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
