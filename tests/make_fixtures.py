"""Regenerate the small fixture files under tests/data (run: python tests/make_fixtures.py).

The tiny scenario: a 4 x 4 grid of residential streets 100 m apart inside desa Dadapan, node
numbers row-major from the south-west corner (node = row * 4 + col). Street 0->1 is one-way
eastbound; the street between nodes 14 and 15 is a narrow lane (motorbikes and people only).
Two more nodes east of the grid (16, 17) form an island not connected to it; node 18, one block
north of node 13, ends a dead-end lane from node 13. Depot D1 sits on node 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import (
    OTHER_DESA_CODE,
    OTHER_LAT,
    OTHER_LON,
    grid_point,
    household,
    make_grid_graph,
    write_csv,
)

from optimizer.roadgraph import save_road_graph
from optimizer.scenario import HOUSEHOLD_COLUMNS

DATA = Path(__file__).parent / "data"
DEPOT_COLUMNS = ("depot_id", "name", "desa_code", "lat", "lon", "location_quality", "data_origin")
TEAM_COLUMNS = ("team_id", "depot_id", "vehicle", "members", "data_origin")

TINY_TOML = """\
[scenario]
name = "tiny"
title = "Tiny test scenario (synthetic)"

[inputs]
households = "households.csv"
depots = "depots.csv"
teams = "teams.csv"
road_network = "tiny_network.npz"

[service]
door_min = 1
per_extra_package_min = 0

[graph.profiles.car.speed_kph]
residential = 36

[graph.profiles.motorbike.speed_kph]
residential = 36
path = 18

[solver]
workers = 1
"""


def tiny_households() -> list[dict[str, object]]:
    cells = [(0, 2), (1, 1), (2, 3), (3, 3), (3, 0), (1, 3), (2, 2), (2, 0)]
    rows = [household(f"HH-{i:02d}", *grid_point(r, c)) for i, (r, c) in enumerate(cells)]
    rows[2]["packages"] = 2
    rows[4]["window_start"] = "08:30"
    rows[4]["window_end"] = "09:00"
    rows.append(household("HH-LANE", *grid_point(3, 2.5)))
    rows.append(household("HH-FAR", *grid_point(-5, 0)))
    rows.append(
        household(
            "HH-NODEPOT", OTHER_LAT, OTHER_LON, desa_code=OTHER_DESA_CODE, desa_name="Pendarungan"
        )
    )
    rows.append(household("HH-D2", *grid_point(1, 2), desil=2))
    return rows


def write_tiny(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    graph = make_grid_graph(4, 4, lanes=[(14, 15)], oneway=[(0, 1)], island=True, spurs=[13])
    save_road_graph(graph, folder / "tiny_network.npz")
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, tiny_households())
    lat, lon = grid_point(0, 0)
    write_csv(
        folder / "depots.csv",
        DEPOT_COLUMNS,
        [
            {
                "depot_id": "D1",
                "name": "Kantor Desa Dadapan",
                "desa_code": "35.10.14.2010",
                "lat": f"{lat:.7f}",
                "lon": f"{lon:.7f}",
                "location_quality": "approximate",
                "data_origin": "synthetic-test",
            },
        ],
    )
    write_csv(
        folder / "teams.csv",
        TEAM_COLUMNS,
        [
            {
                "team_id": "T-CAR",
                "depot_id": "D1",
                "vehicle": "car",
                "members": 3,
                "data_origin": "synthetic-test",
            },
            {
                "team_id": "T-MOTO",
                "depot_id": "D1",
                "vehicle": "motorbike",
                "members": 2,
                "data_origin": "synthetic-test",
            },
        ],
    )
    (folder / "tiny.toml").write_text(TINY_TOML, encoding="utf-8")


BAD_ROWS: dict[str, dict[str, object]] = {
    "missing_coordinates": {"lat": "", "lon": ""},
    "swapped_coordinates": {"lat": "114.3400000", "lon": "-8.2600000"},
    "outside_regency": {"lat": "-8.3000000", "lon": "114.6500000"},
    "non_numeric_desil": {"desil": "satu"},
    "non_numeric_packages": {"packages": "dua"},
    "unknown_desa": {"desa_code": "35.10.99.9999"},
    "window_reversed": {"window_start": "14:00", "window_end": "09:00"},
}


def write_bad(folder: Path) -> None:
    """One failure mode per file: three good rows, the bad one as data row 2."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, change in BAD_ROWS.items():
        rows = [household(f"HH-{i}", *grid_point(i % 3, 1)) for i in range(3)]
        rows[1].update(change)
        write_csv(folder / f"{name}.csv", HOUSEHOLD_COLUMNS, rows)
    rows = [household(f"HH-{i}", *grid_point(i % 3, 1)) for i in range(3)]
    rows.append(household("HH-0", *grid_point(2, 2)))
    write_csv(folder / "duplicate_ids.csv", HOUSEHOLD_COLUMNS, rows)
    columns = [c for c in HOUSEHOLD_COLUMNS if c != "desil"]
    write_csv(folder / "missing_column.csv", columns, [household("HH-0", *grid_point(1, 1))])


if __name__ == "__main__":
    # Only the folders this script writes: tests/data/osm holds hand-written files.
    for generated in ("good", "bad"):
        shutil.rmtree(DATA / generated, ignore_errors=True)
    write_tiny(DATA / "good")
    write_bad(DATA / "bad")
