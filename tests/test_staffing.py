"""Team forming from the roster (optimizer.staffing) and its flow adapter (optimizer.matching).

Places sit on a local grid around Banyuwangi: ``at(north_km, east_km)``. Distances between
them are worked out with ``commute_m`` (great circle x 1.3), so the expected teams follow
from where people live.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from optimizer.errors import InfeasibleError
from optimizer.matching import assign, min_cost_flow
from optimizer.scenario.model import Person
from optimizer.staffing import (
    ROAD_FACTOR,
    DepotSite,
    PreviousTeam,
    Staffing,
    commute_m,
    staff_teams,
)
from optimizer.units import haversine_m

LAT0, LON0 = -8.20, 114.30
KM_LAT = 1 / 111.2
KM_LON = 1 / (111.2 * np.cos(np.radians(LAT0)))
MEMBERS = {"motorbike": 2, "car": 3}


def at(north_km: float, east_km: float) -> tuple[float, float]:
    return LAT0 + north_km * KM_LAT, LON0 + east_km * KM_LON


def person(
    asn_id: str,
    north_km: float,
    east_km: float,
    *,
    vehicle: str | None = None,
    unit: str = "Dinsos",
    available: bool = True,
) -> Person:
    lat, lon = at(north_km, east_km)
    return Person(
        asn_id=asn_id,
        row=1,
        name=f"Name {asn_id}",
        unit=unit,
        status="ASN",
        lat=lat,
        lon=lon,
        vehicle=vehicle,
        available=available,
    )


def depot(depot_id: str, north_km: float, east_km: float, kecamatan: str = "Giri") -> DepotSite:
    lat, lon = at(north_km, east_km)
    return DepotSite(depot_id=depot_id, desa_code="3510", kecamatan=kecamatan, lat=lat, lon=lon)


def owners(result: Staffing, people: Sequence[Person]) -> dict[str, str | None]:
    return {p.asn_id: p.vehicle for p in people}


def team_counts(result: Staffing) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for team in result.teams:
        key = (team.depot_id, team.vehicle)
        counts[key] = counts.get(key, 0) + 1
    return counts


def assigned(result: Staffing) -> list[str]:
    return [member for team in result.teams for member in team.members]


#: Two depots 10 km apart, owners and non-owners around both, one unavailable owner.
DEPOTS = (depot("D-1", 0, 0, "Giri"), depot("D-2", 0, 10, "Kalipuro"))
PEOPLE = (
    person("A01", 1, 0, vehicle="motorbike"),
    person("A02", 0, 1, vehicle="motorbike"),
    person("A03", 1, 10, vehicle="motorbike"),
    person("A04", 0, 9, vehicle="car"),
    person("A05", -1, 0),
    person("A06", 2, 1),
    person("A07", 1, 9),
    person("A08", -1, 10),
    person("A09", 0, 11),
    person("A10", 3, 3),
    person("A11", 0, 2, vehicle="motorbike", available=False),
    person("A12", 0, 3, available=False),
)
NEEDS = {("D-1", "motorbike"): 2, ("D-2", "motorbike"): 1, ("D-2", "car"): 1}


@pytest.fixture(scope="module")
def staffed() -> Staffing:
    """The two-depot roster staffed once: 4 teams, 9 seats, 10 available people."""
    return staff_teams(PEOPLE, DEPOTS, NEEDS, MEMBERS)


def test_commute_is_rounded_great_circle_times_road_factor() -> None:
    (lat1, lon1), (lat2, lon2) = at(0, 0), at(3, 4)
    expected = round(float(haversine_m(lat1, lon1, lat2, lon2)) * ROAD_FACTOR)
    assert int(commute_m(lat1, lon1, lat2, lon2)) == expected
    assert abs(expected - 6500) < 20  # 5 km as the crow flies, 6.5 km by road


def test_every_team_is_driven_by_an_owner_of_its_vehicle(staffed: Staffing) -> None:
    vehicle_of = owners(staffed, PEOPLE)
    for team in staffed.teams:
        assert vehicle_of[team.members[0]] == team.vehicle
    # Non-owners only ever ride: none is first in a team.
    riders = {p.asn_id for p in PEOPLE if p.vehicle is None}
    assert not riders & {team.members[0] for team in staffed.teams}


def test_unavailable_people_are_neither_assigned_nor_reserves(staffed: Staffing) -> None:
    assert staffed.unavailable == ("A11", "A12")
    everyone = set(assigned(staffed)) | {reserve.asn_id for reserve in staffed.reserves}
    assert not everyone & {"A11", "A12"}
    assert everyone == {p.asn_id for p in PEOPLE if p.available}


def test_needs_are_met_exactly_with_full_teams(staffed: Staffing) -> None:
    assert team_counts(staffed) == NEEDS
    assert staffed.missing == {}
    for team in staffed.teams:
        assert len(team.members) == MEMBERS[team.vehicle]
    assert [(t.depot_id, t.vehicle, t.team_id) for t in staffed.teams] == sorted(
        (t.depot_id, t.vehicle, t.team_id) for t in staffed.teams
    )
    assert all(team.team_id == f"T-{team.members[0]}" for team in staffed.teams)


def test_nobody_is_assigned_twice(staffed: Staffing) -> None:
    members = assigned(staffed)
    assert len(members) == len(set(members)) == 9


def test_reserves_are_filed_under_the_nearest_depot(staffed: Staffing) -> None:
    # One of the ten available people is left over: every depot has its teams.
    (reserve,) = staffed.reserves
    assert reserve.code == "not_needed"
    assert reserve.reason == "Not needed this month: every depot has the teams it needs."
    home = next(p for p in PEOPLE if p.asn_id == reserve.asn_id)
    nearest = min(DEPOTS, key=lambda d: float(haversine_m(home.lat, home.lon, d.lat, d.lon)))
    assert reserve.kecamatan == nearest.kecamatan


def brute_force_travel(
    people: Sequence[Person],
    depots: Sequence[DepotSite],
    needs: Mapping[tuple[str, str], int],
    members: Mapping[str, int],
) -> int:
    """Least total travel over every way to fill the seats (drivers must own the vehicle)."""
    site = {d.depot_id: d for d in depots}
    seats = [
        (depot_id, vehicle if seat == 0 else None)
        for (depot_id, vehicle), count in sorted(needs.items())
        for _ in range(count)
        for seat in range(members[vehicle])
    ]
    pool = [p for p in people if p.available]
    best: int | None = None
    for chosen in itertools.permutations(range(len(pool)), len(seats)):
        if any(
            kind is not None and pool[i].vehicle != kind
            for i, (_, kind) in zip(chosen, seats, strict=True)
        ):
            continue
        travel = sum(
            int(commute_m(pool[i].lat, pool[i].lon, site[d].lat, site[d].lon))
            for i, (d, _) in zip(chosen, seats, strict=True)
        )
        best = travel if best is None else min(best, travel)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_total_travel_is_the_brute_force_minimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vehicles = ["motorbike", "motorbike", "car", None, None, None, None]
    people = [
        person(f"B{i}", *rng.uniform(-5, 5, size=2), vehicle=vehicle)
        for i, vehicle in enumerate(vehicles)
    ]
    depots = [depot("D-1", *rng.uniform(-5, 5, size=2)), depot("D-2", *rng.uniform(-5, 5, size=2))]
    needs = {("D-1", "motorbike"): 1, ("D-2", "motorbike"): 1, ("D-2", "car"): 1}
    result = staff_teams(people, depots, needs, MEMBERS, nearest_depots=2)
    assert result.missing == {}
    assert result.total_travel_m == brute_force_travel(people, depots, needs, MEMBERS)
    assert result.total_travel_m == sum(team.travel_m for team in result.teams)


def test_passengers_ride_with_a_driver_of_their_own_unit() -> None:
    # Drivers 1 km east and west of the depot; passengers 1 km north and south: every
    # passenger is as far from both drivers, so the unit decides.
    people = [
        person("C1", 0, 1, vehicle="motorbike", unit="Bappeda"),
        person("C2", 0, -1, vehicle="motorbike", unit="Dinkes"),
        person("C3", 1, 0, unit="Dinkes"),
        person("C4", -1, 0, unit="Bappeda"),
    ]
    result = staff_teams(people, [depot("D-1", 0, 0)], {("D-1", "motorbike"): 2}, MEMBERS)
    assert {team.members for team in result.teams} == {("C1", "C4"), ("C2", "C3")}


def test_unit_outweighs_a_short_detour_but_not_a_long_one() -> None:
    # C4 (Bappeda) lives 1 km nearer the Dinkes driver: the 7.5 km penalty keeps the units
    # together; with no penalty the nearer driver wins.
    people = [
        person("C1", 0, 2, vehicle="motorbike", unit="Bappeda"),
        person("C2", 0, -2, vehicle="motorbike", unit="Dinkes"),
        person("C3", 0, 1.5, unit="Dinkes"),
        person("C4", 0, -1.5, unit="Bappeda"),
    ]
    args = ([depot("D-1", 0, 0)], {("D-1", "motorbike"): 2}, MEMBERS)
    together = staff_teams(people, *args)
    assert {team.members for team in together.teams} == {("C1", "C4"), ("C2", "C3")}
    nearest = staff_teams(people, *args, unit_penalty_m=0)
    assert {team.members for team in nearest.teams} == {("C1", "C3"), ("C2", "C4")}


def test_too_few_owners_leaves_teams_missing_and_none_incomplete() -> None:
    people = [person("E1", 0, 1, vehicle="car"), *(person(f"E{i}", i, 0) for i in range(2, 9))]
    result = staff_teams(people, [depot("D-1", 0, 0)], {("D-1", "car"): 3}, MEMBERS)
    assert result.missing == {("D-1", "car"): 2}
    assert len(result.teams) == 1
    assert len(result.teams[0].members) == 3
    assert result.teams[0].members[0] == "E1"
    # The rest are reserves, told why they do not fill the missing teams.
    assert len(result.reserves) == 5
    assert all("D-1 within reach still miss teams" in r.reason for r in result.reserves)


def test_too_few_passengers_drops_the_whole_team() -> None:
    # A car needs three people; only two are available: no team, both are reserves.
    people = [person("F1", 0, 1, vehicle="car"), person("F2", 1, 0), person("F3", 2, 0)]
    people[2] = person("F3", 2, 0, available=False)
    result = staff_teams(people, [depot("D-1", 0, 0)], {("D-1", "car"): 1}, MEMBERS)
    assert result.teams == ()
    assert result.missing == {("D-1", "car"): 1}
    assert [r.asn_id for r in result.reserves] == ["F1", "F2"]
    assert result.total_travel_m == 0


def test_people_waiting_for_a_missing_driver_fill_seats_elsewhere() -> None:
    # One owner (G1, at D-2) for two motorbike teams. G2 lives at D-1 and G3 far away:
    # the first flow gives G2 to D-1 (which gets no driver) and G3 to D-2. Re-planned for the
    # one team that can be formed, G2 rides with G1, as G2 is nearer D-2 than G3 is.
    people = [
        person("G1", 0, 10, vehicle="motorbike"),
        person("G2", 0, 0),
        person("G3", 0, 25),
    ]
    depots = [depot("D-1", 0, 0), depot("D-2", 0, 10)]
    needs = {("D-1", "motorbike"): 1, ("D-2", "motorbike"): 1}
    result = staff_teams(people, depots, needs, MEMBERS)
    assert [team.members for team in result.teams] == [("G1", "G2")]
    assert result.missing == {("D-1", "motorbike"): 1}


def test_a_short_depot_beyond_reach_is_still_reported() -> None:
    # With one depot each, nobody's nearest is D-2: the shortfall source keeps the flow
    # feasible and D-2's team is reported missing.
    people = [person("H1", 0, 1, vehicle="motorbike"), person("H2", 1, 0), person("H3", 0, -1)]
    depots = [depot("D-1", 0, 0), depot("D-2", 0, 30)]
    needs = {("D-1", "motorbike"): 1, ("D-2", "motorbike"): 1}
    result = staff_teams(people, depots, needs, MEMBERS, nearest_depots=1)
    assert team_counts(result) == {("D-1", "motorbike"): 1}
    assert result.missing == {("D-2", "motorbike"): 1}
    (reserve,) = result.reserves
    assert "beyond the 1 nearest depots from home" in reserve.reason


def previous_of(result: Staffing) -> list[PreviousTeam]:
    return [
        PreviousTeam(team_id=t.team_id, depot_id=t.depot_id, vehicle=t.vehicle, members=t.members)
        for t in result.teams
    ]


def test_last_months_teams_are_kept_when_everyone_is_available(staffed: Staffing) -> None:
    renamed = [
        PreviousTeam(team_id=f"X-{i}", depot_id=t.depot_id, vehicle=t.vehicle, members=t.members)
        for i, t in enumerate(previous_of(staffed))
    ]
    again = staff_teams(PEOPLE, DEPOTS, NEEDS, MEMBERS, previous=renamed)
    assert all(team.kept for team in again.teams)
    assert {(t.team_id, t.depot_id, t.members) for t in again.teams} == {
        (t.team_id, t.depot_id, t.members) for t in renamed
    }


def test_a_team_with_an_unavailable_member_is_formed_again(staffed: Staffing) -> None:
    car = next(team for team in staffed.teams if team.vehicle == "car")
    gone = car.members[-1]
    people = [p.model_copy(update={"available": False}) if p.asn_id == gone else p for p in PEOPLE]
    again = staff_teams(people, DEPOTS, NEEDS, MEMBERS, previous=previous_of(staffed))
    assert team_counts(again) == NEEDS
    by_id = {team.team_id: team for team in again.teams}
    assert not by_id[car.team_id].kept  # same driver, so the same id, but re-formed
    assert gone not in by_id[car.team_id].members
    assert all(team.kept for team in again.teams if team.team_id != car.team_id)
    members = assigned(again)
    assert len(members) == len(set(members))


def test_kept_teams_count_against_the_need_and_are_not_reused() -> None:
    # Two previous teams share A01: only the first (by team_id) is kept; the need of D-1 is
    # two motorbike teams, so one more is formed from the others.
    previous = [
        PreviousTeam(team_id="T-old", depot_id="D-1", vehicle="motorbike", members=("A01", "A05")),
        PreviousTeam(team_id="T-zzz", depot_id="D-1", vehicle="motorbike", members=("A02", "A01")),
        PreviousTeam(team_id="T-gone", depot_id="D-9", vehicle="motorbike", members=("A02", "A06")),
    ]
    result = staff_teams(PEOPLE, DEPOTS, NEEDS, MEMBERS, previous=previous)
    kept = [team for team in result.teams if team.kept]
    assert [(t.team_id, t.members) for t in kept] == [("T-old", ("A01", "A05"))]
    assert team_counts(result) == NEEDS
    members = assigned(result)
    assert len(members) == len(set(members))


def test_a_new_team_never_takes_a_kept_teams_id() -> None:
    # Last month A02 drove a team named after A01; now A01 drives a new team.
    previous = [
        PreviousTeam(team_id="T-A01", depot_id="D-1", vehicle="motorbike", members=("A02", "A06"))
    ]
    result = staff_teams(PEOPLE, DEPOTS, NEEDS, MEMBERS, previous=previous)
    ids = [team.team_id for team in result.teams]
    assert len(ids) == len(set(ids))
    assert "T-A01-2" in ids


def test_same_inputs_give_the_same_result_in_any_order(staffed: Staffing) -> None:
    assert staff_teams(PEOPLE, DEPOTS, NEEDS, MEMBERS) == staffed
    rng = np.random.default_rng(7)
    for _ in range(3):
        order = rng.permutation(len(PEOPLE))
        shuffled = [PEOPLE[int(i)] for i in order]
        result = staff_teams(shuffled, DEPOTS[::-1], NEEDS, MEMBERS)
        assert result.total_travel_m == staffed.total_travel_m
        assert result == staffed


def test_unknown_depots_and_vehicle_types_are_named() -> None:
    needs = {("D-1", "motorbike"): 1, ("D-7", "motorbike"): 1, ("D-2", "truck"): 1}
    with pytest.raises(
        ValueError, match=r"unknown depots \['D-7'\].*unknown vehicle types \['truck'\]"
    ):
        staff_teams(PEOPLE, DEPOTS, needs, MEMBERS)


def test_duplicate_ids_and_bad_options_are_listed_at_once() -> None:
    with pytest.raises(ValueError, match=r"asn_id appears more than once: A01.*nearest_depots"):
        staff_teams([*PEOPLE, PEOPLE[0]], DEPOTS, NEEDS, MEMBERS, nearest_depots=0)


def test_flow_adapter_returns_flows_in_arc_order() -> None:
    # Two units from node 0 to node 2: directly (cost 5) or through node 1 (cost 1 + 1),
    # the way through node 1 takes one unit at most.
    flows = min_cost_flow(3, [0, 0, 1], [1, 2, 2], [1, 2, 1], [1, 5, 1], [2, 0, -2])
    assert flows.tolist() == [1, 1, 1]


def test_flow_adapter_rejects_bad_input_and_reports_infeasible() -> None:
    with pytest.raises(ValueError, match="supplies must sum to 0"):
        min_cost_flow(2, [0], [1], [1], [1], [1, 0])
    with pytest.raises(ValueError, match=r"arc ends must be node numbers 0\.\.1"):
        min_cost_flow(2, [0], [2], [1], [1], [1, -1])
    with pytest.raises(InfeasibleError, match="no flow meets every supply and demand"):
        min_cost_flow(2, [0], [1], [1], [1], [2, -2])


def test_assignment_adapter_matches_rows_to_columns() -> None:
    assert assign([[4, 1, 3], [2, 0, 5], [3, 2, 2]]).tolist() == [1, 0, 2]


def test_two_owners_and_no_one_else_form_one_team() -> None:
    # Both would drive, leaving nobody to ride: one of them rides with the other instead.
    people = [person("J1", 0, 1, vehicle="motorbike"), person("J2", 0, 2, vehicle="motorbike")]
    result = staff_teams(people, [depot("D-1", 0, 0)], {("D-1", "motorbike"): 2}, MEMBERS)
    assert [team.members for team in result.teams] == [("J1", "J2")]
    assert result.missing == {("D-1", "motorbike"): 1}
