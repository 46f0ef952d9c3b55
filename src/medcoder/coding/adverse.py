"""Adverse effects of drugs correctly prescribed and properly taken.

ICD-10-CM Guidelines I.C.19.e.5.(a): code the nature of the adverse effect (urticaria,
dizziness) first, followed by the code for the drug from the Table of Drugs and
Chemicals' adverse-effect column (T36-T50 with 5 in the 5th or 6th character), with
the 7th character of the encounter (I.C.19.a: A while the condition is actively
treated). A poisoning (overdose, wrong drug, wrong dose: I.C.19.e.5.(b)) is a different
column and is left alone here.

The drug is read where the note links the effect to it: "urticaria due to amoxicillin",
"dizziness, a side effect of metoprolol", "lisinopril-induced cough". A word counts as a
drug only when it is a main term of the release's Table of Drugs with a code in the
adverse-effect column, so "pain due to the fall" names no drug.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medcoder.codesets.codes import with_seventh
from medcoder.codesets.store import Release
from medcoder.codesets.tables import DRUG_COLUMNS
from medcoder.codesets.text import norm_term
from medcoder.coding.candidate import Candidate
from medcoder.coding.companions import sentence_of
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import RuleApplied

ADVERSE_COLUMN = DRUG_COLUMNS["adverse-effect"]
_LINK_RE = re.compile(
    r"\b(?:adverse\s+(?:effects?|reactions?)\s+(?:of|to|from)|side\s+effects?\s+(?:of|from)|"
    r"due\s+to|caused\s+by|secondary\s+to|induced\s+by|reaction\s+to|intolerance\s+to|"
    r"related\s+to)\s+(?:(?:the|his|her|their|taking|starting|new|recent|oral)\s+)*"
    r"([A-Za-z][A-Za-z-]+)",
    re.IGNORECASE,
)
_INDUCED_RE = re.compile(r"\b([A-Za-z][A-Za-z]+)[- ](?:induced|related|associated)\b", re.I)
# I.C.19.e.5.(b): these make it a poisoning (or underdosing), not an adverse effect.
_NOT_AS_PRESCRIBED_RE = re.compile(
    r"\b(overdos\w*|poison\w*|too\s+(?:much|many)|wrong\s+(?:drug|medication|dose|pill)|"
    r"intentional\w*|suicid\w*|ingest\w*|not\s+as\s+prescribed|extra\s+doses?|"
    r"underdos\w*|stopped\s+taking|ran\s+out|by\s+mistake|in\s+error|double\s+dos\w*)\b",
    re.IGNORECASE,
)


def _adverse_code(release: Release, name: str) -> str | None:
    """The adverse-effect code (6 characters, no 7th) of a drug named by a main term of
    the Table of Drugs, or None; memoized per release and name."""
    memo = release.memo.setdefault("adverse_effect_codes", {})
    assert isinstance(memo, dict)
    if name in memo:
        found: str | None = memo[name]
        return found
    code = None
    if "drug" in release.books():
        for term in release.main_terms("drug", name):
            printed, resolved, _ = release.cells(term.id).get(ADVERSE_COLUMN, (None, None, None))
            cell = resolved or printed
            if cell and cell.startswith("T"):
                code = cell
                break
    memo[name] = code
    return code


def drugs_linked(release: Release, sentence: str) -> list[str]:
    """Names of drugs this sentence gives as the cause of something (in order)."""
    found: list[str] = []
    for pattern in (_LINK_RE, _INDUCED_RE):
        for m in pattern.finditer(sentence):
            name = norm_term(m.group(1))
            if name not in found and _adverse_code(release, name) is not None:
                found.append(name)
    return found


def adverse_effect_codes(release: Release, sentence: str, note: str) -> list[str]:
    """The T-codes (7th character A) of the drugs this sentence names as the cause of an
    effect, unless the note says a drug was not taken as prescribed (then the effect may
    be a poisoning or underdosing, which this does not code)."""
    if _NOT_AS_PRESCRIBED_RE.search(note):
        return []
    out: list[str] = []
    for name in drugs_linked(release, sentence):
        code = with_seventh(_adverse_code(release, name) or "", "A")
        entry = release.get(code)
        if entry is not None and entry.billable and code not in out:
            out.append(code)
    return out


def links_a_drug(release: Release, clause: str) -> bool:
    """A clause that links a condition to a drug ("urticaria due to amoxicillin"): the
    Index's "due to, drugs" subterms apply to it."""
    return bool(drugs_linked(release, clause))


ADVERSE_EFFECT = RuleApplied(
    "adverse-effect.v1",
    "ICD-10-CM Guidelines I.C.19.e.5.a",
    "a drug properly taken caused the effect: the Table of Drugs' adverse-effect code "
    "follows the nature of the effect",
)


def add_adverse_effects(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """I.C.19.e.5.a: after each effect whose sentence gives a drug as its cause, the
    drug's adverse-effect code (coding/adverse.py)."""
    result = list(order)
    for code in order:
        if code.startswith(("S", "T", "V", "W", "X", "Y", "Z")):
            continue
        for c in by_code[code]:
            sentence = sentence_of(document.text, c.evidence.start, c.evidence.end)
            for added in adverse_effect_codes(release, sentence, document.text):
                if added in by_code:
                    continue
                entry = release.get(added)
                by_code[added] = [
                    replace(c, code=added, title=entry.title if entry else "",
                            index_path="Table of Drugs and Chemicals, adverse effect",
                            source="index", tabular_checks=(), rules=(ADVERSE_EFFECT,))
                ]  # fmt: skip
                result.insert(result.index(code) + 1, added)
    return result
