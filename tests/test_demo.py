"""The synthetic demo network and population: shape, land, connectivity, files, determinism."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from optimizer.areas import Boundaries, load_boundaries
from optimizer.config import PlannerConfig
from optimizer.demo.network import build_demo_network, build_demo_network_for
from optimizer.demo.population import (
    BROKEN_ROW_COUNTS,
    SHIPPED_BROKEN_ROWS,
    DemoPopulation,
    build_demo_population,
    write_demo_population,
)
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import (
    ACCESS_FOOT,
    ACCESS_MOTORCAR,
    ACCESS_MOTORCYCLE,
    ARRAY_FIELDS,
    RoadGraph,
    highway_code,
    save_road_graph,
)
from optimizer.units import haversine_m, local_xy_m

#: Kecamatan Banyuwangi: the capital's 18 kelurahan, small and dense, quick to build.
KECAMATAN = "35.10.16"
DESIL1 = 1_200
OTHER = 200
#: The land polygon may be missed by this much (about 50 m) at the generalised coastline.
LAND_TOLERANCE_DEG = 0.00045
PROJECT = Path(__file__).resolve().parents[1]
SHIPPED = PROJECT / "scenarios" / "data" / "banyuwangi" / "households.csv"
HOUSEHOLD_HEADER = (
    "household_id,head_name,address,dusun,rt,rw,desa_code,desa_name,kecamatan,lat,lon,desil,"
    "packages,window_start,window_end,priority,notes,data_origin"
)
DEPOT_HEADER = "depot_id,name,desa_code,lat,lon,location_quality,data_origin"
TEAM_HEADER = "team_id,depot_id,vehicle,members,data_origin"
ARRAYS = ARRAY_FIELDS
NOT_FOR_CARS = [highway_code(c) for c in ("path", "track", "footway")]


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return load_boundaries()


@pytest.fixture(scope="module")
def graph(boundaries: Boundaries) -> RoadGraph:
    return build_demo_network(boundaries, seed=0, kecamatan_codes=[KECAMATAN])


@pytest.fixture(scope="module")
def population(graph: RoadGraph, boundaries: Boundaries) -> DemoPopulation:
    return build_demo_population(
        graph,
        boundaries,
        seed=0,
        desil1_total=DESIL1,
        other_total=OTHER,
        kecamatan_codes=[KECAMATAN],
    )


def _desa_codes(boundaries: Boundaries) -> list[str]:
    return [d.code for d in boundaries.desa if d.parent_code == KECAMATAN]


def _edge_lines(graph: RoadGraph, edges: np.ndarray | None = None) -> np.ndarray:
    sel = np.arange(graph.n_edges) if edges is None else edges
    start = np.column_stack([graph.lon[graph.edge_u[sel]], graph.lat[graph.edge_u[sel]]])
    end = np.column_stack([graph.lon[graph.edge_v[sel]], graph.lat[graph.edge_v[sel]]])
    return shapely.linestrings(np.stack([start, end], axis=1))


# ---------------------------------------------------------------- network


def test_same_seed_gives_identical_arrays(graph: RoadGraph, boundaries: Boundaries) -> None:
    again = build_demo_network_for(boundaries, [KECAMATAN], seed=0)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(again, name), getattr(graph, name), err_msg=name)
    assert again.info == graph.info


def test_other_seed_gives_other_network(graph: RoadGraph, boundaries: Boundaries) -> None:
    other = build_demo_network(boundaries, seed=1, kecamatan_codes=[KECAMATAN])
    assert other.n_nodes != graph.n_nodes or not np.array_equal(other.lat, graph.lat)
    assert "seed 1" in other.info.source


def test_marked_synthetic_with_negative_ids(graph: RoadGraph) -> None:
    info = graph.info
    assert info.synthetic is True
    assert info.name == "banyuwangi-demo"
    assert info.created == "generated"
    assert "NOT real roads" in info.attribution
    assert info.licence.startswith("CC0")
    assert (graph.node_id < 0).all()
    assert np.unique(graph.node_id).size == graph.n_nodes
    assert graph.node_id[0] == -1
    assert graph.edge_u.dtype == np.int32
    assert graph.edge_v.dtype == np.int32
    np.testing.assert_array_equal(graph.geom_offsets, np.zeros(graph.n_edges + 1))
    assert graph.geom_lat.size == 0
    assert graph.geom_lon.size == 0


def test_nodes_and_edges_lie_on_land(graph: RoadGraph, boundaries: Boundaries) -> None:
    land = boundaries.kabupaten.geometry.buffer(LAND_TOLERANCE_DEG)
    shapely.prepare(land)
    assert shapely.contains_xy(land, graph.lon, graph.lat).all()
    assert shapely.contains(land, _edge_lines(graph)).all()
    kecamatan = boundaries.select(KECAMATAN).geometry.buffer(LAND_TOLERANCE_DEG)
    assert shapely.contains_xy(kecamatan, graph.lon, graph.lat).all()


def test_car_roads_are_strongly_connected(graph: RoadGraph) -> None:
    car = ~np.isin(graph.highway, NOT_FOR_CARS) & ((graph.access & ACCESS_MOTORCAR) > 0)
    n = graph.n_nodes
    matrix = coo_matrix(
        (np.ones(int(car.sum())), (graph.edge_u[car], graph.edge_v[car])), shape=(n, n)
    ).tocsr()
    _, labels = connected_components(matrix, directed=True, connection="strong")
    touched = np.zeros(n, dtype=bool)
    touched[graph.edge_u[car]] = True
    touched[graph.edge_v[car]] = True
    assert np.unique(labels[touched]).size == 1
    assert touched.mean() > 0.5
    profile = build_profile_network(graph, "car", PlannerConfig().graph.profiles["car"])
    assert profile.in_network.sum() == touched.sum()


def test_everything_hangs_together(graph: RoadGraph) -> None:
    n = graph.n_nodes
    matrix = coo_matrix((np.ones(graph.n_edges), (graph.edge_u, graph.edge_v)), shape=(n, n))
    count, _ = connected_components(matrix.tocsr(), directed=False)
    assert count == 1


def test_lanes_are_closed_to_cars(graph: RoadGraph) -> None:
    lane = graph.highway == highway_code("path")
    assert lane.sum() > 0
    assert not (graph.access[lane] & ACCESS_MOTORCAR).any()
    assert ((graph.access[lane] & (ACCESS_MOTORCYCLE | ACCESS_FOOT)) == 6).all()
    assert (graph.access[~lane] == 7).all()
    profile = build_profile_network(graph, "car", PlannerConfig().graph.profiles["car"])
    assert not lane[profile.csr_edge].any()
    bike = build_profile_network(graph, "motorbike", PlannerConfig().graph.profiles["motorbike"])
    assert bike.in_network.all()


def test_highway_mix(graph: RoadGraph) -> None:
    counts = graph.highway_counts()
    assert counts.get("residential", 0) > 1000
    assert counts.get("path", 0) > 300
    assert counts.get("secondary", 0) + counts.get("tertiary", 0) + counts.get("primary", 0) > 0
    assert set(counts) <= {
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "track",
        "path",
    }
    assert counts["residential"] > counts["path"] / 2


def test_two_way_rows_and_one_way_streets(graph: RoadGraph) -> None:
    n = graph.n_nodes
    key = graph.edge_u.astype(np.int64) * n + graph.edge_v
    reverse = graph.edge_v.astype(np.int64) * n + graph.edge_u
    has_reverse = np.isin(reverse, key)
    assert np.unique(key).size == key.size
    assert has_reverse[~graph.oneway].all()
    assert not has_reverse[graph.oneway].any()
    assert graph.oneway.sum() > 0
    assert (graph.highway[graph.oneway] == highway_code("residential")).all()


def test_lengths_and_node_spacing(graph: RoadGraph) -> None:
    expected = haversine_m(
        graph.lat[graph.edge_u],
        graph.lon[graph.edge_u],
        graph.lat[graph.edge_v],
        graph.lon[graph.edge_v],
    )
    np.testing.assert_allclose(graph.length_m, expected)
    assert graph.length_m.min() > 0.5
    assert graph.length_m.max() < 600.0


def test_every_desa_has_streets(graph: RoadGraph, boundaries: Boundaries) -> None:
    node_desa = boundaries.locate_desa(graph.lat, graph.lon)
    street = graph.highway == highway_code("residential")
    for code in _desa_codes(boundaries):
        index = boundaries.desa.index(boundaries.desa_by_code(code))
        inside = street & (node_desa[graph.edge_u] == index) & (node_desa[graph.edge_v] == index)
        assert inside.sum() >= 4, code


def test_unknown_kecamatan_is_refused(boundaries: Boundaries) -> None:
    with pytest.raises(ValueError, match="unknown kecamatan"):
        build_demo_network(boundaries, kecamatan_codes=["35.10.99"])


# ---------------------------------------------------------------- population


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_files_have_the_exact_columns(population: DemoPopulation, tmp_path: Path) -> None:
    paths = write_demo_population(population, tmp_path)
    assert [p.name for p in paths] == ["households.csv", "depots.csv", "teams.csv"]
    headers = [p.read_text(encoding="utf-8").split("\n", 1)[0] for p in paths]
    assert headers == [HOUSEHOLD_HEADER, DEPOT_HEADER, TEAM_HEADER]
    for path in paths:
        assert b"\r" not in path.read_bytes()
    assert len(_read(paths[0])) == len(population.households)


def test_desil_counts(population: DemoPopulation, boundaries: Boundaries) -> None:
    desil = Counter(r["desil"] for r in population.households)
    assert desil["1"] == DESIL1
    assert desil["2"] + desil["3"] + desil["4"] == OTHER
    assert set(desil) == {"1", "2", "3", "4"}
    per_desa = Counter(r["desa_code"] for r in population.households if r["desil"] == "1")
    assert set(per_desa) == set(_desa_codes(boundaries))
    assert min(per_desa.values()) >= 30
    assert {r["data_origin"] for r in population.households} == {"synthetic-demo"}


def test_rows_look_like_a_register(population: DemoPopulation, boundaries: Boundaries) -> None:
    rows = population.households
    for row in rows:
        area = boundaries.desa_by_code(row["desa_code"])
        assert area is not None
        assert row["household_id"] == f"HH-{area.code.replace('.', '')}-" + row["household_id"][-4:]
        assert row["desa_name"] == area.name
        assert row["kecamatan"] == area.parent_name
        assert len(row["rt"]) == 3
        assert len(row["rw"]) == 3
        assert row["address"].endswith(f", {area.name}")
        assert f"RT {row['rt']} RW {row['rw']}" in row["address"]
        assert row["head_name"].strip()
        assert (row["window_start"], row["window_end"]) in {
            ("", ""),
            ("13:00", "15:00"),
            ("08:00", "11:00"),
        }
        assert row["notes"] in {"", "lansia", "disabilitas"}
    packages = Counter(r["packages"] for r in rows)
    assert packages["1"] > 0.85 * len(rows)
    assert packages["2"] > 0
    assert sum(1 for r in rows if r["window_start"]) > 0


def _valid(population: DemoPopulation) -> list[dict[str, str]]:
    broken = {hid for hid, _ in population.broken_rows}
    return [r for r in population.households if r["household_id"] not in broken]


def test_households_stand_by_streets_and_lanes(
    population: DemoPopulation, graph: RoadGraph, boundaries: Boundaries
) -> None:
    rows = _valid(population)
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["lon"]) for r in rows])
    lat0, lon0 = float(lat.mean()), float(lon.mean())
    nodes = local_xy_m(graph.lat, graph.lon, lat0=lat0, lon0=lon0)
    points = shapely.points(local_xy_m(lat, lon, lat0=lat0, lon0=lon0))
    distance = {}
    for cls in ("residential", "path"):
        edges = np.flatnonzero(graph.highway == highway_code(cls))
        lines = shapely.linestrings(
            np.stack([nodes[graph.edge_u[edges]], nodes[graph.edge_v[edges]]], axis=1)
        )
        tree = shapely.STRtree(lines)
        _, found = tree.query_nearest(points, all_matches=False)
        distance[cls] = shapely.distance(points, lines[found])
    nearest = np.minimum(distance["residential"], distance["path"])
    assert nearest.max() < 30.0
    assert np.median(nearest) > 2.0
    by_lane = distance["path"] < distance["residential"]
    assert 0.08 < by_lane.mean() < 0.4
    located = boundaries.locate_desa(lat, lon)
    own = np.array([boundaries.desa.index(boundaries.desa_by_code(r["desa_code"])) for r in rows])
    assert (located == own).mean() > 0.98


def test_broken_rows_are_as_documented(population: DemoPopulation, boundaries: Boundaries) -> None:
    kinds = Counter(kind for _, kind in population.broken_rows)
    assert dict(kinds) == BROKEN_ROW_COUNTS
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in population.households:
        by_id.setdefault(row["household_id"], []).append(row)
    _check_broken(by_id, population.broken_rows, boundaries)
    for hid, rows in by_id.items():
        if hid in {h for h, _ in population.broken_rows}:
            continue
        assert len(rows) == 1
        assert rows[0]["packages"] in {"1", "2", "3"}
        assert abs(float(rows[0]["lat"]) + 8.2) < 0.1
        assert abs(float(rows[0]["lon"]) - 114.36) < 0.1


def _check_broken(
    by_id: dict[str, list[dict[str, str]]],
    broken: tuple[tuple[str, str], ...],
    boundaries: Boundaries,
) -> None:
    land = boundaries.kabupaten.geometry.buffer(0.01)
    for hid, kind in broken:
        rows = by_id[hid]
        row = rows[0]
        assert row["desil"] == "1", hid
        if kind == "duplicate_id":
            assert len(rows) == 2
            assert rows[0]["address"] != rows[1]["address"]
            assert rows[0]["head_name"] == rows[1]["head_name"]
            continue
        assert len(rows) == 1, hid
        if kind == "missing_coordinates":
            assert row["lat"] == ""
            assert row["lon"] == ""
        elif kind == "swapped_coordinates":
            assert 113.5 < float(row["lat"]) < 115.0
            assert -9.0 < float(row["lon"]) < -7.5
        elif kind == "in_sea":
            assert not shapely.contains_xy(land, float(row["lon"]), float(row["lat"]))
            assert float(row["lat"]) < -8.8
        else:
            assert kind == "non_numeric_packages"
            assert row["packages"] == "dua"


def test_depots_sit_on_the_car_network(
    population: DemoPopulation, graph: RoadGraph, boundaries: Boundaries
) -> None:
    codes = _desa_codes(boundaries)
    assert [d["desa_code"] for d in population.depots] == codes
    profile = build_profile_network(graph, "car", PlannerConfig().graph.profiles["car"])
    for depot in population.depots:
        area = boundaries.desa_by_code(depot["desa_code"])
        assert area is not None
        assert depot["depot_id"] == "D-" + area.code.replace(".", "")
        office = "Kantor Kelurahan" if area.kind == "kelurahan" else "Kantor Desa"
        assert depot["name"] == f"{office} {area.name}"
        assert depot["location_quality"] == "approximate"
        lat, lon = float(depot["lat"]), float(depot["lon"])
        gap = haversine_m(lat, lon, graph.lat, graph.lon)
        node = int(np.argmin(gap))
        assert gap[node] < 0.2
        assert profile.in_network[node]
        point = area.geometry.representative_point()
        assert float(haversine_m(lat, lon, point.y, point.x)) < 500.0


def test_teams_cover_every_desa(population: DemoPopulation) -> None:
    valid = _valid(population)
    packages = Counter()
    for row in valid:
        if row["desil"] == "1":
            packages[row["desa_code"]] += int(row["packages"])
    capacity = {"car": 25, "motorbike": 5}
    members = {"car": "3", "motorbike": "2"}
    per_depot: dict[str, Counter[str]] = {}
    for team in population.teams:
        assert team["members"] == members[team["vehicle"]]
        per_depot.setdefault(team["depot_id"], Counter())[team["vehicle"]] += 1
        assert team["team_id"].startswith("T-" + team["depot_id"][2:] + "-")
    assert len({t["team_id"] for t in population.teams}) == len(population.teams)
    assert set(per_depot) == {d["depot_id"] for d in population.depots}
    for depot in population.depots:
        vehicles = per_depot[depot["depot_id"]]
        assert vehicles["motorbike"] >= 1
        total = sum(capacity[v] * n for v, n in vehicles.items())
        assert capacity["car"] * vehicles["car"] >= 1.25 * packages[depot["desa_code"]]
        assert total >= 1.25 * packages[depot["desa_code"]]


def test_population_is_deterministic(
    population: DemoPopulation, graph: RoadGraph, boundaries: Boundaries, tmp_path: Path
) -> None:
    again = build_demo_population(
        graph,
        boundaries,
        seed=0,
        desil1_total=DESIL1,
        other_total=OTHER,
        kecamatan_codes=[KECAMATAN],
    )
    first = write_demo_population(population, tmp_path / "a")
    second = write_demo_population(again, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = build_demo_population(
        graph,
        boundaries,
        seed=1,
        desil1_total=DESIL1,
        other_total=OTHER,
        kecamatan_codes=[KECAMATAN],
    )
    assert other.households != population.households


def test_too_few_households_is_refused(graph: RoadGraph, boundaries: Boundaries) -> None:
    with pytest.raises(ValueError, match="too small"):
        build_demo_population(
            graph, boundaries, desil1_total=100, other_total=0, kecamatan_codes=[KECAMATAN]
        )


def test_scenario_loader_rejects_exactly_the_broken_rows(
    population: DemoPopulation, graph: RoadGraph, tmp_path: Path
) -> None:
    from optimizer.scenario import load_scenario

    write_demo_population(population, tmp_path)
    save_road_graph(graph, tmp_path / "network.npz")
    scenario_file = tmp_path / "demo.toml"
    scenario_file.write_text(
        '[scenario]\nname = "demo-test"\n\n[inputs]\nhouseholds = "households.csv"\n'
        'depots = "depots.csv"\nteams = "teams.csv"\nroad_network = "network.npz"\n',
        encoding="utf-8",
    )
    scenario = load_scenario(scenario_file)
    rejected = {r.household_id for r in scenario.rejected}
    # Rows without coordinates are placed among their RT/RW neighbours, not rejected.
    unlocated = {hid for hid, kind in population.broken_rows if kind == "missing_coordinates"}
    assert unlocated
    assert rejected == {hid for hid, _ in population.broken_rows} - unlocated
    placed = {h.household_id: h.location for h in scenario.households if h.approximate}
    assert set(placed) == unlocated
    assert all(location.startswith("approximate (") for location in placed.values())
    assert len(scenario.depots) == len(population.depots)
    assert len(scenario.teams) == len(population.teams)


def test_shipped_households_match_the_documented_broken_rows(boundaries: Boundaries) -> None:
    rows = _read(SHIPPED)
    assert sum(1 for r in rows if r["desil"] == "1") == 20_000
    assert {r["desa_code"] for r in rows} == {d.code for d in boundaries.desa}
    assert Counter(kind for _, kind in SHIPPED_BROKEN_ROWS) == Counter(BROKEN_ROW_COUNTS)
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_id.setdefault(row["household_id"], []).append(row)
    _check_broken(by_id, SHIPPED_BROKEN_ROWS, boundaries)
    repeated = {hid for hid, found in by_id.items() if len(found) > 1}
    assert repeated == {hid for hid, kind in SHIPPED_BROKEN_ROWS if kind == "duplicate_id"}
