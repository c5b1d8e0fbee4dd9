"""Write the data-quality report of ``berbagi check``: quality.html/.csv, needs_location.csv.

Unlike the other renderers this one reads a :class:`QualityReport` (the register's figures
before any plan exists), not a Plan. Page text is in Bahasa Indonesia; the reasons and fixes
are the planner's messages. Every user-supplied text is escaped; CSV cells that a spreadsheet
would run as formulas are neutralised. No NIK or KK number is ever part of the report.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from optimizer.render.sheets import SYNTHETIC_LABEL, safe_cell
from optimizer.scenario.quality import DesaQuality, LocationNeed, QualityReport

QUALITY_COLUMNS = (
    "kecamatan",
    "desa_code",
    "desa_name",
    "rows",
    "valid",
    "approximate",
    "invalid_data",
    "no_location",
    "duplicates",
    "fixes",
    "data_notice",
)
NEEDS_LOCATION_COLUMNS = (
    "kecamatan",
    "desa_code",
    "desa_name",
    "household_id",
    "row",
    "head_name",
    "address",
    "dusun",
    "rt",
    "rw",
    "status",
    "approx_lat",
    "approx_lon",
    "data_notice",
)
_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef} td.n{text-align:right} tr.bad td{background:#fff3f0}
.banner{background:#b00020;color:#fff;padding:.5rem 1rem;font-weight:bold}
.ok{color:#1b5e20} .muted{color:#666}
"""


def _notice(report: QualityReport) -> str:
    return SYNTHETIC_LABEL if report.synthetic else ""


def _rejected(desa: DesaQuality, code: str) -> int:
    return dict(desa.rejected).get(code, 0)


def _counts(desa: DesaQuality) -> tuple[int, ...]:
    """Rows, valid, approximate, invalid_data, no_location, duplicates: one desa's figures."""
    return (
        desa.rows,
        desa.valid,
        desa.approximate,
        _rejected(desa, "invalid_data"),
        _rejected(desa, "no_location"),
        desa.duplicates,
    )


def write_quality_csv(report: QualityReport, path: Path) -> Path:
    """Write one row per desa: rows, valid, approximate, rejected by reason, duplicates, fixes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(QUALITY_COLUMNS)
        for desa in report.desa:
            writer.writerow(
                [
                    safe_cell(desa.kecamatan),
                    desa.desa_code or "(unknown desa)",
                    safe_cell(desa.desa_name),
                    *_counts(desa),
                    safe_cell(" | ".join(desa.fixes)),
                    _notice(report),
                ]
            )
    return path


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def write_needs_location(report: QualityReport, path: Path) -> Path:
    """Write the households whose position a field visit should record, sorted by desa."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(NEEDS_LOCATION_COLUMNS)
        for need in report.needs_location:
            writer.writerow(_need_row(need, _notice(report)))
    return path


def _need_row(need: LocationNeed, notice: str) -> list[str | int]:
    return [
        safe_cell(need.kecamatan),
        need.desa_code,
        safe_cell(need.desa_name),
        safe_cell(need.household_id),
        need.row,
        safe_cell(need.head_name),
        safe_cell(need.address),
        safe_cell(need.dusun),
        safe_cell(need.rt),
        safe_cell(need.rw),
        need.status,
        _coordinate(need.lat),
        _coordinate(need.lon),
        notice,
    ]


def _cell(value: object, *, number: bool = False) -> str:
    css = ' class="n"' if number else ""
    return f"<td{css}>{html.escape(str(value))}</td>"


def _summary_table(report: QualityReport) -> str:
    head = (
        "<tr><th>Kecamatan</th><th>Desa</th><th>Kode</th><th>Baris</th><th>Valid</th>"
        "<th>Lokasi perkiraan</th><th>Data salah</th><th>Tanpa lokasi</th><th>Ganda</th></tr>"
    )
    rows = []
    for desa in report.desa:
        bad = desa.rows > desa.valid or desa.approximate
        rows.append(
            f"<tr{' class=bad' if bad else ''}>"
            + _cell(desa.kecamatan)
            + _cell(desa.desa_name or "(desa tidak dikenal)")
            + _cell(desa.desa_code)
            + "".join(_cell(v, number=True) for v in _counts(desa))
            + "</tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _problem_sections(report: QualityReport) -> str:
    parts = []
    for desa in report.desa:
        if not desa.problems:
            continue
        title = f"{desa.desa_name or '(desa tidak dikenal)'} {desa.desa_code}".strip()
        rows = "".join(
            "<tr>"
            + _cell(p.row, number=True)
            + _cell(p.household_id)
            + _cell(p.field)
            + _cell(p.code)
            + _cell(p.reason)
            + "</tr>"
            for p in desa.problems
        )
        parts.append(
            f"<h2>{html.escape(title)}</h2><table><tr><th>Baris</th><th>ID keluarga</th>"
            f"<th>Kolom</th><th>Kode</th><th>Masalah dan cara memperbaiki</th></tr>{rows}</table>"
        )
    return "".join(parts) or '<p class="ok">Tidak ada baris bermasalah.</p>'


def write_quality_html(report: QualityReport, path: Path) -> Path:
    """Write a self-contained page: figures per desa, then each problem row with its fix."""
    valid = sum(d.valid for d in report.desa)
    approximate = sum(d.approximate for d in report.desa)
    banner = (
        f'<div class="banner">{SYNTHETIC_LABEL}: data demo sintetis, bukan data nyata</div>'
        if report.synthetic
        else ""
    )
    notices = "".join(f"<li>{html.escape(n)}</li>" for n in report.notices)
    page = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Laporan kualitas data - {html.escape(report.title)}</title><style>{_STYLE}</style></head>
<body>{banner}
<h1>Laporan kualitas data: {html.escape(report.title)}</h1>
<p>Berkas {html.escape(report.households_file)}: {report.rows} baris untuk direncanakan,
{valid} valid ({approximate} dengan lokasi perkiraan), {report.rows - valid} tidak dapat
direncanakan; {report.excluded_by_filter} baris di luar filter.</p>
<p class="muted">Baris dihitung mulai 1 dari baris data pertama (baris judul kolom tidak
dihitung). Lokasi perkiraan: titik tengah rumah tangga lain di RT/RW atau dusun yang sama;
catat lokasi sebenarnya saat kunjungan (needs_location.csv).</p>
{f"<ul>{notices}</ul>" if notices else ""}
<h2>Per desa</h2>{_summary_table(report)}
{_problem_sections(report)}
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def write_quality_report(report: QualityReport, folder: Path) -> list[Path]:
    """Write quality.html, quality.csv and needs_location.csv into a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_quality_html(report, folder / "quality.html"),
        write_quality_csv(report, folder / "quality.csv"),
        write_needs_location(report, folder / "needs_location.csv"),
    ]
