"""Fastest paths of the legs between the sites of one sub-problem matrix -> SitePaths.

The roads a fastest path takes are path data only (a list of :class:`RoadHop` per pair of
sites); turning them into shapes on the map is the geometry stage's job, after solving.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import RoadGraph
from optimizer.searchgraph import (
    LENGTH_SPAN_M,
    TIME_UNITS_PER_S,
    Augmented,
    SiteRoads,
    augment,
    lexicographic_weights,
    no_through,
)
from optimizer.submatrix import SubMatrix

#: Searches for the legs of one sub-problem's routes (grouped by length, shortest first).
PATH_SEARCHES = 4


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

    augmented: Augmented = field(repr=False)
    row_of: dict[tuple[int, int], tuple[int, int]]  # leg -> (search, row of its origin)
    predecessors: tuple[npt.NDArray[np.int32], ...] = field(repr=False)
    #: Per search: path weight from each origin to each copy of each site (origins, copies,
    #: sites); the copy a path ends at is the cheapest (see :func:`no_through`).
    arrivals: tuple[npt.NDArray[np.float64], ...] = field(repr=False)
    #: The same legs in the graph without the destination-only rule, for a leg the rule cannot
    #: drive (see :func:`optimizer.matrix.build_submatrix`); None when the area has no such way.
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
    roads = SiteRoads(entry=matrix.entry, twin=matrix.twin, fraction=matrix.fraction)
    plain = augment(network, matrix.region, roads, graph.length_m)
    ruled = no_through(plain, network)
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
    augmented: Augmented,
) -> SitePaths:
    """Search the legs' paths in one searched graph (see :func:`find_site_paths`)."""
    weights = lexicographic_weights(augmented, graph.length_m, network)
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
