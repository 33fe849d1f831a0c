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


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("250", 250), ("", 7)])
def test_a_number_from_zero_takes_zero(raw, value):
    assert settings.number_from_zero({"X": raw}, "X", 7) == value


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("-1", "X must be zero or above, not '-1'"),
        ("1.5", "X must be a whole number, not '1.5'"),
        ("nan", "X must be a whole number, not 'nan'"),
    ],
)
def test_a_number_below_zero_is_refused_naming_it(raw, words):
    with pytest.raises(ValueError) as raised:
        settings.number_from_zero({"X": raw}, "X", 7)

    assert str(raised.value) == words


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


@pytest.mark.parametrize(
    ("raw", "servers"),
    [
        ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222"),
        ("tls://user:secret@nats.example:4443", "tls://user:secret@nats.example:4443"),
        ("wss://nats.example", "wss://nats.example"),
        ("nats://[::1]:4222", "nats://[::1]:4222"),
        (
            "nats://a:4222, nats://b:4222,nats://c",
            "nats://a:4222,nats://b:4222,nats://c",
        ),
    ],
)
def test_a_nats_server_or_a_cluster_of_them_is_taken(raw, servers):
    assert settings.nats_url({"NATS_URL": raw}) == servers


def test_an_unset_nats_url_takes_the_default():
    assert settings.nats_url({}, "NATS_URL", "nats://127.0.0.1:1") == (
        "nats://127.0.0.1:1"
    )


def test_a_cluster_url_lists_each_server_for_the_client():
    url = settings.nats_url({"NATS_URL": "nats://a:4222 ,tls://b:4443"})

    assert settings.nats_servers(url) == ["nats://a:4222", "tls://b:4443"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "it is empty"),
        ("garbage", "there is no scheme"),
        ("127.0.0.1:4222", "there is no scheme"),
        ("http://127.0.0.1:4222", "the scheme is http"),
        ("nats://127.0.0.1:99999", "the port is not from 1 to 65535"),
        ("nats://127.0.0.1:0", "the port is not from 1 to 65535"),
        ("nats://127.0.0.1:four", "the port 'four' is not a number from 1 to 65535"),
        ("nats://127.0.0.1:-1", "the port '-1' is not a number from 1 to 65535"),
        ("nats://me@127.0.0.1:x", "the port 'x' is not a number from 1 to 65535"),
        ("nats://[::1]:abc", "the port 'abc' is not a number from 1 to 65535"),
        ("nats://:4222", "there is no host"),
        ("nats://[::1", "it is not a URL"),
        ("nats://a:4222,,nats://b:4222", "a server's URL between commas is empty"),
        ("nats://a:4222,", "a server's URL between commas is empty"),
        (
            "nats://a:4222,http://b:4222",
            "the scheme is http in 'http://b:4222'",
        ),
        (
            "nats://a:4222,ws://b:8080",
            "ws:// and wss:// servers cannot be listed with others",
        ),
    ],
)
def test_a_nats_url_nats_cannot_use_is_refused_naming_it_and_the_form(raw, why):
    with pytest.raises(ValueError) as raised:
        settings.nats_url({"NATS_URL": raw})

    assert str(raised.value) == (
        "NATS_URL must be nats://HOST:PORT (or tls://, ws://, wss://), the "
        f"servers of a cluster joined with commas, not {raw!r}: {why}"
    )


def test_a_refused_nats_url_does_not_show_its_password():
    with pytest.raises(ValueError) as raised:
        settings.nats_url({"NATS_URL": "nats://cardscan:s3cret@nats:99999"})

    assert "s3cret" not in str(raised.value)
    assert "'nats://cardscan:***@nats:99999'" in str(raised.value)
