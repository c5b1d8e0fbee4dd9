"""A matrix of the whole network reused under a road closure, where the closure cannot touch it.

Reuse rule: a sub-problem's matrix on the open network holds on the closed network when (1) no
closed edge has an end in the part of the network its search covered (``SubMatrix.region``),
(2) every node of that part is still in the profile's network (a closure can cut a piece off
elsewhere), and (3) every site snapped to the same road, the same way along it and at the same
spot. Then the search covers the same roads with the same times, so times and lengths are the
same; only the sites' road references are renumbered for the closed network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from optimizer.closures import ClosureReport
from optimizer.matrix import SubMatrix
from optimizer.profiles import ProfileNetwork
from optimizer.snapping import ProfileSnap


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OpenNetwork:
    """One profile on the whole network and on the network with the closure taken out."""

    open_network: ProfileNetwork
    open_snap: ProfileSnap
    closed_network: ProfileNetwork
    closed_snap: ProfileSnap
    closure: ClosureReport


def _same_snaps(pair: OpenNetwork, sites: npt.NDArray[np.int64]) -> bool:
    """Say whether every site sits at the same spot of the same road on both networks."""
    before, after = pair.open_snap.entry[sites], pair.closed_snap.entry[sites]
    if not np.array_equal(before >= 0, after >= 0):
        return False
    valid = before >= 0
    before, after = before[valid], after[valid]
    open_net, closed_net = pair.open_network, pair.closed_network
    same_edge = open_net.csr_edge[before] == pair.closure.kept_edges[closed_net.csr_edge[after]]
    same_way = open_net.csr_reversed[before] == closed_net.csr_reversed[after]
    same_spot = pair.open_snap.fraction[sites][valid] == pair.closed_snap.fraction[sites][valid]
    twins = (pair.open_snap.twin[sites] >= 0) == (pair.closed_snap.twin[sites] >= 0)
    return bool(same_edge.all() and same_way.all() and same_spot.all() and twins.all())


def reuse_open_matrix(open_matrix: SubMatrix, pair: OpenNetwork) -> SubMatrix | None:
    """Return the open network's matrix for the closed network, or None if it may differ."""
    region = open_matrix.region
    sites = open_matrix.sites
    if region.size == 0 or pair.closure.touched_nodes[region].any():
        return None
    if not pair.closed_network.in_network[region].all():
        return None
    if not _same_snaps(pair, sites):
        return None
    snap = pair.closed_snap
    return replace(
        open_matrix,
        entry=snap.entry[sites],
        twin=snap.twin[sites],
        fraction=snap.fraction[sites],
        nodes=snap.node[sites],
    )
