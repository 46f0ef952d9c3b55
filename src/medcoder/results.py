"""What coding returns: codes with evidence, index path, cited rules and confidence.

Every stage (diagnoses, external causes, E/M, ICD-10-PCS, HCPCS, CPT) reports in these
types, and the records database, the claim edits, the API and the CLI read them. The
module is neutral: it imports only ``kinds``, so any layer may use it without a loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medcoder.kinds import CodeSystem, PoaIndicator, Setting


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
class DroppedCandidate:
    """Something the engine considered and did not report, with the reason."""

    code: str | None
    text: str
    reason: str
    rule: RuleApplied
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class PoaProposal:
    """The engine's present-on-admission indicator for an inpatient diagnosis, with why.

    ``reason`` names the documentation pattern that decided it (e.g. "stated on
    admission", "developed during the stay", "chronic condition: present by default",
    "exempt list"); ``evidence`` quotes it where a span decided it.
    """

    indicator: PoaIndicator
    confidence: float
    reason: str
    evidence: tuple[Evidence, ...] = ()
    rule: RuleApplied | None = None


@dataclass(frozen=True, slots=True)
class CodeAssignment:
    code: str
    title: str
    system: CodeSystem
    release: str
    sequence: int  # 1 = first-listed (outpatient) / principal (inpatient)
    confidence: float
    evidence: tuple[Evidence, ...]
    index_path: str
    tabular_checks: tuple[str, ...]
    rules: tuple[RuleApplied, ...] = ()
    # Inpatient diagnoses only (Guidelines Appendix I); None elsewhere.
    poa: PoaProposal | None = None


@dataclass(frozen=True, slots=True)
class ProcedureAssignment:
    """One procedure, service, supply or drug code, with how it was found.

    ``path`` says how the code was built: the PCS table row and the value chosen on each
    axis, the HCPCS descriptor and dose arithmetic, or the CPT descriptor matched.
    ``uncertain_axes`` names the PCS axes (or other parts) the coder was unsure of, so a
    reviewing coder knows where to look.
    """

    code: str
    system: CodeSystem  # one of PROCEDURE_SYSTEMS
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
class StageFindings:
    """What one coding stage found: diagnosis codes (diagnosis and external-cause stages),
    procedure codes (PCS, HCPCS, CPT and E/M stages), the E/M level (E/M stage only), what
    it considered and dropped (negated, not performed, planned only, ...) with the reason,
    and notices (e.g. no release of the system covers the date)."""

    diagnoses: tuple[CodeAssignment, ...] = ()
    procedures: tuple[ProcedureAssignment, ...] = ()
    em_level: EMLevel | None = None
    dropped: tuple[DroppedCandidate, ...] = ()
    notices: tuple[str, ...] = ()

    def __add__(self, later: StageFindings) -> StageFindings:
        """The findings of two stages run in order (the first E/M level stands)."""
        return StageFindings(
            self.diagnoses + later.diagnoses,
            self.procedures + later.procedures,
            self.em_level or later.em_level,
            self.dropped + later.dropped,
            self.notices + later.notices,
        )


@dataclass(frozen=True, slots=True)
class CodingResult:
    document_id: str | None
    release: str
    setting: Setting
    date_of_service: str | None
    codes: tuple[CodeAssignment, ...]
    dropped: tuple[DroppedCandidate, ...] = ()
    notices: tuple[str, ...] = field(default_factory=tuple)
    # ICD-10-PCS, HCPCS and CPT codes, numbered apart from the diagnoses (issue 6)
    procedures: tuple[ProcedureAssignment, ...] = ()
    em_level: EMLevel | None = None
    # The probability that the diagnosis code set is exactly right as a whole (issue 14
    # part 3; coding/encounter.py); None where no model scored it.
    encounter_confidence: float | None = None
