"""Turn restrictions: a banned turn is never made, in travel times and in the drawn legs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from helpers import grid_site_matrix, make_grid_graph

from optimizer.config import GraphConfig
from optimizer.geometry import trace_legs
from optimizer.osm import describe_road_network, import_road_network
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import RoadGraph, load_road_graph, save_road_graph

PROFILES = GraphConfig.model_validate(
    {"profiles": {"car": {"speed_kph": {"residential": 36}}, "foot": {}}}
).profiles  # cars: 100 m in 10 s
#: A half-way along the south street 0-1, B half-way up the street 1-4, C half-way along the
#: north street 4-5; the depot at node 5. (A door half-way along 1-2 would let the car turn
#: round at it, a fair way to make the turn.)
SITES = [(0, 0.5), (0.5, 1), (1, 1.5)]


def _edge(graph: RoadGraph, u: int, v: int) -> int:
    (found,) = np.flatnonzero((graph.edge_u == u) & (graph.edge_v == v))
    return int(found)


def _grid(banned: bool) -> RoadGraph:
    """Two rows of three nodes (0 1 2 south, 3 4 5 north); at node 1, no left turn 0->1->4."""
    graph = make_grid_graph(rows=2, cols=3)
    if not banned:
        return graph
    return dataclasses.replace(
        graph,
        turn_from=np.array([_edge(graph, 0, 1)], dtype=np.int64),
        turn_to=np.array([_edge(graph, 1, 4)], dtype=np.int64),
    )


def _matrix(banned: bool, profile: str = "car"):  # type: ignore[no-untyped-def]
    graph = _grid(banned)
    network = build_profile_network(graph, profile, PROFILES[profile])
    matrix, _ = grid_site_matrix(graph, network, SITES, depot=(1, 2))
    return graph, network, matrix


def test_a_no_left_turn_makes_the_car_go_around() -> None:
    _, _, free = _matrix(banned=False)
    _, _, ruled = _matrix(banned=True)
    a, b, c = 1, 2, 3  # local sites after the depot
    assert free.time_s[a, b] == 10  # A -> node 1, left, up to B
    # Banned: back west to 0, north to 3, east to 4, down to B: 5 + 10 + 10 + 5 s.
    assert ruled.time_s[a, b] == 30
    assert ruled.time_s[b, a] == free.time_s[b, a] == 10  # the other way is a right turn
    assert free.time_s[a, c] == 20  # A -> 1 -> 4 -> C
    assert ruled.time_s[a, c] == 30  # around, either way
    assert ruled.time_s[a, 0] == free.time_s[a, 0] == 25  # straight on at 1 is allowed
    assert np.all(ruled.time_s >= free.time_s)


def test_the_drawn_leg_keeps_the_turn_rule() -> None:
    graph, network, ruled = _matrix(banned=True)
    (around,) = trace_legs(graph, network, ruled, [(1, 2)])
    assert around.distance_m == pytest.approx(300.0, abs=1.0)


def test_a_street_only_a_banned_turn_leads_into_is_left_out() -> None:
    # Street 1 -> 4 made one-way north: cars enter it only at node 1, coming from 0 or from 2.
    # Ban both turns and no car can reach it, though the plain network keeps it (node 1 and
    # node 4 are both on two-way streets): the car's network leaves it out.
    graph = make_grid_graph(rows=2, cols=3, oneway=[(1, 4)])
    into = _edge(graph, 1, 4)
    came = [_edge(graph, 0, 1), _edge(graph, 2, 1)]
    banned = dataclasses.replace(
        graph,
        turn_from=np.array(came, dtype=np.int64),
        turn_to=np.array([into, into], dtype=np.int64),
    )
    plain = build_profile_network(graph, "car", PROFILES["car"])
    ruled = build_profile_network(banned, "car", PROFILES["car"])
    assert into in plain.csr_edge.tolist()
    assert into not in ruled.csr_edge.tolist()
    assert ruled.turn_bans.size == 0  # the bans led only into the street left out
    # A door on that street is still served, by car from the street beside it.
    matrix, _ = grid_site_matrix(banned, ruled, [(0.5, 1)], depot=(0, 0))
    assert matrix.time_s[0, 1] < 10_000
    assert matrix.time_s[1, 0] < 10_000


def test_people_on_foot_ignore_turn_rules() -> None:
    _, network, ruled = _matrix(banned=True, profile="foot")
    assert network.turn_bans.size == 0
    _, _, free = _matrix(banned=False, profile="foot")
    np.testing.assert_array_equal(ruled.time_s, free.time_s)


def _osm(restriction: str, tmp_path: Path) -> Path:
    """Two streets of three nodes (1 2 3 south, 4 5 6 north) joined by 2-5; ways end at 2."""
    nodes = "".join(
        f'<node id="{i}" lat="{-8.2 + row * 0.0009:.4f}" lon="{114.3 + col * 0.0009:.4f}"/>'
        for i, (row, col) in enumerate([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)], start=1)
    )
    ways = {110: (1, 2), 111: (2, 3), 101: (4, 5, 6), 103: (2, 5)}
    text = "".join(
        f'<way id="{w}">'
        + "".join(f'<nd ref="{n}"/>' for n in nds)
        + '<tag k="highway" v="residential"/></way>'
        for w, nds in ways.items()
    )
    path = tmp_path / "junction.osm"
    path.write_text(
        f'<?xml version="1.0"?><osm version="0.6">{nodes}{text}{restriction}</osm>',
        encoding="utf-8",
    )
    return path


def _relation(
    value: str, to_way: int, via: str = '<member type="node" ref="2" role="via"/>'
) -> str:
    return (
        '<relation id="900"><member type="way" ref="110" role="from"/>'
        f'{via}<member type="way" ref="{to_way}" role="to"/>'
        f'<tag k="type" v="restriction"/><tag k="restriction" v="{value}"/></relation>'
    )


def _turn_nodes(graph: RoadGraph) -> set[tuple[int, int, int, int]]:
    ids = graph.node_id
    return {
        (
            int(ids[graph.edge_u[a]]),
            int(ids[graph.edge_v[a]]),
            int(ids[graph.edge_u[b]]),
            int(ids[graph.edge_v[b]]),
        )
        for a, b in zip(graph.turn_from, graph.turn_to, strict=True)
    }


def test_an_imported_no_left_turn_bans_that_turn(tmp_path: Path) -> None:
    graph = import_road_network(_osm(_relation("no_left_turn", 103), tmp_path))
    assert _turn_nodes(graph) == {(1, 2, 2, 5)}
    assert "1 turn restriction(s), 1 used (1 banned turns)" in graph.info.notes
    saved = load_road_graph(save_road_graph(graph, tmp_path / "junction.npz"))
    assert _turn_nodes(saved) == {(1, 2, 2, 5)}
    assert describe_road_network(saved)["turn_bans"] == 1


def test_an_only_straight_on_bans_every_other_way_out(tmp_path: Path) -> None:
    graph = import_road_network(_osm(_relation("only_straight_on", 111), tmp_path))
    assert _turn_nodes(graph) == {(1, 2, 2, 5), (1, 2, 2, 1)}


def test_a_restriction_via_a_way_is_counted_but_not_used(tmp_path: Path) -> None:
    via_way = '<member type="way" ref="103" role="via"/>'
    graph = import_road_network(_osm(_relation("no_u_turn", 101, via_way), tmp_path))
    assert graph.turn_from.size == 0
    assert "1 turn restriction(s), 0 used" in graph.info.notes
