"""Safe reading of an uploaded ZIP: which entries are cards, then their bytes.

The ZIP is read from its spool file on disk in two passes. The store must
know every card of a batch before the first one is published, or a fast OCR
worker could finish a card the store has never heard of; and a card must be
published before the next is read, so that memory stays flat whatever the
size of the upload. So ``survey`` reads every entry once, decompressing in
chunks and counting the bytes as they come out (header sizes are never
trusted), to decide which entries are cards and to enforce every limit
before anything is accepted; then ``read_card`` reads one card at a time
again for publishing. Decompressing twice costs CPU time, which is cheap
beside OCR, and buys a store that never holds a card nobody can read.

Entry names are only ever shown, never used as paths. Directories, dotfiles,
files in dot-folders and macOS metadata (``__MACOSX/``, ``._*``,
``.DS_Store``) are ignored: they are neither cards nor listed as skipped,
because every archive made on a Mac carries them and listing them would
bury the entries a user needs to hear about. Every other entry that is not
taken as a card is listed as skipped with its reason.
"""

import asyncio
import hashlib
import io
import lzma
import os
import re
import stat
import struct
import threading
import warnings
import zipfile
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    closing,
    contextmanager,
    nullcontext,
    suppress,
)
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from cardscan import skips
from cardscan.errors import InvalidInput, StorageFault, TooLarge
from cardscan.signatures import (
    OTHER_IMAGE_KINDS,
    READ_FORMATS,
    image_format,
    lookalike,
)
from cardscan.v1.batch_pb2 import SkippedEntry
from gateway.config import Limits

# The image formats the OCR workers read.
CARD_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF")

# ZIP compression methods some archivers use that Python's zipfile does
# not read, by their number in the ZIP format.
UNREAD_METHODS = {
    1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE DCL Implode",
    93: "Zstandard", 95: "XZ", 97: "WavPack", 98: "PPMd",
    99: "WinZip AES encryption",
}  # fmt: skip
CHUNK_BYTES = 256 * 1024
# Pillow finds an image's size within this many bytes for nearly every file;
# anything it cannot place from them is read whole before it is judged.
SNIFF_BYTES = 256 * 1024
# Small entries may compress far better than large ones (a blank bitmap),
# so the compression ratio only counts beyond this many bytes.
RATIO_FLOOR_BYTES = 1024 * 1024
# A central directory record with an ordinary name and extra fields fits in
# this many bytes; a directory larger than max_entries of them is refused
# before it is parsed, since parsing builds an object per record.
CENTRAL_RECORD_BUDGET = 1024
# The fixed part of a central directory record, before its name.
CENTRAL_RECORD_MIN_BYTES = 46

ZIP_UTF8_FLAG = 0x800
ZIP_ENCRYPTED_FLAG = 0x1
# The "made by" system of entries whose external attributes hold a Unix mode.
UNIX_SYSTEM = 3
EOCD = struct.Struct("<4s4H2LH")
EOCD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
MAX_COMMENT_BYTES = 0xFFFF


class EntryUnreadable(Exception):
    """An entry cannot be taken as a card; the message says why."""


@dataclass(frozen=True)
class CardEntry:
    """A ZIP entry taken as a card."""

    info: zipfile.ZipInfo
    name: str


@dataclass
class Survey:
    """What a ZIP holds: its cards, the first entries skipped and how many
    were, and how many were ignored."""

    cards: list[CardEntry] = field(default_factory=list)
    # The first skips.LISTED, all a batch lists: a ZIP of thousands of
    # entries that are no cards is never held whole.
    skipped: list[SkippedEntry] = field(default_factory=list)
    skipped_count: int = 0
    ignored: int = 0

    def skip(self, entry: SkippedEntry) -> None:
        """Counts an entry not taken as a card, keeping it if it is listed."""
        self.skipped_count += 1
        if len(self.skipped) < skips.LISTED:
            self.skipped.append(entry)


@dataclass
class _Meter:
    """Counts decompressed bytes across a whole ZIP against its limit."""

    limit: int
    total: int = 0

    def add(self, count: int) -> None:
        self.total += count
        if self.total > self.limit:
            raise TooLarge(
                f"the ZIP decompresses to more than {self.limit} bytes, the "
                "limit for one upload (MAX_TOTAL_UNCOMPRESSED_BYTES)"
            )


def open_zip(fp: BinaryIO, limits: Limits) -> zipfile.ZipFile:
    """Opens a spooled upload as a ZIP, after checking it is one within limits."""
    size = fp.seek(0, io.SEEK_END)
    if size == 0:
        raise InvalidInput("the upload is empty; send a ZIP file of card images")
    fp.seek(0)
    head = fp.read(SNIFF_BYTES)
    entries, directory_bytes, end_at = _central_directory(fp, size, head)
    # The end record's counts are the ZIP's word, not the upload's: a
    # directory that does not fit before the end record, or more entries
    # than the directory holds room for, is damage, not a ZIP over a limit.
    damaged = "the upload is a damaged ZIP file: its end record gives"
    if directory_bytes > end_at:
        raise InvalidInput(
            f"{damaged} a directory of {directory_bytes} bytes, more than the "
            f"{end_at} bytes before it"
        )
    if entries * CENTRAL_RECORD_MIN_BYTES > directory_bytes:
        raise InvalidInput(
            f"{damaged} {entries} entries, more than its directory of "
            f"{directory_bytes} bytes holds"
        )
    _check_entry_count(entries, limits)
    budget = limits.max_entries * CENTRAL_RECORD_BUDGET
    if directory_bytes > budget:
        raise TooLarge(
            f"the ZIP's central directory is {directory_bytes} bytes, more than "
            f"the {budget} that {limits.max_entries} entries (MAX_ENTRIES) with "
            f"names of up to about {CENTRAL_RECORD_BUDGET} bytes take; shorten "
            "the entry names, or send fewer cards at a time"
        )
    try:
        archive = zipfile.ZipFile(fp)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "the ZIP marks an entry name as UTF-8 but the name is not valid "
            f"UTF-8 ({error.object[:80]!r}); re-create the ZIP"
        ) from None
    except zipfile.BadZipFile as error:
        raise InvalidInput(f"the upload is a damaged ZIP file: {error}") from None
    # A directory placed before the file's start: a seek zipfile cannot make.
    except (OSError, ValueError):
        raise InvalidInput(
            "the upload is a damaged ZIP file: its directory is not where its"
            " end record says"
        ) from None
    _check_entry_count(len(archive.infolist()), limits)
    return archive


def _check_entry_count(entries: int, limits: Limits) -> None:
    if entries > limits.max_entries:
        raise TooLarge(
            f"the ZIP has {entries} entries; the limit is {limits.max_entries} "
            "(MAX_ENTRIES)"
        )


def _central_directory(fp: BinaryIO, size: int, head: bytes) -> tuple[int, int, int]:
    """The entry count and size the ZIP's end records give for its
    directory, and where the end record starts, before which it must fit.

    The end record is found the way zipfile finds it, and a ZIP64 end
    record is used whenever its locator sits just before, as zipfile does.
    """
    fp.seek(max(0, size - EOCD.size - MAX_COMMENT_BYTES))
    tail = fp.read()
    at = len(tail) - EOCD.size
    if tail[at : at + 4] != EOCD_SIGNATURE:
        at = tail.rfind(EOCD_SIGNATURE, 0, len(tail) - EOCD.size + 1)
    if at < 0:
        raise InvalidInput(_not_a_zip(head))
    record = EOCD.unpack_from(tail, at)
    end_at = size - len(tail) + at
    zip64 = _zip64_directory(fp, end_at)
    if zip64:
        return (*zip64, end_at)
    if record[4] == 0xFFFF or record[5] == 0xFFFFFFFF:
        raise InvalidInput("the ZIP's end record points to a ZIP64 record it lacks")
    return record[4], record[5], end_at


def _zip64_directory(fp: BinaryIO, eocd_offset: int) -> tuple[int, int] | None:
    """The entry count and directory size from a ZIP64 end record, if any."""
    if eocd_offset < ZIP64_LOCATOR.size:
        return None
    fp.seek(eocd_offset - ZIP64_LOCATOR.size)
    locator = fp.read(ZIP64_LOCATOR.size)
    if not locator.startswith(ZIP64_LOCATOR_SIGNATURE):
        return None
    fp.seek(ZIP64_LOCATOR.unpack(locator)[2])
    record = fp.read(ZIP64_EOCD.size)
    if len(record) < ZIP64_EOCD.size or not record.startswith(ZIP64_EOCD_SIGNATURE):
        raise InvalidInput("the ZIP's ZIP64 end record is missing or damaged")
    fields = ZIP64_EOCD.unpack(record)
    return fields[7], fields[8]


def _not_a_zip(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return (
            "the upload starts like a ZIP file but has no end record; it is "
            "truncated or damaged"
        )
    kind = _image_kind(head)
    if kind:
        return (
            f"the upload is not a ZIP file but a {kind} image; send a single "
            "image to POST /v1/cards (gRPC ScanCard)"
        )
    return f"the upload is not a ZIP file; it looks like {looks_like(head)}"


def _image_kind(head: bytes) -> str | None:
    """The card format an upload is in, if it is a card image."""
    found = identify(head)
    return found[0] if found else None


def survey(archive: zipfile.ZipFile, limits: Limits) -> Survey:
    """Decides which entries of a ZIP are cards, reading each one in full."""
    found = Survey()
    meter = _Meter(limits.max_total_uncompressed_bytes)
    names: set[str] = set()
    for info in archive.infolist():
        name = display_name(info)
        if info.is_dir() or is_hidden(name):
            found.ignored += 1
            continue
        try:
            card = _inspect(archive, info, name, limits, meter)
        except EntryUnreadable as why:
            found.skip(SkippedEntry(name=name, reason=str(why)))
            continue
        found.cards.append(replace(card, name=unique_name(name, names)))
    return found


def unique_name(name: str, taken: set[str]) -> str:
    """The name, or for a second card of it in one ZIP the name numbered as
    a file manager numbers a second file of one name ("card (2).png"), so
    that each card's contact tells which entry it came from; taken gains
    it."""
    unique, number = name, 1
    while unique in taken:
        number += 1
        stem, dot, extension = name.rpartition(".")
        if dot and stem and "/" not in extension:
            unique = f"{stem} ({number}).{extension}"
        else:
            unique = f"{name} ({number})"
    taken.add(unique)
    return unique


def read_card(archive: zipfile.ZipFile, card: CardEntry, limits: Limits) -> bytes:
    """The decompressed bytes of a card the survey took."""
    meter = _Meter(limits.max_total_uncompressed_bytes)
    return b"".join(_chunks(archive, card.info, limits, meter))


def _inspect(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    limits: Limits,
    meter: _Meter,
) -> CardEntry:
    """The entry as a card, or EntryUnreadable saying why it is not one."""
    if info.flag_bits & ZIP_ENCRYPTED_FLAG:
        raise EntryUnreadable(
            "is encrypted; cardscan reads no password-protected entries"
        )
    if is_symlink(info):
        raise EntryUnreadable(
            "is a symbolic link, which names a file rather than holding one; "
            "zip the card itself (zip without --symlinks)"
        )
    with closing(_chunks(archive, info, limits, meter)) as chunks:
        head = bytearray()
        for chunk in chunks:
            head += chunk
            if len(head) >= SNIFF_BYTES:
                break
        if not head:
            raise EntryUnreadable("is empty")
        image = identify(bytes(head))
        if image is None and lookalike(head):
            raise unreadable(head)
        if image is None:
            # The header runs past the sniffed bytes: judge the whole file.
            head += b"".join(chunks)
            image = identify(bytes(head))
        else:
            # Read on all the same, so that every limit and the CRC hold.
            for _ in chunks:
                pass
    if image is None:
        raise unreadable(head)
    _check_pixels(image, limits)
    return CardEntry(info=info, name=name)


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """Whether the entry is a symbolic link, as Unix zip tools mark one in
    the file type of its Unix mode: its bytes are the path it names."""
    return info.create_system == UNIX_SYSTEM and stat.S_ISLNK(info.external_attr >> 16)


def _damage(error: Exception) -> str:
    """What a failure to read an entry's bytes says of the ZIP, in words a
    user can act on rather than zipfile's own."""
    said = str(error)
    if said.startswith("Bad CRC-32"):
        return (
            "its bytes do not match the checksum the ZIP gives for them;"
            " the file was damaged, on disk or on its way"
        )
    # A seek before the file's start: an OSError on disk, a ValueError in memory.
    if isinstance(error, OSError | ValueError) or "file header" in said:
        return (
            "its data is not where the ZIP's directory says; the file is"
            " damaged, or its parts were sent out of order"
        )
    return "its compressed data is damaged or cut short"


def _check_pixels(image: tuple[str, int, int], limits: Limits) -> None:
    kind, width, height = image
    if width * height > limits.max_image_pixels:
        raise EntryUnreadable(
            f"is a {kind} image of {width}x{height} pixels, more than the "
            f"{limits.max_image_pixels} pixels allowed (MAX_IMAGE_PIXELS)"
        )


def _chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, meter: _Meter
) -> Iterator[bytes]:
    """An entry's decompressed bytes, stopped as soon as one is over a limit.

    zipfile reads at most the compressed size the directory gives, so a
    lie there can only loosen the ratio check, never the byte limits.
    """
    compressed = max(1, info.compress_size)
    allowed = max(compressed * limits.max_compression_ratio, RATIO_FLOOR_BYTES)
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                read += len(chunk)
                meter.add(len(chunk))
                _check_entry_size(read, allowed, compressed, limits)
                yield chunk
    except (
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        EOFError,
        OSError,
        ValueError,
    ) as error:
        raise EntryUnreadable(f"is damaged in the ZIP: {_damage(error)}") from None
    except NotImplementedError:
        method = UNREAD_METHODS.get(info.compress_type, "a method")
        remedy = "without encryption" if "encryption" in method else "with Deflate"
        raise EntryUnreadable(
            f"cannot be decompressed: it is compressed with {method} (ZIP method "
            f"{info.compress_type}), which cardscan does not read; make the ZIP "
            f"again {remedy}"
        ) from None


def _check_entry_size(read: int, allowed: float, compressed: int, limits: Limits):
    if read > limits.max_card_bytes:
        raise EntryUnreadable(
            f"decompresses to more than {limits.max_card_bytes} bytes, the "
            "limit for one card (MAX_CARD_BYTES)"
        )
    if read > allowed:
        raise EntryUnreadable(
            f"decompresses to more than {limits.max_compression_ratio:g} times "
            f"its {compressed} compressed bytes (MAX_COMPRESSION_RATIO); it "
            "looks like a zip bomb"
        )


def identify(data: bytes) -> tuple[str, int, int] | None:
    """The card format and pixel size Pillow reads from an image's header.

    Pillow's own guard against decompression bombs is left out: only the
    header is read here, never the pixels, and the size it gives is held to
    MAX_IMAGE_PIXELS, which an operator may set above Pillow's limit.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=CARD_FORMATS) as image:
                return image.format, image.width, image.height
    except Image.DecompressionBombError:
        return _header_only(data)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


# Held while Pillow's limit is off, which is for the whole process.
_PILLOW_LIMIT_OFF = threading.Lock()


def _header_only(data: bytes) -> tuple[str, int, int] | None:
    """identify for an image over Pillow's bomb limit, with that limit off."""
    with _PILLOW_LIMIT_OFF:
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            return identify(data)
        finally:
            Image.MAX_IMAGE_PIXELS = limit


def unreadable(head: bytes) -> EntryUnreadable:
    """Why bytes Pillow cannot open as an image are no card."""
    kind = lookalike(head)
    damaged = None if kind else image_format(head)
    if damaged == "PNG" and _png_text_too_large(head):
        return EntryUnreadable(
            "is a PNG image whose text metadata decompresses to more than "
            "Pillow reads (1 MB a chunk); save the image again without it"
        )
    if damaged:
        return EntryUnreadable(
            f"is a damaged {damaged} image: its header cannot be read"
        )
    if kind in OTHER_IMAGE_KINDS:
        return EntryUnreadable(
            f"is {kind}, which cardscan does not read; save it as {READ_FORMATS}"
        )
    return EntryUnreadable(f"is not an image; it looks like {kind or unknown(head)}")


def _png_text_too_large(data: bytes) -> bool:
    """Whether Pillow refuses a PNG for the size of a text chunk, its guard
    against text that decompresses without end, rather than for damage."""
    try:
        Image.open(io.BytesIO(data), formats=["PNG"]).close()
    except ValueError as error:
        return "MAX_TEXT_CHUNK" in str(error) or "text chunks" in str(error)
    except (UnidentifiedImageError, OSError, SyntaxError, EOFError):
        return False
    return False


def looks_like(head: bytes) -> str:
    """A few words on what a file that is not a card image seems to be."""
    return lookalike(head) or unknown(head)


def unknown(head: bytes) -> str:
    """Data no signature tells, shown by its first bytes."""
    return f"unknown data starting with {head[:8].hex(' ')}"


def display_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as text that is safe to show anywhere.

    ZIP names are UTF-8 when flagged so and CP437 otherwise by the format's
    rule; many tools write UTF-8 without the flag, so an unflagged name
    that is valid UTF-8 is read as UTF-8. (A flagged name that is not
    valid UTF-8 is refused by ``open_zip``, as zipfile cannot list it.)
    Unprintable characters are escaped, so a name can neither break a log
    line nor hide its content.
    """
    text = info.orig_filename
    if not info.flag_bits & ZIP_UTF8_FLAG:
        raw = info.orig_filename.encode("cp437")
        with suppress(UnicodeDecodeError):
            text = raw.decode("utf-8")
    return shown(text)


# The longest file name a card keeps; a longer one loses characters
# before its last KEPT_NAME_END, an ellipsis marking the cut.
# Real names are far shorter (file systems allow 255 bytes a folder), but a
# ZIP entry's may run to 65535 bytes, more than a NATS message's headers
# hold.
MAX_NAME_CHARS = 1024
# What a cut name keeps of its end, so that its extension still shows.
KEPT_NAME_END = 24


def shown(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """The text as it is shown and kept: unprintable characters written as
    escapes, and cut to limit characters where longer, its end kept."""
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    if len(text) <= limit:
        return text
    start = limit - KEPT_NAME_END - 1
    return f"{text[:start]}…{text[-KEPT_NAME_END:]}"


def is_hidden(name: str) -> bool:
    """Whether an entry is a dotfile, in a dot-folder, or macOS metadata."""
    parts = re.split(r"[/\\]", name)
    return any(
        part == "__MACOSX" or (part.startswith(".") and part not in (".", ".."))
        for part in parts
    )


# How many skipped entries a refusal names, and how much of each name: a
# gRPC status message must stay well under the 8 KB of metadata clients
# accept by default.
LISTED_SKIPS = 10
LISTED_NAME_CHARS = 80


def require_cards(found: Survey) -> None:
    """Refuses a ZIP in which no entry is a card, saying what it held."""
    if found.cards:
        return
    listed = "; ".join(
        f"{shown(e.name, LISTED_NAME_CHARS)}: {e.reason}"
        for e in found.skipped[:LISTED_SKIPS]
    )
    more = found.skipped_count - LISTED_SKIPS
    listed += f"; and {more} more" if more > 0 else ""
    held = f"skipped {listed}" if found.skipped else "it holds no files"
    if found.ignored:
        held += f" (and {found.ignored} directories, hidden or macOS metadata entries)"
    raise InvalidInput(f"the ZIP has no card images: {held}")


async def spool(
    chunks: AsyncIterator[bytes],
    path: Path,
    limit: int,
    arrival: AbstractAsyncContextManager | None = None,
) -> str:
    """Writes an upload to disk as it arrives, refusing it once over the
    limit; returns the SHA-256 of its bytes in hex.

    The chunks are read within the arrival context, which ends as soon as
    the last one has come. The file and its name are flushed to the disk
    before this returns: the batch is registered only after, and a gateway
    that restarts, even with the machine, reads the file again to queue the
    cards it had not queued.
    """
    digest = hashlib.sha256()
    with writing_to(path.parent):
        out = path.open("wb")
    with out:
        async with arrival or nullcontext():
            async for chunk in within(chunks, limit):
                digest.update(chunk)
                with writing_to(path.parent):
                    out.write(chunk)
        with writing_to(path.parent):
            out.flush()
            await asyncio.to_thread(os.fsync, out.fileno())
            await asyncio.to_thread(_sync_folder, path.parent)
    return digest.hexdigest()


@contextmanager
def writing_to(folder: Path) -> Iterator[None]:
    """Turns a failure to write into the folder, such as a permission it
    lacks or a full disk, into a StorageFault naming the folder.

    Only the writes go in here: reading the upload raises OSErrors too,
    when its client leaves, and those are no fault of the gateway's.
    """
    try:
        yield
    except OSError as error:
        raise StorageFault(
            f"the gateway cannot write uploads to {folder}: {error.strerror or error}"
        ) from None


async def within(
    chunks: AsyncIterator[bytes], limit: int, setting: str = "MAX_UPLOAD_BYTES"
) -> AsyncIterator[bytes]:
    """The upload's chunks, refused with the setting's name as soon as they
    add up to more than the limit."""
    arrived = 0
    async for chunk in chunks:
        arrived += len(chunk)
        if arrived > limit:
            raise upload_too_large(limit, setting)
        yield chunk


def _sync_folder(folder: Path) -> None:
    """Flushes a folder's list of files, so that a new file's name survives."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def upload_too_large(limit: int, setting: str = "MAX_UPLOAD_BYTES") -> TooLarge:
    """The error for an upload over the limit the setting names."""
    return TooLarge(f"the upload is over {limit} bytes, the limit ({setting})")


def image_limit(limits: Limits) -> tuple[int, str]:
    """The most bytes a single uploaded image may have, and the setting that
    says so: the smaller of the card limit and the upload limit."""
    if limits.max_upload_bytes < limits.max_card_bytes:
        return limits.max_upload_bytes, "MAX_UPLOAD_BYTES"
    return limits.max_card_bytes, "MAX_CARD_BYTES"


def check_image(image: bytes, limits: Limits) -> str:
    """The format of a single uploaded card image, or InvalidInput saying why not."""
    if not image:
        raise InvalidInput("the image is empty")
    limit, setting = image_limit(limits)
    if len(image) > limit:
        raise TooLarge(
            f"the image is {len(image)} bytes, over the {limit} bytes allowed "
            f"for one image ({setting})"
        )
    try:
        found = identify(image)
        if found is None:
            raise unreadable(image)
    except EntryUnreadable as why:
        batch = (
            "; send a ZIP of cards to POST /v1/batches or CreateBatch"
            if zipfile.is_zipfile(io.BytesIO(image))
            else ""
        )
        raise InvalidInput(f"the upload {why}{batch}") from None
    try:
        _check_pixels(found, limits)
    except EntryUnreadable as why:
        raise TooLarge(f"the upload {why}") from None
    return found[0]
