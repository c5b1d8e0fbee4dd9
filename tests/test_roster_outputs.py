"""Roster outputs: roster.csv, the unit pages, and team members named on sheets and phone pages."""

from __future__ import annotations

import csv
import html
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import GOOD

from optimizer.geometry import build_streets
from optimizer.plan import Churn, Duty, Plan
from optimizer.render.churn import CHURN_COLUMNS, write_churn
from optimizer.render.pdf import write_team_sheets
from optimizer.render.phone import render_phone_page
from optimizer.render.roster import (
    ROSTER_COLUMNS,
    crew_line,
    render_unit_page,
    unit_slugs,
    write_roster_outputs,
)
from optimizer.roadgraph import load_road_graph
from optimizer.staffing import ReserveNote

HOSTILE = "<script>alert(1)</script>"
HEADER = (
    "asn_id,name,unit,status,role,team_id,depot_id,depot_name,desa_code,desa,kecamatan,"
    "meeting_time,reason"
)
DEPOT = {
    "depot_id": "D1",
    "depot_name": "Kantor Desa Dadapan",
    "desa_code": "35.10.14.2010",
    "desa_name": "Dadapan",
    "kecamatan": "Kabat",
}
RESERVE_REASON = "Not needed this month: every depot has the teams it needs."
SHORT_NOTE = ReserveNote(why="cannot_complete", depots=("D-7", "D-9"), more=2)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext) to read the PDFs"
)


def _duties() -> tuple[Duty, ...]:
    """Seven people of two units, in roster order.

    Dinas Sosial: Budi drives T-CAR (meets 07:45), the hostile name rides with him (07:45),
    Citra is a reserve for Kabat, Dodi is unavailable. Kecamatan Kabat: Eka is unavailable,
    Agus rides T-CAR meeting earlier (07:30), Fajar is a reserve.
    """
    return (
        Duty(
            asn_id="101",
            name="Budi Santoso",
            unit="Dinas Sosial",
            status="ASN",
            role="driver",
            team_id="T-CAR",
            meet_s=7 * 3600 + 45 * 60,
            **DEPOT,
        ),
        Duty(
            asn_id="102",
            name=HOSTILE,
            unit="Dinas Sosial",
            status="PPPK",
            role="member",
            team_id="T-CAR",
            meet_s=7 * 3600 + 45 * 60,
            **DEPOT,
        ),
        Duty(
            asn_id="103",
            name="Citra Lestari",
            unit="Dinas Sosial",
            status="ASN",
            role="reserve",
            kecamatan="Kabat",
            reason=RESERVE_REASON,
            note=ReserveNote(why="all_met"),
        ),
        Duty(
            asn_id="104",
            name="Dodi Prasetyo",
            unit="Dinas Sosial",
            status="ASN",
            role="unavailable",
            reason="marked unavailable in the roster",
        ),
        Duty(
            asn_id="105",
            name="Eka Wulandari",
            unit="Kecamatan Kabat",
            status="ASN",
            role="unavailable",
            reason="marked unavailable in the roster",
        ),
        Duty(
            asn_id="106",
            name="Agus Salim",
            unit="Kecamatan Kabat",
            status="PPPK",
            role="member",
            team_id="T-CAR",
            meet_s=7 * 3600 + 30 * 60,
            **DEPOT,
        ),
        Duty(
            asn_id="107",
            name="Fajar Nugroho",
            unit="Kecamatan Kabat",
            status="ASN",
            role="reserve",
            kecamatan="Kabat",
            reason=SHORT_NOTE.sentence(),
            note=SHORT_NOTE,
        ),
    )


@pytest.fixture(scope="module")
def roster_plan(tiny_plan: Plan) -> Plan:
    """The tiny plan as if formed from a roster: T-CAR has a crew, T-MOTO (teams file) none."""
    car, *others = tiny_plan.routes
    return replace(
        tiny_plan, duties=_duties(), routes=(replace(car, crew=("101", "102", "106")), *others)
    )


def _english(plan: Plan) -> Plan:
    return replace(plan, render=plan.render.model_copy(update={"language": "en"}))


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "roster.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_plan_without_duties_writes_nothing(tiny_plan: Plan, tmp_path: Path) -> None:
    assert write_roster_outputs(tiny_plan, tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_roster_csv_lists_the_available_people_in_roster_order(
    roster_plan: Plan, tmp_path: Path
) -> None:
    written = write_roster_outputs(roster_plan, tmp_path)
    assert written[0] == tmp_path / "roster.csv"
    assert (tmp_path / "roster.csv").read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert ",".join(ROSTER_COLUMNS) == HEADER
    rows = _rows(tmp_path)
    assert [r["asn_id"] for r in rows] == ["101", "102", "103", "106", "107"]
    assert [r["role"] for r in rows] == ["driver", "member", "reserve", "member", "reserve"]
    driver = rows[0]
    assert driver["team_id"] == "T-CAR"
    assert driver["meeting_time"] == "07:45"
    assert (driver["depot_id"], driver["depot_name"]) == ("D1", "Kantor Desa Dadapan")
    assert (driver["desa_code"], driver["desa"], driver["kecamatan"]) == (
        "35.10.14.2010",
        "Dadapan",
        "Kabat",
    )
    assert rows[1]["name"] == HOSTILE
    assert rows[1]["status"] == "PPPK"
    assert rows[3]["meeting_time"] == "07:30"


def test_reserve_rows_stand_by_for_their_kecamatan(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(roster_plan, tmp_path)
    reserve = _rows(tmp_path)[2]
    assert reserve["team_id"] == "reserve"
    for column in ("depot_id", "depot_name", "desa_code", "desa", "meeting_time"):
        assert reserve[column] == ""
    assert reserve["kecamatan"] == "Kabat"
    assert reserve["reason"] == RESERVE_REASON


def test_one_page_per_unit_and_an_index(roster_plan: Plan, tmp_path: Path) -> None:
    written = write_roster_outputs(roster_plan, tmp_path)
    units = tmp_path / "units"
    assert written[1:] == [
        units / "dinas-sosial.html",
        units / "kecamatan-kabat.html",
        units / "index.html",
    ]
    assert sorted(p.name for p in units.iterdir()) == [
        "dinas-sosial.html",
        "index.html",
        "kecamatan-kabat.html",
    ]
    index = (units / "index.html").read_text(encoding="utf-8")
    assert 'href="dinas-sosial.html"' in index
    assert 'href="kecamatan-kabat.html"' in index
    # Dinas Sosial: 4 people, 2 assigned, 1 reserve, 1 unavailable.
    assert re.search(r"Dinas Sosial</a></td>(<td class=\"num\">\d+</td>){4}", index)
    assert '<td class="num">4</td><td class="num">2</td><td class="num">1</td>' in index


def test_unit_slugs_are_ascii_distinct_and_never_the_index() -> None:
    slugs = unit_slugs(
        [
            "Dinas Pekerjaan Umum & Penataan Ruang",
            "Dinas pekerjaan umum / penataan ruang",
            "Index",
            "Kantor Kécamatan",
            "",
            "###",
            "Index",
        ]
    )
    assert list(slugs.values()) == [
        "dinas-pekerjaan-umum-penataan-ruang",
        "dinas-pekerjaan-umum-penataan-ruang-2",
        "index-2",
        "kantor-kecamatan",
        "unit",
        "unit-2",
    ]


def test_unit_page_lists_everyone_by_meeting_time_unavailable_last(roster_plan: Plan) -> None:
    people = [d for d in roster_plan.duties if d.unit == "Dinas Sosial"]
    page = render_unit_page(roster_plan, "Dinas Sosial", people)
    names = re.findall(r"<tr(?: class=\"off\")?><td>([^<]*)</td>", page)
    # Both meet at 07:45, so by name ("<" sorts before letters); no time next, unavailable last.
    assert names == [html.escape(HOSTILE), "Budi Santoso", "Citra Lestari", "Dodi Prasetyo"]
    kabat = [d for d in roster_plan.duties if d.unit == "Kecamatan Kabat"]
    page_kabat = render_unit_page(roster_plan, "Kecamatan Kabat", kabat)
    names = re.findall(r"<tr(?: class=\"off\")?><td>([^<]*)</td>", page_kabat)
    assert names == ["Agus Salim", "Fajar Nugroho", "Eka Wulandari"]
    assert "Bertugas: <b>2</b>" in page
    assert "Cadangan: <b>1</b>" in page
    assert "Tidak tersedia: <b>1</b>" in page
    assert "Kantor Desa Dadapan, Dadapan, Kec. Kabat" in page
    assert "Siaga untuk Kec. Kabat" in page
    assert "<td>07:45</td>" in page
    assert "Ditandai tidak tersedia di daftar pegawai." in page


def test_names_are_escaped(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(roster_plan, tmp_path)
    page = (tmp_path / "units" / "dinas-sosial.html").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    phone = render_phone_page(roster_plan, 0, None)
    assert HOSTILE not in phone
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in phone


def test_pages_are_self_contained(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(roster_plan, tmp_path)
    for path in (tmp_path / "units").iterdir():
        page = path.read_text(encoding="utf-8")
        assert not re.search(r"https?:|<link\b|<script\b|@import|url\(|\bsrc\s*=", page)
        assert "size:A4" in page


def test_pages_are_indonesian_by_default(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(roster_plan, tmp_path)
    page = (tmp_path / "units" / "dinas-sosial.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in page
    assert "<title>Penugasan pegawai: Dinas Sosial</title>" in page
    for word in ("Nama", "Tugas", "Titik kumpul", "Jam kumpul", "Keterangan", "Pengemudi"):
        assert f">{word}<" in page
    assert ">Anggota tim<" in page
    assert roster_plan.title in page


def test_notes_are_worded_in_the_page_language(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(roster_plan, tmp_path / "id")
    sosial = (tmp_path / "id" / "units" / "dinas-sosial.html").read_text(encoding="utf-8")
    kabat = (tmp_path / "id" / "units" / "kecamatan-kabat.html").read_text(encoding="utf-8")
    assert "Tidak diperlukan bulan ini" in sosial
    assert "Ditandai tidak tersedia" in sosial
    assert "D-7, D-9 dan 2 lainnya yang terjangkau masih kurang tim" in kabat
    assert "Not needed" not in sosial + kabat
    assert "marked unavailable" not in sosial + kabat
    write_roster_outputs(_english(roster_plan), tmp_path / "en")
    kabat = (tmp_path / "en" / "units" / "kecamatan-kabat.html").read_text(encoding="utf-8")
    assert SHORT_NOTE.sentence() in kabat
    assert "D-7, D-9 and 2 more within reach still miss teams" in kabat
    assert "Marked unavailable in the roster." in kabat


def test_pages_are_english_with_language_en(roster_plan: Plan, tmp_path: Path) -> None:
    write_roster_outputs(_english(roster_plan), tmp_path)
    page = (tmp_path / "units" / "dinas-sosial.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert "<title>Staff duties: Dinas Sosial</title>" in page
    for word in ("Name", "Duty", "Meeting point", "Meeting time", "Notes", "Driver", "Reserve"):
        assert f">{word}<" in page
    assert ">Not available<" in page
    assert "Assigned: <b>2</b>" in page
    assert "Pengemudi" not in page
    index = (tmp_path / "units" / "index.html").read_text(encoding="utf-8")
    assert "Staff duties by unit" in index


def test_synthetic_data_is_labelled_on_every_page(roster_plan: Plan, tmp_path: Path) -> None:
    assert roster_plan.synthetic_data
    write_roster_outputs(roster_plan, tmp_path / "synthetic")
    for path in (tmp_path / "synthetic" / "units").iterdir():
        page = path.read_text(encoding="utf-8")
        assert 'class="banner"' in page
        assert "DATA DEMO SINTETIS" in page
        assert "dibuat untuk demonstrasi, bukan data sebenarnya" in page
    write_roster_outputs(_english(roster_plan), tmp_path / "english")
    for path in (tmp_path / "english" / "units").iterdir():
        assert html.escape(roster_plan.data_notice) in path.read_text(encoding="utf-8")
    real = replace(roster_plan, synthetic_data=False)
    write_roster_outputs(real, tmp_path / "real")
    for path in (tmp_path / "real" / "units").iterdir():
        assert 'class="banner"' not in path.read_text(encoding="utf-8")


def test_crew_line_names_the_driver_first(roster_plan: Plan) -> None:
    car, moto = roster_plan.routes
    assert (
        crew_line(roster_plan, car) == f"Anggota: Budi Santoso (pengemudi), {HOSTILE}, Agus Salim"
    )
    english = _english(roster_plan)
    assert crew_line(english, car) == f"Members: Budi Santoso (driver), {HOSTILE}, Agus Salim"
    assert crew_line(roster_plan, moto) == ""


def test_phone_page_names_the_crew_only_when_there_is_one(
    roster_plan: Plan, tiny_plan: Plan
) -> None:
    page = render_phone_page(roster_plan, 0, None)
    assert "Anggota: Budi Santoso (pengemudi), " in page
    assert "Agus Salim" in page
    moto = render_phone_page(roster_plan, 1, None)
    assert "Anggota:" not in moto
    assert "Budi Santoso" not in moto
    # A team without crew renders exactly as before.
    assert moto == render_phone_page(tiny_plan, 1, None)
    english = render_phone_page(_english(roster_plan), 0, None)
    assert "Members: Budi Santoso (driver), " in english


@needs_poppler
def test_team_pdf_names_the_crew_only_when_there_is_one(
    roster_plan: Plan, tiny_plan: Plan, tmp_path: Path
) -> None:
    streets = build_streets(load_road_graph(GOOD / "tiny_network.npz"))
    write_team_sheets(roster_plan, streets, tmp_path / "crew")
    write_team_sheets(tiny_plan, streets, tmp_path / "teams")

    def read(folder: Path, team: str) -> str:
        path = folder / "teams" / f"{team}.pdf"
        result = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
        )
        return " ".join(result.stdout.split())

    car = read(tmp_path / "crew", "T-CAR")
    assert "Anggota: Budi Santoso (pengemudi), " in car
    assert "Agus Salim" in car
    moto = read(tmp_path / "crew", "T-MOTO")
    assert "Anggota:" not in moto
    assert "Budi Santoso" not in moto
    assert (tmp_path / "crew" / "teams" / "T-MOTO.pdf").read_bytes() == (
        tmp_path / "teams" / "teams" / "T-MOTO.pdf"
    ).read_bytes()


def test_plan_json_routes_carry_the_crew(roster_plan: Plan, tiny_plan: Plan) -> None:
    routes = roster_plan.to_dict()["routes"]
    assert routes[0]["crew"] == ["101", "102", "106"]
    assert routes[1]["crew"] == []
    keys = list(routes[0])
    assert keys.index("crew") == keys.index("members") + 1
    assert tiny_plan.to_dict()["routes"][0]["crew"] == []


def test_churn_csv_lists_each_change_with_its_reason(tiny_plan: Plan, tmp_path: Path) -> None:
    assert write_churn(tiny_plan, tmp_path / "none") == []
    changes = (
        Churn(
            household_id="H9", desa_code="35.10.14.2010", previous_team="", team="T-1", reason="new"
        ),
        Churn(
            household_id="H2",
            desa_code="35.10.14.2010",
            previous_team="T-1",
            team="T-2",
            reason="saving",
        ),
    )
    moved = replace(tiny_plan, churn=changes, churn_compared=40)
    (path,) = write_churn(moved, tmp_path / "moved")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["household_id"], r["previous_team"], r["team"], r["reason"]) for r in rows] == [
        ("H9", "", "T-1", "new"),
        ("H2", "T-1", "T-2", "saving"),
    ]
    assert "max_saving_pct" in rows[1]["explanation"]
    (kept,) = write_churn(replace(tiny_plan, churn_compared=40), tmp_path / "kept")
    assert kept.read_text(encoding="utf-8").splitlines() == [",".join(CHURN_COLUMNS)]
