"""plan.json: the machine-readable plan, a stable contract for other tools."""

from __future__ import annotations

import json
from pathlib import Path

from optimizer.plan import Plan

PLAN_JSON_VERSION = 1


def write_plan_json(plan: Plan, path: Path) -> Path:
    """Write the plan as JSON (see README, "plan.json contract").

    Parameters
    ----------
    plan : Plan
    path : Path

    Returns
    -------
    Path
        The file written. Equal plans give byte-identical files: keys keep a fixed order and
        nothing time-dependent (run time, dates of the run) is written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": f"berbagi-plan-{PLAN_JSON_VERSION}", **plan.to_dict()}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
