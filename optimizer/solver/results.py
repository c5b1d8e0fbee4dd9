"""What the routing searches return: a status, one task's routes, and all tasks' routes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from optimizer.schedule import RouteSchedule


class SolveStatus(StrEnum):
    """Our own view of the OR-Tools search status."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    TIME_LIMIT = "time_limit"
    NO_SOLUTION = "no_solution"
    EMPTY = "empty"


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskResult:
    """Routes of one task: per vehicle (task order), the local nodes it visits in order.

    :data:`~optimizer.task.RELOAD` marks a return to the team's depot to reload.
    ``schedules`` holds each route's timing where the search already worked it out (to check
    the breaks), so the plan need not time the route again; empty otherwise.
    """

    key: str
    status: SolveStatus
    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    objective: int
    hit_time_limit: bool
    wall_s: float = field(compare=False)
    guard_s: float = field(compare=False)
    schedules: tuple[RouteSchedule | None, ...] = field(default=(), compare=False, repr=False)
    #: Continuity: pinned doors freed because their team could no longer take them.
    released: tuple[int, ...] = ()
    #: Continuity: the plan freed of last month's teams saved enough to be taken.
    rebalanced: bool = False

    @property
    def guard_share(self) -> float:
        """Share of its wall-clock guard the search used.

        At 1/3 or less, the same search on a machine three times slower would not be cut.
        """
        return self.wall_s / self.guard_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Results of all tasks, in task order.

    ``wall_s`` and ``guard_s`` are the whole stage's wall time and its safety net (seconds);
    like each result's timings they are not part of equality.
    """

    results: tuple[TaskResult, ...]
    solver_version: str
    wall_s: float = field(default=0.0, compare=False)
    guard_s: float = field(default=math.inf, compare=False)

    @property
    def guard_share(self) -> float:
        """Largest share of a wall-clock guard used: by any one search, or by the whole stage.

        Below 1/3, the same run on a machine three times slower (same number of cores) would
        not be cut anywhere: a search started late has what is left of the stage's net as its
        guard, and the stage's share bounds that case.
        """
        shares = [r.guard_share for r in self.results if r.guard_s > 0]
        return max([self.wall_s / self.guard_s, *shares])
