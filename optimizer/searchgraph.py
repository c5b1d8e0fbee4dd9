"""The searched graph of a sub-problem: a profile network's region plus one node per site.

The region is the part of a profile network inside a box around a sub-problem's sites. Each
site becomes a virtual node joined to both ends of its road (and to other sites on the same
road) by hops along part of a road; turn rules split junctions (:func:`split_turns`) and
destination-only ways copy the graph (:func:`no_through`). Searches run on exact whole-number
weights that carry time and length together (:func:`lexicographic_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.snapping import entry_endpoints
from optimizer.turns import Arcs, split_turns

_METRES_PER_DEGREE = 111_320.0
#: A site this close to the end of its road counts as standing at that junction (metres).
AT_NODE_M = 1.0
#: Shortest paths run on whole-number weights: time in units of 10 microseconds (each hop
#: rounded up), times LENGTH_SPAN_M, plus length in metres (see lexicographic_weights).
TIME_UNITS_PER_S = 100_000
LENGTH_SPAN_M = 2.0**19


def region_nodes(
    graph: RoadGraph, network: ProfileNetwork, nodes: npt.NDArray[np.int64], buffer_m: float
) -> npt.NDArray[np.int64]:
    """Network nodes inside the box around some nodes, widened by ``buffer_m`` metres (sorted)."""
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
class SiteRoads:
    """Where the local sites of a sub-problem sit on one profile's roads."""

    entry: npt.NDArray[np.int64]
    twin: npt.NDArray[np.int64]
    fraction: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Augmented:
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
    #: (:func:`split_turns`); the graph holds ``csr.shape[0] // n_nodes`` copies.
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

    def augmented(self, n: int, n_region: int) -> Augmented:
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
        return Augmented(
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


def augment(
    network: ProfileNetwork,
    region: npt.NDArray[np.int64],
    matrix_sites: SiteRoads,
    graph_length: npt.NDArray[np.float64],
) -> Augmented:
    """Build the region graph with the sites added as virtual nodes (see :class:`Augmented`)."""
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


#: Copies of the augmented graph on a network with destination-only ways (see no_through).
STATES = 3


def no_through(augmented: Augmented, network: ProfileNetwork) -> Augmented:
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
    return Augmented(
        csr=expanded,
        hop_entry=augmented.hop_entry[hop[order]],
        hop_from=augmented.hop_from[hop[order]],
        hop_to=augmented.hop_to[hop[order]],
        n_region=augmented.n_region,
        n_nodes=augmented.n_nodes,
    )


def site_weights(
    plain: Augmented,
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
    ruled = no_through(plain, network)
    weights = dijkstra(
        lexicographic_weights(ruled, graph.length_m, network), directed=True, indices=virtual
    )
    found = _to_sites(np.asarray(weights), ruled, virtual, n_sites)
    if ruled is plain or np.all(np.isfinite(found)):
        return found
    free = dijkstra(
        lexicographic_weights(plain, graph.length_m, network), directed=True, indices=virtual
    )
    combined: npt.NDArray[np.float64] = np.where(
        np.isfinite(found), found, np.asarray(free)[:, virtual]
    )
    return combined


def _to_sites(
    weights: npt.NDArray[np.float64],
    augmented: Augmented,
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


def lexicographic_weights(
    augmented: Augmented, graph_length: npt.NDArray[np.float64], network: ProfileNetwork
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


def split_weights(
    weights: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Split path weights into (seconds rounded up, metres); inf stays inf / 0."""
    finite = np.isfinite(weights)
    whole = np.where(finite, weights, 0.0)
    units = np.floor(whole / LENGTH_SPAN_M)
    metres = whole - units * LENGTH_SPAN_M
    seconds = np.where(finite, np.ceil(units / TIME_UNITS_PER_S - 1e-9), np.inf)
    return seconds, metres
