"""Phone pages: one small, self-contained HTML file per team for the team lead's phone.

``teams/<team>.html`` shows the team's route on its streets (an SVG map, see
:mod:`optimizer.render.phonemap`), then the day in order: leaving the depot, every door with its
planned time, head of household (in full or as initials, ``[render] names``), address, dusun and
RT/RW, packages, marks for priority households and approximate positions, the return to reload,
the break, where the team parks to walk to a few doors (``P``), and the return to the depot. A
team formed from a roster also sees its members by name, driver first. Each door has a ``geo:``
link that opens the phone's map app there. The page is in Bahasa Indonesia, or in English with
``[render] language = "en"``; its words are in :data:`TEXT`.

The page loads nothing: no library, font, image or tile (its Content-Security-Policy forbids
any request), so it opens in the field without signal. Every text from the user's files is
escaped; the same plan gives the same bytes. Households are named by their id and, as the
scenario asks, their head; no NIK reaches the plan, so none reaches the page. The label a
``geo:`` link hands to the map app is the door's number and household id, not the name.

Measured on the standard machine (2-core x86_64, 24 GiB, other work running; demonstration
network, 2026-11-30): the default regency plan's 1,521 pages are 12-94 KB (median 21 KB) and
are written in 5.5 s; Glagah's 87 pages 13-56 KB (median 18 KB). The widest route stretched to
40 doors gives 111 KB, the densest Glagah route stretched to 40 doors 70 KB.
"""

from __future__ import annotations

import html
import logging
import math
from pathlib import Path
from typing import Final
from urllib.parse import quote

from optimizer.config import RenderConfig
from optimizer.geometry import Streets
from optimizer.plan import Park, Plan, Route, Stop
from optimizer.render.filenames import team_file_stems
from optimizer.render.i18n import Language, format_decimal, vehicle_name
from optimizer.render.names import display_name
from optimizer.render.palette import PARK_COLOUR, route_colour
from optimizer.render.phoneassets import PAGE_CSS, PAGE_JS
from optimizer.render.phonemap import render_route_svg
from optimizer.render.roster import crew_line
from optimizer.render.walks import door_span, one_door, walk_metres
from optimizer.units import format_clock

LOGGER = logging.getLogger(__name__)

#: The page's words, by ``[render] language``.
TEXT: Final[dict[str, dict[str, str]]] = {
    "id": {
        "team": "Tim",
        "banner": "DATA DEMO SINTETIS",
        "banner_note": "Jalan, rumah tangga, depot dan tim di halaman ini dibuat untuk "
        "demonstrasi, bukan data nyata.",
        "doors": "{n} rumah",
        "doors_one": "{n} rumah",
        "packages": "{n} paket",
        "packages_one": "{n} paket",
        "people": "{n} orang",
        "trips": "{n} kali jalan (muat ulang di depot)",
        "leave": "Berangkat dari depot",
        "back": "Tiba kembali di depot",
        "reload": "Kembali ke depot, muat ulang paket",
        "reload_leave": "berangkat lagi {time}",
        "break": "Istirahat",
        "park": "Parkir, jalan kaki ke pintu {doors} ({m} m)",
        "park_one": "Parkir, jalan kaki ke pintu {doors} ({m} m)",
        "priority": "PRIORITAS",
        "late": "lewat batas waktu prioritas",
        "approximate": "lokasi perkiraan: tanyakan ketua RT",
        "depot_approximate": "lokasi depot perkiraan",
        "open_map": "Peta",
        "open_map_long": "Buka di aplikasi peta",
        "window": "hanya {start}–{end}",
        "dusun": "Dusun {name}",
        "map_title": "Peta rute tim {team}",
        "zoom_in": "Perbesar peta",
        "zoom_out": "Perkecil peta",
        "zoom_fit": "Tampilkan seluruh rute",
        "key_stop": "rumah (nomor urut)",
        "key_priority": "prioritas",
        "key_approximate": "lokasi perkiraan",
        "key_depot": "depot",
        "key_road": "jalan",
        "key_park": "parkir",
        "key_walk": "jalan kaki",
        "order": "Urutan kunjungan",
        "no_doors": "Tim ini tidak punya rumah untuk dikunjungi.",
        "footer": "Jam adalah perkiraan rencana. Rencana: {scenario}.",
        "household": "ID {id}",
    },
    "en": {
        "team": "Team",
        "banner": "SYNTHETIC DEMO DATA",
        "banner_note": "The roads, households, depots and teams on this page are made up "
        "for a demonstration, not real data.",
        "doors": "{n} households",
        "doors_one": "{n} household",
        "packages": "{n} packages",
        "packages_one": "{n} package",
        "people": "{n} people",
        "trips": "{n} trips (reload at the depot)",
        "leave": "Leave the depot",
        "back": "Back at the depot",
        "reload": "Back to the depot to reload",
        "reload_leave": "leave again {time}",
        "break": "Break",
        "park": "Park, walk to doors {doors} ({m} m)",
        "park_one": "Park, walk to door {doors} ({m} m)",
        "priority": "PRIORITY",
        "late": "after the priority deadline",
        "approximate": "approximate location: ask the RT head",
        "depot_approximate": "approximate depot location",
        "open_map": "Map",
        "open_map_long": "Open in the map app",
        "window": "only {start}–{end}",
        "dusun": "Dusun {name}",
        "map_title": "Route map of team {team}",
        "zoom_in": "Zoom in",
        "zoom_out": "Zoom out",
        "zoom_fit": "Show the whole route",
        "key_stop": "household (visiting order)",
        "key_priority": "priority",
        "key_approximate": "approximate location",
        "key_depot": "depot",
        "key_road": "road",
        "key_park": "parking",
        "key_walk": "on foot",
        "order": "Visiting order",
        "no_doors": "This team has no households to visit.",
        "footer": "Times are planned estimates. Plan: {scenario}.",
        "household": "ID {id}",
    },
}
#: Nothing may be loaded: styles and scripts are inline, images only as data.
_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def _e(value: object) -> str:
    """Escape a value for HTML text or an attribute."""
    return html.escape(str(value), quote=True)


class _Words:
    """The page's words in one language, filled in and escaped."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.table = TEXT[language]

    def __call__(self, key: str, **values: object) -> str:
        return _e(self.table[key].format(**values))

    def count(self, key: str, n: int) -> str:
        return self(f"{key}_one" if n == 1 else key, n=n)

    def km(self, metres: float) -> str:
        return f"{format_decimal(metres / 1000, self.language)} km"


def write_phone_pages(
    plan: Plan,
    streets: Streets | None,
    folder: Path,
    *,
    config: RenderConfig | None = None,
) -> list[Path]:
    """Write one phone page per team: ``folder/teams/<team>.html``.

    Parameters
    ----------
    plan : Plan
    streets : Streets or None
        The road network's streets (:func:`optimizer.geometry.build_streets`); each page draws
        those around its route. None draws the route without streets.
    folder : Path
        The output folder; ``teams/`` is created in it when missing.
    config : RenderConfig, optional
        ``language`` (``id`` or ``en``), ``names`` (``full`` or ``initials``) and
        ``coordinate_decimals`` (of the ``geo:`` links). Defaults to ``plan.render``.

    Returns
    -------
    list of Path
        The pages written, in route order. File names come from
        :func:`optimizer.render.filenames.team_file_stems` (the team's PDF sheet uses the same).
    """
    config = config if config is not None else plan.render
    target = folder / "teams"
    target.mkdir(parents=True, exist_ok=True)
    stems = team_file_stems(route.team_id for route in plan.routes)
    written = []
    for index, route in enumerate(plan.routes):
        page = render_phone_page(plan, index, streets, config=config)
        path = target / f"{stems[route.team_id]}.html"
        path.write_bytes(page.encode("utf-8"))
        written.append(path)
    LOGGER.info("%d phone pages written to %s", len(written), target)
    return written


def render_phone_page(
    plan: Plan, index: int, streets: Streets | None, *, config: RenderConfig | None = None
) -> str:
    """Make the phone page of one team.

    Parameters
    ----------
    plan : Plan
    index : int
        The team's route, by its position in ``plan.routes`` (it gives the team's colour, the
        same as on the overview map).
    streets : Streets or None
        Streets to draw around the route.
    config : RenderConfig, optional
        Defaults to ``plan.render``.

    Returns
    -------
    str
        The whole HTML document.

    Raises
    ------
    IndexError
        If ``index`` is not the position of a route in the plan.
    """
    config = config if config is not None else plan.render
    route = plan.routes[index]
    words = _Words(config.language)
    colour = route_colour(index)
    title = f"{TEXT[config.language]['team']} {route.team_id}"
    svg = render_route_svg(
        route,
        colour,
        streets,
        plan.areas,
        title=TEXT[config.language]["map_title"].format(team=route.team_id),
    )
    attribution = streets.attribution if streets is not None and streets.attribution else ""
    approximate = any(d.approximate for d in plan.depots if d.depot_id == route.depot_id)
    body = (
        _banner(plan, words)
        + _header(plan, route, colour, words)
        + _map_section(svg, attribution, words, walk_colour=colour if route.parks else "")
        + f"<h2>{words('order')}</h2>"
        + _rows(route, colour, words, config, depot_approximate=approximate)
        + f"<footer>{words('footer', scenario=plan.scenario)}</footer>"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{config.language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{PAGE_JS}</script>\n</body>\n</html>\n"
    )


def _banner(plan: Plan, words: _Words) -> str:
    if not plan.synthetic_data:
        return ""
    note = words("banner_note")
    if words.language == "en" and plan.data_notice:
        note = _e(plan.data_notice)
    return f'<div class="banner" role="alert"><strong>{words("banner")}</strong><br>{note}</div>'


def _header(plan: Plan, route: Route, colour: str, words: _Words) -> str:
    subtitle = _e(plan.title or plan.scenario) + (f" · {_e(plan.date)}" if plan.date else "")
    packages = sum(stop.packages for stop in route.stops)
    facts = [
        f"<b>{format_clock(route.start_s)}–{format_clock(route.end_s)}</b>",
        f"<b>{words.count('doors', len(route.stops))}</b>",
        f"<b>{words.count('packages', packages)}</b>",
        words.km(route.distance_m),
        f"{_e(vehicle_name(words.language, route.vehicle))} · {words('people', n=route.members)}",
    ]
    if route.trips > 1:
        facts.append(words("trips", n=route.trips))
    if route.break_ is not None:
        brk = route.break_
        facts.append(f"{words('break')} {format_clock(brk.start_s)}–{format_clock(brk.end_s)}")
    items = "".join(f"<li>{fact}</li>" for fact in facts)
    crew = crew_line(plan, route)
    members = f'<p class="sub crew">{_e(crew)}</p>' if crew else ""
    return (
        f'<header><h1><span class="sw" style="background:{colour}"></span>'
        f"{words('team')} {_e(route.team_id)}</h1>"
        f'<p class="sub">{subtitle}</p><ul class="facts">{items}</ul>{members}</header>'
    )


def _map_section(svg: str, attribution: str, words: _Words, *, walk_colour: str = "") -> str:
    """Make the map, its zoom buttons and its key (parking and walks when the route has them)."""
    keys = (
        f'<li><span class="key k-stop" style="background:#555"></span>{words("key_stop")}</li>'
        f'<li><span class="key k-prio"></span>{words("key_priority")}</li>'
        f'<li><span class="key k-approx"></span>{words("key_approximate")}</li>'
        f'<li><span class="key k-depot"></span>{words("key_depot")}</li>'
        f'<li><span class="key k-road"></span>{words("key_road")}</li>'
    )
    if walk_colour:
        keys += (
            '<li><span class="key" style="width:14px;height:14px;border-radius:2px;'
            f"background:{PARK_COLOUR};color:#fff;font:bold 10px/14px Arial,sans-serif;"
            f'text-align:center">P</span>{words("key_park")}</li>'
            '<li><span class="key" style="width:20px;height:0;'
            f'border-top:3px dashed {walk_colour}"></span>{words("key_walk")}</li>'
        )
    credit = f'<p class="attr">{_e(attribution)}</p>' if attribution else ""
    return (
        f'<div class="mapbox">{svg}<div class="zoom">'
        f'<button type="button" id="zin" aria-label="{words("zoom_in")}">+</button>'
        f'<button type="button" id="zout" aria-label="{words("zoom_out")}">−</button>'
        f'<button type="button" id="zfit" aria-label="{words("zoom_fit")}">⤢</button>'
        f'</div></div><ul class="keys">{keys}</ul>{credit}'
    )


def _geo(lat: float, lon: float, label: str, decimals: int) -> str:
    """Make a ``geo:`` link that opens the phone's map app at the point, with a label."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return ""
    where = f"{lat:.{decimals}f},{lon:.{decimals}f}"
    return f"geo:{where}?q={where}({quote(label, safe='')})"


def _go(link: str, words: _Words) -> str:
    if not link:
        return ""
    return (
        f'<a class="go" href="{_e(link)}" title="{words("open_map_long")}">'
        f"{words('open_map')} ›</a>"
    )


def _rows(
    route: Route, colour: str, words: _Words, config: RenderConfig, *, depot_approximate: bool
) -> str:
    """List the day in order: depot, doors with reloads, the break and parks between them, depot."""
    start = _start_row(route, words, config, approximate=depot_approximate)
    events: list[tuple[float, int, str]] = [(0.0, route.start_s, start)]
    for position, stop in enumerate(route.stops, start=1):
        row = _stop_row(stop, colour, words, config)
        events.append((float(position), stop.arrival_s, row))
    events += _between_rows(route, words, config)
    end = _event_row("D", format_clock(route.end_s), words("back"), "event")
    events.append((len(route.stops) + 1.0, route.end_s, end))
    events.sort(key=lambda event: (event[0], event[1]))
    empty = f'<li class="event"><div class="txt">{words("no_doors")}</div></li>'
    middle = "".join(row for _, _, row in events[1:-1]) or empty
    return f'<ol class="stops">{events[0][2]}{middle}{events[-1][2]}</ol>'


def _between_rows(
    route: Route, words: _Words, config: RenderConfig
) -> list[tuple[float, int, str]]:
    """Rows between the doors, each with its place (doors done before it) and time."""
    events: list[tuple[float, int, str]] = []
    for reload in route.reloads:
        row = _event_row(
            "↻",
            format_clock(reload.arrival_s),
            f"{words('reload')} · {words('reload_leave', time=format_clock(reload.departure_s))}",
            "event",
        )
        events.append((reload.after_stop + 0.5, reload.arrival_s, row))
    if route.break_ is not None:
        brk = route.break_
        when = f"{format_clock(brk.start_s)}–{format_clock(brk.end_s)}"
        events.append((brk.after_stop + 0.5, brk.start_s, _event_row("☕", when, words("break"))))
    for number, park in enumerate(route.parks, start=1):
        row = _park_row(park, number, words, config)
        events.append((park.first_stop - 0.5, park.arrival_s, row))
    return events


def _event_row(symbol: str, when: str, what: str, kind: str = "event brk") -> str:
    return (
        f'<li class="{kind}"><span class="num" aria-hidden="true">{symbol}</span>'
        f'<div class="txt"><div class="top"><span class="time">{when}</span></div>'
        f"<div>{what}</div></div></li>"
    )


def _park_row(park: Park, number: int, words: _Words, config: RenderConfig) -> str:
    """Make the row where the team parks (``id="p<n>"``: the map's "P" badge links to it).

    Its ``geo:`` link opens the phone's map app at the parking place, labelled "P<n>".
    """
    key = "park_one" if one_door(park) else "park"
    what = words(key, doors=door_span(park), m=walk_metres(park))
    link = _geo(park.lat, park.lon, f"P{number}", config.coordinate_decimals)
    return (
        f'<li class="event" id="p{number}"><span class="num" aria-hidden="true" '
        f'style="background:{PARK_COLOUR}">P</span><div class="txt"><div class="top">'
        f'<span class="time">{format_clock(park.arrival_s)}</span>{_go(link, words)}</div>'
        f"<div>{what}</div></div></li>"
    )


def _start_row(route: Route, words: _Words, config: RenderConfig, *, approximate: bool) -> str:
    link = _geo(
        route.depot_lat, route.depot_lon, f"Depot {route.depot_name}", config.coordinate_decimals
    )
    warn = ""
    if approximate:
        warn = f'<div class="warn">⚠ {words("depot_approximate")}</div>'
    return (
        '<li class="event" id="depot"><span class="num" aria-hidden="true">D</span>'
        f'<div class="txt"><div class="top"><span class="time">{format_clock(route.start_s)}'
        f"</span>{_go(link, words)}</div><div>{words('leave')} <b>{_e(route.depot_name)}</b>"
        f"</div>{warn}</div></li>"
    )


def _stop_row(stop: Stop, colour: str, words: _Words, config: RenderConfig) -> str:
    number = stop.sequence
    name = display_name(stop.head_name, config.names) or "—"
    tags = ""
    if stop.priority:
        tags = f'<span class="tag">{words("priority")}</span>'
    place = _place(stop, words)
    window = ""
    if stop.window_start_s is not None and stop.window_end_s is not None:
        window = " · " + words(
            "window", start=format_clock(stop.window_start_s), end=format_clock(stop.window_end_s)
        )
    warns = ""
    if stop.approximate:
        warns += f'<div class="warn">⚠ {words("approximate")}</div>'
    if stop.late:
        warns += f'<div class="warn">⚠ {words("late")}</div>'
    link = _geo(stop.lat, stop.lon, f"{number}. {stop.household_id}", config.coordinate_decimals)
    return (
        f'<li id="s{number}"><a class="num" href="#map" data-stop="{number}" '
        f'style="background:{colour}">{number}</a><div class="txt">'
        f'<div class="top"><span class="time">{format_clock(stop.arrival_s)}</span>{tags}'
        f'{_go(link, words)}</div><div class="name">{_e(name)}</div>'
        f'<div class="addr">{_e(stop.address)}</div>{place}'
        f'<div class="meta">{words.count("packages", stop.packages)} · '
        f"{words('household', id=stop.household_id)}{window}</div>{warns}</div></li>"
    )


def _place(stop: Stop, words: _Words) -> str:
    """Dusun and RT/RW, where the address does not say them already."""
    address = " ".join(stop.address.lower().split())
    parts = []
    if stop.dusun and stop.dusun.lower() not in address:
        parts.append(words("dusun", name=stop.dusun))
    rt = f"rt {stop.rt}".lower()
    rw = f"rw {stop.rw}".lower()
    if (stop.rt and rt not in address) or (stop.rw and rw not in address):
        pieces = [f"RT {stop.rt}" if stop.rt else "", f"RW {stop.rw}" if stop.rw else ""]
        parts.append(_e("/".join(piece for piece in pieces if piece)))
    return f'<div class="addr">{" · ".join(parts)}</div>' if parts else ""
