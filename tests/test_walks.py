"""Park and walk: doors close on foot served as one walk from a parked vehicle.

The unit tests give the grouping hand-made distances (walking at 1 m/s, so metres are seconds)
and check the loop it lays out against the figures worked out by hand below. The end-to-end
test plans a small kampung: doors along a lane cars may not enter, reached by car.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    check_every_household_once,
    check_routes_feasible,
    grid_point,
    household,
    make_grid_graph,
    write_csv,
)

from optimizer.api import plan_scenario
from optimizer.compare import build_comparison
from optimizer.errors import ScenarioError
from optimizer.fleet.starts import with_start
from optimizer.pipeline import prepare_inputs
from optimizer.problem import build_problem
from optimizer.render.sheets import write_sheets
from optimizer.roadgraph import save_road_graph
from optimizer.scenario import HOUSEHOLD_COLUMNS, load_scenario
from optimizer.walkgroups import WalkInputs, WalkRules, form_walks

INF = np.inf
#: 3.6 km/h: one metre per second, so walked metres and seconds are the same numbers.
RULES = WalkRules(radius_m=200.0, max_doors=8, max_packages=4, walk_speed_kph=3.6)


def _inputs(**changes: object) -> WalkInputs:
    """A depot (node 0) and three doors along one footpath, 30 m apart between path points.

    Doors 1 and 2 are 10 m from the car's road and from the path (the same road); door 3 is
    10 m from the path but 40 m from the car's road (it faces a lane). Driving between doors
    takes 120-200 s (one-way streets around the block); parking takes 60 s.
    """
    path = np.array([[0, 0, 0, 0], [0, 0, 30, 60], [0, 30, 0, 30], [0, 60, 30, 0]], np.int32)
    drive = np.array(
        [[0, 100, 100, 100], [100, 0, 120, 200], [100, 120, 0, 200], [100, 200, 200, 0]],
        np.int32,
    )
    values: dict[str, object] = {
        "n_depots": 1,
        "candidates": np.array([False, True, True, True]),
        "demand": np.array([0, 1, 1, 1], np.int64),
        "door_s": np.array([0, 300, 300, 300], np.int64),
        "window_start_s": np.zeros(4, np.int64),
        "window_end_s": np.full(4, 86_400, np.int64),
        "due_s": np.full(4, -1, np.int64),
        "group": np.zeros(4, np.int64),
        "drive_s": {"car": drive},
        "road_m": {"car": np.array([0.0, 10.0, 10.0, 40.0])},
        "path_m": path,
        "path_ok": np.ones((4, 4), bool),
        "foot_m": np.array([INF, 10.0, 10.0, 10.0]),
        "park_s": {"car": 60},
    }
    values.update(changes)
    return WalkInputs(**values)  # type: ignore[arg-type]


def test_walk_loop_is_timed_as_worked_out_by_hand() -> None:
    # Door to door: 10 + 30 + 10 = 50 m (1-2, 2-3), 10 + 60 + 10 = 80 m (1-3). The anchor is
    # door 1 (nearest to the car's road; tie with door 2 broken by number), on the same road as
    # its path, so the parking place is its path point: 10 m to door 1, 40 to 2, 70 to 3.
    # Loop 1 -> 2 -> 3: 10 + 50 + 50 out, 70 back = 180 m. Clock: park 60 s, door 1 at 70,
    # leave 370, door 2 at 420, leave 720, door 3 at 770, leave 1070, back 1140.
    (walk,) = form_walks(_inputs(), RULES)
    assert walk.nodes == (1, 2, 3)
    assert walk.anchor == 1
    assert walk.step_m["car"] == (10.0, 50.0, 50.0)
    assert walk.back_m["car"] == 70.0
    assert walk.walked_m("car") == 180.0
    assert walk.offset_s["car"] == (70, 420, 770)
    assert walk.loop_s["car"] == 1140
    # Driving instead: 120 + 200 s, walks from the road 2 x (10 + 10 + 40) = 120 s and two
    # more parkings (120 s): 560 s against 180 s on foot.


def test_no_walk_where_driving_door_to_door_is_quicker() -> None:
    drive = np.full((4, 4), 10, np.int32)
    np.fill_diagonal(drive, 0)
    beside_road = {"car": np.array([0.0, 10.0, 10.0, 10.0])}
    assert form_walks(_inputs(drive_s={"car": drive}, road_m=beside_road, park_s={}), RULES) == []
    # From door 2, door 3 in its lane is 50 m on foot; driving there and walking the 40 m in
    # and out is 10 + 80 s, so the walk (10 + 50 + 40 m back) is still worth it for door 3.
    (walk,) = form_walks(_inputs(drive_s={"car": drive}, park_s={}), RULES)
    assert walk.nodes == (2, 3)


def test_a_door_whose_window_the_loop_misses_is_left_out() -> None:
    # Door 3 is reached 770 s after parking, so a window ending at 500 s cannot be kept.
    end = np.array([86_400, 86_400, 86_400, 500], np.int64)
    (walk,) = form_walks(_inputs(window_end_s=end), RULES)
    assert walk.nodes == (1, 2)


def test_package_and_door_limits() -> None:
    (walk,) = form_walks(_inputs(), dataclasses.replace(RULES, max_packages=2))
    assert len(walk.nodes) == 2
    (walk,) = form_walks(_inputs(), dataclasses.replace(RULES, max_doors=2))
    assert len(walk.nodes) == 2


def test_radius_and_desa_keep_doors_apart() -> None:
    assert form_walks(_inputs(), dataclasses.replace(RULES, radius_m=40.0)) == []
    (walk,) = form_walks(_inputs(group=np.array([0, 0, 0, 1], np.int64)), RULES)
    assert walk.nodes == (1, 2)


def test_no_walk_through_doors_the_paths_do_not_join() -> None:
    ok = np.ones((4, 4), bool)
    ok[1, 2] = ok[2, 1] = ok[1, 3] = ok[3, 1] = False
    walks = form_walks(_inputs(path_ok=ok), RULES)
    assert all(1 not in w.nodes for w in walks)


KAMPUNG_TOML = """\
[scenario]
name = "kampung"
title = "Kampung with a lane (synthetic)"

[inputs]
households = "households.csv"
depots = "depots.csv"
teams = "teams.csv"
road_network = "kampung.npz"

[service]
door_min = 2
per_extra_package_min = 0

[service.park_min]
car = 1

[service.park_and_walk]
enabled = {enabled}

[solver]
workers = 1
"""


def _kampung(folder: Path, enabled: bool) -> Path:
    """A 3 x 3 grid whose middle row is a lane (people and motorbikes), doors along the lane."""
    folder.mkdir(parents=True, exist_ok=True)
    graph = make_grid_graph(3, 3, lanes=[(3, 4), (4, 5)])
    save_road_graph(graph, folder / "kampung.npz")
    cells = [(1, 0.3), (1, 0.5), (1, 0.7), (1, 1.3), (1, 1.5), (1, 1.7)]
    rows = [household(f"HH-{i}", *grid_point(r, c)) for i, (r, c) in enumerate(cells)]
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, rows)
    lat, lon = grid_point(0, 0)
    depot = {"depot_id": "D1", "name": "Balai Desa", "desa_code": "35.10.14.2010"}
    depot |= {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "data_origin": "synthetic-test"}
    write_csv(folder / "depots.csv", list(depot), [depot])
    team = {"team_id": "T-CAR", "depot_id": "D1", "vehicle": "car", "members": 3}
    write_csv(folder / "teams.csv", [*team, "data_origin"], [team | {"data_origin": "test"}])
    path = folder / "kampung.toml"
    path.write_text(KAMPUNG_TOML.format(enabled=str(enabled).lower()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def kampung(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("kampung")
    return _kampung(root / "walk", True), _kampung(root / "drive", False)


def test_kampung_walks_beat_driving_to_each_door(kampung: tuple[Path, Path]) -> None:
    walk_toml, drive_toml = kampung
    walked, driven = plan_scenario(walk_toml), plan_scenario(drive_toml)
    check_every_household_once(walked, load_scenario(walk_toml))
    check_routes_feasible(walked)
    assert driven.kpis.walks == 0
    assert not any(r.parks for r in driven.routes)
    assert walked.kpis.walks >= 1
    assert walked.kpis.households_served == driven.kpis.households_served == 6
    assert walked.kpis.total_route_s < driven.kpis.total_route_s
    assert walked.kpis.total_distance_m < driven.kpis.total_distance_m
    (route,) = walked.routes
    for park in route.parks:
        doors = route.stops[park.first_stop - 1 : park.last_stop]
        # Every door of the walk after parking, in order, and the team back before it drives on.
        assert park.arrival_s < doors[0].arrival_s
        assert all(a.departure_s <= b.arrival_s for a, b in itertools.pairwise(doors))
        assert doors[-1].departure_s < park.departure_s
        walk_legs = route.legs[park.first_stop : park.last_stop]
        assert all(leg.walk for leg in walk_legs)
        # Each walk leg follows the lane from door to door: it starts and ends at the doors and
        # passes the points where they meet the path.
        for leg, (before, after) in zip(walk_legs, itertools.pairwise(doors), strict=True):
            assert (leg.path.lats[0], leg.path.lons[0]) == (before.lat, before.lon)
            assert (leg.path.lats[-1], leg.path.lons[-1]) == (after.lat, after.lon)
            assert len(leg.path.lats) >= 4
        # The way out and back runs from the parking place to the first door and from the
        # last door to the parking place.
        assert (park.path_out.lats[0], park.path_out.lons[0]) == (park.lat, park.lon)
        assert (park.path_out.lats[-1], park.path_out.lons[-1]) == (doors[0].lat, doors[0].lon)
        assert (park.path_back.lats[0], park.path_back.lons[0]) == (doors[-1].lat, doors[-1].lon)
        assert (park.path_back.lats[-1], park.path_back.lons[-1]) == (park.lat, park.lon)
        assert route.legs[park.first_stop - 1].walk is False
    assert route.distance_m == pytest.approx(sum(g.distance_m for g in route.legs if not g.walk))
    # The loop by hand: park 60 s, each step at 4.5 km/h (1.25 m/s) rounded up to a second,
    # 2 min at each door, and the walk back (the loop less the steps to the doors).
    for park in route.parks:
        doors = route.stops[park.first_stop - 1 : park.last_stop]
        back = park.walk_m - sum(d.walk_m for d in doors)
        by_hand = 60 + sum(math.ceil(d.walk_m / 1.25) for d in doors) + 120 * len(doors)
        assert park.departure_s - park.arrival_s == by_hand + math.ceil(back / 1.25)
        assert doors[0].arrival_s == park.arrival_s + 60 + math.ceil(doors[0].walk_m / 1.25)


def test_kampung_park_rows_and_plan_json(kampung: tuple[Path, Path], tmp_path: Path) -> None:
    walked = plan_scenario(kampung[0])
    write_sheets(walked, tmp_path)
    lines = (tmp_path / "routes.csv").read_text(encoding="utf-8").splitlines()
    events = [line.split(",")[3] for line in lines[1:]]
    assert events.count("park") == walked.kpis.walks
    first = events.index("park")
    assert events[first + 1] == "door"
    data = walked.to_dict()
    json.dumps(data)
    assert data["kpis"]["walks"] == walked.kpis.walks
    parks = [p for r in data["routes"] for p in r.get("parks", [])]
    assert len(parks) == walked.kpis.walks
    assert all(p["first_stop"] < p["last_stop"] for p in parks)


def test_last_months_route_starts_each_walk_once(kampung: tuple[Path, Path]) -> None:
    scenario = load_scenario(kampung[0])
    prepared = prepare_inputs(scenario)
    problem = build_problem(
        scenario,
        prepared.snapped,
        prepared.partition,
        prepared.matrices,
        walk_speed_kph=scenario.config.graph.walk_speed_kph,
        walking=prepared.walking,
    )
    (task,) = problem.tasks
    assert task.walks
    assert task.doors == 6
    ids = [h.household_id for h in scenario.households]
    (started,) = with_start(problem, scenario, {"T-CAR": tuple(ids)}).tasks
    assert started.start is not None
    (route,) = started.start
    assert len(route) == len(set(route)) == task.size  # every walk once, at its anchor
    assert all(started.candidates[n] for n in route)


def test_compare_shows_walk_rows_only_when_a_plan_walks(kampung: tuple[Path, Path]) -> None:
    walked, driven = plan_scenario(kampung[0]), plan_scenario(kampung[1])
    keys = [f.key for f in build_comparison([driven, walked]).figures]
    assert "doors_on_foot" in keys
    assert "walked_km" in keys
    assert "doors_on_foot" not in [f.key for f in build_comparison([driven]).figures]


def test_park_min_of_an_unknown_profile_is_refused(tmp_path: Path) -> None:
    path = _kampung(tmp_path, False)
    text = path.read_text(encoding="utf-8").replace("car = 1", "truck = 1")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"service\.park_min\.truck.*unknown profile 'truck'"):
        load_scenario(path)
