"""OR-Tools adapter: solve routing tasks -> Assignment. The only module that imports ortools.

Each task becomes one OR-Tools routing model: one vehicle per team, starting and ending at its
depot; a capacity dimension in packages; a time dimension whose transit is the service time at
the origin plus the travel time of the team's own profile; arrival windows on households; every
household optional with a large drop penalty, so the search always returns a plan.

Search stops on an effort limit that does not depend on the machine (``solutions_per_stop``
times the task size), so a scenario and seed give the same plan everywhere. The wall-clock
budget is shared out by task size as a guard only; when it cuts a search, the assignment says so.
Tasks run in parallel worker processes (largest first); results come back in task order.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.config import SolverConfig
from optimizer.matrix import UNREACHABLE_S
from optimizer.parallel import default_workers, run_parallel
from optimizer.problem import SolveTask, estimate_effort

logger = logging.getLogger(__name__)

#: Longest a team may wait at a door for its window to open (seconds): a whole day.
MAX_WAIT_S = 24 * 3600
#: Upper bound of the time dimension: the end of the planning day, or later when a task's own
#: shifts or windows run later (OR-Tools fails outright on a range beyond the dimension).
HORIZON_S = 24 * 3600
#: Smallest time slice one task gets, even when tiny (seconds).
MIN_TASK_TIME_S = 1.0
#: Up to this many households a task is solved by greedy descent to a local optimum: a
#: metaheuristic on a tiny task can run out of new solutions and would then idle until its
#: wall-clock guard, which is slow and not reproducible.
SMALL_TASK_SIZE = 8
TIME_DIMENSION = "time"
LOAD_DIMENSION = "load"


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
    """Routes of one task: for each vehicle (task order), the local nodes it visits in order."""

    key: str
    status: SolveStatus
    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    objective: int
    hit_time_limit: bool
    wall_s: float = field(compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Results of all tasks, in task order."""

    results: tuple[TaskResult, ...]
    solver_version: str


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
        params.solution_limit = max(2, math.ceil(config.solutions_per_stop * size))
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.log_search = False
    return params


def solve_task(task: SolveTask, config: SolverConfig, *, time_limit_s: float) -> TaskResult:
    """Solve one routing task with OR-Tools.

    Parameters
    ----------
    task : SolveTask
    config : SolverConfig
    time_limit_s : float
        Wall-clock guard for this task.

    Returns
    -------
    TaskResult
        ``status`` is NO_SOLUTION when OR-Tools returned nothing (then every candidate is
        listed as dropped, so no household is lost).
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
        )
    # The model holds only the depots and the screened households (model node -> local node).
    used_depots = sorted({v.depot_node for v in task.vehicles})
    local_of = used_depots + candidates
    keep = np.array(local_of, dtype=np.int64)
    n_model = len(local_of)
    depots = [used_depots.index(v.depot_node) for v in task.vehicles]
    manager = pywrapcp.RoutingIndexManager(n_model, len(task.vehicles), depots, depots)
    routing = pywrapcp.RoutingModel(manager)

    transit_by_profile: dict[str, int] = {}
    for profile, times in task.time_s.items():
        # Transit = service at the origin + travel with this profile.
        transit = times[np.ix_(keep, keep)] + task.service_s[profile][keep][:, None]
        transit_by_profile[profile] = routing.RegisterTransitMatrix(transit.tolist())
    callbacks = [transit_by_profile[v.profile] for v in task.vehicles]
    for vehicle, callback in enumerate(callbacks):
        routing.SetArcCostEvaluatorOfVehicle(callback, vehicle)
    horizon = max(
        HORIZON_S,
        max(v.shift_end_s for v in task.vehicles),
        int(task.window_end_s[keep].max()),
    )
    routing.AddDimensionWithVehicleTransits(callbacks, MAX_WAIT_S, horizon, False, TIME_DIMENSION)
    time_dim = routing.GetDimensionOrDie(TIME_DIMENSION)
    demand_cb = routing.RegisterUnaryTransitVector(task.demand[keep].tolist())
    routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, [v.capacity for v in task.vehicles], True, LOAD_DIMENSION
    )
    for vehicle, spec in enumerate(task.vehicles):
        time_dim.CumulVar(routing.Start(vehicle)).SetRange(spec.shift_start_s, spec.shift_end_s)
        time_dim.CumulVar(routing.End(vehicle)).SetRange(spec.shift_start_s, spec.shift_end_s)
    for model_node in range(len(used_depots), n_model):
        node = local_of[model_node]
        index = manager.NodeToIndex(model_node)
        time_dim.CumulVar(index).SetRange(
            int(task.window_start_s[node]), int(task.window_end_s[node])
        )
        routing.AddDisjunction([index], config.drop_penalty_s)
        barred = [
            vehicle
            for vehicle, spec in enumerate(task.vehicles)
            if task.time_s[spec.profile][spec.depot_node, node] >= UNREACHABLE_S
            or task.time_s[spec.profile][node, spec.depot_node] >= UNREACHABLE_S
        ]
        if barred:
            routing.VehicleVar(index).RemoveValues(barred)
    params = _search_parameters(config, len(candidates), time_limit_s)
    solution = routing.SolveWithParameters(params)
    status = _STATUS.get(routing.status(), SolveStatus.NO_SOLUTION)
    wall = time.perf_counter() - started
    hit_limit = wall >= time_limit_s * 0.98
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
        )
    routes: list[tuple[int, ...]] = []
    visited: set[int] = set()
    for vehicle in range(len(task.vehicles)):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        stops: list[int] = []
        while not routing.IsEnd(index):
            node = local_of[manager.IndexToNode(index)]
            stops.append(node)
            visited.add(node)
            index = solution.Value(routing.NextVar(index))
        routes.append(tuple(stops))
    dropped = tuple(node for node in candidates if node not in visited)
    return TaskResult(
        key=task.key,
        status=SolveStatus.TIME_LIMIT if hit_limit else status,
        routes=tuple(routes),
        dropped=dropped,
        objective=int(solution.ObjectiveValue()),
        hit_time_limit=hit_limit,
        wall_s=wall,
    )


def _solve_job(shared: SolverConfig, item: tuple[SolveTask, float]) -> TaskResult:
    task, limit = item
    return solve_task(task, shared, time_limit_s=limit)


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
    """Solve all tasks, in parallel worker processes, within the run's time budget.

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
    """
    workers = config.workers or default_workers()
    efforts = [estimate_effort(t) for t in tasks]
    total_effort = sum(efforts) or 1.0
    budget = config.time_limit_s * workers
    limits = [max(MIN_TASK_TIME_S, budget * e / total_effort) for e in efforts]
    # Longest tasks first keeps the workers evenly busy to the end.
    order = sorted(range(len(tasks)), key=lambda i: (-efforts[i], tasks[i].key))
    results = run_parallel(
        _solve_job,
        list(zip(tasks, limits, strict=True)),
        shared=config,
        workers=workers,
        order=order,
        progress=progress,
    )
    return Assignment(results=tuple(results), solver_version=solver_version())
