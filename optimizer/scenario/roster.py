"""Roster rows (one ASN or PPPK each) -> People; every problem is an Issue (it stops the plan).

A roster names the civil servants teams are formed from: who they are (``asn_id``, ``name``,
``unit``, ``status``), where they live (``home_lat``/``home_lon``, or ``home_desa_code`` for
the centre of their desa), the vehicle they bring and whether they are available on the day.
Indonesian values are read too: ``motor``/``sepeda motor``/``mobil``/``tidak ada`` for the
vehicle, ``ya``/``tidak`` for availability.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from optimizer.errors import Issue
from optimizer.scenario.columns import ColumnMap
from optimizer.scenario.fields import Bad, is_blank_coordinate
from optimizer.scenario.merge import MergedScenario
from optimizer.scenario.model import Person
from optimizer.scenario.readers import Table
from optimizer.scenario.regency import Regency
from optimizer.scenario.schema import ScenarioFile, VehicleType

#: Vehicle words (lower case, single spaces) -> the vehicle type; None = no vehicle.
VEHICLE_WORDS: dict[str, str | None] = {
    "motorbike": "motorbike",
    "motor": "motorbike",
    "sepeda motor": "motorbike",
    "car": "car",
    "mobil": "car",
    "none": None,
    "tidak ada": None,
    "tidak": None,
    "-": None,
}
#: Values of ``available`` (lower case) that mean available, and not available.
AVAILABLE_YES = frozenset({"yes", "ya", "y", "true", "1"})
AVAILABLE_NO = frozenset({"no", "tidak", "n", "false", "0"})
STATUSES: tuple[Literal["ASN", "PPPK"], ...] = ("ASN", "PPPK")


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterRules:
    """What a roster row is checked against: the scenario's vehicle types and boundaries."""

    vehicles: Mapping[str, VehicleType]
    regency: Regency


@dataclass(frozen=True, slots=True, kw_only=True)
class _Home:
    lat: float
    lon: float
    home: Literal["register", "desa centre"]
    desa_code: str


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def parse_status(text: str) -> Literal["ASN", "PPPK"] | Bad:
    """Read ``ASN`` or ``PPPK`` (any case)."""
    for status in STATUSES:
        if text.strip().upper() == status:
            return status
    return Bad("status", f"status '{text}' is not ASN or PPPK; write one of the two")


def parse_vehicle(text: str, vehicles: Mapping[str, VehicleType]) -> str | Bad | None:
    """Read the vehicle a person brings: a ``[vehicles]`` type, or None for none."""
    key = _words(text)
    by_lower = {name.lower(): name for name in vehicles}
    name = VEHICLE_WORDS.get(key, by_lower.get(key, key)) if key else key
    if name is None:
        return None
    if name in vehicles:
        return name
    what = f"'{text}' is not a vehicle type of the scenario" if text.strip() else "empty"
    return Bad(
        "vehicle",
        f"{what}; write {', '.join(sorted(vehicles))} or none (also motor, sepeda motor, mobil, "
        "tidak ada), or add a [vehicles.NAME] table to the scenario",
    )


def parse_available(text: str) -> bool | Bad:
    """Read yes/no (also ya/tidak, y/n, true/false, 1/0)."""
    key = _words(text)
    if key in AVAILABLE_YES:
        return True
    if key in AVAILABLE_NO:
        return False
    what = f"'{text}' is not yes or no" if key else "empty"
    return Bad("available", f"{what}; write yes (ya) or no (tidak)")


def _home(values: Mapping[str, str], regency: Regency) -> _Home | Bad:
    """Where a person lives: the row's coordinates, else the centre of ``home_desa_code``."""
    lat_text, lon_text = values.get("home_lat", ""), values.get("home_lon", "")
    code_text = values.get("home_desa_code", "").strip()
    area = regency.find_desa(code_text, "", "") if code_text else None
    if isinstance(area, Bad):
        return Bad("home_desa_code", area.reason)
    code = area.code if area is not None else ""
    if is_blank_coordinate(lat_text, lon_text):
        if area is None:
            return Bad(
                "home_lat/home_lon",
                "no home: give home_lat and home_lon, or home_desa_code (the person's desa, "
                "e.g. 35.10.16.1001) to start from its centre",
            )
        centre = area.geometry.representative_point()
        return _Home(lat=float(centre.y), lon=float(centre.x), home="desa centre", desa_code=code)
    if not lat_text or not lon_text:
        given, empty = ("home_lat", "home_lon") if lat_text else ("home_lon", "home_lat")
        return Bad(
            empty, f"empty while {given} is given; give both, or neither and use home_desa_code"
        )
    where = regency.coordinates(lat_text, lon_text)
    if isinstance(where, Bad):
        return Bad("home_lat/home_lon", where.reason)
    return _Home(lat=where[0], lon=where[1], home="register", desa_code=code)


def _text_problems(values: Mapping[str, str]) -> list[Bad]:
    """Empty name or unit."""
    problems = []
    if not values.get("name", "").strip():
        problems.append(Bad("name", "empty; write the person's name (team sheets show it)"))
    if not values.get("unit", "").strip():
        problems.append(Bad("unit", "empty; write the person's office (OPD), e.g. Dinas Sosial"))
    return problems


def _person(number: int, values: Mapping[str, str], rules: RosterRules) -> Person | list[Bad]:
    """One checked row, or every problem it has."""
    status = parse_status(values.get("status", ""))
    vehicle = parse_vehicle(values.get("vehicle", ""), rules.vehicles)
    available = parse_available(values.get("available", ""))
    home = _home(values, rules.regency)
    problems = _text_problems(values)
    if (
        problems
        or isinstance(status, Bad)
        or isinstance(vehicle, Bad)
        or isinstance(available, Bad)
        or isinstance(home, Bad)
    ):
        return problems + [
            value for value in (status, vehicle, available, home) if isinstance(value, Bad)
        ]
    return Person(
        asn_id=values["asn_id"],
        row=number,
        name=values["name"].strip(),
        unit=values["unit"].strip(),
        status=status,
        lat=home.lat,
        lon=home.lon,
        home=home.home,
        home_desa_code=home.desa_code,
        vehicle=vehicle,
        available=available,
    )


def parse_roster(
    table: Table, columns: ColumnMap, rules: RosterRules, issues: list[Issue]
) -> list[Person]:
    """Check every roster row; problems are appended to ``issues``.

    Parameters
    ----------
    table : Table
        The roster file as read by :func:`optimizer.scenario.readers.read_table`.
    columns : ColumnMap
        Its columns (``asn_id``, ``name``, ``unit``, ``status``, ``vehicle``, ``available`` and
        the home: ``home_lat`` and ``home_lon``, or ``home_desa_code``).
    rules : RosterRules
        The scenario's vehicle types and boundaries.
    issues : list of Issue
        Every problem found is appended (file, 1-based data row, field, value and fix).

    Returns
    -------
    list of Person
        Every valid row in file order, available or not.
    """
    source = table.path.name
    people: list[Person] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(table.rows, start=1):
        values = {name: columns.get(row, name) for name in columns.mapping}
        asn_id = values.get("asn_id", "").strip()
        values["asn_id"] = asn_id
        problems: list[Bad] = []
        if number in table.problems:
            problems.append(Bad("row", table.problems[number]))
        if not asn_id:
            problems.append(Bad("asn_id", "empty; give every person an id (NIP or NI PPPK)"))
        elif asn_id in seen:
            problems.append(
                Bad("asn_id", f"'{asn_id}' repeats row {seen[asn_id]}; asn_id must be unique")
            )
        else:
            seen[asn_id] = number
        found = _person(number, values, rules)
        if isinstance(found, list):
            problems += found
        issues.extend(
            Issue(source=source, row=number, field=b.field, message=b.reason) for b in problems
        )
        if not problems and isinstance(found, Person):
            people.append(found)
    return people


def missing_home_columns(columns: ColumnMap) -> list[str]:
    """Name the home columns a roster lacks: both coordinates, or ``home_desa_code``."""
    if columns.has("home_desa_code") or (columns.has("home_lat") and columns.has("home_lon")):
        return []
    if columns.has("home_lat") or columns.has("home_lon"):
        return ["home_lon" if columns.has("home_lat") else "home_lat"]
    return ["home_lat and home_lon, or home_desa_code"]


def roster_key_issues(parsed: ScenarioFile, merged: MergedScenario) -> list[Issue]:
    """Find ``[teams]`` what-if keys that cannot apply: they change a teams file, not a roster.

    Parameters
    ----------
    parsed : ScenarioFile
        The validated, merged tables.
    merged : MergedScenario
        The chain, to name the file that set each key.

    Returns
    -------
    list of Issue
        One per ``[teams]`` key set in a scenario that names ``[inputs] roster``.
    """
    if parsed.inputs.roster is None:
        return []
    fix = {
        "fraction": "mark the people who do not come available = no in the roster",
        "vehicle": "list the vehicle types teams may use in [fleet] vehicles",
    }
    changed = {"fraction": parsed.teams.fraction != 1, "vehicle": parsed.teams.vehicle is not None}
    return [
        Issue(
            source=merged.source_of(f"teams.{key}"),
            row=None,
            field=f"teams.{key}",
            message=f"[teams] {key} applies to a teams file ([inputs] teams), but this scenario "
            f"forms its teams from the roster '{parsed.inputs.roster}'; remove it ({fix[key]})",
        )
        for key, is_set in changed.items()
        if is_set
    ]
