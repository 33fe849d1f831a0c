"""What more than one service reads alike from its environment."""

import math
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

# The contacts, card images and logs a service writes are its user's alone:
# it creates files readable by no one else (0600) and folders no one else
# may enter (0700).
PRIVATE_UMASK = 0o077

# A 48-megapixel phone photo passes; anything larger is no card photo. The
# gateway refuses larger images at upload and the OCR workers refuse to
# decode them; MAX_IMAGE_PIXELS changes it for both.
MAX_IMAGE_PIXELS = 50_000_000


def positive_number(
    env: Mapping[str, str], name: str, default: float, kind: type = int
) -> float:
    """The setting as a number above zero, or the default when it is unset
    or empty; raises ValueError naming the setting for any other value."""
    return _number(env, name, default, kind, zero_taken=False)


def number_from_zero(
    env: Mapping[str, str], name: str, default: float, kind: type = int
) -> float:
    """The setting as a number of zero or more, or the default when it is
    unset or empty; raises ValueError naming the setting for any other value."""
    return _number(env, name, default, kind, zero_taken=True)


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type, zero_taken: bool
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, not {raw!r}") from None
    # "nan" and "inf" parse as floats, and nan passes every comparison.
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {raw!r}")
    if value < 0 or (value == 0 and not zero_taken):
        lowest = "zero or above" if zero_taken else "above zero"
        raise ValueError(f"{name} must be {lowest}, not {raw!r}")
    return value


# HOST:PORT, the host a name, an IPv4 address or an IPv6 one in brackets.
ADDRESS = re.compile(
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})"
)


def address(env: Mapping[str, str], name: str, default: str) -> str:
    """The setting as HOST:PORT with a port from 1 to 65535, or the default
    when it is unset; raises ValueError naming the setting otherwise.

    gRPC takes a port past 65535 modulo 65536, so 127.0.0.1:99999 would
    quietly listen on another port than the one asked for.
    """
    raw = env.get(name, default)
    found = ADDRESS.fullmatch(raw)
    if found is None:
        raise ValueError(f"{name} must be HOST:PORT, such as {default}, not {raw!r}")
    if not 1 <= int(found["port"]) <= 65535:
        raise ValueError(f"{name} must have a port from 1 to 65535, not {raw!r}")
    return raw


# The schemes nats-py connects with; it refuses to mix the websocket ones
# with the others in one list of servers.
NATS_SCHEMES = ("nats", "tls", "ws", "wss")
WEBSOCKET_SCHEMES = ("ws", "wss")
NATS_FORM = (
    "nats://HOST:PORT (or tls://, ws://, wss://), the servers of a cluster "
    "joined with commas"
)


def nats_url(
    env: Mapping[str, str],
    name: str = "NATS_URL",
    default: str = "nats://127.0.0.1:4222",
) -> str:
    """The setting as one NATS server's URL or a cluster's joined with
    commas, or the default when it is unset; raises ValueError naming the
    setting otherwise.

    nats-py takes almost any text for a host and tries it again for ever,
    so a wrong value would only show as a service that never connects.
    """
    raw = env.get(name, default)
    servers = nats_servers(raw)
    fault = nats_url_fault(servers)
    if fault:
        raise ValueError(
            f"{name} must be {NATS_FORM}, not {hide_password(raw)!r}: {fault}"
        )
    return ",".join(servers)


def nats_servers(url: str) -> list[str]:
    """The server URLs a NATS_URL lists, in its order."""
    return [server.strip() for server in url.split(",")]


def nats_url_fault(servers: list[str]) -> str | None:
    """What makes a list of NATS servers unusable, or None if nothing does."""
    if servers == [""]:
        return "it is empty"
    for server in servers:
        fault = nats_server_fault(server)
        if fault and len(servers) > 1 and server:
            return f"{fault} in {hide_password(server)!r}"
        if fault:
            return fault
    if len({server.split(":")[0] in WEBSOCKET_SCHEMES for server in servers}) > 1:
        return "ws:// and wss:// servers cannot be listed with others"
    return None


def nats_server_fault(server: str) -> str | None:
    """What makes one server's URL unusable, or None if nothing does."""
    if not server:
        return "a server's URL between commas is empty"
    if "://" not in server:
        return "there is no scheme"
    try:
        parts = urlsplit(server)
    except ValueError:
        return "it is not a URL"
    if parts.scheme not in NATS_SCHEMES:
        return f"the scheme is {parts.scheme or 'missing'}"
    if not parts.hostname:
        return "there is no host"
    # urlsplit takes the text after the host's last colon as the port.
    written = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if written and not written.isdigit():
        return f"the port {written!r} is not a number from 1 to 65535"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "the port is not from 1 to 65535"
    return None


def hide_password(url: str) -> str:
    """The URL with the password of any user in it masked, for messages."""
    return re.sub(r"(//[^:/@,]*:)[^@/,]*@", r"\1***@", url)
