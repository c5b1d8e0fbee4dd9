"""A growing table of nodes and undirected road pieces, used while the demo network is built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.demo._geometry import BoolArray, FloatArray, IntArray
from optimizer.roadgraph import ACCESS_ALL, ACCESS_FOOT, ACCESS_MOTORCYCLE, highway_code

PRIMARY = highway_code("primary")
SECONDARY = highway_code("secondary")
TERTIARY = highway_code("tertiary")
UNCLASSIFIED = highway_code("unclassified")
RESIDENTIAL = highway_code("residential")
TRACK = highway_code("track")
PATH = highway_code("path")
#: Classes cars never use in the demo network.
NOT_FOR_CARS = (TRACK, PATH, highway_code("footway"))
#: Lanes (gang) are too narrow for cars.
LANE_ACCESS = ACCESS_MOTORCYCLE | ACCESS_FOOT


@dataclass(slots=True)
class Pieces:
    """Road pieces between two nodes, with their tags.

    A one-way piece runs from ``u`` to ``v``. ``chain`` groups the pieces of one one-way street
    (-1 for none); ``zone`` says what kind of settlement a piece belongs to (0 outside any).
    """

    u: IntArray
    v: IntArray
    code: npt.NDArray[np.int8]
    oneway: BoolArray
    maxspeed: npt.NDArray[np.float32]
    access: npt.NDArray[np.uint8]
    chain: npt.NDArray[np.int32]
    zone: npt.NDArray[np.int8]

    @classmethod
    def make(
        cls,
        u: npt.ArrayLike,
        v: npt.ArrayLike,
        code: int,
        *,
        access: int = ACCESS_ALL,
        zone: int = 0,
        maxspeed: float = float("nan"),
    ) -> Pieces:
        """Two-way pieces of one class."""
        u_arr = np.asarray(u, dtype=np.int64).ravel()
        n = u_arr.size
        return cls(
            u=u_arr,
            v=np.asarray(v, dtype=np.int64).ravel(),
            code=np.full(n, code, dtype=np.int8),
            oneway=np.zeros(n, dtype=bool),
            maxspeed=np.full(n, maxspeed, dtype=np.float32),
            access=np.full(n, access, dtype=np.uint8),
            chain=np.full(n, -1, dtype=np.int32),
            zone=np.full(n, zone, dtype=np.int8),
        )

    @classmethod
    def concat(cls, parts: Sequence[Pieces]) -> Pieces:
        """Stack several tables."""
        return cls(
            u=np.concatenate([p.u for p in parts]),
            v=np.concatenate([p.v for p in parts]),
            code=np.concatenate([p.code for p in parts]),
            oneway=np.concatenate([p.oneway for p in parts]),
            maxspeed=np.concatenate([p.maxspeed for p in parts]),
            access=np.concatenate([p.access for p in parts]),
            chain=np.concatenate([p.chain for p in parts]),
            zone=np.concatenate([p.zone for p in parts]),
        )

    def take(self, index: npt.ArrayLike) -> Pieces:
        """Rows by index or mask."""
        idx = np.asarray(index)
        return Pieces(
            u=self.u[idx],
            v=self.v[idx],
            code=self.code[idx],
            oneway=self.oneway[idx],
            maxspeed=self.maxspeed[idx],
            access=self.access[idx],
            chain=self.chain[idx],
            zone=self.zone[idx],
        )

    def __len__(self) -> int:
        return int(self.u.size)


class Network:
    """Nodes (metric plane) and pieces, appended in chunks and merged on demand."""

    def __init__(self) -> None:
        self._xy: list[FloatArray] = [np.zeros((0, 2))]
        self._pieces: list[Pieces] = [Pieces.make([], [], 0)]
        self.n_nodes = 0

    def add_nodes(self, xy: FloatArray) -> IntArray:
        """Append nodes; returns their indices."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        first = self.n_nodes
        self._xy.append(xy)
        self.n_nodes += xy.shape[0]
        return np.arange(first, self.n_nodes, dtype=np.int64)

    def add(self, pieces: Pieces) -> IntArray:
        """Append pieces; returns their row indices."""
        first = self.n_pieces
        self._pieces.append(pieces)
        return np.arange(first, first + len(pieces), dtype=np.int64)

    @property
    def n_pieces(self) -> int:
        """Number of pieces."""
        return sum(len(p) for p in self._pieces)

    def xy(self) -> FloatArray:
        """All node coordinates as one (n, 2) array."""
        if len(self._xy) > 1:
            self._xy = [np.concatenate(self._xy)]
        return self._xy[0]

    def pieces(self) -> Pieces:
        """All pieces as one table (edit its arrays in place to change tags)."""
        if len(self._pieces) > 1:
            self._pieces = [Pieces.concat(self._pieces)]
        return self._pieces[0]

    def replace(self, pieces: Pieces) -> None:
        """Swap in a new piece table."""
        self._pieces = [pieces]
