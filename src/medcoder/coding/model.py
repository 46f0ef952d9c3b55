"""What the coding engine returns: codes with evidence, path, rules and confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # procedures.model builds on Evidence and RuleApplied defined here
    from medcoder.procedures.model import EMLevel, ProcedureAssignment


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the note that supports a code."""

    start: int
    end: int
    text: str
    section: str


@dataclass(frozen=True, slots=True)
class RuleApplied:
    """A named, versioned coding rule and the guideline section it follows."""

    rule: str  # e.g. "uncertain-outpatient.v1"
    guideline: str  # e.g. "ICD-10-CM Guidelines IV.H"
    detail: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """One condition mention turned into a code, before the guideline rules run."""

    code: str
    title: str
    evidence: Evidence
    index_path: str  # main term, subterms (or Tabular title) it was found by
    source: str  # index | curated | tabular
    tabular_checks: tuple[str, ...]
    section: str
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    family: bool = False
    hypothetical: bool = False
    assertion_triggers: tuple[str, ...] = ()
    depth: int = 0  # index subterm levels matched beyond the mention itself
    sentence: int = 0  # index of the sentence in the note
    problem_line: bool = False  # a short problem heading in the assessment ("Kidney stones.")
    history_code: str | None = None  # the personal-history Z code if the condition is past
    history_path: str = ""
    rules: tuple[RuleApplied, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeAssignment:
    code: str
    title: str
    system: str
    release: str
    sequence: int  # 1 = first-listed (outpatient) / principal (inpatient)
    confidence: float
    evidence: tuple[Evidence, ...]
    index_path: str
    tabular_checks: tuple[str, ...]
    rules: tuple[RuleApplied, ...] = ()


@dataclass(frozen=True, slots=True)
class DroppedCandidate:
    """Something the engine considered and did not report, with the reason."""

    code: str | None
    text: str
    reason: str
    rule: RuleApplied
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class CodingResult:
    document_id: str | None
    release: str
    setting: str
    date_of_service: str | None
    codes: tuple[CodeAssignment, ...]
    dropped: tuple[DroppedCandidate, ...] = ()
    notices: tuple[str, ...] = field(default_factory=tuple)
    # ICD-10-PCS, HCPCS and CPT codes, numbered apart from the diagnoses (issue 6)
    procedures: tuple[ProcedureAssignment, ...] = ()
    em_level: EMLevel | None = None
