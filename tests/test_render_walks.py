"""Walks from a parked vehicle in every document: routes.csv, sheets, phone pages and maps.

The plans are made by hand: team T-WALK drives to doors 1 and 2, reloads, takes its break,
parks at P1 and walks to doors 3-5 and back, then parks at P2 and walks to door 6 and back.
Team T-DRIVE drives to every door. Nothing here needs the road network or the solver.
"""

from __future__ import annotations

import csv
import html
import itertools
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import GOOD

from optimizer.geometry import Streets, build_streets
from optimizer.plan import (
    Break,
    DepotSite,
    Kpis,
    Leg,
    Park,
    Plan,
    Polyline,
    Reload,
    Route,
    Stop,
)
from optimizer.render.features import build_feature_collection
from optimizer.render.mappack import pack_layers
from optimizer.render.maps import render_map
from optimizer.render.pdf import write_team_sheets
from optimizer.render.phone import render_phone_page
from optimizer.render.phonemap import render_route_svg
from optimizer.render.sheetcontent import build_team_sheet
from optimizer.render.sheets import write_sheets
from optimizer.render.sheettable import lay_out_rows
from optimizer.render.staticmap import render_route_map
from optimizer.render.svgmap import build_map_frame, plan_map_svg
from optimizer.render.walks import walk_loop
from optimizer.roadgraph import load_road_graph

DEPOT = (-8.2600, 114.3400)
DOORS = (
    (-8.2580, 114.3400),
    (-8.2580, 114.3420),
    (-8.2565, 114.3440),
    (-8.2560, 114.3447),
    (-8.2568, 114.3452),
    (-8.2590, 114.3460),
)
P1 = (-8.2570, 114.3431)
P2 = (-8.2596, 114.3455)
HOSTILE_TEAM = "<T&'1>"
_EXTERNAL_RESOURCE = re.compile(
    r"""<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=\s*["']?https?:|url\(\s*["']?https?:"""
    r"""|@import|<img[^>]*\bsrc\s*=\s*["']?https?:|<iframe""",
    re.IGNORECASE,
)


def _clock(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60


def _stop(sequence: int, arrival: str, *, trip: int, walk_m: float = 0.0) -> Stop:
    lat, lon = DOORS[sequence - 1]
    return Stop(
        sequence=sequence,
        household_id=f"HH-{sequence:02d}",
        head_name=f"Warga {sequence}",
        address=f"Jl. Mawar {sequence}",
        desa_code="35.10.14.2010",
        desa_name="Dadapan",
        lat=lat,
        lon=lon,
        packages=1,
        arrival_s=_clock(arrival),
        departure_s=_clock(arrival) + 120,
        wait_s=0,
        load_after=0,
        walk_m=walk_m,
        window_start_s=None,
        window_end_s=None,
        notes="",
        trip=trip,
    )


def _leg(*points: tuple[float, float], walk: bool = False) -> Leg:
    return Leg(
        distance_m=100.0 * len(points),
        travel_s=60 * len(points),
        path=Polyline(lats=tuple(p[0] for p in points), lons=tuple(p[1] for p in points)),
        walk=walk,
    )


def _walking_route(team_id: str = "T-WALK") -> Route:
    """Doors 1-2 driven, a reload and the break, doors 3-5 on foot from P1, door 6 from P2."""
    d = DOORS
    stops = (
        _stop(1, "08:05", trip=1),
        _stop(2, "08:10", trip=1),
        _stop(3, "08:47", trip=2, walk_m=120.0),
        _stop(4, "08:53", trip=2, walk_m=85.0),
        _stop(5, "08:58", trip=2, walk_m=95.0),
        _stop(6, "09:12", trip=2, walk_m=60.0),
    )
    legs = (
        _leg(DEPOT, d[0]),
        _leg(d[0], d[1]),
        _leg(d[1], DEPOT),
        _leg(DEPOT, (P1[0], DEPOT[1]), P1),  # the drive to the parking place of doors 3-5
        _leg(d[2], d[3], walk=True),
        _leg(d[3], d[4], walk=True),
        _leg(P1, (P2[0], P1[1]), P2),  # from P1 on, to the parking place of door 6
        _leg(P2, (DEPOT[0], P2[1]), DEPOT),
    )
    parks = (
        Park(
            first_stop=3,
            last_stop=5,
            lat=P1[0],
            lon=P1[1],
            arrival_s=_clock("08:45"),
            departure_s=_clock("09:05"),
            walk_m=370.4,
        ),
        Park(
            first_stop=6,
            last_stop=6,
            lat=P2[0],
            lon=P2[1],
            arrival_s=_clock("09:10"),
            departure_s=_clock("09:16"),
            walk_m=120.0,
        ),
    )
    return Route(
        team_id=team_id,
        vehicle="car",
        profile="car",
        members=3,
        capacity=40,
        depot_id="D1",
        depot_name="Balai Desa Dadapan",
        depot_lat=DEPOT[0],
        depot_lon=DEPOT[1],
        start_s=_clock("08:00"),
        end_s=_clock("09:30"),
        stops=stops,
        legs=legs,
        distance_m=1500.0,
        travel_s=1200,
        service_s=720,
        wait_s=0,
        load=6,
        reloads=(Reload(after_stop=2, arrival_s=_clock("08:20"), departure_s=_clock("08:35")),),
        break_=Break(after_stop=2, start_s=_clock("08:36"), end_s=_clock("08:44")),
        parks=parks,
    )


def _driving_route(route: Route) -> Route:
    """The same doors, every one driven to (no walk, no park)."""
    points = [DEPOT, DOORS[0], DOORS[1], DEPOT, *DOORS[2:], DEPOT]
    legs = tuple(_leg(a, b) for a, b in itertools.pairwise(points))
    return replace(route, team_id="T-DRIVE", legs=legs, parks=())


def _plan(*routes: Route, walks: int = 0) -> Plan:
    kpis = Kpis(
        households_total=12,
        households_served=12,
        households_unserved=0,
        packages_delivered=12,
        teams_available=2,
        teams_used=len(routes),
        total_route_s=10800,
        longest_route_s=5400,
        mean_route_s=5400,
        total_distance_m=3000.0,
        unserved_by_reason={},
        walks=walks,
        doors_on_foot=4 if walks else 0,
        walked_m=490.4 if walks else 0.0,
    )
    depot = DepotSite(
        depot_id="D1",
        name="Balai Desa Dadapan",
        desa_code="35.10.14.2010",
        lat=DEPOT[0],
        lon=DEPOT[1],
        approximate=False,
        teams=len(routes),
        desa_name="Dadapan",
        kecamatan="Kabat",
    )
    return Plan(
        scenario="walks",
        title="Park and walk",
        date="2026-12-05",
        synthetic_data=True,
        data_notice="SYNTHETIC DEMO DATA",
        households_total=12,
        routes=routes,
        unserved=(),
        depots=(depot,),
        areas=(),
        kpis=kpis,
        warnings=(),
        meta={},
    )


@pytest.fixture(scope="module")
def walking() -> Plan:
    """T-WALK (two walks) and T-DRIVE (none)."""
    route = _walking_route()
    return _plan(route, _driving_route(route), walks=2)


@pytest.fixture(scope="module")
def driving() -> Plan:
    """The same teams, both driving to every door."""
    route = _driving_route(_walking_route())
    return _plan(replace(route, team_id="T-WALK"), route)


@pytest.fixture(scope="module")
def streets() -> Streets:
    """The roads of the tiny network, which lies under the doors."""
    return build_streets(load_road_graph(GOOD / "tiny_network.npz"))


def _english(plan: Plan) -> Plan:
    return replace(plan, render=plan.render.model_copy(update={"language": "en"}))


def _csv_rows(plan: Plan, folder: Path) -> list[dict[str, str]]:
    write_sheets(plan, folder)
    with (folder / "routes.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- routes.csv


def test_routes_csv_puts_park_rows_after_the_reload_and_break_before_the_walk(
    walking: Plan, tmp_path: Path
) -> None:
    rows = [row for row in _csv_rows(walking, tmp_path) if row["team_id"] == "T-WALK"]
    order = [(row["event"], row["stop"]) for row in rows]
    assert order == [
        ("door", "1"),
        ("door", "2"),
        ("reload", ""),
        ("break", ""),
        ("park", ""),
        ("door", "3"),
        ("door", "4"),
        ("door", "5"),
        ("park", ""),
        ("door", "6"),
    ]


def test_routes_csv_park_row_fields(walking: Plan, tmp_path: Path) -> None:
    parks = [row for row in _csv_rows(walking, tmp_path) if row["event"] == "park"]
    assert len(parks) == 2
    first, second = parks
    assert first["team_id"] == "T-WALK"
    assert first["vehicle"] == "car"
    assert first["depot_id"] == "D1"
    assert first["trip"] == "2"
    assert (first["arrival"], first["departure"]) == ("08:45", "09:05")
    assert first["walk_m"] == "370"
    assert first["notes"] == "park here; walk to doors 3-5 and back (370 m on foot)"
    assert (first["lat"], first["lon"]) == ("-8.25700", "114.34310")
    assert first["data_notice"] == "SYNTHETIC DEMO DATA"
    empty = (
        "stop",
        "household_id",
        "head_name",
        "address",
        "desa",
        "packages",
        "load_after",
        "window",
        "priority",
        "location",
    )
    assert all(first[column] == "" for column in empty)
    assert second["notes"] == "park here; walk to door 6 and back (120 m on foot)"
    assert (second["arrival"], second["departure"], second["walk_m"]) == ("09:10", "09:16", "120")


def test_routes_csv_park_row_keeps_the_team_id_safe(tmp_path: Path) -> None:
    plan = _plan(_walking_route("=HYPERLINK(1)"), walks=2)
    parks = [row for row in _csv_rows(plan, tmp_path) if row["event"] == "park"]
    assert parks
    assert all(row["team_id"] == "'=HYPERLINK(1)" for row in parks)


def test_routes_csv_without_walks_has_no_park_row(driving: Plan, tmp_path: Path) -> None:
    rows = _csv_rows(driving, tmp_path)
    assert rows
    assert {row["event"] for row in rows} == {"door", "reload", "break"}


# --------------------------------------------------------------------------- printed sheets


def test_sheet_rows_say_where_to_park_in_bahasa_indonesia(walking: Plan) -> None:
    sheet = build_team_sheet(walking, walking.routes[0])
    kinds = [row.kind for row in sheet.rows]
    assert kinds == [
        "door",
        "door",
        "reload",
        "break",
        "park",
        "door",
        "door",
        "door",
        "park",
        "door",
    ]
    parks = [row for row in sheet.rows if row.kind == "park"]
    assert [row.time for row in parks] == ["08:45", "09:10"]
    assert parks[0].event == (
        "Parkir di sini, jalan kaki ke pintu 3-5 lalu kembali ke kendaraan (370 m)"
    )
    assert parks[1].event == (
        "Parkir di sini, jalan kaki ke pintu 6 lalu kembali ke kendaraan (120 m)"
    )


def test_sheet_rows_say_where_to_park_in_english(walking: Plan) -> None:
    sheet = build_team_sheet(_english(walking), walking.routes[0])
    events = [row.event for row in sheet.rows if row.kind == "park"]
    assert events == [
        "Park here, walk to doors 3-5 and back to the vehicle (370 m)",
        "Park here, walk to door 6 and back to the vehicle (120 m)",
    ]


def test_sheet_park_row_spans_the_table_with_a_p(walking: Plan) -> None:
    sheet = build_team_sheet(walking, walking.routes[0])
    laid = lay_out_rows(sheet.rows)
    park = next(row for row in laid if row.source is not None and row.source.kind == "park")
    assert len(park.cells) == 3  # number, time, one sentence across the rest
    assert park.cells[0].lines == ("P",)
    assert park.cells[1].lines == ("08:45",)
    assert "Parkir di sini" in " ".join(park.cells[2].lines)


def test_sheet_without_walks_has_no_park_row(driving: Plan) -> None:
    sheet = build_team_sheet(driving, driving.routes[0])
    assert "park" not in {row.kind for row in sheet.rows}
    laid = lay_out_rows(sheet.rows)
    assert all(row.cells[0].lines != ("P",) for row in laid)


def test_sheet_map_marks_parking_places_and_counts_no_walk_as_driven(
    walking: Plan, driving: Plan, streets: Streets
) -> None:
    drawn = render_route_map(walking.routes[0], streets, width_pt=400, height_pt=200, dpi=50)
    parks = [marker for marker in drawn.markers if marker.park]
    assert drawn.walks
    assert [marker.label for marker in parks] == ["P", "P"]
    plain = render_route_map(driving.routes[0], streets, width_pt=400, height_pt=200, dpi=50)
    assert not plain.walks
    assert not any(marker.park for marker in plain.markers)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_team_pdf_prints_the_park_rows(walking: Plan, streets: Streets, tmp_path: Path) -> None:
    paths = write_team_sheets(walking, streets, tmp_path, workers=1)
    sheet = next(path for path in paths if path.name == "T-WALK.pdf")
    result = subprocess.run(
        ["pdftotext", "-layout", str(sheet), "-"], capture_output=True, check=True, text=True
    )
    words = " ".join(result.stdout.split())
    assert "Parkir di sini, jalan kaki ke pintu 3-5 lalu kembali ke kendaraan (370 m)" in words
    assert "Parkir di sini, jalan kaki ke pintu 6 lalu kembali ke kendaraan (120 m)" in words
    assert "Jalan kaki" in words


# --------------------------------------------------------------------------- phone pages


def _park_rows(page: str) -> list[str]:
    return re.findall(r'<li class="event" id="p\d+">.*?</li>', page)


def test_phone_page_lists_the_park_before_the_walk(walking: Plan) -> None:
    page = render_phone_page(walking, 0, None)
    rows = _park_rows(page)
    assert len(rows) == 2
    assert ">P</span>" in rows[0]
    assert ">08:45<" in rows[0]
    assert "Parkir, jalan kaki ke pintu 3-5 (370 m)" in rows[0]
    assert "Parkir, jalan kaki ke pintu 6 (120 m)" in rows[1]
    reload_at = page.index("Kembali ke depot, muat ulang paket")
    assert reload_at < page.index('id="p1"') < page.index('id="s3"')
    assert page.index('id="s5"') < page.index('id="p2"') < page.index('id="s6"')


def test_phone_page_park_row_in_english(walking: Plan) -> None:
    page = render_phone_page(_english(walking), 0, None)
    rows = _park_rows(page)
    assert "Park, walk to doors 3-5 (370 m)" in rows[0]
    assert "Park, walk to door 6 (120 m)" in rows[1]


def test_phone_map_draws_walks_dashed_and_parking_badges(walking: Plan) -> None:
    route = walking.routes[0]
    svg = render_route_svg(route, "#1f77b4", None)
    walks = re.findall(r'<path class="walk" style="([^"]*)" d="([^"]*)"/>', svg)
    assert len(walks) == 1
    assert "stroke-dasharray" in walks[0][0]
    assert walks[0][1].count("m") == 2  # one loop per walk
    assert svg.count('class="mk park"') == 2
    assert '<a href="#p1">' in svg
    assert '<a href="#p2">' in svg
    # The driven route has as many parts as the route without its walk legs: one.
    drive = re.search(r'<path class="route" style="[^"]*" d="([^"]*)"/>', svg)
    assert drive is not None
    assert drive.group(1).count("m") == 1


def test_phone_page_without_walks_has_no_park(driving: Plan) -> None:
    page = render_phone_page(driving, 0, None)
    assert not _park_rows(page)
    assert 'class="walk"' not in page
    assert 'class="mk park"' not in page


# --------------------------------------------------------------------------- overview map


def _kinds(collection: dict[str, object]) -> list[str]:
    features = collection["features"]
    assert isinstance(features, list)
    return [feature["properties"]["kind"] for feature in features]


def test_feature_collection_has_walk_loops_and_parking_places(walking: Plan) -> None:
    collection = build_feature_collection(walking)
    features = collection["features"]
    walks = [f for f in features if f["properties"]["kind"] == "walk"]
    parks = [f for f in features if f["properties"]["kind"] == "park"]
    assert [f["properties"]["doors"] for f in walks] == ["3-5", "6"]
    assert parks[0]["geometry"]["coordinates"] == [P1[1], P1[0]]
    assert parks[0]["properties"]["arrival"] == "08:45"
    loop = walks[0]["geometry"]["coordinates"]
    assert loop[0] == loop[-1] == [P1[1], P1[0]]
    assert [P1[1], P1[0]] != loop[1] == [DOORS[2][1], DOORS[2][0]]
    # Door 4 is reached on foot only: the driven route never passes it.
    route = next(f for f in features if f["properties"]["team_id"] == "T-WALK")
    driven = route["geometry"]["coordinates"]
    assert [DOORS[3][1], DOORS[3][0]] not in driven
    assert [DOORS[3][1], DOORS[3][0]] in loop


def test_map_page_draws_walks_dashed_with_a_parking_badge(walking: Plan, tmp_path: Path) -> None:
    page = render_map(walking, tmp_path / "map.html").read_text(encoding="utf-8")
    assert 'berbagiWalkLayer("walk"' in page
    assert 'berbagiWalkLayer("park"' in page
    assert "dashArray: '5 5'" in page
    assert "fillText('P'" in page
    assert '<span class="berbagi-sym berbagi-sym-park">P</span>Parking place' in page
    assert "Doors on foot" in page
    assert _EXTERNAL_RESOURCE.search(page) is None


def test_map_parking_tooltip_is_escaped(tmp_path: Path) -> None:
    plan = _plan(_walking_route(HOSTILE_TEAM), walks=2)
    layers = pack_layers(build_feature_collection(plan), 5)
    tips = [f["properties"]["t"] for f in layers["park"]]
    assert tips[0] == (
        f"<b>Team {html.escape(HOSTILE_TEAM)}</b> · parking place<br>Park 08:45, back at the "
        "vehicle 09:05<br>On foot to doors 3-5 and back: 370 m"
    )
    assert "On foot to door 6 and back: 120 m" in tips[1]
    walk_tip = layers["walk"][0]["properties"]["t"]
    assert HOSTILE_TEAM not in walk_tip
    assert html.escape(HOSTILE_TEAM) in walk_tip
    page = render_map(plan, tmp_path / "map.html").read_text(encoding="utf-8")
    assert HOSTILE_TEAM not in page


def test_map_without_walks_has_no_walk_layer_or_legend(driving: Plan, tmp_path: Path) -> None:
    collection = build_feature_collection(driving)
    assert not {"walk", "park"} & set(_kinds(collection))
    page = render_map(driving, tmp_path / "map.html").read_text(encoding="utf-8")
    for absent in ("berbagiWalkLayer", "berbagi-sym-park", "Parking place", "Doors on foot"):
        assert absent not in page


def test_static_svg_map_draws_walks_only_when_there_are_some(walking: Plan, driving: Plan) -> None:
    frame = build_map_frame([walking])
    assert plan_map_svg(walking, frame).count('<g class="walks"') == 1
    assert 'class="walks"' not in plan_map_svg(driving, build_map_frame([driving]))


def test_walk_loop_runs_from_the_parking_place_round_its_doors(walking: Plan) -> None:
    route = walking.routes[0]
    loop = walk_loop(route, route.parks[0])
    points = list(zip(loop.lats, loop.lons, strict=True))
    assert points[0] == points[-1] == P1
    doors = [point for point in points if point in DOORS]
    assert doors[0] == DOORS[2]
    assert doors[-1] == DOORS[4]
    assert DOORS[3] in doors
