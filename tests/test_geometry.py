"""The geometry stage: streets drawn from a hand-made graph, and legs traced along the roads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import GOOD
from helpers import grid_point, grid_site_matrix, make_grid_graph

from optimizer.config import GraphConfig
from optimizer.geometry import (
    RANK_LANE,
    RANK_LOCAL,
    RANK_MAIN,
    Bounds,
    RouteGeometry,
    Streets,
    build_streets,
    load_streets,
    route_sequence,
    save_streets,
    trace_legs,
    trace_routes,
)
from optimizer.matrix import build_matrices, find_site_paths
from optimizer.partition import build_partition
from optimizer.plan import Plan
from optimizer.problem import Problem, build_problem
from optimizer.profiles import ProfileNetwork, build_profile_network
from optimizer.roadgraph import ACCESS_ALL, GraphInfo, RoadGraph, highway_code, load_road_graph
from optimizer.scenario import load_scenario
from optimizer.snapping import snap_sites
from optimizer.solver import Assignment, solve_routes
from optimizer.task import RELOAD
from optimizer.units import haversine_m

# Five junctions (lat, lon): A, B, C, D a square of about 220 m; E far to the north-east.
A = (-8.2600, 114.3400)
B = (-8.2600, 114.3420)
C = (-8.2580, 114.3420)
D = (-8.2580, 114.3400)
E = (-8.2000, 114.4000)
#: Two shape points along A-B (bending south), in order from A to B.
BEND = [(-8.2601, 114.3405), (-8.2602, 114.3415)]


def _hand_graph() -> RoadGraph:
    """A residential A-B with a bend (both ways), a one-way primary C->B (from the higher
    node to the lower), a path C-D (both ways), an unusable way D-A (both ways) and a tertiary
    D-E (both ways)."""
    nodes = [A, B, C, D, E]
    # (u, v, highway, one-way, shape points from u to v)
    edges: list[tuple[int, int, str | None, bool, list[tuple[float, float]]]] = [
        (0, 1, "residential", False, BEND),
        (1, 0, "residential", False, BEND[::-1]),
        (2, 1, "primary", True, []),
        (2, 3, "path", False, []),
        (3, 2, "path", False, []),
        (3, 0, None, False, []),
        (0, 3, None, False, []),
        (3, 4, "tertiary", False, []),
        (4, 3, "tertiary", False, []),
    ]
    offsets = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum([len(shape) for *_, shape in edges], out=offsets[1:])
    shape_points = [point for *_, shape in edges for point in shape]
    lat = np.array([n[0] for n in nodes])
    lon = np.array([n[1] for n in nodes])
    u = np.array([e[0] for e in edges], dtype=np.int32)
    v = np.array([e[1] for e in edges], dtype=np.int32)
    return RoadGraph(
        node_id=np.arange(1, len(nodes) + 1, dtype=np.int64),
        lat=lat,
        lon=lon,
        edge_u=u,
        edge_v=v,
        length_m=np.round(haversine_m(lat[u], lon[u], lat[v], lon[v]), 1),
        highway=np.array([highway_code(e[2]) if e[2] else -1 for e in edges], dtype=np.int8),
        oneway=np.array([e[3] for e in edges], dtype=bool),
        maxspeed_kph=np.full(len(edges), np.nan, dtype=np.float32),
        access=np.full(len(edges), ACCESS_ALL, dtype=np.uint8),
        geom_offsets=offsets,
        geom_lat=np.array([p[0] for p in shape_points]),
        geom_lon=np.array([p[1] for p in shape_points]),
        info=GraphInfo(
            name="hand",
            source="tests",
            synthetic=False,
            licence="ODbL-1.0",
            attribution="© OpenStreetMap contributors",
            created="test",
            area="test",
        ),
    )


def _lines(streets: Streets) -> list[list[tuple[float, float]]]:
    return [
        [(float(la), float(lo)) for la, lo in zip(*streets.line(i), strict=True)]
        for i in range(streets.n_lines)
    ]


# ----------------------------------------------------------------------------- streets


def test_one_line_per_segment_with_its_shape_and_rank() -> None:
    streets = build_streets(_hand_graph())
    # A-B once (not once per direction), with its bend in order; the one-way C->B kept even
    # though it runs from the higher node to the lower; C-D once; D-A left out (no profile
    # uses it); D-E once.
    assert _lines(streets) == [[A, *BEND, B], [C, B], [C, D], [D, E]]
    assert streets.rank.tolist() == [RANK_LOCAL, RANK_MAIN, RANK_LANE, RANK_MAIN]
    assert streets.offsets.tolist() == [0, 4, 6, 8, 10]
    assert not streets.synthetic
    assert streets.attribution == "© OpenStreetMap contributors"


def test_streets_are_read_only_values() -> None:
    streets = build_streets(_hand_graph())
    with pytest.raises(ValueError, match="read-only"):
        streets.lat[0] = 0.0
    assert streets == build_streets(_hand_graph())
    other = Streets(
        offsets=streets.offsets,
        lat=streets.lat,
        lon=streets.lon,
        rank=streets.rank.astype(np.int64),
        synthetic=streets.synthetic,
        attribution=streets.attribution,
    )
    assert streets != other  # same numbers, another dtype


def test_within_keeps_lines_with_a_point_in_the_box() -> None:
    streets = build_streets(_hand_graph())
    near_e = streets.within(E[0] - 0.001, E[1] - 0.001, E[0] + 0.001, E[1] + 0.001)
    assert _lines(near_e) == [[D, E]]
    # An inner shape point alone is enough: the box holds the bend, not A or B.
    bend = streets.within(-8.26025, 114.3410, -8.26015, 114.3418)
    assert _lines(bend) == [[A, *BEND, B]]
    assert bend.rank.tolist() == [RANK_LOCAL]
    empty = streets.within(0.0, 0.0, 1.0, 1.0)
    assert empty.n_lines == 0
    assert empty.offsets.tolist() == [0]
    box = Bounds(south=A[0], west=A[1], north=C[0], east=C[1])
    assert streets.within_bounds(box) == streets.within(A[0], A[1], C[0], C[1])
    assert streets.within_bounds(box).n_lines == 4  # D-E has D inside


def test_bounds_grow_by_at_least_the_margin() -> None:
    box = Bounds.around([A[0], C[0]], [A[1], C[1]])
    assert box == Bounds(south=A[0], west=A[1], north=C[0], east=C[1])
    grown = box.grown(2000.0)
    north = haversine_m(box.north, box.east, grown.north, box.east)
    east = haversine_m(grown.north, box.east, grown.north, grown.east)
    assert float(north) == pytest.approx(2000.0, rel=1e-6)
    assert 2000.0 <= float(east) <= 2001.0
    with pytest.raises(ValueError, match="no points"):
        Bounds.around([], [])


def test_save_and_load_give_the_same_streets_and_the_same_bytes(tmp_path: Path) -> None:
    streets = build_streets(_hand_graph())
    first = save_streets(streets, tmp_path / "a" / "streets.npz")
    second = save_streets(load_streets(first), tmp_path / "b" / "streets.npz")
    assert load_streets(first) == streets
    assert first.read_bytes() == second.read_bytes()
    empty = streets.within(0.0, 0.0, 1.0, 1.0)
    assert load_streets(save_streets(empty, tmp_path / "empty.npz")) == empty


# ----------------------------------------------------------------------------- legs

PROFILES = GraphConfig.model_validate(
    {"profiles": {"car": {"speed_kph": {"residential": 36}}}}
).profiles


def _grid_matrix(cells: list[tuple[float, float]], **grid: object):
    graph = make_grid_graph(**grid)  # type: ignore[arg-type]
    network = build_profile_network(graph, "car", PROFILES["car"])
    matrix, _ = grid_site_matrix(graph, network, cells)
    return graph, network, matrix


def test_legs_follow_the_roads_and_the_one_way_rule() -> None:
    # Depot on node 0; doors 30 m and 70 m along the one-way street 0 -> 1 (3x3 grid).
    graph, network, matrix = _grid_matrix([(0, 0.3), (0, 0.7)], rows=3, cols=3, oneway=[(0, 1)])
    forward, back = trace_legs(graph, network, matrix, [(1, 2), (2, 1)])
    assert forward.distance_m == pytest.approx(40.0, abs=0.5)
    assert len(forward.lats) == 2  # straight on along the street
    # Back against the one-way: on to node 1, round the block 1 -> 4 -> 3 -> 0, then 30 m.
    assert back.distance_m == pytest.approx(30.0 + 300.0 + 30.0, abs=1.0)
    assert (back.lats[0], back.lons[0]) == pytest.approx(grid_point(0, 0.7), abs=1e-6)
    corners = [grid_point(0, 1), grid_point(1, 1), grid_point(1, 0), grid_point(0, 0)]
    assert back.lats[1:-1] == pytest.approx([c[0] for c in corners])
    assert back.lons[1:-1] == pytest.approx([c[1] for c in corners])
    assert (back.lats[-1], back.lons[-1]) == pytest.approx(grid_point(0, 0.3), abs=1e-6)
    assert trace_legs(graph, network, matrix, []) == []


def test_two_doors_at_one_spot_give_a_point() -> None:
    graph, network, matrix = _grid_matrix([(1, 0.5), (1, 0.5)], rows=3, cols=3)
    (leg,) = trace_legs(graph, network, matrix, [(1, 2)])
    assert leg.distance_m == 0.0
    lat, lon = grid_point(1, 0.5)
    assert leg.lats == pytest.approx((lat,))
    assert leg.lons == pytest.approx((lon,))


def test_a_door_with_no_road_has_no_path() -> None:
    graph, network, matrix = _grid_matrix([(0, 2), (-5, 0)], rows=3, cols=3)
    paths = find_site_paths(graph, network, matrix, [(0, 1), (0, 2)])
    assert [hop.entry >= 0 for hop in paths.hops(0, 1)] == [True, True]  # two blocks east
    with pytest.raises(ValueError, match="no path between local sites 0 and 2"):
        paths.hops(0, 2)


# ----------------------------------------------------------------------------- the stage


@pytest.fixture(scope="module")
def tiny_stages() -> tuple[RoadGraph, dict[str, ProfileNetwork], object, Problem, Assignment]:
    """The tiny scenario's stages up to solving, as the API runs them."""
    scenario = load_scenario(GOOD / "tiny.toml")
    config = scenario.config
    graph = load_road_graph(Path(scenario.road_network))
    profiles = sorted({scenario.vehicles[t.vehicle].profile for t in scenario.teams})
    networks = {p: build_profile_network(graph, p, config.graph.profiles[p]) for p in profiles}
    snapped = snap_sites(
        graph,
        networks,
        [h.lat for h in scenario.households],
        [h.lon for h in scenario.households],
        [d.lat for d in scenario.depots],
        [d.lon for d in scenario.depots],
        max_snap_m=config.graph.max_snap_m,
    )
    partition = build_partition(scenario)
    matrices = build_matrices(
        graph, networks, snapped, partition, buffer_m=config.graph.matrix_buffer_m
    )
    problem = build_problem(
        scenario, snapped, partition, matrices, walk_speed_kph=config.graph.walk_speed_kph
    )
    return graph, networks, matrices, problem, solve_routes(problem.tasks, config.solver)


def test_trace_routes_gives_the_legs_of_the_plan(tiny_stages, tiny_plan: Plan) -> None:
    graph, networks, matrices, problem, assignment = tiny_stages
    geometry = trace_routes(graph, networks, matrices, problem, assignment)
    assert isinstance(geometry, RouteGeometry)
    assert len(geometry.legs) == len(tiny_plan.routes)
    tasks = {task.key: task for task in problem.tasks}
    results = {result.key: result for result in assignment.results}
    for (key, vehicle), route in zip(geometry.legs, tiny_plan.routes, strict=True):
        legs = geometry.of_route(key, vehicle)
        nodes = results[key].routes[vehicle]
        assert len(legs) == len(route_sequence(tasks[key], vehicle, nodes)) - 1
        assert [(t.lats, t.lons) for t in legs] == [(g.path.lats, g.path.lons) for g in route.legs]
        assert [t.distance_m for t in legs] == [g.distance_m for g in route.legs]


def test_trace_routes_is_the_same_on_two_workers(tiny_stages) -> None:
    graph, networks, matrices, problem, assignment = tiny_stages
    done: list[tuple[int, int]] = []
    one = trace_routes(graph, networks, matrices, problem, assignment)
    two = trace_routes(
        graph,
        networks,
        matrices,
        problem,
        assignment,
        workers=2,
        progress=lambda d, t: done.append((d, t)),
    )
    assert one == two
    assert done
    assert done[-1][0] == done[-1][1]


def test_route_sequence_turns_reloads_into_depot_visits(tiny_stages) -> None:
    _, _, _, problem, _ = tiny_stages
    task = problem.tasks[0]
    depot = task.vehicles[0].depot_node
    assert route_sequence(task, 0, (3, 4, RELOAD, 5)) == [depot, 3, 4, depot, 5, depot]
    assert route_sequence(task, 0, ()) == [depot, depot]
