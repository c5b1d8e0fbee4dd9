"""VRPTW benchmark of the planner's solver on Solomon and Gehring & Homberger 200 instances.

    .venv/bin/python bench/bench_vrptw.py [INSTANCE ...] [--all] [--time S]
        [--first-solution STRATEGY ...] [--metaheuristic NAME] [--objective OBJ] [--anchors]
        [--scale K]

Each instance becomes a ``SolveTask`` (one depot, every customer an optional candidate with a
large drop penalty, the instance's fleet, shift = depot window, profile "car"). Euclidean
distances are scaled by K (100 for every instance unless ``--scale`` says otherwise) and
rounded UP to integers, used as both travel time and cost; service times and windows are
scaled by K too. Rounding up means that a plan feasible on the integers is feasible in double
precision. (The solver sizes its time dimension to the task's own shifts and windows, so
depot windows beyond 24 h at x100, e.g. C2's 3390 -> 339000, need no smaller K.)

``solve_task`` runs with ``solutions_per_stop=0`` (search until ``--time``), guided local
search (``--metaheuristic`` to change it), one worker, objective ``total_time`` (the product's
default; arc cost = travel + service, plus the route's span where the solver counts waiting)
or, with ``--objective cost``, ``cost_per_km = 1000`` on ``distance_m`` = the same matrix, so
that the arc cost is the integer distance alone. The returned routes are re-measured
and re-checked in double precision (capacity, arrival <= due with waiting, return by the
depot's due time, every customer exactly once). Gap = distance / BKS - 1; Solomon BKS are
distance-only, GH-200 BKS are hierarchical (vehicles first, marked ``h``): a distance
minimiser may beat them with more vehicles.

``--anchors`` also runs PyVRP (``MaxRuntime``, seed 1) and VROOM (exploration level 5, one
thread, same timeout) on the same integer data and prints ours / theirs.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from instances import (
    Bks,
    Instance,
    all_names,
    gap_percent,
    load,
    load_bks,
    single_depot_task,
)

TUNING_SET = (
    *("C101", "R101", "RC101", "C201", "R201", "RC201"),
    *("c1_2_1", "r1_2_1", "rc1_2_1", "r2_2_1", "c2_2_1", "rc2_2_1"),
)
STRATEGIES = (
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
    "CHRISTOFIDES",
)
METAHEURISTICS = (
    "GUIDED_LOCAL_SEARCH",
    "GREEDY_DESCENT",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
)
PROFILE = "car"
DROP_PENALTY = 100_000_000
#: Tolerance of the double-precision checks (the data has at most two decimals).
EPS = 1e-6


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class IntData:
    """The integer data every solver receives (scaled by ``scale``, distances rounded up)."""

    scale: int
    matrix: npt.NDArray[np.int64]
    service: npt.NDArray[np.int64]
    ready: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]


@dataclass(slots=True, kw_only=True)
class Check:
    """Double-precision re-measurement of a set of routes."""

    distance: float
    vehicles: int
    dropped: int
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations and self.dropped == 0


@dataclass(slots=True, kw_only=True)
class Row:
    instance: str
    solver: str
    scale: int
    check: Check | None
    wall_s: float
    status: str
    bks: Bks | None
    cpu_s: float = math.nan  # CPU time this process got meanwhile (the machine may be shared)


def integer_data(inst: Instance, scale: int) -> IntData:
    # Ceil, minus a hair so that exact distances (3-4-5 triangles) are not bumped up.
    matrix = np.ceil(inst.distances() * scale - 1e-9).astype(np.int64)
    return IntData(
        scale=scale,
        matrix=matrix,
        service=np.rint(inst.service * scale).astype(np.int64),
        ready=np.rint(inst.ready * scale).astype(np.int64),
        due=np.rint(inst.due * scale).astype(np.int64),
    )


def build_task(inst: Instance, data: IntData, objective: str = "total_time"):
    from optimizer.task import VehicleSpec

    vehicles = tuple(
        VehicleSpec(
            team=i,
            profile=PROFILE,
            capacity=inst.capacity,
            depot_node=0,
            shift_start_s=int(data.ready[0]),
            shift_end_s=int(data.due[0]),
            # With objective "cost": arc cost = round(1000 * metres / 1000) = the distance.
            cost_per_km=1000.0 if objective == "cost" else 0.0,
        )
        for i in range(inst.vehicles)
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
        with_distance=True,
    )


def check_routes(inst: Instance, routes: Sequence[Sequence[int]]) -> Check:
    """Re-measure and re-check routes (customer ids 1..n, depot excluded) in double precision."""
    dist = inst.distances()
    violations: list[str] = []
    seen = np.zeros(inst.x.size, dtype=np.int64)
    total = 0.0
    used = 0
    for v, route in enumerate(routes):
        if not route:
            continue
        used += 1
        load_ = int(inst.demand[list(route)].sum())
        if load_ > inst.capacity:
            violations.append(f"route {v}: load {load_} > capacity {inst.capacity}")
        clock = float(inst.ready[0])
        previous = 0
        for node in route:
            if not 1 <= node < inst.x.size:
                violations.append(f"route {v}: {node} is not a customer")
                break
            seen[node] += 1
            total += dist[previous, node]
            arrive = clock + dist[previous, node]
            if arrive > inst.due[node] + EPS:
                violations.append(
                    f"route {v}: customer {node} reached at {arrive:.3f} > due {inst.due[node]:g}"
                )
            clock = max(arrive, float(inst.ready[node])) + float(inst.service[node])
            previous = node
        total += dist[previous, 0]
        back = clock + dist[previous, 0]
        if back > inst.due[0] + EPS:
            violations.append(f"route {v}: back at the depot at {back:.3f} > {inst.due[0]:g}")
    twice = np.flatnonzero(seen[1:] > 1) + 1
    if twice.size:
        violations.append(f"customers visited more than once: {twice.tolist()}")
    dropped = int((seen[1:] == 0).sum())
    return Check(distance=total, vehicles=used, dropped=dropped, violations=violations)


def run_ours(
    inst: Instance,
    data: IntData,
    strategy: str,
    time_s: float,
    metaheuristic: str,
    objective: str = "total_time",
) -> Row:
    from optimizer.config import SolverConfig
    from optimizer.solver import solve_task

    config = SolverConfig(
        objective=objective,  # type: ignore[arg-type]
        solutions_per_stop=0,
        first_solution=strategy,  # type: ignore[arg-type]
        metaheuristic=metaheuristic,  # type: ignore[arg-type]
        workers=1,
        drop_penalty_s=DROP_PENALTY,
    )
    task = build_task(inst, data, objective)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        result = solve_task(task, config, time_limit_s=time_s)
    except Exception as error:  # a benchmark reports, it does not stop
        return Row(
            instance=inst.name,
            solver=f"ortools {strategy}",
            scale=data.scale,
            check=None,
            wall_s=time.perf_counter() - started,
            cpu_s=time.process_time() - cpu_started,
            status=f"error: {type(error).__name__}: {error}",
            bks=None,
        )
    wall = time.perf_counter() - started
    check = None if result.status == "no_solution" else check_routes(inst, result.routes)
    return Row(
        instance=inst.name,
        solver=f"ortools {strategy}",
        scale=data.scale,
        check=check,
        wall_s=wall,
        cpu_s=time.process_time() - cpu_started,
        status=str(result.status),
        bks=None,
    )


def run_pyvrp(inst: Instance, data: IntData, time_s: float) -> Row:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    n = inst.x.size
    # Coordinates are only labels here: every edge is given explicitly.
    places = [model.add_location(x=float(inst.x[i]), y=float(inst.y[i])) for i in range(n)]
    model.add_depot(places[0], tw_early=int(data.ready[0]), tw_late=int(data.due[0]))
    model.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        tw_early=int(data.ready[0]),
        tw_late=int(data.due[0]),
    )
    for i in range(1, n):
        model.add_client(
            places[i],
            delivery=int(inst.demand[i]),
            service_duration=int(data.service[i]),
            tw_early=int(data.ready[i]),
            tw_late=int(data.due[i]),
        )
    for i, frm in enumerate(places):
        for j, to in enumerate(places):
            value = int(data.matrix[i, j])
            model.add_edge(frm, to, distance=value, duration=value)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = model.solve(stop=MaxRuntime(time_s), seed=1, display=False)
    wall = time.perf_counter() - started
    # A client activity's idx counts clients from 0; instance ids count them from 1.
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
    status = "feasible" if result.is_feasible() else "infeasible"
    return Row(
        instance=inst.name,
        solver="pyvrp",
        scale=data.scale,
        check=check_routes(inst, routes),
        wall_s=wall,
        cpu_s=time.process_time() - cpu_started,
        status=status,
        bks=None,
    )


def run_vroom(inst: Instance, data: IntData, time_s: float) -> Row:
    from datetime import timedelta

    import vroom

    problem = vroom.Input()
    problem.set_durations_matrix(profile=PROFILE, matrix_input=data.matrix)
    for v in range(inst.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                id=v,
                start=0,
                end=0,
                profile=PROFILE,
                capacity=[inst.capacity],
                time_window=vroom.TimeWindow(int(data.ready[0]), int(data.due[0])),
            )
        )
    for i in range(1, inst.x.size):
        problem.add_job(
            vroom.Job(
                id=i,
                location=i,
                default_service=int(data.service[i]),
                delivery=[int(inst.demand[i])],
                time_windows=[vroom.TimeWindow(int(data.ready[i]), int(data.due[i]))],
            )
        )
    started, cpu_started = time.perf_counter(), time.process_time()
    solution = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_s))
    wall = time.perf_counter() - started
    frame = solution.routes
    routes: dict[int, list[int]] = {}
    for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
        if kind == "job":
            routes.setdefault(int(vehicle), []).append(int(job))
    return Row(
        instance=inst.name,
        solver="vroom",
        scale=data.scale,
        check=check_routes(inst, list(routes.values())),
        wall_s=wall,
        cpu_s=time.process_time() - cpu_started,
        status="feasible",
        bks=None,
    )


def _fmt_gap(gap: float) -> str:
    return f"{round(gap, 2) + 0.0:+.2f}%" if math.isfinite(gap) else "-"


def print_row(row: Row) -> None:
    bks = row.bks
    flag = "h" if bks is not None and bks.hierarchical else ""
    bks_text = "-" if bks is None else f"{bks.distance:.2f}/{bks.vehicles}{flag}"
    if row.check is None:
        print(
            f"{row.instance:<9}{row.scale:>4}{'-':>5}{'no solution':>12}{bks_text:>15}"
            f"{'-':>9}{'-':>8}{row.wall_s:>7.1f}{row.cpu_s:>6.1f}  {row.status}"
        )
        return
    c = row.check
    gap = gap_percent(c.distance, bks) if c.dropped == 0 else math.nan
    print(
        f"{row.instance:<9}{row.scale:>4}{c.vehicles:>5}{c.distance:>12.2f}{bks_text:>15}"
        f"{_fmt_gap(gap):>9}{c.dropped:>8}{row.wall_s:>7.1f}{row.cpu_s:>6.1f}  {row.status}"
        + ("" if not c.violations else f"  VIOLATIONS: {'; '.join(c.violations[:3])}")
    )


def header() -> None:
    print(
        f"{'instance':<9}{'K':>4}{'veh':>5}{'distance':>12}{'BKS/veh':>15}"
        f"{'gap':>9}{'dropped':>8}{'wall':>7}{'cpu':>6}  status"
    )


def valid_gap(row: Row) -> float:
    if row.check is None or not row.check.ok:
        return math.nan
    return gap_percent(row.check.distance, row.bks)


def summary(rows: list[Row], sets: dict[str, str]) -> None:
    for set_name, label in (("solomon", "Solomon"), ("homberger_200", "GH-200 (vs hierarchical)")):
        chosen = [r for r in rows if sets[r.instance] == set_name]
        if not chosen:
            continue
        gaps = [valid_gap(r) for r in chosen]
        good = [g for g in gaps if math.isfinite(g)]
        failed = len(gaps) - len(good)
        mean = _fmt_gap(sum(good) / len(good)) if good else "-"
        note = f" ({failed} without a complete feasible solution, left out)" if failed else ""
        print(f"  mean gap {label}: {mean} over {len(good)} instance(s){note}")


#: Solves one instance on its integer data (a solver with its settings bound).
Solve = Callable[[Instance, IntData], Row]


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", help=f"default: {' '.join(TUNING_SET)}")
    parser.add_argument("--all", action="store_true", help="every Solomon and GH-200 instance")
    parser.add_argument("--time", type=float, default=10.0, help="seconds per instance")
    parser.add_argument(
        "--first-solution",
        nargs="+",
        choices=STRATEGIES,
        default=["PARALLEL_CHEAPEST_INSERTION"],
    )
    parser.add_argument("--metaheuristic", choices=METAHEURISTICS, default=METAHEURISTICS[0])
    parser.add_argument(
        "--objective",
        choices=("total_time", "cost"),
        default="total_time",
        help="the planner's objective: total_time (product default) or cost (= distance here)",
    )
    parser.add_argument("--anchors", action="store_true", help="also run PyVRP and VROOM")
    parser.add_argument("--scale", type=int, default=100, help="integer scale of the data")
    return parser.parse_args()


def find_anchors() -> dict[str, Callable[[Instance, IntData, float], Row]]:
    """Return the runner of each anchor solver that is installed; say which are not."""
    anchors: dict[str, Callable[[Instance, IntData, float], Row]] = {}
    for module, runner in (("pyvrp", run_pyvrp), ("vroom", run_vroom)):
        try:
            __import__(module)
            anchors[module] = runner
        except ImportError:
            print(f"  {module} is not installed: skipped (pip install '.[bench]')")
    return anchors


def run_column(
    instances: Sequence[Instance],
    scale: int,
    bks_table: dict[str, Bks],
    sets: dict[str, str],
    solve: Solve,
) -> list[Row]:
    """Solve every instance with ``solve``, printing a table row each and the mean gaps."""
    header()
    rows = []
    for inst in instances:
        data = integer_data(inst, scale)
        row = solve(inst, data)
        row.bks = bks_table.get(inst.name)
        print_row(row)
        sys.stdout.flush()
        rows.append(row)
    summary(rows, sets)
    return rows


def print_ratios(
    instances: Sequence[Instance],
    ours: dict[str, list[Row]],
    anchor_rows: dict[str, list[Row]],
) -> None:
    """Print our distance over each anchor's, per strategy and instance."""
    print("\nratio ours / anchor (distance, double precision; '-' = incomplete or infeasible)")
    columns = [(s, m) for s in ours for m in anchor_rows]
    print(f"{'instance':<9}" + "".join(f"{s[:12] + '/' + m:>28}" for s, m in columns))
    for i, inst in enumerate(instances):
        cells = []
        for strategy, module in columns:
            mine, theirs = ours[strategy][i], anchor_rows[module][i]
            if mine.check and theirs.check and mine.check.ok and theirs.check.ok:
                cells.append(f"{mine.check.distance / theirs.check.distance:>28.4f}")
            else:
                cells.append(f"{'-':>28}")
        print(f"{inst.name:<9}" + "".join(cells))


def main() -> int:
    args = parse_args()

    if args.all:
        names = all_names("solomon") + all_names("homberger_200")
    else:
        names = args.instances or list(TUNING_SET)
    instances = [load(name) for name in names]
    bks_table = load_bks()
    sets = {inst.name: inst.set_name for inst in instances}

    import ortools

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, ortools {ortools.__version__}"
    )
    print(f"time per instance: {args.time:g} s; K = integer scale of distances and times")
    anchors = find_anchors() if args.anchors else {}

    ours: dict[str, list[Row]] = {}
    for strategy in args.first_solution:
        print(f"\nOR-Tools {strategy} + {args.metaheuristic}, objective {args.objective}")
        solve = functools.partial(
            run_ours,
            strategy=strategy,
            time_s=args.time,
            metaheuristic=args.metaheuristic,
            objective=args.objective,
        )
        ours[strategy] = run_column(instances, args.scale, bks_table, sets, solve)

    if not anchors:
        return 0
    anchor_rows: dict[str, list[Row]] = {}
    for module, runner in anchors.items():
        print(f"\n{module}")
        solve = functools.partial(runner, time_s=args.time)
        anchor_rows[module] = run_column(instances, args.scale, bks_table, sets, solve)

    print_ratios(instances, ours, anchor_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
