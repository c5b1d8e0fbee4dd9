"""Clock times, durations and great-circle distances: the unit conversions in one place.

Times of day are parsed once into seconds from midnight of the planning day and turned back into
"HH:MM" only by renderers.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8
_CLOCK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_clock(text: str) -> int:
    """Parse a clock time "HH:MM" (or "HH.MM") into seconds from midnight.

    Parameters
    ----------
    text : str
        Clock time such as "08:00" or "13.30".

    Returns
    -------
    int
        Seconds from midnight.

    Raises
    ------
    ValueError
        If the text is not a valid 24-hour clock time.
    """
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a clock time; write it as HH:MM, e.g. 08:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes > 0):
        raise ValueError(f"'{text}' is not a clock time between 00:00 and 24:00")
    return hours * 3600 + minutes * 60


def format_clock(seconds: int) -> str:
    """Format seconds from midnight as "HH:MM" (rounded down to the minute)."""
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres between points given in degrees (vectorised)."""
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def local_xy_m(
    lat: npt.ArrayLike, lon: npt.ArrayLike, *, lat0: float, lon0: float
) -> npt.NDArray[np.float64]:
    """Project degrees to a local equirectangular plane in metres around (lat0, lon0).

    Accurate to well under 0.5 % across a regency-sized area; used for nearest-neighbour search.
    Returns an (n, 2) array of x (east) and y (north).
    """
    k = np.pi / 180.0 * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * k * np.cos(np.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return np.column_stack([x, y])
