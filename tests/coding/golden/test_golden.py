"""Golden cases: short synthetic notes with the codes a certified coder would report.

The cases are data (cases.json beside this file), one object per note::

    id, rule, setting, date, text, expected, not_expected, note
    optional     codes a coder may report at discretion (a family-history Z code):
                 neither required nor counted against the engine
    known_gap    why the engine does not code this note right yet: the case xfails,
                 and fails once the engine gets it right, so the mark gets removed

``expected`` is in reporting order; only its first code (first-listed / principal)
is checked for position. Each expected code is graded the way MedCAT grades its
regression phrases:

    EXACT    the same code was reported
    PARENT   a shorter code of the same category that the expected code starts with
    SIBLING  another code of the same category
    MISSED   nothing of the category

A case is exact when the reported codes, less the optional ones, are the expected set,
the first reported code is ``expected[0]``, and nothing in ``not_expected`` is reported.
``pytest -s tests/coding/golden`` prints the grade table.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from medcoder.codesets.codes import category, compact
from medcoder.codesets.registry import Registry
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine
from medcoder.results import CodingResult

CASES_FILE = Path(__file__).with_name("cases.json")
REQUIRED_KEYS = {"id", "rule", "setting", "date", "text", "expected", "not_expected", "note"}
OPTIONAL_KEYS = {"optional", "known_gap"}
# The share of cases the engine must code exactly, held at the measured share (127 of
# 130 = 0.977 on 2026-12-07, issue 14 part 1, to two decimals, rounded down); raise it
# as gaps are closed.
MIN_EXACT_SHARE = 0.97


class Grade(StrEnum):
    EXACT = "EXACT"
    PARENT = "PARENT"
    SIBLING = "SIBLING"
    MISSED = "MISSED"


@dataclass(frozen=True, slots=True)
class CodeGrade:
    expected: str
    grade: Grade
    reported: str | None  # the reported code the grade was given for


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case_id: str
    grades: tuple[CodeGrade, ...]
    reported: tuple[str, ...]  # in sequence order
    extra: tuple[str, ...]  # reported, neither expected nor optional
    forbidden: tuple[str, ...]  # reported and listed in not_expected
    first_listed_ok: bool

    @property
    def exact(self) -> bool:
        return (
            all(g.grade is Grade.EXACT for g in self.grades)
            and not self.extra
            and not self.forbidden
            and self.first_listed_ok
        )

    def describe(self) -> str:
        graded = ", ".join(
            f"{g.expected} {g.grade}" + (f" ({g.reported})" if g.grade is not Grade.EXACT else "")
            for g in self.grades
        )
        parts = [
            f"reported [{', '.join(self.reported)}]",
            f"graded [{graded}]",
        ]
        unexpected = [code for code in self.extra if code not in self.forbidden]
        if unexpected:
            parts.append(f"extra [{', '.join(unexpected)}]")
        if self.forbidden:
            parts.append(f"not_expected reported [{', '.join(self.forbidden)}]")
        if not self.first_listed_ok:
            parts.append("wrong first-listed code")
        return "; ".join(parts)


def load_cases() -> list[dict[str, Any]]:
    with CASES_FILE.open(encoding="utf-8") as f:
        cases: list[dict[str, Any]] = json.load(f)
    return cases


CASES = load_cases()


def grade_code(expected: str, reported: tuple[str, ...]) -> CodeGrade:
    """Grade one expected code against everything reported for the note."""
    if expected in reported:
        return CodeGrade(expected, Grade.EXACT, expected)
    same_category = [r for r in reported if category(r) == category(expected)]
    for r in same_category:
        if compact(expected).startswith(compact(r)):
            return CodeGrade(expected, Grade.PARENT, r)
    if same_category:
        return CodeGrade(expected, Grade.SIBLING, same_category[0])
    return CodeGrade(expected, Grade.MISSED, None)


def grade_case(case: dict[str, Any], result: CodingResult) -> CaseOutcome:
    reported = tuple(c.code for c in sorted(result.codes, key=lambda c: c.sequence))
    expected: list[str] = case["expected"]
    allowed = set(expected) | set(case.get("optional", []))
    first_listed_ok = (reported[:1] == (expected[0],)) if expected else True
    return CaseOutcome(
        case_id=case["id"],
        grades=tuple(grade_code(code, reported) for code in expected),
        reported=reported,
        extra=tuple(r for r in reported if r not in allowed),
        forbidden=tuple(r for r in reported if r in case["not_expected"]),
        first_listed_ok=first_listed_ok,
    )


def document_for(case: dict[str, Any]) -> ClinicalDocument:
    return ClinicalDocument(
        case["text"],
        Setting.parse(case["setting"]),
        date.fromisoformat(case["date"]),
        id=case["id"],
    )


Outcome = Callable[[str], tuple[CaseOutcome, CodingResult]]


@pytest.fixture(scope="module")
def golden_outcome(golden_registry: Registry) -> Outcome:
    """Code a case once per module run, whether asked by its own test or the summary."""
    engine = CodingEngine(golden_registry)
    by_id = {case["id"]: case for case in CASES}

    @cache
    def outcome(case_id: str) -> tuple[CaseOutcome, CodingResult]:
        case = by_id[case_id]
        result = engine.code(document_for(case))
        return grade_case(case, result), result

    return outcome


# -- the data itself ---------------------------------------------------------------------
def test_cases_file_is_well_formed() -> None:
    assert len(CASES) >= 45
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in CASES:
        keys = set(case)
        assert keys >= REQUIRED_KEYS, f"{case.get('id')}: missing {REQUIRED_KEYS - keys}"
        assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"{case['id']}: unknown keys"
        Setting.parse(case["setting"])
        date.fromisoformat(case["date"])
        expected = set(case["expected"])
        optional = set(case.get("optional", []))
        assert len(expected) == len(case["expected"]), f"{case['id']}: repeated code"
        assert not expected & set(case["not_expected"]), case["id"]
        assert not optional & (expected | set(case["not_expected"])), case["id"]
        assert 3 <= len(case["text"].splitlines()) <= 12, f"{case['id']}: 3-12 lines"
        if "known_gap" in case:
            assert case["known_gap"].strip(), f"{case['id']}: say why it is a known gap"


def test_expected_codes_are_reportable_on_the_date(golden_registry: Registry) -> None:
    """Every expected or optional code is billable in the release the date of service picks."""
    problems = []
    for case in CASES:
        release = golden_registry.choose(day=date.fromisoformat(case["date"]))
        for code in [*case["expected"], *case.get("optional", [])]:
            entry = release.get(code)
            if entry is None or not entry.billable:
                problems.append(f"{case['id']}: {code} is not billable in {release.name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("expected", "reported", "grade"),
    [
        ("E11.22", ("I10", "E11.22"), Grade.EXACT),
        ("S52.501A", ("S52.501",), Grade.PARENT),
        ("M17.11", ("M17.9",), Grade.SIBLING),
        ("E11.22", ("E13.22",), Grade.MISSED),
        ("I10", (), Grade.MISSED),
    ],
)
def test_grade_code(expected: str, reported: tuple[str, ...], grade: Grade) -> None:
    assert grade_code(expected, reported).grade is grade


# -- the engine against the cases ----------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_golden_case(case: dict[str, Any], golden_outcome: Outcome) -> None:
    outcome, _ = golden_outcome(case["id"])
    gap = case.get("known_gap")
    if gap:
        if outcome.exact:
            pytest.fail(
                f"{case['id']} is coded exactly now: remove its known_gap mark from cases.json"
            )
        pytest.xfail(f"{gap} -- {outcome.describe()}")
    assert outcome.exact, f"{case['id']} ({case['rule']}): {outcome.describe()}"


def test_golden_summary(golden_outcome: Outcome) -> None:
    """Print the grade table (``pytest -s``) and hold the exact share at its floor."""
    outcomes = [golden_outcome(case["id"])[0] for case in CASES]
    gaps = {case["id"] for case in CASES if case.get("known_gap")}
    grades = Counter(g.grade for o in outcomes for g in o.grades)
    width = max(len(o.case_id) for o in outcomes)
    lines = [f"{'case':<{width}}  {'status':<6}  detail"]
    for o in outcomes:
        status = "EXACT" if o.exact else ("GAP" if o.case_id in gaps else "FAIL")
        lines.append(f"{o.case_id:<{width}}  {status:<6}  {o.describe()}")
    exact = sum(o.exact for o in outcomes)
    share = exact / len(outcomes)
    lines.append(
        f"{exact}/{len(outcomes)} cases exact ({share:.0%}); expected codes graded: "
        + ", ".join(f"{g} {grades.get(g, 0)}" for g in Grade)
    )
    print("\n" + "\n".join(lines))
    assert share >= MIN_EXACT_SHARE, f"only {share:.0%} of golden cases are exact"
