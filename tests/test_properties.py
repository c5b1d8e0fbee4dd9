"""Invariants of whole plans on random small instances (hypothesis)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from conftest import GOOD
from helpers import (
    check_every_household_once,
    check_routes_feasible,
    grid_point,
    household,
    write_csv,
)
from hypothesis import given
from hypothesis import strategies as st

from optimizer.api import plan_scenario
from optimizer.scenario import HOUSEHOLD_COLUMNS, load_scenario

cell = st.tuples(st.floats(-0.4, 3.4), st.floats(-0.4, 3.4))
window = st.one_of(
    st.just(("", "")),
    st.sampled_from([("08:00", "08:30"), ("09:00", "10:00"), ("13:00", ""), ("", "08:05")]),
)
row = st.tuples(cell, st.integers(1, 4), window, st.sampled_from(["1", "1", "1", "2", "x"]))
fleet = st.lists(st.sampled_from(["car", "motorbike"]), min_size=1, max_size=3)


@given(rows=st.lists(row, min_size=1, max_size=14), teams=fleet)
def test_every_household_once_and_routes_feasible(rows, teams) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "s"
        shutil.copytree(GOOD, folder)
        records = []
        for i, ((r, c), packages, (start, end), desil) in enumerate(rows):
            records.append(
                household(
                    f"H{i}",
                    *grid_point(r, c),
                    packages=packages,
                    window_start=start,
                    window_end=end,
                    desil=desil,
                )
            )
        write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, records)
        lines = ["team_id,depot_id,vehicle"] + [f"T{i},D1,{v}" for i, v in enumerate(teams)]
        (folder / "teams.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        scenario = load_scenario(folder / "tiny.toml")
        plan = plan_scenario(folder / "tiny.toml")
        check_every_household_once(plan, scenario)
        check_routes_feasible(plan)
        assert plan.kpis.households_served + plan.kpis.households_unserved == len(
            scenario.households
        ) + len(scenario.rejected)
        assert plan.kpis.teams_used <= len(teams)


WALK_SETTINGS = """
[service.park_min]
car = 3
motorbike = 3

[service.park_and_walk]
enabled = true
"""
#: Doors in one block, a few metres to a few dozen apart: walks form among them.
close = st.tuples(st.floats(0.9, 1.3), st.floats(0.9, 1.6))
close_row = st.tuples(close, st.integers(1, 3), window, st.just("1"))


@given(rows=st.lists(close_row, min_size=2, max_size=12), teams=fleet)
def test_walk_days_keep_every_household_once_and_every_window(rows, teams) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "s"
        shutil.copytree(GOOD, folder)
        records = [
            household(f"H{i}", *grid_point(r, c), packages=n, window_start=a, window_end=b)
            for i, ((r, c), n, (a, b), _) in enumerate(rows)
        ]
        write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, records)
        lines = ["team_id,depot_id,vehicle"] + [f"T{i},D1,{v}" for i, v in enumerate(teams)]
        (folder / "teams.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        toml = folder / "tiny.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + WALK_SETTINGS, encoding="utf-8")
        scenario = load_scenario(toml)
        plan = plan_scenario(toml)
        check_every_household_once(plan, scenario)
        check_routes_feasible(plan)
        for route in plan.routes:
            for park in route.parks:
                doors = route.stops[park.first_stop - 1 : park.last_stop]
                assert sum(d.packages for d in doors) <= 4
                assert park.arrival_s <= doors[0].arrival_s
                assert doors[-1].departure_s <= park.departure_s
