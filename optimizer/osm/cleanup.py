"""The clean-up both ways in share: keep the roads, clip, keep the largest part, simplify.

The topology is simplified, but never across a change of road class, access, one-way or speed
tag, so a footway cannot hide inside a residential edge (osmnx's default simplification would
merge them and keep one class chosen by set order). The largest weakly connected part is kept;
strong connectivity is handled per profile by
:func:`optimizer.profiles.build_profile_network`.
"""

from __future__ import annotations

import logging
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry import MultiPolygon, Polygon

from optimizer.config import HIGHWAY_CLASSES
from optimizer.errors import GraphError
from optimizer.osm.selection import SPLIT_TAGS, tag_text

logger = logging.getLogger(__name__)


def keep_roads(graph: nx.MultiDiGraph[Any], highways: tuple[str, ...]) -> None:
    """Remove, in place, the edges that are not kept roads and the nodes left without edges."""
    wanted = frozenset(highways)
    drop = [
        (u, v, k)
        for u, v, k, data in graph.edges(keys=True, data=True)
        if tag_text(data.get("highway")) not in wanted or tag_text(data.get("area")) == "yes"
    ]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from(list(nx.isolates(graph)))


def clip_graph(
    graph: nx.MultiDiGraph[Any], polygon: Polygon | MultiPolygon, where: str, source: str
) -> nx.MultiDiGraph[Any]:
    """Keep the part of the graph whose nodes lie inside the (grown) clip polygon."""
    import osmnx as ox

    try:
        clipped: nx.MultiDiGraph[Any] = ox.truncate.truncate_graph_polygon(
            graph, polygon, truncate_by_edge=False
        )
    except ValueError as err:
        raise GraphError(
            f"{source}: no road of it lies inside {where}; use an extract that "
            "covers the area, or clip to an area the extract covers"
        ) from err
    return clipped


def largest_part(graph: nx.MultiDiGraph[Any], source: str) -> nx.MultiDiGraph[Any]:
    """Keep the largest weakly connected part; GraphError when there is no road at all."""
    import osmnx as ox

    if graph.number_of_edges() == 0:
        raise GraphError(
            f"{source}: holds no road the planner can use (highway={'|'.join(HIGHWAY_CLASSES)}); "
            "check that the file is an OpenStreetMap road extract of the right area"
        )
    largest: nx.MultiDiGraph[Any] = ox.truncate.largest_component(graph, strongly=False)
    return largest


def simplify_roads(graph: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Simplify the topology with osmnx, never merging across a change of a split tag."""
    import osmnx as ox

    if str(graph.graph.get("simplified", "")).lower() == "true":
        return graph
    simple: nx.MultiDiGraph[Any] = ox.simplification.simplify_graph(
        graph, edge_attrs_differ=list(SPLIT_TAGS)
    )
    return simple


def integer_node_ids(graph: nx.MultiDiGraph[Any]) -> nx.MultiDiGraph[Any]:
    """Relabel non-integer node ids (e.g. of consolidated osmnx graphs) to -1, -2, ..."""
    if all(isinstance(n, int | np.integer) for n in graph.nodes):
        return graph
    logger.info("node ids are not all OSM integers; numbering them -1, -2, ...")
    ordered = sorted(graph.nodes, key=str)
    mapping = {node: -(i + 1) for i, node in enumerate(ordered)}
    relabelled: nx.MultiDiGraph[Any] = nx.relabel_nodes(graph, mapping, copy=True)
    return relabelled
