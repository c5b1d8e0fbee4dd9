"""The stages after loading, as steps other flows can combine: prepare, solve, finish.

A plain plan is :func:`solve_scenario` then :func:`finish_plan`; team sizing and planning from a
roster (:mod:`optimizer.fleet`) solve more than once before they finish.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from optimizer.archive import streets_for_plan
from optimizer.assembly import PlanInputs, assemble_plan
from optimizer.errors import SnappingError
from optimizer.geometry import Streets, trace_routes
from optimizer.netcheck import refuse_network_elsewhere
from optimizer.parallel import default_workers
from optimizer.pipeline import PipelineCache, Prepared, prepare_inputs
from optimizer.plan import Plan, PlanStats
from optimizer.problem import Problem, build_problem
from optimizer.scenario import Scenario
from optimizer.solver import Assignment, solve_routes

#: Progress callback: (stage name, done, total).
Progress = Callable[[str, int, int], None]
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


def peak_memory_mb() -> float:
    """Return the peak resident memory of this process or its largest child (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


class StageClock:
    """Wall time per stage of a run, and each stage's progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.started = self._last = time.perf_counter()
        self.stages: dict[str, float] = {}
        self._progress = progress

    def lap(self, name: str) -> None:
        """Add the time since the last lap to stage ``name`` (a stage may run in rounds)."""
        now = time.perf_counter()
        self.stages[name] = round(self.stages.get(name, 0.0) + now - self._last, 3)
        self._last = now

    def elapsed_s(self) -> float:
        """Return the seconds since the run started."""
        return time.perf_counter() - self.started

    def report(self, stage: str) -> Callable[[int, int], None] | None:
        """Return the (done, total) callback of one stage, or None without progress."""
        progress = self._progress
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)


def solve_within_budget(
    scenario: Scenario, problem: Problem, clock: StageClock
) -> tuple[Problem, Assignment]:
    """Solve within what the run's budget leaves; the problem carries any squeeze warning."""
    limit, squeezed = solve_time_limit(scenario, clock.elapsed_s())
    solver_config = scenario.config.solver.model_copy(update={"time_limit_s": limit})
    assignment = solve_routes(problem.tasks, solver_config, progress=clock.report("solve"))
    if squeezed:
        problem = replace(problem, warnings=(*problem.warnings, squeezed))
    return problem, assignment


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    """A plan and the streets under it: what every document of the plan is drawn from.

    Attributes
    ----------
    plan : Plan
    streets : Streets
        The road network's streets with a point within ``STREETS_MARGIN_M`` (2 km) of the
        plan's extent (:func:`optimizer.archive.streets_for_plan`).
    """

    plan: Plan
    streets: Streets


@dataclass(frozen=True, slots=True, kw_only=True)
class Solved:
    """A scenario solved: its prepared inputs, routing problem and the solver's answer."""

    scenario: Scenario
    prepared: Prepared
    problem: Problem
    assignment: Assignment


def prepare_problem(
    scenario: Scenario, cache: PipelineCache, clock: StageClock
) -> tuple[Prepared, Problem]:
    """Run the stages from the road graph to the routing problem, timing each on ``clock``.

    Raises
    ------
    GraphError
        Road network missing or broken, or of another area: every depot, or every household to
        plan, outside its extent (:func:`optimizer.netcheck.refuse_network_elsewhere`).
    ScenarioError
        A bad closure file.
    SnappingError
        No team can leave any depot.
    """
    config = scenario.config
    workers = config.solver.workers or default_workers()
    try:
        prepared = prepare_inputs(
            scenario, cache=cache, workers=workers, lap=clock.lap, progress=clock.report("matrices")
        )
    except SnappingError:
        # No team can leave any depot: name the likely cause when the network is elsewhere.
        refuse_network_elsewhere(scenario, cache.roads(scenario).base)
        raise
    refuse_network_elsewhere(scenario, prepared.roads.base)
    problem = build_problem(
        scenario,
        prepared.snapped,
        prepared.partition,
        prepared.matrices,
        walk_speed_kph=config.graph.walk_speed_kph,
        walking=prepared.walking,
    )
    if prepared.roads.closure is not None:
        problem = replace(problem, warnings=(prepared.roads.closure.warning(), *problem.warnings))
    return prepared, problem


def solve_scenario(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> Solved:
    """Prepare and solve a scenario as it stands (its own teams)."""
    prepared, problem = prepare_problem(scenario, cache, clock)
    problem, assignment = solve_within_budget(scenario, problem, clock)
    clock.lap("solve")
    return Solved(scenario=scenario, prepared=prepared, problem=problem, assignment=assignment)


def finish_plan(
    solved: Solved,
    cache: PipelineCache,
    clock: StageClock,
    *,
    decorate: Callable[[Plan], Plan] | None = None,
) -> PlanResult:
    """Trace the routes on the roads and assemble the plan; ``decorate`` adds to it."""
    scenario, prepared = solved.scenario, solved.prepared
    workers = scenario.config.solver.workers or default_workers()
    graph = prepared.roads.graph
    geometry = trace_routes(
        graph,
        prepared.networks,
        prepared.matrices,
        solved.problem,
        solved.assignment,
        workers=workers,
        progress=clock.report("geometry"),
        walking=prepared.walking,
    )
    clock.lap("geometry")
    plan = assemble_plan(
        PlanInputs(
            scenario=scenario,
            boundaries=prepared.boundaries,
            road_network=graph.info,
            profiles=prepared.profiles,
            snapped=prepared.snapped,
            partition=prepared.partition,
            problem=solved.problem,
            assignment=solved.assignment,
            geometry=geometry,
        )
    )
    if decorate is not None:
        plan = decorate(plan)
    clock.lap("assemble plan")
    streets = streets_for_plan(plan, cache.streets(prepared.roads))
    clock.lap("streets")
    stats = PlanStats(stage_seconds=clock.stages, peak_memory_mb=peak_memory_mb())
    return PlanResult(plan=replace(plan, stats=stats), streets=streets)
