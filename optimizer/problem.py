"""Turn each sub-problem into a solver-ready routing task, and screen out doors no team can serve.

A task holds integers only: node demands, per-profile service and travel times, time windows,
vehicles with their capacity and shift. Before solving, every household is checked against
every team that could take it; one that no team can serve gets a reason found by that check
(too far from a road, cut off, beyond capacity, or out of reach within the shift) instead of
being left to the solver to drop without explanation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from optimizer.matrix import UNREACHABLE_S, TravelMatrices
from optimizer.partition import Partition, SubProblem
from optimizer.reasons import UnservedReason
from optimizer.scenario import Scenario
from optimizer.snapping import Snapped
from optimizer.units import format_clock


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleSpec:
    """One team as the solver sees it (start and end are local depot nodes)."""

    team: int
    profile: str
    capacity: int
    depot_node: int
    shift_start_s: int
    shift_end_s: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SolveTask:
    """One sub-problem in solver terms. Local nodes: depots first, then households.

    Attributes
    ----------
    households : int64 array
        Scenario household index of each non-depot node, in local order.
    demand : int64 array (n,)
        Packages per node (0 at depots).
    service_s : dict of str to int64 array (n,)
        Per profile: time spent at each node (door time plus the walk from the road and back).
    window_start_s, window_end_s : int64 arrays (n,)
        Time window on the arrival at each node (shift bounds when the household has none).
    time_s : dict of str to int64 array (n, n)
        Per profile: travel times, rounded up.
    candidates : bool array (n,)
        Nodes handed to the solver (screened households; depots are never candidates).
    """

    key: str
    n_depots: int
    households: npt.NDArray[np.int64] = field(repr=False)
    demand: npt.NDArray[np.int64] = field(repr=False)
    service_s: dict[str, npt.NDArray[np.int64]] = field(repr=False)
    window_start_s: npt.NDArray[np.int64] = field(repr=False)
    window_end_s: npt.NDArray[np.int64] = field(repr=False)
    time_s: dict[str, npt.NDArray[np.int32]] = field(repr=False)
    candidates: npt.NDArray[np.bool_] = field(repr=False)
    vehicles: tuple[VehicleSpec, ...]

    @property
    def size(self) -> int:
        """Number of households handed to the solver."""
        return int(self.candidates.sum())


@dataclass(frozen=True, slots=True, kw_only=True)
class Screened:
    """A household the screening found no team able to serve."""

    household: int
    code: UnservedReason
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """All tasks plus the households screened out before solving, and warnings."""

    tasks: tuple[SolveTask, ...]
    screened: tuple[Screened, ...]
    warnings: tuple[str, ...] = ()


def _service_times(
    scenario: Scenario,
    snapped: Snapped,
    sites: npt.NDArray[np.int64],
    n_depots: int,
    walk_speed_kph: float,
) -> dict[str, npt.NDArray[np.int64]]:
    door_s = scenario.service.door_min * 60.0
    extra_s = scenario.service.per_extra_package_min * 60.0
    packages = np.array(
        [0] * n_depots + [scenario.households[s].packages for s in sites[n_depots:]], dtype=float
    )
    base = np.where(packages > 0, door_s + extra_s * np.maximum(packages - 1, 0), 0.0)
    result = {}
    for profile, snap in snapped.by_profile.items():
        # Whole metres: a door a few centimetres off the node costs no extra second.
        distance = np.round(snap.distance_m[sites])
        walk = 2.0 * np.where(np.isfinite(distance), distance, 0.0)
        walk_s = walk / (walk_speed_kph / 3.6)
        walk_s[:n_depots] = 0.0
        result[profile] = np.ceil(base + walk_s - 1e-9).astype(np.int64)
    return result


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Arrays:
    """The per-node arrays of one task under construction."""

    time_s: dict[str, npt.NDArray[np.int32]]
    service_s: dict[str, npt.NDArray[np.int64]]
    demand: npt.NDArray[np.int64]
    window_start_s: npt.NDArray[np.int64]
    window_end_s: npt.NDArray[np.int64]


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


def _screen(
    scenario: Scenario,
    snapped: Snapped,
    subproblem: SubProblem,
    arrays: _Arrays,
    vehicles: tuple[VehicleSpec, ...],
) -> tuple[npt.NDArray[np.bool_], list[Screened]]:
    """Mark which households any team can serve; explain the others."""
    n_depots = len(subproblem.depots)
    times, service, demand = arrays.time_s, arrays.service_s, arrays.demand
    w_start, w_end = arrays.window_start_s, arrays.window_end_s
    n = n_depots + len(subproblem.households)
    ok = np.zeros(n, dtype=bool)
    screened: list[Screened] = []
    max_capacity = max(v.capacity for v in vehicles)
    working = tuple(v for v in vehicles if _depot_reachable(snapped, subproblem, v))
    if not working:
        names = ", ".join(scenario.depots[d].depot_id for d in subproblem.depots)
        reason = (
            f"depot {names} is not on a road its teams' vehicles can use, so no team "
            "of this desa can start; move the depot point onto a road"
        )
        screened = [
            Screened(household=h, code=UnservedReason.UNREACHABLE, reason=reason)
            for h in subproblem.households
        ]
        return ok, screened
    vehicles = working
    for local in range(n_depots, n):
        h = subproblem.households[local - n_depots]
        site = int(h)
        snapped_any = False
        cut_off = False
        fits_time = False
        for v in vehicles:
            snap = snapped.by_profile[v.profile]
            if snap.node[site] < 0:
                cut_off = cut_off or snap.nearest_road_m[site] <= snapped.max_snap_m
                continue
            go = int(times[v.profile][v.depot_node, local])
            back = int(times[v.profile][local, v.depot_node])
            if go >= UNREACHABLE_S or back >= UNREACHABLE_S:
                cut_off = True
                continue
            snapped_any = True
            arrive = max(v.shift_start_s + go, int(w_start[local]))
            done = arrive + int(service[v.profile][local]) + back
            if arrive <= int(w_end[local]) and done <= v.shift_end_s:
                fits_time = True
                if demand[local] <= v.capacity:
                    ok[local] = True
                    break
        if ok[local]:
            continue
        household = scenario.households[h]
        profiles = sorted({v.profile for v in vehicles})
        if not snapped_any and cut_off:
            code = UnservedReason.UNREACHABLE
            reason = (
                f"the nearest road usable by the teams' vehicles ({', '.join(profiles)}) "
                "is cut off from the network around the depot; check the road data or "
                "send a team on foot"
            )
        elif not snapped_any:
            nearest = min(float(snapped.by_profile[p].distance_m[site]) for p in profiles)
            code = UnservedReason.TOO_FAR_FROM_ROAD
            reason = (
                f"{nearest:.0f} m from the nearest road the teams' vehicles "
                f"({', '.join(profiles)}) can use, over the {snapped.max_snap_m:.0f} m "
                "limit; check the coordinates or raise [graph] max_snap_m"
            )
        elif not fits_time:
            code = UnservedReason.OUTSIDE_SHIFT
            window = ""
            if household.window_start_s is not None and household.window_end_s is not None:
                window = (
                    f" within its window {format_clock(household.window_start_s)}-"
                    f"{format_clock(household.window_end_s)}"
                )
            reason = (
                f"no team can reach it{window} and be back at the depot before the "
                "shift ends; lengthen the shift or widen the window"
            )
        else:
            code = UnservedReason.OVER_VEHICLE_CAPACITY
            reason = (
                f"needs {household.packages} packages but the largest vehicle here carries "
                f"{max_capacity}; send a bigger vehicle or split the delivery"
            )
        screened.append(Screened(household=h, code=code, reason=reason))
    return ok, screened


def build_problem(
    scenario: Scenario,
    snapped: Snapped,
    partition: Partition,
    matrices: TravelMatrices,
    *,
    walk_speed_kph: float,
) -> Problem:
    """Assemble the solver tasks of all sub-problems.

    Parameters
    ----------
    scenario : Scenario
    snapped : Snapped
    partition : Partition
    matrices : TravelMatrices
    walk_speed_kph : float
        Walking speed for the stretch between the road and the door.

    Returns
    -------
    Problem

    Notes
    -----
    Service time at a door = ``door_min`` + ``per_extra_package_min`` per package beyond the
    first + the walk from the snapped road node to the door and back, rounded up to seconds.
    """
    tasks: list[SolveTask] = []
    screened: list[Screened] = []
    for sp in partition.subproblems:
        n_depots = len(sp.depots)
        first_matrix = matrices.by_key[(sp.key, sp.profiles[0])]
        sites = first_matrix.sites
        n = sites.size
        demand = np.zeros(n, dtype=np.int64)
        w_start = np.full(n, scenario.shift_start_s, dtype=np.int64)
        w_end = np.full(n, max(t.shift_end_s for t in scenario.teams), dtype=np.int64)
        for local, h in enumerate(sp.households, start=n_depots):
            household = scenario.households[h]
            demand[local] = household.packages
            if household.window_start_s is not None:
                w_start[local] = household.window_start_s
            if household.window_end_s is not None:
                w_end[local] = household.window_end_s
        vehicles = tuple(
            VehicleSpec(
                team=t,
                profile=scenario.vehicles[scenario.teams[t].vehicle].profile,
                capacity=scenario.vehicles[scenario.teams[t].vehicle].capacity,
                depot_node=sp.depots.index(
                    next(
                        i
                        for i, d in enumerate(scenario.depots)
                        if d.depot_id == scenario.teams[t].depot_id
                    )
                ),
                shift_start_s=scenario.teams[t].shift_start_s,
                shift_end_s=scenario.teams[t].shift_end_s,
            )
            for t in sp.teams
        )
        w_start[:n_depots] = min(v.shift_start_s for v in vehicles)
        w_end[:n_depots] = max(v.shift_end_s for v in vehicles)
        service_all = _service_times(scenario, snapped, sites, n_depots, walk_speed_kph)
        service = {p: service_all[p] for p in sp.profiles}
        time_s = {p: matrices.by_key[(sp.key, p)].time_s for p in sp.profiles}
        arrays = _Arrays(
            time_s=time_s,
            service_s=service,
            demand=demand,
            window_start_s=w_start,
            window_end_s=w_end,
        )
        candidates, dropped = _screen(scenario, snapped, sp, arrays, vehicles)
        screened.extend(dropped)
        tasks.append(
            SolveTask(
                key=sp.key,
                n_depots=n_depots,
                households=np.array(sp.households, dtype=np.int64),
                demand=demand,
                service_s=service,
                window_start_s=w_start,
                window_end_s=w_end,
                time_s=time_s,
                candidates=candidates,
                vehicles=vehicles,
            )
        )
    warnings = depot_warnings(scenario, snapped, partition)
    return Problem(tasks=tuple(tasks), screened=tuple(screened), warnings=tuple(warnings))


def estimate_effort(task: SolveTask) -> float:
    """Return the relative solving effort of a task (used to share out the time budget).

    The search makes a number of improving steps proportional to the task size, and each step
    explores a neighbourhood that also grows with it, so effort grows with the square of size
    (times the number of teams, which multiplies the moves to try).
    """
    return float(task.size) ** 2 * math.sqrt(len(task.vehicles)) + 1.0
