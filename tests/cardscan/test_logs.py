"""Saying each piece of news once until it ends."""

from cardscan.logs import SaidOnce


def test_news_is_said_once_until_it_ends_and_then_again():
    said = SaidOnce()

    firsts = [said.first("a"), said.first("a"), said.first("b")]
    ended = [said.ended("a"), said.ended("a")]
    again = said.first("a")

    assert firsts == [True, False, True]
    assert ended == [True, False]
    assert again is True
    assert "b" in said


def test_clearing_has_every_news_said_again():
    said = SaidOnce()
    said.first("a")
    said.first("b")

    said.clear()

    assert [said.first("a"), said.first("b")] == [True, True]
