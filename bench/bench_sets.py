"""Multi-trip (MTVRPTWR) and heterogeneous-fleet (HFVRP) benchmarks of the planner's solver.

    .venv/bin/python bench/bench_sets.py mtvrptwr [INSTANCE ...] [--more] [--time S]
        [--no-pyvrp] [--first-solution STRATEGY] [--metaheuristic NAME]
        [--solutions-per-stop X]
    .venv/bin/python bench/bench_sets.py hfvrp [INSTANCE ...] [--time S] [--no-pyvrp]
        [--first-solution STRATEGY] [--metaheuristic NAME] [--solutions-per-stop X]
        [--fleet-order largest-first]

Data: ``bench/data/mtvrptwr`` and ``bench/data/hfvrp`` (PyVRP's VRPLIB dialect, copies; see
``bench/data/PROVENANCE.md``); BKS from ``bench/data/bks.csv``. Before solving, every BKS
``.sol`` is re-checked and re-costed with the code below, so the conventions are verified.

**mtvrptwr** (multi-trip VRPTW with release dates). The set's convention (DIMACS): every
distance truncated to one decimal and scaled by 10 (``floor(10 d)``), used as travel time and
cost; windows, service and release times x10. The solver receives exactly these integers
(profile "car", objective ``total_time``: arc cost = travel + service at the origin, a
constant offset from distance once every customer is served, plus the route span where the
solver counts waiting in ``total_time``), the instance's fleet with
``max_trips = UNLIMITED_TRIPS`` and ``reload_s = 0``, every customer optional with a large drop
penalty. The solver has no release dates, so it runs on the instance **with release dates
dropped**, a relaxation: the gap to the BKS (which respects them) understates the true gap and
may be negative. PyVRP runs on the same relaxation and, as a second column, with the release
dates (``Client.release_time``: a trip may leave the depot only once all its clients are
released). Reloads: PyVRP ``VehicleType(reload_depots=[depot])``, unlimited reloads.
Check (exact, on the set's integers): every customer once, load per trip <= capacity, arrival
<= due (waiting allowed), back at the depot by its due time, and with release dates for the
PyVRP column that uses them. ``rel`` says whether the routes also keep the release dates when
re-timed with them (earliest schedule). ``dp`` counts windows missed when re-timed with
untruncated double-precision distances (the BKS may miss some too: the set is defined on the
truncated data).

**hfvrp** (heterogeneous fleet, fixed and per-distance costs). The set's convention: costs
x100 by the source (fixed cost and unit distance cost per vehicle type are integers), cost of
a solution = (sum of fixed costs of used vehicles + sum of unit cost x Euclidean distance in
double precision) / 100. Both solvers receive ``D = round(1000 d)`` as distance: ours with
objective ``cost``, ``distance_m = D``, ``cost_per_km = unit`` (so arc cost = round(unit x d)),
``cost_per_hour = 0``, ``fixed_cost`` = the type's fixed cost, ``time_s = D`` (no windows,
shift long enough); PyVRP with ``unit_distance_cost = unit``, ``fixed_cost = 1000 x fixed``
and demands and capacities x1000 too (as PyVRP's own reader scales every value: with loads
left unscaled its capacity penalty stays too small against costs of this size and it
returns overloaded routes).
Fleet: the instance's vehicles per type, capped at ``ceil(total demand / capacity) + 3`` per
type (FSM instances list 100+ vehicles per type); the table says whether the BKS fits in the
capped fleet. Costs are re-computed in double precision from the returned routes. The
vehicles are handed to the planner's solver type by type in file order (the smallest type
first in this set), or largest type first with ``--fleet-order largest-first``.

Ours: ``solve_task`` with ``solutions_per_stop=0`` (search until ``--time``; the product's
effort limit with ``--solutions-per-stop 0.5``), one worker.
PyVRP: ``Model.solve(MaxRuntime(--time), seed=1)``, one thread.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from instances import (
    VRPLIB_SETS,
    VrplibInstance,
    load_cost_bks,
    load_vrplib,
    read_sol,
    single_depot_task,
)

MT_TUNING = (
    *("C201R0.25", "R201R0.25", "RC201R0.25"),
    *("C2_2_01R0.25", "R2_2_01R0.25", "RC2_2_01R0.25"),
)
MT_MORE = (
    *("C201R0.75", "R201R0.75", "RC201R0.75"),
    *("C205R0.5", "R205R0.5", "RC205R0.5"),
)
HF_DEFAULT = (
    *("X101-FSMFD", "X106-FSMD", "X110-HD", "X115-HVRP", "X120-FSMF"),
    *("X125-HVRP", "X129-FSMFD", "X134-FSMD", "X139-HD", "X143-FSMF"),
)
PROFILE = "car"
DROP_PENALTY = 100_000_000
#: Extra vehicles per type on top of ceil(total demand / capacity) (hfvrp fleet cap).
FLEET_SPARE = 3
#: Distance scale given to both solvers on hfvrp (integer distance = round(1000 d)).
HF_SCALE = 1000
#: Shift end on hfvrp (no windows): far beyond any route.
HF_SHIFT_END = 10**9


@dataclass(slots=True, kw_only=True)
class Check:
    """A re-checked solution: cost in the set's convention, vehicles used, trips, problems."""

    cost: float
    vehicles: int
    trips: int
    dropped: int
    violations: list[str] = field(default_factory=list)
    release_ok: bool | None = None  # mtvrptwr: still feasible when re-timed with release dates
    dp_misses: int = 0  # mtvrptwr: windows missed with untruncated distances
    detail: str = ""  # hfvrp: vehicles used per type

    @property
    def ok(self) -> bool:
        return not self.violations and self.dropped == 0


@dataclass(slots=True, kw_only=True)
class Row:
    instance: str
    solver: str
    check: Check | None
    times: tuple[float, float]  # wall and CPU seconds (the machine may be shared)
    status: str
    bks: float = math.nan


# --- mtvrptwr --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MtData:
    """The set's integer data (DIMACS: x10, distances truncated)."""

    matrix: npt.NDArray[np.int64]
    exact: npt.NDArray[np.float64]  # 10 d, untruncated
    service: npt.NDArray[np.int64]
    ready: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]
    release: npt.NDArray[np.int64]


def mt_data(inst: VrplibInstance) -> MtData:
    exact = inst.distances() * 10
    return MtData(
        matrix=np.floor(exact).astype(np.int64),
        exact=exact,
        service=np.rint(inst.service * 10).astype(np.int64),
        ready=np.rint(inst.ready * 10).astype(np.int64),
        due=np.rint(inst.due * 10).astype(np.int64),
        release=np.rint(inst.release * 10).astype(np.int64),
    )


def _trips(route: Sequence[int]) -> list[list[int]]:
    trips: list[list[int]] = [[]]
    for node in route:
        if node == 0:
            trips.append([])
        else:
            trips[-1].append(node)
    return [t for t in trips if t]


def _time_route(
    data: MtData, trips: list[list[int]], matrix: npt.NDArray, release: bool
) -> list[str]:
    """Earliest schedule of one vehicle's trips; returns the broken windows."""
    problems = []
    clock = float(data.ready[0])
    for trip in trips:
        if release:
            clock = max(clock, float(data.release[trip].max()))
        previous = 0
        for node in trip:
            arrive = clock + matrix[previous, node]
            if arrive > data.due[node] + 1e-9:
                problems.append(f"customer {node} reached at {arrive:.1f} > due {data.due[node]}")
            clock = max(arrive, float(data.ready[node])) + data.service[node]
            previous = node
        clock += matrix[previous, 0]
        if clock > data.due[0] + 1e-9:
            problems.append(f"back at the depot at {clock:.1f} > {data.due[0]}")
    return problems


def mt_check(
    inst: VrplibInstance, data: MtData, routes: Sequence[Sequence[int]], *, release: bool
) -> Check:
    """Re-check routes (clients 1..n, 0 = reload at the depot) on the set's integer data."""
    violations: list[str] = []
    seen = np.zeros(inst.x.size, dtype=np.int64)
    cost = 0
    used = trips_total = dp_misses = 0
    release_ok = True
    if len(routes) > inst.vehicles:
        violations.append(f"{len(routes)} routes > {inst.vehicles} vehicles")
    for v, route in enumerate(routes):
        trips = _trips(route)
        if not trips:
            continue
        if any(not 0 <= node < inst.x.size for node in route):
            violations.append(f"route {v}: node out of range")
            continue
        used += 1
        trips_total += len(trips)
        if len(trips) > 1 and not inst.reload[min(v, inst.vehicles - 1)]:
            violations.append(f"route {v}: reloads on a vehicle that may not reload")
        for trip in trips:
            np.add.at(seen, trip, 1)
            load_ = int(inst.demand[trip].sum())
            if load_ > inst.capacity[min(v, inst.vehicles - 1)]:
                violations.append(f"route {v}: trip load {load_} > capacity")
            seq = [0, *trip, 0]
            cost += int(data.matrix[seq[:-1], seq[1:]].sum())
        violations += [f"route {v}: {p}" for p in _time_route(data, trips, data.matrix, release)]
        if not release and _time_route(data, trips, data.matrix, True):
            release_ok = False
        dp_misses += len(_time_route(data, trips, data.exact, release))
    twice = np.flatnonzero(seen[1:] > 1) + 1
    if twice.size:
        violations.append(f"customers visited more than once: {twice.tolist()}")
    return Check(
        cost=float(cost),
        vehicles=used,
        trips=trips_total,
        dropped=int((seen[1:] == 0).sum()),
        violations=violations,
        release_ok=release_ok,
        dp_misses=dp_misses,
    )


def mt_task(inst: VrplibInstance, data: MtData):
    from optimizer.task import UNLIMITED_TRIPS, VehicleSpec

    vehicles = tuple(
        VehicleSpec(
            team=v,
            profile=PROFILE,
            capacity=int(inst.capacity[v]),
            depot_node=0,
            shift_start_s=int(data.ready[0]),
            shift_end_s=int(data.due[0]),
            max_trips=UNLIMITED_TRIPS if inst.reload[v] else 1,
            reload_s=0,
        )
        for v in range(inst.vehicles)
    )
    return single_depot_task(
        inst.name,
        inst.demand,
        data.service,
        data.ready,
        data.due,
        data.matrix,
        vehicles,
        PROFILE,
    )


def mt_pyvrp(inst: VrplibInstance, data: MtData, time_s: float, release: bool):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    n = inst.x.size
    places = [model.add_location(x=float(inst.x[i]), y=float(inst.y[i])) for i in range(n)]
    depot = model.add_depot(places[0], tw_early=int(data.ready[0]), tw_late=int(data.due[0]))
    for capacity, _fixed, _unit, ids in inst.vehicle_types():
        for reload in sorted({bool(inst.reload[v]) for v in ids}):
            model.add_vehicle_type(
                num_available=sum(1 for v in ids if bool(inst.reload[v]) == reload),
                capacity=capacity,
                tw_early=int(data.ready[0]),
                tw_late=int(data.due[0]),
                reload_depots=[depot] if reload else [],
            )
    for i in range(1, n):
        model.add_client(
            places[i],
            delivery=int(inst.demand[i]),
            service_duration=int(data.service[i]),
            tw_early=int(data.ready[i]),
            tw_late=int(data.due[i]),
            release_time=int(data.release[i]) if release else 0,
        )
    for i, frm in enumerate(places):
        for j, to in enumerate(places):
            value = int(data.matrix[i, j])
            model.add_edge(frm, to, distance=value, duration=value)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = model.solve(stop=MaxRuntime(time_s), seed=1, display=False)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    routes = []
    for route in result.best.routes():
        activities = list(route)[1:-1]  # without the start and end depot
        routes.append([a.idx + 1 if a.is_client() else 0 for a in activities])
    return routes, (wall, cpu), "feasible" if result.is_feasible() else "infeasible"


# --- hfvrp -----------------------------------------------------------------------------------


def hf_fleet(inst: VrplibInstance) -> list[tuple[int, int, int, int, int]]:
    """Per vehicle type: (capacity, fixed, unit, vehicles in the file, vehicles given)."""
    total = int(inst.demand.sum())
    return [
        (cap, fixed, unit, len(ids), min(len(ids), math.ceil(total / cap) + FLEET_SPARE))
        for cap, fixed, unit, ids in inst.vehicle_types()
    ]


def hf_check(
    inst: VrplibInstance, routes: Sequence[tuple[int, Sequence[int]]], given: Sequence[int]
) -> Check:
    """Re-check (vehicle type, clients 1..n) routes; cost in double precision / 100."""
    dist = inst.distances()
    types = inst.vehicle_types()
    violations: list[str] = []
    seen = np.zeros(inst.x.size, dtype=np.int64)
    per_type = [0] * len(types)
    cost = 0.0
    for k, route in routes:
        if not route:
            continue
        if 0 in route or any(not 0 < node < inst.x.size for node in route):
            violations.append(f"route {list(route)}: depot or unknown node inside")
            continue
        capacity, fixed, unit, _ids = types[k]
        per_type[k] += 1
        np.add.at(seen, list(route), 1)
        load_ = int(inst.demand[list(route)].sum())
        if load_ > capacity:
            violations.append(f"type {k}: load {load_} > capacity {capacity}")
        seq = [0, *route, 0]
        cost += fixed + unit * float(dist[seq[:-1], seq[1:]].sum())
    for k, count in enumerate(per_type):
        if count > given[k]:
            violations.append(f"type {k}: {count} vehicles > {given[k]} available")
    twice = np.flatnonzero(seen[1:] > 1) + 1
    if twice.size:
        violations.append(f"customers visited more than once: {twice.tolist()}")
    return Check(
        cost=cost / 100,
        vehicles=sum(per_type),
        trips=sum(per_type),
        dropped=int((seen[1:] == 0).sum()),
        violations=violations,
        detail="/".join(map(str, per_type)),
    )


def hf_matrix(inst: VrplibInstance) -> npt.NDArray[np.int64]:
    return np.rint(inst.distances() * HF_SCALE).astype(np.int64)


def hf_task(inst: VrplibInstance, matrix: npt.NDArray[np.int64], largest_first: bool):
    """The task and the vehicle type of each of its vehicles (types in file order, or by
    decreasing capacity with ``largest_first``)."""
    from optimizer.task import SolveTask, VehicleSpec

    n = inst.x.size
    candidates = np.ones(n, dtype=bool)
    candidates[0] = False
    vehicles = []
    kinds: list[int] = []
    fleet = list(enumerate(hf_fleet(inst)))
    if largest_first:
        fleet.sort(key=lambda item: -item[1][0])
    for kind, (cap, fixed, unit, _listed, given) in fleet:
        kinds += [kind] * given
        vehicles += [
            VehicleSpec(
                team=len(vehicles) + i,
                profile=PROFILE,
                capacity=cap,
                depot_node=0,
                shift_start_s=0,
                shift_end_s=HF_SHIFT_END,
                cost_per_km=float(unit),
                cost_per_hour=0.0,
                fixed_cost=float(fixed),
            )
            for i in range(given)
        ]
    task = SolveTask(
        key=inst.name,
        n_depots=1,
        households=np.arange(1, n, dtype=np.int64),
        demand=inst.demand.copy(),
        service_s={PROFILE: np.zeros(n, dtype=np.int64)},
        window_start_s=np.zeros(n, dtype=np.int64),
        window_end_s=np.full(n, HF_SHIFT_END, dtype=np.int64),
        time_s={PROFILE: matrix.astype(np.int32)},
        distance_m={PROFILE: matrix.astype(np.int32)},
        candidates=candidates,
        vehicles=tuple(vehicles),
    )
    return task, kinds


def hf_pyvrp(inst: VrplibInstance, matrix: npt.NDArray[np.int64], time_s: float):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    n = inst.x.size
    places = [model.add_location(x=float(inst.x[i]), y=float(inst.y[i])) for i in range(n)]
    model.add_depot(places[0])
    for cap, fixed, unit, _listed, given in hf_fleet(inst):
        model.add_vehicle_type(
            num_available=given,
            capacity=cap * HF_SCALE,
            fixed_cost=fixed * HF_SCALE,
            unit_distance_cost=unit,
        )
    for i in range(1, n):
        model.add_client(places[i], delivery=int(inst.demand[i]) * HF_SCALE)
    for i, frm in enumerate(places):
        for j, to in enumerate(places):
            value = int(matrix[i, j])
            model.add_edge(frm, to, distance=value, duration=value)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = model.solve(stop=MaxRuntime(time_s), seed=1, display=False)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    routes = [
        (int(r.vehicle_type()), [a.idx + 1 for a in r if a.is_client()])
        for r in result.best.routes()
    ]
    return routes, (wall, cpu), "feasible" if result.is_feasible() else "infeasible"


# --- running ---------------------------------------------------------------------------------


def run_ours(task, args: argparse.Namespace, objective: str):
    from optimizer.config import SolverConfig
    from optimizer.solver import solve_task
    from optimizer.task import RELOAD

    config = SolverConfig(
        objective=objective,  # type: ignore[arg-type]
        solutions_per_stop=args.solutions_per_stop,
        first_solution=args.first_solution,
        metaheuristic=args.metaheuristic,
        workers=1,
        drop_penalty_s=DROP_PENALTY,
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    result = solve_task(task, config, time_limit_s=args.time)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if result.status == "no_solution":
        return None, (wall, cpu), str(result.status)
    routes = [[0 if node == RELOAD else node for node in route] for route in result.routes]
    return routes, (wall, cpu), str(result.status)


def run_mt(inst: VrplibInstance, column: str, args: argparse.Namespace) -> Row:
    data = mt_data(inst)
    release = "with release" in column
    if column.startswith("ours"):
        routes, times, status = run_ours(mt_task(inst, data), args, "total_time")
    else:
        routes, times, status = mt_pyvrp(inst, data, args.time, release)
    check = None if routes is None else mt_check(inst, data, routes, release=release)
    if check is not None and release:
        check.release_ok = None
    return Row(instance=inst.name, solver=column, check=check, times=times, status=status)


def run_hf(inst: VrplibInstance, column: str, args: argparse.Namespace) -> Row:
    matrix = hf_matrix(inst)
    given = [g for *_rest, g in hf_fleet(inst)]
    if column.startswith("ours"):
        task, kinds = hf_task(inst, matrix, args.fleet_order == "largest-first")
        routes, times, status = run_ours(task, args, "cost")
        typed = None if routes is None else list(zip(kinds, routes, strict=True))
    else:
        typed, times, status = hf_pyvrp(inst, matrix, args.time)
    check = None if typed is None else hf_check(inst, typed, given)
    return Row(instance=inst.name, solver=column, check=check, times=times, status=status)


def _gap(row: Row) -> float:
    if row.check is None or not row.check.ok or not math.isfinite(row.bks):
        return math.nan
    return (row.check.cost / row.bks - 1.0) * 100.0


def _fmt_gap(gap: float) -> str:
    return f"{round(gap, 2) + 0.0:+.2f}%" if math.isfinite(gap) else "-"


def header(extra: str) -> None:
    print(
        f"{'instance':<15}{'veh':>5}{'trips':>6}{'cost':>12}{'BKS':>12}{'gap':>9}"
        f"{'dropped':>8}{'wall':>7}{'cpu':>6}{extra}  status"
    )


def print_row(row: Row, mt: bool) -> None:
    c = row.check
    if c is None:
        cells = f"{'-':>5}{'-':>6}{'no solution':>12}{row.bks:>12.2f}{'-':>9}{'-':>8}"
        print(f"{row.instance:<15}{cells}{row.times[0]:>7.1f}{row.times[1]:>6.1f}  {row.status}")
        return
    extra = f"  {c.detail:<18}"
    if mt:
        rel = "-" if c.release_ok is None else ("yes" if c.release_ok else "no")
        extra = f"{rel:>5}{c.dp_misses:>4}"
    print(
        f"{row.instance:<15}{c.vehicles:>5}{c.trips:>6}{c.cost:>12.2f}{row.bks:>12.2f}"
        f"{_fmt_gap(_gap(row)):>9}{c.dropped:>8}{row.times[0]:>7.1f}{row.times[1]:>6.1f}{extra}"
        f"  {row.status}"
        + ("" if not c.violations else f"  VIOLATIONS: {'; '.join(c.violations[:3])}")
    )


def summary(rows: list[Row]) -> None:
    gaps = [_gap(r) for r in rows]
    good = [g for g in gaps if math.isfinite(g)]
    failed = len(gaps) - len(good)
    mean = _fmt_gap(sum(good) / len(good)) if good else "-"
    note = f" ({failed} without a complete feasible solution, left out)" if failed else ""
    print(f"  mean gap: {mean} over {len(good)} instance(s){note}")


def self_check(set_name: str, inst: VrplibInstance, bks: float) -> str:
    """Re-check and re-cost the instance's BKS .sol with this file's code."""
    routes, file_cost = read_sol(VRPLIB_SETS[set_name] / f"{inst.name}.sol")
    if set_name == "mtvrptwr":
        check = mt_check(inst, mt_data(inst), routes, release=True)
        extra = f", {check.dp_misses} window(s) missed in double precision"
    else:
        types = {v: k for k, (*_rest, ids) in enumerate(inst.vehicle_types()) for v in ids}
        typed = [(types[v], route) for v, route in enumerate(routes) if route]
        given = [g for *_rest, g in hf_fleet(inst)]
        check = hf_check(inst, typed, [10**9] * len(given))
        used = [sum(1 for k, _r in typed if k == t) for t in range(len(given))]
        fits = all(u <= g for u, g in zip(used, given, strict=True))
        extra = f", per type {used} (capped fleet {given}: {'fits' if fits else 'TOO SMALL'})"
    file_scale = 1.0
    if set_name == "hfvrp" and file_cost > 1e5 * check.cost * 0.99:
        file_scale = 1e5  # a .sol on the scale sum(1000 fixed + unit round(1000 d))
        extra += "; the .sol states its cost x1e5"
    # BKS and .sol costs have two decimals (hfvrp) or none (mtvrptwr).
    same = abs(check.cost - file_cost / file_scale) < 0.006 and abs(check.cost - bks) < 0.006
    state = "ok" if check.ok and same else f"MISMATCH {check.violations[:2]}"
    return (
        f"{inst.name}: BKS .sol re-costed {check.cost:.2f} (file {file_cost:.2f}, "
        f"bks.csv {bks:.2f}) {state}{extra}"
    )


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=sorted(VRPLIB_SETS))
    parser.add_argument("instances", nargs="*", help="default: the set's list in this file")
    parser.add_argument("--more", action="store_true", help="mtvrptwr: also the MT_MORE list")
    parser.add_argument("--time", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--first-solution", default="PARALLEL_CHEAPEST_INSERTION")
    parser.add_argument("--metaheuristic", default="GUIDED_LOCAL_SEARCH")
    parser.add_argument("--no-pyvrp", action="store_true", help="run only the planner's solver")
    parser.add_argument(
        "--solutions-per-stop",
        type=float,
        default=0.0,
        help="the planner's effort limit (product default 0.5); 0 = search until --time",
    )
    parser.add_argument(
        "--fleet-order",
        choices=("file", "largest-first"),
        default="file",
        help="hfvrp: order of the vehicle types in the task given to the planner's solver",
    )
    return parser.parse_args()


def print_preamble(
    args: argparse.Namespace,
    instances: Sequence[VrplibInstance],
    bks: dict[str, float],
    mt: bool,
) -> None:
    """Print the machine and versions, re-check every BKS and (hfvrp) show the fleets."""
    from importlib.metadata import version

    versions = f"ortools {version('ortools')}"
    if not args.no_pyvrp:
        versions += f", pyvrp {version('pyvrp')}"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {versions}"
    )
    print(f"set {args.set}, time per instance and solver: {args.time:g} s")
    for inst in instances:
        print("  " + self_check(args.set, inst, bks.get(inst.name, math.nan)))
    if not mt:
        for inst in instances:
            fleet = ", ".join(f"{g}/{n}x{c}" for c, _f, _u, n, g in hf_fleet(inst))
            print(f"  {inst.name}: fleet given/listed x capacity: {fleet}")


def solver_columns(args: argparse.Namespace, mt: bool) -> list[str]:
    """Name the result columns: the planner's solver first, then PyVRP's runs."""
    columns = [f"ours {args.first_solution} + {args.metaheuristic}"]
    if args.solutions_per_stop:
        columns[0] += f", solutions_per_stop={args.solutions_per_stop:g}"
    if not mt and args.fleet_order != "file":
        columns[0] += f", fleet {args.fleet_order}"
    if not args.no_pyvrp:
        pyvrp = ["pyvrp, release dates dropped", "pyvrp, with release dates"]
        columns += pyvrp if mt else ["pyvrp"]
    return columns


def run_column(
    column: str,
    instances: Sequence[VrplibInstance],
    bks: dict[str, float],
    args: argparse.Namespace,
    mt: bool,
) -> list[Row]:
    """Solve every instance for one column, printing its table and mean gap."""
    extra = f"{'rel':>5}{'dp':>4}" if mt else f"  {'used per type':<18}"
    title = column
    if mt and "with release" not in column:
        title += " - release dates dropped (a relaxation: BKS gap is a lower bound)"
    print(f"\n{title}")
    header(extra)
    rows = []
    for inst in instances:
        row = (run_mt if mt else run_hf)(inst, column, args)
        row.bks = bks.get(inst.name, math.nan)
        print_row(row, mt)
        sys.stdout.flush()
        rows.append(row)
    summary(rows)
    return rows


def print_ratios(
    columns: list[str],
    table: dict[str, list[Row]],
    instances: Sequence[VrplibInstance],
    mt: bool,
) -> None:
    """Print the planner's cost over each other column's, instance by instance."""
    print("\nratio ours / pyvrp (cost; '-' = incomplete or infeasible)")
    print(f"{'instance':<15}{'same data':>12}" + (f"{'vs with release':>17}" if mt else ""))
    for i, inst in enumerate(instances):
        mine = table[columns[0]][i].check
        cells = []
        for column in columns[1:]:
            theirs = table[column][i].check
            ok = mine and theirs and mine.ok and theirs.ok
            cells.append(f"{mine.cost / theirs.cost:.4f}" if ok else "-")  # type: ignore[union-attr]
        print(f"{inst.name:<15}{cells[0]:>12}" + (f"{cells[1]:>17}" if mt else ""))


def main() -> int:
    args = parse_args()

    mt = args.set == "mtvrptwr"
    default = (MT_TUNING + (MT_MORE if args.more else ())) if mt else HF_DEFAULT
    names = args.instances or list(default)
    instances = [load_vrplib(args.set, name) for name in names]
    bks = load_cost_bks(args.set)
    print_preamble(args, instances, bks, mt)

    columns = solver_columns(args, mt)
    table: dict[str, list[Row]] = {}
    for column in columns:
        table[column] = run_column(column, instances, bks, args, mt)

    if len(columns) > 1:
        print_ratios(columns, table, instances, mt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
