"""Streets made ready to draw: integer coordinates, thinned, segments chained into long lines.

A road network stores a street as many short segments, one per stretch between crossings (the
demonstration network holds 110,437 of them for the regency, each two points). Drawn one by one,
every crossing is written twice and every segment starts with a full coordinate. The functions
here put the streets on an integer grid chosen by the renderer (the overview map's rounding, the
phone page's metres), drop points the grid cannot tell apart or that lie within a tolerance of
the line through their neighbours, and chain segments of the same rank end to end, so a page
holds fewer, longer lines: the regency's 110,437 segments (220,874 points) become 18,895 lines
of 129,332 points, in 0.3 s on the standard machine (2-core x86_64, 24 GiB; demonstration
network, whole regency at the overview map's 5 decimals, 2026-11-30).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from optimizer.geometry import RANK_LANE, RANK_LOCAL, RANK_MAIN, Streets

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
#: Ranks from the most to the least important (drawn last to first).
RANKS: Final = (RANK_MAIN, RANK_LOCAL, RANK_LANE)
#: Thinning passes: each drops every other removable point, so neighbours never go together.
_PASSES: Final = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class StreetLines:
    """Streets of one rank as integer polylines.

    Attributes
    ----------
    rank : int
        ``RANK_MAIN``, ``RANK_LOCAL`` or ``RANK_LANE`` (see :mod:`optimizer.geometry`).
    xy : int64 array (n, 2)
        Points on the renderer's grid, line after line.
    offsets : int64 array (k + 1,)
        Line i is ``xy[offsets[i]:offsets[i + 1]]``: at least two points, none repeated right
        after itself.
    """

    rank: int
    xy: IntArray
    offsets: IntArray

    @property
    def n_lines(self) -> int:
        """Number of lines."""
        return len(self.offsets) - 1

    def lines(self) -> list[IntArray]:
        """Return each line's points, in order."""
        return np.split(self.xy, self.offsets[1:-1])


def build_street_lines(
    streets: Streets,
    project: Callable[[FloatArray, FloatArray], tuple[IntArray, IntArray]],
    *,
    tolerance: float = 0.0,
) -> list[StreetLines]:
    """Put streets on an integer grid and chain them into long lines, one group per rank.

    Parameters
    ----------
    streets : Streets
        The streets to draw (already clipped to the area, when only an area is drawn).
    project : callable
        ``project(lat, lon) -> (x, y)``: degrees to the renderer's integer grid.
    tolerance : float
        Inner points of a line closer than this (grid units) to the straight line between their
        neighbours are dropped; 0 keeps every point the grid can tell apart.

    Returns
    -------
    list of StreetLines
        One per rank present, main roads first; lines in a fixed order, so equal streets give
        equal results.
    """
    x, y = project(streets.lat, streets.lon)
    line_of = np.repeat(np.arange(streets.n_lines), np.diff(streets.offsets))
    keep = _distinct(x, y, line_of)
    x, y, line_of = x[keep], y[keep], line_of[keep]
    if tolerance > 0:
        keep = _thin(x, y, line_of, tolerance)
        x, y, line_of = x[keep], y[keep], line_of[keep]
    counts = np.bincount(line_of, minlength=streets.n_lines)
    long_enough = counts >= 2
    groups = []
    for rank in RANKS:
        chosen = (streets.rank == rank) & long_enough
        if not chosen.any():
            continue
        points = chosen[line_of]
        xy = np.column_stack([x[points], y[points]]).astype(np.int64)
        offsets = np.zeros(int(chosen.sum()) + 1, dtype=np.int64)
        np.cumsum(counts[chosen], out=offsets[1:])
        xy, offsets = chain_lines(xy, offsets)
        groups.append(StreetLines(rank=rank, xy=xy, offsets=offsets))
    return groups


def _distinct(x: IntArray, y: IntArray, line_of: IntArray) -> npt.NDArray[np.bool_]:
    """Points that differ from the point before them on the same line."""
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = (x[1:] != x[:-1]) | (y[1:] != y[:-1]) | (line_of[1:] != line_of[:-1])
    return keep


def _thin(x: IntArray, y: IntArray, line_of: IntArray, tolerance: float) -> npt.NDArray[np.bool_]:
    """Drop inner points within ``tolerance`` of the chord between their kept neighbours.

    Each pass looks at every other inner point (alternating), so two neighbours never go in the
    same pass and each dropped point was within the tolerance of the line as it then stood.
    """
    index = np.arange(len(x))
    for number in range(_PASSES):
        if len(index) < 3:
            break
        px, py = x[index].astype(np.float64), y[index].astype(np.float64)
        owner = line_of[index]
        inner = np.zeros(len(index), dtype=bool)
        inner[1:-1] = (owner[1:-1] == owner[:-2]) & (owner[1:-1] == owner[2:])
        inner[(np.arange(len(index)) % 2) != (number % 2)] = False
        ax, ay = px[:-2], py[:-2]
        dx, dy = px[2:] - ax, py[2:] - ay
        chord = np.hypot(dx, dy)
        cross = np.abs(dx * (py[1:-1] - ay) - dy * (px[1:-1] - ax))
        distance = np.where(chord > 0, cross / np.maximum(chord, 1e-12), np.inf)
        near = np.zeros(len(index), dtype=bool)
        near[1:-1] = distance < tolerance
        index = index[~(inner & near)]
    keep = np.zeros(len(x), dtype=bool)
    keep[index] = True
    return keep


def chain_lines(xy: IntArray, offsets: IntArray) -> tuple[IntArray, IntArray]:
    """Join lines that meet end to end into longer lines (each line used once).

    A walk starts, where possible, at a line end where an odd number of lines meet (a dead end
    or a T), and carries on through any unused line at the point it reached, as long as it can.
    Every input line ends up in exactly one output line, whole or reversed.

    Parameters
    ----------
    xy : int64 array (n, 2)
        Points, line after line.
    offsets : int64 array (k + 1,)
        Line i is ``xy[offsets[i]:offsets[i + 1]]``, at least two points.

    Returns
    -------
    xy, offsets
        The chained lines in the same form, in an order fixed by the input order.
    """
    count = len(offsets) - 1
    if count == 0:
        return xy, offsets
    ends = np.concatenate([xy[offsets[:-1]], xy[offsets[1:] - 1]])
    low = ends.min(axis=0)
    span = int(ends[:, 1].max() - low[1]) + 1
    key = (ends[:, 0] - low[0]) * span + (ends[:, 1] - low[1])  # one integer per point
    _, node = np.unique(key, return_inverse=True)
    node = node.reshape(-1)
    first, last = node[:count].tolist(), node[count:].tolist()
    touching: dict[int, list[int]] = defaultdict(list)
    for number in range(count):
        touching[first[number]].append(number)
        touching[last[number]].append(number)
    odd = [n for n, at in touching.items() if len(at) % 2 == 1]
    even = [n for n, at in touching.items() if len(at) % 2 == 0]
    starts = sorted(odd, key=lambda n: touching[n][0]) + sorted(even, key=lambda n: touching[n][0])
    used = [False] * count
    order: list[int] = []  # lines in output order
    backwards: list[bool] = []
    opens: list[bool] = []  # the line starts a new output line
    for start in starts:
        for number in touching[start]:
            at = start
            opens_here = True
            while not used[number]:
                used[number] = True
                reverse = first[number] != at
                order.append(number)
                backwards.append(reverse)
                opens.append(opens_here)
                opens_here = False
                at = first[number] if reverse else last[number]
                number = next((n for n in touching[at] if not used[n]), number)
    return _gather(xy, offsets, np.array(order), np.array(backwards), np.array(opens))


def _gather(
    xy: IntArray,
    offsets: IntArray,
    order: IntArray,
    backwards: npt.NDArray[np.bool_],
    opens: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray]:
    """Lay out lines in ``order``, reversed where asked, sharing the joint of chained lines."""
    length = (offsets[1:] - offsets[:-1])[order]
    skip = (~opens).astype(np.int64)  # a continuing line's first point is the last one's end
    taken = length - skip
    position = np.arange(int(taken.sum())) - np.repeat(np.cumsum(taken) - taken, taken)
    step = position + np.repeat(skip, taken)
    start = np.repeat(offsets[:-1][order], taken)
    end = np.repeat(offsets[1:][order] - 1, taken)
    index = np.where(np.repeat(backwards, taken), end - step, start + step)
    chain_of = np.cumsum(opens) - 1
    points_per_chain = np.bincount(chain_of, weights=taken).astype(np.int64)
    new_offsets = np.zeros(len(points_per_chain) + 1, dtype=np.int64)
    np.cumsum(points_per_chain, out=new_offsets[1:])
    return xy[index], new_offsets
