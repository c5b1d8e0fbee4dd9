"""Last month's teams for a re-planned day: alike routes handed to the teams that had their doors.

When a month's plan is taken free of last month's teams (it saved more than
``[continuity] max_saving_pct``), its routes are still interchangeable among teams of one kind
(same vehicle profile, load, depot, shift and rules:
:func:`~optimizer.solver.fairsplit.team_kind`): any of them can drive any of the routes. So
each kind's routes go to its teams by a linear assignment (:func:`optimizer.matching.assign`)
that keeps the most households with last month's team, and among equally good assignments the
routes stay where they are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from optimizer.matching import assign
from optimizer.solver.fairsplit import team_kind
from optimizer.solver.results import TaskResult
from optimizer.task import RELOAD, SolveTask


def keep_teams(task: SolveTask, result: TaskResult) -> TaskResult:
    """Return the result with each kind's routes handed to the teams that keep most doors.

    ``task.pinned`` holds last month's team (vehicle in task order) of each door, -1 for a new
    one; without it the result is returned as it is.
    """
    if task.pinned is None or not result.routes:
        return result
    kinds: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for vehicle, spec in enumerate(task.vehicles):
        kinds[team_kind(spec)].append(vehicle)
    routes = list(result.routes)
    schedules = list(result.schedules) if result.schedules else []
    for vehicles in kinds.values():
        if len(vehicles) < 2:
            continue
        mate = _best_teams(task, [result.routes[v] for v in vehicles], vehicles)
        for i, vehicle in enumerate(vehicles):
            routes[vehicles[mate[i]]] = result.routes[vehicle]
            if schedules:
                schedules[vehicles[mate[i]]] = result.schedules[vehicle]
    return replace(result, routes=tuple(routes), schedules=tuple(schedules))


def _best_teams(task: SolveTask, routes: list[tuple[int, ...]], vehicles: list[int]) -> list[int]:
    """For each route (in order), the index in ``vehicles`` of the team it goes to."""
    assert task.pinned is not None
    size = len(vehicles)
    kept = np.zeros((size, size), dtype=np.int64)
    for i, route in enumerate(routes):
        owners = task.pinned[[door for door in route if door != RELOAD]]
        for j, vehicle in enumerate(vehicles):
            kept[i, j] = np.count_nonzero(owners == vehicle)
    # A door kept outweighs every route left in place; then routes stay where they are.
    worth = kept * (size + 1) + np.eye(size, dtype=np.int64)
    return [int(mate) for mate in assign(-worth)]
