"""A plan as a small static map in inline SVG: kecamatan outlines, routes, depots, unserved.

Several plans share one frame (:func:`build_map_frame`), so maps of the scenarios of a
comparison line up and can be read side by side. Lines are thinned for the small picture:
points are projected to pixels, a point closer than :data:`MIN_STEP_PX` to the last one kept
is dropped, then the Ramer-Douglas-Peucker rule drops inner points within
:data:`TOLERANCE_PX` of the line through their neighbours; a line's ends are always kept and
coordinates are written to 0.1 px. A route is drawn along its driven legs; a walk from a parked
vehicle is a thin dashed loop in the team's colour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from optimizer.plan import Plan, Polyline, Route
from optimizer.render.palette import UNSERVED_COLOUR, route_colour
from optimizer.render.svgcharts import escape, num
from optimizer.render.walks import drive_legs, walk_loop

#: Points of a line closer than this (px) to the last point kept are dropped.
MIN_STEP_PX: Final = 1.5
#: Inner points of a line within this distance (px) of the simplified line are dropped.
TOLERANCE_PX: Final = 0.6
MAP_WIDTH_PX: Final = 360
MAX_MAP_HEIGHT_PX: Final = 420
_PAD_PX: Final = 10
OUTLINE_FILL: Final = "#f4f6f8"
OUTLINE_STROKE: Final = "#8a99a8"

#: A point on the map (px): x right, y down.
Point = tuple[float, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class MapFrame:
    """The area a map shows (degrees) and its size in px; north up, east-west scaled by cos."""

    south: float
    west: float
    north: float
    east: float
    width: float
    height: float
    scale: float  # px per degree of latitude
    x_factor: float  # cos(mid latitude)

    def to_px(self, lat: float, lon: float) -> tuple[float, float]:
        """Return the pixel position (x right, y down) of a point."""
        x = _PAD_PX + (lon - self.west) * self.x_factor * self.scale
        y = _PAD_PX + (self.north - lat) * self.scale
        return x, y


def _points(plan: Plan) -> Iterable[tuple[float, float]]:
    """Every (lat, lon) a plan's map draws: kecamatan outlines, routes, depots, unserved."""
    for area in plan.areas:
        if area.level == "kecamatan":
            for ring in area.rings:
                yield from zip(ring.lats, ring.lons, strict=True)
    for route in plan.routes:
        yield route.depot_lat, route.depot_lon
        for leg in route.legs:
            yield from zip(leg.path.lats, leg.path.lons, strict=True)
    for depot in plan.depots:
        yield depot.lat, depot.lon
    for household in plan.unserved:
        if household.lat is not None and household.lon is not None:
            yield household.lat, household.lon


def build_map_frame(plans: Sequence[Plan], *, width: int = MAP_WIDTH_PX) -> MapFrame:
    """Return one frame that holds everything every plan's map draws.

    Parameters
    ----------
    plans : Sequence[Plan]
    width : int
        Map width in px; the height follows the area's shape, up to
        :data:`MAX_MAP_HEIGHT_PX` (a tall area gets a narrower map).

    Returns
    -------
    MapFrame
        The frame; plans with nothing to draw get a small frame around (0, 0).
    """
    lats: list[float] = []
    lons: list[float] = []
    for plan in plans:
        for lat, lon in _points(plan):
            lats.append(lat)
            lons.append(lon)
    south, north = (min(lats), max(lats)) if lats else (-0.01, 0.01)
    west, east = (min(lons), max(lons)) if lons else (-0.01, 0.01)
    x_factor = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * x_factor, 1e-6)
    span_y = max(north - south, 1e-6)
    inner_w = width - 2 * _PAD_PX
    scale = inner_w / span_x
    if span_y * scale > MAX_MAP_HEIGHT_PX - 2 * _PAD_PX:
        scale = (MAX_MAP_HEIGHT_PX - 2 * _PAD_PX) / span_y
    return MapFrame(
        south=south,
        west=west,
        north=north,
        east=east,
        width=round(span_x * scale + 2 * _PAD_PX, 1),
        height=round(span_y * scale + 2 * _PAD_PX, 1),
        scale=scale,
        x_factor=x_factor,
    )


def _offset(point: Point, start: Point, end: Point) -> float:
    """Distance (px) of a point from the line through ``start`` and ``end``."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return math.hypot(point[0] - start[0], point[1] - start[1])
    return abs(dx * (start[1] - point[1]) - dy * (start[0] - point[0])) / length


def simplify_line(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Return the Ramer-Douglas-Peucker simplification of a line (both ends kept).

    Parameters
    ----------
    points : Sequence[tuple[float, float]]
        The line's points (px).
    tolerance : float
        Inner points within this distance (px) of the simplified line are dropped.

    Returns
    -------
    list[tuple[float, float]]
        The points kept, in order.
    """
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    pending = [(0, len(points) - 1)]
    while pending:
        first, last = pending.pop()
        if last - first < 2:
            continue
        offsets = [_offset(points[i], points[first], points[last]) for i in range(first + 1, last)]
        worst = max(range(len(offsets)), key=offsets.__getitem__)
        if offsets[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            pending += [(first, middle), (middle, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _thin(frame: MapFrame, lats: Sequence[float], lons: Sequence[float]) -> list[str]:
    """Projected points as "x,y" text, thinned for the small picture (see the module notes)."""
    kept: list[Point] = []
    last = len(lats) - 1
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        x, y = frame.to_px(lat, lon)
        if kept and i != last and math.hypot(x - kept[-1][0], y - kept[-1][1]) < MIN_STEP_PX:
            continue
        kept.append((x, y))
    return [f"{num(x)},{num(y)}" for x, y in simplify_line(kept, TOLERANCE_PX)]


def _route_points(frame: MapFrame, route: Route) -> list[str]:
    """Return the route as one thinned line: depot, along every driven leg, back to the depot."""
    lats: list[float] = [route.depot_lat]
    lons: list[float] = [route.depot_lon]
    for leg in drive_legs(route):
        lats.extend(leg.path.lats)
        lons.extend(leg.path.lons)
    lats.append(route.depot_lat)
    lons.append(route.depot_lon)
    return _thin(frame, lats, lons)


def _ring_path(frame: MapFrame, ring: Polyline) -> str:
    points = _thin(frame, ring.lats, ring.lons)
    return "M" + "L".join(points) + "Z" if len(points) > 2 else ""


def _outlines(frame: MapFrame, plan: Plan) -> str:
    parts = []
    for area in sorted(plan.areas, key=lambda a: a.code):
        if area.level != "kecamatan":
            continue
        path = "".join(_ring_path(frame, ring) for ring in area.rings)
        if path:
            parts.append(f'<path d="{path}"><title>Kecamatan {escape(area.name)}</title></path>')
    return (
        f'<g fill="{OUTLINE_FILL}" stroke="{OUTLINE_STROKE}" stroke-width="0.8" '
        f'stroke-linejoin="round">{"".join(parts)}</g>'
    )


def _routes(frame: MapFrame, plan: Plan) -> str:
    parts = []
    for index, route in enumerate(plan.routes):
        points = " ".join(_route_points(frame, route))
        parts.append(
            f'<polyline points="{points}" stroke="{route_colour(index)}">'
            f"<title>Team {escape(route.team_id)}</title></polyline>"
        )
    return (
        '<g fill="none" stroke-width="1.4" stroke-opacity="0.9" stroke-linejoin="round" '
        f'stroke-linecap="round">{"".join(parts)}</g>'
    )


def _walks(frame: MapFrame, plan: Plan) -> str:
    """Each walk from a parked vehicle as a thin dashed loop (nothing when no team walks)."""
    parts = []
    for index, route in enumerate(plan.routes):
        for park in route.parks:
            loop = walk_loop(route, park)
            points = " ".join(_thin(frame, loop.lats, loop.lons))
            parts.append(f'<polyline points="{points}" stroke="{route_colour(index)}"/>')
    if not parts:
        return ""
    return (
        '<g class="walks" fill="none" stroke-width="0.8" stroke-dasharray="2 1.5" '
        f'stroke-linejoin="round">{"".join(parts)}</g>'
    )


def _markers(frame: MapFrame, plan: Plan) -> str:
    depots = []
    for depot in plan.depots:
        x, y = frame.to_px(depot.lat, depot.lon)
        depots.append(
            f'<rect x="{num(x - 3)}" y="{num(y - 3)}" width="6" height="6">'
            f"<title>Depot {escape(depot.name)}</title></rect>"
        )
    dots = []
    for household in plan.unserved:
        if household.lat is None or household.lon is None:
            continue
        x, y = frame.to_px(household.lat, household.lon)
        dots.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="3.2">'
            f"<title>Not served: {escape(household.household_id)} "
            f"({escape(household.code)})</title></circle>"
        )
    return (
        f'<g fill="#1d2733" stroke="#ffffff" stroke-width="1">{"".join(depots)}</g>'
        f'<g class="unserved" fill="{UNSERVED_COLOUR}" stroke="#ffffff" stroke-width="0.8">'
        f"{''.join(dots)}</g>"
    )


def plan_map_svg(plan: Plan, frame: MapFrame) -> str:
    """Draw a plan as a small map: kecamatan outlines, routes, depots and unserved households.

    Parameters
    ----------
    plan : Plan
    frame : MapFrame
        The area and size shown (:func:`build_map_frame`, shared by compared plans).

    Returns
    -------
    str
        An ``<svg>`` element: outlines in light grey, each route in its team's colour (as on the
        plan's other documents), depots as dark squares, unserved households as red dots.
    """
    width, height = num(frame.width), num(frame.height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Map of scenario {escape(plan.scenario)}">'
        f"{_outlines(frame, plan)}{_routes(frame, plan)}{_walks(frame, plan)}"
        f"{_markers(frame, plan)}</svg>"
    )
