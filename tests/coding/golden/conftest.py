"""The golden cases are coded against the releases built once per session by the
shared ``built_home`` / ``registry`` fixtures in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.codesets.registry import Registry


@pytest.fixture(scope="session")
def golden_home(built_home: Path) -> Path:
    return built_home


@pytest.fixture(scope="session")
def golden_registry(registry: Registry) -> Registry:
    return registry
