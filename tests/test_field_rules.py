"""The field rules of distribution day, each shown to bind on a small hand-checkable task.

Tasks are a depot at node 0 and households on a line, 60 s apart, 60 s at each door, one
package each (see ``line_task``). Searches stop on solution counts, never on wall time.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optimizer.config import SolverConfig
from optimizer.schedule import schedule_route
from optimizer.solver import solve_task
from optimizer.task import RELOAD, BreakRule, SolveTask, VehicleSpec

EIGHT = 8 * 3600
CONFIG = SolverConfig(solutions_per_stop=3, workers=1)


def line_task(
    n: int,
    vehicles: list[VehicleSpec] | None = None,
    *,
    windows: dict[int, tuple[int, int]] | None = None,
    due: dict[int, int] | None = None,
    lane: set[int] | None = None,
) -> SolveTask:
    """Depot 0 and n households on a line; a car cannot reach the ``lane`` nodes."""
    size = n + 1
    pos = np.arange(size)
    times = (np.abs(pos[:, None] - pos[None, :]) * 60).astype(np.int32)
    car = times.copy()
    for node in lane or set():
        car[node, :] = 10**9
        car[:, node] = 10**9
        car[node, node] = 0
    service = np.full(size, 60, dtype=np.int64)
    service[0] = 0
    start = np.full(size, EIGHT, dtype=np.int64)
    end = np.full(size, 17 * 3600, dtype=np.int64)
    for node, (a, b) in (windows or {}).items():
        start[node], end[node] = a, b
    deadline = np.full(size, -1, dtype=np.int64)
    for node, when in (due or {}).items():
        deadline[node] = when
    demand = np.ones(size, dtype=np.int64)
    demand[0] = 0
    metres = (times * 10).astype(np.int32)  # 36 km/h
    return SolveTask(
        key="line",
        n_depots=1,
        households=np.arange(n, dtype=np.int64),
        demand=demand,
        service_s={"car": service, "motorbike": service},
        window_start_s=start,
        window_end_s=end,
        time_s={"car": car, "motorbike": times},
        distance_m={"car": metres, "motorbike": metres},
        candidates=np.r_[False, np.ones(n, dtype=bool)],
        vehicles=tuple(vehicles or [team()]),
        priority_due_s=deadline,
    )


def team(index: int = 0, **changes: object) -> VehicleSpec:
    base = VehicleSpec(
        team=index,
        profile="car",
        capacity=10,
        depot_node=0,
        shift_start_s=EIGHT,
        shift_end_s=17 * 3600,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def served(result) -> list[int]:
    return sorted(n for route in result.routes for n in route if n != RELOAD)


def trips_of(route: tuple[int, ...]) -> list[list[int]]:
    trips: list[list[int]] = [[]]
    for node in route:
        if node == RELOAD:
            trips.append([])
        else:
            trips[-1].append(node)
    return trips


# ----------------------------------------------------------------------------- multiple trips


def test_reload_happens_when_the_vehicle_is_empty() -> None:
    # Capacity 2, six doors: three trips {1,2} {3,4} {5,6} are optimal: travel 2x(2+4+6) min,
    # six doors and two reloads of 30 s, no waiting; the total_time objective counts that time
    # on the road and at doors once, and the route time (the same, as nobody waits) once more.
    task = line_task(6, [team(capacity=2, max_trips=0, reload_s=30)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    (route,) = result.routes
    assert served(result) == [1, 2, 3, 4, 5, 6]
    assert route.count(RELOAD) == 2
    assert all(len(trip) <= 2 for trip in trips_of(route))
    assert result.objective == 2 * (2 * (2 + 4 + 6) * 60 + 6 * 60 + 2 * 30)
    schedule = schedule_route(task, 0, route)
    assert schedule.feasible
    assert schedule.trips == 3
    assert [v.load_after for v in schedule.visits if v.node == RELOAD] == [0, 0]


def test_trip_limit_binds() -> None:
    # Two trips of two packages: four doors at most, the others dropped.
    task = line_task(6, [team(capacity=2, max_trips=2, reload_s=30)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    (route,) = result.routes
    assert route.count(RELOAD) == 1
    assert len(served(result)) == 4
    assert sorted(served(result) + list(result.dropped)) == [1, 2, 3, 4, 5, 6]


def test_single_trip_team_never_reloads() -> None:
    task = line_task(6, [team(capacity=2, max_trips=1)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert RELOAD not in result.routes[0]
    assert len(served(result)) == 2


# ----------------------------------------------------------------------------- breaks, shifts


def test_break_is_respected() -> None:
    # A 10-minute break that must start at 08:03 exactly: no door is served during it.
    rule = BreakRule(earliest_s=EIGHT + 180, latest_s=EIGHT + 180, duration_s=600)
    task = line_task(4, [team(break_rule=rule)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    (route,) = result.routes
    assert served(result) == [1, 2, 3, 4]
    schedule = schedule_route(task, 0, route)
    assert schedule.feasible
    assert schedule.break_start_s == EIGHT + 180
    for visit in schedule.visits:
        assert visit.departure_s <= EIGHT + 180 or visit.start_s >= EIGHT + 780
    # The break lengthens the day by its full 10 minutes (no waiting absorbs it).
    assert schedule.end_s == EIGHT + 8 * 60 + 4 * 60 + 600


def test_break_overlapping_a_window_makes_the_door_unservable() -> None:
    # Door 1 is open only 08:05-08:10, during a fixed break 08:00-09:00.
    rule = BreakRule(earliest_s=EIGHT, latest_s=EIGHT, duration_s=3600)
    task = line_task(2, [team(break_rule=rule)], windows={1: (EIGHT + 300, EIGHT + 600)})
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert result.dropped == (1,)
    assert served(result) == [2]


def test_maximum_working_time_binds() -> None:
    # Five minutes of work allowed: out to door 1 and back with one door is 3 minutes; two
    # doors (1, 2) take 6 minutes.
    task = line_task(4, [team(max_work_s=300)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert served(result) == [1]
    schedule = schedule_route(task, 0, result.routes[0])
    assert schedule.work_s <= 300


def test_shift_end_binds() -> None:
    task = line_task(4, [team(shift_end_s=EIGHT + 400)])
    result = solve_task(task, CONFIG, time_limit_s=30)
    schedule = schedule_route(task, 0, result.routes[0])
    assert schedule.end_s <= EIGHT + 400
    assert len(served(result)) == 2  # 1,2: 4 min travel + 2 min doors = 360 s


# ----------------------------------------------------------------------------- households


def test_time_window_is_honoured_even_when_it_costs_waiting() -> None:
    task = line_task(3, windows={1: (EIGHT + 1800, EIGHT + 1860)})
    result = solve_task(task, CONFIG, time_limit_s=30)
    schedule = schedule_route(task, 0, result.routes[0])
    assert schedule.feasible
    (visit,) = [v for v in schedule.visits if v.node == 1]
    assert EIGHT + 1800 <= visit.start_s <= EIGHT + 1860


def test_priority_household_is_served_first() -> None:
    # Out-and-back along the line costs the same in either direction; the priority door at
    # the far end (node 4, due 08:05) tips the order.
    task = line_task(4, due={4: EIGHT + 300})
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert result.routes[0] == (4, 3, 2, 1)
    plain = solve_task(line_task(4), CONFIG, time_limit_s=30)
    assert plain.objective == result.objective


def test_several_packages_for_one_household_count_against_capacity() -> None:
    task = line_task(3, [team(capacity=3, max_trips=1), team(1, capacity=3, max_trips=1)])
    demand = task.demand.copy()
    demand[1] = 3
    task = dataclasses.replace(task, demand=demand)
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert served(result) == [1, 2, 3]
    one = next(route for route in result.routes if 1 in route)
    assert one == (1,)


# ----------------------------------------------------------------------------- fleet, costs


def test_a_car_is_never_sent_down_a_lane() -> None:
    # Node 2 is on a lane only the motorbike can use.
    task = line_task(3, [team(0), team(1, profile="motorbike", capacity=5)], lane={2})
    result = solve_task(task, CONFIG, time_limit_s=30)
    car, motorbike = result.routes
    assert 2 not in car
    assert 2 in motorbike
    assert served(result) == [1, 2, 3]


def test_cost_objective_prefers_the_cheaper_vehicle() -> None:
    car = team(0, cost_per_km=2000.0, cost_per_hour=40000.0, fixed_cost=150000.0)
    motorbike = team(1, profile="motorbike", capacity=5, cost_per_km=500.0, cost_per_hour=20000.0)
    task = line_task(3, [car, motorbike])
    cost = solve_task(task, CONFIG.model_copy(update={"objective": "cost"}), time_limit_s=30)
    assert cost.routes[0] == ()
    assert sorted(cost.routes[1]) == [1, 2, 3]
    # 6 min of driving (3.6 km), 3 doors of 1 min: 3.6 km x 500 + 0.15 h x 20,000 rupiah.
    assert cost.objective == 1800 + 3000


def test_fair_objective_shares_the_work() -> None:
    # One team doing all six doors is the least total time; the fair objective splits them.
    teams = [team(0), team(1)]
    total = solve_task(line_task(6, teams), CONFIG, time_limit_s=30)
    fair = solve_task(
        line_task(6, teams),
        CONFIG.model_copy(update={"objective": "fair"}),
        time_limit_s=30,
    )

    def longest(result) -> int:
        task = line_task(6, teams)
        return max(
            schedule_route(task, v, r).end_s - EIGHT for v, r in enumerate(result.routes) if r
        )

    assert sum(1 for r in total.routes if r) == 1
    assert sum(1 for r in fair.routes if r) == 2
    assert longest(fair) < longest(total)
    assert served(fair) == [1, 2, 3, 4, 5, 6]


def test_teams_keep_to_their_groups() -> None:
    # Pooled kecamatan: door 1 and 2 belong to desa group 1, which only team 1 may serve.
    task = line_task(3, [team(0, groups=(0,)), team(1, groups=(1,))])
    task = dataclasses.replace(task, group=np.array([0, 1, 1, 0], dtype=np.int64))
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert sorted(result.routes[0]) == [3]
    assert sorted(result.routes[1]) == [1, 2]


@pytest.mark.parametrize("objective", ["total_time", "cost", "fair"])
def test_same_task_same_routes(objective: str) -> None:
    config = CONFIG.model_copy(update={"objective": objective})
    teams = [team(0, capacity=3, max_trips=0, reload_s=60), team(1, profile="motorbike")]
    first = solve_task(line_task(8, teams, due={5: EIGHT}), config, time_limit_s=30)
    second = solve_task(line_task(8, teams, due={5: EIGHT}), config, time_limit_s=30)
    assert first.routes == second.routes
    assert first.objective == second.objective


def test_a_late_door_with_a_working_time_cap_is_served_by_leaving_late() -> None:
    # Door 1 opens at 14:00; a 10-minute working day is enough if the team leaves at 13:59.
    task = line_task(1, [team(max_work_s=600)], windows={1: (14 * 3600, 15 * 3600)})
    result = solve_task(task, CONFIG, time_limit_s=30)
    assert served(result) == [1]
    schedule = schedule_route(task, 0, result.routes[0])
    assert schedule.feasible
    assert schedule.start_s == 14 * 3600 - 60
    assert schedule.work_s == 3 * 60


@pytest.mark.parametrize("objective", ["total_time", "cost", "fair"])
def test_teams_make_as_many_trips_as_the_packages_need(objective: str) -> None:
    # Twelve doors, two teams carrying two packages each: at least six trips, nobody dropped.
    teams = [team(0, capacity=2, max_trips=0, reload_s=30), team(1, capacity=2, max_trips=0)]
    task = line_task(12, teams)
    config = CONFIG.model_copy(update={"objective": objective})
    result = solve_task(task, config, time_limit_s=60)
    assert served(result) == list(range(1, 13))
    assert sum(len(trips_of(route)) for route in result.routes if route) >= 6
    for vehicle, route in enumerate(result.routes):
        assert all(len(trip) <= 2 for trip in trips_of(route))
        assert schedule_route(task, vehicle, route).feasible


def test_a_route_that_cannot_keep_its_break_is_planned_with_the_break_kept_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 36 doors of 10 minutes, two teams 08:00-15:00 with an hour's break from 12:00-12:30.
    # The first search (no break intervals) loads one team up to 15:00, where its break no
    # longer fits; the second keeps the hour free at the end of every route and serves all,
    # so the slow search with break intervals is never built.
    import optimizer.solver.search as search

    built: list[bool] = []
    build = search.build_model

    def counting(*args: object, **kwargs: bool) -> object:
        built.append(kwargs["breaks"])
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "build_model", counting)
    rule = BreakRule(earliest_s=12 * 3600, latest_s=12 * 3600 + 1800, duration_s=3600)
    teams = [team(i, break_rule=rule, shift_end_s=15 * 3600) for i in range(2)]
    task = line_task(36, teams)
    service = np.where(np.arange(37) > 0, 600, 0).astype(np.int64)
    task = dataclasses.replace(
        task, service_s={p: service for p in task.service_s}, demand=np.zeros(37, np.int64)
    )
    result = solve_task(task, CONFIG, time_limit_s=60)
    assert built == [False, False]
    assert served(result) == list(range(1, 37))
    for vehicle, route in enumerate(result.routes):
        if route:
            assert schedule_route(task, vehicle, route).feasible
