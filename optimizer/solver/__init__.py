"""OR-Tools routing adapter: routing tasks -> Assignment (with matching, the only ortools code).

Each task becomes one OR-Tools routing model: one vehicle per team, starting and ending at its
depot. Dimensions: ``time`` (transit = service or reload time at the origin + travel with the
team's own profile; a break per team, OR-Tools break intervals; shift and working-time limits),
``load`` (packages since the last reload; a reload node resets it through its slack) and
``trips`` (reloads, against each team's trip limit). Reload nodes are optional copies of a depot
that only that depot's teams may visit. Every household is optional with a large drop penalty,
so the search always returns a plan; priority households carry a soft deadline.

Teams may leave their depot later than the shift start (a route whose doors open in the
afternoon does not wait from the morning); the schedule then leaves as late as the route allows.

Objectives: ``total_time`` (arc cost = transit seconds, plus each route's span, so waiting
counts as much as time on the road), ``cost`` (rupiah per km and per hour, plus a fixed cost
per team used) and ``fair`` (least total time first, then the doors shared out evenly among
every team called up, :mod:`~optimizer.solver.fairsplit`, and read back into the model).

Search stops on an effort limit that does not depend on the machine (``solutions_per_stop``
times the task size), so a scenario and seed give the same plan everywhere. The wall-clock
``time_limit_s`` is a safety net only, by one rule (:func:`solve_routes`): every search may use
the whole stage's limit, and the stage as a whole stops at that limit, so a search that starts
when less is left gets what is left. At default settings no search comes near its guard, so the
plan depends neither on the number of workers nor on the speed of the machine; when a guard does
cut a search, the result says so. Tasks run in parallel worker processes (largest first);
results come back in task order.

Modules: :mod:`~optimizer.solver.results` (what the searches return),
:mod:`~optimizer.solver.layout` (model nodes; routes between task and model nodes),
:mod:`~optimizer.solver.model` (the routing model and its search settings),
:mod:`~optimizer.solver.greedy` (a greedy first plan), :mod:`~optimizer.solver.search` (the
searches of one task) and :mod:`~optimizer.solver.stage` (all tasks in worker processes).
"""

from __future__ import annotations

from optimizer.solver.layout import RELOAD_SPARE, reload_slots
from optimizer.solver.model import (
    HORIZON_S,
    LOAD_DIMENSION,
    MAX_WAIT_S,
    PRIORITY_WEIGHT,
    SMALL_TASK_SIZE,
    TIME_DIMENSION,
    TRIPS_DIMENSION,
)
from optimizer.solver.results import Assignment, SolveStatus, TaskResult
from optimizer.solver.search import CUT_SHARE, MIN_TASK_TIME_S, solve_task
from optimizer.solver.stage import solve_routes, solver_version, task_limits

__all__ = [
    "CUT_SHARE",
    "HORIZON_S",
    "LOAD_DIMENSION",
    "MAX_WAIT_S",
    "MIN_TASK_TIME_S",
    "PRIORITY_WEIGHT",
    "RELOAD_SPARE",
    "SMALL_TASK_SIZE",
    "TIME_DIMENSION",
    "TRIPS_DIMENSION",
    "Assignment",
    "SolveStatus",
    "TaskResult",
    "reload_slots",
    "solve_routes",
    "solve_task",
    "solver_version",
    "task_limits",
]
