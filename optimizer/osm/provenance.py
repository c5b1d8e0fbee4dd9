"""What every OpenStreetMap network records about itself, and where its progress lines go."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

logger = logging.getLogger(__name__)

LICENCE = "ODbL-1.0"
ATTRIBUTION = "© OpenStreetMap contributors, ODbL"


def today() -> str:
    """Today's date (UTC) as ``YYYY-MM-DD``, the ``created`` date of an import."""
    return datetime.now(UTC).date().isoformat()


def progress_lines(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    """Return the caller's progress callback, or the logger's ``info`` when there is none."""
    return progress if progress is not None else logger.info
