"""Teams by need: how many teams each desa needs, and who of the roster goes where.

Team sizing (``berbagi size``, ``[fleet] size = true``) is a routing search in which calling a
team up costs ``PERSON_CALL_UP_S`` route-seconds per member: the search serves every door it can
and, before anything else, calls up as few people as it can; then as little route time as it
can. Sizing offers each depot "slots" (candidate teams of each vehicle type, ``S-<depot>-<type>
-<n>``); a depot that uses every slot of a type gets twice as many and its sub-problem is solved
again, so the slot count never decides the answer.

From a roster (``[inputs] roster``): the slots the sizing used are the teams each depot needs;
:func:`optimizer.staffing.staff_teams` forms them from the available people and sends them to
the depots; each formed team takes over one used slot's route of its depot and vehicle type (the
slots of a depot and type are identical), and a greedy descent from those routes settles the day.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from optimizer.continuity import LastMonth, StartRoute, churn, read_last_month
from optimizer.pipeline import PipelineCache
from optimizer.plan import Duty, Plan, Route, TeamNeed
from optimizer.problem import Problem
from optimizer.scenario import Scenario
from optimizer.scenario.model import Team
from optimizer.solver import Assignment, TaskResult
from optimizer.staffing import DepotSite, PreviousTeam, Staffing, staff_teams
from optimizer.stages import (
    PlanResult,
    Solved,
    StageClock,
    finish_plan,
    prepare_problem,
    solve_within_budget,
)
from optimizer.task import RELOAD, VehicleSpec

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
#: Metres of home-to-depot travel one minute stands for when teams are formed (30 km/h).
METRES_PER_MINUTE = 500


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


def _solve_changed(
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
        problem, assignment = _solve_changed(current, problem, done, clock)
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


def slot_routes(solved: Solved) -> dict[str, StartRoute]:
    """Return each used team's route as household ids (``None`` for a reload)."""
    routes: dict[str, StartRoute] = {}
    households = solved.scenario.households
    for task, result in zip(solved.problem.tasks, solved.assignment.results, strict=True):
        for spec, route in zip(task.vehicles, result.routes, strict=True):
            if route:
                routes[solved.scenario.teams[spec.team].team_id] = tuple(
                    None
                    if node == RELOAD
                    else households[int(task.households[node - task.n_depots])].household_id
                    for node in route
                )
    return routes


def with_start(
    problem: Problem,
    scenario: Scenario,
    start: Mapping[str, StartRoute],
    pins: Mapping[str, str] | None = None,
    *,
    release_pct: float = 5.0,
) -> Problem:
    """Give each task its teams' starting routes and pinned households (by team id)."""
    tasks = []
    for task in problem.tasks:
        local = {
            scenario.households[int(h)].household_id: n
            for n, h in enumerate(task.households, start=task.n_depots)
        }
        team_ids = [scenario.teams[v.team].team_id for v in task.vehicles]
        routes = tuple(
            tuple(
                RELOAD if h is None else local[h]
                for h in start.get(t, ())
                if h is None or h in local
            )
            for t in team_ids
        )
        pinned = None
        if pins is not None:
            vehicle_of = {t: i for i, t in enumerate(team_ids)}
            pinned = np.full(task.n_nodes, -1, dtype=np.int64)
            for household_id, node in local.items():
                pinned[node] = vehicle_of.get(pins.get(household_id, ""), -1)
        tasks.append(
            dataclasses.replace(task, start=routes, pinned=pinned, release_pct=release_pct)
        )
    return dataclasses.replace(problem, tasks=tuple(tasks))


def _depot_sites(scenario: Scenario, cache: PipelineCache) -> list[DepotSite]:
    boundaries = cache.boundaries(Path(scenario.boundaries))
    sites = []
    for depot in scenario.depots:
        desa = boundaries.desa_by_code(depot.desa_code)
        kecamatan = desa.parent_name if desa is not None and desa.parent_name else ""
        sites.append(
            DepotSite(
                depot_id=depot.depot_id,
                desa_code=depot.desa_code,
                kecamatan=kecamatan,
                lat=depot.lat,
                lon=depot.lon,
            )
        )
    return sites


def formed_teams(scenario: Scenario, staffing: Staffing) -> tuple[Team, ...]:
    """Return the roster's teams as the plan's teams (day shift, members in ``crew``)."""
    return tuple(
        Team(
            team_id=t.team_id,
            row=0,
            depot_id=t.depot_id,
            vehicle=t.vehicle,
            members=len(t.members),
            shift_start_s=scenario.shift_start_s,
            shift_end_s=scenario.shift_end_s,
            crew=t.members,
        )
        for t in staffing.teams
    )


def bind_routes(
    sized: Solved, staffing: Staffing, routes: Mapping[str, StartRoute]
) -> dict[str, StartRoute]:
    """Give each formed team one used slot's route of its depot and vehicle type."""
    slots = used_slots(sized)
    start: dict[str, StartRoute] = {}
    taken: Counter[tuple[str, str]] = Counter()
    for team in staffing.teams:
        key = (team.depot_id, team.vehicle)
        ids = slots.get(key, [])
        if taken[key] < len(ids):
            start[team.team_id] = routes[ids[taken[key]]]
            taken[key] += 1
    return start


def duties(scenario: Scenario, staffing: Staffing, plan: Plan) -> tuple[Duty, ...]:
    """Return every roster person's duty on the day, in roster order."""
    team_of = {m: t for t in staffing.teams for m in t.members}
    reserve_of = {r.asn_id: r for r in staffing.reserves}
    route_of = {r.team_id: r for r in plan.routes}
    depot_of = {d.depot_id: d for d in plan.depots}
    before_s = scenario.fleet.meet_before_min * 60
    out = []
    for person in scenario.people:
        who = Duty(
            asn_id=person.asn_id,
            name=person.name,
            unit=person.unit,
            status=person.status,
            role="unavailable",
            reason="marked unavailable in the roster",
        )
        team = team_of.get(person.asn_id)
        if team is not None:
            route = route_of.get(team.team_id)
            depot = depot_of.get(team.depot_id)
            leaves = route.start_s if route is not None and route.stops else scenario.shift_start_s
            who = dataclasses.replace(
                who,
                role="driver" if team.members[0] == person.asn_id else "member",
                reason="",
                team_id=team.team_id,
                depot_id=team.depot_id,
                depot_name=depot.name if depot else "",
                desa_code=depot.desa_code if depot else "",
                desa_name=depot.desa_name if depot else "",
                kecamatan=depot.kecamatan if depot else "",
                meet_s=max(0, leaves - before_s),
            )
        elif person.asn_id in reserve_of:
            reserve = reserve_of[person.asn_id]
            who = dataclasses.replace(
                who,
                role="reserve",
                kecamatan=reserve.kecamatan,
                reason=reserve.reason,
                note=reserve.note,
            )
        out.append(who)
    return tuple(out)


def staff_roster(
    scenario: Scenario,
    cache: PipelineCache,
    needs: Mapping[tuple[str, str], int],
    previous: Sequence[PreviousTeam] = (),
) -> Staffing:
    """Form the roster's teams for ``needs`` and send them to depots (the scenario's rules)."""
    return staff_teams(
        scenario.people,
        _depot_sites(scenario, cache),
        needs,
        {name: v.members for name, v in scenario.vehicles.items()},
        previous=previous,
        unit_penalty_m=round(scenario.fleet.unit_penalty_min * METRES_PER_MINUTE),
    )


def plan_from_roster(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> PlanResult:
    """Size the teams, form them from the roster, send them to depots and plan their routes.

    With ``[continuity] previous_plan``: last month's teams are the needs, kept where all
    their members are available, and the day is re-planned from last month's routes.
    """
    if scenario.previous_plan is not None:
        return _carry_roster(scenario, cache, clock, read_last_month(Path(scenario.previous_plan)))
    sized = size_teams(scenario, cache, clock, generate=True)
    needs = {key: len(ids) for key, ids in used_slots(sized).items()}
    staffing = staff_roster(scenario, cache, needs)
    clock.lap("form teams")
    staffed = scenario.model_copy(update={"teams": formed_teams(scenario, staffing)})
    start = bind_routes(sized, staffing, slot_routes(sized))
    prepared, problem = prepare_problem(staffed, cache, clock)
    problem, assignment = solve_within_budget(staffed, with_start(problem, staffed, start), clock)
    clock.lap("solve")
    solved = Solved(scenario=staffed, prepared=prepared, problem=problem, assignment=assignment)
    return finish_plan(
        solved,
        cache,
        clock,
        decorate=lambda plan: dataclasses.replace(plan, duties=duties(scenario, staffing, plan)),
    )


def _carry_roster(
    scenario: Scenario, cache: PipelineCache, clock: StageClock, last: LastMonth
) -> PlanResult:
    """Re-plan from last month: its teams (kept or re-formed), routes and households."""
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
    staffed = scenario.model_copy(update={"teams": formed_teams(scenario, staffing)})
    return _carry(
        staffed,
        cache,
        clock,
        last,
        start,
        pins,
        extra=lambda plan: dataclasses.replace(plan, duties=duties(scenario, staffing, plan)),
    )


def plan_carried(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> PlanResult:
    """Re-plan a scenario's own teams from last month's routes (``previous_plan``)."""
    assert scenario.previous_plan is not None
    last = read_last_month(Path(scenario.previous_plan))
    teams = {t.team_id for t in scenario.teams}
    pins = {h: t for h, t in last.team_of.items() if t in teams}
    return _carry(scenario, cache, clock, last, last.routes, pins)


def _carry(
    scenario: Scenario,
    cache: PipelineCache,
    clock: StageClock,
    last: LastMonth,
    start: Mapping[str, StartRoute],
    pins: Mapping[str, str],
    extra: Callable[[Plan], Plan] | None = None,
) -> PlanResult:
    prepared, problem = prepare_problem(scenario, cache, clock)
    problem = with_start(problem, scenario, start, pins, release_pct=scenario.max_saving_pct)
    problem, assignment = solve_within_budget(scenario, problem, clock)
    clock.lap("solve")
    released, rebalanced = [], []
    for task, result in zip(problem.tasks, assignment.results, strict=True):
        ids = [scenario.households[int(h)].household_id for h in task.households]
        released += [ids[n - task.n_depots] for n in result.released]
        if result.rebalanced:
            rebalanced += ids

    def decorate(plan: Plan) -> Plan:
        changed, compared = churn(last, plan, released=released, rebalanced=rebalanced)
        plan = dataclasses.replace(plan, churn=changed, churn_compared=compared)
        return extra(plan) if extra is not None else plan

    solved = Solved(scenario=scenario, prepared=prepared, problem=problem, assignment=assignment)
    return finish_plan(solved, cache, clock, decorate=decorate)


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
    needs = team_needs(result.plan, sizing_types(scenario))
    return dataclasses.replace(result, plan=dataclasses.replace(result.plan, needs=needs))
