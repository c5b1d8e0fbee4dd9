"""The plan archive: the whole Plan and its streets written to a plan folder and read back."""

from __future__ import annotations

import dataclasses
import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import GOOD
from helpers import grid_point, household, write_csv
from hypothesis import given
from hypothesis import strategies as st

from optimizer.api import plan_scenario, plan_with_streets, write_outputs
from optimizer.archive import (
    ARCHIVE_FORMAT,
    PLAN_FILE,
    STREETS_FILE,
    plan_bounds,
    read_plan_archive,
    streets_for_plan,
    write_plan_archive,
)
from optimizer.errors import PlanArchiveError, PlannerError
from optimizer.geometry import RANK_LOCAL, Streets, build_streets
from optimizer.plan import Plan
from optimizer.render.report import write_plan_json
from optimizer.roadgraph import load_road_graph
from optimizer.scenario import HOUSEHOLD_COLUMNS
from optimizer.units import haversine_m


@pytest.fixture(scope="module")
def tiny_streets() -> Streets:
    """Every street of the tiny scenario's 4 x 4 grid."""
    return build_streets(load_road_graph(GOOD / "tiny_network.npz"))


def _archive(plan: Plan, streets: Streets, folder: Path) -> tuple[Plan, Streets]:
    write_plan_archive(plan, streets, folder)
    return read_plan_archive(folder)


# ----------------------------------------------------------------------------- round trips


def test_the_tiny_plan_comes_back_whole(
    tiny_plan: Plan, tiny_streets: Streets, tmp_path: Path
) -> None:
    written = write_plan_archive(tiny_plan, tiny_streets, tmp_path)
    assert [p.name for p in written] == [PLAN_FILE, STREETS_FILE]
    plan, streets = read_plan_archive(tmp_path)
    assert (plan, streets) == (tiny_plan, streets_for_plan(tiny_plan, tiny_streets))
    assert plan.stats is None  # the run's statistics are not part of the plan
    assert plan.routes[0].stops[0].head_name == tiny_plan.routes[0].stops[0].head_name
    assert plan.routes[0].legs == tiny_plan.routes[0].legs
    assert plan.meta == tiny_plan.meta
    assert list(plan.meta) == list(tiny_plan.meta)  # order kept: plan.json stays the same
    assert plan.render == tiny_plan.render
    assert plan.routes[0].stops[0].window_start_s is None  # an open door stays open
    assert plan.unserved == tiny_plan.unserved


def test_the_archive_is_the_same_bytes_every_time(
    tiny_plan: Plan, tiny_streets: Streets, tmp_path: Path
) -> None:
    first = write_plan_archive(tiny_plan, tiny_streets, tmp_path / "a")
    plan, streets = read_plan_archive(tmp_path / "a")
    again = write_plan_archive(plan, streets, tmp_path / "b")
    for one, other in zip(first, again, strict=True):
        assert one.read_bytes() == other.read_bytes()
    raw = first[0].read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # no time in the gzip header
    document = json.loads(gzip.decompress(raw))
    assert list(document) == ["format", "plan"]
    assert document["format"] == ARCHIVE_FORMAT
    assert list(document["plan"]) == sorted(document["plan"])
    assert "stats" not in document["plan"]


def _with_reloads(folder: Path) -> Path:
    (folder / "teams.csv").write_text("team_id,depot_id,vehicle\nT-CAR,D1,car\n", encoding="utf-8")
    path = folder / "tiny.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n[vehicles.car]\ncapacity = 3\nreload_min = 5\n", encoding="utf-8")
    return path


def _with_break(folder: Path) -> Path:
    # A door open only 11:45-11:50 and one from 13:30: the team breaks between them.
    rows = [
        household("NOON", *grid_point(1, 1), window_start="11:45", window_end="11:50"),
        household("LATE", *grid_point(3, 3), window_start="13:30", window_end="14:00"),
    ]
    write_csv(folder / "households.csv", HOUSEHOLD_COLUMNS, rows)
    (folder / "teams.csv").write_text("team_id,depot_id,vehicle\nT-CAR,D1,car\n", encoding="utf-8")
    return folder / "tiny.toml"


@pytest.mark.parametrize("case", ["reloads", "break"])
def test_reloads_and_breaks_come_back(scenario_dir: Path, tmp_path: Path, case: str) -> None:
    path = _with_reloads(scenario_dir) if case == "reloads" else _with_break(scenario_dir)
    result = plan_with_streets(path)
    if case == "reloads":
        assert sum(len(r.reloads) for r in result.plan.routes) >= 2
    else:
        assert any(r.break_ is not None for r in result.plan.routes)
    written = write_outputs(result.plan, tmp_path / "plan", streets=result.streets)
    assert {PLAN_FILE, STREETS_FILE} <= {p.name for p in written}
    plan, streets = read_plan_archive(tmp_path / "plan")
    assert (plan, streets) == (result.plan, result.streets)
    # Documents made later from the folder alone are the same as those made with the plan.
    again = write_outputs(plan, tmp_path / "again")
    for name in ("plan.json", "routes.csv", "unserved.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "plan" / name).read_bytes()
    assert PLAN_FILE not in {p.name for p in again}  # no streets given: no archive


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    name=st.text(max_size=20),
    lat=st.floats(min_value=-90, max_value=90),
    window=st.one_of(st.none(), st.integers(0, 86_400)),
    extra=_JSON_VALUES,
)
def test_any_text_number_and_meta_come_back(
    tiny_plan: Plan, tiny_streets: Streets, name: str, lat: float, window: int | None, extra: Any
) -> None:
    route = tiny_plan.routes[0]
    stop = dataclasses.replace(route.stops[0], head_name=name, lat=lat, window_end_s=window)
    changed = dataclasses.replace(
        tiny_plan,
        routes=(dataclasses.replace(route, stops=(stop, *route.stops[1:])), *tiny_plan.routes[1:]),
        meta={**tiny_plan.meta, "extra": extra},
        warnings=(*tiny_plan.warnings, name),
    )
    with tempfile.TemporaryDirectory() as folder:
        plan, _ = _archive(changed, tiny_streets, Path(folder))
    assert plan == changed


def test_plan_with_streets_gives_the_plan_and_its_streets(
    tiny_plan: Plan, tiny_streets: Streets
) -> None:
    result = plan_with_streets(GOOD / "tiny.toml")
    assert result.plan == tiny_plan == plan_scenario(GOOD / "tiny.toml")
    assert result.streets == streets_for_plan(tiny_plan, tiny_streets)
    assert streets_for_plan(result.plan, result.streets) == result.streets
    assert result.plan.stats is not None
    assert {"geometry", "assemble plan", "streets"} <= set(result.plan.stats.stage_seconds)


def test_write_outputs_writes_the_archive_and_field_pack_only_with_streets(
    tiny_plan: Plan, tiny_streets: Streets, tmp_path: Path
) -> None:
    plain = {
        p.relative_to(tmp_path / "plain").as_posix()
        for p in write_outputs(tiny_plan, tmp_path / "plain")
    }
    assert not {PLAN_FILE, STREETS_FILE} & plain
    written = write_outputs(tiny_plan, tmp_path / "full", streets=tiny_streets, workers=1)
    full = {p.relative_to(tmp_path / "full").as_posix() for p in written}
    pack = {f"teams/{t}.{kind}" for t in ("T-CAR", "T-MOTO") for kind in ("pdf", "html")}
    assert full == plain | {PLAN_FILE, STREETS_FILE} | pack | {"desa/35.10.14.2010.pdf"}


def test_sheets_are_made_again_from_the_plan_folder(
    tiny_plan: Plan, tiny_streets: Streets, tmp_path: Path
) -> None:
    from optimizer.api import write_sheets_from_folder

    first = write_outputs(tiny_plan, tmp_path / "plan", streets=tiny_streets, workers=1)
    again = write_sheets_from_folder(tmp_path / "plan", out=tmp_path / "again", workers=1)
    assert {p.relative_to(tmp_path / "again") for p in again} == {
        p.relative_to(tmp_path / "plan") for p in first if p.parent.name in ("teams", "desa")
    }
    for path in again:
        original = tmp_path / "plan" / path.relative_to(tmp_path / "again")
        assert path.read_bytes() == original.read_bytes(), path.name


# ----------------------------------------------------------------------------- streets kept


def _line_north_of(plan: Plan, metres: float) -> tuple[list[float], list[float]]:
    bounds = plan_bounds(plan)
    assert bounds is not None
    lat = bounds.north + np.degrees(metres / 6_371_008.8)
    return [lat, lat], [bounds.west, bounds.east]


def test_streets_within_two_km_of_the_plan_are_kept(tiny_plan: Plan) -> None:
    lines = [_line_north_of(tiny_plan, m) for m in (0.0, 1_900.0, 2_100.0)]
    streets = Streets(
        offsets=np.array([0, 2, 4, 6], dtype=np.int64),
        lat=np.array([x for la, _ in lines for x in la]),
        lon=np.array([x for _, lo in lines for x in lo]),
        rank=np.full(3, RANK_LOCAL, dtype=np.int8),
        synthetic=True,
        attribution="test",
    )
    kept = streets_for_plan(tiny_plan, streets)
    assert kept.n_lines == 2
    assert kept.lat.tolist() == streets.lat[:4].tolist()
    bounds = plan_bounds(tiny_plan)
    assert bounds is not None
    assert float(haversine_m(bounds.north, bounds.west, kept.lat[-1], bounds.west)) < 2000.0


def test_a_plan_with_nothing_to_draw_keeps_no_street(
    tiny_plan: Plan, tiny_streets: Streets
) -> None:
    nothing = dataclasses.replace(tiny_plan, routes=(), depots=(), unserved=())
    assert plan_bounds(nothing) is not None  # the area outlines
    assert streets_for_plan(nothing, tiny_streets).n_lines == tiny_streets.n_lines
    empty = dataclasses.replace(nothing, areas=())
    assert plan_bounds(empty) is None
    assert streets_for_plan(empty, tiny_streets).n_lines == 0


# ----------------------------------------------------------------------------- bad archives


def _document(folder: Path) -> dict[str, Any]:
    return json.loads(gzip.decompress((folder / PLAN_FILE).read_bytes()))


def _rewrite(folder: Path, document: object) -> None:
    (folder / PLAN_FILE).write_bytes(gzip.compress(json.dumps(document).encode(), mtime=0))


@pytest.fixture
def archived(tiny_plan: Plan, tiny_streets: Streets, tmp_path: Path) -> Path:
    """A folder holding the tiny plan's archive, to be damaged by the test."""
    write_plan_archive(tiny_plan, tiny_streets, tmp_path)
    return tmp_path


def test_a_folder_without_archive_says_to_plan_again(tmp_path: Path) -> None:
    with pytest.raises(PlanArchiveError, match=r"plan-full\.json\.gz: not found.*berbagi plan"):
        read_plan_archive(tmp_path)


def test_a_damaged_file_is_named(archived: Path) -> None:
    (archived / PLAN_FILE).write_bytes(b"not a gzip file")
    with pytest.raises(PlanArchiveError, match=r"plan-full\.json\.gz: not a readable plan archive"):
        read_plan_archive(archived)
    (archived / PLAN_FILE).write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(PlanArchiveError, match=r"not a readable plan archive.*berbagi plan"):
        read_plan_archive(archived)


def test_plan_json_is_not_an_archive(tiny_plan: Plan, archived: Path) -> None:
    plan_json = write_plan_json(tiny_plan, archived / "plan.json")
    (archived / PLAN_FILE).write_bytes(gzip.compress(plan_json.read_bytes()))
    with pytest.raises(
        PlanArchiveError, match=r"format 'berbagi-plan-1', but this version of berbagi reads"
    ):
        read_plan_archive(archived)


@pytest.mark.parametrize("document", [{"plan": {}}, [1, 2], "text"])
def test_a_foreign_file_is_refused(archived: Path, document: object) -> None:
    _rewrite(archived, document)
    with pytest.raises(PlanArchiveError, match=r"no 'format' key.*berbagi plan SCENARIO"):
        read_plan_archive(archived)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["plan"]["routes"][0]["stops"][0].update(lat="south"),
            r"plan\.routes\[0\]\.stops\[0\]\.lat should be a number, found \"south\"",
        ),
        (
            lambda d: d["plan"]["routes"][0].update(members=True),
            r"plan\.routes\[0\]\.members should be a whole number",
        ),
        (
            lambda d: d["plan"]["unserved"][0].update(code="lost"),
            r"plan\.unserved\[0\]\.code should be one of invalid_data, .*found 'lost'",
        ),
        (lambda d: d["plan"].update(colour="red"), r"plan has unknown field\(s\) colour"),
        (lambda d: d["plan"].pop("kpis"), r"plan lacks the field 'kpis'"),
        (lambda d: d["plan"].update(routes={}), r"plan\.routes should be an array"),
        (lambda d: d["plan"].update(title=None), r"plan\.title should be a string"),
        (lambda d: d["plan"].update(date=7), r"plan\.date should be a string"),
        (
            lambda d: d["plan"]["render"].update(language="fr"),
            r"plan\.render holds invalid settings",
        ),
        (lambda d: d.update(extra=1), r"the archive has unknown field\(s\) extra"),
    ],
)
def test_a_damaged_plan_names_the_value(archived: Path, change: Any, message: str) -> None:
    document = _document(archived)
    change(document)
    _rewrite(archived, document)
    with pytest.raises(PlanArchiveError, match=message) as caught:
        read_plan_archive(archived)
    assert str(archived / PLAN_FILE) in str(caught.value)
    assert "berbagi plan SCENARIO --out FOLDER" in str(caught.value)


def test_missing_or_damaged_streets_are_named(archived: Path) -> None:
    streets = archived / STREETS_FILE
    data = dict(np.load(streets))
    streets.unlink()
    with pytest.raises(PlanArchiveError, match=r"streets\.npz: not found.*berbagi plan"):
        read_plan_archive(archived)
    streets.write_bytes(b"garbage")
    with pytest.raises(PlanArchiveError, match=r"streets\.npz: not a readable streets file"):
        read_plan_archive(archived)
    np.savez(streets, **{k: v for k, v in data.items() if k != "rank"})
    with pytest.raises(PlanArchiveError, match=r"streets\.npz: not a readable streets file"):
        read_plan_archive(archived)
    np.savez(streets, **{**data, "offsets": data["offsets"][:-1]})
    with pytest.raises(PlanArchiveError, match=r"streets\.npz: damaged streets file"):
        read_plan_archive(archived)


def test_the_archive_error_is_an_input_error() -> None:
    assert issubclass(PlanArchiveError, PlannerError)
    assert issubclass(PlanArchiveError, ValueError)
