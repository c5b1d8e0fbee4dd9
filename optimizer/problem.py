"""Turn each sub-problem into a solver-ready routing task, and screen out doors no team can serve.

A task holds integers only: node demands, per-profile service and travel times, time windows,
vehicles with their capacity and shift. Before solving, every household is checked against
every team that could take it (:mod:`optimizer.screening`); on a park-and-walk day, doors close
on foot then become walks from a parked vehicle (:mod:`optimizer.walktasks`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.matrix import TravelMatrices
from optimizer.partition import Partition, SubProblem
from optimizer.scenario import Scenario
from optimizer.screening import Screened, depot_warnings, screen_households
from optimizer.snapping import Snapped
from optimizer.task import BreakRule, SolveTask, VehicleSpec
from optimizer.units import parse_clock
from optimizer.walkgroups import Walking
from optimizer.walktasks import walk_rules, with_walks


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """All tasks plus the households screened out before solving, and warnings."""

    tasks: tuple[SolveTask, ...]
    screened: tuple[Screened, ...]
    warnings: tuple[str, ...] = ()


def _door_times(
    scenario: Scenario, sites: npt.NDArray[np.int64], n_depots: int
) -> npt.NDArray[np.float64]:
    """Time at each door without the walk to it: the door time and the extra packages."""
    door_s = scenario.service.door_min * 60.0
    extra_s = scenario.service.per_extra_package_min * 60.0
    packages = np.array(
        [0] * n_depots + [scenario.households[s].packages for s in sites[n_depots:]], dtype=float
    )
    return np.where(packages > 0, door_s + extra_s * np.maximum(packages - 1, 0), 0.0)


def _service_times(
    scenario: Scenario,
    snapped: Snapped,
    sites: npt.NDArray[np.int64],
    n_depots: int,
    walk_speed_kph: float,
) -> dict[str, npt.NDArray[np.int64]]:
    base = _door_times(scenario, sites, n_depots)
    result = {}
    for profile, snap in snapped.by_profile.items():
        # Whole metres: a door a few centimetres off the node costs no extra second.
        distance = np.round(snap.distance_m[sites])
        walk = 2.0 * np.where(np.isfinite(distance), distance, 0.0)
        walk_s = walk / (walk_speed_kph / 3.6)
        walk_s += 60.0 * scenario.service.park_min.get(profile, 0.0)
        walk_s[:n_depots] = 0.0
        result[profile] = np.ceil(base + walk_s - 1e-9).astype(np.int64)
    return result


def _vehicle_specs(scenario: Scenario, subproblem: SubProblem) -> tuple[VehicleSpec, ...]:
    rules = scenario.rules
    break_rule = (
        BreakRule(
            earliest_s=rules.break_earliest_s,
            latest_s=rules.break_latest_s,
            duration_s=rules.break_s,
        )
        if rules.break_s > 0
        else None
    )
    depot_local = {scenario.depots[d].depot_id: i for i, d in enumerate(subproblem.depots)}
    specs = []
    for t, groups in zip(subproblem.teams, subproblem.team_groups, strict=True):
        team = scenario.teams[t]
        vtype = scenario.vehicles[team.vehicle]
        specs.append(
            VehicleSpec(
                team=t,
                profile=vtype.profile,
                capacity=vtype.capacity,
                depot_node=depot_local[team.depot_id],
                shift_start_s=team.shift_start_s,
                shift_end_s=team.shift_end_s,
                max_trips=vtype.max_trips,
                reload_s=math.ceil(vtype.reload_min * 60),
                break_rule=break_rule,
                max_work_s=rules.max_work_s,
                cost_per_km=vtype.cost_per_km,
                cost_per_hour=vtype.cost_per_hour,
                fixed_cost=vtype.fixed_cost,
                groups=groups,
            )
        )
    # Largest vehicles first: the insertion heuristic fills vehicles in order, and small ones
    # first made mixed fleets up to several times costlier on the heterogeneous-fleet benchmark.
    return tuple(sorted(specs, key=lambda v: (-v.capacity, v.team)))


def _door_arrays(
    scenario: Scenario, sp: SubProblem, vehicles: tuple[VehicleSpec, ...], priority_by: int
) -> tuple[npt.NDArray[np.int64], ...]:
    """Return a sub-problem's demand, window start and end, priority deadline and desa group.

    One value per local node, depots first (no demand, the teams' shift as window, no
    deadline, group 0).
    """
    n_depots = len(sp.depots)
    n = n_depots + len(sp.households)
    demand = np.zeros(n, dtype=np.int64)
    w_start = np.full(n, min(v.shift_start_s for v in vehicles), dtype=np.int64)
    w_end = np.full(n, max(v.shift_end_s for v in vehicles), dtype=np.int64)
    due = np.full(n, -1, dtype=np.int64)
    group = np.zeros(n, dtype=np.int64)
    for local, (h, g) in enumerate(zip(sp.households, sp.household_group, strict=True), n_depots):
        household = scenario.households[h]
        demand[local] = household.packages
        group[local] = g
        if household.window_start_s is not None:
            w_start[local] = household.window_start_s
        if household.window_end_s is not None:
            w_end[local] = household.window_end_s
        if household.priority:
            due[local] = max(priority_by, int(w_start[local]))
    return demand, w_start, w_end, due, group


def build_problem(
    scenario: Scenario,
    snapped: Snapped,
    partition: Partition,
    matrices: TravelMatrices,
    *,
    walk_speed_kph: float,
    walking: Walking | None = None,
) -> Problem:
    """Assemble the solver tasks of all sub-problems.

    Parameters
    ----------
    scenario : Scenario
    snapped : Snapped
    partition : Partition
    matrices : TravelMatrices
    walk_speed_kph : float
        Walking speed for the stretch between the road and the door, and on walks.
    walking : Walking, optional
        The footpaths, when doors close on foot are grouped into walks from a parked vehicle
        (``[service.park_and_walk]``).

    Returns
    -------
    Problem

    Notes
    -----
    Service time at a door = ``door_min`` + ``per_extra_package_min`` per package beyond the
    first + the walk from the road to the door and back + ``[service] park_min`` of the
    vehicle's profile, rounded up to seconds. A walk from a parked vehicle takes the parking
    time once, then its loop.
    """
    tasks: list[SolveTask] = []
    screened: list[Screened] = []
    priority_by = parse_clock(scenario.service.priority_by)
    for sp in partition.subproblems:
        n_depots = len(sp.depots)
        sites = matrices.by_key[(sp.key, sp.profiles[0])].sites
        vehicles = _vehicle_specs(scenario, sp)
        demand, w_start, w_end, due, group = _door_arrays(scenario, sp, vehicles, priority_by)
        service_all = _service_times(scenario, snapped, sites, n_depots, walk_speed_kph)
        task = SolveTask(
            key=sp.key,
            n_depots=n_depots,
            households=np.array(sp.households, dtype=np.int64),
            demand=demand,
            service_s={p: service_all[p] for p in sp.profiles},
            window_start_s=w_start,
            window_end_s=w_end,
            time_s={p: matrices.by_key[(sp.key, p)].time_s for p in sp.profiles},
            distance_m={p: matrices.by_key[(sp.key, p)].distance_m for p in sp.profiles},
            candidates=np.zeros(sites.size, dtype=bool),
            vehicles=vehicles,
            priority_due_s=due,
            group=group,
        )
        candidates, dropped = screen_households(scenario, snapped, sp, task)
        screened.extend(dropped)
        task = dataclasses.replace(task, candidates=candidates)
        if walking is not None:
            door_s = np.ceil(_door_times(scenario, sites, n_depots) - 1e-9).astype(np.int64)
            rules, park_min = walk_rules(scenario), scenario.service.park_min
            task = with_walks(snapped, walking, task, sites, rules, door_s, park_min)
        tasks.append(task)
    warnings = depot_warnings(scenario, snapped, partition)
    return Problem(tasks=tuple(tasks), screened=tuple(screened), warnings=tuple(warnings))


def estimate_effort(task: SolveTask, solutions: float | None = None) -> float:
    """Return the relative solving effort of a task (used to share out the time budget).

    Each solution the search finds costs a neighbourhood scan that grows with the task size
    (times the number of teams, which multiplies the moves to try); the search runs for
    ``solutions`` solutions (default: as many as households), so effort grows with the square
    of size unless a floor on the solution count dominates.
    """
    count = float(task.size) if solutions is None else solutions
    return count * float(task.size) * math.sqrt(len(task.vehicles)) + 1.0
