"""Phone pages: one small offline HTML file per team, its geo: links, words, names and escaping."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from conftest import GOOD

from optimizer.geometry import RANK_LOCAL, RANK_MAIN, Streets, build_streets
from optimizer.plan import Break, Plan, Reload, Route, Stop
from optimizer.render.filenames import safe_file_stem, team_file_stems
from optimizer.render.phone import TEXT, render_phone_page, write_phone_pages
from optimizer.render.phonemap import render_route_svg
from optimizer.roadgraph import load_road_graph

HOSTILE = "<b>x</b> & <img src=x onerror=alert(1)>"
#: Anything that would make the page fetch something: remote links, sources, style imports.
_REMOTE = re.compile(
    r"""https?:|//[a-z0-9.-]+\.[a-z]{2,}|<link\b|<iframe\b|@import|url\(|\bsrc\s*=""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def streets() -> Streets:
    """The tiny scenario's road network as drawable streets (a 4 x 4 grid and a lane)."""
    return build_streets(load_road_graph(GOOD / "tiny_network.npz"))


def _forty_stops(route: Route) -> Route:
    """The route stretched to 40 doors, visiting its own doors again under new ids.

    Door 3 is a priority household, door 7 has an approximate position, door 9 a time window;
    every door has a dusun and an RT/RW the address does not mention. The team reloads after
    door 20 and takes its break after door 25.
    """
    base = route.stops
    stops = []
    for number in range(1, 41):
        stop = base[(number - 1) % len(base)]
        arrival = 8 * 3600 + number * 420
        stops.append(
            replace(
                stop,
                sequence=number,
                household_id=f"HH-{number:03d}",
                head_name=f"Siti Rohmah binti Sulaiman {number}",
                address=f"Jl. Kenanga {number}",
                dusun="Krajan",
                rt="003",
                rw="001",
                arrival_s=arrival,
                departure_s=arrival + 300,
                priority=number == 3,
                location="approximate (RT 003/RW 001)" if number == 7 else "register",
                window_start_s=9 * 3600 if number == 9 else None,
                window_end_s=11 * 3600 if number == 9 else None,
            )
        )
    legs = tuple(route.legs[i % len(route.legs)] for i in range(41))
    return replace(
        route,
        stops=tuple(stops),
        legs=legs,
        reloads=(Reload(after_stop=20, arrival_s=8 * 3600 + 20 * 420 + 600, departure_s=0),),
        break_=Break(after_stop=25, start_s=12 * 3600, end_s=13 * 3600),
        start_s=8 * 3600,
        end_s=8 * 3600 + 41 * 420 + 3600,
    )


@pytest.fixture(scope="module")
def big_plan(tiny_plan: Plan) -> Plan:
    """The tiny plan with its first team stretched to 40 doors (see ``_forty_stops``)."""
    first = _forty_stops(tiny_plan.routes[0])
    return replace(tiny_plan, routes=(first, *tiny_plan.routes[1:]))


def _page(plan: Plan, streets: Streets | None, **render: object) -> str:
    config = plan.render.model_copy(update=render)
    return render_phone_page(plan, 0, streets, config=config)


def _stop(plan: Plan, number: int) -> Stop:
    return plan.routes[0].stops[number - 1]


# --------------------------------------------------------------------------- files


def test_one_page_per_team_in_teams_folder(tiny_plan: Plan, streets: Streets, tmp_path: Path):
    written = write_phone_pages(tiny_plan, streets, tmp_path)
    assert written == [tmp_path / "teams" / f"{r.team_id}.html" for r in tiny_plan.routes]
    for path, route in zip(written, tiny_plan.routes, strict=True):
        text = path.read_text("utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert f"Tim {route.team_id}" in text


def test_team_ids_become_safe_distinct_file_names(
    tiny_plan: Plan, streets: Streets, tmp_path: Path
):
    routes = (
        replace(tiny_plan.routes[0], team_id="Tim/1: Kabat*"),
        replace(tiny_plan.routes[1], team_id="tim/1: kabat?"),
    )
    written = write_phone_pages(replace(tiny_plan, routes=routes), streets, tmp_path)
    assert [p.name for p in written] == ["Tim_1_Kabat_.html", "tim_1_kabat_-2.html"]
    assert all(p.parent == tmp_path / "teams" for p in written)


@pytest.mark.parametrize(
    ("team_id", "stem"),
    [
        ("T-01", "T-01"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("", "_"),
        ("CON", "_CON"),
        ("Tim Kabat 1", "Tim_Kabat_1"),
        ("..", "_"),
    ],
)
def test_safe_file_stem(team_id: str, stem: str):
    assert safe_file_stem(team_id) == stem


def test_team_file_stems_are_stable_and_distinct():
    stems = team_file_stems(["A", "a", "A", "a-2"])
    assert stems == {"A": "A", "a": "a-2", "a-2": "a-2-2"}


# --------------------------------------------------------------------------- size and offline


def test_forty_door_page_is_small_and_self_contained(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets)
    assert len(text.encode("utf-8")) < 500_000
    assert _REMOTE.search(text) is None
    assert "default-src 'none'" in text  # the page may not load anything, even by mistake
    links = re.findall(r'href="([^"]*)"', text)
    assert links
    assert all(link.startswith(("#", "geo:")) for link in links)
    assert text.count('<li id="s') == 40


def test_geo_link_per_door_with_its_coordinates(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets)
    found = re.findall(
        r'<li id="s(\d+)">.*?href="geo:(-?[\d.]+),(-?[\d.]+)\?q=(-?[\d.]+),(-?[\d.]+)\(([^)]*)\)"',
        text,
    )
    assert len(found) == 40
    for number, lat, lon, q_lat, q_lon, label in found:
        stop = _stop(big_plan, int(number))
        assert (lat, lon) == (q_lat, q_lon)
        assert lat == f"{stop.lat:.5f}"
        assert lon == f"{stop.lon:.5f}"
        assert unquote(html.unescape(label)) == f"{number}. {stop.household_id}"
    # The depot has one too, rounded as the scenario asks.
    coarse = _page(big_plan, streets, coordinate_decimals=4)
    route = big_plan.routes[0]
    assert f"geo:{route.depot_lat:.4f},{route.depot_lon:.4f}?q=" in coarse


def test_equal_plans_give_identical_bytes(big_plan: Plan, streets: Streets, tmp_path: Path):
    first = [p.read_bytes() for p in write_phone_pages(big_plan, streets, tmp_path / "a")]
    second = [p.read_bytes() for p in write_phone_pages(big_plan, streets, tmp_path / "b")]
    assert first == second


def test_streets_near_the_route_are_drawn(big_plan: Plan, streets: Streets):
    with_streets = _page(big_plan, streets)
    without = _page(big_plan, None)
    assert re.search(r'<path class="r1" d="m[^"]+"', with_streets)
    assert 'class="r1"' not in without
    assert 'class="route"' in without  # the route itself needs no streets
    assert "test grid" in with_streets  # the road data's credit


def test_streets_far_from_the_route_are_left_out(big_plan: Plan):
    route = big_plan.routes[0]
    lat, lon = route.depot_lat, route.depot_lon
    streets = Streets(
        offsets=np.array([0, 2, 4], dtype=np.int64),
        lat=np.array([lat, lat + 0.0005, lat + 0.5, lat + 0.5005]),
        lon=np.array([lon, lon, lon + 0.5, lon + 0.5]),
        rank=np.array([RANK_MAIN, RANK_LOCAL], dtype=np.int8),
        synthetic=True,
        attribution="",
    )
    svg = render_route_svg(route, "#1f77b4", streets)
    assert re.search(r'<path class="r0" d="m[^m"]+"', svg)  # the near street, one line
    assert 'class="r1"' not in svg


# --------------------------------------------------------------------------- what it says


def test_rows_follow_the_day(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets)
    route = big_plan.routes[0]
    order = [
        text.index('id="depot"'),
        text.index('id="s1"'),
        text.index('id="s20"'),
        text.index("muat ulang paket"),
        text.index('id="s21"'),
        text.index('id="s25"'),
        text.index("12:00–13:00", text.index('id="s1"')),
        text.index('id="s26"'),
        text.index('id="s40"'),
        text.index("Tiba kembali di depot"),
    ]
    assert order == sorted(order)
    row = text[text.index('id="s2"') : text.index('id="s3"')]
    assert ">08:14<" in row  # arrival 8 h + 2 x 7 min, as HH:MM
    assert "Siti Rohmah binti Sulaiman 2" in row
    assert "Jl. Kenanga 2" in row
    assert "Dusun Krajan · RT 003/RW 001" in row
    assert f"{_stop(big_plan, 2).packages} paket · ID HH-002" in row
    assert f"{route.start_s // 3600:02d}:00" in text[: text.index('id="s1"')]


def test_marks_for_priority_approximate_and_window(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets)

    def row(number: int) -> str:
        start = text.index(f'id="s{number}"')
        return text[start : text.index("</li>", start)]

    assert "PRIORITAS" in row(3)
    assert "PRIORITAS" not in row(4)
    assert "lokasi perkiraan: tanyakan ketua RT" in row(7)
    assert "lokasi perkiraan" not in row(8)
    assert "hanya 09:00–11:00" in row(9)
    # The map marks them as well.
    assert re.search(r'href="#s3"><g class="mk prio"', text)
    assert re.search(r'href="#s7"><g class="mk approx"', text)


def test_english_pages(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets, language="en")
    assert '<html lang="en">' in text
    for key in ("order", "priority", "approximate", "leave", "back", "break"):
        assert html.escape(TEXT["en"][key]) in text
    assert "approximate location: ask the RT head" in text
    assert "Urutan kunjungan" not in text
    assert "SYNTHETIC DEMO DATA" in text


def test_indonesian_is_the_default(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets)
    assert '<html lang="id">' in text
    assert "DATA DEMO SINTETIS" in text
    assert "Urutan kunjungan" in text
    assert "Buka di aplikasi peta" in text


def test_banner_only_for_synthetic_plans(big_plan: Plan, streets: Streets):
    real = _page(replace(big_plan, synthetic_data=False, data_notice=""), streets)
    assert "DATA DEMO SINTETIS" not in real
    assert 'class="banner"' not in real


def test_initials_hide_full_names(big_plan: Plan, streets: Streets):
    text = _page(big_plan, streets, names="initials")
    assert "Siti Rohmah" not in text
    assert "S. R. B. S. 2." in text
    assert "Siti Rohmah binti Sulaiman 2" in _page(big_plan, streets, names="full")


def test_no_nik_like_number_on_the_page(big_plan: Plan, streets: Streets):
    assert re.search(r"(?<!\d)\d{16}(?!\d)", _page(big_plan, streets)) is None


@pytest.mark.parametrize("field", ["head_name", "address", "household_id", "dusun", "rt"])
def test_user_text_is_escaped(big_plan: Plan, streets: Streets, field: str):
    route = big_plan.routes[0]
    stop = replace(route.stops[0], **{field: HOSTILE})
    plan = replace(big_plan, routes=(replace(route, stops=(stop, *route.stops[1:])),))
    text = _page(plan, streets)
    benign = _page(big_plan, streets)
    assert HOSTILE not in text
    assert html.escape(HOSTILE) in text
    for tag in ("<script", "</script", "<img", "<b>", "<!--"):
        assert text.lower().count(tag) == benign.lower().count(tag)


def test_team_depot_vehicle_and_title_are_escaped(big_plan: Plan, streets: Streets):
    route = replace(big_plan.routes[0], team_id=HOSTILE, depot_name=HOSTILE, vehicle=HOSTILE)
    plan = replace(big_plan, routes=(route,), title=HOSTILE, date=HOSTILE)
    text = _page(plan, streets)
    assert HOSTILE not in text
    assert "<img" not in text
    assert f"<title>Tim {html.escape(HOSTILE)}</title>" in text
    assert text.count("<script") == 1


def test_route_without_doors_still_renders(tiny_plan: Plan, streets: Streets):
    route = replace(tiny_plan.routes[0], stops=(), legs=(), reloads=(), break_=None)
    text = _page(replace(tiny_plan, routes=(route,)), streets)
    assert "Tim ini tidak punya rumah untuk dikunjungi." in text
    assert 'id="depot"' in text
