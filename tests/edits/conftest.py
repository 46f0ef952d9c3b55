"""Claim-edit fixtures: a checker over the full releases and CMS tables in ../shared/data
(the PTP index compiled once per session), and a helper to build claims."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcoder.codesets.registry import Registry
from medcoder.edits.checker import ClaimChecker, EditTables
from medcoder.edits.claim import Claim, parse_claim
from medcoder.edits.findings import EditReport

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edits"


@pytest.fixture(scope="session")
def edit_tables(
    shared_data: Path, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> EditTables:
    """No procedure code sets are installed in built_home: the I/OCE lists answer."""
    tables = EditTables.from_data(shared_data, home=built_home)
    tables.cache_dir = tmp_path_factory.mktemp("edits-cache")
    tables.mue_file = FIXTURES / "mue_practitioner_madeup_2026q2.csv"
    return tables


@pytest.fixture(scope="session")
def checker(registry: Registry, edit_tables: EditTables) -> ClaimChecker:
    return ClaimChecker(registry, edit_tables)


def claim(
    *codes: str | tuple[str, str] | dict[str, Any],
    setting: str = "outpatient",
    day: str = "2026-05-01",
    age: int | None = None,
    sex: str | None = None,
) -> Claim:
    """``claim("E11.9", ("cpt", "99213"), {"system": "cpt", "code": "29881", ...})``."""
    lines: list[dict[str, Any]] = []
    for code in codes:
        if isinstance(code, dict):
            lines.append(code)
        elif isinstance(code, tuple):
            lines.append({"system": code[0], "code": code[1]})
        else:
            lines.append({"system": "icd10cm", "code": code})
    data: dict[str, Any] = {"date_of_service": day, "setting": setting, "codes": lines}
    if age is not None:
        data["age"] = age
    if sex is not None:
        data["sex"] = sex
    return parse_claim(data)


def edits(report: EditReport) -> set[str]:
    return {f.edit for f in report.findings}
