"""Tabular outputs of a plan: routes.csv (a team's day, row by row) and unserved.csv.

routes.csv has one row per door (``event`` = ``door``) and, in time order between them, one row
per return to the depot to reload (``reload``), one for the team's break (``break``) and, before
the first door of each walk from a parked vehicle, one where the team parks (``park``: the
parking place, when the team leaves and is back at the vehicle, the doors of the walk and the
metres on foot), so a team lead reads the whole day from top to bottom. Coordinates are written
with the plan's ``render.coordinate_decimals`` decimal places, as on the map; heads of household
appear as ``render.names`` says (in full, or as initials).
"""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.config import RenderConfig
from optimizer.plan import Park, Plan, Route
from optimizer.render.names import NameMode, display_name
from optimizer.render.walks import door_span, one_door, walk_metres, walk_trip
from optimizer.units import format_clock

ROUTE_COLUMNS = (
    "team_id",
    "vehicle",
    "depot_id",
    "event",
    "stop",
    "trip",
    "household_id",
    "head_name",
    "address",
    "desa",
    "arrival",
    "departure",
    "packages",
    "load_after",
    "window",
    "priority",
    "walk_m",
    "notes",
    "location",
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


def _coordinate(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _route_rows(
    route: Route, label: str, decimals: int, names: NameMode = "full"
) -> list[list[object]]:
    """Return the rows of one team's day, in time order."""
    timed: list[tuple[tuple[int, int, int], list[object]]] = []

    def other(event: str, after: int, start: int, end: int, trip: int | str, note: str) -> None:
        row: list[object] = [safe_cell(route.team_id), route.vehicle, safe_cell(route.depot_id)]
        row += [event, "", trip, "", "", "", "", format_clock(start), format_clock(end)]
        row += ["", 0 if event == "reload" else "", "", "", "", note, "", "", "", label]
        timed.append(((after, 0, start), row))

    for stop in route.stops:
        row: list[object] = [safe_cell(route.team_id), route.vehicle, safe_cell(route.depot_id)]
        row += ["door", stop.sequence, stop.trip, safe_cell(stop.household_id)]
        name = display_name(stop.head_name, names)
        row += [safe_cell(name), safe_cell(stop.address), safe_cell(stop.desa_name)]
        row += [format_clock(stop.arrival_s), format_clock(stop.departure_s), stop.packages]
        row += [stop.load_after, _window(stop.window_start_s, stop.window_end_s)]
        row += ["yes" if stop.priority else "", f"{stop.walk_m:.0f}", safe_cell(stop.notes)]
        row += [
            stop.location,
            _coordinate(stop.lat, decimals),
            _coordinate(stop.lon, decimals),
            label,
        ]
        timed.append(((stop.sequence - 1, 1, stop.arrival_s), row))
    for number, reload in enumerate(route.reloads, start=2):
        note = f"back to depot {route.depot_id} to load trip {number}"
        other("reload", reload.after_stop, reload.arrival_s, reload.departure_s, number, note)
    if route.break_ is not None:
        last = route.break_.after_stop == len(route.stops)
        where = "on the way back to the depot" if last else "before the next door"
        other(
            "break",
            route.break_.after_stop,
            route.break_.start_s,
            route.break_.end_s,
            "",
            f"break ({where})",
        )
    for park in route.parks:
        row = _park_row(route, park, label, decimals)
        timed.append(((park.first_stop - 1, 0, park.arrival_s), row))
    # Doors done before the event, then reloads, breaks and parks before the next door, by time.
    timed.sort(key=lambda item: item[0])
    return [row for _, row in timed]


def _park_row(route: Route, park: Park, label: str, decimals: int) -> list[object]:
    """Return the row where the team parks and walks to doors ``first_stop``..``last_stop``."""
    doors = f"door {park.first_stop}" if one_door(park) else f"doors {door_span(park)}"
    metres = walk_metres(park)
    note = f"park here; walk to {doors} and back ({metres} m on foot)"
    row: list[object] = [safe_cell(route.team_id), route.vehicle, safe_cell(route.depot_id)]
    row += ["park", "", walk_trip(route, park), "", "", "", ""]
    row += [format_clock(park.arrival_s), format_clock(park.departure_s)]
    row += ["", "", "", "", metres, note, ""]
    row += [_coordinate(park.lat, decimals), _coordinate(park.lon, decimals), label]
    return row


def write_sheets(plan: Plan, folder: Path, *, config: RenderConfig | None = None) -> list[Path]:
    """Write ``routes.csv`` and ``unserved.csv`` into a folder.

    Parameters
    ----------
    plan : Plan
    folder : Path
        Created when missing.
    config : RenderConfig, optional
        ``coordinate_decimals`` sets the decimal places of ``lat`` and ``lon``. Defaults to the
        plan's own settings, ``plan.render``.

    Returns
    -------
    list of Path
        The files written.

    Notes
    -----
    Text from the input files is written with spreadsheet formulas neutralised. Every row says
    ``SYNTHETIC DEMO DATA`` in ``data_notice`` when the plan rests on demonstration data.
    """
    render = config if config is not None else plan.render
    decimals = render.coordinate_decimals
    folder.mkdir(parents=True, exist_ok=True)
    label = SYNTHETIC_LABEL if plan.synthetic_data else ""
    routes_path = folder / "routes.csv"
    with routes_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ROUTE_COLUMNS)
        for route in plan.routes:
            writer.writerows(_route_rows(route, label, decimals, render.names))
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
                    "" if item.lat is None else _coordinate(item.lat, decimals),
                    "" if item.lon is None else _coordinate(item.lon, decimals),
                    label,
                ]
            )
    return [routes_path, unserved_path]
