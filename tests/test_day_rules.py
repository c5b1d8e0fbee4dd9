"""Day rules, pooling and priorities through the whole pipeline, on the tiny scenario."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import (
    check_every_household_once,
    check_routes_feasible,
    grid_point,
    household,
    write_csv,
)
from typer.testing import CliRunner

from optimizer.api import plan_scenario, write_outputs
from optimizer.cli import app
from optimizer.errors import ScenarioError
from optimizer.plan import Plan
from optimizer.reasons import UnservedReason
from optimizer.scenario import HOUSEHOLD_COLUMNS, load_scenario
from optimizer.units import format_clock, parse_clock

THURSDAY = "2026-12-03"
FRIDAY = "2026-12-04"
#: Another desa of kecamatan Kabat (the tiny scenario's households are in Dadapan).
BARENG = "35.10.14.2001"


def _set(folder: Path, *, date: str | None = None, extra: str = "") -> Path:
    path = folder / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    if date:
        text = text.replace(
            'title = "Tiny test scenario (synthetic)"', f'title = "t"\ndate = {date}'
        )
    path.write_text(text + extra, encoding="utf-8")
    return path


def _plan(folder: Path, rows: list[dict[str, object]], **changes: str) -> Plan:
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, rows)
    path = _set(folder, **changes)
    plan = plan_scenario(path)
    check_every_household_once(plan, load_scenario(path))
    check_routes_feasible(plan)
    return plan


def test_friday_prayers_replace_the_midday_break(scenario_dir: Path) -> None:
    path = _set(scenario_dir, date=FRIDAY, extra='\n[friday]\nshift_end = "14:00"\n')
    scenario = load_scenario(path)
    rules = scenario.rules
    assert rules.friday
    assert (rules.break_earliest_s, rules.break_latest_s) == (parse_clock("11:15"), 41400)
    assert rules.break_s == 105 * 60
    assert {t.shift_end_s for t in scenario.teams} == {parse_clock("14:00")}


def test_a_thursday_keeps_the_day_rules(scenario_dir: Path) -> None:
    scenario = load_scenario(_set(scenario_dir, date=THURSDAY))
    assert not scenario.rules.friday
    assert scenario.rules.break_s == 60 * 60
    assert {t.shift_end_s for t in scenario.teams} == {parse_clock("15:00")}


@pytest.mark.parametrize(("date", "served"), [(THURSDAY, True), (FRIDAY, False)])
def test_window_during_friday_prayers_is_unservable(
    scenario_dir: Path, date: str, served: bool
) -> None:
    # Open 11:30-12:30: before Thursday's break, but inside Friday prayers (start by 11:30,
    # 105 minutes).
    rows = [
        household("PRAYER", *grid_point(1, 1), window_start="11:30", window_end="12:30"),
        household("FREE", *grid_point(2, 2)),
    ]
    plan = _plan(scenario_dir, rows, date=date)
    unserved = {u.household_id: u for u in plan.unserved}
    assert ("PRAYER" not in unserved) is served
    if not served:
        assert unserved["PRAYER"].code == UnservedReason.OUTSIDE_SHIFT
        assert "take the break" in unserved["PRAYER"].reason


def test_the_break_shows_in_plan_and_sheet(scenario_dir: Path, tmp_path: Path) -> None:
    # One door open only 11:45-11:50 and one from 13:30: the team works through the break
    # window, so it takes its break between the two doors; it leaves the depot just in time
    # for the first one rather than at 08:00.
    rows = [
        household("NOON", *grid_point(1, 1), window_start="11:45", window_end="11:50"),
        household("LATE", *grid_point(3, 3), window_start="13:30", window_end="14:00"),
    ]
    (scenario_dir / "teams.csv").write_text(
        "team_id,depot_id,vehicle\nT-CAR,D1,car\n", encoding="utf-8"
    )
    plan = _plan(scenario_dir, rows)
    (route,) = plan.routes
    assert [s.household_id for s in route.stops] == ["NOON", "LATE"]
    assert parse_clock("11:40") <= route.start_s <= parse_clock("11:50")
    assert route.break_ is not None
    assert route.break_.after_stop == 1
    assert parse_clock("12:00") <= route.break_.start_s <= parse_clock("12:30")
    assert route.break_.end_s - route.break_.start_s == 3600
    assert route.stops[1].arrival_s == parse_clock("13:30")
    write_outputs(plan, tmp_path)
    with (tmp_path / "routes.csv").open(encoding="utf-8") as handle:
        events = [row["event"] for row in csv.DictReader(handle)]
    assert events == ["door", "break", "door"]
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert data["routes"][0]["break"]["start"] == format_clock(route.break_.start_s)


def test_a_team_starting_after_midday_takes_its_break_before(scenario_dir: Path) -> None:
    rows = [household("LATE", *grid_point(3, 3), window_start="13:30", window_end="14:00")]
    plan = _plan(scenario_dir, rows)
    (route,) = plan.routes
    assert route.start_s > parse_clock("13:00")
    assert route.break_ is None  # not part of the route: taken before it


def test_maximum_working_time_leaves_doors_for_other_teams(scenario_dir: Path) -> None:
    rows = [household(f"H{i}", *grid_point(i % 4, i // 4)) for i in range(16)]
    plan = _plan(scenario_dir, rows, extra="\n[day]\nmax_work_min = 6\n")
    for route in plan.routes:
        assert route.work_s <= 6 * 60
    assert plan.kpis.households_unserved > 0
    assert {u.code for u in plan.unserved} == {UnservedReason.NOT_ENOUGH_TEAMS}


def _two_depots(folder: Path, serves: str = "") -> None:
    lat, lon = grid_point(0, 0)
    (folder / "depots.csv").write_text(
        "depot_id,name,desa_code,lat,lon,serves\n"
        f"D1,Kantor Desa Dadapan,35.10.14.2010,{lat:.7f},{lon:.7f},\n"
        f"K1,Kantor Kecamatan Kabat,{BARENG},{lat:.7f},{lon:.7f},{serves}\n",
        encoding="utf-8",
    )
    (folder / "teams.csv").write_text(
        "team_id,depot_id,vehicle\nT-KEC,K1,motorbike\n", encoding="utf-8"
    )


def test_without_pooling_a_desa_without_teams_is_unserved(scenario_dir: Path) -> None:
    _two_depots(scenario_dir)
    plan = _plan(scenario_dir, [household("A", *grid_point(1, 1))])
    (item,) = plan.unserved
    assert item.code == UnservedReason.NO_TEAM
    assert "add teams" in item.reason


@pytest.mark.parametrize(
    ("serves", "extra"),
    [("", '\n[pooling]\nlevel = "kecamatan"\n'), ("kecamatan", "")],
    ids=["pooled kecamatan", "kecamatan office"],
)
def test_kecamatan_teams_serve_every_desa(scenario_dir: Path, serves: str, extra: str) -> None:
    _two_depots(scenario_dir, serves)
    plan = _plan(scenario_dir, [household("A", *grid_point(1, 1))], extra=extra)
    (route,) = plan.routes
    assert route.team_id == "T-KEC"
    assert route.depot_id == "K1"
    assert plan.kpis.households_served == 1


def test_priority_households_are_reported(scenario_dir: Path) -> None:
    rows = [household(f"H{i}", *grid_point(i % 4, i // 4), priority="1") for i in range(3)]
    rows.append(household("X", *grid_point(3, 3)))
    plan = _plan(scenario_dir, rows)
    assert plan.kpis.priority_households == 3
    assert plan.kpis.priority_late == 0
    assert sum(1 for r in plan.routes for s in r.stops if s.priority) == 3


def test_unreadable_priority_is_an_invalid_row(scenario_dir: Path) -> None:
    rows = [household("A", *grid_point(1, 1), priority="maybe")]
    plan = _plan(scenario_dir, rows)
    (item,) = plan.unserved
    assert item.code == UnservedReason.INVALID_DATA
    assert "priority 'maybe'" in item.reason


def test_bad_day_rules_are_listed_together(scenario_dir: Path) -> None:
    path = _set(
        scenario_dir,
        extra='\n[day]\nbreak_earliest = "13:00"\nbreak_latest = "12:00"\n'
        '[friday]\nprayer = 1\n[pooling]\nlevel = "regency"\n',
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    text = str(caught.value)
    assert "unknown key 'prayer' in [friday]" in text
    assert "pooling.level" in text


def test_reversed_break_window_is_refused(scenario_dir: Path) -> None:
    path = _set(scenario_dir, extra='\n[day]\nbreak_earliest = "13:00"\nbreak_latest = "12:00"\n')
    with pytest.raises(ScenarioError, match="before break_earliest 13:00; swap them"):
        load_scenario(path)


def test_cli_quick_and_objective(scenario_dir: Path, tmp_path: Path) -> None:
    rows = [household(f"H{i}", *grid_point(i % 4, i // 4)) for i in range(8)]
    write_csv(scenario_dir / "households.csv", HOUSEHOLD_COLUMNS, rows)
    runner = CliRunner()
    for objective in ("cost", "fair"):
        result = runner.invoke(
            app,
            [
                "plan",
                str(scenario_dir / "tiny.toml"),
                "--quick",
                "--objective",
                objective,
                "--out",
                str(tmp_path / objective),
            ],
        )
        assert result.exit_code == 0, result.output
        data = json.loads((tmp_path / objective / "plan.json").read_text(encoding="utf-8"))
        assert data["meta"]["solver"]["objective"] == objective
        assert data["kpis"]["households_served"] == 8
    bad = runner.invoke(app, ["plan", str(scenario_dir / "tiny.toml"), "--objective", "fastest"])
    assert bad.exit_code != 0
    assert "objective" in bad.output
    retired = runner.invoke(
        app, ["plan", str(scenario_dir / "tiny.toml"), "--objective", "longest_route"]
    )
    assert retired.exit_code == 2
    assert "Traceback" not in retired.output
    said = " ".join(retired.output.split())
    assert "'longest_route' is retired" in said
    assert 'use objective = "fair"' in said


def test_a_scenario_naming_the_retired_objective_is_told_what_to_use(scenario_dir: Path) -> None:
    tiny = _set(scenario_dir, extra='objective = "longest_route"\n')  # tiny.toml ends in [solver]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tiny)
    said = str(caught.value)
    assert "tiny.toml" in said
    assert "solver.objective" in said
    assert "'longest_route' is retired" in said
    assert 'use objective = "fair"' in said


def test_fair_objective_reports_a_smaller_spread(scenario_dir: Path) -> None:
    rows = [household(f"H{i}", *grid_point(i % 4, i // 4)) for i in range(12)]
    (scenario_dir / "teams.csv").write_text(
        "team_id,depot_id,vehicle\nA,D1,car\nB,D1,car\nC,D1,car\n", encoding="utf-8"
    )
    total = _plan(scenario_dir, rows)
    fair = _plan(scenario_dir, rows, extra='objective = "fair"\n')
    for plan in (total, fair):
        durations = [r.duration_s for r in plan.routes]
        assert plan.kpis.route_spread_s == max(durations) - min(durations)
        assert plan.kpis.longest_route_s == max(durations)
    assert fair.kpis.longest_route_s < total.kpis.longest_route_s
    assert fair.kpis.teams_used > total.kpis.teams_used


def test_late_window_with_short_working_time_is_served(scenario_dir: Path) -> None:
    rows = [household("LATE", *grid_point(2, 2), window_start="14:00", window_end="14:30")]
    plan = _plan(scenario_dir, rows, extra="\n[day]\nmax_work_min = 10\n")
    (route,) = plan.routes
    assert route.start_s >= parse_clock("13:50")
    assert route.work_s <= 600
