"""Screening before solving: which households some team can serve alone, and why not -> Screened.

Before solving, every household is checked against every team that could take it: a route to
that door alone is timed (:func:`optimizer.schedule.schedule_route`) for each team allowed to
serve it. One no team can serve gets a reason found by that check (too far from a road, cut
off, beyond capacity, or out of reach within the shift) instead of being left to the solver to
drop without explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.matrix import UNREACHABLE_S
from optimizer.partition import Partition, SubProblem
from optimizer.reasons import UnservedReason
from optimizer.scenario import Scenario
from optimizer.schedule import schedule_route
from optimizer.snapping import Snapped
from optimizer.task import SolveTask, VehicleSpec
from optimizer.units import format_clock


@dataclass(frozen=True, slots=True, kw_only=True)
class Screened:
    """A household the screening found no team able to serve."""

    household: int
    code: UnservedReason
    reason: str


def _depot_reachable(snapped: Snapped, subproblem: SubProblem, vehicle: VehicleSpec) -> bool:
    site = snapped.depot_site(subproblem.depots[vehicle.depot_node])
    return bool(snapped.by_profile[vehicle.profile].entry[site] >= 0)


def depot_warnings(scenario: Scenario, snapped: Snapped, partition: Partition) -> list[str]:
    """Say which depots some of their teams cannot start from (no usable road nearby)."""
    warnings = []
    for sp in partition.subproblems:
        for depot_index in sp.depots:
            depot = scenario.depots[depot_index]
            site = snapped.depot_site(depot_index)
            teams = [
                scenario.teams[t] for t in sp.teams if scenario.teams[t].depot_id == depot.depot_id
            ]
            for profile in sorted({scenario.vehicles[t.vehicle].profile for t in teams}):
                snap = snapped.by_profile[profile]
                if snap.entry[site] < 0:
                    count = sum(1 for t in teams if scenario.vehicles[t.vehicle].profile == profile)
                    warnings.append(
                        f"depot {depot.depot_id} is {snap.distance_m[site]:.0f} m from the "
                        f"nearest road a {profile} can use (limit {snapped.max_snap_m:.0f} m): "
                        f"its {count} {profile} team(s) cannot start; move the depot point"
                    )
    return warnings


def _depot_unusable(scenario: Scenario, subproblem: SubProblem) -> list[Screened]:
    """Screen out every household of a sub-problem none of whose teams can leave its depot."""
    names = ", ".join(scenario.depots[d].depot_id for d in subproblem.depots)
    reason = (
        f"depot {names} is not on a road its teams' vehicles can use, so no team "
        f"of {subproblem.name} can start; move the depot point onto a road"
    )
    return [
        Screened(household=h, code=UnservedReason.UNREACHABLE, reason=reason)
        for h in subproblem.households
    ]


def distinct_vehicles(task: SolveTask, working: list[int]) -> list[int]:
    """Return the first of each set of vehicles alike in everything the check looks at."""
    distinct: dict[tuple[object, ...], int] = {}
    for i in working:
        v = task.vehicles[i]
        signature = (
            v.profile,
            v.capacity,
            v.depot_node,
            v.shift_start_s,
            v.shift_end_s,
            v.break_rule,
            v.max_work_s,
            v.groups,
        )
        distinct.setdefault(signature, i)
    return sorted(distinct.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class _Attempts:
    """What trying one household alone with each allowed team found.

    Attributes
    ----------
    served : bool
        Some team can serve it alone and keep every rule.
    snapped_any : bool
        Some team's vehicle reaches it from its depot and back.
    cut_off : bool
        For some team it is near a road that is cut off from the depot's network, or cannot
        be reached from the depot and back.
    fits_time : bool
        Some team keeps every rule but capacity.
    """

    served: bool
    snapped_any: bool
    cut_off: bool
    fits_time: bool


def try_alone(
    snapped: Snapped, task: SolveTask, local: int, h: int, allowed: list[int]
) -> _Attempts:
    """Try the household at node ``local`` as the only door of a route of each allowed team."""
    snapped_any = cut_off = fits_time = False
    for i in allowed:
        v = task.vehicles[i]
        snap = snapped.by_profile[v.profile]
        if snap.node[h] < 0:
            cut_off = cut_off or snap.nearest_road_m[h] <= snapped.max_snap_m
            continue
        times = task.time_s[v.profile]
        if max(times[v.depot_node, local], times[local, v.depot_node]) >= UNREACHABLE_S:
            cut_off = True
            continue
        snapped_any = True
        alone = schedule_route(task, i, (local,))
        if alone.breaks_only("capacity"):
            fits_time = True
            if task.demand[local] <= v.capacity:
                return _Attempts(
                    served=True, snapped_any=snapped_any, cut_off=cut_off, fits_time=fits_time
                )
    return _Attempts(served=False, snapped_any=snapped_any, cut_off=cut_off, fits_time=fits_time)


def _explain(
    scenario: Scenario,
    snapped: Snapped,
    task: SolveTask,
    h: int,
    allowed: list[int],
    found: _Attempts,
) -> Screened:
    """Say why no allowed team can serve household ``h``, from what the attempts found."""
    household = scenario.households[h]
    profiles = sorted({task.vehicles[i].profile for i in allowed})
    if not found.snapped_any and found.cut_off:
        code = UnservedReason.UNREACHABLE
        reason = (
            f"the nearest road usable by the teams' vehicles ({', '.join(profiles)}) "
            "is cut off from the network around the depot; check the road data or "
            "send a team on foot"
        )
    elif not found.snapped_any:
        nearest = min(float(snapped.by_profile[p].distance_m[h]) for p in profiles)
        code = UnservedReason.TOO_FAR_FROM_ROAD
        reason = (
            f"{nearest:.0f} m from the nearest road the teams' vehicles "
            f"({', '.join(profiles)}) can use, over the {snapped.max_snap_m:.0f} m "
            "limit; check the coordinates or raise [graph] max_snap_m"
        )
    elif not found.fits_time:
        code = UnservedReason.OUTSIDE_SHIFT
        window = ""
        if household.window_start_s is not None and household.window_end_s is not None:
            window = (
                f" within its window {format_clock(household.window_start_s)}-"
                f"{format_clock(household.window_end_s)}"
            )
        reason = (
            f"no team can reach it{window}, take the break and be back at the depot "
            "before the shift ends; lengthen the shift or widen the window"
        )
    else:
        largest = max(task.vehicles[i].capacity for i in allowed)
        code = UnservedReason.OVER_VEHICLE_CAPACITY
        reason = (
            f"needs {household.packages} packages but the largest vehicle here carries "
            f"{largest}; send a bigger vehicle or split the delivery"
        )
    return Screened(household=h, code=code, reason=reason)


def screen_households(
    scenario: Scenario, snapped: Snapped, subproblem: SubProblem, task: SolveTask
) -> tuple[npt.NDArray[np.bool_], list[Screened]]:
    """Mark which households some team can serve alone; explain the others.

    A household passes when at least one team allowed to serve it could visit it as the only
    door of a route and keep every rule (window, shift, break, working time, capacity).
    """
    n_depots = task.n_depots
    ok = np.zeros(task.n_nodes, dtype=bool)
    screened: list[Screened] = []
    working = [i for i, v in enumerate(task.vehicles) if _depot_reachable(snapped, subproblem, v)]
    if not working:
        return ok, _depot_unusable(scenario, subproblem)
    # Teams alike in everything the check looks at are checked once.
    vehicles = distinct_vehicles(task, working)
    for local in range(n_depots, task.n_nodes):
        h = int(task.households[local - n_depots])
        group = task.group_of(local)
        allowed = [i for i in vehicles if task.vehicles[i].serves(group)]
        found = try_alone(snapped, task, local, h, allowed)
        if found.served:
            ok[local] = True
            continue
        screened.append(_explain(scenario, snapped, task, h, allowed, found))
    return ok, screened
