"""Data-quality figures of a loaded scenario, per desa: what ``berbagi check --report`` shows.

Counts rows, valid households, approximate positions, rows that cannot be planned (by reason)
and duplicates per desa, and lists the households whose position a field visit should record.
Never holds a NIK or KK number (the scenario does not keep them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from optimizer.reasons import UnservedReason
from optimizer.scenario.households import is_duplicate
from optimizer.scenario.model import Household, RejectedRow, Scenario

#: Desa code of rows that name no known desa.
UNKNOWN_DESA = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RowProblem:
    """One row that cannot be planned as it is: where, what and how to fix it."""

    row: int
    household_id: str
    field: str
    code: str
    reason: str
    duplicate: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DesaQuality:
    """Figures of one desa (or of the rows naming no known desa, code ``""``)."""

    desa_code: str
    desa_name: str
    kecamatan: str
    rows: int
    valid: int
    approximate: int
    rejected: tuple[tuple[str, int], ...]
    duplicates: int
    problems: tuple[RowProblem, ...]

    @property
    def fixes(self) -> tuple[str, ...]:
        """One line per kind of problem: how many rows, the field, the first row's fix."""
        first: dict[str, RowProblem] = {}
        counts: Counter[str] = Counter()
        for problem in self.problems:
            key = f"{problem.code}:{problem.field}"
            counts[key] += 1
            first.setdefault(key, problem)
        return tuple(
            f"{counts[key]} x {first[key].field} ({first[key].code}): {first[key].reason}"
            for key in sorted(counts)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationNeed:
    """A household whose position should be recorded on a field visit."""

    kecamatan: str
    desa_code: str
    desa_name: str
    household_id: str
    row: int
    head_name: str
    address: str
    dusun: str
    rt: str
    rw: str
    status: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityReport:
    """Data quality of one scenario's register, per desa."""

    scenario: str
    title: str
    synthetic: bool
    households_file: str
    rows: int
    excluded_by_filter: int
    desa: tuple[DesaQuality, ...]
    needs_location: tuple[LocationNeed, ...]
    notices: tuple[str, ...]


def _problem(rejected: RejectedRow) -> RowProblem:
    return RowProblem(
        row=rejected.row,
        household_id=rejected.household_id,
        field=rejected.field or "",
        code=str(rejected.code),
        reason=rejected.reason,
        duplicate=is_duplicate(rejected),
    )


def _desa_figures(
    code: str, households: list[Household], rejected: list[RejectedRow]
) -> DesaQuality:
    named = households[0] if households else None
    other = rejected[0] if rejected else None
    reasons = Counter(str(r.code) for r in rejected)
    return DesaQuality(
        desa_code=code,
        desa_name=named.desa_name if named else (other.desa_name if other else ""),
        kecamatan=named.kecamatan if named else (other.kecamatan if other else ""),
        rows=len(households) + len(rejected),
        valid=len(households),
        approximate=sum(1 for h in households if h.approximate),
        rejected=tuple(sorted(reasons.items())),
        duplicates=sum(1 for r in rejected if is_duplicate(r)),
        problems=tuple(_problem(r) for r in sorted(rejected, key=lambda r: r.row)),
    )


def _need(
    source: Household | RejectedRow, status: str, lat: float | None, lon: float | None
) -> LocationNeed:
    return LocationNeed(
        kecamatan=source.kecamatan,
        desa_code=source.desa_code,
        desa_name=source.desa_name,
        household_id=source.household_id,
        row=source.row,
        head_name=source.head_name,
        address=source.address,
        dusun=source.dusun,
        rt=source.rt,
        rw=source.rw,
        status=status,
        lat=lat,
        lon=lon,
    )


def _needs(scenario: Scenario) -> list[LocationNeed]:
    needs = [_need(h, h.location, h.lat, h.lon) for h in scenario.households if h.approximate]
    needs += [
        _need(r, str(UnservedReason.NO_LOCATION), None, None)
        for r in scenario.rejected
        if r.code == UnservedReason.NO_LOCATION
    ]
    needs.sort(key=lambda n: (n.kecamatan, n.desa_code, n.dusun, n.rw, n.rt, n.row))
    return needs


def build_quality_report(scenario: Scenario) -> QualityReport:
    """Count a scenario's register rows per desa: valid, approximate, rejected by reason.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario (rows outside its filter are not part of it).

    Returns
    -------
    QualityReport
        Desa sorted by kecamatan and code; rows naming no known desa come last (code ``""``).
    """
    households: dict[str, list[Household]] = defaultdict(list)
    rejected: dict[str, list[RejectedRow]] = defaultdict(list)
    for household in scenario.households:
        households[household.desa_code].append(household)
    for row in scenario.rejected:
        rejected[row.desa_code].append(row)
    figures = [
        _desa_figures(code, households.get(code, []), rejected.get(code, []))
        for code in set(households) | set(rejected)
    ]
    figures.sort(key=lambda d: (d.desa_code == UNKNOWN_DESA, d.kecamatan, d.desa_code))
    households_file = next((c.file for c in scenario.columns if c.input == "households"), "")
    return QualityReport(
        scenario=scenario.name,
        title=scenario.title,
        synthetic=scenario.synthetic_inputs,
        households_file=households_file,
        rows=scenario.households_total,
        excluded_by_filter=scenario.excluded_by_filter,
        desa=tuple(figures),
        needs_location=tuple(_needs(scenario)),
        notices=scenario.notices,
    )
