"""What ``medcoder evaluate`` reports: scores, classified errors, calibration bins,
the per-case results and the whole report (rendered by evaluation/report.py; see
evaluation/scoring.py for what each figure means)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from medcoder.evaluation.autonomy import EncounterSummary
from medcoder.evaluation.gold import Prediction
from medcoder.evaluation.pcs import PcsScores

__all__ = [
    "CaseResult",
    "CodeError",
    "ErrorClassCounts",
    "EvaluationReport",
    "LevelScores",
    "ReliabilityBin",
    "Scores",
    "exactly_right",
]


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class LevelScores:
    """Scores at one level (code or category): pooled counts, micro and macro."""

    micro: Scores
    macro: Scores
    tp: int
    fp: int
    fn: int


@dataclass(frozen=True, slots=True)
class CodeError:
    """One classified difference: ``gold`` and/or ``predicted`` (both for a pair)."""

    kind: str  # missed | extra | wrong_specificity | missed_in_category | ...
    gold: str | None
    predicted: str | None


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What the coder got right and wrong on one case."""

    id: str
    gold: tuple[str, ...]
    predicted: tuple[Prediction, ...]
    true_positives: tuple[str, ...]
    missed: tuple[str, ...]  # gold codes not predicted exactly
    extra: tuple[str, ...]  # predicted codes not in the gold
    errors: tuple[CodeError, ...]
    code: Scores
    category: Scores
    seconds: float
    error: str | None = None  # the exception the coder raised on this case
    encounter_confidence: float | None = None
    encounter_features: tuple[float, ...] | None = None

    @property
    def perfect(self) -> bool:
        return self.error is None and not self.missed and not self.extra

    @property
    def exact(self) -> bool:
        """The code set is exactly the gold's reportable codes (a gold code the release
        cannot report is a code-set change, not a miss): an encounter that could have
        been finalized without review. See :func:`exactly_right`."""
        if self.error is not None:
            return False
        absent = {e.gold for e in self.errors if e.kind == "gold_not_in_release" and e.gold}
        reportable = [g for g in self.gold if g not in absent]
        return exactly_right(reportable, absent, [p.code for p in self.predicted])


def exactly_right(
    reportable: Iterable[str], absent: Iterable[str], predicted: Iterable[str]
) -> bool:
    """Predicted codes are the gold's reportable codes, no more and no fewer, where a gold
    code the release no longer reports is matched by one of its subdivisions: the code
    it became (gold R51 "Headache" of 2018 is R51.9 "Headache, unspecified" since FY2021,
    R51 a header) or by nothing. ``absent``: the gold codes the release cannot report."""
    wanted, found, gone = set(reportable), set(predicted), tuple(absent)
    extra = found - wanted
    return wanted <= found and all(any(p.startswith(g) for g in gone) for p in extra)


@dataclass(frozen=True, slots=True)
class ErrorClassCounts:
    missed: int
    extra: int
    wrong_specificity: int
    missed_in_category: int
    extra_in_category: int
    gold_not_in_release: int | None  # None when no code_exists was given


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    lower: float
    upper: float
    count: int
    mean_confidence: float | None  # None for an empty bin
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """Everything ``medcoder evaluate`` reports; render with evaluate_report."""

    n_cases: int
    coder_errors: int
    gold_codes: int
    predicted_codes: int
    gold_unparsed: int
    code: LevelScores
    category: LevelScores
    # Code level with gold codes not in the release left out of the gold (code_exists only).
    code_in_release: LevelScores | None
    error_classes: ErrorClassCounts
    top_missed: tuple[tuple[str, int], ...]
    top_extra: tuple[tuple[str, int], ...]
    top_not_in_release: tuple[tuple[str, int], ...]
    bins: tuple[ReliabilityBin, ...]
    ece: float
    elapsed_seconds: float
    notes_per_second: float
    jobs: int  # worker processes actually used (1 = sequential)
    cases: tuple[CaseResult, ...]
    notes: tuple[str, ...] = ()
    gold_path: str | None = None
    release: str | None = None
    procedures: PcsScores | None = None  # ICD-10-PCS, when the gold has a "pcs" field
    encounter: EncounterSummary | None = None  # exact match and the autonomy curve
