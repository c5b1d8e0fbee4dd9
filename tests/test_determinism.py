"""The same plan on any machine: the wall-clock guard never decides a plan at default settings.

Searches stop on a count of solutions; the wall-clock guard of each search is the whole solve
stage's ``time_limit_s``, far above what a search here needs. So one core and two give the same
plan, byte for byte, and no plan says a guard cut it. When a guard does bind, the plan says so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import GOOD
from helpers import OTHER_DESA_CODE, grid_point, household, write_csv

from optimizer.api import plan_scenario, write_outputs
from optimizer.config import SolverConfig
from optimizer.plan import Plan
from optimizer.scenario import HOUSEHOLD_COLUMNS
from optimizer.solver import MIN_TASK_TIME_S, SolveStatus, solve_routes
from optimizer.task import SolveTask, VehicleSpec

EIGHT = 8 * 3600
#: Part of a plan's warning when a wall-clock guard cut a search.
CUT_WARNING = "the time budget cut the search"
#: Largest share of its guard a search may use: below it, a machine 3x slower is not cut.
MAX_GUARD_SHARE = 1 / 3
#: Grid cells (row, col) of the households of each desa; depots on nodes 0 and 11.
DADAPAN = [(0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3), (0.5, 0), (0.5, 2), (1, 1.5)]
PENDARUNGAN = [(2, 0), (2, 1), (2, 2), (3, 0), (3, 1), (3, 2), (3, 3), (2.5, 1), (2.5, 3), (2, 0.5)]
DEPOT_COLUMNS = ("depot_id", "name", "desa_code", "lat", "lon", "location_quality", "data_origin")
TEAM_COLUMNS = ("team_id", "depot_id", "vehicle", "members", "data_origin")


@pytest.fixture
def two_desa(scenario_dir: Path) -> Path:
    """The tiny grid split between two desa of ten households each, a depot and two teams each.

    Both sub-problems have more than eight households, so both run the guided local search
    with its solution limit (smaller ones stop at a local optimum and never meet their guard).
    """
    rows = [household(f"A{i}", *grid_point(r, c)) for i, (r, c) in enumerate(DADAPAN)]
    rows += [
        household(f"B{i}", *grid_point(r, c), desa_code=OTHER_DESA_CODE, desa_name="Pendarungan")
        for i, (r, c) in enumerate(PENDARUNGAN)
    ]
    write_csv(scenario_dir / "households.csv", HOUSEHOLD_COLUMNS, rows)
    depots = [
        ("D1", "Kantor Desa Dadapan", "35.10.14.2010", *grid_point(0, 0)),
        ("D2", "Kantor Desa Pendarungan", OTHER_DESA_CODE, *grid_point(2, 3)),
    ]
    write_csv(
        scenario_dir / "depots.csv",
        DEPOT_COLUMNS,
        [
            {
                "depot_id": depot,
                "name": name,
                "desa_code": code,
                "lat": f"{lat:.7f}",
                "lon": f"{lon:.7f}",
                "data_origin": "synthetic-test",
            }
            for depot, name, code, lat, lon in depots
        ],
    )
    write_csv(
        scenario_dir / "teams.csv",
        TEAM_COLUMNS,
        [
            {
                "team_id": f"T-{depot}-{vehicle}",
                "depot_id": depot,
                "vehicle": vehicle,
                "members": 2,
                "data_origin": "synthetic-test",
            }
            for depot in ("D1", "D2")
            for vehicle in ("car", "motorbike")
        ],
    )
    return scenario_dir / "tiny.toml"


@contextmanager
def _cores(count: int) -> Iterator[None]:
    """Run the block on ``count`` of this process's cores (as ``taskset`` would)."""
    available = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, available[:count])
    try:
        yield
    finally:
        os.sched_setaffinity(0, available)


def _plan_on(cores: int, scenario: Path, folder: Path) -> tuple[Plan, bytes]:
    # workers unset: one per core, as in a default run.
    with _cores(cores):
        plan = plan_scenario(scenario, solver_overrides={"workers": None})
    write_outputs(plan, folder)
    return plan, (folder / "plan.json").read_bytes()


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs two cores and CPU affinity (Linux)",
)
def test_default_plan_is_byte_identical_on_one_core_and_two(two_desa: Path, tmp_path: Path) -> None:
    one, one_json = _plan_on(1, two_desa, tmp_path / "one")
    two, two_json = _plan_on(2, two_desa, tmp_path / "two")
    assert one.meta["subproblems"] == 2
    assert one.meta["search_status"] == {"feasible": 2}
    assert one == two
    assert one_json == two_json
    assert not any(CUT_WARNING in w for w in one.warnings)
    assert one.kpis.households_served == len(DADAPAN) + len(PENDARUNGAN)


def _line_task(key: str, n: int, teams: int) -> SolveTask:
    """Depot at 0 and n households on a line, 60 s apart; 60 s service, 3 packages a team."""
    size = n + 1
    pos = np.arange(size)
    service = np.full(size, 60, dtype=np.int64)
    service[0] = 0
    demand = np.ones(size, dtype=np.int64)
    demand[0] = 0
    return SolveTask(
        key=key,
        n_depots=1,
        households=np.arange(n, dtype=np.int64),
        demand=demand,
        service_s={"car": service},
        window_start_s=np.full(size, EIGHT, dtype=np.int64),
        window_end_s=np.full(size, 15 * 3600, dtype=np.int64),
        time_s={"car": (np.abs(pos[:, None] - pos[None, :]) * 60).astype(np.int64)},
        candidates=np.r_[False, np.ones(n, dtype=bool)],
        vehicles=tuple(
            VehicleSpec(
                team=i,
                profile="car",
                capacity=3,
                depot_node=0,
                shift_start_s=EIGHT,
                shift_end_s=15 * 3600,
            )
            for i in range(teams)
        ),
    )


def test_one_worker_and_two_give_equal_results_far_inside_their_guards() -> None:
    # Sizes far apart, so an estimate of the effort would give them very different shares.
    tasks = [_line_task("big", 14, 5), _line_task("small", 9, 4), _line_task("mid", 11, 4)]
    one = solve_routes(tasks, SolverConfig(workers=1))
    two = solve_routes(tasks, SolverConfig(workers=2))
    assert one.results == two.results
    for assignment in (one, two):
        assert not any(r.hit_time_limit for r in assignment.results)
        assert {r.status for r in assignment.results} <= {SolveStatus.FEASIBLE}
        # Every search may use the whole stage's guard (less only once the stage runs late).
        assert all(r.guard_s > SolverConfig().time_limit_s / 2 for r in assignment.results)
        assert assignment.guard_share < MAX_GUARD_SHARE


def test_stage_guard_cuts_late_searches_to_the_minimum() -> None:
    # An effort far beyond one second and a stage guard below the floor: each search gets
    # MIN_TASK_TIME_S, the first because the stage's guard is smaller, the second because the
    # stage's guard is spent when it starts.
    config = SolverConfig(workers=1, solutions_per_stop=100_000, time_limit_s=0.2)
    result = solve_routes([_line_task("a", 10, 4), _line_task("b", 9, 4)], config)
    assert [r.guard_s for r in result.results] == [MIN_TASK_TIME_S, MIN_TASK_TIME_S]
    assert all(r.hit_time_limit for r in result.results)
    assert all(r.status is SolveStatus.TIME_LIMIT for r in result.results)
    assert result.guard_share > 1


def test_a_guard_that_binds_is_reported_in_the_plan() -> None:
    # The tiny scenario's one sub-problem (nine households) with an effort no second can hold.
    plan = plan_scenario(
        GOOD / "tiny.toml", solver_overrides={"time_limit_s": 0.2, "solutions_per_stop": 100_000}
    )
    assert plan.meta["search_status"] == {"time_limit": 1}
    (warning,) = [w for w in plan.warnings if CUT_WARNING in w]
    assert "in 1 sub-problem(s)" in warning
    assert "this plan may differ between machines" in warning
    assert plan.kpis.households_served == 9
