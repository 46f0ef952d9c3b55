"""`code --check`: the edits adjust the engine's output and keep the trace."""

from __future__ import annotations

import datetime as dt

from medcoder.edits.adjust import adjust, result_claim
from medcoder.edits.checker import ClaimChecker
from medcoder.results import CodeAssignment, CodingResult, Evidence

DAY = dt.date(2026, 5, 1)


def _code(code: str, title: str, sequence: int, confidence: float = 0.7) -> CodeAssignment:
    evidence = (Evidence(0, 4, title[:4], "assessment"),)
    return CodeAssignment(code, title, "icd10cm", "icd10cm-2026-04", sequence, confidence,
                          evidence, "", ())  # fmt: skip


def _result(*codes: CodeAssignment) -> CodingResult:
    return CodingResult("note", "icd10cm-2026-04", "outpatient", DAY.isoformat(), codes)


def test_excludes1_drops_the_less_specific_code(checker: ClaimChecker) -> None:
    result = _result(
        _code("E11.9", "Type 2 diabetes mellitus without complications", 1),
        _code("E10.65", "Type 1 diabetes mellitus with hyperglycemia", 2),
    )
    adjusted, report = adjust(result, checker, day=DAY)
    assert [c.code for c in adjusted.codes] == ["E10.65"]
    assert adjusted.codes[0].sequence == 1
    (dropped,) = adjusted.dropped
    assert dropped.code == "E11.9" and dropped.rule.rule == "excludes1.v1"
    assert "excludes1.v1" not in {f.edit for f in report.findings}
    assert any("dropped E11.9" in n for n in adjusted.notices)


def test_code_first_moves_the_etiology_before(checker: ClaimChecker) -> None:
    result = _result(
        _code("N18.30", "Chronic kidney disease, stage 3 unspecified", 1),
        _code("E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease", 2),
    )
    adjusted, report = adjust(result, checker, day=DAY)
    assert [(c.code, c.sequence) for c in adjusted.codes] == [("E11.22", 1), ("N18.30", 2)]
    assert [r.rule for r in adjusted.codes[0].rules] == ["code-first.v1"]
    assert "code-first.v1" not in {f.edit for f in report.findings}


def test_clean_result_is_returned_unchanged(checker: ClaimChecker) -> None:
    result = _result(_code("I10", "Essential (primary) hypertension", 1))
    adjusted, report = adjust(result, checker, day=DAY)
    assert adjusted is result and report.findings == ()
    assert [c.code for c in result_claim(result, day=DAY, age=None, sex=None).codes] == ["I10"]
