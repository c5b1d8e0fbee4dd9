"""The overview map of a plan: one self-contained HTML file drawn with Folium and Leaflet.

The map is drawn from an intermediate GeoJSON FeatureCollection
(:func:`~optimizer.render.features.build_feature_collection`), which tests can check without
reading the page, packed for the page by :mod:`optimizer.render.mappack`. The HTML works
without any network: Leaflet 1.9.4 (``assets/``: ``leaflet.js``, ``leaflet.css`` and its two
layer-control images, from the npm package ``leaflet@1.9.4``, BSD-2 licence in
``assets/LICENSE-leaflet.txt``) is inlined, no CDN is linked, and the base map is the kecamatan
and desa outlines of the plan and, when given, the streets of the road network. An
OpenStreetMap tile layer is added only when ``RenderConfig.online_tiles`` is true. The settings
come from the plan (``Plan.render``, the scenario's ``[render]`` table) unless a call passes its
own.

Each kind of feature is one Leaflet layer on a single canvas (``prefer_canvas``), not one Folium
object per stop. Routes, stops and streets, tens of thousands on a real plan, travel in the page
in a packed form (integer coordinate steps, stops referring to their team by index) that the
page script (:mod:`optimizer.render.mapscript`) unpacks: about 4.6 MB for 1,000 routes, 20,000
stops and 470,000 path points, a third of plain GeoJSON. Streets are chained into long lines
(:mod:`optimizer.render.streetlines`) and shown by rank as the map zooms in: main roads always,
local roads from zoom 14, lanes from zoom 16; stops show their number from zoom 16. Where a
team parks and walks to a few doors, the walk is a thin dashed loop in the team's colour and
the parking place a "P" badge; the legend explains both only when some team walks. A search
box finds a team id or household id. Equal plans and streets give byte-identical pages.

Measured on the standard machine (2-core x86_64, 24 GiB, other work running; default regency
plan of 1,521 routes and 19,987 stops on the demonstration network, 2026-11-30): the page is
2.60 MB without streets and 3.54 MB with all 110,437 street segments (chained into 18,900 lines,
130,000 points; written in 1.4 s); headless Chromium 156 opens either in 1.1-1.5 s, and a zoom
step takes 0.3-0.5 s with streets against 0.15-0.3 s without. Kecamatan Glagah: 0.31 MB
without streets, 0.47 MB with.

Every text that comes from the user's files (ids, names, reasons) goes into the page through
``html.escape``; data goes into the script as JSON with ``<`` and ``>`` escaped, so no value can
close the script element. The overview map shows ids only, never names or addresses of people.

This is the only module of the product that imports folium.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import folium
from folium.map import Layer
from folium.template import Template

from optimizer.config import RenderConfig
from optimizer.fairness import fairness_verdict
from optimizer.geometry import RANK_LANE, RANK_LOCAL, RANK_MAIN, Streets
from optimizer.plan import Plan
from optimizer.render.features import build_feature_collection
from optimizer.render.mappack import LAYER_NAMES, duration_text, escape, pack_layers, pack_streets
from optimizer.render.mapscript import (
    LABEL_ZOOM,
    PAGE_CSS,
    PAGE_JS,
    STREET_COLOURS,
    STREET_ZOOM,
    WALK_CSS,
    WALK_JS,
)
from optimizer.render.palette import PALETTE, UNSERVED_COLOUR, route_colour

__all__ = [
    "OSM_ATTRIBUTION",
    "OSM_TILE_URL",
    "PALETTE",
    "SYNTHETIC_BANNER",
    "UNSERVED_COLOUR",
    "build_feature_collection",
    "render_map",
    "route_colour",
]

LOGGER = logging.getLogger(__name__)

SYNTHETIC_BANNER: Final = "SYNTHETIC DEMO DATA - not real roads or households"
OSM_TILE_URL: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Where the map opens when the plan has nothing to draw (Kabupaten Banyuwangi).
_DEFAULT_CENTRE: Final = (-8.22, 114.37)
_JS_UNSAFE: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_CSS_IMAGE = re.compile(r"url\((['\"]?)images/([\w.-]+)\1\)")


def _js_literal(value: object) -> str:
    """JSON that is safe inside a script element (no "</script", no "<!--")."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_JS_UNSAFE)


def _banner_html(plan: Plan) -> str:
    if not plan.synthetic_data:
        return ""
    notice = f"<br><span>{escape(plan.data_notice)}</span>" if plan.data_notice else ""
    return (
        f'<div class="berbagi-banner" role="alert"><strong>{SYNTHETIC_BANNER}</strong>'
        f"{notice}</div>"
    )


def _fair_text(plan: Plan) -> str:
    """Return the legend's verdict: fair or not, with the mean spread within a desa."""
    if not plan.fairness:
        return "–"
    fair, mean, idle = fairness_verdict(plan.fairness)
    idle_text = f", {idle} desa with an idle team" if idle else ""
    return f"{'yes' if fair else 'no'} (spread in a desa {duration_text(round(mean))}{idle_text})"


def _legend_html(plan: Plan, *, streets: bool = False) -> str:
    k = plan.kpis
    longest = ""
    if plan.routes:
        route = max(plan.routes, key=lambda r: r.duration_s)
        longest = f"{duration_text(k.longest_route_s)} (team {escape(route.team_id)})"
    subtitle = escape(plan.scenario) + (f" · {escape(plan.date)}" if plan.date else "")
    rows = [
        ("Households served", f"{k.households_served} of {k.households_total}"),
        ("Not served", str(k.households_unserved)),
        ("Packages", str(k.packages_delivered)),
        ("Teams used", f"{k.teams_used} of {k.teams_available}"),
        ("Longest route", longest or "–"),
        ("Workload spread", duration_text(k.route_spread_s) if plan.routes else "–"),
        ("Fair day", _fair_text(plan)),
        ("Reload trips", str(k.reloads)),
        ("Total distance", f"{k.total_distance_m / 1000:.0f} km"),
    ]
    if k.walks:
        rows.append(
            (
                "Doors on foot",
                f"{k.doors_on_foot} on {k.walks} walks ({k.walked_m / 1000:.1f} km)",
            )
        )
    table = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    reasons = ""
    if k.unserved_by_reason:
        items = "".join(
            f"<li>{escape(code)}: {count}</li>"
            for code, count in sorted(k.unserved_by_reason.items())
        )
        reasons = f'<div class="berbagi-reasons">Not served by reason:<ul>{items}</ul></div>'
    gradient = ", ".join(PALETTE[:6])
    keys = (
        '<ul class="berbagi-keys">'
        f'<li><span class="berbagi-sym" style="background:linear-gradient(90deg, {gradient})">'
        "</span>Route, one colour per team</li>"
        f"{_walk_keys() if _has_walks(plan) else ''}"
        '<li><span class="berbagi-sym berbagi-sym-stop"></span>Stop (door), numbered from '
        f"zoom {LABEL_ZOOM}</li>"
        '<li><span class="berbagi-sym berbagi-sym-unserved"></span>Household not served</li>'
        '<li><span class="berbagi-sym berbagi-depot"></span>Depot</li>'
        '<li><span class="berbagi-sym berbagi-depot berbagi-depot-approx"></span>'
        "Depot, approximate location</li>"
        '<li><span class="berbagi-sym berbagi-sym-desa"></span>Desa outline</li>'
        f"{_street_keys() if streets else ''}"
        "</ul>"
    )
    notice = f'<p class="berbagi-notice">{escape(plan.data_notice)}</p>' if plan.data_notice else ""
    return (
        '<div id="berbagi-legend" class="berbagi-legend" hidden><details open>'
        f"<summary>{escape(plan.title or plan.scenario)}</summary>"
        f'<div class="berbagi-subtitle">{subtitle}</div>'
        f"<table>{table}</table>{keys}{reasons}{notice}"
        "</details></div>"
    )


def _has_walks(plan: Plan) -> bool:
    """Tell whether a team of the plan parks and walks to doors."""
    return any(route.parks for route in plan.routes)


def _walk_keys() -> str:
    """Legend lines of walks from a parked vehicle and of parking places."""
    return (
        '<li><span class="berbagi-sym berbagi-sym-walk"></span>On foot from the parked '
        "vehicle (dashed)</li>"
        '<li><span class="berbagi-sym berbagi-sym-park">P</span>Parking place of a walk</li>'
    )


def _street_keys() -> str:
    """Legend lines of the streets: one per rank, saying from which zoom it shows."""
    names = {RANK_MAIN: "Main road", RANK_LOCAL: "Local road", RANK_LANE: "Lane (gang)"}
    items = []
    for rank, colour in sorted(STREET_COLOURS.items()):
        zoom = STREET_ZOOM[rank]
        since = f" (from zoom {zoom})" if zoom > 0 else ""
        height = 4 - rank
        items.append(
            f'<li><span class="berbagi-sym" style="background:{colour};height:{height}px">'
            f"</span>{names[rank]}{since}</li>"
        )
    return "".join(items)


# --------------------------------------------------------------------------- folium elements


class _FeatureLayer(Layer):
    """One toggleable map layer, drawn from its payload (see ``mappack.pack_layers``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = berbagiLayer(
                {{ this.kind_js }}, {{ this.data_js }}, {{ this.style_js }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, data: object, style: dict[str, object] | None = None) -> None:
        super().__init__(name=LAYER_NAMES[kind], overlay=True, control=True, show=True)
        self._name = "BerbagiLayer"
        self.kind_js = _js_literal(kind)
        self.data_js = _js_literal(data)
        self.style_js = _js_literal(style or {})


class _WalkLayer(Layer):
    """Walks from a parked vehicle, or parking places (see ``mapscript.WALK_JS``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = berbagiWalkLayer({{ this.kind_js }}, {{ this.data_js }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, data: object) -> None:
        super().__init__(name=LAYER_NAMES[kind], overlay=True, control=True, show=True)
        self._name = "BerbagiWalkLayer"
        self.kind_js = _js_literal(kind)
        self.data_js = _js_literal(data)


class _StreetLayer(Layer):
    """The streets, shown by rank as the map zooms in (see ``mappack.pack_streets``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = new BerbagiStreets({{ this.data_js }});
        {% endmacro %}
        """
    )

    def __init__(self, data: object) -> None:
        super().__init__(name=LAYER_NAMES["street"], overlay=True, control=True, show=True)
        self._name = "BerbagiStreets"
        self.data_js = _js_literal(data)


class _Search(folium.MacroElement):
    """The search box: finds a team id or household id in the route and stop layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            berbagiSearch({{ this._parent.get_name() }},
                {% if this.routes %}{{ this.routes.get_name() }}{% else %}null{% endif %},
                {% if this.stops %}{{ this.stops.get_name() }}{% else %}null{% endif %});
        {% endmacro %}
        """
    )

    def __init__(self, routes: Layer | None, stops: Layer | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca leaves it unannotated
        self._name = "BerbagiSearch"
        self.routes = routes
        self.stops = stops


class _Finish(folium.MacroElement):
    """Legend control, layer stacking and the initial view; added to the map last."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var stack = [{% for layer in this.stack %}{{ layer.get_name() }}, {% endfor %}];
            map.on('overlayadd', function () {
                stack.forEach(function (l) { if (map.hasLayer(l)) { l.bringToFront(); } });
            });
            /* Streets shown as the map zooms in go under the routes, above the outlines: only
               they and the layers below them move, not the many stops above. */
            map.on('berbagistreets', function (event) {
                var below = stack.slice(0, stack.indexOf(event.streets) + 1).reverse();
                below.forEach(function (l) { if (map.hasLayer(l)) { l.bringToBack(); } });
            });
            var el = document.getElementById('berbagi-legend');
            var legend = L.control({position: 'topright'});
            legend.onAdd = function () {
                el.hidden = false;
                L.DomEvent.disableClickPropagation(el);
                L.DomEvent.disableScrollPropagation(el);
                return el;
            };
            legend.addTo(map);
            var size = map.getSize();
            var details = el.querySelector('details');
            if (details && (size.x < 700 || size.y < 500)) { details.open = false; }
            var right = el.offsetWidth + 20;
            if (right > size.x / 2) { right = 10; }
            var bounds = {{ this.bounds_js }};
            if (bounds) {
                map.fitBounds(bounds, {paddingTopLeft: [20, 20],
                    paddingBottomRight: [right, 20], maxZoom: 17, animate: false});
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, stack: list[Any], bbox: list[float] | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca leaves it unannotated
        self._name = "BerbagiFinish"
        self.stack = stack
        bounds = None if bbox is None else [[bbox[1], bbox[0]], [bbox[3], bbox[2]]]
        self.bounds_js = _js_literal(bounds)


class _Raw(folium.Element):
    """Text put into the page as it is (not read as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__("{{ this.text }}")
        self.text = text


@cache
def _asset(name: str) -> bytes:
    return resources.files("optimizer.render").joinpath("assets", name).read_bytes()


@cache
def _leaflet_head() -> str:
    """Leaflet's CSS (its images as data URIs) and JS, inlined, plus the page CSS."""

    def image(match: re.Match[str]) -> str:
        try:
            data = _asset(match.group(2))
        except FileNotFoundError:
            return "none"  # the default marker icon: never used on this map
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = _CSS_IMAGE.sub(image, _asset("leaflet.css").decode("utf-8"))
    script = _asset("leaflet.js").decode("utf-8")
    licence = _asset("LICENSE-leaflet.txt").decode("utf-8")
    if any(bad in text.lower() for text in (script, licence) for bad in ("</script", "<!--")):
        raise RuntimeError("the vendored Leaflet cannot be inlined into a script element")
    if "*/" in licence:
        raise RuntimeError("the Leaflet licence text cannot be put into a script comment")
    return (
        f"<style>\n{css}\n{PAGE_CSS}</style>\n"
        f"<script>\n/* Leaflet 1.9.4 licence:\n{licence}*/\n{script}\n</script>"
    )


def _name_ids(elements: Iterable[Any]) -> None:
    """Give elements fixed names, so equal plans give byte-identical pages."""
    for number, element in enumerate(elements):
        element._id = f"b{number}"


def _new_map(plan: Plan, bbox: list[float] | None, *, streets: bool) -> folium.Map:
    """Make the Folium map with the inlined Leaflet, the page script, banner and legend."""
    centre = _DEFAULT_CENTRE if bbox is None else ((bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2)
    fmap = folium.Map(
        location=centre, zoom_start=10, tiles=None, prefer_canvas=True, control_scale=True
    )
    fmap.default_js = []  # Folium's CDN links; Leaflet is inlined below instead
    fmap.default_css = []
    figure = fmap.get_root()
    if not isinstance(figure, folium.Figure):  # pragma: no cover - folium.Map always makes one
        raise TypeError("folium.Map did not create its Figure")
    figure.title = escape(plan.title or plan.scenario)
    figure.header.add_child(_Raw(_leaflet_head()), name="berbagi_leaflet")
    legend = _legend_html(plan, streets=streets)
    figure.html.add_child(_Raw(_banner_html(plan) + legend), name="berbagi_html")
    figure.script.add_child(_Raw(PAGE_JS), name="berbagi_js")
    if _has_walks(plan):
        figure.header.add_child(_Raw(f"<style>{WALK_CSS}</style>"), name="berbagi_walk_css")
        figure.script.add_child(_Raw(WALK_JS), name="berbagi_walk_js")
    return fmap


def _tile_layers() -> list[Any]:
    """Make an OpenStreetMap base layer, and a plain one to switch the tiles off."""
    tiles = folium.TileLayer(
        tiles=OSM_TILE_URL,
        attr=OSM_ATTRIBUTION,
        name="OpenStreetMap (online)",
        max_zoom=19,
        overlay=False,
        control=True,
        show=True,
    )
    plain = folium.FeatureGroup(name="No tiles (outlines only)", overlay=False, show=False)
    return [tiles, plain]


def _map_layers(layers: dict[str, Any], *, online_tiles: bool) -> dict[str, Layer]:
    """One Folium layer per key with data, bottom to top."""
    made: dict[str, Layer] = {}
    for key, data in layers.items():
        if data is None:
            continue
        if key == "street":
            made[key] = _StreetLayer(data)
            continue
        if key in ("walk", "park"):
            made[key] = _WalkLayer(key, data)
            continue
        # Over map tiles the desa fill would hide the map: keep only a hint of it.
        style: dict[str, object] | None = None
        if key == "desa" and online_tiles:
            style = {"fillOpacity": 0.12}
        made[key] = _FeatureLayer(key, data, style)
    return made


def render_map(
    plan: Plan,
    path: Path,
    *,
    streets: Streets | None = None,
    config: RenderConfig | None = None,
) -> Path:
    """Write the plan's overview map as one self-contained HTML file.

    Parameters
    ----------
    plan : Plan
    path : Path
        The HTML file to write; its folder is created when missing.
    streets : Streets, optional
        The road network's streets (:func:`optimizer.geometry.build_streets`). Those within
        about 1 km of what the plan shows are drawn under the routes, on the same canvas: main
        roads at every zoom, local roads from zoom 14, lanes (gang) from zoom 16. Without them
        the map shows outlines and routes only.
    config : RenderConfig, optional
        ``online_tiles`` adds an OpenStreetMap base layer (needs the internet when viewed);
        ``coordinate_decimals`` sets the rounding of coordinates. Defaults to the plan's own
        settings, ``plan.render`` (the scenario's ``[render]`` table).

    Returns
    -------
    Path
        The file written. It loads nothing from the network unless ``online_tiles`` is set.

    Raises
    ------
    ValueError
        If a polyline of the plan has more latitudes than longitudes or the other way round.

    Notes
    -----
    Stops show their number from zoom 16. A search box finds a team id or household id (whole
    or part, any case; Enter again for the next match) and zooms to it. Page sizes and load
    times are in the module's docstring.
    """
    started = time.perf_counter()
    config = config if config is not None else plan.render
    collection = build_feature_collection(plan, decimals=config.coordinate_decimals)
    layers = pack_layers(collection, config.coordinate_decimals)
    bbox = collection.get("bbox")
    if streets is not None:
        layers["street"] = pack_streets(streets, bbox, config.coordinate_decimals)
    fmap = _new_map(plan, bbox, streets=layers["street"] is not None)
    figure = fmap.get_root()

    made = _map_layers(layers, online_tiles=config.online_tiles)
    stack = [layer for key, layer in made.items() if key != "depot"]  # canvas, bottom to top
    elements: list[Any] = [fmap, *(_tile_layers() if config.online_tiles else []), *made.values()]
    elements += [
        folium.LayerControl(position="topright", collapsed=True),
        _Search(made.get("route"), made.get("stop")),
        _Finish(stack, bbox),
    ]
    _name_ids([*elements, figure])
    for element in elements[1:]:
        fmap.add_child(element)

    path.parent.mkdir(parents=True, exist_ok=True)
    page = figure.render()
    path.write_text(page, encoding="utf-8")
    LOGGER.info(
        "map written to %s (%.1f MB, %d features, %.1f s)",
        path,
        len(page.encode("utf-8")) / 1e6,
        len(collection["features"]),
        time.perf_counter() - started,
    )
    return path
