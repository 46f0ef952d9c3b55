"""PCS releases built from the tiny fixtures (two fiscal years) and from ../shared/data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.pcs.build import setup_pcs
from medcoder.codesets.pcs.store import PcsRegistry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "icd10pcs"


@pytest.fixture(scope="session")
def pcs_fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def pcs_fixture_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MEDCODER_HOME with icd10pcs-2025 and icd10pcs-2026 built from the fixtures."""
    home = tmp_path_factory.mktemp("pcs-fixture-home")
    data = tmp_path_factory.mktemp("pcs-fixture-data")
    shutil.copytree(FIXTURES, data / "icd10pcs")
    report = setup_pcs(data, home, False)
    assert report.built == ("icd10pcs-2025", "icd10pcs-2026")
    return home


@pytest.fixture()
def pcs_fixture_registry(pcs_fixture_home: Path) -> Iterator[PcsRegistry]:
    registry = PcsRegistry(pcs_fixture_home)
    yield registry
    registry.close()
