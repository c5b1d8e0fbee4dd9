"""Key figures of a road network, for ``berbagi maps info``: size, road mix, connectivity.

Per default profile it reports the share of nodes in the profile's strongly connected network,
and the km of road usable against the km the profile may use at all, with the dead ends and
cut-off nodes in between. Which edges a profile may use is read from
:attr:`optimizer.profiles.ProfileNetwork.allowed_edges`, the rule's one home.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from optimizer.config import HIGHWAY_CLASSES, PlannerConfig, ProfileConfig
from optimizer.errors import GraphError
from optimizer.profiles import ProfileNetwork, build_profile_network, restricted_access
from optimizer.roadgraph import RoadGraph


def _reach_of_network(
    graph: RoadGraph, network: ProfileNetwork, both_ways: bool
) -> npt.NDArray[np.bool_]:
    """Nodes the profile's network leads to, or that lead into it, on the allowed edges."""
    n = graph.n_nodes
    allowed = network.allowed_edges
    u, v = graph.edge_u[allowed], graph.edge_v[allowed]
    if both_ways:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
    adjacency = csr_matrix((np.ones(u.size), (u, v)), shape=(n, n))
    start = int(np.flatnonzero(network.in_network)[0])
    reach = np.zeros(n, dtype=bool)
    # The network is strongly connected: what one of its nodes reaches, all of them reach.
    reach[breadth_first_order(adjacency, start, directed=True, return_predecessors=False)] = True
    backward = adjacency.T.tocsr()
    reach[breadth_first_order(backward, start, directed=True, return_predecessors=False)] = True
    return reach


def _profile_roads(
    graph: RoadGraph, name: str, profile: ProfileConfig, km: npt.NDArray[np.float64]
) -> tuple[float, dict[str, float | int]]:
    """Share of nodes, usable and total km, dead ends and cut-off nodes of one profile."""
    try:
        network = build_profile_network(graph, name, profile)
    except GraphError:
        # The profile may use no edge of the graph at all.
        empty = {
            "usable_km": 0.0,
            "total_km": 0.0,
            "dead_ends": 0,
            "cut_off_nodes": 0,
            "delivery_km": 0.0,
            "destination_km": 0.0,
        }
        return 0.0, empty
    allowed = network.allowed_edges
    inside = network.in_network
    usable = allowed & inside[graph.edge_u] & inside[graph.edge_v]
    reach = _reach_of_network(graph, network, profile.ignore_oneway)
    delivery, destination = restricted_access(graph.access, profile)
    dropped = network.touched & ~inside
    roads: dict[str, float | int] = {
        "usable_km": round(float(km[usable].sum()), 3),
        "total_km": round(float(km[allowed].sum()), 3),
        "dead_ends": int((dropped & reach).sum()),
        "cut_off_nodes": int((dropped & ~reach).sum()),
        "delivery_km": round(float(km[allowed & delivery].sum()), 3),
        "destination_km": round(float(km[allowed & destination].sum()), 3),
    }
    return round(float(inside.sum()) / max(graph.n_nodes, 1), 4), roads


def describe_road_network(graph: RoadGraph) -> dict[str, object]:
    """Key figures of a road network, for ``berbagi maps info``.

    Parameters
    ----------
    graph : RoadGraph

    Returns
    -------
    dict
        ``name``, ``source``, ``synthetic``, ``licence``, ``attribution``, ``created``,
        ``area``, ``notes`` (from :class:`GraphInfo`); ``nodes``, ``directed_edges``;
        ``road_km`` (a two-way street counted once) and ``highway_km`` (km per class,
        largest first, ``other`` for classes no profile uses); ``oneway_edges``;
        ``weak_components``, ``largest_weak_nodes``, ``strong_components``,
        ``largest_strong_nodes``; ``profile_share`` (share of all nodes in each default
        profile's strongly connected network); ``profile_roads`` (per default profile:
        ``usable_km``, the km of road in its strongly connected network, against
        ``total_km``, the km of road it may use at all; ``dead_ends``, nodes of its roads
        outside that network that can be entered from it but not left back to it, or left
        towards it but not entered from it, mostly one-way streets cut at the edge of an
        extract; ``cut_off_nodes``, nodes of its roads with no way to or from it at all;
        ``delivery_km``, km of its roads open to it for deliveries only; ``destination_km``,
        km open to it only with a destination there); ``turn_bans`` (turns vehicles may not
        make, from the OSM turn restrictions); ``bbox`` (south, west, north, east degrees).
    """
    n = graph.n_nodes
    weight = np.where(graph.oneway, 1.0, 0.5)
    km = graph.length_m * weight / 1000.0
    names = [*HIGHWAY_CLASSES, "other"]
    codes = np.where(graph.highway >= 0, graph.highway, len(HIGHWAY_CLASSES)).astype(np.int64)
    per_class = np.bincount(codes, weights=km, minlength=len(names))
    order = np.argsort(-per_class, kind="stable")
    highway_km = {names[i]: round(float(per_class[i]), 3) for i in order if per_class[i] > 0}
    adjacency = csr_matrix((np.ones(graph.n_edges), (graph.edge_u, graph.edge_v)), shape=(n, n))
    weak_count, weak_labels = connected_components(adjacency, directed=True, connection="weak")
    strong_count, strong_labels = connected_components(
        adjacency, directed=True, connection="strong"
    )
    share: dict[str, float] = {}
    roads: dict[str, dict[str, float | int]] = {}
    for name, profile in PlannerConfig().graph.profiles.items():
        share[name], roads[name] = _profile_roads(graph, name, profile, km)
    info = graph.info
    return {
        "name": info.name,
        "source": info.source,
        "synthetic": info.synthetic,
        "licence": info.licence,
        "attribution": info.attribution,
        "created": info.created,
        "area": info.area,
        "notes": info.notes,
        "nodes": n,
        "directed_edges": graph.n_edges,
        "road_km": round(float(km.sum()), 3),
        "highway_km": highway_km,
        "oneway_edges": int(graph.oneway.sum()),
        "weak_components": int(weak_count) if n else 0,
        "largest_weak_nodes": int(np.bincount(weak_labels).max()) if n else 0,
        "strong_components": int(strong_count) if n else 0,
        "largest_strong_nodes": int(np.bincount(strong_labels).max()) if n else 0,
        "profile_share": share,
        "profile_roads": roads,
        "turn_bans": int(graph.turn_from.size),
        "bbox": {
            "south": round(float(graph.lat.min()), 6) if n else math.nan,
            "west": round(float(graph.lon.min()), 6) if n else math.nan,
            "north": round(float(graph.lat.max()), 6) if n else math.nan,
            "east": round(float(graph.lon.max()), 6) if n else math.nan,
        },
    }
