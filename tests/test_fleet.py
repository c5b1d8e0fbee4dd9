"""Who goes where: sizing, teams from the roster, and month-on-month re-plans (Glagah)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from optimizer.api import QUICK_SETTINGS, apply_solver_overrides, plan_scenario, size_scenario
from optimizer.fleet.crews import plan_roster_day, short_depots, staff_roster
from optimizer.fleet.sizing import size_teams, used_slots
from optimizer.fleet.starts import bind_routes, slot_routes
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan
from optimizer.render.report import write_plan_json
from optimizer.scenario import load_scenario
from optimizer.stages import StageClock

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


def test_a_depot_short_of_a_team_calls_up_a_reserve(month: tuple[Path, Plan]) -> None:
    folder, _ = month
    scenario = apply_solver_overrides(load_scenario(_scenario(folder, "short")), QUICK_SETTINGS)
    cache, clock = PipelineCache(), StageClock(None)
    sized = size_teams(scenario, cache, clock, generate=True)
    slots = used_slots(sized)
    busiest = max(slots, key=lambda key: (len(slots[key]), key))
    needs = Counter({key: len(ids) for key, ids in slots.items()})
    needs[busiest] -= 1  # one team fewer than the depot needs
    staffing = staff_roster(scenario, cache, needs)
    start = bind_routes(sized, staffing, slot_routes(sized))
    day = plan_roster_day(scenario, cache, clock, staffing, start)
    assert short_depots(sized) == []  # the sizing serves every door it was given
    assert short_depots(day.solved) == []  # and so do the teams, once one more is called up
    assert len(day.staffing.teams) == len(staffing.teams) + 1
    assert {t.team_id for t in staffing.teams} < {t.team_id for t in day.staffing.teams}
    (added,) = {
        t for t in day.staffing.teams if t.team_id not in {s.team_id for s in staffing.teams}
    }
    assert added.depot_id == busiest[0]
