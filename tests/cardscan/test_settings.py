"""Settings more than one service reads: numbers above zero and addresses."""

import pytest

from cardscan import settings


@pytest.mark.parametrize(
    ("raw", "kind", "words"),
    [
        ("lots", int, "X must be a whole number, not 'lots'"),
        ("1.5", int, "X must be a whole number, not '1.5'"),
        ("0", int, "X must be above zero, not '0'"),
        ("-2.5", float, "X must be above zero, not '-2.5'"),
        ("nan", float, "X must be a finite number, not 'nan'"),
        ("inf", float, "X must be a finite number, not 'inf'"),
        ("-inf", float, "X must be a finite number, not '-inf'"),
    ],
)
def test_a_number_that_is_not_above_zero_is_refused_naming_it(raw, kind, words):
    with pytest.raises(ValueError) as raised:
        settings.positive_number({"X": raw}, "X", 1, kind)

    assert str(raised.value) == words


@pytest.mark.parametrize(("env", "value"), [({}, 7), ({"X": ""}, 7), ({"X": "3"}, 3)])
def test_an_unset_or_empty_number_takes_the_default(env, value):
    assert settings.positive_number(env, "X", 7) == value


@pytest.mark.parametrize(
    "raw", ["127.0.0.1:50051", "0.0.0.0:8080", "store:50052", "[::]:50051"]
)
def test_host_and_port_addresses_are_taken(raw):
    assert settings.address({"A": raw}, "A", "127.0.0.1:1") == raw


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("abc", "A must be HOST:PORT, such as 127.0.0.1:1, not 'abc'"),
        ("", "A must be HOST:PORT, such as 127.0.0.1:1, not ''"),
        ("127.0.0.1:", "A must be HOST:PORT"),
        ("127.0.0.1:http", "A must be HOST:PORT"),
        (
            "127.0.0.1:99999",
            "A must have a port from 1 to 65535, not '127.0.0.1:99999'",
        ),
        ("127.0.0.1:0", "A must have a port from 1 to 65535"),
    ],
)
def test_an_address_without_a_usable_port_is_refused_naming_it(raw, words):
    with pytest.raises(ValueError, match=words.replace(".", r"\.")):
        settings.address({"A": raw}, "A", "127.0.0.1:1")
