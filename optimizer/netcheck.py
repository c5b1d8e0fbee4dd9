"""Check that a road network covers a scenario's depots and households -> NetworkCoverage.

A scenario whose households lie in one place and whose road network covers another plans
nothing: every door is "too far from a road". This stage says so before any planning, naming
the likely cause. A site *outside* the network is outside the box around the network's nodes
and road shapes, grown by :data:`EXTENT_MARGIN_M`; a site *far from a road* is inside that box
but farther than ``[graph] max_snap_m`` from every road any vehicle profile may use.

Distances come from a KD-tree on points laid along every usable road at most
:data:`SAMPLE_STEP_M` apart, so a distance is at most half that step above the true distance
to the road; a site counts as far only when it is far by that margin too, so a count is never
too high. On the default scenario (20,000 households, the 82,000-node demo network) the whole
check takes a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from optimizer.errors import GraphError
from optimizer.roadgraph import RoadGraph
from optimizer.scenario import Scenario
from optimizer.units import EARTH_RADIUS_M, local_xy_m

#: How far around the network's box a site still counts as inside it (metres).
EXTENT_MARGIN_M = 2000.0
#: Largest gap between two points sampled along a road (metres).
SAMPLE_STEP_M = 50.0
#: ``berbagi check`` refuses when more than this share of households is outside or far.
MOST_HOUSEHOLDS = 0.5
#: The likely cause when the network does not cover the scenario, and its fix.
ANOTHER_AREA = (
    "Likely cause: the road network is of another area: import or download the network of "
    "the scenario's area with 'berbagi maps import' or 'berbagi maps download', or point "
    "[inputs] road_network at it"
)
_METRES_PER_DEG = np.pi / 180.0 * EARTH_RADIUS_M


@dataclass(frozen=True, slots=True, kw_only=True)
class Extent:
    """A box in degrees: south to north latitude, west to east longitude."""

    south: float
    north: float
    west: float
    east: float

    def describe(self) -> str:
        """Return the box as "lat S..N, lon W..E", in degrees to two decimals (about 1 km)."""
        return f"lat {self.south:.2f}..{self.north:.2f}, lon {self.west:.2f}..{self.east:.2f}"


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkCoverage:
    """How much of a scenario a road network covers.

    Attributes
    ----------
    network : str
        The road-network file.
    max_snap_m : float
        ``[graph] max_snap_m``: the farthest a site may be from a road (metres).
    households, depots : int
        Sites of the scenario (households to plan, all depots).
    households_outside, depots_outside : int
        Sites outside the network's extent grown by :data:`EXTENT_MARGIN_M`.
    households_far, depots_far : int
        Sites inside it but farther than ``max_snap_m`` from every usable road (0 when
        distances were not measured).
    network_extent : Extent
    scenario_extent : Extent or None
        The box around the scenario's households and depots; None without any.
    """

    network: str
    max_snap_m: float
    households: int
    depots: int
    households_outside: int
    depots_outside: int
    households_far: int
    depots_far: int
    network_extent: Extent
    scenario_extent: Extent | None

    @property
    def households_off(self) -> int:
        """Households outside the network or far from its roads."""
        return self.households_outside + self.households_far

    @property
    def depots_off(self) -> int:
        """Depots outside the network or far from its roads."""
        return self.depots_outside + self.depots_far


def network_extent(graph: RoadGraph) -> Extent:
    """Return the box around every node and road-shape point of a network (degrees).

    Raises
    ------
    GraphError
        If the network has no node.
    """
    lat = np.concatenate([graph.lat, graph.geom_lat])
    lon = np.concatenate([graph.lon, graph.geom_lon])
    if lat.size == 0:
        raise GraphError(
            f"road network '{graph.info.name}' holds no roads; import or download the network "
            "of the scenario's area with 'berbagi maps import' or 'berbagi maps download'"
        )
    return Extent(
        south=float(lat.min()), north=float(lat.max()), west=float(lon.min()), east=float(lon.max())
    )


def _outside(
    extent: Extent, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Which points lie outside ``extent`` grown by :data:`EXTENT_MARGIN_M`."""
    dlat = EXTENT_MARGIN_M / _METRES_PER_DEG
    widest = max(abs(extent.south), abs(extent.north))
    dlon = EXTENT_MARGIN_M / (_METRES_PER_DEG * max(np.cos(np.radians(widest)), 1e-6))
    inside = (
        (lat >= extent.south - dlat)
        & (lat <= extent.north + dlat)
        & (lon >= extent.west - dlon)
        & (lon <= extent.east + dlon)
    )
    return np.asarray(~inside)


def _road_points(graph: RoadGraph) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points along every road a profile may use, at most :data:`SAMPLE_STEP_M` apart."""
    # A two-way street is two edges with the same shape (``oneway`` is false): take one.
    edges = np.flatnonzero((graph.highway >= 0) & (graph.oneway | (graph.edge_u <= graph.edge_v)))
    starts = graph.geom_offsets[edges]
    total = graph.geom_offsets[edges + 1] - starts + 2  # both end nodes and the inner points
    first = np.cumsum(total) - total
    position = np.arange(int(total.sum())) - np.repeat(first, total)
    last = position == np.repeat(total - 1, total)
    inner = (position > 0) & ~last
    lat = np.empty(position.size)
    lon = np.empty(position.size)
    lat[position == 0] = graph.lat[graph.edge_u[edges]]
    lon[position == 0] = graph.lon[graph.edge_u[edges]]
    lat[last], lon[last] = graph.lat[graph.edge_v[edges]], graph.lon[graph.edge_v[edges]]
    source = (np.repeat(starts, total) + position - 1)[inner]
    lat[inner], lon[inner] = graph.geom_lat[source], graph.geom_lon[source]
    # Segments join consecutive points of the same road; add points inside the long ones.
    seg = np.flatnonzero(~last)
    dlat = (lat[seg + 1] - lat[seg]) * _METRES_PER_DEG
    dlon = (lon[seg + 1] - lon[seg]) * _METRES_PER_DEG * np.cos(np.radians(lat[seg]))
    pieces = np.maximum(np.ceil(np.hypot(dlat, dlon) / SAMPLE_STEP_M), 1).astype(np.int64)
    which = np.repeat(seg, pieces - 1)
    step = np.arange(which.size) - np.repeat(np.cumsum(pieces - 1) - (pieces - 1), pieces - 1)
    share = (step + 1) / np.repeat(pieces, pieces - 1)
    extra_lat = lat[which] + share * (lat[which + 1] - lat[which])
    extra_lon = lon[which] + share * (lon[which + 1] - lon[which])
    return np.concatenate([lat, extra_lat]), np.concatenate([lon, extra_lon])


def _far_from_roads(
    graph: RoadGraph,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    limit_m: float,
) -> npt.NDArray[np.bool_]:
    """Which points lie farther than ``limit_m`` from every usable road (never too many)."""
    road_lat, road_lon = _road_points(graph)
    if lat.size == 0 or road_lat.size == 0:
        return np.full(lat.shape, road_lat.size == 0)
    origin = {"lat0": float(np.mean(road_lat)), "lon0": float(np.mean(road_lon))}
    tree = cKDTree(local_xy_m(road_lat, road_lon, **origin))
    bound = limit_m + SAMPLE_STEP_M / 2
    distance, _ = tree.query(local_xy_m(lat, lon, **origin), k=1, distance_upper_bound=bound)
    return np.asarray(~np.isfinite(distance))


def _scenario_extent(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> Extent | None:
    if lat.size == 0:
        return None
    return Extent(
        south=float(lat.min()), north=float(lat.max()), west=float(lon.min()), east=float(lon.max())
    )


def measure_coverage(
    scenario: Scenario, graph: RoadGraph, *, distances: bool = True
) -> NetworkCoverage:
    """Count the scenario's depots and households the road network does not cover.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario; its households to plan and all its depots are checked.
    graph : RoadGraph
        The scenario's road network (``[inputs] road_network``), as loaded.
    distances : bool
        Also measure the distance from each site inside the network's extent to its roads
        (a KD-tree); without, only the extent is checked (``households_far`` and
        ``depots_far`` are 0).

    Returns
    -------
    NetworkCoverage

    Raises
    ------
    GraphError
        If the network has no node.

    Notes
    -----
    Distances in metres; ``[graph] max_snap_m`` is the limit.
    """
    extent = network_extent(graph)
    n_households = len(scenario.households)
    lat = np.array([h.lat for h in scenario.households] + [d.lat for d in scenario.depots])
    lon = np.array([h.lon for h in scenario.households] + [d.lon for d in scenario.depots])
    lat, lon = lat.astype(np.float64), lon.astype(np.float64)
    outside = _outside(extent, lat, lon)
    far = np.zeros(lat.shape, dtype=bool)
    max_snap_m = scenario.config.graph.max_snap_m
    if distances:
        inside = np.flatnonzero(~outside)
        far[inside] = _far_from_roads(graph, lat[inside], lon[inside], max_snap_m)
    return NetworkCoverage(
        network=scenario.road_network,
        max_snap_m=max_snap_m,
        households=n_households,
        depots=len(scenario.depots),
        households_outside=int(outside[:n_households].sum()),
        depots_outside=int(outside[n_households:].sum()),
        households_far=int(far[:n_households].sum()),
        depots_far=int(far[n_households:].sum()),
        network_extent=extent,
        scenario_extent=_scenario_extent(lat, lon),
    )


def _counts(coverage: NetworkCoverage, *, skip_none: bool = False) -> str:
    """Say how many depots and households lie outside the network or far from its roads."""
    parts = []
    for what, total, outside, far in (
        ("depot(s)", coverage.depots, coverage.depots_outside, coverage.depots_far),
        ("household(s)", coverage.households, coverage.households_outside, coverage.households_far),
    ):
        if skip_none and not outside + far:
            continue
        part = f"{outside:,} of {total:,} {what} lie outside the network's extent"
        if far:
            part += (
                f" and {far:,} more farther than [graph] max_snap_m = "
                f"{coverage.max_snap_m:.0f} m from any of its roads"
            )
        parts.append(part)
    return "; ".join(parts)


def uncovered_message(coverage: NetworkCoverage) -> str:
    """Return the refusal message: the file, the counts, both extents and the likely cause."""
    scenario_box = (
        coverage.scenario_extent.describe() if coverage.scenario_extent is not None else "none"
    )
    return (
        f"{coverage.network}: the road network does not cover the scenario: "
        f"{_counts(coverage)}. The network spans {coverage.network_extent.describe()} "
        f"(a site counts as outside beyond {EXTENT_MARGIN_M / 1000:.0f} km of that); the "
        f"scenario's depots and households span {scenario_box}. {ANOTHER_AREA}"
    )


def refuse_uncovered(coverage: NetworkCoverage) -> None:
    """Refuse a scenario the network does not cover: no depot, or most households, off it.

    Raises
    ------
    GraphError
        When every depot, or more than :data:`MOST_HOUSEHOLDS` of the households, lies outside
        the network's extent or farther than ``max_snap_m`` from its roads
        (:func:`uncovered_message`).
    """
    no_depot = coverage.depots > 0 and coverage.depots_off == coverage.depots
    most = coverage.households > 0 and (
        coverage.households_off > MOST_HOUSEHOLDS * coverage.households
    )
    if no_depot or most:
        raise GraphError(uncovered_message(coverage))


def refuse_network_elsewhere(scenario: Scenario, graph: RoadGraph) -> None:
    """Stop a plan that could serve nothing because the network is of another area.

    Only the extent is checked (cheap enough to run before every solve): the plan stops when
    every depot, or every household to plan, lies outside the network's extent grown by
    :data:`EXTENT_MARGIN_M`. Sites inside it but far from a road are left to the snapping,
    which lists them unserved with the reason.

    Raises
    ------
    GraphError
        With :func:`uncovered_message`.
    """
    coverage = measure_coverage(scenario, graph, distances=False)
    no_depot = coverage.depots > 0 and coverage.depots_outside == coverage.depots
    nobody = coverage.households > 0 and coverage.households_outside == coverage.households
    if no_depot or nobody:
        raise GraphError(uncovered_message(coverage))


def coverage_notice(coverage: NetworkCoverage) -> str | None:
    """Return a notice line when some sites lie outside the network or far from it, else None."""
    if not coverage.households_off and not coverage.depots_off:
        return None
    return (
        f"the road network {coverage.network} leaves some sites out: "
        f"{_counts(coverage, skip_none=True)}; "
        "the plan lists the households concerned as unserved, with the reason"
    )
