"""Indirect standardization for ``outcomes`` (issue 15 part 3): the statistics, apart from
the report that uses them.

- ``fit_logistic``: a logistic regression fitted by iteratively reweighted least squares
  (Newton-Raphson on the log-likelihood; written here in plain Python: statsmodels and
  scikit-learn are not installed, and numpy is not a dependency of the base install), the
  reference population's model of an outcome on its predictors (``outcomes``: the van
  Walraven 2009 Elixhauser index of ``comorbidity_maps`` and age);
- ``observed_expected``: a cohort's observed count O against its expected count E (the sum
  of the model's probabilities over its stays), O/E with a 95% interval by Byar's
  approximation to the Poisson interval of O (Breslow & Day 1987, vol. II, section 2.2):
  lower = O (1 - 1/(9 O) - z / (3 sqrt O))^3 / E, upper = (O + 1) (1 - 1/(9 (O + 1)) +
  z / (3 sqrt(O + 1)))^3 / E, z = 1.96 (lower 0 when O = 0).

Not estimable (``NotEstimable``): fewer than ``MIN_STAYS`` reference stays, no event or
no non-event (the likelihood has no finite maximum), a singular design, or no
convergence in ``MAX_ITER`` steps; the report then says "not estimable", never a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_STAYS = 50
MAX_ITER = 50
Z95 = 1.959963984540054


class NotEstimable(Exception):
    """The reference population cannot support the model (the reason is the message)."""


@dataclass(frozen=True, slots=True)
class LogisticModel:
    coefficients: tuple[float, ...]  # intercept first, then one per predictor
    iterations: int

    def probability(self, predictors: Sequence[float]) -> float:
        eta = self.coefficients[0] + sum(
            b * x for b, x in zip(self.coefficients[1:], predictors, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-eta))


def fit_logistic(rows: Sequence[Sequence[float]], outcomes: Sequence[int]) -> LogisticModel:
    """Maximum-likelihood logistic fit of ``outcomes`` (0/1) on ``rows`` (an intercept is
    added), by IRLS: beta <- beta + (X' W X)^-1 X' (y - p), W = diag(p (1 - p)). Plain
    Python: a handful of predictors, so the k x k system is solved by Gaussian elimination
    (numpy is not a dependency of medcoder's base install)."""
    n = len(outcomes)
    events = sum(outcomes)
    if n < MIN_STAYS:
        raise NotEstimable(f"{n} reference stays (fewer than {MIN_STAYS})")
    if events in (0, n):
        raise NotEstimable("no events" if events == 0 else "every stay an event")
    x = [(1.0, *map(float, r)) for r in rows]
    k = len(x[0])
    beta = [math.log(events / (n - events))] + [0.0] * (k - 1)
    for step in range(1, MAX_ITER + 1):
        info = [[0.0] * k for _ in range(k)]
        score = [0.0] * k
        for xi, yi in zip(x, outcomes, strict=True):
            eta = sum(b * v for b, v in zip(beta, xi, strict=True))
            p = 1.0 / (1.0 + math.exp(-eta)) if eta > -700 else 0.0
            w = p * (1.0 - p)
            for a in range(k):
                score[a] += xi[a] * (yi - p)
                for b in range(a, k):
                    info[a][b] += w * xi[a] * xi[b]
        for a in range(k):
            for b in range(a):
                info[a][b] = info[b][a]
        delta = _solve(info, score)
        beta = [b + d for b, d in zip(beta, delta, strict=True)]
        if not all(math.isfinite(b) for b in beta):
            raise NotEstimable("the fit diverged (separation)")
        if max(abs(d) for d in delta) < 1e-10:
            return LogisticModel(tuple(beta), step)
    raise NotEstimable(f"no convergence in {MAX_ITER} iterations (separation?)")


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """``matrix`` ^-1 ``vector`` by Gaussian elimination with partial pivoting."""
    k = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    scale = max(abs(a[i][i]) for i in range(k)) or 1.0
    for col in range(k):
        pivot = max(range(col, k), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) <= 1e-12 * scale:
            raise NotEstimable(
                "singular information matrix (a predictor without variation, or separation)"
            )
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, k):
            factor = a[r][col] / a[col][col]
            for c in range(col, k + 1):
                a[r][c] -= factor * a[col][c]
    out = [0.0] * k
    for r in range(k - 1, -1, -1):
        out[r] = (a[r][k] - sum(a[r][c] * out[c] for c in range(r + 1, k))) / a[r][r]
    return out


@dataclass(frozen=True, slots=True)
class ObservedExpected:
    observed: int
    expected: float
    ratio: float
    lower: float
    upper: float


def observed_expected(observed: int, expected: float, z: float = Z95) -> ObservedExpected:
    """O/E with Byar's approximate confidence interval (see the module)."""
    if expected <= 0:
        raise NotEstimable("expected count 0")
    o = observed
    lower = 0.0 if o == 0 else o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return ObservedExpected(o, expected, o / expected, lower / expected, upper / expected)
