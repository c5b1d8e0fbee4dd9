"""Load a scenario: the TOML file and the files it names, validated once -> Scenario.

File-level problems (unknown keys, missing files or columns, bad depots or teams) are collected
and raised together as one :class:`ScenarioError`; a bad household row does not stop the plan:
it becomes a :class:`RejectedRow` that the plan lists as unserved with its reason (unless
``strict``).
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from optimizer.areas import Boundaries, bundled_boundaries_dir, load_boundaries
from optimizer.config import PlannerConfig
from optimizer.errors import Issue, ScenarioError
from optimizer.scenario import roster
from optimizer.scenario.columns import (
    COORDINATE_COLUMN,
    DEPOT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    IDENTITY_COLUMNS,
    ROSTER_COLUMNS,
    TEAM_COLUMNS,
    ColumnMap,
    check_explicit_columns,
    map_columns,
)
from optimizer.scenario.depots import parse_depots
from optimizer.scenario.households import HouseholdIntake, HouseholdRules, parse_households
from optimizer.scenario.merge import MergedScenario, read_merged_scenario
from optimizer.scenario.model import ColumnUse, DayRules, Depot, Person, Scenario, Team
from optimizer.scenario.readers import Table, read_table
from optimizer.scenario.regency import Regency
from optimizer.scenario.schema import ScenarioFile, validate_scenario
from optimizer.scenario.teams import TeamRules, parse_teams
from optimizer.scenario.whatif import (
    apply_team_changes,
    check_whatif,
    closed_desa_codes,
    closure_notices,
    resolve_path,
)
from optimizer.units import parse_clock

logger = logging.getLogger(__name__)

#: Weekday number of Friday (``date.weekday()``).
FRIDAY = 4
#: Columns each input file must have (a tuple of alternatives counts once).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "households": (("household_id",), ("desil",), ("desa_code", "desa_name")),
    "depots": (("depot_id",), ("desa_code",), ("lat",), ("lon",)),
    "teams": (("team_id",), ("depot_id",), ("vehicle",)),
    "roster": (("asn_id",), ("name",), ("unit",), ("status",), ("vehicle",), ("available",)),
}
KNOWN: dict[str, tuple[str, ...]] = {
    "households": (*HOUSEHOLD_COLUMNS, *IDENTITY_COLUMNS, COORDINATE_COLUMN),
    "depots": DEPOT_COLUMNS,
    "teams": TEAM_COLUMNS,
    "roster": ROSTER_COLUMNS,
}


def _file_issues(parsed: ScenarioFile, merged: MergedScenario, base: Path) -> list[Issue]:
    """Problems of the TOML file that the models cannot see: missing files, unknown profiles."""
    issues: list[Issue] = roster.roster_key_issues(parsed, merged)
    files = [
        (f"inputs.{key}", getattr(parsed.inputs, key))
        for key in ("households", "depots", "teams", "roster", "road_network")
    ]
    files.append(("continuity.previous_plan", parsed.continuity.previous_plan))
    hints = {
        "inputs.road_network": " (build the demo network with 'berbagi maps build-demo')",
        "continuity.previous_plan": " (last month's plan.json, relative to the scenario file) "
        "or remove the key",
    }
    for key, value in files:
        target = resolve_path(base, value) if value is not None else None
        if target is not None and not target.is_file():
            issues.append(
                Issue(
                    source=merged.source_of(key),
                    row=None,
                    field=key,
                    message=f"file {target} does not exist; fix the path{hints.get(key, '')}",
                )
            )
    for vehicle, vtype in parsed.vehicles.items():
        if vtype.profile not in parsed.graph.profiles:
            issues.append(
                Issue(
                    source=merged.source_of(f"vehicles.{vehicle}.profile"),
                    row=None,
                    field=f"vehicles.{vehicle}.profile",
                    message=f"unknown profile '{vtype.profile}'; valid: "
                    + ", ".join(sorted(parsed.graph.profiles)),
                )
            )
    for profile in parsed.service.park_min:
        if profile not in parsed.graph.profiles:
            issues.append(
                Issue(
                    source=merged.source_of("service.park_min"),
                    row=None,
                    field=f"service.park_min.{profile}",
                    message=f"unknown profile '{profile}'; valid: "
                    + ", ".join(sorted(parsed.graph.profiles)),
                )
            )
    if parse_clock(parsed.day.shift_end) <= parse_clock(parsed.day.shift_start):
        issues.append(
            Issue(
                source=merged.source_of("day.shift_end"),
                row=None,
                field="day.shift_end",
                message="the shift must end after it starts",
            )
        )
    for section, table in (("day", parsed.day), ("friday", parsed.friday)):
        if parse_clock(table.break_latest) < parse_clock(table.break_earliest):
            issues.append(
                Issue(
                    source=merged.source_of(f"{section}.break_latest"),
                    row=None,
                    field=f"{section}.break_latest",
                    message=f"{table.break_latest} is before break_earliest "
                    f"{table.break_earliest}; swap them",
                )
            )
    return issues


def _columns(name: str, table: Table, explicit: dict[str, str]) -> ColumnMap:
    columns = map_columns(table.header, KNOWN[name], explicit)
    missing = [
        " or ".join(options)
        for options in REQUIRED[name]
        if not any(columns.has(option) for option in options)
    ]
    if name == "households" and not columns.has("lat") and columns.has("lon"):
        missing.append("lat")
    if name == "households" and columns.has("lat") and not columns.has("lon"):
        missing.append("lon")
    if name == "roster":
        missing += roster.missing_home_columns(columns)
    if missing:
        required = ", ".join(" or ".join(options) for options in REQUIRED[name])
        raise ScenarioError(
            [
                Issue(
                    source=table.path.name,
                    row=None,
                    field=None,
                    message=f"missing column(s) {', '.join(missing)}; the header has "
                    f"{', '.join(table.header) or 'nothing'}. Required: {required} (the usual "
                    "Indonesian headers are recognised; map any other with [inputs.columns] "
                    "in the scenario, see scenarios/README.md)",
                )
            ]
        )
    return columns


def _use(name: str, table: Table, columns: ColumnMap) -> ColumnUse:
    return ColumnUse(
        input=name,
        file=table.path.name,
        sheet=table.sheet,
        encoding=table.encoding,
        delimiter=table.delimiter,
        mapping=tuple((k, v) for k, v in columns.mapping.items()),
        ignored=columns.ignored,
    )


def _day_rules(parsed: ScenarioFile) -> DayRules:
    friday = parsed.scenario.date is not None and parsed.scenario.date.weekday() == FRIDAY
    source = parsed.friday if friday else parsed.day
    return DayRules(
        break_earliest_s=parse_clock(source.break_earliest),
        break_latest_s=parse_clock(source.break_latest),
        break_s=math.ceil(source.break_min * 60),
        max_work_s=math.ceil(parsed.day.max_work_min * 60) if parsed.day.max_work_min else None,
        friday=friday,
        shift_end_cap_s=(
            parse_clock(parsed.friday.shift_end) if friday and parsed.friday.shift_end else None
        ),
    )


def _filter_areas(
    parsed: ScenarioFile, boundaries: Boundaries, source: str
) -> frozenset[str] | None:
    if not parsed.filter.kecamatan:
        return None
    chosen: list[str] = []
    issues: list[Issue] = []
    for name in parsed.filter.kecamatan:
        try:
            chosen.append(boundaries.select(name).code)
        except ScenarioError as err:
            issues.extend(
                Issue(source=source, row=None, field="filter.kecamatan", message=i.message)
                for i in err.issues
            )
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {source}")
    return frozenset(chosen)


def _cap_shifts(teams: list[Team], cap: int | None) -> list[Team]:
    if cap is None:
        return teams
    return [
        t.model_copy(update={"shift_end_s": min(t.shift_end_s, cap)})
        if t.shift_start_s < cap
        else t
        for t in teams
    ]


def _digest(parts: list[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in parts:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def _read_inputs(
    parsed: ScenarioFile, path: Path, base: Path
) -> tuple[dict[str, Table], dict[str, ColumnMap]]:
    """Read the input files and find their columns (raises on file-level problems)."""
    inputs = parsed.inputs
    files = (("households", inputs.households), ("depots", inputs.depots), inputs.crew)
    tables = {
        name: read_table(resolve_path(base, file), label=name, sheet=inputs.sheet_for(name))
        for name, file in files
    }
    issues = check_explicit_columns(
        inputs.columns, {name: t.header for name, t in tables.items()}, path.name
    )
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}")
    return tables, {name: _columns(name, t, inputs.columns) for name, t in tables.items()}


def _parse_rows(
    parsed: ScenarioFile,
    tables: dict[str, Table],
    columns: dict[str, ColumnMap],
    regency: Regency,
    areas: frozenset[str] | None,
) -> tuple[HouseholdIntake, list[Depot], list[Team], list[Person], list[Issue]]:
    """Households, depots, teams and people; depot, team and roster problems as Issues."""
    issues: list[Issue] = []
    shift_start, shift_end = parse_clock(parsed.day.shift_start), parse_clock(parsed.day.shift_end)
    intake = parse_households(
        tables["households"],
        columns["households"],
        regency,
        HouseholdRules(
            desil=frozenset(parsed.filter.desil),
            areas=areas,
            shift_start_s=shift_start,
            shift_end_s=shift_end,
        ),
    )
    depots = parse_depots(tables["depots"], columns["depots"], regency, issues)
    if "roster" in tables:
        rules = roster.RosterRules(vehicles=parsed.vehicles, regency=regency)
        people = roster.parse_roster(tables["roster"], columns["roster"], rules, issues)
        return intake, depots, [], people, issues
    teams = parse_teams(
        tables["teams"],
        columns["teams"],
        TeamRules(
            vehicles=parsed.vehicles,
            depot_ids=frozenset(d.depot_id for d in depots),
            shift_start_s=shift_start,
            shift_end_s=shift_end,
            shift_end_text=parsed.day.shift_end,
        ),
        issues,
    )
    return intake, depots, teams, [], issues


def _keep_areas(
    depots: list[Depot], teams: list[Team], areas: frozenset[str] | None, boundaries: Boundaries
) -> tuple[list[Depot], list[Team]]:
    """Keep the depots (and their teams) inside the ``[filter] kecamatan`` areas."""
    if areas is None:
        return depots, teams
    desa_area = {d.code: d.parent_code for d in boundaries.desa}
    depots = [d for d in depots if d.desa_code in areas or desa_area[d.desa_code] in areas]
    kept_depots = {d.depot_id for d in depots}
    return depots, [t for t in teams if t.depot_id in kept_depots]


def _read_checked(
    path: Path, read_boundaries: Callable[[Path], Boundaries]
) -> tuple[MergedScenario, ScenarioFile, Path, Boundaries]:
    """Read the merged, validated TOML chain and its boundaries (raise on any TOML problem)."""
    merged = read_merged_scenario(path)
    parsed = validate_scenario(merged)
    base = path.resolve().parent
    issues = _file_issues(parsed, merged, base)
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}")
    inputs = parsed.inputs
    boundaries_dir = (
        resolve_path(base, inputs.boundaries) if inputs.boundaries else bundled_boundaries_dir()
    )
    boundaries = read_boundaries(boundaries_dir)
    issues = check_whatif(parsed, merged, boundaries, base)
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}")
    return merged, parsed, boundaries_dir, boundaries


@dataclass(frozen=True, slots=True, kw_only=True)
class _Loaded:
    """What the rows gave, for building the Scenario."""

    intake: HouseholdIntake
    depots: list[Depot]
    teams: list[Team]
    people: list[Person]
    tables: dict[str, Table]
    columns: dict[str, ColumnMap]
    boundaries_dir: Path
    synthetic: bool
    notices: tuple[str, ...]


def load_scenario(
    path: Path,
    *,
    strict: bool = False,
    read_boundaries: Callable[[Path], Boundaries] | None = None,
) -> Scenario:
    """Read a scenario TOML file and its input files, and validate everything once.

    ``extends`` is resolved first (:mod:`optimizer.scenario.merge`); the what-if tables
    ``[teams]`` and ``[closures]`` are applied last (:mod:`optimizer.scenario.whatif`).

    Parameters
    ----------
    path : Path
        The scenario ``.toml`` file; input paths in it are relative to its folder (paths in a
        parent it extends, relative to the parent's folder).
    strict : bool
        If true, any rejected household row is an error instead of an unserved entry.
    read_boundaries : callable, optional
        Reads a boundaries folder (default :func:`optimizer.areas.load_boundaries`); the
        pipeline passes its cache's reader so the boundaries are read once per run.

    Returns
    -------
    Scenario
        ``input_hash`` covers every TOML file of the chain, the input files (the roster
        too), the road network, the closed-roads file and the previous plan. With ``[inputs]
        roster``, ``teams`` is empty and ``people`` holds every valid roster row.

    Raises
    ------
    ScenarioError
        Listing every problem found (file, row, field, value and fix).
    """
    merged, parsed, boundaries_dir, boundaries = _read_checked(
        path, read_boundaries if read_boundaries is not None else load_boundaries
    )
    base = path.resolve().parent
    regency = Regency.of(boundaries)
    areas = _filter_areas(parsed, boundaries, merged.source_of("filter.kecamatan"))
    tables, columns = _read_inputs(parsed, path, base)
    intake, depots, teams, people, issues = _parse_rows(parsed, tables, columns, regency, areas)
    if strict:
        issues.extend(
            Issue(source=tables["households"].path.name, row=r.row, field=r.field, message=r.reason)
            for r in intake.rejected
        )
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in the inputs of {path}")
    depots, teams = _keep_areas(depots, teams, areas, boundaries)
    teams, whatif_notices = apply_team_changes(teams, parsed.teams, parsed.vehicles)
    synthetic = intake.synthetic or any(
        "synthetic" in columns[name].get(row, "data_origin").lower()
        for name in ("depots", "teams", "roster")
        if name in tables
        for row in tables[name].rows
    )
    notices = [n for t in tables.values() for n in t.notices] + intake.notices
    notices += whatif_notices
    notices += closure_notices(parsed, intake.households, boundaries, base)
    for notice in notices:  # the plan's warnings and berbagi check repeat them
        logger.info("%s", notice)
    if intake.rejected:
        logger.warning(
            "%d household row(s) cannot be planned; they are listed as unserved",
            len(intake.rejected),
        )
    return _build_scenario(
        path,
        merged,
        parsed,
        _Loaded(
            intake=intake,
            depots=depots,
            teams=teams,
            people=people,
            tables=tables,
            columns=columns,
            boundaries_dir=boundaries_dir,
            synthetic=synthetic,
            notices=tuple(notices),
        ),
        strict=strict,
    )


def _build_scenario(
    path: Path, merged: MergedScenario, parsed: ScenarioFile, loaded: _Loaded, *, strict: bool
) -> Scenario:
    base = path.resolve().parent
    network_path = resolve_path(base, parsed.inputs.road_network)
    closed_roads = resolve_path(base, parsed.closures.roads) if parsed.closures.roads else None
    previous = parsed.continuity.previous_plan
    previous_plan = resolve_path(base, previous) if previous is not None else None
    rules = _day_rules(parsed)
    shift_end = parse_clock(parsed.day.shift_end)
    hashed = [
        *(layer.path.read_bytes() for layer in merged.layers),
        *(t.raw for t in loaded.tables.values()),
        network_path.read_bytes(),
        *([closed_roads.read_bytes()] if closed_roads else []),
        *([previous_plan.read_bytes()] if previous_plan else []),
    ]
    return Scenario(
        name=parsed.scenario.name,
        title=parsed.scenario.title or parsed.scenario.name,
        date=parsed.scenario.date,
        path=str(path),
        households=tuple(loaded.intake.households),
        rejected=tuple(loaded.intake.rejected),
        excluded_by_filter=loaded.intake.excluded,
        depots=tuple(loaded.depots),
        teams=tuple(_cap_shifts(loaded.teams, rules.shift_end_cap_s)),
        vehicles=parsed.vehicles,
        service=parsed.service,
        shift_start_s=parse_clock(parsed.day.shift_start),
        shift_end_s=min(shift_end, rules.shift_end_cap_s or 10**9),
        rules=rules,
        pooling=parsed.pooling.level,
        pool_max_households=parsed.pooling.max_households,
        road_network=str(network_path),
        boundaries=str(loaded.boundaries_dir),
        synthetic_inputs=loaded.synthetic,
        input_hash=_digest(hashed),
        config=PlannerConfig(
            graph=parsed.graph, solver=parsed.solver, render=parsed.render, strict=strict
        ),
        columns=tuple(_use(name, t, loaded.columns[name]) for name, t in loaded.tables.items()),
        notices=loaded.notices,
        closed_desa=closed_desa_codes(parsed),
        closed_desa_source=merged.source_of("closures.desa") if parsed.closures.desa else "",
        closed_roads=str(closed_roads) if closed_roads else None,
        people=tuple(loaded.people),
        fleet=parsed.fleet,
        previous_plan=str(previous_plan) if previous_plan else None,
        max_saving_pct=parsed.continuity.max_saving_pct,
        roster_source=loaded.tables["roster"].path.name if "roster" in loaded.tables else "",
    )
