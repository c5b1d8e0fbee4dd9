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
from optimizer.task import RELOAD, SolveTask


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


def _local_nodes(task: SolveTask, scenario: Scenario) -> dict[str, int]:
    """Map each household id of a task to the node that serves it (a walk: its anchor)."""
    local = {
        scenario.households[int(h)].household_id: n
        for n, h in enumerate(task.households, start=task.n_depots)
    }
    for walk in task.walks.values():
        for node in walk.nodes:
            household = scenario.households[int(task.households[node - task.n_depots])]
            local[household.household_id] = walk.anchor
    return local


def _start_nodes(route: StartRoute, local: dict[str, int]) -> tuple[int, ...]:
    """Return a starting route as task nodes, each walk once (at its first door's place)."""
    nodes: list[int] = []
    for h in route:
        if h is None:
            nodes.append(RELOAD)
        elif h in local and local[h] not in nodes:
            nodes.append(local[h])
    return tuple(nodes)


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
        local = _local_nodes(task, scenario)
        team_ids = [scenario.teams[v.team].team_id for v in task.vehicles]
        routes = tuple(_start_nodes(start.get(t, ()), local) for t in team_ids)
        pinned = None
        if pins is not None:
            vehicle_of = {t: i for i, t in enumerate(team_ids)}
            pinned = np.full(task.n_nodes, -1, dtype=np.int64)
            # A walk takes the pin of its first pinned door, in task order.
            for household_id, node in local.items():
                if pinned[node] < 0:
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
