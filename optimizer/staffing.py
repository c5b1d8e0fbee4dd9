"""Team forming: civil servants of the roster -> complete teams at the depots that need them.

The steps, in order (:func:`staff_teams`):

1. **Keep last month's teams** (``previous``, by ``team_id``): a team stays as it was (same id,
   members and depot) when every member is available, none is already in a kept team, the
   driver still owns the team's vehicle type, the size still matches ``members`` and its depot
   still needs a team of that type. Kept teams count against the need.
2. **Send people to depots** with one min-cost flow (:mod:`optimizer.matching`): every
   available person left supplies 1; a *driver seats (d, v)* node takes the need of vehicle
   type ``v`` at depot ``d`` from owners of ``v``; a *passenger seats d* node takes
   ``sum_v need * (members_v - 1)`` from anybody; a *reserve* sink takes everybody else at
   cost 0; a *shortfall* source can fill any seat at a very large cost (twice as large for a
   driver seat), so the flow is always feasible. An arc costs the member's estimated road
   distance from home to the depot (:func:`commute_m`). A member's cost depends only on the
   depot, so the flow gives the exact minimum total travel for the needs. Each person has arcs
   to the ``nearest_depots`` nearest depots that need anybody (all of them, and so the exact
   optimum, when ``nearest_depots`` is at least their number).
3. **Repair a shortfall**: when seats stay empty (people or owners run short), the needs are
   cut where the flow left seats empty (:func:`_reduce_needs`: a team without a driver first;
   then, per empty passenger seat, teams smallest first, as the dropped team's driver can ride)
   and the flow runs again, at most ``MAX_PASSES`` times in all. The first flow that fills
   every seat gives the least travel for the teams that can be formed; people a dropped team
   would have taken fill seats elsewhere.
4. **Form the teams inside each depot**: drivers in order of their travel (nearest first);
   should a depot still have fewer passengers than seats (only when the passes run out), the
   latest-formed teams are dropped until every team left is complete, and passengers beyond
   the seats (farthest first) are let go. Passengers go to drivers by a second min-cost flow
   per depot: metres between the two homes plus ``unit_penalty_m`` when their units differ,
   so teams keep to one unit where they can.

Every available person not in a team is a reserve (:class:`Reserve`, code ``not_needed``),
filed under the kecamatan of the depot nearest home. When teams are missing somewhere, the
reserve's sentence says why this person does not fill them (the missing depots within their
nearest ``nearest_depots``, or that those are farther). A reserve who owns the vehicle type of
a missing team is never left over for want of a driver within reach: in the first flow an
empty driver seat costs twice a passenger seat, so the optimum makes every such owner a driver
rather than a passenger or a reserve. Such an owner is left over because the team they would
drive was dropped for want of passengers, or the short depot is beyond their reach.

When people suffice, the result is the exact minimum total travel (with ``nearest_depots`` at
least the depots with a need). When they run short, the number of teams formed comes from the
repair above, a heuristic: it fills driver seats first and then drops as few teams as the empty
seats require, but it is not proven to form the most teams possible.

Results are deterministic: people are sorted by ``asn_id`` and depots by ``depot_id`` first,
so the input order never changes the result.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from optimizer.matching import min_cost_flow
from optimizer.scenario.model import Person
from optimizer.units import haversine_m

logger = logging.getLogger(__name__)

#: Road distance estimated from the great-circle distance (roads wind; a typical rural factor).
ROAD_FACTOR = 1.3
#: The one reason code of a reserve.
REASON_NOT_NEEDED = "not_needed"
#: Flows run at most when people run short (each with fewer teams than the one before).
MAX_PASSES = 8
#: Short depots named in a reserve's sentence at most.
_NAMED_DEPOTS = 3

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class DepotSite:
    """A depot teams are sent to, with the kecamatan reserves are filed under."""

    depot_id: str
    desa_code: str
    kecamatan: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousTeam:
    """Last month's team: ``members`` are asn_ids with the driver first."""

    team_id: str
    depot_id: str
    vehicle: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FormedTeam:
    """One complete team: a driver who owns ``vehicle`` plus passengers.

    ``members`` are asn_ids, driver first, passengers by asn_id (a kept team keeps its order).
    ``travel_m`` is the sum of the members' estimated road distances from home to the depot.
    ``kept`` is True for a team carried over from last month unchanged.
    """

    team_id: str
    depot_id: str
    vehicle: str
    members: tuple[str, ...]
    travel_m: int
    kept: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Reserve:
    """An available person not in a team; ``kecamatan`` of the depot nearest home.

    ``reason`` is an English sentence for planners; ``code`` is always ``not_needed``.
    """

    asn_id: str
    kecamatan: str
    reason: str
    code: str = REASON_NOT_NEEDED


@dataclass(frozen=True, slots=True, kw_only=True)
class Staffing:
    """The teams formed for one distribution day, the reserves and what is missing.

    ``teams`` are sorted by depot_id, vehicle, team_id; ``reserves`` by kecamatan, asn_id.
    ``missing`` maps (depot_id, vehicle) to the teams that could not be formed (only
    entries above 0). ``unavailable`` lists the asn_ids marked unavailable, sorted.
    ``total_travel_m`` is the sum of the teams' ``travel_m``.
    """

    teams: tuple[FormedTeam, ...]
    reserves: tuple[Reserve, ...]
    missing: dict[tuple[str, str], int]
    unavailable: tuple[str, ...]
    total_travel_m: int


@dataclass(frozen=True, slots=True, kw_only=True)
class _Frame:
    """Sorted inputs as arrays; persons and depots are referred to by their index here."""

    people: tuple[Person, ...]  # by asn_id
    depots: tuple[DepotSite, ...]  # by depot_id
    vehicles: tuple[str, ...]  # the keys of ``members``, sorted
    size: IntArray  # members per team, by vehicle index
    need: IntArray  # (depots, vehicles)
    owns: IntArray  # vehicle index each person owns, -1 for none or a type not in ``members``
    unit: IntArray  # unit code of each person
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    commute: IntArray  # (people, depots), metres


@dataclass(frozen=True, slots=True, kw_only=True)
class _Team:
    depot: int
    vehicle: int
    members: tuple[int, ...]  # person indices, driver first
    team_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Placement:
    """Result of the depot flow: where each person goes, and the seats left unfilled."""

    depot: IntArray  # per person: depot index, -1 for none
    drives: IntArray  # per person: vehicle index driven, -1 for a passenger or nobody
    unfilled_drivers: IntArray  # (depots, vehicles)
    unfilled_passengers: IntArray  # (depots,)


def commute_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> IntArray:
    """Estimate the road distance between points in whole metres (vectorised).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like of float
        Coordinates in degrees; they broadcast against each other like numpy arrays.

    Returns
    -------
    numpy.ndarray of int64
        ``round(haversine_m(...) * ROAD_FACTOR)`` in metres.
    """
    return np.rint(haversine_m(lat1, lon1, lat2, lon2) * ROAD_FACTOR).astype(np.int64)


def _check_inputs(
    people: Sequence[Person],
    depots: Sequence[DepotSite],
    needs: Mapping[tuple[str, str], int],
    members: Mapping[str, int],
    *,
    unit_penalty_m: int,
    nearest_depots: int,
) -> None:
    """Raise one ValueError listing every problem of the inputs."""
    problems: list[str] = []
    for label, ids in (
        ("asn_id", [person.asn_id for person in people]),
        ("depot_id", [depot.depot_id for depot in depots]),
    ):
        twice = sorted(key for key, count in Counter(ids).items() if count > 1)
        if twice:
            problems.append(
                f"{label} appears more than once: {', '.join(twice)}; keep one row each"
            )
    known = {depot.depot_id for depot in depots}
    unknown_depots = sorted({depot for depot, _ in needs if depot not in known})
    if unknown_depots:
        problems.append(f"needs name unknown depots {unknown_depots}; add them to the depots")
    unknown_types = sorted({vehicle for _, vehicle in needs if vehicle not in members})
    if unknown_types:
        problems.append(
            f"needs name unknown vehicle types {unknown_types}; known types: {sorted(members)}"
        )
    negative = sorted(f"{depot}/{vehicle}" for (depot, vehicle), n in needs.items() if n < 0)
    if negative:
        problems.append(f"needs must be >= 0 teams, got a negative number for {negative}")
    small = sorted(vehicle for vehicle, size in members.items() if size < 1)
    if small:
        problems.append(f"members must be >= 1 (the driver counts), got less for {small}")
    if unit_penalty_m < 0:
        problems.append(f"unit_penalty_m must be >= 0, got {unit_penalty_m}")
    if nearest_depots < 1:
        problems.append(f"nearest_depots must be >= 1, got {nearest_depots}")
    if problems:
        raise ValueError("staff_teams: " + "; ".join(problems))


def _build_frame(
    people: Sequence[Person],
    depots: Sequence[DepotSite],
    needs: Mapping[tuple[str, str], int],
    members: Mapping[str, int],
) -> _Frame:
    """Sort the inputs and turn them into arrays (people by asn_id, depots by depot_id)."""
    roster = tuple(sorted(people, key=lambda person: person.asn_id))
    sites = tuple(sorted(depots, key=lambda depot: depot.depot_id))
    vehicles = tuple(sorted(members))
    vehicle_index = {vehicle: index for index, vehicle in enumerate(vehicles)}
    depot_index = {site.depot_id: index for index, site in enumerate(sites)}
    need = np.zeros((len(sites), len(vehicles)), dtype=np.int64)
    for (depot_id, vehicle), count in needs.items():
        need[depot_index[depot_id], vehicle_index[vehicle]] = count
    lat = np.array([person.lat for person in roster], dtype=np.float64)
    lon = np.array([person.lon for person in roster], dtype=np.float64)
    depot_lat = np.array([site.lat for site in sites], dtype=np.float64)
    depot_lon = np.array([site.lon for site in sites], dtype=np.float64)
    units = sorted({person.unit for person in roster})
    unit_index = {unit: index for index, unit in enumerate(units)}
    return _Frame(
        people=roster,
        depots=sites,
        vehicles=vehicles,
        size=np.array([members[vehicle] for vehicle in vehicles], dtype=np.int64),
        need=need,
        owns=np.array(
            [vehicle_index.get(person.vehicle or "", -1) for person in roster], dtype=np.int64
        ),
        unit=np.array([unit_index[person.unit] for person in roster], dtype=np.int64),
        lat=lat,
        lon=lon,
        commute=commute_m(lat[:, None], lon[:, None], depot_lat[None, :], depot_lon[None, :]),
    )


def _keepable(
    frame: _Frame,
    team: PreviousTeam,
    index: Mapping[str, int],
    taken: set[int],
    need_left: IntArray,
) -> _Team | None:
    """Last month's team as it stands, or None when it cannot be kept unchanged.

    ``index`` maps asn_ids and depot_ids to their positions in ``frame``.
    """
    depot = index.get(f"depot:{team.depot_id}", -1)
    if depot < 0 or team.vehicle not in frame.vehicles:
        return None
    vehicle = frame.vehicles.index(team.vehicle)
    members = tuple(index.get(f"asn:{asn_id}", -1) for asn_id in team.members)
    if (
        len(members) != int(frame.size[vehicle])
        or len(set(members)) != len(members)
        or min(members) < 0
        or any(not frame.people[member].available or member in taken for member in members)
        or int(frame.owns[members[0]]) != vehicle
        or need_left[depot, vehicle] <= 0
    ):
        return None
    return _Team(depot=depot, vehicle=vehicle, members=members, team_id=team.team_id)


def _keep_previous(frame: _Frame, previous: Sequence[PreviousTeam]) -> tuple[list[_Team], IntArray]:
    """Keep last month's teams that still fit (by team_id); return them and the need left."""
    index = {f"asn:{person.asn_id}": i for i, person in enumerate(frame.people)}
    index.update({f"depot:{site.depot_id}": i for i, site in enumerate(frame.depots)})
    need_left = frame.need.copy()
    taken: set[int] = set()
    kept: list[_Team] = []
    for team in sorted(previous, key=lambda team: team.team_id):
        if any(team.team_id == done.team_id for done in kept):
            continue
        found = _keepable(frame, team, index, taken, need_left)
        if found is None:
            continue
        kept.append(found)
        taken.update(found.members)
        need_left[found.depot, found.vehicle] -= 1
    return kept, need_left


def _nearest(costs: IntArray, count: int) -> IntArray:
    """Column indices of the ``count`` smallest costs in each row (all columns if fewer)."""
    rows, columns = costs.shape
    if count >= columns:
        return np.tile(np.arange(columns, dtype=np.int64), (rows, 1))
    return np.argpartition(costs, count - 1, axis=1)[:, :count].astype(np.int64)


@dataclass(frozen=True, slots=True, kw_only=True)
class _SeatNodes:
    """The seat nodes of the depot flow: driver seats (d, v) first, then passenger seats d."""

    driver_seats: IntArray  # flat index depot * n_vehicles + vehicle of each driver seat node
    driver_node: IntArray  # node of each flat (depot, vehicle), -1 for none
    passenger_node: IntArray  # node of each depot's passenger seats, -1 for none
    demand: IntArray  # seats of each seat node, in node order
    weight: (
        IntArray  # shortfall penalty of each seat node in units of ``big`` (2 driver, 1 passenger)
    )
    first: int  # node number of the first seat node
    reserve: int  # node number of the reserve sink; the shortfall source follows it


@dataclass(frozen=True, slots=True, kw_only=True)
class _SeatArcs:
    """The person-to-seat arcs of the depot flow, one entry per arc (driver arcs first)."""

    person: IntArray  # position in the pool (= node number)
    depot: IntArray
    vehicle: IntArray  # vehicle type driven, -1 on a passenger seat
    head: IntArray  # seat node
    cost: IntArray  # metres from home to the depot


def _seat_nodes(need: IntArray, size: IntArray, *, first: int) -> _SeatNodes:
    """Lay out the seat nodes of ``need``, numbered from node ``first`` on."""
    passenger_need = need @ (size - 1)
    driver_seats = np.flatnonzero(need.ravel() > 0)
    passenger_seats = np.flatnonzero(passenger_need > 0)
    driver_node = np.full(need.size, -1, dtype=np.int64)
    driver_node[driver_seats] = first + np.arange(driver_seats.size)
    passenger_node = np.full(need.shape[0], -1, dtype=np.int64)
    passenger_node[passenger_seats] = first + driver_seats.size + np.arange(passenger_seats.size)
    return _SeatNodes(
        driver_seats=driver_seats,
        driver_node=driver_node,
        passenger_node=passenger_node,
        demand=np.concatenate([need.ravel()[driver_seats], passenger_need[passenger_seats]]),
        weight=np.concatenate(
            [np.full(driver_seats.size, 2, np.int64), np.ones(passenger_seats.size, np.int64)]
        ),
        first=first,
        reserve=first + driver_seats.size + passenger_seats.size,
    )


def _seat_arcs(
    frame: _Frame, pool: IntArray, need: IntArray, seats: _SeatNodes, *, nearest: int
) -> _SeatArcs:
    """Arcs from each pool person to the seats of their ``nearest`` depots with a need."""
    in_play = np.flatnonzero(need.sum(axis=1) > 0)
    costs = frame.commute[np.ix_(pool, in_play)]
    near = _nearest(costs, nearest)
    person = np.repeat(np.arange(pool.size, dtype=np.int64), near.shape[1])
    depot = in_play[near.ravel()]
    cost = np.take_along_axis(costs, near, axis=1).ravel()
    owns = frame.owns[pool][person]
    flat = depot * need.shape[1] + np.maximum(owns, 0)
    to_driver = np.where(owns >= 0, seats.driver_node[flat], -1)
    to_passenger = seats.passenger_node[depot]
    drive, ride = to_driver >= 0, to_passenger >= 0
    return _SeatArcs(
        person=np.concatenate([person[drive], person[ride]]),
        depot=np.concatenate([depot[drive], depot[ride]]),
        vehicle=np.concatenate([owns[drive], np.full(int(ride.sum()), -1, np.int64)]),
        head=np.concatenate([to_driver[drive], to_passenger[ride]]),
        cost=np.concatenate([cost[drive], cost[ride]]),
    )


def _solve_seat_flow(arcs: _SeatArcs, seats: _SeatNodes, n_pool: int) -> IntArray:
    """Flows of the depot problem: seat arcs, then reserve arcs, then shortfall arcs.

    An unfilled seat costs ``big`` (twice that for a driver seat), more than any total travel,
    so the flow fills as many seats as it can (drivers first) and then minimises travel.
    """
    shortfall = seats.reserve + 1
    total = int(seats.demand.sum())
    big = (int(arcs.cost.max(initial=0)) + 1) * (n_pool + 1)
    seat_nodes = seats.first + np.arange(seats.demand.size)
    everybody = np.arange(n_pool)
    tails = np.concatenate([arcs.person, everybody, np.full(seat_nodes.size + 1, shortfall)])
    heads = np.concatenate([arcs.head, np.full(n_pool, seats.reserve), seat_nodes, [seats.reserve]])
    capacities = np.concatenate([np.ones(arcs.head.size + n_pool), seats.demand, [total]])
    costs = np.concatenate([arcs.cost, np.zeros(n_pool), seats.weight * big, [0]])
    supplies = np.concatenate([np.ones(n_pool), -seats.demand, [-n_pool, total]])
    return min_cost_flow(shortfall + 1, tails, heads, capacities, costs, supplies)


def _assign_depots(frame: _Frame, pool: IntArray, need: IntArray, *, nearest: int) -> _Placement:
    """Send the pool's people to driver and passenger seats by one min-cost flow."""
    depot = np.full(len(frame.people), -1, dtype=np.int64)
    drives = np.full(len(frame.people), -1, dtype=np.int64)
    seats = _seat_nodes(need, frame.size, first=pool.size)
    if seats.demand.size == 0 or pool.size == 0:
        return _Placement(
            depot=depot,
            drives=drives,
            unfilled_drivers=need.copy(),
            unfilled_passengers=need @ (frame.size - 1),
        )
    arcs = _seat_arcs(frame, pool, need, seats, nearest=nearest)
    flows = _solve_seat_flow(arcs, seats, pool.size)
    placed = flows[: arcs.head.size] > 0
    chosen = pool[arcs.person[placed]]
    depot[chosen] = arcs.depot[placed]
    drives[chosen] = arcs.vehicle[placed]
    start = arcs.head.size + pool.size
    short = flows[start : start + seats.demand.size]
    unfilled = np.zeros(need.size, dtype=np.int64)
    unfilled[seats.driver_seats] = short[: seats.driver_seats.size]
    riders = np.zeros(need.shape[0], dtype=np.int64)
    riders[seats.passenger_node >= 0] = short[seats.driver_seats.size :]
    return _Placement(
        depot=depot,
        drives=drives,
        unfilled_drivers=unfilled.reshape(need.shape),
        unfilled_passengers=riders,
    )


def _match_passengers(
    frame: _Frame, drivers: IntArray, seats: IntArray, passengers: IntArray, unit_penalty_m: int
) -> list[tuple[int, ...]]:
    """Give each driver exactly ``seats`` passengers: near homes, same unit preferred.

    ``passengers.size`` must equal ``seats.sum()``. Returns each driver's passengers (person
    indices, ascending).
    """
    if passengers.size == 0:
        return [() for _ in drivers]
    cost = commute_m(
        frame.lat[passengers][:, None],
        frame.lon[passengers][:, None],
        frame.lat[drivers][None, :],
        frame.lon[drivers][None, :],
    ) + unit_penalty_m * (frame.unit[passengers][:, None] != frame.unit[drivers][None, :])
    n_riders, n_drivers = cost.shape
    tails = np.repeat(np.arange(n_riders), n_drivers)
    heads = n_riders + np.tile(np.arange(n_drivers), n_riders)
    supplies = np.concatenate([np.ones(n_riders, np.int64), -seats])
    flows = min_cost_flow(
        n_riders + n_drivers, tails, heads, np.ones(tails.size), cost.ravel(), supplies
    )
    ride = flows > 0
    rider, driver = passengers[tails[ride]], heads[ride] - n_riders
    return [tuple(sorted(int(index) for index in rider[driver == j])) for j in range(n_drivers)]


def _form_depot_teams(
    frame: _Frame, depot: int, here: IntArray, drives: IntArray, unit_penalty_m: int
) -> list[_Team]:
    """Form complete teams from the people sent to one depot.

    Drivers form teams nearest first; the latest-formed teams are dropped while the
    passengers cannot fill them, and passengers beyond the seats (farthest first) are let go.
    """
    order = np.lexsort((here, frame.commute[here, depot]))
    here, drives = here[order], drives[order]
    drivers, vehicles = here[drives >= 0], drives[drives >= 0]
    passengers = here[drives < 0]
    seats = frame.size[vehicles] - 1
    formed = int(np.searchsorted(np.cumsum(seats), passengers.size, side="right"))
    drivers, vehicles, seats = drivers[:formed], vehicles[:formed], seats[:formed]
    rides = _match_passengers(frame, drivers, seats, passengers[: int(seats.sum())], unit_penalty_m)
    return [
        _Team(depot=depot, vehicle=int(vehicle), members=(int(driver), *ride))
        for driver, vehicle, ride in zip(drivers, vehicles, rides, strict=True)
    ]


def _form_teams(frame: _Frame, placement: _Placement, unit_penalty_m: int) -> list[_Team]:
    """Form the complete teams of every depot from the flow's placement."""
    teams: list[_Team] = []
    for depot in np.unique(placement.depot[placement.depot >= 0]):
        here = np.flatnonzero(placement.depot == depot)
        teams.extend(
            _form_depot_teams(frame, int(depot), here, placement.drives[here], unit_penalty_m)
        )
    return teams


def _count_teams(teams: Sequence[_Team], shape: tuple[int, ...]) -> IntArray:
    """Teams per (depot, vehicle)."""
    counts = np.zeros(shape, dtype=np.int64)
    for team in teams:
        counts[team.depot, team.vehicle] += 1
    return counts


def _reduce_needs(current: IntArray, placement: _Placement, size: IntArray) -> IntArray:
    """Cut the needs by the teams a flow could not fill, per depot.

    Teams without a driver go first, alone: the people waiting for them may fill passenger
    seats elsewhere in the next flow. Once every driver seat is filled, each passenger seat
    still empty costs teams, smallest first: dropping a team of ``size`` frees ``size - 1``
    seats and its driver, who may ride in another team, so each drop closes ``size`` of the gap.
    """
    if placement.unfilled_drivers.any():
        return current - placement.unfilled_drivers
    reduced = current.copy()
    gap = placement.unfilled_passengers
    smallest_first = np.argsort(size, kind="stable")
    for depot in np.flatnonzero(gap):
        left = int(gap[depot])
        for vehicle in smallest_first:
            drop = min(int(reduced[depot, vehicle]), -(-left // int(size[vehicle])))
            reduced[depot, vehicle] -= drop
            left -= drop * int(size[vehicle])
            if left <= 0:
                break
    return reduced


def _form_new_teams(
    frame: _Frame, pool: IntArray, need: IntArray, *, nearest: int, unit_penalty_m: int
) -> list[_Team]:
    """Form teams for ``need`` from the pool; re-plan with fewer teams while seats stay empty.

    The first flow that fills every seat gives the teams, with the least travel for them.
    After :data:`MAX_PASSES` flows the last one's teams are formed anyway (dropping the teams
    a depot cannot fill), so every team is complete.
    """
    current = need
    placement = _assign_depots(frame, pool, current, nearest=nearest)
    flows = 1
    while flows < MAX_PASSES and (
        placement.unfilled_drivers.any() or placement.unfilled_passengers.any()
    ):
        current = _reduce_needs(current, placement, frame.size)
        placement = _assign_depots(frame, pool, current, nearest=nearest)
        flows += 1
    logger.debug("staffing: %d depot flow(s), %d of %d teams", flows, current.sum(), need.sum())
    return _form_teams(frame, placement, unit_penalty_m)


def _name_teams(frame: _Frame, kept: Sequence[_Team], new: Sequence[_Team]) -> list[_Team]:
    """Name new teams ``T-<driver asn_id>`` (``-2``, ``-3``... if a kept team has that id)."""
    used = {team.team_id for team in kept}
    named = list(kept)
    for team in new:
        base = f"T-{frame.people[team.members[0]].asn_id}"
        team_id, suffix = base, 2
        while team_id in used:
            team_id, suffix = f"{base}-{suffix}", suffix + 1
        used.add(team_id)
        named.append(replace(team, team_id=team_id))
    return named


def _name_depots(frame: _Frame, depots: Sequence[int]) -> str:
    """Depot ids for a sentence: the first few and how many more."""
    names = [frame.depots[depot].depot_id for depot in depots[:_NAMED_DEPOTS]]
    more = len(depots) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def _reserve_reasons(frame: _Frame, rows: IntArray, missing: IntArray, nearest: int) -> list[str]:
    """Explain each reserve: every need is met, or why this person does not fill one."""
    short = np.flatnonzero(missing.sum(axis=1) > 0)
    if short.size == 0:
        return ["Not needed this month: every depot has the teams it needs."] * rows.size
    in_play = np.flatnonzero(frame.need.sum(axis=1) > 0)
    near = in_play[_nearest(frame.commute[np.ix_(rows, in_play)], nearest)]
    is_short = np.zeros(len(frame.depots), dtype=bool)
    is_short[short] = True
    hits = is_short[near]
    beyond = (
        "Not needed: every depot within reach has its teams; the depots still short of teams"
        f" ({_name_depots(frame, short.tolist())}) are beyond the {nearest} nearest depots"
        " from home."
    )
    reasons: list[str] = []
    for reach_row, hit_row in zip(near, hits, strict=True):
        if not hit_row.any():
            reasons.append(beyond)
            continue
        reach = sorted(int(depot) for depot in reach_row[hit_row])
        reasons.append(
            f"Not needed: {_name_depots(frame, reach)} within reach still miss teams but"
            " cannot complete one even with this person (too few other members, or no driver"
            " of the vehicle type, nearby)."
        )
    return reasons


def _reserves(
    frame: _Frame, teams: Sequence[_Team], missing: IntArray, nearest: int
) -> tuple[Reserve, ...]:
    """Every available person not in a team, with the kecamatan of the depot nearest home."""
    in_team = np.zeros(len(frame.people), dtype=bool)
    in_team[[member for team in teams for member in team.members]] = True
    available = np.array([person.available for person in frame.people], dtype=bool)
    rows = np.flatnonzero(available & ~in_team)
    if rows.size == 0:
        return ()
    if frame.depots:
        home = np.argmin(frame.commute[rows], axis=1)
        kecamatan = [frame.depots[int(depot)].kecamatan for depot in home]
    else:
        kecamatan = [""] * rows.size
    reasons = _reserve_reasons(frame, rows, missing, nearest)
    reserves = [
        Reserve(asn_id=frame.people[int(row)].asn_id, kecamatan=area, reason=reason)
        for row, area, reason in zip(rows, kecamatan, reasons, strict=True)
    ]
    return tuple(sorted(reserves, key=lambda reserve: (reserve.kecamatan, reserve.asn_id)))


def _formed_team(frame: _Frame, team: _Team, *, kept: bool) -> FormedTeam:
    """Turn one team into its public value, with its members' travel."""
    return FormedTeam(
        team_id=team.team_id,
        depot_id=frame.depots[team.depot].depot_id,
        vehicle=frame.vehicles[team.vehicle],
        members=tuple(frame.people[member].asn_id for member in team.members),
        travel_m=int(frame.commute[list(team.members), team.depot].sum()),
        kept=kept,
    )


def staff_teams(
    people: Sequence[Person],
    depots: Sequence[DepotSite],
    needs: Mapping[tuple[str, str], int],
    members: Mapping[str, int],
    *,
    previous: Sequence[PreviousTeam] = (),
    unit_penalty_m: int = 7500,
    nearest_depots: int = 40,
) -> Staffing:
    """Form teams from the roster and send them to the depots with the least total travel.

    Parameters
    ----------
    people : sequence of Person
        The roster; ``vehicle`` is the type a person owns and drives, ``None`` for none.
    depots : sequence of DepotSite
        The depots teams may be sent to.
    needs : mapping of (depot_id, vehicle) to int
        Teams of each vehicle type each depot must get.
    members : mapping of vehicle type to int
        Team size of each vehicle type, the driver included.
    previous : sequence of PreviousTeam, optional
        Last month's teams; those that still fit are kept unchanged (see the module notes).
    unit_penalty_m : int, optional
        Metres added to a passenger's cost of riding with a driver of another unit.
    nearest_depots : int, optional
        Depots (with a need) each person may be sent to, nearest first; at least the number of
        depots with a need gives the exact optimum, fewer makes large rosters fast.

    Returns
    -------
    Staffing
        Complete teams, reserves, the teams missing per (depot, vehicle), the unavailable.

    Raises
    ------
    ValueError
        If ``needs`` names an unknown depot or vehicle type (one not in ``members``), a
        count is negative, a team size is below 1, an asn_id or depot_id appears twice,
        ``unit_penalty_m`` < 0 or ``nearest_depots`` < 1; every problem is listed at once.

    Notes
    -----
    Distances are metres along roads estimated by :func:`commute_m` (great circle x
    ``ROAD_FACTOR``). Unavailable people are never assigned nor listed as reserves.
    """
    _check_inputs(
        people,
        depots,
        needs,
        members,
        unit_penalty_m=unit_penalty_m,
        nearest_depots=nearest_depots,
    )
    frame = _build_frame(people, depots, needs, members)
    kept, need_left = _keep_previous(frame, previous)
    taken = {member for team in kept for member in team.members}
    pool = np.array(
        [i for i, person in enumerate(frame.people) if person.available and i not in taken],
        dtype=np.int64,
    )
    new = _form_new_teams(
        frame, pool, need_left, nearest=nearest_depots, unit_penalty_m=unit_penalty_m
    )
    teams = _name_teams(frame, kept, new)
    missing = np.maximum(frame.need - _count_teams(teams, frame.need.shape), 0)
    kept_ids = {team.team_id for team in kept}
    formed = sorted(
        (_formed_team(frame, team, kept=team.team_id in kept_ids) for team in teams),
        key=lambda team: (team.depot_id, team.vehicle, team.team_id),
    )
    return Staffing(
        teams=tuple(formed),
        reserves=_reserves(frame, teams, missing, nearest_depots),
        missing={
            (frame.depots[depot].depot_id, frame.vehicles[vehicle]): int(missing[depot, vehicle])
            for depot, vehicle in zip(*np.nonzero(missing), strict=True)
        },
        unavailable=tuple(person.asn_id for person in frame.people if not person.available),
        total_travel_m=sum(team.travel_m for team in formed),
    )
