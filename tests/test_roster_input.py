"""A roster of ASN/PPPK instead of a teams file: ``[inputs] roster``, its rows and its errors.

Small rosters are written next to a copy of the tiny scenario; the shipped demo roster
(``scenarios/data/banyuwangi/asn.csv``) is checked against the default scenario's vehicles.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from helpers import DESA_CODE, write_csv
from openpyxl import Workbook

from optimizer.areas import Boundaries
from optimizer.errors import Issue, ScenarioError
from optimizer.scenario import Person, Scenario, load_scenario
from optimizer.scenario.columns import ROSTER_COLUMNS, map_columns
from optimizer.scenario.readers import read_table
from optimizer.scenario.regency import Regency
from optimizer.scenario.roster import RosterRules, parse_roster
from optimizer.scenario.schema import read_scenario_file

REPO = Path(__file__).resolve().parent.parent
DEMO_ROSTER = REPO / "scenarios" / "data" / "banyuwangi" / "asn.csv"
DEFAULT_SCENARIO = REPO / "scenarios" / "banyuwangi.toml"
#: A home in the test desa (Dadapan, kecamatan Kabat).
HOME = ("-8.2600000", "114.3400000")
COLUMNS = ("asn_id", "name", "unit", "status", "home_lat", "home_lon", "vehicle", "available")


def person(asn_id: str, **extra: object) -> dict[str, object]:
    """A valid roster row living in the test desa."""
    row: dict[str, object] = {
        "asn_id": asn_id,
        "name": f"Pegawai {asn_id[-3:]}",
        "unit": "Dinas Sosial",
        "status": "ASN",
        "home_lat": HOME[0],
        "home_lon": HOME[1],
        "vehicle": "motorbike",
        "available": "yes",
    }
    row.update(extra)
    return row


def _use_roster(scenario_dir: Path, *, extra_toml: str = "") -> Path:
    """Point the tiny scenario at ``asn.csv`` instead of its teams file."""
    path = scenario_dir / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    assert 'teams = "teams.csv"' in text
    text = text.replace('teams = "teams.csv"', 'roster = "asn.csv"')
    path.write_text(text + extra_toml, encoding="utf-8")
    return path


def _load_with(
    scenario_dir: Path, rows: list[dict[str, object]], columns: tuple[str, ...] = COLUMNS
) -> list[Person]:
    write_csv(scenario_dir / "asn.csv", columns, rows)
    return list(load_scenario(_use_roster(scenario_dir)).people)


def test_roster_rows_become_people_in_file_order(scenario_dir: Path) -> None:
    rows = [
        person("198503122010011003", status="asn", vehicle="Sepeda  Motor", available="Ya"),
        person("198807242021212005", status="pppk", vehicle="mobil", available="tidak"),
        person("197001011995031001", vehicle="tidak ada", available="1"),
        person("197105051996032002", vehicle="-", available="Y"),
        person("197206061997031003", vehicle="Car", available="false"),
        person("197307071998032004", vehicle="pickup", available="n"),
    ]
    write_csv(scenario_dir / "asn.csv", COLUMNS, rows)
    scenario = load_scenario(_use_roster(scenario_dir))
    assert scenario.teams == ()
    assert scenario.roster_source == "asn.csv"
    assert [p.asn_id for p in scenario.people] == [str(r["asn_id"]) for r in rows]
    assert [p.status for p in scenario.people] == ["ASN", "PPPK", "ASN", "ASN", "ASN", "ASN"]
    assert [p.vehicle for p in scenario.people] == [
        "motorbike",
        "car",
        None,
        None,
        "car",
        "pickup",
    ]
    assert [p.available for p in scenario.people] == [True, False, True, True, False, False]
    first = scenario.people[0]
    assert (first.row, first.home, first.home_desa_code) == (1, "register", "")
    assert (first.lat, first.lon) == (-8.26, 114.34)
    assert first.unit == "Dinas Sosial"
    assert "roster" in {use.input for use in scenario.columns}


def test_unavailable_people_are_kept(scenario_dir: Path) -> None:
    people = _load_with(
        scenario_dir, [person("100", available="no"), person("101", available="tidak")]
    )
    assert [(p.asn_id, p.available) for p in people] == [("100", False), ("101", False)]


def test_indonesian_headers_and_desa_centre_homes(
    scenario_dir: Path, boundaries: Boundaries
) -> None:
    headers = (
        "NIP",
        "Nama",
        "Unit Kerja",
        "Status Kepegawaian",
        "Lintang Rumah",
        "Bujur Rumah",
        "Kode Desa Rumah",
        "Kendaraan",
        "Tersedia",
    )
    (scenario_dir / "asn.csv").write_text(
        ",".join(headers) + "\n"
        f"198503122010011003,Siti Aminah,Dinas Sosial,ASN,{HOME[0]},{HOME[1]},,motor,ya\n"
        "198807242021212005,Budi Santoso,Kecamatan Kabat,PPPK,,,3510142010,tidak ada,tidak\n",
        encoding="utf-8",
    )
    first, second = load_scenario(_use_roster(scenario_dir)).people
    assert (first.name, first.unit, first.vehicle, first.home) == (
        "Siti Aminah",
        "Dinas Sosial",
        "motorbike",
        "register",
    )
    desa = boundaries.desa_by_code(DESA_CODE)
    assert desa is not None
    centre = desa.geometry.representative_point()
    assert second.home == "desa centre"
    assert second.home_desa_code == DESA_CODE
    assert (second.lat, second.lon) == (centre.y, centre.x)
    assert (second.status, second.vehicle, second.available) == ("PPPK", None, False)


def test_roster_from_excel_with_only_desa_codes(scenario_dir: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["NIP ASN", "Nama", "OPD", "Status", "Kode Desa Rumah", "Kendaraan", "Hadir"])
    sheet.append(["198503122010011003", "Siti Aminah", "Dinas Kesehatan", "ASN", DESA_CODE])
    sheet["F2"], sheet["G2"] = "Mobil", "YES"
    book.save(scenario_dir / "asn.xlsx")
    path = _use_roster(scenario_dir)
    path.write_text(path.read_text(encoding="utf-8").replace("asn.csv", "asn.xlsx"))
    (only,) = load_scenario(path).people
    assert (only.asn_id, only.unit, only.vehicle, only.home) == (
        "198503122010011003",
        "Dinas Kesehatan",
        "car",
        "desa centre",
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"status": "Honorer"}, "status", r"status 'Honorer' is not ASN or PPPK"),
        (
            {"vehicle": "sepeda"},
            "vehicle",
            r"'sepeda' is not a vehicle type of the scenario; write car, motorbike, pickup or none",
        ),
        ({"vehicle": ""}, "vehicle", r"empty; write car, motorbike, pickup or none"),
        ({"available": "mungkin"}, "available", r"'mungkin' is not yes or no; write yes \(ya\)"),
        ({"unit": " "}, "unit", r"empty; write the person's office \(OPD\)"),
        ({"name": ""}, "name", r"empty; write the person's name"),
        ({"asn_id": ""}, "asn_id", r"empty; give every person an id"),
        (
            {"home_lat": "", "home_lon": ""},
            "home_lat/home_lon",
            r"no home: give home_lat and home_lon, or home_desa_code",
        ),
        ({"home_lon": ""}, "home_lon", r"empty while home_lat is given"),
        (
            {"home_lat": "-8.30", "home_lon": "114.70"},
            "home_lat/home_lon",
            r"\(-8\.30, 114\.70\) lies outside",
        ),
        ({"home_lat": "selatan"}, "home_lat/home_lon", r"'selatan' is not a number"),
    ],
)
def test_bad_value_names_row_field_and_value(
    scenario_dir: Path, change: dict[str, object], field: str, message: str
) -> None:
    rows = [person("100"), {**person("101"), **change}]
    with pytest.raises(ScenarioError, match=rf"asn\.csv row 2, field '{field}': {message}"):
        _load_with(scenario_dir, rows)


def test_unknown_home_desa_code(scenario_dir: Path) -> None:
    rows = [person("100"), person("101", home_lat="", home_lon="", home_desa_code="35.10.99.9999")]
    with pytest.raises(
        ScenarioError,
        match=r"asn\.csv row 2, field 'home_desa_code': unknown desa code '35\.10\.99\.9999'",
    ):
        _load_with(scenario_dir, rows, (*COLUMNS, "home_desa_code"))


def test_every_problem_is_listed_once(scenario_dir: Path) -> None:
    rows = [
        person("100"),
        person("100", status="X", available="?"),
        person("102", vehicle="becak"),
    ]
    with pytest.raises(ScenarioError) as info:
        _load_with(scenario_dir, rows)
    text = str(info.value)
    assert "4 problem(s) in the inputs" in text
    assert "asn.csv row 2, field 'asn_id': '100' repeats row 1; asn_id must be unique" in text
    assert "asn.csv row 2, field 'status': status 'X' is not ASN or PPPK" in text
    assert "asn.csv row 2, field 'available': '?' is not yes or no" in text
    assert "asn.csv row 3, field 'vehicle': 'becak' is not a vehicle type" in text


def test_missing_home_columns_is_a_file_error(scenario_dir: Path) -> None:
    columns = ("asn_id", "name", "unit", "status", "vehicle", "available")
    with pytest.raises(
        ScenarioError, match=r"missing column\(s\) home_lat and home_lon, or home_desa_code"
    ):
        _load_with(scenario_dir, [person("100")], columns)


def test_missing_roster_column_is_a_file_error(scenario_dir: Path) -> None:
    columns = tuple(c for c in COLUMNS if c != "available")
    with pytest.raises(ScenarioError, match=r"asn\.csv.*missing column\(s\) available"):
        _load_with(scenario_dir, [person("100")], columns)


def test_teams_and_roster_both_is_an_error(scenario_dir: Path) -> None:
    path = scenario_dir / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('teams = "teams.csv"', 'teams = "teams.csv"\nroster = "a.csv"'))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "field 'inputs': both teams ('teams.csv') and roster ('a.csv') are set; keep one" in text
    assert "got {" not in text


def test_neither_teams_nor_roster_is_an_error(scenario_dir: Path) -> None:
    path = scenario_dir / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('teams = "teams.csv"\n', ""), encoding="utf-8")
    with pytest.raises(
        ScenarioError, match=r"field 'inputs': no teams: set teams = \"teams\.csv\".*or roster ="
    ):
        load_scenario(path)


def test_roster_of_a_whatif_replaces_the_parents_teams(scenario_dir: Path) -> None:
    write_csv(scenario_dir / "asn.csv", COLUMNS, [person("100")])
    child = scenario_dir / "roster_day.toml"
    child.write_text(
        'extends = "tiny.toml"\n\n[scenario]\nname = "tiny-roster"\n\n'
        '[inputs]\nroster = "asn.csv"\n',
        encoding="utf-8",
    )
    scenario = load_scenario(child)
    assert scenario.teams == ()
    assert [p.asn_id for p in scenario.people] == ["100"]


def test_teams_whatif_with_a_roster_is_an_error(scenario_dir: Path) -> None:
    write_csv(scenario_dir / "asn.csv", COLUMNS, [person("100")])
    path = _use_roster(scenario_dir, extra_toml='\n[teams]\nfraction = 0.5\nvehicle = "car"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "field 'teams.fraction': [teams] fraction applies to a teams file" in text
    assert "field 'teams.vehicle': [teams] vehicle applies to a teams file" in text


def test_fleet_and_continuity_reach_the_scenario(scenario_dir: Path) -> None:
    write_csv(scenario_dir / "asn.csv", COLUMNS, [person("100")])
    (scenario_dir / "last.json").write_text("{}", encoding="utf-8")
    path = _use_roster(
        scenario_dir,
        extra_toml='\n[fleet]\nsize = true\nvehicles = ["motorbike"]\nmeet_before_min = 20\n'
        '\n[continuity]\nprevious_plan = "last.json"\nmax_saving_pct = 7.5\n',
    )
    scenario = load_scenario(path)
    assert scenario.fleet.size
    assert scenario.fleet.vehicles == ("motorbike",)
    assert scenario.fleet.meet_before_min == 20
    assert scenario.fleet.unit_penalty_min == 15.0
    assert scenario.previous_plan == str((scenario_dir / "last.json").resolve())
    assert scenario.max_saving_pct == 7.5


def test_teams_scenario_keeps_the_defaults(tiny_scenario: Scenario) -> None:
    assert tiny_scenario.people == ()
    assert tiny_scenario.roster_source == ""
    assert tiny_scenario.previous_plan is None
    assert not tiny_scenario.fleet.size


def test_missing_previous_plan_and_unknown_fleet_vehicle(scenario_dir: Path) -> None:
    path = scenario_dir / "tiny.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[fleet]\nvehicles = ["boat"]\n\n[continuity]\nprevious_plan = "nope.json"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r"field 'fleet\.vehicles': unknown vehicle type 'boat'; valid: car"
    ):
        load_scenario(path)
    path.write_text(path.read_text(encoding="utf-8").replace('["boat"]', '["car"]'))
    with pytest.raises(
        ScenarioError, match=r"field 'continuity\.previous_plan': file .*nope\.json does not exist"
    ):
        load_scenario(path)


def test_fleet_values_out_of_range(scenario_dir: Path) -> None:
    path = scenario_dir / "tiny.toml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n[fleet]\nmeet_before_min = 500\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"fleet\.meet_before_min.*180.*500"):
        load_scenario(path)


def _demo_rows() -> list[dict[str, str]]:
    with DEMO_ROSTER.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_roster_is_synthetic_and_about_6000_rows() -> None:
    rows = _demo_rows()
    assert 5_500 <= len(rows) <= 6_500
    assert tuple(rows[0]) == ROSTER_COLUMNS
    assert all(row["data_origin"] == "synthetic-demo" for row in rows)
    assert len({row["asn_id"] for row in rows}) == len(rows)
    asn = sum(row["status"] == "ASN" for row in rows) / len(rows)
    motorbike = sum(row["vehicle"] == "motorbike" for row in rows) / len(rows)
    coded = sum(bool(row["home_desa_code"]) for row in rows) / len(rows)
    assert 0.75 < asn < 0.85
    assert 0.57 < motorbike < 0.67
    assert 0.01 < coded < 0.05
    assert all(len(row["asn_id"]) == 18 and row["asn_id"].isdigit() for row in rows)
    assert len({row["unit"] for row in rows}) >= 35


def test_demo_roster_parses_with_the_default_scenarios_vehicles(boundaries: Boundaries) -> None:
    table = read_table(DEMO_ROSTER, label="roster")
    columns = map_columns(table.header, ROSTER_COLUMNS, {})
    rules = RosterRules(
        vehicles=read_scenario_file(DEFAULT_SCENARIO).vehicles, regency=Regency.of(boundaries)
    )
    issues: list[Issue] = []
    people = parse_roster(table, columns, rules, issues)
    assert issues == []
    assert len(people) == len(table.rows)
    desa = boundaries.locate_desa([p.lat for p in people], [p.lon for p in people])
    assert (desa >= 0).all()
    kecamatan = {boundaries.desa[int(i)].parent_code for i in desa}
    assert kecamatan == {k.code for k in boundaries.kecamatan}
    assert 0.03 < sum(not p.available for p in people) / len(people) < 0.07
