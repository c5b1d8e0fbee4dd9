"""Read one input table (CSV in any common dialect, or an Excel workbook) -> Table of text cells.

CSV: UTF-8 with or without a byte-order mark, or Windows-1252/Latin-1 (read with a notice);
the delimiter (comma, semicolon or tab) is sniffed from the header line; ``.csv.gz`` is
unpacked. Excel (``.xlsx``/``.xlsm``): the first worksheet or the one named, read with
openpyxl; formulas give their cached values, numbers, dates and times are turned into the text
a person would type. Every cell comes out as stripped text; the header is the first non-empty
row. Rows are numbered 1-based from the first data row (the header is not counted).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from optimizer.errors import Issue, ScenarioError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Delimiters a register export may use, in the order a tie is reported.
DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Excel's day zero: a time-only cell is a datetime on this date.
_EXCEL_EPOCHS = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """One input file as text cells, with how it was read.

    ``problems`` maps a data row number to what is wrong with the row's shape (more cells than
    the header has names), so the parser can reject that row with the reason.
    """

    path: Path
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    raw: bytes
    encoding: str
    delimiter: str | None = None
    sheet: str | None = None
    notices: tuple[str, ...] = ()
    problems: dict[int, str] = field(default_factory=dict)


def _fail(path: Path, message: str) -> ScenarioError:
    return ScenarioError([Issue(source=path.name, row=None, field=None, message=message)])


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as err:
        raise ScenarioError(
            [
                Issue(
                    source=label,
                    row=None,
                    field=None,
                    message=f"file {path} not found; fix [inputs] {label} in the scenario",
                )
            ]
        ) from err
    except OSError as err:
        raise _fail(path, f"cannot read {path} ({err})") from err


def read_table(path: Path, *, label: str, sheet: str | None = None) -> Table:
    """Read a CSV or Excel input file into text cells.

    Parameters
    ----------
    path : Path
        ``.csv``, ``.csv.gz``, ``.txt`` or ``.xlsx``.
    label : str
        The ``[inputs]`` key naming the file (for messages).
    sheet : str, optional
        Worksheet of a workbook (default: the first one). Ignored for CSV.

    Returns
    -------
    Table

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, of an ambiguous dialect, or the sheet does not exist.
    """
    raw = _read_bytes(path, label)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_workbook(path, raw, sheet)
    if path.suffix.lower() == ".xls":
        raise _fail(
            path,
            "old Excel 97-2003 workbooks (.xls) are not read; open it in Excel or LibreOffice "
            "and save it as .xlsx (Excel Workbook) or as CSV",
        )
    data = gzip.decompress(raw) if path.suffix.lower() == ".gz" else raw
    return _read_csv(path, raw, data)


# --------------------------------------------------------------------------- CSV


def _decode(path: Path, data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Return (text, encoding name, notices)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", ()
    try:
        return data.decode("utf-8-sig"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        notice = (
            f"{path.name}: not UTF-8; read as {name} (the encoding Excel uses for 'CSV' in "
            "Indonesian Windows). Check that names with accents look right; saving as "
            "'CSV UTF-8' avoids this notice"
        )
        return text, encoding, (notice,)
    raise _fail(
        path, "cannot tell the text encoding; save the file as 'CSV UTF-8'"
    )  # pragma: no cover


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == char and not quoted:
            count += 1
    return count


def _sniff_delimiter(path: Path, header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    best = max(counts.values())
    if best == 0:
        return ","  # one column only; the column check says what is missing
    tied = [d for d in DELIMITERS if counts[d] == best]
    if len(tied) > 1:
        names = " and ".join(_DELIMITER_NAMES[d] for d in tied)
        raise _fail(
            path,
            f"cannot tell the column separator: the header has as many {names} characters "
            f"({best} each); save it from Excel as 'CSV UTF-8 (Comma delimited)' or remove "
            "the separator characters from the column names",
        )
    return tied[0]


def _collect(
    grid: Iterable[list[str]], stray: str
) -> tuple[tuple[str, ...], list[dict[str, str]], dict[int, str]]:
    """Split text rows into the header, the data rows and the rows with stray values.

    The first non-empty row is the header (trailing empty header cells dropped); blank rows hold
    no household and are skipped. A value beyond the last named column or under an empty header
    cell would be lost, so its row is recorded in the problems with ``stray`` as the reason.
    """
    header: tuple[str, ...] | None = None
    rows: list[dict[str, str]] = []
    problems: dict[int, str] = {}
    for raw_cells in grid:
        cells = [c.strip() for c in raw_cells]
        if not any(cells):
            continue
        if header is None:
            named = [i for i, c in enumerate(cells) if c]
            header = tuple(cells[: named[-1] + 1])
            continue
        number = len(rows) + 1
        if any(c for i, c in enumerate(cells) if i >= len(header) or not header[i]):
            problems[number] = stray.format(cells=len(cells), columns=len(header))
        rows.append(
            {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}
        )
    return tuple(h for h in header or () if h), rows, problems


def _read_csv(path: Path, raw: bytes, data: bytes) -> Table:
    text, encoding, notices = _decode(path, data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _sniff_delimiter(path, first)
    header, rows, problems = _collect(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
        "the row has {cells} cells but the header names {columns} columns; a value probably "
        f"contains the separator '{delimiter}' without quotes: put that value in double quotes "
        "or save the file again from Excel",
    )
    return Table(
        path=path,
        header=header,
        rows=tuple(rows),
        raw=raw,
        encoding=encoding,
        delimiter=delimiter,
        notices=notices,
        problems=problems,
    )


# --------------------------------------------------------------------------- Excel


def _cell_text(value: object) -> str:
    """Return the text a person would type for an Excel cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        if value.date() in _EXCEL_EPOCHS:
            return value.strftime("%H:%M")
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value).strip()


def _read_workbook(path: Path, raw: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook  # a heavy import, only for workbooks

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise _fail(
            path,
            f"not a readable Excel workbook ({err}); open it in Excel and save it as .xlsx",
        ) from err
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise _fail(
                path,
                f"has no sheet '{sheet}'; its sheets are {', '.join(book.sheetnames)}: fix "
                "[inputs] sheet (or [inputs.sheets]) in the scenario",
            )
        grid = [[_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
        title = worksheet.title
    finally:
        book.close()
    header, rows, problems = _collect(
        grid,
        "the row has a value in a column without a header (or right of the last named "
        "column); give that column a header or move the value",
    )
    return Table(
        path=path,
        header=header,
        rows=tuple(rows),
        raw=raw,
        encoding="xlsx",
        sheet=title,
        problems=problems,
    )
