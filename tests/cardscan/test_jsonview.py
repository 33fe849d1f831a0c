"""The JSON shape of cards that the HTTP API and the CLI share."""

from cardscan import jsonview
from cardscan.v1 import batch_pb2, contact_pb2


def test_e164_number_carries_its_extension_as_rfc3966_writes_it():
    phone = contact_pb2.Phone(number="+15676806409", extension="7464")

    assert jsonview.phone_number(phone) == "+15676806409;ext=7464"


def test_number_kept_as_printed_is_shown_as_printed():
    phone = contact_pb2.Phone(number="0171 555 0100 ext. 22", extension="22")

    assert jsonview.phone_number(phone) == "0171 555 0100 ext. 22"


def test_failed_card_has_every_contact_field_empty_beside_its_error():
    card = batch_pb2.Card(
        file_name="a.jpg", state=batch_pb2.CARD_STATE_FAILED, error="truncated"
    )

    shown = jsonview.card(card)

    assert shown["state"] == "FAILED"
    assert shown["error"] == "truncated"
    assert shown["name"] == shown["address"] == ""
    assert shown["phones"] == shown["emails"] == shown["websites"] == []


def test_phone_types_are_lower_case_words():
    contact = contact_pb2.Contact(
        phones=[
            contact_pb2.Phone(type=contact_pb2.PHONE_TYPE_FAX, number="+3312345678"),
            contact_pb2.Phone(number="12345678"),
        ]
    )

    phones = jsonview.contact_fields(contact)["phones"]

    assert [p["type"] for p in phones] == ["fax", "unknown"]


def test_listed_batch_has_its_counts_and_no_cards():
    counts = batch_pb2.BatchCounts(total=4, queued=1, processing=1, done=1, failed=1)
    listed = batch_pb2.BatchSummary(
        batch_id="b7",
        state=batch_pb2.BATCH_STATE_RUNNING,
        counts=counts,
        skipped_count=2,
    )
    listed.created_at.FromJsonString("2026-03-01T09:30:00.250Z")

    assert jsonview.batch_summary(listed) == {
        "batch_id": "b7",
        "state": "RUNNING",
        "counts": {"total": 4, "queued": 1, "processing": 1, "done": 1, "failed": 1},
        "skipped_count": 2,
        "created_at": "2026-03-01T09:30:00.250Z",
    }


def test_batch_lists_its_first_skipped_entries_beside_how_many_were_skipped():
    batch = batch_pb2.Batch(
        batch_id="b7",
        skipped=[batch_pb2.SkippedEntry(name="notes.txt", reason="is not an image")],
        skipped_count=4901,
    )

    shown = jsonview.batch(batch)

    assert shown["skipped"] == [{"name": "notes.txt", "reason": "is not an image"}]
    assert shown["skipped_count"] == 4901


def test_batch_without_its_cards_has_no_cards_key_and_all_else():
    batch = batch_pb2.Batch(
        batch_id="b8",
        counts=batch_pb2.BatchCounts(total=5000, queued=5000),
        notice="no OCR worker",
    )

    full = jsonview.batch(batch)
    basic = jsonview.batch(batch, with_cards=False)

    assert full["cards"] == []
    assert basic == {k: v for k, v in full.items() if k != "cards"}
    assert basic["counts"]["total"] == 5000
