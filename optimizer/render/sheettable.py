"""The stop table of a team sheet: columns, wrapped cells, row heights, drawing one page's part.

The table is drawn with canvas primitives (filled rows, rules, plain strings), not reportlab's
Table or Paragraph, so every cell is plain text and row heights are known before drawing: the
page layout decides where each page breaks before anything is drawn, and "page x of y" is right
on the first page. Door rows are tall enough to sign in; reload, break and park rows span the
row (a park row, where the team parks and walks, shows "P" in the number column, as on the map).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from reportlab.lib.colors import Color, white
from reportlab.pdfgen.canvas import Canvas

from optimizer.render.i18n import Language, text
from optimizer.render.pdfcanvas import (
    APPROXIMATE_FILL,
    CONTENT_WIDTH,
    EVENT_FILL,
    FONT,
    FONT_BOLD,
    HEAD_FILL,
    INK,
    PRIORITY_FILL,
    RELOAD_FILL,
    RULE,
    ZEBRA_FILL,
    TextBatch,
    wrap_text,
)
from optimizer.render.sheetcontent import SheetRow

Align = Literal["left", "centre"]

#: Columns: (label key, share of the content width, alignment).
COLUMNS: Final[tuple[tuple[str, float, Align], ...]] = (
    ("col_no", 0.040, "centre"),
    ("col_time", 0.060, "centre"),
    ("col_head", 0.170, "left"),
    ("col_address", 0.245, "left"),
    ("col_packages", 0.055, "centre"),
    ("col_marks", 0.110, "centre"),
    ("col_notes", 0.140, "left"),
    ("col_tick", 0.035, "centre"),
    ("col_signature", 0.145, "left"),
)
PAD: Final = 3.0
DOOR_MIN_HEIGHT: Final = 24.0
EVENT_HEIGHT: Final = 15.0
_BODY_SIZE: Final = 7.2
_LEADING: Final = 8.6
_HEAD_SIZE: Final = 6.6


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """A laid-out cell: its lines of plain text, font and size."""

    lines: tuple[str, ...]
    font: str = FONT
    size: float = _BODY_SIZE


@dataclass(frozen=True, slots=True, kw_only=True)
class TableRow:
    """A laid-out row: cells (one spanning cell after the time for reloads and the break)."""

    source: SheetRow | None
    cells: tuple[Cell, ...]
    height: float
    fill: Color | None


def column_widths() -> tuple[float, ...]:
    """Return the column widths in points (they add up to the content width)."""
    return tuple(share * CONTENT_WIDTH for _, share, _ in COLUMNS)


def lay_out_head(language: Language) -> TableRow:
    """Lay out the table's head row in a language."""
    cells = tuple(
        Cell(
            lines=tuple(wrap_text(text(language, key), FONT_BOLD, _HEAD_SIZE, width - 2 * PAD)),
            font=FONT_BOLD,
            size=_HEAD_SIZE,
        )
        for (key, _, _), width in zip(COLUMNS, column_widths(), strict=True)
    )
    lines = max(len(cell.lines) for cell in cells)
    return TableRow(source=None, cells=cells, height=lines * 8.0 + 6.0, fill=HEAD_FILL)


def lay_out_rows(rows: Sequence[SheetRow]) -> list[TableRow]:
    """Wrap every row's texts into its columns and size each row."""
    widths = column_widths()
    laid: list[TableRow] = []
    doors = 0
    for row in rows:
        if row.kind == "door":
            doors += 1
            laid.append(_door_row(row, widths, doors))
        else:
            laid.append(_event_row(row, widths))
    return laid


def _event_row(row: SheetRow, widths: Sequence[float]) -> TableRow:
    """Lay out a reload, the break or a park: the time, then one sentence across the others."""
    span = sum(widths[2:]) - 2 * PAD
    event = Cell(lines=tuple(wrap_text(row.event, FONT_BOLD, _BODY_SIZE, span)), font=FONT_BOLD)
    mark = Cell(lines=("P",), font=FONT_BOLD, size=8.0) if row.kind == "park" else Cell(lines=("",))
    cells = (mark, Cell(lines=(row.time,), font=FONT_BOLD), event)
    height = max(EVENT_HEIGHT, len(event.lines) * _LEADING + 6.0)
    fill = RELOAD_FILL if row.kind == "reload" else EVENT_FILL
    return TableRow(source=row, cells=cells, height=height, fill=fill)


def _door_row(row: SheetRow, widths: Sequence[float], index: int) -> TableRow:
    """Lay out a door: each column's text wrapped (to at most a few lines), tall enough to sign."""
    values = (
        (row.number, FONT_BOLD, 8.0, 1),
        (row.time, FONT_BOLD, _BODY_SIZE, 1),
        (row.head, FONT_BOLD, _BODY_SIZE, 3),
        (row.address, FONT, 6.9, 4),
        (row.packages, FONT_BOLD, 8.0, 1),
        (row.marks, FONT_BOLD, _BODY_SIZE, 3),
        (row.notes, FONT, 6.6, 4),
        ("", FONT, _BODY_SIZE, 1),
        ("", FONT, _BODY_SIZE, 1),
    )
    cells = tuple(
        Cell(lines=_wrap_lines(value, font, size, width - 2 * PAD, most), font=font, size=size)
        for (value, font, size, most), width in zip(values, widths, strict=True)
    )
    lines = max(len(cell.lines) for cell in cells)
    height = max(DOOR_MIN_HEIGHT, lines * _LEADING + 2 * PAD + 1)
    return TableRow(source=row, cells=cells, height=height, fill=_door_fill(row, index))


def _wrap_lines(value: str, font: str, size: float, width: float, most: int) -> tuple[str, ...]:
    """Wrap text that may hold line breaks of its own (the marks cell), each part separately."""
    lines: list[str] = []
    for part in value.split("\n"):
        lines.extend(wrap_text(part, font, size, width, max_lines=most))
    return tuple(lines[:most])


def _door_fill(row: SheetRow, index: int) -> Color | None:
    if row.priority:
        return PRIORITY_FILL
    if row.approximate:
        return APPROXIMATE_FILL
    return ZEBRA_FILL if index % 2 == 0 else None


def draw_table(
    canvas: Canvas, head: TableRow, rows: Sequence[TableRow], *, x: float, top: float
) -> float:
    """Draw the head row and some rows from ``top`` down; return the y of the table's bottom.

    Fills come first, then every rule in one path, the tick boxes in another, then every text
    in one text object: a few operators per row instead of a few per cell.
    """
    widths = column_widths()
    total = sum(widths)
    laid = (head, *rows)
    edges = [sum(widths[: i + 1]) for i in range(len(widths) - 1)]
    canvas.saveState()
    rules = canvas.beginPath()
    boxes = canvas.beginPath()
    batch = TextBatch()
    y = top
    for row in laid:
        bottom = y - row.height
        if row.fill is not None:
            canvas.setFillColor(row.fill)
            canvas.rect(x, bottom, total, row.height, stroke=0, fill=1)
        rules.moveTo(x, bottom)
        rules.lineTo(x + total, bottom)
        full = len(row.cells) == len(widths)
        for edge in edges if full else edges[:2]:
            rules.moveTo(x + edge, y)
            rules.lineTo(x + edge, bottom)
        _add_texts(batch, row, widths, x, y, head=row is head)
        if row.source is not None and row.source.kind == "door":
            side = 8.5
            boxes.rect(
                x + edges[6] + (widths[7] - side) / 2, y - row.height / 2 - side / 2, side, side
            )
        y = bottom
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.drawPath(rules, stroke=1, fill=0)
    canvas.setStrokeColor(INK)
    canvas.setFillColor(white)
    canvas.setLineWidth(0.7)
    canvas.drawPath(boxes, stroke=1, fill=1)
    canvas.rect(x, y, total, top - y, stroke=1, fill=0)
    canvas.restoreState()
    batch.draw(canvas)
    return y


def _add_texts(
    batch: TextBatch,
    row: TableRow,
    widths: Sequence[float],
    x: float,
    top: float,
    *,
    head: bool,
) -> None:
    """Queue a row's cell texts: door rows at the top of their cells, others centred."""
    full = len(row.cells) == len(widths)
    spans = list(widths) if full else [*widths[:2], sum(widths[2:])]
    middle = row.source is None or row.source.kind != "door"
    colour = white if head else INK
    left = x
    for index, (cell, width) in enumerate(zip(row.cells, spans, strict=True)):
        align: Align = COLUMNS[index][2] if full or index < 2 else "left"
        cap = 0.73 * cell.size
        block = (len(cell.lines) - 1) * _LEADING + cap
        first = top - ((row.height - block) / 2 if middle else PAD + 1.5) - cap
        anchor = left + width / 2 if align == "centre" else left + PAD
        for number, line in enumerate(cell.lines):
            batch.add(
                anchor,
                first - number * _LEADING,
                line,
                font=cell.font,
                size=cell.size,
                colour=colour,
                centred=align == "centre",
            )
        left += width
