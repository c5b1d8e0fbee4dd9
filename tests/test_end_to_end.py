"""Scenario file -> Plan -> files, through the API and the command line."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import BAD, GOOD
from typer.testing import CliRunner

from optimizer.api import plan_scenario, write_outputs
from optimizer.cli import app
from optimizer.plan import Plan

runner = CliRunner()


def test_outputs_and_plan_json_contract(tiny_plan: Plan, tmp_path: Path) -> None:
    written = write_outputs(tiny_plan, tmp_path)
    assert sorted(p.name for p in written) == [
        "fairness.csv",
        "map.html",
        "plan.json",
        "routes.csv",
        "unserved.csv",
    ]
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    for key in ("scenario", "synthetic_data", "households_total", "routes", "unserved", "kpis"):
        assert key in data
    assert data["scenario"] == "tiny"
    assert data["synthetic_data"] is True
    assert data["households_total"] == 11
    seen: list[str] = []
    for route in data["routes"]:
        assert set(route) >= {
            "team_id",
            "vehicle",
            "depot_id",
            "stops",
            "distance_m",
            "duration_s",
            "load",
        }
        assert route["load"] == sum(s["packages"] for s in route["stops"])
        for stop in route["stops"]:
            assert set(stop) >= {"household_id", "arrival", "packages"}
            assert len(stop["arrival"]) == 5
            assert stop["arrival"][2] == ":"
            seen.append(stop["household_id"])
    for item in data["unserved"]:
        assert set(item) >= {"household_id", "reason"}
        assert item["reason"]
        seen.append(item["household_id"])
    assert len(seen) == len(set(seen)) == data["households_total"]
    # No personal data in plan.json.
    text = (tmp_path / "plan.json").read_text(encoding="utf-8")
    assert "Kepala" not in text
    assert "RT 001" not in text

    with (tmp_path / "routes.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    doors = [r for r in rows if r["event"] == "door"]
    assert len(doors) == data["kpis"]["households_served"]
    assert {r["event"] for r in rows} <= {"door", "reload", "break"}
    assert {r["data_notice"] for r in rows} == {"SYNTHETIC DEMO DATA"}
    assert doors[0]["head_name"].startswith("Kepala")
    with (tmp_path / "unserved.csv").open(encoding="utf-8") as handle:
        unserved = list(csv.DictReader(handle))
    assert [u["household_id"] for u in unserved] == ["HH-FAR", "HH-NODEPOT"]
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    for route in data["routes"]:
        assert route["team_id"] in html


def test_same_seed_gives_byte_identical_plan_json(tmp_path: Path) -> None:
    first = write_outputs(plan_scenario(GOOD / "tiny.toml"), tmp_path / "a")
    second = write_outputs(plan_scenario(GOOD / "tiny.toml"), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        if a.name != "map.html":  # Folium gives its elements random ids
            assert a.read_bytes() == b.read_bytes(), a.name


def test_plans_compare_equal_without_stats(tiny_plan: Plan) -> None:
    again = plan_scenario(GOOD / "tiny.toml")
    assert again == tiny_plan
    assert again.stats is not None
    assert set(again.stats.stage_seconds) >= {"load inputs", "matrices", "solve"}


def test_cli_plan_writes_outputs(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["plan", str(GOOD / "tiny.toml"), "--out", str(tmp_path), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "9 of 11 households served" in result.stdout
    assert (tmp_path / "plan.json").is_file()
    for name in ("plan-full.json.gz", "streets.npz", "teams/T-CAR.pdf", "teams/T-CAR.html"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "desa" / "35.10.14.2010.pdf").is_file()
    text = " ".join(result.stdout.split())
    assert f"{tmp_path}/teams/*.pdf (2)" in text
    again = runner.invoke(app, ["sheets", str(tmp_path), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert "Wrote 3 PDF(s) and 2 phone page(s)" in " ".join(again.stdout.split())
    assert (tmp_path / "again" / "teams" / "T-MOTO.pdf").is_file()


def test_cli_sheets_without_a_plan_archive_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sheets", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "berbagi plan" in " ".join(result.output.split())


def test_cli_bad_scenario_exit_2_without_traceback(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "s")
    path = tmp_path / "s" / "tiny.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("door_min = 1", "door_min = -1"), encoding="utf-8"
    )
    result = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2
    assert "service.door_min" in result.output
    assert "greater than 0" in result.output
    assert "Traceback" not in result.output


def test_cli_strict_mode_refuses_bad_rows(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "s")
    shutil.copy(BAD / "swapped_coordinates.csv", tmp_path / "s" / "households.csv")
    result = runner.invoke(
        app,
        [
            "plan",
            str(tmp_path / "s" / "tiny.toml"),
            "--strict",
            "--out",
            str(tmp_path / "o"),
            "--quiet",
        ],
    )
    assert result.exit_code == 2
    assert "row 2, field 'lat/lon'" in result.output
    lenient = runner.invoke(
        app, ["plan", str(tmp_path / "s" / "tiny.toml"), "--out", str(tmp_path / "o"), "--quiet"]
    )
    assert lenient.exit_code == 0, lenient.output
    assert "1 invalid_data" in lenient.stdout


def test_cli_missing_network_exit_3(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "s")
    (tmp_path / "s" / "tiny_network.npz").write_bytes(b"broken")
    result = runner.invoke(
        app, ["plan", str(tmp_path / "s" / "tiny.toml"), "--quiet", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 3
    assert "cannot read the road network" in result.output


def test_cli_override_out_of_range(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["plan", str(GOOD / "tiny.toml"), "--time-limit", "-5", "--quiet", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "time_limit_s" in result.output


def test_cli_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", str(GOOD / "tiny.toml")])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "11 households to plan (0 at an approximate position), 0 row(s) that cannot be" in text
    assert "planned, 1 outside the filter" in text
    assert "households (households.csv; utf-8, separator ','): household_id," in text
    assert (tmp_path / "out" / "tiny" / "needs_location.csv").is_file()


@pytest.mark.parametrize("name", ["banyuwangi.toml", "glagah.toml", "glagah_friday.toml"])
def test_bundled_scenarios_validate(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenarios = Path(__file__).parents[1] / "scenarios"
    result = runner.invoke(app, ["check", str(scenarios / name), "--report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {
        "quality.html",
        "quality.csv",
        "needs_location.csv",
    }
