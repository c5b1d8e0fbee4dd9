"""Model nodes of a task, and routes moved between task nodes and model nodes.

A model lists the depots its teams use, then reload copies of those depots, then the candidate
households. A route in task nodes marks a return to the depot with
:data:`~optimizer.task.RELOAD`; in model nodes it names one of the depot's reload copies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.schedule import schedule_route
from optimizer.task import RELOAD, UNLIMITED_TRIPS, SolveTask

#: Reload visits offered per depot beyond those the packages strictly need.
RELOAD_SPARE = 2


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
        elif task.start_as_given and task.start is not None:
            # A fair day's evened-out start may reload more often than the packages need.
            given = sum(
                route.count(RELOAD)
                for spec, route in zip(task.vehicles, task.start, strict=False)
                if spec.depot_node == depot
            )
            need = max(need, given + min(len(reloaders), RELOAD_SPARE))
        need = min(need, math.ceil(demand / smallest))
        if all(v.max_trips != UNLIMITED_TRIPS for v in reloaders):
            need = min(need, sum(v.max_trips - 1 for v in reloaders))
        if need > 0:
            slots[depot] = need
    return slots


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Layout:
    """Model nodes: used depots, then reload copies of depots, then candidate households."""

    sites: npt.NDArray[np.int64]  # local task node of each model node
    n_depots: int
    reload_depot: tuple[int, ...]  # task depot node of each reload model node
    candidates: tuple[int, ...]

    @property
    def first_household(self) -> int:
        """Model node of the first household (after the depots and their reload copies)."""
        return self.n_depots + len(self.reload_depot)


def build_layout(task: SolveTask, candidates: list[int]) -> Layout:
    """Lay out a task's model nodes: its teams' depots, their reload copies, the candidates."""
    used = sorted({v.depot_node for v in task.vehicles})
    reloads = [d for d, count in reload_slots(task, candidates).items() for _ in range(count)]
    return Layout(
        sites=np.array(used + reloads + candidates, dtype=np.int64),
        n_depots=len(used),
        reload_depot=tuple(reloads),
        candidates=tuple(candidates),
    )


def given_route(task: SolveTask, vehicle: int) -> tuple[int, ...]:
    """Return a team's starting route as it stands today: its doors still to plan, tidied."""
    if task.start is None:
        return ()
    return tidy([n for n in task.start[vehicle] if n == RELOAD or task.candidates[n]])


def tidy(route: list[int]) -> tuple[int, ...]:
    """Drop reloads that carry nothing: at the start, at the end, or twice in a row."""
    tidied: list[int] = []
    for node in route:
        if node == RELOAD and (not tidied or tidied[-1] == RELOAD):
            continue
        tidied.append(node)
    while tidied and tidied[-1] == RELOAD:
        tidied.pop()
    return tuple(tidied)


def start_routes(task: SolveTask, layout: Layout) -> list[list[int]] | None:
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
        kept = given_route(task, vehicle)
        free = slots.get(spec.depot_node, [])
        reloads = sum(1 for n in kept if n == RELOAD)
        if not kept or reloads > len(free) or not schedule_route(task, vehicle, kept).feasible:
            routes.append([])
            continue
        routes.append([free.pop(0) if n == RELOAD else model_node[n] for n in kept])
    return routes
