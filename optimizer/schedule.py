"""Timing of one route: when a team arrives at each door, reloads and takes its break.

The schedule is the earliest one the route's order allows: leave the depot at the shift start,
drive, wait at a door until its window opens, serve, return to the depot to reload where the
route says so. The break goes into the gap between two stops (or before the team leaves, or
after it is back at the depot) that gets the team back soonest and keeps every rule; taken
there, it starts as early as its window allows, and driving or waiting counts toward it as in
OR-Tools' break model. A team may leave later than its shift start: as late as its route allows
without coming back later. Every rule is then checked,
so a plan never promises what it cannot keep; the screening of single doors uses the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.task import RELOAD, UNLIMITED_TRIPS, BreakRule, SolveTask, VehicleSpec
from optimizer.units import format_clock

_END = -2
#: Break placement "before the team leaves its depot" (a team that starts after midday).
_BEFORE = -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """One stop of a route: a household node, or :data:`RELOAD` at the depot."""

    node: int
    trip: int
    arrival_s: int
    start_s: int
    departure_s: int
    wait_s: int
    load_after: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteSchedule:
    """The timed route; ``violations`` is empty when every rule holds.

    ``break_after`` is the number of visits made before the break (``len(visits)`` with
    ``break_inside`` false: after the return to the depot); ``None`` without a break rule.
    ``work_s`` is the time from leaving the depot to coming back, a break inside not counted.
    """

    visits: tuple[Visit, ...]
    start_s: int
    end_s: int
    break_start_s: int | None
    break_after: int | None
    break_inside: bool
    work_s: int
    travel_s: int
    service_s: int
    wait_s: int
    reload_s: int
    trips: int
    problems: tuple[tuple[str, str], ...]

    @property
    def feasible(self) -> bool:
        """Say whether the route keeps every rule."""
        return not self.problems

    @property
    def violations(self) -> tuple[str, ...]:
        """The broken rules, in words."""
        return tuple(text for _, text in self.problems)

    def breaks_only(self, *kinds: str) -> bool:
        """Say whether every broken rule is of one of ``kinds``.

        Kinds: window, shift, break, capacity, trips, work.
        """
        return all(kind in kinds for kind, _ in self.problems)


@dataclass(slots=True, kw_only=True)
class _Walk:
    """A route being timed stop by stop: where the team is, and what it has done so far."""

    clock: int
    previous: int
    end: int
    trip: int = 1
    load: int = 0
    break_start: int | None = None
    travel_s: int = 0
    service_s: int = 0
    wait_s: int = 0
    reload_s: int = 0
    visits: list[Visit] = field(default_factory=list)
    violations: list[tuple[str, str]] = field(default_factory=list)


def _break_on_the_way(rule: BreakRule, walk: _Walk, travel: int) -> int:
    """Take the break on the way to the next stop; return when the team is ready there."""
    break_start = max(walk.clock, rule.earliest_s)
    walk.break_start = break_start
    if break_start > rule.latest_s:
        walk.violations.append(
            (
                "break",
                f"break cannot start by {format_clock(rule.latest_s)} "
                f"(earliest {format_clock(break_start)})",
            )
        )
    return max(walk.clock + travel + rule.duration_s, rule.earliest_s + rule.duration_s)


def _reload(spec: VehicleSpec, walk: _Walk, ready: int) -> None:
    """Reload at the depot, reached at ``ready``: a new trip starts empty."""
    walk.trip += 1
    walk.load = 0
    walk.visits.append(
        Visit(
            node=RELOAD,
            trip=walk.trip,
            arrival_s=ready,
            start_s=ready,
            departure_s=ready + spec.reload_s,
            wait_s=0,
            load_after=0,
        )
    )
    walk.reload_s += spec.reload_s
    walk.clock = ready + spec.reload_s
    walk.previous = spec.depot_node


def _serve(task: SolveTask, spec: VehicleSpec, walk: _Walk, target: int, ready: int) -> None:
    """Serve household node ``target``, reached at ``ready``, once its window opens."""
    start = max(ready, int(task.window_start_s[target]))
    if start > int(task.window_end_s[target]):
        walk.violations.append(
            (
                "window",
                f"node {target} reached at {format_clock(start)}, after its window closes at "
                f"{format_clock(int(task.window_end_s[target]))}",
            )
        )
    walk.load += int(task.demand[target])
    if walk.load > spec.capacity:
        walk.violations.append(
            ("capacity", f"trip {walk.trip} carries {walk.load} packages, over {spec.capacity}")
        )
    duration = int(task.service_s[spec.profile][target])
    walk.visits.append(
        Visit(
            node=target,
            trip=walk.trip,
            arrival_s=ready,
            start_s=start,
            departure_s=start + duration,
            wait_s=start - ready,
            load_after=walk.load,
        )
    )
    walk.wait_s += start - ready
    walk.service_s += duration
    walk.clock = start + duration
    walk.previous = target


def _drive(
    task: SolveTask, spec: VehicleSpec, targets: tuple[int, ...], gap: int | None, walk: _Walk
) -> None:
    """Go through ``targets`` in order, the break in gap ``gap`` if it falls between stops."""
    times = task.time_s[spec.profile]
    rule = spec.break_rule
    depot = spec.depot_node
    for k, target in enumerate(targets):
        site = depot if target in (RELOAD, _END) else target
        travel = int(times[walk.previous, site])
        walk.travel_s += travel
        ready = walk.clock + travel
        if rule is not None and k == gap:
            ready = _break_on_the_way(rule, walk, travel)
        if target == _END:
            walk.end = ready
            break
        if target == RELOAD:
            _reload(spec, walk, ready)
            continue
        _serve(task, spec, walk, target, ready)


def _check_break_at_depot(
    rule: BreakRule | None, gap: int | None, depart: int, n_targets: int, walk: _Walk
) -> None:
    """Place and check a break taken before leaving the depot or after coming back."""
    if rule is not None and gap == _BEFORE:
        walk.break_start = rule.earliest_s
        if rule.earliest_s + rule.duration_s > depart:
            walk.violations.append(
                (
                    "break",
                    f"the break cannot be over before leaving the depot at {format_clock(depart)}",
                )
            )
    if rule is not None and gap == n_targets:
        break_start = max(walk.end, rule.earliest_s)
        walk.break_start = break_start
        if break_start > rule.latest_s:
            walk.violations.append(
                (
                    "break",
                    f"break cannot start by {format_clock(rule.latest_s)} "
                    f"(back at the depot at {format_clock(walk.end)})",
                )
            )


def _check_day(spec: VehicleSpec, walk: _Walk, work: int) -> None:
    """Check the return time, the number of trips and the working time against their limits."""
    end = walk.end
    if end > spec.shift_end_s:
        walk.violations.append(
            (
                "shift",
                f"back at {format_clock(end)}, after the shift ends at "
                f"{format_clock(spec.shift_end_s)}",
            )
        )
    if spec.max_trips != UNLIMITED_TRIPS and walk.trip > spec.max_trips:
        walk.violations.append(("trips", f"{walk.trip} trips, over the limit of {spec.max_trips}"))
    if spec.max_work_s is not None and work > spec.max_work_s:
        walk.violations.append(
            ("work", f"works {work - spec.max_work_s} s over the maximum of {spec.max_work_s} s")
        )


def _run(
    task: SolveTask, vehicle: int, nodes: tuple[int, ...], gap: int | None, depart: int
) -> RouteSchedule:
    """Time a route leaving at ``depart``, the break in gap ``gap``, and check every rule."""
    spec = task.vehicles[vehicle]
    rule = spec.break_rule
    walk = _Walk(clock=depart, previous=spec.depot_node, end=depart)
    targets = (*nodes, _END)
    _drive(task, spec, targets, gap, walk)
    _check_break_at_depot(rule, gap, depart, len(targets), walk)
    inside = rule is not None and gap is not None and 0 <= gap < len(targets)
    work = walk.end - depart - (rule.duration_s if rule is not None and inside else 0)
    _check_day(spec, walk, work)
    return RouteSchedule(
        visits=tuple(walk.visits),
        start_s=depart,
        end_s=walk.end,
        break_start_s=walk.break_start,
        break_after=None if gap is None else min(max(gap, 0), len(nodes)),
        break_inside=inside,
        work_s=work,
        travel_s=walk.travel_s,
        service_s=walk.service_s,
        wait_s=walk.wait_s,
        reload_s=walk.reload_s,
        trips=walk.trip,
        problems=tuple(walk.violations),
    )


def _pick(schedules: list[RouteSchedule]) -> RouteSchedule | None:
    feasible = [x for x in schedules if x.feasible]
    if feasible:
        return min(feasible, key=lambda x: (x.end_s, x.break_after or 0, not x.break_inside))
    return None


def _earliest(task: SolveTask, vehicle: int, nodes: tuple[int, ...], depart: int) -> RouteSchedule:
    """Return the earliest schedule leaving at ``depart``, the break placed as well as it can be."""
    rule = task.vehicles[vehicle].break_rule
    plain = _run(task, vehicle, nodes, None, depart)
    if rule is None:
        return plain
    # Gaps worth trying: the team is free by the latest start and still busy at the earliest.
    free = [plain.start_s] + [v.departure_s for v in plain.visits]
    busy_until = [v.departure_s for v in plain.visits] + [plain.end_s]
    likely = [
        gap
        for gap in range(len(nodes) + 1)
        if free[gap] <= rule.latest_s and busy_until[gap] >= rule.earliest_s
    ]
    if plain.end_s <= rule.latest_s:
        likely.append(len(nodes) + 1)
    if rule.earliest_s + rule.duration_s <= depart:
        likely.insert(0, _BEFORE)
    chosen = _pick([_run(task, vehicle, nodes, gap, depart) for gap in likely])
    if chosen is not None:
        return chosen
    every = [_run(task, vehicle, nodes, gap, depart) for gap in range(len(nodes) + 2)]
    chosen = _pick(every)
    return chosen if chosen is not None else min(every, key=lambda x: len(x.problems))


def schedule_route(task: SolveTask, vehicle: int, nodes: tuple[int, ...]) -> RouteSchedule:
    """Time a route and check it against every rule.

    Parameters
    ----------
    task : SolveTask
    vehicle : int
        Index into ``task.vehicles``.
    nodes : tuple of int
        Local household nodes in visiting order, :data:`RELOAD` where the team reloads.

    Returns
    -------
    RouteSchedule
        The schedule that gets back soonest, leaving the depot as late as that allows (a team
        whose doors open in the afternoon does not wait from the shift start). The break goes
        where the team gets back soonest while keeping every rule (in a tie, the earlier gap);
        if no placement keeps every rule, the one breaking the fewest is returned with its
        violations.
    """
    start = task.vehicles[vehicle].shift_start_s
    early = _earliest(task, vehicle, nodes, start)
    rule = task.vehicles[vehicle].break_rule
    busy = early.travel_s + early.service_s + early.reload_s
    busy += rule.duration_s if rule is not None and early.break_inside else 0
    idle = early.end_s - early.start_s - busy  # waiting at doors and for the break
    if idle <= 0 or not early.breaks_only("work"):
        return early

    def same_day(schedule: RouteSchedule) -> bool:
        return schedule.end_s == early.end_s and schedule.breaks_only("work")

    # Leaving later by d shifts nothing past the idle time, so the latest departure that keeps
    # the return time lies in [0, idle]; keeping it is monotone in d: bisect.
    # (Leaving after the break window is its own case: the break is then taken before leaving,
    # so the latest departure is tried first.)
    latest = _earliest(
        task, vehicle, nodes, early.end_s - early.travel_s - early.service_s - early.reload_s
    )
    if same_day(latest):
        return latest
    low, high = 0, idle
    best = early
    while low < high:
        middle = (low + high + 1) // 2
        candidate = _earliest(task, vehicle, nodes, start + middle)
        if same_day(candidate):
            low, best = middle, candidate
        else:
            high = middle - 1
    return best
