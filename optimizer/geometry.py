"""Geometry after solving: the streets under a plan, for maps and printed sheets.

:class:`Streets` holds road centre lines as flat coordinate arrays (one polyline per undirected
road segment, its inner shape points included) with the segment's highway rank, so renderers can
draw every road in view without touching the road graph. Build it once per plan with
:func:`build_streets`; save and load it with :func:`save_streets` / :func:`load_streets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from optimizer.config import HIGHWAY_CLASSES
from optimizer.roadgraph import RoadGraph

#: Rank of a street for drawing: 0 main roads (motorway..tertiary), 1 local roads
#: (unclassified, residential, living_street, service), 2 lanes and paths (gang, track, path,
#: footway...). Ways no profile uses are left out.
RANK_MAIN, RANK_LOCAL, RANK_LANE = 0, 1, 2
_MAIN = {"motorway", "trunk", "primary", "secondary", "tertiary"}
_LOCAL = {"unclassified", "residential", "living_street", "service"}
_RANK_OF_CLASS = np.array(
    [
        RANK_MAIN if c in _MAIN else RANK_LOCAL if c in _LOCAL else RANK_LANE
        for c in HIGHWAY_CLASSES
    ],
    dtype=np.int8,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Streets:
    """Road centre lines to draw under routes.

    Attributes
    ----------
    offsets : int64 array (k + 1,)
        Line i's points are ``lat[offsets[i]:offsets[i + 1]]`` / ``lon[...]`` (at least two).
    lat, lon : float64 arrays
        Point coordinates in degrees.
    rank : int8 array (k,)
        ``RANK_MAIN``, ``RANK_LOCAL`` or ``RANK_LANE`` per line.
    synthetic : bool
        True when the road network is the synthetic demonstration network.
    attribution : str
        Credit line of the road data (e.g. "© OpenStreetMap contributors").
    """

    offsets: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    rank: npt.NDArray[np.int8]
    synthetic: bool
    attribution: str

    @property
    def n_lines(self) -> int:
        """Number of polylines."""
        return int(self.rank.shape[0])

    def line(self, index: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Return the (lat, lon) arrays of one line."""
        start, end = int(self.offsets[index]), int(self.offsets[index + 1])
        return self.lat[start:end], self.lon[start:end]

    def within(self, south: float, west: float, north: float, east: float) -> Streets:
        """Return the lines with at least one point inside the box (degrees)."""
        inside = (self.lat >= south) & (self.lat <= north) & (self.lon >= west) & (self.lon <= east)
        line_of_point = np.repeat(np.arange(self.n_lines), np.diff(self.offsets))
        keep = np.zeros(self.n_lines, dtype=bool)
        keep[line_of_point[inside]] = True
        return self._subset(keep)

    def _subset(self, keep: npt.NDArray[np.bool_]) -> Streets:
        counts = np.diff(self.offsets)[keep]
        points = np.repeat(keep, np.diff(self.offsets))
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return Streets(
            offsets=offsets,
            lat=self.lat[points],
            lon=self.lon[points],
            rank=self.rank[keep],
            synthetic=self.synthetic,
            attribution=self.attribution,
        )


def build_streets(graph: RoadGraph) -> Streets:
    """Turn the road graph into drawable lines: one per undirected segment, shape points kept.

    A two-way street is stored twice in the graph (one edge each way); it is drawn once.

    Parameters
    ----------
    graph : RoadGraph

    Returns
    -------
    Streets
    """
    usable = graph.highway >= 0
    u, v = graph.edge_u.astype(np.int64), graph.edge_v.astype(np.int64)
    # Keep edge u->v when u < v, or when it is one-way (its reverse is not in the graph).
    first = usable & ((u < v) | graph.oneway)
    edges = np.flatnonzero(first)
    inner = graph.geom_offsets[edges + 1] - graph.geom_offsets[edges]
    counts = inner + 2
    offsets = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    lat = np.empty(int(offsets[-1]), dtype=np.float64)
    lon = np.empty(int(offsets[-1]), dtype=np.float64)
    lat[offsets[:-1]] = graph.lat[u[edges]]
    lon[offsets[:-1]] = graph.lon[u[edges]]
    lat[offsets[1:] - 1] = graph.lat[v[edges]]
    lon[offsets[1:] - 1] = graph.lon[v[edges]]
    # Inner shape points, in order, between the two ends.
    total = int(inner.sum())
    if total:
        owner = np.repeat(np.arange(len(edges)), inner)
        step = np.arange(total) - np.repeat(np.cumsum(inner) - inner, inner)
        source = graph.geom_offsets[edges][owner] + step
        target = offsets[:-1][owner] + 1 + step
        lat[target] = graph.geom_lat[source]
        lon[target] = graph.geom_lon[source]
    return Streets(
        offsets=offsets,
        lat=lat,
        lon=lon,
        rank=_RANK_OF_CLASS[graph.highway[edges]],
        synthetic=graph.info.synthetic,
        attribution=graph.info.attribution,
    )


def save_streets(streets: Streets, path: Path) -> Path:
    """Write streets to a compressed ``.npz`` file (what ``berbagi sheets`` reads back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            offsets=streets.offsets,
            lat=streets.lat,
            lon=streets.lon,
            rank=streets.rank,
            synthetic=np.array(streets.synthetic),
            attribution=np.array(streets.attribution),
        )
    return path


def load_streets(path: Path) -> Streets:
    """Read streets written by :func:`save_streets`."""
    with np.load(path, allow_pickle=False) as data:
        return Streets(
            offsets=data["offsets"].astype(np.int64),
            lat=data["lat"].astype(np.float64),
            lon=data["lon"].astype(np.float64),
            rank=data["rank"].astype(np.int8),
            synthetic=bool(data["synthetic"]),
            attribution=str(data["attribution"]),
        )
