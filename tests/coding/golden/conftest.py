"""The releases the golden cases are coded against, built once per test session.

Same folder as tests/codesets/conftest.py's ``built_home`` and tests/test_cli.py's
``cli_home``: whichever runs first builds from ../shared/data, the others find the
manifests there and keep the builds (``Registry.setup`` keeps a built release).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcoder.codesets.registry import Registry


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


@pytest.fixture(scope="session")
def golden_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MEDCODER_HOME with every release in ../shared/data built into it."""
    data = _repo_root().parent / "shared" / "data"
    if not (data / "icd10cm").is_dir():
        pytest.skip(f"CMS data not found at {data} (expected ../shared/data beside the repo)")
    home = tmp_path_factory.getbasetemp() / "medcoder-built-home"
    registry = Registry(home, quiet=True)
    registry.setup(data)
    registry.close()
    return home


@pytest.fixture(scope="session")
def golden_registry(golden_home: Path) -> Iterator[Registry]:
    registry = Registry(golden_home, quiet=True)
    yield registry
    registry.close()
