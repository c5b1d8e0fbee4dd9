"""The Folium map: its FeatureCollection, and the HTML page (offline, escaped, banner)."""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.config import RenderConfig
from optimizer.geometry import RANK_LANE, RANK_LOCAL, RANK_MAIN, Streets
from optimizer.plan import (
    AreaOutline,
    DepotSite,
    Kpis,
    Leg,
    Plan,
    Polyline,
    Route,
    Stop,
    Unserved,
)
from optimizer.reasons import UnservedReason
from optimizer.render.maps import (
    OSM_TILE_URL,
    PALETTE,
    SYNTHETIC_BANNER,
    build_feature_collection,
    render_map,
)
from optimizer.render.streetlines import build_street_lines, chain_lines

HOSTILE_TEAM = "<script>alert(1)</script>"
HOSTILE_DEPOT = "Gudang \"Pak' Budi</script><script>alert(2)</script>"
HOSTILE_HOUSEHOLD = "HH-9 <img src=x onerror=alert(3)>"
HOSTILE_REASON = "no road </script> here & 'there'"

DEPOTS = {
    "D1": (-8.2100, 114.3500),
    "D2": (-8.2300, 114.3700),
}


def _stop(seq: int, household: str, lat: float, lon: float, arrival: str) -> Stop:
    hours, minutes = (int(x) for x in arrival.split(":"))
    arrival_s = hours * 3600 + minutes * 60
    return Stop(
        sequence=seq,
        household_id=household,
        head_name="Ibu Siti (personal name)",
        address="Jl. Rahasia 7 (personal address)",
        desa_code="35.10.14.2010",
        desa_name="Dadapan",
        lat=lat,
        lon=lon,
        packages=1 + seq % 2,
        arrival_s=arrival_s,
        departure_s=arrival_s + 180,
        wait_s=0,
        load_after=seq,
        walk_m=12.0,
        window_start_s=None,
        window_end_s=None,
        notes="private note: widow, lives alone",
    )


def _leg(points: list[tuple[float, float]]) -> Leg:
    return Leg(
        distance_m=100.0 * len(points),
        travel_s=60 * len(points),
        path=Polyline(lats=tuple(p[0] for p in points), lons=tuple(p[1] for p in points)),
    )


def _route(team: str, depot: str, doors: list[tuple[str, float, float]], start_h: int) -> Route:
    depot_lat, depot_lon = DEPOTS[depot]
    stops = tuple(
        _stop(i + 1, hh, lat, lon, f"{start_h:02d}:{10 * (i + 1):02d}")
        for i, (hh, lat, lon) in enumerate(doors)
    )
    waypoints = [(depot_lat, depot_lon), *((s.lat, s.lon) for s in stops), (depot_lat, depot_lon)]
    legs = []
    for (a_lat, a_lon), (b_lat, b_lon) in itertools.pairwise(waypoints):
        # Along "roads": first north-south, then east-west, with a repeated point to drop.
        corner = (b_lat, a_lon)
        legs.append(_leg([(a_lat, a_lon), corner, corner, (b_lat, b_lon)]))
    return Route(
        team_id=team,
        vehicle="motor",
        profile="motorbike",
        members=2,
        capacity=40,
        depot_id=depot,
        depot_name=f"Depot {depot}",
        depot_lat=depot_lat,
        depot_lon=depot_lon,
        start_s=start_h * 3600,
        end_s=start_h * 3600 + 5400,
        stops=stops,
        legs=tuple(legs),
        distance_m=4321.0,
        travel_s=1800,
        service_s=720,
        wait_s=0,
        load=sum(s.packages for s in stops),
    )


def make_plan(
    *,
    team_a: str = "T-01",
    depot_name: str = "Balai Desa Dadapan",
    synthetic: bool = True,
    household: str = "HH-0005",
    reason: str = "no road within 300 m",
) -> Plan:
    routes = (
        _route(
            team_a,
            "D1",
            [
                (household, -8.2110, 114.3510),
                ("HH-0002", -8.2120, 114.3525),
                ("HH-0003", -8.2135, 114.3530),
            ],
            8,
        ),
        _route(
            "T-02",
            "D2",
            [
                ("HH-0011", -8.2310, 114.3710),
                ("HH-0012", -8.2320, 114.3725),
                ("HH-0013", -8.2335, 114.3690),
                ("HH-0014", -8.2290, 114.3680),
            ],
            9,
        ),
    )
    unserved = (
        Unserved(
            household_id="HH-0099",
            row=12,
            code=UnservedReason.TOO_FAR_FROM_ROAD,
            reason=reason,
            desa_code="35.10.14.2010",
            lat=-8.2200,
            lon=114.3600,
        ),
        Unserved(
            household_id="HH-0100",
            row=13,
            code=UnservedReason.INVALID_DATA,
            reason="no coordinates",
            desa_code="",
            lat=None,
            lon=None,
        ),
    )
    depots = (
        DepotSite(
            depot_id="D1",
            name=depot_name,
            desa_code="35.10.14.2010",
            lat=-8.2100,
            lon=114.3500,
            approximate=False,
            teams=1,
        ),
        DepotSite(
            depot_id="D2",
            name="Masjid Al-Ikhlas",
            desa_code="35.10.14.2015",
            lat=-8.2300,
            lon=114.3700,
            approximate=True,
            teams=1,
        ),
    )
    ring = Polyline(
        lats=(-8.20, -8.20, -8.24, -8.24, -8.20), lons=(114.34, 114.38, 114.38, 114.34, 114.34)
    )
    areas = (AreaOutline(code="35.10.14.2010", name="Dadapan", level="desa", rings=(ring,)),)
    kpis = Kpis(
        households_total=9,
        households_served=7,
        households_unserved=2,
        packages_delivered=10,
        teams_available=3,
        teams_used=2,
        total_route_s=10800,
        longest_route_s=5400,
        mean_route_s=5400,
        total_distance_m=8642.0,
        unserved_by_reason={"too_far_from_road": 1, "invalid_data": 1},
    )
    return Plan(
        scenario="test-kabat",
        title="Test plan, Kabat",
        date="2025-03-01",
        synthetic_data=synthetic,
        data_notice="Made-up households on a made-up street grid." if synthetic else "",
        households_total=9,
        routes=routes,
        unserved=unserved,
        depots=depots,
        areas=areas,
        kpis=kpis,
        warnings=(),
        meta={},
    )


def _features(collection: dict, kind: str) -> list[dict]:
    return [f for f in collection["features"] if f["properties"]["kind"] == kind]


# --------------------------------------------------------------------------- FeatureCollection


def test_feature_collection_has_one_feature_per_thing() -> None:
    collection = build_feature_collection(make_plan())
    assert collection["type"] == "FeatureCollection"
    assert len(_features(collection, "route")) == 2
    assert len(_features(collection, "stop")) == 7
    assert len(_features(collection, "unserved")) == 1  # the one without coordinates is left out
    assert len(_features(collection, "depot")) == 2
    assert len(_features(collection, "desa")) == 1
    assert len(collection["features"]) == 13


def test_route_properties_and_joined_geometry() -> None:
    plan = make_plan()
    route = plan.routes[0]
    feature = _features(build_feature_collection(plan), "route")[0]
    assert feature["properties"] == {
        "kind": "route",
        "team_id": "T-01",
        "vehicle": "motor",
        "depot_id": "D1",
        "stops": 3,
        "load": route.load,
        "start": "08:00",
        "end": "09:30",
        "duration_min": 90,
        "distance_km": 4.32,
        "trips": 1,
        "break": "",
        "colour": PALETTE[0],
    }
    geometry = feature["geometry"]
    assert geometry["type"] == "LineString"
    coords = geometry["coordinates"]
    # [lon, lat] order, starting and ending at the depot.
    assert coords[0] == [114.35, -8.21]
    assert coords[-1] == [114.35, -8.21]
    # 4 legs of 4 points: shared leg ends and the repeated corner are dropped.
    assert len(coords) == 4 * 2 + 1
    assert all(a != b for a, b in itertools.pairwise(coords))
    # The path follows the legs: the first corner is the depot's longitude at the door's latitude.
    assert coords[1] == [114.35, -8.211]


def test_gap_between_legs_gives_a_multilinestring() -> None:
    plan = make_plan()
    route = plan.routes[1]
    shifted = Leg(
        distance_m=1.0,
        travel_s=1,
        path=Polyline(lats=(-8.25, -8.26), lons=(114.30, 114.31)),
    )
    routes = (plan.routes[0], replace(route, legs=(*route.legs, shifted)))
    feature = _features(build_feature_collection(replace(plan, routes=routes)), "route")[1]
    assert feature["geometry"]["type"] == "MultiLineString"
    assert feature["geometry"]["coordinates"][-1] == [[114.3, -8.25], [114.31, -8.26]]


def test_stop_unserved_depot_and_area_properties() -> None:
    collection = build_feature_collection(make_plan())
    stop = _features(collection, "stop")[0]
    assert stop["geometry"] == {"type": "Point", "coordinates": [114.351, -8.211]}
    assert stop["properties"] == {
        "kind": "stop",
        "team_id": "T-01",
        "sequence": 1,
        "household_id": "HH-0005",
        "arrival": "08:10",
        "packages": 2,
        "location": "register",
        "colour": PALETTE[0],
    }
    unserved = _features(collection, "unserved")[0]
    assert unserved["geometry"]["coordinates"] == [114.36, -8.22]
    assert unserved["properties"] == {
        "kind": "unserved",
        "household_id": "HH-0099",
        "reason": "no road within 300 m",
    }
    depots = _features(collection, "depot")
    assert [d["properties"]["depot_id"] for d in depots] == ["D1", "D2"]
    assert depots[1]["properties"] == {
        "kind": "depot",
        "depot_id": "D2",
        "name": "Masjid Al-Ikhlas",
        "approximate": True,
        "teams": 1,
    }
    area = _features(collection, "desa")[0]
    assert area["properties"] == {"kind": "desa", "code": "35.10.14.2010", "name": "Dadapan"}
    assert area["geometry"]["type"] == "Polygon"
    ring = area["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] == [114.34, -8.2]


def test_no_personal_data_in_the_collection() -> None:
    text = repr(build_feature_collection(make_plan()))
    assert "Siti" not in text
    assert "Rahasia" not in text
    assert "widow" not in text


def test_colours_differ_between_routes_and_stops_take_their_route_colour() -> None:
    collection = build_feature_collection(make_plan())
    colours = [f["properties"]["colour"] for f in _features(collection, "route")]
    assert len(set(colours)) == 2
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    by_team = {
        f["properties"]["team_id"]: f["properties"]["colour"]
        for f in _features(collection, "route")
    }
    for stop in _features(collection, "stop"):
        assert stop["properties"]["colour"] == by_team[stop["properties"]["team_id"]]


def test_coordinates_are_rounded_and_bbox_covers_the_plan() -> None:
    plan = make_plan()
    stop = replace(plan.routes[0].stops[0], lat=-8.2110049, lon=114.3510051)
    route = replace(plan.routes[0], stops=(stop, *plan.routes[0].stops[1:]))
    collection = build_feature_collection(replace(plan, routes=(route, plan.routes[1])), decimals=4)
    assert _features(collection, "stop")[0]["geometry"]["coordinates"] == [114.351, -8.211]
    west, south, east, north = collection["bbox"]
    assert (west, south, east, north) == (114.35, -8.2335, 114.3725, -8.21)


def test_feature_collection_is_deterministic() -> None:
    assert build_feature_collection(make_plan()) == build_feature_collection(make_plan())


def test_bad_decimals_are_rejected() -> None:
    with pytest.raises(ValueError, match="decimals"):
        build_feature_collection(make_plan(), decimals=-1)


def test_route_without_legs_has_no_geometry() -> None:
    plan = make_plan()
    routes = (replace(plan.routes[0], legs=()), plan.routes[1])
    feature = _features(build_feature_collection(replace(plan, routes=routes)), "route")[0]
    assert feature["geometry"] is None


# --------------------------------------------------------------------------- HTML page

_EXTERNAL_RESOURCE = re.compile(
    r"""<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=\s*["']?https?:|url\(\s*["']?https?:"""
    r"""|@import|<img[^>]*\bsrc\s*=\s*["']?https?:|<iframe""",
    re.IGNORECASE,
)


def test_render_map_writes_an_offline_page(tmp_path: Path) -> None:
    plan = make_plan()
    out = render_map(plan, tmp_path / "sub" / "map.html")
    assert out == tmp_path / "sub" / "map.html"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for route in plan.routes:
        assert html.escape(route.team_id) in text
    assert _EXTERNAL_RESOURCE.search(text) is None
    for host in ("jsdelivr", "cdnjs", "unpkg", "cloudflare", "bootstrapcdn", "jquery.com"):
        assert host not in text.lower()
    assert OSM_TILE_URL not in text
    assert "tile.openstreetmap.org" not in text
    assert "L.geoJSON" in text  # the inlined Leaflet and the page's layers
    assert "Leaflet 1.9.4" in text
    assert "preferCanvas" in text
    # No awesome-markers, Bootstrap, jQuery or font-awesome.
    for name in ("AwesomeMarkers", "bootstrap", "jquery", "fontawesome", "$(document)"):
        assert name.lower() not in text.lower()


def test_online_tiles_add_only_the_tile_url(tmp_path: Path) -> None:
    out = render_map(make_plan(), tmp_path / "map.html", config=RenderConfig(online_tiles=True))
    text = out.read_text(encoding="utf-8")
    assert OSM_TILE_URL in text
    assert "openstreetmap.org/copyright" in text  # the attribution link
    assert "OpenStreetMap (online)" in text  # a base layer in the layer control
    rest = text.replace(OSM_TILE_URL, "")
    assert "tile.openstreetmap.org" not in rest
    assert _EXTERNAL_RESOURCE.search(text) is None


def test_synthetic_banner_only_for_synthetic_plans(tmp_path: Path) -> None:
    synthetic = render_map(make_plan(synthetic=True), tmp_path / "a.html").read_text("utf-8")
    real = render_map(make_plan(synthetic=False), tmp_path / "b.html").read_text("utf-8")
    assert SYNTHETIC_BANNER == "SYNTHETIC DEMO DATA - not real roads or households"
    assert SYNTHETIC_BANNER in synthetic
    assert "Made-up households on a made-up street grid." in synthetic
    # The banner is static HTML in the body, before the map: visible without any click or script.
    body = synthetic[synthetic.index("<body>") : synthetic.index("</body>")]
    assert body.index(SYNTHETIC_BANNER) < body.index('class="folium-map"')
    assert SYNTHETIC_BANNER not in real
    assert "SYNTHETIC" not in real


def test_legend_summarises_the_plan(tmp_path: Path) -> None:
    text = render_map(make_plan(), tmp_path / "map.html").read_text("utf-8")
    legend = text[text.index('id="berbagi-legend"') :]
    legend = legend[: legend.index("</details>")]
    assert "Test plan, Kabat" in legend
    assert "7 of 9" in legend  # households served
    assert "2 of 3" in legend  # teams used
    assert "1 h 30 min (team T-01)" in legend  # longest route
    assert "Made-up households" in legend


def test_no_personal_data_in_the_page(tmp_path: Path) -> None:
    text = render_map(make_plan(), tmp_path / "map.html").read_text("utf-8")
    for private in ("Siti", "Rahasia", "widow"):
        assert private not in text


@pytest.mark.parametrize(
    ("hostile", "plan_kwargs"),
    [
        (HOSTILE_TEAM, {"team_a": HOSTILE_TEAM}),
        (HOSTILE_DEPOT, {"depot_name": HOSTILE_DEPOT}),
        (HOSTILE_HOUSEHOLD, {"household": HOSTILE_HOUSEHOLD}),
        (HOSTILE_REASON, {"reason": HOSTILE_REASON}),
    ],
)
def test_user_text_is_escaped(tmp_path: Path, hostile: str, plan_kwargs: dict[str, str]) -> None:
    text = render_map(make_plan(**plan_kwargs), tmp_path / "map.html").read_text("utf-8")
    benign = render_map(make_plan(), tmp_path / "benign.html").read_text("utf-8")
    assert hostile not in text
    assert html.escape(hostile) in text
    # As many script elements as on a benign page: nothing closed or opened early.
    for tag in ("<script", "</script", "<img", "<!--"):
        assert text.lower().count(tag) == benign.lower().count(tag)
    assert "alert(" not in text.replace(html.escape(hostile), "")


def test_title_and_legend_escape_plan_text(tmp_path: Path) -> None:
    plan = replace(make_plan(), title="<b>Bold</b> & co", data_notice="</script><i>x</i>")
    text = render_map(plan, tmp_path / "map.html").read_text("utf-8")
    assert "<b>Bold</b>" not in text
    assert "<title>&lt;b&gt;Bold&lt;/b&gt; &amp; co</title>" in text
    assert "</script><i>x</i>" not in text
    assert "&lt;/script&gt;&lt;i&gt;x&lt;/i&gt;" in text


def test_equal_plans_give_identical_pages(tmp_path: Path) -> None:
    first = render_map(make_plan(), tmp_path / "a.html").read_bytes()
    second = render_map(make_plan(), tmp_path / "b.html").read_bytes()
    assert first == second


def test_empty_plan_still_renders(tmp_path: Path) -> None:
    plan = replace(make_plan(), routes=(), unserved=(), depots=(), areas=())
    collection = build_feature_collection(plan)
    assert collection["features"] == []
    assert "bbox" not in collection
    text = render_map(plan, tmp_path / "map.html").read_text("utf-8")
    assert "var bounds = null;" in text


def _reference_join(
    legs: list[list[tuple[float, float]]], decimals: int
) -> list[list[list[float]]]:
    """Leg by leg, point by point: what joining the leg paths of a route means."""
    parts: list[list[list[float]]] = [[]]
    for leg in legs:
        points = [
            [round(lon, decimals), round(lat, decimals)]
            for lat, lon in leg
            if math.isfinite(lat) and math.isfinite(lon)
        ]
        for i, point in enumerate(points):
            last = parts[-1][-1] if parts[-1] else None
            if point == last:
                continue
            if i == 0 and last is not None:
                parts.append([])
            parts[-1].append(point)
    return [part for part in parts if len(part) >= 2]


@pytest.mark.parametrize("seed", range(20))
def test_joined_legs_match_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    grid = [(-8.2 + 0.0001 * i, 114.3 + 0.0001 * j) for i in range(3) for j in range(3)]
    legs: list[list[tuple[float, float]]] = []
    for _ in range(int(rng.integers(0, 8))):
        size = int(rng.integers(0, 5))
        leg = [grid[int(k)] for k in rng.integers(0, len(grid), size)]
        if legs and legs[-1] and leg and rng.random() < 0.6:
            leg[0] = legs[-1][-1]  # usually a leg starts where the last one ended
        if leg and rng.random() < 0.1:
            leg[int(rng.integers(0, len(leg)))] = (math.nan, 114.3)
        legs.append(leg)
    route = replace(
        make_plan().routes[0],
        legs=tuple(
            Leg(
                distance_m=1.0,
                travel_s=1,
                path=Polyline(lats=tuple(p[0] for p in leg), lons=tuple(p[1] for p in leg)),
            )
            for leg in legs
        ),
    )
    plan = replace(make_plan(), routes=(route,))
    geometry = _features(build_feature_collection(plan, decimals=5), "route")[0]["geometry"]
    expected = _reference_join(legs, 5)
    if not expected:
        assert geometry is None
    elif len(expected) == 1:
        assert geometry == {"type": "LineString", "coordinates": expected[0]}
    else:
        assert geometry == {"type": "MultiLineString", "coordinates": expected}


def test_polyline_with_unequal_lengths_is_rejected() -> None:
    plan = make_plan()
    bad = Leg(distance_m=1.0, travel_s=1, path=Polyline(lats=(-8.2, -8.3), lons=(114.3,)))
    routes = (replace(plan.routes[0], legs=(bad,)), plan.routes[1])
    with pytest.raises(ValueError, match="2 latitudes but 1 longitudes"):
        build_feature_collection(replace(plan, routes=routes))


def test_non_finite_points_get_no_geometry() -> None:
    plan = make_plan()
    stop = replace(plan.routes[0].stops[0], lat=math.nan)
    route = replace(plan.routes[0], stops=(stop, *plan.routes[0].stops[1:]))
    collection = build_feature_collection(replace(plan, routes=(route, plan.routes[1])))
    assert _features(collection, "stop")[0]["geometry"] is None
    assert all(f["geometry"] is not None for f in _features(collection, "stop")[1:])


def test_page_uses_the_configured_rounding(tmp_path: Path) -> None:
    coarse = RenderConfig(coordinate_decimals=4)
    text = render_map(make_plan(), tmp_path / "map.html", config=coarse).read_text("utf-8")
    assert '"scale":10000' in text
    assert '"scale":100000' not in text


def test_the_plan_carries_its_render_settings_to_the_map(tmp_path: Path) -> None:
    plan = replace(make_plan(), render=RenderConfig(online_tiles=True, coordinate_decimals=4))
    text = render_map(plan, tmp_path / "plan.html").read_text("utf-8")
    assert OSM_TILE_URL in text
    assert '"scale":10000,' in text
    # An explicit config wins over the plan's settings.
    plain = render_map(plan, tmp_path / "plain.html", config=RenderConfig()).read_text("utf-8")
    assert OSM_TILE_URL not in plain
    assert '"scale":100000,' in plain


def test_feature_collection_rounds_as_the_plan_says() -> None:
    plan = make_plan()
    stop = replace(plan.routes[0].stops[0], lat=-8.2110049, lon=114.3510051)
    route = replace(plan.routes[0], stops=(stop, *plan.routes[0].stops[1:]))
    plan = replace(plan, routes=(route, plan.routes[1]))
    coarse = replace(plan, render=RenderConfig(coordinate_decimals=4))
    fine = replace(plan, render=RenderConfig(coordinate_decimals=7))
    assert _features(build_feature_collection(coarse), "stop")[0]["geometry"]["coordinates"] == [
        114.351,
        -8.211,
    ]
    assert _features(build_feature_collection(fine), "stop")[0]["geometry"]["coordinates"] == [
        114.3510051,
        -8.2110049,
    ]
    explicit = build_feature_collection(fine, decimals=5)
    assert _features(explicit, "stop")[0]["geometry"]["coordinates"] == [114.35101, -8.211]


# --------------------------------------------------------------------------- streets


def make_streets(
    south: float = -8.245,
    west: float = 114.335,
    north: float = -8.195,
    east: float = 114.385,
    step: float = 0.001,
) -> Streets:
    """A street grid over the test plan: one segment per block side (about 110 m).

    Every tenth row and column is a main road, every third of the others a lane, the rest local
    roads.
    """
    lats = np.round(np.arange(south, north + step / 2, step), 6)
    lons = np.round(np.arange(west, east + step / 2, step), 6)
    seg_lat: list[float] = []
    seg_lon: list[float] = []
    ranks: list[int] = []

    def rank_of(index: int) -> int:
        return RANK_MAIN if index % 10 == 0 else RANK_LANE if index % 3 == 0 else RANK_LOCAL

    for i, lat in enumerate(lats):
        for lon_a, lon_b in itertools.pairwise(lons):
            seg_lat += [lat, lat]
            seg_lon += [lon_a, lon_b]
            ranks.append(rank_of(i))
    for j, lon in enumerate(lons):
        for lat_a, lat_b in itertools.pairwise(lats):
            seg_lat += [lat_a, lat_b]
            seg_lon += [lon, lon]
            ranks.append(rank_of(j))
    count = len(ranks)
    return Streets(
        offsets=np.arange(0, 2 * count + 1, 2, dtype=np.int64),
        lat=np.array(seg_lat, dtype=np.float64),
        lon=np.array(seg_lon, dtype=np.float64),
        rank=np.array(ranks, dtype=np.int8),
        synthetic=True,
        attribution="test streets",
    )


def _segments(lines: list[np.ndarray]) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """Undirected segments of integer lines."""
    out = set()
    for line in lines:
        for a, b in itertools.pairwise(map(tuple, line.tolist())):
            out.add((min(a, b), max(a, b)))
    return out


def _grid_project(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.rint(lon * 1e5).astype(np.int64), np.rint(lat * 1e5).astype(np.int64)


def test_chained_streets_keep_every_segment_once() -> None:
    streets = make_streets()
    groups = build_street_lines(streets, _grid_project)
    assert [g.rank for g in groups] == [RANK_MAIN, RANK_LOCAL, RANK_LANE]
    x, y = _grid_project(streets.lat, streets.lon)
    for group in groups:
        chosen = np.flatnonzero(streets.rank == group.rank)
        expected = _segments(
            [np.array([[x[2 * i], y[2 * i]], [x[2 * i + 1], y[2 * i + 1]]]) for i in chosen]
        )
        lines = group.lines()
        assert all(len(line) >= 2 for line in lines)
        assert sum(len(line) - 1 for line in lines) == len(expected)  # no segment twice
        assert _segments(lines) == expected
        assert group.n_lines < len(chosen) / 3  # segments end to end make long lines


def test_chain_lines_joins_end_to_end_and_reverses() -> None:
    xy = np.array([[0, 0], [1, 0], [2, 0], [1, 0], [1, 1], [3, 3], [4, 4]], dtype=np.int64)
    offsets = np.array([0, 2, 4, 5, 7], dtype=np.int64)  # a, b reversed, c from a's end, far d
    chained, new_offsets = chain_lines(xy, offsets)
    lines = np.split(chained, new_offsets[1:-1])
    assert len(lines) == 3
    assert _segments(lines) == _segments(np.split(xy, offsets[1:-1]))


def test_thinning_drops_points_on_a_straight_line_only() -> None:
    lat = np.array([0.0, 0.0, 0.0, 0.0, 0.00005, 0.001])
    lon = np.array([0.0, 0.001, 0.002, 0.003, 0.004, 0.004])
    streets = Streets(
        offsets=np.array([0, 6], dtype=np.int64),
        lat=lat,
        lon=lon,
        rank=np.array([RANK_LOCAL], dtype=np.int8),
        synthetic=True,
        attribution="",
    )
    (group,) = build_street_lines(streets, _grid_project, tolerance=2.0)
    kept = group.lines()[0].tolist()
    assert kept[0] == [0, 0]  # the ends stay
    assert kept[-1] == [400, 100]
    assert [100, 0] not in kept  # on the straight stretch
    assert [200, 0] not in kept
    assert [400, 5] in kept  # the corner stays


def _street_payload_of(text: str) -> dict:
    match = re.search(r"new BerbagiStreets\((\{.*?\})\);", text, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))


def _unpack_streets(payload: dict) -> dict[int, list[np.ndarray]]:
    """Undo the page's packing: every rank one run of steps across its cells and lines."""
    out: dict[int, list[np.ndarray]] = {}
    for rank in payload["ranks"]:
        x = y = 0
        lines = []
        for cell in rank["cells"]:
            for flat in cell:
                points = []
                for dx, dy in zip(flat[0::2], flat[1::2], strict=True):
                    x, y = x + dx, y + dy
                    points.append((x, y))
                lines.append(np.array(points, dtype=np.int64))
        out[rank["r"]] = lines
    return out


def test_map_packs_the_streets_near_the_plan(tmp_path: Path) -> None:
    streets = make_streets()
    text = render_map(make_plan(), tmp_path / "map.html", streets=streets).read_text("utf-8")
    payload = _street_payload_of(text)
    assert payload["scale"] == 100000
    assert [(r["r"], r["z"]) for r in payload["ranks"]] == [(0, 0), (1, 14), (2, 16)]
    unpacked = _unpack_streets(payload)
    west, south, east, north = build_feature_collection(make_plan())["bbox"]
    near = streets.within(south - 0.01, west - 0.01, north + 0.01, east + 0.01)  # 0.01 degree
    x, y = _grid_project(near.lat, near.lon)
    for rank, lines in unpacked.items():
        chosen = np.flatnonzero(near.rank == rank)
        expected = _segments(
            [np.array([[x[2 * i], y[2 * i]], [x[2 * i + 1], y[2 * i + 1]]]) for i in chosen]
        )
        assert _segments(lines) == expected
    assert "Main road" in text  # the legend
    assert "Lane (gang) (from zoom 16)" in text


def test_streets_far_from_the_plan_are_left_out(tmp_path: Path) -> None:
    far = make_streets(south=-7.5, west=113.5, north=-7.45, east=113.55)
    text = render_map(make_plan(), tmp_path / "map.html", streets=far).read_text("utf-8")
    assert "new BerbagiStreets(" not in text
    assert "Main road" not in text


def test_map_without_streets_has_no_street_layer(tmp_path: Path) -> None:
    text = render_map(make_plan(), tmp_path / "map.html").read_text("utf-8")
    assert "new BerbagiStreets(" not in text
    assert "berbagiSearch(map_b0," in text  # the search box is there all the same


def test_streets_keep_pages_deterministic(tmp_path: Path) -> None:
    streets = make_streets()
    first = render_map(make_plan(), tmp_path / "a.html", streets=streets).read_bytes()
    second = render_map(make_plan(), tmp_path / "b.html", streets=streets).read_bytes()
    assert first == second


def _layer_data(text: str, kind: str) -> dict:
    match = re.search(rf'berbagiLayer\(\s*"{kind}",\s*(\{{.*?\}}),\s*\{{\}}\);', text, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))


def test_routes_and_stops_carry_their_ids_for_the_search(tmp_path: Path) -> None:
    plan = make_plan(team_a=HOSTILE_TEAM, household=HOSTILE_HOUSEHOLD)
    text = render_map(plan, tmp_path / "map.html").read_text("utf-8")
    routes = _layer_data(text, "route")["routes"]
    assert [route[2] for route in routes] == [html.escape(HOSTILE_TEAM), "T-02"]
    stops = _layer_data(text, "stop")
    assert stops["stops"][0][4] == html.escape(HOSTILE_HOUSEHOLD)
    assert stops["teams"][stops["stops"][0][0]][0] == html.escape(HOSTILE_TEAM)
