"""berbagi: route and logistics planner for door-to-door food-aid days.

The public API; see README.md for the pipeline and the file formats.
"""

from optimizer.api import (
    PlanResult,
    compare_scenarios,
    plan_loaded,
    plan_scenario,
    plan_with_streets,
    size_scenario,
    write_outputs,
)
from optimizer.archive import read_plan_archive, write_plan_archive
from optimizer.areas import Boundaries, load_boundaries
from optimizer.compare import Comparison
from optimizer.config import GraphConfig, PlannerConfig, RenderConfig, SolverConfig
from optimizer.errors import (
    ConfigError,
    GraphError,
    InfeasibleError,
    Issue,
    PlanArchiveError,
    PlannerError,
    ScenarioError,
    SnappingError,
    UnreachableError,
)
from optimizer.geometry import Streets
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan
from optimizer.reasons import UnservedReason
from optimizer.roadgraph import RoadGraph, load_road_graph, save_road_graph, validate_road_graph
from optimizer.scenario import Scenario, load_scenario

__all__ = [
    "Boundaries",
    "Comparison",
    "ConfigError",
    "GraphConfig",
    "GraphError",
    "InfeasibleError",
    "Issue",
    "PipelineCache",
    "Plan",
    "PlanArchiveError",
    "PlanResult",
    "PlannerConfig",
    "PlannerError",
    "RenderConfig",
    "RoadGraph",
    "Scenario",
    "ScenarioError",
    "SnappingError",
    "SolverConfig",
    "Streets",
    "UnreachableError",
    "UnservedReason",
    "compare_scenarios",
    "load_boundaries",
    "load_road_graph",
    "load_scenario",
    "plan_loaded",
    "plan_scenario",
    "plan_with_streets",
    "read_plan_archive",
    "save_road_graph",
    "size_scenario",
    "validate_road_graph",
    "write_outputs",
    "write_plan_archive",
]
