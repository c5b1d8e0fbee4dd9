"""fairness.csv: per desa, the teams called up and at work, the fair share and the spread.

The planner's table of the fair-day measure (:mod:`optimizer.fairness`), one row per depot
with a team called up, in the plan's depot order; times in whole minutes of working time
(leaving the depot to coming back, the break not counted).
"""

from __future__ import annotations

import csv
from pathlib import Path

from optimizer.fairness import FAIR_SPREAD_S
from optimizer.plan import Plan

FAIRNESS_FILE = "fairness.csv"
FAIRNESS_COLUMNS = (
    "desa_code",
    "desa",
    "kecamatan",
    "depot_id",
    "teams_called",
    "teams_used",
    "fair_share_min",
    "longest_min",
    "spread_min",
    "idle_while_busy",
    "within_target",
)


def write_fairness(plan: Plan, folder: Path) -> list[Path]:
    """Write fairness.csv (nothing for a plan without teams called up).

    ``within_target`` is ``yes`` when the desa's spread is under the fair-day target and no
    team idles while another works past the share; ``idle_while_busy`` is ``yes``/``no``.
    """
    if not plan.fairness:
        return []
    names = {d.depot_id: (d.desa_name, d.kecamatan) for d in plan.depots}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FAIRNESS_FILE
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FAIRNESS_COLUMNS)
        for desa in plan.fairness:
            name, kecamatan = names.get(desa.depot_id, ("", ""))
            within = desa.spread_s < FAIR_SPREAD_S and not desa.idle_while_busy
            writer.writerow(
                [
                    desa.desa_code,
                    name,
                    kecamatan,
                    desa.depot_id,
                    desa.teams_called,
                    desa.teams_used,
                    round(desa.fair_share_s / 60),
                    round(desa.longest_s / 60),
                    round(desa.spread_s / 60),
                    "yes" if desa.idle_while_busy else "no",
                    "yes" if within else "no",
                ]
            )
    return [path]
