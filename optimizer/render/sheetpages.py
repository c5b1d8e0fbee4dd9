"""A team's route sheet laid out on A4 pages and drawn.

Page 1: the title band (team, desa, date), the header facts (vehicle, members, depot, shift,
departure, planned return, break, reloads, packages per trip) and, for a team formed from a
roster, a line naming its members; then the route map with its legend, then the stop table.
Later pages repeat the title band with a one-line summary and the table head. The last page ends
with the totals, the legend of the marks and the sign-off boxes. Every page has a footer with
"page x of y" and, for synthetic data, a diagonal watermark.
:func:`lay_out_sheet` decides the page breaks before anything is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from optimizer.render.i18n import text, vehicle_name
from optimizer.render.pdfcanvas import (
    ACCENT,
    CONTENT_BOTTOM,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    INK,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    TextBatch,
    draw_footer,
    draw_signoff_boxes,
    draw_watermark,
    fit_text,
    wrap_text,
)
from optimizer.render.sheetcontent import TeamSheet
from optimizer.render.sheetmap import LEGEND_HEIGHT, PreparedMap, draw_map_block
from optimizer.render.sheettable import TableRow, draw_table, lay_out_head, lay_out_rows
from optimizer.units import format_clock

TOP: Final[float] = PAGE_HEIGHT - 10 * mm
TITLE_HEIGHT: Final = 40.0
SUMMARY_HEIGHT: Final = 16.0
MAP_WIDTH: Final[float] = CONTENT_WIDTH
MAP_HEIGHT: Final = 215.0
GAP: Final = 7.0
FACT_COLUMNS: Final = 3
_FACT_LABEL: Final = 6.2
_FACT_VALUE: Final = 7.8
_FACT_LEADING: Final = 9.2
_CREW_PAD: Final = 6.0
_END_LEGEND_KEYS: Final = (
    "legend_priority",
    "legend_late",
    "legend_approximate",
    "legend_window",
    "legend_tick",
)
END_HEIGHT: Final = 20.0 + GAP + 50.0 + GAP + 46.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SheetLayout:
    """A team sheet broken into pages: the table rows each page holds.

    The last page also holds the end block (totals, legend, sign-off); it may hold no rows when
    the end block did not fit under the table.
    """

    sheet: TeamSheet
    head: TableRow
    facts: tuple[tuple[str, tuple[str, ...]], ...]
    fact_rows: tuple[float, ...]
    pages: tuple[tuple[TableRow, ...], ...]
    #: The members line wrapped to the page width (empty for a teams-file team).
    crew: tuple[str, ...] = ()

    @property
    def page_count(self) -> int:
        """Number of pages of the sheet."""
        return len(self.pages)

    @property
    def crew_height(self) -> float:
        """Height of the members line under the facts grid (0 without one), in points."""
        return _crew_height(self.crew)


def lay_out_sheet(sheet: TeamSheet) -> SheetLayout:
    """Wrap a sheet's texts and decide its page breaks.

    Parameters
    ----------
    sheet : TeamSheet

    Returns
    -------
    SheetLayout
        Page 1 takes the header and the map, so it holds fewer rows than later pages.
    """
    head = lay_out_head(sheet.language)
    rows = lay_out_rows(sheet.rows)
    facts, fact_rows = _lay_out_facts(sheet)
    crew = _lay_out_crew(sheet)
    first_top = _first_table_top(sum(fact_rows) + _crew_height(crew))
    later_top = TOP - TITLE_HEIGHT - SUMMARY_HEIGHT
    pages: list[list[TableRow]] = [[]]
    room = first_top - CONTENT_BOTTOM - head.height
    for row in rows:
        if row.height > room and pages[-1]:
            pages.append([])
            room = later_top - CONTENT_BOTTOM - head.height
        pages[-1].append(row)
        room -= row.height
    if room < END_HEIGHT + GAP:
        pages.append([])
    return SheetLayout(
        sheet=sheet,
        head=head,
        facts=facts,
        fact_rows=fact_rows,
        pages=tuple(tuple(page) for page in pages),
        crew=crew,
    )


def _first_table_top(facts_height: float) -> float:
    return TOP - TITLE_HEIGHT - facts_height - GAP - MAP_HEIGHT - LEGEND_HEIGHT - GAP


def _lay_out_facts(
    sheet: TeamSheet,
) -> tuple[tuple[tuple[str, tuple[str, ...]], ...], tuple[float, ...]]:
    """Wrap the header facts (column by column) and size each row of the facts grid."""
    width = CONTENT_WIDTH / FACT_COLUMNS - 8
    facts = tuple(
        (label, tuple(wrap_text(value, FONT_BOLD, _FACT_VALUE, width, max_lines=2)))
        for label, value in sheet.facts
    )
    per_column = -(-len(facts) // FACT_COLUMNS)
    heights = []
    for row in range(per_column):
        cells = [
            facts[c * per_column + row]
            for c in range(FACT_COLUMNS)
            if c * per_column + row < len(facts)
        ]
        lines = max(len(lines) for _, lines in cells)
        heights.append(_FACT_LABEL + 3 + lines * _FACT_LEADING + 2)
    return facts, tuple(heights)


def _lay_out_crew(sheet: TeamSheet) -> tuple[str, ...]:
    """Wrap the members line across the page (two lines at most)."""
    if not sheet.crew:
        return ()
    return tuple(wrap_text(sheet.crew, FONT_BOLD, _FACT_VALUE, CONTENT_WIDTH, max_lines=2))


def _crew_height(crew: tuple[str, ...]) -> float:
    return len(crew) * _FACT_LEADING + _CREW_PAD if crew else 0.0


def draw_team_sheet(
    canvas: Canvas,
    layout: SheetLayout,
    prepared: PreparedMap,
    *,
    credit: str,
    pack: tuple[int, int] | None = None,
) -> None:
    """Draw every page of a team sheet, ending each with ``showPage``.

    Parameters
    ----------
    canvas : reportlab Canvas
    layout : SheetLayout
    prepared : PreparedMap
        The team's map, drawn to ``MAP_WIDTH`` x ``MAP_HEIGHT`` points.
    credit : str
        Credit line of the road data, under the map.
    pack : tuple of int, optional
        In a desa pack: (number of this sheet's first page in the pack, pages in the pack).
    """
    sheet = layout.sheet
    for index, rows in enumerate(layout.pages):
        page = index + 1
        top = _draw_title(canvas, sheet, continued=page > 1)
        if page == 1:
            top = _draw_facts(canvas, layout, top)
            top -= GAP + MAP_HEIGHT
            draw_map_block(
                canvas,
                prepared,
                x=MARGIN,
                y=top,
                width=MAP_WIDTH,
                height=MAP_HEIGHT,
                language=sheet.language,
                credit=credit,
            )
            top -= LEGEND_HEIGHT + GAP
        else:
            top = _draw_summary(canvas, sheet, top)
        if rows or page == 1:
            top = draw_table(canvas, layout.head, rows, x=MARGIN, top=top)
        if page == layout.page_count:
            _draw_end(canvas, sheet, top - GAP)
        _finish_page(canvas, sheet, page, layout.page_count, pack)


def _finish_page(
    canvas: Canvas, sheet: TeamSheet, page: int, pages: int, pack: tuple[int, int] | None
) -> None:
    language = sheet.language
    below = ""
    if pack is not None:
        below = text(language, "pack_page", page=pack[0] + page - 1, pages=pack[1])
    draw_footer(
        canvas,
        left=f"{sheet.team_id} · {sheet.title}",
        notice=text(language, "footer_synthetic") if sheet.synthetic else "",
        right=text(language, "page_of", page=page, pages=pages),
        below=below,
    )
    if sheet.synthetic:
        draw_watermark(canvas, text(language, "watermark"))
    canvas.showPage()


def _draw_title(canvas: Canvas, sheet: TeamSheet, *, continued: bool) -> float:
    """Draw the title band; return the y under it."""
    language = sheet.language
    canvas.saveState()
    kind = f"{text(language, 'sheet_kind')} · {text(language, 'sheet_purpose')}"
    if continued:
        kind += f" ({text(language, 'continued')})"
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_BOLD, 7)
    canvas.drawString(MARGIN, TOP - 7, fit_text(kind, FONT_BOLD, 7, CONTENT_WIDTH * 0.62))
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 9)
    canvas.drawString(MARGIN, TOP - 24, text(language, "team"))
    offset = MARGIN + canvas.stringWidth(text(language, "team"), FONT, 9) + 5
    canvas.setFont(FONT_BOLD, 17)
    canvas.drawString(
        offset, TOP - 24, fit_text(sheet.team_id, FONT_BOLD, 17, CONTENT_WIDTH * 0.55)
    )
    right = PAGE_WIDTH - MARGIN
    place = text(language, "desa_value", desa=sheet.desa_name, kecamatan=sheet.kecamatan)
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawRightString(right, TOP - 8, fit_text(place, FONT_BOLD, 9, CONTENT_WIDTH * 0.4))
    canvas.setFont(FONT, 8)
    canvas.drawRightString(right, TOP - 19, fit_text(sheet.date, FONT, 8, CONTENT_WIDTH * 0.4))
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 6.5)
    canvas.drawRightString(right, TOP - 28, fit_text(sheet.title, FONT, 6.5, CONTENT_WIDTH * 0.4))
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.6)
    canvas.line(MARGIN, TOP - 33, right, TOP - 33)
    canvas.restoreState()
    return TOP - TITLE_HEIGHT


def _draw_facts(canvas: Canvas, layout: SheetLayout, top: float) -> float:
    """Draw the header facts in a grid, column by column; return the y under the grid."""
    width = CONTENT_WIDTH / FACT_COLUMNS
    per_column = len(layout.fact_rows)
    batch = TextBatch()
    for index, (label, lines) in enumerate(layout.facts):
        column, row = divmod(index, per_column)
        x = MARGIN + column * width
        y = top - sum(layout.fact_rows[:row])
        batch.add(x, y - _FACT_LABEL, label.upper(), font=FONT, size=_FACT_LABEL, colour=MUTED)
        for number, line in enumerate(lines):
            baseline = y - _FACT_LABEL - 3 - _FACT_VALUE - number * _FACT_LEADING
            batch.add(x, baseline, line, font=FONT_BOLD, size=_FACT_VALUE, colour=INK)
    bottom = top - sum(layout.fact_rows)
    for number, line in enumerate(layout.crew):
        baseline = bottom - _CREW_PAD / 2 - _FACT_VALUE - number * _FACT_LEADING
        batch.add(MARGIN, baseline, line, font=FONT_BOLD, size=_FACT_VALUE, colour=INK)
    batch.draw(canvas)
    bottom -= layout.crew_height
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, bottom + 1, PAGE_WIDTH - MARGIN, bottom + 1)
    canvas.restoreState()
    return bottom


def _draw_summary(canvas: Canvas, sheet: TeamSheet, top: float) -> float:
    """Draw the one-line summary of later pages; return the y under it."""
    language = sheet.language
    route = sheet.route
    parts = [
        f"{text(language, 'depot')}: {route.depot_name}",
        f"{text(language, 'vehicle')}: {vehicle_name(language, route.vehicle)}",
        f"{text(language, 'departure')}: {format_clock(route.start_s)}",
        f"{text(language, 'planned_return')}: {format_clock(route.end_s)}",
    ]
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 7.5)
    line = fit_text("   ·   ".join(parts), FONT, 7.5, CONTENT_WIDTH)
    canvas.drawString(MARGIN, top - 8, line)
    canvas.restoreState()
    return top - SUMMARY_HEIGHT


def _draw_end(canvas: Canvas, sheet: TeamSheet, top: float) -> None:
    """Draw the totals, the legend of the marks and the sign-off boxes from ``top`` down."""
    language = sheet.language
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.rect(MARGIN, top - 20, CONTENT_WIDTH, 20, stroke=1, fill=0)
    canvas.setFont(FONT_BOLD, 8.5)
    totals = f"{text(language, 'totals')}: {sheet.totals}"
    canvas.drawString(MARGIN + 5, top - 13.5, fit_text(totals, FONT_BOLD, 8.5, CONTENT_WIDTH - 10))
    top -= 20 + GAP
    canvas.setFont(FONT_BOLD, 7)
    canvas.drawString(MARGIN, top - 7, text(language, "legend"))
    canvas.setFont(FONT, 6.6)
    half = CONTENT_WIDTH / 2
    for index, key in enumerate(_END_LEGEND_KEYS):
        column, row = divmod(index, 3)
        line = fit_text(text(language, key), FONT, 6.6, half - 8)
        canvas.drawString(MARGIN + column * half, top - 17 - row * 9.5, line)
    top -= 50 + GAP
    labels = (text(language, "signoff_lead"), text(language, "signoff_desa"))
    draw_signoff_boxes(canvas, labels, top, 46)
    canvas.restoreState()
