from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from helpers import make_grid_graph

from optimizer.config import GraphConfig
from optimizer.errors import GraphError
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import (
    ACCESS_MOTORCAR,
    ACCESS_MOTORCYCLE,
    access_bits,
    highway_code,
    load_road_graph,
    road_graph_from_networkx,
    road_graph_to_networkx,
    save_road_graph,
    validate_road_graph,
)

PROFILES = GraphConfig.model_validate(
    {
        "profiles": {
            "car": {"speed_kph": {"residential": 36}},
            "motorbike": {"speed_kph": {"residential": 36, "path": 18}},
        }
    }
).profiles


def test_npz_round_trip(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3, oneway=[(0, 1)], lanes=[(7, 8)], island=True)
    path = save_road_graph(graph, tmp_path / "g")
    assert path.suffix == ".npz"
    loaded = load_road_graph(path)
    assert loaded.n_nodes == graph.n_nodes == 11
    assert loaded.n_edges == graph.n_edges
    np.testing.assert_allclose(loaded.lat, graph.lat, atol=1e-7)
    np.testing.assert_array_equal(loaded.edge_u, graph.edge_u)
    np.testing.assert_array_equal(loaded.highway, graph.highway)
    assert loaded.info == graph.info
    assert not loaded.lat.flags.writeable


def test_npz_bytes_are_deterministic(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3)
    first = save_road_graph(graph, tmp_path / "a.npz").read_bytes()
    second = save_road_graph(graph, tmp_path / "b.npz").read_bytes()
    assert first == second


def test_missing_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match=r"does not exist; build the demo network"):
        load_road_graph(tmp_path / "none.npz")


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "roads.shp"
    path.write_text("x")
    with pytest.raises(GraphError, match=r"unknown road-network file type '\.shp'"):
        load_road_graph(path)


def test_damaged_npz(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(GraphError, match=r"cannot read the road network"):
        load_road_graph(path)


def _osmnx_like() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs="epsg:4326")
    graph.add_node(10, x=114.34, y=-8.26)
    graph.add_node(11, x=114.341, y=-8.26)
    graph.add_node(12, x=114.341, y=-8.259)
    graph.add_edge(10, 11, length=110.0, highway="residential", oneway=False)
    graph.add_edge(11, 10, length=110.0, highway="residential", oneway=False)
    graph.add_edge(
        11,
        12,
        length=111.0,
        highway=["path", "footway"],
        oneway=True,
        motor_vehicle="no",
        motorcycle="yes",
    )
    return graph


def test_graphml_import_reads_tags(tmp_path: Path) -> None:
    import osmnx as ox

    path = tmp_path / "small.graphml"
    ox.save_graphml(_osmnx_like(), path)
    graph = load_road_graph(path)
    assert graph.n_nodes == 3
    assert list(graph.node_id) == [10, 11, 12]
    lane = int(np.flatnonzero(graph.highway == highway_code("path"))[0])
    assert graph.oneway[lane]
    assert graph.access[lane] & ACCESS_MOTORCYCLE
    assert not graph.access[lane] & ACCESS_MOTORCAR
    assert not graph.info.synthetic
    assert "OpenStreetMap" in graph.info.attribution


def test_validate_names_broken_edges() -> None:
    graph = _osmnx_like()
    graph.add_edge(12, 10, highway="residential")
    with pytest.raises(GraphError, match=r"edge \(12, 10, 0\) has length None; expected metres"):
        validate_road_graph(graph)
    bare = nx.MultiDiGraph()
    bare.add_node(1)
    with pytest.raises(GraphError, match=r"'crs' is missing.*node 1 lacks numeric 'x'/'y'"):
        validate_road_graph(bare)


def test_networkx_round_trip_keeps_topology() -> None:
    graph = make_grid_graph(3, 3, oneway=[(0, 1)])
    exported = road_graph_to_networkx(graph, speed_profile=PROFILES["car"])
    validate_road_graph(exported)
    assert exported.graph["synthetic"] == "True"
    edge = next(iter(exported.edges(data=True)))[2]
    assert edge["speed_kph"] == 36
    assert edge["travel_time"] == pytest.approx(10.0, abs=0.01)
    back = road_graph_from_networkx(exported, source="test")
    assert back.n_edges == graph.n_edges

    def id_pairs(g):  # compare by OSM id: the import sorts nodes by id
        return sorted(zip(g.node_id[g.edge_u].tolist(), g.node_id[g.edge_v].tolist(), strict=True))

    assert id_pairs(back) == id_pairs(graph)


@pytest.mark.parametrize(
    ("tags", "car", "moto"),
    [
        ({}, True, True),
        ({"access": "no"}, False, False),
        ({"motor_vehicle": "no", "motorcycle": "yes"}, False, True),
        ({"access": "private", "foot": "yes"}, False, False),
        ({"motorcar": "no"}, False, True),
    ],
)
def test_access_tags(tags: dict[str, object], car: bool, moto: bool) -> None:
    bits = access_bits(tags)
    assert bool(bits & ACCESS_MOTORCAR) is car
    assert bool(bits & ACCESS_MOTORCYCLE) is moto


def test_profile_network_rules() -> None:
    # 3x3 grid; lane between 7 and 8; one-way 0 -> 1; an island of two nodes.
    graph = make_grid_graph(3, 3, oneway=[(0, 1)], lanes=[(7, 8)], island=True)
    car = build_profile_network(graph, "car", PROFILES["car"])
    moto = build_profile_network(graph, "motorbike", PROFILES["motorbike"])
    foot = build_profile_network(graph, "foot", PROFILES["foot"])
    # The island is never part of the connected network.
    for network in (car, moto, foot):
        assert not network.in_network[9:].any()
        assert network.touched[9:].all()
    assert car.csr[7, 8] == 0  # no lane for cars
    assert car.csr[8, 7] == 0
    assert moto.csr[7, 8] == pytest.approx(20.0, abs=0.1)  # 100 m at 18 km/h
    assert car.csr[0, 1] == pytest.approx(10.0, abs=0.1)  # 100 m at 36 km/h
    assert car.csr[1, 0] == 0  # one-way
    assert foot.csr[1, 0] == pytest.approx(80.0, abs=0.5)  # foot ignores one-way, 4.5 km/h
    assert car.in_network[:9].all()


def test_profile_with_no_usable_road() -> None:
    graph = make_grid_graph(2, 2, lanes=[(0, 1), (0, 2), (1, 3), (2, 3)])
    with pytest.raises(GraphError, match=r"profile 'car' can use no road"):
        build_profile_network(graph, "car", PROFILES["car"])
