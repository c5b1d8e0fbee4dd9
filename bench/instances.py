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


# --- VRPLIB sets (PyVRP's dialect): multi-trip with release dates, heterogeneous fleet -------

VRPLIB_SETS = {"mtvrptwr": DATA / "mtvrptwr", "hfvrp": DATA / "hfvrp"}


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class VrplibInstance:
    """One instance of PyVRP's VRPLIB dialect; node 0 is the depot, nodes 1..n the clients.

    Per-vehicle arrays (``capacity``, ``fixed_cost``, ``unit_cost``, ``reload``) have one entry
    per vehicle of the file; times are as in the file (unscaled), ``release`` is 0 without a
    release-time section, ``due`` is +inf without a time-window section.
    """

    name: str
    set_name: str
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    demand: npt.NDArray[np.int64]
    service: npt.NDArray[np.float64]
    ready: npt.NDArray[np.float64]
    due: npt.NDArray[np.float64]
    release: npt.NDArray[np.float64]
    capacity: npt.NDArray[np.int64]
    fixed_cost: npt.NDArray[np.int64]
    unit_cost: npt.NDArray[np.int64]
    reload: npt.NDArray[np.bool_]  # the vehicle may reload at the depot

    @property
    def n_customers(self) -> int:
        return int(self.x.size - 1)

    @property
    def vehicles(self) -> int:
        return int(self.capacity.size)

    def distances(self) -> npt.NDArray[np.float64]:
        """Euclidean distance matrix in double precision."""
        dx = self.x[:, None] - self.x[None, :]
        dy = self.y[:, None] - self.y[None, :]
        return np.sqrt(dx * dx + dy * dy)

    def vehicle_types(self) -> list[tuple[int, int, int, list[int]]]:
        """Distinct (capacity, fixed cost, unit cost) in file order, with their vehicle ids."""
        types: dict[tuple[int, int, int], list[int]] = {}
        for v in range(self.vehicles):
            key = (int(self.capacity[v]), int(self.fixed_cost[v]), int(self.unit_cost[v]))
            types.setdefault(key, []).append(v)
        return [(*key, ids) for key, ids in types.items()]


def parse_vrplib(path: Path) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """Split a VRPLIB file into its ``KEY: value`` header and its sections (rows of tokens)."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        first = line.split()[0]
        if first.endswith("_SECTION"):
            current = sections.setdefault(first, [])
        elif ":" in line and not first.lstrip("-").replace(".", "").isdigit():
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            current = None
        elif current is not None:
            current.append(line.split())
    return header, sections


def _column(sections: dict[str, list[list[str]]], name: str, n: int, col: int = 1) -> list[str]:
    rows = sections[name]
    if len(rows) != n or [int(r[0]) for r in rows] != list(range(1, n + 1)):
        raise ValueError(f"{name}: expected rows 1..{n} in order")
    return [r[col] for r in rows]


def parse_vrplib_instance(path: Path, set_name: str = "") -> VrplibInstance:
    """Read one instance of PyVRP's VRPLIB dialect (EUC_2D, one depot listed first)."""
    header, sec = parse_vrplib(path)
    n = int(header["DIMENSION"])
    if header.get("EDGE_WEIGHT_TYPE", "EUC_2D") != "EUC_2D":
        raise ValueError(f"{path}: only EUC_2D is supported")
    if [r[0] for r in sec["DEPOT_SECTION"] if r[0] != "-1"] != ["1"]:
        raise ValueError(f"{path}: expected one depot, node 1")
    xy = np.array([_column(sec, "NODE_COORD_SECTION", n, c) for c in (1, 2)], dtype=float)
    vehicles = int(header["VEHICLES"])

    def per_vehicle(name: str, default: int) -> npt.NDArray[np.int64]:
        if name not in sec:
            return np.full(vehicles, default, dtype=np.int64)
        return np.array(_column(sec, name, vehicles), dtype=np.int64)

    capacity = per_vehicle("CAPACITY_SECTION", int(header.get("CAPACITY", "0")))
    if "TIME_WINDOW_SECTION" in sec:
        ready = np.array(_column(sec, "TIME_WINDOW_SECTION", n, 1), dtype=float)
        due = np.array(_column(sec, "TIME_WINDOW_SECTION", n, 2), dtype=float)
    else:
        ready, due = np.zeros(n), np.full(n, np.inf)
    if "SERVICE_TIME_SECTION" in sec:
        service = np.array(_column(sec, "SERVICE_TIME_SECTION", n), dtype=float)
    else:
        service = np.full(n, float(header.get("SERVICE_TIME", "0")))
    service[0] = 0.0
    release = (
        np.array(_column(sec, "RELEASE_TIME_SECTION", n), dtype=float)
        if "RELEASE_TIME_SECTION" in sec
        else np.zeros(n)
    )
    reload = np.zeros(vehicles, dtype=bool)
    for row in sec.get("VEHICLES_RELOAD_DEPOT_SECTION", []):
        if row[1:] not in (["1"], []):
            raise ValueError(f"{path}: vehicle {row[0]} reloads at {row[1:]}, not at the depot")
        reload[int(row[0]) - 1] = bool(row[1:])
    if "VEHICLES_MAX_RELOADS_SECTION" in sec or "VEHICLES_MAX_DURATION_SECTION" in sec:
        raise ValueError(f"{path}: reload or duration limits are not supported here")
    return VrplibInstance(
        name=header.get("NAME", path.stem),
        set_name=set_name,
        x=xy[0],
        y=xy[1],
        demand=np.array(_column(sec, "DEMAND_SECTION", n), dtype=np.int64),
        service=service,
        ready=ready,
        due=due,
        release=release,
        capacity=capacity,
        fixed_cost=per_vehicle("VEHICLES_FIXED_COST_SECTION", 0),
        unit_cost=per_vehicle("VEHICLES_UNIT_DISTANCE_COST_SECTION", 1),
        reload=reload,
    )


def read_sol(path: Path) -> tuple[list[list[int]], float]:
    """Routes (one per vehicle of the file; 0 = back to the depot to reload) and cost of a .sol."""
    routes: list[list[int]] = []
    cost = math.nan
    for line in path.read_text().splitlines():
        if line.startswith("Route #"):
            routes.append([int(t) for t in line.split(":", 1)[1].split()])
        elif line.startswith("Cost"):
            cost = float(line.split()[-1])
    return routes, cost


def load_vrplib(set_name: str, name: str) -> VrplibInstance:
    return parse_vrplib_instance(VRPLIB_SETS[set_name] / f"{name}.vrp", set_name)


def vrplib_names(set_name: str) -> list[str]:
    return sorted(p.stem for p in VRPLIB_SETS[set_name].glob("*.vrp"))


def load_cost_bks(set_name: str, path: Path = DATA / "bks.csv") -> dict[str, float]:
    """Best-known cost by instance name for a VRPLIB set (the set's own integer convention)."""
    with path.open(newline="") as handle:
        return {
            row["instance"]: float(row["best_known_distance"])
            for row in csv.DictReader(handle)
            if row["set"] == set_name
        }


def single_depot_task(
    name: str,
    demand: npt.NDArray[np.int64],
    service: npt.NDArray[np.int64],
    ready: npt.NDArray[np.int64],
    due: npt.NDArray[np.int64],
    matrix: npt.NDArray[np.int64],
    vehicles: tuple[object, ...],
    profile: str,
    *,
    with_distance: bool = False,
):
    """A solver task with the depot at node 0 and every customer an optional candidate."""
    from optimizer.task import SolveTask

    n = demand.size
    candidates = np.ones(n, dtype=bool)
    candidates[0] = False
    times = matrix.astype(np.int32)
    return SolveTask(
        key=name,
        n_depots=1,
        households=np.arange(1, n, dtype=np.int64),
        demand=demand.copy(),
        service_s={profile: service.copy()},
        window_start_s=ready.copy(),
        window_end_s=due.copy(),
        time_s={profile: times},
        candidates=candidates,
        vehicles=vehicles,  # type: ignore[arg-type]
        distance_m={profile: times} if with_distance else {},
    )
