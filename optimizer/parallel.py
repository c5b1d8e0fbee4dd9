"""Run independent jobs over worker processes, results in input order.

Workers are forked, so the large shared inputs (road graph, profile networks) are inherited
rather than pickled; only each job's item and result cross the process boundary.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Set in each worker by the pool initializer (and never in the parent process).
_worker_shared: object = None


def _init_worker(shared: object) -> None:
    global _worker_shared  # per-process state of a forked worker
    _worker_shared = shared


def _call(job: Callable[[object, Item], Result], item: Item) -> Result:
    return job(_worker_shared, item)


def default_workers() -> int:
    """Return the number of cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_parallel(
    job: Callable[[Any, Item], Result],
    items: Sequence[Item],
    *,
    shared: object,
    workers: int,
    order: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Apply ``job(shared, item)`` to every item, in parallel when ``workers`` > 1.

    Parameters
    ----------
    job : callable
        A module-level function (it is sent to the workers by reference).
    items : sequence
    shared : object
        Read-only data every job needs; inherited by forked workers, not copied per job.
    workers : int
        Processes to use; 1 runs everything in this process.
    order : sequence of int, optional
        Submission order (e.g. largest first); results still come back in ``items`` order.
    progress : callable, optional
        Called with (done, total) after each job.

    Returns
    -------
    list
        One result per item, in the order of ``items``.
    """
    total = len(items)
    sequence = list(order) if order is not None else list(range(total))
    results: list[Any] = [None] * total
    if workers <= 1 or total <= 1:
        for done, index in enumerate(sequence, start=1):
            results[index] = job(shared, items[index])
            if progress is not None:
                progress(done, total)
        return results
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=min(workers, total),
        mp_context=context,
        initializer=_init_worker,
        initargs=(shared,),
    ) as pool:
        futures = {pool.submit(_call, job, items[i]): i for i in sequence}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, total)
    return results
