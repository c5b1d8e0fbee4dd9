"""The map block of a team sheet: the route picture, its vector layer and its legend.

:func:`draw_map_block` places the raster layer of :mod:`optimizer.render.staticmap` on the page
and draws over it what must stay sharp and searchable: the numbered door markers, the depot, the
"P" where the team parks to walk, the scale bar and the north arrow; below it, one line of
legend and the road data's credit line.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from optimizer.render.i18n import Language, text
from optimizer.render.palette import PARK_COLOUR
from optimizer.render.pdfcanvas import (
    FONT,
    FONT_BOLD,
    INK,
    MUTED,
    TextBatch,
    fit_text,
    text_width,
)
from optimizer.render.staticmap import (
    LATER_TRIP_COLOUR,
    ROUTE_COLOUR,
    STREET_STYLE,
    MapMarker,
    RouteMap,
    ScaleBar,
)

MARKER_PRIORITY: Final = HexColor("#ffc107")
MARKER_APPROXIMATE: Final = HexColor("#d0d0d0")
MARKER_DEPOT: Final = HexColor("#111111")
MARKER_PARK: Final = HexColor(PARK_COLOUR)
_ROUTE: Final = HexColor(ROUTE_COLOUR)
_LATER: Final = HexColor(LATER_TRIP_COLOUR)
_ROAD: Final = HexColor(STREET_STYLE[1][0])
_LABEL_SIZE: Final = 6.0
_MARKER_HEIGHT: Final = 9.4
LEGEND_HEIGHT: Final = 13.0
_LEGEND_SIZE: Final = 6.5


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedMap:
    """A route map ready to draw, shared by every document that shows it.

    ``reader`` is reportlab's reader of the JPEG: it decodes the picture once (reportlab names
    an image by a digest of its pixels) and hands the JPEG bytes to each PDF as they are.
    """

    route_map: RouteMap
    reader: Any


def prepare_map(route_map: RouteMap) -> PreparedMap:
    """Wrap a route map for drawing in one or more documents."""
    return PreparedMap(route_map=route_map, reader=ImageReader(io.BytesIO(route_map.jpeg)))


def draw_map_block(
    canvas: Canvas,
    prepared: PreparedMap,
    *,
    x: float,
    y: float,
    width: float,
    height: float,
    language: Language,
    credit: str,
) -> None:
    """Draw a route map with its markers in a box, and its legend line under the box.

    Parameters
    ----------
    canvas : reportlab Canvas
    prepared : PreparedMap
    x, y : float
        Lower-left corner of the map box, in points.
    width, height : float
        Size of the map box, in points (the legend takes ``LEGEND_HEIGHT`` more below).
    language : {"id", "en"}
    credit : str
        Credit line of the road data, printed at the right of the legend.
    """
    route_map = prepared.route_map
    canvas.drawImage(prepared.reader, x, y, width, height)
    _draw_scale_bar(canvas, route_map.scale, x + 12, y + 10, width)
    _draw_north_arrow(canvas, x + width - 16, y + height - 12, text(language, "north"))
    # Markers last (over the scale bar if they must), clipped to the map.
    canvas.saveState()
    frame = canvas.beginPath()
    frame.rect(x, y, width, height)
    canvas.clipPath(frame, stroke=0, fill=0)
    _draw_markers(canvas, route_map.markers, (x, y, width, height))
    canvas.restoreState()
    canvas.saveState()
    canvas.setStrokeColor(HexColor("#424242"))
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, width, height, stroke=1, fill=0)
    canvas.restoreState()
    _draw_legend(canvas, route_map, x, y - LEGEND_HEIGHT + 3, width, language, credit)


def _marker_colours(marker: MapMarker) -> tuple[Color, Color, Color]:
    """Return the fill, edge and label colours of a marker."""
    if marker.depot:
        return MARKER_DEPOT, white, white
    if marker.park:
        return MARKER_PARK, white, white
    fill = (
        MARKER_APPROXIMATE if marker.approximate else MARKER_PRIORITY if marker.priority else white
    )
    return fill, (_LATER if marker.later_trip else _ROUTE), INK


def _draw_markers(
    canvas: Canvas, markers: tuple[MapMarker, ...], box: tuple[float, float, float, float]
) -> None:
    """Draw the markers in a box (x, y, width, height): shapes grouped by colour, then labels."""
    x, y, width, height = box
    shapes: dict[tuple[Color, Color], Any] = {}
    labels = TextBatch()
    for marker in markers:
        fill, edge, ink = _marker_colours(marker)
        cx, cy = x + marker.x * width, y + marker.y * height
        label_width = text_width(marker.label, FONT_BOLD, _LABEL_SIZE)
        tall = _MARKER_HEIGHT + (1.0 if marker.depot else 0.0)
        wide = max(tall, label_width + 4.0)
        path = shapes.get((fill, edge))
        if path is None:
            path = shapes[(fill, edge)] = canvas.beginPath()
        left, bottom = cx - wide / 2, cy - tall / 2
        if marker.depot or marker.park or marker.approximate:
            path.rect(left, bottom, wide, tall)
        elif wide > tall:
            path.roundRect(left, bottom, wide, tall, tall / 2)
        else:
            path.circle(cx, cy, tall / 2)
        labels.add(
            cx,
            cy - _LABEL_SIZE * 0.36,
            marker.label,
            font=FONT_BOLD,
            size=_LABEL_SIZE,
            colour=ink,
            centred=True,
        )
    canvas.saveState()
    canvas.setLineWidth(1.0)
    for (fill, edge), path in shapes.items():
        canvas.setFillColor(fill)
        canvas.setStrokeColor(edge)
        canvas.drawPath(path, stroke=1, fill=1)
    canvas.restoreState()
    labels.draw(canvas)


def _draw_scale_bar(canvas: Canvas, scale: ScaleBar, x: float, y: float, map_width: float) -> None:
    length = scale.share * map_width
    label = scale.label
    canvas.saveState()
    canvas.setFillColor(Color(1, 1, 1, alpha=0.85))
    canvas.rect(x - 5, y - 5, length + text_width(label, FONT, 6.5) + 14, 17, stroke=0, fill=1)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    for part in range(2):
        canvas.setFillColor(INK if part == 0 else white)
        canvas.rect(x + part * length / 2, y, length / 2, 3.5, stroke=1, fill=1)
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 6.5)
    canvas.drawString(x + length + 4, y, label)
    canvas.restoreState()


def _draw_north_arrow(canvas: Canvas, x: float, y: float, label: str) -> None:
    canvas.saveState()
    canvas.setFillColor(Color(1, 1, 1, alpha=0.85))
    canvas.circle(x, y - 5, 10, stroke=0, fill=1)
    canvas.setFillColor(INK)
    path = canvas.beginPath()
    path.moveTo(x, y + 4)
    path.lineTo(x - 4, y - 5)
    path.lineTo(x, y - 3)
    path.lineTo(x + 4, y - 5)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.setFont(FONT_BOLD, 7.5)
    canvas.drawCentredString(x, y - 13, label)
    canvas.restoreState()


def _draw_legend(
    canvas: Canvas,
    route_map: RouteMap,
    x: float,
    y: float,
    width: float,
    language: Language,
    credit: str,
) -> None:
    """Draw one line of legend symbols from the left and the credit line at the right."""
    items: list[tuple[str, str]] = [("route", text(language, "map_route"))]
    if route_map.later_trips:
        items.append(("later", text(language, "map_later_trip")))
    items += [
        ("door", text(language, "map_stop")),
        ("priority", text(language, "map_priority")),
        ("approximate", text(language, "map_approximate")),
        ("depot", text(language, "map_depot")),
        ("road", text(language, "map_roads")),
    ]
    if route_map.walks:
        items += [("walk", text(language, "map_walk")), ("park", text(language, "map_park"))]
    size = _legend_size([label for _, label in items], width)
    canvas.saveState()
    cursor = x
    canvas.setFont(FONT, size)
    for kind, label in items:
        _draw_symbol(canvas, kind, cursor + 6, y + 2.2)
        canvas.setFillColor(INK)
        canvas.setFont(FONT, size)
        canvas.drawString(cursor + 14, y, label)
        cursor += 14 + text_width(label, FONT, size) + 9
    room = x + width - cursor
    if room > 40:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 5.5)
        canvas.drawRightString(x + width, y, fit_text(credit, FONT, 5.5, room))
    canvas.restoreState()


def _legend_size(labels: list[str], width: float) -> float:
    """Return the legend's font size: 6.5 pt, smaller (not under 5 pt) if the line is too long."""
    words = sum(text_width(label, FONT, _LEGEND_SIZE) for label in labels)
    room = width - 23.0 * len(labels)
    if words <= room:
        return _LEGEND_SIZE
    return max(5.0, _LEGEND_SIZE * room / words)


def _draw_symbol(canvas: Canvas, kind: str, cx: float, cy: float) -> None:
    canvas.setLineWidth(0.9)
    if kind == "walk":
        canvas.setStrokeColor(_ROUTE)
        canvas.setLineWidth(1.1)
        canvas.setDash(2.2, 1.6)
        canvas.line(cx - 6, cy, cx + 6, cy)
        canvas.setDash()
        return
    if kind in ("route", "later", "road"):
        colour = {"route": _ROUTE, "later": _LATER, "road": _ROAD}[kind]
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(2.0 if kind != "road" else 1.2)
        canvas.line(cx - 6, cy, cx + 6, cy)
        return
    marker = MapMarker(
        label="D" if kind == "depot" else "",
        x=0.0,
        y=0.0,
        depot=kind == "depot",
        park=kind == "park",
        priority=kind == "priority",
        approximate=kind == "approximate",
    )
    fill, edge, _ = _marker_colours(marker)
    canvas.setFillColor(fill)
    canvas.setStrokeColor(edge)
    if kind in ("depot", "park", "approximate"):
        canvas.rect(cx - 3.5, cy - 3.5, 7, 7, stroke=1, fill=1)
        if kind in ("depot", "park"):
            canvas.setFillColor(white)
            canvas.setFont(FONT_BOLD, 5)
            canvas.drawCentredString(cx, cy - 1.8, "D" if kind == "depot" else "P")
    else:
        canvas.circle(cx, cy, 3.5, stroke=1, fill=1)
