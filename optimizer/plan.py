"""The Plan: the one result object of the pipeline, and the values it is made of.

A Plan speaks user IDs only (household, team, depot), keeps times as seconds from midnight of the
planning day (renderers turn them into clock times) and carries everything a renderer needs,
including leg geometry, so renderers never touch graphs or the solver. It also carries its
scenario's ``[render]`` settings, so every renderer draws it as the scenario asks without
reading the scenario.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from optimizer.config import RenderConfig
from optimizer.fairness import DesaFairness, fairness_line
from optimizer.reasons import UnservedReason
from optimizer.staffing.model import ReserveNote
from optimizer.units import format_clock


@dataclass(frozen=True, slots=True, kw_only=True)
class Polyline:
    """A line on the map as parallel latitude and longitude tuples (degrees)."""

    lats: tuple[float, ...]
    lons: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stop:
    """One door on a route."""

    sequence: int
    household_id: str
    head_name: str
    address: str
    desa_code: str
    desa_name: str
    lat: float
    lon: float
    packages: int
    arrival_s: int
    departure_s: int
    wait_s: int
    load_after: int
    walk_m: float
    window_start_s: int | None
    window_end_s: int | None
    notes: str
    trip: int = 1
    priority: bool = False
    #: A priority household served after its deadline (``[service] priority_by``).
    late: bool = False
    #: Where the position comes from: ``register`` or ``approximate (RT 003/RW 001)``.
    location: str = "register"
    dusun: str = ""
    rt: str = ""
    rw: str = ""

    @property
    def approximate(self) -> bool:
        """Tell whether the door's position is estimated from neighbours (ask the RT head)."""
        return self.location != "register"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reload:
    """A return to the depot to load the next trip, after stop number ``after_stop``."""

    after_stop: int
    arrival_s: int
    departure_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Park:
    """The team parks once and walks a loop to doors ``first_stop``..``last_stop`` and back.

    ``lat``/``lon`` is the parking place on the road; ``arrival_s`` is when the team leaves the
    vehicle (after any wait for a window), ``departure_s`` when it is back and drives on;
    ``walk_m`` is the whole loop on foot. ``path_out`` is the way on foot from the parking
    place to the first door, ``path_back`` from the last door to the vehicle (empty when not
    traced: a straight line).
    """

    first_stop: int
    last_stop: int
    lat: float
    lon: float
    arrival_s: int
    departure_s: int
    walk_m: float
    path_out: Polyline = Polyline(lats=(), lons=())
    path_back: Polyline = Polyline(lats=(), lons=())


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """The team's break, taken after ``after_stop`` doors (0: before the first door)."""

    after_stop: int
    start_s: int
    end_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Leg:
    """Travel between two consecutive points of a route, along the roads.

    A ``walk`` leg joins two doors of one walk from a parked vehicle: ``path`` is the straight
    line between them, ``distance_m`` the walk along the paths, and nothing is driven.
    """

    distance_m: float
    travel_s: int
    path: Polyline
    walk: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """The ordered work of one team: depot, doors, depot."""

    team_id: str
    vehicle: str
    profile: str
    members: int
    capacity: int
    depot_id: str
    depot_name: str
    depot_lat: float
    depot_lon: float
    start_s: int
    end_s: int
    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    distance_m: float
    travel_s: int
    service_s: int
    wait_s: int
    load: int
    reloads: tuple[Reload, ...] = ()
    break_: Break | None = None
    work_s: int = 0
    cost: float = 0.0
    #: The team's own shift (the route starts and ends inside it).
    shift_start_s: int = 0
    shift_end_s: int = 0
    #: Roster ``asn_id`` of each member, driver first (teams formed from a roster).
    crew: tuple[str, ...] = ()
    #: Walks from a parked vehicle (``[service.park_and_walk]``), in route order.
    parks: tuple[Park, ...] = ()

    @property
    def duration_s(self) -> int:
        """Time from leaving the depot to coming back."""
        return self.end_s - self.start_s

    @property
    def trips(self) -> int:
        """Loads taken from the depot."""
        return len(self.reloads) + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Unserved:
    """A household (or bad row) that is in no route, with the reason."""

    household_id: str
    row: int
    code: UnservedReason
    reason: str
    desa_code: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Duty:
    """What one person of the roster does on the day: drive, ride, stand by, or nothing.

    ``role``: ``driver`` or ``member`` of team ``team_id`` (meeting at its depot at
    ``meet_s``), ``reserve`` (standing by for ``kecamatan``, ``reason`` says why) or
    ``unavailable`` (marked so in the roster; never assigned). ``reason`` is in English for
    planners; a reserve's ``note`` holds the same in parts pages word in their language.
    """

    asn_id: str
    name: str
    unit: str
    status: str
    role: str
    team_id: str = ""
    depot_id: str = ""
    depot_name: str = ""
    desa_code: str = ""
    desa_name: str = ""
    kecamatan: str = ""
    meet_s: int | None = None
    reason: str = ""
    note: ReserveNote | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamNeed:
    """What one desa needs (``berbagi size``): the fewest teams that serve its doors.

    ``teams`` maps each vehicle type sizing could call up to the teams of that type the
    desa's depot needs; ``households`` and ``packages`` are what those teams deliver,
    ``unserved`` the desa's households no team can serve (with their reasons in the plan).
    """

    depot_id: str
    desa_code: str
    desa_name: str
    kecamatan: str
    households: int
    packages: int
    unserved: int
    teams: dict[str, int]
    people: int
    longest_route_s: int
    mean_route_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Churn:
    """A household whose team is not last month's (``[continuity] previous_plan``).

    ``reason``: ``new`` (not in last month's plan), ``team_gone`` (last month's team is not
    called up), ``rule`` (its team could not take it without breaking a rule), ``saving`` (a
    plan freed of last month's teams saved more than ``[continuity] max_saving_pct``) or
    ``unserved`` (no team this month; the plan's unserved list says why).
    """

    household_id: str
    desa_code: str
    previous_team: str
    team: str
    reason: str


def continuity_line(churn: Sequence[Churn], compared: int) -> str:
    """One summary line: the share of last month's households that keep their team."""
    moved = [c for c in churn if c.reason != "new"]
    kept = compared - len(moved)
    share = 100 * kept / compared if compared else 100.0
    counts = Counter(c.reason for c in churn)
    parts = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
    return (
        f"Continuity: {kept} of {compared} households of last month keep their team "
        f"({share:.1f} %)" + (f"; changed: {parts}." if parts else ".")
    )


def need_line(need: TeamNeed) -> str:
    """One summary line: a desa's households and the teams it needs by vehicle type."""
    teams = ", ".join(f"{n} {vehicle}" for vehicle, n in need.teams.items() if n) or "no team"
    unserved = f", {need.unserved} unserved" if need.unserved else ""
    return (
        f"  {need.desa_name} ({need.kecamatan}): {need.households} households{unserved}, "
        f"{need.packages} packages -> {teams} ({need.people} people), longest route "
        f"{need.longest_route_s / 3600:.2f} h"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DepotSite:
    """A depot as drawn on the map."""

    depot_id: str
    name: str
    desa_code: str
    lat: float
    lon: float
    approximate: bool
    teams: int
    desa_name: str = ""
    kecamatan: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaOutline:
    """A boundary (kecamatan or desa) as drawn on the map."""

    code: str
    name: str
    level: str
    rings: tuple[Polyline, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpis:
    """Headline figures of a plan."""

    households_total: int
    households_served: int
    households_unserved: int
    packages_delivered: int
    teams_available: int
    teams_used: int
    total_route_s: int
    longest_route_s: int
    mean_route_s: int
    total_distance_m: float
    unserved_by_reason: dict[str, int]
    shortest_route_s: int = 0
    route_spread_s: int = 0
    route_stdev_s: int = 0
    depot_spread_s: int = 0
    depot_work_spread_s: int = 0
    total_cost: float = 0.0
    reloads: int = 0
    priority_households: int = 0
    priority_late: int = 0
    #: Walks from a parked vehicle, the doors reached on them, and the metres walked.
    walks: int = 0
    doors_on_foot: int = 0
    walked_m: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for plan.json (the walk figures only when a route parks and walks)."""
        walks = (
            {
                "walks": self.walks,
                "doors_on_foot": self.doors_on_foot,
                "walked_m": round(self.walked_m, 1),
            }
            if self.walks
            else {}
        )
        return {
            "households_total": self.households_total,
            "households_served": self.households_served,
            "households_unserved": self.households_unserved,
            "packages_delivered": self.packages_delivered,
            "teams_available": self.teams_available,
            "teams_used": self.teams_used,
            "total_route_s": self.total_route_s,
            "longest_route_s": self.longest_route_s,
            "mean_route_s": self.mean_route_s,
            "shortest_route_s": self.shortest_route_s,
            "route_spread_s": self.route_spread_s,
            "route_stdev_s": self.route_stdev_s,
            "depot_spread_s": self.depot_spread_s,
            "depot_work_spread_s": self.depot_work_spread_s,
            "total_distance_m": round(self.total_distance_m, 1),
            "total_cost": round(self.total_cost),
            "reloads": self.reloads,
            "priority_households": self.priority_households,
            "priority_late": self.priority_late,
            **walks,
            "unserved_by_reason": dict(sorted(self.unserved_by_reason.items())),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanStats:
    """How the run went (not part of plan equality): stage times and memory."""

    stage_seconds: dict[str, float]
    peak_memory_mb: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A route plan for one distribution day.

    Every household row of the filtered list is in exactly one place: a stop of one route, or
    ``unserved`` (by ``row``, since a bad row may lack a usable id). ``render`` holds the
    scenario's ``[render]`` settings, which every renderer follows unless told otherwise.
    """

    scenario: str
    title: str
    date: str | None
    synthetic_data: bool
    data_notice: str
    households_total: int
    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...]
    depots: tuple[DepotSite, ...]
    areas: tuple[AreaOutline, ...]
    kpis: Kpis
    warnings: tuple[str, ...]
    meta: dict[str, Any] = field(hash=False)
    render: RenderConfig = field(default_factory=RenderConfig)
    stats: PlanStats | None = field(default=None, compare=False, hash=False)
    #: Every roster person's duty (teams formed from a roster), in roster order.
    duties: tuple[Duty, ...] = ()
    #: Teams each desa needs, when the plan was sized (``berbagi size``, ``[fleet] size``).
    needs: tuple[TeamNeed, ...] = ()
    #: Households whose team changed since last month (``[continuity] previous_plan``).
    churn: tuple[Churn, ...] = ()
    #: Households of last month's plan that are in this month's plan too (0: no continuity).
    churn_compared: int = 0
    #: Per depot's desa: teams called up and at work, fair share, spread (:mod:`fairness`).
    fairness: tuple[DesaFairness, ...] = ()

    def summary(self) -> str:
        """Return a few lines for the terminal."""
        k = self.kpis
        lines = [
            f"Plan '{self.scenario}': {k.households_served} of {k.households_total} households "
            f"served, {k.households_unserved} unserved; {k.packages_delivered} packages.",
            f"Teams used: {k.teams_used} of {k.teams_available}. "
            f"Total route time {k.total_route_s / 3600:.1f} h, longest route "
            f"{k.longest_route_s / 3600:.2f} h, mean {k.mean_route_s / 60:.0f} min; "
            f"distance {k.total_distance_m / 1000:.0f} km.",
            f"Workload spread {k.route_spread_s / 3600:.2f} h (shortest "
            f"{k.shortest_route_s / 3600:.2f} h, st. dev. {k.route_stdev_s / 60:.0f} min; "
            f"within a depot {k.depot_spread_s / 3600:.2f} h on average, working time "
            f"{k.depot_work_spread_s / 60:.0f} min); "
            f"{k.reloads} reload trip(s); cost Rp {k.total_cost:,.0f}; "
            f"priority households late {k.priority_late} of {k.priority_households}.",
        ]
        if k.walks:
            lines.append(
                f"Park and walk: {k.doors_on_foot} doors reached on {k.walks} walk(s) from a "
                f"parked vehicle, {k.walked_m / 1000:.1f} km on foot."
            )
        if k.unserved_by_reason:
            parts = ", ".join(f"{n} {code}" for code, n in sorted(k.unserved_by_reason.items()))
            lines.append(f"Unserved by reason: {parts}.")
        if self.fairness:
            lines.append(fairness_line(self.fairness))
        lines += [need_line(n) for n in self.needs]
        if self.churn_compared or self.churn:
            lines.append(continuity_line(self.churn, self.churn_compared))
        if self.synthetic_data:
            lines.append(f"NOTE: {self.data_notice}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return the plan.json contract (README): IDs, clock times, figures, no personal data.

        ``meta`` gets the render settings under ``render`` (keys sorted), after the keys of
        ``self.meta``.
        """
        render = dict(sorted(self.render.model_dump(mode="json").items()))
        return {
            "scenario": self.scenario,
            "title": self.title,
            "date": self.date,
            "synthetic_data": self.synthetic_data,
            "data_notice": self.data_notice,
            "households_total": self.households_total,
            "routes": [_route_dict(r) for r in self.routes],
            "unserved": [
                {
                    "household_id": u.household_id,
                    "row": u.row,
                    "reason_code": str(u.code),
                    "reason": u.reason,
                }
                for u in self.unserved
            ],
            "kpis": self.kpis.to_dict(),
            "fairness": [asdict(f) for f in self.fairness],
            "warnings": list(self.warnings),
            "meta": {**self.meta, "render": render},
        }


def _route_dict(r: Route) -> dict[str, Any]:
    """Return one route of the plan.json contract."""
    return {
        "team_id": r.team_id,
        "vehicle": r.vehicle,
        "depot_id": r.depot_id,
        "members": r.members,
        "crew": list(r.crew),
        "start": format_clock(r.start_s),
        "end": format_clock(r.end_s),
        "stops": [
            {
                "household_id": s.household_id,
                "arrival": format_clock(s.arrival_s),
                "packages": s.packages,
                "trip": s.trip,
                "priority": s.priority,
                "location": s.location,
            }
            for s in r.stops
        ],
        "trips": r.trips,
        "reloads": [
            {
                "after_stop": x.after_stop,
                "arrival": format_clock(x.arrival_s),
                "departure": format_clock(x.departure_s),
            }
            for x in r.reloads
        ],
        "break": None
        if r.break_ is None
        else {
            "after_stop": r.break_.after_stop,
            "start": format_clock(r.break_.start_s),
            "end": format_clock(r.break_.end_s),
        },
        **({"parks": [_park_dict(p) for p in r.parks]} if r.parks else {}),
        "work_s": r.work_s,
        "cost": round(r.cost),
        "distance_m": round(r.distance_m, 1),
        "duration_s": r.duration_s,
        "load": r.load,
        "capacity": r.capacity,
    }


def _park_dict(p: Park) -> dict[str, Any]:
    """Return one walk from a parked vehicle of the plan.json contract."""
    return {
        "first_stop": p.first_stop,
        "last_stop": p.last_stop,
        "lat": round(p.lat, 6),
        "lon": round(p.lon, 6),
        "arrival": format_clock(p.arrival_s),
        "departure": format_clock(p.departure_s),
        "walk_m": round(p.walk_m, 1),
    }
