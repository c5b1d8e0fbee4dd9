"""Split the regency into independent sub-problems (one per desa) -> Partition.

Households are served by the teams of the depot(s) in their own desa, as on distribution day.
A desa without a depot, or whose depots have no team, cannot be planned: its households are
listed with that reason instead of being silently dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from optimizer.reasons import UnservedReason
from optimizer.scenario import Scenario


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProblem:
    """One independent routing problem: the depots, teams and households of one desa.

    Indices point into ``scenario.depots``, ``scenario.teams`` and ``scenario.households``.
    """

    key: str
    name: str
    depots: tuple[int, ...]
    teams: tuple[int, ...]
    households: tuple[int, ...]
    profiles: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Orphan:
    """A household that belongs to no sub-problem."""

    household: int
    code: UnservedReason
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Partition:
    """Sub-problems in desa-code order, and the households none of them can take."""

    subproblems: tuple[SubProblem, ...]
    orphans: tuple[Orphan, ...]


def build_partition(scenario: Scenario) -> Partition:
    """Group households, depots and teams by desa.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    Partition
    """
    depots_by_desa: dict[str, list[int]] = defaultdict(list)
    for i, depot in enumerate(scenario.depots):
        depots_by_desa[depot.desa_code].append(i)
    depot_index = {d.depot_id: i for i, d in enumerate(scenario.depots)}
    teams_by_depot: dict[int, list[int]] = defaultdict(list)
    for i, team in enumerate(scenario.teams):
        teams_by_depot[depot_index[team.depot_id]].append(i)
    households_by_desa: dict[str, list[int]] = defaultdict(list)
    for i, household in enumerate(scenario.households):
        households_by_desa[household.desa_code].append(i)

    subproblems: list[SubProblem] = []
    orphans: list[Orphan] = []
    for desa_code in sorted(households_by_desa):
        members = households_by_desa[desa_code]
        desa_name = scenario.households[members[0]].desa_name
        depots = depots_by_desa.get(desa_code, [])
        teams = [t for d in depots for t in teams_by_depot.get(d, [])]
        if not depots:
            reason = (
                f"desa {desa_name} ({desa_code}) has no depot; add its staging point to the "
                "depots file"
            )
            orphans.extend(
                Orphan(household=h, code=UnservedReason.NO_DEPOT, reason=reason) for h in members
            )
            continue
        if not teams:
            names = ", ".join(scenario.depots[d].depot_id for d in depots)
            reason = f"no team is assigned to depot {names} of desa {desa_name}; add teams"
            orphans.extend(
                Orphan(household=h, code=UnservedReason.NO_TEAM, reason=reason) for h in members
            )
            continue
        profiles = sorted({scenario.vehicles[scenario.teams[t].vehicle].profile for t in teams})
        subproblems.append(
            SubProblem(
                key=desa_code,
                name=desa_name,
                depots=tuple(depots),
                teams=tuple(teams),
                households=tuple(members),
                profiles=tuple(profiles),
            )
        )
    return Partition(subproblems=tuple(subproblems), orphans=tuple(orphans))
