"""Turn solver results into the Plan: ETAs, legs, unserved reasons, KPIs and meta.

The legs' paths along the roads come traced from the geometry stage
(:func:`optimizer.geometry.trace_routes`); the assembly only puts them into the routes.

ETAs are recomputed here from the route order with the same integer times the solver used:
leave the depot at the shift start, wait at a door until its window opens, spend the service
time, move on. Each route is then checked (windows, shift end, capacity) so a plan never says
more than it can keep.

A partial plan is a normal result. Only when nothing at all could be planned does the assembly
raise instead of returning a plan without routes: :class:`SnappingError` when no team can leave
any depot, :class:`UnreachableError` when no household can be reached by road, and
:class:`InfeasibleError` when the solver found no solution for any sub-problem.
"""

from __future__ import annotations

import itertools
import platform
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import shapely

from optimizer.areas import Boundaries
from optimizer.errors import InfeasibleError, UnreachableError
from optimizer.fairness import DesaFairness, desa_fairness
from optimizer.geometry import LegTrace, RouteGeometry, route_sequence
from optimizer.partition import Partition
from optimizer.plan import (
    AreaOutline,
    Break,
    DepotSite,
    Kpis,
    Leg,
    Plan,
    Polyline,
    Route,
    Unserved,
)
from optimizer.problem import Problem
from optimizer.reasons import UnservedReason
from optimizer.roadgraph import GraphInfo
from optimizer.routeparts import route_parts
from optimizer.scenario import Household, Scenario
from optimizer.schedule import RouteSchedule, schedule_route
from optimizer.snapping import SUSPICIOUS_SNAP_M, Snapped, check_depot_snaps
from optimizer.solver import Assignment, SolveStatus, TaskResult
from optimizer.task import RELOAD, SolveTask
from optimizer.units import format_clock

#: Outline simplification for the map (degrees, about 30 m).
OUTLINE_TOLERANCE_DEG = 0.0003
#: Rows or sub-problems named in an error message before the rest are only counted.
NAMED_IN_ERRORS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanInputs:
    """Everything the assembly needs from earlier stages.

    Attributes
    ----------
    road_network : GraphInfo
        Provenance of the road graph (credits, whether it is synthetic).
    profiles : tuple of str
        The vehicle profiles whose networks were built (``meta.graph.profiles_used``).
    geometry : RouteGeometry
        Every route's legs traced along the roads (:func:`optimizer.geometry.trace_routes`).
    """

    scenario: Scenario
    boundaries: Boundaries
    road_network: GraphInfo
    profiles: tuple[str, ...]
    snapped: Snapped
    partition: Partition
    problem: Problem
    assignment: Assignment
    geometry: RouteGeometry


def _depot_of(inputs: PlanInputs, task: SolveTask, local_depot: int) -> int:
    subproblem = next(sp for sp in inputs.partition.subproblems if sp.key == task.key)
    return subproblem.depots[local_depot]


def _route_break(task: SolveTask, vehicle: int, schedule: RouteSchedule) -> Break | None:
    """Return the team's break inside its route, after the doors done before it, if any."""
    # A break after the team is back at its depot is not part of its route.
    if not schedule.break_inside or schedule.break_start_s is None or schedule.break_after is None:
        return None
    rule = task.vehicles[vehicle].break_rule
    duration = rule.duration_s if rule is not None else 0
    before = schedule.visits[: schedule.break_after]
    done = sum(len(_doors_of(task, v.node)) for v in before if v.node != RELOAD)
    return Break(
        after_stop=done, start_s=schedule.break_start_s, end_s=schedule.break_start_s + duration
    )


def _build_route(
    inputs: PlanInputs,
    task: SolveTask,
    vehicle: int,
    nodes: tuple[int, ...],
    traces: tuple[LegTrace, ...],
    warnings: list[str],
    known: RouteSchedule | None = None,
) -> Route:
    scenario = inputs.scenario
    spec = task.vehicles[vehicle]
    team = scenario.teams[spec.team]
    vtype = scenario.vehicles[team.vehicle]
    depot = scenario.depots[_depot_of(inputs, task, spec.depot_node)]
    times = task.time_s[spec.profile]
    sequence = route_sequence(task, vehicle, nodes)
    snap = inputs.snapped.by_profile[spec.profile]
    schedule = known if known is not None else schedule_route(task, vehicle, nodes)
    if not schedule.feasible:
        warnings.append(
            f"route {team.team_id} breaks a rule ({'; '.join(schedule.violations)}); "
            "please report this"
        )
    drives = tuple(
        Leg(
            distance_m=trace.distance_m,
            travel_s=int(times[origin, target]),
            path=Polyline(lats=trace.lats, lons=trace.lons),
        )
        for (origin, target), trace in zip(itertools.pairwise(sequence), traces, strict=True)
    )
    steps = inputs.geometry.walks.get((task.key, vehicle), ())
    parts = route_parts(scenario, task, spec.profile, schedule, snap, drives, steps)
    stops = parts.stops
    break_ = _route_break(task, vehicle, schedule)
    distance = round(sum(leg.distance_m for leg in parts.legs if not leg.walk), 1)
    duration_h = (schedule.end_s - schedule.start_s) / 3600
    cost = vtype.fixed_cost + vtype.cost_per_hour * duration_h + vtype.cost_per_km * distance / 1000
    return Route(
        team_id=team.team_id,
        vehicle=team.vehicle,
        profile=spec.profile,
        members=team.members,
        crew=team.crew,
        capacity=vtype.capacity,
        depot_id=depot.depot_id,
        depot_name=depot.name,
        depot_lat=depot.lat,
        depot_lon=depot.lon,
        start_s=schedule.start_s,
        end_s=schedule.end_s,
        stops=tuple(stops),
        legs=tuple(parts.legs),
        distance_m=distance,
        travel_s=schedule.travel_s,
        service_s=schedule.service_s,
        wait_s=schedule.wait_s,
        load=sum(stop.packages for stop in stops),
        reloads=tuple(parts.reloads),
        parks=tuple(parts.parks),
        break_=break_,
        work_s=schedule.work_s,
        cost=round(cost, 2),
        shift_start_s=team.shift_start_s,
        shift_end_s=team.shift_end_s,
    )


def _dropped_reason(inputs: PlanInputs, task: SolveTask, result: TaskResult) -> str:
    subproblem = next(sp for sp in inputs.partition.subproblems if sp.key == task.key)
    teams = len(task.vehicles)
    if result.status.value == "no_solution":
        return (
            f"the solver found no plan for {subproblem.name} within its time share; "
            "raise [solver] time_limit_s"
        )
    demand = int(task.demand[task.candidates].sum())
    capacity = sum(v.capacity for v in task.vehicles)
    single = [v for v in task.vehicles if not v.may_reload()]
    if single and len(single) == teams and demand > capacity:
        return (
            f"the {teams} team(s) of {subproblem.name} carry {capacity} packages in "
            f"one trip each and may not reload, but {demand} are needed; add teams, bigger "
            "vehicles or allow reloads ([vehicles.NAME] max_trips)"
        )
    starts = min(v.shift_start_s for v in task.vehicles)
    ends = max(v.shift_end_s for v in task.vehicles)
    shift = f"{format_clock(starts)}-{format_clock(ends)}"
    return (
        f"the {teams} team(s) of {subproblem.name} have no time left in the shift {shift} "
        f"for this door ({demand} packages to carry, {capacity} per round of trips); add a "
        "team or lengthen the shift"
    )


def _outline(code: str, name: str, level: str, geometry: shapely.Geometry) -> AreaOutline:
    simple = shapely.simplify(geometry, OUTLINE_TOLERANCE_DEG, preserve_topology=True)
    polygons = list(getattr(simple, "geoms", [simple]))
    rings = []
    for polygon in polygons:
        coords = np.asarray(polygon.exterior.coords)
        rings.append(
            Polyline(
                lats=tuple(np.round(coords[:, 1], 6).tolist()),
                lons=tuple(np.round(coords[:, 0], 6).tolist()),
            )
        )
    return AreaOutline(code=code, name=name, level=level, rings=tuple(rings))


def _versions() -> dict[str, str]:
    names = ("berbagi", "ortools", "numpy", "scipy", "networkx", "shapely", "folium")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["python"] = platform.python_version()
    return found


def _listed(items: list[str]) -> str:
    """List the first few items, comma-separated, and say how many more there are."""
    shown = ", ".join(items[:NAMED_IN_ERRORS])
    more = len(items) - NAMED_IN_ERRORS
    return f"{shown} and {more} more" if more > 0 else shown


def _check_reachable(inputs: PlanInputs) -> None:
    """Raise UnreachableError when the screening found every household unreachable by road."""
    scenario = inputs.scenario
    road = (UnservedReason.TOO_FAR_FROM_ROAD, UnservedReason.UNREACHABLE)
    screened = [s for s in inputs.problem.screened if s.code in road]
    if not scenario.households or len(screened) < len(scenario.households):
        return
    parts = []
    for code, what in (
        (
            UnservedReason.TOO_FAR_FROM_ROAD,
            f"farther than [graph] max_snap_m = {inputs.snapped.max_snap_m:.0f} m from a road "
            "their teams' vehicles can use",
        ),
        (UnservedReason.UNREACHABLE, "not reachable from their depot by its teams' vehicles"),
    ):
        of_code = [s for s in screened if s.code == code]
        if of_code:
            rows = [str(scenario.households[s.household].row) for s in of_code]
            listed = "" if len(rows) == 1 else f"rows {_listed(rows)}; "
            parts.append(f"{len(rows)} {what} ({listed}row {rows[0]}: {of_code[0].reason})")
    raise UnreachableError(
        f"households file: none of the {len(scenario.households)} household(s) to plan can be "
        f"reached by road: {'; '.join(parts)}. Check that [inputs] road_network covers the "
        "households' area and that their lat/lon are right"
    )


def _check_solved(inputs: PlanInputs) -> None:
    """Raise InfeasibleError when no sub-problem with households to route got a solution."""
    pairs = zip(inputs.problem.tasks, inputs.assignment.results, strict=True)
    routed = [(task, result) for task, result in pairs if task.candidates.any()]
    if not routed or any(r.status is not SolveStatus.NO_SOLUTION for _, r in routed):
        return
    names = {sp.key: sp.name for sp in inputs.partition.subproblems}
    failed = _listed([names.get(task.key, task.key) for task, _ in routed])
    solver = inputs.scenario.config.solver
    budget = (
        f" and the run's time_budget_s = {solver.time_budget_s:.0f} s"
        if solver.time_budget_s is not None
        else ""
    )
    causes = (
        f"the solve stage's time limit (time_limit_s = {solver.time_limit_s:.0f} s{budget}) ran "
        "out before the first solution",
    )
    raise InfeasibleError(
        f"solver: no solution for any of the {len(routed)} sub-problem(s) with households to "
        f"route ({failed}; status {SolveStatus.NO_SOLUTION}), so nothing could be planned. "
        f"Likely cause: {causes[0]}; raise [solver] time_limit_s (--time-limit) or "
        "time_budget_s (--time-budget). If more time does not help, please report it",
        status=str(SolveStatus.NO_SOLUTION),
        causes=causes,
    )


#: Why a household the search left out of every route is unserved.
NOT_ENOUGH = UnservedReason.NOT_ENOUGH_TEAMS


def _unserved_row(household: Household, code: UnservedReason, reason: str) -> Unserved:
    return Unserved(
        household_id=household.household_id,
        row=household.row,
        code=code,
        reason=reason,
        desa_code=household.desa_code,
        lat=household.lat,
        lon=household.lon,
    )


def _doors_of(task: SolveTask, node: int) -> tuple[int, ...]:
    """Return the local nodes of the doors a task node stands for (a walk, or itself)."""
    walk = task.walks.get(node)
    return (node,) if walk is None else walk.nodes


def _unserved(inputs: PlanInputs) -> list[Unserved]:
    """Every household in no route, by data row: bad rows, unplaceable, screened, dropped."""
    scenario = inputs.scenario
    unserved = [
        Unserved(
            household_id=rejected.household_id,
            row=rejected.row,
            code=rejected.code,
            reason=f"invalid {rejected.field}: {rejected.reason}"
            if rejected.field and rejected.code == UnservedReason.INVALID_DATA
            else rejected.reason,
            desa_code=rejected.desa_code,
            lat=None,
            lon=None,
        )
        for rejected in scenario.rejected
    ]
    explained = [(o.household, o.code, o.reason) for o in inputs.partition.orphans]
    explained += [(s.household, s.code, s.reason) for s in inputs.problem.screened]
    for task, result in zip(inputs.problem.tasks, inputs.assignment.results, strict=True):
        if result.dropped:
            reason = _dropped_reason(inputs, task, result)
            explained += [
                (int(task.households[door - task.n_depots]), NOT_ENOUGH, reason)
                for node in result.dropped
                for door in _doors_of(task, node)
            ]
    unserved += [_unserved_row(scenario.households[h], code, why) for h, code, why in explained]
    unserved.sort(key=lambda u: u.row)
    return unserved


def _data_notice(inputs: PlanInputs) -> tuple[bool, str]:
    """Whether the plan rests on synthetic data, and the notice every output carries."""
    scenario = inputs.scenario
    synthetic = scenario.synthetic_inputs or inputs.road_network.synthetic
    notices = []
    if inputs.road_network.synthetic:
        notices.append("the road network is a generated demonstration network, not real roads")
    if scenario.synthetic_inputs:
        notices.append("households, depots and teams are generated demonstration data")
    if any(d.approximate for d in scenario.depots):
        notices.append("depot locations are approximate")
    if not notices:
        return synthetic, f"Road data: {inputs.road_network.attribution}."
    return synthetic, ("Synthetic demo data: " if synthetic else "Note: ") + "; ".join(
        notices
    ) + "."


def _search_warnings(inputs: PlanInputs) -> list[str]:
    """Warnings about the search (a guard that cut it) and about long walks from the road."""
    warnings = []
    cut_short = sum(int(result.hit_time_limit) for result in inputs.assignment.results)
    if cut_short:
        warnings.append(
            f"the time budget cut the search in {cut_short} sub-problem(s): this "
            "plan may differ between machines; raise "
            + (
                "[solver] time_budget_s (--time-budget)"
                if inputs.scenario.config.solver.time_budget_s is not None
                else "[solver] time_limit_s (--time-limit)"
            )
        )
    # Only the walks the plan makes: households in a route, from the road of their team's
    # vehicle (never beyond max_snap_m, or the household would not be in a route).
    snaps = inputs.snapped.by_profile
    walks = [
        float(
            snaps[task.vehicles[vehicle].profile].distance_m[task.households[node - task.n_depots]]
        )
        for task, result in zip(inputs.problem.tasks, inputs.assignment.results, strict=True)
        for vehicle, nodes in enumerate(result.routes)
        for node in nodes
        # A walk's doors are within its radius of the parking place, walked in one loop.
        if node != RELOAD and node not in task.walks
    ]
    long_walks = [walk for walk in walks if walk > SUSPICIOUS_SNAP_M]
    if long_walks:
        warnings.append(
            f"{len(long_walks)} household(s) served with a walk of more than "
            f"{SUSPICIOUS_SNAP_M:.0f} m from the road (the longest {max(long_walks):.0f} m); "
            "the walk there and back is counted in their service time"
        )
    return warnings


def _depot_sites(inputs: PlanInputs) -> tuple[DepotSite, ...]:
    scenario = inputs.scenario
    teams_at = Counter(t.depot_id for t in scenario.teams)
    desa_names = {d.code: (d.name, d.parent_name or "") for d in inputs.boundaries.desa}
    return tuple(
        DepotSite(
            depot_id=d.depot_id,
            name=d.name,
            desa_code=d.desa_code,
            lat=d.lat,
            lon=d.lon,
            approximate=d.approximate,
            teams=teams_at[d.depot_id],
            desa_name=desa_names.get(d.desa_code, ("", ""))[0],
            kecamatan=desa_names.get(d.desa_code, ("", ""))[1],
        )
        for d in scenario.depots
    )


def _areas(inputs: PlanInputs) -> tuple[AreaOutline, ...]:
    """Outlines of the kecamatan and desa that hold a household or a depot of the plan."""
    scenario, boundaries = inputs.scenario, inputs.boundaries
    desa_used = {h.desa_code for h in scenario.households} | {d.desa_code for d in scenario.depots}
    kecamatan_used = {d.parent_code for d in boundaries.desa if d.code in desa_used}
    return tuple(
        _outline(k.code, k.name, "kecamatan", k.geometry)
        for k in boundaries.kecamatan
        if k.code in kecamatan_used
    ) + tuple(
        _outline(d.code, d.name, "desa", d.geometry) for d in boundaries.desa if d.code in desa_used
    )


def _kpis(scenario: Scenario, routes: list[Route], unserved: list[Unserved]) -> Kpis:
    durations = [r.duration_s for r in routes]
    return Kpis(
        households_total=scenario.households_total,
        households_served=sum(len(r.stops) for r in routes),
        households_unserved=len(unserved),
        packages_delivered=sum(r.load for r in routes),
        teams_available=len(scenario.teams),
        teams_used=len(routes),
        total_route_s=sum(durations),
        longest_route_s=max(durations, default=0),
        mean_route_s=round(sum(durations) / len(durations)) if durations else 0,
        total_distance_m=float(sum(r.distance_m for r in routes)),
        unserved_by_reason=dict(Counter(str(u.code) for u in unserved)),
        shortest_route_s=min(durations, default=0),
        route_spread_s=max(durations, default=0) - min(durations, default=0),
        route_stdev_s=round(float(np.std(durations))) if durations else 0,
        depot_spread_s=_mean_depot_spread(routes, lambda r: r.duration_s),
        depot_work_spread_s=_mean_depot_spread(routes, lambda r: r.work_s),
        total_cost=round(sum(r.cost for r in routes), 2),
        reloads=sum(len(r.reloads) for r in routes),
        priority_households=sum(1 for h in scenario.households if h.priority),
        priority_late=sum(1 for r in routes for s in r.stops if s.late),
        walks=sum(len(r.parks) for r in routes),
        doors_on_foot=sum(p.last_stop - p.first_stop + 1 for r in routes for p in r.parks),
        walked_m=round(sum(p.walk_m for r in routes for p in r.parks), 1),
    )


def _mean_depot_spread(routes: list[Route], seconds: Callable[[Route], int]) -> int:
    """Longest minus shortest among each depot's routes, averaged over depots with two or more."""
    by_depot: dict[str, list[int]] = {}
    for r in routes:
        by_depot.setdefault(r.depot_id, []).append(seconds(r))
    spreads = [max(d) - min(d) for d in by_depot.values() if len(d) > 1]
    return round(sum(spreads) / len(spreads)) if spreads else 0


def _fairness(scenario: Scenario, routes: list[Route]) -> tuple[DesaFairness, ...]:
    """Per depot: the teams of the scenario there, and the working time of those at work."""
    return desa_fairness(
        [(d.depot_id, d.desa_code) for d in scenario.depots],
        Counter(t.depot_id for t in scenario.teams),
        ((r.depot_id, r.work_s) for r in routes),
    )


def _meta(inputs: PlanInputs) -> dict[str, Any]:
    """Everything that can change the plan besides the input files, and the versions."""
    scenario = inputs.scenario
    rules = scenario.rules
    statuses = Counter(str(r.status) for r in inputs.assignment.results)
    return {
        "input_hash": scenario.input_hash,
        "seed": scenario.config.solver.seed,
        # Worker processes change how fast, never what: they stay out of the plan.
        "solver": scenario.config.solver.model_dump(mode="json", exclude={"workers"}),
        "graph": {
            "max_snap_m": scenario.config.graph.max_snap_m,
            "walk_speed_kph": scenario.config.graph.walk_speed_kph,
            "matrix_buffer_m": scenario.config.graph.matrix_buffer_m,
            "profiles_used": sorted(inputs.profiles),
        },
        "road_network": inputs.road_network.to_dict(),
        "subproblems": len(inputs.problem.tasks),
        "day_rules": {
            "friday": rules.friday,
            "break": None
            if rules.break_s == 0
            else {
                "earliest": format_clock(rules.break_earliest_s),
                "latest": format_clock(rules.break_latest_s),
                "minutes": rules.break_s / 60,
            },
            "max_work_s": rules.max_work_s,
            "pooling": scenario.pooling,
            "priority_by": scenario.service.priority_by,
        },
        "search_status": dict(sorted(statuses.items())),
        "versions": _versions(),
    }


def assemble_plan(inputs: PlanInputs) -> Plan:
    """Build the Plan from the outputs of every stage.

    Parameters
    ----------
    inputs : PlanInputs

    Returns
    -------
    Plan
        Every household row of the scenario is in exactly one route stop or in ``unserved``.
        ``render`` is the scenario's ``[render]`` settings.

    Raises
    ------
    SnappingError
        If no team can leave any depot (no depot is on a road its teams' vehicles can use).
    UnreachableError
        If not a single household can be reached by road (all too far from a usable road, or
        next to roads cut off from their depot).
    InfeasibleError
        If the solver found no solution for any sub-problem with households to route.
    """
    check_depot_snaps(inputs.scenario, inputs.snapped)
    _check_reachable(inputs)
    _check_solved(inputs)
    scenario = inputs.scenario
    warnings: list[str] = [*scenario.notices, *inputs.problem.warnings]
    routes = [
        _build_route(
            inputs,
            task,
            vehicle,
            nodes,
            inputs.geometry.of_route(task.key, vehicle),
            warnings,
            result.schedules[vehicle] if result.schedules else None,
        )
        for task, result in zip(inputs.problem.tasks, inputs.assignment.results, strict=True)
        for vehicle, nodes in enumerate(result.routes)
        if nodes
    ]
    unserved = _unserved(inputs)
    warnings += _search_warnings(inputs)
    synthetic, data_notice = _data_notice(inputs)
    return Plan(
        scenario=scenario.name,
        title=scenario.title,
        date=scenario.date.isoformat() if scenario.date else None,
        synthetic_data=synthetic,
        data_notice=data_notice,
        households_total=scenario.households_total,
        routes=tuple(routes),
        unserved=tuple(unserved),
        depots=_depot_sites(inputs),
        areas=_areas(inputs),
        kpis=_kpis(scenario, routes, unserved),
        fairness=_fairness(scenario, routes),
        warnings=tuple(warnings),
        meta=_meta(inputs),
        render=scenario.config.render,
    )
