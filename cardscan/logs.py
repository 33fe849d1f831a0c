"""Logging set-up shared by every cardscan process."""

import logging

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure(service: str, level: str) -> None:
    """Configures the root logger once, at start-up; an unknown level stops
    start-up naming LOG_LEVEL, the variable every service reads it from."""
    if level.upper() not in LEVELS:
        raise SystemExit(
            f"{service}: LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}"
        )
    logging.basicConfig(
        level=level.upper(),
        format=f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s",
    )


class SaidOnce:
    """The things whose news was logged, so that each is said once until
    its news ends."""

    def __init__(self) -> None:
        self._said: set[str] = set()

    def first(self, key: str) -> bool:
        """Whether the news of the key is still to be said; from now on it
        counts as said."""
        if key in self._said:
            return False
        self._said.add(key)
        return True

    def ended(self, key: str) -> bool:
        """Whether the news of the key was said; from now on it is not."""
        if key not in self._said:
            return False
        self._said.discard(key)
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._said

    def clear(self) -> None:
        """Forgets every news said, so that each is said again."""
        self._said.clear()
