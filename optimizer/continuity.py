"""Last month's plan as this month's start: its teams, their routes and their households.

Read from last month's plan.json (``[continuity] previous_plan``): each route's team (its id,
depot, vehicle and, for teams formed from a roster, its members), its doors in order with its
reloads. After planning, :func:`churn` lists the households whose team changed, and why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.errors import Issue, ScenarioError
from optimizer.plan import Churn, Plan
from optimizer.staffing import PreviousTeam

#: A route to start from: household ids in order, ``None`` where the team reloads.
StartRoute = tuple[str | None, ...]
_FIX = "give the plan.json of last month's plan folder (written by `berbagi plan`)"


@dataclass(frozen=True, slots=True, kw_only=True)
class LastMonth:
    """Last month's teams, routes and households, by id."""

    teams: tuple[PreviousTeam, ...]
    routes: dict[str, StartRoute]
    team_of: dict[str, str]


def _route(entry: dict[str, Any]) -> StartRoute:
    after = {int(r["after_stop"]) for r in entry.get("reloads", [])}
    doors: list[str | None] = []
    for number, stop in enumerate(entry["stops"], start=1):
        doors.append(str(stop["household_id"]))
        if number in after:
            doors.append(None)
    return tuple(doors)


def read_last_month(path: Path) -> LastMonth:
    """Read last month's plan.json.

    Raises
    ------
    ScenarioError
        The file cannot be read or is not a plan.json; the message names it and the fix.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        teams, routes, team_of = [], {}, {}
        for entry in data["routes"]:
            team_id = str(entry["team_id"])
            routes[team_id] = _route(entry)
            for stop in entry["stops"]:
                team_of[str(stop["household_id"])] = team_id
            teams.append(
                PreviousTeam(
                    team_id=team_id,
                    depot_id=str(entry["depot_id"]),
                    vehicle=str(entry["vehicle"]),
                    members=tuple(str(m) for m in entry.get("crew", [])),
                )
            )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ScenarioError(
            [
                Issue(
                    source=path.name,
                    row=None,
                    field="previous_plan",
                    message=f"cannot read last month's plan ({type(err).__name__}: {err}); " + _FIX,
                )
            ]
        ) from err
    return LastMonth(teams=tuple(teams), routes=routes, team_of=team_of)


def churn(
    last: LastMonth, plan: Plan, *, released: Sequence[str], rebalanced: Sequence[str]
) -> tuple[tuple[Churn, ...], int]:
    """Households whose team is not last month's, and how many were compared.

    ``released``: households freed because their team could not take them (``rule``);
    ``rebalanced``: households of sub-problems where a freer plan saved enough (``saving``).
    """
    teams_now = {r.team_id for r in plan.routes}
    freed, saved = set(released), set(rebalanced)
    out: list[Churn] = []
    compared = 0
    for route in plan.routes:
        for stop in route.stops:
            before = last.team_of.get(stop.household_id)
            if before is not None:
                compared += 1
            if before == route.team_id:
                continue
            if before is None:
                reason = "new"
            elif before not in teams_now:
                reason = "team_gone"
            elif stop.household_id in freed:
                reason = "rule"
            else:
                reason = "saving" if stop.household_id in saved else "rule"
            out.append(
                Churn(
                    household_id=stop.household_id,
                    desa_code=stop.desa_code,
                    previous_team=before or "",
                    team=route.team_id,
                    reason=reason,
                )
            )
    for gone in plan.unserved:
        if gone.household_id in last.team_of:
            compared += 1
            out.append(
                Churn(
                    household_id=gone.household_id,
                    desa_code=gone.desa_code,
                    previous_team=last.team_of[gone.household_id],
                    team="",
                    reason="unserved",
                )
            )
    return tuple(out), compared
