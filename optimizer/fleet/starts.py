"""Starting routes and pins: where each team's search begins (sizing, roster, last month)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping

import numpy as np

from optimizer.continuity import StartRoute
from optimizer.fleet.sizing import used_slots
from optimizer.problem import Problem
from optimizer.scenario import Scenario
from optimizer.staffing import Staffing
from optimizer.stages import Solved
from optimizer.task import RELOAD


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
