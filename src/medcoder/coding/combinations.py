"""Combination codes: hypertension and diabetes with the conditions the Index links them to.

ICD-10-CM Guidelines I.C.9.a (hypertension with heart disease I11, with chronic kidney
disease I12, with both I13) and I.C.4.a with I.A.15 (diabetes "with" chronic kidney
disease E1x.22): the combination code replaces the separate one, the linked condition's
own code (heart failure, CKD stage) is reported too.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.candidate import dropped as _drop
from medcoder.results import DroppedCandidate, RuleApplied

HTN_HEART = RuleApplied(
    "hypertension-heart.v1",
    "ICD-10-CM Guidelines I.C.9.a.1",
    "hypertension with heart failure: combination code I11.0, heart failure coded too",
)
HTN_CKD = RuleApplied(
    "hypertension-ckd.v1",
    "ICD-10-CM Guidelines I.C.9.a.2",
    "hypertension with chronic kidney disease: combination code I12.-, CKD stage coded too",
)
HTN_HEART_CKD = RuleApplied(
    "hypertension-heart-ckd.v1",
    "ICD-10-CM Guidelines I.C.9.a.3",
    "hypertension with heart failure and chronic kidney disease: combination code I13.-",
)
DIABETES_CKD = RuleApplied(
    "diabetes-ckd.v1",
    "ICD-10-CM Guidelines I.A.15 / I.C.4.a",
    "diabetes 'with' chronic kidney disease is presumed linked: E1x.22 with the N18 stage",
)


def combination_codes(
    release: Release, by_code: dict[str, list[Candidate]]
) -> tuple[dict[str, list[Candidate]], dict[str, RuleApplied], list[DroppedCandidate]]:
    """Hypertension and diabetes combination codes (I.C.9.a, I.C.4.a with I.A.15)."""
    added_rules: dict[str, RuleApplied] = {}
    dropped: list[DroppedCandidate] = []
    codes = set(by_code)
    ckd = sorted(c for c in codes if c.startswith("N18"))
    heart_failure = sorted(c for c in codes if c.startswith("I50"))

    def swap(old: str, new: str, rule: RuleApplied) -> None:
        if release.get(new) is None or not release.get(new).billable:  # type: ignore[union-attr]
            return
        sources = by_code.pop(old)
        found = release.get(new)
        title = found.title if found else ""
        by_code.setdefault(new, []).extend(
            replace(s, code=new, title=title, rules=(*s.rules, rule)) for s in sources
        )
        added_rules[new] = rule
        for s in sources:
            dropped.append(_drop(s, rule, f"{old} replaced by combination code {new}"))

    if "I10" in codes:
        stage5 = any(c in ("N18.5", "N18.6") for c in ckd)
        if ckd and heart_failure:
            swap("I10", "I13.2" if stage5 else "I13.0", HTN_HEART_CKD)
        elif heart_failure:
            swap("I10", "I11.0", HTN_HEART)
        elif ckd:
            swap("I10", "I12.0" if stage5 else "I12.9", HTN_CKD)
    if ckd:
        for code in list(by_code):
            if re.fullmatch(r"E1[013]\.9", code) or re.fullmatch(r"E0[89]\.9", code):
                swap(code, f"{code[:3]}.22", DIABETES_CKD)
    return by_code, added_rules, dropped
