"""Procedure-stage fixtures: the HCPCS homes of tests/codesets/hcpcs, and a PCS home built
from the small fixture folder of official layouts a test module names in ``PCS_FIXTURE``."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.pcs.build import setup_pcs
from medcoder.codesets.pcs.store import PcsRelease
from tests.codesets.hcpcs.conftest import (  # noqa: F401  (fixtures re-exported)
    fixture_home,
    full_sets,
    hcpcs_fixtures,
    hcpcs_home,
)

PCS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def small_pcs_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A home with the FY2026 PCS release built from ``tests/fixtures/<PCS_FIXTURE>``."""
    name: str = request.module.PCS_FIXTURE
    home = tmp_path_factory.mktemp(f"{name}-home")
    data = tmp_path_factory.mktemp(f"{name}-data")
    shutil.copytree(PCS_FIXTURES / name, data / "icd10pcs")
    assert setup_pcs(data / "icd10pcs", home, False).built == ("icd10pcs-2026",)
    return home


@pytest.fixture(scope="module")
def small_pcs(small_pcs_home: Path) -> Iterator[PcsRelease]:
    opened = PcsRelease(small_pcs_home / "icd10pcs" / "icd10pcs-2026")
    yield opened
    opened.close()
