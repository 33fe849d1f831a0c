"""What more than one service reads alike from its environment."""

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
    if value <= 0:
        raise ValueError(f"{name} must be above zero, not {raw!r}")
    return value
