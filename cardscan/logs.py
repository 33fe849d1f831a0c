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
