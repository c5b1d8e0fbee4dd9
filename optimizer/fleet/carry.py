"""Month after month: re-plan from last month's teams, routes and households."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from optimizer.continuity import LastMonth, StartRoute, churn, read_last_month
from optimizer.fleet.crews import duties, plan_roster_day, staff_roster
from optimizer.fleet.starts import with_start
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan
from optimizer.scenario import Scenario
from optimizer.stages import (
    PlanResult,
    Solved,
    StageClock,
    finish_plan,
    prepare_problem,
    solve_within_budget,
)


def carry_roster(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> PlanResult:
    """Re-plan a roster scenario from last month: its teams (kept or re-formed) and routes.

    Last month's teams are the needs, kept where all their members are available; a team that
    cannot be kept is formed again from the roster and takes over its predecessor's route.
    Depots that leave doors for want of a team call up reserves (:func:`plan_roster_day`).
    """
    assert scenario.previous_plan is not None
    last = read_last_month(Path(scenario.previous_plan))
    needs = Counter((t.depot_id, t.vehicle) for t in last.teams)
    staffing = staff_roster(scenario, cache, needs, last.teams)
    clock.lap("form teams")
    kept = {t.team_id for t in staffing.teams if t.kept}
    spare: dict[tuple[str, str], list[str]] = defaultdict(list)
    for t in last.teams:
        if t.team_id not in kept:
            spare[(t.depot_id, t.vehicle)].append(t.team_id)
    start: dict[str, StartRoute] = {}
    for team in staffing.teams:
        old = spare[(team.depot_id, team.vehicle)]
        source = team.team_id if team.kept else (old.pop(0) if old else "")
        start[team.team_id] = last.routes.get(source, ())
    pins = {h: t for h, t in last.team_of.items() if t in kept}
    day = plan_roster_day(
        scenario, cache, clock, staffing, start, pins=pins, release_pct=scenario.max_saving_pct
    )
    return _carried_plan(
        day.solved,
        cache,
        clock,
        last,
        extra=lambda plan: dataclasses.replace(plan, duties=duties(scenario, day.staffing, plan)),
    )


def plan_carried(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> PlanResult:
    """Re-plan a scenario's own teams from last month's routes (``previous_plan``)."""
    assert scenario.previous_plan is not None
    last = read_last_month(Path(scenario.previous_plan))
    teams = {t.team_id for t in scenario.teams}
    pins = {h: t for h, t in last.team_of.items() if t in teams}
    prepared, problem = prepare_problem(scenario, cache, clock)
    problem = with_start(problem, scenario, last.routes, pins, release_pct=scenario.max_saving_pct)
    problem, assignment = solve_within_budget(scenario, problem, clock)
    clock.lap("solve")
    solved = Solved(scenario=scenario, prepared=prepared, problem=problem, assignment=assignment)
    return _carried_plan(solved, cache, clock, last)


def _carried_plan(
    solved: Solved,
    cache: PipelineCache,
    clock: StageClock,
    last: LastMonth,
    extra: Callable[[Plan], Plan] | None = None,
) -> PlanResult:
    """Finish a re-planned day with its churn against last month (and ``extra``, if any)."""
    scenario = solved.scenario
    released, rebalanced = [], []
    for task, result in zip(solved.problem.tasks, solved.assignment.results, strict=True):
        ids = [scenario.households[int(h)].household_id for h in task.households]
        released += [ids[n - task.n_depots] for n in result.released]
        if result.rebalanced:
            rebalanced += ids

    def decorate(plan: Plan) -> Plan:
        changed, compared = churn(last, plan, released=released, rebalanced=rebalanced)
        plan = dataclasses.replace(plan, churn=changed, churn_compared=compared)
        return extra(plan) if extra is not None else plan

    return finish_plan(solved, cache, clock, decorate=decorate)
