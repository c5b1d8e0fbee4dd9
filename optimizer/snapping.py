"""Place households and depots on each profile's road network -> Snapped.

Each site is snapped, per vehicle profile, to the nearest node of that profile's largest strongly
connected network, in one vectorised nearest-neighbour query for all sites. The distance is
kept: the team walks it from where the vehicle stops to the door and back, and a site farther
than ``max_snap_m`` from every usable road cannot be served by that profile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from optimizer.roadgraph import ProfileNetwork, RoadGraph
from optimizer.units import haversine_m, local_xy_m

logger = logging.getLogger(__name__)

#: Snaps longer than this are allowed but reported as suspicious.
SUSPICIOUS_SNAP_M = 150.0


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProfileSnap:
    """Where each site meets one profile's network.

    Attributes
    ----------
    node : int64 array
        Graph node index per site, or -1 when the nearest usable node is beyond ``max_snap_m``.
    distance_m : float64 array
        Distance to the nearest node of the profile's connected network (metres).
    nearest_road_m : float64 array
        Distance to the nearest node the profile may use at all, connected or not; when it is
        much shorter than ``distance_m`` the site sits on a cut-off piece of road.
    """

    profile: str
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


def _nearest(
    graph: RoadGraph,
    mask: npt.NDArray[np.bool_],
    lat: npt.NDArray[np.float64],
    lon: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return np.full(lat.shape, -1, dtype=np.int64), np.full(lat.shape, np.inf)
    lat0, lon0 = float(np.mean(graph.lat)), float(np.mean(graph.lon))
    tree = cKDTree(local_xy_m(graph.lat[candidates], graph.lon[candidates], lat0=lat0, lon0=lon0))
    _, found = tree.query(local_xy_m(lat, lon, lat0=lat0, lon0=lon0), k=1)
    nodes = candidates[np.asarray(found, dtype=np.int64)]
    distance = haversine_m(lat, lon, graph.lat[nodes], graph.lon[nodes])
    return nodes.astype(np.int64), distance


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
        Farthest a site may be from the profile's network (metres).

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
    by_profile: dict[str, ProfileSnap] = {}
    for name in sorted(networks):
        network = networks[name]
        node, distance = _nearest(graph, network.in_network, lat, lon)
        _, road = _nearest(graph, network.touched, lat, lon)
        node = np.where(distance <= max_snap_m, node, -1)
        long_snaps = int(np.sum((distance > SUSPICIOUS_SNAP_M) & (distance <= max_snap_m)))
        if long_snaps:
            logger.info(
                "profile %s: %d site(s) snap %.0f-%.0f m from the road",
                name,
                long_snaps,
                SUSPICIOUS_SNAP_M,
                max_snap_m,
            )
        by_profile[name] = ProfileSnap(
            profile=name, node=node, distance_m=distance, nearest_road_m=road
        )
    return Snapped(
        n_households=n_households,
        n_depots=int(lat.shape[0]) - n_households,
        max_snap_m=max_snap_m,
        by_profile=by_profile,
    )
