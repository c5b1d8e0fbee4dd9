"""Who goes where: sizing, teams from the roster, and month-on-month re-plans (Glagah)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from optimizer.api import QUICK_SETTINGS, plan_scenario, size_scenario
from optimizer.plan import Plan
from optimizer.render.report import write_plan_json
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
GLAGAH = ROOT / "scenarios" / "glagah.toml"
ROSTER = ROOT / "scenarios" / "data" / "banyuwangi" / "asn.csv"
HOUSEHOLDS = ROOT / "scenarios" / "data" / "banyuwangi" / "households.csv"


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'extends = "{GLAGAH}"\n[scenario]\nname = "{name}"\n'
        f'[inputs]\nroster = "{ROSTER}"\n{extra}',
        encoding="utf-8",
    )
    return path


def _stops(plan: Plan) -> dict[str, list[str]]:
    return {r.team_id: [s.household_id for s in r.stops] for r in plan.routes}


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Plan]:
    folder = tmp_path_factory.mktemp("month")
    plan = plan_scenario(_scenario(folder, "month1"), solver_overrides=QUICK_SETTINGS)
    write_plan_json(plan, folder / "plan.json")
    return folder, plan


def test_teams_per_desa_meet_size(month: tuple[Path, Plan]) -> None:
    folder, plan = month
    sized = size_scenario(_scenario(folder, "sized"), solver_overrides=QUICK_SETTINGS).plan
    needed = Counter({(n.depot_id, v): k for n in sized.needs for v, k in n.teams.items() if k})
    called = Counter((r.depot_id, r.vehicle) for r in plan.routes)
    assert needed
    assert called == needed
    assert plan.kpis.households_served == sized.kpis.households_served


def test_roster_teams_are_whole_and_nobody_twice(month: tuple[Path, Plan]) -> None:
    folder, plan = month
    people = {p.asn_id: p for p in load_scenario(_scenario(folder, "check")).people}
    crews = [m for r in plan.routes for m in r.crew]
    assert len(crews) == len(set(crews))
    for route in plan.routes:
        driver = people[route.crew[0]]
        assert driver.vehicle == route.vehicle  # nobody rides without an owner driving
        assert len(route.crew) == route.members
        assert all(people[m].available for m in route.crew)
    roles = Counter(d.role for d in plan.duties)
    assert roles["unavailable"] == sum(not p.available for p in people.values())
    assert roles["driver"] + roles["member"] == len(crews)


def test_continuity_without_change_keeps_every_route(month: tuple[Path, Plan]) -> None:
    folder, plan = month
    extra = f'[continuity]\nprevious_plan = "{folder / "plan.json"}"\n'
    again = plan_scenario(_scenario(folder, "month2", extra), solver_overrides=QUICK_SETTINGS)
    assert _stops(again) == _stops(plan)
    assert again.churn == ()
    assert again.churn_compared == plan.kpis.households_served


def test_removing_one_household_changes_only_its_route(month: tuple[Path, Plan]) -> None:
    folder, plan = month
    route = max(plan.routes, key=lambda r: len(r.stops))
    gone = route.stops[len(route.stops) // 2].household_id
    with HOUSEHOLDS.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["household_id"] != gone]
    path = folder / "households.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # A freer plan that saves enough may move other doors too: here it never may.
    extra = (
        f'households = "{path}"\n[continuity]\nprevious_plan = "{folder / "plan.json"}"\n'
        "max_saving_pct = 100\n"
    )
    after = _stops(
        plan_scenario(_scenario(folder, "month2b", extra), solver_overrides=QUICK_SETTINGS)
    )
    before = _stops(plan)
    changed = [t for t in before if before[t] != after.get(t)]
    assert changed == [route.team_id]
    assert after[route.team_id] == [h for h in before[route.team_id] if h != gone]
