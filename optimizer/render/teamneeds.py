"""team_needs.csv: the teams each desa needs (``berbagi size``, ``[fleet] size = true``)."""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.plan import Plan

TEAM_NEEDS_FILE = "team_needs.csv"


def team_needs_header(plan: Plan) -> list[str]:
    """Columns of team_needs.csv: one ``teams_<vehicle>`` column per vehicle type sized."""
    types = list(plan.needs[0].teams) if plan.needs else []
    return [
        "desa_code",
        "desa",
        "kecamatan",
        "depot_id",
        "households",
        "packages",
        "unserved",
        *[f"teams_{v}" for v in types],
        "teams",
        "people",
        "longest_route_min",
        "mean_route_min",
    ]


def write_team_needs(plan: Plan, folder: Path) -> list[Path]:
    """Write team_needs.csv (one row per depot's desa, in the plan's depot order)."""
    if not plan.needs:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TEAM_NEEDS_FILE
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(team_needs_header(plan))
        for need in plan.needs:
            writer.writerow(
                [
                    need.desa_code,
                    need.desa_name,
                    need.kecamatan,
                    need.depot_id,
                    need.households,
                    need.packages,
                    need.unserved,
                    *need.teams.values(),
                    sum(need.teams.values()),
                    need.people,
                    round(need.longest_route_s / 60),
                    round(need.mean_route_s / 60),
                ]
            )
    return [path]
