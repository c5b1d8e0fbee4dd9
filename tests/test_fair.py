"""The ``fair`` objective on hand-checkable days: shares, access, working-time caps, workers."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np

from optimizer.config import SolverConfig
from optimizer.fairness import desa_fairness, fairness_line, fairness_verdict
from optimizer.matrix import UNREACHABLE_S
from optimizer.plan import Plan
from optimizer.problem import SolveTask, VehicleSpec
from optimizer.render.fairshares import FAIRNESS_COLUMNS, write_fairness
from optimizer.render.maps import render_map
from optimizer.schedule import schedule_route
from optimizer.solver import SolveStatus, TaskResult, solve_routes, solve_task
from optimizer.solver.fairsplit import even_out
from optimizer.solver.keepteams import keep_teams
from optimizer.solver.shorten import shorten
from optimizer.task import RELOAD

EIGHT = 8 * 3600
FAIR = SolverConfig(objective="fair", solutions_per_stop=2, workers=1)
LEAST = SolverConfig(objective="total_time", solutions_per_stop=2, workers=1)


def _ring(
    n: int = 12,
    teams: int = 3,
    *,
    profiles: tuple[str, ...] = ("car",),
    max_work_s: int | None = None,
) -> SolveTask:
    """Depot in the middle of a ring of ``n`` doors: 600 s out, 120 s between neighbours."""
    size = n + 1
    step = np.arange(n)
    around = np.abs(step[:, None] - step[None, :])
    times = np.zeros((size, size), dtype=np.int64)
    times[1:, 1:] = np.minimum(around, n - around) * 120
    times[0, 1:] = times[1:, 0] = 600
    service = np.full(size, 300, dtype=np.int64)
    service[0] = 0
    demand = np.ones(size, dtype=np.int64)
    demand[0] = 0
    return SolveTask(
        key="ring",
        n_depots=1,
        households=np.arange(n, dtype=np.int64),
        demand=demand,
        service_s={p: service for p in profiles},
        window_start_s=np.full(size, EIGHT, dtype=np.int64),
        window_end_s=np.full(size, 15 * 3600, dtype=np.int64),
        time_s={p: times.astype(np.int32) for p in profiles},
        candidates=np.r_[False, np.ones(n, dtype=bool)],
        vehicles=tuple(
            VehicleSpec(
                team=i,
                profile=profiles[i % len(profiles)],
                capacity=25,
                depot_node=0,
                shift_start_s=EIGHT,
                shift_end_s=15 * 3600,
                max_work_s=max_work_s,
            )
            for i in range(teams)
        ),
    )


def _doors(routes: tuple[tuple[int, ...], ...]) -> list[int]:
    return sorted(len([n for n in route if n >= 0]) for route in routes)


def test_three_teams_share_a_ring_of_twelve_four_each() -> None:
    task = _ring()
    least = solve_task(task, LEAST, time_limit_s=60)
    fair = solve_task(task, FAIR, time_limit_s=60)
    assert _doors(least.routes) != [4, 4, 4]  # least total time leaves a team idle
    assert _doors(fair.routes) == [4, 4, 4]
    assert fair.dropped == ()


def test_a_team_that_cannot_reach_a_lane_door_never_gets_it() -> None:
    task = _ring(profiles=("car", "motorbike"), teams=4)
    lane = 7  # node 7: a lane only motorbikes use
    car = task.time_s["car"].copy()
    car[lane, :] = car[:, lane] = UNREACHABLE_S
    car[lane, lane] = 0
    task = replace(task, time_s={"car": car, "motorbike": task.time_s["motorbike"]})
    fair = solve_task(task, FAIR, time_limit_s=60)
    holders = [v for v, route in enumerate(fair.routes) if lane in route]
    assert len(holders) == 1
    assert task.vehicles[holders[0]].profile == "motorbike"
    assert fair.dropped == ()


def test_the_working_time_cap_holds_on_a_fair_day() -> None:
    task = _ring(teams=3, max_work_s=50 * 60)
    fair = solve_task(task, FAIR, time_limit_s=60)
    for vehicle, route in enumerate(fair.routes):
        if route:
            assert schedule_route(task, vehicle, route).feasible
    assert fair.dropped == ()


def test_fair_is_the_same_with_one_worker_and_with_two() -> None:
    tasks = [_ring(), _ring(n=15, teams=4)]
    one = solve_routes(tasks, FAIR.model_copy(update={"workers": 1}))
    two = solve_routes(tasks, FAIR.model_copy(update={"workers": 2}))
    assert [r.routes for r in one.results] == [r.routes for r in two.results]


def test_a_priority_household_is_served_by_its_deadline_on_a_fair_day() -> None:
    task = _ring()
    due = np.full(task.window_start_s.size, -1, dtype=np.int64)
    due[12] = EIGHT + 15 * 60  # the ring's last door, due 08:15
    task = replace(task, priority_due_s=due)
    fair = solve_task(task, FAIR, time_limit_s=60)
    assert _doors(fair.routes) == [4, 4, 4]
    (vehicle,) = [v for v, route in enumerate(fair.routes) if 12 in route]
    timed = schedule_route(task, vehicle, fair.routes[vehicle])
    arrival = next(visit for visit in timed.visits if visit.node == 12)
    assert arrival.arrival_s <= due[12]


def test_morning_doors_lead_and_afternoon_doors_close_the_shares() -> None:
    task = _ring()
    due = np.full(task.window_start_s.size, -1, dtype=np.int64)
    opens, closes = task.window_start_s.copy(), task.window_end_s.copy()
    opens[1] = due[1] = 13 * 3600  # a priority household at home only from 13:00
    closes[2] = EIGHT + 90 * 60  # a household at home only until 09:30
    task = replace(task, window_start_s=opens, window_end_s=closes, priority_due_s=due)
    one_team = (tuple(range(1, 13)), (), ())
    shares = even_out(task, one_team)
    assert _doors(shares) == [4, 4, 4]  # every team works; none breaks a window
    for vehicle, route in enumerate(shares):
        assert schedule_route(task, vehicle, route).feasible
    (early,) = [route for route in shares if 2 in route]
    (late,) = [route for route in shares if 1 in route]
    assert early[0] == 2
    assert late[-1] == 1


def test_when_sizing_only_the_teams_called_up_share() -> None:
    task = _ring(n=24, teams=6)
    call_up = tuple(replace(v, call_up_cost=3 * 8 * 3600) for v in task.vehicles)
    task = replace(task, vehicles=call_up)
    least = solve_task(task, LEAST, time_limit_s=60)
    fair = solve_task(task, FAIR, time_limit_s=60)
    called = [v for v, route in enumerate(least.routes) if route]
    assert 0 < len(called) < 6
    assert [v for v, route in enumerate(fair.routes) if route] == called
    assert fair.dropped == ()


def test_fairness_per_desa_by_hand() -> None:
    hour = 3600
    desa = desa_fairness(
        [("D1", "35.10.01.2001"), ("D2", "35.10.01.2002"), ("D3", "35.10.01.2003")],
        {"D1": 3, "D2": 2},  # D3 has no team called up: not measured
        [("D1", 3 * hour), ("D1", 1 * hour), ("D2", 2 * hour), ("D2", 2 * hour)],
    )
    one, two = desa
    assert (one.teams_called, one.teams_used, one.fair_share_s) == (3, 2, 4 * hour // 3)
    assert one.spread_s == 2 * hour
    assert one.idle_while_busy  # a team idle while another works 1 h 40 min over the share
    assert (two.spread_s, two.idle_while_busy) == (0, False)
    line = fairness_line(desa)
    assert line.startswith("Fair day: no")
    assert "1 of 2 desa" in line
    even = desa_fairness([("D2", "x")], {"D2": 2}, [("D2", 2 * hour), ("D2", 2 * hour + 600)])
    assert fairness_line(even).startswith("Fair day: yes")


def test_the_map_legend_says_whether_the_day_is_fair(tiny_plan: Plan, tmp_path: Path) -> None:
    assert tiny_plan.fairness
    fair, _, _ = fairness_verdict(tiny_plan.fairness)
    page = render_map(tiny_plan, tmp_path / "map.html").read_text(encoding="utf-8")
    assert "Fair day" in page
    assert f"{'yes' if fair else 'no'} (spread in a desa" in page
    assert fairness_line(tiny_plan.fairness) in tiny_plan.summary()


def test_fairness_csv_has_one_row_per_desa_with_its_measures(
    tiny_plan: Plan, tmp_path: Path
) -> None:
    (path,) = write_fairness(tiny_plan, tmp_path)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == FAIRNESS_COLUMNS
    assert [r["depot_id"] for r in rows] == [d.depot_id for d in tiny_plan.fairness]
    for row, desa in zip(rows, tiny_plan.fairness, strict=True):
        assert int(row["teams_called"]) == desa.teams_called
        assert int(row["teams_used"]) == desa.teams_used
        assert int(row["spread_min"]) == round(desa.spread_s / 60)
        assert row["idle_while_busy"] == ("yes" if desa.idle_while_busy else "no")
        depot = next(d for d in tiny_plan.depots if d.depot_id == desa.depot_id)
        assert row["desa"] == depot.desa_name


def test_a_share_is_visited_in_a_shorter_order_its_classes_kept() -> None:
    task = _ring()
    zigzag = (1, 6, 2, 5, 3, 4)  # one trip, doors 1-6 of the ring out of order
    shorter = shorten(task, 0, zigzag, lambda door: 0)
    assert sorted(shorter) == sorted(zigzag)
    assert shorter in ((1, 2, 3, 4, 5, 6), (6, 5, 4, 3, 2, 1))
    assert schedule_route(task, 0, shorter).travel_s < schedule_route(task, 0, zigzag).travel_s
    # Doors 5 and 6 are morning doors: they stay in front, in their own shorter order.
    classes = shorten(task, 0, (5, 6, 2, 1, 4, 3), lambda door: 0 if door >= 5 else 1)
    assert set(classes[:2]) == {5, 6}
    assert classes[2:] == (4, 3, 2, 1)
    # A reload splits the route into trips; each trip keeps its own doors.
    trips = shorten(task, 0, (3, 1, 2, RELOAD, 9, 7, 8), lambda door: 0)
    assert set(trips[: trips.index(RELOAD)]) == {1, 2, 3}
    assert set(trips[trips.index(RELOAD) + 1 :]) == {7, 8, 9}
    # A shorter order that would break a window keeps the given order.
    closes = task.window_end_s.copy()
    closes[6] = EIGHT + 11 * 60  # door 6 only before 08:11: it must come first
    late = replace(task, window_end_s=closes)
    assert shorten(late, 0, (6, 1, 2, 3), lambda door: 0) == (6, 1, 2, 3)


def test_doors_moved_to_the_idle_kind_are_the_nearest_to_its_depot() -> None:
    task = _ring(profiles=("car", "motorbike"), teams=2)
    times = {}
    for profile, matrix in task.time_s.items():
        far = matrix.copy()
        far[0, 1:] = far[1:, 0] = 120 * np.arange(1, 13)  # door i is i x 2 min from the depot
        times[profile] = far
    task = replace(task, time_s=times)
    car_only = (tuple(range(1, 13)), ())
    shares = even_out(task, car_only)
    motorbike = sorted(shares[1])
    assert motorbike
    assert motorbike == list(range(1, len(motorbike) + 1))  # the nearest doors, none skipped
    assert sorted(shares[0] + shares[1]) == list(range(1, 13))


def test_a_spread_under_an_hour_reads_in_minutes() -> None:
    from optimizer.render.mappack import duration_text

    assert duration_text(11 * 60) == "11 min"
    assert duration_text(65 * 60) == "1 h 05 min"


def test_next_month_on_a_fair_day_keeps_the_teams_of_even_shares() -> None:
    task = _ring()
    shares = even_out(task, (tuple(range(1, 13)), (), ()))
    pinned = np.full(task.n_nodes, -1, dtype=np.int64)
    for vehicle, route in enumerate(shares):
        pinned[[door for door in route if door != RELOAD]] = vehicle
    carried = replace(task, start=shares, pinned=pinned, release_pct=5.0)
    # Least total time would free every door: one team does them all for less.
    least = solve_task(carried, LEAST, time_limit_s=60)
    assert least.rebalanced
    # A fair day compares with a fair day: the even shares stay with last month's teams.
    fair = solve_task(carried, FAIR, time_limit_s=60)
    assert not fair.rebalanced
    assert [sorted(r) for r in fair.routes] == [sorted(r) for r in shares]


def test_a_freed_plan_hands_alike_routes_to_last_months_teams() -> None:
    task = _ring()
    last = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12))
    pinned = np.full(task.n_nodes, -1, dtype=np.int64)
    for vehicle, route in enumerate(last):
        pinned[list(route)] = vehicle
    carried = replace(task, pinned=pinned)
    # The freed plan found the same three routes (one a door longer), in another team order.
    freed = TaskResult(
        key="ring",
        status=SolveStatus.FEASIBLE,
        routes=((9, 10, 11, 12), (1, 2, 3), (4, 5, 6, 7, 8)),
        dropped=(),
        objective=0,
        hit_time_limit=False,
        wall_s=0.0,
        guard_s=1.0,
    )
    kept = keep_teams(carried, freed).routes
    assert kept == ((1, 2, 3), (4, 5, 6, 7, 8), (9, 10, 11, 12))
    # Without last month's teams nothing moves.
    assert keep_teams(task, freed).routes == freed.routes


def test_on_a_short_afternoon_the_late_doors_are_shared_by_more_teams() -> None:
    task = _ring(n=24, teams=3)
    two = 14 * 3600  # a Friday: the day ends at 14:00
    opens = task.window_start_s.copy()
    opens[15:] = 13 * 3600  # ten households at home only from 13:00
    task = replace(
        task,
        window_start_s=opens,
        window_end_s=np.full(opens.size, two, dtype=np.int64),
        vehicles=tuple(replace(v, shift_end_s=two) for v in task.vehicles),
    )
    shares = even_out(task, (tuple(range(1, 25)), (), ()))
    assert all(shares)  # every team works: one piece with all ten late doors cannot end by 14:00
    for vehicle, route in enumerate(shares):
        assert schedule_route(task, vehicle, route).feasible
    late_per_team = sorted(sum(1 for door in route if door >= 15) for route in shares)
    assert late_per_team[-1] < 10
    assert sorted(door for route in shares for door in route) == list(range(1, 25))
