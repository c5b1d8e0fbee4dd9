"""What-if scenarios: ``extends`` chains, ``[teams]`` and ``[closures]``, the shipped what-ifs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer import cli
from optimizer.api import plan_scenario
from optimizer.errors import ScenarioError
from optimizer.partition import build_partition
from optimizer.plan import Plan
from optimizer.reasons import UnservedReason
from optimizer.scenario import Scenario, format_merged, load_scenario, read_merged_scenario

WHATIF = Path(__file__).parent.parent / "scenarios" / "whatif"
#: Desa of the tiny scenario: Dadapan has the depot and ten households, Pendarungan one.
DADAPAN = "35.10.14.2010"
PENDARUNGAN = "35.10.14.2015"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _child(scenario_dir: Path, body: str, *, name: str = "child") -> Path:
    """A what-if in a subfolder of the tiny scenario, extending it."""
    return _write(
        scenario_dir / "whatif" / f"{name}.toml",
        f'extends = "../tiny.toml"\n\n[scenario]\nname = "{name}"\n\n{body}',
    )


def _accounted(plan: Plan) -> int:
    served = sum(len(route.stops) for route in plan.routes)
    return served + len(plan.unserved)


def _served(plan: Plan) -> set[str]:
    return {stop.household_id for route in plan.routes for stop in route.stops}


# --- extends ---------------------------------------------------------------------------------


def test_extends_chain_of_two_merges_tables_key_by_key(
    scenario_dir: Path, tiny_scenario: Scenario
) -> None:
    """A grandchild sees the tiny file's tables, its parent's changes and its own."""
    _child(scenario_dir, "[service]\ndoor_min = 2\n\n[filter]\ndesil = [1, 2]\n", name="middle")
    leaf = _write(
        scenario_dir / "whatif" / "deeper" / "leaf.toml",
        'extends = "../middle.toml"\n\n[scenario]\nname = "leaf"\n\n'
        "[service]\nper_extra_package_min = 3\n",
    )
    loaded = load_scenario(leaf)
    assert loaded.name == "leaf"
    assert loaded.title == "Tiny test scenario (synthetic)"  # [scenario] merges key by key
    assert loaded.service.door_min == 2
    assert loaded.service.per_extra_package_min == 3
    assert len(loaded.households) == len(tiny_scenario.households) + 1  # HH-D2 is desil 2
    assert loaded.config.solver.workers == 1  # from tiny.toml
    merged = read_merged_scenario(leaf)
    assert [layer.label for layer in merged.layers] == [
        "leaf.toml",
        "../middle.toml",
        "../../tiny.toml",
    ]


def test_lists_replace_and_vehicle_tables_merge(scenario_dir: Path) -> None:
    """``[filter] desil`` is replaced whole; ``[vehicles.car]`` keeps the keys not given."""
    child = _child(scenario_dir, "[filter]\ndesil = [2]\n\n[vehicles.car]\ncapacity = 7\n")
    loaded = load_scenario(child)
    assert [h.household_id for h in loaded.households] == ["HH-D2"]
    assert loaded.vehicles["car"].capacity == 7
    assert loaded.vehicles["car"].profile == "car"


def test_input_hash_covers_every_file_of_the_chain(scenario_dir: Path) -> None:
    """Editing the parent changes the child's input hash."""
    child = _child(scenario_dir, "")
    before = load_scenario(child).input_hash
    parent = scenario_dir / "tiny.toml"
    parent.write_text(parent.read_text() + "\n# a comment\n", encoding="utf-8")
    assert load_scenario(child).input_hash != before


def test_relative_paths_resolve_from_the_file_that_wrote_them(scenario_dir: Path) -> None:
    """Parent paths count from the parent's folder, the child's from the child's."""
    teams = scenario_dir / "whatif" / "teams_one.csv"
    _write(teams, "team_id,depot_id,vehicle\nT-ONE,D1,car\n")
    child = _child(scenario_dir, '[inputs]\nteams = "teams_one.csv"\n')
    loaded = load_scenario(child)
    assert [t.team_id for t in loaded.teams] == ["T-ONE"]
    assert Path(loaded.road_network) == (scenario_dir / "tiny_network.npz").resolve()
    merged = read_merged_scenario(child)
    assert merged.data["inputs"]["households"] == "../households.csv"
    assert merged.data["inputs"]["teams"] == "teams_one.csv"


def test_cycle_is_refused_naming_the_files(scenario_dir: Path) -> None:
    """a -> b -> a is a cycle; the message lists the chain."""
    _write(scenario_dir / "b.toml", 'extends = "a.toml"\n')
    first = _write(scenario_dir / "a.toml", 'extends = "b.toml"\n')
    with pytest.raises(ScenarioError, match=r"b.toml, field 'extends'.*cycle: a.toml -> b.toml"):
        load_scenario(first)


def test_missing_parent_names_the_file_and_key(scenario_dir: Path) -> None:
    """A parent that does not exist is reported by the file that names it."""
    child = _write(scenario_dir / "child.toml", 'extends = "nowhere.toml"\n')
    with pytest.raises(
        ScenarioError, match=r"child.toml, field 'extends'.*nowhere.toml does not exist"
    ):
        load_scenario(child)


def test_unknown_key_in_a_parent_names_the_parent(scenario_dir: Path) -> None:
    """A misspelt key in the parent is reported in the parent, with the valid keys."""
    parent = scenario_dir / "tiny.toml"
    parent.write_text(parent.read_text() + '\n[day]\nshiftend = "14:00"\n', encoding="utf-8")
    child = _child(scenario_dir, "")
    with pytest.raises(
        ScenarioError,
        match=r"\.\./tiny.toml, field 'day.shiftend': unknown key 'shiftend' in \[day\]; valid "
        r"keys: shift_start",
    ):
        load_scenario(child)


def test_inherited_name_is_refused(scenario_dir: Path) -> None:
    """A what-if without its own name would overwrite the parent's outputs."""
    child = _write(scenario_dir / "child.toml", 'extends = "tiny.toml"\n')
    with pytest.raises(
        ScenarioError, match=r"child.toml, field 'scenario.name': .*keeps its name 'tiny'"
    ):
        load_scenario(child)


def test_bad_value_names_the_file_that_set_it(scenario_dir: Path) -> None:
    """A value out of range is blamed on the file that wrote it."""
    child = _child(scenario_dir, "[teams]\nfraction = 2\n")
    with pytest.raises(ScenarioError, match=r"child.toml, field 'teams.fraction'"):
        load_scenario(child)


def test_format_merged_is_toml_of_the_merged_tables(scenario_dir: Path) -> None:
    """The printed text reads back as the merged tables and names each key's file."""
    child = _child(scenario_dir, "[teams]\nfraction = 0.5\n")
    merged = read_merged_scenario(child)
    text = format_merged(merged)
    assert text.startswith("# child.toml, merged: child.toml -> ../tiny.toml")
    assert tomllib.loads(text) == merged.data
    assert "fraction = 0.5  # child.toml" in text
    assert 'households = "../households.csv"  # ../tiny.toml' in text


def test_check_show_merged_prints_the_merged_keys(scenario_dir: Path, tmp_path: Path) -> None:
    """``berbagi check --show-merged`` prints the chain and the merged keys, then checks."""
    child = _child(scenario_dir, "[teams]\nfraction = 0.5\n")
    result = CliRunner().invoke(
        cli.app, ["check", str(child), "--show-merged", "--report", str(tmp_path / "report")]
    )
    assert result.exit_code == 0, result.output
    assert "merged: child.toml -> ../tiny.toml" in result.output
    assert "[teams]\nfraction = 0.5" in result.output
    assert 'road_network = "../tiny_network.npz"' in result.output
    assert "door_min = 1" in result.output
    assert "1 teams" in result.output


# --- [teams] ---------------------------------------------------------------------------------


def test_fraction_keeps_the_first_team_of_the_depot(
    scenario_dir: Path, tiny_scenario: Scenario
) -> None:
    """Two teams at D1 and fraction 0.5: the first (T-CAR) stays; every household accounted."""
    child = _child(scenario_dir, "[teams]\nfraction = 0.5\n")
    loaded = load_scenario(child)
    assert [t.team_id for t in loaded.teams] == ["T-CAR"]
    assert loaded.households_total == tiny_scenario.households_total
    assert any("fraction = 0.5: 1 of 2 teams" in notice for notice in loaded.notices)
    plan = plan_scenario(child)
    assert {route.team_id for route in plan.routes} <= {"T-CAR"}
    assert _accounted(plan) == plan.households_total == tiny_scenario.households_total


def test_fraction_never_leaves_a_depot_without_a_team(scenario_dir: Path) -> None:
    """A tiny fraction still keeps one team per depot."""
    loaded = load_scenario(_child(scenario_dir, "[teams]\nfraction = 0.01\n"))
    assert [t.team_id for t in loaded.teams] == ["T-CAR"]


def test_vehicle_motorbike_puts_no_car_on_the_road(scenario_dir: Path) -> None:
    """Every team drives a motorbike, with the motorbike's team size."""
    child = _child(scenario_dir, '[teams]\nvehicle = "motorbike"\n')
    loaded = load_scenario(child)
    assert {(t.vehicle, t.members) for t in loaded.teams} == {("motorbike", 2)}
    plan = plan_scenario(child)
    assert plan.routes
    assert {route.vehicle for route in plan.routes} == {"motorbike"}
    assert _accounted(plan) == plan.households_total


def test_unknown_vehicle_lists_the_valid_types(scenario_dir: Path) -> None:
    """A vehicle type that does not exist is refused with the choices."""
    child = _child(scenario_dir, '[teams]\nvehicle = "boat"\n')
    with pytest.raises(
        ScenarioError,
        match=r"child.toml, field 'teams.vehicle': unknown vehicle type 'boat'; valid: car, "
        r"motorbike, pickup",
    ):
        load_scenario(child)


# --- [closures] ------------------------------------------------------------------------------


def test_closed_desa_households_are_unserved_closed_area(scenario_dir: Path) -> None:
    """Closing Dadapan leaves its households unserved with the reason; nothing is lost."""
    child = _child(scenario_dir, f'[closures]\ndesa = ["{DADAPAN}"]\n')
    loaded = load_scenario(child)
    assert loaded.closed_desa == frozenset({DADAPAN})
    plan = plan_scenario(child)
    assert not _served(plan)
    closed = [u for u in plan.unserved if u.code == UnservedReason.CLOSED_AREA]
    dadapan = {h.household_id for h in loaded.households if h.desa_code == DADAPAN}
    assert {u.household_id for u in closed} == dadapan
    assert closed[0].reason == (
        f"desa Dadapan ({DADAPAN}) is closed today ([closures] desa in child.toml)"
    )
    assert _accounted(plan) == plan.households_total


def test_closing_another_desa_leaves_the_plan_as_before(
    scenario_dir: Path, tiny_plan: Plan
) -> None:
    """Closing Pendarungan changes only its household's reason; the served set is the same."""
    child = _child(scenario_dir, f'[closures]\ndesa = ["{PENDARUNGAN}"]\n')
    plan = plan_scenario(child)
    assert _served(plan) == _served(tiny_plan)
    codes = {u.household_id: u.code for u in plan.unserved}
    before = {u.household_id: u.code for u in tiny_plan.unserved}
    assert codes == before | {"HH-NODEPOT": UnservedReason.CLOSED_AREA}


def test_closure_declared_in_a_parent_names_the_parent(scenario_dir: Path) -> None:
    """The reason names the file holding ``[closures] desa``, not the what-if on top."""
    middle = _child(scenario_dir, f'[closures]\ndesa = ["{PENDARUNGAN}"]\n', name="middle")
    leaf = _write(
        middle.parent / "leaf.toml", 'extends = "middle.toml"\n[scenario]\nname = "leaf"\n'
    )
    assert load_scenario(leaf).closed_desa_source == "middle.toml"


def test_unknown_desa_code_says_where_to_find_codes(scenario_dir: Path) -> None:
    """A code that is no desa is refused; a desa name gets its code suggested."""
    child = _child(scenario_dir, '[closures]\ndesa = ["35.10.99.9999", "Dadapan"]\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    message = str(caught.value)
    assert "child.toml, field 'closures.desa': unknown desa code '35.10.99.9999'" in message
    assert "desa_kelurahan_3510_centroids.csv" in message
    assert f"'Dadapan' is a desa name, not a code; write its code: {DADAPAN}" in message


def test_closed_roads_file_is_resolved_and_must_exist(scenario_dir: Path) -> None:
    """``[closures] roads`` becomes an absolute path; a missing file is an error."""
    missing = _child(scenario_dir, '[closures]\nroads = "nothing.geojson"\n')
    with pytest.raises(
        ScenarioError, match=r"child.toml, field 'closures.roads': file .*nothing.geojson does"
    ):
        load_scenario(missing)
    _write(scenario_dir / "whatif" / "closed.geojson", '{"type": "FeatureCollection"}\n')
    child = _child(scenario_dir, '[closures]\nroads = "closed.geojson"\n')
    loaded = load_scenario(child)
    assert loaded.closed_roads == str((scenario_dir / "whatif" / "closed.geojson").resolve())


# --- the shipped what-ifs ----------------------------------------------------------------------


def test_shipped_whatifs_have_distinct_names() -> None:
    """Every what-if extends the default scenario under its own name."""
    names = []
    for path in sorted(WHATIF.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["extends"] == "../banyuwangi.toml"
        names.append(data["scenario"]["name"])
    assert len(names) >= 5
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", sorted(p.name for p in WHATIF.glob("*.toml")))
def test_shipped_whatif_loads(name: str) -> None:
    """Each shipped what-if passes the intake (as ``berbagi check`` does)."""
    loaded = load_scenario(WHATIF / name)
    assert Path(loaded.road_network).is_file()
    assert loaded.households


def test_closed_desa_under_kecamatan_pooling_keeps_the_other_desa(
    tiny_scenario: Scenario,
) -> None:
    """Pooled: closing Pendarungan makes its household closed_area; Dadapan is untouched."""
    pooled = tiny_scenario.model_copy(update={"pooling": "kecamatan"})
    closed = pooled.model_copy(
        update={"closed_desa": frozenset({PENDARUNGAN}), "closed_desa_source": "x.toml"}
    )
    before, after = build_partition(pooled), build_partition(closed)
    assert [o.code for o in before.orphans] == []  # the pooled teams reach Pendarungan
    assert [(o.code, o.reason) for o in after.orphans] == [
        (
            UnservedReason.CLOSED_AREA,
            f"desa Pendarungan ({PENDARUNGAN}) is closed today ([closures] desa in x.toml)",
        )
    ]
    nodepot = next(
        i for i, h in enumerate(tiny_scenario.households) if h.household_id == "HH-NODEPOT"
    )
    assert {h for s in after.subproblems for h in s.households} == {
        h for s in before.subproblems for h in s.households
    } - {nodepot}
    assert after.subproblems[0].teams == before.subproblems[0].teams


def test_kecamatan_pools_split_large_kecamatan_into_neighbouring_desa() -> None:
    """Pooled kecamatan over [pooling] max_households -> pools of whole desa, nothing lost."""
    scenario = load_scenario(WHATIF / "kecamatan_pooling.toml")
    limit = scenario.pool_max_households
    partition = build_partition(scenario)
    households = [h for s in partition.subproblems for h in s.households]
    teams = [t for s in partition.subproblems for t in s.teams]
    assert sorted(households) == sorted(set(households))  # no household twice
    assert len(households) + len(partition.orphans) == len(scenario.households)
    assert sorted(teams) == list(range(len(scenario.teams)))  # every team, once
    pools = [s for s in partition.subproblems if "/" in s.key]
    assert pools, "the default regency has kecamatan above the limit"
    by_kecamatan: dict[str, list[str]] = {}
    for pool in pools:
        kecamatan = pool.key.split("/")[0]
        assert all(code.startswith(kecamatan + ".") for code in pool.group_codes)
        assert pool.teams, f"{pool.key} has no team"
        assert len(pool.households) <= limit or len(pool.group_codes) == 1
        assert pool.team_groups == (None,) * len(pool.teams)  # any team, any desa of the pool
        by_kecamatan.setdefault(kecamatan, []).extend(pool.group_codes)
    for kecamatan, codes in by_kecamatan.items():
        assert len(codes) == len(set(codes))  # a desa is in one pool only
        assert kecamatan not in {s.key for s in partition.subproblems}
        assert sum(1 for h in scenario.households if h.desa_code in codes and h.desil == 1) > limit


def test_a_pool_without_teams_joins_its_neighbour(tiny_scenario: Scenario) -> None:
    """Split so Pendarungan (no depot) would stand alone: it joins the pool with the teams."""
    pooled = tiny_scenario.model_copy(update={"pooling": "kecamatan", "pool_max_households": 1})
    partition = build_partition(pooled)
    assert [o.code for o in partition.orphans] == []
    (only,) = partition.subproblems
    assert only.key.endswith("/01")
    assert PENDARUNGAN in only.group_codes
    assert len(only.group_codes) == 2
    whole = build_partition(tiny_scenario.model_copy(update={"pooling": "kecamatan"}))
    assert sorted(only.households) == sorted(whole.subproblems[0].households)
