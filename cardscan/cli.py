"""The ``cardscan`` command: scan cards through a gateway, or run a stack."""

import argparse
import fcntl
import importlib.metadata
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from cardscan import disk, hints, jsonview, outputs, settings, tables, upload_keys
from cardscan.client import BASIC, GatewayClient, Unreachable
from cardscan.errors import CardscanError, Failed, InvalidInput, Unavailable
from cardscan.private import make_data_dir, open_private, read_own
from cardscan.signatures import IMAGE_SUFFIXES, image_format
from cardscan.stack import (
    Ports,
    RecordedStack,
    Stack,
    port_holder,
    port_taken,
)
from cardscan.v1 import batch_pb2, cardscan_pb2

SERVER_ENV = "CARDSCAN_SERVER"
DEFAULT_SERVER = f"127.0.0.1:{Ports.default().gateway_grpc}"
DEFAULT_DATA_DIR = "data"
SAMPLE_CARDS = Path(__file__).resolve().parents[1] / "samples" / "cards"
START_HINT = (
    "start a local stack with `cardscan up`, or point --server or "
    f"{SERVER_ENV} at a running gateway"
)
# Where `up` keeps the ports a data directory's stack last ran on.
LAST_PORTS_NAME = "ports.json"
# Held by each `up` while it starts or serves a stack from a data directory.
UP_LOCK_NAME = "up.lock"
# The ``up`` option that sets each port of Ports, and what listens there.
PORT_OPTIONS = {
    "gateway_grpc": ("--grpc-port", "the gateway's gRPC API"),
    "gateway_http": ("--http-port", "the gateway's HTTP API"),
    "nats": ("--nats-port", "NATS"),
    "store": ("--store-port", "the store"),
}
# The ``up`` option that sets the OCR workers' health ports, and the key of
# ports.json that keeps it where it was given.
WORKER_HEALTH_OPTION = "--worker-health-port"
WORKER_HEALTH_KEY = "worker_health"
# About what one OCR worker holds once it has read cards: Tesseract with
# its Latin model, the second look's network and a card's images (about
# 365 MB measured after the 80 sample cards).
WORKER_MEMORY = 400 * 2**20
# How long `scan` keeps watching through an outage of the gateway or store,
# and how often it tries again meanwhile.
OUTAGE_PATIENCE_SECONDS = 300.0
OUTAGE_RETRY_SECONDS = 2.0
# Columns of output written to a file or a pipe: the contacts table's seven
# columns fit with whole words.
FILE_WIDTH = 240
# Conventional exit status of a program ended by Ctrl-C.
EXIT_INTERRUPTED = 130
# How many skipped entries `scan` lists when the upload is taken; `status`
# lists all those the gateway keeps, the first skips.LISTED.
ANNOUNCED_SKIPS = 20


class Interrupted(KeyboardInterrupt):
    """Ctrl-C that cut a scan short; its message says how to find the batch."""


@dataclass
class Terminal:
    """Where a command writes: results to ``out``, messages to ``err``."""

    out: Console
    err: Console

    def info(self, json_to_stdout: bool) -> Console:
        """Where progress and notes go: stderr when stdout carries JSON."""
        return self.err if json_to_stdout else self.out


def console(stderr: bool = False) -> Console:
    """A console on stdout or stderr. Output to a file or a pipe has no
    width of its own, and rich's 80 columns would break the contacts table
    into fragments of words, so it gets FILE_WIDTH unless COLUMNS says."""
    out = Console(stderr=stderr)
    if not out.is_terminal and not os.environ.get("COLUMNS"):
        out.width = FILE_WIDTH
    return out


def main(argv: list[str] | None = None) -> int:
    """Runs one command and returns its exit status."""
    args = parse_args(argv)
    term = Terminal(console(), console(stderr=True))
    try:
        return args.command(args, term)
    except Unreachable as error:
        fail(f"{error}; {START_HINT}")
    except (CardscanError, OSError, ValueError, RuntimeError) as error:
        fail(str(error))
    except KeyboardInterrupt as interrupt:
        fail("; ".join(["interrupted", *map(str, interrupt.args)]))
        return EXIT_INTERRUPTED
    return 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's arguments, the gateway's address filled in from
    the environment or the default where --server was not given; the
    address --server gave, or None, kept apart for the hints to name."""
    commands = parser()
    args = commands.parse_args(argv)
    own_stack = getattr(args, "own_stack", False)
    args.given_server = args.server
    given_as = "--server"
    if args.server is None:
        given_as = SERVER_ENV
        args.server = os.environ.get(SERVER_ENV) or DEFAULT_SERVER
    elif own_stack:
        commands.error(
            "--server names a running gateway; up, down and demo run a stack "
            "of their own (choose its ports with up's --grpc-port and the like)"
        )
    if not own_stack:
        try:
            settings.address({given_as: args.server}, given_as, DEFAULT_SERVER)
        except ValueError as error:
            commands.error(str(error))
    return args


def package_version() -> str:
    """The installed cardscan's version."""
    try:
        return importlib.metadata.version("cardscan")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def fail(message: str) -> None:
    """Prints an error to stderr, control characters escaped on each line."""
    shown = "\n".join(tables.clean(line) for line in message.split("\n"))
    print(f"cardscan: error: {shown}", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    top = argparse.ArgumentParser(
        prog="cardscan",
        description="Turn business-card images into structured contacts.",
        epilog=f"The gateway's gRPC address is taken from --server, else from "
        f"${SERVER_ENV}, else {DEFAULT_SERVER}.",
    )
    server_help = (
        f"the gateway's gRPC address (default: ${SERVER_ENV}, else {DEFAULT_SERVER})"
    )
    # Taken before the command or after it: the command's own option,
    # when given, wins over the top-level one and its default.
    # None until parse_args() falls back to the environment and the default,
    # so that a --server given to a command that runs its own stack is refused.
    top.add_argument("--server", metavar="HOST:PORT", default=None, help=server_help)
    top.add_argument(
        "--version", action="version", version=f"%(prog)s {package_version()}"
    )
    commands = top.add_subparsers(required=True, metavar="COMMAND")
    gateway = argparse.ArgumentParser(add_help=False)
    gateway.add_argument(
        "--server", metavar="HOST:PORT", default=argparse.SUPPRESS, help=server_help
    )
    # Taken, unlisted, by the commands that run a stack of their own, only
    # so that parse_args() refuses it with the same reason wherever it stands.
    own_stack = argparse.ArgumentParser(add_help=False)
    own_stack.add_argument(
        "--server", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    own_stack.set_defaults(own_stack=True)
    add_scan_commands(commands, gateway)
    add_stack_commands(commands, own_stack)
    return top


def json_option(command: argparse.ArgumentParser) -> None:
    """Adds --json [FILE], where no FILE or '-' means stdout."""
    command.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write one JSON object per card (JSON Lines) to FILE, or to "
        "stdout when FILE is '-' or left out",
    )


def export_options(command: argparse.ArgumentParser) -> None:
    """Adds --vcard FILE and --csv FILE, where '-' means stdout."""
    command.add_argument(
        "--vcard",
        metavar="FILE",
        help="write the contacts of the cards read as vCard 3.0, which address "
        "books import, to FILE, or to stdout when FILE is '-'",
    )
    command.add_argument(
        "--csv",
        metavar="FILE",
        help="write the contacts of the cards read as CSV, one row each, to "
        "FILE, or to stdout when FILE is '-'",
    )


def add_scan_commands(commands, gateway: argparse.ArgumentParser) -> None:
    """The commands that talk to a running gateway."""
    scan = commands.add_parser(
        "scan",
        parents=[gateway],
        help="upload a ZIP of card images and print their contacts",
        description="Upload a ZIP of card images, follow the batch until "
        "every card is read, then print the contacts.",
    )
    # Optional here, so that a ZIP --json took for its file is told apart
    # from no ZIP at all.
    scan.add_argument("zip", metavar="CARDS.zip", type=Path, nargs="?")
    scan.add_argument(
        "--key",
        metavar="KEY",
        type=upload_key,
        help="the upload's key (a new one each run by default): a ZIP sent again "
        "under the key of an upload whose reply never came gets that batch, "
        "its cards not read twice",
    )
    json_option(scan)
    export_options(scan)
    scan.set_defaults(command=run_scan)

    card = commands.add_parser(
        "card",
        parents=[gateway],
        help="read one card image and print its contact",
        description="Send one card image to the gateway, wait for it to be "
        "read, and print its contact.",
    )
    # Optional, as the ZIP of scan is.
    card.add_argument("image", metavar="IMAGE", type=Path, nargs="?")
    json_option(card)
    export_options(card)
    card.set_defaults(command=run_card)

    status = commands.add_parser(
        "status",
        parents=[gateway],
        help="print the state of each card of a batch",
        description="Print the state of each card of a batch, by the batch id "
        "its upload was answered with.",
    )
    status.add_argument("batch_id", metavar="BATCH_ID")
    status.add_argument("--json", action="store_true", help="print the batch as JSON")
    status.set_defaults(command=run_status)

    listing = commands.add_parser(
        "batches",
        parents=[gateway],
        help="list the newest batches with their counts",
        description="List batches, newest first: their ids, when each was "
        "accepted and how many of its cards are done, failed or still open.",
    )
    listing.add_argument(
        "--limit",
        type=positive,
        default=20,
        metavar="N",
        help="list at most N batches (default: %(default)s)",
    )
    listing.add_argument(
        "--json", action="store_true", help="print one JSON object per batch"
    )
    listing.set_defaults(command=run_batches)

    contacts = commands.add_parser(
        "contacts",
        parents=[gateway],
        help="print the contacts of a batch",
        description="Print the contacts read so far from the cards of a batch, "
        "or write them as JSON Lines, vCard or CSV.",
    )
    contacts.add_argument("batch_id", metavar="BATCH_ID", nargs="?")
    json_option(contacts)
    export_options(contacts)
    contacts.set_defaults(command=run_contacts)


def add_stack_commands(commands, own_stack: argparse.ArgumentParser) -> None:
    """The commands that run a stack on this machine."""
    defaults = Ports.default()
    up = commands.add_parser(
        "up",
        parents=[own_stack],
        help="run the stack on this machine, until Ctrl-C or in the background",
        description="Run NATS, the store, OCR workers and the gateway on this "
        "machine, listening on 127.0.0.1. The store keeps its data in SQLite in "
        "the data directory, or in the MongoDB that MONGO_URL names when the "
        "shell sets it (in the database MONGO_DB names, if set). Where a stack "
        "left in the background runs from the data directory already, "
        "start again those of its parts that stopped, on the ports and with "
        "the settings it was started with.",
    )
    data_dir_option(up)
    workers_option(up)
    up.add_argument(
        "--detach",
        action="store_true",
        help="leave the stack running in the background; stop it with `cardscan down`",
    )
    ports = up.add_argument_group(
        "ports",
        "A port left out is the one the data directory's stack last ran on, "
        "or else its default.",
    )
    for part, (flag, what) in PORT_OPTIONS.items():
        ports.add_argument(
            flag,
            dest=part,
            type=port_number,
            default=None,
            metavar="PORT",
            help=f"the port of {what} (default: {getattr(defaults, part)})",
        )
    ports.add_argument(
        WORKER_HEALTH_OPTION,
        dest="worker_health",
        type=port_number,
        default=None,
        metavar="PORT",
        help="the port of the first OCR worker's gRPC health service, each "
        "next worker's one above it (default: free ports)",
    )
    up.set_defaults(command=run_up)

    down = commands.add_parser(
        "down",
        parents=[own_stack],
        help="stop the stack up runs from the data directory",
        description="Stop the stack that `cardscan up` runs from the data "
        "directory, in the background or in the foreground of another terminal.",
    )
    data_dir_option(down)
    down.set_defaults(command=run_down)

    demo = commands.add_parser(
        "demo",
        parents=[own_stack],
        help="start a throw-away stack, scan cards, print the contacts, stop",
        description="Start a stack on free ports in a temporary folder, scan "
        "CARDS.zip (by default the project's own sample cards), print the "
        "contacts and stop the stack.",
    )
    demo.add_argument("zip", metavar="CARDS.zip", type=Path, nargs="?")
    workers_option(demo)
    demo.set_defaults(command=run_demo)


def data_dir_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--data-dir",
        type=Path,
        default=Path(DEFAULT_DATA_DIR),
        metavar="DIR",
        help="where the stack keeps its database, queue and logs "
        "(default: %(default)s)",
    )


def workers_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--workers",
        type=non_negative,
        default=None,
        metavar="N",
        help=f"how many OCR workers to run (default: one per core, {cores()})",
    )


def cores() -> int:
    """How many OCR workers run where --workers is left out."""
    return os.cpu_count() or 1


def workers_wanted(args: argparse.Namespace, term: Terminal) -> int:
    """The OCR workers --workers asks for, or one per core; warns of more
    than the machine's cores or memory can serve."""
    workers = args.workers if args.workers is not None else cores()
    if workers > cores():
        term.err.print(
            f"{workers} OCR workers on {cores()} cores: each worker reads on one "
            "core, so workers past one a core share cores and read no faster"
        )
    needed, available = workers * WORKER_MEMORY, available_memory()
    if available is not None and needed > available:
        term.err.print(
            Text(
                f"{workers} OCR workers hold about {needed / 2**30:.1f} GiB of "
                f"memory once reading, and {available / 2**30:.1f} GiB is "
                "available: the machine may run out of memory; ask for fewer "
                "with --workers",
                "yellow",
            )
        )
    return workers


def available_memory() -> int | None:
    """The bytes of memory the kernel says are available to new work, or
    None where it does not say (no /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for row in meminfo:
                if row.startswith("MemAvailable:"):
                    return int(row.split()[1]) * 1024
    except OSError:
        return None
    return None


def non_negative(text: str) -> int:
    """An argparse type for a count of zero or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def positive(text: str) -> int:
    """An argparse type for a count of one or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def port_number(text: str) -> int:
    """An argparse type for a TCP port to listen on."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not is_port(value):
        raise argparse.ArgumentTypeError(
            f"expected a port from 1 to 65535, got {text!r}"
        )
    return value


def is_port(value: object) -> bool:
    """Whether a value is a TCP port number a part can listen on."""
    return type(value) is int and 1 <= value <= 65535


def existing_file(path: Path) -> Path:
    """The path, if it names a file that can be read."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    return path


def zip_of_cards(path: Path, given_server: str | None) -> Path:
    """The path, if it names a file that is no single image: a photo of one
    card is sent to the `card` command instead, on the server given."""
    kind = image_format(first_bytes(existing_file(path)))
    if kind:
        raise InvalidInput(
            f"{path} is a {kind} image, not a ZIP of cards; read one card with "
            f"{hints.command(given_server, 'card', str(path))}"
        )
    return path


def card_image(path: Path, given_server: str | None) -> Path:
    """The path, if it names a file that is no ZIP: a ZIP of cards is sent
    to the `scan` command instead, on the server given."""
    if zipfile.is_zipfile(existing_file(path)):
        raise InvalidInput(
            f"{path} is a ZIP archive, not a card image; read the cards in it "
            f"with {hints.command(given_server, 'scan', str(path))}"
        )
    return path


def first_bytes(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(16)


def connect(address: str, require_serving: bool = True) -> GatewayClient:
    """A client of the gateway at the address, checked to be answering and,
    unless require_serving is False, serving."""
    client = GatewayClient(address)
    try:
        client.check(require_serving)
    except BaseException:
        client.close()
        raise
    return client


# The gateway commands.


def run_scan(args: argparse.Namespace, term: Terminal) -> int:
    """scan CARDS.zip: upload, follow, then print or write the contacts."""
    if args.zip is None:
        raise InvalidInput(
            taken_by_json(args.json, "the ZIP") or "give the ZIP of cards to scan"
        )
    path = zip_of_cards(args.zip, args.given_server)
    targets = outputs.checked(args, reading=path)
    info = term.info(outputs.to_stdout(targets))
    with connect(args.server) as client:
        cards = scan(client, path, info, args.key, args.given_server)
    show_cards(cards, targets, term, args.given_server)
    return 0


def upload_key(text: str) -> str:
    """An upload key as --key gives it, checked as the gateway checks it."""
    try:
        return upload_keys.check(text, "--key")
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def scan(
    client: GatewayClient,
    path: Path,
    info: Console,
    key: str | None = None,
    given_server: str | None = None,
) -> list[batch_pb2.Card]:
    """Uploads the ZIP under the key, or a new one, follows its batch to the
    end and returns its cards. Ctrl-C once the upload has begun raises
    Interrupted, saying how to find the batch on the server given: the
    gateway reads its cards all the same."""
    created = upload(client, path, info, key or uuid.uuid4().hex, given_server)
    batch_id = created.batch_id
    try:
        announce(created, info, given_server)
        if not created.accepted:
            raise Failed(f"{path} holds no card image the gateway could take")
        follow(client, created, info, given_server)
        return client.list_contacts(batch_id)
    except KeyboardInterrupt:
        raise Interrupted(
            f"batch {batch_id} was accepted and its cards go on being read: "
            f"check on it with {hints.command(given_server, 'status', batch_id)}, "
            f"or list the batches with {hints.command(given_server, 'batches')}"
        ) from None


def announce(
    created: cardscan_pb2.CreateBatchResponse, info: Console, given_server: str | None
) -> None:
    """Prints the new batch's id, how many cards it took, the entries it
    skipped and the upload's notice."""
    accepted = tables.count(created.accepted, "card")
    info.print(Text(f"Batch {created.batch_id}: {accepted} accepted", "bold"))
    if created.skipped:
        entries, total = list(created.skipped), created.skipped_count
        lister = hints.command(given_server, "status", created.batch_id)
        info.print(tables.skipped(entries, total, lister, ANNOUNCED_SKIPS))
    if created.notice:
        info.print(Text(tables.clean(created.notice), "yellow"))


def upload(
    client: GatewayClient,
    path: Path,
    info: Console,
    key: str,
    given_server: str | None,
) -> cardscan_pb2.CreateBatchResponse:
    """Streams the ZIP to the gateway under the upload key with a progress
    bar of bytes sent. Ctrl-C, or a gateway that goes away, raises saying
    how to get the batch from the server given: the gateway may have had
    the whole upload and taken it as a batch before the call ended."""
    again = (
        f"send it again with "
        f"{hints.command(given_server, 'scan', str(path), '--key', key)} to get "
        "its batch, or a new one if it was not taken"
    )
    batches = hints.command(given_server, "batches")
    size = path.stat().st_size
    with Progress(
        console=info, transient=True, disable=not info.is_terminal
    ) as progress:
        task = progress.add_task(f"Uploading {path.name}", total=size)
        try:
            return client.create_batch(
                path, lambda sent: progress.advance(task, sent), key
            )
        except KeyboardInterrupt:
            raise Interrupted(
                "the upload may have been accepted as a batch all the same: "
                f"look for it with {batches}, or {again}"
            ) from None
        except Unavailable as error:
            raise type(error)(f"{error}; {again}") from None


def follow(
    client: GatewayClient,
    created: cardscan_pb2.CreateBatchResponse,
    info: Console,
    given_server: str | None,
) -> batch_pb2.Batch:
    """Shows the batch's progress until every card is DONE or FAILED, and
    each new notice of the batch; the upload's notice, printed already,
    counts as the first. Where it cannot, it says how to follow the batch
    on the server given."""
    status = hints.command(given_server, "status", created.batch_id)
    columns = [
        TextColumn("Reading cards"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
    ]
    notice = created.notice
    with (
        Progress(*columns, console=info) as progress,
        telling_health(client, progress.console),
    ):
        task = progress.add_task("read", total=created.accepted, failed=0)
        watches = watch_through_outages(client, created.batch_id, progress, status)
        for batch in watches:
            counts = batch.counts
            progress.update(
                task,
                total=counts.total or created.accepted,
                completed=counts.done + counts.failed,
                failed=counts.failed,
            )
            if batch.notice != notice and batch.notice:
                progress.console.print(Text(tables.clean(batch.notice), "yellow"))
            notice = batch.notice
            if batch.state == batch_pb2.BATCH_STATE_COMPLETE:
                return batch
    raise Failed(
        f"the gateway stopped reporting on batch {created.batch_id} before every "
        f"card was read; follow it with {status}"
    )


@contextmanager
def telling_health(client: GatewayClient, info: Console) -> Iterator[None]:
    """While the block runs, asks the gateway every OUTAGE_RETRY_SECONDS
    whether it serves, and says so when it stops, naming what it waits for,
    and when it serves again: a gateway waiting for the store or NATS keeps
    the watch open, and the progress stands still without a word."""
    stop = threading.Event()
    asking = threading.Thread(
        target=tell_health, args=(client, info, stop), daemon=True
    )
    asking.start()
    try:
        yield
    finally:
        stop.set()
        asking.join()


def tell_health(client: GatewayClient, info: Console, stop: threading.Event) -> None:
    """Prints each change of what the gateway waits for until stop is set."""
    said = ""
    while not stop.wait(OUTAGE_RETRY_SECONDS):
        try:
            waits_for = client.waits_for()
        except Unreachable:
            # The watch breaks off too, and says so.
            continue
        if waits_for == said:
            continue
        news = "the gateway serves again; the batch goes on"
        if waits_for:
            news = (
                f"the gateway is not serving ({waits_for}); the batch waits "
                "until it is back"
            )
        info.print(Text(tables.clean(news), "yellow"))
        said = waits_for


def watch_through_outages(
    client: GatewayClient, batch_id: str, progress: Progress, status: str
) -> Iterator[batch_pb2.Batch]:
    """The batch after each change, watching again when the gateway or the
    store behind it is briefly out of reach: the cards go on being read
    meanwhile, so a short outage is no reason to give up. Patience runs out
    only after OUTAGE_PATIENCE_SECONDS of broken watches without a card
    ending in between, and then it fails with the status command as hint."""
    failures, ended, ended_at_failure = 0, -1, -1
    while True:
        try:
            # The progress needs only the counts: a batch of thousands of
            # cards would otherwise come whole with each change.
            for batch in client.watch_batch(batch_id, BASIC):
                ended = batch.counts.done + batch.counts.failed
                if ended > ended_at_failure:
                    failures = 0
                yield batch
            return
        except Unavailable as error:
            failures += 1
            ended_at_failure = ended
            if failures * OUTAGE_RETRY_SECONDS > OUTAGE_PATIENCE_SECONDS:
                raise Failed(
                    f"gave up following the batch ({error}); check on it with {status}"
                ) from None
            progress.console.print(
                Text(f"{tables.clean(str(error))}; trying again", "yellow")
            )
            time.sleep(OUTAGE_RETRY_SECONDS)


def taken_by_json(target: str | None, what: str) -> str | None:
    """Why a command's argument is missing where --json, written before
    it, took the argument for the file to write; None where it did not."""
    if target in (None, "-"):
        return None
    return (
        f"--json took {target} for the file to write, so {what} is missing: "
        f"write --json last, or give it a file of its own (--json contacts.jsonl)"
    )


def show_cards(
    cards: list[batch_pb2.Card],
    targets: list[outputs.Output],
    term: Terminal,
    given_server: str | None,
) -> None:
    """Writes the cards to each output, or prints a table if none is asked;
    its hints name the server given."""
    if not targets:
        term.out.print(tables.contacts(cards))
        return
    info = term.info(outputs.to_stdout(targets))
    for output in targets:
        outputs.write(cards, output, info, given_server)


def run_card(args: argparse.Namespace, term: Terminal) -> int:
    """card IMAGE: read one card, then print or write its contact, as scan
    does a batch's."""
    if args.image is None:
        raise InvalidInput(
            taken_by_json(args.json, "the image") or "give the card image to read"
        )
    path = card_image(args.image, args.given_server)
    targets = outputs.checked(args, reading=path)
    with connect(args.server) as client:
        card = client.scan_card(path)

    state = jsonview.state_name(card.state)
    if targets:
        show_cards([card], targets, term, args.given_server)
    elif state == "DONE":
        term.out.print(tables.contact(card))
    if state == "FAILED":
        raise Failed(f"{path} could not be read: {card.error}")
    if state != "DONE":
        raise Failed(f"the gateway answered with {path} still {state}")
    return 0


def run_status(args: argparse.Namespace, term: Terminal) -> int:
    """status BATCH_ID: print the state of each card."""
    with connect(args.server, require_serving=False) as client:
        batch = client.get_batch(args.batch_id)

    if args.json:
        print(json.dumps(jsonview.batch(batch), ensure_ascii=False))
        return 0
    term.out.print(tables.batch(batch))
    if batch.skipped:
        term.out.print(tables.skipped(list(batch.skipped), batch.skipped_count))
    if batch.notice:
        term.out.print(Text(tables.clean(batch.notice), "yellow"))
    return 0


def run_batches(args: argparse.Namespace, term: Terminal) -> int:
    """batches: list the newest batches."""
    with connect(args.server, require_serving=False) as client:
        summaries = client.list_batches(args.limit)

    if args.json:
        for summary in summaries:
            print(json.dumps(jsonview.batch_summary(summary), ensure_ascii=False))
        return 0
    if not summaries:
        term.out.print("no batches yet")
        return 0
    term.out.print(tables.batches(summaries))
    return 0


def run_contacts(args: argparse.Namespace, term: Terminal) -> int:
    """contacts BATCH_ID: print or write the contacts of a batch."""
    if args.batch_id is None:
        raise InvalidInput(
            taken_by_json(args.json, "the batch id")
            or "give the batch id whose contacts to print"
        )
    targets = outputs.checked(args)
    with connect(args.server, require_serving=False) as client:
        cards = client.list_contacts(args.batch_id)
    show_cards(cards, targets, term, args.given_server)
    return 0


# The stack commands.


def run_up(args: argparse.Namespace, term: Terminal) -> int:
    """up: start the stack, then serve until stopped or detach."""
    data_dir = args.data_dir.resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise InvalidInput(f"--data-dir {args.data_dir} is a file, not a folder")
    # Held until this `up` returns: through serving in the foreground, and
    # until the stack is recorded when it detaches.
    with up_lock(data_dir, args.data_dir):
        return start_or_resume(args, data_dir, term)


def start_or_resume(args: argparse.Namespace, data_dir: Path, term: Terminal) -> int:
    """Starts the stack, or the stopped parts of the one recorded."""
    recorded = RecordedStack.load(data_dir)
    if recorded:
        # Its parts start again on the ports they had, even all of them,
        # as after a restart of the machine.
        ignored = [
            flag for part, (flag, _) in PORT_OPTIONS.items() if getattr(args, part)
        ]
        ignored += [WORKER_HEALTH_OPTION] if args.worker_health else []
        ignored += ["--workers"] if args.workers is not None else []
        return start_stopped_parts(recorded, term, ignored)
    workers = workers_wanted(args, term)
    last, last_worker_health = last_run(data_dir) or (None, None)
    ports = ports_to_use(args, last, term)
    worker_health = worker_health_to_use(args, last_worker_health, workers, term)
    refuse_shared_ports(args, last, ports, worker_health, workers)
    stack = Stack(
        data_dir=data_dir,
        ports=ports,
        ocr_workers=workers,
        ocr_health_port=worker_health,
    )
    refuse_taken_ports(stack)
    refuse_short_disk(data_dir)

    stop_on_sigterm()
    kept = asdict(ports) | ({WORKER_HEALTH_KEY: worker_health} if worker_health else {})
    with open_private(data_dir / LAST_PORTS_NAME, os.O_TRUNC) as file:
        file.write(json.dumps(kept).encode() + b"\n")
    try:
        with term.err.status(f"Starting the stack with {workers} OCR workers"):
            stack.start()
    except (RuntimeError, TimeoutError) as error:
        raise Failed(f"{error}; see the logs in {stack.logs}") from None
    if not args.detach:
        return serve(stack, term)
    # Recorded before anything is printed, so that a closed output cannot
    # leave a stack running that `down` does not know of.
    record = stack.detach()
    describe(stack, term.out)
    term.out.print(
        f"Running in the background (recorded in {record}); stop it with "
        f"`cardscan down --data-dir {args.data_dir}`."
    )
    return 0


@contextmanager
def up_lock(data_dir: Path, given: Path) -> Iterator[None]:
    """Locks the data directory against a second `up`; fails while another
    `up` starts or serves a stack from it, before it is recorded for the
    second to see. A data directory it made is removed again when the
    `up` fails having put nothing else in it."""
    made = not data_dir.exists()
    try:
        make_data_dir(data_dir)
        handle = open_private(data_dir / UP_LOCK_NAME, os.O_APPEND)
    except OSError as error:
        raise InvalidInput(f"cannot use --data-dir {given}: {error.strerror}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        recorded = RecordedStack.load(data_dir)
        if recorded and recorded.in_foreground():
            refuse_beside_foreground(recorded)
        raise Failed(
            f"another `cardscan up` is starting or serving a stack from {data_dir}; "
            f"wait for it to start, or stop it with {down_command(given)}"
        ) from None
    with handle:
        try:
            yield
        except BaseException:
            if made:
                remove_if_bare(data_dir)
            raise


def remove_if_bare(data_dir: Path) -> None:
    """Removes a data directory that holds nothing but its `up` lock."""
    if [path.name for path in data_dir.iterdir()] == [UP_LOCK_NAME]:
        (data_dir / UP_LOCK_NAME).unlink()
        with suppress(OSError):
            data_dir.rmdir()


def refuse_beside_foreground(recorded: RecordedStack) -> NoReturn:
    """Fails, as an ``up`` in the foreground serves the recorded stack."""
    raise Failed(
        f"a stack already runs from {recorded.data_dir} in the foreground of "
        f"`cardscan up` (process {recorded.supervisor['pid']}); stop it with "
        f"Ctrl-C there or with {down_command(recorded.data_dir)}"
    )


def down_command(data_dir: Path) -> str:
    """The command that stops the stack of a data directory, as shown."""
    return f"`cardscan down --data-dir {shlex.quote(str(data_dir))}`"


def start_stopped_parts(
    recorded: RecordedStack, term: Terminal, ignored: list[str]
) -> int:
    """Starts again the parts of a recorded stack that stopped, or fails
    if its every part runs or an ``up`` in the foreground runs it; the
    options it cannot follow, as they would change the stack, are named."""
    data_dir = recorded.data_dir
    down = down_command(data_dir)
    if recorded.in_foreground():
        refuse_beside_foreground(recorded)
    running, stopped = recorded.running(), recorded.stopped()
    if not stopped:
        anew = (
            ", then start it with --workers as you want them"
            if "--workers" in ignored
            else ""
        )
        raise Failed(f"a stack already runs from {data_dir}; stop it with {down}{anew}")
    # The settings they were first started with hold the minimum they keep.
    envs = [process.get("env", {}) for process in recorded.processes]
    refuse_short_disk(data_dir, next((env for env in envs if env), os.environ))

    try:
        with term.err.status(f"Starting again {', '.join(stopped)}"):
            recorded.start_again()
    except (RuntimeError, TimeoutError) as error:
        raise Failed(f"{error}; see the logs in {recorded.logs}") from None
    if ignored:
        term.err.print(
            f"Left {', '.join(ignored)} aside: the stack that runs from {data_dir} "
            f"keeps its ports and workers; stop it with {down} to start it anew"
        )
    ran = f"; {', '.join(running)} ran already" if running else ""
    term.out.print(
        f"Started again {', '.join(stopped)} of the stack that runs from "
        f"{data_dir}, on the ports and with the settings it was started with"
        f"{ran}."
    )
    term.out.print(f"It runs in the background; stop it with {down}.")
    return 0


def ports_to_use(args: argparse.Namespace, last: Ports | None, term: Terminal) -> Ports:
    """The ports given, and for those left out the ones the data
    directory's stack last ran on (last), or else the defaults."""
    fallback = last or Ports.default()
    chosen = {
        part: getattr(args, part) or getattr(fallback, part) for part in PORT_OPTIONS
    }
    kept = [part for part in PORT_OPTIONS if getattr(args, part) is None]
    if last and kept:
        shown = ", ".join(f"{PORT_OPTIONS[p][0]} {getattr(last, p)}" for p in kept)
        term.err.print(f"On the ports this data directory's stack last ran on: {shown}")
    return Ports(**chosen)


def refuse_shared_ports(
    args: argparse.Namespace,
    last: Ports | None,
    ports: Ports,
    worker_health: int | None,
    workers: int,
) -> None:
    """Fails when parts would share a port, the OCR workers' health
    services among them, naming each port shared and the parts on it by
    their options, and those left out by where they came from: the ports
    the stack last ran on (last), or the defaults."""
    sharing: dict[int, list[str]] = {}
    for part in PORT_OPTIONS:
        sharing.setdefault(getattr(ports, part), []).append(port_flag(args, part, last))
    health = range(0)
    if worker_health is not None:
        health = range(worker_health, worker_health + workers)
    on_parts = [port for port in health if port in sharing]
    for port in on_parts:
        origin = "" if args.worker_health else f" (from {LAST_PORTS_NAME})"
        sharing[port].append(f"{WORKER_HEALTH_OPTION} {worker_health}{origin}")
    clashes = [
        shared_port(sharers, port)
        for port, sharers in sorted(sharing.items())
        if len(sharers) > 1
    ]
    if not clashes:
        return
    span = ""
    if on_parts and len(health) > 1:
        span = (
            f"; {WORKER_HEALTH_OPTION} {worker_health} gives the {workers} OCR "
            f"workers ports {health[0]} to {health[-1]}"
        )
    raise InvalidInput(", and ".join(clashes) + span)


def shared_port(flags: list[str], port: int) -> str:
    """Says that the parts of the flags, two or more, are on one port."""
    if len(flags) == 2:
        return f"{flags[0]} and {flags[1]} are both port {port}"
    return f"{', '.join(flags[:-1])} and {flags[-1]} are all port {port}"


def port_flag(args: argparse.Namespace, part: str, last: Ports | None) -> str:
    """The option of the part's port, saying where the port came from
    when it was not given."""
    flag = PORT_OPTIONS[part][0]
    if getattr(args, part):
        return flag
    return f"{flag} (from {LAST_PORTS_NAME})" if last else f"{flag} (the default)"


def worker_health_to_use(
    args: argparse.Namespace, last: int | None, workers: int, term: Terminal
) -> int | None:
    """The health port of the first OCR worker, each next worker's one
    above it: the one given, or else the one the data directory's stack
    last ran on (last) where it was given then; None for free ports. Fails
    when the workers' ports would pass 65535."""
    first = args.worker_health or last
    if first is None:
        return None
    given = f"{WORKER_HEALTH_OPTION} {first}"
    if first + workers - 1 > 65535:
        raise InvalidInput(
            f"{given} gives the {workers} OCR workers ports up to "
            f"{first + workers - 1}, past 65535: choose a port of "
            f"{65536 - workers} or less"
        )
    if not args.worker_health:
        term.err.print(f"On the ports this data directory's stack last ran on: {given}")
    return first


def last_run(data_dir: Path) -> tuple[Ports, int | None] | None:
    """What ports.json holds, if the data directory's stack ran: the ports
    its parts last ran on, and its first OCR worker's health port where
    --worker-health-port gave it then."""
    path = data_dir / LAST_PORTS_NAME
    try:
        recorded = json.loads(read_own(path))
        if not isinstance(recorded, dict):
            raise ValueError(f"not an object of ports: {recorded!r}")
        worker_health = recorded.pop(WORKER_HEALTH_KEY, None)
        ports = Ports(**recorded)
        wrong = [
            f"{part} {port!r}"
            for part, port in asdict(ports).items()
            if not is_port(port)
        ]
        if worker_health is not None and not is_port(worker_health):
            wrong.append(f"{WORKER_HEALTH_KEY} {worker_health!r}")
        if wrong:
            raise ValueError(f"not a port from 1 to 65535: {', '.join(wrong)}")
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as error:
        raise InvalidInput(
            f"{path} does not hold the ports of a stack ({error}); delete it to "
            "start on the default ports"
        ) from None
    return ports, worker_health


def refuse_taken_ports(stack: Stack) -> None:
    """Fails if something holds any of the ports the stack would listen
    on, or that its OCR workers' health services would where chosen."""
    taken = [
        (port, PORT_OPTIONS[part][0]) for part, port in stack.ports.taken().items()
    ]
    if stack.ocr_health_port is not None:
        for number in range(1, stack.ocr_workers + 1):
            port = stack.ocr_health_port_of(number)
            if port_taken(port):
                taken.append((port, f"{WORKER_HEALTH_OPTION}, OCR worker {number}"))
    if taken:
        shown = ", ".join(f"{port} ({what})" for port, what in taken)
        raise Failed(
            f"cannot start: {'ports' if len(taken) > 1 else 'port'} already in "
            f"use on 127.0.0.1: {shown}; "
            f"{whose_ports([port for port, _ in taken])}, or choose other ports "
            "(see `cardscan up --help`)"
        )


def refuse_short_disk(data_dir: Path, env: Mapping[str, str] = os.environ) -> None:
    """Fails at once where the disk of the data directory has less free
    than the gateway and the store keep, as the settings env gives to
    them, which would have them report NOT_SERVING while `up` waited in
    vain for them to serve."""
    minimum = settings.number_from_zero(
        env, disk.SETTING, disk.DEFAULT_MIN_FREE_MB, int
    )
    has_room, why = disk.FreeSpace(data_dir, minimum, "the stack").check()
    if not has_room:
        raise Failed(
            f"cannot start: {why}; free some space, or set {disk.SETTING} "
            "lower (0 turns the check off)"
        )


def whose_ports(ports: list[int]) -> str:
    """Who holds the ports, and how to stop it: a stack that `up` recorded
    is stopped with the --data-dir it runs from, which `down` needs."""
    for port in ports:
        stack = RecordedStack.holding(port)
        if stack:
            return (
                f"a cardscan stack runs from {stack.data_dir} on port {port}: "
                f"stop it with {down_command(stack.data_dir)}"
            )
    them = "them" if len(ports) > 1 else "it"
    pid = next(filter(None, map(port_holder, ports)), None)
    if pid:
        return (
            f"process {pid} holds {them} and is no part of a stack that "
            "`cardscan up` recorded: stop it"
        )
    return (
        f"if a cardscan stack holds {them}, stop it with `cardscan down --data-dir "
        "DIR`, DIR being the folder it runs from"
    )


def describe(stack: Stack, out: Console) -> None:
    """Prints where each part of the stack listens and where logs go."""
    out.print(Text("cardscan is up", "bold green"))
    out.print(f"  HTTP API      {stack.http_url}")
    out.print(f"  gRPC API      {stack.gateway_address}")
    out.print(f"  NATS          {stack.nats_url}")
    out.print(f"  store         {stack.store_address}")
    health = [
        env["OCR_HEALTH_LISTEN"]
        for name, env in stack.envs.items()
        if name.startswith("ocr-")
    ]
    workers = f"{len(health)}, gRPC health on {', '.join(health)}" if health else "0"
    out.print(f"  OCR workers   {workers}")
    out.print(f"  data          {stack.data_dir}")
    out.print(f"  logs          {stack.logs}")
    if stack.gateway_address != DEFAULT_SERVER:
        scan = hints.command(stack.gateway_address, "scan", "CARDS.zip")
        out.print(f"Send cards with {scan}.")


def stop_on_sigterm() -> None:
    """Makes SIGTERM, and SIGHUP when the terminal closes, unwind like
    Ctrl-C, so the stack is always stopped."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)


def serve(stack: Stack, term: Terminal) -> int:
    """Records the stack as one in the foreground and waits for Ctrl-C or
    SIGTERM, or for a part to die, then stops all and removes the record.
    Ctrl-C while it prints stops the stack too."""
    try:
        stack.record()
        describe(stack, term.out)
        term.out.print("Serving; press Ctrl-C to stop.")
        while True:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    fail(
                        f"{name} exited with code {process.returncode}; see "
                        f"{stack.logs / f'{name}.log'}; stopping the stack"
                    )
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        term.out.print("Stopping the stack")
        return 0
    finally:
        stack.stop()


def run_down(args: argparse.Namespace, term: Terminal) -> int:
    """down: stop the stack that up runs, in the background or foreground."""
    recorded = RecordedStack.load(args.data_dir)
    if recorded is None and (args.data_dir / LAST_PORTS_NAME).exists():
        # Stopped already, as by a `down` before: stopping is done.
        term.out.print(f"No stack runs from {args.data_dir}; nothing to stop.")
        return 0
    if recorded is None:
        raise Failed(
            f"no stack started with `cardscan up` is recorded in "
            f"{args.data_dir}, and none ran from it; nothing to stop (give "
            "the --data-dir that `up` was given)"
        )
    foreground = recorded.supervisor["pid"] if recorded.in_foreground() else None
    already = recorded.stopped()
    stopped = recorded.stop()
    if not stopped:
        term.out.print(
            f"The stack recorded in {args.data_dir} was no longer running; "
            "removed its record."
        )
        return 0
    whose = f" (run by `cardscan up`, process {foreground})" if foreground else ""
    term.out.print(f"Stopped {', '.join(stopped)}{whose}.")
    if already:
        term.out.print(f"{', '.join(already)} had stopped already.")
    return 0


def run_demo(args: argparse.Namespace, term: Terminal) -> int:
    """demo: a throw-away stack, one scan, the contacts table, all stopped."""
    given = zip_of_cards(args.zip, None) if args.zip else None
    # Told before a stack starts for it, unlike `scan`, whose gateway tells
    # what is wrong with a ZIP it takes apart.
    if given and not zipfile.is_zipfile(given):
        if first_bytes(given).startswith(b"PK\x03\x04"):
            raise InvalidInput(
                f"{given} starts like a ZIP file but has no end record; it is "
                "truncated or damaged"
            )
        raise InvalidInput(f"{given} is not a ZIP file; give the demo a ZIP of cards")
    folder = Path(tempfile.mkdtemp(prefix="cardscan-demo-"))
    workers = workers_wanted(args, term)
    stack = Stack(folder / "stack", Ports.free(), ocr_workers=workers)
    stop_on_sigterm()
    finished = False
    try:
        path = given or zip_sample_cards(folder / "sample-cards.zip")
        with term.err.status(f"Starting a stack with {workers} OCR workers"):
            stack.start()
        with connect(stack.gateway_address) as client:
            cards = scan(client, path, term.out)
        term.out.print(tables.contacts(cards))
        finished = True
    except Interrupted:
        # The batch goes with the demo's stack: there is none to look for.
        raise KeyboardInterrupt from None
    finally:
        stack.stop()
        if finished:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            term.err.print(f"The stack's logs are kept in {stack.logs}")
    return 0


def zip_sample_cards(target: Path) -> Path:
    """Zips the project's sample cards into the target file."""
    images = sorted(
        p for p in SAMPLE_CARDS.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not images:
        raise Failed(
            f"no sample cards in {SAMPLE_CARDS}; pass a ZIP: cardscan demo CARDS.zip"
        )
    with zipfile.ZipFile(target, "w") as archive:
        for image in images:
            archive.write(image, image.name)
    return target


if __name__ == "__main__":
    sys.exit(main())
