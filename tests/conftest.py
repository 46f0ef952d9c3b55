"""Shared fixtures: the tiny real-format excerpts in tests/fixtures and the full CMS
releases in ../shared/data, each full file parsed at most once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.loaders.index_csv import load_index_csv
from medcoder.codesets.loaders.index_xml import load_index_xml
from medcoder.codesets.loaders.order_file import load_code_list, load_order_file
from medcoder.codesets.loaders.tabular_xml import load_tabular
from medcoder.codesets.model import IndexBook, OrderRecord, TabularList
from medcoder.codesets.pcs.store import PcsRegistry
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.codesets.tabular import CodeRow, code_rows

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def icd10cm_fixtures() -> Path:
    """tests/fixtures/icd10cm: synthetic excerpts in the official CMS layouts."""
    return FIXTURES / "icd10cm"


@pytest.fixture(scope="session")
def mini_tabular(icd10cm_fixtures: Path) -> TabularList:
    return load_tabular(icd10cm_fixtures / "tabular_mini.xml")


@pytest.fixture(scope="session")
def mini_code_rows(mini_tabular: TabularList) -> tuple[CodeRow, ...]:
    return tuple(code_rows(mini_tabular.nodes))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The CMS reference data folder (``../shared/data`` beside the repository)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"CMS reference data not found at {SHARED_DATA} (../shared/data)")
    return SHARED_DATA


def _source(shared_data: Path, relative: str) -> Path:
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"CMS file {relative} not found under {shared_data}")
    return path


@pytest.fixture(scope="session")
def tabular_2026(shared_data: Path) -> TabularList:
    return load_tabular(
        _source(shared_data, "icd10cm/fy2026-april/icd10cm-tabular-April-1-2026.xml")
    )


@pytest.fixture(scope="session")
def code_rows_2026(tabular_2026: TabularList) -> tuple[CodeRow, ...]:
    return tuple(code_rows(tabular_2026.nodes))


@pytest.fixture(scope="session")
def code_list_2026(shared_data: Path) -> list[str]:
    return load_code_list(_source(shared_data, "icd10cm/fy2026-april/code-list-April-2026.txt"))


@pytest.fixture(scope="session")
def index_csv_2025(shared_data: Path) -> IndexBook:
    return load_index_csv(
        _source(shared_data, "icd10cm/fy2025-april/derived_wbdill_ICD10CM_2025_Index.csv"),
        version="2025",
    )


@pytest.fixture(scope="session")
def neoplasm_2025(shared_data: Path) -> IndexBook:
    return load_index_xml(_source(shared_data, "icd10cm/fy2025-april/icd-10-cm-neoplasm-2025.xml"))


@pytest.fixture(scope="session")
def drug_2025(shared_data: Path) -> IndexBook:
    return load_index_xml(_source(shared_data, "icd10cm/fy2025-april/icd-10-cm-drug-2025.xml"))


@pytest.fixture(scope="session")
def eindex_2025(shared_data: Path) -> IndexBook:
    return load_index_xml(_source(shared_data, "icd10cm/fy2025-april/icd-10-cm-eindex-2025.xml"))


@pytest.fixture(scope="session")
def order_2021(shared_data: Path) -> list[OrderRecord]:
    return load_order_file(_source(shared_data, "icd10cm/fy2021/icd10cm-order-Jan-2021.txt"))


# -- releases built once per session from ../shared/data ---------------------------
OLD = "icd10cm-2025-04"
NEW = "icd10cm-2026-04"
ORDER_ONLY = "icd10cm-2021-01"


@pytest.fixture(scope="session")
def cms_data() -> Path:
    """The folder of official CMS files beside the repository (``../shared/data``)."""
    data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not (data / "icd10cm").is_dir():
        pytest.skip(f"CMS data not found at {data} (expected ../shared/data beside the repo)")
    return data


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, cms_data: Path) -> Path:
    """A MEDCODER_HOME with every release in ../shared/data built into it."""
    home = tmp_path_factory.getbasetemp() / "medcoder-built-home"
    registry = Registry(home, quiet=True)
    registry.setup(cms_data)
    registry.close()
    return home


@pytest.fixture(scope="session")
def embedded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MEDCODER_HOME: the first ``available()`` builds the embedded release there."""
    home = tmp_path_factory.getbasetemp() / "medcoder-embedded-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="session")
def registry(built_home: Path) -> Iterator[Registry]:
    reg = Registry(built_home, quiet=True)
    yield reg
    reg.close()


@pytest.fixture(scope="session")
def release_2026(registry: Registry) -> Release:
    """FY2026 April Tabular beside the FY2025 Alphabetic Index and tables."""
    return registry.open(NEW)


@pytest.fixture(scope="session")
def release_2025(registry: Registry) -> Release:
    return registry.open(OLD)


@pytest.fixture(scope="session")
def release_2021(registry: Registry) -> Release:
    """Built from the order file alone: no notes, no index, no tables."""
    return registry.open(ORDER_ONLY)


# -- ICD-10-PCS (issue 6) -------------------------------------------------------------
@pytest.fixture(scope="session")
def pcs_home(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A MEDCODER_HOME with the full FY2026 ICD-10-PCS release from ../shared/data."""
    from medcoder.codesets.pcs.build import setup_pcs

    if not (shared_data / "icd10pcs").is_dir():
        pytest.skip("no icd10pcs folder in ../shared/data")
    home = tmp_path_factory.mktemp("pcs-home")
    setup_pcs(shared_data / "icd10pcs", home, False)
    return home


@pytest.fixture(scope="session")
def cm_pcs_home(tmp_path_factory: pytest.TempPathFactory, built_home: Path, pcs_home: Path) -> Path:
    """A MEDCODER_HOME with the built ICD-10-CM releases and the FY2026 PCS release
    (links to the two session homes: nothing is built twice)."""
    home = tmp_path_factory.mktemp("cm-pcs-home")
    for folder in (built_home / "releases", built_home / "cache", pcs_home / "icd10pcs"):
        if folder.exists():
            (home / folder.name).symlink_to(folder, target_is_directory=True)
    return home


@pytest.fixture(scope="session")
def pcs_registry(pcs_home: Path) -> Iterator[PcsRegistry]:
    registry = PcsRegistry(pcs_home)
    yield registry
    registry.close()


# -- CI: a PostgreSQL or browser step that runs nothing must fail ----------------------
STRICT_SKIPS_ENV = "MEDCODER_TEST_STRICT_MARKERS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With ``MEDCODER_TEST_STRICT_MARKERS=postgres,browser`` (``.ci/run`` sets it for those
    steps), a test of a named marker that skips (no server URL, no chromium, playwright
    not importable) fails instead: a broken install must not turn a CI step green with
    nothing run (issue 17)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    strict = {m for m in os.environ.get(STRICT_SKIPS_ENV, "").split(",") if m}
    marked = strict & {m.name for m in item.iter_markers()}
    if report.skipped and marked and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"{sorted(marked)} test skipped under {STRICT_SKIPS_ENV}: {reason}"
