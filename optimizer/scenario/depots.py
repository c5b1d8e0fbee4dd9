"""Depot rows -> Depots; every problem is an Issue (a depot error stops the plan)."""

from __future__ import annotations

from optimizer.errors import Issue
from optimizer.scenario.columns import ColumnMap
from optimizer.scenario.fields import Bad
from optimizer.scenario.model import Depot
from optimizer.scenario.readers import Table
from optimizer.scenario.regency import Regency


def _depot(number: int, values: dict[str, str], regency: Regency) -> Depot | Bad:
    desa = regency.find_desa(values.get("desa_code", ""), "", "")
    if isinstance(desa, Bad):
        return desa
    where = regency.coordinates(values.get("lat", ""), values.get("lon", ""))
    if isinstance(where, Bad):
        return where
    serves = values.get("serves", "").strip().lower() or "desa"
    if serves not in ("desa", "kecamatan"):
        return Bad(
            "serves",
            f"'{values.get('serves')}' is not desa or kecamatan; write kecamatan for a "
            "kecamatan office whose teams serve the whole kecamatan",
        )
    return Depot(
        depot_id=values["depot_id"],
        row=number,
        name=values.get("name", "") or values["depot_id"],
        desa_code=desa.code,
        lat=where[0],
        lon=where[1],
        approximate=values.get("location_quality", "").lower() != "surveyed",
        serves="kecamatan" if serves == "kecamatan" else "desa",
    )


def parse_depots(
    table: Table, columns: ColumnMap, regency: Regency, issues: list[Issue]
) -> list[Depot]:
    """Check every depot row; problems are appended to ``issues``."""
    source = table.path.name
    depots: list[Depot] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=1):
        values = {name: columns.get(row, name) for name in columns.mapping}
        depot_id = values.get("depot_id", "")
        found: Depot | Bad
        if number in table.problems:
            found = Bad("row", table.problems[number])
        elif not depot_id:
            found = Bad("depot_id", "empty; give every depot an id")
        elif depot_id in seen:
            found = Bad(
                "depot_id", f"'{depot_id}' repeats row {seen[depot_id]}; depot ids must be unique"
            )
        else:
            seen[depot_id] = number
            found = _depot(number, values, regency)
        if isinstance(found, Bad):
            issues.append(Issue(source=source, row=number, field=found.field, message=found.reason))
        else:
            depots.append(found)
    return depots
