"""Encounter exact match, the autonomy curve and the encounter-confidence fit (issue 14.3)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pytest

from medcoder.coding.encounter import FEATURES, EncounterModel, shipped_model
from medcoder.errors import InvalidInputError
from medcoder.evaluation.autonomy import (
    autonomy_curve,
    cross_validated,
    expected_calibration_error,
    fit_logistic,
    folds,
    pick_threshold,
    summarize_encounters,
)
from medcoder.evaluation.report import report_to_json, report_to_text
from medcoder.evaluation.results import exactly_right
from medcoder.evaluation.run import CodedNote, GoldCase, Prediction, evaluate

# (encounter confidence, exactly right) of ten toy encounters.
TOY = [
    (0.95, True), (0.92, True), (0.90, True), (0.85, False), (0.80, True),
    (0.60, True), (0.55, False), (0.40, False), (0.20, False), (0.10, False),
]  # fmt: skip


def test_curve_counts_and_shares_by_hand() -> None:
    curve = {p.threshold: p for p in autonomy_curve(TOY, (0.0, 0.5, 0.8, 0.9, 0.99))}
    assert (curve[0.0].above, curve[0.0].exact, curve[0.0].coverage) == (10, 5, 1.0)
    assert curve[0.0].precision == pytest.approx(0.5)
    # >= 0.5: seven encounters, five right.
    assert (curve[0.5].above, curve[0.5].exact) == (7, 5)
    assert curve[0.5].coverage == pytest.approx(0.7)
    assert curve[0.5].precision == pytest.approx(5 / 7)
    assert (curve[0.8].above, curve[0.8].exact) == (5, 4)  # the threshold is inclusive
    assert (curve[0.9].above, curve[0.9].exact, curve[0.9].precision) == (3, 3, 1.0)
    assert (curve[0.99].above, curve[0.99].coverage, curve[0.99].precision) == (0, 0.0, None)


def test_pick_threshold_is_the_lowest_reaching_the_precision() -> None:
    curve = autonomy_curve(TOY, (0.0, 0.5, 0.8, 0.9, 0.99))
    chosen = pick_threshold(curve, 0.95)
    assert chosen is not None and chosen.threshold == 0.9 and chosen.coverage == 0.3
    loose = pick_threshold(curve, 0.7)
    assert loose is not None and loose.threshold == 0.5
    assert pick_threshold(curve, 0.95, min_above=4) is None
    assert pick_threshold(autonomy_curve([(0.9, False)]), 0.5) is None


def test_ece_of_a_perfectly_calibrated_and_a_confidently_wrong_set() -> None:
    assert expected_calibration_error([(0.25, True), (0.25, False)] * 2 + [(0.25, False)] * 4) == (
        pytest.approx(0.0)
    )
    assert expected_calibration_error([(0.95, False)] * 4) == pytest.approx(0.95)


def _synthetic(n: int, seed: int) -> tuple[list[list[float]], list[bool]]:
    """Labels drawn from a known logistic model of two features (+2 x0, -1 x1)."""
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        x0, x1 = rng.gauss(0, 1), rng.gauss(0, 1)
        p = 1 / (1 + math.exp(-(0.5 + 2 * x0 - x1)))
        rows.append([x0, x1])
        labels.append(rng.random() < p)
    return rows, labels


def test_fit_recovers_a_known_model() -> None:
    rows, labels = _synthetic(3000, seed=1)
    model = fit_logistic(rows, labels, l2=0.0, features=("x0", "x1"))
    # Standardized weights: divide by the scale to compare with the generating ones.
    raw = [w / s for w, s in zip(model.weights, model.scales, strict=True)]
    assert raw[0] == pytest.approx(2.0, abs=0.25) and raw[1] == pytest.approx(-1.0, abs=0.2)
    assert model.probability([5.0, 0.0]) > 0.99 and model.probability([-5.0, 0.0]) < 0.01
    again = EncounterModel.from_json(model.to_json())
    assert again.probability([0.3, -0.2]) == model.probability([0.3, -0.2])


def test_out_of_fold_predictions_rank_unseen_rows() -> None:
    rows, labels = _synthetic(400, seed=2)
    oof = cross_validated(rows, labels, k=5, seed=3)
    assert len(oof) == 400 and all(0 < p < 1 for p in oof)
    right = [p for p, y in zip(oof, labels, strict=True) if y]
    wrong = [p for p, y in zip(oof, labels, strict=True) if not y]
    assert sum(right) / len(right) > sum(wrong) / len(wrong) + 0.2
    assert folds(10, 3, seed=1) == folds(10, 3, seed=1)  # deterministic
    assert sorted(folds(10, 3, seed=1)) == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError, match="k="):
        cross_validated(rows[:3], labels[:3], k=5)


def test_shipped_model_matches_the_features_and_gives_probabilities() -> None:
    model = shipped_model()
    assert model is not None and model.features == FEATURES
    low = [0.0] * len(FEATURES)
    assert 0 <= model.probability(low) <= 1


@dataclass(frozen=True)
class ScoredCoder:
    """A fake coder: case id -> (codes, encounter confidence)."""

    answers: dict[str, tuple[tuple[str, ...], float]]

    def __call__(self, case: GoldCase) -> CodedNote:
        codes, confidence = self.answers[case.id]
        coded = CodedNote(Prediction(code, 0.9) for code in codes)
        coded.encounter_confidence = confidence
        coded.encounter_features = (confidence, float(len(codes)))
        return coded


def test_evaluate_reports_exact_match_and_the_autonomy_threshold() -> None:
    cases = [GoldCase(str(i), "note", ("E11.9",)) for i in range(10)]
    answers = {
        str(i): (("E11.9",) if right else ("E11.9", "I10"), confidence)
        for i, (confidence, right) in enumerate(TOY)
    }
    report = evaluate(cases, ScoredCoder(answers), autonomy_precision=0.95)
    summary = report.encounter
    assert summary is not None
    assert (summary.exact, summary.exact_rate, summary.scored) == (5, 0.5, 10)
    assert summary.chosen is not None and summary.chosen.threshold == 0.9
    assert summary.chosen.coverage == pytest.approx(0.3)
    data = report_to_json(report)["encounter"]
    assert data["threshold"] == 0.9 and data["exact"] == 5 and "shipped" in data["source"]
    assert "threshold 0.90, 30.0% of encounters" in report_to_text(report)
    # Out-of-fold: refitted on these cases, still every case scored once.
    folded = evaluate(cases, ScoredCoder(answers), encounter_folds=5).encounter
    assert folded is not None and folded.scored == 10 and "out-of-fold" in folded.source
    with pytest.raises(InvalidInputError, match="folds"):
        evaluate(cases, ScoredCoder(answers), encounter_folds=1)
    with pytest.raises(InvalidInputError, match="precision"):
        evaluate(cases, ScoredCoder(answers), autonomy_precision=1.5)


def test_a_plain_list_coder_has_exact_match_but_no_curve() -> None:
    cases = [GoldCase("a", "note", ("I10",)), GoldCase("b", "note", ("I10",))]
    summary = summarize_encounters([True, False], [None, None], [None, None])
    assert summary.exact_rate == 0.5 and summary.chosen is None and summary.curve == ()
    report = evaluate(cases, lambda case: [Prediction("I10", 0.9)])
    assert report.encounter is not None and report.encounter.exact == 2


def test_a_gold_code_the_release_split_is_matched_by_its_subdivision() -> None:
    """Gold R51 (2018; a header with R51.0 / R51.9 since FY2021): R51.9 is the code it
    became, not an extra; a code of another category still is."""
    assert exactly_right(["G43.909"], ["R51"], ["G43.909", "R51.9"])
    assert exactly_right(["G43.909"], ["R51"], ["G43.909"])
    assert not exactly_right(["G43.909"], ["R51"], ["G43.909", "R52"])
    assert not exactly_right(["G43.909", "I10"], [], ["G43.909"])
    assert not exactly_right(["I10"], [], ["I10", "E78.5"])
