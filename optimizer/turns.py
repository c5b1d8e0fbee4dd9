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
    _, _, cost, hop, start, end = arcs
    rows, cols = arcs[0].copy(), arcs[1].copy()  # rewired below
    at = np.zeros(n_nodes, dtype=bool)
    at[junctions] = True
    arriving = at[cols] & (local_of[full_v[hop]] == cols)
    leaving = at[rows] & (local_of[full_u[hop]] == rows)
    # What stands at a junction (not along one of its roads) is led to from every arriving road.
    standing = np.flatnonzero(at[rows] & ~leaving)
    roads_in = np.unique(hop[arriving])
    roads_out = np.unique(hop[leaving])
    first_out = n_nodes + roads_in.size
    cols[arriving] = n_nodes + np.searchsorted(roads_in, hop[arriving])
    rows[leaving] = first_out + np.searchsorted(roads_out, hop[leaving])
    new = _junction_arcs(
        (rows, cols, cost, hop, start, end),
        standing,
        bans,
        local_of[full_v[roads_in]],
        local_of[full_u[roads_out]],
        (roads_in, roads_out, n_nodes, first_out),
    )
    split: Arcs = (
        np.concatenate([rows, new[0]]),
        np.concatenate([cols, new[1]]),
        np.concatenate([cost, new[2]]),
        np.concatenate([hop, new[3]]),
        np.concatenate([start, new[4]]),
        np.concatenate([end, new[5]]),
    )
    return split, first_out + roads_out.size


def _junction_arcs(
    arcs: Arcs,
    standing: npt.NDArray[np.int64],
    bans: npt.NDArray[np.int64],
    junction_in: npt.NDArray[np.int64],
    junction_out: npt.NDArray[np.int64],
    roads: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int, int],
) -> Arcs:
    """Build the arcs the split adds: to what stands at junctions, allowed turns, ways out.

    ``junction_in``/``junction_out``: the junction of each road in and out; ``roads``: the roads
    in and out (stored entries), the first in-node and the first out-node.
    """
    rows, cols, cost, hop, start, end = arcs
    roads_in, roads_out, first_in, first_out = roads
    # Each arriving road's node leads to what stands at its junction ...
    road, arc = np.nonzero(junction_in[:, None] == rows[standing][None, :])
    arc = standing[arc]
    # ... and, by a turn of no time, to each road out of its junction the rules allow.
    turn_in, turn_out = np.nonzero(junction_in[:, None] == junction_out[None, :])
    pairs = roads_in[turn_in] * (int(hop.max()) + 1) + roads_out[turn_out]
    allowed = ~np.isin(pairs, bans[:, 0] * (int(hop.max()) + 1) + bans[:, 1])
    turn_in, turn_out = turn_in[allowed], turn_out[allowed]
    out = np.arange(roads_out.size)
    zeros = np.zeros(turn_in.size + out.size)
    return (
        np.concatenate([first_in + road, first_in + turn_in, junction_out]).astype(np.int64),
        np.concatenate([cols[arc], first_out + turn_out, first_out + out]).astype(np.int64),
        np.concatenate([cost[arc], zeros]),
        np.concatenate([hop[arc], roads_in[turn_in], roads_out]).astype(np.int64),
        np.concatenate([start[arc], np.ones(turn_in.size), np.zeros(out.size)]),
        np.concatenate([end[arc], np.ones(turn_in.size), np.zeros(out.size)]),
    )
