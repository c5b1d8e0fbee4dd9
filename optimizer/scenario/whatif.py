"""What-if knobs of a scenario: ``[teams]`` (fewer teams, one vehicle type) and ``[closures]``.

``[teams] fraction`` keeps the first ``ceil(fraction x n)`` (at least one) of each depot's ``n``
teams, in file order. ``[teams] vehicle`` gives every team that vehicle type; the team's size
then comes from the type too (a car crew of three does not ride one motorbike), so a ``members``
column is overridden. ``[closures] desa`` names desa whose households get no delivery (the
partition lists them unserved, reason ``closed_area``); ``[closures] roads`` names a GeoJSON file
of closed roads that the road stage takes out of every network.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from optimizer.areas import Boundaries
from optimizer.errors import Issue
from optimizer.scenario.columns import normalise_header
from optimizer.scenario.fields import normalise_desa_code
from optimizer.scenario.merge import MergedScenario
from optimizer.scenario.model import Household, Team
from optimizer.scenario.schema import ScenarioFile, TeamsSection, VehicleType

#: Where a planner finds desa codes, for messages.
DESA_CODE_HINT = (
    "use the Kemendagri desa code, e.g. 35.10.14.2010, as in the desa_code column of the "
    "households file (list: maps/boundaries/desa_kelurahan_3510_centroids.csv)"
)


def resolve_path(base: Path, value: str) -> Path:
    """Return ``value`` as an absolute path, relative to ``base`` unless already absolute."""
    path = Path(value)
    return path if path.is_absolute() else (base / path).resolve()


def _unknown_desa(value: str, boundaries: Boundaries) -> str:
    """Say why a ``[closures] desa`` entry is no desa code, and what to write instead."""
    named = [d for d in boundaries.desa if normalise_header(d.name) == normalise_header(value)]
    if named:
        codes = ", ".join(f"{d.code} ({d.name}, kecamatan {d.parent_name})" for d in named)
        return f"'{value}' is a desa name, not a code; write its code: {codes}"
    return f"unknown desa code '{value}'; {DESA_CODE_HINT}"


def check_whatif(
    parsed: ScenarioFile, merged: MergedScenario, boundaries: Boundaries, base: Path
) -> list[Issue]:
    """Problems of ``[teams]`` and ``[closures]``: unknown vehicle type or desa, missing file.

    Parameters
    ----------
    parsed : ScenarioFile
        The validated, merged tables.
    merged : MergedScenario
        The chain, to name the file that set each key.
    boundaries : Boundaries
        The scenario's boundaries (desa codes).
    base : Path
        The scenario file's folder (paths are relative to it after merging).

    Returns
    -------
    list of Issue
    """
    issues: list[Issue] = []
    vehicle = parsed.teams.vehicle
    if vehicle is not None and vehicle not in parsed.vehicles:
        issues.append(
            Issue(
                source=merged.source_of("teams.vehicle"),
                row=None,
                field="teams.vehicle",
                message=f"unknown vehicle type '{vehicle}'; valid: "
                f"{', '.join(sorted(parsed.vehicles))} (or add a [vehicles.{vehicle}] table)",
            )
        )
    for value in parsed.closures.desa:
        if boundaries.desa_by_code(normalise_desa_code(value)) is None:
            issues.append(
                Issue(
                    source=merged.source_of("closures.desa"),
                    row=None,
                    field="closures.desa",
                    message=_unknown_desa(value, boundaries),
                )
            )
    roads = parsed.closures.roads
    if roads is not None and not resolve_path(base, roads).is_file():
        issues.append(
            Issue(
                source=merged.source_of("closures.roads"),
                row=None,
                field="closures.roads",
                message=f"file {resolve_path(base, roads)} does not exist; fix the path (a "
                "GeoJSON file of lines or polygons, relative to the file that names it)",
            )
        )
    return issues


def closed_desa_codes(parsed: ScenarioFile) -> frozenset[str]:
    """Return the ``[closures] desa`` codes with dots (checked by :func:`check_whatif`)."""
    return frozenset(normalise_desa_code(value) for value in parsed.closures.desa)


def closure_notices(
    parsed: ScenarioFile, households: Sequence[Household], boundaries: Boundaries, base: Path
) -> tuple[str, ...]:
    """Say what ``[closures]`` changes: the desa closed (and their households), the roads file."""
    notices: list[str] = []
    closed = closed_desa_codes(parsed)
    if closed:
        names = ", ".join(
            f"{area.name} ({code})"
            for code in sorted(closed)
            if (area := boundaries.desa_by_code(code)) is not None
        )
        count = sum(1 for household in households if household.desa_code in closed)
        notices.append(
            f"what-if [closures] desa: {names} closed today; their {count} household(s) are "
            "listed unserved (closed_area)"
        )
    if parsed.closures.roads is not None:
        roads = resolve_path(base, parsed.closures.roads)
        notices.append(
            f"what-if [closures] roads: the roads {roads.name} crosses or covers are closed to "
            "every vehicle"
        )
    return tuple(notices)


def apply_team_changes(
    teams: list[Team], section: TeamsSection, vehicles: Mapping[str, VehicleType]
) -> tuple[list[Team], tuple[str, ...]]:
    """Apply ``[teams] fraction`` and ``vehicle`` to the checked teams.

    Parameters
    ----------
    teams : list of Team
        The teams in file order.
    section : TeamsSection
        The ``[teams]`` table (its vehicle checked to exist in ``vehicles``).
    vehicles : mapping of str to VehicleType
        The scenario's vehicle types.

    Returns
    -------
    tuple of (list of Team, tuple of str)
        The teams kept, changed, in file order; and notices saying what changed.
    """
    notices: list[str] = []
    kept = teams
    if section.fraction < 1:
        sizes = Counter(team.depot_id for team in teams)
        quota = {depot: max(1, math.ceil(section.fraction * n)) for depot, n in sizes.items()}
        taken: Counter[str] = Counter()
        kept = []
        for team in teams:
            if taken[team.depot_id] < quota[team.depot_id]:
                taken[team.depot_id] += 1
                kept.append(team)
        notices.append(
            f"what-if [teams] fraction = {section.fraction:g}: {len(kept)} of {len(teams)} "
            "teams kept (the first of each depot in file order)"
        )
    if section.vehicle is not None:
        vtype = vehicles[section.vehicle]
        kept = [
            team.model_copy(update={"vehicle": section.vehicle, "members": vtype.members})
            for team in kept
        ]
        notices.append(
            f"what-if [teams] vehicle = {section.vehicle}: every team drives a "
            f"{section.vehicle} ({vtype.capacity} packages a trip, {vtype.members} members)"
        )
    return kept, tuple(notices)
