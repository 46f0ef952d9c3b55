"""Running a coder over a gold file and scoring it: ``medcoder evaluate``.

``medcoder evaluate GOLD.jsonl`` calls :func:`~medcoder.evaluation.engine.run_evaluation`;
the pieces underneath work with any coder (a function from a :class:`GoldCase` to
:class:`Prediction` s), so tests use a fake and the engine is one coder among others
(evaluation/engine.py). The gold file is read by evaluation/gold.py, the scores and
error classes are defined in evaluation/scoring.py, and the report's types live in
evaluation/results.py (all re-exported here). The coder runs in this process or in
workers (evaluation/workers.py: ``jobs > 1`` only when the coder can be pickled).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

from medcoder.errors import InvalidInputError
from medcoder.evaluation.autonomy import summarize_encounters
from medcoder.evaluation.gold import (
    CodedNote,
    Coder,
    GoldCase,
    Prediction,
    canonical,
    load_gold,
    parses,
    unique,
)
from medcoder.evaluation.pcs import score_pcs
from medcoder.evaluation.results import (
    CaseResult,
    CodeError,
    ErrorClassCounts,
    EvaluationReport,
    LevelScores,
    ReliabilityBin,
    Scores,
)
from medcoder.evaluation.scoring import (
    BIN_COUNT,
    category,
    classify,
    counts,
    dedupe,
    expected_calibration_error,
    level,
    reliability,
    scores,
)
from medcoder.evaluation.workers import code_case, picklable, run_parallel
from medcoder.kinds import CodeSystem

__all__ = [
    "BIN_COUNT",
    "CaseResult",
    "CodeError",
    "CodedNote",
    "Coder",
    "ErrorClassCounts",
    "EvaluationReport",
    "GoldCase",
    "LevelScores",
    "Prediction",
    "ReliabilityBin",
    "Scores",
    "evaluate",
    "expected_calibration_error",
    "load_gold",
]


def _top(counter: Counter[str], top: int) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def evaluate(
    cases: Sequence[GoldCase],
    coder: Coder,
    *,
    code_exists: Callable[[str], bool] | None = None,
    jobs: int = 1,
    top: int = 10,
    progress: Callable[[int], None] | None = None,
    autonomy_precision: float = 0.95,
    encounter_folds: int = 0,
    unscored: Sequence[str] = (),
) -> EvaluationReport:
    """Run ``coder`` on every case and score it against the gold codes.

    ``unscored``: ICD-10-CM code prefixes left out of the scoring, gold and predictions
    alike (a gold set whose annotators never coded a family, e.g. long-term drug therapy
    Z79 that Guidelines I.C.4.a.3 asks for): said in the report's notes, never silent.

    ``autonomy_precision``: the share of exactly right encounters the autonomy threshold
    must reach; ``encounter_folds`` >= 2: score encounters out-of-fold with a model
    refitted on these cases (evaluation/autonomy.py), else with the coder's own.

    ``code_exists`` says whether a gold code is in the release the coder used (gold codes
    it rejects are reported as ``gold_not_in_release``); ``top`` is how many of the most
    frequent missed / extra codes to list; ``progress`` is called with 1 per case coded.
    """
    if not cases:
        raise InvalidInputError("no cases to evaluate")
    if jobs < 1:
        raise InvalidInputError(f"jobs must be 1 or more, not {jobs}")
    if not 0 < autonomy_precision <= 1:
        raise InvalidInputError(f"autonomy precision must be in (0, 1], not {autonomy_precision}")
    if encounter_folds == 1 or encounter_folds < 0 or encounter_folds > len(cases):
        raise InvalidInputError(
            f"encounter folds must be 0 (off) or 2 to {len(cases)}, not {encounter_folds}"
        )
    notes: list[str] = []
    left_out = tuple(sorted({canonical(u).upper() for u in unscored if u.strip()}))
    if left_out:
        notes.append(
            f"codes starting with {', '.join(left_out)} left out of the scoring "
            "(gold and predictions)"
        )
    workers = min(jobs, len(cases))
    if workers > 1:
        why = picklable(coder)
        if why is not None:
            notes.append(f"ran sequentially: the coder cannot be pickled ({why})")
            workers = 1
    start = time.perf_counter()
    if workers > 1:
        outcomes = run_parallel(cases, coder, workers, progress)
    else:
        outcomes = []
        for case in cases:
            outcomes.append(code_case((coder, case)))
            if progress is not None:
                progress(1)
    elapsed = time.perf_counter() - start

    exists_memo: dict[str, bool] = {}

    def in_release(code: str) -> bool:
        assert code_exists is not None
        if code not in exists_memo:
            exists_memo[code] = bool(code_exists(code))
        return exists_memo[code]

    results: list[CaseResult] = []
    code_counts: list[tuple[int, int, int]] = []
    category_counts: list[tuple[int, int, int]] = []
    in_release_counts: list[tuple[int, int, int]] = []
    calibration: list[tuple[float, bool]] = []
    missed_counter: Counter[str] = Counter()
    extra_counter: Counter[str] = Counter()
    absent_counter: Counter[str] = Counter()
    gold_unparsed = 0
    pcs_pairs: list[tuple[Sequence[str], Sequence[str]]] = []
    for case, outcome in zip(cases, outcomes, strict=True):
        gold = unique([canonical(c) for c in case.codes if not canonical(c).startswith(left_out)])
        gold_unparsed += sum(1 for c in gold if not parses(c))
        if case.pcs is not None:
            pcs_pairs.append(
                (case.pcs, [p.code for p in outcome.predictions if p.system is CodeSystem.ICD10PCS])
            )
        predictions = dedupe(
            [p for p in outcome.predictions
             if p.system is CodeSystem.ICD10CM and not (left_out and p.code.startswith(left_out))]
        )  # fmt: skip
        predicted = tuple(p.code for p in predictions)
        gold_set, predicted_set = set(gold), set(predicted)
        errors = classify(gold, predicted, in_release if code_exists is not None else None)
        code_level = counts(gold, predicted)
        category_level = counts(unique(map(category, gold)), unique(map(category, predicted)))
        code_counts.append(code_level)
        category_counts.append(category_level)
        if code_exists is not None:
            kept = [g for g in gold if in_release(g)]
            in_release_counts.append(counts(kept, predicted))
        calibration.extend((p.confidence, p.code in gold_set) for p in predictions)
        missed = tuple(g for g in gold if g not in predicted_set)
        extra = tuple(p for p in predicted if p not in gold_set)
        absent = {e.gold for e in errors if e.kind == "gold_not_in_release"}
        missed_counter.update(g for g in missed if g not in absent)
        absent_counter.update(g for g in missed if g in absent)
        extra_counter.update(extra)
        results.append(
            CaseResult(
                id=case.id,
                gold=gold,
                predicted=predictions,
                true_positives=tuple(g for g in gold if g in predicted_set),
                missed=missed,
                extra=extra,
                errors=errors,
                code=scores(*code_level),
                category=scores(*category_level),
                seconds=outcome.seconds,
                error=outcome.error,
                encounter_confidence=outcome.encounter_confidence,
                encounter_features=outcome.encounter_features,
            )
        )

    kinds = Counter(e.kind for r in results for e in r.errors)
    try:
        encounter = summarize_encounters(
            [r.exact for r in results],
            [r.encounter_confidence for r in results],
            [r.encounter_features for r in results],
            target_precision=autonomy_precision,
            folds=encounter_folds,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from exc
    bins, ece = reliability(calibration)
    return EvaluationReport(
        n_cases=len(results),
        coder_errors=sum(1 for r in results if r.error is not None),
        gold_codes=sum(len(r.gold) for r in results),
        predicted_codes=sum(len(r.predicted) for r in results),
        gold_unparsed=gold_unparsed,
        code=level(code_counts),
        category=level(category_counts),
        code_in_release=level(in_release_counts) if code_exists is not None else None,
        error_classes=ErrorClassCounts(
            missed=kinds["missed"],
            extra=kinds["extra"],
            wrong_specificity=kinds["wrong_specificity"],
            missed_in_category=kinds["missed_in_category"],
            extra_in_category=kinds["extra_in_category"],
            gold_not_in_release=kinds["gold_not_in_release"] if code_exists is not None else None,
        ),
        top_missed=_top(missed_counter, top),
        top_extra=_top(extra_counter, top),
        top_not_in_release=_top(absent_counter, top),
        bins=bins,
        ece=ece,
        elapsed_seconds=elapsed,
        notes_per_second=len(results) / elapsed if elapsed > 0 else 0.0,
        jobs=workers,
        cases=tuple(results),
        notes=tuple(notes),
        procedures=score_pcs(pcs_pairs) if pcs_pairs else None,
        encounter=encounter,
    )
