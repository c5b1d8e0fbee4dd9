"""Printed route sheets: one A4 PDF per team and one pack per desa, for the team leads.

:func:`write_team_sheets` writes ``teams/<team>.pdf`` for every route of a plan (header, route
map over the streets, stop table with a tick and an initials column, totals) and
``desa/<desa code>.pdf``, the desa's cover page followed by the sheets of every team that
leaves from a depot in that desa, to print in one go at the desa office. Sheets speak the
plan's language (``render.language``: Bahasa Indonesia by default, or English) and show heads
of household as ``render.names`` says.

Work is shared out by desa over forked worker processes (:func:`optimizer.parallel.run_parallel`):
each job draws its teams' maps once and writes both the team files and the desa pack. The same
plan and streets give byte-identical files: reportlab runs invariant (fixed dates and document
id) and the maps are JPEG pictures without metadata. No NIK is printed (the plan has none) and
every text from the user's files is drawn as plain text, never read as markup.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from optimizer.geometry import Streets
from optimizer.parallel import run_parallel
from optimizer.plan import Plan, Route
from optimizer.render.desacover import DesaCover, cover_pages, draw_cover
from optimizer.render.filenames import team_file_stems
from optimizer.render.i18n import text
from optimizer.render.pdfcanvas import binary_streams, new_canvas
from optimizer.render.sheetcontent import TeamSheet, build_team_sheet
from optimizer.render.sheetmap import PreparedMap, prepare_map
from optimizer.render.sheetpages import (
    MAP_HEIGHT,
    MAP_WIDTH,
    SheetLayout,
    draw_team_sheet,
    lay_out_sheet,
)
from optimizer.render.staticmap import frame_route, render_route_map

LOGGER = logging.getLogger(__name__)

#: Pixels per inch of the route maps: sharp on paper, about 75 KB a map.
MAP_DPI = 150


@dataclass(frozen=True, slots=True, kw_only=True)
class _DesaJob:
    """One desa's share of the work: its teams (indices into ``plan.routes``) and file names."""

    desa_code: str
    file_stem: str
    routes: tuple[int, ...]
    team_stems: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Shared:
    """What every job reads (inherited by forked workers, never copied per job)."""

    plan: Plan
    streets: Streets
    folder: Path


def write_team_sheets(
    plan: Plan,
    streets: Streets,
    folder: Path,
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write a route sheet PDF per team and a pack PDF per desa.

    Parameters
    ----------
    plan : Plan
        Its ``render`` settings choose the language and how names show.
    streets : Streets
        The road centre lines the maps draw under the routes (the whole network will do).
    folder : Path
        Receives ``teams/<team>.pdf`` and ``desa/<desa code>.pdf`` (created when missing).
    workers : int
        Processes to draw with; 1 draws everything in this process.
    progress : callable, optional
        Called with (desa done, desa in all) as the desa packs are finished.

    Returns
    -------
    list of Path
        The team files in the order of ``plan.routes``, then the desa packs by desa code.

    Notes
    -----
    A team belongs to the desa of its depot (``DepotSite.desa_code``). Team ids become file
    names with unsafe characters replaced (:func:`optimizer.render.filenames.team_file_stems`),
    so a team's PDF and its phone page share a name. Equal plans give byte-identical files.
    """
    stems = team_file_stems(route.team_id for route in plan.routes)
    jobs = _desa_jobs(plan, stems)
    (folder / "teams").mkdir(parents=True, exist_ok=True)
    (folder / "desa").mkdir(parents=True, exist_ok=True)
    shared = _Shared(plan=plan, streets=streets, folder=folder)
    # Largest desa first, so the last job to start is a small one.
    order = sorted(range(len(jobs)), key=lambda i: (-len(jobs[i].routes), i))
    written = run_parallel(
        _write_desa, jobs, shared=shared, workers=workers, order=order, progress=progress
    )
    team_paths = {
        index: path
        for job, paths in zip(jobs, written, strict=True)
        for index, path in zip(job.routes, paths[:-1], strict=True)
    }
    teams = [team_paths[index] for index in range(len(plan.routes))]
    packs = [paths[-1] for paths in written]
    LOGGER.info("wrote %d team sheets and %d desa packs", len(teams), len(packs))
    return teams + packs


def _desa_jobs(plan: Plan, stems: dict[str, str]) -> list[_DesaJob]:
    """Group the routes by the desa of their depot, desa codes in order."""
    desa_of_depot = {depot.depot_id: depot.desa_code for depot in plan.depots}
    groups: dict[str, list[int]] = {}
    for index, route in enumerate(plan.routes):
        code = desa_of_depot.get(route.depot_id) or (
            route.stops[0].desa_code if route.stops else ""
        )
        groups.setdefault(code, []).append(index)
    codes = sorted(groups)
    desa_stems = team_file_stems(codes)
    return [
        _DesaJob(
            desa_code=code,
            file_stem=desa_stems[code],
            routes=tuple(groups[code]),
            team_stems=tuple(stems[plan.routes[i].team_id] for i in groups[code]),
        )
        for code in codes
    ]


def _write_desa(shared: _Shared, job: _DesaJob) -> list[Path]:
    """Draw one desa's teams: their sheets, then the desa pack; return the files written."""
    plan = shared.plan
    routes = [plan.routes[index] for index in job.routes]
    streets = _streets_near(shared.streets, routes)
    sheets = [build_team_sheet(plan, route) for route in routes]
    layouts = [lay_out_sheet(sheet) for sheet in sheets]
    maps = [
        prepare_map(
            render_route_map(route, streets, width_pt=MAP_WIDTH, height_pt=MAP_HEIGHT, dpi=MAP_DPI)
        )
        for route in routes
    ]
    credit = streets.attribution
    paths = []
    for stem, layout, prepared in zip(job.team_stems, layouts, maps, strict=True):
        path = shared.folder / "teams" / f"{stem}.pdf"
        _write_pdf(path, [(layout, prepared)], credit=credit, cover=None)
        paths.append(path)
    cover = _cover(plan, job.desa_code, sheets, layouts)
    pack = shared.folder / "desa" / f"{job.file_stem}.pdf"
    _write_pdf(pack, list(zip(layouts, maps, strict=True)), credit=credit, cover=cover)
    paths.append(pack)
    return paths


def _streets_near(streets: Streets, routes: Sequence[Route]) -> Streets:
    """Clip the streets once to the area every map of a desa shows (later clips are small)."""
    bounds = [frame_route(route, aspect=MAP_WIDTH / MAP_HEIGHT).bounds() for route in routes]
    if not bounds:
        return streets
    south = min(b[0] for b in bounds)
    west = min(b[1] for b in bounds)
    north = max(b[2] for b in bounds)
    east = max(b[3] for b in bounds)
    return streets.within(south, west, north, east)


def _cover(
    plan: Plan, desa_code: str, sheets: Sequence[TeamSheet], layouts: Sequence[SheetLayout]
) -> DesaCover:
    first = cover_pages(len(sheets)) + 1
    first_pages = []
    for layout in layouts:
        first_pages.append(first)
        first += layout.page_count
    sample = sheets[0]
    return DesaCover(
        language=plan.render.language,
        desa_code=desa_code,
        desa_name=sample.desa_name,
        kecamatan=sample.kecamatan,
        date=plan.date,
        title=plan.title,
        synthetic=plan.synthetic_data,
        sheets=tuple(sheets),
        first_pages=tuple(first_pages),
    )


def _write_pdf(
    path: Path,
    sheets: Sequence[tuple[SheetLayout, PreparedMap]],
    *,
    credit: str,
    cover: DesaCover | None,
) -> None:
    """Draw a cover (for a pack) and sheets into one PDF file."""
    with binary_streams():
        data = _draw_pdf(sheets, credit=credit, cover=cover)
    path.write_bytes(data)


def _draw_pdf(
    sheets: Sequence[tuple[SheetLayout, PreparedMap]], *, credit: str, cover: DesaCover | None
) -> bytes:
    buffer = io.BytesIO()
    first = sheets[0][0].sheet
    language = first.language
    if cover is None:
        title = f"{text(language, 'sheet_kind')} {first.team_id}"
    else:
        title = f"{text(language, 'cover_kind')} {cover.desa_name} ({cover.desa_code})"
    canvas = new_canvas(buffer, title=title, subject=first.title)
    pages = sum(layout.page_count for layout, _ in sheets)
    start = 1
    if cover is not None:
        start = cover_pages(len(cover.sheets)) + 1
        pages += start - 1
        draw_cover(canvas, cover, pack_pages=pages)
    for layout, prepared in sheets:
        pack = (start, pages) if cover is not None else None
        draw_team_sheet(canvas, layout, prepared, credit=credit, pack=pack)
        start += layout.page_count
    canvas.save()
    return buffer.getvalue()
