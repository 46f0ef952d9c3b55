"""Severe sepsis: sepsis with acute organ dysfunction that the note attributes to it.

ICD-10-CM Guidelines I.C.1.d.1.(b) and I.C.1.d.4: severe sepsis is coded with the code
for the underlying systemic infection first, then R65.20 (R65.21 with septic shock), then
the codes of the acute organ dysfunction. The organ dysfunction must be linked to the
sepsis by the note ("acute kidney injury due to sepsis", "sepsis-induced encephalopathy",
or "sepsis with acute respiratory failure", the Index's "Sepsis, with, organ
dysfunction"); where it is put down to another condition, or the note does not say, the
guideline asks the provider, and nothing is added here.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.companions import sentence_of
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import RuleApplied

SEVERE_SEPSIS = RuleApplied(
    "severe-sepsis.v1",
    "ICD-10-CM Guidelines I.C.1.d.1.b / I.C.1.d.4",
    "sepsis with acute organ dysfunction attributed to it: R65.20 after the systemic "
    "infection code",
)
SEVERE = "R65.20"
UNSPECIFIED_SEPSIS = "A41.9"  # I.C.1.d.1.a: no organism or type of infection documented
# Acute organ dysfunction (I.C.1.d.1.a examples and their common kin): acute kidney
# failure, acute respiratory failure, ARDS, encephalopathy, acute hepatic failure,
# DIC and other coagulopathy, thrombocytopenia.
ORGAN_DYSFUNCTION = ("N17", "J96.0", "J96.2", "J80", "G93.4", "K72.0", "D65", "D68.", "D69.")
_SYSTEMIC = ("A40", "A41", "A02.1", "A22.7", "A26.7", "A32.7", "A39.4", "A42.7", "B37.7")
_ATTRIBUTED_RE = re.compile(
    r"\b(?:due\s+to|from|secondary\s+to|caused\s+by|because\s+of|related\s+to|"
    r"in\s+the\s+setting\s+of|attributed\s+to)\s+(?:the\s+|his\s+|her\s+)?"
    r"(?:sepsis|septicemia|urosepsis)\b|\bsep(?:sis|tic)[- ](?:induced|associated|related)\b|"
    r"\bseptic\s+encephalopathy\b",
    re.IGNORECASE,
)
_WITH_RE = re.compile(r"\bwith\b", re.IGNORECASE)


def _attributed(document: ClinicalDocument, organ: Candidate, sepsis: list[Candidate]) -> bool:
    text = document.text
    if _ATTRIBUTED_RE.search(sentence_of(text, organ.evidence.start, organ.evidence.end)):
        return True
    # "Sepsis ... with acute kidney injury" in one sentence: the Index "with" link.
    return any(
        s.sentence == organ.sentence
        and s.evidence.end <= organ.evidence.start
        and _WITH_RE.search(text[s.evidence.end : organ.evidence.start])
        for s in sepsis
    )


def severe_sepsis(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """``order`` with R65.20 after the first systemic infection code, where it applies;
    a severe sepsis or septic shock code the note names itself goes after the systemic
    infection code, A41.9 where the note names no systemic infection (I.C.1.d.1.a)."""
    systemic = [code for code in order if code.startswith(_SYSTEMIC)]
    named = [code for code in order if code.startswith("R65.2")]
    if named:
        return _after_systemic(release, by_code, order, systemic, named[0])
    if release.get(SEVERE) is None or not systemic:
        return order
    sepsis = [c for code in systemic for c in by_code[code]]
    linked = any(
        _attributed(document, organ, sepsis)
        for code in order
        if code.startswith(ORGAN_DYSFUNCTION)
        for organ in by_code[code]
    )
    if not linked:
        return order
    first = systemic[0]
    entry = release.get(SEVERE)
    by_code[SEVERE] = [
        replace(
            by_code[first][0],
            code=SEVERE,
            title=entry.title if entry else "",
            index_path="Sepsis, with, organ dysfunction",
            tabular_checks=(),
            rules=(SEVERE_SEPSIS,),
        )
    ]
    result = list(order)
    result.insert(result.index(first) + 1, SEVERE)
    return result


def _after_systemic(
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
    systemic: list[str],
    severe: str,
) -> list[str]:
    """The systemic infection code, then the severe sepsis code, where the first of the two
    stood (I.C.1.d.2 / I.C.1.d.4: the systemic infection is sequenced first)."""
    if not systemic:
        entry = release.get(UNSPECIFIED_SEPSIS)
        if entry is None:
            return order
        by_code[UNSPECIFIED_SEPSIS] = [
            replace(c, code=UNSPECIFIED_SEPSIS, title=entry.title, index_path="Sepsis",
                    tabular_checks=(), rules=(*c.rules, SEVERE_SEPSIS))
            for c in by_code[severe][:1]
        ]  # fmt: skip
        systemic = [UNSPECIFIED_SEPSIS]
    first = systemic[0]
    at = min(order.index(severe), order.index(first) if first in order else len(order))
    result = [code for code in order if code not in (severe, first)]
    result[at:at] = [first, severe]
    return result
