"""Travel-time matrices per sub-problem and profile, by compiled shortest paths -> TravelMatrices.

Shortest paths run in scipy's compiled Dijkstra on the CSR form of each profile network, from all
sources of a sub-problem at once, and only over the part of the network the sub-problem needs
(the box around its sites plus ``buffer_m``). If that box cuts a needed path, the sub-problem is
recomputed in a box four times wider, then on the whole network, so a box never makes a
reachable site look unreachable.

Rounding rule: a matrix entry is the fastest path time rounded UP to whole seconds, so a plan
that is feasible in integers is feasible in reality. Unreachable pairs hold ``UNREACHABLE_S``.
The search runs on exact whole-number weights that carry time and length together, so the
length of every fastest path comes out of the same search (no path is walked back).

The roads a fastest path takes are exposed as path data only (:func:`find_site_paths`, a list of
:class:`RoadHop` per pair of sites); turning them into shapes on the map is the geometry stage's
job, after solving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.parallel import run_parallel
from optimizer.partition import Partition, SubProblem
from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.searchgraph import (
    LENGTH_SPAN_M,
    TIME_UNITS_PER_S,
    SiteRoads,
    augment,
    region_nodes,
    site_weights,
    split_weights,
)
from optimizer.sitepaths import RoadHop as RoadHop
from optimizer.sitepaths import SitePaths as SitePaths
from optimizer.sitepaths import find_site_paths as find_site_paths
from optimizer.snapping import Snapped, entry_endpoints
from optimizer.submatrix import UNREACHABLE_S as UNREACHABLE_S
from optimizer.submatrix import SubMatrix as SubMatrix

logger = logging.getLogger(__name__)

#: Search boxes tried in turn: the buffer, four times the buffer, then the whole network.
REGION_GROWTH: tuple[float | None, ...] = (1.0, 4.0, None)
#: Paths longer than this (47 h) would not split exactly; no distribution day comes near it.
MAX_PATH_S = 2.0**53 / LENGTH_SPAN_M / TIME_UNITS_PER_S


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TravelMatrices:
    """All sub-problem matrices, by (sub-problem key, profile)."""

    by_key: dict[tuple[str, str], SubMatrix]
    fallbacks: int


def local_sites(snapped: Snapped, subproblem: SubProblem) -> npt.NDArray[np.int64]:
    """Global site indices of a sub-problem in local order: depots, then households."""
    depots = [snapped.depot_site(d) for d in subproblem.depots]
    return np.array([*depots, *subproblem.households], dtype=np.int64)


def build_submatrix(
    graph: RoadGraph,
    network: ProfileNetwork,
    snapped: Snapped,
    subproblem: SubProblem,
    *,
    buffer_m: float,
) -> tuple[SubMatrix, bool]:
    """Build one sub-problem's matrix for one profile; True in the pair means it widened."""
    sites = local_sites(snapped, subproblem)
    snap = snapped.by_profile[network.profile]
    roads = SiteRoads(entry=snap.entry[sites], twin=snap.twin[sites], fraction=snap.fraction[sites])
    nodes = snap.node[sites]
    valid = roads.entry >= 0
    n = sites.size
    time_s = np.full((n, n), UNREACHABLE_S, dtype=np.int32)
    np.fill_diagonal(time_s, 0)
    distance_m = np.zeros((n, n), dtype=np.int32)
    region = np.empty(0, dtype=np.int64)
    fell_back = False
    if valid.any():
        full_u, full_v = entry_endpoints(network)
        ends = np.concatenate([full_u[roads.entry[valid]], full_v[roads.entry[valid]]])
        idx = np.flatnonzero(valid)
        # Widen the box until every pair is connected; the whole network always connects them.
        for factor in REGION_GROWTH:
            if factor is None:
                region = np.flatnonzero(network.in_network).astype(np.int64)
            else:
                region = region_nodes(graph, network, ends, buffer_m * factor)
            plain = augment(network, region, roads, graph.length_m)
            virtual = plain.n_region + idx
            times, lengths = split_weights(site_weights(plain, network, graph, virtual, n))
            if np.all(np.isfinite(times)):
                break
            fell_back = True
        finite = times[np.isfinite(times)]
        if finite.size and float(finite.max()) >= MAX_PATH_S:
            raise ValueError(f"a path of sub-problem {subproblem.key} is too long to time")
        time_s[np.ix_(idx, idx)] = np.where(np.isfinite(times), times, UNREACHABLE_S).astype(
            np.int32
        )
        np.fill_diagonal(time_s, 0)
        distance_m[np.ix_(idx, idx)] = lengths.astype(np.int32)
        np.fill_diagonal(distance_m, 0)
    return SubMatrix(
        key=subproblem.key,
        profile=network.profile,
        sites=sites,
        nodes=nodes,
        entry=roads.entry,
        twin=roads.twin,
        fraction=roads.fraction,
        time_s=time_s,
        distance_m=distance_m,
        region=region,
    ), fell_back


def _matrix_job(
    shared: tuple[RoadGraph, dict[str, ProfileNetwork], Snapped, float],
    item: tuple[SubProblem, str],
) -> tuple[SubMatrix, bool]:
    graph, networks, snapped, buffer_m = shared
    subproblem, profile = item
    return build_submatrix(graph, networks[profile], snapped, subproblem, buffer_m=buffer_m)


def matrix_items(
    partition: Partition, profiles: tuple[str, ...] | None = None
) -> list[tuple[SubProblem, str]]:
    """Every (sub-problem, profile) pair that needs a matrix, in partition order.

    ``profiles`` names the profiles for every sub-problem (the footpaths of a park-and-walk
    day); by default each sub-problem's teams' profiles.
    """
    return [
        (sp, profile)
        for sp in partition.subproblems
        for profile in (sp.profiles if profiles is None else profiles)
    ]


def build_submatrices(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    snapped: Snapped,
    items: Sequence[tuple[SubProblem, str]],
    *,
    buffer_m: float,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[SubMatrix, bool]]:
    """Build the matrices of some (sub-problem, profile) pairs, largest first, in parallel.

    Parameters
    ----------
    graph : RoadGraph
    networks : dict of str to ProfileNetwork
        Must hold every profile named in ``items``.
    snapped : Snapped
    items : sequence of (SubProblem, str)
        The pairs to build (e.g. those a cache does not hold yet).
    buffer_m : float
        Margin around a sub-problem's sites within which paths are searched (metres).
    workers : int
        Worker processes (1 = this process only).
    progress : callable, optional
        Called with (done, total) after each pair.

    Returns
    -------
    list of (SubMatrix, bool)
        In the order of ``items``; the flag is true where the search box had to widen.
    """
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0].households))
    return run_parallel(
        _matrix_job,
        list(items),
        shared=(graph, networks, snapped, buffer_m),
        workers=workers,
        order=order,
        progress=progress,
    )


def build_matrices(
    graph: RoadGraph,
    networks: dict[str, ProfileNetwork],
    snapped: Snapped,
    partition: Partition,
    *,
    buffer_m: float,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> TravelMatrices:
    """Build the travel-time matrix of every sub-problem for every profile its teams use.

    Parameters
    ----------
    graph : RoadGraph
    networks : dict of str to ProfileNetwork
    snapped : Snapped
    partition : Partition
    buffer_m : float
        Margin around a sub-problem's sites within which paths are searched (metres).
    workers : int
        Worker processes (1 = this process only).
    progress : callable, optional
        Called with (done, total) after each sub-problem and profile.

    Returns
    -------
    TravelMatrices

    Notes
    -----
    Entries are whole seconds, rounded up; diagonal 0; ``UNREACHABLE_S`` where no path exists.
    """
    items = matrix_items(partition)
    results = build_submatrices(
        graph, networks, snapped, items, buffer_m=buffer_m, workers=workers, progress=progress
    )
    return collect_matrices(items, results)


def collect_matrices(
    items: Sequence[tuple[SubProblem, str]], results: Sequence[tuple[SubMatrix, bool]]
) -> TravelMatrices:
    """Gather built matrices (in the order of ``items``) into :class:`TravelMatrices`."""
    by_key = {
        (sp.key, profile): matrix for (sp, profile), (matrix, _) in zip(items, results, strict=True)
    }
    fallbacks = sum(int(fell_back) for _, fell_back in results)
    if fallbacks:
        logger.info("%d sub-problem matrices needed a wider search box", fallbacks)
    return TravelMatrices(by_key=by_key, fallbacks=fallbacks)
