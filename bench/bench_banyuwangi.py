"""Sub-problems of the default scenario: the planner's solver against PyVRP at equal time.

    .venv/bin/python bench/bench_banyuwangi.py [--sample N | --all] [--scenario PATH]
        [--mode both|equal|fixed] [--per-household S] [--min-budget S] [--seed K]
        [--json PATH]

The scenario's routing tasks are built with the public pipeline (``load_scenario`` ->
``prepare_inputs`` (road graph, profile networks, snapping, partition, matrices) ->
``build_problem``), exactly as ``plan_scenario`` builds them.

Common model (both solvers get the same integers): each team is a vehicle with its own depot,
capacity, shift window and profile (per-profile travel-time matrix); households keep their
per-profile service times (door time plus the walk from the road, which differs by profile)
and their time windows; teams may reload at their own depot as often as the shift allows,
with the reload time of their vehicle kind (car 10 min, motorbike 5 min); every household is
optional with the same large penalty. Left out: the midday break (PyVRP has no breaks) and the
soft deadlines of priority households (``break_rule=None``, ``priority_due_s=None``).

PyVRP gets per-profile service and reload times folded into its per-profile duration matrices:
the duration of arc (i, j) for profile p is ``time_p[i, j] + stay_p[i]``, where ``stay_p`` is the
service time at a household, 0 at the depot where a route starts, and the reload time at a
second location of the same depot used as the reload depot. This is the planner's own
transit model (service at the origin of an arc), so the two models agree second for second.
Departure: the planner lets a team leave its depot after the shift start, so PyVRP may too
(``start_late`` = shift end).
PyVRP objective: ``unit_duration_cost=1``, ``unit_distance_cost=0``; uncollected prize = the
planner's drop penalty. Identical teams of a sub-problem form one PyVRP vehicle type.

Both solvers' routes are timed and checked by the planner's ``schedule_route``. "Total" is the
sum of route times (back at the depot minus departure, waiting included) over used teams;
"transit" is travel + service + reload (the planner's arc cost; waiting excluded).

Comparisons, run one solve at a time in this process:

* equal: the planner's solver with the product's default settings (effort limit
  ``solutions_per_stop`` 0.5 times the size, time guard shared out as ``solve_routes`` does,
  one worker), then PyVRP with ``MaxRuntime`` = that wall time.
* fixed: both get ``max(--min-budget, --per-household x size)`` seconds; the planner's search
  is limited by time only (``solutions_per_stop=0``).

``--sample N`` takes the N/3 largest sub-problems plus an even spread of the others by size.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from optimizer.config import SolverConfig
from optimizer.parallel import default_workers
from optimizer.pipeline import prepare_inputs
from optimizer.problem import build_problem, estimate_effort
from optimizer.scenario import load_scenario
from optimizer.schedule import schedule_route
from optimizer.solver import MIN_TASK_TIME_S, SolveStatus, solve_task
from optimizer.task import RELOAD, UNLIMITED_TRIPS, SolveTask

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "banyuwangi.toml"
#: Travel times at or above this are "no road" for PyVRP (a week; none occur in the demo).
PYVRP_CAP_S = 7 * 24 * 3600
#: A sub-problem where the planner's total is this much worse than PyVRP's is listed.
WORSE_BY = 0.05


@dataclass(slots=True, kw_only=True)
class Measure:
    """One solver's routes on one task, timed and checked by ``schedule_route``."""

    solver: str
    wall_s: float
    found: bool
    total_s: int = 0
    transit_s: int = 0
    wait_s: int = 0
    used: int = 0
    trips: int = 0
    served: int = 0
    dropped: int = 0
    problems: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        """A solution was found and every check passed."""
        return self.found and not self.problems


@dataclass(slots=True, kw_only=True)
class Row:
    """Both solvers on one task in one comparison."""

    key: str
    size: int
    teams: int
    windows: int
    budget_s: float
    ours: Measure
    pyvrp: Measure
    load: float = 0.0


# --------------------------------------------------------------------------- building tasks


def build_tasks(scenario_path: Path) -> tuple[list[SolveTask], SolverConfig, dict[str, object]]:
    """Build every routing task of a scenario through the planner's own prepared inputs."""
    started = time.perf_counter()
    scenario = load_scenario(scenario_path)
    config = scenario.config
    workers = config.solver.workers or default_workers()
    prepared = prepare_inputs(scenario, workers=workers)
    problem = build_problem(
        scenario,
        prepared.snapped,
        prepared.partition,
        prepared.matrices,
        walk_speed_kph=config.graph.walk_speed_kph,
    )
    info: dict[str, object] = {
        "scenario": scenario.name,
        "households": len(scenario.households),
        "subproblems": len(problem.tasks),
        "teams": len(scenario.teams),
        "screened": len(problem.screened),
        "build_s": round(time.perf_counter() - started, 1),
        "workers_default": workers,
    }
    return list(problem.tasks), config.solver, info


def common_model(task: SolveTask) -> SolveTask:
    """The task without what PyVRP cannot model: the break and the priority deadlines."""
    vehicles = tuple(dataclasses.replace(v, break_rule=None) for v in task.vehicles)
    return dataclasses.replace(task, vehicles=vehicles, priority_due_s=None)


def guard_limits(tasks: Sequence[SolveTask], config: SolverConfig, workers: int) -> list[float]:
    """Per-task wall-clock guard, shared out by effort as ``solve_routes`` does."""
    efforts = [estimate_effort(t) for t in tasks]
    total = sum(efforts) or 1.0
    budget = config.time_limit_s * workers
    return [max(MIN_TASK_TIME_S, budget * e / total) for e in efforts]


def pick_sample(tasks: Sequence[SolveTask], n: int) -> list[int]:
    """The n/3 largest tasks plus an even spread of the others by size (deterministic)."""
    order = sorted(range(len(tasks)), key=lambda i: (-tasks[i].size, tasks[i].key))
    if n >= len(order):
        return order
    largest = math.ceil(n / 3)
    rest = order[largest:]
    spread = n - largest
    picks = order[:largest]
    if spread > 0:
        step = len(rest) / spread
        picks += [rest[min(len(rest) - 1, int((k + 0.5) * step))] for k in range(spread)]
    return picks


def window_count(task: SolveTask) -> int:
    """Candidate households with a time window narrower than the shift."""
    start = min(v.shift_start_s for v in task.vehicles)
    end = max(v.shift_end_s for v in task.vehicles)
    narrow = (task.window_start_s > start) | (task.window_end_s < end)
    return int((narrow & task.candidates).sum())


# --------------------------------------------------------------------------- checking routes


def tidy(route: Sequence[int]) -> tuple[int, ...]:
    """Drop reloads that carry nothing (at the start, at the end, twice in a row)."""
    out: list[int] = []
    for node in route:
        if node == RELOAD and (not out or out[-1] == RELOAD):
            continue
        out.append(node)
    while out and out[-1] == RELOAD:
        out.pop()
    return tuple(out)


def measure(
    task: SolveTask,
    solver: str,
    wall_s: float,
    routes: Sequence[Sequence[int]] | None,
    note: str = "",
) -> Measure:
    """Time and check routes with ``schedule_route``; ``routes=None``: no solution."""
    result = Measure(solver=solver, wall_s=wall_s, found=routes is not None, note=note)
    candidates = {int(i) for i in np.flatnonzero(task.candidates)}
    if routes is None:
        result.dropped = len(candidates)
        return result
    seen: dict[int, int] = {}
    for vehicle, route in enumerate(routes):
        if not route:
            continue
        timed = schedule_route(task, vehicle, tuple(route))
        if not timed.feasible:
            result.problems += [f"team {vehicle}: {v}" for v in timed.violations]
        result.used += 1
        result.trips += timed.trips
        result.total_s += timed.end_s - timed.start_s
        result.transit_s += timed.travel_s + timed.service_s + timed.reload_s
        result.wait_s += timed.wait_s
        for node in route:
            if node != RELOAD:
                seen[node] = seen.get(node, 0) + 1
    twice = sorted(n for n, c in seen.items() if c > 1)
    foreign = sorted(set(seen) - candidates)
    if twice:
        result.problems.append(f"served more than once: {twice[:5]}")
    if foreign:
        result.problems.append(f"not candidates: {foreign[:5]}")
    result.served = len(set(seen) & candidates)
    result.dropped = len(candidates) - result.served
    return result


# --------------------------------------------------------------------------- the planner


def run_ours(task: SolveTask, config: SolverConfig, limit_s: float) -> tuple[Measure, dict]:
    """Solve with the planner's OR-Tools adapter and check the routes."""
    clock = time.perf_counter()
    result = solve_task(task, config, time_limit_s=limit_s)
    outer = time.perf_counter() - clock
    found = result.status not in (SolveStatus.NO_SOLUTION,)
    routes = result.routes if found else None
    out = measure(task, "ours", result.wall_s, routes, note=str(result.status))
    if found and set(result.dropped) != {
        int(i) for i in np.flatnonzero(task.candidates) if all(int(i) not in r for r in routes)
    }:
        out.problems.append("dropped list does not match the routes")
    return out, {"outer_s": outer, "hit_time_limit": result.hit_time_limit}


# --------------------------------------------------------------------------- PyVRP


@dataclass(frozen=True, slots=True, kw_only=True)
class PyvrpModel:
    """PyVRP data for a task and the way back to task nodes and teams."""

    data: object
    client_node: tuple[int, ...]  # task node of each PyVRP client
    type_teams: tuple[tuple[int, ...], ...]  # task vehicles of each PyVRP vehicle type


def pyvrp_model(task: SolveTask, penalty: int) -> PyvrpModel:
    """Translate a task (common model) into PyVRP ``ProblemData``.

    Locations: each used depot (start and end of routes), one reload location per (depot,
    reload time) at the same site, then the candidate households. Per profile, the duration of
    arc (i, j) is travel time plus the stay at i (service, reload time, 0 at a start depot).
    """
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    vehicles = task.vehicles
    if any(v.break_rule is not None for v in vehicles) or task.priority_due_s is not None:
        raise ValueError("pyvrp_model takes the common model (no breaks, no deadlines)")
    used = sorted({v.depot_node for v in vehicles})
    reloads = sorted({(v.depot_node, v.reload_s) for v in vehicles if v.may_reload()})
    clients = [int(i) for i in np.flatnonzero(task.candidates)]
    sites = np.array(used + [d for d, _ in reloads] + clients, dtype=np.int64)
    n_dep = len(used) + len(reloads)
    profiles = sorted({v.profile for v in vehicles})

    durations: list[npt.NDArray[np.int64]] = []
    distances: list[npt.NDArray[np.int64]] = []
    for profile in profiles:
        stay = np.zeros(sites.size, dtype=np.int64)
        stay[len(used) : n_dep] = [r for _, r in reloads]
        stay[n_dep:] = task.service_s[profile][clients]
        travel = np.minimum(
            task.time_s[profile][np.ix_(sites, sites)].astype(np.int64), PYVRP_CAP_S
        )
        duration = travel + stay[:, None]
        np.fill_diagonal(duration, 0)
        durations.append(duration)
        if profile in task.distance_m:
            distance = task.distance_m[profile][np.ix_(sites, sites)].astype(np.int64)
            distance = np.minimum(distance, PYVRP_CAP_S * 100)
        else:
            distance = np.zeros_like(duration)
        np.fill_diagonal(distance, 0)
        distances.append(distance)

    locations = [Location(x=0.0, y=0.0) for _ in range(sites.size)]
    depots = [Depot(location=k) for k in range(n_dep)]
    pyvrp_clients = [
        Client(
            location=n_dep + k,
            delivery=[int(task.demand[node])],
            tw_early=int(task.window_start_s[node]),
            tw_late=int(task.window_end_s[node]),
            prize=penalty,
            required=False,
        )
        for k, node in enumerate(clients)
    ]
    kinds: dict[tuple[object, ...], list[int]] = {}
    for index, v in enumerate(vehicles):
        kind = (
            v.profile,
            v.capacity,
            v.depot_node,
            v.shift_start_s,
            v.shift_end_s,
            v.max_trips,
            v.reload_s,
            v.max_work_s,
        )
        kinds.setdefault(kind, []).append(index)
    types = []
    for members in kinds.values():
        v = vehicles[members[0]]
        reload_at = (
            [len(used) + reloads.index((v.depot_node, v.reload_s))] if v.may_reload() else []
        )
        extra: dict[str, int] = {}
        if v.may_reload() and v.max_trips != UNLIMITED_TRIPS:
            extra["max_reloads"] = v.max_trips - 1
        if v.max_work_s is not None:
            extra["shift_duration"] = v.max_work_s
        types.append(
            VehicleType(
                num_available=len(members),
                capacity=[v.capacity],
                start_depot=used.index(v.depot_node),
                end_depot=used.index(v.depot_node),
                tw_early=v.shift_start_s,
                tw_late=v.shift_end_s,
                start_late=v.shift_end_s,  # teams may leave late, as in the planner
                unit_distance_cost=0,
                unit_duration_cost=1,
                profile=profiles.index(v.profile),
                reload_depots=reload_at,
                **extra,
            )
        )
    if any(v.groups is not None for v in vehicles):
        raise ValueError("team groups (pooled kecamatan) are not modelled for PyVRP here")
    data = ProblemData(
        locations=locations,
        clients=pyvrp_clients,
        depots=depots,
        vehicle_types=types,
        distance_matrices=distances,
        duration_matrices=durations,
    )
    return PyvrpModel(
        data=data,
        client_node=tuple(clients),
        type_teams=tuple(tuple(m) for m in kinds.values()),
    )


def pyvrp_routes(model: PyvrpModel, solution: object, n_vehicles: int) -> list[tuple[int, ...]]:
    """Routes per task vehicle, with RELOAD where PyVRP returns to a (reload) depot."""
    routes: list[tuple[int, ...]] = [() for _ in range(n_vehicles)]
    next_member = [0] * len(model.type_teams)
    for route in solution.routes():  # type: ignore[attr-defined]
        vtype = route.vehicle_type()
        team = model.type_teams[vtype][next_member[vtype]]
        next_member[vtype] += 1
        activities = list(route.schedule())[1:-1]
        nodes = [
            model.client_node[a.idx] if a.is_client() else RELOAD
            for a in activities
            if a.is_client() or a.is_depot()
        ]
        routes[team] = tidy(nodes)
    return routes


def run_pyvrp(task: SolveTask, seconds: float, seed: int, penalty: int) -> Measure:
    """Solve with PyVRP for ``seconds`` (``MaxRuntime``) and check the routes."""
    from pyvrp import solve
    from pyvrp.stop import MaxRuntime

    clock = time.perf_counter()
    model = pyvrp_model(task, penalty)
    built = time.perf_counter()
    result = solve(model.data, stop=MaxRuntime(seconds), seed=seed, display=False)
    wall = time.perf_counter() - clock
    note = f"build {built - clock:.2f} s, {result.num_iterations} iterations"
    if not result.is_feasible():
        return measure(task, "pyvrp", wall, None, note=note + ", infeasible")
    routes = pyvrp_routes(model, result.best, len(task.vehicles))
    return measure(task, "pyvrp", wall, routes, note=note)


# --------------------------------------------------------------------------- reporting


def _h(seconds: int) -> str:
    return f"{seconds / 3600:.2f}"


def print_table(title: str, rows: Sequence[Row]) -> dict[str, object]:
    """Print a per-task table and the sums; return the summary."""
    print(f"\n## {title}\n")
    print(
        "| sub-problem | households | teams | windows | budget s | ours wall s | PyVRP wall s "
        "| ours total h | PyVRP total h | ratio | ours transit h | PyVRP transit h "
        "| ours wait h | PyVRP wait h | ours dropped | PyVRP dropped | ours teams | PyVRP teams "
        "| ours trips | PyVRP trips |"
    )
    print("|---|" + "---:|" * 19)
    for r in rows:
        o, p = r.ours, r.pyvrp
        ratio = f"{o.total_s / p.total_s:.4f}" if o.ok and p.ok and p.total_s else "-"
        print(
            f"| {r.key} | {r.size} | {r.teams} | {r.windows} | {r.budget_s:.1f} "
            f"| {o.wall_s:.2f} | {p.wall_s:.2f} "
            f"| {_h(o.total_s) if o.ok else 'none'} | {_h(p.total_s) if p.ok else 'none'} "
            f"| {ratio} | {_h(o.transit_s)} | {_h(p.transit_s)} | {_h(o.wait_s)} | {_h(p.wait_s)} "
            f"| {o.dropped} | {p.dropped} | {o.used} | {p.used} | {o.trips} | {p.trips} |"
        )
    both = [r for r in rows if r.ours.ok and r.pyvrp.ok]
    same = [r for r in both if r.ours.served == r.pyvrp.served]
    summary: dict[str, object] = {
        "tasks": len(rows),
        "households": sum(r.size for r in rows),
        "both_solved": len(both),
        "ours_no_solution": sum(not r.ours.found for r in rows),
        "pyvrp_no_solution": sum(not r.pyvrp.found for r in rows),
        "ours_failed_checks": sum(r.ours.found and not r.ours.ok for r in rows),
        "pyvrp_failed_checks": sum(r.pyvrp.found and not r.pyvrp.ok for r in rows),
        "ours_only": sum(r.ours.ok and not r.pyvrp.found for r in rows),
        "pyvrp_only": sum(r.pyvrp.ok and not r.ours.found for r in rows),
        "ours_dropped": sum(r.ours.dropped for r in rows),
        "pyvrp_dropped": sum(r.pyvrp.dropped for r in rows),
        "ours_hit_time_guard": sum("time guard" in r.ours.note for r in rows),
        "load_average_1min_mean": round(float(np.mean([r.load for r in rows])), 2),
        "load_average_1min_max": round(max(r.load for r in rows), 2),
        "ours_wall_s": round(sum(r.ours.wall_s for r in rows), 1),
        "pyvrp_wall_s": round(sum(r.pyvrp.wall_s for r in rows), 1),
    }
    for name, subset in (("all", both), ("same_served", same)):
        ours = sum(r.ours.total_s for r in subset)
        theirs = sum(r.pyvrp.total_s for r in subset)
        ours_t = sum(r.ours.transit_s for r in subset)
        theirs_t = sum(r.pyvrp.transit_s for r in subset)
        summary[f"{name}_tasks"] = len(subset)
        summary[f"{name}_ours_total_h"] = round(ours / 3600, 2)
        summary[f"{name}_pyvrp_total_h"] = round(theirs / 3600, 2)
        summary[f"{name}_ratio_total"] = round(ours / theirs, 4) if theirs else None
        summary[f"{name}_ratio_transit"] = round(ours_t / theirs_t, 4) if theirs_t else None
        summary[f"{name}_ours_wait_h"] = round(sum(r.ours.wait_s for r in subset) / 3600, 2)
        summary[f"{name}_pyvrp_wait_h"] = round(sum(r.pyvrp.wait_s for r in subset) / 3600, 2)
    ratios = [r.ours.total_s / r.pyvrp.total_s for r in same if r.pyvrp.total_s]
    if ratios:
        summary["ratio_median"] = round(float(np.median(ratios)), 4)
        summary["ratio_max"] = round(max(ratios), 4)
        summary["ratio_min"] = round(min(ratios), 4)
        summary["worse_than_5pct"] = [
            r.key
            for r in same
            if r.pyvrp.total_s and r.ours.total_s / r.pyvrp.total_s > 1 + WORSE_BY
        ]
    print()
    for k, v in summary.items():
        print(f"- {k}: {v}")
    for r in rows:
        for m in (r.ours, r.pyvrp):
            if m.found and m.problems:
                print(f"- CHECK FAILED {r.key} {m.solver}: {'; '.join(m.problems[:3])}")
    return summary


def row_dict(r: Row) -> dict[str, object]:
    """A row as plain data for ``--json``."""
    return {
        "key": r.key,
        "size": r.size,
        "teams": r.teams,
        "windows": r.windows,
        "budget_s": r.budget_s,
        "load": r.load,
        "ours": dataclasses.asdict(r.ours),
        "pyvrp": dataclasses.asdict(r.pyvrp),
    }


def versions() -> dict[str, str]:
    """Python, OR-Tools and PyVRP versions."""
    import importlib.metadata as md

    return {
        "python": platform.python_version(),
        "ortools": md.version("ortools"),
        "pyvrp": md.version("pyvrp"),
        "numpy": md.version("numpy"),
    }


def code_state() -> str:
    """The planner's commit and its uncommitted files (read-only git queries)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "optimizer"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = [name for name in dirty if name.startswith("optimizer/")]
    return f"{head}" + (f" + uncommitted {', '.join(changed)}" if changed else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))
    parser.add_argument("--sample", type=int, default=30, help="number of sub-problems")
    parser.add_argument("--all", action="store_true", help="every sub-problem")
    parser.add_argument("--mode", choices=("both", "equal", "fixed"), default="both")
    parser.add_argument("--per-household", type=float, default=0.05, help="fixed budget, s")
    parser.add_argument("--min-budget", type=float, default=1.0, help="fixed budget floor, s")
    parser.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    parser.add_argument("--json", default=None, help="write every row and summary here")
    args = parser.parse_args()

    print(f"# Sub-problems of {Path(args.scenario).name}: planner's solver vs PyVRP\n")
    print(f"date: {dt.datetime.now().isoformat(timespec='seconds')}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; "
        + ", ".join(f"{k} {v}" for k, v in versions().items())
    )
    print(f"planner code: {code_state()}")
    tasks, solver_config, info = build_tasks(Path(args.scenario))
    print(f"scenario: {info}")
    seed = solver_config.seed if args.seed is None else args.seed
    workers = int(info["workers_default"])  # type: ignore[arg-type]
    guards = guard_limits(tasks, solver_config, workers)
    picks = list(range(len(tasks))) if args.all else pick_sample(tasks, args.sample)
    picks.sort(key=lambda i: (-tasks[i].size, tasks[i].key))
    default_cfg = solver_config.model_copy(update={"workers": 1, "seed": seed})
    time_only = default_cfg.model_copy(update={"solutions_per_stop": 0.0})
    penalty = default_cfg.drop_penalty_s
    print(
        f"sub-problems: {len(picks)} of {len(tasks)}, "
        f"{sum(tasks[i].size for i in picks)} households; seed {seed}; "
        f"time guard as solve_routes with {workers} workers; drop penalty {penalty}"
    )

    output: dict[str, object] = {
        "info": info,
        "versions": versions(),
        "args": vars(args),
        "code": code_state(),
    }
    comparisons = [m for m in ("equal", "fixed") if args.mode in (m, "both")]
    for mode in comparisons:
        rows: list[Row] = []
        for count, i in enumerate(picks, start=1):
            task = common_model(tasks[i])
            if mode == "equal":
                ours, extra = run_ours(task, default_cfg, guards[i])
                budget = max(ours.wall_s, 0.01)
            else:
                budget = max(args.min_budget, args.per_household * task.size)
                ours, extra = run_ours(task, time_only, budget)
            if extra["hit_time_limit"]:
                ours.note += ", hit time guard"
            theirs = run_pyvrp(task, budget, seed, penalty)
            row = Row(
                key=task.key,
                size=task.size,
                teams=len(task.vehicles),
                windows=window_count(task),
                budget_s=budget,
                ours=ours,
                pyvrp=theirs,
                load=os.getloadavg()[0],
            )
            rows.append(row)
            ratio = ours.total_s / theirs.total_s if ours.ok and theirs.ok else float("nan")
            print(
                f"  [{mode} {count}/{len(picks)}] {task.key} n={task.size} "
                f"budget {budget:.2f} s: ours {_h(ours.total_s)} h ({ours.note}), "
                f"PyVRP {_h(theirs.total_s)} h ({theirs.note}), ratio {ratio:.4f}, "
                f"load {row.load:.2f}",
                file=sys.stderr,
                flush=True,
            )
        title = (
            "Equal time: default settings, PyVRP gets the planner's wall time"
            if mode == "equal"
            else f"Fixed budget: max({args.min_budget} s, {args.per_household} s x households)"
        )
        summary = print_table(title, rows)
        output[mode] = {"summary": summary, "rows": [row_dict(r) for r in rows]}
    if args.json:
        Path(args.json).write_text(json.dumps(output, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
