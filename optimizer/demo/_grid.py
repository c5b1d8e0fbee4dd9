"""Irregular street grids inside a settlement footprint (metric plane)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely.geometry.base import BaseGeometry

from optimizer.demo._geometry import BoolArray, FloatArray, IntArray, Land


@dataclass(frozen=True, slots=True)
class GridStyle:
    """How regular a settlement's streets are.

    Attributes
    ----------
    spacing_m : float
        Block size (distance between parallel streets).
    jitter : float
        Random node displacement, as a fraction of the spacing.
    warp : float
        Amplitude of the slow bending of whole streets, as a fraction of the spacing.
    keep_along, keep_across : float
        Share of street pieces kept along and across the main direction (a random spanning
        tree is always kept, so the grid stays connected).
    main_every : int
        Every this many rows and columns (counted from the origin) is a main street, kept
        whole; through roads follow main streets.
    """

    spacing_m: float
    jitter: float
    warp: float
    keep_along: float
    keep_across: float
    main_every: int


@dataclass(frozen=True, slots=True)
class Grid:
    """Street nodes and pieces of one built-up area.

    ``edges`` holds local node indices; ``along`` marks pieces running in the grid's main
    direction and ``main`` pieces of main streets; ``row``/``col`` are each node's lattice
    position (rows run along).
    """

    xy: FloatArray
    edges: IntArray
    along: BoolArray
    main: BoolArray
    row: IntArray
    col: IntArray


def _lattice(
    footprint: BaseGeometry, origin: FloatArray, cos_h: float, sin_h: float, spacing: float
) -> tuple[IntArray, IntArray]:
    """Return the row and column of every lattice point over the footprint (rows run along)."""
    minx, miny, maxx, maxy = footprint.bounds
    corners = np.array([[minx, miny], [minx, maxy], [maxx, miny], [maxx, maxy]]) - origin
    along_c = corners @ np.array([cos_h, sin_h])
    across_c = corners @ np.array([-sin_h, cos_h])
    cols = np.arange(
        int(np.floor(along_c.min() / spacing)) - 1, int(np.ceil(along_c.max() / spacing)) + 2
    )
    rows = np.arange(
        int(np.floor(across_c.min() / spacing)) - 1, int(np.ceil(across_c.max() / spacing)) + 2
    )
    row_idx, col_idx = np.meshgrid(rows, cols, indexing="ij")
    return row_idx, col_idx


def _place_nodes(
    row_idx: IntArray,
    col_idx: IntArray,
    origin: FloatArray,
    cos_h: float,
    sin_h: float,
    style: GridStyle,
    rng: np.random.Generator,
) -> tuple[FloatArray, BoolArray]:
    """Warp and jitter the lattice points; return them in the plane and the origin's mask.

    The lattice point at the origin stays exactly in place.
    """
    spacing = style.spacing_m
    local_a = col_idx.ravel() * spacing
    local_b = row_idx.ravel() * spacing
    phases = rng.uniform(0.0, 2.0 * np.pi, 2)
    local_b = local_b + style.warp * spacing * np.sin(local_a / (3.1 * spacing) + phases[0])
    local_a = local_a + style.warp * spacing * np.sin(local_b / (2.7 * spacing) + phases[1])
    shift = rng.normal(0.0, style.jitter * spacing, (local_a.size, 2))
    at_origin = (row_idx.ravel() == 0) & (col_idx.ravel() == 0)
    local_a = np.where(at_origin, 0.0, local_a + shift[:, 0])
    local_b = np.where(at_origin, 0.0, local_b + shift[:, 1])
    world = origin + np.column_stack(
        [local_a * cos_h - local_b * sin_h, local_a * sin_h + local_b * cos_h]
    )
    return world, at_origin


@dataclass(frozen=True, slots=True)
class _Pieces:
    """Candidate street pieces between neighbouring nodes (indices into the kept nodes)."""

    a: IntArray
    b: IntArray
    along: BoolArray
    main: BoolArray

    def subset(self, mask: BoolArray) -> _Pieces:
        """Return the pieces where ``mask`` is true."""
        return _Pieces(self.a[mask], self.b[mask], self.along[mask], self.main[mask])


def _lattice_pieces(
    grid_index: IntArray, row_idx: IntArray, col_idx: IntArray, main_every: int
) -> _Pieces:
    """List every piece between lattice neighbours, along the rows first, then across.

    ``grid_index`` numbers the kept nodes of the lattice (-1 where none is kept); a piece
    with a missing end gets -1 there.
    """
    pairs_a = np.concatenate([grid_index[:, :-1].ravel(), grid_index[:-1, :].ravel()])
    pairs_b = np.concatenate([grid_index[:, 1:].ravel(), grid_index[1:, :].ravel()])
    along = np.concatenate(
        [
            np.ones(grid_index[:, :-1].size, dtype=bool),
            np.zeros(grid_index[:-1, :].size, dtype=bool),
        ]
    )
    row_of = np.concatenate([row_idx[:, :-1].ravel(), row_idx[:-1, :].ravel()])
    col_of = np.concatenate([col_idx[:, :-1].ravel(), col_idx[:-1, :].ravel()])
    main = np.where(along, row_of % main_every == 0, col_of % main_every == 0)
    return _Pieces(pairs_a, pairs_b, along, main)


def _thin(pieces: _Pieces, count: int, style: GridStyle, rng: np.random.Generator) -> BoolArray:
    """Choose the pieces to build: a random share, main streets, and a random spanning tree."""
    pairs_a, pairs_b, along = pieces.a, pieces.b, pieces.along
    draw = rng.random(pairs_a.size)
    keep = np.where(along, draw < style.keep_along, draw < style.keep_across) | pieces.main
    if pairs_a.size:
        weights = rng.uniform(1.0, 2.0, pairs_a.size)
        tree = minimum_spanning_tree(
            coo_matrix((weights, (pairs_a, pairs_b)), shape=(count, count)).tocsr()
        ).tocoo()
        tree_keys = np.minimum(tree.row, tree.col) * count + np.maximum(tree.row, tree.col)
        keys = np.minimum(pairs_a, pairs_b) * count + np.maximum(pairs_a, pairs_b)
        keep |= np.isin(keys, tree_keys)
    return keep


def street_grid(
    footprint: BaseGeometry,
    origin: FloatArray,
    heading: float,
    style: GridStyle,
    land: Land,
    rng: np.random.Generator,
) -> Grid:
    """Lay a jittered, thinned street grid over a footprint.

    Parameters
    ----------
    footprint : shapely geometry
        Where nodes may be (metric plane).
    origin : (2,) array
        A lattice point that stays exactly in place (the settlement centre).
    heading : float
        Direction of the rows, radians from east.
    style : GridStyle
    land : Land
        Pieces that leave the land are not built.
    rng : numpy Generator

    Returns
    -------
    Grid
        Possibly empty; may have several components where water or the footprint splits it.
    """
    cos_h, sin_h = np.cos(heading), np.sin(heading)
    row_idx, col_idx = _lattice(footprint, origin, cos_h, sin_h, style.spacing_m)
    world, at_origin = _place_nodes(row_idx, col_idx, origin, cos_h, sin_h, style, rng)
    shapely.prepare(footprint)
    inside = shapely.contains_xy(footprint, world[:, 0], world[:, 1]) & land.points_ok(world)
    inside |= at_origin & land.points_ok(world)
    index = np.full(inside.size, -1, dtype=np.int64)
    index[inside] = np.arange(int(inside.sum()))
    pieces = _lattice_pieces(index.reshape(row_idx.shape), row_idx, col_idx, style.main_every)
    xy = world[inside]
    pieces = pieces.subset((pieces.a >= 0) & (pieces.b >= 0))
    pieces = pieces.subset(land.segments_ok(xy[pieces.a], xy[pieces.b]))
    count = xy.shape[0]
    pieces = pieces.subset(_thin(pieces, count, style, rng))
    used = np.zeros(count, dtype=bool)
    used[pieces.a] = True
    used[pieces.b] = True
    renumber = np.cumsum(used) - 1
    return Grid(
        xy=xy[used],
        edges=np.column_stack([renumber[pieces.a], renumber[pieces.b]]).astype(np.int64),
        along=pieces.along,
        main=pieces.main,
        row=row_idx.ravel()[inside][used].astype(np.int64),
        col=col_idx.ravel()[inside][used].astype(np.int64),
    )
