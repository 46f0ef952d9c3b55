"""Indirect standardization for ``outcomes`` (issue 15 part 3): the pieces, apart from the
report that will use them.

- ``fit_logistic``: a logistic regression fitted by iteratively reweighted least squares
  (Newton-Raphson on the log-likelihood; written here with numpy, no statsmodels or
  scikit-learn in this environment), the reference population's model of an outcome on
  its predictors (intended: the van Walraven 2009 Elixhauser index of
  ``comorbidity_maps`` and age);
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
    added), by IRLS: beta <- beta + (X' W X)^-1 X' (y - p), W = diag(p (1 - p))."""
    import numpy as np

    n = len(outcomes)
    events = sum(outcomes)
    if n < MIN_STAYS:
        raise NotEstimable(f"{n} reference stays (fewer than {MIN_STAYS})")
    if events in (0, n):
        raise NotEstimable("no events" if events == 0 else "every stay an event")
    x = np.column_stack([np.ones(n), np.asarray(rows, dtype=float).reshape(n, -1)])
    y = np.asarray(outcomes, dtype=float)
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(events / (n - events))
    for step in range(1, MAX_ITER + 1):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        w = p * (1.0 - p)
        hessian = x.T @ (x * w[:, None])
        try:
            delta = np.linalg.solve(hessian, x.T @ (y - p))
        except np.linalg.LinAlgError as exc:
            raise NotEstimable(
                "singular information matrix (a predictor without variation, or separation)"
            ) from exc
        beta = beta + delta
        if not np.all(np.isfinite(beta)):
            raise NotEstimable("the fit diverged (separation)")
        if float(np.max(np.abs(delta))) < 1e-10:
            return LogisticModel(tuple(float(b) for b in beta), step)
    raise NotEstimable(f"no convergence in {MAX_ITER} iterations (separation?)")


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
