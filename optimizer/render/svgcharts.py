"""Small charts as inline SVG text: bars per scenario, route-time distributions, stacked bars.

The charts are written by hand, with no chart library and no script, so a page that holds
them opens offline and prints as it is shown. Coordinates are rounded to 0.1 px and every
label is escaped here, so equal inputs give equal bytes and no text from a scenario file can
become markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Final

#: Font used in every chart (the page's own).
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
AXIS_COLOUR: Final = "#9aa5b1"
GRID_COLOUR: Final = "#e4e8ec"
TEXT_COLOUR: Final = "#1d2733"
MUTED_COLOUR: Final = "#5f6b7a"
SERVED_COLOUR: Final = "#2e7d32"
UNSERVED_COLOUR: Final = "#d62728"
_NICE_STEPS: Final = (1.0, 2.0, 2.5, 5.0, 10.0)
_ROW_H: Final = 26
_LABEL_W: Final = 130
_VALUE_W: Final = 96
_STRIP_ROW_H: Final = 44
#: Golden-ratio offsets spread the dots of a strip over its height without randomness.
_GOLDEN: Final = 0.6180339887498949


def escape(value: object) -> str:
    """Escape a value for SVG or HTML text and attributes.

    Parameters
    ----------
    value : object
        Any value; it is turned into text first.

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>``, ``"`` and ``'`` escaped.
    """
    return html.escape(str(value), quote=True)


def num(value: float) -> str:
    """Return a coordinate rounded to 0.1 with no trailing zero ("12", "12.5", "-3.1")."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(top: float, *, count: int = 5) -> list[float]:
    """Return round axis ticks from 0 to at least ``top`` (about ``count`` intervals).

    Parameters
    ----------
    top : float
        The largest value the axis must show; 0 or less gives the axis 0 to 1.
    count : int
        About how many intervals the axis has.

    Returns
    -------
    list[float]
        Evenly spaced ticks starting at 0, the last one at or above ``top``.
    """
    if top <= 0 or not math.isfinite(top):
        top = 1.0
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in _NICE_STEPS if s * power >= raw - 1e-12)
    intervals = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(intervals + 1)]


def tick_text(value: float) -> str:
    """Return an axis label: an integer with thousands separators, else up to two decimals."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{num(width)}" '
        f'height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" role="img" '
        f'aria-label="{escape(label)}" font-family="{escape(FONT)}" font-size="12">'
    )


def _grid(
    ticks: Sequence[float],
    scale: float,
    top: float,
    bottom: float,
    label: Callable[[float], str],
) -> list[str]:
    """Vertical grid lines from ``top`` to ``bottom`` (px), each labelled under its foot."""
    return [
        f'<line x1="{num(_LABEL_W + tick * scale)}" y1="{num(top)}" '
        f'x2="{num(_LABEL_W + tick * scale)}" y2="{num(bottom)}" stroke="{GRID_COLOUR}"/>'
        f'<text x="{num(_LABEL_W + tick * scale)}" y="{num(bottom + 14)}" '
        f'text-anchor="middle" fill="{MUTED_COLOUR}" font-size="10">{escape(label(tick))}</text>'
        for tick in ticks
    ]


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    value_texts: Sequence[str],
    colours: Sequence[str],
    *,
    origin: float = 0.0,
    tick_format: Callable[[float], str] = tick_text,
    width: int = 380,
) -> str:
    """Draw one horizontal bar per scenario, with its value at the end of the bar.

    Parameters
    ----------
    title : str
        The chart's accessible name (drawn by the page above the chart).
    labels, values, value_texts, colours : Sequence
        Per scenario: the name on the left, the bar's length (``None``: no bar), the text after
        the bar and the bar's colour.
    origin : float
        Where the bars start (a time of day can start at the earliest departure, not at 0).
    tick_format : Callable[[float], str]
        Text of an axis tick, given its value (``origin`` included).
    width : int
        Width of the chart in px; the height follows from the number of bars.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    height = _ROW_H * len(labels) + 26
    plot_w = width - _LABEL_W - _VALUE_W
    top = max((v - origin for v in values if v is not None), default=0.0)
    ticks = nice_ticks(top, count=4)
    scale = plot_w / ticks[-1]
    parts = [_svg_open(width, height, title)]
    parts += _grid(ticks, scale, 2, height - 20, lambda tick: tick_format(tick + origin))
    for i, (label, value, text, colour) in enumerate(
        zip(labels, values, value_texts, colours, strict=True)
    ):
        y = 4 + i * _ROW_H
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"<title>{escape(label)}</title>{escape(_truncate(label, 22))}</text>"
        )
        length = 0.0 if value is None else max(value - origin, 0.0) * scale
        parts.append(
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{num(length)}" height="{_ROW_H - 8}" '
            f'rx="2" fill="{colour}"/><text x="{num(_LABEL_W + length + 5)}" y="{y + 15}" '
            f'fill="{TEXT_COLOUR}" font-weight="600">{escape(text)}</text>'
        )
    parts.append(
        f'<line x1="{_LABEL_W}" y1="2" x2="{_LABEL_W}" y2="{height - 20}" '
        f'stroke="{AXIS_COLOUR}"/></svg>'
    )
    return "".join(parts)


def _quantile(sorted_values: Sequence[float], share: float) -> float:
    """Linear-interpolation quantile of sorted values (NumPy's default method)."""
    position = share * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _box(values: Sequence[float], y: float, scale: float, colour: str) -> str:
    """Box (quartiles), median line and whiskers (minimum to maximum) of one scenario."""
    ordered = sorted(values)
    low, q1, median, q3, high = (_quantile(ordered, s) for s in (0.0, 0.25, 0.5, 0.75, 1.0))
    mid = y + _STRIP_ROW_H / 2

    def x(value: float) -> str:
        return num(_LABEL_W + value * scale)

    return (
        f'<line x1="{x(low)}" y1="{num(mid)}" x2="{x(high)}" y2="{num(mid)}" '
        f'stroke="{MUTED_COLOUR}"/>'
        f'<line x1="{x(low)}" y1="{num(mid - 7)}" x2="{x(low)}" y2="{num(mid + 7)}" '
        f'stroke="{MUTED_COLOUR}"/>'
        f'<line x1="{x(high)}" y1="{num(mid - 7)}" x2="{x(high)}" y2="{num(mid + 7)}" '
        f'stroke="{MUTED_COLOUR}"/>'
        f'<rect x="{x(q1)}" y="{num(mid - 12)}" width="{num((q3 - q1) * scale)}" height="24" '
        f'fill="{colour}" fill-opacity="0.18" stroke="{colour}"/>'
        f'<line x1="{x(median)}" y1="{num(mid - 12)}" x2="{x(median)}" y2="{num(mid + 12)}" '
        f'stroke="{colour}" stroke-width="3"/>'
    )


def _strip(values: Sequence[float], y: float, scale: float, colour: str) -> str:
    """One dot per route, spread over the row's height without randomness."""
    dots = []
    for i, value in enumerate(values):
        offset = ((i * _GOLDEN) % 1.0 - 0.5) * (_STRIP_ROW_H - 16)
        dots.append(
            f'<circle cx="{num(_LABEL_W + value * scale)}" '
            f'cy="{num(y + _STRIP_ROW_H / 2 + offset)}" r="2.6"/>'
        )
    return f'<g fill="{colour}" fill-opacity="0.7">{"".join(dots)}</g>'


def route_time_chart(
    labels: Sequence[str],
    hours: Sequence[Sequence[float]],
    colours: Sequence[str],
    *,
    width: int = 720,
) -> str:
    """Draw the distribution of route times: a box plot with every route as a dot.

    Parameters
    ----------
    labels : Sequence[str]
        Scenario names, one row each.
    hours : Sequence[Sequence[float]]
        Per scenario, each route's time from leaving the depot to coming back (hours).
    colours : Sequence[str]
        Per scenario, the colour of its box and dots.
    width : int
        Width of the chart in px.

    Returns
    -------
    str
        An ``<svg>`` element; a scenario without routes gets an empty row marked "no routes".
    """
    height = _STRIP_ROW_H * len(labels) + 40
    plot_w = width - _LABEL_W - 30
    ticks = nice_ticks(max((h for row in hours for h in row), default=0.0), count=8)
    scale = plot_w / ticks[-1]
    parts = [_svg_open(width, height, "Route times per scenario (hours)")]
    parts += _grid(ticks, scale, 0, height - 34, tick_text)
    parts.append(
        f'<text x="{num(_LABEL_W + plot_w / 2)}" y="{height - 4}" text-anchor="middle" '
        f'fill="{MUTED_COLOUR}" font-size="10">hours from leaving the depot to coming back'
        "</text>"
    )
    for i, (label, row, colour) in enumerate(zip(labels, hours, colours, strict=True)):
        y = i * _STRIP_ROW_H
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{num(y + _STRIP_ROW_H / 2 + 4)}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}"><title>{escape(label)}</title>'
            f"{escape(_truncate(label, 22))}</text>"
        )
        if not row:
            parts.append(
                f'<text x="{_LABEL_W + 8}" y="{num(y + _STRIP_ROW_H / 2 + 4)}" '
                f'fill="{MUTED_COLOUR}">no routes</text>'
            )
            continue
        parts.append(_box(row, y, scale, colour) + _strip(row, y, scale, colour))
    parts.append(
        f'<line x1="{_LABEL_W}" y1="0" x2="{_LABEL_W}" y2="{height - 34}" '
        f'stroke="{AXIS_COLOUR}"/></svg>'
    )
    return "".join(parts)


def stacked_bar(served: int, unserved: int, largest: int, *, width: int = 120) -> str:
    """Draw a thin bar of served (green) then unserved (red) households.

    Parameters
    ----------
    served, unserved : int
        Households of one kecamatan in one scenario.
    largest : int
        The largest served + unserved of the table, which fills the full width.
    width : int
        Full width in px.

    Returns
    -------
    str
        An ``<svg>`` element 10 px high.
    """
    scale = width / largest if largest > 0 else 0.0
    served_w = served * scale
    unserved_w = unserved * scale
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="minibar" width="{width}" height="10" '
        f'viewBox="0 0 {width} 10" aria-hidden="true">'
        f'<rect width="{width}" height="10" fill="#f1f3f5"/>'
        f'<rect width="{num(served_w)}" height="10" fill="{SERVED_COLOUR}"/>'
        f'<rect x="{num(served_w)}" width="{num(unserved_w)}" height="10" '
        f'fill="{UNSERVED_COLOUR}"/></svg>'
    )
