"""Turn restrictions in a searched graph: junctions split so that banned turns cannot be made.

A node-based shortest-path search cannot forbid a turn: it only knows where a path is, not
where it came from. So each junction with a turn rule is split, in the graph one matrix search
runs on (region nodes, site nodes and the hops between them, as parallel arrays):

* one node per road arriving at the junction: every hop that ends at the junction along a road
  ends at that road's node instead;
* one node per road leaving it: every hop that starts at the junction along a road starts at
  that road's node instead;
* a zero-time turn from each arriving road to each leaving road, unless the turn is banned;
* the junction itself stays for what stands at it (a door right at the corner): from it every
  road may be taken, and what it led to is led to from every arriving road too.

The rules are the profile network's ``turn_bans`` (pairs of stored entries, from the road
graph's OSM turn restrictions). Graphs without a rule in the searched area are left as they are.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from optimizer.profiles import ProfileNetwork
from optimizer.snapping import entry_endpoints

#: Hops as parallel arrays: from node, to node, cost, stored entry, fraction from, fraction to.
Arcs = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]


def split_turns(
    arcs: Arcs, network: ProfileNetwork, local_of: npt.NDArray[np.int64], n_nodes: int
) -> tuple[Arcs, int]:
    """Split the junctions with a turn rule (see the module notes).

    Parameters
    ----------
    arcs : Arcs
        The searched graph's hops.
    network : ProfileNetwork
        Its profile network (``turn_bans``, and the ends of each stored entry).
    local_of : int64 array
        Network node -> searched-graph node (-1 outside the searched area).
    n_nodes : int
        Nodes of the searched graph so far.

    Returns
    -------
    (Arcs, int)
        The hops of the split graph and its number of nodes (new nodes come after the old).
    """
    bans = network.turn_bans
    if bans.size == 0:
        return arcs, n_nodes
    full_u, full_v = entry_endpoints(network)
    junctions = local_of[np.unique(full_v[bans[:, 0]])]
    junctions = junctions[junctions >= 0]
    if junctions.size == 0:
        return arcs, n_nodes
    rows, cols, cost, hop, start, end = (np.array(a, copy=True) for a in arcs)
    at = np.zeros(n_nodes, dtype=bool)
    at[junctions] = True
    arriving = at[cols] & (local_of[full_v[hop]] == cols)
    leaving = at[rows] & (local_of[full_u[hop]] == rows)
    # What stands at a junction (not along one of its roads) is led to from every arriving road.
    standing = at[rows] & ~leaving
    roads_in = np.unique(hop[arriving])
    roads_out = np.unique(hop[leaving])
    first_out = n_nodes + roads_in.size
    cols[arriving] = n_nodes + np.searchsorted(roads_in, hop[arriving])
    rows[leaving] = first_out + np.searchsorted(roads_out, hop[leaving])
    banned = {(int(a), int(b)) for a, b in bans}
    new: list[tuple[int, int, float, int, float, float]] = []
    for k, road in enumerate(roads_in):
        junction = int(local_of[full_v[road]])
        new += [
            (n_nodes + k, int(cols[i]), float(cost[i]), int(hop[i]), float(start[i]), float(end[i]))
            for i in np.flatnonzero(standing & (rows == junction))
        ]
        new += [
            (n_nodes + k, first_out + j, 0.0, int(road), 1.0, 1.0)
            for j, out in enumerate(roads_out)
            if int(local_of[full_u[out]]) == junction and (int(road), int(out)) not in banned
        ]
    for j, out in enumerate(roads_out):  # from the junction itself, every road out
        new.append((int(local_of[full_u[out]]), first_out + j, 0.0, int(out), 0.0, 0.0))
    extra = np.array(new, dtype=object).T if new else np.empty((6, 0), dtype=object)
    split: Arcs = (
        np.concatenate([rows, extra[0].astype(np.int64)]),
        np.concatenate([cols, extra[1].astype(np.int64)]),
        np.concatenate([cost, extra[2].astype(np.float64)]),
        np.concatenate([hop, extra[3].astype(np.int64)]),
        np.concatenate([start, extra[4].astype(np.float64)]),
        np.concatenate([end, extra[5].astype(np.float64)]),
    )
    return split, first_out + roads_out.size
