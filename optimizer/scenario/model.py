"""The validated scenario: households, depots, teams and day rules the pipeline trusts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from optimizer.config import PlannerConfig
from optimizer.reasons import UnservedReason
from optimizer.scenario.schema import FleetSection, ServiceSection, VehicleType

#: ``Household.location`` of a household placed at the coordinates of its register row.
LOCATION_REGISTER = "register"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class DayRules:
    """The rules of the distribution day, resolved for its date (Friday or not)."""

    break_earliest_s: int
    break_latest_s: int
    break_s: int
    max_work_s: int | None
    friday: bool
    shift_end_cap_s: int | None


class Household(_Frozen):
    """One beneficiary household that passed validation and the filter.

    ``location`` says where ``lat``/``lon`` come from: ``"register"`` (the row's own
    coordinates) or ``"approximate (RT 003/RW 001)"`` / ``"approximate (dusun Krajan)"`` (the
    median of located neighbours, for a row without coordinates; a field visit should record it).
    """

    household_id: str
    row: int
    head_name: str
    address: str
    dusun: str = ""
    rt: str = ""
    rw: str = ""
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
    location: str = LOCATION_REGISTER

    @property
    def approximate(self) -> bool:
        """True when the position is estimated from neighbours, not from the register."""
        return self.location != LOCATION_REGISTER


class RejectedRow(_Frozen):
    """A household row that cannot be planned, with the reason a planner can act on.

    ``code`` is ``invalid_data`` (the row is broken) or ``no_location`` (no coordinates and no
    located neighbour to place it by); the desa fields are filled when the row names a known desa.
    """

    row: int
    household_id: str
    field: str | None
    reason: str
    code: UnservedReason = UnservedReason.INVALID_DATA
    desa_code: str = ""
    desa_name: str = ""
    kecamatan: str = ""
    dusun: str = ""
    rt: str = ""
    rw: str = ""
    address: str = ""
    head_name: str = ""


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
    #: Roster ``asn_id`` of each member, driver first, for a team formed from the roster.
    crew: tuple[str, ...] = ()


class Person(_Frozen):
    """One civil servant (ASN or PPPK) of the roster, available on the day or not.

    ``vehicle`` is a ``[vehicles]`` type the person brings (and drives), ``None`` for none.
    ``home`` says where ``lat``/``lon`` come from: ``"register"`` (the row's coordinates) or
    ``"desa centre"`` (the centre of ``home_desa_code``, for a row without coordinates).
    """

    asn_id: str
    row: int
    name: str
    unit: str
    status: Literal["ASN", "PPPK"]
    lat: float
    lon: float
    home: Literal["register", "desa centre"] = "register"
    home_desa_code: str = ""
    vehicle: str | None
    available: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnUse:
    """How one input file's header was read: product column -> the file's header."""

    input: str
    file: str
    sheet: str | None
    encoding: str
    delimiter: str | None
    mapping: tuple[tuple[str, str], ...]
    ignored: tuple[str, ...]


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
    #: The roster (``[inputs] roster``), every row that passed validation; teams are formed
    #: from its available people. Empty when the scenario names its teams directly.
    people: tuple[Person, ...] = ()
    vehicles: dict[str, VehicleType]
    service: ServiceSection
    shift_start_s: int
    shift_end_s: int
    rules: DayRules
    pooling: Literal["desa", "kecamatan"]
    pool_max_households: int
    road_network: str
    boundaries: str
    synthetic_inputs: bool
    input_hash: str
    config: PlannerConfig
    columns: tuple[ColumnUse, ...] = ()
    notices: tuple[str, ...] = ()
    #: Desa closed on the day: their households are unserved with reason ``closed_area``.
    closed_desa: frozenset[str] = frozenset()
    #: The scenario file that closed them (``[closures] desa``), for the reason planners read.
    closed_desa_source: str = ""
    #: GeoJSON file of closed roads (absolute path), or None.
    closed_roads: str | None = None
    #: ``[fleet]``: how teams are formed from the roster and how many the plan calls up.
    fleet: FleetSection = FleetSection()
    #: Last month's plan.json (``[continuity] previous_plan``, absolute path), or None.
    previous_plan: str | None = None
    #: ``[continuity] max_saving_pct``: a household changes team only above this saving (%).
    max_saving_pct: float = 5.0
    #: The roster file's name (``[inputs] roster``), for messages; "" without a roster.
    roster_source: str = ""

    @property
    def households_total(self) -> int:
        """Rows the plan must account for: valid households plus rejected rows."""
        return len(self.households) + len(self.rejected)
