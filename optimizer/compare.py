"""Scenario comparison: several plans side by side, as figure rows with deltas to the baseline.

A comparison is built from finished plans only, so it is a stage after the plan. The first
plan is the baseline; every figure holds one value per scenario and its difference from the
baseline. The terminal table, the HTML page, the CSV and the JSON are all written from the
same :class:`Figure` rows, so they never disagree.

Values are rounded once, here, to the precision each figure is shown with (``decimals``), and
deltas are differences of the rounded values: hours keep four decimals (0.36 s, so the whole
seconds of the plan can be recovered), kilometres four (0.1 m, the rounding of ``plan.json``)
and costs none (whole rupiah, as in ``plan.json``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from optimizer.plan import Plan
from optimizer.reasons import UnservedReason
from optimizer.units import format_clock

#: Version tag of ``compare.json``.
COMPARE_FORMAT: Final = "berbagi-compare-1"
#: Kecamatan name used for households whose desa code is missing (bad rows).
UNKNOWN_KECAMATAN: Final = "(unknown)"
#: Length of a kecamatan code ("35.10.15") at the start of a desa code ("35.10.15.2004").
KECAMATAN_CODE_LENGTH: Final = 8
_SECONDS_PER_HOUR: Final = 3600.0
_HOUR_DECIMALS: Final = 4
_KM_DECIMALS: Final = 4

#: How a figure's values are shown: counts, hours, a time of day (hours after midnight),
#: kilometres, money or a ratio.
FigureKind = Literal["count", "hours", "clock", "km", "money", "ratio"]
#: Which direction of change is an improvement ("" when neither is).
Better = Literal["higher", "lower", ""]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioColumn:
    """One scenario of the comparison, with its distribution of route times.

    ``column`` is the scenario name, made unique with a " #2" suffix when two plans share a
    name; tables and CSV headers use it. ``route_duration_s`` lists the routes' times from
    leaving the depot to coming back (seconds), in plan order, beside their ``team_ids``.
    """

    scenario: str
    column: str
    title: str
    date: str | None
    synthetic_data: bool
    data_notice: str
    households_total: int
    team_ids: tuple[str, ...]
    route_duration_s: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One row of the comparison: a figure's value per scenario and its change.

    ``values[i]`` belongs to scenario ``i``; ``None`` when the figure does not exist for it
    (the time the last team is back, in a plan without routes). ``deltas[i]`` is
    ``values[i] - values[0]`` (so ``deltas[0]`` is 0), or ``None`` when either value is.
    """

    key: str
    label: str
    unit: str
    kind: FigureKind
    better: Better
    decimals: int
    values: tuple[float | None, ...]
    deltas: tuple[float | None, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class KecamatanRow:
    """Households served and unserved in one kecamatan, per scenario.

    ``code`` is empty for households without a desa code (shown as "(unknown)").
    """

    code: str
    name: str
    served: tuple[int, ...]
    unserved: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Scenarios side by side; the first scenario is the baseline."""

    scenarios: tuple[ScenarioColumn, ...]
    figures: tuple[Figure, ...]
    kecamatan: tuple[KecamatanRow, ...]

    @property
    def synthetic_data(self) -> bool:
        """Tell whether any of the plans is built from synthetic demonstration data."""
        return any(s.synthetic_data for s in self.scenarios)

    def figure(self, key: str) -> Figure:
        """Return the figure with this key.

        Raises
        ------
        KeyError
            If no figure has the key; the message lists the keys there are.
        """
        for row in self.figures:
            if row.key == key:
                return row
        raise KeyError(f"no figure '{key}'; the figures are {', '.join(self.figure_keys)}")

    @property
    def figure_keys(self) -> tuple[str, ...]:
        """Keys of the figures, in table order."""
        return tuple(row.key for row in self.figures)


def build_comparison(plans: Sequence[Plan]) -> Comparison:
    """Compare plans side by side, the first one being the baseline.

    Parameters
    ----------
    plans : Sequence[Plan]
        One plan per scenario, the baseline first.

    Returns
    -------
    Comparison
        One column per plan; figure rows with values rounded to their shown precision and
        deltas against the first plan; served and unserved households per kecamatan.

    Raises
    ------
    ValueError
        If ``plans`` is empty.

    Notes
    -----
    Figure keys (stable, for tools): ``households_served``, ``households_unserved``,
    ``unserved_<reason>`` (each reason code that occurs in any plan, in the order of
    :class:`~optimizer.reasons.UnservedReason`), ``teams_used``, ``teams_available``,
    ``packages_per_team``, ``total_route_h``, ``longest_route_h``, ``last_back`` (hours after
    midnight), ``total_distance_km``, ``total_cost`` (Rp), ``depot_spread_h``,
    ``depot_work_spread_h`` (working time, the break not counted: the fair-day measure),
    ``route_spread_h``, ``doors_on_foot`` and ``walked_km`` (only when a plan walks from a
    parked vehicle), ``priority_late``.
    """
    if not plans:
        raise ValueError("build_comparison needs at least one plan (the baseline)")
    return Comparison(
        scenarios=_scenario_columns(plans),
        figures=_figures(plans),
        kecamatan=_kecamatan_rows(plans),
    )


def _scenario_columns(plans: Sequence[Plan]) -> tuple[ScenarioColumn, ...]:
    """One column per plan, with unique column names."""
    seen: Counter[str] = Counter()
    columns = []
    for plan in plans:
        seen[plan.scenario] += 1
        repeat = seen[plan.scenario]
        columns.append(
            ScenarioColumn(
                scenario=plan.scenario,
                column=plan.scenario if repeat == 1 else f"{plan.scenario} #{repeat}",
                title=plan.title,
                date=plan.date,
                synthetic_data=plan.synthetic_data,
                data_notice=plan.data_notice,
                households_total=plan.households_total,
                team_ids=tuple(r.team_id for r in plan.routes),
                route_duration_s=tuple(r.duration_s for r in plan.routes),
            )
        )
    return tuple(columns)


def _figure(
    key: str,
    label: str,
    unit: str,
    values: Sequence[float | None],
    *,
    kind: FigureKind,
    better: Better,
    decimals: int = 0,
) -> Figure:
    """Make a figure row: values rounded to ``decimals``, deltas against the first value."""
    rounded = tuple(None if v is None else _round(v, decimals) for v in values)
    base = rounded[0]
    deltas = tuple(
        None if v is None or base is None else _round(v - base, decimals) for v in rounded
    )
    return Figure(
        key=key,
        label=label,
        unit=unit,
        kind=kind,
        better=better,
        decimals=decimals,
        values=rounded,
        deltas=deltas,
    )


def _round(value: float, decimals: int) -> float:
    """Round to ``decimals`` (an int for 0 decimals), with no negative zero."""
    if decimals == 0:
        return round(value)
    return round(value, decimals) + 0.0


def _hours(seconds: float) -> float:
    return seconds / _SECONDS_PER_HOUR


def _figures(plans: Sequence[Plan]) -> tuple[Figure, ...]:
    """Every figure row, in table order."""
    kpis = [p.kpis for p in plans]
    rows = [
        _figure(
            "households_served",
            "Households served",
            "households",
            [k.households_served for k in kpis],
            kind="count",
            better="higher",
        ),
        _figure(
            "households_unserved",
            "Households not served",
            "households",
            [k.households_unserved for k in kpis],
            kind="count",
            better="lower",
        ),
        *_reason_figures(plans),
        *_team_figures(plans),
        *_time_figures(plans),
        *_distance_figures(plans),
        *_walk_figures(plans),
        _figure(
            "priority_late",
            "Priority households late",
            "households",
            [k.priority_late for k in kpis],
            kind="count",
            better="lower",
        ),
    ]
    return tuple(rows)


def _team_figures(plans: Sequence[Plan]) -> list[Figure]:
    """Teams used and available, and packages per team used."""
    kpis = [p.kpis for p in plans]
    return [
        _figure(
            "teams_used",
            "Teams used",
            "teams",
            [k.teams_used for k in kpis],
            kind="count",
            better="",
        ),
        _figure(
            "teams_available",
            "Teams available",
            "teams",
            [k.teams_available for k in kpis],
            kind="count",
            better="",
        ),
        _figure(
            "packages_per_team",
            "Packages per team used",
            "packages",
            [k.packages_delivered / k.teams_used if k.teams_used else None for k in kpis],
            kind="ratio",
            better="",
            decimals=2,
        ),
    ]


def _time_figures(plans: Sequence[Plan]) -> list[Figure]:
    """Total and longest route time, and the time the last team is back."""
    kpis = [p.kpis for p in plans]
    last_back = [max((r.end_s for r in p.routes), default=None) for p in plans]
    return [
        _figure(
            "total_route_h",
            "Total route time",
            "h",
            [_hours(k.total_route_s) for k in kpis],
            kind="hours",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
        _figure(
            "longest_route_h",
            "Longest route",
            "h",
            [_hours(k.longest_route_s) for k in kpis],
            kind="hours",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
        _figure(
            "last_back",
            "Last team back",
            "h after midnight",
            [None if s is None else _hours(s) for s in last_back],
            kind="clock",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
    ]


def _distance_figures(plans: Sequence[Plan]) -> list[Figure]:
    """Total distance, cost and workload spread."""
    kpis = [p.kpis for p in plans]
    return [
        _figure(
            "total_distance_km",
            "Total distance",
            "km",
            [k.total_distance_m / 1000 for k in kpis],
            kind="km",
            better="lower",
            decimals=_KM_DECIMALS,
        ),
        _figure(
            "total_cost",
            "Cost",
            "Rp",
            [k.total_cost for k in kpis],
            kind="money",
            better="lower",
        ),
        _figure(
            "depot_spread_h",
            "Spread in a depot, route time",
            "h",
            [_hours(k.depot_spread_s) for k in kpis],
            kind="hours",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
        _figure(
            "depot_work_spread_h",
            "Spread in a depot, work time",
            "h",
            [_hours(k.depot_work_spread_s) for k in kpis],
            kind="hours",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
        _figure(
            "route_spread_h",
            "Workload spread, all routes",
            "h",
            [_hours(k.route_spread_s) for k in kpis],
            kind="hours",
            better="lower",
            decimals=_HOUR_DECIMALS,
        ),
    ]


def _walk_figures(plans: Sequence[Plan]) -> list[Figure]:
    """Doors reached on foot from a parked vehicle and km walked, when any plan has walks."""
    kpis = [p.kpis for p in plans]
    if not any(k.walks for k in kpis):
        return []
    return [
        _figure(
            "doors_on_foot",
            "Doors reached on a walk",
            "households",
            [k.doors_on_foot for k in kpis],
            kind="count",
            better="",
        ),
        _figure(
            "walked_km",
            "Walked from a parked vehicle",
            "km",
            [k.walked_m / 1000 for k in kpis],
            kind="km",
            better="",
            decimals=_KM_DECIMALS,
        ),
    ]


def _reason_order(code: str) -> tuple[int, str]:
    """Sort key: the order of :class:`UnservedReason`, then unknown codes by name."""
    known = [str(reason) for reason in UnservedReason]
    return (known.index(code), "") if code in known else (len(known), code)


def _reason_figures(plans: Sequence[Plan]) -> list[Figure]:
    """One row per reason code that occurs in any plan."""
    codes = sorted(
        {code for p in plans for code, n in p.kpis.unserved_by_reason.items() if n},
        key=_reason_order,
    )
    return [
        _figure(
            f"unserved_{code}",
            f"Not served: {code.replace('_', ' ')}",
            "households",
            [p.kpis.unserved_by_reason.get(code, 0) for p in plans],
            kind="count",
            better="lower",
        )
        for code in codes
    ]


def kecamatan_code(desa_code: str) -> str:
    """Return the kecamatan code of a desa code ("35.10.15.2004" -> "35.10.15").

    Parameters
    ----------
    desa_code : str
        A Kemendagri desa code, or "" for a household without one.

    Returns
    -------
    str
        The first eight characters, or "" when the desa code is empty.
    """
    return desa_code.strip()[:KECAMATAN_CODE_LENGTH]


def _kecamatan_rows(plans: Sequence[Plan]) -> tuple[KecamatanRow, ...]:
    """Count served and unserved households per kecamatan, by name (unknown last)."""
    names: dict[str, str] = {}
    for plan in plans:
        for area in plan.areas:
            if area.level == "kecamatan":
                names.setdefault(area.code, area.name)
    served = [
        Counter(kecamatan_code(s.desa_code) for r in p.routes for s in r.stops) for p in plans
    ]
    unserved = [Counter(kecamatan_code(u.desa_code) for u in p.unserved) for p in plans]
    codes = {code for counter in (*served, *unserved) for code in counter}
    return tuple(
        KecamatanRow(
            code=code,
            name=names.get(code, code) if code else UNKNOWN_KECAMATAN,
            served=tuple(counter[code] for counter in served),
            unserved=tuple(counter[code] for counter in unserved),
        )
        for code in sorted(codes, key=lambda c: (c == "", names.get(c, c), c))
    )


def format_value(figure: Figure, value: float | None) -> str:
    """Return a figure's value as shown to people ("12.35", "15:25", "Rp 183,635", "-").

    Parameters
    ----------
    figure : Figure
    value : float or None
        One of ``figure.values``.

    Returns
    -------
    str
        Counts as integers with thousands separators, hours and kilometres with two decimals,
        a time of day as HH:MM, money in rupiah; "-" for a missing value.
    """
    if value is None:
        return "-"
    if figure.kind == "clock":
        return format_clock(round(value * _SECONDS_PER_HOUR))
    if figure.kind == "money":
        return f"Rp {value:,.0f}"
    if figure.kind in ("hours", "km", "ratio"):
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _shown_zero(figure: Figure, delta: float) -> bool:
    """Tell whether a change rounds to nothing at the precision the figure is shown with."""
    if figure.kind == "clock":
        return round(abs(delta) * 60) == 0
    if figure.kind in ("hours", "km", "ratio"):
        return round(abs(delta), 2) == 0
    return round(abs(delta)) == 0


def format_delta(figure: Figure, delta: float | None) -> str:
    """Return a change against the baseline with its sign ("+3", "-0.25", "+0:15", "±0").

    Parameters
    ----------
    figure : Figure
    delta : float or None
        One of ``figure.deltas``.

    Returns
    -------
    str
        The change in the figure's own unit (a time of day changes by hours and minutes);
        "±0" for a change that rounds to nothing where shown, "-" when either value is missing.
    """
    if delta is None:
        return "-"
    if _shown_zero(figure, delta):
        return "±0:00" if figure.kind == "clock" else "±0"
    sign = "+" if delta > 0 else "-"
    if figure.kind == "clock":
        minutes = round(abs(delta) * 60)
        return f"{sign}{minutes // 60}:{minutes % 60:02d}"
    shown = format_value(figure, abs(delta))
    if shown.startswith("Rp "):
        return f"{sign}Rp {shown[3:]}"
    return f"{sign}{shown}"


def delta_verdict(figure: Figure, delta: float | None) -> Literal["better", "worse", "same", ""]:
    """Tell whether a change is an improvement, by the figure's ``better`` direction.

    Returns
    -------
    str
        "better" or "worse"; "same" for a change that rounds to nothing where shown; "" when
        the figure has no better direction or the delta is missing.
    """
    if delta is None or not figure.better:
        return ""
    if _shown_zero(figure, delta):
        return "same"
    improved = delta > 0 if figure.better == "higher" else delta < 0
    return "better" if improved else "worse"
