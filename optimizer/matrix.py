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

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from optimizer.parallel import run_parallel
from optimizer.partition import Partition, SubProblem
from optimizer.roadgraph import ProfileNetwork, RoadGraph
from optimizer.snapping import Snapped, entry_endpoints
from optimizer.turns import Arcs, split_turns

logger = logging.getLogger(__name__)

#: Matrix value for "cannot get there"; far above any shift, far below int64 overflow.
UNREACHABLE_S = 10**9
_METRES_PER_DEGREE = 111_320.0
#: Search boxes tried in turn: the buffer, four times the buffer, then the whole network.
REGION_GROWTH: tuple[float | None, ...] = (1.0, 4.0, None)
#: A site this close to the end of its road counts as standing at that junction (metres).
AT_NODE_M = 1.0
#: Shortest paths run on whole-number weights: time in units of 10 microseconds (each hop
#: rounded up), times LENGTH_SPAN_M, plus length in metres (see _lexicographic_weights).
TIME_UNITS_PER_S = 100_000
LENGTH_SPAN_M = 2.0**19
#: Searches for the legs of one sub-problem's routes (grouped by length, shortest first).
PATH_SEARCHES = 4
#: Paths longer than this (47 h) would not split exactly; no distribution day comes near it.
MAX_PATH_S = 2.0**53 / LENGTH_SPAN_M / TIME_UNITS_PER_S


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubMatrix:
    """Travel times between the sites of one sub-problem for one profile.

    Local site order: the sub-problem's depots first, then its households.

    Attributes
    ----------
    sites : int64 array
        Global site index (see :class:`Snapped`) per local site.
    nodes : int64 array
        Nearer end node of each local site's road, -1 where the site could not be snapped.
    entry, twin, fraction : arrays
        Each local site's road (CSR entry, opposite entry or -1) and position along it.
    time_s : int32 array (n, n)
        Travel time in whole seconds (rounded up); ``UNREACHABLE_S`` where there is no path.
    distance_m : int32 array (n, n)
        Length of that fastest path in whole metres (rounded); 0 where there is no path.
    region : int64 array
        Graph nodes of the part of the network searched (sorted); all nodes when it fell back.
    """

    key: str
    profile: str
    sites: npt.NDArray[np.int64] = field(repr=False)
    nodes: npt.NDArray[np.int64] = field(repr=False)
    entry: npt.NDArray[np.int64] = field(repr=False)
    twin: npt.NDArray[np.int64] = field(repr=False)
    fraction: npt.NDArray[np.float64] = field(repr=False)
    time_s: npt.NDArray[np.int32] = field(repr=False)
    distance_m: npt.NDArray[np.int32] = field(repr=False)
    region: npt.NDArray[np.int64] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TravelMatrices:
    """All sub-problem matrices, by (sub-problem key, profile)."""

    by_key: dict[tuple[str, str], SubMatrix]
    fallbacks: int


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


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _SiteRoads:
    """Where the local sites of a sub-problem sit on one profile's roads."""

    entry: npt.NDArray[np.int64]
    twin: npt.NDArray[np.int64]
    fraction: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Augmented:
    """A region of a profile network plus one virtual node per local site.

    Node ``n_region + i`` is local site ``i``, joined to both ends of its road (and directly to
    other sites on the same road) by hops that run along part of a CSR entry.
    """

    csr: csr_matrix
    hop_entry: npt.NDArray[np.int64]
    hop_from: npt.NDArray[np.float64]
    hop_to: npt.NDArray[np.float64]
    n_region: int
    #: Nodes of one copy of the graph: region, sites, then the split junctions of turn rules
    #: (:func:`_split_turns`); the graph holds ``csr.shape[0] // n_nodes`` copies.
    n_nodes: int


class _Hops:
    """Hops of an augmented region graph, collected as parallel arrays before the CSR is built.

    Each hop runs along one CSR entry of the profile network, from fraction ``start`` to
    fraction ``end`` of it.
    """

    def __init__(
        self, network: ProfileNetwork, sub: csr_matrix, entries: npt.NDArray[np.int64]
    ) -> None:
        r = sub.shape[0]
        self.network = network
        self.rows = [np.repeat(np.arange(r, dtype=np.int64), np.diff(sub.indptr))]
        self.cols = [sub.indices.astype(np.int64)]
        self.cost = [sub.data.astype(np.float64)]
        self.hop = [entries.astype(np.int64)]
        self.start = [np.zeros(entries.size)]
        self.end = [np.ones(entries.size)]

    def add(
        self,
        a: npt.ArrayLike,
        b: npt.ArrayLike,
        e: npt.ArrayLike,
        f0: npt.ArrayLike,
        f1: npt.ArrayLike,
    ) -> None:
        """Add hops from nodes ``a`` to nodes ``b`` along entries ``e``, fraction f0 to f1."""
        e_arr = np.asarray(e, dtype=np.int64)
        f0_arr, f1_arr = np.asarray(f0, dtype=float), np.asarray(f1, dtype=float)
        self.rows.append(np.asarray(a, dtype=np.int64))
        self.cols.append(np.asarray(b, dtype=np.int64))
        self.cost.append((f1_arr - f0_arr) * self.network.csr.data[e_arr])
        self.hop.append(e_arr)
        self.start.append(f0_arr)
        self.end.append(f1_arr)

    def arcs(self) -> Arcs:
        """Return the hops collected so far as one set of parallel arrays."""
        return (
            np.concatenate(self.rows),
            np.concatenate(self.cols),
            np.concatenate(self.cost),
            np.concatenate(self.hop),
            np.concatenate(self.start),
            np.concatenate(self.end),
        )

    def replace(self, arcs: Arcs) -> None:
        """Replace the hops collected so far."""
        rows, cols, cost, hop, start, end = arcs
        self.rows, self.cols, self.cost = [rows], [cols], [cost]
        self.hop, self.start, self.end = [hop], [start], [end]

    def augmented(self, n: int, n_region: int) -> _Augmented:
        """Build the graph of ``n`` nodes, keeping the cheapest hop between two nodes."""
        all_rows, all_cols = np.concatenate(self.rows), np.concatenate(self.cols)
        all_cost = np.maximum(np.concatenate(self.cost), 0.0)
        keep_order = np.lexsort((all_cost, all_cols, all_rows))
        all_rows = all_rows[keep_order]
        all_cols = all_cols[keep_order]
        all_cost = all_cost[keep_order]
        first = np.ones(all_rows.size, dtype=bool)
        first[1:] = (all_rows[1:] != all_rows[:-1]) | (all_cols[1:] != all_cols[:-1])
        indptr = np.concatenate([[0], np.cumsum(np.bincount(all_rows[first], minlength=n))])
        csr = csr_matrix((all_cost[first], all_cols[first], indptr), shape=(n, n))
        return _Augmented(
            csr=csr,
            hop_entry=np.concatenate(self.hop)[keep_order][first],
            hop_from=np.concatenate(self.start)[keep_order][first],
            hop_to=np.concatenate(self.end)[keep_order][first],
            n_region=n_region,
            n_nodes=n,
        )


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _PlacedSites:
    """The snapped local sites of an augmented region, their roads in region numbering.

    Attributes
    ----------
    e, twin : int64 arrays
        Each site's CSR entry and its opposite entry (-1 on a one-way road).
    f : float64 array
        Position of the site along ``e``.
    node : int64 array
        The site's virtual node.
    u, v : int64 arrays
        Region nodes at the start and end of ``e`` (-1 outside the region).
    """

    e: npt.NDArray[np.int64]
    twin: npt.NDArray[np.int64]
    f: npt.NDArray[np.float64]
    node: npt.NDArray[np.int64]
    u: npt.NDArray[np.int64]
    v: npt.NDArray[np.int64]

    @property
    def two(self) -> npt.NDArray[np.bool_]:
        """Mark the sites on a two-way road."""
        return self.twin >= 0


def _add_road_end_hops(
    hops: _Hops, sites: _PlacedSites, network: ProfileNetwork, graph_length: npt.NDArray[np.float64]
) -> None:
    """Join every site to both ends of its road, and to every street at a junction it is at."""
    e, f, site_node, u_local, v_local = sites.e, sites.f, sites.node, sites.u, sites.v
    hops.add(site_node, v_local, e, f, np.ones_like(f))  # site -> end of its road
    hops.add(u_local, site_node, e, np.zeros_like(f), f)  # start of its road -> site
    two = sites.two
    e2, f2 = sites.twin[two], 1.0 - f[two]
    hops.add(site_node[two], u_local[two], e2, f2, np.ones_like(f2))  # site -> start, other way
    hops.add(v_local[two], site_node[two], e2, np.zeros_like(f2), f2)  # end -> site, other way
    # A site at a junction (within AT_NODE_M of an end) is reached from every street there.
    length = graph_length[network.csr_edge[e]]
    at_start = f * length <= AT_NODE_M
    at_end = (1.0 - f) * length <= AT_NODE_M
    for mask, node in ((at_start, u_local), (at_end, v_local)):
        hops.add(site_node[mask], node[mask], e[mask], f[mask], f[mask])
        hops.add(node[mask], site_node[mask], e[mask], f[mask], f[mask])


def _same_road_pairs(
    e: npt.NDArray[np.int64], f: npt.NDArray[np.float64]
) -> tuple[list[int], list[int]]:
    """Pair every two sites on the same road entry, the one nearer its start first."""
    order = np.lexsort((f, e))
    same = np.flatnonzero(e[order][1:] == e[order][:-1])
    groups: dict[int, list[int]] = {}
    for k in same:
        for pos in (int(order[k]), int(order[k + 1])):
            members = groups.setdefault(int(e[pos]), [])
            if not members or members[-1] != pos:
                members.append(pos)
    pair_a: list[int] = []
    pair_b: list[int] = []
    for members in groups.values():
        for i, earlier in enumerate(members):
            for later in members[i + 1 :]:
                pair_a.append(earlier)
                pair_b.append(later)
    return pair_a, pair_b


def _add_same_road_hops(hops: _Hops, sites: _PlacedSites) -> None:
    """Let sites on the same road reach each other along it without leaving it."""
    e, f, site_node = sites.e, sites.f, sites.node
    pair_a, pair_b = _same_road_pairs(e, f)
    if not pair_a:
        return
    pa, pb = np.array(pair_a), np.array(pair_b)  # f[pa] <= f[pb]
    hops.add(site_node[pa], site_node[pb], e[pa], f[pa], f[pb])
    back = sites.two[pa]
    hops.add(
        site_node[pb][back],
        site_node[pa][back],
        sites.twin[pa][back],
        1.0 - f[pb][back],
        1.0 - f[pa][back],
    )
    tie = (f[pa] == f[pb]) & ~back  # the same spot of a one-way road: both ways free
    hops.add(site_node[pb][tie], site_node[pa][tie], e[pa][tie], f[pa][tie], f[pa][tie])


def _augment(
    network: ProfileNetwork,
    region: npt.NDArray[np.int64],
    matrix_sites: _SiteRoads,
    graph_length: npt.NDArray[np.float64],
) -> _Augmented:
    """Build the region graph with the sites added as virtual nodes (see :class:`_Augmented`)."""
    sub, entries, local_of = _subgraph(network, region)
    r = region.size
    hops = _Hops(network, sub, entries)
    full_u, full_v = entry_endpoints(network)
    idx = np.flatnonzero(matrix_sites.entry >= 0)
    e = matrix_sites.entry[idx]
    sites = _PlacedSites(
        e=e,
        twin=matrix_sites.twin[idx],
        f=matrix_sites.fraction[idx],
        node=r + idx,
        u=local_of[full_u[e]],
        v=local_of[full_v[e]],
    )
    _add_road_end_hops(hops, sites, network, graph_length)
    _add_same_road_hops(hops, sites)
    arcs, n_nodes = split_turns(hops.arcs(), network, local_of, r + matrix_sites.entry.size)
    hops.replace(arcs)
    return hops.augmented(n_nodes, r)


#: Copies of the augmented graph on a network with destination-only ways (see _no_through).
STATES = 3


def _no_through(augmented: _Augmented, network: ProfileNetwork) -> _Augmented:
    """Expand the graph so that destination-only ways are driven to a door or from one only.

    Three copies of every node: 0, the path has not yet left the ways around its origin that
    are open to destination traffic only; 1, it is on through roads; 2, it has turned from a
    through road into destination-only ways, and may only go on to its target there. A hop on
    a through road leads from copy 0 or 1 into copy 1; a hop on a destination-only way keeps
    copy 0 in 0, and leads from 1 or 2 into 2. Searches start at copy 0 of a site and end at
    the cheapest copy of the target. Returns the graph itself when its region has no such way.
    """
    closed = network.destination_only[augmented.hop_entry]
    if not closed.any():
        return augmented
    csr = augmented.csr
    n = csr.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(csr.indptr))
    cols = csr.indices.astype(np.int64)
    # (from copy, to copy) of each kind of hop.
    moves = [(0, 1, ~closed), (1, 1, ~closed), (0, 0, closed), (1, 2, closed), (2, 2, closed)]
    pieces = [(rows[m] + a * n, cols[m] + b * n, np.flatnonzero(m)) for a, b, m in moves]
    all_rows = np.concatenate([p[0] for p in pieces])
    all_cols = np.concatenate([p[1] for p in pieces])
    hop = np.concatenate([p[2] for p in pieces])
    order = np.lexsort((all_cols, all_rows))
    size = STATES * n
    indptr = np.concatenate([[0], np.cumsum(np.bincount(all_rows[order], minlength=size))])
    expanded = csr_matrix(
        (np.asarray(csr.data)[hop[order]], all_cols[order], indptr), shape=(size, size)
    )
    return _Augmented(
        csr=expanded,
        hop_entry=augmented.hop_entry[hop[order]],
        hop_from=augmented.hop_from[hop[order]],
        hop_to=augmented.hop_to[hop[order]],
        n_region=augmented.n_region,
        n_nodes=augmented.n_nodes,
    )


def _site_weights(
    plain: _Augmented,
    network: ProfileNetwork,
    graph: RoadGraph,
    virtual: npt.NDArray[np.int64],
    n_sites: int,
) -> npt.NDArray[np.float64]:
    """Path weights between the searched sites, destination-only ways driven by the rule.

    A pair the rule cannot drive at all (a door beyond a destination-only way that is its only
    access: the way leads to the door's area, so the door is its destination) takes the path
    of the plain graph.
    """
    ruled = _no_through(plain, network)
    weights = dijkstra(
        _lexicographic_weights(ruled, graph.length_m, network), directed=True, indices=virtual
    )
    found = _to_sites(np.asarray(weights), ruled, virtual, n_sites)
    if ruled is plain or np.all(np.isfinite(found)):
        return found
    free = dijkstra(
        _lexicographic_weights(plain, graph.length_m, network), directed=True, indices=virtual
    )
    combined: npt.NDArray[np.float64] = np.where(
        np.isfinite(found), found, np.asarray(free)[:, virtual]
    )
    return combined


def _to_sites(
    weights: npt.NDArray[np.float64],
    augmented: _Augmented,
    virtual: npt.NDArray[np.int64],
    n_sites: int,
) -> npt.NDArray[np.float64]:
    """Path weights from each searched site to every site: the cheapest copy of the target."""
    base = augmented.n_nodes
    copies = augmented.csr.shape[0] // base
    found: npt.NDArray[np.float64] = np.minimum.reduce(
        [weights[:, virtual + k * base] for k in range(copies)]
    )
    return found


def _lexicographic_weights(
    augmented: _Augmented, graph_length: npt.NDArray[np.float64], network: ProfileNetwork
) -> csr_matrix:
    """Return the augmented graph with one exact integer weight per hop: time, then length.

    Weight = time in ``1 / TIME_UNITS_PER_S`` seconds (rounded up per hop) times
    ``LENGTH_SPAN_M`` + length in whole metres. Both parts stay whole numbers below 2**53, so
    one float64 Dijkstra finds the fastest paths (the shorter one on a tie) and its sums split
    back exactly into time and length: no path has to be walked back for its length.
    """
    csr = augmented.csr
    hop_m = (augmented.hop_to - augmented.hop_from) * graph_length[
        network.csr_edge[augmented.hop_entry]
    ]
    # Rounded up, forgiving a nanosecond of floating-point noise per hop.
    units = np.ceil(np.asarray(csr.data, dtype=np.float64) * TIME_UNITS_PER_S - 1e-4)
    weight = np.maximum(units, 0.0) * LENGTH_SPAN_M + np.rint(np.maximum(hop_m, 0.0))
    return csr_matrix((weight, csr.indices, csr.indptr), shape=csr.shape)


def _split_weights(
    weights: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Split path weights into (seconds rounded up, metres); inf stays inf / 0."""
    finite = np.isfinite(weights)
    whole = np.where(finite, weights, 0.0)
    units = np.floor(whole / LENGTH_SPAN_M)
    metres = whole - units * LENGTH_SPAN_M
    seconds = np.where(finite, np.ceil(units / TIME_UNITS_PER_S - 1e-9), np.inf)
    return seconds, metres


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
    roads = _SiteRoads(
        entry=snap.entry[sites], twin=snap.twin[sites], fraction=snap.fraction[sites]
    )
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
                region = _region(graph, network, ends, buffer_m * factor)
            plain = _augment(network, region, roads, graph.length_m)
            virtual = plain.n_region + idx
            times, lengths = _split_weights(_site_weights(plain, network, graph, virtual, n))
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


def matrix_items(partition: Partition) -> list[tuple[SubProblem, str]]:
    """Every (sub-problem, profile) pair that needs a matrix, in partition order."""
    return [(sp, profile) for sp in partition.subproblems for profile in sp.profiles]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class RoadHop:
    """One step of a fastest path: part of one road, between two fractions of its length.

    Attributes
    ----------
    entry : int
        CSR entry of the profile network (its ``csr_edge`` and ``csr_reversed`` give the graph
        edge and the direction of travel along it).
    start, end : float
        Fractions of the road's length where the step begins and ends (``start <= end``).
    """

    entry: int
    start: float
    end: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SitePaths:
    """Fastest paths of some legs between local sites of one sub-problem matrix.

    The searched graph is the matrix's region of the profile network plus one virtual node per
    local site, with the same whole-number weights as when the matrix was built, so the paths
    are the ones the matrix times come from. Each search stops just past the longest leg it
    serves (legs are grouped by length), so a short leg never searches the whole region.
    """

    augmented: _Augmented = field(repr=False)
    row_of: dict[tuple[int, int], tuple[int, int]]  # leg -> (search, row of its origin)
    predecessors: tuple[npt.NDArray[np.int32], ...] = field(repr=False)
    #: Per search: path weight from each origin to each copy of each site (origins, copies,
    #: sites); the copy a path ends at is the cheapest (see :func:`_no_through`).
    arrivals: tuple[npt.NDArray[np.float64], ...] = field(repr=False)
    #: The same legs in the graph without the destination-only rule, for a leg the rule cannot
    #: drive (see :func:`build_submatrix`); None when the area has no such way.
    fallback: SitePaths | None = field(default=None, repr=False)

    def hops(self, origin: int, target: int) -> list[RoadHop]:
        """Return the steps of the fastest path between two local sites, in travel order.

        Parameters
        ----------
        origin : int
            Local site the leg starts from (one of the ``legs`` given to
            :func:`find_site_paths`).
        target : int
            Local site to reach.

        Returns
        -------
        list of RoadHop
            Empty when both sites are the same node of the searched graph.

        Raises
        ------
        ValueError
            If the target cannot be reached from the origin (the matrix holds
            ``UNREACHABLE_S`` for that pair, so no route uses it).
        """
        augmented = self.augmented
        search, row = self.row_of[(origin, target)]
        arrivals = self.arrivals[search][row]
        if self.fallback is not None and not np.isfinite(arrivals[:, target]).any():
            return self.fallback.hops(origin, target)
        base = augmented.n_nodes
        start = augmented.n_region + origin
        end = (
            start
            if origin == target
            else (augmented.n_region + target + int(np.argmin(arrivals[:, target])) * base)
        )
        pred = self.predecessors[search][row]
        path = [end]
        while path[-1] != start:
            previous = int(pred[path[-1]])
            if previous < 0:
                raise ValueError(f"no path between local sites {origin} and {target}")
            path.append(previous)
        path.reverse()
        csr = augmented.csr
        hops: list[RoadHop] = []
        for node, following in itertools.pairwise(path):
            lo, hi = csr.indptr[node], csr.indptr[node + 1]
            k = lo + int(np.searchsorted(csr.indices[lo:hi], following))
            hops.append(
                RoadHop(
                    entry=int(augmented.hop_entry[k]),
                    start=float(augmented.hop_from[k]),
                    end=float(augmented.hop_to[k]),
                )
            )
        return hops


def find_site_paths(
    graph: RoadGraph,
    network: ProfileNetwork,
    matrix: SubMatrix,
    legs: Sequence[tuple[int, int]],
) -> SitePaths:
    """Search the fastest paths of some legs between local sites of a matrix, for their roads.

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
    SitePaths
        Walk a leg's path with :meth:`SitePaths.hops`.
    """
    roads = _SiteRoads(entry=matrix.entry, twin=matrix.twin, fraction=matrix.fraction)
    plain = _augment(network, matrix.region, roads, graph.length_m)
    ruled = _no_through(plain, network)
    paths = _site_paths(graph, network, matrix, legs, ruled)
    if ruled is plain:
        return paths
    # Legs the rule cannot drive (a door beyond a destination-only way) take the plain graph.
    return replace(paths, fallback=_site_paths(graph, network, matrix, legs, plain))


def _site_paths(
    graph: RoadGraph,
    network: ProfileNetwork,
    matrix: SubMatrix,
    legs: Sequence[tuple[int, int]],
    augmented: _Augmented,
) -> SitePaths:
    """Search the legs' paths in one searched graph (see :func:`find_site_paths`)."""
    weights = _lexicographic_weights(augmented, graph.length_m, network)
    n_sites = matrix.entry.size
    base = augmented.n_nodes
    copies = augmented.csr.shape[0] // base
    ordered = sorted(set(legs), key=lambda leg: (int(matrix.time_s[leg]), leg))
    groups = min(PATH_SEARCHES, len(ordered))
    row_of: dict[tuple[int, int], tuple[int, int]] = {}
    predecessors: list[npt.NDArray[np.int32]] = []
    arrivals: list[npt.NDArray[np.float64]] = []
    for search in range(groups):
        group = ordered[search * len(ordered) // groups : (search + 1) * len(ordered) // groups]
        sources = sorted({origin for origin, _ in group})
        longest = max(int(matrix.time_s[leg]) for leg in group)
        reached, found = dijkstra(
            weights,
            directed=True,
            indices=[augmented.n_region + s for s in sources],
            return_predecessors=True,
            limit=(longest + 1) * TIME_UNITS_PER_S * LENGTH_SPAN_M,
        )
        predecessors.append(np.asarray(found, dtype=np.int32).reshape(len(sources), -1))
        site_nodes = augmented.n_region + np.arange(n_sites)
        reached = np.asarray(reached).reshape(len(sources), -1)
        arrivals.append(
            np.stack([reached[:, site_nodes + k * base] for k in range(copies)], axis=1)
        )
        row = {s: i for i, s in enumerate(sources)}
        for leg in group:
            row_of[leg] = (search, row[leg[0]])
    return SitePaths(
        augmented=augmented,
        row_of=row_of,
        predecessors=tuple(predecessors),
        arrivals=tuple(arrivals),
    )
