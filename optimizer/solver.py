"""OR-Tools adapter: solve routing tasks -> Assignment. The only module that imports ortools.

Each task becomes one OR-Tools routing model: one vehicle per team, starting and ending at its
depot. Dimensions: ``time`` (transit = service or reload time at the origin + travel with the
team's own profile; a break per team, OR-Tools break intervals; shift and working-time limits),
``load`` (packages since the last reload; a reload node resets it through its slack) and
``trips`` (reloads, against each team's trip limit). Reload nodes are optional copies of a depot
that only that depot's teams may visit. Every household is optional with a large drop penalty,
so the search always returns a plan; priority households carry a soft deadline.

Teams may leave their depot later than the shift start (a route whose doors open in the
afternoon does not wait from the morning); the schedule then leaves as late as the route allows.

Objectives: ``total_time`` (arc cost = transit seconds, plus each route's span, so waiting
counts as much as time on the road), ``cost`` (rupiah per km and per hour,
plus a fixed cost per team used), ``longest_route`` (total time plus a heavy global-span cost,
so the longest route is as short as possible).

Search stops on an effort limit that does not depend on the machine (``solutions_per_stop``
times the task size), so a scenario and seed give the same plan everywhere. The wall-clock
``time_limit_s`` is a safety net only, by one rule (:func:`solve_routes`): every search may use
the whole stage's limit, and the stage as a whole stops at that limit, so a search that starts
when less is left gets what is left. At default settings no search comes near its guard, so the
plan depends neither on the number of workers nor on the speed of the machine; when a guard does
cut a search, the result says so. Tasks run in parallel worker processes (largest first);
results come back in task order.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.config import SolverConfig
from optimizer.matrix import UNREACHABLE_S
from optimizer.parallel import default_workers, run_parallel
from optimizer.problem import estimate_effort
from optimizer.schedule import RouteSchedule, schedule_route
from optimizer.task import RELOAD, UNLIMITED_TRIPS, SolveTask, VehicleSpec

logger = logging.getLogger(__name__)

#: Longest a team may wait at a door for its window to open (seconds): a whole day.
MAX_WAIT_S = 24 * 3600
#: Upper bound of the time dimension: the end of the planning day, or later when a task's own
#: shifts or windows run later (OR-Tools fails outright on a range beyond the dimension).
HORIZON_S = 24 * 3600
#: Smallest guard one task gets, even when the stage's safety net is spent (seconds): enough
#: for a first solution of a small desa, so a late task still returns a plan, marked as cut.
MIN_TASK_TIME_S = 1.0
#: A search that ran this share of its guard or more counts as cut by it (OR-Tools stops a
#: little before the limit it was given, and the model is built inside the guard too).
CUT_SHARE = 0.98
#: Up to this many households a task is solved by greedy descent to a local optimum: a
#: metaheuristic on a tiny task can run out of new solutions and would then idle until its
#: wall-clock guard, which is slow and not reproducible.
SMALL_TASK_SIZE = 8
#: Reload visits offered per depot beyond those the packages strictly need.
RELOAD_SPARE = 2
#: Cost of one second by which the longest route grows, in route-seconds (``longest_route``).
BALANCE_WEIGHT = 50
#: Cost of one second a priority household is served after its deadline, in route-seconds.
PRIORITY_WEIGHT = 2
TIME_DIMENSION = "time"
LOAD_DIMENSION = "load"
TRIPS_DIMENSION = "trips"


class SolveStatus(StrEnum):
    """Our own view of the OR-Tools search status."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    TIME_LIMIT = "time_limit"
    NO_SOLUTION = "no_solution"
    EMPTY = "empty"


_ROUTING = routing_enums_pb2.RoutingSearchStatus
_STATUS = {
    _ROUTING.ROUTING_OPTIMAL: SolveStatus.OPTIMAL,
    _ROUTING.ROUTING_SUCCESS: SolveStatus.FEASIBLE,
    # Stopped by the effort limit before a local optimum: a normal, reproducible result.
    _ROUTING.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: SolveStatus.FEASIBLE,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskResult:
    """Routes of one task: per vehicle (task order), the local nodes it visits in order.

    :data:`~optimizer.task.RELOAD` marks a return to the team's depot to reload.
    ``schedules`` holds each route's timing where the search already worked it out (to check
    the breaks), so the plan need not time the route again; empty otherwise.
    """

    key: str
    status: SolveStatus
    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    objective: int
    hit_time_limit: bool
    wall_s: float = field(compare=False)
    guard_s: float = field(compare=False)
    schedules: tuple[RouteSchedule | None, ...] = field(default=(), compare=False, repr=False)
    #: Continuity: pinned doors freed because their team could no longer take them.
    released: tuple[int, ...] = ()
    #: Continuity: the plan freed of last month's teams saved enough to be taken.
    rebalanced: bool = False

    @property
    def guard_share(self) -> float:
        """Share of its wall-clock guard the search used.

        At 1/3 or less, the same search on a machine three times slower would not be cut.
        """
        return self.wall_s / self.guard_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Results of all tasks, in task order.

    ``wall_s`` and ``guard_s`` are the whole stage's wall time and its safety net (seconds);
    like each result's timings they are not part of equality.
    """

    results: tuple[TaskResult, ...]
    solver_version: str
    wall_s: float = field(default=0.0, compare=False)
    guard_s: float = field(default=math.inf, compare=False)

    @property
    def guard_share(self) -> float:
        """Largest share of a wall-clock guard used: by any one search, or by the whole stage.

        Below 1/3, the same run on a machine three times slower (same number of cores) would
        not be cut anywhere: a search started late has what is left of the stage's net as its
        guard, and the stage's share bounds that case.
        """
        shares = [r.guard_share for r in self.results if r.guard_s > 0]
        return max([self.wall_s / self.guard_s, *shares])


def _solution_count(config: SolverConfig, size: int) -> int:
    """Solutions the search runs for (its machine-independent effort limit)."""
    if size <= SMALL_TASK_SIZE:
        return 1
    if config.solutions_per_stop <= 0:
        return size  # searching by time only: share the time by size squared
    return max(2, config.min_solutions, math.ceil(config.solutions_per_stop * size))


def _search_parameters(
    config: SolverConfig, size: int, time_limit_s: float
) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, config.first_solution
    )
    metaheuristic = "GREEDY_DESCENT" if size <= SMALL_TASK_SIZE else config.metaheuristic
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    if config.solutions_per_stop > 0 and metaheuristic != "GREEDY_DESCENT":
        params.solution_limit = _solution_count(config, size)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    # OR-Tools bounds each large-neighbourhood sub-search (and the restore of a starting plan)
    # by lns_time_limit, 100 ms by default: a wall-clock limit that binds on a busy or slow
    # machine and changes the plan. The task's own guard bounds them instead.
    params.lns_time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.log_search = False
    return params


def reload_slots(task: SolveTask, candidates: Sequence[int]) -> dict[int, int]:
    """How many optional reload visits each depot of a task offers its teams.

    Enough for the packages the task's teams cannot carry in one trip each, plus
    ``RELOAD_SPARE`` (when sizing: as many as the packages could use), never more than the
    teams' trip limits allow.
    """
    demand = int(task.demand[list(candidates)].sum()) if candidates else 0
    one_trip = sum(v.capacity for v in task.vehicles)
    slots: dict[int, int] = {}
    for depot in sorted({v.depot_node for v in task.vehicles}):
        reloaders = [v for v in task.vehicles if v.depot_node == depot and v.may_reload()]
        if not reloaders or demand == 0:
            continue
        smallest = min(v.capacity for v in reloaders)
        need = math.ceil(max(0, demand - one_trip) / smallest) + min(len(reloaders), RELOAD_SPARE)
        if any(v.call_up_cost for v in reloaders):
            # Sizing offers many more teams than it will call up: reloads are what lets
            # fewer teams carry the packages, so offer as many as the packages could use.
            need = math.ceil(demand / smallest)
        need = min(need, math.ceil(demand / smallest))
        if all(v.max_trips != UNLIMITED_TRIPS for v in reloaders):
            need = min(need, sum(v.max_trips - 1 for v in reloaders))
        if need > 0:
            slots[depot] = need
    return slots


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Layout:
    """Model nodes: used depots, then reload copies of depots, then candidate households."""

    sites: npt.NDArray[np.int64]  # local task node of each model node
    n_depots: int
    reload_depot: tuple[int, ...]  # task depot node of each reload model node
    candidates: tuple[int, ...]

    @property
    def first_household(self) -> int:
        return self.n_depots + len(self.reload_depot)


def _layout(task: SolveTask, candidates: list[int]) -> _Layout:
    used = sorted({v.depot_node for v in task.vehicles})
    reloads = [d for d, count in reload_slots(task, candidates).items() for _ in range(count)]
    return _Layout(
        sites=np.array(used + reloads + candidates, dtype=np.int64),
        n_depots=len(used),
        reload_depot=tuple(reloads),
        candidates=tuple(candidates),
    )


def _stay_s(task: SolveTask, layout: _Layout, spec: VehicleSpec) -> npt.NDArray[np.int64]:
    """Time a team of this kind spends at each model node (0 at depots, reload time, service)."""
    stay = task.service_s[spec.profile][layout.sites].astype(np.int64)
    stay[: layout.n_depots] = 0
    stay[layout.n_depots : layout.first_household] = spec.reload_s
    return stay


def _drop_penalty(task: SolveTask, config: SolverConfig) -> int:
    penalty = config.drop_penalty_s
    if config.objective == "cost":
        # Rupiah per second at motorway speed bounds what a second of route can cost.
        per_second = max(v.cost_per_hour / 3600 + v.cost_per_km * 0.025 for v in task.vehicles)
        fixed = max(v.fixed_cost for v in task.vehicles)
        penalty = math.ceil(penalty * max(1.0, per_second) + 10 * fixed)
    elif config.objective == "longest_route":
        penalty *= 1 + BALANCE_WEIGHT
    # Never leave a door to save calling a team up.
    return int(max(penalty, 10 * max(v.call_up_cost for v in task.vehicles)))


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Model:
    """One task's routing model while it is built: what every part of the model reads."""

    task: SolveTask
    layout: _Layout
    config: SolverConfig
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    #: Time at each model node per kind of team (profile, reload time).
    stays: dict[tuple[str, int], npt.NDArray[np.int64]]


def _build_model(
    task: SolveTask, layout: _Layout, config: SolverConfig, *, breaks: bool
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """Build a task's routing model: costs, time and breaks, load and trips, reloads, doors."""
    used = [int(d) for d in layout.sites[: layout.n_depots]]
    starts = [used.index(v.depot_node) for v in task.vehicles]
    manager = pywrapcp.RoutingIndexManager(
        int(layout.sites.size), len(task.vehicles), starts, starts
    )
    routing = pywrapcp.RoutingModel(manager)
    stays: dict[tuple[str, int], npt.NDArray[np.int64]] = {}
    for spec in task.vehicles:  # the first team of each kind stands for its kind
        if (spec.profile, spec.reload_s) not in stays:
            stays[(spec.profile, spec.reload_s)] = _stay_s(task, layout, spec)
    model = _Model(
        task=task, layout=layout, config=config, manager=manager, routing=routing, stays=stays
    )
    transit_callbacks = _add_costs(model)
    time_dim = _add_time(model, transit_callbacks, breaks=breaks)
    _add_load_and_trips(model)
    _add_reloads(model, time_dim)
    _add_households(model, time_dim)
    _add_continuity(model)
    return manager, routing


def _add_costs(model: _Model) -> list[int]:
    """Register the travel-time callbacks and each team's arc and fixed costs.

    Returns the time callback of each vehicle (one per kind of team).
    """
    task, routing, keep = model.task, model.routing, model.layout.sites
    time_cb: dict[tuple[str, int], int] = {}
    cost_cb: dict[tuple[str, int, float, float], int] = {}
    transits: dict[tuple[str, int], npt.NDArray[np.int64]] = {}
    transit_callbacks: list[int] = []
    for vehicle, spec in enumerate(task.vehicles):
        kind = (spec.profile, spec.reload_s)
        if kind not in time_cb:
            transit = task.time_s[spec.profile][np.ix_(keep, keep)].astype(np.int64)
            transit += model.stays[kind][:, None]
            transits[kind] = transit
            time_cb[kind] = routing.RegisterTransitMatrix(transit.tolist())
        transit_callbacks.append(time_cb[kind])
        if model.config.objective != "cost":
            routing.SetArcCostEvaluatorOfVehicle(time_cb[kind], vehicle)
            if spec.call_up_cost:
                routing.SetFixedCostOfVehicle(spec.call_up_cost, vehicle)
            continue
        money = (*kind, spec.cost_per_hour, spec.cost_per_km)
        if money not in cost_cb:
            seconds = transits[kind]
            metres = (
                task.distance_m[spec.profile][np.ix_(keep, keep)]
                if spec.profile in task.distance_m
                else np.zeros_like(seconds)
            )
            rupiah = spec.cost_per_hour * seconds / 3600 + spec.cost_per_km * metres / 1000
            cost_cb[money] = routing.RegisterTransitMatrix(
                np.rint(rupiah).astype(np.int64).tolist()
            )
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[money], vehicle)
        routing.SetFixedCostOfVehicle(round(spec.fixed_cost) + spec.call_up_cost, vehicle)
    return transit_callbacks


def _add_time(
    model: _Model, transit_callbacks: list[int], *, breaks: bool
) -> pywrapcp.RoutingDimension:
    """Add the time dimension: shifts, working-time caps, breaks and the time objective."""
    task, routing, manager = model.task, model.routing, model.manager
    vehicles = task.vehicles
    horizon = max(
        HORIZON_S,
        max(v.shift_end_s for v in vehicles),
        int(task.window_end_s[model.layout.sites].max()),
    )
    routing.AddDimensionWithVehicleTransits(
        transit_callbacks, MAX_WAIT_S, horizon, False, TIME_DIMENSION
    )
    time_dim = routing.GetDimensionOrDie(TIME_DIMENSION)
    solver = routing.solver()
    for vehicle, spec in enumerate(vehicles):
        time_dim.CumulVar(routing.Start(vehicle)).SetRange(spec.shift_start_s, spec.shift_end_s)
        rule = spec.break_rule
        end = spec.shift_end_s if breaks else _end_without_break(task, vehicle)
        time_dim.CumulVar(routing.End(vehicle)).SetRange(spec.shift_start_s, end)
        if spec.max_work_s is not None:
            span = spec.max_work_s
            # A break counted out of the working time, only when every route must cross it.
            if rule is not None and spec.shift_start_s + spec.max_work_s > rule.latest_s:
                span += rule.duration_s
            time_dim.SetSpanUpperBoundForVehicle(span, vehicle)
        if breaks and rule is not None and rule.duration_s > 0:
            stay = model.stays[(spec.profile, spec.reload_s)]
            visit = [int(stay[manager.IndexToNode(index)]) for index in range(routing.Size())]
            interval = solver.FixedDurationIntervalVar(
                rule.earliest_s, rule.latest_s, rule.duration_s, False, f"break {vehicle}"
            )
            time_dim.SetBreakIntervalsOfVehicle([interval], vehicle, visit)
    if model.config.objective != "cost":
        # Time a team spends waiting counts like time on the road (route time = span).
        time_dim.SetSpanCostCoefficientForAllVehicles(1)
    if model.config.objective == "longest_route":
        time_dim.SetGlobalSpanCostCoefficient(BALANCE_WEIGHT)
    return time_dim


def _end_without_break(task: SolveTask, vehicle: int) -> int:
    """Latest end of a route in the model without break intervals.

    The shift's end, except when sizing or starting from given routes: then the break's
    length stays free at the end (or as much as the starting route already uses), so that the
    break fits into the routes afterwards and no slow search with break intervals is needed
    (a descent with them took 75 s for one desa of 293 doors, without them 3.5 s).
    """
    spec = task.vehicles[vehicle]
    rule = spec.break_rule
    if rule is None or rule.duration_s <= 0 or (not spec.call_up_cost and task.start is None):
        return spec.shift_end_s
    end = max(spec.shift_start_s, spec.shift_end_s - rule.duration_s)
    route = _given_route(task, vehicle)
    if route:
        timed = schedule_route(task, vehicle, route)
        if timed.feasible:
            end = max(end, timed.end_s - (rule.duration_s if timed.break_inside else 0))
    return end


def _given_route(task: SolveTask, vehicle: int) -> tuple[int, ...]:
    """Return a team's starting route as it stands today: its doors still to plan, tidied."""
    if task.start is None:
        return ()
    return _tidy([n for n in task.start[vehicle] if n == RELOAD or task.candidates[n]])


def _add_load_and_trips(model: _Model) -> None:
    """Add the load since the last reload and, where trips are limited, the trip count.

    A reload node takes the load down by the largest capacity and its slack lets it land
    anywhere from 0 up.
    """
    task, layout, routing = model.task, model.layout, model.routing
    vehicles = task.vehicles
    biggest = max(v.capacity for v in vehicles)
    demand = task.demand[layout.sites].astype(np.int64)
    demand[layout.n_depots : layout.first_household] = -biggest
    demand_cb = routing.RegisterUnaryTransitVector(demand.tolist())
    routing.AddDimensionWithVehicleCapacity(
        demand_cb,
        biggest if layout.reload_depot else 0,
        [v.capacity for v in vehicles],
        True,
        LOAD_DIMENSION,
    )
    if not layout.reload_depot or not any(
        v.may_reload() and v.max_trips != UNLIMITED_TRIPS for v in vehicles
    ):
        return
    counts = np.zeros(layout.sites.size, dtype=np.int64)
    counts[layout.n_depots : layout.first_household] = 1
    trips_cb = routing.RegisterUnaryTransitVector(counts.tolist())
    limits = [
        len(layout.reload_depot) if v.max_trips == UNLIMITED_TRIPS else v.max_trips - 1
        for v in vehicles
    ]
    routing.AddDimensionWithVehicleCapacity(trips_cb, 0, limits, True, TRIPS_DIMENSION)


def _add_reloads(model: _Model, time_dim: pywrapcp.RoutingDimension) -> None:
    """Make each reload visit optional and open to its own depot's reloading teams only."""
    vehicles, routing = model.task.vehicles, model.routing
    earliest = min(v.shift_start_s for v in vehicles)
    latest = max(v.shift_end_s for v in vehicles)
    for model_node, depot in enumerate(model.layout.reload_depot, start=model.layout.n_depots):
        index = model.manager.NodeToIndex(model_node)
        time_dim.CumulVar(index).SetRange(earliest, latest)
        routing.AddDisjunction([index], 0)
        barred = [
            vehicle
            for vehicle, spec in enumerate(vehicles)
            if spec.depot_node != depot or not spec.may_reload()
        ]
        if barred:
            routing.VehicleVar(index).RemoveValues(barred)


def _add_households(model: _Model, time_dim: pywrapcp.RoutingDimension) -> None:
    """Give each door its window, its drop penalty, its priority deadline and its teams."""
    task, config, routing = model.task, model.config, model.routing
    vehicles = task.vehicles
    penalty = _drop_penalty(task, config)
    lateness = PRIORITY_WEIGHT
    if config.objective == "cost":
        lateness = max(
            1, math.ceil(PRIORITY_WEIGHT * max(v.cost_per_hour for v in vehicles) / 3600)
        )
    keep = model.layout.sites
    for model_node in range(model.layout.first_household, keep.size):
        node = int(keep[model_node])
        index = model.manager.NodeToIndex(model_node)
        time_dim.CumulVar(index).SetRange(
            int(task.window_start_s[node]), int(task.window_end_s[node])
        )
        routing.AddDisjunction([index], penalty)
        due = task.due_of(node)
        if due >= 0:
            time_dim.SetCumulVarSoftUpperBound(index, due, lateness)
        group = task.group_of(node)
        barred = [
            vehicle
            for vehicle, spec in enumerate(vehicles)
            if not spec.serves(group)
            or task.time_s[spec.profile][spec.depot_node, node] >= UNREACHABLE_S
            or task.time_s[spec.profile][node, spec.depot_node] >= UNREACHABLE_S
        ]
        if barred:
            routing.VehicleVar(index).RemoveValues(barred)


def _add_continuity(model: _Model) -> None:
    """Keep each pinned household with its team (it may still be left out, as any door)."""
    pinned = model.task.pinned
    if pinned is None:
        return
    for model_node in range(model.layout.first_household, model.layout.sites.size):
        vehicle = int(pinned[int(model.layout.sites[model_node])])
        if vehicle >= 0:
            index = model.manager.NodeToIndex(model_node)
            model.routing.VehicleVar(index).SetValues([-1, vehicle])


def _start_routes(task: SolveTask, layout: _Layout) -> list[list[int]] | None:
    """Return the task's starting plan as model node lists (None: it has none).

    A route that breaks a rule today (its timing no longer fits, or a reload has no visit
    left at its depot) starts empty; its doors are left for the search to place.
    """
    if task.start is None:
        return None
    model_node = {
        int(node): m for m, node in enumerate(layout.sites) if m >= layout.first_household
    }
    slots: dict[int, list[int]] = {}
    for m, depot in enumerate(layout.reload_depot, start=layout.n_depots):
        slots.setdefault(depot, []).append(m)
    routes: list[list[int]] = []
    for vehicle, spec in enumerate(task.vehicles):
        kept = _given_route(task, vehicle)
        free = slots.get(spec.depot_node, [])
        reloads = sum(1 for n in kept if n == RELOAD)
        if not kept or reloads > len(free) or not schedule_route(task, vehicle, kept).feasible:
            routes.append([])
            continue
        routes.append([free.pop(0) if n == RELOAD else model_node[n] for n in kept])
    return routes


def _read_routes(
    routing: pywrapcp.RoutingModel,
    params: pywrapcp.RoutingSearchParameters,
    routes: list[list[int]],
) -> pywrapcp.Assignment | None:
    """Close the model and read a plan given as model node lists (None if it breaks a rule).

    Reading the routes back runs a search under the closing parameters' limits: with the
    effort limit it went on for a second, better solution through every value of the time
    cumuls (71,000 failures, 10 s for 58 doors). One solution is all it needs.
    """
    closing = pywrapcp.DefaultRoutingSearchParameters()
    closing.CopyFrom(params)
    closing.solution_limit = 1
    routing.CloseModelWithParameters(closing)
    assignment: pywrapcp.Assignment | None = routing.ReadAssignmentFromRoutes(routes, True)
    return assignment


def _solve_from_start(
    routing: pywrapcp.RoutingModel,
    task: SolveTask,
    layout: _Layout,
    params: pywrapcp.RoutingSearchParameters,
    *,
    breaks: bool,
) -> pywrapcp.Assignment | None:
    """Improve the task's starting plan by greedy descent (None: no usable start).

    From a plan that is already good (last month's, or the one team sizing found) local moves
    place the new doors and settle the changes; a metaheuristic would search the whole day
    again. The descent ends at its local optimum, on any machine the same.
    """
    routes = _start_routes(task, layout)
    if routes is None:
        return None
    initial = _read_routes(routing, params, routes)
    if initial is None:
        logger.warning("sub-problem %s: the starting plan breaks a rule; planned afresh", task.key)
        return None
    solution: pywrapcp.Assignment | None = routing.SolveFromAssignmentWithParameters(
        initial, _descent(params, limited=breaks)
    )
    return solution


def _descent(
    params: pywrapcp.RoutingSearchParameters, *, limited: bool = False
) -> pywrapcp.RoutingSearchParameters:
    """Return the same search settings, but greedy descent.

    It ends at its first local optimum, or with ``limited`` after the effort limit's number
    of solutions (a descent from a rough plan in a model with breaks: 7 teams took 99 s).
    """
    descent = pywrapcp.DefaultRoutingSearchParameters()
    descent.CopyFrom(params)
    descent.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    if not limited or not descent.solution_limit:
        descent.solution_limit = 2**63 - 1
    return descent


def _reloads_needed(task: SolveTask, candidates: Sequence[int]) -> bool:
    """Say whether the doors hold more packages than every team carries in one trip."""
    demand = int(task.demand[list(candidates)].sum())
    return demand > sum(v.capacity for v in task.vehicles)


def _greedy_trips(task: SolveTask, layout: _Layout) -> list[list[int]]:
    """Return a first plan with reloads, as model node lists per vehicle (depots left out).

    Each team in turn (largest vehicles first, as handed over) goes to the nearest door it may
    serve and can still reach in its window and come back from within its shift and working
    time; when the next door does not fit in the vehicle, it takes one of its depot's reload
    visits if one is left. Doors no team can take this way are left for the search.
    """
    slots: dict[int, list[int]] = {}
    for model_node, depot in enumerate(layout.reload_depot, start=layout.n_depots):
        slots.setdefault(depot, []).append(model_node)
    free = set(range(layout.first_household, int(layout.sites.size)))
    return [_greedy_route(task, layout, spec, slots, free) for spec in task.vehicles]


def _greedy_route(
    task: SolveTask,
    layout: _Layout,
    spec: VehicleSpec,
    slots: dict[int, list[int]],
    free: set[int],
) -> list[int]:
    """Fill one team's day with the nearest doors that fit (see :func:`_greedy_trips`).

    When sizing, the route ends the break's length before the shift does, as the model
    without break intervals asks (:func:`_add_time`).
    """
    times = task.time_s[spec.profile]
    service = task.service_s[spec.profile]
    limit = spec.shift_end_s
    if spec.max_work_s is not None:
        limit = min(limit, spec.shift_start_s + spec.max_work_s)
    if spec.call_up_cost and spec.break_rule is not None:
        limit = min(limit, max(spec.shift_start_s, spec.shift_end_s - spec.break_rule.duration_s))
    route: list[int] = []
    depot = spec.depot_node
    at, clock, load = depot, spec.shift_start_s, 0
    while True:
        best: tuple[int, int, int] | None = None  # (arrival, model node, via reload)
        for model_node in free:
            node = int(layout.sites[model_node])
            if not spec.serves(task.group_of(node)):
                continue
            reload = load + int(task.demand[node]) > spec.capacity
            if reload and (not spec.may_reload() or not slots.get(depot)):
                continue
            leave, origin = clock, at
            if reload:
                leave, origin = clock + int(times[at, depot]) + spec.reload_s, depot
            arrive = max(leave + int(times[origin, node]), int(task.window_start_s[node]))
            back = arrive + int(service[node]) + int(times[node, depot])
            if arrive > int(task.window_end_s[node]) or back > limit:
                continue
            if best is None or (arrive, model_node) < best[:2]:
                best = (arrive, model_node, int(reload))
        if best is None:
            return route
        arrive, model_node, via_reload = best
        node = int(layout.sites[model_node])
        if via_reload:
            route.append(slots[depot].pop(0))
            load = 0
        route.append(model_node)
        free.discard(model_node)
        load += int(task.demand[node])
        at, clock = node, arrive + int(service[node])


def _tidy(route: list[int]) -> tuple[int, ...]:
    """Drop reloads that carry nothing: at the start, at the end, or twice in a row."""
    tidy: list[int] = []
    for node in route:
        if node == RELOAD and (not tidy or tidy[-1] == RELOAD):
            continue
        tidy.append(node)
    while tidy and tidy[-1] == RELOAD:
        tidy.pop()
    return tuple(tidy)


def solve_task(task: SolveTask, config: SolverConfig, *, time_limit_s: float) -> TaskResult:
    """Solve one routing task with OR-Tools.

    Parameters
    ----------
    task : SolveTask
    config : SolverConfig
    time_limit_s : float
        Wall-clock guard for this task (seconds), counted from the call: model building and
        every search it runs (a second one when the breaks must go into the model).

    Returns
    -------
    TaskResult
        ``status`` is NO_SOLUTION when OR-Tools returned nothing (then every candidate is
        listed as dropped, so no household is lost); ``hit_time_limit`` says the guard, not
        the effort limit, stopped the search.
    """
    started = time.perf_counter()
    candidates = [int(i) for i in np.flatnonzero(task.candidates)]
    if not candidates:
        return TaskResult(
            key=task.key,
            status=SolveStatus.EMPTY,
            routes=tuple(() for _ in task.vehicles),
            dropped=(),
            objective=0,
            hit_time_limit=False,
            wall_s=0.0,
            guard_s=time_limit_s,
        )
    layout = _layout(task, candidates)
    if task.pinned is not None:
        return _solve_carried(task, layout, config, started, time_limit_s)
    return _solve_with_breaks(task, layout, config, started, time_limit_s)


def _solve_with_breaks(
    task: SolveTask, layout: _Layout, config: SolverConfig, started: float, time_limit_s: float
) -> TaskResult:
    """Solve without break intervals; with them only if a route then cannot keep its break.

    Break intervals slow OR-Tools' search several times over, and most routes keep their
    break anyway (they end before it or have slack around it).
    """
    with_breaks = False
    if any(v.break_rule is not None and v.break_rule.duration_s > 0 for v in task.vehicles):
        first = _solve_model(task, layout, config, started, time_limit_s, breaks=False)
        if first.status is not SolveStatus.NO_SOLUTION:
            schedules = tuple(
                schedule_route(task, vehicle, route) if route else None
                for vehicle, route in enumerate(first.routes)
            )
            if all(s.feasible for s in schedules if s is not None):
                return replace(first, schedules=schedules)
        with_breaks = True
    return _solve_model(task, layout, config, started, time_limit_s, breaks=with_breaks)


def _solve_carried(
    task: SolveTask, layout: _Layout, config: SolverConfig, started: float, time_limit_s: float
) -> TaskResult:
    """Re-plan a month on from last month's routes, households pinned to their teams.

    1. Pinned, from last month's routes: new doors find a place, gone ones leave a gap.
    2. Pinned doors that found no place with their team (a rule would break) are freed.
    3. Everything freed, from the result: taken only if it saves more than
       ``task.release_pct`` per cent of the objective (``rebalanced``).
    A route with the same doors as last month keeps last month's order.
    """
    assert task.pinned is not None
    result = _solve_with_breaks(task, layout, config, started, time_limit_s)
    stuck = tuple(n for n in result.dropped if task.pinned[n] >= 0)
    current = task
    if stuck:
        pinned = task.pinned.copy()
        pinned[list(stuck)] = -1
        current = replace(task, pinned=pinned, start=result.routes)
        result = replace(
            _solve_with_breaks(current, layout, config, started, time_limit_s), released=stuck
        )
    free = replace(current, pinned=None, start=result.routes)
    loose = _solve_with_breaks(free, layout, config, started, time_limit_s)
    if loose.objective < result.objective * (1 - task.release_pct / 100):
        result = replace(loose, released=result.released, rebalanced=True)
    return _keep_order(task, result)


def _keep_order(task: SolveTask, result: TaskResult) -> TaskResult:
    """Give each route whose doors are last month's doors last month's order (if it holds)."""
    if task.start is None:
        return result
    routes = list(result.routes)
    schedules: list[RouteSchedule | None] = (
        list(result.schedules) if result.schedules else [None] * len(routes)
    )
    for vehicle, route in enumerate(routes):
        before = _given_route(task, vehicle)
        doors = sorted(n for n in route if n != RELOAD)
        if route == before or doors != sorted(n for n in before if n != RELOAD):
            continue
        timed = schedule_route(task, vehicle, before)
        if timed.feasible:
            routes[vehicle], schedules[vehicle] = before, timed
    return replace(result, routes=tuple(routes), schedules=tuple(schedules))


def _solve_from_greedy(
    routing: pywrapcp.RoutingModel,
    task: SolveTask,
    layout: _Layout,
    params: pywrapcp.RoutingSearchParameters,
    config: SolverConfig,
) -> pywrapcp.Assignment | None:
    """Search from the greedy plan where one is needed (None: search from scratch).

    The insertion heuristics never insert a reload visit, so where reloads are needed the
    search starts from a greedy plan that reloads when a vehicle is full. When sizing, that
    plan fills one team after another, in the order the teams are given, before the next is
    called up: local moves alone do not empty a team. With a global span cost
    (``longest_route``), a search started from a given plan ran to its time limit instead of
    its solution limit, so that objective never starts from it.
    """
    if config.objective == "longest_route":
        return None
    sizing = any(v.call_up_cost for v in task.vehicles)
    reloads = bool(layout.reload_depot) and _reloads_needed(task, list(layout.candidates))
    if not (reloads or sizing):
        return None
    initial = _read_routes(routing, params, _greedy_trips(task, layout))
    if initial is None:
        return None
    solution: pywrapcp.Assignment | None = routing.SolveFromAssignmentWithParameters(
        initial, params
    )
    return solution


def _solve_model(
    task: SolveTask,
    layout: _Layout,
    config: SolverConfig,
    started: float,
    time_limit_s: float,
    *,
    breaks: bool,
) -> TaskResult:
    candidates = list(layout.candidates)
    manager, routing = _build_model(task, layout, config, breaks=breaks)
    left = max(MIN_TASK_TIME_S / 10, time_limit_s - (time.perf_counter() - started))
    params = _search_parameters(config, len(candidates), left)
    solution = _solve_from_start(routing, task, layout, params, breaks=breaks)
    if solution is None and task.start is None and not breaks:
        solution = _solve_from_greedy(routing, task, layout, params, config)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    status = _STATUS.get(routing.status(), SolveStatus.NO_SOLUTION)
    wall = time.perf_counter() - started
    hit_limit = wall >= time_limit_s * CUT_SHARE
    if solution is None:
        logger.warning(
            "sub-problem %s: OR-Tools found no solution (status %s)", task.key, routing.status()
        )
        return TaskResult(
            key=task.key,
            status=SolveStatus.NO_SOLUTION,
            routes=tuple(() for _ in task.vehicles),
            dropped=tuple(candidates),
            objective=0,
            hit_time_limit=hit_limit,
            wall_s=wall,
            guard_s=time_limit_s,
        )
    routes: list[tuple[int, ...]] = []
    visited: set[int] = set()
    for vehicle in range(len(task.vehicles)):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        stops: list[int] = []
        while not routing.IsEnd(index):
            model_node = manager.IndexToNode(index)
            if model_node < layout.first_household:
                stops.append(RELOAD)
            else:
                node = int(layout.sites[model_node])
                stops.append(node)
                visited.add(node)
            index = solution.Value(routing.NextVar(index))
        routes.append(_tidy(stops))
    dropped = tuple(node for node in candidates if node not in visited)
    return TaskResult(
        key=task.key,
        status=SolveStatus.TIME_LIMIT if hit_limit else status,
        routes=tuple(routes),
        dropped=dropped,
        objective=int(solution.ObjectiveValue()),
        hit_time_limit=hit_limit,
        wall_s=wall,
        guard_s=time_limit_s,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stage:
    """What every job of the solve stage shares: the settings and the stage's safety net."""

    config: SolverConfig
    deadline: float  # time.monotonic() at which the stage's guard runs out


def _solve_job(stage: _Stage, item: tuple[SolveTask, float]) -> TaskResult:
    task, limit = item
    # time.monotonic() is one clock for the whole machine, so forked workers agree on it.
    left = stage.deadline - time.monotonic()
    guard = max(MIN_TASK_TIME_S, min(limit, left))
    return solve_task(task, stage.config, time_limit_s=guard)


def task_limits(tasks: Sequence[SolveTask], config: SolverConfig, workers: int) -> list[float]:
    """Return each task's wall-clock limit before the stage's net caps it (seconds).

    With an effort limit (``solutions_per_stop`` > 0) the limit is only a guard, and every task
    gets the whole stage's ``time_limit_s``: a guard shared out by an estimate of the effort
    gave the tasks the estimate undervalued too little, and they were cut. Searching by time
    only (``solutions_per_stop`` = 0), the time is what stops each search, and the stage's
    ``time_limit_s`` on every worker is shared out by estimated effort.
    """
    limit = config.time_limit_s
    if config.solutions_per_stop > 0:
        return [limit] * len(tasks)
    efforts = [estimate_effort(t, _solution_count(config, t.size)) for t in tasks]
    total = sum(efforts) or 1.0
    return [max(MIN_TASK_TIME_S, limit * workers * e / total) for e in efforts]


def solver_version() -> str:
    """Return the OR-Tools version in use."""
    import ortools

    return str(ortools.__version__)


def solve_routes(
    tasks: Sequence[SolveTask],
    config: SolverConfig,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Assignment:
    """Solve all tasks, in parallel worker processes, within the stage's wall-clock guard.

    Parameters
    ----------
    tasks : sequence of SolveTask
    config : SolverConfig
        Search strategy, effort limit, ``time_limit_s`` (the whole stage) and ``workers``.
    progress : callable, optional
        Called with (done, total) as tasks finish.

    Returns
    -------
    Assignment
        One TaskResult per task, in the order of ``tasks``.

    Notes
    -----
    The guard rule: each task may run for :func:`task_limits` (with an effort limit, the
    whole ``time_limit_s``), and never past the stage's end, ``time_limit_s`` after it began;
    a task that starts when less is left gets what is left, at least ``MIN_TASK_TIME_S``.
    The effort limit stops every search long before either guard at default settings, so the
    number of workers and the speed of the machine do not change the result; the share of
    its guard each search used is in ``wall_s`` / ``guard_s`` (not part of equality).
    """
    started = time.monotonic()
    workers = config.workers or default_workers()
    limits = task_limits(tasks, config, workers)
    efforts = [estimate_effort(t, _solution_count(config, t.size)) for t in tasks]
    # Longest tasks first keeps the workers evenly busy to the end.
    order = sorted(range(len(tasks)), key=lambda i: (-efforts[i], tasks[i].key))
    results = run_parallel(
        _solve_job,
        list(zip(tasks, limits, strict=True)),
        shared=_Stage(config=config, deadline=started + config.time_limit_s),
        workers=workers,
        order=order,
        progress=progress,
    )
    assignment = Assignment(
        results=tuple(results),
        solver_version=solver_version(),
        wall_s=time.monotonic() - started,
        guard_s=config.time_limit_s,
    )
    worst = max(results, key=lambda r: r.guard_share, default=None)
    if worst is not None:
        logger.info(
            "solve: %d searches in %.1f s of the stage's %.0f s guard; the largest share of a "
            "search's guard used was %.3f (sub-problem %s, %.2f s of %.1f s)",
            len(results),
            assignment.wall_s,
            config.time_limit_s,
            worst.guard_share,
            worst.key,
            worst.wall_s,
            worst.guard_s,
        )
    return assignment
