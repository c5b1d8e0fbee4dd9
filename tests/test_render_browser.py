"""Pages in a real browser: headless Chromium, driven by Playwright, with the network cut off.

Every request that is not for a local file is aborted and recorded, so a page that tried to
load anything from the internet fails here. Screenshots are read with Pillow and their pixels
counted by colour: the streets' greys, each team's colour, the banner's yellow.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import GOOD
from PIL import Image
from test_render_maps import HOSTILE_TEAM, make_plan, make_streets

from optimizer.config import RenderConfig
from optimizer.geometry import build_streets
from optimizer.plan import Plan
from optimizer.render.maps import render_map
from optimizer.render.phone import write_phone_pages
from optimizer.roadgraph import load_road_graph

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 900
PHONE = (412, 915)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="needs the playwright Python package (pip install playwright); it drives "
    "/usr/bin/chromium, no browser download",
)

Pixels = np.ndarray
Test = Callable[[Pixels, Pixels, Pixels], Pixels]


@dataclass
class Opened:
    """A page open in the browser, with the requests it was refused and its errors."""

    page: Any
    blocked: list[str]
    errors: list[str]

    def settle(self) -> None:
        """Wait until the page has drawn two frames (Leaflet draws on the next frame)."""
        self.page.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def screenshot(self, selector: str | None = None) -> Image.Image:
        self.settle()
        target = self.page.locator(selector) if selector else self.page
        return Image.open(io.BytesIO(target.screenshot())).convert("RGB")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@contextmanager
def open_page(
    browser: Any, path: Path, size: tuple[int, int] = (WIDTH, HEIGHT)
) -> Iterator[Opened]:
    """Open a local page with every request that is not ``file://`` aborted and recorded."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    opened = Opened(page=page, blocked=[], errors=[])

    def refuse(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    try:
        yield opened
    finally:
        context.close()


def count(image: Image.Image, test: Test, box: tuple[int, int, int, int] | None = None) -> int:
    """Pixels of the image (or of ``box``: left, top, right, bottom) that pass the colour test."""
    if box is not None:
        image = image.crop(box)
    rgb = np.asarray(image, dtype=np.int16)
    return int(test(rgb[..., 0], rgb[..., 1], rgb[..., 2]).sum())


def blue(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # team 1, #1f77b4
    return (b > 150) & (b - r > 70) & (b - g > 20)


def orange(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # team 2, #ff7f0e
    return (r > 200) & (g > 90) & (g < 180) & (b < 90)


def red(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # unserved household, #d62728
    return (r > 170) & (g < 70) & (b < 70)


def banner(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # #fff3b0
    return (r > 245) & (g > 235) & (g < 250) & (b > 165) & (b < 190)


def road_grey(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # streets: #8c8c8c to #c9c9c9
    return (abs(r - g) <= 6) & (abs(g - b) <= 6) & (r >= 120) & (r <= 215)


def light(r: Pixels, g: Pixels, b: Pixels) -> Pixels:  # white text, smoothed at its edges
    return (r > 200) & (g > 200) & (b > 200)


# --------------------------------------------------------------------------- the overview map


def test_synthetic_map_draws_routes_and_banner_offline(browser: Any, tmp_path: Path) -> None:
    page = render_map(make_plan(synthetic=True), tmp_path / "map.html")
    with open_page(browser, page) as opened:
        image = opened.screenshot()
        assert opened.blocked == []
        assert opened.errors == []
    assert image.size == (WIDTH, HEIGHT)
    colours = np.unique(np.asarray(image).reshape(-1, 3), axis=0)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    assert count(image, banner, (0, 0, WIDTH, 25)) > WIDTH * 10, "no synthetic-data banner"
    body = (0, 60, WIDTH, HEIGHT)
    # Drawn by the inlined Leaflet: nothing could be loaded from the network.
    assert count(image, blue, body) > 100, "team 1's route is not drawn"
    assert count(image, orange, body) > 100, "team 2's route is not drawn"
    assert count(image, red, body) > 20, "the unserved household is not drawn"


def test_real_data_map_has_no_banner_and_online_tiles_are_optional(
    browser: Any, tmp_path: Path
) -> None:
    plan = make_plan(synthetic=False)
    page = render_map(plan, tmp_path / "map.html", config=RenderConfig(online_tiles=True))
    with open_page(browser, page) as opened:
        image = opened.screenshot()
        # The tiles are the only thing the page asks the network for, and it is refused here.
        assert opened.blocked
        assert all(url.startswith("https://tile.openstreetmap.org/") for url in opened.blocked)
        assert all("Failed to load resource" in error for error in opened.errors)
    assert count(image, banner, (0, 0, WIDTH, 25)) < WIDTH, "banner on a map of real data"
    # The tiles cannot load here; the plan is drawn all the same.
    assert count(image, blue) > 100
    assert count(image, orange) > 100


def _shown_street_ranks(opened: Opened) -> list[int]:
    return opened.page.evaluate(
        """() => {
        var ranks = [];
        map_b0.eachLayer(function (l) {
            if (l instanceof BerbagiStreets) {
                l._data.ranks.forEach(function (rank, i) {
                    if (l._ranks[i] && l.hasLayer(l._ranks[i])) { ranks.push(rank.r); }
                });
            }
        });
        return ranks;
    }"""
    )


def _set_view(opened: Opened, lat: float, lon: float, zoom: int) -> None:
    opened.page.evaluate(
        "([lat, lon, zoom]) => { map_b0.setView([lat, lon], zoom, {animate: false}); }",
        [lat, lon, zoom],
    )
    opened.settle()


def test_streets_are_drawn_under_the_routes_by_zoom(browser: Any, tmp_path: Path) -> None:
    plan = make_plan()
    plain = render_map(plan, tmp_path / "plain.html")
    with_streets = render_map(plan, tmp_path / "map.html", streets=make_streets())
    with open_page(browser, plain) as opened:
        _set_view(opened, -8.222, 114.361, 15)
        grey_without = count(opened.screenshot(), road_grey)
    with open_page(browser, with_streets) as opened:
        _set_view(opened, -8.222, 114.361, 15)
        assert _shown_street_ranks(opened) == [0, 1]  # main and local roads, no lanes yet
        close = opened.screenshot()
        _set_view(opened, -8.222, 114.361, 16)
        assert _shown_street_ranks(opened) == [0, 1, 2]
        _set_view(opened, -8.222, 114.361, 12)
        assert _shown_street_ranks(opened) == [0]
        far = opened.screenshot()
        assert opened.blocked == []
        assert opened.errors == []
    grey_close = count(close, road_grey)
    assert grey_close > grey_without + 20_000, "the streets are not drawn"
    assert count(far, road_grey) < grey_close / 2, "local roads are drawn at zoom 12"
    # The routes stay on top of the streets.
    assert count(close, blue) > 500
    assert count(close, orange) > 500


def test_stops_show_their_number_from_street_zoom(browser: Any, tmp_path: Path) -> None:
    page = render_map(make_plan(), tmp_path / "map.html", streets=make_streets())
    stop = make_plan().routes[1].stops[0]  # team T-02's first door: orange

    def around_stop(opened: Opened, zoom: int) -> tuple[int, int]:
        _set_view(opened, stop.lat, stop.lon, zoom)
        x, y = opened.page.evaluate(
            """([lat, lon]) => {
                var p = map_b0.latLngToContainerPoint([lat, lon]);
                var r = map_b0.getContainer().getBoundingClientRect();
                return [Math.round(r.left + p.x), Math.round(r.top + p.y)];
            }""",
            [stop.lat, stop.lon],
        )
        box = (x - 12, y - 12, x + 13, y + 13)
        image = opened.screenshot()
        return count(image, orange, box), count(image, light, (x - 5, y - 5, x + 6, y + 6))

    with open_page(browser, page) as opened:
        small, _ = around_stop(opened, 15)
        big, text = around_stop(opened, 17)
        assert opened.errors == []
    assert small < 120  # a dot of radius 4
    assert big > 150  # a disc of radius 9 ...
    assert text > 3  # ... with its number in white


def _route_bounds(opened: Opened, team: str) -> list[float]:
    return opened.page.evaluate(
        """(team) => {
            var found = null;
            map_b0.eachLayer(function (l) {
                if (l.feature && l.feature.properties.id === team && l.getBounds) { found = l; }
            });
            var b = found.getBounds();
            return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
        }""",
        team,
    )


def _view_contains(opened: Opened, bounds: list[float]) -> bool:
    return opened.page.evaluate(
        "([s, w, n, e]) => map_b0.getBounds().contains([[s, w], [n, e]])", bounds
    )


def _search(opened: Opened, query: str) -> str:
    box = opened.page.locator(".berbagi-search input")
    box.fill(query)
    box.press("Enter")
    opened.settle()
    return opened.page.locator(".berbagi-search-status").inner_text()


def test_search_finds_a_team_and_zooms_to_it(browser: Any, tmp_path: Path) -> None:
    page = render_map(make_plan(), tmp_path / "map.html", streets=make_streets())
    with open_page(browser, page) as opened:
        _set_view(opened, -8.30, 114.20, 14)  # far away from every route
        team = _route_bounds(opened, "T-02")
        assert not _view_contains(opened, team)
        assert _search(opened, "t-02") == "Team T-02"  # any case
        opened.page.wait_for_function("map_b0.getZoom() >= 15", polling=100, timeout=5000)
        assert _view_contains(opened, team)
        assert opened.page.evaluate("map_b0.getZoom()") <= 17
        status = _search(opened, "HH-0012")
        assert status == "Household HH-0012"
        opened.page.wait_for_function("map_b0.getZoom() >= 17", polling=100, timeout=5000)
        popup = opened.page.locator(".leaflet-popup-content")
        assert "Household HH-0012" in popup.inner_text()
        assert _search(opened, "HH-00") == "Household HH-0005 (1 of 7; Enter for the next)"
        assert _search(opened, "HH-00").startswith("Household HH-0002 (2 of 7")
        assert _search(opened, "nobody") == "No team or household id contains “nobody”."
        assert opened.blocked == []
        assert opened.errors == []


def test_search_finds_a_team_whose_id_looks_like_markup(browser: Any, tmp_path: Path) -> None:
    page = render_map(make_plan(team_a=HOSTILE_TEAM), tmp_path / "map.html")
    with open_page(browser, page) as opened:
        assert _search(opened, HOSTILE_TEAM) == f"Team {HOSTILE_TEAM}"
        assert opened.page.evaluate("typeof window.alert") == "function"
        assert opened.errors == []
        assert opened.page.locator(".berbagi-search script").count() == 0


# --------------------------------------------------------------------------- the phone page


@pytest.fixture(scope="module")
def phone_pages(tiny_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The tiny plan's phone pages, its first team given a priority door and an estimated one."""
    route = tiny_plan.routes[0]
    stops = (
        replace(route.stops[0], priority=True),
        replace(route.stops[1], location="approximate (RT 001/RW 001)"),
        *route.stops[2:],
    )
    plan = replace(tiny_plan, routes=(replace(route, stops=stops), *tiny_plan.routes[1:]))
    streets = build_streets(load_road_graph(GOOD / "tiny_network.npz"))
    return write_phone_pages(plan, streets, tmp_path_factory.mktemp("phone"))


def test_phone_page_draws_route_streets_and_numbered_stops_offline(
    browser: Any, phone_pages: list[Path], tiny_plan: Plan
) -> None:
    route = tiny_plan.routes[0]
    with open_page(browser, phone_pages[0], PHONE) as opened:
        page = opened.page
        assert page.locator("#map path.r1").count() == 1
        assert page.locator("#map path.route").count() == 1
        numbers = page.locator("#map .mk:not(.depot) text").all_text_contents()
        assert numbers == [str(stop.sequence) for stop in route.stops]
        assert page.locator("#map .mk.depot").count() == 1
        assert page.locator("#map .mk.prio").count() == 1
        assert page.locator("#map .mk.approx").count() == 1
        image = opened.screenshot("#map")
        assert opened.blocked == []
        assert opened.errors == []
    assert image.size[0] == PHONE[0]
    assert count(image, road_grey) > 2_000, "the streets are not drawn"
    assert count(image, blue) > 1_000, "the route and its stops are not drawn"
    assert count(image, red) > 30, "the priority ring is not drawn"


def test_phone_page_map_zooms_to_a_tapped_stop(browser: Any, phone_pages: list[Path]) -> None:
    with open_page(browser, phone_pages[0], PHONE) as opened:
        page = opened.page
        whole = page.get_attribute("#map", "viewBox")
        page.locator('a.num[data-stop="2"]').click()
        opened.settle()
        zoomed = page.get_attribute("#map", "viewBox")
        assert zoomed != whole
        assert float(zoomed.split()[2]) < float(whole.split()[2])
        assert page.locator('#map a[href="#s2"] .mk.sel').count() == 1
        page.locator("#zfit").click()
        assert page.get_attribute("#map", "viewBox") == whole
        page.locator("#zin").click()
        assert float(page.get_attribute("#map", "viewBox").split()[2]) < float(whole.split()[2])
        assert opened.errors == []


def test_phone_page_text_reads_at_phone_size(browser: Any, phone_pages: list[Path]) -> None:
    with open_page(browser, phone_pages[1], PHONE) as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        assert "DATA DEMO SINTETIS" in page.locator(".banner").inner_text()
        first = page.locator("#s1")
        assert first.locator(".go").get_attribute("href").startswith("geo:")
        assert first.locator(".go").bounding_box()["height"] >= 36  # a finger-sized target
        assert opened.errors == []
