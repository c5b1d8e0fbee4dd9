"""Small validators for one cell each: every one returns the value or a :class:`Bad` reason.

A reason says what is wrong with the value and how to fix it; the caller adds the file, row and
field. Decimal commas (``-8,2123``) are read as decimal points.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from optimizer.units import parse_clock

MAX_PACKAGES_PER_HOUSEHOLD = 50
#: Values of the ``priority`` column that mark a priority household (elderly, disabled, ...).
PRIORITY_YES = frozenset({"1", "y", "yes", "ya", "true", "prioritas", "benar"})
PRIORITY_NO = frozenset({"", "0", "n", "no", "tidak", "false", "salah", "bukan"})
_NUMBER_TOKEN = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


@dataclass(frozen=True, slots=True)
class Bad:
    """Why a cell cannot be used: the field it concerns and what to do."""

    field: str
    reason: str


def parse_number(text: str) -> float | None:
    """Read a finite number, one decimal comma as a point; None if it is not a number."""
    cleaned = text.strip().replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_whole(text: str, field: str, low: int, high: int, example: str) -> int | Bad:
    """Read a whole number in [low, high]."""
    value = parse_number(text)
    if value is None or value != int(value) or not low <= value <= high:
        return Bad(
            field,
            f"{field} '{text}' is not a whole number from {low} to {high}; write digits, "
            f"e.g. {example}",
        )
    return int(value)


def parse_desil(text: str) -> int | Bad:
    """Read the register's decile, 1-10."""
    value = parse_number(text)
    if value is None or value != int(value) or not 1 <= value <= 10:
        return Bad(
            "desil",
            f"desil '{text}' is not a whole number from 1 to 10; check the register export",
        )
    return int(value)


def parse_packages(text: str) -> int | Bad:
    """Read the packages for one household (empty = 1)."""
    return parse_whole(text or "1", "packages", 1, MAX_PACKAGES_PER_HOUSEHOLD, "2")


def parse_priority(text: str) -> bool | Bad:
    """Read a priority mark: 1/ya/yes for an elderly or disabled member's household."""
    key = text.strip().lower()
    if key in PRIORITY_YES:
        return True
    if key in PRIORITY_NO:
        return False
    return Bad(
        "priority",
        f"priority '{text}' is not understood; write 1 for a priority household (elderly, "
        "disabled) or leave it empty",
    )


def parse_clock_or_none(text: str) -> int | None:
    """Seconds from midnight, or None for an empty cell; ValueError names a bad time."""
    return parse_clock(text) if text else None


def parse_window(
    start_text: str, end_text: str, shift_start_s: int, shift_end_s: int
) -> tuple[int | None, int | None] | Bad:
    """Read a household's time window; an open side takes the shift's start or end."""
    try:
        start = parse_clock_or_none(start_text)
        end = parse_clock_or_none(end_text)
    except ValueError as err:
        return Bad("window_start/window_end", f"{err}; or leave both empty")
    if start is None and end is None:
        return None, None
    start = shift_start_s if start is None else start
    end = shift_end_s if end is None else end
    if end <= start:
        return Bad(
            "window_end",
            f"window {start_text}-{end_text} ends before it starts; swap them or leave both empty",
        )
    return start, end


def split_coordinate_cell(text: str) -> tuple[str, str] | Bad:
    """Split one ``Koordinat`` cell ("-8.2123, 114.3456" or "-8,2123; 114,3456") in two."""
    tokens = _NUMBER_TOKEN.findall(text)
    if len(tokens) != 2:
        return Bad(
            "koordinat",
            f"'{text}' is not a 'latitude, longitude' pair; write it as -8.2123, 114.3456",
        )
    return tokens[0], tokens[1]


def is_blank_coordinate(lat_text: str, lon_text: str) -> bool:
    """Tell missing coordinates: empty cells, or the 0/0 an export writes for none."""
    if not lat_text.strip() and not lon_text.strip():
        return True
    return parse_number(lat_text) == 0.0 and parse_number(lon_text) == 0.0


def normalise_rt_rw(text: str) -> str:
    """RT/RW numbers as three digits (``3`` -> ``003``); other text unchanged."""
    cleaned = text.strip()
    return f"{int(cleaned):03d}" if cleaned.isdigit() else cleaned


def normalise_desa_code(text: str) -> str:
    """Write a Kemendagri desa code with dots (``3510012001`` -> ``35.10.01.2001``)."""
    cleaned = text.strip()
    digits = re.sub(r"\D", "", cleaned)
    if len(digits) == 10 and (cleaned.isdigit() or not re.search(r"[A-Za-z]", cleaned)):
        return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    return cleaned
