"""Signs and symptoms beside a definitive diagnosis (Guidelines I.B.4 / I.B.5, IV.D) and
chronic pain (I.C.6.b.1): the symptom rules of coding/rules.py.

A symptom that "with" attaches to the diagnosis before it, or that the provider
attributes to the diagnosis after it, is integral and not coded; pain beside an acute
injury is integral to it; pain documented as chronic adds G89.29 to the site code.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.candidate import dropped as _drop
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import DroppedCandidate, RuleApplied

INTEGRAL = RuleApplied(
    "integral-symptom.v1",
    "ICD-10-CM Guidelines I.B.5",
    "a sign or symptom documented with a definitive diagnosis ('X with Y'): not coded",
)
CHRONIC_PAIN = RuleApplied(
    "chronic-pain.v1",
    "ICD-10-CM Guidelines I.C.6.b.1",
    "pain documented as chronic: G89.29 is reported with the site code",
)
_PAIN_CODE_RE = re.compile(r"^(R52|M54\.|M25\.5|M79\.6|R10\.|R07\.|R51|M79\.1)")
_CHRONIC_RE = re.compile(r"\bchronic\b[\w\s]{0,20}$", re.I)
_WITH_RE = re.compile(r"\b(with|w/|associated with|accompanied by)\b", re.I)
# Between two symptoms of one "with" list: "nausea and vomiting", "fever, chills".
# "Neck pain in the setting of arthritis", "cough due to bronchitis": the provider
# attributes the symptom to the diagnosis written right after it (I.B.4 / I.B.5).
_ATTRIBUTED_RE = re.compile(
    r"[\s,]*(?:(?:is|are|was|were)\s+)?(?:due\s+to|secondary\s+to|caused\s+by|"
    r"in\s+the\s+setting\s+of|attributed\s+to|because\s+of)\s+(?:\w+\s+){0,3}?$",
    re.I,
)
# R codes the Tabular reports beside their cause, never integral to it: SIRS and severe
# sepsis (R65, I.C.1.d), shock (R57), the coma and stroke scales (R40.2-, R29.7-).
_CODED_WITH = ("R65", "R57", "R40.2", "R29.7")
_LIST_GAP_RE = re.compile(r"\s*(,|and|or|, and|, or|\/)?\s*", re.I)


def _symptom(code: str) -> bool:
    """A sign or symptom code: chapter 18 (R), or a pain code of a site (M54.2, M25.5-)."""
    return code.startswith("R") or bool(_PAIN_CODE_RE.match(code))


def integral_symptoms(
    document: ClinicalDocument, candidates: list[Candidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.B.5: "reflux with nausea and vomiting": the symptoms after "with" are integral.

    Only the symptoms "with" attaches to the diagnosis right before it, and those listed
    straight after them ("and vomiting"), are dropped: in "mydriasis, facial weakness
    with normal cranial nerves, ... and hyporeflexia" the last sign is not part of the
    first. A symptom the provider attributes to the diagnosis written right after it
    ("neck pain in the setting of arthritis", "cough due to acute bronchitis") is
    integral too, in an outpatient note (I.B.4 / IV.D: the symptom is not coded once its
    cause is established).
    """
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    by_sentence: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_sentence.setdefault(c.sentence, []).append(c)
    integral: dict[int, str] = {}  # id(candidate) -> the diagnosis it belongs to
    for group in by_sentence.values():
        group = sorted(group, key=lambda c: c.evidence.start)
        anchor: Candidate | None = None
        chained = False
        for previous, c in zip([None, *group[:-1]], group, strict=True):
            if not c.code.startswith("R"):
                anchor, chained = c, False
                continue
            if previous is None or anchor is None:
                continue
            gap = document.text[previous.evidence.end : c.evidence.start]
            # The symptom's own phrase may hold the "with" ("Vomiting, with nausea" is
            # matched as "with nausea and vomiting" right after the diagnosis).
            linked = _WITH_RE.search(gap) or _WITH_RE.match(c.evidence.text)
            if previous is anchor and len(gap) <= 40 and linked:
                chained = True
            elif not (chained and id(previous) in integral and _LIST_GAP_RE.fullmatch(gap)):
                chained = False
            if chained:
                integral[id(c)] = anchor.code
        # Outpatient (IV.D); a discharge summary's symptoms are read whole by
        # coding/inpatient.py (I.B.5 / III.B).
        outpatient = document.setting.guidelines is Setting.OUTPATIENT
        for c, after in itertools.pairwise(group if outpatient else ()):
            if _symptom(c.code) and not _symptom(after.code) and not c.code.startswith(_CODED_WITH):
                gap = document.text[c.evidence.end : after.evidence.start]
                if len(gap) <= 40 and _ATTRIBUTED_RE.fullmatch(gap):
                    integral.setdefault(id(c), after.code)
    for c in candidates:
        if id(c) in integral:
            dropped.append(_drop(c, INTEGRAL, f"{c.code} integral to {integral[id(c)]}"))
        else:
            kept.append(c)
    return kept, dropped


def chronic_pain(
    document: ClinicalDocument, release: Release, candidates: list[Candidate]
) -> list[Candidate]:
    """I.C.6.b.1: "chronic back pain" is coded G89.29 with the site code (M54.9)."""
    added: list[Candidate] = []
    if release.get("G89.29") is None or any(c.code.startswith("G89") for c in candidates):
        return added
    for c in candidates:
        if not _PAIN_CODE_RE.match(c.code):
            continue
        before = document.text[max(0, c.evidence.start - 25) : c.evidence.start]
        if "chronic" in c.evidence.text.lower() or _CHRONIC_RE.search(before):
            entry = release.get("G89.29")
            added.append(
                replace(c, code="G89.29", title=entry.title if entry else "",
                        index_path="Pain, chronic, specified NEC", rules=(CHRONIC_PAIN,))
            )  # fmt: skip
            break
    return added


def pain_with_injury(
    candidates: list[Candidate],
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.B.5: pain is routinely part of an acute injury (a sprain, a fracture), so a pain
    code is not reported beside an injury code (S00-T14)."""
    if not any(re.match(r"^(S|T0|T1[0-4])", c.code) for c in candidates):
        return candidates, []
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        if re.match(r"^(R52|M79\.6|M25\.5|M54\.)", c.code):
            dropped.append(_drop(c, INTEGRAL, f"{c.code}: pain integral to the injury"))
        else:
            kept.append(c)
    return kept, dropped
