"""Page basics of the printed field pack: the A4 canvas, fonts, plain-text wrapping, watermark.

Every text of the pack is drawn as plain text (``drawString``), never parsed as markup, so a
name such as ``<b>x</b> & <img ...>`` prints as exactly those characters. The font is DejaVu
Sans, which covers Indonesian and ships with matplotlib (no download, no system font). A canvas
made by :func:`new_canvas` is invariant: the same drawing gives the same bytes (fixed creation
date and document id).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Final

import matplotlib as mpl
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH: Final[float] = float(A4[0])
PAGE_HEIGHT: Final[float] = float(A4[1])
MARGIN: Final[float] = 12 * mm
CONTENT_WIDTH: Final[float] = PAGE_WIDTH - 2 * MARGIN
FOOTER_Y: Final[float] = 9 * mm
#: Lowest point the page content may reach (the footer lives below it).
CONTENT_BOTTOM: Final[float] = 15 * mm

FONT: Final = "DejaVuSans"
FONT_BOLD: Final = "DejaVuSans-Bold"

INK: Final = HexColor("#1a1a1a")
MUTED: Final = HexColor("#5f5f5f")
RULE: Final = HexColor("#9e9e9e")
ACCENT: Final = HexColor("#c62828")
HEAD_FILL: Final = HexColor("#37474f")
PRIORITY_FILL: Final = HexColor("#fff1c1")
APPROXIMATE_FILL: Final = HexColor("#e6ecf5")
EVENT_FILL: Final = HexColor("#eeeeee")
RELOAD_FILL: Final = HexColor("#efe5f5")
ZEBRA_FILL: Final = HexColor("#f7f7f7")
WATERMARK: Final = Color(0.78, 0.16, 0.16, alpha=0.13)


@cache
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) from matplotlib's data with reportlab, once.

    Returns
    -------
    tuple of str
        The regular and bold font names.
    """
    fonts = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    return FONT, FONT_BOLD


def new_canvas(target: IO[bytes], *, title: str, subject: str) -> Canvas:
    """Return an invariant A4 portrait canvas drawing into ``target``.

    Parameters
    ----------
    target : binary file object
    title, subject : str
        Document information (shown by PDF viewers).

    Returns
    -------
    reportlab.pdfgen.canvas.Canvas
    """
    register_fonts()
    canvas = Canvas(target, pagesize=A4, invariant=1, pageCompression=1, lang="id")
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor("berbagi")
    canvas.setCreator("berbagi")
    return canvas


@contextmanager
def binary_streams() -> Iterator[None]:
    """Write PDF streams as plain compressed binary while the block runs (not ASCII85).

    reportlab encodes streams in ASCII85 by default, in pure Python: a quarter bigger and most
    of the time it takes to write a sheet. The switch is reportlab's own setting, read while
    drawing images and while saving, so the whole document is drawn and saved inside the
    block; the previous value comes back afterwards.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def clean_text(value: str) -> str:
    """Return text with control characters and line breaks turned into single spaces."""
    chars = (" " if unicodedata.category(c).startswith("C") else c for c in value)
    return " ".join("".join(chars).split())


def text_width(value: str, font: str, size: float) -> float:
    """Width of a string in points (registers the fonts on first use)."""
    register_fonts()
    return float(pdfmetrics.stringWidth(value, font, size))


def wrap_text(value: str, font: str, size: float, width: float, *, max_lines: int = 4) -> list[str]:
    """Break plain text into lines no wider than ``width`` points.

    Words longer than a line are cut between characters. Text beyond ``max_lines`` is cut and
    the last line ends with "…".

    Parameters
    ----------
    value : str
        Plain text (control characters count as spaces).
    font : str
    size : float
        Font size in points.
    width : float
        Line width in points.
    max_lines : int

    Returns
    -------
    list of str
        At least one line (empty text gives one empty line).
    """
    clean = clean_text(value)
    if text_width(clean, font, size) <= width:
        return [clean]
    space = text_width(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in clean.split(" "):
        word_width = text_width(word, font, size)
        if current and used + space + word_width <= width:
            current.append(word)
            used += space + word_width
            continue
        if current:
            lines.append(" ".join(current))
        while word_width > width and len(word) > 1:
            cut = _fitting_prefix(word, font, size, width)
            lines.append(word[:cut])
            word = word[cut:]
            word_width = text_width(word, font, size)
        current, used = [word], word_width
    lines.append(" ".join(current))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def _fitting_prefix(word: str, font: str, size: float, width: float) -> int:
    """Return how many leading characters of a word fit in ``width`` (at least one)."""
    count = 1
    while count < len(word) and text_width(word[: count + 1], font, size) <= width:
        count += 1
    return count


def fit_text(value: str, font: str, size: float, width: float) -> str:
    """Return text on one line, cut with "…" when wider than ``width`` points."""
    return wrap_text(value, font, size, width, max_lines=1)[0]


@dataclass(slots=True)
class TextBatch:
    """Plain strings queued and then drawn in one PDF text object.

    One text object with a position per string takes far fewer PDF operators (and far less
    time) than one ``drawString`` per string. Empty strings are skipped.
    """

    items: list[tuple[float, float, str, str, float, Color]] = field(default_factory=list)

    def add(
        self,
        x: float,
        y: float,
        value: str,
        *,
        font: str,
        size: float,
        colour: Color,
        centred: bool = False,
    ) -> None:
        """Queue a string with its baseline at ``y``, starting at ``x`` (or centred on it)."""
        if not value:
            return
        if centred:
            x -= text_width(value, font, size) / 2
        self.items.append((x, y, value, font, size, colour))

    def draw(self, canvas: Canvas) -> None:
        """Draw every queued string."""
        if not self.items:
            return
        text = canvas.beginText()
        font_now: tuple[str, float] | None = None
        colour_now: Color | None = None
        for x, y, value, font, size, colour in self.items:
            if font_now != (font, size):
                text.setFont(font, size)
                font_now = (font, size)
            if colour_now is not colour:
                text.setFillColor(colour)
                colour_now = colour
            text.setTextOrigin(x, y)
            text.textOut(value)
        canvas.drawText(text)


def draw_watermark(canvas: Canvas, label: str) -> None:
    """Draw a large diagonal, translucent label across the page (over its content)."""
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFont(FONT_BOLD, 54)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(54.7)
    canvas.drawCentredString(0, -18, label)
    canvas.restoreState()


def draw_footer(
    canvas: Canvas, *, left: str, right: str, notice: str = "", below: str = ""
) -> None:
    """Draw the page footer under a rule.

    Line 1 holds ``left`` and ``right`` (the page number); line 2 a ``notice`` (e.g. synthetic
    data, in red) and ``below`` (e.g. the sheet number in a desa pack).
    """
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, FOOTER_Y + 9, PAGE_WIDTH - MARGIN, FOOTER_Y + 9)
    batch = TextBatch()
    batch.add(
        MARGIN,
        FOOTER_Y,
        fit_text(left, FONT, 7, CONTENT_WIDTH * 0.7),
        font=FONT,
        size=7,
        colour=MUTED,
    )
    batch.add(
        MARGIN,
        FOOTER_Y - 8,
        fit_text(notice, FONT, 6.5, CONTENT_WIDTH * 0.7),
        font=FONT,
        size=6.5,
        colour=ACCENT,
    )
    batch.draw(canvas)
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 8)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_Y, right)
    if below:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 6.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_Y - 8, below)
    canvas.restoreState()


def draw_signoff_boxes(canvas: Canvas, labels: tuple[str, str], top: float, height: float) -> None:
    """Draw two boxes side by side, each with its label, for a signature (no state saved)."""
    half = CONTENT_WIDTH / 2
    for column, label in enumerate(labels):
        x = MARGIN + column * (half + 4)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(x, top - height, half - 4, height, stroke=1, fill=0)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 6.6)
        canvas.drawString(x + 4, top - 9, label)
