"""Rich tables of contacts and batches for the command line.

Every value shown comes from an upload or from OCR, so each passes through
``clean`` first: rich markup in it stays text, and control characters are
shown escaped instead of reaching the terminal.
"""

import unicodedata

from rich.table import Table
from rich.text import Text

from cardscan import jsonview, skips
from cardscan.v1 import batch_pb2

STATE_STYLES = {"DONE": "green", "FAILED": "red", "QUEUED": "dim", "PROCESSING": "cyan"}


def clean(value: str) -> str:
    """The value with control and other invisible characters escaped."""
    return "".join(
        c.encode("unicode_escape").decode() if unicodedata.category(c)[0] == "C" else c
        for c in value
    )


def lines(values: list[str]) -> Text:
    """One cell with each value on a line of its own."""
    return Text("\n".join(clean(v) for v in values))


def phones(card: batch_pb2.Card) -> list[str]:
    """Each phone as 'type number', with its extension when it has one that
    the number as printed does not end with already ("…7778x859")."""
    shown = []
    for phone in card.contact.phones:
        shown_in_number = phone.number.endswith(phone.extension)
        extension = "" if shown_in_number else f" ext. {phone.extension}"
        kind = jsonview.phone_type_name(phone.type)
        shown.append(f"{kind} {phone.number}{extension}")
    return shown


def name_cell(card: batch_pb2.Card) -> Text:
    """The name of a DONE card, else its state and any error, coloured."""
    state = jsonview.state_name(card.state)
    if state == "DONE":
        return Text(clean(card.contact.name.full))
    note = f"{state}: {card.error}" if card.error else state
    return Text(clean(note), style=STATE_STYLES.get(state, ""))


def contacts(cards: list[batch_pb2.Card]) -> Table:
    """One row per card: its file, and its contact or why it has none."""
    table = Table(title="Contacts", show_lines=True)
    for header in ["File", "Name", "Title", "Company", "Phones", "Emails", "Websites"]:
        table.add_column(header, overflow="fold")
    for card in cards:
        contact = card.contact
        table.add_row(
            Text(clean(card.file_name)),
            name_cell(card),
            Text(clean(contact.title)),
            Text(clean(contact.company)),
            lines(phones(card)),
            lines(list(contact.emails)),
            lines(list(contact.websites)),
        )
    return table


def contact(card: batch_pb2.Card) -> Table:
    """One card's fields, one per row."""
    table = Table(title=Text(clean(card.file_name)), show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    contact = card.contact
    rows = [
        ("Name", [contact.name.full]),
        ("Title", [contact.title]),
        ("Department", [contact.department]),
        ("Company", [contact.company]),
        ("Phones", phones(card)),
        ("Emails", list(contact.emails)),
        ("Websites", list(contact.websites)),
        ("Address", [contact.address.full]),
    ]
    for field, values in rows:
        table.add_row(field, lines(values))
    if contact.needs_review:
        table.add_row("Review", Text("some fields were read with low confidence"))
    return table


def batch(batch: batch_pb2.Batch) -> Table:
    """The state of each card of a batch."""
    counts = batch.counts
    state = jsonview.batch_state_name(batch.state)
    title = (
        f"Batch {clean(batch.batch_id)}: {state.lower()}, {counts.done} done, "
        f"{counts.failed} failed of {counts.total}"
    )
    table = Table(title=Text(title))
    for header in ["File", "State", "Attempts", "Error"]:
        table.add_column(header, overflow="fold")
    for card in batch.cards:
        card_state = jsonview.state_name(card.state)
        table.add_row(
            Text(clean(card.file_name)),
            Text(card_state, style=STATE_STYLES.get(card_state, "")),
            str(card.attempts),
            Text(clean(card.error)),
        )
    return table


def batches(summaries: list[batch_pb2.BatchSummary]) -> Table:
    """Batches, one a row, with when each was accepted and its counts."""
    table = Table(title=Text("Batches, newest first"))
    headers = ["Batch", "Accepted (UTC)", "State", "Done", "Failed", "Open", "Cards"]
    for header in [*headers, "Skipped"]:
        table.add_column(header, overflow="fold")
    for summary in summaries:
        counts = summary.counts
        accepted = summary.created_at.ToDatetime().isoformat(" ", "seconds")
        table.add_row(
            Text(clean(summary.batch_id)),
            accepted,
            jsonview.batch_state_name(summary.state).lower(),
            str(counts.done),
            str(counts.failed),
            str(counts.queued + counts.processing),
            str(counts.total),
            str(summary.skipped_count),
        )
    return table


def skipped(
    entries: list[batch_pb2.SkippedEntry],
    count: int,
    lister: str = "",
    most: int = 0,
) -> Text:
    """The first upload entries not taken as cards, one per line with the
    reason, and a line saying how many more of the count were skipped;
    given a most, at most that many, and the line names the lister, the
    command that lists more."""
    listed = entries[:most] if most else entries
    shown = [f"  skipped {clean(e.name)}: {clean(e.reason)}" for e in listed]
    total = skips.total(entries, count)
    more = total - len(listed)
    if more:
        line = f"  … and {more:,} more {'entry' if more == 1 else 'entries'} skipped"
        if len(listed) < len(entries):
            which = (
                "every one" if len(entries) == total else f"the first {len(entries):,}"
            )
            line += f": {lister} lists {which}"
        shown.append(line)
    return Text("\n".join(shown), style="yellow")


def count(number: int, noun: str) -> str:
    """'1 card', '2 cards'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
