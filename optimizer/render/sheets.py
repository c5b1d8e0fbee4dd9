"""Tabular outputs of a plan: routes.csv (one row per door) and unserved.csv."""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.plan import Plan
from optimizer.units import format_clock

ROUTE_COLUMNS = (
    "team_id",
    "vehicle",
    "depot_id",
    "stop",
    "household_id",
    "head_name",
    "address",
    "desa",
    "arrival",
    "departure",
    "packages",
    "load_after",
    "window",
    "walk_m",
    "notes",
    "lat",
    "lon",
    "data_notice",
)
UNSERVED_COLUMNS = (
    "row",
    "household_id",
    "reason_code",
    "reason",
    "desa_code",
    "lat",
    "lon",
    "data_notice",
)
SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA"


def safe_cell(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (=, +, -, @ at the start)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _window(start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    return f"{format_clock(start)}-{format_clock(end)}"


def write_sheets(plan: Plan, folder: Path) -> list[Path]:
    """Write ``routes.csv`` and ``unserved.csv`` into a folder.

    Parameters
    ----------
    plan : Plan
    folder : Path
        Created when missing.

    Returns
    -------
    list of Path
        The files written.

    Notes
    -----
    Text from the input files is written with spreadsheet formulas neutralised. Every row says
    ``SYNTHETIC DEMO DATA`` in ``data_notice`` when the plan rests on demonstration data.
    """
    folder.mkdir(parents=True, exist_ok=True)
    label = SYNTHETIC_LABEL if plan.synthetic_data else ""
    routes_path = folder / "routes.csv"
    with routes_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ROUTE_COLUMNS)
        for route in plan.routes:
            for stop in route.stops:
                writer.writerow(
                    [
                        safe_cell(route.team_id),
                        route.vehicle,
                        safe_cell(route.depot_id),
                        stop.sequence,
                        safe_cell(stop.household_id),
                        safe_cell(stop.head_name),
                        safe_cell(stop.address),
                        safe_cell(stop.desa_name),
                        format_clock(stop.arrival_s),
                        format_clock(stop.departure_s),
                        stop.packages,
                        stop.load_after,
                        _window(stop.window_start_s, stop.window_end_s),
                        f"{stop.walk_m:.0f}",
                        safe_cell(stop.notes),
                        f"{stop.lat:.6f}",
                        f"{stop.lon:.6f}",
                        label,
                    ]
                )
    unserved_path = folder / "unserved.csv"
    with unserved_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(UNSERVED_COLUMNS)
        for item in plan.unserved:
            writer.writerow(
                [
                    item.row,
                    safe_cell(item.household_id),
                    str(item.code),
                    safe_cell(item.reason),
                    item.desa_code,
                    "" if item.lat is None else f"{item.lat:.6f}",
                    "" if item.lon is None else f"{item.lon:.6f}",
                    label,
                ]
            )
    return [routes_path, unserved_path]
