"""Printed route sheets: team PDFs and desa packs, read back with poppler and Pillow."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from optimizer.geometry import Streets, build_streets
from optimizer.plan import Break, DepotSite, Plan, Reload, Route
from optimizer.render.i18n import STRINGS, format_date, text
from optimizer.render.pdf import write_team_sheets
from optimizer.render.pdfcanvas import FONT, MARGIN, PAGE_HEIGHT, text_width, wrap_text
from optimizer.render.sheetcontent import build_team_sheet, full_address
from optimizer.render.sheetpages import GAP, MAP_HEIGHT, MAP_WIDTH, TITLE_HEIGHT, TOP, lay_out_sheet
from optimizer.render.staticmap import render_route_map
from optimizer.roadgraph import load_road_graph

GOOD = Path(__file__).parent / "data" / "good"
HOSTILE = "<b>x</b> & <img src=x onerror=alert(1)>"
DESA = "35.10.14.2010"
POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="needs poppler-utils (pdftotext, pdftoppm, pdfinfo) to read the PDFs"
)


@pytest.fixture(scope="module")
def streets() -> Streets:
    """Every road of the tiny network, to draw under the routes."""
    return build_streets(load_road_graph(GOOD / "tiny_network.npz"))


def _long_route(route: Route, doors: int = 34) -> Route:
    """The car's route stretched to 34 doors in two trips, with every mark a sheet shows.

    Door 2 has a hostile name, door 4 is a priority, door 6 a late priority, door 8 an
    approximate location (RT 003/RW 001), door 10 a time window; a reload after door 17 and the
    break after door 25.
    """
    stops = []
    clock = 8 * 3600
    for index in range(doors):
        source = route.stops[index % len(route.stops)]
        number = index + 1
        clock += 300 + (3600 if number == 26 else 0) + (600 if number == 18 else 0)
        stops.append(
            replace(
                source,
                sequence=number,
                household_id=f"HH-L{number:02d}",
                head_name=HOSTILE if number == 2 else f"Warga Nomor{number:02d} Sejahtera",
                arrival_s=clock,
                departure_s=clock + 120,
                trip=1 if number <= 17 else 2,
                packages=1,
                priority=number in (4, 6),
                late=number == 6,
                location="approximate (RT 003/RW 001)" if number == 8 else "register",
                rt="003" if number == 8 else "",
                rw="001" if number == 8 else "",
                window_start_s=13 * 3600 if number == 10 else None,
                window_end_s=15 * 3600 if number == 10 else None,
                notes="lansia" if number == 4 else "",
            )
        )
    legs = tuple(route.legs[i % len(route.legs)] for i in range(doors + 2))
    return replace(
        route,
        stops=tuple(stops),
        legs=legs,
        reloads=(
            Reload(
                after_stop=17,
                arrival_s=stops[16].departure_s + 60,
                departure_s=stops[17].arrival_s - 60,
            ),
        ),
        break_=Break(
            after_stop=25, start_s=stops[24].departure_s + 10, end_s=stops[25].arrival_s - 10
        ),
        end_s=clock + 900,
    )


@pytest.fixture(scope="module")
def long_plan(tiny_plan: Plan) -> Plan:
    """The tiny plan with the car's route stretched to 34 doors (two pages)."""
    return replace(tiny_plan, routes=(_long_route(tiny_plan.routes[0]), *tiny_plan.routes[1:]))


def _language(plan: Plan, **render: str) -> Plan:
    return replace(plan, render=plan.render.model_copy(update=render))


@pytest.fixture(scope="module")
def written(long_plan: Plan, streets: Streets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The long plan's sheets, written once (Bahasa Indonesia, full names, synthetic data)."""
    folder = tmp_path_factory.mktemp("sheets")
    write_team_sheets(long_plan, streets, folder)
    return folder


def _text(path: Path, *options: str, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    result = subprocess.run(
        ["pdftotext", *options, *pages, str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def _pdfinfo(path: Path) -> dict[str, str]:
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    )


# Content and helpers that need no PDF reader.


def test_every_label_exists_in_both_languages() -> None:
    assert all(indonesian and english for indonesian, english in STRINGS.values())
    assert text("id", "page_of", page=1, pages=2) == "Halaman 1 dari 2"
    assert text("en", "page_of", page=1, pages=2) == "Page 1 of 2"
    assert text("id", "col_signature") == "Paraf penerima"
    assert text("en", "col_signature") == "Recipient's initials"


def test_dates_read_in_words() -> None:
    assert format_date("2026-12-05", "id") == "Sabtu, 5 Desember 2026"
    assert format_date("2026-12-05", "en") == "Saturday 5 December 2026"
    assert format_date(None, "id") == "(tanggal belum ditetapkan)"


def test_wrapping_cuts_long_words_and_ends_with_an_ellipsis() -> None:
    lines = wrap_text("A" * 60 + " pendek", FONT, 7, 60, max_lines=2)
    assert len(lines) == 2
    assert all(text_width(line, FONT, 7) <= 60 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap_text("Jl. Melati\n4\tRT 1", FONT, 7, 500) == ["Jl. Melati 4 RT 1"]


def test_address_adds_only_what_it_does_not_say(tiny_plan: Plan) -> None:
    stop = tiny_plan.routes[0].stops[0]
    named = replace(
        stop, address="Lingkungan Krajan RT 006 RW 003, Dadapan", dusun="Krajan", rt="006", rw="003"
    )
    assert full_address(named) == "Lingkungan Krajan RT 006 RW 003, Dadapan"
    bare = replace(stop, address="Jl. Melati 4", dusun="Krajan", rt="6", rw="3")
    assert full_address(bare) == "Jl. Melati 4 / Dsn. Krajan, RT 6/RW 3, Dadapan"


def test_rows_follow_the_day_in_time_order(long_plan: Plan) -> None:
    sheet = build_team_sheet(long_plan, long_plan.routes[0])
    kinds = [row.kind for row in sheet.rows]
    assert kinds.index("reload") == 17
    assert kinds.index("break") == 26
    assert [row.number for row in sheet.rows if row.kind == "door"] == [
        str(n) for n in range(1, 35)
    ]
    facts = dict(sheet.facts)
    assert facts["Paket dimuat"] == "Trip 1: 17 paket · Trip 2: 17 paket"
    assert facts["Desa/Kel."] == "Dadapan, Kec. Kabat"


# The PDF files, read back.


@needs_poppler
def test_files_are_a4_one_per_team_and_one_per_desa(written: Path, long_plan: Plan) -> None:
    assert sorted(p.name for p in (written / "teams").iterdir()) == ["T-CAR.pdf", "T-MOTO.pdf"]
    assert [p.name for p in (written / "desa").iterdir()] == [f"{DESA}.pdf"]
    for path in [*(written / "teams").iterdir(), written / "desa" / f"{DESA}.pdf"]:
        info = _pdfinfo(path)
        assert info["Page size"].startswith("595.276 x 841.89 pts (A4)")
    assert _pdfinfo(written / "teams" / "T-CAR.pdf")["Pages"] == "2"
    assert _pdfinfo(written / "teams" / "T-MOTO.pdf")["Pages"] == "1"


@needs_poppler
def test_header_names_the_team_its_depot_and_its_day(written: Path) -> None:
    page = _text(written / "teams" / "T-CAR.pdf", "-layout", page=1)
    for expected in (
        "LEMBAR RUTE TIM",
        "T-CAR",
        "Mobil",
        "3 orang",
        "Kantor Desa Dadapan",
        "Dadapan, Kec. Kabat",
        "08:00–15:00",
        "MUAT ULANG",
        "DATA DEMO SINTETIS",
        "Trip 1: 17 paket · Trip 2: 17 paket",
        "Paraf penerima",
        "Halaman 1 dari 2",
    ):
        assert expected in page, expected


@needs_poppler
def test_households_print_in_visiting_order_over_two_pages(written: Path) -> None:
    pages = [_text(written / "teams" / "T-CAR.pdf", "-layout", page=p) for p in (1, 2)]
    whole = "\n".join(pages)
    positions = [whole.index(f"Warga Nomor{n:02d}") for n in range(1, 35) if n != 2]
    assert positions == sorted(positions)
    # Page 2 repeats the header and the table head, and ends with the totals.
    for expected in ("T-CAR", "lanjutan", "Kepala keluarga", "Paraf penerima", "Halaman 2 dari 2"):
        assert expected in pages[1], expected
    assert "34 rumah · 34 paket" in pages[1]
    assert "Warga Nomor01" in pages[0]
    assert "Warga Nomor34" in pages[1]


@needs_poppler
def test_reload_and_break_rows_sit_between_the_doors(written: Path) -> None:
    whole = _text(written / "teams" / "T-CAR.pdf", "-layout")
    reload = re.search(r"MUAT ULANG \d\d:\d\d", whole)
    pause = re.search(r"ISTIRAHAT \d\d:\d\d", whole)
    assert reload is not None
    assert pause is not None
    assert whole.index("Warga Nomor17") < reload.start() < whole.index("Warga Nomor18")
    assert whole.index("Warga Nomor25") < pause.start() < whole.index("Warga Nomor26")


@needs_poppler
def test_hostile_name_prints_as_its_own_characters(written: Path) -> None:
    raw = " ".join(_text(written / "teams" / "T-CAR.pdf", "-raw").split())
    assert HOSTILE in raw
    assert "&amp;" not in raw
    assert "&lt;" not in raw


@needs_poppler
def test_marks_and_their_legend(written: Path) -> None:
    whole = " ".join(_text(written / "teams" / "T-CAR.pdf", "-raw").split())
    for expected in (
        "★!",
        "≈",
        "13:00–15:00",
        "Tanya Ketua RT 003/RW 001",
        "lokasi perkiraan (tanpa koordinat)",
        "prioritas yang terlambat",
    ):
        assert expected in whole, expected
    assert not re.search(r"\b\d{16}\b", whole), "a 16-digit number (NIK) was printed"


def _render(path: Path, page: int, folder: Path, *, dpi: int = 50) -> npt.NDArray[np.int16]:
    """Render one page with pdftoppm and return its RGB pixels (rows from the top)."""
    prefix = folder / f"{path.stem}-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            str(path),
            str(prefix),
        ],
        check=True,
    )
    with Image.open(next(folder.glob(f"{prefix.name}*.png"))) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _pink(pixels: npt.NDArray[np.int16]) -> int:
    """Count the watermark's pale red pixels."""
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((r >= 200) & (r - g >= 18) & (r - b >= 18)).sum())


@needs_poppler
def test_synthetic_data_is_marked_on_every_page(
    written: Path, tmp_path: Path, long_plan: Plan, streets: Streets
) -> None:
    real = replace(long_plan, synthetic_data=False)
    write_team_sheets(real, streets, tmp_path / "real")
    for page in (1, 2):
        assert "DATA DEMO SINTETIS" in _text(written / "teams" / "T-CAR.pdf", page=page)
    # The diagonal watermark (text extraction skips diagonal text): pale red across page 2.
    synthetic = _render(written / "teams" / "T-CAR.pdf", 2, tmp_path)
    plain = _render(tmp_path / "real" / "teams" / "T-CAR.pdf", 2, tmp_path / "real")
    middle = slice(synthetic.shape[0] // 4, synthetic.shape[0] * 3 // 4)
    assert _pink(synthetic[middle]) > 400
    assert _pink(plain[middle]) < 20
    assert "SINTETIS" not in _text(tmp_path / "real" / "teams" / "T-CAR.pdf")
    assert "SINTETIS" not in _text(tmp_path / "real" / "desa" / f"{DESA}.pdf")


@needs_poppler
def test_english_and_initials(long_plan: Plan, streets: Streets, tmp_path: Path) -> None:
    plan = _language(long_plan, language="en", names="initials")
    write_team_sheets(plan, streets, tmp_path)
    whole = " ".join(_text(tmp_path / "teams" / "T-CAR.pdf", "-raw").split())
    for expected in (
        "TEAM ROUTE SHEET",
        "Head of household",
        "Recipient's initials",
        "Page 1 of 2",
        "SYNTHETIC DEMO DATA",
        "RELOAD",
        "Ask the head of RT 003/RW 001",
        "W. N. S.",
    ):
        assert expected in whole, expected
    assert "Warga" not in whole
    assert "Halaman" not in whole
    assert "Recipient's initials" in _text(tmp_path / "desa" / f"{DESA}.pdf", page=2)


@needs_poppler
def test_map_shows_grey_roads_and_the_route(written: Path, long_plan: Plan, tmp_path: Path) -> None:
    page = _render(written / "teams" / "T-MOTO.pdf", 1, tmp_path)
    layout = lay_out_sheet(build_team_sheet(long_plan, long_plan.routes[1]))
    scale = 50 / 72
    top = TOP - TITLE_HEIGHT - sum(layout.fact_rows) - GAP  # the map's upper edge, in points
    rows = slice(
        round((PAGE_HEIGHT - top) * scale) + 3, round((PAGE_HEIGHT - top + MAP_HEIGHT) * scale) - 3
    )
    columns = slice(round(MARGIN * scale) + 3, round((MARGIN + MAP_WIDTH) * scale) - 3)
    area = page[rows, columns]
    r, g, b = area[..., 0], area[..., 1], area[..., 2]
    spread = area.max(axis=2) - area.min(axis=2)
    grey = int(((r >= 90) & (r <= 215) & (spread <= 12)).sum())
    route = int(((r >= 140) & (g <= 110) & (b <= 110) & (r - g >= 70)).sum())
    blank = int((area.min(axis=2) >= 245).sum())
    assert grey >= 150, f"{grey} grey road pixels of {r.size}"
    assert route >= 40, f"{route} route-coloured pixels"
    assert blank < 0.97 * r.size


@needs_poppler
def test_desa_pack_holds_every_team_after_its_cover(written: Path) -> None:
    pack = written / "desa" / f"{DESA}.pdf"
    assert _pdfinfo(pack)["Pages"] == "4"  # cover, the car's two pages, the motorbike's page
    cover = _text(pack, "-layout", page=1)
    assert "PAKET LEMBAR RUTE DESA" in cover
    assert "Dadapan" in cover
    for team, doors, sheet in (("T-CAR", "34", "2"), ("T-MOTO", "5", "4")):
        line = next(line for line in cover.splitlines() if team in line)
        assert line.split()[-1] == sheet  # where its sheet starts in the pack
        assert f" {doors} " in line
    assert re.search(r"Tim\s+T-CAR\b", _text(pack, "-layout", page=2))
    assert re.search(r"Tim\s+T-MOTO\b", _text(pack, "-layout", page=4))
    assert "Paket desa, lembar 4/4" in _text(pack, page=4)


def test_same_plan_gives_identical_bytes(long_plan: Plan, streets: Streets, tmp_path: Path) -> None:
    first = write_team_sheets(long_plan, streets, tmp_path / "one")
    second = write_team_sheets(long_plan, streets, tmp_path / "two")
    assert [p.relative_to(tmp_path / "one") for p in first] == [
        p.relative_to(tmp_path / "two") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_worker_processes_write_the_same_files(
    tiny_plan: Plan, streets: Streets, tmp_path: Path
) -> None:
    other = DepotSite(
        depot_id="D2",
        name="Kantor Desa Kabat",
        desa_code="35.10.14.2001",
        lat=-8.26,
        lon=114.34,
        approximate=True,
        teams=1,
        desa_name="Kabat",
        kecamatan="Kabat",
    )
    moto = replace(tiny_plan.routes[1], depot_id="D2", team_id="Tim 1/A")
    plan = replace(tiny_plan, depots=(*tiny_plan.depots, other), routes=(tiny_plan.routes[0], moto))
    alone = write_team_sheets(plan, streets, tmp_path / "one", workers=1)
    pooled = write_team_sheets(plan, streets, tmp_path / "two", workers=2)
    assert [p.name for p in pooled] == [
        "T-CAR.pdf",
        "Tim_1_A.pdf",
        "35.10.14.2001.pdf",
        f"{DESA}.pdf",
    ]
    for a, b in zip(alone, pooled, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_doors_at_one_spot_share_a_short_marker(tiny_plan: Plan, streets: Streets) -> None:
    route = _long_route(tiny_plan.routes[0], doors=130)  # 130 doors at 4 positions
    drawn = render_route_map(route, streets, width_pt=MAP_WIDTH, height_pt=MAP_HEIGHT, dpi=40)
    doors = [marker for marker in drawn.markers if not marker.depot]
    assert len(doors) == 4
    assert all(len(marker.label) <= 14 for marker in doors)
    assert doors[0].label.startswith("1,5,9")
    assert doors[0].label.endswith("+29")
    assert all(0 <= m.x <= 1 and 0 <= m.y <= 1 for m in drawn.markers)
    assert drawn.later_trips
    assert (drawn.width_px, drawn.height_px) == (
        int(MAP_WIDTH / 72 * 40),
        int(MAP_HEIGHT / 72 * 40),
    )
