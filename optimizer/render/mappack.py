"""The overview map's layer data: what each Leaflet layer of the page is drawn from.

Outlines, unserved households, depots, walks from a parked vehicle and parking places stay
small GeoJSON features with their tooltip HTML.
Routes, stops and streets, the bulk of a regency plan, are packed: coordinates become integer
steps of ``1 / scale`` degree (the plan's rounding) from the previous point, and a stop refers
to its team by index; the page script (:mod:`optimizer.render.mapscript`) unpacks them. Every
text from the user's files is escaped here.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from optimizer.geometry import Streets
from optimizer.render.features import Feature
from optimizer.render.mapscript import STREET_ZOOM
from optimizer.render.streetlines import build_street_lines

#: Layer keys of the map, bottom to top, with their names in the layer control.
LAYER_NAMES: Final[dict[str, str]] = {
    "desa": "Desa outlines",
    "kecamatan": "Kecamatan outlines",
    "street": "Streets",
    "route": "Routes",
    "walk": "Walks from a parked vehicle",
    "stop": "Stops",
    "park": "Parking places",
    "unserved": "Unserved households",
    "depot": "Depots",
}
#: Area levels drawn with the kecamatan style (outline only); any other level is a desa.
_OUTLINE_LEVELS: Final = frozenset({"kabupaten", "kecamatan"})
#: Streets are drawn this far (degrees, about 1.1 km) around what the plan shows.
STREET_MARGIN_DEG: Final = 0.01
#: Streets travel in square cells of this size (degrees, about 2.2 km), one canvas line each,
#: so the canvas skips cells out of view.
_STREET_CELL_DEG: Final = 0.02
#: Inner points of a street closer than this (metres) to the line through their neighbours are
#: dropped.
_STREET_TOLERANCE_M: Final = 1.5
_METRES_PER_DEGREE: Final = 111_320.0

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def escape(value: object) -> str:
    """Escape a value for HTML text or an attribute.

    Parameters
    ----------
    value : object
        Anything; it is turned into text first.

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>``, ``"`` and ``'`` escaped.
    """
    return html.escape(str(value), quote=True)


def duration_text(seconds: int) -> str:
    """Write a duration as hours and minutes, e.g. "1 h 05 min" (under an hour: "11 min").

    Parameters
    ----------
    seconds : int

    Returns
    -------
    str
    """
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _layer_key(properties: dict[str, Any]) -> str:
    kind = str(properties["kind"])
    if kind in LAYER_NAMES:
        return kind
    return "kecamatan" if kind in _OUTLINE_LEVELS else "desa"


def _tip(properties: dict[str, Any]) -> str:
    """Tooltip/popup HTML of a route, unserved household, depot or area; text is escaped here.

    Stop tooltips are put together in the page from escaped fields (see ``PAGE_JS``): there are
    tens of thousands of them and the page stays much smaller that way.
    """
    p = properties
    kind = p["kind"]
    if kind in ("walk", "park"):
        return _walk_tip(p)
    if kind == "route":
        return (
            f"<b>Team {escape(p['team_id'])}</b> · {escape(p['vehicle'])}<br>"
            f"{_plural(p['stops'], 'stop')} · {_plural(p['load'], 'package')}<br>"
            f"{escape(p['start'])}–{escape(p['end'])} ({duration_text(p['duration_min'] * 60)}) · "
            f"{p['distance_km']:.1f} km<br>Depot {escape(p['depot_id'])}"
            + (f" · {p['trips']} trips (reloads at the depot)" if p.get("trips", 1) > 1 else "")
            + (f"<br>Break {escape(p['break'])}" if p.get("break") else "")
        )
    if kind == "unserved":
        return f"<b>Not served</b>: household {escape(p['household_id'])}<br>{escape(p['reason'])}"
    if kind == "depot":
        approximate = " (approximate location)" if p["approximate"] else ""
        return (
            f"<b>Depot {escape(p['name'])}</b>{approximate}<br>"
            f"{escape(p['depot_id'])} · {_plural(p['teams'], 'team')}"
        )
    return f"{escape(str(kind).capitalize())} {escape(p['name'])} · {escape(p['code'])}"


def _walk_tip(properties: dict[str, Any]) -> str:
    """Tooltip/popup HTML of a walk from a parked vehicle, or of its parking place."""
    p = properties
    span = str(p["doors"])
    doors = f"doors {escape(span)}" if "-" in span else f"door {escape(span)}"
    team = f"<b>Team {escape(p['team_id'])}</b>"
    if p["kind"] == "walk":
        return f"{team} · on foot<br>To {doors} and back: {p['walk_m']} m"
    return (
        f"{team} · parking place<br>Park {escape(p['arrival'])}, back at the vehicle "
        f"{escape(p['departure'])}<br>On foot to {doors} and back: {p['walk_m']} m"
    )


def _deltas(line: list[list[float]], scale: int) -> list[int]:
    """Pack a line as integers in units of ``1 / scale`` degree: first point, then steps."""
    xy = np.rint(np.asarray(line, dtype=np.float64) * scale).astype(np.int64)
    flat: list[int] = np.concatenate([xy[:1], np.diff(xy, axis=0)]).ravel().tolist()
    return flat


def pack_layers(collection: dict[str, Any], decimals: int) -> dict[str, Any]:
    """Slim the drawable features of the collection into what each map layer is drawn from.

    Parameters
    ----------
    collection : dict
        The plan's FeatureCollection (:func:`~optimizer.render.features.build_feature_collection`).
    decimals : int
        The rounding of its coordinates: steps are in units of ``10 ** -decimals`` degree.

    Returns
    -------
    dict
        Layer key (:data:`LAYER_NAMES`) to its data, or None when there is nothing to draw.
        Outlines, unserved households, depots, walks and parking places are GeoJSON features
        whose properties are ``t`` (tooltip HTML), ``a`` (approximate depot), ``l`` (kecamatan
        label) and ``c`` (the team's colour, walks and parking places); routes are
        ``{"scale", "routes": [[tooltip, colour, team id, line...]]}``; stops ``{"scale",
        "teams": [[team id, colour]], "stops": [[team, dx, dy, number, household, arrival,
        packages, (location)]]}``. Streets are packed apart (:func:`pack_streets`).
    """
    scale = 10**decimals
    geojson: dict[str, list[Feature]] = {
        key: [] for key in ("desa", "kecamatan", "walk", "park", "unserved", "depot")
    }
    routes: list[list[Any]] = []
    stops = _StopPacker(scale)
    for feature in collection["features"]:
        geometry, properties = feature["geometry"], feature["properties"]
        if geometry is None:
            continue
        key = _layer_key(properties)
        if key == "route":
            routes.append(_route_record(geometry, properties, scale))
        elif key == "stop":
            stops.add(geometry, properties)
        else:
            slim: dict[str, Any] = {"t": _tip(properties)}
            if key == "depot" and properties["approximate"]:
                slim["a"] = 1
            if properties["kind"] == "kecamatan":
                slim["l"] = escape(properties["name"])
            if key in ("walk", "park"):
                slim["c"] = properties["colour"]
            geojson[key].append({"type": "Feature", "geometry": geometry, "properties": slim})
    packed: dict[str, Any] = {
        "route": {"scale": scale, "routes": routes} if routes else None,
        "stop": stops.payload(),
        "street": None,
    }
    return {key: packed[key] if key in packed else (geojson[key] or None) for key in LAYER_NAMES}


def _route_record(geometry: dict[str, Any], properties: dict[str, Any], scale: int) -> list[Any]:
    """Pack a route: ``[tooltip, colour, team id, line...]``, each line as integer steps."""
    lines = geometry["coordinates"]
    if geometry["type"] == "LineString":
        lines = [lines]
    return [
        _tip(properties),
        properties["colour"],
        escape(properties["team_id"]),
        *(_deltas(line, scale) for line in lines),
    ]


class _StopPacker:
    """Stops as rows of a table, each a step from the stop before it; teams by index."""

    def __init__(self, scale: int) -> None:
        self.scale = scale
        self.teams: dict[tuple[str, str], int] = {}
        self.rows: list[list[Any]] = []
        self.last = (0, 0)

    def add(self, geometry: dict[str, Any], properties: dict[str, Any]) -> None:
        team = self.teams.setdefault((properties["team_id"], properties["colour"]), len(self.teams))
        x, y = (round(value * self.scale) for value in geometry["coordinates"])
        location = properties["location"]
        self.rows.append(
            [
                team,
                x - self.last[0],
                y - self.last[1],
                properties["sequence"],
                escape(properties["household_id"]),
                escape(properties["arrival"]),
                properties["packages"],
                *([escape(location)] if location != "register" else []),
            ]
        )
        self.last = (x, y)

    def payload(self) -> dict[str, Any] | None:
        if not self.rows:
            return None
        teams = [[escape(team_id), colour] for team_id, colour in self.teams]
        return {"scale": self.scale, "teams": teams, "stops": self.rows}


#: The last street layer packed, by what it was packed from: plans of one comparison (or of
#: what-ifs of one regency) draw the same streets in the same box. Read-only once returned.
_LAST_PACKED: dict[tuple[str, tuple[float, ...] | None, int], dict[str, Any] | None] = {}


def _streets_digest(streets: Streets) -> str:
    sha = hashlib.sha256()
    for array in (streets.offsets, streets.lat, streets.lon, streets.rank):
        sha.update(np.ascontiguousarray(array).tobytes())
        sha.update(b"|")
    return sha.hexdigest()


def pack_streets(
    streets: Streets, bbox: list[float] | None, decimals: int
) -> dict[str, Any] | None:
    """Pack the streets around the plan for the page (the last result is kept for reuse).

    The same streets, box and decimals give the same layer; the last one packed is returned
    again instead of being packed twice (see :func:`_pack_streets`).
    """
    key = (_streets_digest(streets), tuple(bbox) if bbox is not None else None, decimals)
    if key not in _LAST_PACKED:
        _LAST_PACKED.clear()
        _LAST_PACKED[key] = _pack_streets(streets, bbox, decimals)
    return _LAST_PACKED[key]


def _pack_streets(
    streets: Streets, bbox: list[float] | None, decimals: int
) -> dict[str, Any] | None:
    """Pack the streets around the plan for the page.

    Streets with a point within :data:`STREET_MARGIN_DEG` of the plan's box are kept, put on the
    map's rounding grid (``1 / scale`` degree), thinned and chained into long lines
    (:func:`~optimizer.render.streetlines.build_street_lines`). Each rank is one run of integer
    steps (every line's first point is a step from the previous line's last point), its lines
    grouped into square cells of ``_STREET_CELL_DEG``, north to south and west to east.

    Parameters
    ----------
    streets : Streets
    bbox : list of float or None
        The plan's ``[west, south, east, north]`` (degrees); None draws no streets.
    decimals : int
        The map's rounding of coordinates.

    Returns
    -------
    dict or None
        ``{"scale": s, "ranks": [{"r": rank, "z": least zoom, "cells": [[line, ...], ...]}]}``,
        main roads first; None when no street is near the plan.
    """
    if bbox is None:
        return None
    west, south, east, north = bbox
    margin = STREET_MARGIN_DEG
    near = streets.within(south - margin, west - margin, north + margin, east + margin)
    if near.n_lines == 0:
        return None
    scale = 10**decimals

    def project(lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
        return np.rint(lon * scale).astype(np.int64), np.rint(lat * scale).astype(np.int64)

    tolerance = _STREET_TOLERANCE_M * scale / _METRES_PER_DEGREE
    ranks = []
    for group in build_street_lines(near, project, tolerance=tolerance):
        ranks.append(
            {
                "r": group.rank,
                "z": STREET_ZOOM[group.rank],
                "cells": _street_cells(group.xy, group.offsets, round(_STREET_CELL_DEG * scale)),
            }
        )
    return {"scale": scale, "ranks": ranks}


def _street_cells(xy: IntArray, offsets: IntArray, cell: int) -> list[list[list[int]]]:
    """Order lines by the cell of their first point; pack them as one run of integer steps."""
    starts = xy[offsets[:-1]]
    cell_x, cell_y = starts[:, 0] // cell, starts[:, 1] // cell
    order = np.lexsort((np.arange(len(starts)), cell_x, -cell_y))
    lengths = np.diff(offsets)[order]
    first = np.repeat(offsets[:-1][order], lengths)
    step = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ordered = xy[first + step]
    steps = np.diff(ordered, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    bounds = np.cumsum(lengths)[:-1]
    lines = [part.ravel().tolist() for part in np.split(steps, bounds)]
    keys = np.column_stack([cell_x[order], cell_y[order]])
    new_cell = np.ones(len(order), dtype=bool)
    new_cell[1:] = np.any(keys[1:] != keys[:-1], axis=1)
    cells: list[list[list[int]]] = []
    for line, opens in zip(lines, new_cell.tolist(), strict=True):
        if opens:
            cells.append([])
        cells[-1].append(line)
    return cells
