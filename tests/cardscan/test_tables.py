"""Tests of the rich tables the command line prints."""

import io

from rich.console import Console

from cardscan import tables
from cardscan.v1 import batch_pb2

# The command that lists the skipped entries of batch b1, as hints show it.
STATUS_B1 = "`cardscan status b1`"


def rendered(table) -> str:
    console = Console(file=io.StringIO(), width=200)
    console.print(table)
    return console.file.getvalue()


def test_control_characters_are_shown_escaped():
    assert tables.clean("a\x1b[31mb\x07\n") == "a\\x1b[31mb\\x07\\n"
    assert tables.clean("Jörg Müller-Lüdenscheidt") == "Jörg Müller-Lüdenscheidt"


def test_markup_in_a_file_name_is_shown_as_text():
    card = batch_pb2.Card(
        file_name="[bold red]x[/].png", state=batch_pb2.CARD_STATE_QUEUED
    )

    out = rendered(tables.contacts([card]))

    assert "[bold red]x[/].png" in out
    assert "QUEUED" in out


def skipped_entries(number):
    return [
        batch_pb2.SkippedEntry(name=f"e{i}.txt", reason="is not an image")
        for i in range(number)
    ]


def test_skipped_entries_past_the_most_asked_are_counted_not_listed():
    entries = skipped_entries(25)

    text = tables.skipped(entries, 25, STATUS_B1, most=20).plain
    every = tables.skipped(entries, 25).plain

    assert text.count(": is not an image") == 20
    assert text.endswith(
        "… and 5 more entries skipped: `cardscan status b1` lists every one"
    )
    assert every.count(": is not an image") == 25
    assert "more" not in every


def test_skipped_entries_past_those_listed_are_counted():
    entries = skipped_entries(100)

    text = tables.skipped(entries, 5000).plain
    one_more = tables.skipped(entries, 101).plain

    assert text.count(": is not an image") == 100
    assert text.endswith("\n  … and 4,900 more entries skipped")
    assert one_more.endswith("\n  … and 1 more entry skipped")


def test_skipped_entries_past_the_most_asked_say_how_many_status_lists():
    text = tables.skipped(skipped_entries(100), 5000, STATUS_B1, most=20).plain

    assert text.count(": is not an image") == 20
    assert text.endswith(
        "… and 4,980 more entries skipped: `cardscan status b1` lists the first 100"
    )


def test_skipped_entries_told_with_no_count_are_counted_by_number():
    text = tables.skipped(skipped_entries(3), 0).plain

    assert text.count(": is not an image") == 3
    assert "more" not in text


def test_an_extension_the_number_prints_already_is_not_shown_twice():
    card = batch_pb2.Card()
    card.contact.phones.add(number="913-503-7778x859", extension="859")
    card.contact.phones.add(number="+441715550100", extension="22")

    assert tables.phones(card) == [
        "unknown 913-503-7778x859",
        "unknown +441715550100 ext. 22",
    ]
