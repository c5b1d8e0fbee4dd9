"""Vehicle profiles on a road graph: the roads a profile may use, timed -> ProfileNetwork.

Travel times are not stored in the road graph: they depend on the vehicle, so
:func:`build_profile_network` derives them per profile and keeps only the largest strongly
connected component of the ways that profile may use (a weakly connected component still has
one-way traps).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from optimizer.config import HIGHWAY_CLASSES, ProfileConfig
from optimizer.errors import GraphError
from optimizer.roadgraph import (
    ACCESS_BIT,
    DELIVERY_BIT,
    DESTINATION_BIT,
    HIGHWAY_CODE,
    RoadGraph,
    readonly,
)

logger = logging.getLogger(__name__)


def usable_access(access: npt.NDArray[np.uint8], profile: ProfileConfig) -> npt.NDArray[np.bool_]:
    """Edges whose access tags let a profile's traffic on (deliveries too, if it delivers)."""
    bits = ACCESS_BIT[profile.access_tag]
    if profile.delivery:
        bits |= DELIVERY_BIT[profile.access_tag]
    usable: npt.NDArray[np.bool_] = (access & bits) > 0
    return usable


def restricted_access(
    access: npt.NDArray[np.uint8], profile: ProfileConfig
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Edges open to a profile's traffic for deliveries only, and with a destination only."""
    delivery = (access & DELIVERY_BIT[profile.access_tag]) > 0
    destination_bit = DESTINATION_BIT.get(profile.access_tag, 0)
    destination = (access & destination_bit) > 0 if destination_bit else np.zeros_like(delivery)
    return delivery, destination


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ProfileNetwork:
    """The part of a road graph one vehicle profile can use, with its travel times.

    Attributes
    ----------
    profile : str
        Profile name (``car``, ``motorbike``, ...).
    csr : scipy.sparse.csr_matrix
        n x n matrix of edge travel times in seconds (fastest edge per node pair), holding only
        edges between nodes of the largest strongly connected component.
    csr_edge : int64 array
        For each stored entry of ``csr``, the RoadGraph edge it comes from.
    csr_reversed : bool array
        True where the entry runs the edge against its drawing direction (foot on one-ways).
    in_network : bool array (n,)
        Nodes of the largest strongly connected component.
    touched : bool array (n,)
        Nodes with at least one edge this profile may use (in the component or not).
    allowed_edges : bool array (n_edges,)
        RoadGraph edges this profile may use, in the component or not: an open highway class
        (a speed in ``speed_kph``, not ``closed``), no tagged maxspeed of 0 or less, and the
        profile's traffic allowed by the access tags (:func:`usable_access`). The one place
        this rule is written (``berbagi maps info`` reads it).
    destination_only : bool array, one per stored entry of ``csr``
        The entry's way is open to this profile only with a destination there (OSM
        ``destination``/``customers``): a path may drive it to reach a door on it or to leave
        one, never through (:mod:`optimizer.searchgraph`).
    turn_bans : int64 array (k, 2)
        Pairs of stored entries ``(in, out)``: arriving along ``in``, the profile may not leave
        along ``out`` (the graph's turn restrictions, for vehicles; empty on foot).
    """

    profile: str
    csr: csr_matrix = field(repr=False)
    csr_edge: npt.NDArray[np.int64] = field(repr=False)
    csr_reversed: npt.NDArray[np.bool_] = field(repr=False)
    in_network: npt.NDArray[np.bool_] = field(repr=False)
    touched: npt.NDArray[np.bool_] = field(repr=False)
    allowed_edges: npt.NDArray[np.bool_] = field(repr=False)
    destination_only: npt.NDArray[np.bool_] = field(repr=False)
    turn_bans: npt.NDArray[np.int64] = field(repr=False)


def _turn_bans(
    graph: RoadGraph, edges: npt.NDArray[np.int64], on_foot: bool
) -> npt.NDArray[np.int64]:
    """Translate the graph's turn restrictions into pairs of a profile's stored entries."""
    if on_foot or graph.turn_from.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    entry_of_edge = np.full(graph.n_edges, -1, dtype=np.int64)
    entry_of_edge[edges] = np.arange(edges.size)
    pairs = np.column_stack([entry_of_edge[graph.turn_from], entry_of_edge[graph.turn_to]])
    kept: npt.NDArray[np.int64] = pairs[(pairs >= 0).all(axis=1)]
    return kept


def _speeds(graph: RoadGraph, profile: ProfileConfig) -> npt.NDArray[np.float64]:
    """Return each edge's speed for a profile (km/h; 0 where its class is closed to it)."""
    speeds = np.zeros(len(HIGHWAY_CLASSES), dtype=np.float64)
    for cls, kph in profile.open_speeds().items():
        speeds[HIGHWAY_CODE[cls]] = kph
    code = graph.highway.astype(np.int64)
    speed = np.where(code >= 0, speeds[np.clip(code, 0, None)], 0.0)
    return np.where(np.isfinite(graph.maxspeed_kph), np.minimum(speed, graph.maxspeed_kph), speed)


#: The entries of a profile network being built: start node, end node, seconds, graph edge and
#: whether the entry runs its edge backwards, one array each.
_Entries = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
]


def _entries(
    graph: RoadGraph, edges: npt.NDArray[np.int64], speed: npt.NDArray[np.float64], both: bool
) -> _Entries:
    """Return the directed entries of the allowed edges, sorted by start then end node.

    One-way edges run both ways if ``both``; of parallel entries the fastest is kept.
    """
    u = graph.edge_u[edges].astype(np.int64)
    v = graph.edge_v[edges].astype(np.int64)
    time_s = graph.length_m[edges] / (speed[edges] / 3.6)
    reversed_flag = np.zeros(edges.size, dtype=bool)
    if both:
        one = graph.oneway[edges]
        edges = np.concatenate([edges, edges[one]])
        u, v = np.concatenate([u, v[one]]), np.concatenate([v, u[one]])
        time_s = np.concatenate([time_s, time_s[one]])
        reversed_flag = np.concatenate([reversed_flag, np.ones(int(one.sum()), dtype=bool)])
    # Keep the fastest edge per (u, v): sort by pair then time, take the first of each pair.
    order = np.lexsort((edges, time_s, v, u))
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[order][1:] != u[order][:-1]) | (v[order][1:] != v[order][:-1])
    kept = order[first]
    return u[kept], v[kept], time_s[kept], edges[kept], reversed_flag[kept]


def _select(entries: _Entries, keep: npt.NDArray[np.bool_]) -> _Entries:
    u, v, time_s, edges, reversed_flag = entries
    return u[keep], v[keep], time_s[keep], edges[keep], reversed_flag[keep]


def _largest_part(
    n: int, u: npt.NDArray[np.int64], v: npt.NDArray[np.int64], touched: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Mark the nodes of the largest strongly connected part of the entries u -> v."""
    full = csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    _, labels = connected_components(full, directed=True, connection="strong")
    sizes = np.bincount(labels[touched])
    in_part: npt.NDArray[np.bool_] = labels == int(np.argmax(sizes))
    return in_part


def _turnable(graph: RoadGraph, entries: _Entries) -> npt.NDArray[np.bool_]:
    """Mark the entries a vehicle can both reach and leave under the turn restrictions.

    The largest strongly connected part of the graph whose nodes are the entries and whose arcs
    are the turns allowed at their end node (any turn where no rule says otherwise, U-turns
    included). A rule can cut a road off that the plain network keeps: a one-way street whose
    only way in is a banned turn. Doors are then placed on roads a vehicle can use.
    """
    u, v, _, edges, _ = entries
    n_entries = u.size
    indptr = np.searchsorted(u, np.arange(graph.n_nodes + 1))
    counts = indptr[v + 1] - indptr[v]
    rows = np.repeat(np.arange(n_entries), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    cols = np.repeat(indptr[v], counts) + offsets
    bans = _turn_bans(graph, edges, on_foot=False)
    allowed = ~np.isin(rows * n_entries + cols, bans[:, 0] * n_entries + bans[:, 1])
    turns = csr_matrix(
        (np.ones(int(allowed.sum())), (rows[allowed], cols[allowed])), shape=(n_entries,) * 2
    )
    _, labels = connected_components(turns, directed=True, connection="strong")
    turnable: npt.NDArray[np.bool_] = labels == int(np.argmax(np.bincount(labels)))
    return turnable


def build_profile_network(graph: RoadGraph, name: str, profile: ProfileConfig) -> ProfileNetwork:
    """Select the edges a profile may use, time them, and keep the largest strongly connected part.

    Parameters
    ----------
    graph : RoadGraph
    name : str
        Profile name, recorded in the result.
    profile : ProfileConfig
        Allowed highway classes with their speeds, access tag and one-way rule.

    Returns
    -------
    ProfileNetwork

    Raises
    ------
    GraphError
        If the profile can use no edge of the graph at all.

    Notes
    -----
    Edge time is ``length_m / speed`` with speed the profile's speed for the class, capped by a
    tagged maxspeed; it stays a float here and is rounded up once per matrix entry. Under turn
    restrictions (vehicles only), the part kept is the one a vehicle can reach and leave by the
    allowed turns (:func:`_turnable`).
    """
    speed = _speeds(graph, profile)
    allowed = (speed > 0) & usable_access(graph.access, profile)
    edges = np.flatnonzero(allowed)
    if edges.size == 0:
        raise GraphError(
            f"profile '{name}' can use no road of network '{graph.info.name}'; "
            "check its speed_kph classes against the network's highway tags"
        )
    n = graph.n_nodes
    entries = _entries(graph, edges, speed, profile.ignore_oneway)
    touched = np.zeros(n, dtype=bool)
    touched[entries[0]] = True
    touched[entries[1]] = True
    in_network = _largest_part(n, entries[0], entries[1], touched)
    entries = _select(entries, in_network[entries[0]] & in_network[entries[1]])
    on_foot = profile.access_tag == "foot"
    if not on_foot and graph.turn_from.size:
        entries = _select(entries, _turnable(graph, entries))
        in_network = np.zeros(n, dtype=bool)
        in_network[entries[0]] = True
        in_network[entries[1]] = True
    u, v, time_s, edges, reversed_flag = entries
    # Entries are sorted by (u, v) already, so CSR data order equals our order.
    # A zero-length edge would vanish from a sparse matrix; give it a tiny positive time.
    csr = csr_matrix((np.maximum(time_s, 1e-6), (u, v)), shape=(n, n))
    csr.sort_indices()
    logger.info(
        "profile %s: %d of %d nodes in the largest strongly connected part",
        name,
        int(in_network.sum()),
        int(touched.sum()),
    )
    return ProfileNetwork(
        profile=name,
        csr=csr,
        csr_edge=readonly(edges),
        csr_reversed=readonly(reversed_flag),
        in_network=readonly(in_network),
        touched=readonly(touched),
        allowed_edges=readonly(allowed),
        destination_only=readonly(restricted_access(graph.access, profile)[1][edges]),
        turn_bans=readonly(_turn_bans(graph, edges, on_foot)),
    )
