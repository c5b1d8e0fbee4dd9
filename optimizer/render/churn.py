"""churn.csv: households whose team is not last month's, and why (``[continuity]``)."""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.plan import Plan

CHURN_FILE = "churn.csv"
CHURN_COLUMNS = ("household_id", "desa_code", "previous_team", "team", "reason", "explanation")

#: What each churn reason means, for the planner reading the file.
EXPLANATIONS = {
    "new": "not in last month's plan",
    "team_gone": "last month's team is not called up this month",
    "rule": "last month's team cannot take it this month without breaking a rule of the day",
    "saving": "a plan free of last month's teams saves more than [continuity] max_saving_pct",
    "unserved": "no team this month; unserved.csv says why",
}


def write_churn(plan: Plan, folder: Path) -> list[Path]:
    """Write churn.csv for a plan made against last month's (nothing otherwise).

    One row per household whose team changed, in the plan's churn order; a plan that kept
    every team writes the header alone, so "no change" is visible too.
    """
    if not plan.churn_compared and not plan.churn:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CHURN_FILE
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CHURN_COLUMNS)
        for change in plan.churn:
            writer.writerow(
                [
                    change.household_id,
                    change.desa_code,
                    change.previous_team,
                    change.team,
                    change.reason,
                    EXPLANATIONS.get(change.reason, ""),
                ]
            )
    return [path]
