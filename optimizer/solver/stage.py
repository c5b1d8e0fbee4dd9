"""The solve stage: every task in parallel worker processes, within the stage's guard."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from optimizer.config import SolverConfig
from optimizer.parallel import default_workers, run_parallel
from optimizer.problem import estimate_effort
from optimizer.solver.model import solution_count
from optimizer.solver.results import Assignment, TaskResult
from optimizer.solver.search import MIN_TASK_TIME_S, solve_task
from optimizer.task import SolveTask

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Stage:
    """What every job of the solve stage shares: the settings and the stage's safety net."""

    config: SolverConfig
    deadline: float  # time.monotonic() at which the stage's guard runs out


def _solve_job(stage: _Stage, item: tuple[SolveTask, float]) -> TaskResult:
    task, limit = item
    # time.monotonic() is one clock for the whole machine, so forked workers agree on it.
    left = stage.deadline - time.monotonic()
    guard = max(MIN_TASK_TIME_S, min(limit, left))
    return solve_task(task, stage.config, time_limit_s=guard)


def task_limits(tasks: Sequence[SolveTask], config: SolverConfig, workers: int) -> list[float]:
    """Return each task's wall-clock limit before the stage's net caps it (seconds).

    With an effort limit (``solutions_per_stop`` > 0) the limit is only a guard, and every task
    gets the whole stage's ``time_limit_s``: a guard shared out by an estimate of the effort
    gave the tasks the estimate undervalued too little, and they were cut. Searching by time
    only (``solutions_per_stop`` = 0), the time is what stops each search, and the stage's
    ``time_limit_s`` on every worker is shared out by estimated effort.
    """
    limit = config.time_limit_s
    if config.solutions_per_stop > 0:
        return [limit] * len(tasks)
    efforts = [estimate_effort(t, solution_count(config, t.doors)) for t in tasks]
    total = sum(efforts) or 1.0
    return [max(MIN_TASK_TIME_S, limit * workers * e / total) for e in efforts]


def solver_version() -> str:
    """Return the OR-Tools version in use."""
    import ortools

    return str(ortools.__version__)


def solve_routes(
    tasks: Sequence[SolveTask],
    config: SolverConfig,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Assignment:
    """Solve all tasks, in parallel worker processes, within the stage's wall-clock guard.

    Parameters
    ----------
    tasks : sequence of SolveTask
    config : SolverConfig
        Search strategy, effort limit, ``time_limit_s`` (the whole stage) and ``workers``.
    progress : callable, optional
        Called with (done, total) as tasks finish.

    Returns
    -------
    Assignment
        One TaskResult per task, in the order of ``tasks``.

    Notes
    -----
    The guard rule: each task may run for :func:`task_limits` (with an effort limit, the
    whole ``time_limit_s``), and never past the stage's end, ``time_limit_s`` after it began;
    a task that starts when less is left gets what is left, at least ``MIN_TASK_TIME_S``.
    The effort limit stops every search long before either guard at default settings, so the
    number of workers and the speed of the machine do not change the result; the share of
    its guard each search used is in ``wall_s`` / ``guard_s`` (not part of equality).
    """
    started = time.monotonic()
    workers = config.workers or default_workers()
    limits = task_limits(tasks, config, workers)
    efforts = [estimate_effort(t, solution_count(config, t.doors)) for t in tasks]
    # Longest tasks first keeps the workers evenly busy to the end.
    order = sorted(range(len(tasks)), key=lambda i: (-efforts[i], tasks[i].key))
    results = run_parallel(
        _solve_job,
        list(zip(tasks, limits, strict=True)),
        shared=_Stage(config=config, deadline=started + config.time_limit_s),
        workers=workers,
        order=order,
        progress=progress,
    )
    assignment = Assignment(
        results=tuple(results),
        solver_version=solver_version(),
        wall_s=time.monotonic() - started,
        guard_s=config.time_limit_s,
    )
    worst = max(results, key=lambda r: r.guard_share, default=None)
    if worst is not None:
        logger.info(
            "solve: %d searches in %.1f s of the stage's %.0f s guard; the largest share of a "
            "search's guard used was %.3f (sub-problem %s, %.2f s of %.1f s)",
            len(results),
            assignment.wall_s,
            config.time_limit_s,
            worst.guard_share,
            worst.key,
            worst.wall_s,
            worst.guard_s,
        )
    return assignment
