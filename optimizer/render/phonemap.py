"""The map of a team's phone page: a plain SVG of the route on its streets, no map library.

The drawing is in whole metres east and south of the map's north-west corner. Streets come from
:class:`~optimizer.geometry.Streets` clipped to the route's box plus a margin, thinned to 1.5 m
and chained (:mod:`optimizer.render.streetlines`), one ``<path>`` per rank; under them the
outlines of the desa the team visits, over them the driven route with a white casing, each walk
from a parked vehicle as a thin dashed loop, the depot, the "P" badges where the team parks and
the numbered stops. Lines keep their width on screen at any zoom (``non-scaling-stroke``); markers
carry their position in ``data-x``/``data-y`` so the page script can keep them the same size
while the map is zoomed. Lanes show only in views narrower than 3 km and local roads in views
narrower than 9 km (:func:`street_detail_class`), so a wide route stays readable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from optimizer.geometry import Streets
from optimizer.plan import AreaOutline, Park, Route, Stop
from optimizer.render.palette import PARK_COLOUR
from optimizer.render.streetlines import build_street_lines
from optimizer.render.walks import drive_legs, walk_loop

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Metres per degree of latitude (and of longitude at the equator).
_METRES_PER_DEGREE: Final = 111_320.0
#: Margin around the route: this share of its larger side, at least the minimum (metres).
_MARGIN_SHARE: Final = 0.12
_MIN_MARGIN_M: Final = 120.0
#: The map's height over width is kept between these, so it suits a phone held upright.
_MIN_ASPECT, _MAX_ASPECT = 0.8, 1.3
#: Street and outline points closer than this to the line through their neighbours are dropped.
_TOLERANCE_M: Final = 1.5
#: Widest views (metres across) that still show lanes, and local roads.
LANE_VIEW_M: Final = 3000
LOCAL_VIEW_M: Final = 9000
#: Width of the screen the page assumes before its script measures it (CSS pixels).
ASSUMED_WIDTH_PX: Final = 400


def street_detail_class(view_width_m: float) -> str:
    """Name the class that hides streets too fine for a view this wide (metres).

    Lanes show in views narrower than :data:`LANE_VIEW_M`, local roads in views narrower than
    :data:`LOCAL_VIEW_M`, main roads always; the page script changes the class as the map
    zooms (``far`` hides lanes, ``farther`` hides lanes and local roads).
    """
    if view_width_m > LOCAL_VIEW_M:
        return "farther"
    return "far" if view_width_m > LANE_VIEW_M else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Frame:
    """The map's box and its projection to whole metres (x east, y south of the corner)."""

    west: float
    north: float
    width_m: int
    height_m: int
    metres_x: float  # metres per degree of longitude here

    def project(self, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
        x = np.rint((np.asarray(lon, dtype=np.float64) - self.west) * self.metres_x)
        y = np.rint((self.north - np.asarray(lat, dtype=np.float64)) * _METRES_PER_DEGREE)
        return x.astype(np.int64), y.astype(np.int64)

    def point(self, lat: float, lon: float) -> tuple[int, int]:
        x, y = self.project(np.array([lat]), np.array([lon]))
        return int(x[0]), int(y[0])

    @property
    def south(self) -> float:
        return self.north - self.height_m / _METRES_PER_DEGREE

    @property
    def east(self) -> float:
        return self.west + self.width_m / self.metres_x


def render_route_svg(
    route: Route,
    colour: str,
    streets: Streets | None,
    areas: Sequence[AreaOutline] = (),
    *,
    title: str = "",
) -> str:
    """Draw a route as an SVG element: streets, desa outlines, route, depot, numbered stops.

    Parameters
    ----------
    route : Route
    colour : str
        The team's "#rrggbb" colour.
    streets : Streets or None
        The road network's streets; those near the route are drawn. None draws no streets.
    areas : sequence of AreaOutline
        Desa outlines to draw under the streets (only those the route's stops lie in).
    title : str
        Accessible name of the map (plain text; escaped here).

    Returns
    -------
    str
        One ``<svg id="map">`` element. Each stop is ``<a href="#s<n>">`` around a ``g.mk``
        marker, the depot a ``g.mk.depot`` marker, the n-th parking place ``<a href="#p<n>">``
        around a ``g.mk.park`` marker.
    """
    frame = _frame(route)
    parts = [_outline_paths(frame, route, areas)]
    if streets is not None:
        parts.append(_street_paths(frame, streets))
    route_d = _route_path(frame, route)
    if route_d:
        parts.append(f'<path class="casing" d="{route_d}"/>')
        parts.append(f'<path class="route" style="stroke:{colour}" d="{route_d}"/>')
    parts.append(_walk_paths(frame, route, colour))
    parts.append(_depot_marker(frame, route))
    parts.extend(_park_marker(frame, park, n) for n, park in enumerate(route.parks, start=1))
    parts.extend(_stop_marker(frame, stop, colour) for stop in route.stops)
    width, height = frame.width_m, frame.height_m
    label = html.escape(title, quote=True)
    return (
        f'<svg id="map" viewBox="0 0 {width} {height}" '
        f'class="{street_detail_class(width)}" style="aspect-ratio:{width}/{height}" '
        f'role="img" aria-label="{label}">'
        f'<rect class="land" x="-{width}" y="-{height}" width="{3 * width}" '
        f'height="{3 * height}"/>'
        f'<g id="layers">{"".join(parts)}</g></svg>'
    )


def _route_points(route: Route) -> tuple[FloatArray, FloatArray]:
    lats = [route.depot_lat, *(s.lat for s in route.stops)]
    lons = [route.depot_lon, *(s.lon for s in route.stops)]
    for leg in route.legs:
        lats.extend(leg.path.lats)
        lons.extend(leg.path.lons)
    lat, lon = np.array(lats, dtype=np.float64), np.array(lons, dtype=np.float64)
    finite = np.isfinite(lat) & np.isfinite(lon)
    return lat[finite], lon[finite]


def _frame(route: Route) -> _Frame:
    """Frame the route's box plus a margin, widened or heightened to a phone's shape."""
    lat, lon = _route_points(route)
    if len(lat) == 0:
        lat, lon = np.array([0.0]), np.array([0.0])
    south, north = float(lat.min()), float(lat.max())
    west, east = float(lon.min()), float(lon.max())
    metres_x = _METRES_PER_DEGREE * math.cos(math.radians((south + north) / 2))
    width, height = (east - west) * metres_x, (north - south) * _METRES_PER_DEGREE
    margin = max(_MIN_MARGIN_M, _MARGIN_SHARE * max(width, height))
    width, height = width + 2 * margin, height + 2 * margin
    grow_x = max(0.0, height / _MAX_ASPECT - width)
    grow_y = max(0.0, width * _MIN_ASPECT - height)
    west -= (margin + grow_x / 2) / metres_x
    north += (margin + grow_y / 2) / _METRES_PER_DEGREE
    return _Frame(
        west=west,
        north=north,
        width_m=math.ceil(width + grow_x),
        height_m=math.ceil(height + grow_y),
        metres_x=metres_x,
    )


def _numbers(values: Iterable[int]) -> str:
    """Numbers for path data: a space between them, none before a minus sign."""
    text = ""
    for value in values:
        number = str(value)
        text += number if not text or number.startswith("-") else f" {number}"
    return text


def _polyline_d(lines: Iterable[IntArray]) -> str:
    """Path data of lines: a relative move to each line's start, then relative steps."""
    commands = []
    last = np.zeros(2, dtype=np.int64)
    for line in lines:
        steps = np.diff(line, axis=0)
        start = line[0] - last
        commands.append(f"m{_numbers(start.tolist())}l{_numbers(steps.ravel().tolist())}")
        last = line[-1]
    return "".join(commands)


def _street_paths(frame: _Frame, streets: Streets) -> str:
    near = streets.within(frame.south, frame.west, frame.north, frame.east)
    if near.n_lines == 0:
        return ""
    groups = build_street_lines(near, frame.project, tolerance=_TOLERANCE_M)
    return "".join(
        f'<path class="r{group.rank}" d="{_polyline_d(group.lines())}"/>'
        for group in sorted(groups, key=lambda g: -g.rank)  # lanes first, main roads on top
    )


def _outline_paths(frame: _Frame, route: Route, areas: Sequence[AreaOutline]) -> str:
    visited = {stop.desa_code for stop in route.stops}
    lines: list[IntArray] = []
    for area in areas:
        if area.level != "desa" or area.code not in visited:
            continue
        for ring in area.rings:
            x, y = frame.project(np.array(ring.lats), np.array(ring.lons))
            xy = np.column_stack([x, y])
            if len(xy) >= 2:
                keep = np.ones(len(xy), dtype=bool)
                keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
                lines.append(xy[keep])
    lines = [line for line in lines if len(line) >= 2]
    return f'<path class="desa" d="{_polyline_d(lines)}"/>' if lines else ""


def _route_path(frame: _Frame, route: Route) -> str:
    """Trace the driven route along its legs; a leg not starting where the last one ended jumps.

    Walk legs are left out: the drive to a parking place ends where the drive on starts.
    """
    lines: list[IntArray] = []
    for leg in drive_legs(route):
        if not leg.path.lats:
            continue
        x, y = frame.project(np.array(leg.path.lats), np.array(leg.path.lons))
        xy = np.column_stack([x, y])
        if lines and np.array_equal(lines[-1][-1], xy[0]):
            lines[-1] = np.vstack([lines[-1], xy[1:]])
        else:
            lines.append(xy)
    cleaned = []
    for line in lines:
        keep = np.ones(len(line), dtype=bool)
        keep[1:] = np.any(line[1:] != line[:-1], axis=1)
        if keep.sum() >= 2:
            cleaned.append(line[keep])
    return _polyline_d(cleaned)


def _walk_paths(frame: _Frame, route: Route, colour: str) -> str:
    """Draw each walk from a parked vehicle as a thin dashed loop (none: no element)."""
    lines: list[IntArray] = []
    for park in route.parks:
        loop = walk_loop(route, park)
        lat, lon = np.array(loop.lats), np.array(loop.lons)
        finite = np.isfinite(lat) & np.isfinite(lon)
        x, y = frame.project(lat[finite], lon[finite])
        xy = np.column_stack([x, y])
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
        if keep.sum() >= 2:
            lines.append(xy[keep])
    if not lines:
        return ""
    return (
        f'<path class="walk" style="stroke:{colour};stroke-width:2.5;stroke-dasharray:5 4" '
        f'd="{_polyline_d(lines)}"/>'
    )


def _park_marker(frame: _Frame, park: Park, number: int) -> str:
    """Draw a small "P" square where the team parks, linking to its row of the list."""
    if not (math.isfinite(park.lat) and math.isfinite(park.lon)):
        return ""
    x, y = frame.point(park.lat, park.lon)
    scale = frame.width_m / ASSUMED_WIDTH_PX
    return (
        f'<a href="#p{number}"><g class="mk park" data-x="{x}" data-y="{y}" '
        f'transform="translate({x} {y}) scale({scale:.3g})">'
        f'<rect x="-8" y="-8" width="16" height="16" rx="2" '
        f'style="fill:{PARK_COLOUR};stroke:#fff;stroke-width:2"/><text y="4">P</text></g></a>'
    )


def _depot_marker(frame: _Frame, route: Route) -> str:
    if not (math.isfinite(route.depot_lat) and math.isfinite(route.depot_lon)):
        return ""
    x, y = frame.point(route.depot_lat, route.depot_lon)
    scale = frame.width_m / ASSUMED_WIDTH_PX
    return (
        f'<a href="#depot"><g class="mk depot" data-x="{x}" data-y="{y}" '
        f'transform="translate({x} {y}) scale({scale:.3g})">'
        '<rect x="-9" y="-9" width="18" height="18" rx="2"/><text y="4">D</text></g></a>'
    )


def _stop_marker(frame: _Frame, stop: Stop, colour: str) -> str:
    if not (math.isfinite(stop.lat) and math.isfinite(stop.lon)):
        return ""
    x, y = frame.point(stop.lat, stop.lon)
    scale = frame.width_m / ASSUMED_WIDTH_PX
    classes = "mk" + (" prio" if stop.priority else "") + (" approx" if stop.approximate else "")
    ring = '<circle class="ring" r="15"/>' if stop.priority or stop.approximate else ""
    number = stop.sequence
    size = ' class="small"' if number >= 100 else ""
    return (
        f'<a href="#s{number}"><g class="{classes}" data-x="{x}" data-y="{y}" '
        f'transform="translate({x} {y}) scale({scale:.3g})">{ring}'
        f'<circle r="11" style="fill:{colour}"/><text y="4"{size}>{number}</text></g></a>'
    )
