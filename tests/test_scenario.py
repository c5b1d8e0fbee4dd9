from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import BAD, GOOD

from optimizer.errors import ScenarioError
from optimizer.scenario import Scenario, load_scenario


def test_tiny_scenario_loads(tiny_scenario: Scenario) -> None:
    s = tiny_scenario
    assert s.name == "tiny"
    # 12 data rows: 11 desil-1 (all valid) and one desil-2 row outside the filter.
    assert len(s.households) == 11
    assert s.rejected == ()
    assert s.excluded_by_filter == 1
    assert s.households_total == 11
    assert [t.team_id for t in s.teams] == ["T-CAR", "T-MOTO"]
    assert s.shift_start_s == 8 * 3600
    assert s.shift_end_s == 15 * 3600
    assert s.synthetic_inputs
    window = next(h for h in s.households if h.household_id == "HH-04")
    assert (window.window_start_s, window.window_end_s) == (8 * 3600 + 1800, 9 * 3600)
    # Official names win over what the row says.
    nodepot = next(h for h in s.households if h.household_id == "HH-NODEPOT")
    assert nodepot.desa_name == "Pendarungan"
    assert s.config.graph.profiles["car"].speed_kph["residential"] == 36
    assert s.config.graph.profiles["car"].speed_kph["primary"] == 45  # default kept


def _with_households(scenario_dir: Path, bad_file: str) -> Path:
    shutil.copy(BAD / bad_file, scenario_dir / "households.csv")
    return scenario_dir / "tiny.toml"


@pytest.mark.parametrize(
    ("bad_file", "field", "message"),
    [
        ("missing_coordinates.csv", "lat/lon", r"no coordinates, and no dusun or RT/RW"),
        ("swapped_coordinates.csv", "lat/lon", r"look swapped.*swap the two columns"),
        ("outside_regency.csv", "lat/lon", r"outside Kabupaten Banyuwangi"),
        ("non_numeric_desil.csv", "desil", r"desil 'satu' is not a whole number from 1 to 10"),
        ("non_numeric_packages.csv", "packages", r"packages 'dua' is not a whole number"),
        ("unknown_desa.csv", "desa_code", r"unknown desa code '35\.10\.99\.9999'"),
        ("window_reversed.csv", "window_end", r"ends before it starts; swap them"),
    ],
)
def test_bad_row_becomes_rejected_with_reason(
    scenario_dir: Path, bad_file: str, field: str, message: str
) -> None:
    scenario = load_scenario(_with_households(scenario_dir, bad_file))
    assert len(scenario.households) == 2
    (rejected,) = scenario.rejected
    assert rejected.row == 2
    assert rejected.household_id == "HH-1"
    assert rejected.field == field
    assert re.search(message, rejected.reason), rejected.reason


@pytest.mark.parametrize(
    ("bad_file", "pattern"),
    [
        ("missing_coordinates.csv", r"households\.csv row 2, field 'lat/lon': no coordinates"),
        ("non_numeric_packages.csv", r"row 2, field 'packages': packages 'dua'"),
    ],
)
def test_strict_mode_raises_with_row_and_field(
    scenario_dir: Path, bad_file: str, pattern: str
) -> None:
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(_with_households(scenario_dir, bad_file), strict=True)


def test_duplicate_ids_hold_back_every_copy(scenario_dir: Path) -> None:
    scenario = load_scenario(_with_households(scenario_dir, "duplicate_ids.csv"))
    assert [h.household_id for h in scenario.households] == ["HH-1", "HH-2"]
    assert [(r.row, r.household_id) for r in scenario.rejected] == [(1, "HH-0"), (4, "HH-0")]
    assert "also appears on row(s) 4" in scenario.rejected[0].reason
    assert "also appears on row(s) 1" in scenario.rejected[1].reason


def test_missing_column_is_a_file_error(scenario_dir: Path) -> None:
    with pytest.raises(ScenarioError, match=r"missing column\(s\) desil; the header has"):
        load_scenario(_with_households(scenario_dir, "missing_column.csv"))


def _edit_toml(scenario_dir: Path, old: str, new: str) -> Path:
    path = scenario_dir / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_unknown_key_lists_valid_keys(scenario_dir: Path) -> None:
    path = _edit_toml(scenario_dir, "door_min = 1", "door_min = 1\ndoor_minutes = 3")
    with pytest.raises(ScenarioError, match=r"field 'service\.door_minutes'.*valid keys: door_min"):
        load_scenario(path)


def test_negative_capacity_is_reported(scenario_dir: Path) -> None:
    path = _edit_toml(scenario_dir, "[solver]", "[vehicles.car]\ncapacity = -5\n\n[solver]")
    with pytest.raises(ScenarioError, match=r"vehicles\.car\.capacity.*greater than 0.*-5"):
        load_scenario(path)


def test_missing_file_and_bad_profile_reported_together(scenario_dir: Path) -> None:
    path = _edit_toml(scenario_dir, 'teams = "teams.csv"', 'teams = "nope.csv"')
    path = _edit_toml(scenario_dir, "[solver]", '[vehicles.car]\nprofile = "tank"\n\n[solver]')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "2 problem(s)" in text
    assert "inputs.teams" in text
    assert "nope.csv does not exist" in text
    assert "unknown profile 'tank'; valid: car, foot, motorbike, pickup" in text


def test_scenario_file_not_found() -> None:
    with pytest.raises(ScenarioError, match=r"scenario file not found"):
        load_scenario(GOOD / "missing.toml")


def test_bad_toml_syntax(scenario_dir: Path) -> None:
    path = _edit_toml(scenario_dir, "[solver]", "[solver\n")
    with pytest.raises(ScenarioError, match=r"not valid TOML"):
        load_scenario(path)


def test_team_problems_listed_in_one_error(scenario_dir: Path) -> None:
    (scenario_dir / "teams.csv").write_text(
        "team_id,depot_id,vehicle,members\nT1,D1,bicycle,2\nT1,DX,car,zero\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_dir / "tiny.toml")
    text = str(info.value)
    assert (
        "teams.csv row 1, field 'vehicle': unknown vehicle 'bicycle'; valid: car, motorbike, pickup"
        in text
    )
    assert "teams.csv row 2, field 'team_id': 'T1' repeats row 1" in text
    assert "teams.csv row 2, field 'depot_id': unknown depot 'DX'" in text
    assert "teams.csv row 2, field 'members': 'zero' is not a whole number" in text


def test_depot_outside_regency_is_an_error(scenario_dir: Path) -> None:
    (scenario_dir / "depots.csv").write_text(
        "depot_id,desa_code,lat,lon\nD1,35.10.14.2010,-8.30,114.70\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"depots\.csv row 1, field 'lat/lon'.*outside"):
        load_scenario(scenario_dir / "tiny.toml")


def test_kecamatan_filter_excludes_other_areas(scenario_dir: Path) -> None:
    path = _edit_toml(scenario_dir, "[service]", '[filter]\nkecamatan = ["Glagah"]\n\n[service]')
    scenario = load_scenario(path)
    assert scenario.households == ()
    assert scenario.excluded_by_filter == 12
    assert scenario.depots == ()
