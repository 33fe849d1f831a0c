"""The files the CLI writes cards to, named by --json, --vcard and --csv
(or stdout as '-'): each checked before any card is sent or fetched, then
written in its format."""

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from cardscan import export, hints, jsonview, signatures, tables
from cardscan.errors import Failed, InvalidInput
from cardscan.v1 import batch_pb2

# What files of cards end with; no output is written over one, nor over a
# file whose first bytes are a ZIP's or a card image's, whatever its name.
CARD_FILE_SUFFIXES = (".zip", *signatures.IMAGE_SUFFIXES)


@dataclass(frozen=True)
class Output:
    """A file, or stdout as '-', to write the cards to in one format."""

    option: str
    target: str


# The options that write cards, in the order they are written.
OUTPUT_OPTIONS = ("--json", "--vcard", "--csv")


def checked(args: argparse.Namespace, reading: Path | None = None) -> list[Output]:
    """The outputs the command line asks for, each checked writable before
    any card is sent or fetched, and none the file being read; at most one
    of them may be stdout, and no two the same file."""
    outputs = []
    for option in OUTPUT_OPTIONS:
        target = getattr(args, option.removeprefix("--"), None)
        if target is None:
            continue
        if reading and target != "-":
            refuse_the_file_read(option, target, reading)
        writable_target(option, target)
        outputs.append(Output(option, target))
    on_stdout = [o.option for o in outputs if o.target == "-"]
    if len(on_stdout) > 1:
        raise InvalidInput(
            f"{' and '.join(on_stdout)} cannot both write to stdout: give all "
            "but one of them a file"
        )
    files = [file_identity(Path(o.target)) for o in outputs if o.target != "-"]
    if len(set(files)) < len(files):
        raise InvalidInput("give each of --json, --vcard and --csv a file of its own")
    return outputs


def refuse_the_file_read(option: str, target: str, reading: Path) -> None:
    """Fails when the option names the file being read, by any name or
    link that leads to it."""
    if file_identity(Path(target)) == file_identity(reading):
        raise InvalidInput(
            f"{option} {target} would overwrite {reading}, which is being read"
        )


def file_identity(path: Path) -> object:
    """What tells files apart: a file that exists is known by its device and
    inode, whatever links or names lead to it; one still to be made, by its
    path."""
    try:
        found = path.stat()
    except OSError:
        return path.resolve()
    return (found.st_dev, found.st_ino)


def to_stdout(outputs: list[Output]) -> bool:
    """Whether cards are written to stdout, leaving stderr for messages."""
    return any(o.target == "-" for o in outputs)


def writable_target(option: str, target: str) -> None:
    """Fails when the option names a file that cannot be written, or one
    of cards by its name or its first bytes."""
    if target == "-":
        return
    example = EXAMPLE_FILES[option]
    if not target.strip():
        raise InvalidInput(f"{option} needs a file name, or '-' for stdout")
    path = Path(target)
    if path.suffix.lower() in CARD_FILE_SUFFIXES:
        raise InvalidInput(
            f"{option} {target} names a file of cards, not one to write contacts "
            f"to; give {option} a file of its own ({option} {example})"
        )
    if path.is_dir():
        raise InvalidInput(f"{option} {target} is a directory, not a file to write")
    held = card_file_at(path)
    if held:
        raise InvalidInput(
            f"{option} {target} holds {held}, a file of cards, not one to write "
            f"contacts to; give {option} a file of its own ({option} {example})"
        )
    folder = path.parent
    if not folder.is_dir():
        raise InvalidInput(f"{option} {target}: the folder {folder} does not exist")
    try:
        try_writing(path)
    except OSError as error:
        raise InvalidInput(
            f"{option} {target}: cannot write there ({error.strerror or error})"
        ) from None


def card_file_at(path: Path) -> str | None:
    """What file of cards the path holds, by its first bytes; None where it
    holds none, or is no regular file (a pipe would wait for a writer) or
    cannot be read, which trying to write it then tells."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as file:
            return signatures.card_file(file.read(signatures.TEXT_SAMPLE_BYTES))
    except OSError:
        return None


def try_writing(path: Path) -> None:
    """Raises OSError where the file cannot be written, leaving it as it
    was: one that exists is opened for writing, untouched; for one still to
    be made, a file is made and removed in its folder. The file system
    decides, as permissions alone do not tell a read-only one, or root."""
    if path.exists():
        with path.open("r+b"):
            return
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".cardscan-"):
        return


# A file name each output option could take, for messages.
EXAMPLE_FILES = {
    "--json": "contacts.jsonl",
    "--vcard": "contacts.vcf",
    "--csv": "contacts.csv",
}


def write(
    cards: list[batch_pb2.Card],
    output: Output,
    info: Console,
    given_server: str | None,
) -> None:
    """Writes the cards to one output, and says what it wrote to a file;
    its hints name the server given."""
    read = export.read_cards(cards)
    if output.option == "--json":
        text = "".join(
            json.dumps(jsonview.card(c), ensure_ascii=False) + "\n" for c in cards
        )
        written = tables.count(len(cards), "card")
    else:
        render = export.vcards if output.option == "--vcard" else export.csv_text
        text = render(read)
        written = tables.count(len(read), "contact")
    if output.target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            # newline="" keeps the CRLF line ends vCard and CSV are made of.
            Path(output.target).write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            batch_id = cards[0].batch_id if cards else ""
            contacts = hints.command(
                given_server, "contacts", batch_id, output.option, "FILE"
            )
            again = f"; fetch them again with {contacts}"
            raise Failed(
                f"cannot write the contacts to {output.target}: "
                f"{error.strerror or error}" + (again if batch_id else "")
            ) from None
        info.print(f"Wrote {written} to {output.target}")
    if output.option != "--json":
        left_out(cards, len(cards) - len(read), output, info, given_server)


def left_out(
    cards: list[batch_pb2.Card],
    unread: int,
    output: Output,
    info: Console,
    given_server: str | None,
) -> None:
    """Says how many cards a contacts file leaves out, for having none,
    and the command that says why on the server given."""
    if unread:
        status = hints.command(given_server, "status", cards[0].batch_id)
        info.print(
            Text(
                f"{output.option} leaves out {tables.count(unread, 'card')} not read "
                f"(failed or still open): {status} says why",
                "yellow",
            )
        )
