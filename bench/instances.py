"""VRPTW benchmark instances (Solomon text format) and their best-known solutions.

The data lives in ``bench/data/`` (copies; see ``bench/data/PROVENANCE.md``): Solomon's 56
instances with 100 customers and Gehring & Homberger's 60 with 200, and ``bks.csv``.

File format: a name line, then ``VEHICLE`` / ``NUMBER CAPACITY`` and one line with the two
numbers, then ``CUSTOMER``, a header line and one row per node: id, x, y, demand, ready time,
due date, service time. Row 0 is the depot (its window is the planning horizon).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA = Path(__file__).resolve().parent / "data"
SETS = {"solomon": DATA / "solomon", "homberger_200": DATA / "homberger_200"}


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Instance:
    """One VRPTW instance; node 0 is the depot, nodes 1..n the customers (file order)."""

    name: str
    set_name: str
    vehicles: int
    capacity: int
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    demand: npt.NDArray[np.int64]
    ready: npt.NDArray[np.float64]
    due: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]

    @property
    def n_customers(self) -> int:
        return int(self.x.size - 1)

    def distances(self) -> npt.NDArray[np.float64]:
        """Euclidean distance matrix in double precision."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        return np.sqrt(dx * dx + dy * dy)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bks:
    """Best-known solution used as the reference for one instance."""

    distance: float
    vehicles: int
    hierarchical: bool  # True: vehicles first, then distance (not a distance-only record)


def parse_solomon(path: Path, set_name: str = "") -> Instance:
    """Read one instance in the Solomon text format."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    name = next(line for line in lines if line)
    upper = [line.upper() for line in lines]
    at = upper.index("VEHICLE")
    numbers = next(line.split() for line in lines[at + 1 :] if line and line.split()[0].isdigit())
    vehicles, capacity = int(numbers[0]), int(numbers[1])
    start = upper.index("CUSTOMER")
    rows = []
    for line in lines[start + 1 :]:
        parts = line.split()
        if len(parts) == 7 and parts[0].isdigit():
            rows.append([float(p) for p in parts])
    table = np.array(rows, dtype=float)
    if table.size == 0 or int(table[0, 0]) != 0:
        raise ValueError(f"{path}: no depot row (customer 0)")
    if not np.array_equal(table[:, 0], np.arange(len(rows))):
        raise ValueError(f"{path}: customer numbers are not 0..{len(rows) - 1} in order")
    return Instance(
        name=name,
        set_name=set_name,
        vehicles=vehicles,
        capacity=capacity,
        x=table[:, 1].copy(),
        y=table[:, 2].copy(),
        demand=table[:, 3].astype(np.int64),
        ready=table[:, 4].copy(),
        due=table[:, 5].copy(),
        service=table[:, 6].copy(),
    )


def instance_path(name: str) -> tuple[str, Path]:
    """Find an instance file by name (case-insensitive for Solomon: ``c101`` = ``C101``)."""
    for set_name, folder in SETS.items():
        for candidate in (name, name.upper(), name.lower()):
            path = folder / f"{candidate}.txt"
            if path.is_file():
                return set_name, path
    raise FileNotFoundError(f"no instance {name!r} in {', '.join(map(str, SETS.values()))}")


def load(name: str) -> Instance:
    """Load one instance by name (``C101``, ``rc1_2_1``...)."""
    set_name, path = instance_path(name)
    return parse_solomon(path, set_name)


def all_names(set_name: str) -> list[str]:
    """All instance names of a set, in natural order (C101, C102, ..., c1_2_1, c1_2_2, ...)."""

    def key(path: Path) -> tuple[object, ...]:
        return tuple(int(t) if t.isdigit() else t for t in path.stem.lower().split("_"))

    return [p.stem for p in sorted(SETS[set_name].glob("*.txt"), key=key)]


def load_bks(path: Path = DATA / "bks.csv") -> dict[str, Bks]:
    """Best-known solutions by instance name.

    Solomon: the ``distance-only`` row when present (our solvers minimise distance only),
    else the hierarchical one. Gehring & Homberger 200: only the hierarchical (SINTEF) row
    exists, flagged ``hierarchical=True``: a distance minimiser may beat it with more vehicles.
    """
    result: dict[str, Bks] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["set"] not in SETS:
                continue
            distance_only = row["objective"].strip() == "distance-only"
            bks = Bks(
                distance=float(row["best_known_distance"]),
                vehicles=int(row["vehicles"]),
                hierarchical=not distance_only,
            )
            current = result.get(row["instance"])
            if current is None or (current.hierarchical and distance_only):
                result[row["instance"]] = bks
    return result


def gap_percent(distance: float, bks: Bks | None) -> float:
    """Gap to the BKS in percent (NaN without a BKS)."""
    if bks is None or not math.isfinite(distance):
        return math.nan
    return (distance / bks.distance - 1.0) * 100.0
