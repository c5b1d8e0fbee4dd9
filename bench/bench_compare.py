"""Benchmark: compare the default scenario with its shipped what-ifs under --quick settings.

Prints the wall time of one default ``berbagi plan --quick`` (plan, outputs and field pack), of
``compare_scenarios`` over the default plus every what-if in scenarios/whatif/ with one shared
cache, of the same plans each with a fresh cache (no reuse), and what the cache built and reused.

    .venv/bin/python bench/bench_compare.py [--no-baseline-run] [--no-uncached]
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from pathlib import Path

from optimizer.api import (
    QUICK_SETTINGS,
    compare_scenarios,
    plan_with_streets,
    write_outputs,
)
from optimizer.pipeline import PipelineCache

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "banyuwangi.toml"


def _what_ifs() -> list[Path]:
    return sorted((ROOT / "scenarios" / "whatif").glob("*.toml"))


def _timed_plans(paths: list[Path], cache: PipelineCache) -> None:
    """Plan each scenario on the shared cache and print its time as it finishes."""
    for path in paths:
        started = time.perf_counter()
        plan_with_streets(path, solver_overrides=dict(QUICK_SETTINGS), cache=cache)
        print(f"  {path.name}: {time.perf_counter() - started:.1f} s", flush=True)


def _one_plan(out: Path) -> float:
    started = time.perf_counter()
    result = plan_with_streets(DEFAULT, solver_overrides=dict(QUICK_SETTINGS))
    write_outputs(result.plan, out, streets=result.streets)
    return time.perf_counter() - started


def _uncached(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        plan_with_streets(path, solver_overrides=dict(QUICK_SETTINGS), cache=PipelineCache())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline-run", action="store_true")
    parser.add_argument("--no-uncached", action="store_true")
    parser.add_argument(
        "--each", action="store_true", help="only plan each scenario on one cache, timed"
    )
    args = parser.parse_args()
    paths = [DEFAULT, *_what_ifs()]
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print("scenarios:", ", ".join(p.name for p in paths), flush=True)
    if args.each:
        _timed_plans(paths, PipelineCache())
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        single = None if args.no_baseline_run else _one_plan(out / "single")
        if single is not None:
            print(
                f"one default plan --quick (plan, outputs, field pack): {single:.1f} s", flush=True
            )
        cache = PipelineCache()
        started = time.perf_counter()
        comparison = compare_scenarios(
            paths, out=out / "compare", solver_overrides=QUICK_SETTINGS, cache=cache
        )
        shared = time.perf_counter() - started
    print(f"compare {len(paths)} scenarios --quick, shared cache, with outputs: {shared:.1f} s")
    if single is not None:
        print(f"  ratio to one default plan --quick: {shared / single:.2f}x (target < 2.5x)")
    print(f"  shared work: {cache.summary()}", flush=True)
    for figure in ("households_served", "teams_used", "total_route_h"):
        row = comparison.figure(figure)
        print(f"  {figure}: " + ", ".join(f"{v}" for v in row.values), flush=True)
    uncached = None if args.no_uncached else _uncached(paths)
    if uncached is not None:
        print(f"the same {len(paths)} plans, each with a fresh cache, no outputs: {uncached:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory, main process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
