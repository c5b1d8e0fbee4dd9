"""What a team's printed route sheet says, as plain text: header facts and the stop table.

:func:`build_team_sheet` reads one route of a plan (and its depot) and returns a
:class:`TeamSheet`: the header lines, one :class:`SheetRow` per door in visiting order and, in
time order between them, one per reload, one for the break and one where the team parks before
each walk from a parked vehicle, and the totals. Everything is in the plan's language
(``render.language``) and shows heads of household as ``render.names`` asks. The texts are
plain: the PDF draws them as text, never as markup.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from optimizer.plan import DepotSite, Park, Plan, Route, Stop
from optimizer.render.i18n import Language, format_date, format_decimal, text, vehicle_name
from optimizer.render.names import NameMode, display_name
from optimizer.render.roster import crew_line
from optimizer.render.walks import door_span, one_door, walk_metres
from optimizer.units import format_clock


@dataclass(frozen=True, slots=True, kw_only=True)
class SheetRow:
    """One row of the stop table.

    A door fills ``number`` .. ``notes``; a reload, the break or a park (before a walk from the
    parked vehicle) has ``kind`` "reload", "break" or "park" and only ``time`` and ``event`` (a
    sentence across the row).
    """

    kind: Literal["door", "reload", "break", "park"]
    time: str
    number: str = ""
    head: str = ""
    address: str = ""
    packages: str = ""
    marks: str = ""
    notes: str = ""
    event: str = ""
    priority: bool = False
    late: bool = False
    approximate: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamSheet:
    """Everything a team's sheet prints, in its language, ready to lay out."""

    language: Language
    team_id: str
    route: Route
    desa_code: str
    desa_name: str
    kecamatan: str
    date: str
    title: str
    #: Header facts as (label, value) pairs, in reading order.
    facts: tuple[tuple[str, str], ...]
    rows: tuple[SheetRow, ...]
    totals: str
    doors: int
    packages: int
    synthetic: bool
    #: "Anggota: Name (pengemudi), ..." for a team formed from a roster, else empty.
    crew: str = ""


def find_depot(plan: Plan, route: Route) -> DepotSite | None:
    """Return the depot a route starts from, or None when the plan does not list it."""
    return next((d for d in plan.depots if d.depot_id == route.depot_id), None)


def build_team_sheet(plan: Plan, route: Route) -> TeamSheet:
    """Turn one route of a plan into the texts of its printed sheet.

    Parameters
    ----------
    plan : Plan
        Gives the language, the name style, the date and the depot of the route.
    route : Route

    Returns
    -------
    TeamSheet
        The depot's desa comes from ``plan.depots``; a depot the plan does not list falls back
        to the desa of the route's first door.
    """
    language = plan.render.language
    depot = find_depot(plan, route)
    first = route.stops[0] if route.stops else None
    desa_code = depot.desa_code if depot else (first.desa_code if first else "")
    desa_name = depot.desa_name if depot and depot.desa_name else (first.desa_name if first else "")
    kecamatan = depot.kecamatan if depot else ""
    packages = sum(stop.packages for stop in route.stops)
    totals = text(
        language,
        "totals_value",
        doors=len(route.stops),
        packages=packages,
        km=format_decimal(route.distance_m / 1000, language),
        end=format_clock(route.end_s),
    )
    return TeamSheet(
        language=language,
        team_id=route.team_id,
        route=route,
        desa_code=desa_code,
        desa_name=desa_name,
        kecamatan=kecamatan,
        date=format_date(plan.date, language),
        title=plan.title,
        facts=_facts(plan, route, desa_name, kecamatan),
        rows=tuple(_rows(route, language, plan.render.names)),
        totals=totals,
        doors=len(route.stops),
        packages=packages,
        synthetic=plan.synthetic_data,
        crew=crew_line(plan, route),
    )


def trip_loads(route: Route) -> dict[int, int]:
    """Return the packages to load for each trip (trip number -> packages), in trip order."""
    loads: Counter[int] = Counter()
    for stop in route.stops:
        loads[stop.trip] += stop.packages
    return dict(sorted(loads.items()))


def _facts(plan: Plan, route: Route, desa: str, kecamatan: str) -> tuple[tuple[str, str], ...]:
    language = plan.render.language

    def span(start: int, end: int) -> str:
        return f"{format_clock(start)}–{format_clock(end)}"

    none = text(language, "none")
    if route.break_ is None:
        break_text = none
    else:
        times = {
            "start": format_clock(route.break_.start_s),
            "end": format_clock(route.break_.end_s),
        }
        if route.break_.after_stop == 0:
            break_text = text(language, "break_first", **times)
        else:
            break_text = text(language, "break_value", after=route.break_.after_stop, **times)
    reloads = "; ".join(
        text(
            language,
            "reload_value",
            start=format_clock(r.arrival_s),
            end=format_clock(r.departure_s),
            after=r.after_stop,
        )
        for r in route.reloads
    )
    loads = " · ".join(
        text(language, "trip_load", trip=trip, n=n) for trip, n in trip_loads(route).items()
    )
    return (
        (text(language, "vehicle"), vehicle_name(language, route.vehicle)),
        (text(language, "members"), text(language, "members_value", n=route.members)),
        (text(language, "depot"), route.depot_name),
        (text(language, "desa"), text(language, "desa_value", desa=desa, kecamatan=kecamatan)),
        (text(language, "date"), format_date(plan.date, language)),
        (text(language, "shift"), span(route.shift_start_s, route.shift_end_s)),
        (text(language, "departure"), format_clock(route.start_s)),
        (text(language, "planned_return"), format_clock(route.end_s)),
        (text(language, "break"), break_text),
        (text(language, "reloads"), reloads or none),
        (text(language, "load_per_trip"), loads or none),
        (text(language, "team_lead"), text(language, "blank_line")),
    )


def _rows(route: Route, language: Language, names: NameMode) -> list[SheetRow]:
    """Return the table rows in time order: doors, and reloads, the break and parks between them."""
    timed: list[tuple[tuple[int, int, int], SheetRow]] = []
    loads = trip_loads(route)
    for number, reload in enumerate(route.reloads, start=2):
        times = {"start": format_clock(reload.arrival_s), "end": format_clock(reload.departure_s)}
        event = text(language, "row_reload", n=loads.get(number, 0), trip=number, **times)
        row = SheetRow(kind="reload", time=times["start"], event=event)
        timed.append(((reload.after_stop, 0, reload.arrival_s), row))
    if route.break_ is not None:
        key = "row_break_last" if route.break_.after_stop == len(route.stops) else "row_break"
        start, end = format_clock(route.break_.start_s), format_clock(route.break_.end_s)
        row = SheetRow(kind="break", time=start, event=text(language, key, start=start, end=end))
        timed.append(((route.break_.after_stop, 0, route.break_.start_s), row))
    for park in route.parks:
        timed.append(((park.first_stop - 1, 0, park.arrival_s), _park_row(park, language)))
    for stop in route.stops:
        timed.append(((stop.sequence - 1, 1, stop.arrival_s), _door_row(stop, language, names)))
    # Doors done before the event, then reloads, the break and parks before the next door.
    timed.sort(key=lambda item: item[0])
    return [row for _, row in timed]


def _park_row(park: Park, language: Language) -> SheetRow:
    """Return the row where the team parks, before the first door of its walk."""
    key = "row_park_one" if one_door(park) else "row_park"
    event = text(language, key, doors=door_span(park), m=walk_metres(park))
    return SheetRow(kind="park", time=format_clock(park.arrival_s), event=event)


def _door_row(stop: Stop, language: Language, names: NameMode) -> SheetRow:
    marks = []
    if stop.priority:
        marks.append("★!" if stop.late else "★")
    if stop.approximate:
        marks.append("≈")
    lines = [" ".join(marks)] if marks else []
    if stop.window_start_s is not None and stop.window_end_s is not None:
        lines.append(f"{format_clock(stop.window_start_s)}–{format_clock(stop.window_end_s)}")
    notes = []
    if stop.approximate:
        if stop.rt and stop.rw:
            notes.append(text(language, "ask_rt", rt=stop.rt, rw=stop.rw))
        else:
            notes.append(text(language, "ask_local"))
    if stop.notes.strip():
        notes.append(stop.notes.strip())
    return SheetRow(
        kind="door",
        time=format_clock(stop.arrival_s),
        number=str(stop.sequence),
        head=display_name(stop.head_name, names),
        address=full_address(stop),
        packages=str(stop.packages),
        marks="\n".join(lines),
        notes="; ".join(notes),
        priority=stop.priority,
        late=stop.late,
        approximate=stop.approximate,
    )


def full_address(stop: Stop) -> str:
    """Return the address with the dusun, RT/RW and desa the address itself does not name.

    "Jl. Melati 4" with dusun Krajan, RT 006, RW 003 reads "Jl. Melati 4 / Dsn. Krajan,
    RT 006/RW 003"; an address that already says "RT 006 RW 003" is not repeated.
    """
    address = " ".join(stop.address.split())
    lowered = address.lower()
    extra = []
    if stop.dusun and stop.dusun.lower() not in lowered:
        extra.append(f"Dsn. {stop.dusun}")
    if stop.rt and not _names_unit(lowered, "rt", stop.rt):
        extra.append(f"RT {stop.rt}/RW {stop.rw}" if stop.rw else f"RT {stop.rt}")
    elif stop.rw and not _names_unit(lowered, "rw", stop.rw):
        extra.append(f"RW {stop.rw}")
    if stop.desa_name and stop.desa_name.lower() not in lowered:
        extra.append(stop.desa_name)
    if not extra:
        return address
    return f"{address} / {', '.join(extra)}" if address else ", ".join(extra)


def _names_unit(address: str, unit: str, number: str) -> bool:
    """Tell whether a lower-cased address names RT (or RW) ``number`` (leading zeros aside)."""
    digits = number.strip().lstrip("0") or "0"
    pattern = rf"\b{unit}\.?\s*0*{re.escape(digits.lower())}\b"
    return re.search(pattern, address) is not None
