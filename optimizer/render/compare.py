"""The scenario comparison's documents: compare.html, compare.csv, compare.json, terminal table.

All four are written from the same :class:`~optimizer.compare.Figure` rows, so a figure reads
the same everywhere. The files hold no run time or date of the run: equal plans give equal
bytes.

``compare.csv`` has one row per figure: ``key``, ``label``, ``unit``, one column per scenario
(named by its column name) and one ``delta <column>`` column per scenario after the baseline.
Values are plain numbers (a time of day as hours after midnight, as in the ``unit`` column);
an empty cell is a figure that does not exist for that scenario.

``compare.json`` (``format: "berbagi-compare-1"``) holds ``baseline``, ``scenarios`` (in
column order), ``figures`` (each with ``values`` and ``deltas`` lists in scenario order),
``kecamatan`` (served and unserved households per kecamatan, lists in scenario order) and
``route_times`` (per scenario, each route's team and duration in seconds).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from rich.table import Table
from rich.text import Text

from optimizer.compare import (
    COMPARE_FORMAT,
    Comparison,
    Figure,
    delta_verdict,
    format_delta,
    format_value,
)
from optimizer.plan import Plan
from optimizer.render.comparepage import build_compare_html

HTML_NAME: Final = "compare.html"
CSV_NAME: Final = "compare.csv"
JSON_NAME: Final = "compare.json"
_DELTA_STYLE: Final = {"better": "green", "worse": "red", "same": "dim", "": "dim"}


def write_comparison(comparison: Comparison, folder: Path, *, plans: Sequence[Plan]) -> list[Path]:
    """Write compare.html, compare.csv and compare.json into a folder.

    Parameters
    ----------
    comparison : Comparison
        From :func:`optimizer.compare.build_comparison`.
    folder : Path
        Output folder; made if missing. Files of an earlier comparison are replaced.
    plans : Sequence[Plan]
        The compared plans in the comparison's order, for the page's maps.

    Returns
    -------
    list[Path]
        The files written: the page, the CSV and the JSON.

    Raises
    ------
    ValueError
        If ``plans`` are not the comparison's scenarios, in its order.
    """
    names = [p.scenario for p in plans]
    expected = [s.scenario for s in comparison.scenarios]
    if names != expected:
        raise ValueError(
            f"write_comparison got plans {names} for a comparison of {expected}; pass the "
            "plans given to build_comparison, in the same order"
        )
    folder.mkdir(parents=True, exist_ok=True)
    documents = {
        HTML_NAME: build_compare_html(comparison, plans),
        CSV_NAME: build_compare_csv(comparison),
        JSON_NAME: json.dumps(build_compare_json(comparison), ensure_ascii=False, indent=1) + "\n",
    }
    written = []
    for name, text in documents.items():
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def _csv_number(value: float | None) -> str:
    return "" if value is None else repr(value)


def build_compare_csv(comparison: Comparison) -> str:
    """Return compare.csv: one row per figure, values then deltas (see the module notes).

    Parameters
    ----------
    comparison : Comparison

    Returns
    -------
    str
        CSV text with Unix line ends.
    """
    columns = [s.column for s in comparison.scenarios]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "label", "unit", *columns, *(f"delta {c}" for c in columns[1:])])
    for figure in comparison.figures:
        writer.writerow(
            [
                figure.key,
                figure.label,
                figure.unit,
                *(_csv_number(v) for v in figure.values),
                *(_csv_number(d) for d in figure.deltas[1:]),
            ]
        )
    return buffer.getvalue()


def build_compare_json(comparison: Comparison) -> dict[str, Any]:
    """Return the compare.json document (see the module notes for its layout).

    Parameters
    ----------
    comparison : Comparison

    Returns
    -------
    dict[str, Any]
        Plain values only, keys in a fixed order.
    """
    return {
        "format": COMPARE_FORMAT,
        "baseline": comparison.scenarios[0].column,
        "synthetic_data": comparison.synthetic_data,
        "scenarios": [
            {
                "scenario": s.scenario,
                "column": s.column,
                "title": s.title,
                "date": s.date,
                "synthetic_data": s.synthetic_data,
                "households_total": s.households_total,
            }
            for s in comparison.scenarios
        ],
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "unit": f.unit,
                "better": f.better or None,
                "values": list(f.values),
                "deltas": list(f.deltas),
            }
            for f in comparison.figures
        ],
        "kecamatan": [
            {"code": k.code, "name": k.name, "served": list(k.served), "unserved": list(k.unserved)}
            for k in comparison.kecamatan
        ],
        "route_times": [
            {
                "scenario": s.column,
                "team_ids": list(s.team_ids),
                "duration_s": list(s.route_duration_s),
            }
            for s in comparison.scenarios
        ],
    }


def _table_cell(figure: Figure, index: int) -> Text:
    text = Text(format_value(figure, figure.values[index]))
    if index > 0:
        delta = figure.deltas[index]
        style = _DELTA_STYLE[delta_verdict(figure, delta)]
        text.append(f" ({format_delta(figure, delta)})", style=style)
    return text


def format_comparison_table(comparison: Comparison) -> Table:
    """Return the comparison as a terminal table (rich).

    Parameters
    ----------
    comparison : Comparison

    Returns
    -------
    rich.table.Table
        One row per figure and one column per scenario; from the second scenario on, each value
        is followed by its change against the baseline in parentheses (green: better, red:
        worse). Scenario names are plain text, never read as markup.
    """
    table = Table(title="Scenario comparison", title_justify="left")
    table.add_column("Figure", no_wrap=True)
    table.add_column("Unit", style="dim")
    for index, scenario in enumerate(comparison.scenarios):
        header = Text(scenario.column)
        if index == 0:
            header.append(" (baseline)", style="dim")
        table.add_column(header, justify="right")
    for figure in comparison.figures:
        unit = "time of day" if figure.kind == "clock" else figure.unit
        cells = [_table_cell(figure, i) for i in range(len(comparison.scenarios))]
        table.add_row(Text(figure.label), Text(unit), *cells)
    return table
