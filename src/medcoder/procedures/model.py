"""What the procedure coders return: procedure codes and the E/M level, with evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from medcoder.coding.model import DroppedCandidate, Evidence, RuleApplied
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import Section

SYSTEMS = ("icd10pcs", "hcpcs", "cpt")


@dataclass(frozen=True, slots=True)
class ProcedureAssignment:
    """One procedure, service, supply or drug code, with how it was found.

    ``path`` says how the code was built: the PCS table row and the value chosen on each
    axis, the HCPCS descriptor and dose arithmetic, or the CPT descriptor matched.
    ``uncertain_axes`` names the PCS axes (or other parts) the coder was unsure of, so a
    reviewing coder knows where to look.
    """

    code: str
    system: str  # one of SYSTEMS
    title: str  # "" where no descriptor may be shown (CPT without a licensed file)
    release: str
    sequence: int
    confidence: float
    evidence: tuple[Evidence, ...]
    path: str
    checks: tuple[str, ...] = ()
    rules: tuple[RuleApplied, ...] = ()
    units: int = 1
    modifiers: tuple[str, ...] = ()
    uncertain_axes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MDMElement:
    """One of the three medical decision making elements of the 2021 E/M rules."""

    element: str  # problems | data | risk
    level: str  # straightforward | low | moderate | high
    detail: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class EMLevel:
    """The office/outpatient E/M level (99202-99205, 99211-99215) and why."""

    code: str
    patient_status: str  # new | established
    basis: str  # mdm | time
    mdm_level: str  # straightforward | low | moderate | high
    elements: tuple[MDMElement, ...]
    time_minutes: int | None
    time_evidence: Evidence | None
    confidence: float
    rules: tuple[RuleApplied, ...] = ()


@dataclass(frozen=True, slots=True)
class ProcedureFindings:
    """What one procedure stage found: codes, the E/M level (E/M stage only), and what it
    considered and dropped (not performed, planned only, ...), with the reason."""

    codes: tuple[ProcedureAssignment, ...] = ()
    em_level: EMLevel | None = None
    dropped: tuple[DroppedCandidate, ...] = ()
    notices: tuple[str, ...] = ()  # e.g. no release of the system covers the date


class ProcedureCoder(Protocol):
    """A stage that codes one procedure system from a document and its sections.

    Stages are independent and read only the document and its sections; the engine runs
    them after the diagnoses and numbers their codes in one sequence, in stage order.
    """

    def code_procedures(
        self, document: ClinicalDocument, sections: Sequence[Section]
    ) -> ProcedureFindings: ...
