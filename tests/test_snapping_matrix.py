"""Snapping and matrices on hand-checkable grids (100 m blocks, 10 s per block by car)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from helpers import grid_point, grid_site_matrix, make_grid_graph
from hypothesis import given
from hypothesis import strategies as st

from optimizer.config import GraphConfig
from optimizer.geometry import trace_legs
from optimizer.matrix import UNREACHABLE_S, build_submatrix
from optimizer.partition import SubProblem
from optimizer.profiles import build_profile_network
from optimizer.snapping import entry_endpoints, snap_sites

PROFILES = GraphConfig.model_validate(
    {
        "profiles": {
            "car": {"speed_kph": {"residential": 36}},
            "motorbike": {"speed_kph": {"residential": 36, "path": 18}},
        }
    }
).profiles


def _setup(cells, depot=(0, 0), **grid):
    graph = make_grid_graph(**grid)
    networks = {p: build_profile_network(graph, p, PROFILES[p]) for p in ("car", "motorbike")}
    lats, lons = zip(*(grid_point(*c) for c in cells), strict=True)
    dlat, dlon = grid_point(*depot)
    snapped = snap_sites(graph, networks, lats, lons, [dlat], [dlon], max_snap_m=300.0)
    sub = SubProblem(
        key="k",
        name="k",
        depots=(0,),
        teams=(0,),
        households=tuple(range(len(cells))),
        profiles=("car", "motorbike"),
        pooled=False,
        group_codes=("k",),
        household_group=(0,) * len(cells),
        team_groups=(None,),
    )
    return graph, networks, snapped, sub


def test_snap_to_the_road_not_the_junction() -> None:
    # On the street from node 4 (row 1, col 1) north to node 7, 30 % of the way: no walk.
    # Beside that street: 30 m east of its midpoint. Next to the island: 150 m from node 8.
    _, networks, snapped, _ = _setup([(1.3, 1), (1.5, 1.3), (2, 3.5)], rows=3, cols=3, island=True)
    car = snapped.by_profile["car"]
    u, v = entry_endpoints(networks["car"])
    assert {int(u[car.entry[0]]), int(v[car.entry[0]])} == {4, 7}
    assert car.distance_m[0] == pytest.approx(0.0, abs=0.5)
    assert car.node[0] == 4
    start = int(u[car.entry[0]])
    assert car.fraction[0] == pytest.approx(0.3 if start == 4 else 0.7, abs=0.01)
    assert car.twin[0] >= 0  # a two-way street
    assert {int(u[car.entry[1]]), int(v[car.entry[1]])} == {4, 7}
    assert car.distance_m[1] == pytest.approx(30.0, abs=0.5)
    # The island's own road is 0 m away but cut off: the grid corner (node 8) is used.
    assert car.node[2] == 8
    assert car.distance_m[2] == pytest.approx(150.0, abs=1.0)
    assert car.nearest_road_m[2] == pytest.approx(0.0, abs=0.5)
    assert snapped.depot_site(0) == 3


def test_one_way_street_has_no_twin() -> None:
    _, networks, snapped, _ = _setup([(0, 0.5)], rows=2, cols=2, oneway=[(0, 1)])
    car = snapped.by_profile["car"]
    u, v = entry_endpoints(networks["car"])
    assert (int(u[car.entry[0]]), int(v[car.entry[0]])) == (0, 1)
    assert car.twin[0] == -1


def test_doors_along_one_street_by_hand() -> None:
    # Depot on node 0; doors 30 m and 70 m along the one-way street 0 -> 1 (10 s per block).
    graph, networks, snapped, sub = _setup([(0, 0.3), (0, 0.7)], rows=3, cols=3, oneway=[(0, 1)])
    matrix, _ = build_submatrix(graph, networks["car"], snapped, sub, buffer_m=500)
    assert matrix.time_s[0, 1] == 3  # depot -> 30 m along
    assert matrix.time_s[1, 2] == 4  # straight on along the same street
    # Back against the one-way: on to node 1 (3 s), then 1 -> 4 -> 3 -> 0 (30 s).
    assert matrix.time_s[2, 0] == 33
    assert matrix.time_s[2, 1] == 3 + 30 + 3
    # The length of each fastest path comes out of the same search: 30 m, 40 m, then the
    # detour against the one-way (30 m on, 300 m round the block, 30 m back along).
    assert matrix.distance_m[0, 1] == 30
    assert matrix.distance_m[1, 2] == 40
    assert matrix.distance_m[2, 0] == 30 + 300
    assert matrix.distance_m[2, 1] == 30 + 300 + 30
    (trace,) = trace_legs(graph, networks["car"], matrix, [(1, 2)])
    assert trace.distance_m == pytest.approx(40.0, abs=0.5)
    assert (trace.lats[0], trace.lons[0]) == pytest.approx(grid_point(0, 0.3), abs=1e-6)
    assert (trace.lats[-1], trace.lons[-1]) == pytest.approx(grid_point(0, 0.7), abs=1e-6)


def test_too_far_is_not_snapped() -> None:
    _, _, snapped, _ = _setup([(-5, 0)], rows=3, cols=3)
    assert snapped.by_profile["car"].node[0] == -1
    assert snapped.by_profile["car"].distance_m[0] == pytest.approx(500.0, abs=1.0)


def test_lane_end_snaps_per_profile() -> None:
    # A dead-end lane runs from node 7 (row 2, col 1) to node 9 one block north.
    _, _, snapped, _ = _setup([(3.0, 1.0)], rows=3, cols=3, spurs=[7])
    assert snapped.by_profile["motorbike"].node[0] == 9
    assert snapped.by_profile["motorbike"].distance_m[0] == pytest.approx(0.0, abs=0.5)
    assert snapped.by_profile["car"].node[0] == 7
    assert snapped.by_profile["car"].distance_m[0] == pytest.approx(100.0, abs=0.5)


def test_matrix_by_hand_with_one_way() -> None:
    # Depot on node 0; households on nodes 2, 4, 8 of a 3x3 grid; street 0->1 one-way east.
    graph, networks, snapped, sub = _setup(
        [(0, 2), (1, 1), (2, 2)], rows=3, cols=3, oneway=[(0, 1)]
    )
    matrix, fell_back = build_submatrix(graph, networks["car"], snapped, sub, buffer_m=500)
    assert not fell_back
    expected = np.array(
        [
            # depot  n2  n4  n8
            [0, 20, 20, 40],  # from depot (node 0)
            [40, 0, 20, 20],  # from node 2: back west needs a detour (0<-1 is closed)
            [20, 20, 0, 20],  # from node 4
            [40, 20, 20, 0],  # from node 8
        ]
    )
    np.testing.assert_array_equal(matrix.time_s, expected)


def test_unsnapped_site_is_unreachable() -> None:
    graph, networks, snapped, sub = _setup([(0, 2), (-5, 0)], rows=3, cols=3)
    matrix, _ = build_submatrix(graph, networks["car"], snapped, sub, buffer_m=500)
    assert matrix.time_s[0, 2] == UNREACHABLE_S
    assert matrix.time_s[2, 0] == UNREACHABLE_S
    assert matrix.time_s[2, 2] == 0


def test_small_region_falls_back_to_whole_network() -> None:
    # One-way ring forces the return trip far outside a 0 m box around the two sites.
    oneway = [(0, 1), (1, 2), (2, 5), (5, 8), (8, 7), (7, 6), (6, 3), (3, 0)]
    graph = make_grid_graph(3, 3, oneway=oneway)
    networks = {"car": build_profile_network(graph, "car", PROFILES["car"])}
    matrix, fell_back = grid_site_matrix(graph, networks["car"], [(0, 1)], buffer_m=0)
    assert fell_back
    assert matrix.time_s[0, 1] == 10
    assert matrix.time_s[1, 0] == 30  # 1 -> 4 -> 3 -> 0: through the centre, 3 blocks


def test_trace_legs_follows_roads() -> None:
    graph, networks, snapped, sub = _setup([(2, 2)], rows=3, cols=3)
    matrix, _ = build_submatrix(graph, networks["car"], snapped, sub, buffer_m=500)
    (trace,) = trace_legs(graph, networks["car"], matrix, [(0, 1)])
    assert trace.distance_m == pytest.approx(400.0, abs=1.0)
    assert len(trace.lats) == 5  # 4 blocks: corner to corner along the grid
    assert (trace.lats[0], trace.lons[0]) == pytest.approx(grid_point(0, 0))
    assert (trace.lats[-1], trace.lons[-1]) == pytest.approx(grid_point(2, 2))


@given(
    rows=st.integers(2, 5),
    cols=st.integers(2, 5),
    data=st.data(),
)
def test_matrix_equals_networkx_and_obeys_triangle(
    rows: int, cols: int, data: st.DataObject
) -> None:
    n = rows * cols
    pairs = [(r * cols + c, r * cols + c + 1) for r in range(rows) for c in range(cols - 1)]
    oneway = data.draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True))
    cells = data.draw(
        st.lists(
            st.tuples(st.integers(0, rows - 1), st.integers(0, cols - 1)), min_size=1, max_size=6
        )
    )
    graph, networks, snapped, sub = _setup(cells, rows=rows, cols=cols, oneway=oneway)
    network = networks["car"]
    matrix, _ = build_submatrix(graph, network, snapped, sub, buffer_m=300)
    reference = nx.DiGraph()
    coo = network.csr.tocoo()
    for u, v, w in zip(coo.row, coo.col, coo.data, strict=True):
        reference.add_edge(int(u), int(v), weight=float(w))
    nodes = matrix.nodes
    for i, a in enumerate(nodes):
        for j, b in enumerate(nodes):
            if a < 0 or b < 0 or not network.in_network[a] or not network.in_network[b]:
                continue
            expected = nx.shortest_path_length(reference, int(a), int(b), weight="weight")
            assert matrix.time_s[i, j] == int(np.ceil(expected - 1e-9))
    assert (np.diag(matrix.time_s) == 0).all()
    assert (matrix.time_s >= 0).all()
    t = matrix.time_s
    reachable = t < UNREACHABLE_S
    for k in range(t.shape[0]):
        via = t[:, [k]] + t[[k], :]
        ok = reachable & reachable[:, [k]] & reachable[[k], :]
        # Rounding up each entry can add at most 1 s per extra hop.
        assert (t[ok] <= via[ok] + 1).all()
    assert n >= 4
