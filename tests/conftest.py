"""Shared fixtures: the tiny scenario on a 4 x 4 grid (see tests/make_fixtures.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from optimizer.areas import Boundaries, load_boundaries
from optimizer.plan import Plan
from optimizer.scenario import Scenario, load_scenario

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=25)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def boundaries() -> Boundaries:
    """The bundled real boundaries (loaded once)."""
    return load_boundaries()


@pytest.fixture(scope="session")
def tiny_scenario() -> Scenario:
    """The tiny scenario: 12 rows, 11 desil-1, one depot on node 0, a car and a motorbike."""
    return load_scenario(GOOD / "tiny.toml")


@pytest.fixture(scope="session")
def tiny_plan() -> Plan:
    """The tiny scenario planned once (frozen, safe to share)."""
    from optimizer.api import plan_scenario

    return plan_scenario(GOOD / "tiny.toml")


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A writable copy of the tiny scenario folder, for tests that change a file."""
    target = tmp_path / "scenario"
    shutil.copytree(GOOD, target)
    return target
