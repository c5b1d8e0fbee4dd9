"""Register exports as they arrive: Excel workbooks, CSV dialects, Indonesian headers, NIK/KK,
rows without coordinates. Every fixture file is written here from the clean households.csv."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import shutil
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD
from openpyxl import Workbook

from optimizer.api import plan_scenario, write_outputs
from optimizer.areas import Boundaries, bundled_boundaries_dir
from optimizer.errors import ScenarioError
from optimizer.plan import Plan
from optimizer.reasons import UnservedReason
from optimizer.scenario import Household, Scenario, load_scenario

#: The clean file's data rows, in order.
with (GOOD / "households.csv").open(encoding="utf-8", newline="") as _handle:
    CLEAN: tuple[dict[str, str], ...] = tuple(csv.DictReader(_handle))

#: Indonesian register headers, in the order a DTSEN export lists them.
ID_HEADERS = (
    "ID Keluarga",
    "NIK",
    "No KK",
    "Nama Kepala Keluarga",
    "Alamat",
    "Dusun",
    "RT",
    "RW",
    "Kode Desa",
    "Desa/Kelurahan",
    "Kecamatan",
    "Desil",
    "Latitude",
    "Longitude",
    "Jumlah Paket",
    "Jam Mulai",
    "Jam Selesai",
    "Prioritas",
    "Keterangan",
    "data_origin",
)
NON_ASCII_NAME = "Siti Rohmá"


def nik_of(index: int) -> int:
    """A 16-digit NIK for the clean row at ``index`` (made up, Kabat's area prefix)."""
    return 3510146104850000 + index


def kk_of(index: int) -> int:
    """A 16-digit KK number for the clean row at ``index`` (made up)."""
    return 3510142708190000 + index


def _clock(text: str) -> dt.time | None:
    if not text:
        return None
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def _number(text: str) -> float | None:
    return float(text) if text else None


def register_rows(
    rows: Sequence[dict[str, str]] = CLEAN, *, nik: Callable[[int], int] = nik_of
) -> list[list[object]]:
    """Rows under ID_HEADERS with cells typed the way Excel holds them."""
    return [
        [
            row["household_id"],
            nik(i),
            kk_of(i),
            row["head_name"],
            row["address"],
            row["dusun"],
            int(row["rt"]) if row["rt"] else None,
            int(row["rw"]) if row["rw"] else None,
            row["desa_code"],
            row["desa_name"],
            row["kecamatan"],
            int(row["desil"]),
            _number(row["lat"]),
            _number(row["lon"]),
            int(row["packages"]),
            _clock(row["window_start"]),
            _clock(row["window_end"]),
            row["priority"] or None,
            row["notes"] or None,
            row["data_origin"],
        ]
        for i, row in enumerate(rows)
    ]


def write_workbook(path: Path, sheets: Iterable[tuple[str, Sequence[Sequence[object]]]]) -> Path:
    """Write an .xlsx with the given (title, rows) sheets, in order."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def write_text_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    lineterminator: str = "\n",
) -> Path:
    """Write a delimited text table in the given encoding (``.gz`` suffix: gzipped)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def point_scenario_to(
    folder: Path,
    households: str,
    *,
    inputs: Sequence[str] = (),
    columns: dict[str, str] | None = None,
) -> Path:
    """Make the scenario in ``folder`` read ``households`` (the clean CSV is removed).

    ``inputs`` are extra ``[inputs]`` lines; ``columns`` becomes ``[inputs.columns]``.
    """
    (folder / "households.csv").unlink(missing_ok=True)
    toml = folder / "tiny.toml"
    text = toml.read_text(encoding="utf-8")
    old = 'households = "households.csv"'
    assert old in text
    text = text.replace(old, "\n".join([f'households = "{households}"', *inputs]))
    if columns:
        text += "\n[inputs.columns]\n" + "".join(f'{k} = "{v}"\n' for k, v in columns.items())
    toml.write_text(text, encoding="utf-8")
    return toml


def copy_good(target: Path) -> Path:
    shutil.copytree(GOOD, target)
    return target


@pytest.fixture(scope="module", autouse=True)
def _shared_boundaries(boundaries: Boundaries) -> Iterator[None]:
    """Every scenario here uses the bundled boundaries: read them once, not once per load.

    Boundaries are frozen, so sharing them is safe; another folder is still read from disk.
    """
    import optimizer.pipeline
    import optimizer.scenario.load

    bundled = bundled_boundaries_dir().resolve()
    real = optimizer.scenario.load.load_boundaries

    def load(folder: Path | None = None) -> Boundaries:
        if folder is None or Path(folder).resolve() == bundled:
            return boundaries
        return real(folder)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(optimizer.scenario.load, "load_boundaries", load)
        patch.setattr(optimizer.pipeline, "load_boundaries", load)
        yield


# --------------------------------------------------------------------------- fixture files


def make_xlsx(folder: Path) -> Path:
    """Indonesian headers on row 1, numbers as numbers, NIK/KK as 16-digit numbers."""
    write_workbook(folder / "dtsen.xlsx", [("DTSEN", [ID_HEADERS, *register_rows()])])
    return point_scenario_to(folder, "dtsen.xlsx")


def make_semicolon_cp1252(folder: Path) -> Path:
    """Semicolons, decimal commas, Windows-1252, Lintang/Bujur, a name with an accent."""
    header = (
        "ID Keluarga",
        "Nama KRT",
        "Alamat",
        "Kode Desa",
        "Desa/Kelurahan",
        "Kecamatan",
        "Lintang",
        "Bujur",
        "Desil",
        "Jumlah Paket",
        "Jam Mulai",
        "Jam Selesai",
        "Keterangan",
        "data_origin",
    )
    rows = [
        [
            r["household_id"],
            NON_ASCII_NAME if r["household_id"] == "HH-01" else r["head_name"],
            r["address"],
            r["desa_code"],
            r["desa_name"],
            r["kecamatan"],
            r["lat"].replace(".", ","),
            r["lon"].replace(".", ","),
            r["desil"],
            r["packages"],
            r["window_start"],
            r["window_end"],
            r["notes"],
            r["data_origin"],
        ]
        for r in CLEAN
    ]
    write_text_table(
        folder / "dtsen.csv",
        header,
        rows,
        delimiter=";",
        encoding="cp1252",
        lineterminator="\r\n",
    )
    return point_scenario_to(folder, "dtsen.csv")


def make_koordinat(folder: Path) -> Path:
    """One 'Koordinat' cell per row ("lat, lon"; one row "lat; lon" with decimal commas)."""
    header = ("ID Keluarga", "Nama", "Kode Desa", "Koordinat", "Desil", "Paket", "Jam Mulai")
    header += ("Jam Selesai", "data_origin")
    rows = []
    for r in CLEAN:
        cell = f"{r['lat']}, {r['lon']}"
        if r["household_id"] == "HH-03":
            cell = f"{r['lat'].replace('.', ',')}; {r['lon'].replace('.', ',')}"
        rows.append(
            [
                r["household_id"],
                r["head_name"],
                r["desa_code"],
                cell,
                r["desil"],
                r["packages"],
                r["window_start"],
                r["window_end"],
                r["data_origin"],
            ]
        )
    write_text_table(folder / "koordinat.csv", header, rows, encoding="utf-8-sig")
    return point_scenario_to(folder, "koordinat.csv")


def make_tab_gz(folder: Path) -> Path:
    """The clean columns, tab-separated, UTF-8 with a byte-order mark, gzipped."""
    header = tuple(CLEAN[0])
    rows = [[r[k] for k in header] for r in CLEAN]
    write_text_table(
        folder / "households.tsv.csv.gz", header, rows, delimiter="\t", encoding="utf-8-sig"
    )
    return point_scenario_to(folder, "households.tsv.csv.gz")


#: Variant name -> builder; every variant holds the clean file's households.
VARIANTS: dict[str, Callable[[Path], Path]] = {
    "xlsx": make_xlsx,
    "semicolon_cp1252": make_semicolon_cp1252,
    "koordinat": make_koordinat,
    "tab_gz": make_tab_gz,
}
#: Variants that are also planned and compared stop by stop.
PLANNED = ("xlsx", "semicolon_cp1252", "koordinat")


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Scenario files of each variant, written once for the module (tests only read them)."""
    root = tmp_path_factory.mktemp("variants")
    return {name: build(copy_good(root / name)) for name, build in VARIANTS.items()}


@pytest.fixture(scope="module")
def plan_of(variants: dict[str, Path]) -> Callable[[str], Plan]:
    """Plan a variant once, on first use (plans are frozen, so sharing them is safe)."""
    cache: dict[str, Plan] = {}

    def plan(name: str) -> Plan:
        if name not in cache:
            cache[name] = plan_scenario(variants[name])
        return cache[name]

    return plan


def summary(households: Iterable[Household]) -> list[tuple[object, ...]]:
    """What must not change with the file's format: id, desa, packages, desil, window."""
    return [
        (
            h.household_id,
            h.row,
            h.desa_code,
            h.packages,
            h.desil,
            h.window_start_s,
            h.window_end_s,
            h.location,
        )
        for h in households
    ]


def stops_per_team(plan: Plan) -> list[tuple[str, list[str]]]:
    return [(r.team_id, [s.household_id for s in r.stops]) for r in plan.routes]


# --------------------------------------------------------------------------- 1. formats


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_gives_the_clean_households(
    name: str, variants: dict[str, Path], tiny_scenario: Scenario
) -> None:
    scenario = load_scenario(variants[name])
    assert summary(scenario.households) == summary(tiny_scenario.households)
    for got, want in zip(scenario.households, tiny_scenario.households, strict=True):
        assert got.lat == pytest.approx(want.lat, abs=1e-7), got.household_id
        assert got.lon == pytest.approx(want.lon, abs=1e-7), got.household_id
    assert scenario.rejected == ()
    assert scenario.excluded_by_filter == tiny_scenario.excluded_by_filter == 1


def test_xlsx_reads_typed_cells_and_records_its_columns(variants: dict[str, Path]) -> None:
    scenario = load_scenario(variants["xlsx"])
    window = next(h for h in scenario.households if h.household_id == "HH-04")
    assert (window.window_start_s, window.window_end_s) == (8 * 3600 + 1800, 9 * 3600)
    assert scenario.households[0].head_name == "Kepala HH-00"
    (use,) = [c for c in scenario.columns if c.input == "households"]
    assert (use.file, use.sheet, use.encoding, use.delimiter) == (
        "dtsen.xlsx",
        "DTSEN",
        "xlsx",
        None,
    )
    mapping = dict(use.mapping)
    assert mapping["household_id"] == "ID Keluarga"
    assert mapping["nik"] == "NIK"
    assert mapping["no_kk"] == "No KK"
    assert mapping["head_name"] == "Nama Kepala Keluarga"
    assert mapping["desa_code"] == "Kode Desa"
    assert mapping["desa_name"] == "Desa/Kelurahan"
    assert (mapping["lat"], mapping["lon"]) == ("Latitude", "Longitude")
    assert mapping["packages"] == "Jumlah Paket"
    assert use.ignored == ()


def test_cp1252_file_is_read_with_a_notice(variants: dict[str, Path]) -> None:
    scenario = load_scenario(variants["semicolon_cp1252"])
    assert scenario.households[1].head_name == NON_ASCII_NAME
    (use,) = [c for c in scenario.columns if c.input == "households"]
    assert (use.encoding, use.delimiter) == ("cp1252", ";")
    assert dict(use.mapping)["lat"] == "Lintang"
    assert dict(use.mapping)["lon"] == "Bujur"
    assert any("dtsen.csv: not UTF-8; read as Windows-1252" in n for n in scenario.notices)


@pytest.mark.parametrize("name", PLANNED)
def test_variant_plans_the_same_stops_as_the_clean_file(
    name: str, plan_of: Callable[[str], Plan], tiny_plan: Plan
) -> None:
    plan = plan_of(name)
    assert stops_per_team(plan) == stops_per_team(tiny_plan)
    assert [(u.household_id, u.code) for u in plan.unserved] == [
        (u.household_id, u.code) for u in tiny_plan.unserved
    ]


def _two_sheet_workbook(folder: Path, inputs: Sequence[str]) -> Path:
    write_workbook(
        folder / "register.xlsx",
        [
            ("Catatan", [["Data DTSEN Desa Dadapan, diunduh dari SIKS-NG"]]),
            ("DTSEN", [ID_HEADERS, *register_rows()]),
        ],
    )
    return point_scenario_to(folder, "register.xlsx", inputs=inputs)


@pytest.mark.parametrize(
    "line",
    ['sheet = "DTSEN"', 'sheets = { households = "DTSEN" }'],
    ids=["inputs.sheet", "inputs.sheets"],
)
def test_named_sheet_is_read(scenario_dir: Path, tiny_scenario: Scenario, line: str) -> None:
    scenario = load_scenario(_two_sheet_workbook(scenario_dir, [line]))
    assert summary(scenario.households) == summary(tiny_scenario.households)
    (use,) = [c for c in scenario.columns if c.input == "households"]
    assert use.sheet == "DTSEN"


def test_first_sheet_is_read_without_a_sheet_name(scenario_dir: Path) -> None:
    toml = _two_sheet_workbook(scenario_dir, [])
    with pytest.raises(ScenarioError, match=r"register\.xlsx: missing column\(s\) household_id"):
        load_scenario(toml)


def test_missing_sheet_names_the_available_sheets(scenario_dir: Path) -> None:
    toml = _two_sheet_workbook(scenario_dir, ['sheet = "Data"'])
    with pytest.raises(
        ScenarioError,
        match=r"register\.xlsx: has no sheet 'Data'; its sheets are Catatan, DTSEN: fix "
        r"\[inputs\] sheet",
    ):
        load_scenario(toml)


# --------------------------------------------------------------------------- 2. no coordinates

#: Dusun, RT and RW given to the located clean rows (the others keep none).
NEIGHBOURHOOD = {
    "HH-00": ("Krajan", "1", "1"),
    "HH-01": ("Krajan", "1", "1"),
    "HH-02": ("Krajan", "1", "1"),
    "HH-03": ("Krajan", "2", "1"),
    "HH-05": ("Krajan", "2", "1"),
    "HH-06": ("Krajan", "2", "1"),
    "HH-07": ("Krajan", "2", "1"),
    "HH-04": ("Kedungrejo", "1", "2"),
    "HH-LANE": ("Kedungrejo", "1", "2"),
}
#: Rows without coordinates: id -> (desa code, dusun, RT, RW, lat, lon as written).
UNLOCATED = {
    # Same RT/RW as HH-00..02, written differently ("Dusun " prefix, 1 vs 001, 01).
    "NEW-RT1": ("35.10.14.2010", "Dusun Krajan", "1", "01", "", ""),
    # Same RT/RW as HH-03/05/06/07 (an even group: the median is a mean of two); 0/0 = none.
    "NEW-RT2": ("35.10.14.2010", "KRAJAN", "002", "001", "0", "0"),
    # An RT nobody located is in: falls back to the dusun (HH-04, HH-LANE).
    "NEW-DUSUN": ("35.10.14.2010", "Kedungrejo", "7", "2", "", ""),
    # A dusun nobody located is in.
    "NEW-NONE": ("35.10.14.2010", "Sukorejo", "1", "1", "", ""),
    # Nothing to place it by.
    "NEW-BARE": ("35.10.14.2010", "", "", "", "", ""),
    # Dusun Krajan RT 1/RW 1 exists in Dadapan, not in this desa (Pendarungan).
    "NEW-OTHER": ("35.10.14.2015", "Krajan", "1", "1", "", ""),
}
#: id -> (location, neighbours whose median is its position).
PLACED = {
    "NEW-RT1": ("approximate (RT 001/RW 001)", ("HH-00", "HH-01", "HH-02")),
    "NEW-RT2": ("approximate (RT 002/RW 001)", ("HH-03", "HH-05", "HH-06", "HH-07")),
    "NEW-DUSUN": ("approximate (dusun Kedungrejo)", ("HH-04", "HH-LANE")),
}
NOT_PLACED = ("NEW-NONE", "NEW-BARE", "NEW-OTHER")


def _unlocated_rows() -> list[dict[str, str]]:
    rows = []
    for row in CLEAN:
        dusun, rt, rw = NEIGHBOURHOOD.get(row["household_id"], ("", "", ""))
        rows.append({**row, "dusun": dusun, "rt": rt, "rw": rw})
    names = {"35.10.14.2010": "Dadapan", "35.10.14.2015": "Pendarungan"}
    for hid, (code, dusun, rt, rw, lat, lon) in UNLOCATED.items():
        rows.append(
            {
                **CLEAN[0],
                "household_id": hid,
                "head_name": f"Kepala {hid}",
                "address": f"{dusun} {hid}",
                "dusun": dusun,
                "rt": rt,
                "rw": rw,
                "desa_code": code,
                "desa_name": names[code],
                "lat": lat,
                "lon": lon,
            }
        )
    return rows


@pytest.fixture(scope="module")
def unlocated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    """The clean rows with dusun/RT/RW, plus six rows without coordinates (see UNLOCATED)."""
    folder = copy_good(tmp_path_factory.mktemp("unlocated") / "scenario")
    rows = _unlocated_rows()
    header = tuple(CLEAN[0])
    write_text_table(folder / "register.csv", header, [[r[k] for k in header] for r in rows])
    return point_scenario_to(folder, "register.csv"), rows


def test_rows_without_coordinates_are_placed_among_neighbours(
    unlocated: tuple[Path, list[dict[str, str]]],
) -> None:
    toml, rows = unlocated
    scenario = load_scenario(toml)
    assert len(scenario.households) + len(scenario.rejected) + scenario.excluded_by_filter == len(
        rows
    )
    by_id = {h.household_id: h for h in scenario.households}
    written = {r["household_id"]: r for r in rows}
    for hid, (location, neighbours) in PLACED.items():
        household = by_id[hid]
        assert household.location == location
        assert household.location.startswith("approximate")
        assert household.approximate
        lat = statistics.median(float(written[n]["lat"]) for n in neighbours)
        lon = statistics.median(float(written[n]["lon"]) for n in neighbours)
        assert household.lat == pytest.approx(lat, abs=1e-7), hid
        assert household.lon == pytest.approx(lon, abs=1e-7), hid
    assert all(by_id[n].location == "register" for n in NEIGHBOURHOOD)
    assert by_id["NEW-RT1"].rt == "001"
    assert by_id["NEW-RT1"].rw == "001"
    rejected = {r.household_id: r for r in scenario.rejected}
    assert sorted(rejected) == sorted(NOT_PLACED)
    for hid in NOT_PLACED:
        assert rejected[hid].code == UnservedReason.NO_LOCATION
        assert rejected[hid].field == "lat/lon"
    assert "no dusun or RT/RW to place it by" in rejected["NEW-BARE"].reason
    assert "no household of dusun Sukorejo, RT 001/RW 001" in rejected["NEW-NONE"].reason
    assert rejected["NEW-OTHER"].desa_code == "35.10.14.2015"
    assert any(
        n.startswith("desa Dadapan (35.10.14.2010): 3 household(s) without coordinates placed")
        for n in scenario.notices
    )


@pytest.fixture(scope="module")
def unlocated_plan_json(
    unlocated: tuple[Path, list[dict[str, str]]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """plan.json of the ``unlocated`` scenario, planned and written once."""
    folder = tmp_path_factory.mktemp("unlocated_out")
    write_outputs(plan_scenario(unlocated[0]), folder)
    data: dict[str, Any] = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    return data


def test_rows_without_coordinates_are_routed_once_or_unserved(
    unlocated: tuple[Path, list[dict[str, str]]], unlocated_plan_json: dict[str, Any]
) -> None:
    data = unlocated_plan_json
    routed = Counter(s["household_id"] for r in data["routes"] for s in r["stops"])
    unserved = Counter(u["household_id"] for u in data["unserved"])
    for hid in PLACED:
        assert (routed[hid], unserved[hid]) == (1, 0), hid
    for hid in NOT_PLACED:
        assert (routed[hid], unserved[hid]) == (0, 1), hid
    assert data["households_total"] == len(unlocated[1]) - 1  # one desil-2 row is filtered out
    assert sum(routed.values()) + sum(unserved.values()) == data["households_total"]


def test_rows_that_cannot_be_placed_are_unserved_for_no_location(
    unlocated_plan_json: dict[str, Any],
) -> None:
    unserved = {u["household_id"]: u for u in unlocated_plan_json["unserved"]}
    assert {hid: unserved[hid]["reason_code"] for hid in NOT_PLACED} == dict.fromkeys(
        NOT_PLACED, "no_location"
    )


# --------------------------------------------------------------------------- 3. NIK and KK


def test_nik_and_kk_appear_in_no_output(
    variants: dict[str, Path], plan_of: Callable[[str], Plan], tmp_path: Path
) -> None:
    write_outputs(plan_of("xlsx"), tmp_path)
    numbers = [str(f(i)).encode() for i in range(len(CLEAN)) for f in (nik_of, kk_of)]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"plan.json", "routes.csv", "unserved.csv", "map.html"}
    for path in files:
        content = path.read_bytes()
        found = [n.decode() for n in numbers if n in content]
        assert not found, f"{path.name} holds {found}"
    # Nor are they kept in the scenario the pipeline passes on.
    kept = load_scenario(variants["xlsx"]).model_dump_json().encode()
    assert not [n for n in numbers if n in kept]


@pytest.mark.parametrize(
    ("column", "label"),
    [("NIK", "NIK"), ("No KK", "KK number")],
)
def test_same_identity_number_under_two_ids_rejects_both(
    scenario_dir: Path, column: str, label: str
) -> None:
    rows = register_rows()
    shared = nik_of(99) if column == "NIK" else kk_of(99)
    index = ID_HEADERS.index(column)
    rows[1][index] = shared  # HH-01, data row 2
    rows[5][index] = shared  # HH-05, data row 6
    write_workbook(scenario_dir / "dtsen.xlsx", [("DTSEN", [ID_HEADERS, *rows])])
    scenario = load_scenario(point_scenario_to(scenario_dir, "dtsen.xlsx"))
    field = "nik" if column == "NIK" else "no_kk"
    rejected = {r.household_id: r for r in scenario.rejected}
    assert sorted(rejected) == ["HH-01", "HH-05"]
    assert (rejected["HH-01"].row, rejected["HH-05"].row) == (2, 6)
    assert {r.field for r in rejected.values()} == {field}
    assert f"the same {label} is also on row(s) 6 (HH-05)" in rejected["HH-01"].reason
    assert f"the same {label} is also on row(s) 2 (HH-01)" in rejected["HH-05"].reason
    assert all(str(shared) not in r.reason for r in rejected.values())
    assert len(scenario.households) == 9


def test_same_nik_under_one_id_is_only_the_duplicate_id(scenario_dir: Path) -> None:
    rows = register_rows()
    rows.append(list(rows[1]))  # HH-01 again, same NIK: one duplicate household, not two
    write_workbook(scenario_dir / "dtsen.xlsx", [("DTSEN", [ID_HEADERS, *rows])])
    scenario = load_scenario(point_scenario_to(scenario_dir, "dtsen.xlsx"))
    assert [(r.row, r.household_id, r.field) for r in scenario.rejected] == [
        (2, "HH-01", "household_id"),
        (13, "HH-01", "household_id"),
    ]


# --------------------------------------------------------------------------- 4. bad dialects


def test_header_with_as_many_commas_as_semicolons_is_refused(scenario_dir: Path) -> None:
    (scenario_dir / "mixed.csv").write_text(
        "household_id;desil;desa_code,lat,lon\nHH-00;1;35.10.14.2010,-8.26,114.3418175\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError,
        match=r"mixed\.csv: cannot tell the column separator: the header has as many comma and "
        r"semicolon characters \(2 each\)",
    ):
        load_scenario(point_scenario_to(scenario_dir, "mixed.csv"))


def _with_raw_line(scenario_dir: Path, hid: str, column: str, value: str) -> Path:
    """The clean CSV with ``value`` written unquoted into one cell of row ``hid``."""
    header = list(CLEAN[0])
    lines = [",".join(header)]
    for row in CLEAN:
        cells = [row[k] for k in header]
        if row["household_id"] == hid:
            cells[header.index(column)] = value
        lines.append(",".join(cells))
    (scenario_dir / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return point_scenario_to(scenario_dir, "register.csv")


@pytest.mark.parametrize(
    ("hid", "column", "value"),
    [
        pytest.param("HH-03", "notes", "pagar hijau, dekat masjid", id="after-desil"),
        pytest.param("HH-03", "address", "Jl. Mawar, RT 001", id="before-desil"),
    ],
)
def test_row_with_an_unquoted_separator_is_rejected_for_its_shape(
    scenario_dir: Path, hid: str, column: str, value: str
) -> None:
    scenario = load_scenario(_with_raw_line(scenario_dir, hid, column, value))
    assert len(scenario.households) + len(scenario.rejected) + scenario.excluded_by_filter == 12
    (rejected,) = scenario.rejected
    assert (rejected.row, rejected.household_id, rejected.field) == (4, hid, "row")
    assert "the row has 19 cells but the header names 18 columns" in rejected.reason
    assert "put that value in double quotes" in rejected.reason
    assert hid not in {h.household_id for h in scenario.households}
    assert scenario.excluded_by_filter == 1


def test_shifted_row_is_not_taken_for_another_desil(scenario_dir: Path) -> None:
    # The export lists packages before desil; HH-02 (2 packages) has a comma in its address.
    header = ["household_id", "address", "desa_code", "lat", "lon", "packages", "desil"]
    lines = [",".join(header)]
    for row in CLEAN:
        cells = [row[k] for k in header]
        if row["household_id"] == "HH-02":
            cells[1] = "Jl. Mawar, RT 001"
        lines.append(",".join(cells))
    (scenario_dir / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = load_scenario(point_scenario_to(scenario_dir, "register.csv"))
    assert [(r.household_id, r.field) for r in scenario.rejected] == [("HH-02", "row")]
    assert scenario.excluded_by_filter == 1


def test_workbook_value_right_of_the_header_rejects_the_row(scenario_dir: Path) -> None:
    rows = register_rows()
    rows[3].append("lihat catatan")  # HH-03, data row 4: a cell under no header
    write_workbook(scenario_dir / "dtsen.xlsx", [("DTSEN", [ID_HEADERS, *rows])])
    scenario = load_scenario(point_scenario_to(scenario_dir, "dtsen.xlsx"))
    assert [(r.row, r.household_id, r.field) for r in scenario.rejected] == [(4, "HH-03", "row")]
    assert "a value in a column without a header" in scenario.rejected[0].reason
    assert len(scenario.households) == 10


def _renamed_header_csv(scenario_dir: Path) -> Path:
    header = ["household_id", "Nama Penerima", "desa_code", "lat", "lon", "desil", "packages"]
    rows = [
        [
            r["household_id"],
            r["head_name"].replace("Kepala", "Ibu"),
            *(r[k] for k in ("desa_code", "lat", "lon", "desil", "packages")),
        ]
        for r in CLEAN
    ]
    return write_text_table(scenario_dir / "register.csv", header, rows)


def test_unrecognised_header_is_ignored_and_recorded(scenario_dir: Path) -> None:
    _renamed_header_csv(scenario_dir)
    scenario = load_scenario(point_scenario_to(scenario_dir, "register.csv"))
    assert {h.head_name for h in scenario.households} == {""}
    (use,) = [c for c in scenario.columns if c.input == "households"]
    assert use.ignored == ("Nama Penerima",)


def test_inputs_columns_maps_a_custom_header(scenario_dir: Path) -> None:
    _renamed_header_csv(scenario_dir)
    toml = point_scenario_to(scenario_dir, "register.csv", columns={"head_name": "Nama Penerima"})
    scenario = load_scenario(toml)
    assert [h.head_name for h in scenario.households][:2] == ["Ibu HH-00", "Ibu HH-01"]
    (use,) = [c for c in scenario.columns if c.input == "households"]
    assert ("head_name", "Nama Penerima") in use.mapping
    assert use.ignored == ()


def test_inputs_columns_with_an_unknown_product_column(scenario_dir: Path) -> None:
    _renamed_header_csv(scenario_dir)
    toml = point_scenario_to(scenario_dir, "register.csv", columns={"penerima": "Nama Penerima"})
    with pytest.raises(
        ScenarioError,
        match=r"field 'inputs\.columns\.penerima': 'penerima' is not a column the planner reads; "
        r"valid: .*\bhead_name\b.*\bhousehold_id\b",
    ):
        load_scenario(toml)


def test_inputs_columns_with_a_header_no_file_has(scenario_dir: Path) -> None:
    _renamed_header_csv(scenario_dir)
    toml = point_scenario_to(scenario_dir, "register.csv", columns={"head_name": "Nama Pemilik"})
    with pytest.raises(
        ScenarioError,
        match=r"field 'inputs\.columns\.head_name': no input file has a column 'Nama Pemilik'; "
        r"the headers are households: household_id, Nama Penerima",
    ):
        load_scenario(toml)


def test_old_excel_workbook_is_refused_with_the_fix(scenario_dir: Path) -> None:
    # The OLE2 signature that starts every .xls file.
    (scenario_dir / "dtsen.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    with pytest.raises(
        ScenarioError,
        match=r"dtsen\.xls: old Excel 97-2003 workbooks \(\.xls\) are not read; open it in Excel "
        r"or LibreOffice and save it as \.xlsx",
    ):
        load_scenario(point_scenario_to(scenario_dir, "dtsen.xls"))


# --------------------------------------------------------------------------- 5. desa


def test_desa_by_name_and_kecamatan_gives_the_same_codes(
    scenario_dir: Path, tiny_scenario: Scenario
) -> None:
    header = ("ID Keluarga", "Desa/Kelurahan", "Kecamatan", "Latitude", "Longitude", "Desil")
    header += ("Jumlah Paket", "Jam Mulai", "Jam Selesai")
    rows = [
        [
            r["household_id"],
            r["desa_name"].upper(),
            r["kecamatan"].lower(),
            *(r[k] for k in ("lat", "lon", "desil", "packages", "window_start", "window_end")),
        ]
        for r in CLEAN
    ]
    write_text_table(scenario_dir / "register.csv", header, rows)
    scenario = load_scenario(point_scenario_to(scenario_dir, "register.csv"))
    assert summary(scenario.households) == summary(tiny_scenario.households)
    assert {h.desa_code for h in scenario.households} == {"35.10.14.2010", "35.10.14.2015"}
    assert [h.desa_name for h in scenario.households] == [
        h.desa_name for h in tiny_scenario.households
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx-number"])
def test_ten_digit_desa_code_without_dots(
    scenario_dir: Path, tiny_scenario: Scenario, kind: str
) -> None:
    plain = [{**r, "desa_code": r["desa_code"].replace(".", "")} for r in CLEAN]
    assert plain[0]["desa_code"] == "3510142010"
    if kind == "csv":
        header = tuple(CLEAN[0])
        write_text_table(
            scenario_dir / "register.csv", header, [[r[k] for k in header] for r in plain]
        )
        toml = point_scenario_to(scenario_dir, "register.csv")
    else:
        rows = register_rows(plain)
        index = ID_HEADERS.index("Kode Desa")
        for row in rows:
            row[index] = int(str(row[index]))
        write_workbook(scenario_dir / "register.xlsx", [("DTSEN", [ID_HEADERS, *rows])])
        toml = point_scenario_to(scenario_dir, "register.xlsx")
    scenario = load_scenario(toml)
    assert summary(scenario.households) == summary(tiny_scenario.households)
    assert scenario.rejected == ()
