"""One task's OR-Tools routing model: nodes, costs, time and breaks, load, reloads and doors.

Also the search settings the model is solved with (first solution, metaheuristic, effort limit
and wall-clock guard).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.config import SolverConfig
from optimizer.matrix import UNREACHABLE_S
from optimizer.schedule import schedule_route
from optimizer.solver.layout import Layout, given_route
from optimizer.task import UNLIMITED_TRIPS, SolveTask, VehicleSpec

#: Longest a team may wait at a door for its window to open (seconds): a whole day.
MAX_WAIT_S = 24 * 3600
#: Upper bound of the time dimension: the end of the planning day, or later when a task's own
#: shifts or windows run later (OR-Tools fails outright on a range beyond the dimension).
HORIZON_S = 24 * 3600
#: Up to this many households a task is solved by greedy descent to a local optimum: a
#: metaheuristic on a tiny task can run out of new solutions and would then idle until its
#: wall-clock guard, which is slow and not reproducible.
SMALL_TASK_SIZE = 8
#: Cost of one second a priority household is served after its deadline, in route-seconds.
PRIORITY_WEIGHT = 2
TIME_DIMENSION = "time"
LOAD_DIMENSION = "load"
TRIPS_DIMENSION = "trips"


def solution_count(config: SolverConfig, size: int) -> int:
    """Solutions the search runs for (its machine-independent effort limit)."""
    if size <= SMALL_TASK_SIZE:
        return 1
    if config.solutions_per_stop <= 0:
        return size  # searching by time only: share the time by size squared
    return max(2, config.min_solutions, math.ceil(config.solutions_per_stop * size))


def search_parameters(
    config: SolverConfig, size: int, time_limit_s: float, *, doors: int | None = None
) -> pywrapcp.RoutingSearchParameters:
    """Return the search settings: first solution, metaheuristic, effort limit and guard.

    ``size`` is the number of stops handed to the solver; ``doors`` the households they stand
    for (a walk from a parked vehicle is one stop for several doors), by which the effort limit
    is counted; by default as many as stops.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, config.first_solution
    )
    metaheuristic = "GREEDY_DESCENT" if size <= SMALL_TASK_SIZE else config.metaheuristic
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    if config.solutions_per_stop > 0 and metaheuristic != "GREEDY_DESCENT":
        params.solution_limit = solution_count(config, size if doors is None else doors)
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    # OR-Tools bounds each large-neighbourhood sub-search (and the restore of a starting plan)
    # by lns_time_limit, 100 ms by default: a wall-clock limit that binds on a busy or slow
    # machine and changes the plan. The task's own guard bounds them instead.
    params.lns_time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.log_search = False
    return params


def _stay_s(task: SolveTask, layout: Layout, spec: VehicleSpec) -> npt.NDArray[np.int64]:
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
    # Never leave a door to save calling a team up.
    return int(max(penalty, 10 * max(v.call_up_cost for v in task.vehicles)))


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Model:
    """One task's routing model while it is built: what every part of the model reads."""

    task: SolveTask
    layout: Layout
    config: SolverConfig
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    #: Time at each model node per kind of team (profile, reload time).
    stays: dict[tuple[str, int], npt.NDArray[np.int64]]


def build_model(
    task: SolveTask,
    layout: Layout,
    config: SolverConfig,
    *,
    breaks: bool,
    reserve_break: bool = False,
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    """Build a task's routing model: costs, time and breaks, load and trips, reloads, doors.

    ``breaks``: break intervals in the model. Without them, ``reserve_break`` keeps the
    break's length free at the end of every route (:func:`_end_without_break`).
    """
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
    time_dim = _add_time(model, transit_callbacks, breaks=breaks, reserve_break=reserve_break)
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
    model: _Model, transit_callbacks: list[int], *, breaks: bool, reserve_break: bool = False
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
        end = spec.shift_end_s if breaks else _end_without_break(task, vehicle, reserve_break)
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
    return time_dim


def _end_without_break(task: SolveTask, vehicle: int, reserve: bool = False) -> int:
    """Latest end of a route in the model without break intervals.

    The shift's end, except when sizing, starting from given routes or told to ``reserve``
    (a first plan left a route that cannot keep its break): then the break's
    length stays free at the end, so that the break fits into the routes afterwards and no
    slow search with break intervals is needed (a descent with them took 75 s for one desa of
    293 doors, without them 3.5 s). A starting route that keeps its break may end as late as
    it would without the break (doors that open late can keep that end near the shift's end).
    """
    spec = task.vehicles[vehicle]
    rule = spec.break_rule
    if rule is None or rule.duration_s <= 0:
        return spec.shift_end_s
    if not reserve and not spec.call_up_cost and task.start is None:
        return spec.shift_end_s
    end = max(spec.shift_start_s, spec.shift_end_s - rule.duration_s)
    route = given_route(task, vehicle)
    if route and schedule_route(task, vehicle, route).feasible:
        # Its end without the break: timed on the same day with no break rule.
        free = replace(spec, break_rule=None)
        alone = replace(
            task, vehicles=(*task.vehicles[:vehicle], free, *task.vehicles[vehicle + 1 :])
        )
        end = max(end, schedule_route(alone, vehicle, route).end_s)
    return end


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
