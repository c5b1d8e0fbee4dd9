"""The in-memory entry point and its cache: shared work, identical plans."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import grid_point

from optimizer.api import plan_loaded, plan_with_streets
from optimizer.closures import ClosureReport
from optimizer.matrixreuse import OpenNetwork, reuse_open_matrix
from optimizer.pipeline import PipelineCache, prepare_inputs
from optimizer.render.report import write_plan_json
from optimizer.scenario import Scenario

GOOD = Path(__file__).parent / "data" / "good"


def _plan_bytes(scenario: Scenario, folder: Path, cache: PipelineCache | None) -> bytes:
    result = plan_loaded(scenario, cache=cache)
    return write_plan_json(result.plan, folder / "plan.json").read_bytes()


def _car_only(scenario: Scenario) -> Scenario:
    """The tiny scenario without its motorbike team (a what-if with fewer teams)."""
    teams = tuple(t for t in scenario.teams if scenario.vehicles[t.vehicle].profile == "car")
    assert 0 < len(teams) < len(scenario.teams)
    return scenario.model_copy(update={"teams": teams})


def _closed(scenario: Scenario, folder: Path) -> Scenario:
    """The tiny scenario with the street between grid nodes 5 and 6 closed."""
    (lat0, lon0), (lat1, lon1) = grid_point(0.8, 1.5), grid_point(1.2, 1.5)
    path = folder / "closed.geojson"
    path.write_text(json.dumps({"type": "LineString", "coordinates": [[lon0, lat0], [lon1, lat1]]}))
    return scenario.model_copy(update={"closed_roads": str(path)})


def test_cached_plans_equal_uncached_plans_byte_for_byte(
    tiny_scenario: Scenario, tmp_path: Path
) -> None:
    cache = PipelineCache()
    variants = {
        "tiny": tiny_scenario,
        "car-only": _car_only(tiny_scenario),
        "closed": _closed(tiny_scenario, tmp_path),
    }
    for name, scenario in variants.items():
        alone = tmp_path / name / "alone"
        shared = tmp_path / name / "shared"
        alone.mkdir(parents=True)
        shared.mkdir(parents=True)
        expected = _plan_bytes(scenario, alone, None)
        assert _plan_bytes(scenario, shared, cache) == expected, name
    # A second round takes everything from the cache and still gives the same bytes.
    built = dict(cache.built)
    again = tmp_path / "again"
    again.mkdir()
    assert (
        _plan_bytes(variants["tiny"], again, cache)
        == (tmp_path / "tiny" / "alone" / "plan.json").read_bytes()
    )
    assert dict(cache.built) == built


def test_the_cache_returns_the_same_objects(tiny_scenario: Scenario) -> None:
    cache = PipelineCache()
    first = prepare_inputs(tiny_scenario, cache=cache)
    second = prepare_inputs(tiny_scenario, cache=cache)
    assert second.roads.graph is first.roads.graph
    assert second.boundaries is first.boundaries
    assert all(second.networks[p] is first.networks[p] for p in first.profiles)
    assert all(second.snapped.by_profile[p] is first.snapped.by_profile[p] for p in first.profiles)
    assert all(second.matrices.by_key[k] is m for k, m in first.matrices.by_key.items())
    assert cache.built["road graph"] == cache.reused["road graph"] == 1
    assert cache.built["matrix"] == cache.reused["matrix"] == len(first.matrices.by_key)


def test_fewer_teams_build_no_new_matrices(tiny_scenario: Scenario) -> None:
    cache = PipelineCache()
    prepare_inputs(tiny_scenario, cache=cache)
    built = dict(cache.built)
    car_only = prepare_inputs(_car_only(tiny_scenario), cache=cache)
    assert dict(cache.built) == built
    assert car_only.profiles == ("car",)
    assert {profile for _, profile in car_only.matrices.by_key} == {"car"}


def test_a_closure_rebuilds_what_it_changes_only(tiny_scenario: Scenario, tmp_path: Path) -> None:
    cache = PipelineCache()
    open_roads = prepare_inputs(tiny_scenario, cache=cache)
    closed = prepare_inputs(_closed(tiny_scenario, tmp_path), cache=cache)
    assert cache.built["road graph"] == 1  # the network file is read once
    assert cache.built["boundaries"] == 1
    assert cache.built["closures"] == 1
    assert closed.roads.base is open_roads.roads.graph
    assert closed.roads.graph.n_edges == open_roads.roads.graph.n_edges - 2
    assert cache.built["profile network"] == 2 * len(open_roads.profiles)
    assert "closures: 1 built, 0 reused" in cache.summary()


def test_plan_with_streets_takes_a_cache(tmp_path: Path) -> None:
    cache = PipelineCache()
    first = plan_with_streets(GOOD / "tiny.toml", cache=cache)
    second = plan_with_streets(GOOD / "tiny.toml", cache=cache)
    assert second.plan == first.plan
    assert cache.built["streets"] == cache.reused["streets"] == 1
    assert cache.reused["matrix"] == cache.built["matrix"] > 0
    assert "load inputs" in second.plan.stats.stage_seconds


@pytest.mark.parametrize("cached", [False, True])
def test_plan_loaded_keeps_stage_timings(tiny_scenario: Scenario, cached: bool) -> None:
    plan = plan_loaded(tiny_scenario, cache=PipelineCache() if cached else None).plan
    assert {"load road graph", "matrices", "solve", "streets"} <= set(plan.stats.stage_seconds)


def test_open_matrix_reused_only_where_a_closure_cannot_change_it(
    tiny_scenario: Scenario,
) -> None:
    """The reuse rule by its three conditions: closed edge in the region, node cut off, snap."""
    prepared = prepare_inputs(tiny_scenario)
    graph = prepared.roads.graph
    network = prepared.networks["car"]
    snap = prepared.snapped.by_profile["car"]
    matrix = next(m for (_, p), m in prepared.matrices.by_key.items() if p == "car")
    nothing = ClosureReport(
        source="none.geojson",
        features=1,
        edges_closed=0,
        segments_closed=0,
        km_closed=0.0,
        kept_edges=np.arange(graph.n_edges, dtype=np.int64),
        touched_nodes=np.zeros(graph.n_nodes, dtype=bool),
    )
    pair = OpenNetwork(
        open_network=network,
        open_snap=snap,
        closed_network=network,
        closed_snap=snap,
        closure=nothing,
    )
    kept = reuse_open_matrix(matrix, pair)
    assert kept is not None
    assert np.array_equal(kept.time_s, matrix.time_s)
    assert np.array_equal(kept.entry, snap.entry[matrix.sites])
    touched = np.zeros(graph.n_nodes, dtype=bool)
    touched[matrix.region[0]] = True
    closed_here = replace(pair, closure=replace(nothing, touched_nodes=touched))
    assert (
        reuse_open_matrix(matrix, closed_here) is None
    )  # a closed edge ends inside the searched region
    cut_off = network.in_network.copy()
    cut_off[matrix.region[-1]] = False
    cut = replace(pair, closed_network=replace(network, in_network=cut_off))
    assert reuse_open_matrix(matrix, cut) is None  # a node of the region fell out
    site = next(int(s) for s in matrix.sites if snap.entry[s] >= 0)
    fraction = snap.fraction.copy()
    fraction[site] = 0.5 if fraction[site] != 0.5 else 0.25
    moved = replace(pair, closed_snap=replace(snap, fraction=fraction))
    assert reuse_open_matrix(matrix, moved) is None  # a household now stands elsewhere
