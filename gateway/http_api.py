"""The HTTP API: translates requests and replies to and from the batch logic."""

import functools
import importlib.util
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager

import grpc
from aiohttp import hdrs, web
from aiohttp.http import HttpProcessingError

from cardscan import export, jsonview, rpc, upload_keys, views
from cardscan.errors import CardscanError, InvalidInput, StorageFault
from cardscan.health import Standing
from cardscan.v1 import batch_pb2
from gateway import uploads
from gateway.batches import Batches, CardWaits
from gateway.config import Limits
from gateway.health import ShuttingDown

logger = logging.getLogger(__name__)

FILE_FIELD = "file"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# The codes of the errors aiohttp's router answers itself, as cardscan's
# errors map theirs: a method a route does not take is one the API does not
# implement there. gRPC calls a status it has no code for UNKNOWN.
ROUTING_CODES = {404: grpc.StatusCode.NOT_FOUND, 405: grpc.StatusCode.UNIMPLEMENTED}

BATCHES = web.AppKey("batches", Batches)
LIMITS = web.AppKey("limits", Limits)
HEALTH = web.AppKey("health", Standing)


def taking(*names: str) -> Callable[[Handler], Handler]:
    """The route's handler, refusing a query parameter other than the ones
    named, as a misspelt one ("pagesize") would be left aside without a
    word and its answer taken for the one asked for."""

    def check(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            unknown = sorted(set(request.query) - set(names))
            if unknown:
                route = (
                    f"{request.method} {request.match_info.route.resource.canonical}"
                )
                given = ", ".join(unknown)
                raise InvalidInput(
                    f"{route} takes no query parameter {given}; it takes "
                    f"{', '.join(names)}"
                    if names
                    else f"{route} takes no query parameters; it was given {given}"
                )
            return await handler(request)

        return checked

    return check


def error_body(code: str, message: str) -> dict:
    """The JSON body of every error reply."""
    return {"error": {"code": code, "message": message}}


@web.middleware
async def _errors_as_json(request: web.Request, handler) -> web.StreamResponse:
    """Replies to every error with the same JSON shape and its mapped status."""
    try:
        return await handler(request)
    except ShuttingDown as error:
        # A stopping gateway reads no more of a body: once the reply is out,
        # the connection is closed rather than left waiting for the rest.
        return await _closing(request, _refusal(request, error))
    except CardscanError as error:
        return _refusal(request, error)
    except web.RequestPayloadError as error:
        # aiohttp raises it into a handler reading a body it cannot decode,
        # such as one its Content-Encoding does not fit.
        reason = f"the request body cannot be read: {_payload_fault(error)}"
        # The rest of the body cannot be read either; aiohttp would otherwise
        # read on in it for the connection's next request and log that as
        # its error.
        return await _closing(request, _refusal(request, InvalidInput(reason)))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _routing_refusal(request, error)
    except ConnectionResetError:
        # aiohttp raises it into a handler reading a body whose client has
        # gone; the handlers take nothing before the whole body is read.
        logger.info(
            "HTTP %s %s: the client left before the upload was complete; "
            "nothing was accepted",
            request.method,
            request.path,
        )
        # This reply reaches nobody: it gives the access log the status.
        message = "the client closed the connection before the upload was complete"
        return web.json_response(error_body("INVALID_ARGUMENT", message), status=400)
    except Exception:
        logger.exception("HTTP %s %s failed", request.method, request.path)
        body = error_body("INTERNAL", "the gateway failed; its log says why")
        return web.json_response(body, status=500)


async def _closing(request: web.Request, reply: web.Response) -> web.Response:
    """Sends the reply, then closes the connection without reading the rest
    of the request's body."""
    await reply.prepare(request)
    await reply.write_eof()
    request.protocol.force_close()
    return reply


def _refusal(request: web.Request, error: CardscanError) -> web.Response:
    """The reply to an error meant for the user, at its mapped status."""
    if isinstance(error, StorageFault):
        logger.error("HTTP %s %s failed: %s", request.method, request.path, error)
    elif isinstance(error, InvalidInput):
        logger.warning("HTTP %s %s refused: %s", request.method, request.path, error)
    body = error_body(error.grpc_code.name, str(error))
    return web.json_response(body, status=error.http_status)


def _routing_refusal(request: web.Request, error: web.HTTPException) -> web.Response:
    """The reply to an error aiohttp's router raised, with the gRPC-style code
    of its status and the headers aiohttp gave it, such as a 405's Allow."""
    code = ROUTING_CODES.get(error.status, grpc.StatusCode.UNKNOWN).name
    message = f"{request.method} {request.path}: {error.reason}"
    if isinstance(error, web.HTTPMethodNotAllowed):
        message += f"; it takes {', '.join(sorted(error.allowed_methods))}"
    reply = web.json_response(error_body(code, message), status=error.status)
    for name, value in error.headers.items():
        reply.headers.setdefault(name, value)
    return reply


def _payload_fault(error: web.RequestPayloadError) -> str:
    """What aiohttp found wrong in a body, without the status it writes
    first in the text of the error it raises."""
    cause = error.__cause__
    if isinstance(cause, HttpProcessingError):
        return cause.message
    return str(error)


# A ZIP's cards are named by its entries: the ZIP's own name goes nowhere.
@taking()
async def create_batch(request: web.Request) -> web.Response:
    """POST /v1/batches: a ZIP as the raw body or as the form field 'file'."""
    _check_length(request, request.app[LIMITS].max_upload_bytes, "MAX_UPLOAD_BYTES")
    upload_key = _upload_key(request)
    async with request.app[BATCHES].intake.arriving():
        _, chunks = await _upload(request)
    try:
        created = await request.app[BATCHES].create(chunks, upload_key)
    except InvalidInput as error:
        raise _with_form_hint(request, error) from error
    body = {
        "batch_id": created.batch_id,
        "accepted": created.accepted,
        "skipped": jsonview.skipped(created.skipped),
        "skipped_count": created.skipped_count,
        "notice": created.notice,
    }
    return web.json_response(body, status=202)


def _upload_key(request: web.Request) -> str:
    """The upload key the request's header gives, "" when it gives none."""
    values = request.headers.getall(upload_keys.HEADER, [])
    return upload_keys.from_values(values, upload_keys.HEADER)


# The most of a form field's name a refusal shows.
FIELD_NAME_CHARS = 64


def _with_form_hint(request: web.Request, error: InvalidInput) -> InvalidInput:
    """The refusal of an upload whose bytes look damaged or like text, with
    the likely reason where it came as JSON, or as a URL-encoded form, which
    curl's --data and --data-binary send unless told a Content-Type: --data
    sends a file without its line breaks, and "file=@FILE" as those very
    words."""
    said = str(error)
    if not any(words in said for words in ("damaged", "truncated", "looks like text")):
        return error
    if request.content_type == "application/json":
        return InvalidInput(
            f"{said}; it came as JSON, which the gateway does not take: send "
            "the file itself as the body, or as form field file"
        )
    if request.content_type != "application/x-www-form-urlencoded":
        return error
    return InvalidInput(
        f"{said}; if it was sent with curl's --data or -d, which send a file "
        "without its line breaks and file=@FILE as those very words, send the "
        "file with --data-binary @FILE or -F file=@FILE"
    )


@taking("file_name")
async def scan_card(request: web.Request) -> web.Response:
    """POST /v1/cards: one image, answered once OCR has read it."""
    limit, setting = uploads.image_limit(request.app[LIMITS])
    _check_length(request, limit, setting)
    upload_key = _upload_key(request)
    async with request.app[BATCHES].intake.arriving():
        file_name, chunks = await _upload(request)
        image = b"".join(
            [chunk async for chunk in uploads.within(chunks, limit, setting)]
        )
    try:
        card = await request.app[BATCHES].scan(image, file_name, upload_key)
    except InvalidInput as error:
        raise _with_form_hint(request, error) from error
    except CardWaits as waiting:
        body = error_body(waiting.grpc_code.name, str(waiting))
        body["error"] |= {"batch_id": waiting.batch_id, "card_id": waiting.card_id}
        return web.json_response(body, status=waiting.http_status)
    if card.state == batch_pb2.CARD_STATE_FAILED:
        body = error_body("CARD_FAILED", card.error)
        return web.json_response({**body, "card": jsonview.card(card)}, status=422)
    return web.json_response(jsonview.card(card))


@taking("view")
async def get_batch(request: web.Request) -> web.Response:
    """GET /v1/batches/{batch_id}: the batch with each card's state, or
    without its cards with ?view=basic."""
    view = views.named(_one_value(request, "view", "full"))
    batch = await request.app[BATCHES].get(request.match_info["batch_id"], view)
    return web.json_response(jsonview.batch(batch, views.with_cards(view)))


@taking("page_size", "page_token")
async def list_batches(request: web.Request) -> web.Response:
    """GET /v1/batches: a page of batches, newest first, without their cards;
    ?page_size= and ?page_token= as the gRPC ListBatches takes them."""
    page_size = _whole_number(request, "page_size")
    page_token = _one_value(request, "page_token", "")
    batches, next_page_token = await request.app[BATCHES].page(page_size, page_token)
    body = {
        "batches": [jsonview.batch_summary(summary) for summary in batches],
        "next_page_token": next_page_token,
    }
    return web.json_response(body)


async def check_health(request: web.Request) -> web.Response:
    """SERVING (200) while the gateway takes uploads, as its gRPC health
    service says, both asking its standing; NOT_SERVING (503) with the
    reason otherwise."""
    reason = request.app[HEALTH].reason()
    if reason:
        body = {"status": "NOT_SERVING", "reason": reason}
        return web.json_response(body, status=503)
    return web.json_response({"status": "SERVING"})


def _one_value(request: web.Request, name: str, default: str) -> str:
    """A query parameter, which must be given at most once, as one given
    twice would leave the gateway to guess which one was meant; the default
    when absent."""
    given = request.query.getall(name, [default])
    if len(given) > 1:
        raise InvalidInput(f"{name} was given {len(given)} times; give one")
    return given[0]


def _whole_number(request: web.Request, name: str) -> int:
    """A query parameter that must be a whole number, written in ASCII
    digits; 0 when absent. One past the API's 32-bit numbers is held to
    their largest, which is over every limit; one below them is refused."""
    text = _one_value(request, name, "0")
    if not WHOLE_NUMBER.fullmatch(text):
        raise InvalidInput(f"{name} is {text!r}, not a whole number")
    number = int(text)
    if number < rpc.INT32_MIN:
        raise InvalidInput(f"{name} is {text}, far below zero")
    return min(number, rpc.INT32_MAX)


# The files ?format= gives the contacts as, beside JSON: their media type,
# the name's ending and how they are made from the cards.
CONTACT_FILES = {
    "vcard": (export.VCARD_TYPE, "vcf", export.vcards),
    "csv": (export.CSV_TYPE, "csv", export.csv_text),
}


# The header of a contacts file that counts the cards it leaves out for
# not having been read (failed, or still queued or being read).
LEFT_OUT_HEADER = "Cardscan-Left-Out"


@taking("format", "page_size", "page_token")
async def list_contacts(request: web.Request) -> web.Response:
    """GET /v1/batches/{batch_id}/contacts: every card with its contact, or
    a page of them with ?page_size= and ?page_token= as the gRPC
    ListContacts takes them; with ?format=vcard or csv, the contacts of
    every card read as one file to download."""
    batch_id = request.match_info["batch_id"]
    wanted = _one_value(request, "format", "json")
    if wanted != "json":
        return await _contacts_file(request, batch_id, wanted)
    page_size = _whole_number(request, "page_size")
    page_token = _one_value(request, "page_token", "")
    cards, next_page_token = await request.app[BATCHES].contacts(
        batch_id, page_size, page_token
    )
    body = {
        "batch_id": batch_id,
        "cards": [jsonview.card(card) for card in cards],
        "next_page_token": next_page_token,
    }
    return web.json_response(body)


async def _contacts_file(
    request: web.Request, batch_id: str, wanted: str
) -> web.Response:
    """The contacts of every card of the batch that was read, as a vCard or
    CSV file, saying in LEFT_OUT_HEADER how many cards it leaves out."""
    if wanted not in CONTACT_FILES:
        formats = ", ".join(["json", *CONTACT_FILES])
        raise InvalidInput(f"format is {wanted!r}: give one of {formats}")
    paging = [name for name in ("page_size", "page_token") if name in request.query]
    if paging:
        raise InvalidInput(
            f"{' and '.join(paging)} {'apply' if len(paging) > 1 else 'applies'}"
            f" to JSON only: format={wanted} gives the contacts of every card"
            " read at once"
        )
    media_type, ending, render = CONTACT_FILES[wanted]
    cards, _ = await request.app[BATCHES].contacts(batch_id, 0, "")
    read = export.read_cards(cards)
    reply = web.Response(text=render(read), content_type=media_type)
    reply.headers[LEFT_OUT_HEADER] = str(len(cards) - len(read))
    # The batch is known by now, and so its id is one the store accepted.
    name = re.sub(r"[^A-Za-z0-9_-]", "_", batch_id)
    reply.headers[hdrs.CONTENT_DISPOSITION] = (
        f'attachment; filename="cardscan-{name}.{ending}"'
    )
    return reply


# The Content-Encodings aiohttp decodes here; Brotli only where one of its
# packages is installed, which the set-up does not do.
_HAS_BROTLI = any(map(importlib.util.find_spec, ("brotli", "brotlicffi")))
DECODED_ENCODINGS = ("identity", "gzip", "deflate") + (("br",) if _HAS_BROTLI else ())


def _check_length(request: web.Request, limit: int, setting: str) -> None:
    """Refuses at once an upload whose declared length is over the limit."""
    if request.content_length is not None and request.content_length > limit:
        raise uploads.upload_too_large(limit, setting)


async def _upload(request: web.Request) -> tuple[str, AsyncIterator[bytes]]:
    """The uploaded file's name and bytes, from the raw body or a form."""
    encoding = request.headers.get(hdrs.CONTENT_ENCODING, "identity").lower()
    if encoding not in DECODED_ENCODINGS:
        raise InvalidInput(
            f"the body's Content-Encoding {encoding!r} is not one the gateway "
            f"decodes ({', '.join(DECODED_ENCODINGS)}); send the body as it is"
        )
    if request.content_type != "multipart/form-data":
        name = _one_value(request, "file_name", "")
        if not name and "file_name" in request.query:
            raise InvalidInput(
                "file_name is empty; give the card's file name, or leave "
                "file_name out for the card to be called 'card'"
            )
        return name, request.content.iter_chunked(uploads.CHUNK_BYTES)
    names = []
    with _form_errors():
        reader = await request.multipart()
        async for part in reader:
            if part.name == FILE_FIELD:
                return part.filename or "", _part_chunks(part, reader)
            names.append(repr(uploads.shown(part.name or "", FIELD_NAME_CHARS)))
            await part.release()
    found = f"it has {', '.join(names[:5])}" if names else "it has no field"
    raise InvalidInput(
        f"the form has no field named {FILE_FIELD!r} with the file ({found}); "
        f"send the file as {FILE_FIELD}, as curl's -F {FILE_FIELD}=@FILE does"
    )


async def _part_chunks(part, reader) -> AsyncIterator[bytes]:
    """The file's bytes; then refuses the upload if the form holds a second
    file, which would otherwise be dropped without a word."""
    with _form_errors():
        while chunk := await part.read_chunk(uploads.CHUNK_BYTES):
            yield chunk
        async for other in reader:
            if other.name == FILE_FIELD:
                raise InvalidInput(
                    f"the form has more than one field named {FILE_FIELD!r}; "
                    "send one file with each upload"
                )
            await other.release()


@contextmanager
def _form_errors() -> Iterator[None]:
    """Refuses a multipart form that aiohttp cannot read, saying what it found
    wrong: aiohttp says so with a ValueError (a boundary missing or not in the
    body) or an HTTP error (a part's header line over 8190 bytes)."""
    try:
        yield
    except HttpProcessingError as error:
        raise _unreadable_form(error.message) from None
    except ValueError as error:
        raise _unreadable_form(str(error)) from None


def _unreadable_form(reason: str) -> InvalidInput:
    return InvalidInput(f"the multipart form cannot be read: {reason}")


class ClientFaultsBriefly(logging.Filter):
    """Logs a request aiohttp's parser refused, a client's fault such as
    gRPC sent to the HTTP port or a Content-Encoding it cannot decode, as
    one warning line, not as a server error with its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= error.code < 500:
            said = record.getMessage()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "%s; refused with %d: %s"
            reason = str(error.message).strip().splitlines()[0] if error.message else ""
            record.args = (said, error.code, reason)
            record.exc_info = record.exc_text = None
        return True


# Where the gateway answers health checks over HTTP.
HEALTH_PATH = "/healthz"


class ProbesQuietly(logging.Filter):
    """Leaves the health checks an orchestrator makes every few seconds out
    of the access log; the gateway logs each change of its health once."""

    def filter(self, record: logging.LogRecord) -> bool:
        # "GET /healthz?x=1 HTTP/1.1": the path is the target before its query.
        target = getattr(record, "first_request_line", "").split(" ")[1:2]
        return [t.partition("?")[0] for t in target] != [HEALTH_PATH]


def _add_filter(logger_name: str, kind: type[logging.Filter]) -> None:
    """Adds a filter of the kind to the logger, once however many apps are
    made: the loggers are aiohttp's, shared by the whole process."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def make_app(batches: Batches, limits: Limits, health: Standing) -> web.Application:
    """The HTTP application with its routes."""
    _add_filter("aiohttp.server", ClientFaultsBriefly)
    _add_filter("aiohttp.access", ProbesQuietly)
    app = web.Application(middlewares=[_errors_as_json])
    app[BATCHES] = batches
    app[LIMITS] = limits
    app[HEALTH] = health
    app.add_routes(
        [
            web.post("/v1/batches", create_batch),
            web.get("/v1/batches", list_batches),
            web.get("/v1/batches/{batch_id}", get_batch),
            web.get("/v1/batches/{batch_id}/contacts", list_contacts),
            web.post("/v1/cards", scan_card),
            web.get(HEALTH_PATH, check_health),
        ]
    )
    return app
