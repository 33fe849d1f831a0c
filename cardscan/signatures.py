"""The first bytes of the image formats cards come in, so that a damaged
image can be told from a file that is no image at all."""

IMAGE_SIGNATURES = [
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF8", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"RIFF", "WebP"),
]


def image_format(data: bytes) -> str | None:
    """The image format the bytes' signature names, if any."""
    for signature, name in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    return None
