"""Team sizing: the fewest teams each depot needs, found by the routing search itself."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from optimizer.fairness import desa_fairness
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan, Route, TeamNeed
from optimizer.problem import Problem
from optimizer.scenario import Scenario
from optimizer.scenario.model import Team
from optimizer.solver import Assignment, TaskResult
from optimizer.stages import (
    PlanResult,
    Solved,
    StageClock,
    finish_plan,
    prepare_problem,
    solve_within_budget,
)
from optimizer.task import VehicleSpec

#: Cost of calling one person up, in route-seconds: more than a whole shift, so one team fewer
#: always beats the extra route time its doors cost the others.
PERSON_CALL_UP_S = 8 * 3600
#: Least slots of each vehicle type a depot is offered.
MIN_SLOTS = 2
#: Rounds of "a depot used every slot: offer twice as many" before sizing stops growing them.
MAX_ROUNDS = 5
#: Time per door assumed for the first slot count (door time plus travel between doors).
DOOR_ESTIMATE_S = 600
#: First search of each sizing task: builds one route after another, which packs the doors
#: into fewer teams than the parallel insertion the plan uses (72 against 87 teams in Glagah).
SIZING_FIRST_SOLUTION = "PATH_CHEAPEST_ARC"


def sizing_types(scenario: Scenario) -> tuple[str, ...]:
    """Return the vehicle types sizing may call up, the one called up first first.

    ``[fleet] vehicles`` in its order when given; otherwise every type the roster's available
    people drive, or every type of the scenario's teams, the most common first (so the
    teams sizing asks for are the teams the roster can form).
    """
    if scenario.fleet.vehicles:
        return tuple(v for v in scenario.fleet.vehicles if v in scenario.vehicles)
    if scenario.people:
        owned = Counter(p.vehicle for p in scenario.people if p.available and p.vehicle)
    else:
        owned = Counter(t.vehicle for t in scenario.teams)
    order = list(scenario.vehicles)
    return tuple(sorted(owned, key=lambda v: (-owned[v], order.index(v))))


def first_slot_counts(scenario: Scenario, types: Sequence[str]) -> dict[tuple[str, str], int]:
    """Slots per (depot, vehicle type) for the first sizing round, from the desa's doors."""
    doors = Counter(h.desa_code for h in scenario.households)
    work_s = max(3600, scenario.shift_end_s - scenario.shift_start_s - scenario.rules.break_s)
    counts: dict[tuple[str, str], int] = {}
    for depot in scenario.depots:
        estimate = math.ceil(2 * doors[depot.desa_code] * DOOR_ESTIMATE_S / work_s) + 1
        for vehicle in types:
            counts[(depot.depot_id, vehicle)] = max(MIN_SLOTS, estimate)
    return counts


def slot_teams(scenario: Scenario, counts: Mapping[tuple[str, str], int]) -> tuple[Team, ...]:
    """Candidate teams: ``counts`` slots of each type at each depot, on the day's shift."""
    teams = []
    for depot in scenario.depots:
        for vehicle in scenario.vehicles:
            for n in range(counts.get((depot.depot_id, vehicle), 0)):
                teams.append(
                    Team(
                        team_id=f"S-{depot.depot_id}-{vehicle}-{n + 1:02d}",
                        row=0,
                        depot_id=depot.depot_id,
                        vehicle=vehicle,
                        members=scenario.vehicles[vehicle].members,
                        shift_start_s=scenario.shift_start_s,
                        shift_end_s=scenario.shift_end_s,
                    )
                )
    return tuple(teams)


def with_call_up(problem: Problem, scenario: Scenario, types: Sequence[str]) -> Problem:
    """Charge every team ``PERSON_CALL_UP_S`` per member for being used; order by ``types``.

    The search's first plan fills one team after another in task order, so the vehicle type
    listed first is called up first and another only where it cannot serve a door.
    """
    rank = {v: i for i, v in enumerate(types)}

    def order(v: VehicleSpec) -> tuple[int, int]:
        return (rank.get(scenario.teams[v.team].vehicle, len(rank)), v.team)

    tasks = tuple(
        dataclasses.replace(
            task,
            vehicles=tuple(
                dataclasses.replace(
                    v, call_up_cost=scenario.teams[v.team].members * PERSON_CALL_UP_S
                )
                for v in sorted(task.vehicles, key=order)
            ),
        )
        for task in problem.tasks
    )
    return dataclasses.replace(problem, tasks=tasks)


def used_slots(solved: Solved) -> dict[tuple[str, str], list[str]]:
    """Team ids with a route, per (depot, vehicle type), in slot order."""
    used: dict[tuple[str, str], list[str]] = defaultdict(list)
    for task, result in zip(solved.problem.tasks, solved.assignment.results, strict=True):
        for spec, route in zip(task.vehicles, result.routes, strict=True):
            if route:
                team = solved.scenario.teams[spec.team]
                used[(team.depot_id, team.vehicle)].append(team.team_id)
    return {key: sorted(ids) for key, ids in used.items()}


def _team_ids(task_vehicles: Sequence[int], scenario: Scenario) -> tuple[str, ...]:
    return tuple(scenario.teams[t].team_id for t in task_vehicles)


def solve_changed(
    scenario: Scenario,
    problem: Problem,
    done: dict[str, tuple[tuple[str, ...], TaskResult]],
    clock: StageClock,
) -> tuple[Problem, Assignment]:
    """Solve the tasks whose teams changed since the last round; keep the others' results."""
    ids = [_team_ids([v.team for v in t.vehicles], scenario) for t in problem.tasks]
    todo = [i for i, t in enumerate(problem.tasks) if done.get(t.key, ((), None))[0] != ids[i]]
    sub = dataclasses.replace(problem, tasks=tuple(problem.tasks[i] for i in todo))
    sub, assignment = solve_within_budget(scenario, sub, clock)
    for i, result in zip(todo, assignment.results, strict=True):
        done[problem.tasks[i].key] = (ids[i], result)
    merged = dataclasses.replace(assignment, results=tuple(done[t.key][1] for t in problem.tasks))
    return dataclasses.replace(problem, warnings=sub.warnings), merged


def size_teams(
    scenario: Scenario, cache: PipelineCache, clock: StageClock, *, generate: bool = False
) -> Solved:
    """Solve with the fewest people called up.

    With ``generate`` the teams are slots of every sizing type at every depot (grown where a
    depot uses them all); otherwise the scenario's own teams are the candidates.
    """
    solver = scenario.config.solver.model_copy(update={"first_solution": SIZING_FIRST_SOLUTION})
    base = scenario.model_copy(
        update={"config": scenario.config.model_copy(update={"solver": solver})}
    )
    types = sizing_types(scenario)
    counts = first_slot_counts(scenario, types) if generate else {}
    done: dict[str, tuple[tuple[str, ...], TaskResult]] = {}
    for _ in range(MAX_ROUNDS):
        current = base.model_copy(update={"teams": slot_teams(base, counts)}) if generate else base
        prepared, problem = prepare_problem(current, cache, clock)
        problem = with_call_up(problem, current, types)
        problem, assignment = solve_changed(current, problem, done, clock)
        clock.lap("size teams")
        solved = Solved(
            scenario=current.model_copy(update={"config": scenario.config}),
            prepared=prepared,
            problem=problem,
            assignment=assignment,
        )
        full = [k for k, ids in used_slots(solved).items() if generate and len(ids) >= counts[k]]
        if not full:
            break
        for key in full:
            counts[key] *= 2
    return solved


def team_needs(plan: Plan, types: Sequence[str]) -> tuple[TeamNeed, ...]:
    """Return what each depot's desa needs, from a sized plan (in the plan's depot order)."""
    unserved = Counter(u.desa_code for u in plan.unserved)
    by_depot: dict[str, list[Route]] = defaultdict(list)
    for route in plan.routes:
        if route.stops:
            by_depot[route.depot_id].append(route)
    needs = []
    for depot in plan.depots:
        routes = by_depot.get(depot.depot_id, [])
        durations = [r.duration_s for r in routes]
        needs.append(
            TeamNeed(
                depot_id=depot.depot_id,
                desa_code=depot.desa_code,
                desa_name=depot.desa_name,
                kecamatan=depot.kecamatan,
                households=sum(len(r.stops) for r in routes),
                packages=sum(r.load for r in routes),
                unserved=unserved[depot.desa_code],
                teams={v: sum(1 for r in routes if r.vehicle == v) for v in types},
                people=sum(r.members for r in routes),
                longest_route_s=max(durations, default=0),
                mean_route_s=round(sum(durations) / len(durations)) if durations else 0,
            )
        )
    return tuple(needs)


def sized_plan(
    scenario: Scenario, cache: PipelineCache, clock: StageClock, *, generate: bool = True
) -> PlanResult:
    """Plan with the fewest teams, the needs of each desa attached.

    ``generate``: slots at every depot (``berbagi size``); otherwise the scenario's own teams
    are the candidates (``[fleet] size = true``: the day calls up only the teams it needs).
    """
    solved = size_teams(scenario, cache, clock, generate=generate)
    result = finish_plan(solved, cache, clock)
    plan = result.plan
    needs = team_needs(plan, sizing_types(scenario))
    # Only the teams the sizing calls up are called up: the other candidates never were.
    fairness = desa_fairness(
        [(d.depot_id, d.desa_code) for d in plan.depots],
        None,
        ((r.depot_id, r.work_s) for r in plan.routes),
    )
    plan = dataclasses.replace(plan, needs=needs, fairness=fairness)
    return dataclasses.replace(result, plan=plan)
