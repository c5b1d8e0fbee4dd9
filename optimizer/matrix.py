"""Travel-time matrices per sub-problem and profile, by compiled shortest paths -> TravelMatrices.

Shortest paths run in scipy's compiled Dijkstra on the CSR form of each profile network, from all
sources of a sub-problem at once, and only over the part of the network the sub-problem needs
(the box around its sites plus ``buffer_m``). If that box cuts a needed path, the sub-problem is
recomputed in a box four times wider, then on the whole network, so a box never makes a
reachable site look unreachable.

Rounding rule: a matrix entry is the fastest path time rounded UP to whole seconds, so a plan
that is feasible in integers is feasible in reality. Unreachable pairs hold ``UNREACHABLE_S``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from optimizer.parallel import run_parallel
from optimizer.partition import Partition, SubProblem
from optimizer.roadgraph import ProfileNetwork, RoadGraph
from optimizer.snapping import Snapped

logger = logging.getLogger(__name__)

#: Matrix value for "cannot get there"; far above any shift, far below int64 overflow.
UNREACHABLE_S = 10**9
_METRES_PER_DEGREE = 111_320.0
#: Search boxes tried in turn: the buffer, four times the buffer, then the whole network.
REGION_GROWTH: tuple[float | None, ...] = (1.0, 4.0, None)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubMatrix:
    """Travel times between the sites of one sub-problem for one profile.

    Local site order: the sub-problem's depots first, then its households.

    Attributes
    ----------
    sites : int64 array
        Global site index (see :class:`Snapped`) per local site.
    nodes : int64 array
        Graph node per local site, -1 where the site could not be snapped for this profile.
    time_s : int32 array (n, n)
        Travel time in whole seconds (rounded up); ``UNREACHABLE_S`` where there is no path.
    region : int64 array
        Graph nodes of the part of the network searched (sorted); all nodes when it fell back.
    """

    key: str
    profile: str
    sites: npt.NDArray[np.int64] = field(repr=False)
    nodes: npt.NDArray[np.int64] = field(repr=False)
    time_s: npt.NDArray[np.int32] = field(repr=False)
    region: npt.NDArray[np.int64] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TravelMatrices:
    """All sub-problem matrices, by (sub-problem key, profile)."""

    by_key: dict[tuple[str, str], SubMatrix]
    fallbacks: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LegTrace:
    """The road path of one leg: its length and shape."""

    distance_m: float
    lats: tuple[float, ...]
    lons: tuple[float, ...]


def local_sites(snapped: Snapped, subproblem: SubProblem) -> npt.NDArray[np.int64]:
    """Global site indices of a sub-problem in local order: depots, then households."""
    depots = [snapped.depot_site(d) for d in subproblem.depots]
    return np.array([*depots, *subproblem.households], dtype=np.int64)


def _region(
    graph: RoadGraph, network: ProfileNetwork, nodes: npt.NDArray[np.int64], buffer_m: float
) -> npt.NDArray[np.int64]:
    lat, lon = graph.lat[nodes], graph.lon[nodes]
    pad_lat = buffer_m / _METRES_PER_DEGREE
    pad_lon = pad_lat / max(np.cos(np.radians(float(np.mean(lat)))), 0.1)
    inside = (
        network.in_network
        & (graph.lat >= lat.min() - pad_lat)
        & (graph.lat <= lat.max() + pad_lat)
        & (graph.lon >= lon.min() - pad_lon)
        & (graph.lon <= lon.max() + pad_lon)
    )
    return np.flatnonzero(inside).astype(np.int64)


def _subgraph(
    network: ProfileNetwork, region: npt.NDArray[np.int64]
) -> tuple[csr_matrix, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Cut a region out of a profile network.

    Returns the region's CSR (local numbering), the full-CSR entry of each local entry, and the
    global-to-local node map (-1 outside the region).
    """
    full = network.csr
    n = full.shape[0]
    local_of = np.full(n, -1, dtype=np.int64)
    local_of[region] = np.arange(region.size)
    starts = full.indptr[region].astype(np.int64)
    counts = (full.indptr[region + 1] - full.indptr[region]).astype(np.int64)
    total = int(counts.sum())
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    entry = np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)
    cols = local_of[full.indices[entry]]
    keep = cols >= 0
    row_of_entry = np.repeat(np.arange(region.size), counts)
    kept_rows = row_of_entry[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(kept_rows, minlength=region.size))])
    sub = csr_matrix((full.data[entry[keep]], cols[keep], indptr), shape=(region.size, region.size))
    return sub, entry[keep], local_of


def _times(sub: csr_matrix, local_nodes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Float travel times between the given local nodes (rows: sources, cols: targets)."""
    unique, inverse = np.unique(local_nodes, return_inverse=True)
    dist = dijkstra(sub, directed=True, indices=unique)
    square = np.asarray(dist[:, unique])
    return np.asarray(square[np.ix_(inverse, inverse)])


def build_submatrix(
    graph: RoadGraph,
    network: ProfileNetwork,
    snapped: Snapped,
    subproblem: SubProblem,
    *,
    buffer_m: float,
) -> tuple[SubMatrix, bool]:
    """Build one sub-problem's matrix for one profile; True in the pair means it fell back."""
    sites = local_sites(snapped, subproblem)
    nodes = snapped.by_profile[network.profile].node[sites]
    valid = nodes >= 0
    n = sites.size
    time_s = np.full((n, n), UNREACHABLE_S, dtype=np.int32)
    np.fill_diagonal(time_s, 0)
    if not valid.any():
        empty = np.empty(0, dtype=np.int64)
        return SubMatrix(
            key=subproblem.key,
            profile=network.profile,
            sites=sites,
            nodes=nodes,
            time_s=time_s,
            region=empty,
        ), False
    # Widen the box until every pair is connected; the whole network always connects them.
    fell_back = False
    for factor in REGION_GROWTH:
        if factor is None:
            region = np.flatnonzero(network.in_network).astype(np.int64)
        else:
            region = _region(graph, network, nodes[valid], buffer_m * factor)
        sub, _, local_of = _subgraph(network, region)
        times = _times(sub, local_of[nodes[valid]])
        if np.all(np.isfinite(times)):
            break
        fell_back = True
    rounded = np.where(np.isfinite(times), np.ceil(times - 1e-9), UNREACHABLE_S).astype(np.int32)
    idx = np.flatnonzero(valid)
    time_s[np.ix_(idx, idx)] = rounded
    np.fill_diagonal(time_s, 0)
    return SubMatrix(
        key=subproblem.key,
        profile=network.profile,
        sites=sites,
        nodes=nodes,
        time_s=time_s,
        region=region,
    ), fell_back


def _matrix_job(
    shared: tuple[RoadGraph, dict[str, ProfileNetwork], Snapped, float],
    item: tuple[SubProblem, str],
) -> tuple[SubMatrix, bool]:
    graph, networks, snapped, buffer_m = shared
    subproblem, profile = item
    return build_submatrix(graph, networks[profile], snapped, subproblem, buffer_m=buffer_m)


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
    items = [(sp, profile) for sp in partition.subproblems for profile in sp.profiles]
    order = sorted(range(len(items)), key=lambda i: -len(items[i][0].households))
    results = run_parallel(
        _matrix_job,
        items,
        shared=(graph, networks, snapped, buffer_m),
        workers=workers,
        order=order,
        progress=progress,
    )
    by_key = {
        (sp.key, profile): matrix for (sp, profile), (matrix, _) in zip(items, results, strict=True)
    }
    fallbacks = sum(int(fell_back) for _, fell_back in results)
    if fallbacks:
        logger.info("%d sub-problem matrices needed a wider search box", fallbacks)
    return TravelMatrices(by_key=by_key, fallbacks=fallbacks)


def trace_legs(
    graph: RoadGraph,
    network: ProfileNetwork,
    matrix: SubMatrix,
    legs: Sequence[tuple[int, int]],
) -> list[LegTrace]:
    """Recover the road path of legs between local sites of a sub-problem matrix.

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
        One per leg, in order: length along the road and the shape (degrees).
    """
    if not legs:
        return []
    sub, entries, local_of = _subgraph(network, matrix.region)
    sources = sorted({int(local_of[matrix.nodes[a]]) for a, _ in legs})
    row_of = {s: i for i, s in enumerate(sources)}
    _, predecessors = dijkstra(sub, directed=True, indices=sources, return_predecessors=True)
    region = matrix.region
    traces: list[LegTrace] = []
    for a, b in legs:
        start, end = int(local_of[matrix.nodes[a]]), int(local_of[matrix.nodes[b]])
        pred = predecessors[row_of[start]]
        path = [end]
        while path[-1] != start:
            previous = int(pred[path[-1]])
            if previous < 0:
                raise ValueError(f"no path between local sites {a} and {b}")
            path.append(previous)
        path.reverse()
        lats = [float(graph.lat[region[start]])]
        lons = [float(graph.lon[region[start]])]
        distance = 0.0
        for u, v in itertools.pairwise(path):
            lo, hi = sub.indptr[u], sub.indptr[u + 1]
            k = lo + int(np.searchsorted(sub.indices[lo:hi], v))
            full_entry = int(entries[k])
            edge = int(network.csr_edge[full_entry])
            distance += float(graph.length_m[edge])
            shape = graph.edge_shape(edge, reverse=bool(network.csr_reversed[full_entry]))
            lats.extend(p[0] for p in shape[1:])
            lons.extend(p[1] for p in shape[1:])
        traces.append(LegTrace(distance_m=distance, lats=tuple(lats), lons=tuple(lons)))
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
    """Trace many batches of legs, in parallel; one list of traces per request, in order."""
    order = sorted(range(len(requests)), key=lambda i: -len(requests[i].legs))
    return run_parallel(
        _trace_job,
        requests,
        shared=(graph, networks, matrices),
        workers=workers,
        order=order,
        progress=progress,
    )
