"""From the roster to teams: forming them, their duties, and planning the day with them."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer.continuity import StartRoute
from optimizer.fleet.sizing import size_teams, sizing_types, solve_changed, used_slots
from optimizer.fleet.starts import bind_routes, slot_routes, with_start
from optimizer.pipeline import PipelineCache
from optimizer.plan import Duty, Plan
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
)

logger = logging.getLogger(__name__)

#: Metres of home-to-depot travel one minute stands for when teams are formed (30 km/h).
METRES_PER_MINUTE = 500
#: Rounds of "a depot left doors for want of a team: call up one more from the reserves".
TOP_UP_ROUNDS = 3


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
    """Size the teams, form them from the roster, send them to depots and plan their routes."""
    sized = size_teams(scenario, cache, clock, generate=True)
    needs = {key: len(ids) for key, ids in used_slots(sized).items()}
    staffing = staff_roster(scenario, cache, needs)
    clock.lap("form teams")
    start = bind_routes(sized, staffing, slot_routes(sized))
    day = plan_roster_day(scenario, cache, clock, staffing, start)
    return finish_plan(
        day.solved,
        cache,
        clock,
        decorate=lambda plan: dataclasses.replace(
            plan, duties=duties(scenario, day.staffing, plan)
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterDay:
    """A day planned with the roster's teams: the teams formed and their solved routes."""

    staffing: Staffing
    solved: Solved


def plan_roster_day(
    scenario: Scenario,
    cache: PipelineCache,
    clock: StageClock,
    staffing: Staffing,
    start: Mapping[str, StartRoute],
    *,
    pins: Mapping[str, str] | None = None,
    release_pct: float = 5.0,
) -> RosterDay:
    """Plan the routes of the formed teams; call up reserves where doors are left for want of one.

    After each solve, a depot whose sub-problem left a household out for want of a team gets
    one team more (:func:`_call_up_more`) and only the sub-problems whose teams changed are
    solved again, from the routes found so far, at most ``TOP_UP_ROUNDS`` times.
    """
    done: dict[str, tuple[tuple[str, ...], TaskResult]] = {}
    flags: dict[str, tuple[frozenset[int], bool]] = {}
    for round_ in range(TOP_UP_ROUNDS + 1):
        staffed = scenario.model_copy(update={"teams": formed_teams(scenario, staffing)})
        prepared, problem = prepare_problem(staffed, cache, clock)
        problem = with_start(problem, staffed, start, pins, release_pct=release_pct)
        problem, assignment = solve_changed(staffed, problem, done, clock)
        assignment = _keep_flags(assignment, flags)
        clock.lap("solve")
        solved = Solved(scenario=staffed, prepared=prepared, problem=problem, assignment=assignment)
        short = short_depots(solved)
        last = round_ == TOP_UP_ROUNDS
        grown = _call_up_more(scenario, cache, staffing, short) if short and not last else None
        if grown is None:
            break
        logger.info(
            "calling up %d more team(s) for %s",
            len(grown.teams) - len(staffing.teams),
            ", ".join(short),
        )
        staffing = grown
        routes = slot_routes(solved)
        start = {**start, **routes}
        if pins is not None:  # the next round starts from this one's routes: pin to them
            pins = _team_of(routes)
    return RosterDay(staffing=staffing, solved=solved)


def _keep_flags(
    assignment: Assignment, flags: dict[str, tuple[frozenset[int], bool]]
) -> Assignment:
    """Carry each task's released doors and rebalanced flag over from earlier rounds.

    A task solved again in a later round (its depot called up a team) starts from the routes
    of the round before, so what that round released or rebalanced still explains the churn.
    """
    results = []
    for result in assignment.results:
        released, rebalanced = flags.get(result.key, (frozenset(), False))
        released |= frozenset(result.released)
        rebalanced |= result.rebalanced
        flags[result.key] = (released, rebalanced)
        results.append(
            dataclasses.replace(result, released=tuple(sorted(released)), rebalanced=rebalanced)
        )
    return dataclasses.replace(assignment, results=tuple(results))


def _team_of(routes: Mapping[str, StartRoute]) -> dict[str, str]:
    """Return each routed household's team id (household id -> team id)."""
    return {
        household: team
        for team, route in routes.items()
        for household in route
        if household is not None
    }


def short_depots(solved: Solved) -> list[str]:
    """Return the depots, sorted, whose sub-problem left a household out for want of a team.

    A household left out of a pooled sub-problem counts against its own desa's depot when
    that depot's teams are in the sub-problem, else against the sub-problem's first depot.
    """
    scenario = solved.scenario
    depot_of_desa = {d.desa_code: d.depot_id for d in scenario.depots}
    short: set[str] = set()
    for task, result in zip(solved.problem.tasks, solved.assignment.results, strict=True):
        here = sorted({scenario.teams[v.team].depot_id for v in task.vehicles})
        for node in result.dropped:
            desa = scenario.households[int(task.households[node - task.n_depots])].desa_code
            depot = depot_of_desa.get(desa, "")
            if here and depot not in here:
                depot = here[0]
            if depot:
                short.add(depot)
    return sorted(short)


def _call_up_more(
    scenario: Scenario, cache: PipelineCache, staffing: Staffing, short: Sequence[str]
) -> Staffing | None:
    """Form one team more at each short depot, keeping every team formed so far.

    Vehicle types are tried in sizing order (:func:`sizing_types`): the first type that forms
    any new team wins. None when no reserve within reach can form one.
    """
    previous = [
        PreviousTeam(team_id=t.team_id, depot_id=t.depot_id, vehicle=t.vehicle, members=t.members)
        for t in staffing.teams
    ]
    formed = Counter((t.depot_id, t.vehicle) for t in staffing.teams)
    for vehicle in sizing_types(scenario):
        needs = formed + Counter({(depot, vehicle): 1 for depot in short})
        grown = staff_roster(scenario, cache, needs, previous)
        if len(grown.teams) > len(staffing.teams):
            return grown
    return None
