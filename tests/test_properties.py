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
