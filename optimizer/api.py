"""The whole pipeline in one call: scenario file -> Plan -> output files.

inputs -> road graph -> profile networks -> snapping -> partition -> matrices
-> routing problem -> solve -> plan -> render
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.areas import load_boundaries
from optimizer.assembly import PlanInputs, assemble_plan
from optimizer.config import RenderConfig, SolverConfig
from optimizer.errors import ConfigError
from optimizer.matrix import build_matrices
from optimizer.parallel import default_workers
from optimizer.partition import build_partition
from optimizer.plan import Plan, PlanStats
from optimizer.problem import build_problem
from optimizer.render.maps import render_map
from optimizer.render.quality import write_needs_location, write_quality_report
from optimizer.render.report import write_plan_json
from optimizer.render.sheets import write_sheets
from optimizer.roadgraph import build_profile_network, load_road_graph
from optimizer.scenario import Scenario, load_scenario
from optimizer.scenario.quality import build_quality_report
from optimizer.snapping import check_depot_snaps, snap_sites
from optimizer.solver import solve_routes

logger = logging.getLogger(__name__)

#: Progress callback: (stage name, done, total).
Progress = Callable[[str, int, int], None]
#: Solver settings of ``--quick``: a fiftieth of the default effort per household, no floor.
QUICK_SETTINGS: dict[str, Any] = {"solutions_per_stop": 0.01, "min_solutions": 0}
#: Time kept back from a whole-run budget for building the plan and writing outputs:
#: a fixed part plus a part per household (measured on the default scenario, with margin).
RESERVE_FIXED_S = 3.0
RESERVE_PER_HOUSEHOLD_S = 0.0006
#: The solve stage never gets less than this, even when the budget is spent (seconds).
MIN_SOLVE_S = 2.0


def solve_time_limit(scenario: Scenario, elapsed_s: float) -> tuple[float, str | None]:
    """Wall-clock limit of the solve stage, and a warning when the run budget squeezes it.

    With ``[solver] time_budget_s`` the solve stage gets what is left of the budget after the
    stages already run (``elapsed_s``) and a reserve for building the plan and the outputs,
    never more than ``time_limit_s``.
    """
    solver = scenario.config.solver
    if solver.time_budget_s is None:
        return solver.time_limit_s, None
    reserve = RESERVE_FIXED_S + RESERVE_PER_HOUSEHOLD_S * len(scenario.households)
    left = solver.time_budget_s - elapsed_s - reserve
    if left >= MIN_SOLVE_S:
        return min(solver.time_limit_s, left), None
    return MIN_SOLVE_S, (
        f"the run budget of {solver.time_budget_s:.0f} s was nearly spent before solving "
        f"({elapsed_s:.0f} s); the solver got {MIN_SOLVE_S:.0f} s; raise "
        "[solver] time_budget_s"
    )


def apply_solver_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """Return the scenario with solver settings replaced (CLI flags beat the TOML file).

    Raises
    ------
    ConfigError
        If a value is out of range or a key unknown; the message names the key and the rule.
    """
    if not overrides:
        return scenario
    current = scenario.config.solver.model_dump()
    try:
        solver = SolverConfig.model_validate({**current, **overrides})
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']} (got {e.get('input')!r})"
            for e in err.errors()
        )
        raise ConfigError(f"solver option out of range: {problems}") from err
    config = scenario.config.model_copy(update={"solver": solver})
    return scenario.model_copy(update={"config": config})


def _peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def plan_scenario(
    scenario_path: Path,
    *,
    strict: bool = False,
    solver_overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan a distribution day from a scenario file.

    Parameters
    ----------
    scenario_path : Path
        The scenario TOML file.
    strict : bool
        Refuse to plan when any household row is invalid (default: list them as unserved).
    solver_overrides : dict, optional
        SolverConfig fields that replace the scenario's (e.g. ``{"seed": 1}``).
    progress : callable, optional
        Called with (stage, done, total) while long stages run.

    Returns
    -------
    Plan
        ``stats`` holds wall time per stage and peak memory.

    Raises
    ------
    ScenarioError
        Bad scenario or input files (every problem listed).
    ConfigError
        A solver override out of range.
    GraphError
        Road network missing or broken.
    SnappingError
        No team can leave any depot: no depot is on a road its teams' vehicles can use.
    UnreachableError
        Not a single household can be reached by road.
    InfeasibleError
        The solver found no solution for any sub-problem with households to route.
    """
    stages: dict[str, float] = {}
    clock = started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(now - clock, 3)
        clock = now

    def report(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    scenario = load_scenario(scenario_path, strict=strict)
    scenario = apply_solver_overrides(scenario, solver_overrides or {})
    boundaries = load_boundaries(Path(scenario.boundaries))
    lap("load inputs")
    graph = load_road_graph(Path(scenario.road_network))
    lap("load road graph")
    config = scenario.config
    profiles = sorted({scenario.vehicles[t.vehicle].profile for t in scenario.teams})
    networks = {p: build_profile_network(graph, p, config.graph.profiles[p]) for p in profiles}
    lap("profile networks")
    snapped = snap_sites(
        graph,
        networks,
        [h.lat for h in scenario.households],
        [h.lon for h in scenario.households],
        [d.lat for d in scenario.depots],
        [d.lon for d in scenario.depots],
        max_snap_m=config.graph.max_snap_m,
    )
    check_depot_snaps(scenario, snapped)
    partition = build_partition(scenario)
    lap("snap and partition")
    workers = config.solver.workers or default_workers()
    matrices = build_matrices(
        graph,
        networks,
        snapped,
        partition,
        buffer_m=config.graph.matrix_buffer_m,
        workers=workers,
        progress=report("matrices"),
    )
    lap("matrices")
    problem = build_problem(
        scenario, snapped, partition, matrices, walk_speed_kph=config.graph.walk_speed_kph
    )
    limit, squeezed = solve_time_limit(scenario, time.perf_counter() - started)
    solver_config = config.solver.model_copy(update={"time_limit_s": limit})
    assignment = solve_routes(problem.tasks, solver_config, progress=report("solve"))
    if squeezed:
        problem = replace(problem, warnings=(*problem.warnings, squeezed))
    lap("solve")
    plan = assemble_plan(
        PlanInputs(
            scenario=scenario,
            boundaries=boundaries,
            graph=graph,
            networks=networks,
            snapped=snapped,
            partition=partition,
            matrices=matrices,
            problem=problem,
            assignment=assignment,
        ),
        workers=workers,
        progress=report("geometry"),
    )
    lap("assemble plan")
    return replace(plan, stats=PlanStats(stage_seconds=stages, peak_memory_mb=_peak_memory_mb()))


def write_outputs(plan: Plan, folder: Path, *, config: RenderConfig | None = None) -> list[Path]:
    """Write plan.json, routes.csv, unserved.csv and map.html into a folder.

    Parameters
    ----------
    plan : Plan
    folder : Path
        Created when missing; existing files of the same names are replaced.
    config : RenderConfig, optional
        Render settings for every file instead of the plan's own (``plan.render``, the
        scenario's ``[render]`` table); plan.json records the settings used in ``meta.render``.

    Returns
    -------
    list of Path
    """
    if config is not None:
        plan = replace(plan, render=config)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_plan_json(plan, folder / "plan.json")]
    written += write_sheets(plan, folder)
    written.append(render_map(plan, folder / "map.html"))
    return written


def write_check_report(scenario: Scenario, folder: Path, *, full: bool = True) -> list[Path]:
    """Write the data-quality report of a loaded scenario (what ``berbagi check`` writes).

    Parameters
    ----------
    scenario : Scenario
    folder : Path
        Created when missing.
    full : bool
        Write quality.html and quality.csv as well as needs_location.csv (default); when
        false, only needs_location.csv.

    Returns
    -------
    list of Path
    """
    report = build_quality_report(scenario)
    if full:
        return write_quality_report(report, folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_needs_location(report, folder / "needs_location.csv")]
