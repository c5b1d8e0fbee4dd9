"""Benchmark: the printed route sheets (team PDFs and desa packs) of a scenario.

    .venv/bin/python bench/bench_sheets.py [SCENARIO] [--workers N] [--out DIR]
        [--plan-cache FILE] [--repeat N]

Plans the scenario once (default: the whole regency, scenarios/banyuwangi.toml) or loads the
plan a previous run kept in ``--plan-cache`` (a pickle, for re-running without planning again),
builds the streets with ``build_streets(load_road_graph(...))`` from the scenario's road
network, then times ``write_team_sheets`` alone. Prints the time, the number of team and desa
files, their median and largest sizes and the sha256 of all files together. ``--repeat`` writes
again into a second folder and says whether every file came out byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "banyuwangi.toml"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / ".bench" / "sheets"))
    parser.add_argument("--plan-cache", default=None, help="pickle of the plan: read or written")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    from optimizer.api import plan_scenario
    from optimizer.geometry import build_streets
    from optimizer.render.pdf import write_team_sheets
    from optimizer.roadgraph import load_road_graph
    from optimizer.scenario import load_scenario

    scenario_path = Path(args.scenario)
    cache = Path(args.plan_cache) if args.plan_cache else None
    clock = time.perf_counter()
    if cache is not None and cache.is_file():
        with cache.open("rb") as handle:
            plan = pickle.load(handle)
        print(f"plan loaded from {cache} in {time.perf_counter() - clock:.1f} s")
    else:
        plan = plan_scenario(scenario_path)
        print(f"planned in {time.perf_counter() - clock:.1f} s")
        if cache is not None:
            with cache.open("wb") as handle:
                pickle.dump(plan, handle)
    clock = time.perf_counter()
    network = Path(load_scenario(scenario_path).road_network)
    streets = build_streets(load_road_graph(network))
    print(f"streets: {streets.n_lines} lines, built in {time.perf_counter() - clock:.1f} s")

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    digests = []
    for run in range(args.repeat):
        folder = Path(args.out + (f"-{run}" if run else ""))
        clock = time.perf_counter()
        paths = write_team_sheets(plan, streets, folder, workers=args.workers)
        seconds = time.perf_counter() - clock
        teams = [p for p in paths if p.parent.name == "teams"]
        packs = [p for p in paths if p.parent.name == "desa"]
        _report(plan, seconds, teams, packs, args.workers)
        digest = hashlib.sha256()
        for path in paths:
            digest.update(path.read_bytes())
        digests.append(digest.hexdigest())
        print(f"sha256 of all files: {digests[-1]}")
    if args.repeat > 1:
        print(f"{args.repeat} runs byte-identical: {all(d == digests[0] for d in digests)}")
    return 0


def _report(
    plan: object, seconds: float, teams: list[Path], packs: list[Path], workers: int
) -> None:
    team_kb = [p.stat().st_size / 1024 for p in teams]
    pack_kb = [p.stat().st_size / 1024 for p in packs]
    routes = getattr(plan, "routes", ())
    print(
        f"write_team_sheets: {seconds:.1f} s with {workers} workers for {len(routes)} routes "
        f"({seconds / max(1, len(routes)) * 1000:.0f} ms a team)"
    )
    print(
        f"team PDFs: {len(teams)}, median {statistics.median(team_kb):.0f} KB, "
        f"largest {max(team_kb):.0f} KB, total {sum(team_kb) / 1024:.0f} MB"
    )
    print(
        f"desa packs: {len(packs)}, median {statistics.median(pack_kb):.0f} KB, "
        f"largest {max(pack_kb) / 1024:.1f} MB, total {sum(pack_kb) / 1024:.0f} MB"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
