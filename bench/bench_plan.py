"""End-to-end benchmark: plan a scenario (default: the whole regency) and print stage times.

    .venv/bin/python bench/bench_plan.py [SCENARIO] [--time-limit S] [--workers N]
        [--quick] [--objective NAME] [--repeat N] [--guard]

Prints wall time per stage (including writing the outputs and the map), the number of
sub-problems and households, peak memory (resident set size) of this process and of the
solver worker processes, and the sha256 of plan.json and routes.csv. ``--repeat`` plans again
and says whether plan.json and routes.csv came out byte-identical. ``--guard`` prints how much
of its wall-clock guard each search used (wall time / guard, worst first, and the whole
stage's share): below 1/3 everywhere, a machine three times slower would still not be cut.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.plan import Plan
    from optimizer.solver import Assignment

ROOT = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "banyuwangi.toml"))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / ".bench" / "plan"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--objective", default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--guard", action="store_true", help="print guard shares per search")
    return parser.parse_args()


def keep_assignments() -> list[Assignment]:
    """Make the planner's solve stage hand its Assignment to the returned list too."""
    from optimizer import stages
    from optimizer.solver import solve_routes

    # Keep the solve stage's Assignment (with each search's wall time and guard), which the
    # Plan does not carry.
    assignments: list[Assignment] = []

    def solve_and_keep(*call: Any, **options: Any) -> Assignment:
        assignment = solve_routes(*call, **options)
        assignments.append(assignment)
        return assignment

    stages.solve_routes = solve_and_keep  # the name the solve stage calls
    return assignments


def solver_overrides(args: argparse.Namespace, quick: dict[str, Any]) -> dict[str, Any]:
    """Collect the solver settings the command line changes (``quick``: the quick settings)."""
    overrides = dict(quick) if args.quick else {}
    if args.objective is not None:
        overrides["objective"] = args.objective
    if args.time_limit is not None:
        overrides["time_limit_s"] = args.time_limit
    if args.workers is not None:
        overrides["workers"] = args.workers
    return overrides


def progress(stage: str, done: int, total: int) -> None:
    """Report every tenth of a stage on stderr."""
    if done == total or done % max(1, total // 10) == 0:
        print(f"  {stage}: {done}/{total}", file=sys.stderr, flush=True)


def print_report(plan: Plan, import_s: float, write_s: float, total_s: float) -> None:
    """Print the machine, the stage times, peak memory and the plan's key figures."""
    from optimizer.fairness import fairness_line

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"scenario: {plan.scenario} ({plan.households_total} households, "
        f"{plan.meta['subproblems']} sub-problems, {plan.kpis.teams_available} teams)"
    )
    print(f"{'stage':<22}{'seconds':>10}")
    print(f"{'imports':<22}{import_s:>10.1f}")
    assert plan.stats is not None
    for stage, seconds in plan.stats.stage_seconds.items():
        print(f"{stage:<22}{seconds:>10.1f}")
    print(f"{'write outputs + map':<22}{write_s:>10.1f}")
    print(f"{'TOTAL':<22}{total_s:>10.1f}")
    print(f"peak memory: main process {own:.0f} MB, largest worker {children:.0f} MB")
    print(
        f"served {plan.kpis.households_served}, unserved {plan.kpis.households_unserved} "
        f"{dict(sorted(plan.kpis.unserved_by_reason.items()))}"
    )
    print(
        f"teams used {plan.kpis.teams_used}; longest route "
        f"{plan.kpis.longest_route_s / 3600:.2f} h; total route time "
        f"{plan.kpis.total_route_s / 3600:.0f} h; search status {plan.meta['search_status']}"
    )
    k = plan.kpis
    print(
        f"spread {k.route_spread_s / 3600:.2f} h (within a depot {k.depot_spread_s / 3600:.2f} h, "
        f"working time {k.depot_work_spread_s / 60:.1f} min); "
        f"reloads {k.reloads}; breaks in routes "
        f"{sum(1 for r in plan.routes if r.break_ is not None)}; cost Rp {k.total_cost:,.0f}; "
        f"priority late {k.priority_late} of {k.priority_households}"
    )
    if plan.fairness:
        print(fairness_line(plan.fairness))


def print_digests(args: argparse.Namespace, overrides: dict[str, Any]) -> None:
    """Print the outputs' sha256; with ``--repeat``, plan again and compare the outputs."""
    from optimizer.api import plan_scenario, write_outputs

    digests = [_digest(Path(args.out))]
    print(f"sha256 plan.json {digests[0][0]}")
    print(f"sha256 routes.csv {digests[0][1]}")
    for run in range(1, args.repeat):
        again = plan_scenario(Path(args.scenario), solver_overrides=overrides)
        folder = Path(args.out + f"-{run}")
        write_outputs(again, folder)
        digests.append(_digest(folder))
    if args.repeat > 1:
        same = all(d == digests[0] for d in digests)
        print(f"{args.repeat} runs: plan.json and routes.csv byte-identical: {same}")


def main() -> int:
    args = parse_args()

    started = time.perf_counter()
    from optimizer.api import QUICK_SETTINGS, plan_scenario, write_outputs

    assignments = keep_assignments()
    overrides = solver_overrides(args, QUICK_SETTINGS)
    import_s = time.perf_counter() - started
    plan = plan_scenario(Path(args.scenario), solver_overrides=overrides, progress=progress)
    clock = time.perf_counter()
    write_outputs(plan, Path(args.out))
    write_s = time.perf_counter() - clock
    total_s = time.perf_counter() - started

    print_report(plan, import_s, write_s, total_s)
    if args.guard:
        _print_guard(assignments[0])
    print_digests(args, overrides)
    return 0


def _print_guard(assignment: Any, worst: int = 5) -> None:
    results = sorted(assignment.results, key=lambda r: -r.guard_share)
    cut = sum(r.hit_time_limit for r in results)
    print(
        f"guard: stage {assignment.wall_s:.1f} s of {assignment.guard_s:.0f} s "
        f"(share {assignment.wall_s / assignment.guard_s:.3f}); {len(results)} searches, "
        f"{cut} cut; worst share overall {assignment.guard_share:.3f}"
    )
    print(f"  {'sub-problem':<16}{'wall s':>9}{'guard s':>10}{'wall/guard':>12}")
    for r in results[:worst]:
        print(f"  {r.key:<16}{r.wall_s:>9.2f}{r.guard_s:>10.1f}{r.guard_share:>12.4f}")


def _digest(folder: Path) -> tuple[str, ...]:
    return tuple(
        hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("plan.json", "routes.csv")
    )


if __name__ == "__main__":
    raise SystemExit(main())
