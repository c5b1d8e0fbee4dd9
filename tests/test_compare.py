"""The scenario comparison: figure rows and deltas, CSV and JSON, the page, the terminal table.

Variants of the tiny plan are made with ``dataclasses.replace``: one team fewer (its doors
listed as not served for want of teams), a hostile title, a bad row without a desa code.
Expected figures are worked out by hand from the tiny plan's own KPIs.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from rich.console import Console

from optimizer.compare import (
    COMPARE_FORMAT,
    UNKNOWN_KECAMATAN,
    Comparison,
    build_comparison,
    delta_verdict,
    format_delta,
    format_value,
    kecamatan_code,
)
from optimizer.plan import Plan, Unserved
from optimizer.reasons import UnservedReason
from optimizer.render.compare import (
    CSV_NAME,
    HTML_NAME,
    JSON_NAME,
    format_comparison_table,
    write_comparison,
)
from optimizer.render.svgcharts import nice_ticks
from optimizer.render.svgmap import simplify_line

HOSTILE_TITLE = "<b>x</b> & <img src=x onerror=alert(1)>"
CHROMIUM = Path("/usr/bin/chromium")
BASE_KEYS = [
    "households_served",
    "households_unserved",
    "unserved_invalid_data",
    "unserved_no_depot",
    "unserved_too_far_from_road",
    "unserved_not_enough_teams",
    "teams_used",
    "teams_available",
    "packages_per_team",
    "total_route_h",
    "longest_route_h",
    "last_back",
    "total_distance_km",
    "total_cost",
    "depot_spread_h",
    "depot_work_spread_h",
    "route_spread_h",
    "priority_late",
]


def drop_route(plan: Plan, team_id: str, scenario: str) -> Plan:
    """The plan without one team's route: its doors are not served, for want of teams."""
    dropped = next(r for r in plan.routes if r.team_id == team_id)
    routes = tuple(r for r in plan.routes if r.team_id != team_id)
    unserved = tuple(
        Unserved(
            household_id=s.household_id,
            row=100 + s.sequence,
            code=UnservedReason.NOT_ENOUGH_TEAMS,
            reason="no team left for this door",
            desa_code=s.desa_code,
            lat=s.lat,
            lon=s.lon,
        )
        for s in dropped.stops
    )
    by_reason = dict(plan.kpis.unserved_by_reason)
    by_reason["not_enough_teams"] = len(dropped.stops)
    kpis = replace(
        plan.kpis,
        households_served=plan.kpis.households_served - len(dropped.stops),
        households_unserved=plan.kpis.households_unserved + len(dropped.stops),
        packages_delivered=sum(s.packages for r in routes for s in r.stops),
        teams_used=len(routes),
        total_route_s=sum(r.duration_s for r in routes),
        longest_route_s=max(r.duration_s for r in routes),
        total_distance_m=sum(r.distance_m for r in routes),
        total_cost=sum(r.cost for r in routes),
        route_spread_s=0,
        depot_spread_s=0,
        unserved_by_reason=by_reason,
    )
    return replace(
        plan,
        scenario=scenario,
        title=f"{plan.title}, one team fewer",
        routes=routes,
        unserved=plan.unserved + unserved,
        kpis=kpis,
    )


def add_bad_row(plan: Plan, scenario: str, title: str) -> Plan:
    """The plan with one more row that has neither a desa code nor a position."""
    bad = Unserved(
        household_id="",
        row=99,
        code=UnservedReason.INVALID_DATA,
        reason="no desa code",
        desa_code="",
        lat=None,
        lon=None,
    )
    by_reason = {**plan.kpis.unserved_by_reason, "invalid_data": 1}
    kpis = replace(
        plan.kpis,
        households_unserved=plan.kpis.households_unserved + 1,
        unserved_by_reason=by_reason,
    )
    return replace(plan, scenario=scenario, title=title, unserved=(*plan.unserved, bad), kpis=kpis)


@pytest.fixture(scope="module")
def plans(tiny_plan: Plan) -> tuple[Plan, ...]:
    """The tiny plan (baseline), the same without the motorbike team, and a hostile one."""
    return (
        tiny_plan,
        drop_route(tiny_plan, "T-MOTO", "car_only"),
        add_bad_row(tiny_plan, "hostile", HOSTILE_TITLE),
    )


@pytest.fixture(scope="module")
def comparison(plans: tuple[Plan, ...]) -> Comparison:
    """The three plans compared."""
    return build_comparison(plans)


@pytest.fixture(scope="module")
def written(
    comparison: Comparison, plans: tuple[Plan, ...], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Folder with compare.html, .csv and .json of the three plans."""
    folder = tmp_path_factory.mktemp("compare")
    write_comparison(comparison, folder, plans=plans)
    return folder


# --------------------------------------------------------------------------- figures


def test_figure_keys_and_columns(comparison: Comparison) -> None:
    assert list(comparison.figure_keys) == BASE_KEYS
    assert [s.column for s in comparison.scenarios] == ["tiny", "car_only", "hostile"]
    assert comparison.synthetic_data


def test_figures_by_hand(comparison: Comparison, tiny_plan: Plan) -> None:
    car = next(r for r in tiny_plan.routes if r.team_id == "T-CAR")
    moto = next(r for r in tiny_plan.routes if r.team_id == "T-MOTO")
    k = tiny_plan.kpis
    figure = comparison.figure
    assert figure("households_served").values == (9, 9 - 5, 9)
    assert figure("households_served").deltas == (0, -5, 0)
    assert figure("households_unserved").values == (2, 7, 3)
    assert figure("unserved_not_enough_teams").values == (0, 5, 0)
    assert figure("unserved_invalid_data").deltas == (0, 0, 1)
    assert figure("teams_used").values == (2, 1, 2)
    assert figure("teams_available").deltas == (0, 0, 0)
    assert figure("packages_per_team").values == (5.0, float(car.load), 5.0)
    assert figure("total_route_h").values == (
        round(k.total_route_s / 3600, 4),
        round(car.duration_s / 3600, 4),
        round(k.total_route_s / 3600, 4),
    )
    assert figure("last_back").values[:2] == (
        round(moto.end_s / 3600, 4),
        round(car.end_s / 3600, 4),
    )
    assert figure("total_distance_km").deltas[1] == round(
        round(car.distance_m / 1000, 4) - round(k.total_distance_m / 1000, 4), 4
    )
    assert figure("total_cost").values == (
        round(k.total_cost),
        round(car.cost),
        round(k.total_cost),
    )
    assert figure("route_spread_h").values[1] == 0
    assert figure("priority_late").values == (0, 0, 0)


def test_kecamatan_table(comparison: Comparison) -> None:
    rows = {row.name: row for row in comparison.kecamatan}
    assert list(rows) == ["Kabat", UNKNOWN_KECAMATAN]
    assert rows["Kabat"].code == "35.10.14"
    assert rows["Kabat"].served == (9, 4, 9)
    assert rows["Kabat"].unserved == (2, 7, 2)
    assert rows[UNKNOWN_KECAMATAN].served == (0, 0, 0)
    assert rows[UNKNOWN_KECAMATAN].unserved == (0, 0, 1)
    assert kecamatan_code("35.10.15.2004") == "35.10.15"
    assert kecamatan_code("") == ""


def test_route_time_distributions(comparison: Comparison, plans: tuple[Plan, ...]) -> None:
    for column, plan in zip(comparison.scenarios, plans, strict=True):
        assert column.route_duration_s == tuple(r.duration_s for r in plan.routes)
        assert column.team_ids == tuple(r.team_id for r in plan.routes)


def test_formatting_and_verdicts(comparison: Comparison) -> None:
    served = comparison.figure("households_served")
    assert format_delta(served, -5) == "-5"
    assert delta_verdict(served, -5) == "worse"
    assert delta_verdict(comparison.figure("total_route_h"), -0.1) == "better"
    assert delta_verdict(comparison.figure("teams_used"), -1) == ""
    last_back = comparison.figure("last_back")
    assert format_value(last_back, 30690 / 3600) == "08:31"
    assert format_delta(last_back, 0.75) == "+0:45"
    assert format_delta(last_back, -0.004) == "±0:00"  # 14 s: no change at minute precision
    assert delta_verdict(last_back, -0.004) == "same"
    cost = comparison.figure("total_cost")
    assert format_value(cost, 1234567) == "Rp 1,234,567"
    assert format_delta(cost, -1000) == "-Rp 1,000"
    assert format_value(comparison.figure("packages_per_team"), None) == "-"


def test_single_plan_and_duplicate_names(tiny_plan: Plan) -> None:
    alone = build_comparison([tiny_plan])
    assert alone.figure("households_served").deltas == (0,)
    twice = build_comparison([tiny_plan, tiny_plan])
    assert [s.column for s in twice.scenarios] == ["tiny", "tiny #2"]


def test_no_routes_gives_missing_values(tiny_plan: Plan) -> None:
    empty = replace(
        tiny_plan, scenario="empty", routes=(), kpis=replace(tiny_plan.kpis, teams_used=0)
    )
    comparison = build_comparison([tiny_plan, empty])
    assert comparison.figure("last_back").values[1] is None
    assert comparison.figure("last_back").deltas[1] is None
    assert comparison.figure("packages_per_team").values[1] is None


def test_errors_name_the_problem(tiny_plan: Plan, comparison: Comparison, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one plan"):
        build_comparison([])
    with pytest.raises(KeyError, match=r"no figure 'served'.*households_served"):
        comparison.figure("served")
    with pytest.raises(ValueError, match=r"plans \['tiny'\] for a comparison of \['tiny', "):
        write_comparison(comparison, tmp_path, plans=[tiny_plan])


# --------------------------------------------------------------------------- files


def read_csv(folder: Path) -> list[dict[str, str]]:
    with (folder / CSV_NAME).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_matches_the_plans(written: Path, plans: tuple[Plan, ...]) -> None:
    rows = {row["key"]: row for row in read_csv(written)}
    assert list(rows) == BASE_KEYS
    header = list(read_csv(written)[0])
    assert header == [
        "key",
        "label",
        "unit",
        "tiny",
        "car_only",
        "hostile",
        "delta car_only",
        "delta hostile",
    ]
    for plan in plans:
        k = plan.kpis.to_dict()
        column = plan.scenario
        assert int(rows["households_served"][column]) == k["households_served"]
        assert int(rows["households_unserved"][column]) == k["households_unserved"]
        for reason in ("too_far_from_road", "no_depot", "not_enough_teams", "invalid_data"):
            count = k["unserved_by_reason"].get(reason, 0)
            assert int(rows[f"unserved_{reason}"][column]) == count
        assert int(rows["teams_used"][column]) == k["teams_used"]
        assert int(rows["teams_available"][column]) == k["teams_available"]
        assert round(float(rows["total_route_h"][column]) * 3600) == k["total_route_s"]
        assert round(float(rows["longest_route_h"][column]) * 3600) == k["longest_route_s"]
        assert round(float(rows["depot_spread_h"][column]) * 3600) == k["depot_spread_s"]
        work_spread = round(float(rows["depot_work_spread_h"][column]) * 3600)
        assert work_spread == k["depot_work_spread_s"]
        assert round(float(rows["route_spread_h"][column]) * 3600) == k["route_spread_s"]
        assert round(float(rows["total_distance_km"][column]) * 1000, 1) == k["total_distance_m"]
        assert int(rows["total_cost"][column]) == k["total_cost"]
        assert round(float(rows["last_back"][column]) * 3600) == max(r.end_s for r in plan.routes)
    assert rows["households_served"]["delta car_only"] == "-5"
    assert rows["unserved_invalid_data"]["delta hostile"] == "1"


def test_json_matches_the_plans(written: Path, plans: tuple[Plan, ...]) -> None:
    document = json.loads((written / JSON_NAME).read_text(encoding="utf-8"))
    assert document["format"] == COMPARE_FORMAT
    assert document["baseline"] == "tiny"
    assert [s["title"] for s in document["scenarios"]][2] == HOSTILE_TITLE
    figures = {f["key"]: f for f in document["figures"]}
    assert [p.kpis.households_served for p in plans] == figures["households_served"]["values"]
    assert figures["households_served"]["deltas"] == [0, -5, 0]
    assert figures["total_cost"]["values"] == [p.kpis.to_dict()["total_cost"] for p in plans]
    assert [round(v * 3600) for v in figures["total_route_h"]["values"]] == [
        p.kpis.total_route_s for p in plans
    ]
    assert figures["teams_used"]["better"] is None
    assert figures["households_served"]["better"] == "higher"
    assert document["kecamatan"][0] == {
        "code": "35.10.14",
        "name": "Kabat",
        "served": [9, 4, 9],
        "unserved": [2, 7, 2],
    }
    assert document["route_times"][1] == {
        "scenario": "car_only",
        "team_ids": ["T-CAR"],
        "duration_s": [plans[1].routes[0].duration_s],
    }


def test_html_escapes_user_text(written: Path) -> None:
    page = (written / HTML_NAME).read_text(encoding="utf-8")
    assert HOSTILE_TITLE not in page
    assert "<img" not in page
    assert html.escape(HOSTILE_TITLE, quote=True) in page
    assert "<script" not in page  # nothing to run, nothing to load
    assert not re.search(r"(src|href)=\"?https?:", page)


def test_html_content(written: Path) -> None:
    page = (written / HTML_NAME).read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in page
    assert page.count('class="map"') == 3
    assert page.count('class="chart"') == 7  # six figures and the route times
    assert 'data-key="unserved_not_enough_teams"' in page
    assert '<span class="d worse"' in page
    assert "Team T-MOTO" in page


def test_bytes_are_deterministic(plans: tuple[Plan, ...], written: Path, tmp_path: Path) -> None:
    again = build_comparison(list(plans))
    files = write_comparison(again, tmp_path, plans=plans)
    assert [f.name for f in files] == [HTML_NAME, CSV_NAME, JSON_NAME]
    for file in files:
        assert file.read_bytes() == (written / file.name).read_bytes()


def test_no_banner_for_real_data(tiny_plan: Plan, tmp_path: Path) -> None:
    real = replace(tiny_plan, synthetic_data=False, data_notice="")
    write_comparison(build_comparison([real]), tmp_path, plans=[real])
    assert "SYNTHETIC" not in (tmp_path / HTML_NAME).read_text(encoding="utf-8")


def test_terminal_table(comparison: Comparison) -> None:
    console = Console(record=True, width=200, color_system=None)
    console.print(format_comparison_table(comparison))
    text = console.export_text()
    assert "tiny (baseline)" in text
    assert HOSTILE_TITLE not in text  # titles are not in the table; names are
    served = next(line for line in text.splitlines() if "Households served" in line)
    assert re.search(r"9 .*4 \(-5\).*9 \(±0\)", served)


# --------------------------------------------------------------------------- drawing helpers


def test_simplify_line_drops_points_on_the_line() -> None:
    line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert simplify_line(line, 0.5) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert simplify_line(line[:2], 0.5) == line[:2]


def test_nice_ticks() -> None:
    assert nice_ticks(1047, count=4) == [0, 500, 1000, 1500]
    assert nice_ticks(5.95, count=8) == [0, 1, 2, 3, 4, 5, 6]
    assert nice_ticks(0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium, or a skip when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.browser
def test_page_in_a_browser(
    browser: Any, written: Path, comparison: Comparison, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []
    errors: list[str] = []

    def refuse(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((written / HTML_NAME).resolve().as_uri(), wait_until="load")
        body = page.inner_text("body")
        served = comparison.figure("households_served")
        for index, scenario in enumerate(comparison.scenarios):
            assert scenario.column in body
            row = page.locator('tr[data-key="households_served"] td').nth(2 + index)
            assert row.inner_text().startswith(format_value(served, served.values[index]))
        assert HOSTILE_TITLE in body  # shown as text, not run as markup
        assert page.locator("svg.chart").count() == 7
        assert page.locator("svg.map").count() == 3
        assert page.locator("svg.map polyline").count() == 2 + 1 + 2
        assert page.locator("svg.map .unserved circle").count() == 2 + 7 + 2
        shot = tmp_path / "compare.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
    assert blocked == []
    assert errors == []
    pixels = np.asarray(Image.open(io.BytesIO(shot.read_bytes())).convert("RGB"), dtype=np.int16)
    assert pixels.shape[0] > 1500  # the whole document, not a blank first screen
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
    red = (pixels[..., 0] > 170) & (pixels[..., 1] < 70) & (pixels[..., 2] < 70)
    banner = (pixels[..., 0] > 245) & (pixels[..., 2] > 150) & (pixels[..., 2] < 200)
    assert red.sum() > 50  # unserved dots and worse deltas
    assert banner.sum() > 5000  # the synthetic-data banner


def test_compare_cli_plans_each_scenario_and_writes_the_report(tmp_path: Path) -> None:
    import csv
    import json
    import shutil

    from conftest import GOOD
    from typer.testing import CliRunner

    from optimizer.cli import app

    folder = tmp_path / "s"
    shutil.copytree(GOOD, folder)
    (folder / "car_only.toml").write_text(
        'extends = "tiny.toml"\n[scenario]\nname = "tiny-car-only"\n[teams]\nvehicle = "car"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["compare", str(folder / "tiny.toml"), str(folder / "car_only.toml"), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "tiny-car-only" in result.stdout
    for name in ("tiny", "tiny-car-only"):
        assert (out / name / "plan.json").is_file()
        assert (out / name / "plan-full.json.gz").is_file()
    with (out / "compare.csv").open(encoding="utf-8") as handle:
        rows = {row["key"]: row for row in csv.DictReader(handle)}
    for name in ("tiny", "tiny-car-only"):
        kpis = json.loads((out / name / "plan.json").read_text(encoding="utf-8"))["kpis"]
        assert float(rows["households_served"][name]) == kpis["households_served"]
    car_only = json.loads((out / "tiny-car-only" / "plan.json").read_text(encoding="utf-8"))
    assert {route["vehicle"] for route in car_only["routes"]} == {"car"}
