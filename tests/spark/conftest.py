"""A local Spark session (2 cores, no web UI) for the tests of marker ``spark``.

Without pyspark or a Java runtime they skip, naming what is missing; in CI
(``CI=true``, which ``.ci/run`` sets) they fail instead: CI installs both (Debian's
headless JRE, the ``spark`` extra), so a skip there means a broken install."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest


def spark_missing() -> str | None:
    """What this machine lacks to run Spark in local mode, or None."""
    for module in ("pyspark", "pyarrow", "pandas"):
        if importlib.util.find_spec(module) is None:
            return f"{module} not installed (pip install -e '.[spark]')"
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        return "no Java runtime (.ci/run installs one: apt-get install default-jre-headless)"
    return None


def require_spark() -> None:
    """Skip (fail in CI) when pyspark or Java is missing."""
    missing = spark_missing()
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Spark test cannot run in CI: {missing}")
    pytest.skip(f"Spark test: {missing}")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    require_spark()
    from medcoder.spark.job import session

    session_ = session("local[2]", partitions=2)
    try:
        yield session_
    finally:
        session_.stop()
