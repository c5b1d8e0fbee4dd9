"""Branches off the street network: lanes (gang) and field tracks, grown as short random walks.

A walk is cut before its first step that leaves the land or crosses a road or an earlier walk,
so lanes and tracks never cross anything without a junction.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

from optimizer.demo._geometry import FloatArray, IntArray, Land, crossing_pairs, segments
from optimizer.demo._table import LANE_ACCESS, PATH, RESIDENTIAL, TRACK, Network, Pieces
from optimizer.roadgraph import ACCESS_ALL

#: Chance that a street piece (per zone: none, urban, town, village, hamlet) gets a lane.
LANE_CHANCE = (0.0, 0.32, 0.27, 0.22, 0.20)
#: Lanes shorter than this after trimming are not built.
MIN_LANE_M = 40.0


def _split(net: Network, rows: IntArray, frac: FloatArray) -> tuple[IntArray, IntArray]:
    """Split pieces at a fraction of their length.

    Returns the new middle nodes and the rows of the second halves (the first halves keep
    their rows).
    """
    table = net.pieces()
    xy = net.xy()
    start, end = xy[table.u[rows]], xy[table.v[rows]]
    mids = net.add_nodes(start + frac[:, None] * (end - start))
    second = table.take(rows)
    second.u = mids.copy()
    table.v[rows] = mids
    return mids, net.add(second)


def _unsplit(net: Network, rows: IntArray, second: IntArray) -> None:
    """Undo :func:`_split` for some pieces (no other piece may have been removed since)."""
    table = net.pieces()
    table.v[rows] = table.v[second]
    keep = np.ones(len(table), dtype=bool)
    keep[second] = False
    net.replace(table.take(keep))


def _grow(
    start: FloatArray,
    heading: FloatArray,
    step: FloatArray,
    turn_sd: float,
    max_steps: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Random walks of ``max_steps`` steps: (k, max_steps + 1, 2) points."""
    turns = rng.normal(0.0, turn_sd, (start.shape[0], max_steps))
    turns[:, 0] = 0.0
    angle = heading[:, None] + np.cumsum(turns, axis=1)
    moves = step[:, None, None] * np.stack([np.cos(angle), np.sin(angle)], axis=2)
    return np.concatenate([start[:, None, :], start[:, None, :] + np.cumsum(moves, axis=1)], axis=1)


def _kept_steps(net: Network, points: FloatArray, steps: IntArray, land: Land) -> IntArray:
    """How many steps of each walk stay on land without crossing a road or an earlier walk."""
    count, max_steps = points.shape[0], points.shape[1] - 1
    step_idx = np.tile(np.arange(max_steps), count)
    walk = np.repeat(np.arange(count), max_steps)
    a = points[:, :-1, :].reshape(-1, 2)
    b = points[:, 1:, :].reshape(-1, 2)
    valid = step_idx < np.repeat(steps, max_steps)
    bad = ~valid
    bad[valid] = ~land.segments_ok(a[valid], b[valid])
    table = net.pieces()
    xy = net.xy()
    tree = shapely.STRtree(segments(xy[table.u], xy[table.v]))
    live = np.flatnonzero(valid)
    lines = segments(a[live], b[live])
    hit, _ = crossing_pairs(tree, lines)
    bad[live[hit]] = True
    first, second = crossing_pairs(shapely.STRtree(lines), lines)
    q, t = live[first], live[second]
    earlier = (walk[t] < walk[q]) | ((walk[t] == walk[q]) & (t < q))
    bad[q[earlier]] = True
    bad_grid = bad.reshape(count, max_steps)
    first_bad = np.where(bad_grid.any(axis=1), np.argmax(bad_grid, axis=1), max_steps)
    return np.asarray(np.minimum(first_bad, steps), dtype=np.int64)


def _add_walks(
    net: Network,
    start_nodes: IntArray,
    points: FloatArray,
    kept: IntArray,
    code: int,
    access: int,
    zone: IntArray,
) -> IntArray:
    """Add the kept part of each walk as pieces; returns each walk's end node."""
    count, max_steps = points.shape[0], points.shape[1] - 1
    step_idx = np.tile(np.arange(max_steps), count)
    walk = np.repeat(np.arange(count), max_steps)
    mask = step_idx < np.repeat(kept, max_steps)
    new = net.add_nodes(points[:, 1:, :].reshape(-1, 2)[mask])
    walk, step_idx = walk[mask], step_idx[mask]
    previous = np.where(step_idx == 0, start_nodes[walk], np.roll(new, 1))
    pieces = Pieces.make(previous, new, code, access=access)
    pieces.zone = zone[walk].astype(np.int8)
    net.add(pieces)
    ends = start_nodes.copy()
    last = np.ones(walk.size, dtype=bool)
    last[:-1] = walk[1:] != walk[:-1]
    ends[walk[last]] = new[last]
    return ends


def add_lanes(net: Network, land: Land, rng: np.random.Generator) -> None:
    """Narrow lanes (gang) branching off residential streets: dead ends or short loops."""
    table = net.pieces()
    xy = net.xy()
    length = np.hypot(*(xy[table.v] - xy[table.u]).T)
    street = (table.code == RESIDENTIAL) & (table.zone > 0) & (length > 45.0)
    chance = np.array(LANE_CHANCE)[table.zone.astype(np.int64)]
    rows = np.flatnonzero(street & (rng.random(len(table)) < chance))
    direction = xy[table.v[rows]] - xy[table.u[rows]]
    zone = table.zone[rows].astype(np.int64)
    mids, second = _split(net, rows, rng.uniform(0.3, 0.7, rows.size))
    side = np.where(rng.random(rows.size) < 0.5, 1.0, -1.0)
    heading = np.arctan2(direction[:, 1], direction[:, 0]) + side * np.pi / 2
    heading += rng.normal(0.0, 0.25, rows.size)
    step = rng.uniform(25.0, 50.0, rows.size)
    steps = np.clip(np.ceil(rng.uniform(40.0, 200.0, rows.size) / step), 1, 6).astype(np.int64)
    points = _grow(net.xy()[mids], heading, step, 0.35, 6, rng)
    kept = _kept_steps(net, points, steps, land)
    kept[kept * step < MIN_LANE_M] = 0
    loop = (kept == steps) & (steps >= 2) & (rng.random(rows.size) < 0.35)
    walks = kept > 0
    _unsplit(net, rows[~walks], second[~walks])
    ends = _add_walks(net, mids[walks], points[walks], kept[walks], PATH, LANE_ACCESS, zone[walks])
    _close_loops(net, ends[loop[walks]], mids[walks][loop[walks]], land, zone[walks][loop[walks]])


def _close_loops(
    net: Network, ends: IntArray, starts: IntArray, land: Land, zone: IntArray
) -> None:
    """Join lane ends to a nearby street node where the join crosses nothing."""
    table = net.pieces()
    xy = net.xy()
    street_nodes = np.unique(
        np.concatenate([table.u[table.code == RESIDENTIAL], table.v[table.code == RESIDENTIAL]])
    )
    if ends.size == 0 or street_nodes.size < 4:
        return
    dist, near = cKDTree(xy[street_nodes]).query(xy[ends], k=4)
    target = np.full(ends.size, -1, dtype=np.int64)
    for k in range(4):
        cand = street_nodes[near[:, k]]
        ok = (target < 0) & (cand != starts) & (dist[:, k] > 8.0) & (dist[:, k] < 70.0)
        target[ok] = cand[ok]
    have = target >= 0
    a, b, zone = ends[have], target[have], zone[have]
    ok = land.segments_ok(xy[a], xy[b])
    lines = segments(xy[a], xy[b])
    tree = shapely.STRtree(segments(xy[table.u], xy[table.v]))
    hit, _ = crossing_pairs(tree, lines)
    ok[hit] = False
    first, second = crossing_pairs(shapely.STRtree(lines), lines)
    ok[np.maximum(first, second)] = False
    pieces = Pieces.make(a[ok], b[ok], PATH, access=LANE_ACCESS)
    pieces.zone = zone[ok].astype(np.int8)
    net.add(pieces)


def add_tracks(
    net: Network,
    start_nodes: IntArray,
    heading: FloatArray,
    land: Land,
    rng: np.random.Generator,
) -> None:
    """Dirt tracks (300-1200 m, dead ends) from the given nodes in the given directions."""
    if start_nodes.size == 0:
        return
    step = rng.uniform(120.0, 250.0, heading.size)
    steps = np.clip(np.ceil(rng.uniform(300.0, 1200.0, heading.size) / step), 1, 8)
    points = _grow(net.xy()[start_nodes], heading, step, 0.2, 8, rng)
    kept = _kept_steps(net, points, steps.astype(np.int64), land)
    walks = kept > 0
    _add_walks(
        net,
        start_nodes[walks],
        points[walks],
        kept[walks],
        TRACK,
        ACCESS_ALL,
        np.zeros(int(walks.sum()), dtype=np.int64),
    )
