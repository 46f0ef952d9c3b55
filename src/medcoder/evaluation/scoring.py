"""Scoring a coder's codes against the gold: levels, error classes, calibration.

Scoring (per case, then over all cases):

* **code level** compares normalized codes; **category level** compares their first
  three characters (``E11.9`` -> ``E11``), each side as a set.
* **micro** scores pool the true positives, false positives and false negatives of all
  cases; **macro** scores average each case's precision, recall and F1 (so macro F1 is
  the mean of the cases' F1, not the harmonic mean of macro P and R).
* A case with nothing to find and nothing found scores 1 (precision, recall, F1); no
  predictions against gold codes scores precision 0, and predictions where the gold
  has none score recall 0.
* A case whose coder raised counts as predicting nothing (its gold codes are missed):
  a crash is the engine's failure too. The message is kept on the case and
  ``coder_errors`` counts them.

Error classes (every code-level miss or extra is exactly one of these):

* ``gold_not_in_release``: a missed gold code that ``code_exists`` says cannot be
  reported from the release used (CodiEsp is coded with 2018 codes: R51 and M54.5 were
  billable then and are headers now, and its external-cause codes lack the 7th
  character); kept apart so it is not blamed on the engine, and left out of
  wrong-specificity pairing. Only when ``code_exists`` is
  given (otherwise ``None``).
* ``wrong_specificity``: a missed gold code and an extra predicted code in the same
  category, paired greedily by longest common prefix; each pair counts once.
* ``missed``: a missed gold code with no predicted code in its category.
* ``extra``: an extra predicted code with no gold code in its category.
* ``missed_in_category`` / ``extra_in_category``: left over after pairing in a category
  that the other side does have (gold E11.9 + E11.65 against predicted E11.9).

Calibration: every (de-duplicated) predicted code falls in a confidence bin
``[0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]`` (confidences are clamped to [0, 1]); a bin
shows its count, mean confidence and accuracy (the fraction of its codes in the gold).
ECE is the count-weighted mean of ``|accuracy - mean confidence|`` over the bins
(0.0 when nothing was predicted).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from medcoder.evaluation.gold import Prediction, canonical
from medcoder.evaluation.results import CodeError, LevelScores, ReliabilityBin, Scores

__all__ = [
    "BIN_COUNT",
    "category",
    "classify",
    "counts",
    "dedupe",
    "expected_calibration_error",
    "level",
    "reliability",
    "scores",
]

BIN_COUNT = 10


def category(code: str) -> str:
    return code[:3]


def scores(tp: int, fp: int, fn: int) -> Scores:
    # Nothing to find and nothing found is perfect; see the module docstring.
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def counts(gold: Sequence[str], predicted: Sequence[str]) -> tuple[int, int, int]:
    gold_set, predicted_set = set(gold), set(predicted)
    tp = len(gold_set & predicted_set)
    return tp, len(predicted_set) - tp, len(gold_set) - tp


def level(per_case: Sequence[tuple[int, int, int]]) -> LevelScores:
    tp = sum(c[0] for c in per_case)
    fp = sum(c[1] for c in per_case)
    fn = sum(c[2] for c in per_case)
    case_scores = [scores(*c) for c in per_case]
    n = len(case_scores)
    macro = Scores(
        sum(s.precision for s in case_scores) / n,
        sum(s.recall for s in case_scores) / n,
        sum(s.f1 for s in case_scores) / n,
    )
    return LevelScores(scores(tp, fp, fn), macro, tp, fp, fn)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.replace(".", ""), b.replace(".", ""), strict=False):
        if x != y:
            break
        n += 1
    return n


_KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            "gold_not_in_release",
            "wrong_specificity",
            "missed",
            "missed_in_category",
            "extra",
            "extra_in_category",
        )
    )
}


def classify(
    gold: Sequence[str],
    predicted: Sequence[str],
    in_release: Callable[[str], bool] | None,
) -> tuple[CodeError, ...]:
    predicted_set, gold_set = set(predicted), set(gold)
    missed = [g for g in gold if g not in predicted_set]
    extra = [p for p in predicted if p not in gold_set]
    errors: list[CodeError] = []
    if in_release is not None:
        absent = [g for g in missed if not in_release(g)]
        errors.extend(CodeError("gold_not_in_release", g, None) for g in absent)
        missed = [g for g in missed if g not in absent]
    # Greedy pairing: the closest codes in a category first (E11.65 pairs with E11.649
    # before E11.9); ties broken by code so the result does not depend on input order.
    pairs = sorted(
        ((g, p) for g in missed for p in extra if category(g) == category(p)),
        key=lambda gp: (-_common_prefix(*gp), gp),
    )
    paired_gold: set[str] = set()
    paired_predicted: set[str] = set()
    for g, p in pairs:
        if g not in paired_gold and p not in paired_predicted:
            paired_gold.add(g)
            paired_predicted.add(p)
            errors.append(CodeError("wrong_specificity", g, p))
    gold_categories = {category(g) for g in gold}
    predicted_categories = {category(p) for p in predicted}
    for g in missed:
        if g not in paired_gold:
            kind = "missed_in_category" if category(g) in predicted_categories else "missed"
            errors.append(CodeError(kind, g, None))
    for p in extra:
        if p not in paired_predicted:
            kind = "extra_in_category" if category(p) in gold_categories else "extra"
            errors.append(CodeError(kind, None, p))
    errors.sort(key=lambda e: _KIND_ORDER[e.kind])  # stable: keeps gold / predicted order
    return tuple(errors)


def dedupe(predictions: Sequence[Prediction]) -> tuple[Prediction, ...]:
    """Canonical codes, each once, with its highest confidence clamped to [0, 1]."""
    best: dict[str, float] = {}
    for prediction in predictions:
        code = canonical(prediction.code)
        confidence = float(prediction.confidence)
        confidence = 0.0 if math.isnan(confidence) else min(1.0, max(0.0, confidence))
        if code not in best or confidence > best[code]:
            best[code] = confidence
    return tuple(Prediction(code, confidence) for code, confidence in best.items())


def expected_calibration_error(pairs: Sequence[tuple[float, bool]]) -> float:
    """ECE over the report's ten confidence bins (see the module docstring)."""
    return reliability(pairs)[1] if pairs else 0.0


def reliability(pairs: Sequence[tuple[float, bool]]) -> tuple[tuple[ReliabilityBin, ...], float]:
    members: list[list[tuple[float, bool]]] = [[] for _ in range(BIN_COUNT)]
    for confidence, correct in pairs:
        members[min(int(confidence * BIN_COUNT), BIN_COUNT - 1)].append((confidence, correct))
    bins: list[ReliabilityBin] = []
    ece = 0.0
    for i, group in enumerate(members):
        lower, upper = i / BIN_COUNT, (i + 1) / BIN_COUNT
        if not group:
            bins.append(ReliabilityBin(lower, upper, 0, None, None))
            continue
        mean_confidence = sum(c for c, _ in group) / len(group)
        accuracy = sum(1 for _, ok in group if ok) / len(group)
        bins.append(ReliabilityBin(lower, upper, len(group), mean_confidence, accuracy))
        ece += len(group) / len(pairs) * abs(accuracy - mean_confidence)
    return tuple(bins), ece
