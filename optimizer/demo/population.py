"""Synthetic demonstration households, depots and teams on the demo road network.

The households file looks like a social-register (DTSEN) export for one aid day: every desa of
the regency has at least 30 households of desil 1 (the poorest tenth), more in big settlements
and kelurahan, plus some desil 2-4 rows the scenario filter leaves out. Households stand along
the residential streets and lanes (gang) of their own desa, a few metres off the centre line;
about a fifth of them on lanes that only motorbikes and people on foot can use.

Register exports have errors, so a few desil-1 rows are broken on purpose (see
:data:`BROKEN_ROW_COUNTS`); which rows, for a given build, is in
:attr:`DemoPopulation.broken_rows`, and for the shipped files (seed 0, whole regency) in
:data:`SHIPPED_BROKEN_ROWS`.

Depots are the village offices (one per desa, at the car-reachable node nearest the desa
polygon's representative point, location ``approximate``); every desa gets enough cars for its
packages and enough motorbikes for its lane households (one trip per team and day).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from scipy.spatial import cKDTree

from optimizer.areas import AdminArea, Boundaries
from optimizer.config import PlannerConfig
from optimizer.demo import _names
from optimizer.profiles import build_profile_network
from optimizer.roadgraph import RoadGraph, highway_code
from optimizer.scenario import HOUSEHOLD_COLUMNS
from optimizer.units import EARTH_RADIUS_M, local_xy_m

DEPOT_COLUMNS: tuple[str, ...] = (
    "depot_id",
    "name",
    "desa_code",
    "lat",
    "lon",
    "location_quality",
    "data_origin",
)
TEAM_COLUMNS: tuple[str, ...] = ("team_id", "depot_id", "vehicle", "members", "data_origin")
DATA_ORIGIN = "synthetic-demo"
#: Every desa gets at least this many desil-1 households.
MIN_DESIL1_PER_DESA = 30
#: Deliberately broken desil-1 rows per problem (a duplicate is one extra row).
BROKEN_ROW_COUNTS: dict[str, int] = {
    "missing_coordinates": 8,
    "swapped_coordinates": 4,
    "in_sea": 3,
    "duplicate_id": 2,
    "non_numeric_packages": 2,
}
#: The broken rows of the shipped ``scenarios/data/banyuwangi/households.csv`` (seed 0, whole
#: regency); a ``duplicate_id`` row appears twice in the file. Update when the generator changes.
SHIPPED_BROKEN_ROWS: tuple[tuple[str, str], ...] = (
    ("HH-3510022007-0048", "in_sea"),
    ("HH-3510032006-0052", "missing_coordinates"),
    ("HH-3510032006-0086", "missing_coordinates"),
    ("HH-3510042002-0152", "missing_coordinates"),
    ("HH-3510062002-0010", "missing_coordinates"),
    ("HH-3510072007-0102", "swapped_coordinates"),
    ("HH-3510082006-0032", "swapped_coordinates"),
    ("HH-3510082010-0104", "in_sea"),
    ("HH-3510102007-0138", "duplicate_id"),
    ("HH-3510102007-0139", "missing_coordinates"),
    ("HH-3510132012-0049", "missing_coordinates"),
    ("HH-3510142010-0051", "duplicate_id"),
    ("HH-3510142015-0042", "missing_coordinates"),
    ("HH-3510151003-0184", "swapped_coordinates"),
    ("HH-3510161006-0268", "non_numeric_packages"),
    ("HH-3510161016-0174", "missing_coordinates"),
    ("HH-3510192002-0071", "in_sea"),
    ("HH-3510192007-0005", "swapped_coordinates"),
    ("HH-3510211001-0123", "non_numeric_packages"),
)
#: Vehicles of the demo teams: (capacity in packages, members).
CAR = (25, 3)
MOTORBIKE = (5, 2)
#: Spare capacity over the packages to deliver.
CAPACITY_MARGIN = 1.25
_STREET_CLASSES = ("residential", "living_street", "path")
_LANE_SHARE = 0.2
_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M

Row = dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPopulation:
    """The demo register rows, ready for CSV.

    Attributes
    ----------
    households, depots, teams : tuple of dict
        Rows (column name -> text) in file order, see the ``*_COLUMNS`` constants.
    broken_rows : tuple of (household_id, problem)
        The deliberately broken rows; problems are the keys of :data:`BROKEN_ROW_COUNTS`.
    """

    households: tuple[Row, ...]
    depots: tuple[Row, ...]
    teams: tuple[Row, ...]
    broken_rows: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Streets:
    """Street and lane pieces of one desa (node index pairs and lengths)."""

    u: npt.NDArray[np.int64]
    v: npt.NDArray[np.int64]
    length: npt.NDArray[np.float64]
    lane: npt.NDArray[np.bool_]


@dataclass(slots=True)
class _House:
    """One household while it is being made (turned into a row at the end)."""

    desa: int
    lat: float
    lon: float
    lane: bool
    desil: int
    packages: int
    dusun: str = ""
    rw: int = 0
    rt: int = 0
    order: float = 0.0
    row: Row = field(default_factory=dict)


def build_demo_population(
    graph: RoadGraph,
    boundaries: Boundaries,
    *,
    seed: int = 0,
    desil1_total: int = 20_000,
    other_total: int = 3_500,
    kecamatan_codes: Sequence[str] | None = None,
) -> DemoPopulation:
    """Generate demo households, depots (village offices) and teams on a demo network.

    Parameters
    ----------
    graph : RoadGraph
        The demo road network (:func:`optimizer.demo.network.build_demo_network`).
    boundaries : Boundaries
    seed : int
        Random seed; the same inputs and seed give identical rows.
    desil1_total : int
        Rows with desil 1, broken rows included.
    other_total : int
        Rows with desil 2, 3 or 4.
    kecamatan_codes : sequence of str, optional
        Only the desa of these kecamatan; default all desa.

    Returns
    -------
    DemoPopulation

    Raises
    ------
    ValueError
        If a kecamatan code is unknown or ``desil1_total`` cannot give every desa its minimum.
    """
    rng = np.random.default_rng(seed)
    desa = _chosen_desa(boundaries, kecamatan_codes)
    needed = MIN_DESIL1_PER_DESA * len(desa) + BROKEN_ROW_COUNTS["duplicate_id"]
    if desil1_total < needed or other_total < 0:
        raise ValueError(
            f"desil1_total {desil1_total} is too small: {len(desa)} desa need at least "
            f"{MIN_DESIL1_PER_DESA} each plus the duplicate rows ({needed} in all)"
        )
    node_desa = boundaries.locate_desa(graph.lat, graph.lon)
    streets = _streets_by_desa(graph, boundaries, node_desa, desa)
    weight = np.array(
        [
            streets[d].length.sum() * (1.5 if boundaries.desa[d].kind == "kelurahan" else 1.0)
            for d in desa
        ]
    )
    regular = desil1_total - BROKEN_ROW_COUNTS["duplicate_id"]
    extra = _apportion(regular - MIN_DESIL1_PER_DESA * len(desa), weight)
    desil1 = extra + MIN_DESIL1_PER_DESA
    others = _apportion(other_total, weight)
    houses: list[_House] = []
    for k, d in enumerate(desa):
        houses.extend(
            _desa_houses(
                graph, boundaries.desa[d], d, streets[d], int(desil1[k]), int(others[k]), rng
            )
        )
    rows = [_row(h, boundaries.desa[h.desa], rng) for h in houses]
    broken, duplicates = _break_rows(houses, rows, boundaries, rng)
    final: list[Row] = []
    valid_p = dict.fromkeys(desa, 0)
    valid_lane = dict.fromkeys(desa, 0)
    broken_ids = {hid for hid, _ in broken}
    for h, row in zip(houses, rows, strict=True):
        final.append(row)
        if row["household_id"] in duplicates:
            final.append(duplicates[row["household_id"]])
        if h.desil == 1 and row["household_id"] not in broken_ids:
            valid_p[h.desa] += h.packages
            if h.lane:
                valid_lane[h.desa] += h.packages
    depots = _depots(graph, boundaries, node_desa, desa)
    teams = _teams(boundaries, desa, valid_p, valid_lane)
    return DemoPopulation(
        households=tuple(final),
        depots=tuple(depots),
        teams=tuple(teams),
        broken_rows=tuple(broken),
    )


def write_demo_population(population: DemoPopulation, folder: Path) -> list[Path]:
    """Write ``households.csv``, ``depots.csv`` and ``teams.csv`` (UTF-8, Unix line ends).

    Parameters
    ----------
    population : DemoPopulation
    folder : Path
        Created when missing.

    Returns
    -------
    list of Path
        The three files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns, rows in (
        ("households.csv", HOUSEHOLD_COLUMNS, population.households),
        ("depots.csv", DEPOT_COLUMNS, population.depots),
        ("teams.csv", TEAM_COLUMNS, population.teams),
    ):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
        written.append(path)
    return written


def _chosen_desa(boundaries: Boundaries, codes: Sequence[str] | None) -> list[int]:
    if codes is None:
        return list(range(len(boundaries.desa)))
    known = {k.code for k in boundaries.kecamatan}
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise ValueError(f"unknown kecamatan code(s) {unknown}; valid: {', '.join(sorted(known))}")
    wanted = set(codes)
    return [i for i, d in enumerate(boundaries.desa) if d.parent_code in wanted]


def _apportion(total: int, weight: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Split a whole number in proportion to weights (largest remainder, ties by position)."""
    if total <= 0 or weight.size == 0:
        return np.zeros(weight.size, dtype=np.int64)
    share = (
        weight / weight.sum() * total
        if weight.sum() > 0
        else np.full(weight.size, total / weight.size)
    )
    base = np.floor(share).astype(np.int64)
    left = total - int(base.sum())
    order = np.lexsort((np.arange(weight.size), -(share - base)))
    base[order[:left]] += 1
    return np.asarray(base, dtype=np.int64)


def _streets_by_desa(
    graph: RoadGraph,
    boundaries: Boundaries,
    node_desa: npt.NDArray[np.int64],
    desa: Sequence[int],
) -> dict[int, _Streets]:
    """Residential and lane pieces with both ends in each desa (fallbacks for tiny desa)."""
    codes = [highway_code(c) for c in _STREET_CLASSES]
    lane_code = highway_code("path")
    street = np.isin(graph.highway, codes) & ((graph.edge_u < graph.edge_v) | graph.oneway)
    rows = np.flatnonzero(street)
    u = graph.edge_u[rows].astype(np.int64)
    v = graph.edge_v[rows].astype(np.int64)
    length = graph.length_m[rows]
    lane = graph.highway[rows] == lane_code
    du, dv = node_desa[u], node_desa[v]
    result: dict[int, _Streets] = {}
    for d in desa:
        pick = np.flatnonzero((du == d) & (dv == d))
        if pick.size == 0:
            pick = np.flatnonzero((du == d) | (dv == d))
        if pick.size == 0:
            point = boundaries.desa[d].geometry.representative_point()
            mid_lat = (graph.lat[u] + graph.lat[v]) / 2
            mid_lon = (graph.lon[u] + graph.lon[v]) / 2
            dist = (mid_lat - point.y) ** 2 + (mid_lon - point.x) ** 2
            pick = np.argsort(dist, kind="stable")[:20]
        result[d] = _Streets(u[pick], v[pick], length[pick], lane[pick])
    return result


def _desa_houses(
    graph: RoadGraph,
    area: AdminArea,
    d: int,
    streets: _Streets,
    desil1: int,
    others: int,
    rng: np.random.Generator,
) -> list[_House]:
    """Place one desa's households along its streets and lanes; give them dusun, RW and RT."""
    count = desil1 + others
    desil = np.concatenate(
        [np.ones(desil1, dtype=np.int64), rng.choice([2, 3, 4], size=others, p=[0.5, 0.3, 0.2])]
    )
    desil = rng.permutation(desil)
    has_lanes = bool(streets.lane.any()) and bool((~streets.lane).any())
    on_lane = (
        (rng.random(count) < _LANE_SHARE) if has_lanes else np.full(count, bool(streets.lane.all()))
    )
    piece = np.empty(count, dtype=np.int64)
    for flag in (True, False):
        pool = np.flatnonzero(streets.lane == flag)
        who = np.flatnonzero(on_lane == flag)
        if who.size == 0:
            continue
        if pool.size == 0:
            pool = np.arange(streets.u.size)
        p = streets.length[pool] + 1.0
        piece[who] = rng.choice(pool, size=who.size, p=p / p.sum())
    lat0, lon0 = float(np.mean(graph.lat[streets.u])), float(np.mean(graph.lon[streets.u]))
    a = local_xy_m(graph.lat[streets.u[piece]], graph.lon[streets.u[piece]], lat0=lat0, lon0=lon0)
    b = local_xy_m(graph.lat[streets.v[piece]], graph.lon[streets.v[piece]], lat0=lat0, lon0=lon0)
    along = a + rng.uniform(0.1, 0.9, count)[:, None] * (b - a)
    direction = b - a
    norm = np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-9)
    normal = np.column_stack([-direction[:, 1], direction[:, 0]]) / norm[:, None]
    side = np.where(rng.random(count) < 0.5, -1.0, 1.0) * rng.uniform(3.0, 20.0, count)
    xy = along + side[:, None] * normal
    lat, lon = _to_degrees(xy, lat0, lon0)
    inside = shapely.contains_xy(area.geometry, lon, lat)
    if not inside.all():
        near = along + np.sign(side)[:, None] * 3.0 * normal
        lat_n, lon_n = _to_degrees(near, lat0, lon0)
        lat = np.where(inside, lat, lat_n)
        lon = np.where(inside, lon, lon_n)
        xy = np.where(inside[:, None], xy, near)
    houses = [
        _House(
            desa=d,
            lat=float(lat[i]),
            lon=float(lon[i]),
            lane=bool(streets.lane[piece[i]]),
            desil=int(desil[i]),
            packages=int(rng.choice([1, 2, 3], p=[0.93, 0.06, 0.01])),
        )
        for i in range(count)
    ]
    _neighbourhoods(houses, xy, area, rng)
    houses.sort(key=lambda h: (h.rw, h.rt, h.order))
    return houses


def _to_degrees(
    xy: npt.NDArray[np.float64], lat0: float, lon0: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    lat = lat0 + xy[:, 1] / _M_PER_DEG
    lon = lon0 + xy[:, 0] / (_M_PER_DEG * math.cos(math.radians(lat0)))
    return lat, lon


def _neighbourhoods(
    houses: list[_House], xy: npt.NDArray[np.float64], area: AdminArea, rng: np.random.Generator
) -> None:
    """Group households into dusun (by place), then RW and RT (runs along a direction)."""
    count = len(houses)
    if count == 0:
        return
    centre = area.geometry.representative_point()
    lat0 = float(np.mean([h.lat for h in houses]))
    lon0 = float(np.mean([h.lon for h in houses]))
    centre_xy = local_xy_m([centre.y], [centre.x], lat0=lat0, lon0=lon0)[0]
    wanted = 2 + int(count > 120) + int(count > 250)
    seeds = [int(np.argmin(np.hypot(*(xy - centre_xy).T)))]
    gap = np.hypot(*(xy - xy[seeds[0]]).T)
    while len(seeds) < wanted and gap.max() > 400.0:
        seeds.append(int(np.argmax(gap)))
        gap = np.minimum(gap, np.hypot(*(xy - xy[seeds[-1]]).T))
    owner = np.argmin(np.stack([np.hypot(*(xy - xy[s]).T) for s in seeds], axis=1), axis=1)
    others = rng.choice(len(_names.DUSUN), size=len(seeds) - 1, replace=False)
    names = [_names.CENTRAL_DUSUN, *(_names.DUSUN[int(k)] for k in others)]
    angle = rng.uniform(0.0, np.pi)
    project = xy @ np.array([np.cos(angle), np.sin(angle)])
    rt = rw = 0
    for k, name in enumerate(names):
        members = np.flatnonzero(owner == k)
        members = members[np.argsort(project[members], kind="stable")]
        start = 0
        rts_in_rw = 0
        rw_size = int(rng.integers(2, 5))
        rw += 1
        while start < members.size:
            size = int(rng.integers(8, 21))
            if rts_in_rw == rw_size:
                rw += 1
                rts_in_rw = 0
                rw_size = int(rng.integers(2, 5))
            rt += 1
            rts_in_rw += 1
            for i in members[start : start + size]:
                houses[i].dusun = str(name)
                houses[i].rw = rw
                houses[i].rt = rt
                houses[i].order = float(project[i])
            start += size


def _head_name(rng: np.random.Generator) -> str:
    female = rng.random() < 0.25
    first = _names.FEMALE_FIRST if female else _names.MALE_FIRST
    second = _names.FEMALE_SECOND if female else _names.MALE_SECOND
    name = str(first[int(rng.integers(len(first)))])
    if rng.random() < 0.1:
        return name
    other = str(second[int(rng.integers(len(second)))])
    return name if other == name else f"{name} {other}"


def _address(dusun: str, rt: int, rw: int, area: AdminArea) -> str:
    prefix = "Lingkungan" if area.kind == "kelurahan" else "Dusun"
    return f"{prefix} {dusun} RT {rt:03d} RW {rw:03d}, {area.name}"


def _row(house: _House, area: AdminArea, rng: np.random.Generator) -> Row:
    draw = rng.random()
    window = ("13:00", "15:00") if draw < 0.03 else ("08:00", "11:00") if draw < 0.05 else ("", "")
    draw = rng.random()
    notes = "lansia" if draw < 0.018 else "disabilitas" if draw < 0.03 else ""
    return {
        "household_id": "",
        "head_name": _head_name(rng),
        "address": _address(house.dusun, house.rt, house.rw, area),
        "dusun": house.dusun,
        "rt": f"{house.rt:03d}",
        "rw": f"{house.rw:03d}",
        "desa_code": area.code,
        "desa_name": area.name,
        "kecamatan": area.parent_name or "",
        "lat": f"{house.lat:.6f}",
        "lon": f"{house.lon:.6f}",
        "desil": str(house.desil),
        "packages": str(house.packages),
        "window_start": window[0],
        "window_end": window[1],
        "priority": "1" if notes else "",
        "notes": notes,
        "data_origin": DATA_ORIGIN,
    }


def _sea_points(
    boundaries: Boundaries, rng: np.random.Generator, count: int
) -> list[tuple[float, float]]:
    """Points in the Indian Ocean well south of the regency's coast."""
    land = boundaries.kabupaten.geometry
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lat, lon = rng.uniform(-8.95, -8.86), rng.uniform(113.95, 114.40)
        if land.distance(shapely.Point(lon, lat)) > 0.05:
            points.append((float(lat), float(lon)))
    return points


def _break_rows(
    houses: list[_House], rows: list[Row], boundaries: Boundaries, rng: np.random.Generator
) -> tuple[list[tuple[str, str]], dict[str, Row]]:
    """Give the rows their ids, then damage a few desil-1 rows like a register export."""
    sequence: dict[int, int] = {}
    for house, row in zip(houses, rows, strict=True):
        sequence[house.desa] = sequence.get(house.desa, 0) + 1
        code = row["desa_code"].replace(".", "")
        row["household_id"] = f"HH-{code}-{sequence[house.desa]:04d}"
    poor = np.array([i for i, h in enumerate(houses) if h.desil == 1], dtype=np.int64)
    kinds = [k for k, n in BROKEN_ROW_COUNTS.items() for _ in range(n)]
    picked = rng.choice(poor, size=len(kinds), replace=False)
    sea = iter(_sea_points(boundaries, rng, BROKEN_ROW_COUNTS["in_sea"]))
    broken: list[tuple[str, str]] = []
    duplicates: dict[str, Row] = {}
    for kind, i in zip(kinds, picked, strict=True):
        row = rows[int(i)]
        if kind == "missing_coordinates":
            row["lat"] = row["lon"] = ""
        elif kind == "swapped_coordinates":
            row["lat"], row["lon"] = row["lon"], row["lat"]
        elif kind == "in_sea":
            lat, lon = next(sea)
            row["lat"], row["lon"] = f"{lat:.6f}", f"{lon:.6f}"
        elif kind == "non_numeric_packages":
            row["packages"] = "dua"
        else:
            duplicates[row["household_id"]] = _moved_copy(houses, rows, int(i), rng)
        broken.append((row["household_id"], kind))
    broken.sort()
    return broken, duplicates


def _moved_copy(houses: list[_House], rows: list[Row], index: int, rng: np.random.Generator) -> Row:
    """Copy a row as if entered again at another address of the same desa."""
    desa = houses[index].desa
    same = [i for i, h in enumerate(houses) if h.desa == desa and h.rt != houses[index].rt]
    if not same:
        same = [i for i, h in enumerate(houses) if h.desa == desa and i != index]
    other = rows[same[int(rng.integers(len(same)))]]
    copy = dict(rows[index])
    for key in ("address", "dusun", "rt", "rw", "lat", "lon"):
        copy[key] = other[key]
    return copy


def _depots(
    graph: RoadGraph,
    boundaries: Boundaries,
    node_desa: npt.NDArray[np.int64],
    desa: Sequence[int],
) -> list[Row]:
    """One village office per desa, at the car-usable node nearest its representative point."""
    car = build_profile_network(graph, "car", PlannerConfig().graph.profiles["car"]).in_network
    lat0, lon0 = float(np.mean(graph.lat)), float(np.mean(graph.lon))
    xy = local_xy_m(graph.lat, graph.lon, lat0=lat0, lon0=lon0)
    all_car = np.flatnonzero(car)
    tree = cKDTree(xy[all_car])
    rows = []
    for d in desa:
        area = boundaries.desa[d]
        point = area.geometry.representative_point()
        target = local_xy_m([point.y], [point.x], lat0=lat0, lon0=lon0)[0]
        inside = np.flatnonzero(car & (node_desa == d))
        if inside.size:
            node = int(inside[int(np.argmin(np.hypot(*(xy[inside] - target).T)))])
        else:
            node = int(all_car[int(tree.query(target)[1])])
        office = "Kantor Kelurahan" if area.kind == "kelurahan" else "Kantor Desa"
        rows.append(
            {
                "depot_id": _depot_id(area),
                "name": f"{office} {area.name}",
                "desa_code": area.code,
                "lat": f"{graph.lat[node]:.6f}",
                "lon": f"{graph.lon[node]:.6f}",
                "location_quality": "approximate",
                "data_origin": DATA_ORIGIN,
            }
        )
    return rows


def _depot_id(area: AdminArea) -> str:
    return "D-" + area.code.replace(".", "")


def _teams(
    boundaries: Boundaries,
    desa: Sequence[int],
    packages: dict[int, int],
    lane_packages: dict[int, int],
) -> list[Row]:
    """Cars for a desa's packages and motorbikes for its lane households, 25 % spare."""
    rows = []
    for d in desa:
        area = boundaries.desa[d]
        cars = math.ceil(CAPACITY_MARGIN * packages[d] / CAR[0])
        bikes = max(1, math.ceil(CAPACITY_MARGIN * lane_packages[d] / MOTORBIKE[0]))
        vehicles = ["car"] * cars + ["motorbike"] * bikes
        code = area.code.replace(".", "")
        for k, vehicle in enumerate(vehicles, start=1):
            rows.append(
                {
                    "team_id": f"T-{code}-{k:02d}",
                    "depot_id": _depot_id(area),
                    "vehicle": vehicle,
                    "members": str(CAR[1] if vehicle == "car" else MOTORBIKE[1]),
                    "data_origin": DATA_ORIGIN,
                }
            )
    return rows
