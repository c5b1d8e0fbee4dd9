"""Household rows -> Households and RejectedRows: each row checked by small validators.

A bad row never stops the plan: it becomes a :class:`RejectedRow` with the field and the fix,
and the plan lists it as unserved. NIK and KK numbers are read only to find the same person or
family under two household ids; they are never stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from optimizer.areas import AdminArea
from optimizer.reasons import UnservedReason
from optimizer.scenario.columns import COORDINATE_COLUMN, ColumnMap
from optimizer.scenario.fields import (
    Bad,
    is_blank_coordinate,
    normalise_rt_rw,
    parse_desil,
    parse_packages,
    parse_priority,
    parse_window,
    split_coordinate_cell,
)
from optimizer.scenario.locate import Pending, place_pending
from optimizer.scenario.model import LOCATION_REGISTER, Household, RejectedRow
from optimizer.scenario.readers import Table
from optimizer.scenario.regency import Regency

#: Identity columns and how a message names them.
_IDENTITY_NAMES = {"nik": "NIK", "no_kk": "KK number"}
#: Fields a duplicate row is rejected under.
DUPLICATE_FIELDS = frozenset({"household_id", *_IDENTITY_NAMES})


@dataclass(frozen=True, slots=True, kw_only=True)
class HouseholdRules:
    """What the scenario says about which rows to keep and how to read them."""

    desil: frozenset[int]
    areas: frozenset[str] | None
    shift_start_s: int
    shift_end_s: int


@dataclass(slots=True)
class HouseholdIntake:
    """The result of reading the households file."""

    households: list[Household] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    excluded: int = 0
    synthetic: bool = False
    notices: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """A row that passed its own checks; cross-row checks and placement come next."""

    number: int
    values: dict[str, str]
    desa: AdminArea
    parsed: dict[str, object]
    where: tuple[float, float] | None
    identity: dict[str, str]


def _text(columns: ColumnMap, row: Mapping[str, str]) -> dict[str, str]:
    values = {name: columns.get(row, name) for name in columns.mapping}
    values["rt"] = normalise_rt_rw(values.get("rt", ""))
    values["rw"] = normalise_rt_rw(values.get("rw", ""))
    return values


def _coordinate_texts(values: Mapping[str, str]) -> tuple[str, str] | Bad:
    lat, lon = values.get("lat", ""), values.get("lon", "")
    cell = values.get(COORDINATE_COLUMN, "")
    if is_blank_coordinate(lat, lon) and cell.strip():
        return split_coordinate_cell(cell)
    return lat, lon


def _check_row(
    values: dict[str, str], desa: AdminArea | Bad, regency: Regency, rules: HouseholdRules
) -> tuple[AdminArea, dict[str, object], tuple[float, float] | None] | Bad:
    """Check one row on its own; returns its desa, parsed values and position (None = none)."""
    if not values.get("household_id"):
        return Bad("household_id", "household_id is empty; every row needs the register's id")
    if isinstance(desa, Bad):
        return desa
    texts = _coordinate_texts(values)
    if isinstance(texts, Bad):
        return texts
    where: tuple[float, float] | None = None
    if not is_blank_coordinate(*texts):
        checked = regency.coordinates(*texts)
        if isinstance(checked, Bad):
            return checked
        where = checked
    packages = parse_packages(values.get("packages", ""))
    window = parse_window(
        values.get("window_start", ""),
        values.get("window_end", ""),
        rules.shift_start_s,
        rules.shift_end_s,
    )
    priority = parse_priority(values.get("priority", ""))
    for value in (packages, window, priority):
        if isinstance(value, Bad):
            return value
    return desa, {"packages": packages, "window": window, "priority": priority}, where


def _find_desa(values: Mapping[str, str], regency: Regency) -> AdminArea | Bad:
    return regency.find_desa(
        values.get("desa_code", ""), values.get("desa_name", ""), values.get("kecamatan", "")
    )


def _in_areas(desa: AdminArea | Bad, rules: HouseholdRules) -> bool:
    if rules.areas is None:
        return True
    return not isinstance(desa, Bad) and (
        desa.code in rules.areas or desa.parent_code in rules.areas
    )


def _reject(
    number: int,
    values: Mapping[str, str],
    bad: Bad,
    *,
    desa: AdminArea | None = None,
    code: UnservedReason = UnservedReason.INVALID_DATA,
) -> RejectedRow:
    return RejectedRow(
        row=number,
        household_id=values.get("household_id", ""),
        field=bad.field,
        reason=bad.reason,
        code=code,
        desa_code=desa.code if desa else "",
        desa_name=desa.name if desa else values.get("desa_name", ""),
        kecamatan=(desa.parent_name or "") if desa else values.get("kecamatan", ""),
        dusun=values.get("dusun", ""),
        rt=values.get("rt", ""),
        rw=values.get("rw", ""),
        address=values.get("address", ""),
        head_name=values.get("head_name", ""),
    )


def is_duplicate(rejected: RejectedRow) -> bool:
    """Tell whether a rejected row is one copy of a household listed more than once."""
    return rejected.field in DUPLICATE_FIELDS and " also " in rejected.reason


def _duplicates(rows: list[_Row]) -> dict[int, Bad]:
    """Rows sharing a household id, or a NIK/KK under another household id: every copy."""
    found: dict[int, Bad] = {}
    by_id: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_id[row.values["household_id"]].append(row.number)
    for hid, numbers in by_id.items():
        for number in numbers if len(numbers) > 1 else ():
            others = ", ".join(str(n) for n in numbers if n != number)
            found[number] = Bad(
                "household_id",
                f"household_id '{hid}' also appears on row(s) {others}; the register must list "
                "each household once: fix the export, then plan again",
            )
    for column, label in _IDENTITY_NAMES.items():
        holders: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            if row.identity.get(column):
                holders[row.identity[column]].append(row)
        for group in holders.values():
            if len({r.values["household_id"] for r in group}) <= 1:
                continue
            for row in group:
                others = ", ".join(
                    f"{r.number} ({r.values['household_id']})" for r in group if r is not row
                )
                found.setdefault(
                    row.number,
                    Bad(
                        column,
                        f"the same {label} is also on row(s) {others} under another household "
                        "id; one family must have one household id: keep one row, then plan "
                        "again",
                    ),
                )
    return found


def parse_households(
    table: Table, columns: ColumnMap, regency: Regency, rules: HouseholdRules
) -> HouseholdIntake:
    """Check every household row; place rows without coordinates among their neighbours.

    Parameters
    ----------
    table : Table
        The households file as text cells.
    columns : ColumnMap
        Which header holds which product column.
    regency : Regency
        Boundaries and lookups.
    rules : HouseholdRules
        Filter and shift.

    Returns
    -------
    HouseholdIntake
        Households, rejected rows (every row is in exactly one of: households, rejected,
        excluded by the filter), and notices (one per desa with approximate positions).
    """
    intake = HouseholdIntake()
    passed: list[_Row] = []
    for number, row in enumerate(table.rows, start=1):
        values = _text(columns, row)
        intake.synthetic = intake.synthetic or "synthetic" in values.get("data_origin", "").lower()
        found = _find_desa(values, regency)
        known = None if isinstance(found, Bad) else found
        if number in table.problems:  # its cells may have shifted: trust none of them
            bad = Bad("row", table.problems[number])
            intake.rejected.append(_reject(number, values, bad, desa=known))
            continue
        if not _in_areas(found, rules):
            intake.excluded += 1
            continue
        desil = parse_desil(values.get("desil", ""))
        if isinstance(desil, Bad):
            intake.rejected.append(_reject(number, values, desil, desa=known))
            continue
        if desil not in rules.desil:
            intake.excluded += 1
            continue
        checked = _check_row(values, found, regency, rules)
        if isinstance(checked, Bad):
            intake.rejected.append(_reject(number, values, checked, desa=known))
            continue
        desa, parsed, where = checked
        parsed["desil"] = desil
        identity = {k: values.get(k, "").strip() for k in _IDENTITY_NAMES}
        passed.append(_Row(number, values, desa, parsed, where, identity))
    duplicates = _duplicates(passed)
    for checked_row in passed:
        if checked_row.number in duplicates:
            bad = duplicates[checked_row.number]
            intake.rejected.append(
                _reject(checked_row.number, checked_row.values, bad, desa=checked_row.desa)
            )
    _build([r for r in passed if r.number not in duplicates], intake)
    intake.rejected.sort(key=lambda r: r.row)
    intake.households.sort(key=lambda h: h.row)
    return intake


def _household(row: _Row, lat: float, lon: float, location: str) -> Household:
    values, parsed = row.values, row.parsed
    window = parsed["window"]
    assert isinstance(window, tuple)
    return Household(
        household_id=values["household_id"],
        row=row.number,
        head_name=values.get("head_name", ""),
        address=values.get("address", ""),
        dusun=values.get("dusun", ""),
        rt=values.get("rt", ""),
        rw=values.get("rw", ""),
        desa_code=row.desa.code,
        desa_name=row.desa.name,
        kecamatan=row.desa.parent_name or "",
        lat=lat,
        lon=lon,
        desil=int(str(parsed["desil"])),
        packages=int(str(parsed["packages"])),
        window_start_s=window[0],
        window_end_s=window[1],
        priority=bool(parsed["priority"]),
        notes=values.get("notes", ""),
        location=location,
    )


def _build(rows: list[_Row], intake: HouseholdIntake) -> None:
    located = [r for r in rows if r.where is not None]
    pending = [r for r in rows if r.where is None]
    for row in located:
        assert row.where is not None
        intake.households.append(_household(row, row.where[0], row.where[1], LOCATION_REGISTER))
    placements = place_pending(
        [
            Pending(
                index=i,
                desa_code=r.desa.code,
                dusun=r.values.get("dusun", ""),
                rt=r.values.get("rt", ""),
                rw=r.values.get("rw", ""),
            )
            for i, r in enumerate(pending)
        ],
        [
            (
                r.desa.code,
                r.values.get("dusun", ""),
                r.values.get("rt", ""),
                r.values.get("rw", ""),
                r.where,
            )
            for r in located
            if r.where is not None
        ],
    )
    placed_by_desa: dict[str, int] = defaultdict(int)
    for row, placement in zip(pending, placements, strict=True):
        if isinstance(placement, Bad):
            intake.rejected.append(
                _reject(
                    row.number,
                    row.values,
                    placement,
                    desa=row.desa,
                    code=UnservedReason.NO_LOCATION,
                )
            )
            continue
        lat, lon, location = placement
        intake.households.append(_household(row, lat, lon, location))
        placed_by_desa[f"{row.desa.name} ({row.desa.code})"] += 1
    intake.notices.extend(
        f"desa {desa}: {count} household(s) without coordinates placed approximately among "
        "their RT/RW or dusun neighbours (teams ask the RT head; berbagi check lists them in "
        "needs_location.csv)"
        for desa, count in sorted(placed_by_desa.items())
    )
