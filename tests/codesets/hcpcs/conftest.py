"""HCPCS homes: one built from the tiny fixtures, one from the full CMS files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.hcpcs.build import build_anweb, build_ioce
from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hcpcs"


def _built_home(home: Path, folder: Path, quarters: tuple[str, ...]) -> Path:
    """``home`` with the Alpha-Numeric ``quarters`` files and the I/OCE tables of ``folder``."""
    for name in quarters:
        build_anweb(folder / name, home)
    build_ioce(
        folder / "ioce_hcpcs_level2_all_versions.csv",
        folder / "ioce_cpt_cdt_codes_no_descriptors.csv",
        home,
    )
    return home


@pytest.fixture(scope="session")
def hcpcs_fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def fixture_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JUL and OCT 2025 quarter files (fixed-width txt) and tiny I/OCE tables."""
    home = tmp_path_factory.mktemp("hcpcs-fixture-home")
    return _built_home(home, FIXTURES, ("HCPC2025_JUL_ANWEB_v2.txt", "HCPC2025_OCT_ANWEB_v2.txt"))


@pytest.fixture()
def fixture_sets(fixture_home: Path) -> Iterator[ProcedureCodeSets]:
    sets = ProcedureCodeSets(fixture_home)
    yield sets
    sets.close()


@pytest.fixture(scope="session")
def hcpcs_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The full October 2025 Alpha-Numeric file (CSV conversion) and the full I/OCE tables."""
    folder = shared_data / "hcpcs"
    if not (folder / "HCPC2025_OCT_ANWEB.csv").is_file():
        pytest.skip("HCPCS files not found under ../shared/data/hcpcs")
    home = tmp_path_factory.mktemp("hcpcs-full-home")
    return _built_home(home, folder, ("HCPC2025_OCT_ANWEB.csv",))


@pytest.fixture()
def full_sets(hcpcs_home: Path) -> Iterator[ProcedureCodeSets]:
    sets = ProcedureCodeSets(hcpcs_home)
    yield sets
    sets.close()
