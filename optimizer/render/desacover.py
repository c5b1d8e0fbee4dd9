"""The cover of a desa's route sheet pack: its teams, what they carry and when they leave.

One row per team (vehicle, members, depot, doors, packages, departure, planned return, the
pack sheet where its route sheet starts, and a box for the team lead's initials when the sheets
are handed over), the desa's totals and two sign-off boxes. A desa with many teams flows onto
more cover pages with the table head repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from reportlab.lib.colors import white
from reportlab.pdfgen.canvas import Canvas

from optimizer.render.i18n import Language, format_date, text, vehicle_name
from optimizer.render.pdfcanvas import (
    ACCENT,
    CONTENT_BOTTOM,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    HEAD_FILL,
    INK,
    MARGIN,
    MUTED,
    PAGE_WIDTH,
    RULE,
    ZEBRA_FILL,
    TextBatch,
    draw_footer,
    draw_signoff_boxes,
    draw_watermark,
    fit_text,
    wrap_text,
)
from optimizer.render.sheetcontent import TeamSheet
from optimizer.render.sheetpages import TOP
from optimizer.units import format_clock

#: Columns: (label key, share of the content width, centred).
COVER_COLUMNS: Final[tuple[tuple[str, float, bool], ...]] = (
    ("col_team", 0.14, False),
    ("col_vehicle", 0.10, False),
    ("col_members", 0.08, True),
    ("col_depot", 0.17, False),
    ("col_doors", 0.065, True),
    ("col_packages", 0.06, True),
    ("col_departure", 0.09, True),
    ("col_return", 0.075, True),
    ("col_sheet", 0.07, True),
    ("col_received", 0.15, False),
)
ROW_HEIGHT: Final = 20.0
HEAD_HEIGHT: Final = 20.0
_INTRO_HEIGHT: Final = 86.0
_END_HEIGHT: Final = 80.0
_SIZE: Final = 7.2


@dataclass(frozen=True, slots=True, kw_only=True)
class DesaCover:
    """What a desa pack's cover lists."""

    language: Language
    desa_code: str
    desa_name: str
    kecamatan: str
    date: str | None
    title: str
    synthetic: bool
    sheets: tuple[TeamSheet, ...]
    #: Pack page on which each team's sheet starts, in the order of ``sheets``.
    first_pages: tuple[int, ...]


def cover_pages(teams: int) -> int:
    """Return how many pages the cover of a desa with ``teams`` teams takes."""
    return len(_split_rows(teams))


def _split_rows(teams: int) -> list[range]:
    """Return the team rows of each cover page (the last page also holds the totals)."""
    first = int((TOP - _INTRO_HEIGHT - CONTENT_BOTTOM - HEAD_HEIGHT - ROW_HEIGHT) // ROW_HEIGHT)
    later = int((TOP - 40 - CONTENT_BOTTOM - HEAD_HEIGHT - ROW_HEIGHT) // ROW_HEIGHT)
    pages: list[range] = []
    start = 0
    while True:
        size = first if not pages else later
        pages.append(range(start, min(teams, start + size)))
        start += size
        if start >= teams:
            break
    last = pages[-1]
    room = (first if len(pages) == 1 else later) - len(last)
    if room * ROW_HEIGHT < _END_HEIGHT:
        pages.append(range(teams, teams))
    return pages


def draw_cover(canvas: Canvas, cover: DesaCover, *, pack_pages: int) -> None:
    """Draw the cover pages of a desa pack, ending each with ``showPage``.

    Parameters
    ----------
    canvas : reportlab Canvas
    cover : DesaCover
    pack_pages : int
        Pages of the whole pack (cover and sheets), for the footer.
    """
    language = cover.language
    pages = _split_rows(len(cover.sheets))
    for index, rows in enumerate(pages):
        top = _draw_cover_title(canvas, cover)
        if index == 0:
            top = _draw_intro(canvas, cover, top)
        if len(rows) or index == 0:
            top = _draw_cover_table(canvas, cover, rows, top)
        if index == len(pages) - 1:
            _draw_cover_end(canvas, cover, top - 8)
        draw_footer(
            canvas,
            left=f"{cover.desa_code} · {cover.title}",
            notice=text(language, "footer_synthetic") if cover.synthetic else "",
            right=text(language, "page_of", page=index + 1, pages=len(pages)),
            below=text(language, "pack_page", page=index + 1, pages=pack_pages),
        )
        if cover.synthetic:
            draw_watermark(canvas, text(language, "watermark"))
        canvas.showPage()


def _draw_cover_title(canvas: Canvas, cover: DesaCover) -> float:
    language = cover.language
    canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_BOLD, 7)
    kind = f"{text(language, 'cover_kind')} · {text(language, 'sheet_purpose')}"
    canvas.drawString(MARGIN, TOP - 7, kind)
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 16)
    place = text(language, "cover_desa", desa=cover.desa_name, kecamatan=cover.kecamatan)
    canvas.drawString(MARGIN, TOP - 25, fit_text(place, FONT_BOLD, 16, CONTENT_WIDTH * 0.62))
    right = PAGE_WIDTH - MARGIN
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawRightString(right, TOP - 8, format_date(cover.date, language))
    canvas.setFont(FONT, 7)
    canvas.drawRightString(right, TOP - 18, cover.desa_code)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 6.5)
    canvas.drawRightString(right, TOP - 28, fit_text(cover.title, FONT, 6.5, CONTENT_WIDTH * 0.36))
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.6)
    canvas.line(MARGIN, TOP - 33, right, TOP - 33)
    canvas.restoreState()
    return TOP - 40


def _draw_intro(canvas: Canvas, cover: DesaCover, top: float) -> float:
    language = cover.language
    doors = sum(sheet.doors for sheet in cover.sheets)
    packages = sum(sheet.packages for sheet in cover.sheets)
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN, top - 8, text(language, "cover_intro"))
    figures = (
        (text(language, "col_team"), text(language, "cover_teams", n=len(cover.sheets))),
        (text(language, "col_doors"), str(doors)),
        (text(language, "col_packages"), str(packages)),
    )
    for index, (label, value) in enumerate(figures):
        x = MARGIN + index * 120
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 6.2)
        canvas.drawString(x, top - 24, label.upper())
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 13)
        canvas.drawString(x, top - 40, value)
    canvas.restoreState()
    return top - _INTRO_HEIGHT + 40


def _cover_cells(cover: DesaCover, index: int) -> list[str]:
    sheet = cover.sheets[index]
    route = sheet.route
    return [
        sheet.team_id,
        vehicle_name(cover.language, route.vehicle),
        str(route.members),
        route.depot_name,
        str(sheet.doors),
        str(sheet.packages),
        format_clock(route.start_s),
        format_clock(route.end_s),
        str(cover.first_pages[index]),
        "",
    ]


def _draw_cover_table(canvas: Canvas, cover: DesaCover, rows: range, top: float) -> float:
    language = cover.language
    widths = [share * CONTENT_WIDTH for _, share, _ in COVER_COLUMNS]
    heads = [text(language, key) for key, _, _ in COVER_COLUMNS]
    y = _draw_cover_row(canvas, heads, widths, top, HEAD_HEIGHT, head=True)
    for index in rows:
        y = _draw_cover_row(
            canvas, _cover_cells(cover, index), widths, y, ROW_HEIGHT, zebra=index % 2 == 1
        )
    if rows.stop == len(cover.sheets):
        totals = [
            text(language, "cover_totals"),
            "",
            "",
            "",
            str(sum(s.doors for s in cover.sheets)),
        ]
        totals += [str(sum(s.packages for s in cover.sheets)), "", "", "", ""]
        y = _draw_cover_row(canvas, totals, widths, y, ROW_HEIGHT, bold=True)
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.7)
    canvas.rect(MARGIN, y, sum(widths), top - y, stroke=1, fill=0)
    canvas.restoreState()
    return y


def _draw_cover_row(
    canvas: Canvas,
    cells: Sequence[str],
    widths: Sequence[float],
    top: float,
    height: float,
    *,
    head: bool = False,
    zebra: bool = False,
    bold: bool = False,
) -> float:
    canvas.saveState()
    if head or zebra:
        canvas.setFillColor(HEAD_FILL if head else ZEBRA_FILL)
        canvas.rect(MARGIN, top - height, sum(widths), height, stroke=0, fill=1)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, top - height, MARGIN + sum(widths), top - height)
    font = FONT_BOLD if head or bold else FONT
    size = 6.6 if head else _SIZE
    batch = TextBatch()
    x = MARGIN
    for (_, _, centred), cell, width in zip(COVER_COLUMNS, cells, widths, strict=True):
        if x > MARGIN:
            canvas.line(x, top, x, top - height)
        lines = wrap_text(cell, font, size, width - 6, max_lines=2)
        first = top - height / 2 + (len(lines) - 1) * 4.2 - size * 0.36
        for number, line in enumerate(lines):
            anchor = x + width / 2 if centred else x + 3
            batch.add(
                anchor,
                first - number * 8.4,
                line,
                font=font,
                size=size,
                colour=white if head else INK,
                centred=centred,
            )
        x += width
    batch.draw(canvas)
    canvas.restoreState()
    return top - height


def _draw_cover_end(canvas: Canvas, cover: DesaCover, top: float) -> None:
    language = cover.language
    canvas.saveState()
    labels = (text(language, "signoff_handover"), text(language, "signoff_desa"))
    draw_signoff_boxes(canvas, labels, top, 56)
    canvas.restoreState()
