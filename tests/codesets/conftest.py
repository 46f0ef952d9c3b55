"""Releases built once per test session from the real CMS files in ../shared/data.

Building the three releases (FY2021 order file, FY2025 April, FY2026 April) takes
about 12 s; every test below reads from the same build. The home folder is a fixed
name under the session's base temp dir, so another conftest that builds into the same
folder (tests/test_cli.py does) finds the releases already there: ``Registry.setup``
keeps a release whose manifest exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release

OLD = "icd10cm-2025-04"
NEW = "icd10cm-2026-04"
ORDER_ONLY = "icd10cm-2021-01"


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


@pytest.fixture(scope="session")
def cms_data() -> Path:
    """The folder of official CMS files beside the repository (``../shared/data``)."""
    data = _repo_root().parent / "shared" / "data"
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
