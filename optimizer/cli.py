"""Command line: argument parsing, logging, progress display and exit codes; calls the API only.

Exit codes: 0 ok, 1 internal error (a bug: please report it), 2 input or configuration error,
3 road graph, snapping or reachability error, 4 no plan could be found.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from optimizer.errors import (
    ConfigError,
    GraphError,
    InfeasibleError,
    PlannerError,
    ScenarioError,
    SnappingError,
    UnreachableError,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = Path("scenarios/banyuwangi.toml")
DEFAULT_NETWORK = PROJECT_ROOT / "maps" / "demo" / "banyuwangi_demo_network.npz"
DEFAULT_DEMO_FOLDER = PROJECT_ROOT / "scenarios" / "data" / "banyuwangi"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="berbagi: route plans for door-to-door food-aid days.",
)
maps_app = typer.Typer(no_args_is_help=True, help="Road networks and base-map data.")
demo_app = typer.Typer(no_args_is_help=True, help="Synthetic demonstration data.")
app.add_typer(maps_app, name="maps")
app.add_typer(demo_app, name="demo")
console = Console(stderr=True)
out = Console()


def _exit_code(err: PlannerError) -> int:
    if isinstance(err, ScenarioError | ConfigError):
        return 2
    if isinstance(err, GraphError | SnappingError | UnreachableError):
        return 3
    if isinstance(err, InfeasibleError):
        return 4
    return 1


@contextmanager
def _handled(debug: bool) -> Iterator[None]:
    """Map our errors to exit codes; never show a traceback for user errors."""
    try:
        yield
    except PlannerError as err:
        console.print(f"[bold red]error:[/] {err}", highlight=False, markup=False)
        raise typer.Exit(_exit_code(err)) from None
    except KeyboardInterrupt:
        console.print("interrupted")
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as err:
        if debug:
            traceback.print_exc()
        console.print(
            f"[bold red]internal error:[/] {type(err).__name__}: {err}\n"
            "This is a bug in berbagi, not in your data. Re-run with --debug and report the "
            "output.",
            highlight=False,
        )
        raise typer.Exit(1) from None


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False, show_time=False)],
        force=True,
    )


def _resolve_scenario(path: Path) -> Path:
    if path.exists() or path.is_absolute():
        return path
    bundled = PROJECT_ROOT / path
    return bundled if bundled.exists() else path


@contextmanager
def _progress(mode: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress display: "bar" on a terminal, "lines" (a line per quarter) otherwise, or "off"."""
    if mode == "off":
        yield None
        return
    if mode == "lines":
        shown: dict[str, int] = {}

        def line(stage: str, done: int, total: int) -> None:
            quarter = 4 * done // max(total, 1)
            if quarter > shown.get(stage, -1):
                shown[stage] = quarter
                console.print(f"{stage}: {done}/{total}", highlight=False)

        yield line
        return
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


@app.command()
def plan(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")] = DEFAULT_SCENARIO,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default out/<scenario name>).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(help="Stop on any invalid household row instead of listing it as unserved."),
    ] = False,
    seed: Annotated[int | None, typer.Option(help="Solver seed (default from scenario).")] = None,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", help="Wall-clock budget of the solve stage in seconds."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = False,
    verbose: Annotated[bool, typer.Option(help="Log each stage.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Plan a distribution day: every household in one route, or listed as unserved."""
    from optimizer.api import plan_scenario, write_outputs

    _setup_logging(verbose)
    overrides: dict[str, Any] = {}
    for key, value in (("seed", seed), ("time_limit_s", time_limit), ("workers", workers)):
        if value is not None:
            overrides[key] = value
    with _handled(debug):
        path = _resolve_scenario(scenario)
        started = time.perf_counter()
        mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "lines")
        with _progress(mode) as progress:
            result = plan_scenario(
                path, strict=strict, solver_overrides=overrides, progress=progress
            )
        folder = out_dir or Path("out") / result.scenario
        written = write_outputs(result, folder)
        out.print(result.summary(), highlight=False)
        for warning in result.warnings:
            out.print(f"warning: {warning}", highlight=False)
        out.print(f"Wrote {', '.join(str(p) for p in written)}", highlight=False)
        if result.stats is not None:
            stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.stats.stage_seconds.items())
            out.print(
                f"Time {time.perf_counter() - started:.1f}s ({stages}); peak memory "
                f"{result.stats.peak_memory_mb:.0f} MB",
                highlight=False,
            )


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")] = DEFAULT_SCENARIO,
    strict: Annotated[bool, typer.Option(help="Treat invalid household rows as errors.")] = False,
) -> None:
    """Validate a scenario and its files without planning."""
    from optimizer.scenario import load_scenario

    _setup_logging(False)
    with _handled(False):
        loaded = load_scenario(_resolve_scenario(scenario), strict=strict)
        out.print(
            f"{loaded.name}: {len(loaded.households)} households to plan, "
            f"{len(loaded.rejected)} invalid row(s), {loaded.excluded_by_filter} outside "
            f"the filter; {len(loaded.depots)} depots, {len(loaded.teams)} teams."
        )
        for row in loaded.rejected:
            out.print(
                f"  row {row.row} ({row.household_id or 'no id'}): {row.reason}", highlight=False
            )


@maps_app.command("build-demo")
def build_demo_network_command(
    output: Annotated[Path, typer.Option("--out", help="Target .npz file.")] = DEFAULT_NETWORK,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Generate the SYNTHETIC demonstration road network on the real boundaries."""
    from optimizer.areas import load_boundaries
    from optimizer.demo.network import build_demo_network
    from optimizer.roadgraph import save_road_graph

    _setup_logging(True)
    with _handled(False):
        graph = build_demo_network(
            load_boundaries(), seed=seed, progress=lambda text: console.print(text)
        )
        path = save_road_graph(graph, output)
        out.print(
            f"Wrote {path}: {graph.n_nodes} nodes, {graph.n_edges} directed edges (synthetic)."
        )


@demo_app.command("build")
def build_demo_population_command(
    network: Annotated[Path, typer.Option(help="Demo road network (.npz).")] = DEFAULT_NETWORK,
    folder: Annotated[Path, typer.Option("--out", help="Output folder.")] = DEFAULT_DEMO_FOLDER,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Generate the SYNTHETIC demo households, depots and teams on the demo network."""
    from optimizer.areas import load_boundaries
    from optimizer.demo.population import (
        build_demo_population,
        write_demo_population,
    )
    from optimizer.roadgraph import load_road_graph

    _setup_logging(True)
    with _handled(False):
        population = build_demo_population(load_road_graph(network), load_boundaries(), seed=seed)
        for path in write_demo_population(population, folder):
            out.print(f"Wrote {path}")


def main() -> None:
    """Entry point of the ``berbagi`` command."""
    app()
