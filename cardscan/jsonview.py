"""JSON shapes of cards and batches, shared by the HTTP API and the CLI.

A card is one flat object: ``file``, ``state`` and ``error`` with the
contact's fields beside them, ``name`` and ``address`` as plain strings and
their parts under ``name_parts`` and ``address_parts``.
"""

import re
from typing import Any

from cardscan.v1 import batch_pb2, contact_pb2

E164 = re.compile(r"\+[1-9]\d{6,14}")


def state_name(state: int) -> str:
    """QUEUED, PROCESSING, DONE or FAILED."""
    return batch_pb2.CardState.Name(state).removeprefix("CARD_STATE_")


def batch_state_name(state: int) -> str:
    """RUNNING or COMPLETE."""
    return batch_pb2.BatchState.Name(state).removeprefix("BATCH_STATE_")


def phone_type_name(kind: int) -> str:
    """mobile, work, fax, other, or unknown."""
    name = contact_pb2.PhoneType.Name(kind).removeprefix("PHONE_TYPE_").lower()
    return "unknown" if name == "unspecified" else name


def phone_number(phone: contact_pb2.Phone) -> str:
    """The number as one string: an E.164 number carries its extension the
    way RFC 3966 writes it (``+15550100;ext=12``), so that dialling it or
    importing it keeps the extension; a number kept as printed has its
    extension in it already."""
    if phone.extension and E164.fullmatch(phone.number):
        return f"{phone.number};ext={phone.extension}"
    return phone.number


def contact_fields(contact: contact_pb2.Contact) -> dict[str, Any]:
    """The contact's fields as plain JSON values."""
    name, address = contact.name, contact.address
    return {
        "name": name.full,
        "name_parts": {
            "prefix": name.prefix,
            "given": name.given,
            "family": name.family,
        },
        "title": contact.title,
        "department": contact.department,
        "company": contact.company,
        "phones": [
            {
                "type": phone_type_name(p.type),
                "number": phone_number(p),
                "extension": p.extension,
            }
            for p in contact.phones
        ],
        "emails": list(contact.emails),
        "websites": list(contact.websites),
        "address": address.full,
        "address_parts": {
            "street": address.street,
            "postal_code": address.postal_code,
            "city": address.city,
            "region": address.region,
            "country": address.country,
        },
        "confidence": {k: round(v, 3) for k, v in sorted(contact.confidence.items())},
        "needs_review": contact.needs_review,
        "raw_text": contact.raw_text,
    }


def card(card: batch_pb2.Card, with_contact: bool = True) -> dict[str, Any]:
    """A card with its state and, when asked and DONE, its contact."""
    out: dict[str, Any] = {
        "card_id": card.card_id,
        "file": card.file_name,
        "state": state_name(card.state),
        "error": card.error,
        "attempts": card.attempts,
    }
    if with_contact:
        # A card without a contact reads as an empty one: every field blank.
        out.update(contact_fields(card.contact))
    return out


def counts(counts: batch_pb2.BatchCounts) -> dict[str, int]:
    """Card counts by state."""
    return {
        "total": counts.total,
        "queued": counts.queued,
        "processing": counts.processing,
        "done": counts.done,
        "failed": counts.failed,
    }


def skipped(entries: list[batch_pb2.SkippedEntry]) -> list[dict[str, str]]:
    """Upload entries not taken as cards, with their reasons."""
    return [{"name": e.name, "reason": e.reason} for e in entries]


def batch(batch: batch_pb2.Batch, with_cards: bool = True) -> dict[str, Any]:
    """A batch with the state of each card, without contacts; without the
    key "cards" at all when with_cards is false, as for a batch read in
    the basic view, so that it cannot be taken for a batch of no cards."""
    out = {
        "batch_id": batch.batch_id,
        "state": batch_state_name(batch.state),
        "counts": counts(batch.counts),
        "cards": [card(c, with_contact=False) for c in batch.cards],
        "skipped": skipped(batch.skipped),
        "skipped_count": batch.skipped_count,
        "created_at": batch.created_at.ToJsonString(),
        "workers_online": batch.workers_online,
        "notice": batch.notice,
    }
    if not with_cards:
        del out["cards"]
    return out


def batch_summary(summary: batch_pb2.BatchSummary) -> dict[str, Any]:
    """A batch as listed: its state and counts, without its cards."""
    return {
        "batch_id": summary.batch_id,
        "state": batch_state_name(summary.state),
        "counts": counts(summary.counts),
        "skipped_count": summary.skipped_count,
        "created_at": summary.created_at.ToJsonString(),
    }
