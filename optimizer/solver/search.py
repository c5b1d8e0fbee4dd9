"""The searches of one task: from scratch, from a greedy or a given plan, with or without breaks."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.config import SolverConfig
from optimizer.schedule import RouteSchedule, schedule_route
from optimizer.solver.fairsplit import even_out
from optimizer.solver.greedy import greedy_trips, reloads_needed
from optimizer.solver.keepteams import keep_teams
from optimizer.solver.layout import Layout, build_layout, given_route, start_routes, tidy
from optimizer.solver.model import build_model, search_parameters
from optimizer.solver.results import SolveStatus, TaskResult
from optimizer.task import RELOAD, SolveTask

logger = logging.getLogger(__name__)

#: Smallest guard one task gets, even when the stage's safety net is spent (seconds): enough
#: for a first solution of a small desa, so a late task still returns a plan, marked as cut.
MIN_TASK_TIME_S = 1.0
#: A search that ran this share of its guard or more counts as cut by it (OR-Tools stops a
#: little before the limit it was given, and the model is built inside the guard too).
CUT_SHARE = 0.98

_ROUTING = routing_enums_pb2.RoutingSearchStatus
_STATUS = {
    _ROUTING.ROUTING_OPTIMAL: SolveStatus.OPTIMAL,
    _ROUTING.ROUTING_SUCCESS: SolveStatus.FEASIBLE,
    # Stopped by the effort limit before a local optimum: a normal, reproducible result.
    _ROUTING.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: SolveStatus.FEASIBLE,
}


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
    layout = build_layout(task, candidates)
    if task.pinned is not None:
        return _solve_carried(task, layout, config, started, time_limit_s)
    if config.objective == "fair":
        return _solve_fair(task, layout, config, started, time_limit_s)
    return _solve_with_breaks(task, layout, config, started, time_limit_s)


def _solve_fair(
    task: SolveTask, layout: Layout, config: SolverConfig, started: float, time_limit_s: float
) -> TaskResult:
    """Least total time first; then that plan's doors shared out evenly among all teams.

    Every team of the task shares, whether the first plan used it or not.
    :func:`optimizer.solver.fairsplit.even_out` moves doors between kinds of team until their
    work per team is about equal and cuts each kind's doors into even pieces; the pieces are
    read back into the model (every rule checked, breaks placed) as they are. The result is
    kept unless it serves fewer doors than the first plan.
    """
    least = config.model_copy(update={"objective": "total_time"})
    first = _solve_with_breaks(task, layout, least, started, time_limit_s)
    if first.status is SolveStatus.NO_SOLUTION or not any(first.routes):
        return first
    balanced = replace(task, start=even_out(task, first.routes), start_as_given=True)
    spread = build_layout(balanced, list(layout.candidates))  # the reloads the start makes
    second = _solve_with_breaks(balanced, spread, config, started, time_limit_s)
    if second.status is SolveStatus.NO_SOLUTION or len(second.dropped) > len(first.dropped):
        return first
    return second


def _solve_with_breaks(
    task: SolveTask, layout: Layout, config: SolverConfig, started: float, time_limit_s: float
) -> TaskResult:
    """Solve without break intervals; with them only if a route then cannot keep its break.

    Break intervals slow OR-Tools' search several times over, and most routes keep their
    break anyway (they end before it or have slack around it). When one does not, a second
    search without them keeps the break's length free at the end of every route; only if that
    plan breaks a rule too, or serves fewer doors, are the break intervals searched.
    """
    with_breaks = False
    if any(v.break_rule is not None and v.break_rule.duration_s > 0 for v in task.vehicles):
        first = _solve_model(task, layout, config, started, time_limit_s, breaks=False)
        kept = _with_schedules(task, first)
        if kept is not None:
            return kept
        # Before the slow search with break intervals: the same search with the break's
        # length kept free at the end of every route, taken if it serves as many doors.
        reserved = _solve_model(
            task, layout, config, started, time_limit_s, breaks=False, reserve_break=True
        )
        kept = _with_schedules(task, reserved)
        if kept is not None and len(kept.dropped) <= len(first.dropped):
            return kept
        with_breaks = True
    return _solve_model(task, layout, config, started, time_limit_s, breaks=with_breaks)


def _with_schedules(task: SolveTask, result: TaskResult) -> TaskResult | None:
    """Return the result with its routes' schedules if every route keeps every rule."""
    if result.status is SolveStatus.NO_SOLUTION:
        return None
    schedules = tuple(
        schedule_route(task, vehicle, route) if route else None
        for vehicle, route in enumerate(result.routes)
    )
    if not all(s.feasible for s in schedules if s is not None):
        return None
    return replace(result, schedules=schedules)


def _solve_carried(
    task: SolveTask, layout: Layout, config: SolverConfig, started: float, time_limit_s: float
) -> TaskResult:
    """Re-plan a month on from last month's routes, households pinned to their teams.

    1. Pinned, from last month's routes: new doors find a place, gone ones leave a gap.
    2. Pinned doors that found no place with their team (a rule would break) are freed.
    3. Everything freed, from the result: taken only if it saves more than
       ``task.release_pct`` per cent of the objective (``rebalanced``). On a fair day the
       freed plan is a fair day too (:func:`_solve_fair`): a least-time plan that leaves teams
       idle would always "save" against even shares. Its routes go to the teams of their kind
       that keep the most doors (:func:`~optimizer.solver.keepteams.keep_teams`).
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
    solve_free = _solve_fair if config.objective == "fair" else _solve_with_breaks
    loose = solve_free(free, layout, config, started, time_limit_s)
    if loose.objective < result.objective * (1 - task.release_pct / 100):
        result = replace(keep_teams(task, loose), released=result.released, rebalanced=True)
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
        before = given_route(task, vehicle)
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
    layout: Layout,
    params: pywrapcp.RoutingSearchParameters,
) -> pywrapcp.Assignment | None:
    """Search from the greedy plan where one is needed (None: search from scratch).

    The insertion heuristics never insert a reload visit, so where reloads are needed the
    search starts from a greedy plan that reloads when a vehicle is full. When sizing, that
    plan fills one team after another, in the order the teams are given, before the next is
    called up: local moves alone do not empty a team.
    """
    sizing = any(v.call_up_cost for v in task.vehicles)
    reloads = bool(layout.reload_depot) and reloads_needed(task, list(layout.candidates))
    if not (reloads or sizing):
        return None
    initial = _read_routes(routing, params, greedy_trips(task, layout))
    if initial is None:
        return None
    solution: pywrapcp.Assignment | None = routing.SolveFromAssignmentWithParameters(
        initial, params
    )
    return solution


def _solve_model(
    task: SolveTask,
    layout: Layout,
    config: SolverConfig,
    started: float,
    time_limit_s: float,
    *,
    breaks: bool,
    reserve_break: bool = False,
) -> TaskResult:
    """Build the task's model and search it: from its given plan, a greedy one, or scratch."""
    manager, routing = build_model(task, layout, config, breaks=breaks, reserve_break=reserve_break)
    left = max(MIN_TASK_TIME_S / 10, time_limit_s - (time.perf_counter() - started))
    params = search_parameters(
        config, len(layout.candidates), left, doors=task.doors_of(layout.candidates)
    )
    solution = _solve_from_start(routing, task, layout, params, breaks=breaks)
    if solution is None and task.start is None and not breaks:
        solution = _solve_from_greedy(routing, task, layout, params)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    return _task_result(task, layout, manager, routing, solution, started, time_limit_s)


def _task_result(
    task: SolveTask,
    layout: Layout,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    solution: pywrapcp.Assignment | None,
    started: float,
    time_limit_s: float,
) -> TaskResult:
    """Read a search's answer back: routes in task nodes, the doors left out, the timing."""
    candidates = list(layout.candidates)
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
        routes.append(tidy(stops))
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
    layout: Layout,
    params: pywrapcp.RoutingSearchParameters,
    *,
    breaks: bool,
) -> pywrapcp.Assignment | None:
    """Improve the task's starting plan by greedy descent (None: no usable start).

    From a plan that is already good (last month's, or the one team sizing found) local moves
    place the new doors and settle the changes; a metaheuristic would search the whole day
    again. The descent ends at its local optimum, on any machine the same.
    """
    routes = start_routes(task, layout)
    if routes is None:
        return None
    initial = _read_routes(routing, params, routes)
    if initial is None:
        logger.warning("sub-problem %s: the starting plan breaks a rule; planned afresh", task.key)
        return None
    search = _descent(params, limited=breaks)
    if task.start_as_given:
        # A fair day's even shares are read back as they are: a descent for least total
        # time would undo them, and its moves cost 60-450 ms each in a large desa.
        search.solution_limit = 1
    solution: pywrapcp.Assignment | None = routing.SolveFromAssignmentWithParameters(
        initial, search
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
