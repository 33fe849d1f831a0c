"""Logging set-up shared by every cardscan process."""

import logging


def configure(service: str, level: str) -> None:
    """Configures the root logger once, at start-up."""
    logging.basicConfig(
        level=level.upper(),
        format=f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s",
    )
