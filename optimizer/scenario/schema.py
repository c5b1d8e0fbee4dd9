"""The scenario TOML file: its tables as frozen pydantic models, and reading it -> ScenarioFile.

Every table forbids unknown keys; a problem is reported as an :class:`Issue` naming the key, the
value and the fix, with the valid keys listed next to an unknown one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from optimizer.config import GraphConfig, RenderConfig, SolverConfig
from optimizer.errors import Issue, ScenarioError
from optimizer.scenario.merge import EXTENDS_KEY, MergedScenario, read_merged_scenario
from optimizer.units import parse_clock


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioSection(_Frozen):
    """``[scenario]``: name and description."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    title: str = ""
    date: dt.date | None = None


#: The input files a scenario names, in reading order.
INPUT_FILES = ("households", "depots", "teams", "roster")


class InputsSection(_Frozen):
    """``[inputs]``: files, relative to the scenario file.

    ``sheet`` names the worksheet to read in every Excel input (default: the first sheet);
    ``sheets`` names it per input (``households = "DTSEN"``). ``columns`` maps a product column
    to the header a file uses for it (``head_name = "Nama Pemilik Rumah"``), for headers the
    planner does not recognise by itself.

    The teams come from exactly one of ``teams`` (a teams file: each team with its depot and
    vehicle) and ``roster`` (a roster of ASN/PPPK, one row per person; teams are formed from
    its available people).
    """

    households: str
    depots: str
    teams: str | None = None
    roster: str | None = None
    road_network: str
    boundaries: str | None = None
    sheet: str | None = None
    sheets: dict[str, str] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("sheets")
    @classmethod
    def _known_inputs(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(INPUT_FILES))
        if unknown:
            raise ValueError(
                f"unknown input(s) {', '.join(unknown)} in [inputs.sheets]; valid: "
                + ", ".join(INPUT_FILES)
            )
        return value

    @model_validator(mode="after")
    def _teams_or_roster(self) -> InputsSection:
        if self.teams is not None and self.roster is not None:
            raise ValueError(
                f"both teams ('{self.teams}') and roster ('{self.roster}') are set; keep one: "
                "teams for a file of ready-made teams, roster for a list of ASN/PPPK to form "
                "teams from"
            )
        if self.teams is None and self.roster is None:
            raise ValueError(
                'no teams: set teams = "teams.csv" (ready-made teams) or roster = "asn.csv" '
                "(a list of ASN/PPPK to form teams from)"
            )
        return self

    @property
    def crew(self) -> tuple[str, str]:
        """The input that brings the people: ``("teams", path)`` or ``("roster", path)``."""
        if self.roster is not None:
            return "roster", self.roster
        return "teams", self.teams or ""

    def sheet_for(self, name: str) -> str | None:
        """Name the worksheet to read for one input (``households``, ``teams``, ...)."""
        return self.sheets.get(name, self.sheet)


class FilterSection(_Frozen):
    """``[filter]``: which households of the list this plan covers."""

    desil: tuple[Annotated[int, Field(ge=1, le=10)], ...] = (1,)
    kecamatan: tuple[str, ...] = ()


def _check_clock(value: str | None) -> str | None:
    if value is not None:
        parse_clock(value)
    return value


class DaySection(_Frozen):
    """``[day]``: the default shift of every team, the midday break and the working-time cap.

    The break lasts ``break_min`` minutes and starts between ``break_earliest`` and
    ``break_latest`` (0 minutes = no break). ``max_work_min`` caps the time from leaving the
    depot to coming back, the break not counted.
    """

    shift_start: str = "08:00"
    shift_end: str = "15:00"
    break_earliest: str = "12:00"
    break_latest: str = "12:30"
    break_min: Annotated[float, Field(ge=0, le=240)] = 60.0
    max_work_min: Annotated[float, Field(gt=0, le=24 * 60)] | None = None

    @field_validator("shift_start", "shift_end", "break_earliest", "break_latest")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


class FridaySection(_Frozen):
    """``[friday]``: rules that apply when ``[scenario] date`` is a Friday.

    The Friday-prayer break replaces the midday break; ``shift_end``, when given, ends every
    team's shift earlier.
    """

    break_earliest: str = "11:15"
    break_latest: str = "11:30"
    break_min: Annotated[float, Field(ge=0, le=240)] = 105.0
    shift_end: str | None = None

    @field_validator("break_earliest", "break_latest", "shift_end")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        return _check_clock(value)


class PoolingSection(_Frozen):
    """``[pooling]``: which households a team may serve.

    ``desa``: teams serve the desa of their depot. ``kecamatan``: teams serve every desa of
    their depot's kecamatan (one sub-problem per kecamatan; one with more than
    ``max_households`` households is split into pools of neighbouring whole desa). A depot with
    ``serves = kecamatan`` in the depots file (a kecamatan office) pools its own teams either
    way.
    """

    level: Literal["desa", "kecamatan"] = "desa"
    #: A pooled kecamatan with more households is split into pools of neighbouring desa.
    max_households: Annotated[int, Field(ge=50, le=100_000)] = 800


class ParkAndWalk(_Frozen):
    """``[service.park_and_walk]``: park once and walk a loop to a few doors close on foot.

    A walk is formed only where it saves time for every kind of vehicle that may take it:
    doors no farther than ``radius_m`` on foot from the parking place (a point on the
    vehicle's road beside one of them), at most ``max_doors`` doors and ``max_packages``
    packages carried by hand, time windows that all fit one loop, and all of one desa.
    """

    enabled: bool = False
    radius_m: Annotated[float, Field(gt=0, le=2000)] = 200.0
    max_doors: Annotated[int, Field(ge=2, le=30)] = 8
    max_packages: Annotated[int, Field(ge=1, le=100)] = 4


class ServiceSection(_Frozen):
    """``[service]``: minutes spent at each door, and walks from a parked vehicle."""

    door_min: Annotated[float, Field(gt=0, le=120)] = 5.0
    per_extra_package_min: Annotated[float, Field(ge=0, le=60)] = 1.0
    priority_by: str = "11:00"
    #: Minutes to park and set off again at every stop, by vehicle profile (none: 0).
    park_min: dict[str, Annotated[float, Field(ge=0, le=30)]] = Field(default_factory=dict)
    park_and_walk: ParkAndWalk = Field(default_factory=ParkAndWalk)

    @field_validator("priority_by")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value


NonNegative = Annotated[float, Field(ge=0)]


class VehicleType(_Frozen):
    """``[vehicles.NAME]``: a kind of vehicle a team can have.

    Costs are in rupiah and only steer the plan when ``[solver] objective = "cost"``; the plan
    always reports them. ``max_trips`` = 0 lets a team reload as often as its shift allows.
    """

    capacity: Annotated[int, Field(gt=0, le=10_000)]
    profile: str
    members: Annotated[int, Field(ge=1, le=20)] = 2
    max_trips: Annotated[int, Field(ge=0, le=50)] = 0
    reload_min: Annotated[float, Field(ge=0, le=240)] = 10.0
    cost_per_km: NonNegative = 0.0
    cost_per_hour: NonNegative = 0.0
    fixed_cost: NonNegative = 0.0


#: Default vehicle types: capacity (packages), members, reload minutes, and placeholder costs
#: in rupiah (fuel and wear per km, the team's allowance per hour, a day's rental or fuel
#: allowance per vehicle used). A planner sets the real ones.
_VEHICLE_DEFAULTS: dict[str, tuple[int, int, float, float, float, float]] = {
    "motorbike": (5, 2, 5.0, 500.0, 25_000.0, 25_000.0),
    "car": (25, 3, 10.0, 1_500.0, 37_500.0, 150_000.0),
    "pickup": (60, 3, 15.0, 2_000.0, 37_500.0, 250_000.0),
}


def _default_vehicles() -> dict[str, VehicleType]:
    return {
        name: VehicleType(
            capacity=capacity,
            profile=name,
            members=members,
            reload_min=reload_min,
            cost_per_km=per_km,
            cost_per_hour=per_hour,
            fixed_cost=fixed,
        )
        for name, (capacity, members, reload_min, per_km, per_hour, fixed) in (
            _VEHICLE_DEFAULTS.items()
        )
    }


class TeamsSection(_Frozen):
    """``[teams]``: what-if changes to the teams file.

    ``fraction`` keeps this share of each depot's teams (rounded up, at least one; the first
    ones in file order). ``vehicle`` gives every team this vehicle type (its members and
    capacity come from the type).
    """

    fraction: Annotated[float, Field(gt=0, le=1)] = 1.0
    vehicle: str | None = None


class ClosuresSection(_Frozen):
    """``[closures]``: areas and roads closed on the day.

    ``desa``: Kemendagri codes of desa that get no delivery (their households are listed
    unserved, reason ``closed_area``). ``roads``: a GeoJSON file (relative to the scenario
    file) of lines or polygons; every road segment they cross or contain is taken out of every
    vehicle's network.
    """

    desa: tuple[str, ...] = ()
    roads: str | None = None


class FleetSection(_Frozen):
    """``[fleet]``: how teams are formed from a roster and how many the plan calls up.

    ``size``: plan with the fewest teams each desa needs, instead of every team there is.
    ``vehicles``: the ``[vehicles]`` types the sizing may call up (empty: every type the teams
    file or the roster brings). ``meet_before_min``: team members meet at their depot this many
    minutes before their shift starts. ``unit_penalty_min``: when teams are formed, a teammate
    from another unit (OPD) counts as this many extra minutes of travel, so colleagues tend to
    go together.
    """

    size: bool = False
    vehicles: tuple[str, ...] = ()
    meet_before_min: Annotated[int, Field(ge=0, le=180)] = 15
    unit_penalty_min: Annotated[float, Field(ge=0, le=600)] = 15.0


class ContinuitySection(_Frozen):
    """``[continuity]``: keep households with last month's team where that costs little.

    ``previous_plan``: last month's ``plan.json`` (relative to the scenario file); none = no
    continuity. ``max_saving_pct``: a household changes team only if the new plan saves more
    than this share (percent) of its sub-problem's route time.
    """

    previous_plan: str | None = None
    max_saving_pct: Annotated[float, Field(ge=0, le=100)] = 5.0


class ScenarioFile(_Frozen):
    """The whole TOML file (after ``extends`` is resolved)."""

    scenario: ScenarioSection
    inputs: InputsSection
    filter: FilterSection = Field(default_factory=FilterSection)
    day: DaySection = Field(default_factory=DaySection)
    friday: FridaySection = Field(default_factory=FridaySection)
    pooling: PoolingSection = Field(default_factory=PoolingSection)
    service: ServiceSection = Field(default_factory=ServiceSection)
    vehicles: dict[str, VehicleType] = Field(default_factory=_default_vehicles)
    graph: GraphConfig = Field(default_factory=GraphConfig)
    solver: SolverConfig = Field(default_factory=SolverConfig)
    render: RenderConfig = Field(default_factory=RenderConfig)
    teams: TeamsSection = Field(default_factory=TeamsSection)
    closures: ClosuresSection = Field(default_factory=ClosuresSection)
    fleet: FleetSection = Field(default_factory=FleetSection)
    continuity: ContinuitySection = Field(default_factory=ContinuitySection)

    @field_validator("vehicles", mode="before")
    @classmethod
    def _merge_vehicles(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        merged: dict[str, object] = {k: v.model_dump() for k, v in _default_vehicles().items()}
        for name, given in value.items():
            base = merged.get(name)
            merged[name] = (
                base | given if isinstance(base, dict) and isinstance(given, dict) else given
            )
        return merged


_SECTIONS: dict[str, type[BaseModel]] = {
    "scenario": ScenarioSection,
    "inputs": InputsSection,
    "filter": FilterSection,
    "day": DaySection,
    "friday": FridaySection,
    "pooling": PoolingSection,
    "service": ServiceSection,
    "solver": SolverConfig,
    "render": RenderConfig,
    "graph": GraphConfig,
    "teams": TeamsSection,
    "closures": ClosuresSection,
    "fleet": FleetSection,
    "continuity": ContinuitySection,
}


def _pydantic_issues(err: ValidationError, source: str) -> list[Issue]:
    issues = []
    for item in err.errors():
        loc = ".".join(str(part) for part in item["loc"] if not str(part).startswith("function"))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = (
                f"unknown key '{loc}'; check the spelling (valid keys: see scenarios/README.md)"
            )
        elif item["type"] == "missing":
            message = f"required key '{loc}' is missing; add it"
        elif loc in _SECTIONS:  # a check across the keys of one table: its input is the table
            pass
        else:
            message = f"{message} (got {item.get('input')!r})"
        issues.append(Issue(source=source, row=None, field=loc, message=message))
    return issues


def _unknown_key_hints(data: dict[str, Any], source: str) -> list[Issue]:
    """List valid keys next to unknown ones (pydantic only says 'extra')."""
    issues: list[Issue] = []
    for key, value in data.items():
        if key not in ScenarioFile.model_fields:
            valid = ", ".join([EXTENDS_KEY, *ScenarioFile.model_fields])
            issues.append(
                Issue(
                    source=source,
                    row=None,
                    field=key,
                    message=f"unknown section '{key}'; valid sections: {valid}",
                )
            )
        elif key in _SECTIONS and isinstance(value, dict):
            fields = _SECTIONS[key].model_fields
            issues.extend(
                Issue(
                    source=source,
                    row=None,
                    field=f"{key}.{sub}",
                    message=f"unknown key '{sub}' in [{key}]; valid keys: " + ", ".join(fields),
                )
                for sub in value
                if sub not in fields
            )
    return issues


def _crew_data(merged: MergedScenario) -> dict[str, Any]:
    """Return the merged tables; a file's ``teams`` or ``roster`` replaces a parent's other one.

    A what-if that extends a scenario with a teams file and names a roster (or the other way
    round) means "use this instead"; both set in one file stays an error.
    """
    data = dict(merged.data)
    inputs = data.get("inputs")
    if not isinstance(inputs, dict) or "teams" not in inputs or "roster" not in inputs:
        return data
    labels = [layer.label for layer in merged.layers]
    teams_at = labels.index(merged.source_of("inputs.teams"))
    roster_at = labels.index(merged.source_of("inputs.roster"))
    if teams_at == roster_at:
        return data
    farther = "teams" if teams_at > roster_at else "roster"
    data["inputs"] = {key: value for key, value in inputs.items() if key != farther}
    return data


def _cross_issues(parsed: ScenarioFile, merged: MergedScenario) -> list[Issue]:
    """Check names one table uses that another defines: ``[fleet] vehicles`` in ``[vehicles]``."""
    return [
        Issue(
            source=merged.source_of("fleet.vehicles"),
            row=None,
            field="fleet.vehicles",
            message=f"unknown vehicle type '{name}'; valid: {', '.join(sorted(parsed.vehicles))} "
            f"(or add a [vehicles.{name}] table)",
        )
        for name in parsed.fleet.vehicles
        if name not in parsed.vehicles
    ]


def _own_name_issues(parsed: ScenarioFile, merged: MergedScenario) -> list[Issue]:
    """Check that a scenario extending another has its own name (outputs: ``out/<name>/``)."""
    if len(merged.layers) < 2 or merged.source_of("scenario.name") == merged.layers[0].label:
        return []
    return [
        Issue(
            source=merged.layers[0].label,
            row=None,
            field="scenario.name",
            message=f"this scenario extends {merged.layers[1].label} but keeps its name "
            f"'{parsed.scenario.name}', so its outputs would overwrite that one's in "
            "out/<name>/; give it its own [scenario] name",
        )
    ]


def validate_scenario(merged: MergedScenario) -> ScenarioFile:
    """Validate the merged tables of a scenario chain.

    Unknown keys are reported in the file that wrote them (with the valid keys); any other
    problem names the file that set the key last. A scenario that extends another must have
    its own ``[scenario] name`` (outputs go to ``out/<name>/``). ``[inputs] teams`` or
    ``roster`` in a file replaces the other one set by a parent it extends. ``[fleet]
    vehicles`` must name ``[vehicles]`` types.

    Raises
    ------
    ScenarioError
        Unknown keys or values out of range, all listed; an inherited name; both or neither
        of ``[inputs] teams`` and ``roster``; an unknown ``[fleet]`` vehicle type.
    """
    hints = [
        issue
        for layer in reversed(merged.layers)
        for issue in _unknown_key_hints(dict(layer.data), layer.label)
    ]
    try:
        parsed = ScenarioFile.model_validate(_crew_data(merged))
    except ValidationError as err:
        issues = [
            Issue(
                source=merged.source_of(issue.field) if issue.field else issue.source,
                row=issue.row,
                field=issue.field,
                message=issue.message,
            )
            for issue in _pydantic_issues(err, merged.layers[0].label)
        ]
        hinted = {issue.field for issue in hints}
        issues = hints + [i for i in issues if i.field not in hinted]
        path = merged.layers[0].path
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}") from err
    issues = _own_name_issues(parsed, merged) + _cross_issues(parsed, merged)
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {merged.layers[0].path}")
    return parsed


def read_scenario_file(path: Path) -> ScenarioFile:
    """Read and validate a scenario TOML file (its tables only, not the files it names).

    ``extends`` is resolved first (see :mod:`optimizer.scenario.merge`).

    Raises
    ------
    ScenarioError
        A file of the chain is missing or not TOML, the chain is a cycle, or keys are unknown
        or values out of range (all listed).
    """
    return validate_scenario(read_merged_scenario(path))
