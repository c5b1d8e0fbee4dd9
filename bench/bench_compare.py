"""Benchmark: compare the default scenario with its shipped what-ifs under --quick settings.

Prints the wall time of one default ``berbagi plan --quick`` (plan, outputs and field pack), of
``compare_scenarios`` over the default plus the five what-ifs of the target (``--all``: every
what-if in scenarios/whatif/) with one shared cache, of the same comparison with nothing reused,
the share of time reuse saves, and what the cache built and reused.

    .venv/bin/python bench/bench_compare.py [--all] [--no-baseline-run] [--no-uncached] [--each]
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


#: The five what-ifs the comparison target names (half the teams, motorbikes only, kecamatan
#: pooling, an earlier Friday, a closed bridge); ``--all`` adds every other shipped what-if.
FIVE = ("half_teams", "motorbikes_only", "kecamatan_pooling", "friday_early", "closed_bridge")


def _what_ifs(every: bool) -> list[Path]:
    found = sorted((ROOT / "scenarios" / "whatif").glob("*.toml"))
    return found if every else [p for p in found if p.stem in FIVE]


class _NoReuse(PipelineCache):
    """A cache that keeps nothing: every scenario builds everything (the work reuse saves)."""

    def _get(self, kind: str, key: str, *, count: bool = True) -> object | None:
        return None


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


def _uncached(paths: list[Path], out: Path) -> float:
    started = time.perf_counter()
    compare_scenarios(paths, out=out, solver_overrides=QUICK_SETTINGS, cache=_NoReuse())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-baseline-run", action="store_true")
    parser.add_argument("--no-uncached", action="store_true")
    parser.add_argument(
        "--each", action="store_true", help="only plan each scenario on one cache, timed"
    )
    parser.add_argument("--all", action="store_true", help="every shipped what-if, not five")
    args = parser.parse_args()
    paths = [DEFAULT, *_what_ifs(args.all)]
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
        uncached = None if args.no_uncached else _uncached(paths, out / "uncached")
    print(f"compare {len(paths)} scenarios --quick, shared cache, with outputs: {shared:.1f} s")
    if single is not None:
        print(f"  ratio to one default plan --quick: {shared / single:.2f}x (target < 2.5x)")
    print(f"  shared work: {cache.summary()}", flush=True)
    for figure in ("households_served", "teams_used", "total_route_h"):
        row = comparison.figure(figure)
        print(f"  {figure}: " + ", ".join(f"{v}" for v in row.values), flush=True)
    if uncached is not None:
        saved = 1 - shared / uncached
        print(f"the same comparison with no reuse (nothing cached): {uncached:.1f} s")
        print(f"  share of the time saved by reuse: {saved:.0%}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory, main process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
