"""Closed roads: a closure file's lines and polygons take road segments out of the network."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import grid_point, make_grid_graph

from optimizer.api import plan_loaded
from optimizer.closures import close_roads, read_closures
from optimizer.errors import ScenarioError
from optimizer.reasons import UnservedReason
from optimizer.roadgraph import RoadGraph
from optimizer.scenario import Scenario


def _lonlat(row: float, col: float) -> list[float]:
    lat, lon = grid_point(row, col)
    return [lon, lat]


def _write(path: Path, geometries: list[dict[str, object]]) -> Path:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _line(*points: tuple[float, float]) -> dict[str, object]:
    return {"type": "LineString", "coordinates": [_lonlat(r, c) for r, c in points]}


def _box(row0: float, col0: float, row1: float, col1: float) -> dict[str, object]:
    ring = [(row0, col0), (row0, col1), (row1, col1), (row1, col0), (row0, col0)]
    return {"type": "Polygon", "coordinates": [[_lonlat(r, c) for r, c in ring]]}


def _pairs(graph: RoadGraph) -> set[tuple[int, int]]:
    return set(zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True))


def test_line_across_one_street_closes_both_directions(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3)
    path = _write(tmp_path / "bridge.geojson", [_line((-0.2, 0.5), (0.2, 0.5))])
    closed, report = close_roads(graph, path)
    assert _pairs(graph) - _pairs(closed) == {(0, 1), (1, 0)}
    assert closed.n_edges == graph.n_edges - 2
    assert closed.n_nodes == graph.n_nodes
    assert (report.edges_closed, report.segments_closed) == (2, 1)
    assert report.km_closed == pytest.approx(0.1, abs=1e-3)
    assert report.warning().startswith("road closures from bridge.geojson: 1 road segment(s)")


def test_polygon_closes_the_streets_inside_and_across_it(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3)
    path = _write(tmp_path / "flood.geojson", [_box(0.5, 0.5, 1.5, 1.5)])
    closed, report = close_roads(graph, path)
    gone = _pairs(graph) - _pairs(closed)
    assert gone == {(a, b) for n in (1, 3, 5, 7) for a, b in ((4, n), (n, 4))}
    assert report.segments_closed == 4
    assert not np.any((closed.edge_u == 4) | (closed.edge_v == 4))


def test_shape_points_count_and_are_kept_for_open_roads(tmp_path: Path) -> None:
    # Street 0-1 bends half a block north; the line crosses the bend, not the straight chord.
    graph = make_grid_graph(3, 3)
    bend_lat, bend_lon = grid_point(0.5, 0.5)
    pairs = list(zip(graph.edge_u.tolist(), graph.edge_v.tolist(), strict=True))
    bent = [i for i, p in enumerate(pairs) if p in {(0, 1), (1, 0)}]
    counts = np.zeros(graph.n_edges, dtype=np.int64)
    counts[bent] = 1
    # Street 3-4 gets a (straight) shape point too, to check that open roads keep theirs.
    kept = pairs.index((3, 4))
    counts[kept] = 1
    offsets = np.concatenate([[0], np.cumsum(counts)])
    lat3, lon3 = grid_point(1, 0.5)
    points = {i: (bend_lat, bend_lon) for i in bent} | {kept: (lat3, lon3)}
    order = sorted(points)
    graph = replace(
        graph,
        geom_offsets=offsets,
        geom_lat=np.array([points[i][0] for i in order]),
        geom_lon=np.array([points[i][1] for i in order]),
    )
    path = _write(tmp_path / "bend.geojson", [_line((0.4, 0.4), (0.4, 0.6))])
    closed, _ = close_roads(graph, path)
    assert _pairs(graph) - _pairs(closed) == {(0, 1), (1, 0)}
    new_index = list(zip(closed.edge_u.tolist(), closed.edge_v.tolist(), strict=True)).index((3, 4))
    assert closed.edge_shape(new_index)[1] == pytest.approx((lat3, lon3))
    assert closed.geom_lat.size == 1


def _cut_off_top_row(scenario: Scenario, tmp_path: Path) -> Scenario:
    """The tiny scenario with the four streets between grid rows 2 and 3 closed (a bridge)."""
    path = _write(tmp_path / "bridge.geojson", [_line((2.5, -0.5), (2.5, 3.5))])
    graph_config = scenario.config.graph.model_copy(update={"max_snap_m": 60.0})
    config = scenario.config.model_copy(update={"graph": graph_config})
    return scenario.model_copy(update={"closed_roads": str(path), "config": config})


def test_households_beyond_a_closed_bridge_are_unreachable(
    tiny_scenario: Scenario, tmp_path: Path
) -> None:
    plan = plan_loaded(_cut_off_top_row(tiny_scenario, tmp_path)).plan
    bridge_lat = grid_point(2.5, 0)[0]
    beyond = {
        h.household_id
        for h in tiny_scenario.households
        if h.lat > bridge_lat and h.desa_code == "35.10.14.2010"  # the grid's desa
    }
    assert beyond == {"HH-03", "HH-04", "HH-LANE"}
    unreachable = {u.household_id for u in plan.unserved if u.code == UnservedReason.UNREACHABLE}
    assert beyond <= unreachable
    served = {s.household_id for r in plan.routes for s in r.stops}
    assert served
    assert not served & beyond
    assert any(
        w.startswith("road closures from bridge.geojson: 4 road segment(s) closed (0.40 km)")
        for w in plan.warnings
    )
    # No route drives across the closed bridge: every road point stays south of it.
    lats = [lat for r in plan.routes for leg in r.legs for lat in leg.path.lats]
    assert lats
    assert max(lats) < bridge_lat


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json {", r"(?s)closure file .*bad\.geojson.*not a GeoJSON file .*save it as GeoJSON"),
        ('{"roads": []}', r"bad\.geojson: not GeoJSON: expected a FeatureCollection"),
        (
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.3, -8.2]}}',
            r"bad\.geojson: holds no line or polygon.*LineString or Polygon",
        ),
        (
            '{"type": "LineString", "coordinates": [[1, 2]]}',
            r"bad\.geojson: broken geometry .*LineString or Polygon",
        ),
    ],
)
def test_bad_closure_files_name_the_file_and_the_fix(
    tmp_path: Path, content: str, match: str
) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(ScenarioError, match=match):
        read_closures(path)


def test_closure_outside_the_network_is_an_error(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3)
    swapped = {"type": "LineString", "coordinates": [_lonlat(0, 0)[::-1], _lonlat(1, 1)[::-1]]}
    path = _write(tmp_path / "swapped.geojson", [_line((0, 0), (0, 1)), swapped])
    with pytest.raises(
        ScenarioError,
        match=r"swapped\.geojson: closure 2 \(in file order\) lies outside road network "
        r"'test-grid'; check that coordinates are \[lon, lat\]",
    ):
        close_roads(graph, path)


def test_closure_crossing_no_road_is_an_error(tmp_path: Path) -> None:
    graph = make_grid_graph(3, 3)
    path = _write(tmp_path / "block.geojson", [_box(0.2, 0.2, 0.8, 0.8)])
    with pytest.raises(ScenarioError, match=r"block\.geojson: closes no road of network"):
        close_roads(graph, path)


def test_plan_with_a_missing_closure_file_says_which(
    tiny_scenario: Scenario, tmp_path: Path
) -> None:
    scenario = tiny_scenario.model_copy(update={"closed_roads": str(tmp_path / "gone.geojson")})
    with pytest.raises(ScenarioError, match=r"gone\.geojson: cannot read the file"):
        plan_loaded(scenario)
