"""The overview map's data: a plan as a GeoJSON FeatureCollection, before any page is made.

Tests check this collection rather than the page (Folium's HTML is built around it). It holds ids,
times and figures only, never names or addresses of people.
"""

from __future__ import annotations

import math
from itertools import chain
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from optimizer.plan import AreaOutline, Plan, Polyline, Route
from optimizer.render.palette import route_colour
from optimizer.render.walks import door_span, drive_legs, walk_loop, walk_metres
from optimizer.units import format_clock

_MAX_DECIMALS: Final = 10

Feature = dict[str, Any]
FloatArray = npt.NDArray[np.float64]


def build_feature_collection(plan: Plan, *, decimals: int | None = None) -> dict[str, Any]:
    """Build the GeoJSON FeatureCollection the map is drawn from.

    Features come in this order: one line per route, one point per stop (routes in plan order,
    stops in visiting order), for each walk from a parked vehicle (routes in plan order, walks in
    route order) its loop on foot and its parking place, one point per unserved household that
    has coordinates, one point per depot, then the area outlines. Coordinates are ``[lon, lat]``
    rounded to ``decimals``; consecutive duplicate points are dropped. A route's driven legs (walk
    legs left out) are joined into one LineString, or a MultiLineString where a leg does not start
    where the previous one ended; a route without any drawable leg, and anything with non-finite
    coordinates, has a ``null`` geometry.

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
        ``walk`` (the loop on foot: parking place, doors, parking place) and ``park`` (the
        parking place): team_id, doors ("K-M" or "K"), walk_m (whole metres), colour, and for
        ``park`` also arrival and departure ("HH:MM"); ``unserved``: household_id, reason;
        ``depot``:
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
    for index, route in enumerate(plan.routes):
        features += _walk_features(route, route_colour(index), decimals, extent)
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
    """Join the driven legs of a route: one array of ``[lon, lat]`` rows per unbroken part.

    All legs are rounded at once; a point equal to the one before it is dropped, and a leg whose
    first point differs from where the previous leg ended starts a new part.
    """
    paths = [leg.path for leg in drive_legs(route)]
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


def _walk_features(route: Route, colour: str, decimals: int, extent: _Extent) -> list[Feature]:
    """Return each walk's loop on foot and its parking place, in route order."""
    features: list[Feature] = []
    for park in route.parks:
        common = {
            "team_id": route.team_id,
            "doors": door_span(park),
            "walk_m": walk_metres(park),
            "colour": colour,
        }
        line = _points(walk_loop(route, park), decimals)
        extent.add(line)
        geometry = {"type": "LineString", "coordinates": line.tolist()} if len(line) >= 2 else None
        features.append(
            {"type": "Feature", "geometry": geometry, "properties": {"kind": "walk", **common}}
        )
        properties = {
            "kind": "park",
            **common,
            "arrival": format_clock(park.arrival_s),
            "departure": format_clock(park.departure_s),
        }
        features.append(_point_feature(park.lat, park.lon, decimals, properties, extent))
    return features


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
