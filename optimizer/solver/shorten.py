"""Shorter visiting orders for a fair day's even shares: or-opt and 2-opt inside a route.

:mod:`optimizer.solver.fairsplit` cuts a kind's tour into pieces that keep the tour's order,
which was good for the routes it came from but not for the piece. Here each trip of a piece is
put in a shorter order by two classic local moves, with travel times from the team's own
matrix (roads may be one-way, so costs are asymmetric):

* or-opt: move a run of one to three doors elsewhere in the trip;
* 2-opt: visit a run of doors backwards.

Doors move only among doors of the same class (the caller's ``door_class``: on a fair day
morning doors, others, late doors), so priority households keep their place at the front.
Each pass takes the best move; passes repeat until none shortens the trip. A route whose new
order breaks a rule (a window) keeps its order. Doors never change team: the shares stay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from optimizer.schedule import schedule_route
from optimizer.task import RELOAD, SolveTask

Route = tuple[int, ...]
#: Longest run of doors or-opt moves at once.
OR_OPT_RUN = 3


def shorten(task: SolveTask, vehicle: int, route: Route, door_class: Callable[[int], int]) -> Route:
    """Return the route in a shorter order of the same doors (itself when none is found)."""
    spec = task.vehicles[vehicle]
    time = task.time_s[spec.profile]
    out: list[int] = []
    start = 0
    stops = [*route, RELOAD]
    for end, node in enumerate(stops):
        if node != RELOAD:
            continue
        trip = stops[start:end]
        runs = _runs(trip, door_class)
        ordered: list[int] = []
        for k, run in enumerate(runs):
            before = ordered[-1] if ordered else spec.depot_node
            after = runs[k + 1][0] if k + 1 < len(runs) else spec.depot_node
            ordered += _best_order(time, before, run, after)
        out += [*ordered, RELOAD]
        start = end + 1
    shorter = tuple(out[:-1])
    if shorter == route or not schedule_route(task, vehicle, shorter).feasible:
        return route
    return shorter


def _runs(trip: Sequence[int], door_class: Callable[[int], int]) -> list[list[int]]:
    """Split a trip into runs of doors of one class, in order."""
    runs: list[list[int]] = []
    last = None
    for door in trip:
        kind = door_class(door)
        if kind != last:
            runs.append([])
            last = kind
        runs[-1].append(door)
    return runs


def _best_order(time: NDArray[np.int32], before: int, doors: list[int], after: int) -> list[int]:
    """Improve the order of ``doors`` between two fixed ends until no move shortens it."""
    seq = [before, *doors, after]
    while len(seq) > 3:
        gain_or, moved = _best_or_opt(time, seq)
        gain_two, reversed_ = _best_two_opt(time, seq)
        if max(gain_or, gain_two) <= 0:
            break
        seq = moved if gain_or >= gain_two else reversed_
    return seq[1:-1]


def _best_or_opt(time: NDArray[np.int32], seq: list[int]) -> tuple[int, list[int]]:
    """Find the or-opt move that saves most travel: its gain (0: none) and the new order."""
    best_gain, best = 0, seq
    for length in range(1, OR_OPT_RUN + 1):
        for i in range(1, len(seq) - length):
            run = seq[i : i + length]
            rest = seq[:i] + seq[i + length :]
            removed = (
                int(time[seq[i - 1], run[0]])
                + int(time[run[-1], seq[i + length]])
                - int(time[seq[i - 1], seq[i + length]])
            )
            a = np.asarray(rest[:-1])
            b = np.asarray(rest[1:])
            added = time[a, run[0]].astype(np.int64) + time[run[-1], b] - time[a, b]
            added[i - 1] = np.iinfo(np.int64).max  # putting it back where it was
            j = int(np.argmin(added))
            gain = removed - int(added[j])
            if gain > best_gain:
                best_gain, best = gain, rest[: j + 1] + run + rest[j + 1 :]
    return best_gain, best


def _best_two_opt(time: NDArray[np.int32], seq: list[int]) -> tuple[int, list[int]]:
    """Find the reversal of a run that saves most travel: its gain (0: none) and the order."""
    nodes = np.asarray(seq)
    forward = np.r_[0, np.cumsum(time[nodes[:-1], nodes[1:]], dtype=np.int64)]
    backward = np.r_[0, np.cumsum(time[nodes[1:], nodes[:-1]], dtype=np.int64)]
    best_gain, best = 0, seq
    last = len(seq) - 2
    for i in range(1, last):
        j = np.arange(i + 1, last + 1)
        before, first, ends, after = nodes[i - 1], nodes[i], nodes[j], nodes[j + 1]
        old = time[before, first] + (forward[j] - forward[i]) + time[ends, after]
        new = time[before, ends] + (backward[j] - backward[i]) + time[first, after]
        gains = old.astype(np.int64) - new
        k = int(np.argmax(gains))
        if int(gains[k]) > best_gain:
            end = int(j[k])
            best_gain = int(gains[k])
            best = seq[:i] + seq[i : end + 1][::-1] + seq[end + 1 :]
    return best_gain, best
