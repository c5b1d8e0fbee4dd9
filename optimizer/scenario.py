"""Parse and validate a scenario file and the CSV files it names -> Scenario.

A scenario is a TOML file (format: ``scenarios/README.md``) naming a households list, depots,
teams and a road network. Everything is checked here, once: file-level problems (unknown keys,
missing files, missing columns, bad depots or teams) are collected and raised together as one
:class:`ScenarioError`; a bad household row does not stop the plan: it becomes a
:class:`RejectedRow` that the plan lists as unserved with its reason (unless ``strict``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import logging
import math
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from optimizer.areas import Boundaries, bundled_boundaries_dir, load_boundaries
from optimizer.config import GraphConfig, PlannerConfig, RenderConfig, SolverConfig
from optimizer.errors import Issue, ScenarioError
from optimizer.units import parse_clock

logger = logging.getLogger(__name__)

HOUSEHOLD_REQUIRED = ("household_id", "desa_code", "lat", "lon", "desil")
HOUSEHOLD_OPTIONAL = (
    "head_name",
    "address",
    "dusun",
    "rt",
    "rw",
    "desa_name",
    "kecamatan",
    "packages",
    "window_start",
    "window_end",
    "priority",
    "notes",
    "data_origin",
)
#: Every household column the planner reads, in the order the bundled files use.
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "head_name",
    "address",
    "dusun",
    "rt",
    "rw",
    "desa_code",
    "desa_name",
    "kecamatan",
    "lat",
    "lon",
    "desil",
    "packages",
    "window_start",
    "window_end",
    "priority",
    "notes",
    "data_origin",
)
DEPOT_REQUIRED = ("depot_id", "desa_code", "lat", "lon")
DEPOT_OPTIONAL = ("name", "location_quality", "serves", "data_origin")
TEAM_REQUIRED = ("team_id", "depot_id", "vehicle")
TEAM_OPTIONAL = ("members", "shift_start", "shift_end", "data_origin")
MAX_PACKAGES_PER_HOUSEHOLD = 50
#: Values of the ``priority`` column that mark a priority household (elderly, disabled, ...).
PRIORITY_YES = frozenset({"1", "y", "yes", "ya", "true", "prioritas"})
PRIORITY_NO = frozenset({"", "0", "n", "no", "tidak", "false"})
#: Weekday number of Friday (``date.weekday()``).
FRIDAY = 4
#: Points this far outside the regency polygon still count as inside (coastline generalisation).
BORDER_TOLERANCE_DEG = 0.003


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioSection(_Frozen):
    """``[scenario]``: name and description."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    title: str = ""
    date: dt.date | None = None


class InputsSection(_Frozen):
    """``[inputs]``: files, relative to the scenario file."""

    households: str
    depots: str
    teams: str
    road_network: str
    boundaries: str | None = None


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
    their depot's kecamatan (one sub-problem per kecamatan). A depot with ``serves =
    kecamatan`` in the depots file (a kecamatan office) pools its own teams either way.
    """

    level: Literal["desa", "kecamatan"] = "desa"


@dataclass(frozen=True, slots=True)
class DayRules:
    """The rules of the distribution day, resolved for its date (Friday or not)."""

    break_earliest_s: int
    break_latest_s: int
    break_s: int
    max_work_s: int | None
    friday: bool
    shift_end_cap_s: int | None


class ServiceSection(_Frozen):
    """``[service]``: minutes spent at each door."""

    door_min: Annotated[float, Field(gt=0, le=120)] = 5.0
    per_extra_package_min: Annotated[float, Field(ge=0, le=60)] = 1.0
    priority_by: str = "11:00"

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


class ScenarioFile(_Frozen):
    """The whole TOML file."""

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


class Household(_Frozen):
    """One beneficiary household that passed validation and the filter."""

    household_id: str
    row: int
    head_name: str
    address: str
    desa_code: str
    desa_name: str
    kecamatan: str
    lat: float
    lon: float
    desil: int
    packages: int
    window_start_s: int | None
    window_end_s: int | None
    priority: bool
    notes: str


class RejectedRow(_Frozen):
    """A household row that cannot be planned, with the reason a planner can act on."""

    row: int
    household_id: str
    field: str | None
    reason: str


class Depot(_Frozen):
    """A staging point where teams load packages (a village office in the demo data)."""

    depot_id: str
    row: int
    name: str
    desa_code: str
    lat: float
    lon: float
    approximate: bool
    serves: Literal["desa", "kecamatan"]


class Team(_Frozen):
    """A team of ASN with one vehicle, starting and ending at a depot."""

    team_id: str
    row: int
    depot_id: str
    vehicle: str
    members: int
    shift_start_s: int
    shift_end_s: int


class Scenario(_Frozen):
    """A validated scenario: what the rest of the pipeline trusts without checking again."""

    name: str
    title: str
    date: dt.date | None
    path: str
    households: tuple[Household, ...]
    rejected: tuple[RejectedRow, ...]
    excluded_by_filter: int
    depots: tuple[Depot, ...]
    teams: tuple[Team, ...]
    vehicles: dict[str, VehicleType]
    service: ServiceSection
    shift_start_s: int
    shift_end_s: int
    rules: DayRules
    pooling: Literal["desa", "kecamatan"]
    road_network: str
    boundaries: str
    synthetic_inputs: bool
    input_hash: str
    config: PlannerConfig

    @property
    def households_total(self) -> int:
        """Rows the plan must account for: valid households plus rejected rows."""
        return len(self.households) + len(self.rejected)


# --------------------------------------------------------------------------- TOML


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
        else:
            message = f"{message} (got {item.get('input')!r})"
        issues.append(Issue(source=source, row=None, field=loc, message=message))
    return issues


def _unknown_key_hints(data: dict[str, Any], source: str) -> list[Issue]:
    """List valid keys next to unknown ones (pydantic only says 'extra')."""
    issues: list[Issue] = []
    sections: dict[str, type[BaseModel]] = {
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
    }
    for key, value in data.items():
        if key not in ScenarioFile.model_fields:
            valid = ", ".join(ScenarioFile.model_fields)
            issues.append(
                Issue(
                    source=source,
                    row=None,
                    field=key,
                    message=f"unknown section '{key}'; valid sections: {valid}",
                )
            )
        elif key in sections and isinstance(value, dict):
            fields = sections[key].model_fields
            for sub in value:
                if sub not in fields:
                    issues.append(
                        Issue(
                            source=source,
                            row=None,
                            field=f"{key}.{sub}",
                            message=f"unknown key '{sub}' in [{key}]; valid keys: "
                            + ", ".join(fields),
                        )
                    )
    return issues


def _read_scenario_file(path: Path) -> ScenarioFile:
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ScenarioError(
            [
                Issue(
                    source=str(path),
                    row=None,
                    field=None,
                    message="scenario file not found; check the path (bundled scenarios are in "
                    "scenarios/)",
                )
            ]
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(
            [Issue(source=str(path), row=None, field=None, message=f"cannot read it ({err})")]
        ) from err
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(
            [
                Issue(
                    source=source,
                    row=None,
                    field=None,
                    message=f"not valid TOML ({err}); fix the syntax at that line",
                )
            ]
        ) from err
    hints = _unknown_key_hints(data, source)
    try:
        parsed = ScenarioFile.model_validate(data)
    except ValidationError as err:
        issues = _pydantic_issues(err, source)
        hinted = {issue.field for issue in hints}
        issues = hints + [i for i in issues if i.field not in hinted]
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}") from err
    return parsed


# --------------------------------------------------------------------------- CSV


def _read_csv(
    path: Path, label: str, required: tuple[str, ...]
) -> tuple[list[dict[str, str]], bytes]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise ScenarioError(
            [
                Issue(
                    source=label,
                    row=None,
                    field=None,
                    message=f"file {path} not found; fix [inputs] {label} in the scenario",
                )
            ]
        ) from err
    except OSError as err:
        raise ScenarioError(
            [Issue(source=label, row=None, field=None, message=f"cannot read {path} ({err})")]
        ) from err
    data = gzip.decompress(raw) if path.suffix == ".gz" else raw
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(
            [
                Issue(
                    source=path.name,
                    row=None,
                    field=None,
                    message=f"not UTF-8 text (byte {err.start}); save the file as UTF-8 CSV",
                )
            ]
        ) from err
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [col for col in required if col not in header]
    if missing:
        raise ScenarioError(
            [
                Issue(
                    source=path.name,
                    row=None,
                    field=None,
                    message=f"missing column(s) {', '.join(missing)}; the header has "
                    f"{', '.join(header) or 'nothing'}. Required: {', '.join(required)}",
                )
            ]
        )
    rows = []
    for record in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in record.items() if k})
    return rows, raw


def _number(text: str) -> float | None:
    try:
        value = (
            float(text.replace(",", "."))
            if text.count(",") == 1 and "." not in text
            else float(text)
        )
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class _Regency:
    """Point-in-regency and desa lookups, with the coastline tolerance."""

    boundaries: Boundaries
    shape: shapely.Geometry

    @classmethod
    def of(cls, boundaries: Boundaries) -> _Regency:
        shape = boundaries.kabupaten.geometry.buffer(BORDER_TOLERANCE_DEG)
        shapely.prepare(shape)
        return cls(boundaries, shape)

    def inside(self, lat: float, lon: float) -> bool:
        return bool(shapely.contains_xy(self.shape, lon, lat))


def _coordinates(
    row: dict[str, str], regency: _Regency, box: tuple[float, float, float, float]
) -> tuple[float, float] | tuple[str, str]:
    """Return (lat, lon) or (field, reason)."""
    lat_text, lon_text = row.get("lat", ""), row.get("lon", "")
    if not lat_text or not lon_text:
        return "lat/lon", "coordinates are missing; add lat and lon from the register or a GPS fix"
    lat, lon = _number(lat_text), _number(lon_text)
    if lat is None or lon is None:
        bad = lat_text if lat is None else lon_text
        return "lat/lon", f"'{bad}' is not a number; write decimal degrees such as -8.2191"
    lat_min, lat_max, lon_min, lon_max = box
    if lat_min <= lon <= lat_max and lon_min <= lat <= lon_max:
        return "lat/lon", (
            f"lat {lat_text} and lon {lon_text} look swapped (latitude in Banyuwangi is about "
            "-8, longitude about 114); swap the two columns"
        )
    if not regency.inside(lat, lon):
        return "lat/lon", (
            f"({lat_text}, {lon_text}) lies outside Kabupaten Banyuwangi; correct the "
            "coordinates (a sign error or a point in the sea is common)"
        )
    return lat, lon


def _clock_or_none(text: str) -> int | None:
    return parse_clock(text) if text else None


def _parse_households(
    rows: list[dict[str, str]],
    source: str,
    scenario: ScenarioFile,
    regency: _Regency,
    areas: frozenset[str] | None,
) -> tuple[list[Household], list[RejectedRow], int, bool]:
    boundaries = regency.boundaries
    minx, miny, maxx, maxy = boundaries.kabupaten.geometry.bounds
    box = (miny - 0.5, maxy + 0.5, minx - 0.5, maxx + 0.5)
    shift_start = parse_clock(scenario.day.shift_start)
    shift_end = parse_clock(scenario.day.shift_end)
    wanted = set(scenario.filter.desil)
    ids: dict[str, list[int]] = defaultdict(list)
    kept: list[tuple[int, dict[str, str], dict[str, Any]]] = []
    rejected: list[RejectedRow] = []
    excluded = 0
    synthetic = False
    for number, row in enumerate(rows, start=1):
        hid = row.get("household_id", "")
        synthetic = synthetic or "synthetic" in row.get("data_origin", "").lower()
        desa_code = row.get("desa_code", "")
        desa = boundaries.desa_by_code(desa_code)
        if areas is not None and (
            desa is None or (desa.code not in areas and desa.parent_code not in areas)
        ):
            excluded += 1
            continue

        def reject(field: str | None, reason: str, *, number: int = number, hid: str = hid) -> None:
            rejected.append(RejectedRow(row=number, household_id=hid, field=field, reason=reason))

        desil_text = row.get("desil", "")
        desil = _number(desil_text)
        if desil is None or desil != int(desil) or not 1 <= desil <= 10:
            reject(
                "desil",
                f"desil '{desil_text}' is not a whole number from 1 to 10; "
                "check the register export",
            )
            continue
        if int(desil) not in wanted:
            excluded += 1
            continue
        if not hid:
            reject("household_id", "household_id is empty; every row needs the register's id")
            continue
        if desa is None:
            reject(
                "desa_code",
                f"unknown desa code '{desa_code}'; use the Kemendagri code, e.g. "
                "35.10.01.2001 (list: maps/boundaries/desa_kelurahan_3510_centroids.csv)",
            )
            continue
        where = _coordinates(row, regency, box)
        if isinstance(where[0], str):
            reject(where[0], str(where[1]))
            continue
        packages_text = row.get("packages", "") or "1"
        packages = _number(packages_text)
        if (
            packages is None
            or packages != int(packages)
            or not 1 <= packages <= MAX_PACKAGES_PER_HOUSEHOLD
        ):
            reject(
                "packages",
                f"packages '{packages_text}' is not a whole number from 1 to "
                f"{MAX_PACKAGES_PER_HOUSEHOLD}; write digits, e.g. 2",
            )
            continue
        try:
            start = _clock_or_none(row.get("window_start", ""))
            end = _clock_or_none(row.get("window_end", ""))
        except ValueError as err:
            reject("window_start/window_end", f"{err}; or leave both empty")
            continue
        if start is not None or end is not None:
            start = shift_start if start is None else start
            end = shift_end if end is None else end
            if end <= start:
                reject(
                    "window_end",
                    f"window {row.get('window_start')}-{row.get('window_end')} "
                    "ends before it starts; swap them or leave both empty",
                )
                continue
        priority_text = row.get("priority", "").strip().lower()
        if priority_text not in PRIORITY_YES | PRIORITY_NO:
            reject(
                "priority",
                f"priority '{row.get('priority')}' is not understood; write 1 for a priority "
                "household (elderly, disabled) or leave it empty",
            )
            continue
        ids[hid].append(number)
        kept.append(
            (
                number,
                row,
                {
                    "lat": float(where[0]),
                    "lon": float(where[1]),
                    "desil": int(desil),
                    "packages": int(packages),
                    "start": start,
                    "end": end,
                    "desa": desa,
                    "priority": priority_text in PRIORITY_YES,
                },
            )
        )
    households: list[Household] = []
    for number, row, parsed in kept:
        hid = row["household_id"]
        if len(ids[hid]) > 1:
            others = ", ".join(str(n) for n in ids[hid] if n != number)
            rejected.append(
                RejectedRow(
                    row=number,
                    household_id=hid,
                    field="household_id",
                    reason=f"household_id '{hid}' also appears on row(s) {others}; "
                    "the register must "
                    "list each household once: fix the export, then plan again",
                )
            )
            continue
        desa = parsed["desa"]
        households.append(
            Household(
                household_id=hid,
                row=number,
                head_name=row.get("head_name", ""),
                address=row.get("address", ""),
                desa_code=desa.code,
                desa_name=desa.name,
                kecamatan=desa.parent_name or "",
                lat=parsed["lat"],
                lon=parsed["lon"],
                desil=parsed["desil"],
                packages=parsed["packages"],
                window_start_s=parsed["start"],
                window_end_s=parsed["end"],
                priority=parsed["priority"],
                notes=row.get("notes", ""),
            )
        )
    rejected.sort(key=lambda r: r.row)
    return households, rejected, excluded, synthetic


def _parse_depots(
    rows: list[dict[str, str]], source: str, regency: _Regency, issues: list[Issue]
) -> list[Depot]:
    minx, miny, maxx, maxy = regency.boundaries.kabupaten.geometry.bounds
    box = (miny - 0.5, maxy + 0.5, minx - 0.5, maxx + 0.5)
    depots: list[Depot] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        depot_id = row.get("depot_id", "")
        if not depot_id:
            issues.append(
                Issue(
                    source=source,
                    row=number,
                    field="depot_id",
                    message="empty; give every depot an id",
                )
            )
            continue
        if depot_id in seen:
            issues.append(
                Issue(
                    source=source,
                    row=number,
                    field="depot_id",
                    message=f"'{depot_id}' repeats row {seen[depot_id]}; depot ids must be unique",
                )
            )
            continue
        seen[depot_id] = number
        desa = regency.boundaries.desa_by_code(row.get("desa_code", ""))
        if desa is None:
            issues.append(
                Issue(
                    source=source,
                    row=number,
                    field="desa_code",
                    message=f"unknown desa code '{row.get('desa_code', '')}'; use a Kemendagri "
                    "code such as 35.10.01.2001",
                )
            )
            continue
        where = _coordinates(row, regency, box)
        if isinstance(where[0], str):
            issues.append(Issue(source=source, row=number, field=where[0], message=str(where[1])))
            continue
        serves = row.get("serves", "").strip().lower() or "desa"
        if serves not in ("desa", "kecamatan"):
            issues.append(
                Issue(
                    source=source,
                    row=number,
                    field="serves",
                    message=f"'{row.get('serves')}' is not desa or kecamatan; write kecamatan "
                    "for a kecamatan office whose teams serve the whole kecamatan",
                )
            )
            continue
        depots.append(
            Depot(
                depot_id=depot_id,
                row=number,
                name=row.get("name", "") or depot_id,
                desa_code=desa.code,
                lat=float(where[0]),
                lon=float(where[1]),
                approximate=row.get("location_quality", "").lower() != "surveyed",
                serves="kecamatan" if serves == "kecamatan" else "desa",
            )
        )
    return depots


def _parse_teams(
    rows: list[dict[str, str]],
    source: str,
    scenario: ScenarioFile,
    depot_ids: set[str],
    issues: list[Issue],
) -> list[Team]:
    teams: list[Team] = []
    seen: dict[str, int] = {}
    default_start = parse_clock(scenario.day.shift_start)
    default_end = parse_clock(scenario.day.shift_end)
    valid_vehicles = ", ".join(sorted(scenario.vehicles))
    for number, row in enumerate(rows, start=1):
        team_id = row.get("team_id", "")
        problems_before = len(issues)

        def issue(field: str, message: str, *, number: int = number) -> None:
            issues.append(Issue(source=source, row=number, field=field, message=message))

        if not team_id:
            issue("team_id", "empty; give every team an id")
        elif team_id in seen:
            issue("team_id", f"'{team_id}' repeats row {seen[team_id]}; team ids must be unique")
        else:
            seen[team_id] = number
        depot_id = row.get("depot_id", "")
        if depot_id not in depot_ids:
            issue("depot_id", f"unknown depot '{depot_id}'; use a depot_id from the depots file")
        vehicle = row.get("vehicle", "")
        if vehicle not in scenario.vehicles:
            issue(
                "vehicle",
                f"unknown vehicle '{vehicle}'; valid: {valid_vehicles} "
                "(or add a [vehicles.NAME] table to the scenario)",
            )
        members_text = row.get("members", "")
        members = _number(members_text) if members_text else None
        if members_text and (members is None or members != int(members) or members < 1):
            issue("members", f"'{members_text}' is not a whole number >= 1")
        try:
            start = _clock_or_none(row.get("shift_start", "")) or default_start
            end = _clock_or_none(row.get("shift_end", "")) or default_end
        except ValueError as err:
            issue("shift_start/shift_end", str(err))
            start, end = default_start, default_end
        if end <= start:
            issue(
                "shift_end",
                f"shift ends at {row.get('shift_end') or scenario.day.shift_end}, "
                "not after it starts; fix the times",
            )
        if len(issues) > problems_before:
            continue
        vtype = scenario.vehicles[vehicle]
        teams.append(
            Team(
                team_id=team_id,
                row=number,
                depot_id=depot_id,
                vehicle=vehicle,
                members=int(members) if members is not None else vtype.members,
                shift_start_s=start,
                shift_end_s=end,
            )
        )
    return teams


def _resolve(base: Path, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (base / path).resolve()


def load_scenario(path: Path, *, strict: bool = False) -> Scenario:
    """Read a scenario TOML file and its CSV inputs, and validate everything once.

    Parameters
    ----------
    path : Path
        The scenario ``.toml`` file; input paths in it are relative to its folder.
    strict : bool
        If true, any rejected household row is an error instead of an unserved entry.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem found (file, row, field, value and fix).
    """
    parsed = _read_scenario_file(path)
    base = path.resolve().parent
    issues: list[Issue] = []
    inputs = parsed.inputs
    for key in ("households", "depots", "teams", "road_network"):
        target = _resolve(base, getattr(inputs, key))
        if not target.is_file():
            hint = (
                " (build the demo network with 'berbagi maps build-demo')"
                if key == "road_network"
                else ""
            )
            issues.append(
                Issue(
                    source=path.name,
                    row=None,
                    field=f"inputs.{key}",
                    message=f"file {target} does not exist; fix the path{hint}",
                )
            )
    for vehicle, vtype in parsed.vehicles.items():
        if vtype.profile not in parsed.graph.profiles:
            issues.append(
                Issue(
                    source=path.name,
                    row=None,
                    field=f"vehicles.{vehicle}.profile",
                    message=f"unknown profile '{vtype.profile}'; valid: "
                    + ", ".join(sorted(parsed.graph.profiles)),
                )
            )
    if parse_clock(parsed.day.shift_end) <= parse_clock(parsed.day.shift_start):
        issues.append(
            Issue(
                source=path.name,
                row=None,
                field="day.shift_end",
                message="the shift must end after it starts",
            )
        )
    for section, table in (("day", parsed.day), ("friday", parsed.friday)):
        if parse_clock(table.break_latest) < parse_clock(table.break_earliest):
            issues.append(
                Issue(
                    source=path.name,
                    row=None,
                    field=f"{section}.break_latest",
                    message=f"{table.break_latest} is before break_earliest "
                    f"{table.break_earliest}; swap them",
                )
            )
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in {path}")
    boundaries_dir = (
        _resolve(base, inputs.boundaries) if inputs.boundaries else bundled_boundaries_dir()
    )
    boundaries = load_boundaries(boundaries_dir)
    regency = _Regency.of(boundaries)
    areas: frozenset[str] | None = None
    if parsed.filter.kecamatan:
        chosen = []
        for name in parsed.filter.kecamatan:
            try:
                chosen.append(boundaries.select(name).code)
            except ScenarioError as err:
                issues.extend(
                    Issue(source=path.name, row=None, field="filter.kecamatan", message=i.message)
                    for i in err.issues
                )
        areas = frozenset(chosen)

    hh_path = _resolve(base, inputs.households)
    hh_rows, hh_raw = _read_csv(hh_path, "households", HOUSEHOLD_REQUIRED)
    households, rejected, excluded, synthetic = _parse_households(
        hh_rows, hh_path.name, parsed, regency, areas
    )
    dep_path = _resolve(base, inputs.depots)
    dep_rows, dep_raw = _read_csv(dep_path, "depots", DEPOT_REQUIRED)
    depots = _parse_depots(dep_rows, dep_path.name, regency, issues)
    team_path = _resolve(base, inputs.teams)
    team_rows, team_raw = _read_csv(team_path, "teams", TEAM_REQUIRED)
    teams = _parse_teams(team_rows, team_path.name, parsed, {d.depot_id for d in depots}, issues)
    if strict:
        issues.extend(
            Issue(source=hh_path.name, row=r.row, field=r.field, message=r.reason) for r in rejected
        )
    if issues:
        raise ScenarioError(issues, headline=f"{len(issues)} problem(s) in the inputs of {path}")
    if areas is not None:
        desa_area = {d.code: d.parent_code for d in boundaries.desa}
        depots = [d for d in depots if d.desa_code in areas or desa_area[d.desa_code] in areas]
        kept_depots = {d.depot_id for d in depots}
        teams = [t for t in teams if t.depot_id in kept_depots]
    synthetic = synthetic or any(
        "synthetic" in r.get("data_origin", "").lower() for r in dep_rows + team_rows
    )
    network_path = _resolve(base, inputs.road_network)
    digest = hashlib.sha256()
    for chunk in (path.read_bytes(), hh_raw, dep_raw, team_raw, network_path.read_bytes()):
        digest.update(hashlib.sha256(chunk).digest())
    if rejected:
        logger.warning(
            "%d household row(s) cannot be planned; they are listed as unserved", len(rejected)
        )
    friday = parsed.scenario.date is not None and parsed.scenario.date.weekday() == FRIDAY
    rule_source = parsed.friday if friday else parsed.day
    rules = DayRules(
        break_earliest_s=parse_clock(rule_source.break_earliest),
        break_latest_s=parse_clock(rule_source.break_latest),
        break_s=math.ceil(rule_source.break_min * 60),
        max_work_s=math.ceil(parsed.day.max_work_min * 60) if parsed.day.max_work_min else None,
        friday=friday,
        shift_end_cap_s=(
            parse_clock(parsed.friday.shift_end) if friday and parsed.friday.shift_end else None
        ),
    )
    if rules.shift_end_cap_s is not None:
        cap = rules.shift_end_cap_s
        teams = [
            t.model_copy(update={"shift_end_s": min(t.shift_end_s, cap)})
            if t.shift_start_s < cap
            else t
            for t in teams
        ]
    config = PlannerConfig(
        graph=parsed.graph, solver=parsed.solver, render=parsed.render, strict=strict
    )
    return Scenario(
        name=parsed.scenario.name,
        title=parsed.scenario.title or parsed.scenario.name,
        date=parsed.scenario.date,
        path=str(path),
        households=tuple(households),
        rejected=tuple(rejected),
        excluded_by_filter=excluded,
        depots=tuple(depots),
        teams=tuple(teams),
        vehicles=parsed.vehicles,
        service=parsed.service,
        shift_start_s=parse_clock(parsed.day.shift_start),
        shift_end_s=min(parse_clock(parsed.day.shift_end), rules.shift_end_cap_s or 10**9),
        rules=rules,
        pooling=parsed.pooling.level,
        road_network=str(network_path),
        boundaries=str(boundaries_dir),
        synthetic_inputs=synthetic,
        input_hash=digest.hexdigest(),
        config=config,
    )


__all__ = [
    "DayRules",
    "Depot",
    "Household",
    "RejectedRow",
    "Scenario",
    "Team",
    "VehicleType",
    "load_scenario",
]
