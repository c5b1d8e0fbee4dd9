"""The parts of one route of the plan, from its timed visits: doors, reloads, walks, legs.

A visit of the solver's route is a door, a reload at the depot, or a walk from a parked vehicle
(park and walk): the walk becomes a :class:`Park` and one :class:`Stop` per door, timed from
when the team parks (the walk's offsets), with a walk leg (nothing driven) into every door of
the walk after the first: the footpath between the doors, traced on the foot network, or the
straight line when none was traced. The legs keep their one-per-point order: the leg into a
walk's first door is the drive to the parking place, the leg after its last door the drive on
from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from optimizer.geometry import LegTrace
from optimizer.plan import Leg, Park, Polyline, Reload, Stop
from optimizer.scenario import Household, Scenario
from optimizer.schedule import RouteSchedule, Visit
from optimizer.snapping import ProfileSnap
from optimizer.task import RELOAD, SolveTask, Walk


@dataclass(slots=True, kw_only=True)
class RouteParts:
    """A route's doors, reloads, walks and legs, in route order."""

    stops: list[Stop] = field(default_factory=list)
    reloads: list[Reload] = field(default_factory=list)
    parks: list[Park] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Door:
    """When and how a door is reached: its times, load, walk and lateness."""

    arrival_s: int
    departure_s: int
    wait_s: int
    load_after: int
    walk_m: float
    trip: int
    late: bool


def _stop(household: Household, sequence: int, door: _Door) -> Stop:
    return Stop(
        sequence=sequence,
        household_id=household.household_id,
        head_name=household.head_name,
        address=household.address,
        desa_code=household.desa_code,
        desa_name=household.desa_name,
        lat=household.lat,
        lon=household.lon,
        packages=household.packages,
        arrival_s=door.arrival_s,
        departure_s=door.departure_s,
        wait_s=door.wait_s,
        load_after=door.load_after,
        walk_m=door.walk_m,
        window_start_s=household.window_start_s,
        window_end_s=household.window_end_s,
        notes=household.notes,
        trip=door.trip,
        priority=household.priority,
        location=household.location,
        dusun=household.dusun,
        rt=household.rt,
        rw=household.rw,
        late=door.late,
    )


def _household(scenario: Scenario, task: SolveTask, node: int) -> Household:
    return scenario.households[int(task.households[node - task.n_depots])]


def _points(trace: LegTrace | None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return ((), ()) if trace is None else (trace.lats, trace.lons)


def _line(*parts: tuple[tuple[float, ...], tuple[float, ...]]) -> Polyline:
    """Join runs of points (lats, lons) into one line."""
    return Polyline(
        lats=tuple(x for lats, _ in parts for x in lats),
        lons=tuple(x for _, lons in parts for x in lons),
    )


def _walk_leg(
    walk: Walk,
    profile: str,
    k: int,
    before: Stop,
    household: Household,
    step: LegTrace | None,
) -> Leg:
    """Return the walk leg from the door before to the walk's ``k``-th door (nothing driven)."""
    offsets = walk.offset_s[profile]
    return Leg(
        distance_m=round(walk.step_m[profile][k], 1),
        travel_s=offsets[k] - offsets[k - 1] - walk.door_s[k - 1],
        path=_line(
            ((before.lat,), (before.lon,)),
            _points(step),
            ((household.lat,), (household.lon,)),
        ),
        walk=True,
    )


def _walk_doors(
    scenario: Scenario,
    task: SolveTask,
    profile: str,
    visit: Visit,
    walk: Walk,
    parts: RouteParts,
    steps: Iterator[LegTrace],
) -> None:
    """Add a walk's doors, its parking place and its walk legs to ``parts``.

    ``steps`` yields the walk's footpaths as the geometry stage traced them
    (:attr:`optimizer.geometry.RouteGeometry.walks`); without them, straight lines.
    """
    drive = parts.legs[-1]
    park = ((drive.path.lats[-1],), (drive.path.lons[-1],))
    anchor = _household(scenario, task, walk.anchor)
    at_anchor = ((anchor.lat,), (anchor.lon,)) if walk.via_door.get(profile) else ((), ())
    out = next(steps, None) if walk.anchor != walk.nodes[0] else None
    offsets = walk.offset_s[profile]
    delivered = visit.load_after - int(task.demand[walk.anchor])
    first = len(parts.stops) + 1
    for k, node in enumerate(walk.nodes):
        household = _household(scenario, task, node)
        delivered += household.packages
        arrival = visit.start_s + offsets[k]
        if k > 0:
            parts.legs.append(
                _walk_leg(walk, profile, k, parts.stops[-1], household, next(steps, None))
            )
        door = _Door(
            arrival_s=arrival,
            departure_s=arrival + walk.door_s[k],
            wait_s=visit.wait_s if k == 0 else 0,
            load_after=delivered,
            walk_m=round(walk.step_m[profile][k], 1),
            trip=visit.trip,
            late=0 <= walk.due_s[k] < arrival,
        )
        parts.stops.append(_stop(household, len(parts.stops) + 1, door))
    back = next(steps, None) if walk.anchor != walk.nodes[-1] else None
    first_door, last_door = parts.stops[first - 1], parts.stops[-1]
    parts.parks.append(
        Park(
            first_stop=first,
            last_stop=len(parts.stops),
            lat=park[0][0],
            lon=park[1][0],
            arrival_s=visit.start_s,
            departure_s=visit.departure_s,
            walk_m=round(walk.walked_m(profile), 1),
            path_out=_line(park, at_anchor, _points(out), ((first_door.lat,), (first_door.lon,))),
            path_back=_line(((last_door.lat,), (last_door.lon,)), _points(back), at_anchor, park),
        )
    )


def route_parts(
    scenario: Scenario,
    task: SolveTask,
    profile: str,
    schedule: RouteSchedule,
    snap: ProfileSnap,
    drives: tuple[Leg, ...],
    steps: tuple[LegTrace, ...] = (),
) -> RouteParts:
    """Lay out a timed route as the plan's doors, reloads, walks and legs.

    Parameters
    ----------
    scenario : Scenario
    task : SolveTask
    profile : str
        The team's vehicle profile.
    schedule : RouteSchedule
        The route's timed visits.
    snap : ProfileSnap
        The profile's snaps (a door's walk from the road).
    drives : tuple of Leg
        The driven legs, one into each visit and one back to the depot.
    steps : tuple of LegTrace
        The footpaths from door to door of the route's walks, in route order
        (:attr:`optimizer.geometry.RouteGeometry.walks`).

    Returns
    -------
    RouteParts
    """
    parts = RouteParts()
    footpaths = iter(steps)
    for visit, drive in zip(schedule.visits, drives, strict=False):
        parts.legs.append(drive)
        if visit.node == RELOAD:
            parts.reloads.append(
                Reload(
                    after_stop=len(parts.stops),
                    arrival_s=visit.arrival_s,
                    departure_s=visit.departure_s,
                )
            )
            continue
        walk = task.walks.get(visit.node)
        if walk is not None:
            _walk_doors(scenario, task, profile, visit, walk, parts, footpaths)
            continue
        h = int(task.households[visit.node - task.n_depots])
        door = _Door(
            arrival_s=visit.start_s,
            departure_s=visit.departure_s,
            wait_s=visit.wait_s,
            load_after=visit.load_after,
            walk_m=round(float(snap.distance_m[h]), 1),
            trip=visit.trip,
            late=0 <= task.due_of(visit.node) < visit.start_s,
        )
        parts.stops.append(_stop(scenario.households[h], len(parts.stops) + 1, door))
    parts.legs.append(drives[-1])
    return parts
