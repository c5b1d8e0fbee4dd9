"""Geometry after solving: the road path of every route leg, and the streets under a plan.

:func:`trace_routes` is the stage that runs after solving: it follows every leg of every route
along the roads the travel matrices were computed on and returns a :class:`RouteGeometry`
(length and shape of each leg), which the assembly puts into the Plan. The matrix stage only
exposes its path data (:func:`optimizer.matrix.find_site_paths`); shapes are made here.

:class:`Streets` holds road centre lines as flat coordinate arrays (one polyline per undirected
road segment, its inner shape points included) with the segment's highway rank, so renderers can
draw every road in view without touching the road graph. Build it once per plan with
:func:`build_streets`, keep the part in a :class:`Bounds` box with :meth:`Streets.within_bounds`,
and save and load it with :func:`save_streets` / :func:`load_streets`.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from optimizer.config import HIGHWAY_CLASSES
from optimizer.matrix import SubMatrix, TravelMatrices, find_site_paths
from optimizer.parallel import run_parallel
from optimizer.problem import Problem
from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.solver import Assignment
from optimizer.task import RELOAD, SolveTask
from optimizer.units import EARTH_RADIUS_M, haversine_m
from optimizer.walkgroups import WALK_PROFILE, Walking

#: Rank of a street for drawing: 0 main roads (motorway..tertiary), 1 local roads
#: (unclassified, residential, living_street, service), 2 lanes and paths (gang, track, path,
#: footway...). Ways no profile uses are left out.
RANK_MAIN, RANK_LOCAL, RANK_LANE = 0, 1, 2
_MAIN = {"motorway", "trunk", "primary", "secondary", "tertiary"}
_LOCAL = {"unclassified", "residential", "living_street", "service"}
_RANK_OF_CLASS = np.array(
    [
        RANK_MAIN if c in _MAIN else RANK_LOCAL if c in _LOCAL else RANK_LANE
        for c in HIGHWAY_CLASSES
    ],
    dtype=np.int8,
)
_STREET_ARRAYS = ("offsets", "lat", "lon", "rank")
#: Date of every entry of a streets file (the earliest a zip file can hold): fixed bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bounds:
    """A box in degrees: the southern and northern latitudes, western and eastern longitudes."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def around(cls, lats: Sequence[float], lons: Sequence[float]) -> Bounds:
        """Return the smallest box holding the points (degrees).

        Raises
        ------
        ValueError
            If there are no points.
        """
        if not lats:
            raise ValueError("no points to put a box around")
        return cls(south=min(lats), west=min(lons), north=max(lats), east=max(lons))

    def grown(self, margin_m: float) -> Bounds:
        """Return the box widened by ``margin_m`` metres on every side.

        The east-west margin is converted at the box's latitude farthest from the equator,
        so it is never narrower than ``margin_m``.
        """
        pad_lat = float(np.degrees(margin_m / EARTH_RADIUS_M))
        widest = max(abs(self.south), abs(self.north)) + pad_lat
        pad_lon = pad_lat / max(float(np.cos(np.radians(min(widest, 89.0)))), 0.01)
        return Bounds(
            south=self.south - pad_lat,
            west=self.west - pad_lon,
            north=self.north + pad_lat,
            east=self.east + pad_lon,
        )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Streets:
    """Road centre lines to draw under routes.

    Attributes
    ----------
    offsets : int64 array (k + 1,)
        Line i's points are ``lat[offsets[i]:offsets[i + 1]]`` / ``lon[...]`` (at least two).
    lat, lon : float64 arrays
        Point coordinates in degrees.
    rank : int8 array (k,)
        ``RANK_MAIN``, ``RANK_LOCAL`` or ``RANK_LANE`` per line.
    synthetic : bool
        True when the road network is the synthetic demonstration network.
    attribution : str
        Credit line of the road data (e.g. "© OpenStreetMap contributors").

    Notes
    -----
    The arrays are read-only. Two Streets are equal when their arrays (values and dtypes),
    ``synthetic`` and ``attribution`` are.
    """

    offsets: npt.NDArray[np.int64] = field(repr=False)
    lat: npt.NDArray[np.float64] = field(repr=False)
    lon: npt.NDArray[np.float64] = field(repr=False)
    rank: npt.NDArray[np.int8] = field(repr=False)
    synthetic: bool
    attribution: str

    def __post_init__(self) -> None:
        for name in _STREET_ARRAYS:
            array = np.ascontiguousarray(getattr(self, name))
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def __eq__(self, other: object) -> bool:
        """Tell whether two Streets hold the same lines: equal arrays, dtypes and credits."""
        if not isinstance(other, Streets):
            return NotImplemented
        return (
            self.synthetic == other.synthetic
            and self.attribution == other.attribution
            and all(
                getattr(self, name).dtype == getattr(other, name).dtype
                and np.array_equal(getattr(self, name), getattr(other, name))
                for name in _STREET_ARRAYS
            )
        )

    @property
    def n_lines(self) -> int:
        """Number of polylines."""
        return int(self.rank.shape[0])

    def line(self, index: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Return the (lat, lon) arrays of one line."""
        start, end = int(self.offsets[index]), int(self.offsets[index + 1])
        return self.lat[start:end], self.lon[start:end]

    def within(self, south: float, west: float, north: float, east: float) -> Streets:
        """Return the lines with at least one point inside the box (degrees)."""
        inside = (self.lat >= south) & (self.lat <= north) & (self.lon >= west) & (self.lon <= east)
        line_of_point = np.repeat(np.arange(self.n_lines), np.diff(self.offsets))
        keep = np.zeros(self.n_lines, dtype=bool)
        keep[line_of_point[inside]] = True
        return self._subset(keep)

    def within_bounds(self, bounds: Bounds) -> Streets:
        """Return the lines with at least one point inside the box (see :meth:`within`)."""
        return self.within(bounds.south, bounds.west, bounds.north, bounds.east)

    def _subset(self, keep: npt.NDArray[np.bool_]) -> Streets:
        counts = np.diff(self.offsets)[keep]
        points = np.repeat(keep, np.diff(self.offsets))
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return Streets(
            offsets=offsets,
            lat=self.lat[points],
            lon=self.lon[points],
            rank=self.rank[keep],
            synthetic=self.synthetic,
            attribution=self.attribution,
        )


def build_streets(graph: RoadGraph) -> Streets:
    """Turn the road graph into drawable lines: one per undirected segment, shape points kept.

    A two-way street is stored twice in the graph (one edge each way); it is drawn once.

    Parameters
    ----------
    graph : RoadGraph

    Returns
    -------
    Streets
    """
    usable = graph.highway >= 0
    u, v = graph.edge_u.astype(np.int64), graph.edge_v.astype(np.int64)
    # Keep edge u->v when u < v, or when it is one-way (its reverse is not in the graph).
    first = usable & ((u < v) | graph.oneway)
    edges = np.flatnonzero(first)
    inner = graph.geom_offsets[edges + 1] - graph.geom_offsets[edges]
    counts = inner + 2
    offsets = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    lat = np.empty(int(offsets[-1]), dtype=np.float64)
    lon = np.empty(int(offsets[-1]), dtype=np.float64)
    lat[offsets[:-1]] = graph.lat[u[edges]]
    lon[offsets[:-1]] = graph.lon[u[edges]]
    lat[offsets[1:] - 1] = graph.lat[v[edges]]
    lon[offsets[1:] - 1] = graph.lon[v[edges]]
    # Inner shape points, in order, between the two ends.
    total = int(inner.sum())
    if total:
        owner = np.repeat(np.arange(len(edges)), inner)
        step = np.arange(total) - np.repeat(np.cumsum(inner) - inner, inner)
        source = graph.geom_offsets[edges][owner] + step
        target = offsets[:-1][owner] + 1 + step
        lat[target] = graph.geom_lat[source]
        lon[target] = graph.geom_lon[source]
    return Streets(
        offsets=offsets,
        lat=lat,
        lon=lon,
        rank=_RANK_OF_CLASS[graph.highway[edges]],
        synthetic=graph.info.synthetic,
        attribution=graph.info.attribution,
    )


def save_streets(streets: Streets, path: Path) -> Path:
    """Write streets to a compressed ``.npz`` file (what ``berbagi sheets`` reads back).

    Equal streets give byte-identical files: the zip entries carry a fixed date, not the time
    of writing.

    Parameters
    ----------
    streets : Streets
    path : Path
        The file to write; its folder is created when missing.

    Returns
    -------
    Path
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "offsets": streets.offsets,
        "lat": streets.lat,
        "lon": streets.lon,
        "rank": streets.rank,
        "synthetic": np.array(streets.synthetic),
        "attribution": np.array(streets.attribution),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, np.asanyarray(array), allow_pickle=False)
    return path


def load_streets(path: Path) -> Streets:
    """Read streets written by :func:`save_streets`.

    Raises
    ------
    OSError, ValueError, KeyError, zipfile.BadZipFile
        If the file is missing, not an ``.npz`` file or lacks an array; callers that read
        user folders translate these into their own error.
    """
    with np.load(path, allow_pickle=False) as data:
        return Streets(
            offsets=data["offsets"].astype(np.int64),
            lat=data["lat"].astype(np.float64),
            lon=data["lon"].astype(np.float64),
            rank=data["rank"].astype(np.int8),
            synthetic=bool(data["synthetic"]),
            attribution=str(data["attribution"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LegTrace:
    """The road path of one leg: its length along the roads and its shape.

    Attributes
    ----------
    distance_m : float
        Length along the roads, metres.
    lats, lons : tuple of float
        The shape in degrees, from where the leg's first site meets its road to where the
        second site meets its road.
    """

    distance_m: float
    lats: tuple[float, ...]
    lons: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteGeometry:
    """The legs of every route, traced along the roads (what :func:`trace_routes` returns).

    Attributes
    ----------
    legs : dict of (str, int) to tuple of LegTrace
        By (sub-problem key, vehicle index in its task): one trace per leg of the route's
        :func:`route_sequence`, in order. Only routes with at least one stop are present.
    walks : dict of (str, int) to tuple of LegTrace
        By the same key, for routes with walks from a parked vehicle: every walk's footpaths in
        route order (:func:`_walk_steps`: anchor to first door, door to door, last door back).
    """

    legs: dict[tuple[str, int], tuple[LegTrace, ...]]
    walks: dict[tuple[str, int], tuple[LegTrace, ...]] = field(default_factory=dict)

    def of_route(self, key: str, vehicle: int) -> tuple[LegTrace, ...]:
        """Return the traced legs of one route (sub-problem key, vehicle index in its task)."""
        return self.legs[(key, vehicle)]


def route_sequence(task: SolveTask, vehicle: int, nodes: Sequence[int]) -> list[int]:
    """List the local task nodes a route passes, depot to depot, each reload as the depot.

    Parameters
    ----------
    task : SolveTask
    vehicle : int
        Vehicle index in the task.
    nodes : sequence of int
        The route as the solver returned it (local nodes, :data:`~optimizer.task.RELOAD` marks).

    Returns
    -------
    list of int
        One more node than the route has legs.
    """
    depot = task.vehicles[vehicle].depot_node
    return [depot, *(depot if n == RELOAD else n for n in nodes), depot]


def _cut(points: list[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    """Return the part of a polyline between two fractions of its length (start <= end)."""
    if start <= 0.0 and end >= 1.0:
        return points
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    step = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    along = np.concatenate([[0.0], np.cumsum(step)])
    total = along[-1]
    if total <= 0.0:
        return [points[0], points[-1]]
    lo, hi = start * total, end * total
    cut_lat = np.interp([lo, hi], along, lat)
    cut_lon = np.interp([lo, hi], along, lon)
    inner = [(float(lat[k]), float(lon[k])) for k in range(len(points)) if lo < along[k] < hi]
    return [(float(cut_lat[0]), float(cut_lon[0])), *inner, (float(cut_lat[1]), float(cut_lon[1]))]


def _road_shape(
    graph: RoadGraph, network: ProfileNetwork, entry: int, start: float, end: float
) -> list[tuple[float, float]]:
    """Shape of part of one road (a CSR entry of the network) in the direction of travel."""
    edge = int(network.csr_edge[entry])
    shape = graph.edge_shape(edge, reverse=bool(network.csr_reversed[entry]))
    return _cut(shape, start, end)


def trace_legs(
    graph: RoadGraph,
    network: ProfileNetwork,
    matrix: SubMatrix,
    legs: Sequence[tuple[int, int]],
) -> list[LegTrace]:
    """Follow legs between local sites of a sub-problem matrix along the roads.

    Parameters
    ----------
    graph : RoadGraph
    network : ProfileNetwork
        The profile network the matrix was built on.
    matrix : SubMatrix
    legs : sequence of (from_site, to_site)
        Local site indices.

    Returns
    -------
    list of LegTrace
        One per leg, in order: the fastest path's length along the roads and its shape
        (degrees), from the point where the first site meets its road to the point where the
        second meets its road.

    Raises
    ------
    ValueError
        If a leg joins two sites with no path between them (the solver never plans one).
    """
    if not legs:
        return []
    paths = find_site_paths(graph, network, matrix, legs)
    traces: list[LegTrace] = []
    for origin, target in legs:
        points: list[tuple[float, float]] = []
        distance = 0.0
        for hop in paths.hops(origin, target):
            edge = int(network.csr_edge[hop.entry])
            distance += (hop.end - hop.start) * float(graph.length_m[edge])
            for point in _road_shape(graph, network, hop.entry, hop.start, hop.end):
                if not points or point != points[-1]:
                    points.append(point)
        if not points:  # both sites at the same point of the same road
            fraction = float(matrix.fraction[origin])
            points = _road_shape(graph, network, int(matrix.entry[origin]), fraction, fraction)[:1]
        traces.append(
            LegTrace(
                distance_m=distance,
                lats=tuple(p[0] for p in points),
                lons=tuple(p[1] for p in points),
            )
        )
    return traces


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceRequest:
    """Legs to trace on one sub-problem matrix (local site pairs)."""

    key: str
    profile: str
    legs: tuple[tuple[int, int], ...]


def _trace_job(
    shared: tuple[RoadGraph, dict[str, ProfileNetwork], TravelMatrices], item: TraceRequest
) -> list[LegTrace]:
    graph, networks, matrices = shared
    matrix = matrices.by_key[(item.key, item.profile)]
    return trace_legs(graph, networks[item.profile], matrix, item.legs)


def trace_all(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    matrices: TravelMatrices,
    requests: Sequence[TraceRequest],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[LegTrace]]:
    """Trace many batches of legs, in parallel; one list of traces per request, in order.

    Parameters
    ----------
    graph : RoadGraph
    networks : dict of str to ProfileNetwork
    matrices : TravelMatrices
    requests : sequence of TraceRequest
    workers : int
        Worker processes (1 = this process only).
    progress : callable, optional
        Called with (done, total) after each request.

    Returns
    -------
    list of list of LegTrace
    """
    order = sorted(range(len(requests)), key=lambda i: -len(requests[i].legs))
    return run_parallel(
        _trace_job,
        requests,
        shared=(graph, networks, matrices),
        workers=workers,
        order=order,
        progress=progress,
    )


def trace_routes(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    matrices: TravelMatrices,
    problem: Problem,
    assignment: Assignment,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    walking: Walking | None = None,
) -> RouteGeometry:
    """Trace the legs of every route along the roads: the geometry stage, after solving.

    Legs are batched per sub-problem and profile, so each batch searches its matrix's region
    once.

    Parameters
    ----------
    graph : RoadGraph
    networks : dict of str to ProfileNetwork
        The profile networks the matrices were built on.
    matrices : TravelMatrices
    problem : Problem
        The solver tasks (local nodes, teams' depots and profiles).
    assignment : Assignment
        The solver's routes, in task order.
    workers : int
        Worker processes (1 = this process only).
    progress : callable, optional
        Called with (done, total) after each batch.
    walking : Walking, optional
        The footpaths of a park-and-walk day: each walk's steps are traced on them.

    Returns
    -------
    RouteGeometry
        Every route with at least one stop, by (sub-problem key, vehicle index).

    Notes
    -----
    Lengths are metres along the roads; shapes are degrees. The result depends only on the
    inputs, never on the number of workers.
    """
    batches, where, walked = _batches(problem, assignment, walking is not None)
    keys = list(batches)
    requests = [TraceRequest(key=k[0], profile=k[1], legs=tuple(batches[k])) for k in keys]
    if walking is not None:
        networks = {**networks, WALK_PROFILE: walking.network}
        matrices = TravelMatrices(
            by_key={**matrices.by_key, **walking.matrices.by_key}, fallbacks=matrices.fallbacks
        )
    traced = dict(
        zip(
            keys,
            trace_all(graph, networks, matrices, requests, workers=workers, progress=progress),
            strict=True,
        )
    )
    return RouteGeometry(
        legs={
            route: tuple(traced[batch][start : start + count])
            for route, batch, start, count in where
        },
        walks={
            route: tuple(traced[batch][start : start + count])
            for route, batch, start, count in walked
        },
    )


#: Where a route's legs sit in the batches: route key, batch key, first leg, number of legs.
_Where = list[tuple[tuple[str, int], tuple[str, str], int, int]]


def _batches(
    problem: Problem, assignment: Assignment, walks: bool
) -> tuple[dict[tuple[str, str], list[tuple[int, int]]], _Where, _Where]:
    """Gather every route's legs (and its walks' steps) into batches per sub-problem and profile."""
    batches: dict[tuple[str, str], list[tuple[int, int]]] = {}
    where: _Where = []
    walked: _Where = []
    for task, result in zip(problem.tasks, assignment.results, strict=True):
        for vehicle, nodes in enumerate(result.routes):
            if not nodes:
                continue
            batch = (task.key, task.vehicles[vehicle].profile)
            legs = batches.setdefault(batch, [])
            sequence = route_sequence(task, vehicle, nodes)
            where.append(((task.key, vehicle), batch, len(legs), len(sequence) - 1))
            legs.extend(itertools.pairwise(sequence))
            steps = _walk_steps(task, nodes)
            if steps and walks:
                on_foot = batches.setdefault((task.key, WALK_PROFILE), [])
                walked.append(
                    ((task.key, vehicle), (task.key, WALK_PROFILE), len(on_foot), len(steps))
                )
                on_foot.extend(steps)
    return batches, where, walked


def _walk_steps(task: SolveTask, nodes: Sequence[int]) -> list[tuple[int, int]]:
    """List the walks' footpaths a route makes, in route order (local sites).

    Per walk: from the anchor door to the first door (unless the anchor is first), from each
    door to the next, and from the last door back to the anchor (unless it is last).
    """
    steps: list[tuple[int, int]] = []
    for node in nodes:
        walk = task.walks.get(node)
        if walk is None:
            continue
        doors = walk.nodes
        if walk.anchor != doors[0]:
            steps.append((walk.anchor, doors[0]))
        steps.extend(itertools.pairwise(doors))
        if walk.anchor != doors[-1]:
            steps.append((doors[-1], walk.anchor))
    return steps
