"""Place households and depots on each profile's road network -> Snapped.

Each site is snapped, per vehicle profile, to the nearest point of the nearest road that profile
may use inside its largest strongly connected network: one vectorised nearest-line query for
all sites. Snapping to the road itself, not to its nearest junction, matters on real networks,
where the edge between two junctions can be hundreds of metres long.

The result per site is the edge (its CSR entry, and the entry of the opposite direction when
the road is two-way), the position along it as a fraction, and the distance from the door to
the road: the team walks it from where the vehicle stops to the door and back. A site farther
than ``max_snap_m`` from every usable road cannot be served by that profile: a household is
then listed unserved, a depot's teams of that profile cannot start. Only when no team can leave
any depot does :func:`check_depot_snaps` stop the run with a :class:`SnappingError`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from optimizer.errors import SnappingError
from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.scenario import Scenario
from optimizer.units import haversine_m, local_xy_m

logger = logging.getLogger(__name__)

#: Snaps longer than this are allowed but reported as suspicious.
SUSPICIOUS_SNAP_M = 150.0
#: Depots named in a :class:`SnappingError` message before the rest are only counted.
DEPOTS_NAMED = 5


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProfileSnap:
    """Where each site meets one profile's network.

    Attributes
    ----------
    entry : int64 array
        CSR entry (of ``ProfileNetwork.csr``) of the road the site is on, -1 when not snapped.
    twin : int64 array
        CSR entry of the same road in the opposite direction, -1 when it is one-way.
    fraction : float64 array
        Position of the site along ``entry``, from its start node (0) to its end node (1).
    node : int64 array
        The nearer end node of that road (graph node index), -1 when not snapped.
    distance_m : float64 array
        Distance from the site to the road (metres); inf when the profile has no road at all.
    nearest_road_m : float64 array
        Distance to the nearest node the profile may use at all, connected or not; when it is
        within the limit but ``distance_m`` is not, the site sits on a cut-off piece of road.
    """

    profile: str
    entry: npt.NDArray[np.int64] = field(repr=False)
    twin: npt.NDArray[np.int64] = field(repr=False)
    fraction: npt.NDArray[np.float64] = field(repr=False)
    node: npt.NDArray[np.int64] = field(repr=False)
    distance_m: npt.NDArray[np.float64] = field(repr=False)
    nearest_road_m: npt.NDArray[np.float64] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Snapped:
    """Snap results for all sites: households first (scenario order), then depots."""

    n_households: int
    n_depots: int
    max_snap_m: float
    by_profile: dict[str, ProfileSnap]

    def depot_site(self, depot_index: int) -> int:
        """Site index of a depot."""
        return self.n_households + depot_index


def entry_endpoints(
    network: ProfileNetwork,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Start and end node of every CSR entry of a profile network."""
    csr = network.csr
    starts = np.repeat(np.arange(csr.shape[0], dtype=np.int64), np.diff(csr.indptr))
    return starts, csr.indices.astype(np.int64)


def twin_entries(network: ProfileNetwork) -> npt.NDArray[np.int64]:
    """For every CSR entry u->v, the entry v->u (-1 when there is none)."""
    n = network.csr.shape[0]
    u, v = entry_endpoints(network)
    keys = u * n + v  # sorted: CSR entries are in row-major order with sorted columns
    wanted = v * n + u
    found = np.searchsorted(keys, wanted)
    found = np.clip(found, 0, max(keys.size - 1, 0))
    return np.where(keys[found] == wanted, found, -1).astype(np.int64)


def _entry_lines(
    graph: RoadGraph,
    network: ProfileNetwork,
    entries: npt.NDArray[np.int64],
    origin: tuple[float, float],
) -> npt.NDArray[np.object_]:
    """Shapely LineStrings (local metres) of the given CSR entries, in their own direction."""
    edges = network.csr_edge[entries]
    starts = graph.geom_offsets[edges]
    counts = graph.geom_offsets[edges + 1] - starts
    u = graph.edge_u[edges].astype(np.int64)
    v = graph.edge_v[edges].astype(np.int64)
    total = counts + 2
    line_index = np.repeat(np.arange(entries.size), total)
    position = np.arange(int(total.sum())) - np.repeat(np.cumsum(total) - total, total)
    lat = np.empty(line_index.size)
    lon = np.empty(line_index.size)
    first = position == 0
    last = position == np.repeat(total - 1, total)
    inner = ~(first | last)
    lat[first], lon[first] = graph.lat[u], graph.lon[u]
    lat[last], lon[last] = graph.lat[v], graph.lon[v]
    inner_source = (np.repeat(starts, total) + position - 1)[inner]
    lat[inner], lon[inner] = graph.geom_lat[inner_source], graph.geom_lon[inner_source]
    xy = local_xy_m(lat, lon, lat0=origin[0], lon0=origin[1])
    lines = shapely.linestrings(xy, indices=line_index)
    reverse = network.csr_reversed[entries]
    if reverse.any():
        lines[reverse] = shapely.reverse(lines[reverse])
    return np.asarray(lines)


def _nearest_node_m(
    graph: RoadGraph,
    mask: npt.NDArray[np.bool_],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    origin: tuple[float, float],
) -> npt.NDArray[np.float64]:
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return np.full(lat.shape, np.inf)
    tree = cKDTree(
        local_xy_m(graph.lat[candidates], graph.lon[candidates], lat0=origin[0], lon0=origin[1])
    )
    _, found = tree.query(local_xy_m(lat, lon, lat0=origin[0], lon0=origin[1]), k=1)
    nodes = candidates[np.asarray(found, dtype=np.int64)]
    return haversine_m(lat, lon, graph.lat[nodes], graph.lon[nodes])


def _snap_profile(
    graph: RoadGraph,
    network: ProfileNetwork,
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
    max_snap_m: float,
    origin: tuple[float, float],
) -> ProfileSnap:
    n_sites = lat.size
    twins = twin_entries(network)
    u, v = entry_endpoints(network)
    # One line per road: a two-way road is offered once, in its u < v direction.
    canonical = np.flatnonzero((twins < 0) | (u < v))
    road = _nearest_node_m(graph, network.touched, lat, lon, origin)
    if canonical.size == 0:
        none = np.full(n_sites, -1, dtype=np.int64)
        return ProfileSnap(
            profile=network.profile,
            entry=none,
            twin=none.copy(),
            fraction=np.zeros(n_sites),
            node=none.copy(),
            distance_m=np.full(n_sites, np.inf),
            nearest_road_m=road,
        )
    lines = _entry_lines(graph, network, canonical, origin)
    tree = shapely.STRtree(lines)
    points = shapely.points(local_xy_m(lat, lon, lat0=origin[0], lon0=origin[1]))
    (site_idx, line_idx), distance = tree.query_nearest(
        points, return_distance=True, all_matches=False
    )
    order = np.argsort(site_idx, kind="stable")
    site_idx, line_idx, distance = site_idx[order], line_idx[order], distance[order]
    entry = np.full(n_sites, -1, dtype=np.int64)
    fraction = np.zeros(n_sites)
    dist = np.full(n_sites, np.inf)
    entry[site_idx] = canonical[line_idx]
    fraction[site_idx] = shapely.line_locate_point(
        lines[line_idx], points[site_idx], normalized=True
    )
    dist[site_idx] = distance
    fraction = np.nan_to_num(np.clip(fraction, 0.0, 1.0))
    ok = dist <= max_snap_m
    entry = np.where(ok, entry, -1)
    safe = np.maximum(entry, 0)
    twin = np.where(ok, twins[safe], -1)
    node = np.where(ok, np.where(fraction < 0.5, u[safe], v[safe]), -1)
    return ProfileSnap(
        profile=network.profile,
        entry=entry,
        twin=twin,
        fraction=fraction,
        node=node,
        distance_m=dist,
        nearest_road_m=road,
    )


def snap_sites(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    household_lat: npt.ArrayLike,
    household_lon: npt.ArrayLike,
    depot_lat: npt.ArrayLike,
    depot_lon: npt.ArrayLike,
    *,
    max_snap_m: float,
) -> Snapped:
    """Snap households and depots to every profile network in one vectorised pass each.

    Parameters
    ----------
    graph : RoadGraph
    networks : dict of str to ProfileNetwork
        The profiles in use.
    household_lat, household_lon, depot_lat, depot_lon : array-like
        Site coordinates in degrees.
    max_snap_m : float
        Farthest a site may be from the profile's roads (metres).

    Returns
    -------
    Snapped

    Notes
    -----
    A site beyond the limit is not an error here: the plan lists it as unserved with the reason
    (too far from a road, or on a road cut off from the network).
    """
    lat = np.concatenate([np.asarray(household_lat, float), np.asarray(depot_lat, float)])
    lon = np.concatenate([np.asarray(household_lon, float), np.asarray(depot_lon, float)])
    n_households = int(np.asarray(household_lat).shape[0])
    origin = (float(np.mean(graph.lat)), float(np.mean(graph.lon)))
    by_profile: dict[str, ProfileSnap] = {}
    for name in sorted(networks):
        snap = _snap_profile(graph, networks[name], lat, lon, max_snap_m, origin)
        long_snaps = int(
            np.sum((snap.distance_m > SUSPICIOUS_SNAP_M) & (snap.distance_m <= max_snap_m))
        )
        if long_snaps:
            logger.info(
                "profile %s: %d site(s) lie %.0f-%.0f m from the road",
                name,
                long_snaps,
                SUSPICIOUS_SNAP_M,
                max_snap_m,
            )
        by_profile[name] = snap
    return Snapped(
        n_households=n_households,
        n_depots=int(lat.shape[0]) - n_households,
        max_snap_m=max_snap_m,
        by_profile=by_profile,
    )


def _depot_distances(scenario: Scenario, snapped: Snapped, depot: int, profiles: list[str]) -> str:
    """Say how far one depot is from the roads of the given profiles."""
    parts = []
    for profile in profiles:
        distance = float(snapped.by_profile[profile].distance_m[snapped.depot_site(depot)])
        parts.append(
            f"{distance:.0f} m from the nearest {profile} road"
            if np.isfinite(distance)
            else f"has no {profile} road in the network"
        )
    item = scenario.depots[depot]
    where = " and ".join(p if p.startswith("has ") else f"is {p}" for p in parts)
    return f"{item.depot_id} (row {item.row}) {where}"


def check_depot_snaps(scenario: Scenario, snapped: Snapped) -> None:
    """Stop the run when no team can leave any depot: no depot is on a road its teams can use.

    A team can start when its depot snapped to the network of its vehicle's profile (within
    ``max_snap_m``). When some teams can start, the households of the others' desa are listed
    unserved by the screening, with the reason, and the plan warns; that is a partial plan.
    When not a single team can, there is nothing to plan, and this raises.

    Parameters
    ----------
    scenario : Scenario
    snapped : Snapped
        The snap results of ``scenario``'s households and depots, for every profile its teams
        use.

    Raises
    ------
    SnappingError
        If the scenario has households to plan and teams, and no team's depot lies within
        ``max_snap_m`` of a road of the team's profile. The message names the depots (row in
        the depots file, distance per profile) and the limit, and says what to fix.
    """
    if not scenario.households or not scenario.teams:
        return
    depot_index = {d.depot_id: i for i, d in enumerate(scenario.depots)}
    profiles: dict[int, set[str]] = {}
    for team in scenario.teams:
        depot = depot_index[team.depot_id]
        profile = scenario.vehicles[team.vehicle].profile
        if snapped.by_profile[profile].entry[snapped.depot_site(depot)] >= 0:
            return
        profiles.setdefault(depot, set()).add(profile)
    depots = sorted(profiles)
    named = "; ".join(
        _depot_distances(scenario, snapped, d, sorted(profiles[d])) for d in depots[:DEPOTS_NAMED]
    )
    more = len(depots) - DEPOTS_NAMED
    if more > 0:
        named += f"; and {more} more"
    raise SnappingError(
        f"depots file: no team can start, because no depot is within [graph] max_snap_m = "
        f"{snapped.max_snap_m:.0f} m of a road its teams' vehicles can use: {named}. Check "
        "that [inputs] road_network covers the scenario's area and that the depots' lat/lon "
        "are right, or raise [graph] max_snap_m"
    )
