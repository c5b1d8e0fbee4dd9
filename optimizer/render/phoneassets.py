"""The phone page's style sheet and script: big type, touch targets, a map that pans and zooms.

The script is plain ES5 with no library, so it runs on old Android browsers. It pans the map with
one finger or the mouse, zooms with two fingers, the wheel or the buttons, keeps the markers the
same size on screen, and takes the map to a stop when its number in the list is tapped. Without
the script the page still shows the whole route and every link works.
"""

from __future__ import annotations

from typing import Final

from optimizer.render.phonemap import LANE_VIEW_M, LOCAL_VIEW_M

PAGE_CSS: Final = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1b1b1b;background:#fff}
.banner{background:#fff3b0;border-bottom:3px solid #e0a800;color:#3d2e00;padding:6px 12px;
text-align:center;font-size:14px}
.banner strong{color:#9a1b00;letter-spacing:.04em;font-size:16px}
header{padding:10px 12px 8px}
h1{font-size:22px;line-height:1.2;margin:0;display:flex;align-items:center;gap:8px;
overflow-wrap:anywhere}
.sw{width:16px;height:16px;border-radius:50%;flex:none;border:2px solid #fff;
box-shadow:0 0 0 1px #888}
.sub{color:#555;font-size:14px;margin:2px 0 8px}
.facts{display:flex;flex-wrap:wrap;gap:4px 14px;margin:0;padding:0;list-style:none;
font-size:15px}
.mapbox{position:relative;background:#f3f0e8;border-top:1px solid #ddd;
border-bottom:1px solid #ddd}
#map{display:block;width:100%;max-height:70vh;margin:0 auto;touch-action:none;
-webkit-user-select:none;user-select:none;cursor:grab}
#map path{fill:none;vector-effect:non-scaling-stroke;stroke-linecap:round;
stroke-linejoin:round}
.land{fill:#f3f0e8}
.desa{stroke:#b3a58a;stroke-width:1.5;stroke-dasharray:6 4}
.r0{stroke:#8e8e8e;stroke-width:5}
.r1{stroke:#b0b0b0;stroke-width:3}
.r2{stroke:#c9c9c9;stroke-width:1.6}
.far .r2,.farther .r2,.farther .r1{display:none}
.casing{stroke:#fff;stroke-width:9}
.route{stroke-width:5;opacity:.9}
.mk circle{stroke:#fff;stroke-width:2}
.mk text{fill:#fff;font:bold 12px Arial,sans-serif;text-anchor:middle}
.mk text.small{font-size:9px}
.mk circle.ring{fill:#fff;stroke-width:3}
.prio circle.ring{stroke:#d62728}
.approx circle.ring{stroke:#222;stroke-dasharray:4 3}
.prio.approx circle.ring{stroke:#d62728}
.depot rect{fill:#111;stroke:#fff;stroke-width:2}
.mk.sel circle:not(.ring){stroke:#000;stroke-width:3}
.zoom{position:absolute;right:8px;top:8px;display:flex;flex-direction:column;gap:8px}
.zoom button{width:44px;height:44px;font-size:22px;line-height:1;border:1px solid #888;
border-radius:8px;background:rgba(255,255,255,.92);color:#222;padding:0}
.keys{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:13px;color:#444;padding:6px 12px;
margin:0;list-style:none}
.key{display:inline-block;vertical-align:middle;margin-right:4px}
.k-stop{width:14px;height:14px;border-radius:50%}
.k-prio{width:14px;height:14px;border-radius:50%;border:3px solid #d62728}
.k-approx{width:14px;height:14px;border-radius:50%;border:2px dashed #222}
.k-depot{width:13px;height:13px;background:#111}
.k-road{width:20px;height:4px;background:#8e8e8e}
.attr{font-size:11px;color:#666;margin:0;padding:0 12px 4px}
h2{font-size:18px;margin:14px 12px 4px}
ol.stops{list-style:none;margin:0;padding:0;border-top:1px solid #e3e3e3}
.stops li{border-bottom:1px solid #e3e3e3;padding:10px 12px;display:flex;gap:12px;
scroll-margin-top:8px}
.num{flex:none;width:40px;height:40px;border-radius:50%;color:#fff;font-weight:700;
display:flex;align-items:center;justify-content:center;text-decoration:none;font-size:16px;
background:#444}
.txt{flex:1;min-width:0;overflow-wrap:anywhere}
.top{display:flex;align-items:center;gap:8px;min-height:40px}
.time{font-weight:700;font-size:18px}
.name{font-weight:700;font-size:18px}
.addr{font-size:15px}
.meta{font-size:14px;color:#555}
.tag{display:inline-block;background:#d62728;color:#fff;font-size:13px;font-weight:700;
padding:1px 7px;border-radius:4px;letter-spacing:.03em}
.warn{background:#fff3cd;border-left:4px solid #e0a800;padding:4px 8px;margin:6px 0 0;
font-size:15px;font-weight:600}
.go{margin-left:auto;flex:none;padding:8px 14px;border:1px solid #1f5fa8;border-radius:8px;
color:#1f5fa8;background:#fff;text-decoration:none;font-weight:600;font-size:15px}
.event{background:#f5f5f5}
.event .num{border-radius:8px;background:#111}
.brk .num{background:#6b6b6b}
:target{background:#fffbe0}
footer{font-size:12px;color:#666;padding:12px 12px 28px}
"""

_PAGE_JS_TEMPLATE: Final = """
(function () {
  var svg = document.getElementById('map');
  if (!svg || !svg.getBoundingClientRect || !window.addEventListener) { return; }
  var box = svg.viewBox.baseVal;
  var full = {x: box.x, y: box.y, w: box.width, h: box.height};
  var view = {x: full.x, y: full.y, w: full.w, h: full.h};
  var marks = svg.querySelectorAll('.mk');
  function scale() {
    var r = svg.getBoundingClientRect();
    return Math.min(r.width / view.w, r.height / view.h) || 1;
  }
  function draw() {
    svg.setAttribute('viewBox', [view.x, view.y, view.w, view.h].join(' '));
    svg.setAttribute('class', view.w > @LOCAL_VIEW_M@ ? 'farther'
      : view.w > @LANE_VIEW_M@ ? 'far' : '');
    var k = (1 / scale()).toFixed(4);
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i];
      m.setAttribute('transform', 'translate(' + m.getAttribute('data-x') + ' '
        + m.getAttribute('data-y') + ') scale(' + k + ')');
    }
  }
  function toMap(px, py) {
    var r = svg.getBoundingClientRect(), s = scale();
    return {x: view.x + (px - r.left - (r.width - view.w * s) / 2) / s,
            y: view.y + (py - r.top - (r.height - view.h * s) / 2) / s};
  }
  function zoom(factor, at) {
    var w = Math.max(full.w / 60, Math.min(full.w * 2, view.w / factor));
    var f = view.w / w;
    view.x = at.x - (at.x - view.x) / f;
    view.y = at.y - (at.y - view.y) / f;
    view.w = w;
    view.h = view.h / f;
    draw();
  }
  function centre() { return {x: view.x + view.w / 2, y: view.y + view.h / 2}; }
  function fit() { view = {x: full.x, y: full.y, w: full.w, h: full.h}; draw(); }
  var down = {}, moved = 0, last = null;
  function points() {
    var list = [];
    for (var id in down) { if (down.hasOwnProperty(id)) { list.push(down[id]); } }
    return list;
  }
  function pose() {
    var p = points();
    if (!p.length) { return null; }
    if (p.length === 1) { return {x: p[0].x, y: p[0].y, d: 0}; }
    return {x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2,
            d: Math.sqrt(Math.pow(p[0].x - p[1].x, 2) + Math.pow(p[0].y - p[1].y, 2))};
  }
  svg.addEventListener('pointerdown', function (e) {
    down[e.pointerId] = {x: e.clientX, y: e.clientY};
    if (points().length === 1) { moved = 0; }
    last = pose();
  });
  window.addEventListener('pointermove', function (e) {
    if (!down[e.pointerId]) { return; }
    down[e.pointerId] = {x: e.clientX, y: e.clientY};
    var now = pose(), s = scale();
    if (last && now) {
      moved += Math.abs(now.x - last.x) + Math.abs(now.y - last.y);
      view.x -= (now.x - last.x) / s;
      view.y -= (now.y - last.y) / s;
      if (now.d && last.d) { zoom(now.d / last.d, toMap(now.x, now.y)); } else { draw(); }
    }
    last = now;
    e.preventDefault();
  }, {passive: false});
  function up(e) { delete down[e.pointerId]; last = pose(); }
  window.addEventListener('pointerup', up);
  window.addEventListener('pointercancel', up);
  svg.addEventListener('click', function (e) {
    if (moved > 8) { e.preventDefault(); e.stopPropagation(); }
  }, true);
  svg.addEventListener('wheel', function (e) {
    e.preventDefault();
    zoom(e.deltaY < 0 ? 1.25 : 0.8, toMap(e.clientX, e.clientY));
  }, {passive: false});
  function button(id, act) {
    var b = document.getElementById(id);
    if (b) { b.addEventListener('click', act); }
  }
  button('zin', function () { zoom(1.6, centre()); });
  button('zout', function () { zoom(1 / 1.6, centre()); });
  button('zfit', fit);
  function select(mark) {
    for (var i = 0; i < marks.length; i++) { marks[i].classList.remove('sel'); }
    if (mark) { mark.classList.add('sel'); }
  }
  var nums = document.querySelectorAll('a.num[data-stop]');
  for (var i = 0; i < nums.length; i++) {
    nums[i].addEventListener('click', function () {
      var mark = svg.querySelector('a[href="#s' + this.getAttribute('data-stop') + '"] .mk');
      if (!mark) { return; }
      var x = +mark.getAttribute('data-x'), y = +mark.getAttribute('data-y');
      var w = Math.min(full.w, Math.max(full.w / 6, 300));
      view = {x: x - w / 2, y: y - w * full.h / full.w / 2, w: w, h: w * full.h / full.w};
      draw();
      select(mark);
    });
  }
  window.addEventListener('resize', draw);
  draw();
})();
"""
#: The script with the view widths filled in.
PAGE_JS: Final = _PAGE_JS_TEMPLATE.replace("@LOCAL_VIEW_M@", str(LOCAL_VIEW_M)).replace(
    "@LANE_VIEW_M@", str(LANE_VIEW_M)
)
