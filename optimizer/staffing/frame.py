"""The inputs of team forming as sorted arrays, checked; persons and depots by index."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.scenario.model import Person
from optimizer.staffing.model import DepotSite, IntArray, commute_m


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
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
class Team:
    """A team being formed: depot and vehicle indices, members as person indices."""

    depot: int
    vehicle: int
    members: tuple[int, ...]  # person indices, driver first
    team_id: str = ""


def check_inputs(
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


def build_frame(
    people: Sequence[Person],
    depots: Sequence[DepotSite],
    needs: Mapping[tuple[str, str], int],
    members: Mapping[str, int],
) -> Frame:
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
    return Frame(
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


def nearest_columns(costs: IntArray, count: int) -> IntArray:
    """Column indices of the ``count`` smallest costs in each row (all columns if fewer)."""
    rows, columns = costs.shape
    if count >= columns:
        return np.tile(np.arange(columns, dtype=np.int64), (rows, 1))
    return np.argpartition(costs, count - 1, axis=1)[:, :count].astype(np.int64)


def count_teams(teams: Sequence[Team], shape: tuple[int, ...]) -> IntArray:
    """Teams per (depot, vehicle)."""
    counts = np.zeros(shape, dtype=np.int64)
    for team in teams:
        counts[team.depot, team.vehicle] += 1
    return counts
