"""A team's route as a printable picture: the route drawn over every street in view.

The picture has two layers. The raster layer is drawn here with matplotlib's Agg canvas
(``FigureCanvasAgg`` on a bare ``Figure``: no pyplot, so the process's backend setting is left
alone; no axes, no text: artists straight on the figure, which keeps a map to about ten
milliseconds): every street in view in grey by rank (lanes thinnest, main roads darkest), the
route in a strong colour over a white casing, a second colour after a reload, and arrowheads
along the driven legs; a walk from a parked vehicle is a thin dashed loop (parking place, its
doors, parking place), never counted as driven. The vector layer, numbered doors, the depot, the
"P" of each parking place, the scale bar and the north arrow, is only laid out here
(:class:`MapMarker`, :class:`ScaleBar`) and drawn by the PDF module, so numbers stay sharp and
searchable. The map is north up on a local metric plane around the route.

The raster layer comes back JPEG-encoded (quality 90, no chroma subsampling: lines stay clean
at print size), about 75 KB for a 150 dpi map. A PDF embeds JPEG data as it is, while raw
pixels would be compressed again for every document that shows the map (a team's sheet and its
desa's pack): encoding once keeps the whole regency's sheets within a minute. The encoder
writes no metadata or timestamp, so equal plans give equal bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Affine2D, Transform
from PIL import Image

from optimizer.geometry import RANK_LANE, RANK_LOCAL, RANK_MAIN, Streets
from optimizer.plan import Route, Stop
from optimizer.render.walks import walk_loop, walk_trip
from optimizer.units import EARTH_RADIUS_M

#: Route colour of the first trip and of later trips (after a reload).
ROUTE_COLOUR: Final = "#c62828"
LATER_TRIP_COLOUR: Final = "#6a1b9a"
#: Street style per rank: (colour, line width in points); drawn lanes first, main roads last.
STREET_STYLE: Final[dict[int, tuple[str, float]]] = {
    RANK_LANE: ("#bdbdbd", 0.45),
    RANK_LOCAL: ("#9e9e9e", 0.9),
    RANK_MAIN: ("#6e6e6e", 1.9),
}
JPEG_QUALITY: Final = 90
_MIN_SPAN_M: Final = 500.0
_PAD_SHARE: Final = 0.08
_ARROW_EVERY_MM: Final = 30.0
_ARROW_MIN_MM: Final = 6.0
_ARROW_LENGTH_MM: Final = 2.4
_ARROW_WIDTH_MM: Final = 1.9
#: Doors closer than this on paper share one marker ("15–16").
_CLUSTER_MM: Final = 2.8
_NICE_LENGTHS_M: Final = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)
_MM_PER_PT: Final = 25.4 / 72

#: Projection of (lat, lon) degrees to paper millimetres from the map's lower-left corner.
_Projection = Callable[
    [npt.ArrayLike, npt.ArrayLike], tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
]


@dataclass(frozen=True, slots=True, kw_only=True)
class MapFrame:
    """The area a map shows: a local plane in metres around ``lat0``/``lon0``, north up."""

    lat0: float
    lon0: float
    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def to_xy(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Project degrees to (x east, y north) metres of this frame."""
        k = math.pi / 180.0 * EARTH_RADIUS_M
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * k * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * k
        return x, y

    def bounds(self) -> tuple[float, float, float, float]:
        """Return the frame as (south, west, north, east) degrees."""
        k = math.pi / 180.0 * EARTH_RADIUS_M
        kx = k * math.cos(math.radians(self.lat0))
        return (
            self.lat0 + self.ymin / k,
            self.lon0 + self.xmin / kx,
            self.lat0 + self.ymax / k,
            self.lon0 + self.xmax / kx,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MapMarker:
    """A numbered door marker (or the depot) at a position given as a share of the map size.

    ``x`` counts from the left edge, ``y`` from the bottom edge, both in 0..1. One marker may
    stand for several doors that would overlap on paper; ``label`` then lists them ("15–16").
    """

    label: str
    x: float
    y: float
    depot: bool = False
    #: A parking place of a walk (label "P").
    park: bool = False
    priority: bool = False
    approximate: bool = False
    later_trip: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ScaleBar:
    """A scale bar: ``length_m`` of ground is ``share`` of the map's width."""

    length_m: float
    share: float

    @property
    def label(self) -> str:
        """The bar's length in words ("200 m", "1 km")."""
        if self.length_m >= 1000:
            return f"{self.length_m / 1000:g} km"
        return f"{self.length_m:g} m"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteMap:
    """A drawn route map: the raster layer (JPEG bytes) and the layout of its vector layer."""

    jpeg: bytes
    width_px: int
    height_px: int
    markers: tuple[MapMarker, ...]
    scale: ScaleBar
    later_trips: bool
    #: The route parks and walks to doors (dashed loops and "P" markers are drawn).
    walks: bool = False


def frame_route(route: Route, *, aspect: float) -> MapFrame:
    """Return the frame that shows a whole route with a margin, at a width/height ``aspect``.

    Parameters
    ----------
    route : Route
    aspect : float
        Width / height of the picture.

    Returns
    -------
    MapFrame
        At least 500 m across, centred on the route and its depot.
    """
    lats = [route.depot_lat, *(s.lat for s in route.stops)]
    lons = [route.depot_lon, *(s.lon for s in route.stops)]
    for leg in route.legs:
        lats.extend(leg.path.lats)
        lons.extend(leg.path.lons)
    lat0 = (min(lats) + max(lats)) / 2
    lon0 = (min(lons) + max(lons)) / 2
    probe = MapFrame(lat0=lat0, lon0=lon0, xmin=0.0, xmax=0.0, ymin=0.0, ymax=0.0)
    x, y = probe.to_xy(lats, lons)
    width = max(float(x.max() - x.min()) * (1 + 2 * _PAD_SHARE), _MIN_SPAN_M)
    height = max(float(y.max() - y.min()) * (1 + 2 * _PAD_SHARE), _MIN_SPAN_M / aspect)
    width = max(width, height * aspect)
    height = width / aspect
    xc, yc = float(x.max() + x.min()) / 2, float(y.max() + y.min()) / 2
    return MapFrame(
        lat0=lat0,
        lon0=lon0,
        xmin=xc - width / 2,
        xmax=xc + width / 2,
        ymin=yc - height / 2,
        ymax=yc + height / 2,
    )


def render_route_map(
    route: Route,
    streets: Streets,
    *,
    width_pt: float,
    height_pt: float,
    dpi: int = 150,
) -> RouteMap:
    """Draw a team's route over the streets around it.

    Parameters
    ----------
    route : Route
    streets : Streets
        Any superset of the streets in view (the whole network will do; it is clipped here).
    width_pt, height_pt : float
        Size of the map on paper, in points (1/72 inch).
    dpi : int
        Pixels per inch of the raster layer.

    Returns
    -------
    RouteMap
        The raster layer, a JPEG picture of ``width_pt / 72 * dpi`` by ``height_pt / 72 * dpi``
        pixels, and the layout of the markers (numbered with the stops' ``sequence``, the
        numbers of the stop table) and of the scale bar.
    """
    frame = frame_route(route, aspect=width_pt / height_pt)
    width_mm, height_mm = width_pt * _MM_PER_PT, height_pt * _MM_PER_PT
    metres_per_mm = (frame.xmax - frame.xmin) / width_mm
    figure = Figure(figsize=(width_pt / 72, height_pt / 72), dpi=dpi, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    # Artists take paper millimetres from the lower-left corner.
    paper = Affine2D().scale(1 / width_mm, 1 / height_mm) + figure.transFigure

    def to_mm(
        lat: npt.ArrayLike, lon: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        x, y = frame.to_xy(lat, lon)
        return (x - frame.xmin) / metres_per_mm, (y - frame.ymin) / metres_per_mm

    _draw_streets(figure, paper, streets, frame, to_mm)
    later = _draw_route(figure, paper, route, to_mm)
    _draw_walks(figure, paper, route, to_mm)
    canvas.draw()  # type: ignore[no-untyped-call]
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
    image = Image.fromarray(np.ascontiguousarray(rgba[:, :, :3]), mode="RGB")
    encoded = io.BytesIO()
    image.save(encoded, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    markers = _lay_out_markers(route, to_mm, width_mm=width_mm, height_mm=height_mm)
    length = _nice_length((frame.xmax - frame.xmin) / 5)
    return RouteMap(
        jpeg=encoded.getvalue(),
        width_px=image.width,
        height_px=image.height,
        markers=markers,
        scale=ScaleBar(length_m=length, share=length / (frame.xmax - frame.xmin)),
        later_trips=later,
        walks=bool(route.parks),
    )


def _nan_joined(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Join polylines into one array pair with a NaN between lines (one draw call for all)."""
    breaks = np.cumsum(counts)[:-1]
    return np.insert(x, breaks, np.nan), np.insert(y, breaks, np.nan)


def _draw_streets(
    figure: Figure,
    paper: Transform,
    streets: Streets,
    frame: MapFrame,
    to_mm: _Projection,
) -> None:
    south, west, north, east = frame.bounds()
    view = streets.within(south, west, north, east)
    x, y = to_mm(view.lat, view.lon)
    counts = np.diff(view.offsets)
    point_rank = np.repeat(view.rank, counts)
    for rank in (RANK_LANE, RANK_LOCAL, RANK_MAIN):
        keep = view.rank == rank
        if not keep.any():
            continue
        points = point_rank == rank
        xs, ys = _nan_joined(x[points], y[points], counts[keep])
        colour, width = STREET_STYLE[rank]
        figure.add_artist(
            Line2D(
                xs, ys, color=colour, lw=width, solid_capstyle="round", transform=paper, zorder=1
            )
        )


def _leg_trips(route: Route) -> list[int]:
    """Return the trip of each leg (a leg into a reload belongs to the trip it ends)."""
    if len(route.legs) != len(route.stops) + len(route.reloads) + 1:
        return [1] * len(route.legs)
    positions = [r.after_stop + i + 1 for i, r in enumerate(route.reloads)]
    return [1 + sum(1 for p in positions if p <= j) for j in range(len(route.legs))]


def _draw_route(figure: Figure, paper: Transform, route: Route, to_mm: _Projection) -> bool:
    """Draw the legs and their arrowheads; return whether a later trip was drawn."""
    trips = _leg_trips(route)
    drawn_later = False
    for later in (False, True):
        legs = [
            to_mm(leg.path.lats, leg.path.lons)
            for leg, trip in zip(route.legs, trips, strict=True)
            if (trip > 1) == later and len(leg.path.lats) >= 2 and not leg.walk
        ]
        if not legs:
            continue
        drawn_later |= later
        colour = LATER_TRIP_COLOUR if later else ROUTE_COLOUR
        counts = np.array([len(x) for x, _ in legs], dtype=np.int64)
        xs, ys = _nan_joined(
            np.concatenate([x for x, _ in legs]), np.concatenate([y for _, y in legs]), counts
        )
        for colour_lw in (("white", 4.4), (colour, 2.2)):
            figure.add_artist(
                Line2D(
                    xs,
                    ys,
                    color=colour_lw[0],
                    lw=colour_lw[1],
                    solid_capstyle="round",
                    solid_joinstyle="round",
                    transform=paper,
                    zorder=2,
                )
            )
        heads = [head for x, y in legs for head in _arrowheads(x, y)]
        if heads:
            figure.add_artist(
                PolyCollection(
                    heads,
                    facecolors=colour,
                    edgecolors="white",
                    linewidths=0.4,
                    transform=paper,
                    zorder=4,
                )
            )
    return drawn_later


def _draw_walks(figure: Figure, paper: Transform, route: Route, to_mm: _Projection) -> None:
    """Draw each walk from a parked vehicle as a thin dashed loop in its trip's colour."""
    for park in route.parks:
        loop = walk_loop(route, park)
        x, y = to_mm(loop.lats, loop.lons)
        colour = LATER_TRIP_COLOUR if walk_trip(route, park) > 1 else ROUTE_COLOUR
        figure.add_artist(
            Line2D(
                x,
                y,
                color=colour,
                lw=1.1,
                linestyle=(0, (2.2, 1.6)),
                dash_capstyle="butt",
                transform=paper,
                zorder=3,
            )
        )


def _arrowheads(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> list[list[tuple[float, float]]]:
    """Return arrowhead triangles (paper mm) along a leg: one in the middle, more if long."""
    steps = np.hypot(np.diff(x), np.diff(y))
    along = np.concatenate(([0.0], np.cumsum(steps)))
    total = float(along[-1])
    if total < _ARROW_MIN_MM:
        return []
    count = max(1, int(total // _ARROW_EVERY_MM))
    half = _ARROW_LENGTH_MM / 2
    heads = []
    for k in range(count):
        at = total * (k + 0.5) / count
        tail = np.array([np.interp(at - half, along, x), np.interp(at - half, along, y)])
        tip = np.array([np.interp(at + half, along, x), np.interp(at + half, along, y)])
        direction = tip - tail
        norm = float(np.hypot(*direction))
        if norm == 0.0:
            continue
        unit = direction / norm
        side = np.array([-unit[1], unit[0]]) * _ARROW_WIDTH_MM / 2
        base = tip - unit * _ARROW_LENGTH_MM
        corners = (tip, base + side, base - side)
        heads.append([(float(px), float(py)) for px, py in corners])
    return heads


def _lay_out_markers(
    route: Route, to_mm: _Projection, *, width_mm: float, height_mm: float
) -> tuple[MapMarker, ...]:
    """Place the depot and the door markers; doors that would overlap share a marker."""
    dx, dy = to_mm([route.depot_lat], [route.depot_lon])
    markers = [
        MapMarker(label="D", x=float(dx[0]) / width_mm, y=float(dy[0]) / height_mm, depot=True)
    ]
    if route.parks:
        px, py = to_mm([p.lat for p in route.parks], [p.lon for p in route.parks])
        markers += [
            MapMarker(label="P", x=float(a) / width_mm, y=float(b) / height_mm, park=True)
            for a, b in zip(px, py, strict=True)
        ]
    if not route.stops:
        return tuple(markers)
    x, y = to_mm([s.lat for s in route.stops], [s.lon for s in route.stops])
    clusters: list[tuple[float, float, list[Stop]]] = []
    for i, stop in enumerate(route.stops):
        for cx, cy, members in clusters:
            if math.hypot(float(x[i]) - cx, float(y[i]) - cy) < _CLUSTER_MM:
                members.append(stop)
                break
        else:
            clusters.append((float(x[i]), float(y[i]), [stop]))
    for cx, cy, members in clusters:
        markers.append(
            MapMarker(
                label=_numbers_label([s.sequence for s in members]),
                x=cx / width_mm,
                y=cy / height_mm,
                priority=any(s.priority for s in members),
                approximate=any(s.approximate for s in members),
                later_trip=all(s.trip > 1 for s in members),
            )
        )
    return tuple(markers)


def _numbers_label(numbers: list[int], *, most: int = 10) -> str:
    """Write stop numbers compactly: [3, 4, 5, 9] -> "3–5,9".

    Beyond ``most`` characters the rest is counted: [1, 3, 5, 7, 9, 11] -> "1,3,5,7 +2".
    """
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    label = ""
    shown = 0
    for run in runs:
        part = str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}"
        candidate = f"{label},{part}" if label else part
        if label and len(candidate) > most:
            return f"{label} +{len(numbers) - shown}"
        label = candidate
        shown += len(run)
    return label


def _nice_length(target_m: float) -> float:
    fitting = [length for length in _NICE_LENGTHS_M if length <= target_m]
    return float(fitting[-1] if fitting else _NICE_LENGTHS_M[0])
