"""ICD-10-CM edits: a golden claim per edit that must fire, and a clean twin that must not."""

from __future__ import annotations

from medcoder.edits.checker import ClaimChecker
from medcoder.edits.findings import Severity
from tests.edits.conftest import claim, edits


def test_placeholder_x_missing_is_an_error_with_the_fix(checker: ClaimChecker) -> None:
    report = checker.check(claim("S00.00A"))
    (finding,) = [f for f in report.findings if f.edit == "icd10cm-validity.v1"]
    assert finding.severity is Severity.ERROR
    assert "placeholder X" in finding.message
    assert "S00.00XA" in finding.fix
    assert finding.release == "icd10cm-2026-04"
    assert "icd10cm-validity.v1" not in edits(checker.check(claim("S00.00XA")))


def test_header_is_not_billable(checker: ClaimChecker) -> None:
    report = checker.check(claim("E11"))
    assert any("header" in f.message for f in report.findings if f.edit == "icd10cm-validity.v1")
    assert "icd10cm-validity.v1" not in edits(checker.check(claim("E11.9")))


def test_code_deleted_by_the_release_in_force(checker: ClaimChecker) -> None:
    # S30.1XXA was subdivided in FY2026: valid in April 2025, not in May 2026.
    report = checker.check(claim("S30.1XXA", day="2026-05-01"))
    (finding,) = [f for f in report.findings if f.edit == "icd10cm-validity.v1"]
    assert finding.message.startswith("S30.1XXA: deleted")
    assert "icd10cm-2025-04" in finding.message
    assert "icd10cm-validity.v1" not in edits(checker.check(claim("S30.1XXA", day="2025-05-01")))


def test_code_not_yet_effective(checker: ClaimChecker) -> None:
    report = checker.check(claim("B88.01", day="2025-05-01"))
    (finding,) = [f for f in report.findings if f.edit == "icd10cm-validity.v1"]
    assert "not yet effective" in finding.message
    assert "icd10cm-validity.v1" not in edits(checker.check(claim("B88.01", day="2026-05-01")))


def test_excludes1_pair_reported_together(checker: ClaimChecker) -> None:
    report = checker.check(claim("E11.9", "E10.9"))
    (finding,) = [f for f in report.findings if f.edit == "excludes1.v1"]
    assert finding.codes == ("E11.9", "E10.9")
    assert "I.A.12.a" in finding.source
    assert "report only one" in finding.fix
    assert "excludes1.v1" not in edits(checker.check(claim("E11.9", "I10")))


def test_qualified_excludes1_range_only_matches_its_subdivision(checker: ClaimChecker) -> None:
    # G63 excludes "diabetes mellitus (E08-E13 with .42)": E11.42, not E11.9.
    assert "excludes1.v1" in edits(checker.check(claim("E11.42", "G63")))
    assert "excludes1.v1" not in edits(checker.check(claim("E11.9", "G63")))


def test_manifestation_without_its_etiology(checker: ClaimChecker) -> None:
    report = checker.check(claim("F02.80"))
    assert "code-first.v1" in edits(report)
    assert "first-listed.v1" in edits(report)
    clean = checker.check(claim("G30.9", "F02.80"))
    assert not {"code-first.v1", "first-listed.v1"} & edits(clean)


def test_code_first_etiology_listed_after(checker: ClaimChecker) -> None:
    # N18.3: code first any associated diabetic chronic kidney disease (E11.22).
    report = checker.check(claim("N18.30", "E11.22"))
    (finding,) = [f for f in report.findings if f.edit == "code-first.v1"]
    assert finding.codes == ("N18.30", "E11.22")
    assert finding.fix == "sequence E11.22 before N18.30"
    assert "code-first.v1" not in edits(checker.check(claim("E11.22", "N18.30")))


def test_use_additional_code_unmet_is_a_warning(checker: ClaimChecker) -> None:
    report = checker.check(claim("E11.22"))
    warnings = [f for f in report.findings if f.edit == "use-additional-code.v1"]
    assert warnings and all(f.severity is Severity.WARNING for f in warnings)
    assert any("N18.1-N18.6" in f.message for f in warnings)
    clean = checker.check(claim("E11.22", "N18.30", "Z79.4"))
    assert "use-additional-code.v1" not in edits(clean)


def test_optional_use_additional_code_is_not_flagged(checker: ClaimChecker) -> None:
    # G30.9: "code, if applicable, to identify: ... dementia ..." - optional.
    assert "use-additional-code.v1" not in edits(checker.check(claim("G30.9")))


def test_external_cause_code_first_listed(checker: ClaimChecker) -> None:
    report = checker.check(claim("W01.0XXA", "S52.501A"))
    (finding,) = [f for f in report.findings if f.edit == "first-listed.v1"]
    assert finding.codes == ("W01.0XXA",)
    assert "I.C.20" in finding.fix
    assert "first-listed.v1" not in edits(checker.check(claim("S52.501A", "W01.0XXA")))


def test_clean_claim_has_no_findings(checker: ClaimChecker) -> None:
    report = checker.check(claim("I10", "J45.909", ("cpt", "99213")))
    assert report.findings == ()
    assert report.releases["icd10cm"] == "icd10cm-2026-04"
