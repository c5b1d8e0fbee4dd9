"""Who goes where, at regency scale: sizing, roster to teams to depots, month-on-month re-plan.

Prints: ``berbagi size`` on the default scenario (time, teams and people needed); a fresh plan
from the roster (``scenarios/whatif/roster.toml``: sizing, forming teams, routes); forming the
roster's teams and sending them to depots again for that plan's needs, alone (time); and next
month's re-plan with 5 % of the households changed (2.5 % gone, 2.5 % new) from that plan
(time and share of households keeping their team).

    .venv/bin/python bench/bench_fleet.py [--quick]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from optimizer.api import QUICK_SETTINGS, plan_with_streets, size_scenario
from optimizer.fleet import staff_roster
from optimizer.pipeline import PipelineCache
from optimizer.render.report import write_plan_json
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "banyuwangi.toml"
ROSTER = ROOT / "scenarios" / "whatif" / "roster.toml"
HOUSEHOLDS = ROOT / "scenarios" / "data" / "banyuwangi" / "households.csv"


def _changed_households(folder: Path, share: float, seed: int = 0) -> Path:
    """A copy of the households with ``share`` changed: half removed, half new (moved copies)."""
    with HOUSEHOLDS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rng = np.random.default_rng(seed)
    half = round(len(rows) * share / 2)
    gone = {int(i) for i in rng.choice(len(rows), half, replace=False)}
    kept = [r for i, r in enumerate(rows) if i not in gone]
    new = []
    for n, i in enumerate(rng.choice(len(kept), half, replace=False)):
        row = dict(kept[int(i)])
        row["household_id"] = f"HH-NEW-{n:05d}"
        if row["lat"]:
            row["lat"] = f"{float(row['lat']) + 0.0004:.6f}"
        new.append(row)
    path = folder / "households.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept + new)
    return path


def main() -> None:
    """Run the four measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="draft search effort")
    args = parser.parse_args()
    overrides = dict(QUICK_SETTINGS) if args.quick else {}
    cache = PipelineCache()
    started = time.perf_counter()
    sized = size_scenario(DEFAULT, solver_overrides=overrides, cache=cache).plan
    size_s = time.perf_counter() - started
    teams = Counter({v: sum(n.teams.get(v, 0) for n in sized.needs) for v in sized.needs[0].teams})
    print(
        f"size (whole regency): {size_s:.1f} s; teams needed {dict(teams)}, people "
        f"{sum(n.people for n in sized.needs)}; served {sized.kpis.households_served} of "
        f"{sized.kpis.households_total}"
    )
    started = time.perf_counter()
    fresh = plan_with_streets(ROSTER, solver_overrides=overrides, cache=cache).plan
    fresh_s = time.perf_counter() - started
    print(f"fresh plan from the roster: {fresh_s:.1f} s; {fresh.summary().splitlines()[1]}")
    roster = load_scenario(ROSTER)
    needs = Counter((r.depot_id, r.vehicle) for r in fresh.routes if r.stops)
    started = time.perf_counter()
    staffing = staff_roster(roster, cache, needs)
    print(
        f"roster -> teams -> depots (the fresh plan's needs): "
        f"{time.perf_counter() - started:.2f} s for "
        f"{sum(p.available for p in roster.people)} available people, {len(staffing.teams)} "
        f"teams formed, {sum(staffing.missing.values())} missing, total travel "
        f"{staffing.total_travel_m / 1000:.0f} km"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_plan_json(fresh, folder / "plan.json")
        households = _changed_households(folder, 0.05)
        (folder / "next.toml").write_text(
            f'extends = "{ROSTER}"\n[scenario]\nname = "next_month"\n'
            f'[inputs]\nhouseholds = "{households}"\n'
            f'[continuity]\nprevious_plan = "{folder / "plan.json"}"\n',
            encoding="utf-8",
        )
        started = time.perf_counter()
        carried = plan_with_streets(folder / "next.toml", solver_overrides=overrides, cache=cache)
        carried_s = time.perf_counter() - started
    line = [x for x in carried.plan.summary().splitlines() if x.startswith("Continuity")]
    print(f"re-plan next month (5 % changed): {carried_s:.1f} s vs fresh {fresh_s:.1f} s; {line}")


if __name__ == "__main__":
    main()
