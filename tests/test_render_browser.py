"""The map in a real browser: headless Chromium draws it with no network at all."""

from __future__ import annotations

import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_render_maps import make_plan

from optimizer.config import RenderConfig
from optimizer.render.maps import render_map

CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 900

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs headless Chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    rows: list[bytes]  # RGB, 3 bytes a pixel

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        row = self.rows[y]
        return row[3 * x], row[3 * x + 1], row[3 * x + 2]

    def pixels(self, top: int = 0, bottom: int | None = None) -> list[tuple[int, int, int]]:
        out = []
        for row in self.rows[top:bottom]:
            out.extend(zip(row[0::3], row[1::3], row[2::3], strict=True))
        return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path: Path) -> Image:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) to RGB rows."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat = 8, bytearray()
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8, "unsupported PNG bit depth"
            assert colour in (2, 6), "unsupported PNG colour type"
            assert interlace == 0, "interlaced PNG"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, upper_left)) & 0xFF
        previous = line
        if channels == 4:
            rgb = bytearray(width * 3)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[0::4], line[1::4], line[2::4]
            rows.append(bytes(rgb))
        else:
            rows.append(bytes(line))
    return Image(width, height, rows)


def screenshot(page: Path, png: Path, profile: Path) -> Image:
    """Let Chromium render the page offline (no name resolves) and decode its screenshot."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={WIDTH},{HEIGHT}",
        "--virtual-time-budget=5000",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert png.exists(), f"chromium wrote no screenshot (exit {done.returncode}):\n{done.stderr}"
    return read_png(png)


def _count(pixels: list[tuple[int, int, int]], test: object) -> int:
    assert callable(test)
    return sum(1 for p in pixels if test(*p))


def _blue(r: int, g: int, b: int) -> bool:  # route and stops of team 1, #1f77b4
    return b > 150 and b - r > 70 and b - g > 20


def _orange(r: int, g: int, b: int) -> bool:  # route and stops of team 2, #ff7f0e
    return r > 200 and 90 < g < 180 and b < 90


def _red(r: int, g: int, b: int) -> bool:  # the unserved household, #d62728
    return r > 170 and g < 70 and b < 70


def _banner(r: int, g: int, b: int) -> bool:  # #fff3b0
    return r > 245 and 235 < g < 250 and 165 < b < 190


def test_synthetic_map_draws_routes_and_banner_offline(tmp_path: Path) -> None:
    page = render_map(make_plan(synthetic=True), tmp_path / "map.html")
    image = screenshot(page, tmp_path / "map.png", tmp_path / "profile")
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    everything = image.pixels()
    assert len(set(everything)) > 50, "the screenshot is (nearly) blank"
    top = image.pixels(0, 25)
    assert _count(top, _banner) > WIDTH * 10, "no synthetic-data banner at the top"
    body = image.pixels(60)
    # Drawn by the inlined Leaflet: nothing could be loaded from the network.
    assert _count(body, _blue) > 100, "team 1's route is not drawn"
    assert _count(body, _orange) > 100, "team 2's route is not drawn"
    assert _count(body, _red) > 20, "the unserved household is not drawn"


def test_real_data_map_has_no_banner_and_online_tiles_are_optional(tmp_path: Path) -> None:
    plan = make_plan(synthetic=False)
    page = render_map(plan, tmp_path / "map.html", config=RenderConfig(online_tiles=True))
    image = screenshot(page, tmp_path / "map.png", tmp_path / "profile")
    assert _count(image.pixels(0, 25), _banner) < WIDTH, "banner on a map of real data"
    body = image.pixels()
    # The tiles cannot load here; the plan is drawn all the same.
    assert _count(body, _blue) > 100
    assert _count(body, _orange) > 100
