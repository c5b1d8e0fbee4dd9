"""Team rows -> Teams; every problem is an Issue (a team error stops the plan)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.errors import Issue
from optimizer.scenario.columns import ColumnMap
from optimizer.scenario.fields import parse_clock_or_none, parse_number
from optimizer.scenario.model import Team
from optimizer.scenario.readers import Table
from optimizer.scenario.schema import VehicleType


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamRules:
    """The scenario's vehicle types, depots and default shift."""

    vehicles: Mapping[str, VehicleType]
    depot_ids: frozenset[str]
    shift_start_s: int
    shift_end_s: int
    shift_end_text: str


def _team_problems(
    values: Mapping[str, str], rules: TeamRules
) -> tuple[list[tuple[str, str]], int | None, int, int]:
    """(field, message) problems of one row, with its members and shift when they parse."""
    problems: list[tuple[str, str]] = []
    if values.get("depot_id", "") not in rules.depot_ids:
        problems.append(
            (
                "depot_id",
                f"unknown depot '{values.get('depot_id', '')}'; use a depot_id from the "
                "depots file",
            )
        )
    vehicle = values.get("vehicle", "")
    if vehicle not in rules.vehicles:
        problems.append(
            (
                "vehicle",
                f"unknown vehicle '{vehicle}'; valid: {', '.join(sorted(rules.vehicles))} "
                "(or add a [vehicles.NAME] table to the scenario)",
            )
        )
    members_text = values.get("members", "")
    members = parse_number(members_text) if members_text else None
    if members_text and (members is None or members != int(members) or members < 1):
        problems.append(("members", f"'{members_text}' is not a whole number >= 1"))
    try:
        start = parse_clock_or_none(values.get("shift_start", "")) or rules.shift_start_s
        end = parse_clock_or_none(values.get("shift_end", "")) or rules.shift_end_s
    except ValueError as err:
        problems.append(("shift_start/shift_end", str(err)))
        start, end = rules.shift_start_s, rules.shift_end_s
    if end <= start:
        problems.append(
            (
                "shift_end",
                f"shift ends at {values.get('shift_end') or rules.shift_end_text}, not after it "
                "starts; fix the times",
            )
        )
    return problems, int(members) if members is not None else None, start, end


def parse_teams(
    table: Table, columns: ColumnMap, rules: TeamRules, issues: list[Issue]
) -> list[Team]:
    """Check every team row; problems are appended to ``issues``."""
    source = table.path.name
    teams: list[Team] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=1):
        values = {name: columns.get(row, name) for name in columns.mapping}
        team_id = values.get("team_id", "")
        problems: list[tuple[str, str]] = []
        if number in table.problems:
            problems.append(("row", table.problems[number]))
        if not team_id:
            problems.append(("team_id", "empty; give every team an id"))
        elif team_id in seen:
            problems.append(
                ("team_id", f"'{team_id}' repeats row {seen[team_id]}; team ids must be unique")
            )
        else:
            seen[team_id] = number
        more, members, start, end = _team_problems(values, rules)
        problems += more
        issues.extend(Issue(source=source, row=number, field=f, message=m) for f, m in problems)
        if problems:
            continue
        vehicle = values["vehicle"]
        teams.append(
            Team(
                team_id=team_id,
                row=number,
                depot_id=values["depot_id"],
                vehicle=vehicle,
                members=members if members is not None else rules.vehicles[vehicle].members,
                shift_start_s=start,
                shift_end_s=end,
            )
        )
    return teams
