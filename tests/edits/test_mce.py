"""Medicare Code Editor style inpatient edits (derived MCE v43 tables in ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcoder.edits.checker import ClaimChecker
from medcoder.edits.mce import AGE_CATEGORIES
from medcoder.edits.mce_tables import load_mce
from medcoder.errors import EditTableError
from tests.edits.conftest import claim, edits


def test_age_conflict_maternity_code_at_70(checker: ClaimChecker) -> None:
    report = checker.check(claim("O80", setting="inpatient", age=70, sex="F"))
    (finding,) = [f for f in report.findings if f.edit == "mce-age.v1"]
    assert "maternity" in finding.message and "70" in finding.message
    assert report.releases["mce"] == "mce-v43-derived"
    twin = checker.check(claim("O80", setting="inpatient", age=30, sex="F"))
    assert "mce-age.v1" not in edits(twin)


@pytest.mark.parametrize(("code", "bad_age", "good_age"), [("N40.0", 10, 60), ("O80", 5, 30)])
def test_age_categories(checker: ClaimChecker, code: str, bad_age: int, good_age: int) -> None:
    assert "mce-age.v1" in edits(checker.check(claim(code, setting="inpatient", age=bad_age)))
    assert "mce-age.v1" not in edits(checker.check(claim(code, setting="inpatient", age=good_age)))


def test_sex_conflict(checker: ClaimChecker) -> None:
    report = checker.check(claim("N40.0", setting="inpatient", age=60, sex="F"))
    assert "mce-sex.v1" in edits(report)
    assert "mce-sex.v1" not in edits(checker.check(claim("N40.0", setting="inpatient", sex="M")))


def test_unacceptable_principal_diagnosis(checker: ClaimChecker) -> None:
    report = checker.check(claim("Z00.00", "I21.4", setting="inpatient"))
    assert any("UNACCEPTABLE_PDX" in f.message for f in report.findings)
    clean = checker.check(claim("I21.4", "Z00.00", setting="inpatient"))
    assert "mce-principal.v1" not in edits(clean)


def test_manifestation_as_principal(checker: ClaimChecker) -> None:
    report = checker.check(claim("G63", "E85.4", setting="inpatient"))
    assert any("MANIFESTATION_AS_PDX" in f.message for f in report.findings)


def test_mce_is_inpatient_only(checker: ClaimChecker) -> None:
    report = checker.check(claim("O80", "Z00.00", setting="outpatient", age=70, sex="M"))
    assert not {"mce-age.v1", "mce-sex.v1", "mce-principal.v1"} & edits(report)


def test_every_age_category_is_read(shared_data: Path) -> None:
    tables = load_mce(shared_data / "mce")
    assert set(tables.age_category.values()) == set(AGE_CATEGORIES)
    assert "MANIFESTATION_AS_PDX" in tables.pdx_edits["G63"]


def test_missing_or_malformed_mce_tables(tmp_path: Path) -> None:
    with pytest.raises(EditTableError, match="not found"):
        load_mce(tmp_path)
    (tmp_path / "mce_pdx_edits_by_code.csv").write_text("icd,what\nA00,X\n", encoding="utf-8")
    with pytest.raises(EditTableError, match="expected columns code,edit"):
        load_mce(tmp_path)
