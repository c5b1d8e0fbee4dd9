"""Command line: argument parsing, logging, progress display and exit codes; calls the API only.

Exit codes: 0 ok (a plan, possibly with unserved households), 1 internal error (a bug: please
report it), 2 input or configuration error, 3 road network missing, unreadable or broken
(``GraphError``), no team can leave any depot (``SnappingError``) or no household can be reached
by road (``UnreachableError``), 4 the solver found no solution for any sub-problem
(``InfeasibleError``).
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from optimizer.areas import bundled_demo_network
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

# Paths of the repository's layout count from the current folder (its root, in a checkout);
# the data shipped with the package (boundaries, demo network) comes from the package itself.
DEFAULT_SCENARIO = Path("scenarios/banyuwangi.toml")
#: The SYNTHETIC demo road network shipped with the package: read it, never write it.
DEFAULT_NETWORK = bundled_demo_network()
#: Where ``maps build-demo`` writes: the repository's copy, run from its root.
DEMO_NETWORK_TARGET = Path("maps/demo") / DEFAULT_NETWORK.name
DEFAULT_DEMO_FOLDER = Path("scenarios/data/banyuwangi")
MAPS_DEMO_DIR = DEFAULT_NETWORK.parent
MAPS_CACHE_DIR = Path("maps/cache")

if TYPE_CHECKING:
    from optimizer.scenario import Scenario

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
    """Exit code of an error (module docstring); 1 for any other PlannerError."""
    if isinstance(err, ScenarioError | ConfigError | PlanArchiveError):
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
        console.print("error:", style="bold red", end=" ")
        console.print(str(err), highlight=False, markup=False)
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
    """Return the scenario file to load; a clear error when the default is not in this folder."""
    if path == DEFAULT_SCENARIO and not path.is_file():
        issue = Issue(
            source=str(path),
            row=None,
            field=None,
            message=f"no scenario file was given and the default {path} is not in the current "
            f"folder ({Path.cwd()}); name one after the command (for example berbagi plan "
            "PATH/TO/scenario.toml) or run berbagi from the folder holding scenarios/ (the root "
            "of the berbagi repository)",
        )
        raise ScenarioError([issue], headline="no scenario file")
    return path


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


def _written_summary(written: list[Path], folder: Path) -> str:
    """Name the files written at the top of the folder; count those in its sub-folders."""
    top = [str(p) for p in written if p.parent == folder]
    grouped: dict[str, int] = {}
    for path in written:
        if path.parent != folder:
            key = f"{path.parent}/*{path.suffix}"
            grouped[key] = grouped.get(key, 0) + 1
    return ", ".join(top + [f"{key} ({count})" for key, count in grouped.items()])


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
        typer.Option(
            "--time-limit",
            help="Wall-clock safety net of the solve stage in seconds (default 900); searches "
            "normally stop by their effort limit long before it.",
        ),
    ] = None,
    time_budget: Annotated[
        float | None,
        typer.Option(
            "--time-budget",
            help="Wall-clock budget of the whole run in seconds; the solver gets what is left.",
        ),
    ] = None,
    objective: Annotated[
        str | None,
        typer.Option(help="total_time, cost or fair (default from scenario)."),
    ] = None,
    quick: Annotated[
        bool, typer.Option(help="A fiftieth of the search effort: a draft plan in seconds.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = False,
    verbose: Annotated[bool, typer.Option(help="Log each stage.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Plan a distribution day: every household in one route, or listed as unserved."""
    from optimizer.api import QUICK_SETTINGS, plan_with_streets, write_outputs

    _setup_logging(verbose)
    overrides: dict[str, Any] = dict(QUICK_SETTINGS) if quick else {}
    for key, value in (
        ("seed", seed),
        ("time_limit_s", time_limit),
        ("time_budget_s", time_budget),
        ("objective", objective),
        ("workers", workers),
    ):
        if value is not None:
            overrides[key] = value
    with _handled(debug):
        path = _resolve_scenario(scenario)
        started = time.perf_counter()
        mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "lines")
        with _progress(mode) as progress:
            planned = plan_with_streets(
                path, strict=strict, solver_overrides=overrides, progress=progress
            )
            result = planned.plan
            folder = out_dir or Path("out") / result.scenario
            written = write_outputs(
                result, folder, streets=planned.streets, workers=workers, progress=progress
            )
        out.print(result.summary(), highlight=False, markup=False)
        for warning in result.warnings:
            out.print(f"warning: {warning}", highlight=False, markup=False)
        out.print(f"Wrote {_written_summary(written, folder)}", highlight=False, markup=False)
        if result.stats is not None:
            stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.stats.stage_seconds.items())
            out.print(
                f"Time {time.perf_counter() - started:.1f}s ({stages}); peak memory "
                f"{result.stats.peak_memory_mb:.0f} MB",
                highlight=False,
            )


@app.command()
def size(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")] = DEFAULT_SCENARIO,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default out/<scenario name>-size)."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(help="Stop on any invalid household row instead of listing it as unserved."),
    ] = False,
    quick: Annotated[
        bool, typer.Option(help="A fiftieth of the search effort: a draft answer in seconds.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bars.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Find how many teams of each vehicle type every desa needs; write team_needs.csv."""
    from optimizer.api import QUICK_SETTINGS, size_scenario, write_outputs

    _setup_logging(False)
    overrides: dict[str, Any] = dict(QUICK_SETTINGS) if quick else {}
    if workers is not None:
        overrides["workers"] = workers
    with _handled(debug):
        path = _resolve_scenario(scenario)
        started = time.perf_counter()
        mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "lines")
        with _progress(mode) as progress:
            sized = size_scenario(
                path, strict=strict, solver_overrides=overrides, progress=progress
            )
            folder = out_dir or Path("out") / f"{sized.plan.scenario}-size"
            written = write_outputs(sized.plan, folder, streets=sized.streets, field_pack=False)
        out.print(sized.plan.summary(), highlight=False, markup=False)
        out.print(f"Wrote {_written_summary(written, folder)}", highlight=False, markup=False)
        out.print(f"Time {time.perf_counter() - started:.1f}s", highlight=False)


#: Rejected rows printed by ``check``; the rest are in the report files.
CHECK_ROWS_SHOWN = 30


def _print_columns(loaded: Scenario) -> None:
    for use in loaded.columns:
        where = use.file + (f", sheet '{use.sheet}'" if use.sheet else "")
        dialect = f"{use.encoding}, separator {use.delimiter!r}" if use.delimiter else use.encoding
        pairs = ", ".join(
            name if name == header else f"{name} <- '{header}'" for name, header in use.mapping
        )
        out.print(f"  {use.input} ({where}; {dialect}): {pairs}", highlight=False, markup=False)
        if use.ignored:
            out.print(f"    not used: {', '.join(use.ignored)}", highlight=False, markup=False)


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file.")] = DEFAULT_SCENARIO,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Write quality.html, quality.csv and needs_location.csv (per desa) here "
            "(default: needs_location.csv only, in out/<scenario name>/)."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option(help="Treat invalid household rows as errors.")] = False,
    show_merged: Annotated[
        bool,
        typer.Option(
            help="First print the scenario as read after 'extends' (the chain of files, then "
            "the merged tables as TOML)."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Validate a scenario, its files and its road network without planning; report per desa."""
    from optimizer.api import check_network, write_check_report
    from optimizer.scenario import format_merged, load_scenario, read_merged_scenario

    _setup_logging(False)
    with _handled(debug):
        if show_merged:
            merged = format_merged(read_merged_scenario(_resolve_scenario(scenario)))
            out.print(merged, highlight=False, markup=False, soft_wrap=True)
        loaded = load_scenario(_resolve_scenario(scenario), strict=strict)
        approximate = sum(1 for h in loaded.households if h.approximate)
        out.print(
            f"{loaded.name}: {len(loaded.households)} households to plan ({approximate} at an "
            f"approximate position), {len(loaded.rejected)} row(s) that cannot be planned, "
            f"{loaded.excluded_by_filter} outside the filter; {len(loaded.depots)} depots, "
            f"{len(loaded.teams)} teams.",
            highlight=False,
            markup=False,
        )
        out.print("Columns read:", highlight=False)
        _print_columns(loaded)
        for notice in loaded.notices:
            out.print(f"notice: {notice}", highlight=False, markup=False)
        for row in loaded.rejected[:CHECK_ROWS_SHOWN]:
            out.print(
                f"  row {row.row} ({row.household_id or 'no id'}) [{row.code}]: {row.reason}",
                highlight=False,
                markup=False,
            )
        if len(loaded.rejected) > CHECK_ROWS_SHOWN:
            out.print(
                f"  ... and {len(loaded.rejected) - CHECK_ROWS_SHOWN} more (see quality.csv "
                "with --report)",
                highlight=False,
            )
        folder = report if report is not None else Path("out") / loaded.name
        written = write_check_report(loaded, folder, full=report is not None)
        out.print(f"Wrote {', '.join(str(p) for p in written)}", highlight=False, markup=False)
        for notice in check_network(loaded):
            out.print(f"notice: {notice}", highlight=False, markup=False)


@app.command()
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario files; the first is the baseline.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for compare.html/.csv/.json and the plans.")
    ] = Path("out/compare"),
    quick: Annotated[
        bool, typer.Option(help="A fiftieth of the search effort: a draft comparison.")
    ] = False,
    sheets: Annotated[
        bool, typer.Option(help="Also write each scenario's team PDFs and phone pages.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress lines.")] = False,
    verbose: Annotated[bool, typer.Option(help="Log each stage.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Plan several scenarios and compare them side by side (differences against the first)."""
    from optimizer.api import QUICK_SETTINGS, compare_scenarios
    from optimizer.render.compare import format_comparison_table

    _setup_logging(verbose)
    with _handled(debug):
        started = time.perf_counter()
        paths = [_resolve_scenario(path) for path in scenarios]
        mode = "off" if quiet else ("bar" if sys.stderr.isatty() else "lines")
        with _progress(mode) as progress:
            comparison = compare_scenarios(
                paths,
                out=out_dir,
                solver_overrides=dict(QUICK_SETTINGS) if quick else None,
                sheets=sheets,
                progress=progress,
            )
        out.print(format_comparison_table(comparison))
        out.print(
            f"Wrote {out_dir}/compare.html, compare.csv, compare.json and one folder per "
            f"scenario in {time.perf_counter() - started:.1f}s.",
            highlight=False,
            markup=False,
        )


@app.command()
def sheets(
    plan_dir: Annotated[
        Path, typer.Argument(help="A plan folder written by 'berbagi plan' (out/<scenario>).")
    ],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Where to write (default: the plan folder).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Make the field pack again from a plan folder: team PDFs, phone pages, desa packs."""
    from optimizer.api import write_sheets_from_folder

    _setup_logging(False)
    with _handled(debug):
        started = time.perf_counter()
        written = write_sheets_from_folder(plan_dir, out=out_dir, workers=workers)
        pdfs = sum(1 for p in written if p.suffix == ".pdf")
        pages = sum(1 for p in written if p.suffix == ".html")
        target = out_dir if out_dir is not None else plan_dir
        out.print(
            f"Wrote {pdfs} PDF(s) and {pages} phone page(s) into {target}/teams and "
            f"{target}/desa in {time.perf_counter() - started:.1f}s.",
            highlight=False,
            markup=False,
        )


@maps_app.command("build-demo")
def build_demo_network_command(
    output: Annotated[Path, typer.Option("--out", help="Target .npz file.")] = DEMO_NETWORK_TARGET,
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


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False)


def _print_written(paths: list[Path], nodes: int, edges: int, attribution: str) -> None:
    """Tell where a real road network was saved and how a scenario uses it."""
    import os

    for path in paths:
        out.print(
            f"Wrote {path}: {nodes:,} nodes, {edges:,} directed edges ({attribution}).",
            markup=False,
            highlight=False,
        )
    target = paths[-1].resolve()
    # A relative road_network counts from the scenario file's own folder, wherever that is:
    # show the absolute path, and the relative one only for a scenarios/ folder right here.
    scenarios = Path("scenarios").resolve()
    relative = ""
    if scenarios.is_dir() and target.is_relative_to(Path.cwd().resolve()):
        shown = Path(os.path.relpath(target, scenarios)).as_posix()
        relative = f'\n(or, for a scenario file in {scenarios}: road_network = "{shown}")'
    out.print(
        "To plan on it, set in the scenario file (a relative path counts from the folder of "
        f'the scenario file):\n  [inputs] road_network = "{target.as_posix()}"{relative}',
        markup=False,
        highlight=False,
    )


#: Help of ``--buffer-m`` (the default is :data:`optimizer.osm.DEFAULT_CLIP_BUFFER_M`).
_BUFFER_HELP = (
    "Metres of road kept around the area, so streets that leave it and come back stay whole "
    "(default 3000; 0: the exact outline). Households are still planned only inside their desa."
)
_BOUNDARIES_HELP = (
    "Folder of another regency's boundary GeoJSON files (kabupaten, kecamatan, desa); "
    "default: the bundled Banyuwangi boundaries."
)


def _clip_buffer(buffer_m: float | None) -> float:
    """Return the clip margin to use: the option's value (checked) or the default."""
    from optimizer.osm import DEFAULT_CLIP_BUFFER_M, check_clip_buffer

    value = float(DEFAULT_CLIP_BUFFER_M) if buffer_m is None else buffer_m
    check_clip_buffer(value, option="--buffer-m")
    return value


@maps_app.command("download")
def download_network_command(
    area: Annotated[
        str, typer.Option(help="'kabupaten', a kecamatan name or a desa code.")
    ] = "kabupaten",
    network: Annotated[
        str, typer.Option(help="Ways to fetch: all, car, motorbike or foot.")
    ] = "all",
    buffer_m: Annotated[float | None, typer.Option("--buffer-m", help=_BUFFER_HELP)] = None,
    boundaries: Annotated[Path | None, typer.Option(help=_BOUNDARIES_HELP, file_okay=False)] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Also save the network to this .npz file.")
    ] = None,
    overpass_url: Annotated[
        str | None,
        typer.Option(
            "--overpass-url", help="Overpass API base URL (default https://overpass-api.de/api)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option(help="Log each stage.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Download the real OpenStreetMap roads of an area (needs internet; kept in maps/cache)."""
    from optimizer.areas import load_boundaries
    from optimizer.osm import download_road_network
    from optimizer.roadgraph import save_road_graph

    _setup_logging(verbose)
    with _handled(debug):
        margin = _clip_buffer(buffer_m)
        selected = load_boundaries(boundaries).select(area)
        graph, path = download_road_network(
            selected,
            cache_dir=MAPS_CACHE_DIR,
            network=network,
            buffer_m=margin,
            overpass_url=overpass_url,
            progress=_say,
        )
        paths = [path] if output is None else [path, save_road_graph(graph, output)]
        _print_written(paths, graph.n_nodes, graph.n_edges, graph.info.attribution)


@maps_app.command("import")
def import_network_command(
    file: Annotated[
        Path, typer.Argument(help="OpenStreetMap extract: .osm, .osm.pbf or osmnx .graphml.")
    ],
    clip: Annotated[
        str | None,
        typer.Option(
            help="Keep only the roads of this area and around it: 'kabupaten', a kecamatan "
            "name or a desa code."
        ),
    ] = None,
    buffer_m: Annotated[float | None, typer.Option("--buffer-m", help=_BUFFER_HELP)] = None,
    boundaries: Annotated[Path | None, typer.Option(help=_BOUNDARIES_HELP, file_okay=False)] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Target .npz file (default maps/cache/<name>-<clip>.npz, "
            "<name>-<clip>-<N>m.npz with another --buffer-m).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option(help="Log each stage.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Import an OpenStreetMap extract file (works offline) into the planner's .npz form."""
    from optimizer.areas import load_boundaries
    from optimizer.osm import import_road_network, write_import_metadata
    from optimizer.roadgraph import save_road_graph

    _setup_logging(verbose)
    with _handled(debug):
        margin = _clip_buffer(buffer_m)
        if clip is None and (buffer_m is not None or boundaries is not None):
            _say("--buffer-m and --boundaries only matter with --clip: importing the whole file")
        area = load_boundaries(boundaries).select(clip) if clip is not None else None
        graph = import_road_network(file, clip=area, buffer_m=margin, progress=_say)
        if output is None:
            output = MAPS_CACHE_DIR / _import_name(file, clip, buffer_m)
        path = save_road_graph(graph, output)
        write_import_metadata(graph, path, file)
        _print_written([path], graph.n_nodes, graph.n_edges, graph.info.attribution)


def _import_name(file: Path, clip: str | None, buffer_m: float | None) -> str:
    """Default file name of an import: extract, clip area and a margin other than the default."""
    from optimizer.osm import DEFAULT_CLIP_BUFFER_M, extract_stem

    if clip is None:
        return f"{extract_stem(file)}.npz"
    suffix = "-" + "-".join(clip.strip().lower().split())
    if buffer_m is not None and buffer_m != DEFAULT_CLIP_BUFFER_M:
        suffix += f"-{buffer_m:g}m"
    return f"{extract_stem(file)}{suffix}.npz"


def _find_network(name: str | None) -> Path:
    """Find a network file given by path, or by name: shipped (maps/demo) or in maps/cache."""
    if name is None:
        return DEFAULT_NETWORK
    given = Path(name)
    if given.is_file():
        return given
    folders = (MAPS_DEMO_DIR, MAPS_CACHE_DIR)
    for folder in folders:
        for candidate in (folder / name, folder / f"{name}.npz"):
            if candidate.is_file():
                return candidate
    known = sorted(
        p.name
        for folder in folders
        if folder.is_dir()
        for p in folder.iterdir()
        if p.suffix in (".npz", ".graphml") and not p.name.startswith(".")
    )
    raise GraphError(
        f"road network '{name}' is neither a file nor in maps/demo or maps/cache (the demo "
        f"network shipped with berbagi, and {MAPS_CACHE_DIR.absolute()}); give a path or one "
        f"of: {', '.join(known) or 'none yet (berbagi maps download / import)'}"
    )


def _profile_roads_text(roads: dict[str, Any]) -> str:
    """``12.3 of 14.1 km usable (87.2 %); 2 dead ends, 0 cut-off nodes`` for one profile."""
    usable, total = float(roads["usable_km"]), float(roads["total_km"])
    share = f" ({usable / total:.1%})" if total > 0 else ""
    restricted = ""
    if roads.get("delivery_km") or roads.get("destination_km"):
        restricted = (
            f"; {float(roads['delivery_km']):,.1f} km for deliveries only, "
            f"{float(roads['destination_km']):,.1f} km for destination traffic only"
        )
    return (
        f"{usable:,.1f} of {total:,.1f} km of its roads usable{share}; "
        f"{roads['dead_ends']:,} dead end(s), {roads['cut_off_nodes']:,} cut-off node(s)"
        f"{restricted}"
    )


def _print_network_info(path: Path, figures: dict[str, Any]) -> None:
    from rich.table import Table

    synthetic = figures["synthetic"]
    table = Table(title=f"Road network {path}", show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("Name", str(figures["name"]))
    table.add_row("Source", str(figures["source"]))
    table.add_row(
        "Synthetic", "YES: synthetic demonstration data, not real roads" if synthetic else "no"
    )
    for key in ("licence", "attribution", "created", "area", "notes"):
        if figures[key]:
            table.add_row(key.capitalize(), str(figures[key]))
    table.add_row("Nodes", f"{figures['nodes']:,}")
    table.add_row(
        "Directed edges", f"{figures['directed_edges']:,} ({figures['oneway_edges']:,} one-way)"
    )
    table.add_row("Road length", f"{figures['road_km']:,.1f} km (two-way streets counted once)")
    table.add_row("Turn rules", f"{figures['turn_bans']:,} banned turn(s) for vehicles")
    table.add_row(
        "Connected parts",
        f"{figures['weak_components']:,} weakly (largest {figures['largest_weak_nodes']:,} "
        f"nodes), {figures['strong_components']:,} strongly (largest "
        f"{figures['largest_strong_nodes']:,} nodes)",
    )
    shares = ", ".join(f"{k} {v:.1%}" for k, v in figures["profile_share"].items())
    table.add_row("Profiles", f"share of nodes each can reach and leave: {shares}")
    for name, roads in figures["profile_roads"].items():
        table.add_row(f"  {name}", _profile_roads_text(roads))
    table.add_row(
        "  dead end",
        "a road node a profile can enter but not leave, or leave but not enter, so it is "
        "dropped; at the edge of an import, a larger --buffer-m keeps such streets whole",
    )
    box = figures["bbox"]
    table.add_row(
        "Bounding box",
        f"lat {box['south']:.5f} .. {box['north']:.5f}, lon {box['west']:.5f} .. {box['east']:.5f}",
    )
    out.print(table)
    mix = Table(title="Highway mix", title_justify="left")
    mix.add_column("class")
    mix.add_column("km", justify="right")
    mix.add_column("share", justify="right")
    total = float(figures["road_km"]) or 1.0
    for name, km in figures["highway_km"].items():
        mix.add_row(name, f"{km:,.1f}", f"{km / total:.1%}")
    out.print(mix)


@maps_app.command("info")
def info_network_command(
    network: Annotated[
        str | None,
        typer.Argument(
            help="Network file (.npz or .graphml), or the name of one in maps/demo or "
            "maps/cache (default: the demo network)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Show the size, provenance, road mix and connectivity of a road network."""
    from optimizer.osm import describe_road_network
    from optimizer.roadgraph import load_road_graph

    _setup_logging(False)
    with _handled(debug):
        path = _find_network(network)
        _print_network_info(path, describe_road_network(load_road_graph(path)))


@demo_app.command("build")
def build_demo_population_command(
    network: Annotated[Path, typer.Option(help="Demo road network (.npz).")] = DEFAULT_NETWORK,
    folder: Annotated[Path, typer.Option("--out", help="Output folder.")] = DEFAULT_DEMO_FOLDER,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Generate the SYNTHETIC demo households, depots, teams and roster on the demo network."""
    from optimizer.areas import load_boundaries
    from optimizer.demo.population import (
        build_demo_population,
        write_demo_population,
    )
    from optimizer.demo.roster import build_demo_roster, households_per_desa, write_demo_roster
    from optimizer.roadgraph import load_road_graph

    _setup_logging(True)
    with _handled(False):
        boundaries = load_boundaries()
        population = build_demo_population(load_road_graph(network), boundaries, seed=seed)
        for path in write_demo_population(population, folder):
            out.print(f"Wrote {path}")
        households = households_per_desa(population.households)
        roster = build_demo_roster(boundaries, households, seed=seed)
        out.print(f"Wrote {write_demo_roster(roster, folder)}")


def main() -> None:
    """Entry point of the ``berbagi`` command."""
    app()
