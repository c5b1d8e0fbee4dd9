"""Tiny hand-checkable road graphs and scenarios, and invariant checkers shared by tests."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from optimizer.matrix import SubMatrix, build_submatrix
from optimizer.partition import SubProblem
from optimizer.plan import Plan
from optimizer.profiles import ProfileNetwork
from optimizer.roadgraph import ACCESS_ALL, ACCESS_FOOT, ACCESS_MOTORCYCLE, GraphInfo, RoadGraph
from optimizer.roadgraph import highway_code as code_of
from optimizer.scenario import Scenario
from optimizer.snapping import snap_sites

#: A point well inside desa Dadapan (35.10.14.2010, kecamatan Kabat): grids fit inside it.
ORIGIN_LAT = -8.2600
ORIGIN_LON = 114.3400
DESA_CODE = "35.10.14.2010"
#: Another desa of Kabat, about 3 km away, used for "no depot here" cases.
OTHER_DESA_CODE = "35.10.14.2015"
OTHER_LAT, OTHER_LON = -8.24093, 114.3215
METRES_PER_DEG_LAT = 111_195.0


def grid_point(row: float, col: float, spacing_m: float = 100.0) -> tuple[float, float]:
    """(lat, lon) of grid position (row, col); rows go north, columns east."""
    lat = ORIGIN_LAT + row * spacing_m / METRES_PER_DEG_LAT
    lon = ORIGIN_LON + col * spacing_m / (METRES_PER_DEG_LAT * np.cos(np.radians(ORIGIN_LAT)))
    return float(lat), float(lon)


def make_grid_graph(
    rows: int = 3,
    cols: int = 3,
    spacing_m: float = 100.0,
    *,
    oneway: Sequence[tuple[int, int]] = (),
    lanes: Sequence[tuple[int, int]] = (),
    island: bool = False,
    spurs: Sequence[int] = (),
    synthetic: bool = True,
) -> RoadGraph:
    """A rows x cols grid of residential streets, ``spacing_m`` apart, as a RoadGraph.

    Nodes are numbered row-major (node = row * cols + col). ``oneway`` lists (u, v) node pairs
    that keep only the u->v direction; ``lanes`` lists (u, v) pairs turned into narrow lanes
    (``highway=path``, motorbikes and people only). ``island`` adds two nodes 150 m east of the
    grid's north-east corner joined to each other but not to the grid. ``spurs`` lists grid
    nodes that get a dead-end lane to a new node one block north of them (added last).
    """
    lats, lons = [], []
    for r in range(rows):
        for c in range(cols):
            lat, lon = grid_point(r, c, spacing_m)
            lats.append(lat)
            lons.append(lon)
    pairs: list[tuple[int, int]] = []
    for r in range(rows):
        for c in range(cols):
            node = r * cols + c
            if c + 1 < cols:
                pairs.append((node, node + 1))
            if r + 1 < rows:
                pairs.append((node, node + cols))
    if island:
        base = len(lats)
        for k in range(2):
            lat, lon = grid_point(rows - 1, cols - 1 + 1.5 + k, spacing_m)
            lats.append(lat)
            lons.append(lon)
        pairs.append((base, base + 1))
    lane = {tuple(sorted(p)) for p in lanes}
    for node in spurs:
        r, c = divmod(node, cols)
        lat, lon = grid_point(r + 1, c, spacing_m)
        lats.append(lat)
        lons.append(lon)
        pairs.append((node, len(lats) - 1))
        lane.add((node, len(lats) - 1))
    one = {tuple(p) for p in oneway}
    u, v, highway, is_oneway, access = [], [], [], [], []
    for a, b in pairs:
        key = (min(a, b), max(a, b))
        is_lane = key in lane
        directions = [(a, b), (b, a)]
        if (a, b) in one:
            directions = [(a, b)]
        elif (b, a) in one:
            directions = [(b, a)]
        for x, y in directions:
            u.append(x)
            v.append(y)
            highway.append(code_of("path" if is_lane else "residential"))
            is_oneway.append(len(directions) == 1)
            access.append(ACCESS_MOTORCYCLE | ACCESS_FOOT if is_lane else ACCESS_ALL)
    lat_a, lon_a = np.array(lats), np.array(lons)
    from optimizer.units import haversine_m

    length = haversine_m(lat_a[u], lon_a[u], lat_a[v], lon_a[v])
    m = len(u)
    return RoadGraph(
        node_id=-np.arange(1, len(lats) + 1, dtype=np.int64),
        lat=lat_a,
        lon=lon_a,
        edge_u=np.array(u, dtype=np.int32),
        edge_v=np.array(v, dtype=np.int32),
        length_m=np.round(length, 1),
        highway=np.array(highway, dtype=np.int8),
        oneway=np.array(is_oneway, dtype=bool),
        maxspeed_kph=np.full(m, np.nan, dtype=np.float32),
        access=np.array(access, dtype=np.uint8),
        geom_offsets=np.zeros(m + 1, dtype=np.int64),
        geom_lat=np.zeros(0),
        geom_lon=np.zeros(0),
        info=GraphInfo(
            name="test-grid",
            source="tests",
            synthetic=synthetic,
            licence="CC0-1.0",
            attribution="test grid",
            created="test",
            area="test",
        ),
    )


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, object]]) -> Path:
    """Write rows (missing keys left empty) with a header."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in columns})
    return path


def household(hid: str, lat: float, lon: float, **extra: object) -> dict[str, object]:
    """A valid desil-1 household row in the test desa."""
    row: dict[str, object] = {
        "household_id": hid,
        "head_name": f"Kepala {hid}",
        "address": f"RT 001 {hid}",
        "desa_code": DESA_CODE,
        "desa_name": "Dadapan",
        "kecamatan": "Kabat",
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "desil": 1,
        "packages": 1,
        "data_origin": "synthetic-test",
    }
    row.update(extra)
    return row


def check_every_household_once(plan: Plan, scenario: Scenario) -> None:
    """Every filtered row is in exactly one stop or in unserved; nothing else appears."""
    stop_rows = Counter()
    row_of = {h.household_id: h.row for h in scenario.households}
    for route in plan.routes:
        for stop in route.stops:
            stop_rows[row_of[stop.household_id]] += 1
    unserved_rows = Counter(u.row for u in plan.unserved)
    all_rows = {h.row for h in scenario.households} | {r.row for r in scenario.rejected}
    assert set(stop_rows) | set(unserved_rows) == all_rows
    assert not set(stop_rows) & set(unserved_rows)
    assert all(n == 1 for n in stop_rows.values())
    assert all(n == 1 for n in unserved_rows.values())
    assert plan.households_total == len(all_rows)


def check_routes_feasible(plan: Plan) -> None:
    """Loads per trip within capacity, ETAs non-decreasing and inside windows and shifts,
    the break outside every visit, and the plan free of rule warnings."""
    assert not [w for w in plan.warnings if "breaks a rule" in w]
    for route in plan.routes:
        per_trip: dict[int, int] = {}
        for stop in route.stops:
            per_trip[stop.trip] = per_trip.get(stop.trip, 0) + stop.packages
        assert all(load <= route.capacity for load in per_trip.values())
        assert len(per_trip) <= route.trips
        previous = route.start_s
        for stop in route.stops:
            assert stop.arrival_s >= previous
            if stop.window_start_s is not None and stop.window_end_s is not None:
                assert stop.window_start_s <= stop.arrival_s <= stop.window_end_s
            assert stop.departure_s >= stop.arrival_s
            if route.break_ is not None:
                assert (
                    stop.departure_s <= route.break_.start_s or stop.arrival_s >= route.break_.end_s
                )
            previous = stop.departure_s
        assert route.end_s >= previous
        assert len(route.legs) == len(route.stops) + len(route.reloads) + 1


def one_depot_subproblem(households: int, profiles: tuple[str, ...]) -> SubProblem:
    """A sub-problem of one depot and team and ``households`` households (all one group)."""
    return SubProblem(
        key="k",
        name="k",
        depots=(0,),
        teams=(0,),
        households=tuple(range(households)),
        profiles=profiles,
        pooled=False,
        group_codes=("k",),
        household_group=(0,) * households,
        team_groups=(None,),
    )


def grid_site_matrix(
    graph: RoadGraph,
    network: ProfileNetwork,
    cells: Sequence[tuple[float, float]],
    depot: tuple[float, float] = (0, 0),
    buffer_m: float = 500.0,
) -> tuple[SubMatrix, bool]:
    """One profile's matrix of households at grid ``cells`` and a depot at grid ``depot``.

    Local sites: the depot first, then the households in order. The bool says whether the
    search had to widen its area.
    """
    lats, lons = zip(*(grid_point(*cell) for cell in cells), strict=True)
    dlat, dlon = grid_point(*depot)
    snapped = snap_sites(
        graph, {network.profile: network}, lats, lons, [dlat], [dlon], max_snap_m=300.0
    )
    sub = one_depot_subproblem(len(cells), (network.profile,))
    return build_submatrix(graph, network, snapped, sub, buffer_m=buffer_m)
