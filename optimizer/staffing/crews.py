"""Crews: last month's teams kept, passengers matched to drivers per depot, new teams named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from optimizer.matching import min_cost_flow
from optimizer.staffing.frame import Frame, Team
from optimizer.staffing.model import IntArray, PreviousTeam, commute_m
from optimizer.staffing.seats import Placement


def _keepable(
    frame: Frame,
    team: PreviousTeam,
    index: Mapping[str, int],
    taken: set[int],
    need_left: IntArray,
) -> Team | None:
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
    return Team(depot=depot, vehicle=vehicle, members=members, team_id=team.team_id)


def keep_previous(frame: Frame, previous: Sequence[PreviousTeam]) -> tuple[list[Team], IntArray]:
    """Keep last month's teams that still fit (by team_id); return them and the need left."""
    index = {f"asn:{person.asn_id}": i for i, person in enumerate(frame.people)}
    index.update({f"depot:{site.depot_id}": i for i, site in enumerate(frame.depots)})
    need_left = frame.need.copy()
    taken: set[int] = set()
    kept: list[Team] = []
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


def _match_passengers(
    frame: Frame, drivers: IntArray, seats: IntArray, passengers: IntArray, unit_penalty_m: int
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
    frame: Frame, depot: int, here: IntArray, drives: IntArray, unit_penalty_m: int
) -> list[Team]:
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
        Team(depot=depot, vehicle=int(vehicle), members=(int(driver), *ride))
        for driver, vehicle, ride in zip(drivers, vehicles, rides, strict=True)
    ]


def form_teams(frame: Frame, placement: Placement, unit_penalty_m: int) -> list[Team]:
    """Form the complete teams of every depot from the flow's placement."""
    teams: list[Team] = []
    for depot in np.unique(placement.depot[placement.depot >= 0]):
        here = np.flatnonzero(placement.depot == depot)
        teams.extend(
            _form_depot_teams(frame, int(depot), here, placement.drives[here], unit_penalty_m)
        )
    return teams


def name_teams(frame: Frame, kept: Sequence[Team], new: Sequence[Team]) -> list[Team]:
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
