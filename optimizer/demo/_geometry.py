"""Planar helpers for the demo generators: a metric frame, land tests, segments and routing.

All generation happens in a local equirectangular plane in metres (x east, y north) around the
middle of the regency; only the finished network is turned back into degrees.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from optimizer.units import EARTH_RADIUS_M, local_xy_m

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_M_PER_DEG = np.pi / 180.0 * EARTH_RADIUS_M


@dataclass(frozen=True, slots=True)
class Frame:
    """A local metric plane around (lat0, lon0)."""

    lat0: float
    lon0: float

    def to_xy(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
        """Project degrees to an (n, 2) array of metres."""
        return local_xy_m(lat, lon, lat0=self.lat0, lon0=self.lon0)

    def to_latlon(self, xy: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Turn an (n, 2) array of metres back into (lat, lon) degree arrays."""
        lat = self.lat0 + xy[:, 1] / _M_PER_DEG
        lon = self.lon0 + xy[:, 0] / (_M_PER_DEG * np.cos(np.radians(self.lat0)))
        return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        """Project a lon/lat shapely geometry into the plane."""
        projected: BaseGeometry = shapely.transform(
            geometry, lambda coords: self.to_xy(coords[:, 1], coords[:, 0])
        )
        return projected


def segments(a: FloatArray, b: FloatArray) -> npt.NDArray[np.object_]:
    """Shapely line segments from start points ``a`` to end points ``b`` ((n, 2) each)."""
    if a.shape[0] == 0:
        return np.empty(0, dtype=object)
    lines: npt.NDArray[np.object_] = shapely.linestrings(np.stack([a, b], axis=1))
    return lines


@dataclass(frozen=True, slots=True)
class Land:
    """Where roads may go (``allowed``) and where settlements may be placed (``inner``)."""

    allowed: BaseGeometry
    inner: BaseGeometry

    @classmethod
    def of(cls, land: BaseGeometry, *, slack_m: float, margin_m: float) -> Land:
        """Build from a metric land polygon: roads within ``slack_m`` of it, nodes inside."""
        allowed = land.buffer(slack_m)
        inner = land.buffer(-margin_m)
        shapely.prepare(allowed)
        shapely.prepare(inner)
        return cls(allowed=allowed, inner=inner)

    def segments_ok(self, a: FloatArray, b: FloatArray) -> BoolArray:
        """Tell for each segment a[i] -> b[i] whether it lies on land."""
        if a.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(shapely.contains(self.allowed, segments(a, b)), dtype=bool)

    def points_ok(self, xy: FloatArray) -> BoolArray:
        """Tell for each point whether it lies well inside the land."""
        if xy.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(shapely.contains_xy(self.inner, xy[:, 0], xy[:, 1]), dtype=bool)


def crossing_pairs(
    tree: shapely.STRtree, lines: npt.NDArray[np.object_]
) -> tuple[IntArray, IntArray]:
    """Pairs (query index, tree index) of lines whose interiors cross, in a stable order."""
    if len(lines) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    found = tree.query(lines, predicate="crosses")
    query_idx = np.asarray(found[0], dtype=np.int64)
    tree_idx = np.asarray(found[1], dtype=np.int64)
    order = np.lexsort((tree_idx, query_idx))
    return query_idx[order], tree_idx[order]


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.asarray(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Noded:
    """Result of :func:`node_crossings`."""

    new_xy: FloatArray
    u: IntArray
    v: IntArray
    parent: IntArray


def node_crossings(xy: FloatArray, u: IntArray, v: IntArray, *, snap_m: float) -> Noded:
    """Split segments where they cross, so every crossing becomes a shared junction node.

    A crossing closer than ``snap_m`` to an existing segment end reuses that node.

    Parameters
    ----------
    xy : (n, 2) array
        Node coordinates.
    u, v : int arrays
        Segment end nodes.
    snap_m : float
        Snap distance in metres.

    Returns
    -------
    Noded
        Coordinates of the nodes added (numbered from ``n`` on) and the new segments, each with
        the index of the segment it was cut from.
    """
    n = xy.shape[0]
    lines = segments(xy[u], xy[v])
    first, second = crossing_pairs(shapely.STRtree(lines), lines)
    keep = first < second
    first, second = first[keep], second[keep]
    if first.size == 0:
        return Noded(np.zeros((0, 2)), u.copy(), v.copy(), np.arange(u.size, dtype=np.int64))
    a1, d1 = xy[u[first]], xy[v[first]] - xy[u[first]]
    a2, d2 = xy[u[second]], xy[v[second]] - xy[u[second]]
    den = _cross(d1, d2)
    den = np.where(np.abs(den) < 1e-12, 1e-12, den)
    t = np.clip(_cross(a2 - a1, d2) / den, 0.0, 1.0)
    s = np.clip(_cross(a2 - a1, d1) / den, 0.0, 1.0)
    point = a1 + t[:, None] * d1
    len1 = np.hypot(d1[:, 0], d1[:, 1])
    len2 = np.hypot(d2[:, 0], d2[:, 1])
    choices = [
        t * len1 < snap_m,
        (1 - t) * len1 < snap_m,
        s * len2 < snap_m,
        (1 - s) * len2 < snap_m,
    ]
    existing = np.select(choices, [u[first], v[first], u[second], v[second]], default=-1)
    fresh = existing < 0
    node = existing.copy()
    node[fresh] = n + np.arange(int(fresh.sum()))
    seg = np.concatenate([first, second])
    param = np.concatenate([t, s])
    at = np.concatenate([node, node])
    inner = (at != u[seg]) & (at != v[seg])
    seg, param, at = seg[inner], param[inner], at[inner]
    order = np.lexsort((at, param, seg))
    seg, param, at = seg[order], param[order], at[order]
    unique = np.ones(seg.size, dtype=bool)
    unique[1:] = (seg[1:] != seg[:-1]) | (at[1:] != at[:-1])
    seg, at = seg[unique], at[unique]
    group_start = np.ones(seg.size, dtype=bool)
    group_start[1:] = seg[1:] != seg[:-1]
    group_end = np.ones(seg.size, dtype=bool)
    group_end[:-1] = seg[1:] != seg[:-1]
    previous = np.where(group_start, u[seg], np.roll(at, 1))
    piece_u = np.concatenate([previous, at[group_end]])
    piece_v = np.concatenate([at, v[seg[group_end]]])
    piece_parent = np.concatenate([seg, seg[group_end]])
    untouched = np.ones(u.size, dtype=bool)
    untouched[seg] = False
    kept = np.flatnonzero(untouched)
    all_parent = np.concatenate([kept, piece_parent])
    all_u = np.concatenate([u[kept], piece_u])
    all_v = np.concatenate([v[kept], piece_v])
    order = np.argsort(all_parent, kind="stable")
    return Noded(
        new_xy=point[fresh],
        u=all_u[order].astype(np.int64),
        v=all_v[order].astype(np.int64),
        parent=all_parent[order].astype(np.int64),
    )


def wiggle(
    control: FloatArray,
    rng: np.random.Generator,
    *,
    spacing_m: float,
    amplitude_frac: float,
    max_amplitude_m: float,
) -> FloatArray:
    """Resample a control polyline with nodes every ``spacing_m`` and gentle sideways bends.

    Each straight piece bends by a smooth offset that is zero at both of its ends, so the result
    still passes through every control point.
    """
    points = [control[:1]]
    for start, end in itertools.pairwise(control):
        delta = end - start
        length = float(np.hypot(delta[0], delta[1]))
        count = max(1, round(length / spacing_m))
        t = np.linspace(0.0, 1.0, count + 1)[1:]
        base = start + t[:, None] * delta
        if count > 1 and length > 0:
            normal = np.array([-delta[1], delta[0]]) / length
            amplitude = min(max_amplitude_m, amplitude_frac * length) * rng.uniform(0.3, 1.0)
            weights = rng.normal(0.0, 1.0, 3) / np.array([1.0, 2.0, 3.0])
            phase = np.sin(np.pi * np.outer(t, np.array([1.0, 2.0, 3.0])))
            offset = amplitude * (phase @ weights) / 1.5
            offset[:-1] += rng.normal(0.0, min(12.0, 0.04 * spacing_m), count - 1)
            offset[-1] = 0.0
            base = base + offset[:, None] * normal[None, :]
        points.append(base)
    return np.concatenate(points)


def pull_taut(path: FloatArray, land: Land) -> FloatArray:
    """Drop path points while the straight shortcut stays on land (string pulling)."""
    kept = [0]
    i, last = 0, path.shape[0] - 1
    while i < last:
        ahead = path[i + 1 :]
        ok = land.segments_ok(np.repeat(path[i : i + 1], ahead.shape[0], axis=0), ahead)
        ok[0] = True
        i = i + 1 + int(np.flatnonzero(ok)[-1])
        kept.append(i)
    return path[kept]


class Router:
    """Shortest ways over land on a hexagonal lattice, for links a straight line cannot make."""

    def __init__(self, land: Land, *, spacing_m: float) -> None:
        minx, miny, maxx, maxy = land.inner.bounds
        row_step = spacing_m * np.sqrt(3.0) / 2.0
        rows = int(np.ceil((maxy - miny) / row_step)) + 1
        cols = int(np.ceil((maxx - minx) / spacing_m)) + 2
        r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
        x = minx + c * spacing_m + (r % 2) * spacing_m / 2.0
        y = miny + r * row_step
        xy = np.column_stack([x.ravel(), y.ravel()])
        inside = land.points_ok(xy)
        index = np.full(rows * cols, -1, dtype=np.int64)
        index[inside] = np.arange(int(inside.sum()))
        self.xy: FloatArray = xy[inside]
        flat = np.arange(rows * cols).reshape(rows, cols)
        # Rows alternate in offset: even rows meet the row above at columns c-1 and c, odd
        # rows at columns c and c+1.
        pairs = [
            (flat[:, :-1], flat[:, 1:]),
            (flat[:-1, :], flat[1:, :]),
            (flat[0 : rows - 1 : 2, 1:], flat[1:rows:2, :-1]),
            (flat[1 : rows - 1 : 2, :-1], flat[2:rows:2, 1:]),
        ]
        a = np.concatenate([p[0].ravel() for p in pairs])
        b = np.concatenate([p[1].ravel() for p in pairs])
        ia, ib = index[a], index[b]
        both = (ia >= 0) & (ib >= 0)
        ia, ib = ia[both], ib[both]
        ok = land.segments_ok(self.xy[ia], self.xy[ib])
        ia, ib = ia[ok], ib[ok]
        length = np.hypot(*(self.xy[ia] - self.xy[ib]).T)
        m = self.xy.shape[0]
        self.graph = csr_matrix(
            (
                np.concatenate([length, length]),
                (np.concatenate([ia, ib]), np.concatenate([ib, ia])),
            ),
            shape=(m, m),
        )
        self.tree = cKDTree(self.xy) if m else None
        self.land = land

    def _entry(self, point: FloatArray) -> int:
        if self.tree is None:
            return -1
        k = min(12, self.xy.shape[0])
        _, near = self.tree.query(point, k=k)
        near = np.atleast_1d(np.asarray(near, dtype=np.int64))
        ok = self.land.segments_ok(np.repeat(point[None, :], near.size, axis=0), self.xy[near])
        return int(near[np.flatnonzero(ok)[0]]) if ok.any() else -1

    def route(self, start: FloatArray, end: FloatArray) -> FloatArray | None:
        """Find a taut polyline from ``start`` to ``end`` over land (None when there is none)."""
        a, b = self._entry(start), self._entry(end)
        if a < 0 or b < 0:
            return None
        dist, pred = dijkstra(self.graph, indices=a, return_predecessors=True)
        if not np.isfinite(dist[b]):
            return None
        chain = [b]
        while chain[-1] != a:
            chain.append(int(pred[chain[-1]]))
        path = np.vstack([start[None, :], self.xy[chain[::-1]], end[None, :]])
        return pull_taut(path, self.land)


def polyline_length(points: FloatArray) -> float:
    """Length of a polyline in metres."""
    steps = np.diff(points, axis=0)
    return float(np.hypot(steps[:, 0], steps[:, 1]).sum())
