"""The whole pipeline in one call: scenario file -> Plan (and its streets) -> output files.

inputs -> road graph -> profile networks -> snapping -> partition -> matrices
-> routing problem -> solve -> geometry -> plan -> render
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from optimizer.archive import read_plan_archive, write_plan_archive
from optimizer.compare import Comparison, build_comparison
from optimizer.config import RenderConfig, SolverConfig
from optimizer.errors import ConfigError
from optimizer.fleet import carry_roster, plan_carried, plan_from_roster, sized_plan
from optimizer.geometry import Streets
from optimizer.netcheck import coverage_notice, measure_coverage, refuse_uncovered
from optimizer.parallel import default_workers
from optimizer.pipeline import PipelineCache
from optimizer.plan import Plan
from optimizer.render.churn import write_churn
from optimizer.render.compare import write_comparison
from optimizer.render.fairshares import write_fairness
from optimizer.render.maps import render_map
from optimizer.render.pdf import write_team_sheets
from optimizer.render.phone import write_phone_pages
from optimizer.render.quality import write_needs_location, write_quality_report
from optimizer.render.report import write_plan_json
from optimizer.render.roster import write_roster_outputs
from optimizer.render.sheets import write_sheets
from optimizer.render.teamneeds import write_team_needs
from optimizer.roadgraph import load_road_graph
from optimizer.scenario import Scenario, load_scenario
from optimizer.scenario.quality import build_quality_report
from optimizer.stages import PlanResult as PlanResult
from optimizer.stages import Progress, StageClock, finish_plan, solve_scenario

logger = logging.getLogger(__name__)

#: Solver settings of ``--quick``: a fiftieth of the default effort per household, no floor.
QUICK_SETTINGS: dict[str, Any] = {"solutions_per_stop": 0.01, "min_solutions": 0}


def apply_solver_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """Return the scenario with solver settings replaced (CLI flags beat the TOML file).

    Raises
    ------
    ConfigError
        If a value is out of range or a key unknown; the message names the key and the rule.
    """
    if not overrides:
        return scenario
    current = scenario.config.solver.model_dump()
    try:
        solver = SolverConfig.model_validate({**current, **overrides})
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: "
            f"{e['msg'].removeprefix('Value error, ')} (got {e.get('input')!r})"
            for e in err.errors()
        )
        raise ConfigError(f"bad solver option: {problems}") from err
    config = scenario.config.model_copy(update={"solver": solver})
    return scenario.model_copy(update={"config": config})


def plan_loaded(
    scenario: Scenario,
    *,
    cache: PipelineCache | None = None,
    progress: Progress | None = None,
) -> PlanResult:
    """Plan a distribution day from a scenario already loaded: the in-memory entry point.

    Parameters
    ----------
    scenario : Scenario
        From :func:`optimizer.scenario.load_scenario` (with any changes made in memory, e.g.
        :func:`apply_solver_overrides`).
    cache : PipelineCache, optional
        Road graphs, boundaries, profile networks, snaps and matrices kept from earlier plans
        of this process; what this scenario shares with them is not built again. The plan is
        the same with or without it.
    progress : callable, optional
        Called with (stage, done, total) while long stages run.

    Returns
    -------
    PlanResult
        The plan (``stats`` holds wall time per stage and peak memory) and its streets.

    Raises
    ------
    ScenarioError
        A bad closure file (``[closures] roads``).
    GraphError
        Road network missing, damaged, or of another area than the scenario.
    SnappingError
        No team can leave any depot: no depot is on a road its teams' vehicles can use.
    UnreachableError
        Not a single household can be reached by road.
    InfeasibleError
        The solver found no solution for any sub-problem with households to route.
    """
    return _plan(scenario, cache if cache is not None else PipelineCache(), StageClock(progress))


def _load(
    scenario_path: Path,
    strict: bool,
    solver_overrides: dict[str, Any] | None,
    cache: PipelineCache,
    clock: StageClock,
) -> Scenario:
    """Load a scenario file (boundaries through the cache) and apply the solver overrides."""
    scenario = load_scenario(scenario_path, strict=strict, read_boundaries=cache.boundaries)
    scenario = apply_solver_overrides(scenario, solver_overrides or {})
    clock.lap("load inputs")
    return scenario


def _plan(scenario: Scenario, cache: PipelineCache, clock: StageClock) -> PlanResult:
    """Run every stage after loading: form teams from a roster, size them, or plan as given."""
    if scenario.people and scenario.previous_plan is not None:
        return carry_roster(scenario, cache, clock)
    if scenario.people:
        return plan_from_roster(scenario, cache, clock)
    if scenario.previous_plan is not None:
        return plan_carried(scenario, cache, clock)
    if scenario.fleet.size:
        return sized_plan(scenario, cache, clock, generate=False)
    return finish_plan(solve_scenario(scenario, cache, clock), cache, clock)


def plan_with_streets(
    scenario_path: Path,
    *,
    strict: bool = False,
    solver_overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    cache: PipelineCache | None = None,
) -> PlanResult:
    """Plan a distribution day from a scenario file, with the streets under the plan.

    Loads the scenario, applies the overrides, then runs :func:`plan_loaded`.

    Parameters
    ----------
    scenario_path : Path
        The scenario TOML file.
    strict : bool
        Refuse to plan when any household row is invalid (default: list them as unserved).
    solver_overrides : dict, optional
        SolverConfig fields that replace the scenario's (e.g. ``{"seed": 1}``).
    progress : callable, optional
        Called with (stage, done, total) while long stages run.
    cache : PipelineCache, optional
        Shared with other plans of this process (see :func:`plan_loaded`).

    Returns
    -------
    PlanResult
        The plan (``stats`` holds wall time per stage and peak memory) and its streets; pass
        both to :func:`write_outputs` to write the plan archive as well.

    Raises
    ------
    ScenarioError
        Bad scenario, input or closure files (every problem listed).
    ConfigError
        A solver override out of range.
    GraphError
        Road network missing, damaged, or of another area than the scenario.
    SnappingError
        No team can leave any depot: no depot is on a road its teams' vehicles can use.
    UnreachableError
        Not a single household can be reached by road.
    InfeasibleError
        The solver found no solution for any sub-problem with households to route.
    """
    clock = StageClock(progress)
    cache = cache if cache is not None else PipelineCache()
    scenario = _load(scenario_path, strict, solver_overrides, cache, clock)
    return _plan(scenario, cache, clock)


def size_scenario(
    scenario_path: Path,
    *,
    strict: bool = False,
    solver_overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
    cache: PipelineCache | None = None,
) -> PlanResult:
    """Find the fewest teams each desa needs, and the plan they make.

    Every depot is offered slots of each vehicle type sizing may call up (``[fleet]
    vehicles``, else the types the roster or the teams bring), whatever teams the scenario
    names; the search serves every door it can with as few people as it can
    (:mod:`optimizer.fleet`). ``plan.needs`` holds each desa's needs; :func:`write_outputs`
    writes them as team_needs.csv. Parameters and errors as for :func:`plan_with_streets`.
    """
    clock = StageClock(progress)
    cache = cache if cache is not None else PipelineCache()
    scenario = _load(scenario_path, strict, solver_overrides, cache, clock)
    return sized_plan(scenario, cache, clock, generate=True)


def plan_scenario(
    scenario_path: Path,
    *,
    strict: bool = False,
    solver_overrides: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan a distribution day from a scenario file.

    The plan of :func:`plan_with_streets`, without the streets.

    Parameters
    ----------
    scenario_path : Path
        The scenario TOML file.
    strict : bool
        Refuse to plan when any household row is invalid (default: list them as unserved).
    solver_overrides : dict, optional
        SolverConfig fields that replace the scenario's (e.g. ``{"seed": 1}``).
    progress : callable, optional
        Called with (stage, done, total) while long stages run.

    Returns
    -------
    Plan
        ``stats`` holds wall time per stage and peak memory.

    Raises
    ------
    ScenarioError
        Bad scenario or input files (every problem listed).
    ConfigError
        A solver override out of range.
    GraphError
        Road network missing, damaged, or of another area than the scenario.
    SnappingError
        No team can leave any depot: no depot is on a road its teams' vehicles can use.
    UnreachableError
        Not a single household can be reached by road.
    InfeasibleError
        The solver found no solution for any sub-problem with households to route.
    """
    return plan_with_streets(
        scenario_path, strict=strict, solver_overrides=solver_overrides, progress=progress
    ).plan


def compare_scenarios(
    paths: Sequence[Path],
    *,
    out: Path | None = None,
    strict: bool = False,
    solver_overrides: dict[str, Any] | None = None,
    sheets: bool = False,
    progress: Progress | None = None,
    cache: PipelineCache | None = None,
) -> Comparison:
    """Plan several scenarios with shared work and compare them against the first.

    The scenarios share one :class:`PipelineCache`: what their inputs have in common (road
    network, profile networks, snapping, travel-time matrices) is built once.

    Parameters
    ----------
    paths : sequence of Path
        Scenario files; the first is the baseline every difference is measured against.
    out : Path, optional
        When given: each scenario's plan in ``out/<scenario name>/`` (plan.json, CSVs, map,
        plan archive; the field pack too with ``sheets``, otherwise ``berbagi sheets`` makes it
        later) and ``compare.html``, ``compare.csv`` and ``compare.json`` in ``out``.
    strict, solver_overrides, progress
        As for :func:`plan_with_streets`, applied to every scenario.
    sheets : bool
        Also write each scenario's field pack (team PDFs, phone pages, desa packs).
    cache : PipelineCache, optional
        The cache the scenarios share (default: a new one); pass one to see what was reused.

    Returns
    -------
    Comparison

    Raises
    ------
    ConfigError
        No scenario, or two scenarios with the same ``[scenario] name`` while writing.
    ScenarioError, GraphError, SnappingError, UnreachableError, InfeasibleError
        As for :func:`plan_with_streets`, naming the scenario file.
    """
    if not paths:
        raise ConfigError("compare needs at least one scenario file; give two or more")
    cache = cache if cache is not None else PipelineCache()
    results = [
        plan_with_streets(
            path,
            strict=strict,
            solver_overrides=solver_overrides,
            progress=progress,
            cache=cache,
        )
        for path in paths
    ]
    logger.info("shared work: %s", cache.summary())
    plans = [r.plan for r in results]
    comparison = build_comparison(plans)
    if out is not None:
        names = [p.scenario for p in plans]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ConfigError(
                f"scenarios share the name {', '.join(repeated)}: their plans would overwrite "
                "each other; give each what-if its own [scenario] name"
            )
        for result in results:
            folder = out / result.plan.scenario
            write_outputs(result.plan, folder, streets=result.streets, field_pack=sheets)
        write_comparison(comparison, out, plans=plans)
    return comparison


def write_outputs(
    plan: Plan,
    folder: Path,
    *,
    config: RenderConfig | None = None,
    streets: Streets | None = None,
    field_pack: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write plan.json, routes.csv, unserved.csv and map.html into a folder, and the archive.

    Parameters
    ----------
    plan : Plan
    folder : Path
        Created when missing; existing files of the same names are replaced.
    config : RenderConfig, optional
        Render settings for every file instead of the plan's own (``plan.render``, the
        scenario's ``[render]`` table); plan.json records the settings used in ``meta.render``.
    streets : Streets, optional
        The streets under the plan (:attr:`PlanResult.streets`). When given, the plan archive
        (plan-full.json.gz and streets.npz, :func:`optimizer.archive.write_plan_archive`) is
        written too, so documents can be made later from the folder alone, and with it the
        field pack (:func:`write_field_pack`); the overview map then draws the streets.
    field_pack : bool
        With streets: also write the field pack (default). False leaves it for
        ``berbagi sheets`` to make later from the folder.
    workers : int, optional
        Processes for the field pack's PDFs (default: all cores).
    progress : callable, optional
        Called with (stage, done, total) while the field pack is written.

    Returns
    -------
    list of Path
    """
    if config is not None:
        plan = replace(plan, render=config)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_plan_json(plan, folder / "plan.json")]
    written += write_sheets(plan, folder)
    written += write_team_needs(plan, folder)
    written += write_roster_outputs(plan, folder)
    written += write_churn(plan, folder)
    written += write_fairness(plan, folder)
    written.append(render_map(plan, folder / "map.html", streets=streets))
    if streets is not None:
        written += write_plan_archive(plan, streets, folder)
        if field_pack:
            written += write_field_pack(plan, streets, folder, workers=workers, progress=progress)
    return written


def write_field_pack(
    plan: Plan,
    streets: Streets,
    folder: Path,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write what team leads carry: a PDF and a phone page per team, a PDF pack per desa.

    Parameters
    ----------
    plan : Plan
        Its ``render`` settings choose the language and how names show.
    streets : Streets
        The roads drawn under every route.
    folder : Path
        Receives ``teams/<team>.pdf``, ``teams/<team>.html`` and ``desa/<desa code>.pdf``.
    workers : int, optional
        Processes for the PDFs (default: all cores).
    progress : callable, optional
        Called with ("sheets", desa done, desa in all) while the PDFs are written.

    Returns
    -------
    list of Path
    """
    report = None if progress is None else (lambda done, total: progress("sheets", done, total))
    written = write_team_sheets(
        plan, streets, folder, workers=workers or default_workers(), progress=report
    )
    written += write_phone_pages(plan, streets, folder)
    return written


def write_sheets_from_folder(
    folder: Path, *, out: Path | None = None, workers: int | None = None
) -> list[Path]:
    """Make the field pack again from a plan folder alone (``berbagi sheets PLAN_DIR``).

    Parameters
    ----------
    folder : Path
        A folder ``berbagi plan`` wrote (it holds plan-full.json.gz and streets.npz).
    out : Path, optional
        Where to write (default: the plan folder itself).
    workers : int, optional
        Processes for the PDFs (default: all cores).

    Returns
    -------
    list of Path

    Raises
    ------
    PlanArchiveError
        The folder holds no plan archive, or a broken one.
    """
    plan, streets = read_plan_archive(folder)
    target = out if out is not None else folder
    target.mkdir(parents=True, exist_ok=True)
    return write_field_pack(plan, streets, target, workers=workers)


def write_check_report(scenario: Scenario, folder: Path, *, full: bool = True) -> list[Path]:
    """Write the data-quality report of a loaded scenario (what ``berbagi check`` writes).

    Parameters
    ----------
    scenario : Scenario
    folder : Path
        Created when missing.
    full : bool
        Write quality.html and quality.csv as well as needs_location.csv (default); when
        false, only needs_location.csv.

    Returns
    -------
    list of Path
    """
    report = build_quality_report(scenario)
    if full:
        return write_quality_report(report, folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_needs_location(report, folder / "needs_location.csv")]


def check_network(scenario: Scenario) -> list[str]:
    """Check that the scenario's road network covers its depots and households.

    Loads ``[inputs] road_network`` (as a plan does) and measures how many depots and
    households lie outside the network's extent or farther than ``[graph] max_snap_m`` from
    any of its roads (:func:`optimizer.netcheck.measure_coverage`).

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.

    Returns
    -------
    list of str
        A notice when some sites are outside or far (the plan lists those households as
        unserved); empty when the network covers every site.

    Raises
    ------
    GraphError
        The network file is missing or damaged, or it does not cover the scenario: no depot,
        or more than half of the households, outside it or far from its roads. The message
        names the file, the counts, both extents and the likely cause.
    """
    coverage = measure_coverage(scenario, load_road_graph(Path(scenario.road_network)))
    refuse_uncovered(coverage)
    notice = coverage_notice(coverage)
    return [notice] if notice is not None else []
