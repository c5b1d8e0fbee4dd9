"""Ways open to destination traffic only: reached to serve a door on them, never cut through."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import grid_site_matrix, make_grid_graph

from optimizer.config import GraphConfig
from optimizer.geometry import trace_legs
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import ACCESS_ALL, DESTINATION_MOTORCAR, DESTINATION_MOTORCYCLE, RoadGraph

PROFILES = GraphConfig.model_validate(
    {"profiles": {"car": {"speed_kph": {"residential": 36}}}}  # 100 m in 10 s
).profiles
#: Depot at the south-west corner; A near node 1 on the south street, B near node 4 on the
#: north street, C half-way along the middle street 1-4.
SITES = [(0, 0.75), (1, 0.75), (0.5, 1)]


def _destination_only(graph: RoadGraph, a: int, b: int) -> RoadGraph:
    """The graph with the street between nodes a and b (both ways) destination-only."""
    u, v = graph.edge_u, graph.edge_v  # nodes numbered row-major from 0
    street = ((u == a) & (v == b)) | ((u == b) & (v == a))
    assert int(street.sum()) == 2
    access = np.array(graph.access, copy=True)
    access[street] = ACCESS_ALL | DESTINATION_MOTORCAR | DESTINATION_MOTORCYCLE
    return dataclasses.replace(graph, access=access)


def _grid(destination: bool) -> RoadGraph:
    """Two rows of three nodes (0 1 2 south, 3 4 5 north); street 1-4 destination-only."""
    graph = make_grid_graph(rows=2, cols=3)
    return _destination_only(graph, 1, 4) if destination else graph


def _matrix(destination: bool):  # type: ignore[no-untyped-def]
    graph = _grid(destination)
    network = build_profile_network(graph, "car", PROFILES["car"])
    matrix, _ = grid_site_matrix(graph, network, SITES)
    return graph, network, matrix


def test_a_destination_only_street_is_not_a_shortcut() -> None:
    _, _, open_street = _matrix(destination=False)
    _, _, restricted = _matrix(destination=True)
    a, b, c = 1, 2, 3  # local sites after the depot
    # Open: A -> node 1 (2.5 s) -> node 4 (10 s) -> B (2.5 s).
    assert open_street.time_s[a, b] == open_street.time_s[b, a] == 15
    # Destination only: around by the west street, A -> 0 -> 3 -> B: 7.5 + 10 + 7.5 s.
    assert restricted.time_s[a, b] == restricted.time_s[b, a] == 25
    # A door on the street itself is reached, and left, along it.
    assert restricted.time_s[a, c] == restricted.time_s[c, a] == 8  # 7.5 s, rounded up
    assert restricted.time_s[c, b] == restricted.time_s[b, c] == 8
    # Every other pair is as fast as without the rule or slower, never faster.
    assert np.all(restricted.time_s >= open_street.time_s)


def test_the_drawn_leg_goes_around_the_destination_only_street() -> None:
    graph, network, restricted = _matrix(destination=True)
    (around, into) = trace_legs(graph, network, restricted, [(1, 2), (1, 3)])
    assert around.distance_m == pytest.approx(250.0, abs=1.0)
    assert into.distance_m == pytest.approx(75.0, abs=1.0)


def test_a_door_beyond_a_destination_only_way_is_its_destination() -> None:
    # One street 0-1-2-3; the middle block 1-2 is destination-only, so the block 2-3 is reached
    # only through it: the door there is the way's destination, and the plain path is taken.
    graph = _destination_only(make_grid_graph(rows=1, cols=4), 1, 2)
    network = build_profile_network(graph, "car", PROFILES["car"])
    matrix, fell_back = grid_site_matrix(graph, network, [(0, 0.5), (0, 2.5)])
    assert not fell_back
    assert matrix.time_s[1, 2] == matrix.time_s[2, 1] == 20  # 5 + 10 + 5 s, through 1-2
    (leg,) = trace_legs(graph, network, matrix, [(1, 2)])
    assert leg.distance_m == pytest.approx(200.0, abs=1.0)
