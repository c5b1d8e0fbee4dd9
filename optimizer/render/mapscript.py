"""The overview map's page code: its style sheet and the script that unpacks and draws the layers.

The script is plain ES5 over Leaflet 1.9.4 (inlined by :mod:`optimizer.render.maps`), so it runs
in the old browsers of cheap phones. It turns the packed routes, stops and streets back into
Leaflet layers on the map's one canvas, numbers the stops from :data:`LABEL_ZOOM`, shows streets
by rank as the map zooms in (:data:`STREET_ZOOM`) and adds the search box. A plan whose teams
park and walk also gets :data:`WALK_CSS` and :data:`WALK_JS`: walks as thin dashed loops in the
team's colour and a "P" badge at each parking place (a plan without walks gets neither, so its
page stays as it was). It only ever puts text into the page that Python escaped already, or as
``textContent``.
"""

from __future__ import annotations

from typing import Final

from optimizer.geometry import RANK_LANE, RANK_LOCAL, RANK_MAIN
from optimizer.render.palette import PARK_COLOUR, UNSERVED_COLOUR

#: From this zoom on, stops are drawn larger with their number (about street level).
LABEL_ZOOM: Final = 16
#: From this zoom on, parking places are drawn as a "P" badge (below it, as a small square).
PARK_ZOOM: Final = 14
#: Least zoom at which streets of each rank show: main roads always, local roads from about a
#: desa's view, lanes (gang) from street level.
STREET_ZOOM: Final[dict[int, int]] = {RANK_MAIN: 0, RANK_LOCAL: 14, RANK_LANE: 16}
#: Street colours by rank (main, local, lane): greys, darker for bigger roads.
STREET_COLOURS: Final[dict[int, str]] = {
    RANK_MAIN: "#8c8c8c",
    RANK_LOCAL: "#a8a8a8",
    RANK_LANE: "#c4c4c4",
}

PAGE_CSS: Final = """
html, body { height: 100%; margin: 0; padding: 0; }
body { display: flex; flex-direction: column;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.folium-map { flex: 1 1 auto; min-height: 0; height: auto !important; }
.leaflet-container { background: #ffffff; }
.berbagi-banner { flex: 0 0 auto; background: #fff3b0; color: #3d2e00; text-align: center;
  border-bottom: 3px solid #e0a800; padding: 6px 12px; font-size: 15px; line-height: 1.35; }
.berbagi-banner strong { color: #9a1b00; letter-spacing: 0.02em; }
.berbagi-legend { background: rgba(255, 255, 255, 0.95); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4); font-size: 13px; line-height: 1.4;
  max-width: 290px; max-height: 65vh; overflow-y: auto; }
.berbagi-legend summary { font-weight: bold; font-size: 14px; cursor: pointer; }
.berbagi-subtitle { color: #555; margin-bottom: 4px; }
.berbagi-legend table { border-collapse: collapse; margin: 4px 0; }
.berbagi-legend th { text-align: left; font-weight: normal; color: #444; padding: 0 8px 0 0;
  white-space: nowrap; vertical-align: top; }
.berbagi-legend td { font-weight: 600; }
.berbagi-keys, .berbagi-reasons ul { list-style: none; margin: 4px 0; padding: 0; }
.berbagi-reasons ul { padding-left: 10px; }
.berbagi-keys li { margin: 2px 0; }
.berbagi-sym { display: inline-block; width: 22px; height: 4px; margin-right: 6px;
  vertical-align: middle; box-sizing: border-box; }
.berbagi-sym-stop { width: 10px; height: 10px; margin: 0 12px 0 6px; border-radius: 50%;
  background: #1f77b4; border: 1px solid #fff; box-shadow: 0 0 0 1px #1f77b4; }
.berbagi-sym-unserved { width: 13px; height: 13px; margin: 0 10px 0 5px; border-radius: 50%;
  background: #d62728; border: 2px solid #000; }
.berbagi-sym-desa { width: 18px; height: 12px; margin: 0 8px 0 2px; background: #f3efe6;
  border: 1px solid #9e9e9e; }
.berbagi-depot { background: #111; border: 2px solid #fff; box-shadow: 0 0 0 1.5px #111;
  box-sizing: border-box; }
.berbagi-sym.berbagi-depot { width: 12px; height: 12px; margin: 0 11px 0 5px; }
.berbagi-depot.berbagi-depot-approx { background: #fff; border: 2px dashed #111;
  box-shadow: none; }
.berbagi-notice { margin: 6px 0 0; font-size: 12px; color: #6b5500; }
.leaflet-tooltip.berbagi-label { background: transparent; border: 0; box-shadow: none;
  color: #5f5f5f; font-size: 11px; font-weight: 600; padding: 0;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 2px #fff; }
.leaflet-tooltip.berbagi-label::before { display: none; }
.berbagi-search { background: #fff; border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.4);
  padding: 4px; font-size: 14px; max-width: 240px; }
.berbagi-search form { display: flex; gap: 4px; margin: 0; }
.berbagi-search input { flex: 1 1 auto; min-width: 0; width: 150px; font-size: 14px;
  padding: 4px 6px; border: 1px solid #999; border-radius: 4px; }
.berbagi-search button { font-size: 14px; padding: 4px 8px; border: 1px solid #777;
  border-radius: 4px; background: #f4f4f4; cursor: pointer; }
.berbagi-search-status { font-size: 12px; color: #333; padding: 2px 2px 0; }
.berbagi-search-status:empty { display: none; }
@media (max-width: 480px) {
  .berbagi-banner { font-size: 12px; padding: 4px 8px; }
  .berbagi-legend { max-width: calc(100vw - 195px); }
  .berbagi-search input { width: 105px; }
  .berbagi-search button { padding: 4px 6px; }
}
"""

#: Page functions: unpack routes, stops and streets, and make the Leaflet layers, all drawn on
#: the map's single canvas (depots are DOM markers above it); the search box. ``@NAME@`` marks
#: a setting filled in below (the script's braces make ``str.format`` unreadable).
_PAGE_JS_TEMPLATE: Final = """
var BERBAGI_LABEL_ZOOM = @LABEL_ZOOM@;
var BERBAGI_STREET_COLOURS = @STREET_COLOURS@;
function berbagiLine(flat, scale) {
  var points = [], x = 0, y = 0;
  for (var i = 0; i + 1 < flat.length; i += 2) {
    x += flat[i];
    y += flat[i + 1];
    points.push([x / scale, y / scale]);
  }
  return points;
}
function berbagiFeatures(kind, data) {
  if (kind === 'route') {
    return data.routes.map(function (r) {
      var lines = r.slice(3).map(function (flat) { return berbagiLine(flat, data.scale); });
      var geometry = lines.length === 1 ? {type: 'LineString', coordinates: lines[0]}
        : {type: 'MultiLineString', coordinates: lines};
      return {type: 'Feature', geometry: geometry, properties: {t: r[0], c: r[1], id: r[2]}};
    });
  }
  if (kind === 'stop') {
    var x = 0, y = 0;
    return data.stops.map(function (s) {
      var team = data.teams[s[0]];
      x += s[1];
      y += s[2];
      var tip = '<b>Team ' + team[0] + '</b> · stop ' + s[3] + '<br>Arrival ' + s[5]
        + '<br>Household ' + s[4] + '<br>' + s[6] + (s[6] === 1 ? ' package' : ' packages')
        + (s.length > 7 ? '<br><i>Position ' + s[7] + ': ask the RT head</i>' : '');
      return {type: 'Feature', properties: {t: tip, c: team[1], n: s[3], h: s[4]},
        geometry: {type: 'Point', coordinates: [x / data.scale, y / data.scale]}};
    });
  }
  return data;
}
/* A stop: a small dot, and from BERBAGI_LABEL_ZOOM a disc with its number on the canvas. */
var BerbagiStop = L.CircleMarker.extend({
  _project: function () {
    this._radius = this._map.getZoom() >= BERBAGI_LABEL_ZOOM ? 9 : this.options.radius;
    L.CircleMarker.prototype._project.call(this);
  },
  _updatePath: function () {
    L.CircleMarker.prototype._updatePath.call(this);
    var renderer = this._renderer, ctx = renderer._ctx;
    if (this._radius !== 9 || !ctx || !renderer._drawing || this._empty()) { return; }
    var text = String(this.options.label), p = this._point;
    ctx.font = 'bold ' + (text.length > 2 ? 9 : 11) + 'px Arial, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.strokeText(text, p.x, p.y + 0.5);
    ctx.fillStyle = '#ffffff';
    ctx.fillText(text, p.x, p.y + 0.5);
  }
});
function berbagiLayer(kind, data, style) {
  var opts = {};
  if (kind === 'route') {
    opts.style = function (f) {
      return {color: f.properties.c, weight: 3, opacity: 0.85, lineJoin: 'round'};
    };
  } else if (kind === 'desa') {
    opts.style = function () {
      return L.Util.extend(
        {color: '#9e9e9e', weight: 0.8, fillColor: '#f3efe6', fillOpacity: 0.55}, style);
    };
  } else if (kind === 'kecamatan') {
    opts.interactive = false;
    opts.style = function () { return {color: '#616161', weight: 1.6, fill: false}; };
    opts.onEachFeature = function (f, layer) {
      if (f.properties.l) {
        layer.bindTooltip(f.properties.l,
          {permanent: true, direction: 'center', className: 'berbagi-label'});
      }
    };
  }
  opts.pointToLayer = function (f, latlng) {
    var p = f.properties;
    if (kind === 'depot') {
      var cls = p.a ? 'berbagi-depot berbagi-depot-approx' : 'berbagi-depot';
      return L.marker(latlng, {icon: L.divIcon({className: cls, iconSize: [12, 12]}),
        keyboard: false});
    }
    if (kind === 'unserved') {
      return L.circleMarker(latlng, {radius: 6, color: '#000000', weight: 2,
        fillColor: '@UNSERVED@', fillOpacity: 0.95});
    }
    return new BerbagiStop(latlng, {radius: 4, color: '#ffffff', weight: 1,
      fillColor: p.c, fillOpacity: 0.95, label: p.n});
  };
  var layer = L.geoJSON(berbagiFeatures(kind, data), opts);
  if (kind !== 'kecamatan') {
    var tip = function (l) { return l.feature.properties.t; };
    layer.bindTooltip(tip, {sticky: kind === 'route' || kind === 'desa'});
    if (kind !== 'desa') { layer.bindPopup(tip); }
  }
  return layer;
}
function berbagiStreetWeight(rank, zoom) {
  if (rank === 0) { return zoom < 12 ? 1.5 : zoom < 15 ? 2.5 : 4; }
  if (rank === 1) { return zoom < 15 ? 1.2 : zoom < 17 ? 2 : 3; }
  return zoom < 17 ? 1 : 2;
}
/* Streets: one group per rank, unpacked the first time the map zooms in far enough to show
   it; a rank's lines are grouped by area, so the canvas skips the areas out of view. */
var BerbagiStreets = L.FeatureGroup.extend({
  initialize: function (data) {
    L.FeatureGroup.prototype.initialize.call(this);
    this._data = data;
    this._ranks = data.ranks.map(function () { return null; });
  },
  onAdd: function (map) {
    L.FeatureGroup.prototype.onAdd.call(this, map);
    map.on('zoomend', this._refresh, this);
    this._refresh();
  },
  onRemove: function (map) {
    map.off('zoomend', this._refresh, this);
    L.FeatureGroup.prototype.onRemove.call(this, map);
  },
  _build: function (rank) {
    var scale = this._data.scale, x = 0, y = 0, group = L.featureGroup();
    rank.cells.forEach(function (cell) {
      var parts = cell.map(function (flat) {
        var points = [];
        for (var i = 0; i + 1 < flat.length; i += 2) {
          x += flat[i];
          y += flat[i + 1];
          points.push([y / scale, x / scale]);
        }
        return points;
      });
      group.addLayer(L.polyline(parts, {interactive: false, color: BERBAGI_STREET_COLOURS[rank.r],
        weight: 1, opacity: 1, lineCap: 'round', lineJoin: 'round'}));
    });
    return group;
  },
  _refresh: function () {
    var zoom = this._map.getZoom(), changed = false;
    for (var i = 0; i < this._data.ranks.length; i++) {
      var rank = this._data.ranks[i], show = zoom >= rank.z;
      if (show && !this._ranks[i]) { this._ranks[i] = this._build(rank); }
      var group = this._ranks[i];
      if (!group) { continue; }
      if (show) { group.setStyle({weight: berbagiStreetWeight(rank.r, zoom)}); }
      if (show !== this.hasLayer(group)) {
        changed = true;
        if (show) { this.addLayer(group); } else { this.removeLayer(group); }
      }
    }
    if (changed) { this._map.fire('berbagistreets', {streets: this}); }
  }
});
/* The search box: a team id or household id (whole or part, any case); Enter again goes to
   the next match. Ids in the page are HTML-escaped, so the query is escaped the same way. */
function berbagiSearch(map, routes, stops) {
  var found = [], at = 0, asked = null, lit = null;
  function escape(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
  }
  function collect(query) {
    var wanted = escape(query).toLowerCase(), exact = [], partial = [];
    function look(kind, layer, id) {
      var value = String(id).toLowerCase();
      if (value === wanted) { exact.push([kind, layer]); }
      else if (value.indexOf(wanted) >= 0) { partial.push([kind, layer]); }
    }
    if (routes) { routes.eachLayer(function (l) { look('Team', l, l.feature.properties.id); }); }
    if (stops) { stops.eachLayer(function (l) { look('Household', l, l.feature.properties.h); }); }
    return exact.concat(partial);
  }
  function show(match) {
    var layer = match[1];
    if (lit) { routes.resetStyle(lit); lit = null; }
    map.closePopup();
    if (match[0] === 'Team') {
      map.fitBounds(layer.getBounds(), {padding: [40, 40], maxZoom: 17});
      layer.setStyle({weight: 7, opacity: 1});
      layer.bringToFront();
      if (stops) { stops.bringToFront(); }  /* the team's numbers stay readable on top */
      lit = layer;
    } else {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), 17));
      L.popup({autoPan: false}).setLatLng(layer.getLatLng())
        .setContent(layer.feature.properties.t).openOn(map);
    }
  }
  var control = L.control({position: 'topleft'});
  control.onAdd = function () {
    var box = L.DomUtil.create('div', 'berbagi-search');
    var form = L.DomUtil.create('form', '', box);
    form.setAttribute('role', 'search');
    var input = L.DomUtil.create('input', '', form);
    input.type = 'search';
    input.placeholder = 'Team or household id';
    input.setAttribute('aria-label', 'Find a team or household id');
    input.autocomplete = 'off';
    var button = L.DomUtil.create('button', '', form);
    button.type = 'submit';
    button.textContent = 'Find';
    var status = L.DomUtil.create('div', 'berbagi-search-status', box);
    status.setAttribute('role', 'status');
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    L.DomEvent.on(form, 'submit', function (event) {
      L.DomEvent.preventDefault(event);
      var query = input.value.trim();
      if (!query) { status.textContent = ''; return; }
      if (query === asked && found.length) { at = (at + 1) % found.length; }
      else { found = collect(query); at = 0; asked = query; }
      if (!found.length) {
        status.textContent = 'No team or household id contains \\u201c' + query + '\\u201d.';
        return;
      }
      var match = found[at], id = match[0] === 'Team' ? match[1].feature.properties.id
        : match[1].feature.properties.h;
      var plain = document.createElement('textarea');
      plain.innerHTML = id;  /* escaped in the page: a textarea turns it back into text only */
      status.textContent = match[0] + ' ' + plain.value + (found.length > 1
        ? ' (' + (at + 1) + ' of ' + found.length + '; Enter for the next)' : '');
      show(match);
    });
    return box;
  };
  control.addTo(map);
  return control;
}
"""
#: Page functions with the settings above filled in.
PAGE_JS: Final = (
    _PAGE_JS_TEMPLATE.replace("@UNSERVED@", UNSERVED_COLOUR)
    .replace("@LABEL_ZOOM@", str(LABEL_ZOOM))
    .replace(
        "@STREET_COLOURS@",
        "{"
        + ", ".join(f"{rank}: '{colour}'" for rank, colour in sorted(STREET_COLOURS.items()))
        + "}",
    )
)

#: Legend symbols of walks and parking places (only in pages of plans whose teams walk).
WALK_CSS: Final = f"""
.berbagi-sym.berbagi-sym-walk {{ height: 0; border-top: 2px dashed #444; }}
.berbagi-sym.berbagi-sym-park {{ width: 14px; height: 14px; margin: 0 9px 0 4px;
  background: {PARK_COLOUR}; border: 1px solid #fff; box-shadow: 0 0 0 1px {PARK_COLOUR};
  border-radius: 2px; color: #fff; font: bold 10px/12px Arial, sans-serif; text-align: center; }}
"""

#: Page functions of walks from a parked vehicle: each walk a thin dashed loop in its team's
#: colour, each parking place a square "P" badge drawn on the canvas (a small square below
#: ``PARK_ZOOM``), both with their tooltip and popup.
_WALK_JS_TEMPLATE: Final = """
var BERBAGI_PARK_ZOOM = @PARK_ZOOM@;
var BerbagiPark = L.CircleMarker.extend({
  _project: function () {
    this._radius = this._map.getZoom() >= BERBAGI_PARK_ZOOM ? 8 : 4;
    L.CircleMarker.prototype._project.call(this);
  },
  _updatePath: function () {
    var renderer = this._renderer, ctx = renderer._ctx, p = this._point, r = this._radius;
    if (!ctx || !renderer._drawing || this._empty()) { return; }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = '@PARK@';
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 1.5;
    ctx.fillRect(p.x - r, p.y - r, 2 * r, 2 * r);
    ctx.strokeRect(p.x - r, p.y - r, 2 * r, 2 * r);
    if (r < 8) { return; }
    ctx.font = 'bold 12px Arial, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#ffffff';
    ctx.fillText('P', p.x, p.y + 0.5);
  }
});
function berbagiWalkLayer(kind, data) {
  var opts = {};
  if (kind === 'walk') {
    opts.style = function (f) {
      return {color: f.properties.c, weight: 2, opacity: 0.95, dashArray: '5 5',
        lineCap: 'butt', lineJoin: 'round'};
    };
  }
  opts.pointToLayer = function (f, latlng) {
    return new BerbagiPark(latlng, {radius: 4, weight: 1.5});
  };
  var layer = L.geoJSON(data, opts);
  var tip = function (l) { return l.feature.properties.t; };
  layer.bindTooltip(tip, {sticky: kind === 'walk'});
  layer.bindPopup(tip);
  return layer;
}
"""
#: Walk functions with the settings above filled in.
WALK_JS: Final = _WALK_JS_TEMPLATE.replace("@PARK@", PARK_COLOUR).replace(
    "@PARK_ZOOM@", str(PARK_ZOOM)
)
