"""Issue 17 item 14: ``check`` was quadratic in the diagnoses (every Excludes1 note tested
against every code). The claim's codes are now indexed; the index must name exactly the
codes the note-by-code test names, and the rule must report the same pairs as the walk
over every pair, while the work grows linearly."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.edits.checker import EditTables
from medcoder.edits.claim import Claim, ClaimCode
from medcoder.edits.contract import EditContext
from medcoder.edits.diagnosis import Excludes1Rule, _excludes1_note
from medcoder.edits.notes import CodeIndex, CodeRef, names_code
from medcoder.kinds import CodeSystem, Setting

_NOTES = [
    "diabetes (E11.3-)", "chronic kidney disease (N18.1-N18.6)", "cardiac arrest (I96)",
    "diabetes with CKD (E08-E13 with .22)", "(B27.0-B27.9 with fifth character 1)",
    "gout (M1A.-, M10.-)", "hypertension (I10-I16)", "(Z79.4)", "anemia (D50-D53)",
    "no code named here", "(E11)",
]  # fmt: skip
_CODES = st.sampled_from(
    ["E11.9", "E11.22", "E11.319", "E08.22", "E13.22", "E10.22", "N18.3", "N18.6", "N18.9",
     "I96", "I10", "I16.0", "I15.9", "B27.01", "B27.00", "B27.91", "M1A.00X0", "M10.9",
     "Z79.4", "D50.9", "D53.0", "D64.9", "E11", "e11.9"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_CODES, max_size=15), st.sampled_from(_NOTES))
def test_the_index_names_what_the_note_names(codes: list[str], note: str) -> None:
    expected = {i for i, code in enumerate(codes) if names_code(note, code)}
    assert CodeIndex(codes).named_by(note) == expected


def _claim(codes: list[str]) -> Claim:
    lines = tuple(ClaimCode(CodeSystem.ICD10CM, c, i + 1) for i, c in enumerate(codes))
    return Claim(None, dt.date(2026, 5, 1), Setting.OUTPATIENT, lines)


def _walk_every_pair(release: Release, codes: list[str]) -> list[tuple[str, str]]:
    found = []
    for i, first in enumerate(codes):
        for second in codes[i + 1 :]:
            if _excludes1_note(release, first, second) or _excludes1_note(release, second, first):
                found.append((first, second))
    return found


def _context(registry: Registry, release: Release) -> EditContext:
    return EditContext(registry, EditTables(), release)


def _dense(release: Release, step: int) -> list[str]:
    """Billable codes where Excludes1 notes cross (diabetes, CKD, hypertension, anaemia)."""
    return [
        e.code
        for e in release.iter_codes()
        if e.billable and e.code[:3] in {"E08", "E10", "E11", "E13", "N18", "I10", "I12",
                                         "I13", "D50", "D63", "O24", "Z79"}
    ][::step]  # fmt: skip


@pytest.mark.slow
def test_excludes1_finds_the_pairs_of_the_walk_over_every_pair(
    registry: Registry, release_2026: Release
) -> None:
    codes = _dense(release_2026, 5)[:150]
    findings = [
        f.codes for f in Excludes1Rule().check(_claim(codes), _context(registry, release_2026))
    ]
    assert findings == _walk_every_pair(release_2026, codes)
    assert len(findings) > 10, "the sample must hold Excludes1 pairs to mean anything"


@pytest.mark.slow
def test_excludes1_work_grows_linearly(
    registry: Registry, release_2026: Release, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted, not timed: how many times a note's code reference is tested against a
    code, over the codes plus the pairs found (the pairs are output: a note naming a wide
    range pairs its code with every code in it). The walk over every pair made ~100 tests
    per unit at 2,000 codes, and more as the claim grows."""
    codes = [e.code for e in release_2026.iter_codes() if e.billable][::7][:2000]
    rule, context = Excludes1Rule(), _context(registry, release_2026)
    tests = 0
    matches = CodeRef.matches

    def counted(ref: CodeRef, code: str) -> bool:
        nonlocal tests
        tests += 1
        return matches(ref, code)

    monkeypatch.setattr(CodeRef, "matches", counted)
    for n in (250, 2000):
        tests = 0
        found = len(list(rule.check(_claim(codes[:n]), context)))
        assert tests < 10 * (n + found), f"{n} codes, {found} pairs: {tests} tests"
