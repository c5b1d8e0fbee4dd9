"""The planner as users install it: run-time data comes from the package, not the checkout.

* the base-map data (boundaries, demo network) is found through the package in this editable
  install, and it is the repository's ``maps/``;
* without a scenario argument, away from the repository, ``plan`` and ``check`` say which file
  is missing and how to fix it;
* the wheel, built offline and installed into a fresh virtual environment, plans a scenario of
  this checkout from a folder outside it.

The fresh environment borrows this one's dependencies through a plain path line in a .pth file.
Python adds such a line to sys.path without reading that folder's own .pth files, so this
environment's editable install (a finder that one of those files loads) stays out, and
``optimizer`` is imported from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer import cli
from optimizer.areas import (
    DESA_FILE,
    KABUPATEN_FILE,
    KECAMATAN_FILE,
    bundled_boundaries_dir,
    bundled_demo_network,
)

REPO = Path(__file__).resolve().parents[1]
#: Not part of a source tree (as in .gitignore): version control, environments, build output,
#: caches and generated plans.
NOT_SOURCE = {
    ".git",
    ".venv",
    "build",
    "dist",
    "out",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".bench",
}
BASEMAPS = "optimizer/basemaps/"
SHIPPED_DATA = (
    "__init__.py",
    "README.md",
    "boundaries/LICENSE",
    "boundaries/PROVENANCE.md",
    f"boundaries/{DESA_FILE}",
    f"boundaries/{KECAMATAN_FILE}",
    f"boundaries/{KABUPATEN_FILE}",
    "boundaries/desa_kelurahan_3510_centroids.csv",
    "boundaries/kecamatan_3510_centroids.csv",
    "demo/banyuwangi_demo_network.npz",
)


def _text(output: str) -> str:
    """Command output with rich's line wrapping undone."""
    return " ".join(output.split())


def test_bundled_data_comes_from_the_package() -> None:
    boundaries = bundled_boundaries_dir()
    for name in (DESA_FILE, KECAMATAN_FILE, KABUPATEN_FILE, "LICENSE"):
        assert (boundaries / name).is_file(), name
    network = bundled_demo_network()
    assert network.is_file()
    assert network == cli.DEFAULT_NETWORK
    # The editable install maps the package data onto the repository's maps/ folder.
    assert boundaries.samefile(REPO / "maps" / "boundaries")
    assert network.samefile(REPO / "maps" / "demo" / network.name)


@pytest.mark.parametrize("command", ["plan", "check"])
def test_missing_default_scenario_says_where_and_how_to_fix(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.app, [command])
    assert result.exit_code == 2, result.output
    text = _text(result.output)
    assert "the default scenarios/banyuwangi.toml is not in the current folder" in text
    assert str(tmp_path) in text
    assert "berbagi plan PATH/TO/scenario.toml" in text
    assert "Traceback" not in result.output


def _copy_source(target: Path) -> Path:
    """Copy the checkout's source tree (as ``pip install .`` sees it) away from the checkout.

    Building in a copy keeps setuptools' build/ and .egg-info folders out of the checkout and
    stale files of an earlier build out of the wheel. A file in maps/cache proves that the
    downloads folder does not ship.
    """

    def skipped(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in NOT_SOURCE or n.endswith(".egg-info")}
        if Path(folder) == REPO / "maps":
            skip.add("cache")
        return skip

    source = target / "source"
    shutil.copytree(REPO, source, ignore=skipped)
    (source / "maps" / "cache").mkdir()
    (source / "maps" / "cache" / "downloaded.npz").write_bytes(b"not shipped")
    return source


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command without any PYTHON* variable of this process leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _check(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_plans_from_outside_the_repository(tmp_path: Path) -> None:
    source = _copy_source(tmp_path)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    build = [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    _check(_run([*build, "-w", str(wheels), str(source)], cwd=tmp_path))
    (wheel,) = wheels.glob("berbagi-*.whl")

    # The wheel holds every module of the package, the base-map data and its licence notice.
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert (
            archive.read(f"{BASEMAPS}boundaries/LICENSE")
            == (REPO / "maps" / "boundaries" / "LICENSE").read_bytes()
        )
    modules = {
        p.relative_to(source).as_posix()
        for p in (source / "optimizer").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
    assert {BASEMAPS + name for name in SHIPPED_DATA} <= names
    assert "optimizer/render/assets/leaflet.js" in names
    assert not [n for n in names if n.startswith(BASEMAPS + "cache")]

    # A fresh environment with the wheel; this environment's dependencies, not its install.
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    install = [*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index"]
    _check(_run([*install, str(wheel)], cwd=tmp_path))
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site_packages = Path(_check(_run([str(python), "-c", where], cwd=tmp_path)).strip())
    ours = dict.fromkeys(sysconfig.get_path(kind) for kind in ("purelib", "platlib"))
    # Written after the install, so pip never sees this environment's editable berbagi.
    (site_packages / "_dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")

    work = tmp_path / "work"  # outside the repository, with no scenarios/ or maps/
    work.mkdir()
    probe = (
        "import json, optimizer, optimizer.areas as areas; print(json.dumps([optimizer.__file__,"
        " str(areas.bundled_boundaries_dir()), str(areas.bundled_demo_network())]))"
    )
    found = [Path(p) for p in json.loads(_check(_run([str(python), "-c", probe], cwd=work)))]
    for path in found:
        assert path.is_relative_to(site_packages), path
    assert (found[1] / "LICENSE").is_file()

    out = tmp_path / "out"
    scenario = REPO / "scenarios" / "glagah.toml"
    berbagi = str(bindir / "berbagi")
    _check(_run([berbagi, "plan", str(scenario), "--out", str(out), "--quick", "--quiet"], work))
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    visited = [stop["household_id"] for route in plan["routes"] for stop in route["stops"]]
    assert plan["households_total"] > 0
    assert len(visited) == len(set(visited))
    assert len(visited) + len(plan["unserved"]) == plan["households_total"]
    assert plan["synthetic_data"] is True
    assert sorted(p.name for p in work.iterdir()) == []  # nothing written to the folder
