"""Walks from a parked vehicle in the solver's tasks: each walk as one node -> SolveTask.

After screening, :func:`with_walks` groups a task's doors into walks
(:func:`optimizer.walkgroups.form_walks`) and makes each walk's anchor node stand for the walk:
its demand the doors' packages, its service time the loop, its window the one every door's
window allows, its priority deadline the earliest of its doors'. The other doors of the walk
stop being candidates. A walk no team could serve alone (the same check as the screening) gives
its doors their own nodes back.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from optimizer.matrix import UNREACHABLE_S
from optimizer.scenario import Scenario
from optimizer.screening import distinct_vehicles, try_alone
from optimizer.snapping import Snapped
from optimizer.task import SolveTask, Walk
from optimizer.walkgroups import (
    WALK_PROFILE,
    Walking,
    WalkInputs,
    WalkRules,
    form_walks,
    walk_window,
)


def _snapped_m(
    snap_m: npt.NDArray[np.float64], entry: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Whole metres from each site to its road, inf where the site is not snapped."""
    return np.where(entry >= 0, np.round(snap_m), np.inf)


def _walk_inputs(
    snapped: Snapped,
    walking: Walking,
    task: SolveTask,
    sites: npt.NDArray[np.int64],
    door_s: npt.NDArray[np.int64],
    park_s: dict[str, int],
) -> WalkInputs:
    """Collect what the grouping needs of a screened task, its sites and the footpaths."""
    foot = walking.matrices.by_key[(task.key, WALK_PROFILE)]
    road_m = {
        p: _snapped_m(snapped.by_profile[p].distance_m[sites], snapped.by_profile[p].entry[sites])
        for p in task.time_s
    }
    due = task.priority_due_s if task.priority_due_s is not None else np.full(task.n_nodes, -1)
    group = task.group if task.group is not None else np.zeros(task.n_nodes, dtype=np.int64)
    return WalkInputs(
        n_depots=task.n_depots,
        candidates=task.candidates,
        demand=task.demand,
        door_s=door_s,
        window_start_s=task.window_start_s,
        window_end_s=task.window_end_s,
        due_s=due.astype(np.int64),
        group=group,
        drive_s=task.time_s,
        road_m=road_m,
        path_m=foot.distance_m,
        path_ok=foot.time_s < UNREACHABLE_S,
        foot_m=_snapped_m(walking.snap.distance_m[sites], walking.snap.entry[sites]),
        park_s=park_s,
    )


def _walk_node(task: SolveTask, inputs: WalkInputs, walk: Walk) -> None:
    """Make the walk's anchor node stand for the whole walk (arrays changed in place)."""
    anchor, nodes = walk.anchor, list(walk.nodes)
    window = walk_window(inputs, walk)
    assert window is not None  # form_walks keeps only walks with a window
    task.demand[anchor] = int(inputs.demand[nodes].sum())
    for p, loop in walk.loop_s.items():
        task.service_s[p][anchor] = loop
    task.window_start_s[anchor], task.window_end_s[anchor] = window
    latest = np.max([walk.offset_s[p] for p in walk.offset_s], axis=0)
    dues = [int(inputs.due_s[n]) - int(late) for n, late in zip(nodes, latest, strict=True)]
    dues = [d for n, d in zip(nodes, dues, strict=True) if inputs.due_s[n] >= 0]
    if task.priority_due_s is not None:
        task.priority_due_s[anchor] = max(min(dues), 0) if dues else -1
    task.candidates[nodes] = False
    task.candidates[anchor] = True


def with_walks(
    snapped: Snapped,
    walking: Walking,
    task: SolveTask,
    sites: npt.NDArray[np.int64],
    rules: WalkRules,
    door_s: npt.NDArray[np.int64],
    park_min: dict[str, float],
) -> SolveTask:
    """Group a screened task's doors into walks some team can serve, each as one node."""
    walked = dataclasses.replace(
        task,
        demand=task.demand.copy(),
        service_s={p: a.copy() for p, a in task.service_s.items()},
        window_start_s=task.window_start_s.copy(),
        window_end_s=task.window_end_s.copy(),
        priority_due_s=None if task.priority_due_s is None else task.priority_due_s.copy(),
        candidates=task.candidates.copy(),
    )
    park_s = {p: round(60.0 * park_min.get(p, 0.0)) for p in task.time_s}
    inputs = _walk_inputs(snapped, walking, task, sites, door_s, park_s)
    capacity = min(v.capacity for v in task.vehicles)
    rules = dataclasses.replace(rules, max_packages=min(rules.max_packages, capacity))
    vehicles = distinct_vehicles(walked, list(range(len(walked.vehicles))))
    for walk in form_walks(inputs, rules):
        _walk_node(walked, inputs, walk)
        allowed = [i for i in vehicles if walked.vehicles[i].serves(walked.group_of(walk.anchor))]
        h = int(walked.households[walk.anchor - walked.n_depots])
        if try_alone(snapped, walked, walk.anchor, h, allowed).served:
            walked.walks[walk.anchor] = walk
            continue
        _undo_walk(walked, task, walk)
    return walked


def _undo_walk(walked: SolveTask, task: SolveTask, walk: Walk) -> None:
    """Give the doors of a walk no team can serve their own nodes back."""
    anchor, nodes = walk.anchor, list(walk.nodes)
    walked.demand[anchor] = task.demand[anchor]
    for p in walked.service_s:
        walked.service_s[p][anchor] = task.service_s[p][anchor]
    walked.window_start_s[anchor] = task.window_start_s[anchor]
    walked.window_end_s[anchor] = task.window_end_s[anchor]
    if walked.priority_due_s is not None and task.priority_due_s is not None:
        walked.priority_due_s[anchor] = task.priority_due_s[anchor]
    walked.candidates[nodes] = True


def walk_rules(scenario: Scenario) -> WalkRules:
    """Return the limits of one walk from ``[service.park_and_walk]`` and the walking speed."""
    settings = scenario.service.park_and_walk
    return WalkRules(
        radius_m=settings.radius_m,
        max_doors=settings.max_doors,
        max_packages=settings.max_packages,
        walk_speed_kph=scenario.config.graph.walk_speed_kph,
    )
