"""Autonomous coding, measured: encounter exact match, the autonomy curve, and the fit.

An encounter is *exactly right* when its reported ICD-10-CM codes are the gold codes
that the release can report, no more and no fewer (a gold code the release does not have
is a code-set change, not a miss; see ``run.py``). The **autonomy curve** says, for each
threshold t, the share of encounters whose encounter confidence is at least t
(``coverage``: they would be finalized without review) and the share of those that are
exactly right (``precision``). :func:`pick_threshold` is the lowest threshold whose
precision reaches a target: the most encounters that may go unreviewed at that precision.

The encounter model (``coding/encounter.py``) is a logistic regression, fitted here by
Newton's method (iteratively reweighted least squares) with an L2 penalty, in plain
Python: fifteen features and a few hundred notes need no numerical library, and the
project depends on none. :func:`cross_validated` gives out-of-fold probabilities (each
note scored by a model fitted without it), the figures to report.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.coding.encounter import FEATURES, EncounterModel

__all__ = [
    "THRESHOLDS",
    "AutonomyPoint",
    "EncounterSummary",
    "autonomy_curve",
    "cross_validated",
    "expected_calibration_error",
    "fit_logistic",
    "pick_threshold",
    "summarize_encounters",
]

THRESHOLDS: tuple[float, ...] = (
    *(round(0.05 * i, 2) for i in range(20)), 0.96, 0.97, 0.98, 0.99,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AutonomyPoint:
    """Encounters at or above ``threshold``: how many, their share, how many exactly right."""

    threshold: float
    above: int
    coverage: float  # above / all encounters
    exact: int
    precision: float | None  # exact / above; None when none is above


def autonomy_curve(
    pairs: Sequence[tuple[float, bool]], thresholds: Sequence[float] = THRESHOLDS
) -> tuple[AutonomyPoint, ...]:
    """``pairs``: (encounter confidence, exactly right) per encounter."""
    n = len(pairs)
    points = []
    for t in sorted(set(thresholds)):
        chosen = [ok for confidence, ok in pairs if confidence >= t]
        exact = sum(chosen)
        points.append(
            AutonomyPoint(
                t, len(chosen), len(chosen) / n if n else 0.0, exact,
                exact / len(chosen) if chosen else None,
            )
        )  # fmt: skip
    return tuple(points)


def pick_threshold(
    points: Sequence[AutonomyPoint], precision: float, *, min_above: int = 1
) -> AutonomyPoint | None:
    """The lowest threshold whose encounters reach ``precision`` (at least ``min_above``
    of them), or None when no threshold does."""
    for point in sorted(points, key=lambda p: p.threshold):
        if point.above >= min_above and (point.precision or 0.0) >= precision:
            return point
    return None


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Count-weighted mean |accuracy - mean confidence| over equal-width bins."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, ok in pairs:
        groups[min(int(confidence * bins), bins - 1)].append((confidence, ok))
    total = len(pairs)
    return sum(
        len(g) / total * abs(sum(ok for _, ok in g) / len(g) - sum(c for c, _ in g) / len(g))
        for g in groups
        if g
    )


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is small and, with the L2
    penalty, positive definite)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            f = a[r][col] / a[col][col]
            if f:
                for c in range(col, n + 1):
                    a[r][c] -= f * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def fit_logistic(
    rows: Sequence[Sequence[float]],
    labels: Sequence[bool],
    *,
    l2: float = 1.0,
    iterations: int = 25,
    features: tuple[str, ...] | None = None,
    weights: Sequence[float] | None = None,
) -> EncounterModel:
    """A logistic regression of ``labels`` on ``rows`` (standardized; the intercept is
    not penalized); ``weights``: how much each row counts (1 each by default);
    ``features``: the columns' names (default: :data:`FEATURES` when the widths match)."""
    if not rows:
        raise ValueError("no rows to fit")
    width = len(rows[0])
    means = [sum(r[j] for r in rows) / len(rows) for j in range(width)]
    scales = []
    for j in range(width):
        var = sum((r[j] - means[j]) ** 2 for r in rows) / len(rows)
        scales.append(math.sqrt(var) if var > 1e-12 else 1.0)
    x = [[1.0] + [(r[j] - means[j]) / scales[j] for j in range(width)] for r in rows]
    y = [1.0 if label else 0.0 for label in labels]
    counts = list(weights) if weights is not None else [1.0] * len(rows)
    beta = [0.0] * (width + 1)
    for _ in range(iterations):
        gradient = [0.0] * (width + 1)
        hessian = [[0.0] * (width + 1) for _ in range(width + 1)]
        for xi, yi, ci in zip(x, y, counts, strict=True):
            z = sum(b * v for b, v in zip(beta, xi, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            w = ci * max(p * (1 - p), 1e-9)
            for j in range(width + 1):
                gradient[j] += ci * (yi - p) * xi[j]
                wj = w * xi[j]
                row = hessian[j]
                for k in range(j + 1):
                    row[k] += wj * xi[k]
        for j in range(width + 1):
            for k in range(j):
                hessian[k][j] = hessian[j][k]
            if j:
                gradient[j] -= l2 * beta[j]
                hessian[j][j] += l2
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    if features is None:
        features = FEATURES if len(FEATURES) == width else tuple(f"x{j}" for j in range(width))
    return EncounterModel(features, beta[0], tuple(beta[1:]), tuple(means), tuple(scales))


def folds(n: int, k: int, seed: int = 14) -> list[int]:
    """Fold number of each of ``n`` items: shuffled with ``seed``, dealt round-robin."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold = [0] * n
    for position, item in enumerate(order):
        fold[item] = position % k
    return fold


def cross_validated(
    rows: Sequence[Sequence[float]],
    labels: Sequence[bool],
    *,
    k: int = 5,
    seed: int = 14,
    l2: float = 1.0,
    groups: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> list[float]:
    """Out-of-fold probabilities: each row scored by a model fitted on the other folds.
    ``groups`` (e.g. the corpus of each row) are split into folds each on its own, so
    every fold holds its share of every group."""
    n = len(rows)
    if k < 2 or n < k:
        raise ValueError(f"cross-validation needs 2 <= k <= {n} rows, not k={k}")
    fold = [0] * n
    for group in sorted(set(groups)) if groups is not None else [None]:
        members = [i for i in range(n) if groups is None or groups[i] == group]
        for i, f in zip(members, folds(len(members), k, seed), strict=True):
            fold[i] = f
    out = [0.0] * n
    for f in range(k):
        train = [i for i in range(n) if fold[i] != f]
        model = fit_logistic(
            [rows[i] for i in train],
            [labels[i] for i in train],
            l2=l2,
            weights=[weights[i] for i in train] if weights is not None else None,
        )
        for i in range(n):
            if fold[i] == f:
                out[i] = model.probability(rows[i])
    return out


@dataclass(frozen=True, slots=True)
class EncounterSummary:
    """The encounter-level figures of one evaluation run (``medcoder evaluate``)."""

    cases: int
    exact: int  # encounters whose code set is exactly the reportable gold
    exact_rate: float
    source: str  # where the encounter confidences came from
    scored: int  # encounters that had a confidence
    ece: float | None
    target_precision: float
    chosen: AutonomyPoint | None  # lowest threshold reaching target_precision
    curve: tuple[AutonomyPoint, ...]


def summarize_encounters(
    exact: Sequence[bool],
    confidences: Sequence[float | None],
    features: Sequence[Sequence[float] | None],
    *,
    target_precision: float = 0.95,
    folds: int = 0,
    seed: int = 14,
) -> EncounterSummary:
    """Exact-match rate and the autonomy curve of one run. ``folds`` >= 2 refits the
    encounter model on this run's cases with k-fold cross-validation and uses the
    out-of-fold probabilities (the figures to report for a gold file the shipped model
    was fitted on); otherwise the confidences the coder gave are used as they are. A case
    with no confidence (a coder error, a coder with no encounter model) counts as 0:
    never finalized without review."""
    n = len(exact)
    if folds >= 2:
        have = [i for i in range(n) if features[i] is not None]
        if len(have) < folds:
            raise ValueError(f"{folds}-fold cross-validation needs {folds} scored cases")
        rows = [tuple(features[i] or ()) for i in have]
        oof = cross_validated(rows, [exact[i] for i in have], k=folds, seed=seed)
        scores: list[float | None] = [None] * n
        for i, p in zip(have, oof, strict=True):
            scores[i] = p
        source = f"out-of-fold, {folds}-fold cross-validation on these cases (seed {seed})"
    else:
        scores = list(confidences)
        source = "the shipped model (in-sample on the dev sets it was fitted on)"
    scored = [(s, ok) for s, ok in zip(scores, exact, strict=True) if s is not None]
    pairs = [(s if s is not None else 0.0, ok) for s, ok in zip(scores, exact, strict=True)]
    curve = autonomy_curve(pairs)
    hits = sum(exact)
    return EncounterSummary(
        cases=n,
        exact=hits,
        exact_rate=hits / n if n else 0.0,
        source=source if scored else "no encounter confidence",
        scored=len(scored),
        ece=expected_calibration_error(scored) if scored else None,
        target_precision=target_precision,
        chosen=pick_threshold(curve, target_precision) if scored else None,
        curve=curve if scored else (),
    )
