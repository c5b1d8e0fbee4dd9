"""The overview map of a plan: one self-contained HTML file drawn with Folium and Leaflet.

The map is drawn from an intermediate GeoJSON FeatureCollection (:func:`build_feature_collection`),
which tests can check without reading the page. The HTML works without any network: Leaflet 1.9.4
(``assets/``: ``leaflet.js``, ``leaflet.css`` and its two layer-control images, from the npm
package ``leaflet@1.9.4``, BSD-2 licence in ``assets/LICENSE-leaflet.txt``) is inlined, no CDN is
linked, and the base map is the kecamatan and desa outlines of the plan. An OpenStreetMap tile
layer is added only when ``RenderConfig.online_tiles`` is true. The settings come from the plan
(``Plan.render``, the scenario's ``[render]`` table) unless a call passes its own.

Each kind of feature is one Leaflet GeoJSON layer on a single canvas (``prefer_canvas``), not one
Folium object per stop. Routes and stops, tens of thousands on a real plan, travel in the page in
a packed form (integer coordinate steps, stops referring to their team by index) that a few lines
of page script unpack into the same GeoJSON: about 4.6 MB for 1,000 routes, 20,000 stops and
470,000 path points, a third of plain GeoJSON. Equal plans give byte-identical pages.

Every text that comes from the user's files (ids, names, reasons) goes into the page through
``html.escape``; data goes into the script as JSON with ``<`` and ``>`` escaped, so no value can
close the script element. The overview map shows ids only, never names or addresses of people.

This is the only module of the product that imports folium.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import math
import re
import time
from collections.abc import Iterable
from functools import cache
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any, Final

import folium
import numpy as np
import numpy.typing as npt
from folium.map import Layer
from folium.template import Template

from optimizer.config import RenderConfig
from optimizer.plan import AreaOutline, Plan, Polyline, Route
from optimizer.units import format_clock

LOGGER = logging.getLogger(__name__)

#: Route colours, assigned in route order and repeated after the last one. Red is kept for
#: unserved households and grey for outlines.
PALETTE: Final[tuple[str, ...]] = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#332288",  # indigo
    "#882255",  # wine
    "#44aa99",  # teal
    "#117733",  # dark green
)
UNSERVED_COLOUR: Final = "#d62728"
SYNTHETIC_BANNER: Final = "SYNTHETIC DEMO DATA - not real roads or households"
OSM_TILE_URL: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Layer keys of the map, bottom to top, with their names in the layer control.
_LAYER_NAMES: Final[dict[str, str]] = {
    "desa": "Desa outlines",
    "kecamatan": "Kecamatan outlines",
    "route": "Routes",
    "stop": "Stops",
    "unserved": "Unserved households",
    "depot": "Depots",
}
#: Area levels drawn with the kecamatan style (outline only); any other level is a desa.
_OUTLINE_LEVELS: Final = frozenset({"kabupaten", "kecamatan"})
_MAX_DECIMALS: Final = 10
#: Where the map opens when the plan has nothing to draw (Kabupaten Banyuwangi).
_DEFAULT_CENTRE: Final = (-8.22, 114.37)
_JS_UNSAFE: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_CSS_IMAGE = re.compile(r"url\((['\"]?)images/([\w.-]+)\1\)")

Feature = dict[str, Any]
FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- feature collection


def route_colour(index: int) -> str:
    """Colour of the route at ``index`` in plan order.

    Parameters
    ----------
    index : int
        Position of the route in ``Plan.routes``.

    Returns
    -------
    str
        A "#rrggbb" colour from :data:`PALETTE`.
    """
    return PALETTE[index % len(PALETTE)]


def build_feature_collection(plan: Plan, *, decimals: int | None = None) -> dict[str, Any]:
    """Build the GeoJSON FeatureCollection the map is drawn from.

    Features come in this order: one line per route, one point per stop (routes in plan order,
    stops in visiting order), one point per unserved household that has coordinates, one point
    per depot, then the area outlines. Coordinates are ``[lon, lat]`` rounded to ``decimals``;
    consecutive duplicate points are dropped. A route's legs are joined into one LineString, or a
    MultiLineString where a leg does not start where the previous one ended; a route without any
    drawable leg, and anything with non-finite coordinates, has a ``null`` geometry.

    Parameters
    ----------
    plan : Plan
    decimals : int, optional
        Decimal places kept in coordinates (5 is about 1 m). Defaults to the plan's
        ``render.coordinate_decimals``.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": [...], "bbox": [west, south, east, north]}``;
        ``bbox`` covers routes, stops, unserved households and depots (the areas when there are
        none) and is left out when nothing is drawable. Equal plans give equal dicts.

        Properties by ``kind``: ``route``: team_id, vehicle, depot_id, stops, load, start, end
        ("HH:MM"), duration_min, distance_km, colour; ``stop``: team_id, sequence, household_id,
        arrival ("HH:MM"), packages, location (``register`` or ``approximate (...)``), colour;
        ``unserved``: household_id, reason; ``depot``:
        depot_id, name, approximate, teams; ``kecamatan``/``desa`` (the area level): code, name.

    Raises
    ------
    ValueError
        If ``decimals`` is not between 0 and 10, or a polyline has more latitudes than
        longitudes or the other way round.
    """
    if decimals is None:
        decimals = plan.render.coordinate_decimals
    if not 0 <= decimals <= _MAX_DECIMALS:
        raise ValueError(f"decimals must be between 0 and {_MAX_DECIMALS}, got {decimals}")
    extent = _Extent()
    features: list[Feature] = []
    for index, route in enumerate(plan.routes):
        features.append(_route_feature(route, route_colour(index), decimals, extent))
    for index, route in enumerate(plan.routes):
        colour = route_colour(index)
        for stop in route.stops:
            properties = {
                "kind": "stop",
                "team_id": route.team_id,
                "sequence": stop.sequence,
                "household_id": stop.household_id,
                "arrival": format_clock(stop.arrival_s),
                "packages": stop.packages,
                "location": stop.location,
                "colour": colour,
            }
            features.append(_point_feature(stop.lat, stop.lon, decimals, properties, extent))
    for unserved in plan.unserved:
        if unserved.lat is None or unserved.lon is None:
            continue
        properties = {
            "kind": "unserved",
            "household_id": unserved.household_id,
            "reason": unserved.reason,
        }
        features.append(_point_feature(unserved.lat, unserved.lon, decimals, properties, extent))
    for depot in plan.depots:
        properties = {
            "kind": "depot",
            "depot_id": depot.depot_id,
            "name": depot.name,
            "approximate": depot.approximate,
            "teams": depot.teams,
        }
        features.append(_point_feature(depot.lat, depot.lon, decimals, properties, extent))
    area_extent = _Extent()
    for area in plan.areas:
        features.append(_area_feature(area, decimals, area_extent))
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    bbox = extent.bbox() or area_extent.bbox()
    if bbox is not None:
        collection["bbox"] = bbox
    return collection


class _Extent:
    """Running west/south/east/north of the coordinates seen so far."""

    def __init__(self) -> None:
        self.west = self.south = math.inf
        self.east = self.north = -math.inf

    def add(self, xy: FloatArray) -> None:
        if len(xy):
            low, high = xy.min(axis=0), xy.max(axis=0)
            self.add_point(float(low[0]), float(low[1]))
            self.add_point(float(high[0]), float(high[1]))

    def add_point(self, x: float, y: float) -> None:
        self.west, self.east = min(self.west, x), max(self.east, x)
        self.south, self.north = min(self.south, y), max(self.north, y)

    def bbox(self) -> list[float] | None:
        if self.west > self.east:
            return None
        return [self.west, self.south, self.east, self.north]


def _check(path: Polyline) -> None:
    if len(path.lats) != len(path.lons):
        raise ValueError(
            f"a polyline has {len(path.lats)} latitudes but {len(path.lons)} longitudes"
        )


def _points(path: Polyline, decimals: int) -> FloatArray:
    """``[lon, lat]`` rows of a polyline, rounded, finite, without consecutive duplicates."""
    _check(path)
    if not path.lats:
        return np.empty((0, 2), dtype=np.float64)
    xy: FloatArray = np.column_stack([path.lons, path.lats]).astype(np.float64)
    xy = np.round(xy, decimals)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) > 1:
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
        xy = xy[keep]
    return xy


def _route_lines(route: Route, decimals: int) -> list[FloatArray]:
    """Join the leg paths of a route: one array of ``[lon, lat]`` rows per unbroken part.

    All legs are rounded at once; a point equal to the one before it is dropped, and a leg whose
    first point differs from where the previous leg ended starts a new part.
    """
    paths = [leg.path for leg in route.legs]
    for path in paths:
        _check(path)
    counts = np.array([len(path.lats) for path in paths], dtype=np.int64)
    if counts.sum() == 0:
        return []
    lons = np.fromiter(chain.from_iterable(p.lons for p in paths), np.float64, int(counts.sum()))
    lats = np.fromiter(chain.from_iterable(p.lats for p in paths), np.float64, int(counts.sum()))
    xy: FloatArray = np.column_stack([lons, lats])
    xy = np.round(xy, decimals)
    leg_of = np.repeat(np.arange(len(paths)), counts)
    finite = np.isfinite(xy).all(axis=1)
    xy, leg_of = xy[finite], leg_of[finite]
    if len(xy) == 0:
        return []
    same = np.zeros(len(xy), dtype=bool)
    same[1:] = (xy[1:] == xy[:-1]).all(axis=1)
    leg_start = np.zeros(len(xy), dtype=bool)
    leg_start[1:] = leg_of[1:] != leg_of[:-1]
    part = np.cumsum(leg_start & ~same)[~same]
    xy = xy[~same]
    pieces = np.split(xy, np.flatnonzero(np.diff(part)) + 1)
    return [piece for piece in pieces if len(piece) >= 2]


def _route_feature(route: Route, colour: str, decimals: int, extent: _Extent) -> Feature:
    lines = _route_lines(route, decimals)
    for line in lines:
        extent.add(line)
    geometry: dict[str, Any] | None = None
    if len(lines) == 1:
        geometry = {"type": "LineString", "coordinates": lines[0].tolist()}
    elif lines:
        geometry = {"type": "MultiLineString", "coordinates": [line.tolist() for line in lines]}
    properties = {
        "kind": "route",
        "team_id": route.team_id,
        "vehicle": route.vehicle,
        "depot_id": route.depot_id,
        "stops": len(route.stops),
        "load": route.load,
        "start": format_clock(route.start_s),
        "end": format_clock(route.end_s),
        "duration_min": round(route.duration_s / 60),
        "distance_km": round(route.distance_m / 1000, 2),
        "trips": route.trips,
        "break": ""
        if route.break_ is None
        else f"{format_clock(route.break_.start_s)}–{format_clock(route.break_.end_s)}",
        "colour": colour,
    }
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point_feature(
    lat: float, lon: float, decimals: int, properties: dict[str, Any], extent: _Extent
) -> Feature:
    geometry: dict[str, Any] | None = None
    if math.isfinite(lat) and math.isfinite(lon):
        x, y = round(float(lon), decimals), round(float(lat), decimals)
        extent.add_point(x, y)
        geometry = {"type": "Point", "coordinates": [x, y]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _area_feature(area: AreaOutline, decimals: int, extent: _Extent) -> Feature:
    polygons: list[list[list[list[float]]]] = []
    for ring in area.rings:
        xy = _points(ring, decimals)
        if len(xy) >= 3 and not np.array_equal(xy[0], xy[-1]):
            xy = np.vstack([xy, xy[:1]])
        if len(xy) >= 4:
            extent.add(xy)
            polygons.append([xy.tolist()])
    geometry: dict[str, Any] | None = None
    if len(polygons) == 1:
        geometry = {"type": "Polygon", "coordinates": polygons[0]}
    elif polygons:
        geometry = {"type": "MultiPolygon", "coordinates": polygons}
    properties = {"kind": area.level, "code": area.code, "name": area.name}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


# --------------------------------------------------------------------------- what the page shows


def _e(value: object) -> str:
    """Escape a value for HTML text or an attribute."""
    return html.escape(str(value), quote=True)


def _duration(seconds: int) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _layer_key(properties: dict[str, Any]) -> str:
    kind = str(properties["kind"])
    if kind in _LAYER_NAMES:
        return kind
    return "kecamatan" if kind in _OUTLINE_LEVELS else "desa"


def _tip(properties: dict[str, Any]) -> str:
    """Tooltip/popup HTML of a route, unserved household, depot or area; text is escaped here.

    Stop tooltips are put together in the page from escaped fields (see ``_PAGE_JS``): there are
    tens of thousands of them and the page stays much smaller that way.
    """
    p = properties
    kind = p["kind"]
    if kind == "route":
        return (
            f"<b>Team {_e(p['team_id'])}</b> · {_e(p['vehicle'])}<br>"
            f"{_plural(p['stops'], 'stop')} · {_plural(p['load'], 'package')}<br>"
            f"{_e(p['start'])}–{_e(p['end'])} ({_duration(p['duration_min'] * 60)}) · "
            f"{p['distance_km']:.1f} km<br>Depot {_e(p['depot_id'])}"
            + (f" · {p['trips']} trips (reloads at the depot)" if p.get("trips", 1) > 1 else "")
            + (f"<br>Break {_e(p['break'])}" if p.get("break") else "")
        )
    if kind == "unserved":
        return f"<b>Not served</b>: household {_e(p['household_id'])}<br>{_e(p['reason'])}"
    if kind == "depot":
        approximate = " (approximate location)" if p["approximate"] else ""
        return (
            f"<b>Depot {_e(p['name'])}</b>{approximate}<br>"
            f"{_e(p['depot_id'])} · {_plural(p['teams'], 'team')}"
        )
    return f"{_e(str(kind).capitalize())} {_e(p['name'])} · {_e(p['code'])}"


def _deltas(line: list[list[float]], scale: int) -> list[int]:
    """Pack a line as integers in units of ``1 / scale`` degree: first point, then steps."""
    xy = np.rint(np.asarray(line, dtype=np.float64) * scale).astype(np.int64)
    flat: list[int] = np.concatenate([xy[:1], np.diff(xy, axis=0)]).ravel().tolist()
    return flat


def _layer_payloads(collection: dict[str, Any], decimals: int) -> dict[str, Any]:
    """Slim the drawable features of the collection into what each map layer is drawn from.

    Outlines, unserved households and depots stay GeoJSON features whose properties are ``t``
    (tooltip HTML), ``a`` (approximate depot) and ``l`` (kecamatan label). Routes and stops,
    the bulk of a real plan, are packed: coordinates become integer steps of ``1 / scale``
    degree from the previous point, and a stop refers to its team by index; ``_PAGE_JS`` turns
    them back into GeoJSON features. Every text is escaped here.
    """
    scale = 10**decimals
    geojson: dict[str, list[Feature]] = {"desa": [], "kecamatan": [], "unserved": [], "depot": []}
    routes: list[list[Any]] = []
    teams: dict[tuple[str, str], int] = {}
    stops: list[list[Any]] = []
    last_x, last_y = 0, 0
    for feature in collection["features"]:
        geometry, properties = feature["geometry"], feature["properties"]
        if geometry is None:
            continue
        key = _layer_key(properties)
        if key == "route":
            lines = geometry["coordinates"]
            if geometry["type"] == "LineString":
                lines = [lines]
            routes.append(
                [_tip(properties), properties["colour"], *(_deltas(line, scale) for line in lines)]
            )
        elif key == "stop":
            team = teams.setdefault((properties["team_id"], properties["colour"]), len(teams))
            x, y = (round(value * scale) for value in geometry["coordinates"])
            stops.append(
                [
                    team,
                    x - last_x,
                    y - last_y,
                    properties["sequence"],
                    _e(properties["household_id"]),
                    _e(properties["arrival"]),
                    properties["packages"],
                    *([_e(properties["location"])] if properties["location"] != "register" else []),
                ]
            )
            last_x, last_y = x, y
        else:
            slim: dict[str, Any] = {"t": _tip(properties)}
            if key == "depot" and properties["approximate"]:
                slim["a"] = 1
            if properties["kind"] == "kecamatan":
                slim["l"] = _e(properties["name"])
            geojson[key].append({"type": "Feature", "geometry": geometry, "properties": slim})
    team_table = [[_e(team_id), colour] for team_id, colour in teams]
    packed: dict[str, Any] = {
        "route": {"scale": scale, "routes": routes} if routes else None,
        "stop": {"scale": scale, "teams": team_table, "stops": stops} if stops else None,
    }
    return {key: packed[key] if key in packed else (geojson[key] or None) for key in _LAYER_NAMES}


def _js_literal(value: object) -> str:
    """JSON that is safe inside a script element (no "</script", no "<!--")."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JS_UNSAFE)


def _banner_html(plan: Plan) -> str:
    if not plan.synthetic_data:
        return ""
    notice = f"<br><span>{_e(plan.data_notice)}</span>" if plan.data_notice else ""
    return (
        f'<div class="berbagi-banner" role="alert"><strong>{SYNTHETIC_BANNER}</strong>'
        f"{notice}</div>"
    )


def _legend_html(plan: Plan) -> str:
    k = plan.kpis
    longest = ""
    if plan.routes:
        route = max(plan.routes, key=lambda r: r.duration_s)
        longest = f"{_duration(k.longest_route_s)} (team {_e(route.team_id)})"
    subtitle = _e(plan.scenario) + (f" · {_e(plan.date)}" if plan.date else "")
    rows = [
        ("Households served", f"{k.households_served} of {k.households_total}"),
        ("Not served", str(k.households_unserved)),
        ("Packages", str(k.packages_delivered)),
        ("Teams used", f"{k.teams_used} of {k.teams_available}"),
        ("Longest route", longest or "–"),
        ("Workload spread", _duration(k.route_spread_s) if plan.routes else "–"),
        ("Reload trips", str(k.reloads)),
        ("Total distance", f"{k.total_distance_m / 1000:.0f} km"),
    ]
    table = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    reasons = ""
    if k.unserved_by_reason:
        items = "".join(
            f"<li>{_e(code)}: {count}</li>" for code, count in sorted(k.unserved_by_reason.items())
        )
        reasons = f'<div class="berbagi-reasons">Not served by reason:<ul>{items}</ul></div>'
    gradient = ", ".join(PALETTE[:6])
    keys = (
        '<ul class="berbagi-keys">'
        f'<li><span class="berbagi-sym" style="background:linear-gradient(90deg, {gradient})">'
        "</span>Route, one colour per team</li>"
        '<li><span class="berbagi-sym berbagi-sym-stop"></span>Stop (door)</li>'
        '<li><span class="berbagi-sym berbagi-sym-unserved"></span>Household not served</li>'
        '<li><span class="berbagi-sym berbagi-depot"></span>Depot</li>'
        '<li><span class="berbagi-sym berbagi-depot berbagi-depot-approx"></span>'
        "Depot, approximate location</li>"
        '<li><span class="berbagi-sym berbagi-sym-desa"></span>Desa outline</li>'
        "</ul>"
    )
    notice = f'<p class="berbagi-notice">{_e(plan.data_notice)}</p>' if plan.data_notice else ""
    return (
        '<div id="berbagi-legend" class="berbagi-legend" hidden><details open>'
        f"<summary>{_e(plan.title or plan.scenario)}</summary>"
        f'<div class="berbagi-subtitle">{subtitle}</div>'
        f"<table>{table}</table>{keys}{reasons}{notice}"
        "</details></div>"
    )


_PAGE_CSS: Final = """
html, body { height: 100%; margin: 0; padding: 0; }
body { display: flex; flex-direction: column;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.folium-map { flex: 1 1 auto; min-height: 0; height: auto !important; }
.leaflet-container { background: #ffffff; }
.berbagi-banner { flex: 0 0 auto; background: #fff3b0; color: #3d2e00; text-align: center;
  border-bottom: 3px solid #e0a800; padding: 6px 12px; font-size: 15px; line-height: 1.35; }
.berbagi-banner strong { color: #9a1b00; letter-spacing: 0.02em; }
.berbagi-legend { background: rgba(255, 255, 255, 0.95); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4); font-size: 13px; line-height: 1.4;
  max-width: 290px; max-height: 65vh; overflow-y: auto; }
.berbagi-legend summary { font-weight: bold; font-size: 14px; cursor: pointer; }
.berbagi-subtitle { color: #555; margin-bottom: 4px; }
.berbagi-legend table { border-collapse: collapse; margin: 4px 0; }
.berbagi-legend th { text-align: left; font-weight: normal; color: #444; padding: 0 8px 0 0;
  white-space: nowrap; vertical-align: top; }
.berbagi-legend td { font-weight: 600; }
.berbagi-keys, .berbagi-reasons ul { list-style: none; margin: 4px 0; padding: 0; }
.berbagi-reasons ul { padding-left: 10px; }
.berbagi-keys li { margin: 2px 0; }
.berbagi-sym { display: inline-block; width: 22px; height: 4px; margin-right: 6px;
  vertical-align: middle; box-sizing: border-box; }
.berbagi-sym-stop { width: 10px; height: 10px; margin: 0 12px 0 6px; border-radius: 50%;
  background: #1f77b4; border: 1px solid #fff; box-shadow: 0 0 0 1px #1f77b4; }
.berbagi-sym-unserved { width: 13px; height: 13px; margin: 0 10px 0 5px; border-radius: 50%;
  background: #d62728; border: 2px solid #000; }
.berbagi-sym-desa { width: 18px; height: 12px; margin: 0 8px 0 2px; background: #f3efe6;
  border: 1px solid #9e9e9e; }
.berbagi-depot { background: #111; border: 2px solid #fff; box-shadow: 0 0 0 1.5px #111;
  box-sizing: border-box; }
.berbagi-sym.berbagi-depot { width: 12px; height: 12px; margin: 0 11px 0 5px; }
.berbagi-depot.berbagi-depot-approx { background: #fff; border: 2px dashed #111;
  box-shadow: none; }
.berbagi-notice { margin: 6px 0 0; font-size: 12px; color: #6b5500; }
.leaflet-tooltip.berbagi-label { background: transparent; border: 0; box-shadow: none;
  color: #5f5f5f; font-size: 11px; font-weight: 600; padding: 0;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 2px #fff; }
.leaflet-tooltip.berbagi-label::before { display: none; }
"""

#: Page functions: unpack routes and stops, and make one Leaflet GeoJSON layer per kind, drawn
#: on the map's single canvas (depots are DOM markers above it).
_PAGE_JS: Final = """
function berbagiLine(flat, scale) {
  var points = [], x = 0, y = 0;
  for (var i = 0; i + 1 < flat.length; i += 2) {
    x += flat[i];
    y += flat[i + 1];
    points.push([x / scale, y / scale]);
  }
  return points;
}
function berbagiFeatures(kind, data) {
  if (kind === 'route') {
    return data.routes.map(function (r) {
      var lines = r.slice(2).map(function (flat) { return berbagiLine(flat, data.scale); });
      var geometry = lines.length === 1 ? {type: 'LineString', coordinates: lines[0]}
        : {type: 'MultiLineString', coordinates: lines};
      return {type: 'Feature', geometry: geometry, properties: {t: r[0], c: r[1]}};
    });
  }
  if (kind === 'stop') {
    var x = 0, y = 0;
    return data.stops.map(function (s) {
      var team = data.teams[s[0]];
      x += s[1];
      y += s[2];
      var tip = '<b>Team ' + team[0] + '</b> · stop ' + s[3] + '<br>Arrival ' + s[5]
        + '<br>Household ' + s[4] + '<br>' + s[6] + (s[6] === 1 ? ' package' : ' packages')
        + (s.length > 7 ? '<br><i>Position ' + s[7] + ': ask the RT head</i>' : '');
      return {type: 'Feature', properties: {t: tip, c: team[1]},
        geometry: {type: 'Point', coordinates: [x / data.scale, y / data.scale]}};
    });
  }
  return data;
}
function berbagiLayer(kind, data, style) {
  var opts = {};
  if (kind === 'route') {
    opts.style = function (f) {
      return {color: f.properties.c, weight: 3, opacity: 0.85, lineJoin: 'round'};
    };
  } else if (kind === 'desa') {
    opts.style = function () {
      return L.Util.extend(
        {color: '#9e9e9e', weight: 0.8, fillColor: '#f3efe6', fillOpacity: 0.55}, style);
    };
  } else if (kind === 'kecamatan') {
    opts.interactive = false;
    opts.style = function () { return {color: '#616161', weight: 1.6, fill: false}; };
    opts.onEachFeature = function (f, layer) {
      if (f.properties.l) {
        layer.bindTooltip(f.properties.l,
          {permanent: true, direction: 'center', className: 'berbagi-label'});
      }
    };
  }
  opts.pointToLayer = function (f, latlng) {
    var p = f.properties;
    if (kind === 'depot') {
      var cls = p.a ? 'berbagi-depot berbagi-depot-approx' : 'berbagi-depot';
      return L.marker(latlng, {icon: L.divIcon({className: cls, iconSize: [12, 12]}),
        keyboard: false});
    }
    if (kind === 'unserved') {
      return L.circleMarker(latlng, {radius: 6, color: '#000000', weight: 2,
        fillColor: '%(unserved)s', fillOpacity: 0.95});
    }
    return L.circleMarker(latlng, {radius: 4, color: '#ffffff', weight: 1,
      fillColor: p.c, fillOpacity: 0.95});
  };
  var layer = L.geoJSON(berbagiFeatures(kind, data), opts);
  if (kind !== 'kecamatan') {
    var tip = function (l) { return l.feature.properties.t; };
    layer.bindTooltip(tip, {sticky: kind === 'route' || kind === 'desa'});
    if (kind !== 'desa') { layer.bindPopup(tip); }
  }
  return layer;
}
""" % {"unserved": UNSERVED_COLOUR}  # noqa: UP031 - the JS braces make str.format unreadable


# --------------------------------------------------------------------------- folium elements


class _FeatureLayer(Layer):
    """One toggleable map layer, drawn from its payload (see ``_layer_payloads``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = berbagiLayer(
                {{ this.kind_js }}, {{ this.data_js }}, {{ this.style_js }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, data: object, style: dict[str, object] | None = None) -> None:
        super().__init__(name=_LAYER_NAMES[kind], overlay=True, control=True, show=True)
        self._name = "BerbagiLayer"
        self.kind_js = _js_literal(kind)
        self.data_js = _js_literal(data)
        self.style_js = _js_literal(style or {})


class _Finish(folium.MacroElement):
    """Legend control, layer stacking and the initial view; added to the map last."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var stack = [{% for layer in this.stack %}{{ layer.get_name() }}, {% endfor %}];
            map.on('overlayadd', function () {
                stack.forEach(function (l) { if (map.hasLayer(l)) { l.bringToFront(); } });
            });
            var el = document.getElementById('berbagi-legend');
            var legend = L.control({position: 'topright'});
            legend.onAdd = function () {
                el.hidden = false;
                L.DomEvent.disableClickPropagation(el);
                L.DomEvent.disableScrollPropagation(el);
                return el;
            };
            legend.addTo(map);
            var size = map.getSize();
            var details = el.querySelector('details');
            if (details && (size.x < 700 || size.y < 500)) { details.open = false; }
            var right = el.offsetWidth + 20;
            if (right > size.x / 2) { right = 10; }
            var bounds = {{ this.bounds_js }};
            if (bounds) {
                map.fitBounds(bounds, {paddingTopLeft: [20, 20],
                    paddingBottomRight: [right, 20], maxZoom: 17});
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, stack: list[Any], bbox: list[float] | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca leaves it unannotated
        self._name = "BerbagiFinish"
        self.stack = stack
        bounds = None if bbox is None else [[bbox[1], bbox[0]], [bbox[3], bbox[2]]]
        self.bounds_js = _js_literal(bounds)


class _Raw(folium.Element):
    """Text put into the page as it is (not read as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__("{{ this.text }}")
        self.text = text


@cache
def _asset(name: str) -> bytes:
    return resources.files("optimizer.render").joinpath("assets", name).read_bytes()


@cache
def _leaflet_head() -> str:
    """Leaflet's CSS (its images as data URIs) and JS, inlined, plus the page CSS."""

    def image(match: re.Match[str]) -> str:
        try:
            data = _asset(match.group(2))
        except FileNotFoundError:
            return "none"  # the default marker icon: never used on this map
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = _CSS_IMAGE.sub(image, _asset("leaflet.css").decode("utf-8"))
    script = _asset("leaflet.js").decode("utf-8")
    licence = _asset("LICENSE-leaflet.txt").decode("utf-8")
    if any(bad in text.lower() for text in (script, licence) for bad in ("</script", "<!--")):
        raise RuntimeError("the vendored Leaflet cannot be inlined into a script element")
    if "*/" in licence:
        raise RuntimeError("the Leaflet licence text cannot be put into a script comment")
    return (
        f"<style>\n{css}\n{_PAGE_CSS}</style>\n"
        f"<script>\n/* Leaflet 1.9.4 licence:\n{licence}*/\n{script}\n</script>"
    )


def _name_ids(elements: Iterable[Any]) -> None:
    """Give elements fixed names, so equal plans give byte-identical pages."""
    for number, element in enumerate(elements):
        element._id = f"b{number}"


def render_map(plan: Plan, path: Path, *, config: RenderConfig | None = None) -> Path:
    """Write the plan's overview map as one self-contained HTML file.

    Parameters
    ----------
    plan : Plan
    path : Path
        The HTML file to write; its folder is created when missing.
    config : RenderConfig, optional
        ``online_tiles`` adds an OpenStreetMap base layer (needs the internet when viewed);
        ``coordinate_decimals`` sets the rounding of coordinates. Defaults to the plan's own
        settings, ``plan.render`` (the scenario's ``[render]`` table).

    Returns
    -------
    Path
        The file written. It loads nothing from the network unless ``online_tiles`` is set.

    Raises
    ------
    ValueError
        If a polyline of the plan has more latitudes than longitudes or the other way round.
    """
    started = time.perf_counter()
    config = config if config is not None else plan.render
    collection = build_feature_collection(plan, decimals=config.coordinate_decimals)
    layers = _layer_payloads(collection, config.coordinate_decimals)
    bbox = collection.get("bbox")
    centre = _DEFAULT_CENTRE if bbox is None else ((bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2)

    fmap = folium.Map(
        location=centre, zoom_start=10, tiles=None, prefer_canvas=True, control_scale=True
    )
    fmap.default_js = []  # Folium's CDN links; Leaflet is inlined below instead
    fmap.default_css = []
    figure = fmap.get_root()
    if not isinstance(figure, folium.Figure):  # pragma: no cover - folium.Map always makes one
        raise TypeError("folium.Map did not create its Figure")
    figure.title = _e(plan.title or plan.scenario)
    figure.header.add_child(_Raw(_leaflet_head()), name="berbagi_leaflet")
    figure.html.add_child(_Raw(_banner_html(plan) + _legend_html(plan)), name="berbagi_html")
    figure.script.add_child(_Raw(_PAGE_JS), name="berbagi_js")

    elements: list[Any] = [fmap]
    if config.online_tiles:
        tiles = folium.TileLayer(
            tiles=OSM_TILE_URL,
            attr=OSM_ATTRIBUTION,
            name="OpenStreetMap (online)",
            max_zoom=19,
            overlay=False,
            control=True,
            show=True,
        )
        plain = folium.FeatureGroup(name="No tiles (outlines only)", overlay=False, show=False)
        elements += [tiles, plain]
    stack: list[Any] = []  # layers on the canvas, bottom to top
    for key, data in layers.items():
        if data is None:
            continue
        # Over map tiles the desa fill would hide the map: keep only a hint of it.
        style: dict[str, object] | None = None
        if key == "desa" and config.online_tiles:
            style = {"fillOpacity": 0.12}
        layer = _FeatureLayer(key, data, style)
        elements.append(layer)
        if key != "depot":
            stack.append(layer)
    elements += [folium.LayerControl(position="topright", collapsed=True), _Finish(stack, bbox)]
    _name_ids([*elements, figure])
    for element in elements[1:]:
        fmap.add_child(element)

    path.parent.mkdir(parents=True, exist_ok=True)
    page = figure.render()
    path.write_text(page, encoding="utf-8")
    LOGGER.info(
        "map written to %s (%.1f MB, %d features, %.1f s)",
        path,
        len(page.encode("utf-8")) / 1e6,
        len(collection["features"]),
        time.perf_counter() - started,
    )
    return path
