"""The road network against the scenario: coverage, damaged files, and the long-walk warning.

``berbagi check`` loads the scenario's road network and refuses a scenario it does not cover;
``berbagi plan`` stops the same way when the network is of another area. A damaged network
file is the user's file to replace (exit code 3, never "a bug"). The long-walk warning counts
only households a route serves.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from helpers import grid_point, household, write_csv
from typer.testing import CliRunner

from optimizer.api import plan_scenario
from optimizer.cli import app
from optimizer.errors import GraphError
from optimizer.netcheck import measure_coverage, refuse_uncovered
from optimizer.roadgraph import load_road_graph, save_road_graph
from optimizer.scenario import HOUSEHOLD_COLUMNS, load_scenario

runner = CliRunner()
LONG_WALK = "served with a walk of more than 150 m"


class Output(str):
    """Terminal output; ``in`` ignores white space (long paths wrap anywhere in a line)."""

    def __contains__(self, text: object) -> bool:
        return "".join(str(text).split()) in "".join(self.split())


def _run(*args: str) -> tuple[int, Output]:
    """Run ``berbagi``; return the exit code and the output."""
    result = runner.invoke(app, list(args))
    return result.exit_code, Output(result.output)


def _check(toml: Path, report: Path) -> tuple[int, Output]:
    return _run("check", str(toml), "--report", str(report))


def _move_network(folder: Path, degrees: float) -> None:
    """Move the scenario's road network ``degrees`` north and east: another area."""
    path = folder / "tiny_network.npz"
    graph = load_road_graph(path)
    save_road_graph(replace(graph, lat=graph.lat + degrees, lon=graph.lon + degrees), path)


def _households(folder: Path, rows: list[dict[str, object]], extra: str = "") -> Path:
    """Replace the households of the tiny scenario copy; return its TOML file."""
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, rows)
    toml = folder / "tiny.toml"
    if extra:
        toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return toml


# --------------------------------------------------------------------------- coverage


def test_check_refuses_a_network_of_another_area(scenario_dir: Path, tmp_path: Path) -> None:
    _move_network(scenario_dir, 10.0)
    code, output = _check(scenario_dir / "tiny.toml", tmp_path / "report")
    assert code == 3
    assert "error: " in output
    assert "tiny_network.npz: the road network does not cover the scenario" in output
    assert "1 of 1 depot(s) lie outside the network's extent" in output
    assert "11 of 11 household(s) lie outside the network's extent" in output
    # Both extents, in degrees: the network 10 degrees north-east of the scenario.
    assert "The network spans lat 1.74..1.74, lon 124.34..124.34" in output
    assert "scenario's depots and households span lat -8.26..-8.24, lon 114.32..114.34" in output
    assert "the road network is of another area" in output
    assert "'berbagi maps import' or 'berbagi maps download'" in output
    assert "This is a bug" not in output


def test_plan_refuses_a_network_of_another_area(scenario_dir: Path, tmp_path: Path) -> None:
    _move_network(scenario_dir, 10.0)
    code, output = _run("plan", str(scenario_dir / "tiny.toml"), "--out", str(tmp_path / "o"))
    assert code == 3
    assert "1 of 1 depot(s) lie outside the network's extent" in output
    assert "the road network is of another area" in output
    assert not (tmp_path / "o").exists()


def test_plan_refuses_households_of_another_area(scenario_dir: Path) -> None:
    # The depot is on the grid; every household lies 4 to 5 km south of it.
    toml = _households(
        scenario_dir, [household(f"S{i}", *grid_point(-40 - 10 * i, 0)) for i in range(2)]
    )
    with pytest.raises(
        GraphError,
        match=r"0 of 1 depot\(s\) lie outside .*; 2 of 2 household\(s\) lie outside .*"
        r"the road network is of another area",
    ):
        plan_scenario(toml)


def test_check_passes_on_the_tiny_scenario(tmp_path: Path) -> None:
    from conftest import GOOD

    code, output = _check(GOOD / "tiny.toml", tmp_path / "report")
    assert code == 0, output
    assert "does not cover" not in output
    assert "error:" not in output
    # HH-NODEPOT lies in the next desa, beyond the grid's extent; HH-FAR 500 m from any road.
    assert "notice: the road network" in output
    assert (
        "1 of 11 household(s) lie outside the network's extent and 1 more farther than "
        "[graph] max_snap_m = 300 m from any of its roads" in output
    )
    assert "depot(s)" not in "".join(output.split()).split("notice:theroadnetwork")[1]


def test_check_refuses_when_most_households_are_far_from_roads(
    scenario_dir: Path, tmp_path: Path
) -> None:
    # Inside the network's extent (grown by 2 km) but 400 m and more from its roads.
    rows = [household("NEAR", *grid_point(1, 1))]
    rows += [household(f"FAR{i}", *grid_point(-4 - i, 0)) for i in range(2)]
    code, output = _check(_households(scenario_dir, rows), tmp_path / "report")
    assert code == 3
    assert "0 of 3 household(s) lie outside the network's extent and 2 more farther" in output
    assert "the road network is of another area" in output


def test_half_the_households_far_is_a_notice_not_a_refusal(scenario_dir: Path) -> None:
    rows = [household(f"NEAR{i}", *grid_point(1, i)) for i in range(2)]
    rows += [household(f"FAR{i}", *grid_point(-4 - i, 0)) for i in range(2)]
    scenario = load_scenario(_households(scenario_dir, rows))
    coverage = measure_coverage(scenario, load_road_graph(Path(scenario.road_network)))
    assert (coverage.households_far, coverage.households_outside) == (2, 0)
    assert coverage.depots_off == 0
    refuse_uncovered(coverage)  # two of four: not more than half


# --------------------------------------------------------------------------- damaged files


def test_truncated_npz_is_the_users_file(scenario_dir: Path, tmp_path: Path) -> None:
    path = scenario_dir / "tiny_network.npz"
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(
        GraphError,
        match=r"tiny_network\.npz: cannot read the road network: the file is damaged .*"
        r"BadZipFile.*'berbagi maps download'.*'berbagi maps import'.*'berbagi maps build-demo'",
    ):
        load_road_graph(path)
    code, output = _check(scenario_dir / "tiny.toml", tmp_path / "report")
    assert code == 3
    assert "tiny_network.npz: cannot read the road network" in output
    assert "This is a bug" not in output
    assert "internal error" not in output


def test_graphml_of_a_graph_without_roads(scenario_dir: Path, tmp_path: Path) -> None:
    path = scenario_dir / "roads.graphml"
    nx.write_graphml(nx.path_graph(3), path)  # no coordinates, no lengths: not a road graph
    with pytest.raises(
        GraphError,
        match=r"roads\.graphml breaks the road-graph contract: .*lacks numeric 'x'/'y'.*"
        r"It is not an osmnx road network; get a good copy: .*'berbagi maps import'",
    ):
        load_road_graph(path)
    toml = scenario_dir / "tiny.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("tiny_network.npz", "roads.graphml"),
        encoding="utf-8",
    )
    code, output = _check(toml, tmp_path / "report")
    assert code == 3
    assert "roads.graphml breaks the road-graph contract" in output
    assert "This is a bug" not in output


def test_graphml_with_typed_attributes_osmnx_cannot_read(tmp_path: Path) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node(1, x=114.34, y=-8.26)
    graph.add_node(2, x=114.341, y=-8.26)
    graph.add_edge(1, 2)
    path = tmp_path / "typed.graphml"
    nx.write_graphml(graph, path)
    with pytest.raises(
        GraphError,
        match=r"typed\.graphml: not a readable osmnx GraphML road network: the file is damaged "
        r"or holds another kind of graph \(AttributeError: .*get a good copy",
    ):
        load_road_graph(path)


def test_network_without_roads(tmp_path: Path) -> None:
    path = tmp_path / "empty.graphml"
    nx.write_graphml(nx.MultiDiGraph(crs="epsg:4326"), path)
    with pytest.raises(GraphError, match=r"empty\.graphml: the road network holds no roads"):
        load_road_graph(path)


# --------------------------------------------------------------------------- long walks


def test_no_long_walk_warning_below_150_m_limit(scenario_dir: Path) -> None:
    # HH-FAR (500 m) and HH-NODEPOT lie more than 150 m from every road, but beyond the
    # 100 m limit nobody walks that far: they are unserved, and no walk is long.
    toml = scenario_dir / "tiny.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + "\n[graph]\nmax_snap_m = 100\n", encoding="utf-8"
    )
    plan = plan_scenario(toml)
    assert {"HH-FAR", "HH-NODEPOT"} <= {u.household_id for u in plan.unserved}
    assert not any("more than 150 m" in w for w in plan.warnings)


def test_long_walk_warning_counts_served_households(scenario_dir: Path) -> None:
    # WALK lies 200 m south of the depot's corner: served, with a 200 m walk; FAR (500 m) is
    # beyond the 300 m limit, unserved, and not counted.
    rows = [
        household("NEAR", *grid_point(1, 1)),
        household("WALK", *grid_point(-2, 0)),
        household("FAR", *grid_point(-5, 0)),
    ]
    plan = plan_scenario(_households(scenario_dir, rows))
    walks = {s.household_id: s.walk_m for r in plan.routes for s in r.stops}
    assert walks["WALK"] == pytest.approx(200, abs=1)
    assert [u.household_id for u in plan.unserved] == ["FAR"]
    long_walks = [w for w in plan.warnings if LONG_WALK in w]
    assert long_walks == [
        "1 household(s) served with a walk of more than 150 m from the road (the longest "
        "200 m); the walk there and back is counted in their service time"
    ]
