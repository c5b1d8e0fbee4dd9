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

from collections.abc import Mapping, Sequence

import numpy as np

from optimizer.scenario.model import Person
from optimizer.staffing.crews import form_teams, keep_previous, name_teams
from optimizer.staffing.frame import Frame, Team, build_frame, check_inputs, count_teams
from optimizer.staffing.model import (
    REASON_NOT_NEEDED,
    ROAD_FACTOR,
    DepotSite,
    FormedTeam,
    PreviousTeam,
    Reserve,
    ReserveNote,
    Staffing,
    commute_m,
)
from optimizer.staffing.reserves import list_reserves
from optimizer.staffing.seats import MAX_PASSES, place_people

__all__ = [
    "MAX_PASSES",
    "REASON_NOT_NEEDED",
    "ROAD_FACTOR",
    "DepotSite",
    "FormedTeam",
    "PreviousTeam",
    "Reserve",
    "ReserveNote",
    "Staffing",
    "commute_m",
    "staff_teams",
]


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
    check_inputs(
        people,
        depots,
        needs,
        members,
        unit_penalty_m=unit_penalty_m,
        nearest_depots=nearest_depots,
    )
    frame = build_frame(people, depots, needs, members)
    kept, need_left = keep_previous(frame, previous)
    taken = {member for team in kept for member in team.members}
    pool = np.array(
        [i for i, person in enumerate(frame.people) if person.available and i not in taken],
        dtype=np.int64,
    )
    placement = place_people(frame, pool, need_left, nearest=nearest_depots)
    new = form_teams(frame, placement, unit_penalty_m)
    return _staffing(frame, kept, name_teams(frame, kept, new), nearest_depots)


def _staffing(frame: Frame, kept: Sequence[Team], teams: Sequence[Team], nearest: int) -> Staffing:
    """Return the public result: teams, reserves, what is missing and who is unavailable."""
    missing = np.maximum(frame.need - count_teams(teams, frame.need.shape), 0)
    kept_ids = {team.team_id for team in kept}
    formed = sorted(
        (_formed_team(frame, team, kept=team.team_id in kept_ids) for team in teams),
        key=lambda team: (team.depot_id, team.vehicle, team.team_id),
    )
    return Staffing(
        teams=tuple(formed),
        reserves=list_reserves(frame, teams, missing, nearest),
        missing={
            (frame.depots[depot].depot_id, frame.vehicles[vehicle]): int(missing[depot, vehicle])
            for depot, vehicle in zip(*np.nonzero(missing), strict=True)
        },
        unavailable=tuple(person.asn_id for person in frame.people if not person.available),
        total_travel_m=sum(team.travel_m for team in formed),
    )


def _formed_team(frame: Frame, team: Team, *, kept: bool) -> FormedTeam:
    """Turn one team into its public value, with its members' travel."""
    return FormedTeam(
        team_id=team.team_id,
        depot_id=frame.depots[team.depot].depot_id,
        vehicle=frame.vehicles[team.vehicle],
        members=tuple(frame.people[member].asn_id for member in team.members),
        travel_m=int(frame.commute[list(team.members), team.depot].sum()),
        kept=kept,
    )
