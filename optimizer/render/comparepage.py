"""compare.html: the scenario comparison as one self-contained page for decision makers.

The page holds the figure table with each change against the baseline coloured (green: an
improvement, red: worse, grey: no change or no better direction), bar charts of the main
figures, the distribution of route times, households per kecamatan and a small map per
scenario. Charts and maps are inline SVG drawn in Python: no script, no web font, no request
of any kind, so the page opens offline and prints as shown. Every text from the user's files
(scenario names and titles, kecamatan and team names) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from optimizer.compare import (
    Comparison,
    Figure,
    delta_verdict,
    format_delta,
    format_value,
)
from optimizer.plan import Plan
from optimizer.render.svgcharts import bar_chart, escape, route_time_chart, stacked_bar
from optimizer.render.svgmap import build_map_frame, plan_map_svg
from optimizer.units import format_clock

SYNTHETIC_BANNER: Final = "SYNTHETIC DEMO DATA - not real roads or households"
#: Scenario colours in charts: the baseline in slate, then distinct hues.
SCENARIO_COLOURS: Final[tuple[str, ...]] = (
    "#546e7a",
    "#1565c0",
    "#ef6c00",
    "#2e7d32",
    "#6a1b9a",
    "#00838f",
    "#ad1457",
    "#9e9d24",
)
#: Figures drawn as bar charts, in page order.
CHART_KEYS: Final = (
    "households_served",
    "teams_used",
    "total_route_h",
    "last_back",
    "total_distance_km",
    "total_cost",
)

CSS: Final = """
*{box-sizing:border-box}
body{margin:0;background:#f5f7f9;color:#1d2733;
font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 40px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid #d5dbe1}
h3{font-size:14px;margin:0 0 6px}
.lead{color:#5f6b7a;margin:0 0 16px}
.banner{background:#fff3b0;color:#3d2e00;border:1px solid #e6d37a;border-radius:6px;
padding:10px 14px;margin:0 0 16px}
.card{background:#fff;border:1px solid #dde3e8;border-radius:8px;padding:14px 16px}
.scenarios{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.scenario{border-left:6px solid var(--c)}
.scenario .name{font-weight:700;font-size:15px;overflow-wrap:anywhere}
.scenario .title{color:#37474f;overflow-wrap:anywhere}
.scenario .facts{color:#5f6b7a;font-size:13px;margin-top:4px}
.tag{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;
letter-spacing:.04em;color:#fff;background:#546e7a;border-radius:3px;padding:1px 6px;
margin-left:6px;vertical-align:2px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:6px 10px;border-bottom:1px solid #e4e8ec;text-align:right;vertical-align:top}
th{background:#eef1f4;font-weight:600;font-size:13px}
th:first-child,td:first-child{text-align:left}
td.unit,th.unit{text-align:left;color:#5f6b7a}
tr.reason td:first-child{padding-left:26px;color:#37474f}
.v{font-variant-numeric:tabular-nums;font-weight:600}
.d{display:inline-block;min-width:54px;margin-left:6px;padding:0 6px;border-radius:10px;
font-size:12px;font-variant-numeric:tabular-nums;text-align:center;background:#eceff1;
color:#455a64}
.d.better{background:#e3f4e6;color:#1b5e20}.d.worse{background:#fde7e7;color:#b71c1c}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:14px}
.chart,.map{display:block;max-width:100%;height:auto}
.note{color:#5f6b7a;font-size:12px;margin:6px 0 0}
.kec td{white-space:nowrap}.kec .minibar{vertical-align:middle;margin-right:6px}
.kec .s{color:#2e7d32}.kec .u{color:#d62728}
.maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}
.map{margin:0 auto}
.legend{color:#5f6b7a;font-size:12px;margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
footer{color:#5f6b7a;font-size:12px;margin-top:30px}
@media print{body{background:#fff}.card,table,.scenario{break-inside:avoid}}
"""


def scenario_colour(index: int) -> str:
    """Colour of the scenario at ``index`` in the comparison's charts (baseline first)."""
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def _banner(comparison: Comparison) -> str:
    if not comparison.synthetic_data:
        return ""
    notices = dict.fromkeys(s.data_notice for s in comparison.scenarios if s.data_notice)
    text = "".join(f"<br>{escape(n)}" for n in notices)
    return f'<div class="banner" role="alert"><strong>{SYNTHETIC_BANNER}</strong>{text}</div>'


def _scenario_cards(comparison: Comparison) -> str:
    served = comparison.figure("households_served")
    cards = []
    for index, column in enumerate(comparison.scenarios):
        tag = '<span class="tag">baseline</span>' if index == 0 else ""
        date = f" · {escape(column.date)}" if column.date else ""
        cards.append(
            f'<div class="card scenario" style="--c:{scenario_colour(index)}">'
            f'<div class="name">{escape(column.column)}{tag}</div>'
            f'<div class="title">{escape(column.title)}</div>'
            f'<div class="facts">{column.households_total:,} households on the list{date}'
            f" · {_plural(len(column.route_duration_s), 'route')} · served "
            f'<span class="served">{format_value(served, served.values[index])}</span></div>'
            "</div>"
        )
    return f'<div class="scenarios">{"".join(cards)}</div>'


def _cell(figure: Figure, index: int) -> str:
    value = f'<span class="v">{escape(format_value(figure, figure.values[index]))}</span>'
    if index == 0:
        return f"<td>{value}</td>"
    delta = figure.deltas[index]
    verdict = delta_verdict(figure, delta) or "neutral"
    return (
        f'<td>{value}<span class="d {verdict}" title="change against the baseline">'
        f"{escape(format_delta(figure, delta))}</span></td>"
    )


def _figure_table(comparison: Comparison) -> str:
    head = "".join(
        f"<th>{escape(c.column)}{'<br><small>baseline</small>' if i == 0 else ''}</th>"
        for i, c in enumerate(comparison.scenarios)
    )
    rows = []
    for figure in comparison.figures:
        cls = ' class="reason"' if figure.key.startswith("unserved_") else ""
        cells = "".join(_cell(figure, i) for i in range(len(comparison.scenarios)))
        unit = "time of day" if figure.kind == "clock" else figure.unit
        rows.append(
            f'<tr{cls} data-key="{escape(figure.key)}"><td>{escape(figure.label)}</td>'
            f'<td class="unit">{escape(unit)}</td>{cells}</tr>'
        )
    return (
        f'<table class="figures"><thead><tr><th>Figure</th><th class="unit">Unit</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">Changes are against the baseline. Green: better, red: worse, grey: '
        "no change, or a figure with no better direction (teams, packages per team).</p>"
    )


def _clock_origin(plans: Sequence[Plan]) -> float:
    """Return the whole hour before the earliest departure of any plan (hours after midnight)."""
    starts = [r.start_s for p in plans for r in p.routes]
    return float(min(starts) // 3600) if starts else 0.0


def _compact(value: float) -> str:
    """Return a money tick in short form: "150 k", "2.5 M"."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:g} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g} k"
    return f"{value:g}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _charts(comparison: Comparison, plans: Sequence[Plan]) -> str:
    labels = [c.column for c in comparison.scenarios]
    colours = [scenario_colour(i) for i in range(len(labels))]
    cards = []
    for key in CHART_KEYS:
        figure = comparison.figure(key)
        texts = [format_value(figure, v) for v in figure.values]
        if figure.kind == "clock":
            chart = bar_chart(
                figure.label,
                labels,
                figure.values,
                texts,
                colours,
                origin=_clock_origin(plans),
                tick_format=lambda h: format_clock(round(h * 3600)),
            )
            caption = f"{figure.label} (time of day; bars start at the first departure hour)"
        elif figure.kind == "money":
            chart = bar_chart(
                figure.label, labels, figure.values, texts, colours, tick_format=_compact
            )
            caption = f"{figure.label} ({figure.unit})"
        else:
            chart = bar_chart(figure.label, labels, figure.values, texts, colours)
            caption = f"{figure.label} ({figure.unit})"
        cards.append(f'<div class="card"><h3>{escape(caption)}</h3>{chart}</div>')
    return f'<div class="grid">{"".join(cards)}</div>'


def _route_times(comparison: Comparison) -> str:
    labels = [c.column for c in comparison.scenarios]
    hours = [[d / 3600 for d in c.route_duration_s] for c in comparison.scenarios]
    colours = [scenario_colour(i) for i in range(len(labels))]
    return (
        f'<div class="card">{route_time_chart(labels, hours, colours, width=1150)}'
        '<p class="note">One dot per route. The box spans the middle half of the routes, the '
        "thick line is the median, the whiskers reach the shortest and the longest route.</p>"
        "</div>"
    )


def _kecamatan_table(comparison: Comparison) -> str:
    largest = max(
        (
            s + u
            for row in comparison.kecamatan
            for s, u in zip(row.served, row.unserved, strict=True)
        ),
        default=0,
    )
    head = "".join(f"<th>{escape(c.column)}</th>" for c in comparison.scenarios)
    rows = []
    for row in comparison.kecamatan:
        cells = "".join(
            f"<td>{stacked_bar(s, u, largest)}<span class='s'>{s:,}</span> / "
            f"<span class='u'>{u:,}</span></td>"
            for s, u in zip(row.served, row.unserved, strict=True)
        )
        code = f" <small>{escape(row.code)}</small>" if row.code else ""
        rows.append(f"<tr><td>{escape(row.name)}{code}</td>{cells}</tr>")
    return (
        f'<table class="kec"><thead><tr><th>Kecamatan</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">Per cell: <span style="color:#2e7d32">served</span> / '
        '<span style="color:#d62728">not served</span> households; bars share one scale.</p>'
    )


def _maps(comparison: Comparison, plans: Sequence[Plan]) -> str:
    frame = build_map_frame(plans)
    cards = []
    for index, (column, plan) in enumerate(zip(comparison.scenarios, plans, strict=True)):
        k = plan.kpis
        hidden = sum(1 for u in plan.unserved if u.lat is None or u.lon is None)
        off_map = f" ({hidden:,} without a position)" if hidden else ""
        cards.append(
            f'<div class="card"><h3 style="color:{scenario_colour(index)}">'
            f"{escape(column.column)}</h3>{plan_map_svg(plan, frame)}"
            f'<div class="legend">{_plural(len(plan.routes), "route")} · '
            f"{k.households_served:,} served"
            f'<i style="background:#d62728;border-radius:50%"></i>{k.households_unserved:,} '
            f'not served{off_map}<i style="background:#1d2733"></i>depot</div></div>'
        )
    return (
        f'<div class="maps">{"".join(cards)}</div><p class="note">All maps show the same area. '
        "Each route in its team's colour; kecamatan outlines in grey.</p>"
    )


def build_compare_html(comparison: Comparison, plans: Sequence[Plan]) -> str:
    """Return compare.html: the comparison as one self-contained page.

    Parameters
    ----------
    comparison : Comparison
    plans : Sequence[Plan]
        The compared plans, in the comparison's order (for the maps).

    Returns
    -------
    str
        The page. It loads nothing (no script, style sheet, font or image from anywhere).
    """
    baseline = comparison.scenarios[0]
    names = ", ".join(escape(c.column) for c in comparison.scenarios[1:]) or "nothing else"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Scenario comparison: {escape(baseline.column)}</title>"
        f"<style>{CSS}</style></head><body><main>"
        "<h1>Scenario comparison</h1>"
        f'<p class="lead">Baseline <strong>{escape(baseline.column)}</strong> compared with '
        f"{names}.</p>{_banner(comparison)}{_scenario_cards(comparison)}"
        f"<h2>Key figures</h2>{_figure_table(comparison)}"
        f"<h2>At a glance</h2>{_charts(comparison, plans)}"
        f"<h2>Route times</h2>{_route_times(comparison)}"
        f"<h2>Households per kecamatan</h2>{_kecamatan_table(comparison)}"
        f"<h2>Maps</h2>{_maps(comparison, plans)}"
        "<footer>Made by berbagi from the plans of the scenarios above. Times are hours; "
        "a route's time runs from leaving the depot to coming back.</footer>"
        "</main></body></html>\n"
    )
