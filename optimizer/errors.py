"""Exception and warning hierarchy of the planner.

Every message follows one formula: *where* (file, row, field), *what* (the value and the rule
it breaks) and *how to fix it*. Rows are 1-based data rows; the header row is not counted.
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
    """A stop cannot be placed on the road network."""


class UnreachableError(PlannerError):
    """A stop cannot be reached on the road network."""


class InfeasibleError(PlannerError):
    """The solver returned nothing; holds the status and likely causes."""


class PlannerWarning(UserWarning):
    """Suspicious but solvable input (long snaps, huge values)."""
