"""Approximate positions for households without coordinates, from their located neighbours.

A household with a desa and an RT/RW (or a dusun) but no coordinates is placed at the median
latitude and the median longitude of the located households of the same desa + dusun + RT/RW,
falling back to the same desa + dusun. Where no neighbour is located it gets no position: the
plan lists it as unserved (``no_location``) and ``berbagi check`` lists it for a field visit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from optimizer.scenario.fields import Bad

#: ``location`` prefix of a household placed by its neighbours.
APPROXIMATE = "approximate"


@dataclass(frozen=True, slots=True)
class Pending:
    """A household row without coordinates, and what it says about where it is."""

    index: int
    desa_code: str
    dusun: str
    rt: str
    rw: str


#: A located household: desa code, dusun, RT, RW and its (lat, lon).
Located = tuple[str, str, str, str, tuple[float, float]]


def normalise_dusun(text: str) -> str:
    """Dusun name for grouping: no case, no 'Dusun'/'Dsn.' prefix, no punctuation."""
    lowered = re.sub(r"^\s*(dusun|dsn\.?|lingkungan|lingk\.?)\s+", "", text.lower())
    return re.sub(r"[^0-9a-z]", "", lowered)


def _rt_rw_label(rt: str, rw: str) -> str:
    parts = [f"RT {rt}" if rt else "", f"RW {rw}" if rw else ""]
    return "/".join(p for p in parts if p)


def place_pending(
    pending: list[Pending], located: list[Located]
) -> list[tuple[float, float, str] | Bad]:
    """Place each pending household, or say why it cannot be placed.

    Returns
    -------
    list
        Per pending household, in order: ``(lat, lon, location)`` with ``location`` such as
        ``"approximate (RT 003/RW 001)"``, or a :class:`Bad` with the ``no_location`` reason.
    """
    by_rt: dict[tuple[str, str, str, str], list[tuple[float, float]]] = defaultdict(list)
    by_dusun: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for desa, dusun, rt, rw, where in located:
        key = normalise_dusun(dusun)
        if rt or rw:
            by_rt[(desa, key, rt, rw)].append(where)
        if key:
            by_dusun[(desa, key)].append(where)
    placed: list[tuple[float, float, str] | Bad] = []
    for item in pending:
        dusun = normalise_dusun(item.dusun)
        neighbours = (
            by_rt.get((item.desa_code, dusun, item.rt, item.rw)) if (item.rt or item.rw) else None
        )
        label = _rt_rw_label(item.rt, item.rw)
        if not neighbours and dusun:
            neighbours = by_dusun.get((item.desa_code, dusun))
            label = f"dusun {item.dusun.strip()}"
        if not neighbours:
            placed.append(Bad("lat/lon", _no_location_reason(item)))
            continue
        points = np.asarray(neighbours, dtype=np.float64)
        lat = float(np.round(np.median(points[:, 0]), 7))
        lon = float(np.round(np.median(points[:, 1]), 7))
        placed.append((lat, lon, f"{APPROXIMATE} ({label})"))
    return placed


def _no_location_reason(item: Pending) -> str:
    said = ", ".join(
        part
        for part in (
            f"dusun {item.dusun.strip()}" if item.dusun.strip() else "",
            _rt_rw_label(item.rt, item.rw),
        )
        if part
    )
    if not said:
        return (
            "no coordinates, and no dusun or RT/RW to place it by; add its coordinates (a GPS "
            "fix on a field visit) or its dusun and RT/RW"
        )
    return (
        f"no coordinates, and no household of {said} in this desa has any; record its position "
        "on a field visit (berbagi check lists it in needs_location.csv) or add coordinates"
    )
