"""berbagi check's data-quality report: figures per desa, needs_location.csv, the page."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from optimizer.api import write_check_report
from optimizer.scenario import load_scenario
from optimizer.scenario.quality import build_quality_report

HOSTILE = "<b>x</b> & <img src=x onerror=alert(1)>"


def _edit_households(scenario_dir: Path) -> Path:
    """The tiny register with RT/RW, two rows without coordinates, a bad one and a hostile id."""
    path = scenario_dir / "households.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for index, row in enumerate(rows):
        row.update(dusun="Krajan", rt="1", rw="1")
        if index == 3:  # placed among its RT 001/RW 001 neighbours
            row.update(lat="", lon="")
        if index == 5:  # nobody of dusun Tengah is located
            row.update(lat="", lon="", dusun="Tengah", head_name="Bu Sri")
        if index == 6:
            row.update(lat="abc", household_id=HOSTILE)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return scenario_dir / "tiny.toml"


def test_figures_per_desa_account_for_every_row(scenario_dir: Path) -> None:
    scenario = load_scenario(_edit_households(scenario_dir))
    report = build_quality_report(scenario)
    assert sum(d.rows for d in report.desa) == scenario.households_total == 11
    dadapan = next(d for d in report.desa if d.desa_code == "35.10.14.2010")
    assert (dadapan.rows, dadapan.valid, dadapan.approximate) == (10, 8, 1)
    assert dict(dadapan.rejected) == {"invalid_data": 1, "no_location": 1}
    assert [p.row for p in dadapan.problems] == [6, 7]
    assert any("no_location" in fix and "record its position" in fix for fix in dadapan.fixes)
    needs = [(n.household_id, n.status) for n in report.needs_location]
    assert needs == [("HH-03", "approximate (RT 001/RW 001)"), ("HH-05", "no_location")]


def test_files_written_and_needs_location_lists_the_field_visits(
    scenario_dir: Path, tmp_path: Path
) -> None:
    scenario = load_scenario(_edit_households(scenario_dir))
    written = write_check_report(scenario, tmp_path / "report")
    assert [p.name for p in written] == ["quality.html", "quality.csv", "needs_location.csv"]
    with (tmp_path / "report" / "needs_location.csv").open(encoding="utf-8") as handle:
        needs = list(csv.DictReader(handle))
    assert [(n["household_id"], n["rt"], n["rw"], n["status"]) for n in needs] == [
        ("HH-03", "001", "001", "approximate (RT 001/RW 001)"),
        ("HH-05", "001", "001", "no_location"),
    ]
    assert needs[1]["head_name"] == "Bu Sri"
    assert needs[1]["approx_lat"] == ""
    with (tmp_path / "report" / "quality.csv").open(encoding="utf-8") as handle:
        quality = {r["desa_code"]: r for r in csv.DictReader(handle)}
    assert quality["35.10.14.2010"]["approximate"] == "1"
    assert quality["35.10.14.2010"]["no_location"] == "1"
    assert quality["35.10.14.2010"]["data_notice"] == "SYNTHETIC DEMO DATA"
    only = write_check_report(scenario, tmp_path / "short", full=False)
    assert [p.name for p in only] == ["needs_location.csv"]


def test_page_escapes_what_the_register_says(scenario_dir: Path, tmp_path: Path) -> None:
    scenario = load_scenario(_edit_households(scenario_dir))
    write_check_report(scenario, tmp_path)
    page = (tmp_path / "quality.html").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.browser
def test_page_in_a_browser_shows_the_banner_and_the_hostile_id_as_text(
    scenario_dir: Path, tmp_path: Path
) -> None:
    browser_tests = pytest.importorskip("test_render_browser")
    if not browser_tests.CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    scenario = load_scenario(_edit_households(scenario_dir))
    (page, *_) = write_check_report(scenario, tmp_path / "report")
    with browser_tests.sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(browser_tests.CHROMIUM), args=["--no-sandbox"]
        )
        try:
            with browser_tests.open_page(chromium, page) as opened:
                image = opened.screenshot()
                cells: Any = opened.page.locator("td").all_inner_texts()
                images = opened.page.locator("img").count()
                assert opened.blocked == []
                assert opened.errors == []
        finally:
            chromium.close()
    banner = browser_tests.count(
        image, lambda r, g, b: (r > 150) & (g < 40) & (b < 60), (0, 20, image.width, 60)
    )
    assert banner > image.width * 10, "no synthetic-data banner at the top"
    assert images == 0
    assert HOSTILE in cells
