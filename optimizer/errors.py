"""Exception hierarchy of the planner.

Every message follows one formula: *where* (file, row, field), *what* (the value and the rule
it breaks) and *how to fix it*. Rows are 1-based data rows; the header row is not counted.

An exception means no useful plan can be made: bad input files or settings, an unusable road
network, or nothing at all that could be planned. A partial plan is a normal result: every
household not in a route is listed as unserved with its reason. There is no warning class:
what a planner should look at but that does not stop the plan (a long walk from the road, a
depot some teams cannot start from, a search cut short) is collected in ``Plan.warnings``,
which the command line prints and plan.json carries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One problem found in an input file.

    Attributes
    ----------
    source : str
        File name (or scenario key) where the problem is.
    row : int or None
        1-based data row (header excluded), or None for file-level problems.
    field : str or None
        Column or key name.
    message : str
        What is wrong and how to fix it.
    """

    source: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f" row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class ScenarioError(PlannerError, ValueError):
    """Bad input files: holds every Issue found, raised once per file set."""

    def __init__(self, issues: list[Issue] | tuple[Issue, ...], *, headline: str = "") -> None:
        self.issues = tuple(issues)
        head = headline or f"{len(self.issues)} problem(s) in the scenario input"
        lines = [head + ":"] + [f"  - {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))


class ConfigError(PlannerError, ValueError):
    """Unknown configuration key or value out of range."""


class GraphError(PlannerError):
    """Road graph missing, unreadable, download failed, or its contract is broken."""


class SnappingError(PlannerError):
    """No team can leave any depot: no depot lies on a road its own teams' vehicles can use.

    Raised (by :func:`optimizer.snapping.check_depot_snaps`) only when this stops the whole
    plan: every team's depot is farther than ``[graph] max_snap_m`` from the roads of the
    team's vehicle profile, usually because the road network does not cover the scenario's area
    or the depot coordinates are wrong. One depot off the road while others work is not an
    error: its desa's households are listed unserved (``unreachable``) and the plan warns.
    A household too far from a road is never an error on its own either (``too_far_from_road``).
    """


class UnreachableError(PlannerError):
    """Not a single household of the scenario can be reached by road.

    Raised by the assembly when every household to plan was found unreachable by the screening
    (too far from a road its teams' vehicles can use, or next to a road cut off from its
    depot), so the plan would have no route at all. One unreachable household among others is
    a normal result: it is listed unserved with its reason.
    """


class InfeasibleError(PlannerError):
    """The solver returned no solution for any sub-problem, so nothing could be planned.

    Raised by the assembly when every sub-problem that had households to route ended with
    status ``no_solution``. A sub-problem without a solution next to others that have one is a
    partial plan, not an error: its households are listed unserved with the reason.

    Attributes
    ----------
    status : str
        The solver status of the failed searches (``no_solution``).
    causes : tuple of str
        The likely causes, most likely first.
    """

    def __init__(
        self, message: str, *, status: str = "no_solution", causes: tuple[str, ...] = ()
    ) -> None:
        self.status = status
        self.causes = causes
        super().__init__(message)


class PlanArchiveError(PlannerError, ValueError):
    """A plan folder's archive (``plan-full.json.gz``, ``streets.npz``) is missing or unusable.

    Raised by :func:`optimizer.archive.read_plan_archive` when documents are made later from
    an existing plan folder and a file is absent, damaged, of another format or from another
    program. The message names the file and what is wrong; the fix is to plan again
    (``berbagi plan SCENARIO --out FOLDER``), which writes a fresh archive.
    """
