"""Indirect standardization pieces: O/E with Byar's interval against figures worked by
hand, and the IRLS logistic fit on data with a known answer."""

from __future__ import annotations

import math
import random

import pytest

from medcoder.reports.risk_adjust import NotEstimable, fit_logistic, observed_expected


def test_observed_expected_by_hand() -> None:
    # A cohort of 40 stays, each with expected probability 0.25 (a fixed model): E = 10;
    # 16 observed. Byar: lower = 16 (1 - 1/144 - 1.96/12)^3 = 16 * 0.8297^3 = 9.139...,
    # upper = 17 (1 - 1/153 + 1.96/(3 sqrt 17))^3 = 17 * 1.1519^3 = 25.98...
    got = observed_expected(16, sum([0.25] * 40), z=1.96)
    assert got.ratio == 1.6
    lower = 16 * (1 - 1 / 144 - 1.96 / 12) ** 3 / 10
    upper = 17 * (1 - 1 / 153 + 1.96 / (3 * math.sqrt(17))) ** 3 / 10
    assert got.lower == pytest.approx(lower) and got.lower == pytest.approx(0.9139, abs=1e-3)
    assert got.upper == pytest.approx(upper) and got.upper == pytest.approx(2.598, abs=1e-3)
    none = observed_expected(0, 2.0, z=1.96)
    assert none.ratio == 0 and none.lower == 0
    assert none.upper == pytest.approx((1 - 1 / 9 + 1.96 / 3) ** 3 / 2)
    with pytest.raises(NotEstimable):
        observed_expected(3, 0.0)


def test_fit_saturated_groups_recovers_the_log_odds() -> None:
    """One binary predictor: the MLE is exact, intercept = logit of the rate without it,
    slope = the log odds ratio (30/100 vs 60/100)."""
    rows = [[0.0]] * 100 + [[1.0]] * 100
    outcomes = [1] * 30 + [0] * 70 + [1] * 60 + [0] * 40
    model = fit_logistic(rows, outcomes)
    a, b = model.coefficients
    assert a == pytest.approx(math.log(30 / 70), abs=1e-9)
    assert b == pytest.approx(math.log(60 / 40) - math.log(30 / 70), abs=1e-9)
    assert model.probability([1.0]) == pytest.approx(0.6)
    # Indirect standardization of the reference population itself: O/E = 1 exactly
    # (the score equations of a model with an intercept).
    expected = sum(model.probability(r) for r in rows)
    assert expected == pytest.approx(sum(outcomes))


def test_fit_recovers_simulated_coefficients() -> None:
    rng = random.Random(3)
    rows, outcomes = [], []
    for _ in range(20000):
        index, age = rng.randint(-5, 20), rng.uniform(20, 90)
        eta = -4.0 + 0.08 * index + 0.03 * age
        rows.append([index, age])
        outcomes.append(int(rng.random() < 1 / (1 + math.exp(-eta))))
    a, b1, b2 = fit_logistic(rows, outcomes).coefficients
    assert a == pytest.approx(-4.0, abs=0.3)
    assert b1 == pytest.approx(0.08, abs=0.015) and b2 == pytest.approx(0.03, abs=0.005)


@pytest.mark.parametrize(
    ("rows", "outcomes", "why"),
    [
        ([[1.0]] * 49, [0, 1] * 24 + [0], "fewer than 50"),
        ([[1.0]] * 60, [0] * 60, "no events"),
        (
            [[float(i % 2)] for i in range(60)],
            [i % 2 for i in range(60)],
            "separation",
        ),
    ],
)
def test_not_estimable(rows: list[list[float]], outcomes: list[int], why: str) -> None:
    with pytest.raises(NotEstimable, match=why):
        fit_logistic(rows, outcomes)
