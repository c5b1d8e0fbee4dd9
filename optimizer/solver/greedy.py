"""A greedy first plan with reloads, for the search to start from (no OR-Tools here)."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.solver.layout import Layout
from optimizer.task import SolveTask, VehicleSpec


def reloads_needed(task: SolveTask, candidates: Sequence[int]) -> bool:
    """Say whether the doors hold more packages than every team carries in one trip."""
    demand = int(task.demand[list(candidates)].sum())
    return demand > sum(v.capacity for v in task.vehicles)


def greedy_trips(task: SolveTask, layout: Layout) -> list[list[int]]:
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
    layout: Layout,
    spec: VehicleSpec,
    slots: dict[int, list[int]],
    free: set[int],
) -> list[int]:
    """Fill one team's day with the nearest doors that fit (see :func:`greedy_trips`).

    When sizing, the route ends the break's length before the shift does, as the model
    without break intervals asks (:func:`optimizer.solver.model._add_time`).
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
