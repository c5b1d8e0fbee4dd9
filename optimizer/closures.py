"""Closed roads on the day (a closed bridge, a flooded stretch) -> a RoadGraph without them.

A closure file is GeoJSON (``[closures] roads`` of the scenario): a FeatureCollection, a single
Feature or a bare geometry, with coordinates as ``[lon, lat]`` in degrees (EPSG:4326). Its
LineStrings and Polygons (and their Multi- forms) name what is closed; points are ignored.

Closure rule: every directed edge whose shape (its two end nodes and the inner shape points
between them) touches a closed line or a closed polygon is removed, so a two-way street closes
in both directions. A line drawn across a street closes that street only; a line through a
junction closes every street meeting there; a polygon closes every street inside it or
crossing its border. Nodes stay, so node indices do not change; a part of the network cut off
by the closure falls out of each profile's largest strongly connected component
(:func:`optimizer.profiles.build_profile_network`) and its households are listed unreachable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape

from optimizer.errors import Issue, ScenarioError
from optimizer.roadgraph import RoadGraph

logger = logging.getLogger(__name__)

#: Geometry types that close roads.
CLOSING_TYPES = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")
#: Margin around the network's extent within which a closure may lie (degrees, about 1 km).
EXTENT_MARGIN_DEG = 0.01
_FIX = "give LineString or Polygon geometries with [lon, lat] coordinates in degrees"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosureReport:
    """What a closure file took out of the road network.

    Attributes
    ----------
    source : str
        The closure file's name.
    features : int
        Closing geometries read (lines and polygons).
    edges_closed : int
        Directed edges removed (a two-way street counts twice).
    segments_closed : int
        Road segments removed (a two-way street counts once).
    km_closed : float
        Length of those segments, kilometres.
    kept_edges : int64 array
        For each edge of the closed graph, its index in the whole network.
    touched_nodes : bool array
        Per node: an end of a closed edge.
    """

    source: str
    features: int
    edges_closed: int
    segments_closed: int
    km_closed: float
    kept_edges: npt.NDArray[np.int64] = field(repr=False, compare=False)
    touched_nodes: npt.NDArray[np.bool_] = field(repr=False, compare=False)

    def warning(self) -> str:
        """Return the line the plan's warnings carry about this closure."""
        return (
            f"road closures from {self.source}: {self.segments_closed} road segment(s) closed "
            f"({self.km_closed:.2f} km); households cut off by them are listed unreachable"
        )


def _error(path: Path, messages: list[tuple[int | None, str]]) -> ScenarioError:
    issues = [Issue(source=path.name, row=row, field=None, message=m) for row, m in messages]
    return ScenarioError(issues, headline=f"{len(issues)} problem(s) in closure file {path}")


def _geometries(data: object) -> list[tuple[int | None, object]]:
    """Return the (1-based feature number or None, GeoJSON geometry) pairs of a parsed file."""
    if not isinstance(data, dict):
        return []
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            return []
        return [
            (i, f.get("geometry") if isinstance(f, dict) else None)
            for i, f in enumerate(features, start=1)
        ]
    if kind == "Feature":
        return [(1, data.get("geometry"))]
    return [(None, data)] if isinstance(kind, str) else []


def _parse(geometry: object) -> list[Any]:
    """Return the closing shapely geometries of one GeoJSON geometry (collections opened)."""
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "GeometryCollection":
        parts = geometry.get("geometries")
        return [g for part in parts or [] for g in _parse(part)]
    if geometry.get("type") not in CLOSING_TYPES:
        return []
    return [shape(geometry)]


def read_closures(path: Path) -> tuple[Any, ...]:
    """Read the closing lines and polygons of a GeoJSON file.

    Parameters
    ----------
    path : Path
        GeoJSON file (FeatureCollection, Feature or geometry), coordinates ``[lon, lat]``.

    Returns
    -------
    tuple of shapely geometries
        LineStrings, Polygons and their Multi- forms, in file order.

    Raises
    ------
    ScenarioError
        The file is missing, not JSON, not GeoJSON, holds a broken geometry or no line or
        polygon at all; the message names the file (and the feature number) and the fix.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise _error(
            path, [(None, f"cannot read the file ({err}); check [closures] roads")]
        ) from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _error(path, [(None, f"not a GeoJSON file ({err}); save it as GeoJSON")]) from err
    entries = _geometries(data)
    if not entries:
        raise _error(
            path,
            [
                (
                    None,
                    "not GeoJSON: expected a FeatureCollection, a Feature or a geometry; "
                    "export the closures from your GIS tool as GeoJSON",
                )
            ],
        )
    found: list[Any] = []
    problems: list[tuple[int | None, str]] = []
    for row, geometry in entries:
        try:
            found += _parse(geometry)
        except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
            problems.append((row, f"broken geometry ({str(err).strip()}); {_FIX}"))
    if problems:
        raise _error(path, problems)
    found = [g for g in found if not g.is_empty]
    if not found:
        raise _error(path, [(None, f"holds no line or polygon, so it closes no road; {_FIX}")])
    return tuple(found)


def _edge_lines(graph: RoadGraph) -> npt.NDArray[np.object_]:
    """One shapely LineString (lon, lat) per directed edge: start node, shape points, end node."""
    inner = np.diff(graph.geom_offsets)
    total = inner + 2
    ends = np.cumsum(total)
    starts = ends - total
    line_of = np.repeat(np.arange(graph.n_edges), total)
    lon = np.empty(int(total.sum()))
    lat = np.empty(int(total.sum()))
    u, v = graph.edge_u.astype(np.int64), graph.edge_v.astype(np.int64)
    lon[starts], lat[starts] = graph.lon[u], graph.lat[u]
    lon[ends - 1], lat[ends - 1] = graph.lon[v], graph.lat[v]
    middle = np.ones(lon.size, dtype=bool)
    middle[starts] = False
    middle[ends - 1] = False
    lon[middle], lat[middle] = graph.geom_lon, graph.geom_lat
    coords = np.column_stack([lon, lat])
    return np.asarray(shapely.linestrings(coords, indices=line_of))


def _without_edges(graph: RoadGraph, keep: npt.NDArray[np.bool_]) -> RoadGraph:
    """Return a copy of the graph holding only the kept edges (nodes unchanged)."""
    inner = np.diff(graph.geom_offsets)
    points = np.repeat(keep, inner)
    offsets = np.concatenate([[0], np.cumsum(inner[keep])]).astype(np.int64)
    return RoadGraph(
        node_id=graph.node_id,
        lat=graph.lat,
        lon=graph.lon,
        edge_u=graph.edge_u[keep],
        edge_v=graph.edge_v[keep],
        length_m=graph.length_m[keep],
        highway=graph.highway[keep],
        oneway=graph.oneway[keep],
        maxspeed_kph=graph.maxspeed_kph[keep],
        access=graph.access[keep],
        geom_offsets=offsets,
        geom_lat=graph.geom_lat[points],
        geom_lon=graph.geom_lon[points],
        info=graph.info,
    )


def _outside(graph: RoadGraph, closures: tuple[Any, ...]) -> list[int]:
    """Return the indices of closures wholly outside the network's extent (plus a margin)."""
    box = shapely.box(
        float(graph.lon.min()) - EXTENT_MARGIN_DEG,
        float(graph.lat.min()) - EXTENT_MARGIN_DEG,
        float(graph.lon.max()) + EXTENT_MARGIN_DEG,
        float(graph.lat.max()) + EXTENT_MARGIN_DEG,
    )
    inside = shapely.intersects(np.asarray(closures, dtype=object), box)
    return [int(i) for i in np.flatnonzero(~inside)]


def close_roads(graph: RoadGraph, path: Path) -> tuple[RoadGraph, ClosureReport]:
    """Take every road segment a closure file crosses or contains out of the road graph.

    Parameters
    ----------
    graph : RoadGraph
        The whole road network.
    path : Path
        GeoJSON closure file (see :func:`read_closures` and the module docstring's rule).

    Returns
    -------
    RoadGraph
        The same nodes, without the closed edges (both directions of a two-way street).
    ClosureReport
        Edges, segments and kilometres closed.

    Raises
    ------
    ScenarioError
        A bad file (see :func:`read_closures`), a closure wholly outside the road network, or a
        file that closes no road at all; the message names the file and the fix.
    """
    closures = read_closures(path)
    outside = _outside(graph, closures)
    if outside:
        raise _error(
            path,
            [
                (
                    None,
                    f"closure {i + 1} (in file order) lies outside road network "
                    f"'{graph.info.name}'; check that coordinates are [lon, lat] in degrees",
                )
                for i in outside
            ],
        )
    tree = shapely.STRtree(np.asarray(closures, dtype=object))
    edge_idx, _ = tree.query(_edge_lines(graph), predicate="intersects")
    closed = np.zeros(graph.n_edges, dtype=bool)
    closed[edge_idx] = True
    if not closed.any():
        raise _error(
            path,
            [
                (
                    None,
                    f"closes no road of network '{graph.info.name}'; draw the lines across "
                    "the closed roads, or the polygons over them",
                )
            ],
        )
    u, v = graph.edge_u.astype(np.int64), graph.edge_v.astype(np.int64)
    segment = closed & ((u < v) | graph.oneway | (u == v))
    report = ClosureReport(
        source=path.name,
        features=len(closures),
        edges_closed=int(closed.sum()),
        segments_closed=int(segment.sum()),
        km_closed=round(float(graph.length_m[segment].sum()) / 1000.0, 3),
        kept_edges=np.flatnonzero(~closed).astype(np.int64),
        touched_nodes=np.isin(np.arange(graph.n_nodes), np.concatenate([u[closed], v[closed]])),
    )
    logger.info(
        "%s: %d road segment(s) closed (%.2f km)",
        path.name,
        report.segments_closed,
        report.km_closed,
    )
    return _without_edges(graph, ~closed), report
