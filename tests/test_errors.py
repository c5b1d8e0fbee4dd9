"""When nothing at all can be planned the run stops with an error; a partial plan is a result.

Each error class the planner raises is shown here with its message (where, what, how to fix)
and the command line's exit code; next to each, the partial case that still gives a plan.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import OTHER_DESA_CODE, grid_point, household, write_csv
from typer.testing import CliRunner

import optimizer.api
import optimizer.stages
from optimizer.api import plan_scenario
from optimizer.cli import app
from optimizer.config import SolverConfig
from optimizer.errors import InfeasibleError, SnappingError, UnreachableError
from optimizer.reasons import UnservedReason
from optimizer.scenario import HOUSEHOLD_COLUMNS
from optimizer.solver import Assignment, SolveStatus, solve_routes
from optimizer.task import SolveTask

runner = CliRunner()
DADAPAN = "35.10.14.2010"


def _write(
    folder: Path,
    households: list[dict[str, object]],
    depots: str | None = None,
    teams: str | None = None,
    toml_extra: str = "",
) -> Path:
    """Change the copy of the tiny scenario in ``folder``; return its TOML file."""
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, households)
    if depots is not None:
        (folder / "depots.csv").write_text(depots, encoding="utf-8")
    if teams is not None:
        (folder / "teams.csv").write_text(teams, encoding="utf-8")
    path = folder / "tiny.toml"
    if toml_extra:
        path.write_text(path.read_text(encoding="utf-8") + toml_extra, encoding="utf-8")
    return path


def _cli(path: Path, out: Path) -> tuple[int, str]:
    """Run ``berbagi plan``; return the exit code and the output with line breaks undone."""
    result = runner.invoke(app, ["plan", str(path), "--out", str(out), "--quiet"])
    return result.exit_code, " ".join(result.output.split())


def _point(row: float, col: float) -> str:
    lat, lon = grid_point(row, col)
    return f"{lat:.7f},{lon:.7f}"


def _two_desa(folder: Path, depot_d2: str) -> Path:
    """Desa Dadapan (depot D1 on node 0) and desa Pendarungan (depot D2 at ``depot_d2``),
    each with a motorbike team and one household on the grid."""
    return _write(
        folder,
        [
            household("DADAPAN", *grid_point(1, 1)),
            household("PENDARUNGAN", *grid_point(2, 2), desa_code=OTHER_DESA_CODE),
        ],
        depots=(
            f"depot_id,desa_code,lat,lon\nD1,{DADAPAN},{_point(0, 0)}\n"
            f"D2,{OTHER_DESA_CODE},{depot_d2}\n"
        ),
        teams="team_id,depot_id,vehicle\nT-D1,D1,motorbike\nT-D2,D2,motorbike\n",
    )


# --------------------------------------------------------------------------- SnappingError


def _depot_off_the_road(folder: Path) -> Path:
    # The depot moves to the end of the dead-end lane (node 18): 100 m from any car road,
    # and the only team has a car.
    return _write(
        folder,
        [household("A", *grid_point(1, 1))],
        depots=f"depot_id,desa_code,lat,lon\nD1,{DADAPAN},{_point(4, 1)}\n",
        teams="team_id,depot_id,vehicle\nT-CAR,D1,car\n",
        toml_extra="\n[graph]\nmax_snap_m = 50\n",
    )


def test_no_team_can_leave_any_depot(scenario_dir: Path) -> None:
    path = _depot_off_the_road(scenario_dir)
    with pytest.raises(
        SnappingError,
        match=r"^depots file: no team can start.* max_snap_m = 50 m .*"
        r"D1 \(row 1\) is 100 m from the nearest car road\. Check that \[inputs\] road_network",
    ):
        plan_scenario(path)


def test_no_team_can_leave_any_depot_exit_3(scenario_dir: Path, tmp_path: Path) -> None:
    code, output = _cli(_depot_off_the_road(scenario_dir), tmp_path / "out")
    assert code == 3
    assert "error: depots file: no team can start" in output
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists()


def test_one_depot_off_the_road_gives_a_partial_plan(scenario_dir: Path) -> None:
    # D2 lies 50 m west of the grid, beyond a 20 m limit: its team cannot start, D1's can.
    plan = plan_scenario(_with_limit(_two_desa(scenario_dir, _point(0, -0.5)), 20))
    assert [s.household_id for r in plan.routes for s in r.stops] == ["DADAPAN"]
    (item,) = plan.unserved
    assert item.household_id == "PENDARUNGAN"
    assert item.code == UnservedReason.UNREACHABLE
    assert "depot D2 is not on a road its teams' vehicles can use" in item.reason
    assert any(
        "depot D2 is 50 m from the nearest road a motorbike can use" in w for w in plan.warnings
    )


def _with_limit(path: Path, max_snap_m: float) -> Path:
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n[graph]\nmax_snap_m = {max_snap_m}\n",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------- UnreachableError


def _nobody_reachable(folder: Path) -> Path:
    # FAR is 500 m south of the grid; ISLAND is next to the two-node island east of it.
    return _write(
        folder,
        [household("FAR", *grid_point(-5, 0)), household("ISLAND", *grid_point(3, 4.5))],
        toml_extra="\n[graph]\nmax_snap_m = 100\n",
    )


def test_no_household_can_be_reached(scenario_dir: Path) -> None:
    with pytest.raises(
        UnreachableError,
        match=r"^households file: none of the 2 household\(s\) to plan can be reached by road: "
        r"1 farther than \[graph\] max_snap_m = 100 m .*\(row 1: 500 m .*over the 100 m "
        r"limit.*1 not reachable from their depot .*\(row 2: .*cut off.*road_network covers",
    ):
        plan_scenario(_nobody_reachable(scenario_dir))


def test_no_household_can_be_reached_exit_3(scenario_dir: Path, tmp_path: Path) -> None:
    code, output = _cli(_nobody_reachable(scenario_dir), tmp_path / "out")
    assert code == 3
    assert "error: households file: none of the 2 household(s)" in output
    assert "Traceback" not in output


def test_many_unreachable_rows_are_counted_not_all_listed(scenario_dir: Path) -> None:
    path = _write(scenario_dir, [household(f"FAR{i}", *grid_point(-5 - i, 0)) for i in range(7)])
    with pytest.raises(
        UnreachableError,
        match=r"none of the 7 household\(s\) .*: 7 farther than .* max_snap_m = 300 m .*"
        r"\(rows 1, 2, 3, 4, 5 and 2 more; row 1: 500 m from the nearest road",
    ):
        plan_scenario(path)


def test_one_reachable_household_gives_a_plan(scenario_dir: Path) -> None:
    path = _write(
        scenario_dir,
        [household("FAR", *grid_point(-5, 0)), household("OK", *grid_point(1, 1))],
    )
    plan = plan_scenario(path)
    assert [s.household_id for r in plan.routes for s in r.stops] == ["OK"]
    assert [(u.household_id, u.code) for u in plan.unserved] == [
        ("FAR", UnservedReason.TOO_FAR_FROM_ROAD)
    ]


# --------------------------------------------------------------------------- InfeasibleError


def _no_solution_for(keys: Collection[str]) -> Callable[..., Assignment]:
    """solve_routes, but the tasks of ``keys`` end as OR-Tools ends when it finds nothing."""

    def solve(
        tasks: Sequence[SolveTask],
        config: SolverConfig,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> Assignment:
        assignment = solve_routes(tasks, config, progress=progress)
        results = tuple(
            replace(
                result,
                status=SolveStatus.NO_SOLUTION,
                routes=tuple(() for _ in task.vehicles),
                dropped=tuple(int(n) for n in np.flatnonzero(task.candidates)),
                objective=0,
                hit_time_limit=False,
            )
            if task.key in keys
            else result
            for task, result in zip(tasks, assignment.results, strict=True)
        )
        return replace(assignment, results=results)

    return solve


def test_no_solution_anywhere(scenario_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _two_desa(scenario_dir, _point(0, 3))
    monkeypatch.setattr(
        optimizer.stages, "solve_routes", _no_solution_for({DADAPAN, OTHER_DESA_CODE})
    )
    with pytest.raises(
        InfeasibleError,
        match=r"^solver: no solution for any of the 2 sub-problem\(s\) with households to route "
        r"\(desa Dadapan, desa Pendarungan; status no_solution\), so nothing could be planned\. "
        r"Likely cause: .*time_limit_s = \d+ s.*raise \[solver\] time_limit_s \(--time-limit\)",
    ) as caught:
        plan_scenario(path)
    assert caught.value.status == "no_solution"
    assert len(caught.value.causes) == 1


def test_no_solution_anywhere_exit_4(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _two_desa(scenario_dir, _point(0, 3))
    monkeypatch.setattr(
        optimizer.stages, "solve_routes", _no_solution_for({DADAPAN, OTHER_DESA_CODE})
    )
    code, output = _cli(path, tmp_path / "out")
    assert code == 4
    assert "error: solver: no solution for any of the 2 sub-problem(s)" in output
    assert "Traceback" not in output


def test_no_solution_in_one_desa_gives_a_partial_plan(
    scenario_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _two_desa(scenario_dir, _point(0, 3))
    monkeypatch.setattr(optimizer.stages, "solve_routes", _no_solution_for({OTHER_DESA_CODE}))
    plan = plan_scenario(path)
    assert [s.household_id for r in plan.routes for s in r.stops] == ["DADAPAN"]
    (item,) = plan.unserved
    assert item.household_id == "PENDARUNGAN"
    assert "the solver found no plan for desa Pendarungan" in item.reason
