"""Scenario settings that reach the outputs: the ``[render]`` table, file -> Plan -> files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import GOOD
from test_render_maps import _EXTERNAL_RESOURCE

from optimizer.api import plan_scenario, write_outputs
from optimizer.config import RenderConfig
from optimizer.plan import Plan
from optimizer.render.maps import OSM_TILE_URL, build_feature_collection

#: HH-FAR of the tiny scenario (unserved, so drawn as plain GeoJSON on the map): its latitude
#: has 7 decimals in the households file.
FAR_LAT_7 = "-8.2644966"
FAR_LAT_5 = "-8.2645"


def _plan_with_render(folder: Path, render: str) -> Plan:
    """Plan a copy of the tiny scenario whose TOML file ends with the given ``[render]`` table."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in GOOD.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    path = folder / "tiny.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[render]\n" + render, encoding="utf-8")
    return plan_scenario(path)


@pytest.fixture(scope="module")
def fine_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The tiny scenario with ``coordinate_decimals = 7`` (default: 5)."""
    return _plan_with_render(tmp_path_factory.mktemp("fine"), "coordinate_decimals = 7\n")


@pytest.fixture(scope="module")
def tiles_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The tiny scenario with ``online_tiles = true`` (default: false)."""
    return _plan_with_render(tmp_path_factory.mktemp("tiles"), "online_tiles = true\n")


def _decimals(number: float) -> int:
    text = repr(float(number))
    return len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0


def _coordinates(value: object) -> list[float]:
    """Every number of a (nested) GeoJSON coordinates value."""
    if isinstance(value, list):
        return [number for item in value for number in _coordinates(item)]
    return [float(value)] if isinstance(value, int | float) else []


def _csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle) if row[column]]


def test_render_settings_reach_the_plan(tiny_plan: Plan, fine_plan: Plan, tiles_plan: Plan) -> None:
    assert tiny_plan.render == RenderConfig()
    assert fine_plan.render == RenderConfig(coordinate_decimals=7)
    assert tiles_plan.render == RenderConfig(online_tiles=True)
    # The same routes, drawn differently: plans differ only in their render settings.
    assert fine_plan.routes == tiny_plan.routes
    assert fine_plan != tiny_plan


def test_plan_json_records_the_render_settings(
    tiny_plan: Plan, fine_plan: Plan, tmp_path: Path
) -> None:
    write_outputs(tiny_plan, tmp_path / "default")
    write_outputs(fine_plan, tmp_path / "fine")
    default = json.loads((tmp_path / "default" / "plan.json").read_text(encoding="utf-8"))
    fine = json.loads((tmp_path / "fine" / "plan.json").read_text(encoding="utf-8"))
    assert default["meta"]["render"] == {
        "coordinate_decimals": 5,
        "language": "id",
        "names": "full",
        "online_tiles": False,
    }
    assert list(fine["meta"]["render"]) == sorted(fine["meta"]["render"])
    assert fine["meta"]["render"]["coordinate_decimals"] == 7
    # Written twice, byte for byte the same.
    write_outputs(fine_plan, tmp_path / "again")
    again = (tmp_path / "again" / "plan.json").read_bytes()
    assert again == (tmp_path / "fine" / "plan.json").read_bytes()


def test_coordinate_decimals_change_the_map_and_the_sheets(
    tiny_plan: Plan, fine_plan: Plan, tmp_path: Path
) -> None:
    write_outputs(tiny_plan, tmp_path / "default")
    write_outputs(fine_plan, tmp_path / "fine")
    default_map = (tmp_path / "default" / "map.html").read_text(encoding="utf-8")
    fine_map = (tmp_path / "fine" / "map.html").read_text(encoding="utf-8")
    # Routes and stops are packed in steps of 1 / scale degree; other points are GeoJSON.
    assert '"scale":100000,' in default_map
    assert '"scale":10000000,' in fine_map
    assert '"scale":100000,' not in fine_map
    assert f"[114.34,{FAR_LAT_5}]" in default_map
    assert f"[114.34,{FAR_LAT_7}]" in fine_map
    assert FAR_LAT_7 not in default_map
    # The FeatureCollection the map is drawn from follows the plan's setting.
    for plan, decimals in ((tiny_plan, 5), (fine_plan, 7)):
        numbers = [
            number
            for feature in build_feature_collection(plan)["features"]
            if feature["geometry"] is not None
            for number in _coordinates(feature["geometry"]["coordinates"])
        ]
        assert max(_decimals(n) for n in numbers) == decimals
    # The sheets write coordinates with as many decimals.
    for folder, decimals in (("default", 5), ("fine", 7)):
        for sheet in ("routes.csv", "unserved.csv"):
            lats = _csv_column(tmp_path / folder / sheet, "lat")
            assert lats
            assert {len(lat.split(".")[1]) for lat in lats} == {decimals}, sheet


def test_online_tiles_add_a_tile_layer(tiny_plan: Plan, tiles_plan: Plan, tmp_path: Path) -> None:
    write_outputs(tiny_plan, tmp_path / "default")
    write_outputs(tiles_plan, tmp_path / "tiles")
    default_map = (tmp_path / "default" / "map.html").read_text(encoding="utf-8")
    tiles_map = (tmp_path / "tiles" / "map.html").read_text(encoding="utf-8")
    assert OSM_TILE_URL in tiles_map
    assert "OpenStreetMap (online)" in tiles_map
    # By default the map loads nothing from the network.
    assert "openstreetmap.org" not in default_map
    assert _EXTERNAL_RESOURCE.search(default_map) is None
    assert "{z}/{x}/{y}" not in default_map
    # The sheets do not depend on the tiles.
    for sheet in ("routes.csv", "unserved.csv"):
        default_sheet = (tmp_path / "default" / sheet).read_bytes()
        assert (tmp_path / "tiles" / sheet).read_bytes() == default_sheet


def test_an_explicit_config_overrides_the_plan(fine_plan: Plan, tmp_path: Path) -> None:
    write_outputs(fine_plan, tmp_path, config=RenderConfig(coordinate_decimals=4))
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert data["meta"]["render"]["coordinate_decimals"] == 4
    assert data["meta"]["render"]["online_tiles"] is False
    assert '"scale":10000,' in (tmp_path / "map.html").read_text(encoding="utf-8")
    assert {len(x.split(".")[1]) for x in _csv_column(tmp_path / "routes.csv", "lon")} == {4}


def test_names_initials_reach_the_route_sheet(tiny_plan: Plan, tmp_path: Path) -> None:
    plan = _plan_with_render(tmp_path / "initials", 'names = "initials"\n')
    assert plan.render.names == "initials"
    write_outputs(tiny_plan, tmp_path / "full")
    write_outputs(plan, tmp_path / "short")
    full = _csv_column(tmp_path / "full" / "routes.csv", "head_name")
    short = _csv_column(tmp_path / "short" / "routes.csv", "head_name")
    assert full
    assert len(full) == len(short)
    assert all(name.startswith("Kepala HH-") for name in full)
    assert set(short) == {"K. H."}


def test_display_name_initials() -> None:
    from optimizer.render.names import display_name

    assert display_name("Siti Rohmah", "full") == "Siti Rohmah"
    assert display_name("Siti Rohmah binti Sulaiman", "initials") == "S. R. B. S."
    assert display_name("H. Ahmad", "initials") == "H. A."
    assert display_name("", "initials") == ""
