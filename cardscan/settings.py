"""What more than one service reads alike from its environment."""

import math
import re
from collections.abc import Mapping

# A 48-megapixel phone photo passes; anything larger is no card photo. The
# gateway refuses larger images at upload and the OCR workers refuse to
# decode them; MAX_IMAGE_PIXELS changes it for both.
MAX_IMAGE_PIXELS = 50_000_000


def positive_number(
    env: Mapping[str, str], name: str, default: float, kind: type = int
) -> float:
    """The setting as a number above zero, or the default when it is unset
    or empty; raises ValueError naming the setting for any other value."""
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
    if value <= 0:
        raise ValueError(f"{name} must be above zero, not {raw!r}")
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
