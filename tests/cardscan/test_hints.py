"""Tests of the cardscan commands that messages suggest."""

from cardscan import hints


def test_a_hint_names_the_server_the_command_line_gave():
    shown = hints.command("127.0.0.1:41001", "status", "b1")

    assert shown == "`cardscan --server 127.0.0.1:41001 status b1`"


def test_a_hint_leaves_out_a_server_the_command_line_did_not_give():
    assert hints.command(None, "batches") == "`cardscan batches`"


def test_a_hint_quotes_what_the_shell_would_split():
    shown = hints.command(None, "scan", "fair cards.zip", "--key", "k1")

    assert shown == "`cardscan scan 'fair cards.zip' --key k1`"
