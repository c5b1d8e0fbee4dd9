"""Walks from a parked vehicle: doors close on foot, served as one stop -> list of Walk.

On a park-and-walk day (``[service.park_and_walk]``) a team that reaches a cluster of doors
close together on foot parks once and walks a loop to them, instead of driving from door to
door (around one-way streets, into lanes a car cannot enter) and walking from the road to each
door and back. The solver then sees the walk as one stop: the parking place's travel times,
the walk's packages, the loop as its service time and the window every door's window allows.

A walk is formed greedily per sub-problem, in a fixed order (doors with the most neighbours on
foot first), from doors some team can serve alone:

* doors of one desa, each within ``radius_m`` on foot of the parking place, at most
  ``max_doors`` doors and ``max_packages`` packages (never more than the smallest vehicle of
  the sub-problem carries);
* the parking place is the point of the vehicle's road nearest to the walk's anchor door (the
  door nearest to a road every vehicle of the sub-problem uses);
* its doors' windows fit one loop, walked without waiting;
* it saves time for every kind of vehicle of the sub-problem: the loop on foot is shorter than
  driving from door to door (nearest door next) with the walks from the road and back.

Walking distances follow the footpaths (the ``foot`` profile's matrix), plus the stretch from
each door to its path. From the parking place to a door, the walk goes along the footpaths when
the anchor door's nearest path is the vehicle's road (the same distance), and through the anchor
door otherwise (a door in a lane: park on the street, walk in).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from optimizer.matrix import TravelMatrices
from optimizer.profiles import ProfileNetwork
from optimizer.snapping import ProfileSnap
from optimizer.task import Walk

#: The movement profile whose network the walks follow.
WALK_PROFILE = "foot"
#: A door whose nearest footpath and nearest vehicle road are this close in distance (metres)
#: is taken to sit beside the same point of the same road.
SAME_ROAD_M = 1.0


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Walking:
    """The footpaths of a park-and-walk day: network, doors' snaps, matrices per sub-problem."""

    network: ProfileNetwork
    snap: ProfileSnap
    matrices: TravelMatrices


@dataclass(frozen=True, slots=True, kw_only=True)
class WalkRules:
    """The limits of one walk (``[service.park_and_walk]``) and the walking speed."""

    radius_m: float
    max_doors: int
    max_packages: int
    walk_speed_kph: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WalkInputs:
    """One sub-problem's doors as the grouping sees them, in local node order.

    Attributes
    ----------
    n_depots : int
        Local nodes below this are depots.
    candidates : bool array (n,)
        Doors some team can serve alone (only these are grouped).
    demand, door_s, window_start_s, window_end_s, due_s, group : int64 arrays (n,)
        Packages, time at the door (walks excluded), window, priority deadline (-1: none) and
        desa group of each node.
    drive_s : dict of str to int32 array (n, n)
        Per vehicle profile: driving times between the nodes' road points.
    road_m : dict of str to float64 array (n,)
        Per vehicle profile: distance from each door to that profile's road (inf: none).
    path_m : int32 array (n, n)
        Footpath distance between the nodes' path points; ``path_ok`` marks the pairs joined.
    path_ok : bool array (n, n)
    foot_m : float64 array (n,)
        Distance from each door to its nearest footpath (inf: none).
    park_s : dict of str to int
        Per vehicle profile: time to park and set off again, at every stop (``park_min``).
    """

    n_depots: int
    candidates: npt.NDArray[np.bool_] = field(repr=False)
    demand: npt.NDArray[np.int64] = field(repr=False)
    door_s: npt.NDArray[np.int64] = field(repr=False)
    window_start_s: npt.NDArray[np.int64] = field(repr=False)
    window_end_s: npt.NDArray[np.int64] = field(repr=False)
    due_s: npt.NDArray[np.int64] = field(repr=False)
    group: npt.NDArray[np.int64] = field(repr=False)
    drive_s: dict[str, npt.NDArray[np.int32]] = field(repr=False)
    road_m: dict[str, npt.NDArray[np.float64]] = field(repr=False)
    path_m: npt.NDArray[np.int32] = field(repr=False)
    path_ok: npt.NDArray[np.bool_] = field(repr=False)
    foot_m: npt.NDArray[np.float64] = field(repr=False)
    park_s: dict[str, int] = field(default_factory=dict)

    def door_to_door_m(self, nodes: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """Return walking distances between doors (door to path, along paths, path to door)."""
        sub = np.ix_(nodes, nodes)
        foot = self.foot_m[nodes]
        distance = foot[:, None] + self.path_m[sub].astype(np.float64) + foot[None, :]
        distance[~self.path_ok[sub]] = np.inf
        np.fill_diagonal(distance, 0.0)
        return distance


def _via_door(inputs: WalkInputs, anchor: int, profile: str) -> bool:
    """Tell whether a walk from the parking place beside ``anchor`` passes the anchor's door.

    It does not when the anchor's nearest path is the vehicle's road (the same distance): the
    parking place is then the anchor's point on the path.
    """
    to_road = float(inputs.road_m[profile][anchor])
    return abs(to_road - float(inputs.foot_m[anchor])) >= SAME_ROAD_M


def _park_to_doors_m(
    inputs: WalkInputs,
    nodes: list[int],
    anchor: int,
    profile: str,
    between: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Return the walk from the parking place beside ``anchor`` to each of ``nodes``."""
    to_road = float(inputs.road_m[profile][anchor])
    a = nodes.index(anchor)
    if not _via_door(inputs, anchor, profile):
        # The vehicle's road point is the anchor's path point: walk along the paths.
        along = between[a] - float(inputs.foot_m[anchor])
    else:
        along = to_road + between[a]
    along[a] = to_road
    return np.asarray(along, dtype=np.float64)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Loop:
    """One candidate walk: doors in walking order and, per profile, the metres of each step.

    ``farthest_m``: the farthest door from the parking place on foot, of any profile's.
    """

    order: tuple[int, ...]
    step_m: dict[str, tuple[float, ...]]
    back_m: dict[str, float]
    via_door: dict[str, bool]
    farthest_m: float


def _order(park_m: npt.NDArray[np.float64], between: npt.NDArray[np.float64]) -> list[int]:
    """Return a short loop from the parking place through every door (positions in ``between``).

    Nearest door next from the parking place, then 2-opt moves while one shortens the loop.
    """
    left = list(range(between.shape[0]))
    order = [min(left, key=lambda i: (park_m[i], i))]
    left.remove(order[0])
    while left:
        last = order[-1]
        order.append(min(left, key=lambda i: (between[last, i], i)))
        left.remove(order[-1])

    def length(seq: list[int]) -> float:
        inner = sum(float(between[x, y]) for x, y in itertools.pairwise(seq))
        return float(park_m[seq[0]]) + inner + float(park_m[seq[-1]])

    improved = True
    while improved:
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                candidate = order[:i] + order[i : j + 1][::-1] + order[j + 1 :]
                if length(candidate) < length(order) - 1e-6:
                    order, improved = candidate, True
    return order


def _loop(inputs: WalkInputs, nodes: list[int], anchor: int) -> _Loop | None:
    """Lay out the walk through ``nodes`` from the parking place beside ``anchor``."""
    between = inputs.door_to_door_m(np.array(nodes, dtype=np.int64))
    if not np.all(np.isfinite(between)):
        return None
    park = {p: _park_to_doors_m(inputs, nodes, anchor, p, between) for p in inputs.drive_s}
    total = sum(park.values())
    order = _order(np.asarray(total, dtype=np.float64), between)
    steps: dict[str, tuple[float, ...]] = {}
    back: dict[str, float] = {}
    for p, from_park in park.items():
        legs = [float(from_park[order[0]])]
        legs += [float(between[x, y]) for x, y in itertools.pairwise(order)]
        steps[p] = tuple(legs)
        back[p] = float(from_park[order[-1]])
    via = {p: _via_door(inputs, anchor, p) for p in inputs.drive_s}
    farthest = max(float(from_park.max()) for from_park in park.values())
    return _Loop(
        order=tuple(nodes[i] for i in order),
        step_m=steps,
        back_m=back,
        via_door=via,
        farthest_m=farthest,
    )


def _seconds(metres: float, speed_kph: float) -> int:
    return math.ceil(metres / (speed_kph / 3.6) - 1e-9)


def _as_walk(inputs: WalkInputs, loop: _Loop, rules: WalkRules, anchor: int) -> Walk:
    """Time a laid-out loop: arrival at each door after parking, and the loop, per profile.

    The clock starts when the vehicle stops: parking (``park_s``) comes first, then the walk.
    """
    door_s = tuple(int(inputs.door_s[n]) for n in loop.order)
    offsets: dict[str, tuple[int, ...]] = {}
    loop_s: dict[str, int] = {}
    for p, steps in loop.step_m.items():
        clock, arrivals = inputs.park_s.get(p, 0), []
        for step, at_door in zip(steps, door_s, strict=True):
            clock += _seconds(step, rules.walk_speed_kph)
            arrivals.append(clock)
            clock += at_door
        offsets[p] = tuple(arrivals)
        loop_s[p] = clock + _seconds(loop.back_m[p], rules.walk_speed_kph)
    return Walk(
        nodes=loop.order,
        anchor=anchor,
        door_s=door_s,
        due_s=tuple(int(inputs.due_s[n]) for n in loop.order),
        offset_s=offsets,
        loop_s=loop_s,
        step_m=loop.step_m,
        back_m=loop.back_m,
        via_door=loop.via_door,
    )


def walk_window(inputs: WalkInputs, walk: Walk) -> tuple[int, int] | None:
    """Return when the team may park so that every door is reached in its window, if ever."""
    nodes = np.array(walk.nodes, dtype=np.int64)
    offsets = np.array([walk.offset_s[p] for p in sorted(walk.offset_s)], dtype=np.int64)
    start = int((inputs.window_start_s[nodes] - offsets.min(axis=0)).max())
    end = int((inputs.window_end_s[nodes] - offsets.max(axis=0)).min())
    return (start, end) if start <= end else None


def _chain_s(drive: npt.NDArray[np.int32], nodes: tuple[int, ...]) -> int:
    """Driving time through ``nodes`` from the first, the nearest door next each time."""
    at, left, total = nodes[0], list(nodes[1:]), 0
    while left:
        row = drive[at]
        nearest = min(left, key=lambda n: (int(row[n]), n))
        total += int(row[nearest])
        left.remove(nearest)
        at = nearest
    return total


def _saves_time(inputs: WalkInputs, walk: Walk, rules: WalkRules) -> bool:
    """Say whether the loop beats driving door to door for every vehicle profile.

    Driving door to door means the nearest door next from the walk's first door, plus the walk
    from the road to each door and back, and parking at every door instead of once.
    """
    speed = rules.walk_speed_kph / 3.6
    doors = sum(walk.door_s)
    nodes = list(walk.nodes)
    for p, drive in inputs.drive_s.items():
        to_doors = float(np.sum(2.0 * inputs.road_m[p][nodes])) / speed
        park = inputs.park_s.get(p, 0)
        parking = park * (len(nodes) - 1)
        if walk.loop_s[p] - doors - park >= _chain_s(drive, walk.nodes) + to_doors + parking:
            return False
    return True


def _fits(inputs: WalkInputs, loop: _Loop, walk: Walk, rules: WalkRules) -> bool:
    """Say whether a timed walk keeps the radius, the windows and saves time."""
    if loop.farthest_m > rules.radius_m + 1e-6:
        return False
    return walk_window(inputs, walk) is not None and _saves_time(inputs, walk, rules)


def _anchor(inputs: WalkInputs, nodes: list[int]) -> int | None:
    """Return the door nearest to a road every vehicle uses (None: one has no road)."""

    def worst(n: int) -> float:
        return max(float(road[n]) for road in inputs.road_m.values())

    best = min(nodes, key=lambda n: (worst(n), n))
    return best if math.isfinite(worst(best)) else None


def _best_walk(inputs: WalkInputs, nodes: list[int], rules: WalkRules) -> Walk | None:
    """Return the walk through ``nodes`` or fewer of them (the farthest dropped), if any."""
    while len(nodes) >= 2:
        anchor = _anchor(inputs, nodes)
        loop = None if anchor is None else _loop(inputs, nodes, anchor)
        if anchor is not None and loop is not None:
            walk = _as_walk(inputs, loop, rules, anchor)
            if _fits(inputs, loop, walk, rules):
                return walk
        nodes = nodes[:-1]
    return None


def _members(
    seed: int,
    near: npt.NDArray[np.bool_],
    between: npt.NDArray[np.float64],
    packages: npt.NDArray[np.int64],
    rules: WalkRules,
) -> list[int]:
    """Return the seed and its nearest free neighbours on foot, within the limits."""
    chosen, load = [seed], int(packages[seed])
    for j in sorted(np.flatnonzero(near[seed]).tolist(), key=lambda j: (between[seed, j], j)):
        if len(chosen) == rules.max_doors:
            break
        if load + int(packages[j]) <= rules.max_packages:
            chosen.append(j)
            load += int(packages[j])
    return chosen


def form_walks(inputs: WalkInputs, rules: WalkRules) -> list[Walk]:
    """Group a sub-problem's doors into walks from a parked vehicle.

    Parameters
    ----------
    inputs : WalkInputs
    rules : WalkRules
        ``max_packages`` already capped at the smallest vehicle's capacity.

    Returns
    -------
    list of Walk
        Disjoint walks of two doors or more, in the order they were formed; every door not in
        one stays a stop of its own.
    """
    local = np.flatnonzero(inputs.candidates).astype(np.int64)
    local = local[(local >= inputs.n_depots) & np.isfinite(inputs.foot_m[local])]
    if local.size < 2:
        return []
    between = inputs.door_to_door_m(local)
    group = inputs.group[local]
    near = (between <= rules.radius_m) & (group[:, None] == group[None, :])
    np.fill_diagonal(near, False)
    packages = inputs.demand[local]
    near &= (packages[:, None] + packages[None, :]) <= rules.max_packages
    counts = near.sum(axis=1)
    free = np.ones(local.size, dtype=bool)
    walks: list[Walk] = []
    for seed in sorted(range(local.size), key=lambda i: (-int(counts[i]), i)):
        if not free[seed] or counts[seed] == 0:
            continue
        chosen = _members(seed, near & free[None, :], between, packages, rules)
        walk = _best_walk(inputs, [int(local[i]) for i in chosen], rules)
        if walk is not None:
            walks.append(walk)
            free[[i for i in chosen if int(local[i]) in walk.nodes]] = False
    return walks
