"""Even shares for a fair day: a plan's doors cut into equal pieces among alike teams.

The ``fair`` objective starts its rebalancing search from the least-total-time plan. Moving
doors one by one from the longest routes to idle teams takes thousands of local moves, so the
start is evened out first, here: the teams of one kind (same vehicle profile, capacity, depot
and shift) pool their routes into one tour, chained route after route by the nearest next
first door, and the tour is cut into as many pieces of about equal work (doors plus the
travel between them) as there are teams of that kind. A team whose piece outgrows its
capacity goes back to the depot to reload. Before the cut, doors move from the busiest kind of
team at a depot to the idlest (cars to motorbikes, say) until their work per team is about
equal. After the cut, each piece is put in a shorter visiting order
(:mod:`optimizer.solver.shorten`), its doors staying with its team.

No OR-Tools here: the pieces are plain routes in task nodes, checked by
:func:`optimizer.schedule.schedule_route`; a kind whose pieces break any rule keeps its routes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from functools import partial

import numpy as np
import numpy.typing as npt

from optimizer.matrix import UNREACHABLE_S
from optimizer.schedule import schedule_route
from optimizer.solver.shorten import shorten
from optimizer.task import RELOAD, SolveTask, VehicleSpec

Route = tuple[int, ...]

#: A door that opens this long after the shift starts goes to the end of a kind's tour, one
#: that closes this long before the shift ends to its start.
LATE_OPENING_S = 3600
#: Kinds of team at one depot whose work per team differs by more than this share doors.
EVEN_GAP_S = 10 * 60


def team_kind(spec: VehicleSpec) -> tuple[object, ...]:
    """Teams of one kind can swap routes: same profile, load, depot, shift and rules."""
    return (
        spec.profile,
        spec.capacity,
        spec.depot_node,
        spec.shift_start_s,
        spec.shift_end_s,
        spec.max_trips,
        spec.reload_s,
        spec.break_rule,
        spec.max_work_s,
        spec.groups,
    )


def even_out(task: SolveTask, routes: Sequence[Route]) -> tuple[Route, ...]:
    """Return the routes with the doors shared out evenly among all teams (see module notes).

    Parameters
    ----------
    task : SolveTask
    routes : sequence of tuple of int
        One route per vehicle in task order, household nodes and :data:`RELOAD`.

    Returns
    -------
    tuple of tuple of int
        The same doors: first moved between kinds of team at one depot until their work per
        team is about equal, then each kind's cut into even pieces among all its teams (when
        sizing, among the teams the given routes call up). A kind whose pieces would break a
        rule (a window, the shift, a trip limit) keeps its routes as given (and so its doors).
    """
    out = list(routes)
    kinds: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for vehicle, spec in enumerate(task.vehicles):
        if spec.call_up_cost and not routes[vehicle]:
            continue  # sizing: a team the first plan did not call up is not called up
        kinds[team_kind(spec)].append(vehicle)
    tours = {
        kind: _tour(task, vehicles[0], [routes[v] for v in vehicles])
        for kind, vehicles in kinds.items()
    }
    _share_between_kinds(task, kinds, tours)
    for kind, vehicles in kinds.items():
        pieces = _pieces(task, vehicles, tours[kind])
        if pieces is not None:
            for vehicle, (piece, _) in zip(vehicles, pieces, strict=True):
                out[vehicle] = shorten(task, vehicle, piece, partial(_urgency, task, vehicle))
    return tuple(out)


def _pieces(
    task: SolveTask, vehicles: Sequence[int], tour: Sequence[int]
) -> list[tuple[Route, int]] | None:
    """Cut one kind's tour among its teams: each piece and its work; None when one breaks a rule.

    Work is travel, doors and reloads in seconds (0 for an empty piece). When the even cut
    breaks a rule, the late doors are shared among more pieces (:func:`_spread_late`).
    """
    if not tour:
        return [((), 0) for _ in vehicles]
    count = min(len(vehicles), len(tour))
    timed = _timed_pieces(task, vehicles, _cut(task, vehicles[0], tour, count))
    if timed is None:
        timed = _spread_late(task, vehicles, tour, count)
    return timed


def _spread_late(
    task: SolveTask, vehicles: Sequence[int], tour: Sequence[int], count: int
) -> list[tuple[Route, int]] | None:
    """Cut again with the late doors shared among the last ``m`` pieces (None: no ``m`` works).

    The even cut puts every door that opens late into the last pieces; on a short afternoon
    (a Friday ending at 14:00) those cannot finish in time. Here the late doors are cut into
    ``m`` runs, the fewest that keep every rule, each run closing one of the last ``m`` pieces,
    and those pieces get less of the other doors so that the work stays even.
    """
    first = vehicles[0]
    classes = [_urgency(task, first, door) for door in tour]
    late = [door for door, kind in zip(tour, classes, strict=True) if kind == 2]
    early = [door for door, kind in zip(tour, classes, strict=True) if kind != 2]
    late_work = _work(task, first, late)
    share = (_work(task, first, early) + late_work) / count
    for m in range(2, min(count, len(late)) + 1):
        morning = max(share - late_work / m, 0.0)
        weights = [share] * (count - m) + [morning] * m
        cut = _weighted_cut(task, first, early, weights)
        evening = _cut(task, first, late, m)
        pieces = cut[: count - m] + [a + b for a, b in zip(cut[count - m :], evening, strict=True)]
        timed = _timed_pieces(task, vehicles, pieces)
        if timed is not None:
            return timed
    return None


def _timed_pieces(
    task: SolveTask, vehicles: Sequence[int], cut: list[list[int]]
) -> list[tuple[Route, int]] | None:
    """Add reloads and time each piece: (piece, work) per team; None when one breaks a rule."""
    cut = cut + [[] for _ in range(len(vehicles) - len(cut))]
    pieces = [_with_reloads(task, vehicles[0], piece) for piece in cut]
    timed_pieces: list[tuple[Route, int]] = []
    for vehicle, piece in zip(vehicles, pieces, strict=True):
        if piece is None:
            return None
        work = 0
        if piece:
            timed = schedule_route(task, vehicle, piece)
            if not timed.feasible:
                return None
            work = timed.travel_s + timed.service_s + timed.reload_s
        timed_pieces.append((piece, work))
    return timed_pieces


def _kind_work(task: SolveTask, vehicles: Sequence[int], tour: Sequence[int]) -> float:
    """Work per team of a kind if its tour were cut evenly (infinite when it cannot be)."""
    pieces = _pieces(task, vehicles, tour)
    if pieces is None:
        return math.inf
    return sum(work for _, work in pieces) / len(vehicles)


def _movable(task: SolveTask, tour: Sequence[int], vehicle: int) -> list[int]:
    """Positions in a tour of the doors another kind's team (``vehicle``) can serve.

    Farthest from that team's depot first: the doors moved are taken from the end, so the
    idle kind gets the doors nearest its depot (a motorbike reloads often: far doors would
    cost it a long ride per handful of packages).
    """
    spec = task.vehicles[vehicle]
    time = task.time_s[spec.profile]
    there_and_back = {
        i: int(time[spec.depot_node, door]) + int(time[door, spec.depot_node])
        for i, door in enumerate(tour)
        if int(time[spec.depot_node, door]) < UNREACHABLE_S
        and int(time[door, spec.depot_node]) < UNREACHABLE_S
        and (task.group is None or spec.serves(int(task.group[door])))
    }
    return sorted(there_and_back, key=lambda i: (-there_and_back[i], i))


def _share_between_kinds(
    task: SolveTask,
    kinds: dict[tuple[object, ...], list[int]],
    tours: dict[tuple[object, ...], list[int]],
) -> None:
    """Move doors from the busiest kind of team to the idlest at the same depot, in place.

    The doors moved are the last ones of the busy kind's tour that the idle kind can serve;
    how many is found by bisection, so that the two kinds' work per team is nearest equal.
    Repeated while some pair of kinds at a depot is further apart than ``EVEN_GAP_S``.
    """
    for _ in range(2 * len(kinds)):
        work = {kind: _kind_work(task, kinds[kind], tours[kind]) for kind in kinds}
        pairs = [
            (work[a] - work[b], a, b)
            for a in kinds
            for b in kinds
            if a != b
            and task.vehicles[kinds[a][0]].depot_node == task.vehicles[kinds[b][0]].depot_node
            and math.isfinite(work[a])
            and math.isfinite(work[b])
        ]
        if not pairs:
            return
        gap, busy, idle = max(pairs, key=lambda pair: (pair[0], str(pair[1]), str(pair[2])))
        if gap <= EVEN_GAP_S:
            return
        movable = _movable(task, tours[busy], kinds[idle][0])
        moved = _best_move(task, kinds[busy], kinds[idle], tours[busy], tours[idle], movable)
        if moved == 0:
            return
        take = set(movable[-moved:])
        moving = [tours[busy][i] for i in sorted(take)]
        tours[idle] = _given(task, kinds[idle][0], tours[idle], moving)
        tours[busy] = [door for i, door in enumerate(tours[busy]) if i not in take]


def _best_move(
    task: SolveTask,
    busy: Sequence[int],
    idle: Sequence[int],
    busy_tour: Sequence[int],
    idle_tour: Sequence[int],
    movable: Sequence[int],
) -> int:
    """How many of the movable doors (from the tour's end) to move: the two works nearest."""

    def gap(count: int) -> float:
        take = set(movable[len(movable) - count :]) if count else set()
        kept = [door for i, door in enumerate(busy_tour) if i not in take]
        given = _given(task, idle[0], idle_tour, [busy_tour[i] for i in sorted(take)])
        return _kind_work(task, busy, kept) - _kind_work(task, idle, given)

    low, high = 0, len(movable)
    while low < high:  # the smallest count at which the busy kind is no longer busier
        middle = (low + high) // 2
        if gap(middle) > 0:
            low = middle + 1
        else:
            high = middle
    if low > 0 and abs(gap(low - 1)) < abs(gap(low)):
        return low - 1
    return low


def _given(task: SolveTask, vehicle: int, tour: Sequence[int], doors: Sequence[int]) -> list[int]:
    """Add another kind's doors to a kind's tour: at the end of their class."""
    return sorted([*tour, *doors], key=lambda door: _urgency(task, vehicle, door))


def _tour(task: SolveTask, vehicle: int, routes: Sequence[Route]) -> list[int]:
    """Chain the routes' doors into one tour: each next route the one starting nearest."""
    time = task.time_s[task.vehicles[vehicle].profile]
    left = [[n for n in route if n != RELOAD] for route in routes]
    left = [doors for doors in left if doors]
    tour: list[int] = []
    here = task.vehicles[vehicle].depot_node
    while left:
        nearest = min(range(len(left)), key=lambda i: (int(time[here, left[i][0]]), i))
        doors = left.pop(nearest)
        tour += doors
        here = doors[-1]
    return sorted(tour, key=lambda door: _urgency(task, vehicle, door))


def _urgency(task: SolveTask, vehicle: int, door: int) -> int:
    """Order of a door's class in the tour: morning doors first, doors opening late last.

    Morning doors are priority households and doors whose window closes an hour or more
    before the shift ends; a door that opens an hour or more after the shift starts is a late
    door, even a priority one (its deadline cannot come before it opens). The cut then gives
    the morning doors to the pieces that leave in the morning, and keeps the late doors
    together, so their wait does not delay the others. (Python's sort is stable: within a
    class, the chain's order stays.)
    """
    spec = task.vehicles[vehicle]
    if task.window_start_s[door] >= spec.shift_start_s + LATE_OPENING_S:
        return 2
    priority = task.priority_due_s is not None and task.priority_due_s[door] >= 0
    closes_early = task.window_end_s[door] <= spec.shift_end_s - LATE_OPENING_S
    return 0 if priority or closes_early else 1


def _steps(task: SolveTask, vehicle: int, tour: Sequence[int]) -> npt.NDArray[np.int64]:
    """Work of each door of a tour: its door time and the travel from the door before it."""
    spec = task.vehicles[vehicle]
    time = task.time_s[spec.profile]
    nodes = np.asarray(tour, dtype=np.int64)
    step = task.service_s[spec.profile][nodes].astype(np.int64)
    step[1:] += time[nodes[:-1], nodes[1:]].astype(np.int64)
    return step


def _work(task: SolveTask, vehicle: int, tour: Sequence[int]) -> float:
    """Work of a whole tour (doors and the travel between them), seconds."""
    return float(_steps(task, vehicle, tour).sum()) if tour else 0.0


def _weighted_cut(
    task: SolveTask, vehicle: int, tour: Sequence[int], weights: Sequence[float]
) -> list[list[int]]:
    """Cut the tour into runs whose work is in proportion to ``weights`` (one run per weight)."""
    if not tour:
        return [[] for _ in weights]
    step = _steps(task, vehicle, tour)
    done = np.cumsum(step)
    shares = np.asarray(weights, dtype=float) + 1e-6  # all-zero weights: equal runs
    bounds = np.cumsum(shares) / shares.sum() * done[-1]
    owner = np.minimum(np.searchsorted(bounds, done - step / 2, side="right"), len(weights) - 1)
    nodes = np.asarray(tour, dtype=np.int64)
    return [list(nodes[owner == k].tolist()) for k in range(len(weights))]


def _cut(task: SolveTask, vehicle: int, tour: Sequence[int], pieces: int) -> list[list[int]]:
    """Cut the tour into ``pieces`` runs of about equal work (doors and the travel between)."""
    nodes = np.asarray(tour, dtype=np.int64)
    step = _steps(task, vehicle, tour)
    done = np.cumsum(step)
    share = done[-1] / pieces
    # A door belongs to the piece in which the middle of its own step of work falls.
    owner = np.minimum(((done - step / 2) // share).astype(np.int64), pieces - 1)
    return [list(nodes[owner == k].tolist()) for k in range(pieces)]


def _with_reloads(task: SolveTask, vehicle: int, doors: Sequence[int]) -> Route | None:
    """Add a reload wherever the next door would overfill the vehicle; None past its trips."""
    spec = task.vehicles[vehicle]
    route: list[int] = []
    load = 0
    for door in doors:
        demand = int(task.demand[door])
        if load + demand > spec.capacity and route:
            if not spec.may_reload():
                return None
            route.append(RELOAD)
            load = 0
        route.append(door)
        load += demand
    return tuple(route)
