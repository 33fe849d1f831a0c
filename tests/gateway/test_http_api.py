"""The HTTP API against a real gateway, NATS and store, with no OCR worker."""

import asyncio
import csv
import gzip
import io
import logging
import os
from urllib.parse import unquote

import aiohttp
import pytest
import vobject
from gateway_support import (
    as_if_listened_a_whole_window,
    finish_card,
    image_bytes,
    logged,
    make_zip,
    many_skipped_entries,
    queued_messages,
    running_gateway,
    skipped_name,
    with_limits,
)

from cardscan import messaging, skips
from cardscan.v1 import contact_pb2
from gateway import http_api


@pytest.fixture
async def http(gateway):
    async with aiohttp.ClientSession(gateway.http_url) as session:
        yield session


async def post_zip(http, data: bytes):
    headers = {"Content-Type": "application/zip"}
    async with http.post("/v1/batches", data=data, headers=headers) as reply:
        return reply.status, await reply.json()


async def test_raw_zip_upload_queues_each_card_as_its_image_bytes(gateway, http):
    png, jpeg = image_bytes("PNG"), image_bytes("JPEG")
    upload = make_zip({"one.png": png, "notes.txt": b"hi", "two.jpg": jpeg})

    status, body = await post_zip(http, upload)
    messages = await queued_messages(gateway.js, 2)
    stream = await gateway.js.stream_info(messaging.STREAM)

    assert status == 202
    assert body["notice"] == ""
    assert stream.state.messages == 2
    assert body["accepted"] == 2
    assert body["skipped"] == [
        {"name": "notes.txt", "reason": "is not an image; it looks like text"}
    ]
    card_ids = [f"{body['batch_id']}-0", f"{body['batch_id']}-1"]
    assert [m.subject for m in messages] == [
        messaging.card_subject(card_id) for card_id in card_ids
    ]
    assert [m.data for m in messages] == [png, jpeg]
    assert [m.headers["Nats-Msg-Id"] for m in messages] == card_ids
    assert [m.headers[messaging.CARD_ID_HEADER] for m in messages] == card_ids


async def test_an_upload_of_many_skipped_entries_lists_the_first_and_counts_all(
    http,
):
    status, created = await post_zip(http, make_zip(many_skipped_entries(250)))
    async with http.get(f"/v1/batches/{created['batch_id']}") as reply:
        got_size = len(await reply.read())
        got = await reply.json()

    assert (status, created["accepted"]) == (202, 2)
    first_names = [skipped_name(i) for i in range(skips.LISTED)]
    for body in created, got:
        assert [s["name"] for s in body["skipped"]] == first_names
        assert body["skipped_count"] == 250
    # Listing all 250 names of 1000 characters would take 250 kB.
    assert got_size < 110_000


async def test_multipart_upload_is_taken_like_a_raw_one(gateway, http):
    form = aiohttp.FormData()
    form.add_field("file", make_zip({"card.png": image_bytes()}), filename="c.zip")

    async with http.post("/v1/batches", data=form) as reply:
        body = await reply.json()

    assert reply.status == 202
    assert body["accepted"] == 1


async def test_file_name_header_is_percent_encoded(gateway, http):
    name = "caf\u00e9 \u2013 Ana\n.png"
    await post_zip(http, make_zip({name: image_bytes()}))
    (message,) = await queued_messages(gateway.js, 1)

    encoded = message.headers[messaging.FILE_NAME_HEADER]
    assert encoded.isascii() and " " not in encoded
    assert unquote(encoded) == "caf\u00e9 \u2013 Ana\\n.png"


async def test_large_image_travels_through_the_object_store_unchanged(gateway, http):
    large = image_bytes("PNG") + os.urandom(15 * 1024 * 1024)

    status, body = await post_zip(http, make_zip({"large.png": large}))
    (message,) = await queued_messages(gateway.js, 1)
    stored = await (await messaging.image_store(gateway.js)).get(
        message.headers[messaging.OBJECT_HEADER]
    )

    assert status == 202
    assert message.data == b""
    assert message.headers[messaging.OBJECT_HEADER] == f"{body['batch_id']}-0"
    assert stored.data == large


async def test_batch_on_a_new_gateway_says_it_is_still_checking_for_workers(
    gateway, http
):
    _, created = await post_zip(http, make_zip({"card.png": image_bytes()}))

    async with http.get(f"/v1/batches/{created['batch_id']}") as reply:
        batch = await reply.json()

    assert reply.status == 200
    assert batch["state"] == "RUNNING"
    assert batch["counts"]["queued"] == 1
    assert batch["cards"][0]["file"] == "card.png"
    assert batch["workers_online"] == 0
    assert "checking for OCR workers" in batch["notice"]


async def test_contacts_files_of_a_batch_read_whole_leave_out_none(gateway, http):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))
    batch_id = created["batch_id"]
    await finish_card(gateway, f"{batch_id}-0", contact=contact_pb2.Contact())
    path = f"/v1/batches/{batch_id}/contacts"

    left_out = []
    for wanted in ("vcard", "csv"):
        async with http.get(path, params={"format": wanted}) as reply:
            left_out.append((reply.status, reply.headers["Cardscan-Left-Out"]))
    async with http.get(path) as as_json:
        await as_json.json()

    assert left_out == [(200, "0"), (200, "0")]
    assert "Cardscan-Left-Out" not in as_json.headers


async def test_a_batch_in_the_basic_view_is_all_but_its_cards(gateway, http):
    _, created = await post_zip(
        http, make_zip({"a.png": image_bytes(), "b.txt": b"text"})
    )
    path = f"/v1/batches/{created['batch_id']}"

    replies = []
    for query in ({}, {"view": "full"}, {"view": "basic"}):
        async with http.get(path, params=query) as reply:
            replies.append((reply.status, await reply.json()))
    (_, unnamed), (_, full), (status, basic) = replies

    assert [r[0] for r in replies] == [200, 200, 200]
    assert [c["file"] for c in full["cards"]] == ["a.png"]
    assert unnamed == full
    assert "cards" not in basic
    assert basic == {k: v for k, v in full.items() if k != "cards"}
    assert basic["counts"]["total"] == 1
    assert basic["skipped"] == [
        {"name": "b.txt", "reason": full["skipped"][0]["reason"]}
    ]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"view": "summary"}, "view is 'summary': give one of basic, full"),
        ({"view": "BASIC"}, "view is 'BASIC': give one of basic, full"),
        ({"view": ""}, "view is '': give one of basic, full"),
        ([("view", "basic"), ("view", "full")], "view was given 2 times; give one"),
    ],
)
async def test_a_batch_in_a_view_not_given_is_refused_saying_so(
    gateway, http, query, said
):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))

    async with http.get(f"/v1/batches/{created['batch_id']}", params=query) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"] == {"code": "INVALID_ARGUMENT", "message": said}


async def test_contacts_list_every_card_of_the_batch(gateway, http):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))
    batch_id = created["batch_id"]

    async with http.get(f"/v1/batches/{batch_id}/contacts") as reply:
        body = await reply.json()

    assert body["batch_id"] == batch_id
    assert [(c["file"], c["state"]) for c in body["cards"]] == [("a.png", "QUEUED")]
    assert body["next_page_token"] == ""


async def test_contacts_come_a_page_at_a_time_when_asked(gateway, http):
    names = [f"{i}.png" for i in range(3)]
    _, created = await post_zip(http, make_zip(dict.fromkeys(names, image_bytes())))
    path = f"/v1/batches/{created['batch_id']}/contacts"

    async with http.get(path, params={"page_size": "2"}) as reply:
        first = await reply.json()
    token = first["next_page_token"]
    async with http.get(path, params={"page_size": "2", "page_token": token}) as reply:
        second = await reply.json()
    async with http.get(path, params={"page_token": "nonsense"}) as reply:
        refused = await reply.json()

    assert [c["file"] for c in first["cards"]] == names[:2]
    assert [c["file"] for c in second["cards"]] == names[2:]
    assert second["next_page_token"] == ""
    assert reply.status == 400
    assert refused["error"]["message"].startswith("page_token 'nonsense' is not one")


async def test_contacts_download_as_vcard_and_csv_files(gateway, http):
    names = ["ana.png", "blur.png", "next.png"]
    _, created = await post_zip(http, make_zip(dict.fromkeys(names, image_bytes())))
    batch_id = created["batch_id"]
    contact = contact_pb2.Contact(
        name=contact_pb2.PersonName(full="Ana Lima", given="Ana", family="Lima"),
        company="Lima GmbH",
        phones=[contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_WORK, number="+4930123")],
    )
    await finish_card(gateway, f"{batch_id}-0", contact=contact)
    await finish_card(gateway, f"{batch_id}-1", error="no text found")
    path = f"/v1/batches/{batch_id}/contacts"

    async with http.get(path, params={"format": "vcard"}) as vcf:
        entries = list(vobject.readComponents(await vcf.text()))
    async with http.get(path, params={"format": "csv"}) as table:
        text = await table.text()
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))

    assert vcf.status == 200
    assert vcf.headers["Cardscan-Left-Out"] == "2"
    assert table.headers["Cardscan-Left-Out"] == "2"
    assert vcf.content_type == "text/vcard"
    assert vcf.charset == "utf-8"
    assert vcf.headers["Content-Disposition"] == (
        f'attachment; filename="cardscan-{batch_id}.vcf"'
    )
    assert [(e.fn.value, e.org.value, e.tel.value) for e in entries] == [
        ("Ana Lima", ["Lima GmbH"], "+4930123")
    ]
    assert table.status == 200
    assert table.content_type == "text/csv"
    assert table.headers["Content-Disposition"].endswith(f'-{batch_id}.csv"')
    assert [(r["file_name"], r["company"], r["work_phone"]) for r in rows] == [
        ("ana.png", "Lima GmbH", "'+4930123")
    ]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"format": "xml"}, "format is 'xml': give one of json, vcard, csv"),
        (
            {"format": "vcard", "page_size": "2"},
            "page_size applies to JSON only: format=vcard gives the contacts of "
            "every card read at once",
        ),
        (
            [("format", "vcard"), ("format", "csv")],
            "format was given 2 times; give one",
        ),
        (
            [("page_size", "1"), ("page_size", "2")],
            "page_size was given 2 times; give one",
        ),
        (
            [("page_size", "1"), ("page_token", ""), ("page_token", "")],
            "page_token was given 2 times; give one",
        ),
    ],
)
async def test_contacts_asked_for_wrongly_are_refused_saying_so(
    gateway, http, query, said
):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))
    path = f"/v1/batches/{created['batch_id']}/contacts"

    async with http.get(path, params=query) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"] == {"code": "INVALID_ARGUMENT", "message": said}


async def test_contacts_file_of_an_unknown_batch_is_not_found(gateway, http):
    async with http.get(f"/v1/batches/{'0' * 32}/contacts?format=csv") as reply:
        body = await reply.json()

    assert reply.status == 404
    assert body["error"]["code"] == "NOT_FOUND"


async def test_batches_are_listed_newest_first_without_their_cards(gateway, http):
    _, older = await post_zip(http, make_zip({"a.png": image_bytes()}))
    _, newer = await post_zip(
        http, make_zip({"a.png": image_bytes(), "n.txt": b"notes"})
    )

    async with http.get("/v1/batches", params={"page_size": "1"}) as reply:
        first = await reply.json()
    token = first["next_page_token"]
    async with http.get("/v1/batches", params={"page_token": token}) as reply:
        second = await reply.json()

    assert reply.status == 200
    (newest,) = first["batches"]
    assert newest["batch_id"] == newer["batch_id"]
    assert newest["state"] == "RUNNING"
    assert newest["counts"]["queued"] == newest["counts"]["total"] == 1
    assert newest["skipped_count"] == 1
    assert "cards" not in newest
    assert newest["created_at"].endswith("Z")
    assert [b["batch_id"] for b in second["batches"]] == [older["batch_id"]]
    assert second["next_page_token"] == ""


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"page_size": "ten"}, "page_size is 'ten', not a whole number"),
        ({"page_size": "1_0"}, "page_size is '1_0', not a whole number"),
        ({"page_size": "\uff13"}, "page_size is '\uff13', not a whole number"),
        ({"page_size": " 1"}, "page_size is ' 1', not a whole number"),
        ({"page_size": "-1"}, "page_size is -1"),
        ({"page_size": "-99999999999999"}, "page_size is -99999999999999, far below"),
        ({"page_token": "nonsense"}, "page_token 'nonsense' is not one"),
        (
            [("page_size", "1"), ("page_size", "2")],
            "page_size was given 2 times; give one",
        ),
        (
            [("page_token", ""), ("page_token", "x")],
            "page_token was given 2 times; give one",
        ),
    ],
)
async def test_listing_batches_with_bad_paging_is_a_400_saying_why(http, query, words):
    async with http.get("/v1/batches", params=query) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"]["code"] == "INVALID_ARGUMENT"
    assert words in body["error"]["message"]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/batches/0123456789abcdef0123456789abcdef", 404, "NOT_FOUND"),
        ("/v1/batches/not-an-id/contacts", 404, "NOT_FOUND"),
        ("/v2/anything", 404, "NOT_FOUND"),
    ],
)
async def test_unknown_things_are_json_404s(http, path, status, code):
    async with http.get(path) as reply:
        body = await reply.json()

    assert (reply.status, body["error"]["code"]) == (status, code)
    assert body["error"]["message"]


@pytest.mark.parametrize("tail", ["", "/contacts"])
async def test_store_outage_is_a_503_naming_the_store(gateway, http, stack_parts, tail):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))
    stack_parts.stop_process("store")

    async with http.get(f"/v1/batches/{created['batch_id']}{tail}") as reply:
        body = await reply.json()

    assert reply.status == 503
    assert body["error"] == {
        "code": "UNAVAILABLE",
        "message": f"the store at {gateway.settings.store_addr} is unreachable "
        "(connection refused)",
    }


async def test_wrong_method_is_a_json_405(http):
    async with http.delete("/v1/batches") as reply:
        body = await reply.json()

    assert reply.status == 405
    assert "DELETE /v1/batches" in body["error"]["message"]


async def test_wrong_method_405_is_unimplemented_naming_the_methods_allowed(http):
    async with http.get("/v1/cards") as reply:
        body = await reply.json()

    assert (reply.status, body["error"]["code"]) == (405, "UNIMPLEMENTED")
    assert body["error"]["message"] == (
        "GET /v1/cards: Method Not Allowed; it takes POST"
    )
    assert reply.headers["Allow"] == "POST"
    assert reply.content_type == "application/json"


async def test_body_that_is_not_a_zip_is_a_400_saying_so(http):
    status, body = await post_zip(http, b"%PDF-1.7 not a zip")

    assert status == 400
    assert body["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "the upload is not a ZIP file; it looks like a PDF document",
    }


async def test_a_damaged_zip_sent_as_a_url_encoded_form_is_told_how_to_send_it(http):
    # As curl's --data may leave it: its end lost.
    damaged = make_zip({"one.png": image_bytes("PNG")})[:-40]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async with http.post("/v1/batches", data=damaged, headers=headers) as reply:
        status, body = reply.status, await reply.json()
    plain_status, plain = await post_zip(http, damaged)

    assert status == plain_status == 400
    assert "damaged" in body["error"]["message"]
    assert "--data-binary" in body["error"]["message"]
    assert "--data-binary" not in plain["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_a_form_of_words_sent_for_a_file_is_told_how_to_send_the_file(http, path):
    # As `curl --data file=@cards.zip` sends it: the words, not the file.
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async with http.post(path, data=b"file=@cards.zip", headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert status == 400
    assert body["error"]["message"].endswith(
        "it looks like text; if it was sent with curl's --data or -d, which send "
        "a file without its line breaks and file=@FILE as those very words, send "
        "the file with --data-binary @FILE or -F file=@FILE"
    )


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_a_form_without_a_file_field_names_the_fields_it_has(http, path):
    form = aiohttp.FormData()
    form.add_field("zip", make_zip({"a.png": image_bytes()}), filename="cards.zip")
    form.add_field("note", "fair")

    async with http.post(path, data=form) as reply:
        status, body = reply.status, await reply.json()

    assert status == 400
    assert body["error"]["message"] == (
        "the form has no field named 'file' with the file (it has 'zip', 'note'); "
        "send the file as file, as curl's -F file=@FILE does"
    )


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_a_json_body_is_told_the_gateway_takes_the_file_itself(http, path):
    async with http.post(path, json={"file": "cards.zip"}) as reply:
        status, body = reply.status, await reply.json()

    assert status == 400
    assert body["error"]["message"].endswith(
        "it looks like text; it came as JSON, which the gateway does not take: "
        "send the file itself as the body, or as form field file"
    )


async def test_an_image_sent_as_a_form_for_a_zip_is_told_only_where_to_send_it(http):
    # As curl's --data-binary sends it, unless told a Content-Type.
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    async with http.post("/v1/batches", data=image_bytes(), headers=headers) as reply:
        status, body = reply.status, await reply.json()

    assert status == 400
    assert body["error"]["message"] == (
        "the upload is not a ZIP file but a PNG image; send a single image to "
        "POST /v1/cards (gRPC ScanCard)"
    )


async def test_zip_without_images_is_a_400_listing_what_was_skipped(http):
    status, body = await post_zip(http, make_zip({"readme.txt": b"hello"}))

    assert status == 400
    assert "readme.txt: is not an image" in body["error"]["message"]


@pytest.mark.parametrize("declare_length", [True, False])
async def test_upload_over_the_limit_is_a_413_naming_it(
    gateway_settings, declare_length
):
    settings = with_limits(gateway_settings, max_upload_bytes=50_000)
    upload = make_zip({"card.bmp": os.urandom(200_000)})

    async def chunks():
        for at in range(0, len(upload), 16_384):
            yield upload[at : at + 16_384]

    data = upload if declare_length else chunks()
    async with (
        running_gateway(settings) as gateway,
        aiohttp.ClientSession(gateway.http_url) as http,
        http.post("/v1/batches", data=data) as reply,
    ):
        body = await reply.json()

    assert reply.status == 413
    assert "50000 bytes, the limit (MAX_UPLOAD_BYTES)" in body["error"]["message"]
    assert list(settings.upload_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        ({"max_upload_bytes": 10_000}, "10000 bytes, the limit (MAX_UPLOAD_BYTES)"),
        ({"max_card_bytes": 10_000}, "10000 bytes, the limit (MAX_CARD_BYTES)"),
    ],
)
@pytest.mark.parametrize("declare_length", [True, False])
async def test_scanned_image_over_the_smaller_limit_is_a_413_naming_it(
    gateway_settings, limits, words, declare_length
):
    settings = with_limits(gateway_settings, **limits)
    image = image_bytes("BMP", (100, 100))

    async def chunks():
        for at in range(0, len(image), 4096):
            yield image[at : at + 4096]

    data = image if declare_length else chunks()
    async with (
        running_gateway(settings) as gateway,
        aiohttp.ClientSession(gateway.http_url) as http,
        http.post("/v1/cards", data=data) as reply,
    ):
        body = await reply.json()
        stream = await gateway.js.stream_info(messaging.SCAN_STREAM)

    assert len(image) > 10_000
    assert reply.status == 413
    assert words in body["error"]["message"]
    assert stream.state.messages == 0


async def test_a_refused_upload_leaves_no_spool_file(gateway, http):
    await post_zip(http, b"not a zip")

    assert list(gateway.settings.upload_dir.iterdir()) == []


async def test_scanned_card_is_answered_with_its_contact(gateway, http):
    contact = contact_pb2.Contact(company="Acme", emails=["ana@acme.example"])
    form = aiohttp.FormData()
    form.add_field("file", image_bytes(), filename="ana.png")

    reply = asyncio.create_task(http.post("/v1/cards", data=form))
    (message,) = await queued_messages(gateway.js, 1, single=True)
    await finish_card(
        gateway, message.headers[messaging.CARD_ID_HEADER], contact=contact
    )
    async with await reply as response:
        card = await response.json()

    assert response.status == 200
    assert (card["file"], card["state"], card["company"]) == ("ana.png", "DONE", "Acme")
    assert card["emails"] == ["ana@acme.example"]


async def test_scanned_card_that_fails_is_a_422_with_card_and_error(gateway, http):
    reply = asyncio.create_task(http.post("/v1/cards", data=image_bytes()))
    (message,) = await queued_messages(gateway.js, 1, single=True)
    await finish_card(gateway, message.headers[messaging.CARD_ID_HEADER], error="blank")
    async with await reply as response:
        body = await response.json()

    assert response.status == 422
    assert body["error"] == {"code": "CARD_FAILED", "message": "blank"}
    assert body["card"]["state"] == "FAILED"


async def test_scan_without_a_worker_times_out_naming_the_batch(gateway, http):
    async with http.post("/v1/cards", data=image_bytes()) as reply:
        body = await reply.json()
    (message,) = await queued_messages(gateway.js, 1, single=True)
    card_id = message.headers[messaging.CARD_ID_HEADER]
    batch_id = card_id.rsplit("-", 1)[0]

    assert reply.status == 504
    assert body["error"]["code"] == "DEADLINE_EXCEEDED"
    assert "no OCR worker finished" in body["error"]["message"]
    assert f"GET /v1/batches/{batch_id}" in body["error"]["message"]
    async with http.get(f"/v1/batches/{batch_id}") as reply:
        assert (await reply.json())["cards"][0]["state"] == "QUEUED"


async def test_scan_with_no_worker_running_is_refused_at_once_and_not_queued(
    gateway, http, monkeypatch
):
    as_if_listened_a_whole_window(monkeypatch)

    async with http.post("/v1/cards", data=image_bytes()) as reply:
        body = await reply.json()
    stream = await gateway.js.stream_info(messaging.SCAN_STREAM)

    assert reply.status == 503
    assert body["error"] == {
        "code": "UNAVAILABLE",
        "message": "no OCR worker is running (none has sent a heartbeat in 6 s: "
        "none was started, or each has stopped, hangs or cannot reach the "
        "store); start one (`cardscan up` on the "
        "stack's data directory starts again the workers that stopped, and "
        "`cardscan down` then `cardscan up --workers N` runs N; `docker compose "
        "up --scale ocr=N` starts N) and send the card again",
    }
    assert stream.state.messages == 0


async def test_batch_with_no_worker_running_is_taken_with_a_notice(
    gateway, http, monkeypatch
):
    as_if_listened_a_whole_window(monkeypatch)

    status, body = await post_zip(http, make_zip({"a.png": image_bytes()}))
    (message,) = await queued_messages(gateway.js, 1)

    assert (status, body["accepted"]) == (202, 1)
    assert body["notice"] == (
        "no OCR worker is running (none has sent a heartbeat in 6 s: none was "
        "started, or each has stopped, hangs or cannot reach the store); the "
        "cards wait in the queue and are read "
        "once one starts (`cardscan up` on the stack's data directory starts "
        "again the workers that stopped, and `cardscan down` then `cardscan up "
        "--workers N` runs N; `docker compose up --scale ocr=N` starts N)"
    )
    assert message.headers[messaging.CARD_ID_HEADER] == f"{body['batch_id']}-0"


async def test_scan_of_something_not_an_image_is_a_400(http):
    async with http.post("/v1/cards", data=b"just some text") as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"]["message"] == (
        "the upload is not an image; it looks like text"
    )


async def test_scan_naming_its_image_twice_is_a_400_and_queues_nothing(gateway, http):
    query = [("file_name", "a.png"), ("file_name", "b.png")]

    async with http.post("/v1/cards", params=query, data=image_bytes()) as reply:
        body = await reply.json()
    stream = await gateway.js.stream_info(messaging.SCAN_STREAM)

    assert reply.status == 400
    assert body["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "file_name was given 2 times; give one",
    }
    assert stream.state.messages == 0


async def test_scan_naming_its_image_empty_is_a_400_and_queues_nothing(gateway, http):
    async with http.post("/v1/cards?file_name=", data=image_bytes()) as reply:
        body = await reply.json()
    stream = await gateway.js.stream_info(messaging.SCAN_STREAM)

    assert reply.status == 400
    assert body["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "file_name is empty; give the card's file name, or leave "
        "file_name out for the card to be called 'card'",
    }
    assert stream.state.messages == 0


async def test_scan_of_a_zip_is_a_400_pointing_to_batches(http):
    async with http.post("/v1/cards", data=make_zip({"a.png": image_bytes()})) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"]["message"] == (
        "the upload is not an image; it looks like a ZIP archive or Office "
        "document; send a ZIP of cards to POST /v1/batches or CreateBatch"
    )


async def test_form_without_a_file_field_is_a_400_naming_the_field(http):
    form = aiohttp.FormData()
    form.add_field("upload", make_zip({"a.png": image_bytes()}), filename="c.zip")

    async with http.post("/v1/batches", data=form) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert "no field named 'file'" in body["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
@pytest.mark.parametrize(
    ("content_type", "words"),
    [
        (
            "multipart/form-data",
            "boundary missed for Content-Type: multipart/form-data",
        ),
        (
            "multipart/form-data; boundary=xyz",
            "Could not find starting boundary b'--xyz'",
        ),
    ],
)
async def test_form_with_a_missing_or_wrong_boundary_is_a_400_saying_so(
    http, path, content_type, words
):
    headers = {"Content-Type": content_type}
    upload = make_zip({"a.png": image_bytes()})

    async with http.post(path, data=upload, headers=headers) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": f"the multipart form cannot be read: {words}",
    }


async def test_form_with_a_file_name_too_long_to_read_is_a_400_saying_so(http):
    form = aiohttp.FormData()
    form.add_field("file", image_bytes(), filename="n" * 70_000 + ".png")

    async with http.post("/v1/cards", data=form) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"]["code"] == "INVALID_ARGUMENT"
    assert body["error"]["message"].startswith(
        "the multipart form cannot be read: Got more than 8190 bytes when reading: "
        'b\'Content-Disposition: form-data; name="file"; filename="nnn'
    )


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_client_that_leaves_mid_upload_is_logged_without_a_traceback(
    gateway, caplog, path
):
    caplog.set_level(logging.INFO)
    host, port = gateway.settings.http_listen.rsplit(":", 1)
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/zip\r\nContent-Length: 10000000\r\n\r\n".encode()
    )
    writer.write(bytes(100_000))
    await writer.drain()
    # Leaves once the handler is reading, as a client that gives up does.
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()

    assert await logged(caplog, f'"POST {path} HTTP/1.1" 400')
    assert [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.levelno >= logging.INFO and record.name.startswith("gateway.http")
    ] == [
        (
            "INFO",
            f"HTTP POST {path}: the client left before the upload was complete; "
            "nothing was accepted",
        )
    ]
    assert not [record for record in caplog.records if record.exc_info]
    assert list(gateway.settings.upload_dir.iterdir()) == []


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_body_its_content_encoding_does_not_decode_is_a_400_saying_so(
    http, path, caplog
):
    caplog.set_level(logging.INFO)
    headers = {"Content-Type": "application/zip", "Content-Encoding": "gzip"}

    async with http.post(
        path, data=b"not gzip at all" * 1000, headers=headers
    ) as reply:
        body = await reply.json()
    await logged(caplog, f'"POST {path} HTTP/1.1" 400')
    # Long enough for aiohttp to have read on in the body, as it did.
    await asyncio.sleep(0.3)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert reply.status == 400
    assert body["error"] == {
        "code": "INVALID_ARGUMENT",
        "message": "the request body cannot be read: "
        "Can not decode content-encoding: gzip",
    }


async def test_gzip_body_is_held_to_the_upload_limit_once_decompressed(
    gateway_settings,
):
    settings = with_limits(gateway_settings, max_upload_bytes=50_000)
    compressed = gzip.compress(bytes(200_000))
    headers = {"Content-Type": "application/zip", "Content-Encoding": "gzip"}

    async with (
        running_gateway(settings) as gateway,
        aiohttp.ClientSession(gateway.http_url) as http,
        http.post("/v1/batches", data=compressed, headers=headers) as reply,
    ):
        body = await reply.json()

    assert len(compressed) < 50_000
    assert reply.status == 413
    assert "50000 bytes, the limit (MAX_UPLOAD_BYTES)" in body["error"]["message"]
    assert list(settings.upload_dir.iterdir()) == []


async def test_grpc_sent_to_the_http_port_is_logged_as_one_warning(gateway, caplog):
    caplog.set_level(logging.INFO)
    host, port = gateway.settings.http_listen.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    # What a gRPC client opens its connection with.
    writer.write(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    await writer.drain()
    answer = await reader.read(100)
    writer.close()
    await writer.wait_closed()

    assert await logged(caplog, "refused with 400")
    refused = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert b" 400 " in answer.split(b"\r\n")[0]
    assert [(r.levelname, r.exc_info) for r in refused] == [("WARNING", None)]


@pytest.mark.parametrize("path", ["/v1/batches", "/v1/cards"])
async def test_a_content_encoding_the_gateway_does_not_decode_is_a_400(http, path):
    headers = {"Content-Type": "application/zip", "Content-Encoding": "foo"}

    async with http.post(path, data=image_bytes(), headers=headers) as reply:
        body = await reply.json()

    assert reply.status == 400
    decoded = ", ".join(http_api.DECODED_ENCODINGS)
    assert body["error"]["message"] == (
        "the body's Content-Encoding 'foo' is not one the gateway decodes "
        f"({decoded}); send the body as it is"
    )
    assert decoded.startswith("identity, gzip, deflate")


async def test_a_form_with_two_files_is_a_400_and_keeps_neither(gateway, http):
    form = aiohttp.FormData()
    form.add_field("file", make_zip({"a.png": image_bytes()}), filename="one.zip")
    form.add_field("file", make_zip({"b.png": image_bytes()}), filename="two.zip")

    async with http.post("/v1/batches", data=form) as reply:
        body = await reply.json()
    async with http.get("/v1/batches") as listing:
        batches = (await listing.json())["batches"]

    assert reply.status == 400
    assert body["error"]["message"] == (
        "the form has more than one field named 'file'; send one file with each upload"
    )
    assert batches == []
    assert list(gateway.settings.upload_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("method", "path", "query", "said"),
    [
        (
            "GET",
            "/v1/batches",
            {"pagesize": "2"},
            "GET /v1/batches takes no query parameter pagesize; it takes "
            "page_size, page_token",
        ),
        (
            "GET",
            "/v1/batches/{id}",
            {"views": "basic", "full": "1"},
            "GET /v1/batches/{batch_id} takes no query parameter full, views; it "
            "takes view",
        ),
        (
            "GET",
            "/v1/batches/{id}/contacts",
            {"view": "basic"},
            "GET /v1/batches/{batch_id}/contacts takes no query parameter view; it "
            "takes format, page_size, page_token",
        ),
        (
            "POST",
            "/v1/batches",
            {"file_name": "a.zip"},
            "POST /v1/batches takes no query parameters; it was given file_name",
        ),
        (
            "POST",
            "/v1/cards",
            {"name": "a.png"},
            "POST /v1/cards takes no query parameter name; it takes file_name",
        ),
    ],
)
async def test_a_query_parameter_a_route_does_not_take_is_a_400_naming_it(
    gateway, http, method, path, query, said
):
    _, created = await post_zip(http, make_zip({"a.png": image_bytes()}))
    batches = await gateway.js.stream_info(messaging.STREAM)
    cards = await gateway.js.stream_info(messaging.SCAN_STREAM)
    url = path.replace("{id}", created["batch_id"])

    async with http.request(method, url, params=query, data=image_bytes()) as reply:
        body = await reply.json()

    assert reply.status == 400
    assert body["error"] == {"code": "INVALID_ARGUMENT", "message": said}
    # Nothing was taken: no batch and no card more than before.
    assert (await gateway.js.stream_info(messaging.STREAM)).state.messages == (
        batches.state.messages
    )
    assert (await gateway.js.stream_info(messaging.SCAN_STREAM)).state.messages == (
        cards.state.messages
    )
