"""Scenario intake: the TOML file and the register, depot and team files it names -> Scenario.

Modules, in reading order: ``schema`` (the TOML tables), ``readers`` (CSV dialects and Excel
workbooks as text cells), ``columns`` (product columns, Indonesian headers, ``[inputs.columns]``),
``fields`` (one validator per kind of cell), ``regency`` (desa lookups, point-in-regency),
``merge`` (``extends``: the chain of files, deep-merged), ``households`` / ``locate`` /
``depots`` / ``teams`` / ``roster`` (rows -> values), ``whatif`` (``[teams]`` and
``[closures]``), ``load`` (all of it -> Scenario), ``quality`` (the data-quality figures
``berbagi check`` reports).
"""

from optimizer.scenario.columns import HOUSEHOLD_COLUMNS
from optimizer.scenario.fields import MAX_PACKAGES_PER_HOUSEHOLD, PRIORITY_NO, PRIORITY_YES
from optimizer.scenario.load import load_scenario
from optimizer.scenario.merge import MergedScenario, format_merged, read_merged_scenario
from optimizer.scenario.model import (
    ColumnUse,
    DayRules,
    Depot,
    Household,
    Person,
    RejectedRow,
    Scenario,
    Team,
)
from optimizer.scenario.schema import ScenarioFile, VehicleType

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "MAX_PACKAGES_PER_HOUSEHOLD",
    "PRIORITY_NO",
    "PRIORITY_YES",
    "ColumnUse",
    "DayRules",
    "Depot",
    "Household",
    "MergedScenario",
    "Person",
    "RejectedRow",
    "Scenario",
    "ScenarioFile",
    "Team",
    "VehicleType",
    "format_merged",
    "load_scenario",
    "read_merged_scenario",
]
