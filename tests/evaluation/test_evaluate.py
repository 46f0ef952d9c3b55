"""Scoring a coder against a gold file: hand-computed figures on tiny synthetic cases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcoder.errors import InvalidInputError
from medcoder.evaluation.engine import run_evaluation
from medcoder.evaluation.report import JSON_SCHEMA, report_to_json, report_to_text
from medcoder.evaluation.run import (
    CodeError,
    EvaluationReport,
    GoldCase,
    Prediction,
    evaluate,
    load_gold,
)


@dataclass(frozen=True)
class DictCoder:
    """A fake coder: case id -> (code, confidence) pairs; ids in ``fail`` raise.

    Module level and frozen so it pickles (the parallel path needs that).
    """

    answers: dict[str, tuple[tuple[str, float], ...]]
    fail: frozenset[str] = field(default_factory=frozenset)

    def __call__(self, case: GoldCase) -> list[Prediction]:
        if case.id in self.fail:
            raise RuntimeError(f"engine broke on {case.id}")
        return [Prediction(code, confidence) for code, confidence in self.answers[case.id]]


def write_gold(path: Path, records: Sequence[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Three synthetic cases, computed by hand below.
GOLD: list[dict[str, Any]] = [
    {"id": "a", "text": "note a", "icd10cm": ["e119", "I10"], "setting": "outpatient"},
    {"id": "b", "text": "note b", "icd10cm": ["E11.65", "J45909"], "extra_key": [1]},
    {"id": "c", "text": "note c", "icd10cm": ["N39.0"], "date": "2026-05-01", "age": 70},
]
ANSWERS: dict[str, tuple[tuple[str, float], ...]] = {
    # a: E11.9 right; I10 missed (no I10 predicted); R52 extra.
    "a": (("E11.9", 0.95), ("R52", 0.15)),
    # b: J45.909 right; E11.65 coded as E11.9: wrong specificity.
    "b": (("e11.9", 0.75), ("J45.909", 0.85)),
    # c: N39.0 right; N39.3 extra in a category the gold has; K21.9 extra.
    "c": (("N39.0", 0.95), ("N39.3", 0.35), ("K21.9", 0.55)),
}


@pytest.fixture
def gold_cases(tmp_path: Path) -> list[GoldCase]:
    return load_gold(write_gold(tmp_path / "gold.jsonl", GOLD))


@pytest.fixture
def report(gold_cases: list[GoldCase]) -> EvaluationReport:
    return evaluate(gold_cases, DictCoder(ANSWERS))


# -- load_gold --------------------------------------------------------------------------
def test_load_gold_normalizes_codes_and_keeps_optional_fields(gold_cases: list[GoldCase]) -> None:
    assert [c.id for c in gold_cases] == ["a", "b", "c"]
    assert gold_cases[0].codes == ("E11.9", "I10")
    assert gold_cases[1].codes == ("E11.65", "J45.909")
    assert gold_cases[0].setting == "outpatient"
    assert gold_cases[2] == GoldCase("c", "note c", ("N39.0",), None, "2026-05-01", 70, None)


def test_load_gold_keeps_unparsed_codes_and_counts_them(tmp_path: Path) -> None:
    path = write_gold(
        tmp_path / "g.jsonl",
        [{"id": 7, "text": "t", "icd10cm": ["NOT A CODE", "E119", "E11.9"]}],
    )
    (case,) = load_gold(path)
    assert case.id == "7"
    assert case.codes == ("NOT A CODE", "E11.9")  # de-duplicated after normalizing
    result = evaluate([case], DictCoder({"7": (("E11.9", 0.9),)}))
    assert result.gold_unparsed == 1
    assert result.cases[0].missed == ("NOT A CODE",)


def test_load_gold_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_gold(tmp_path / "g.jsonl", [GOLD[0], "", '{"id": "x", "text": '])
    with pytest.raises(InvalidInputError, match=r"g\.jsonl:3: not JSON") as info:
        load_gold(path)
    assert info.value.hint is not None


def test_load_gold_missing_text(tmp_path: Path) -> None:
    path = write_gold(tmp_path / "g.jsonl", [GOLD[0], {"id": "x", "icd10cm": []}])
    with pytest.raises(InvalidInputError, match=r'g\.jsonl:2: missing "text"'):
        load_gold(path)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ('["a list"]', "must be a JSON object"),
        ('{"id": "x", "text": "t", "icd10cm": "E11.9"}', '"icd10cm" must be a list'),
        ('{"id": "x", "text": 3, "icd10cm": []}', '"text" must be a string'),
        ('{"id": "x", "text": "t", "icd10cm": [], "age": "70"}', '"age" must be a whole'),
        ('{"id": "a", "text": "t", "icd10cm": []}', "already used on line 1"),
    ],
)
def test_load_gold_rejects_malformed_lines(tmp_path: Path, record: str, problem: str) -> None:
    path = write_gold(tmp_path / "g.jsonl", [GOLD[0], record])
    with pytest.raises(InvalidInputError, match=r"g\.jsonl:2: ") as info:
        load_gold(path)
    assert problem in str(info.value)


def test_load_gold_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="no cases"):
        load_gold(empty)
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_gold(tmp_path / "absent.jsonl")


# -- scores -----------------------------------------------------------------------------
def test_micro_scores_by_hand(report: EvaluationReport) -> None:
    # code: tp 1+1+1, fp 1+1+2, fn 1+1+0
    assert (report.code.tp, report.code.fp, report.code.fn) == (3, 4, 2)
    assert report.code.micro.precision == pytest.approx(3 / 7)
    assert report.code.micro.recall == pytest.approx(3 / 5)
    assert report.code.micro.f1 == pytest.approx(0.5)
    # category: a {E11,I10} vs {E11,R52}; b {E11,J45} vs same; c {N39} vs {N39,K21}
    assert (report.category.tp, report.category.fp, report.category.fn) == (4, 2, 1)
    assert report.category.micro.precision == pytest.approx(2 / 3)
    assert report.category.micro.recall == pytest.approx(4 / 5)
    assert report.category.micro.f1 == pytest.approx(8 / 11)


def test_macro_scores_by_hand(report: EvaluationReport) -> None:
    # per case code P/R/F1: a .5/.5/.5, b .5/.5/.5, c 1/3, 1, .5
    assert report.code.macro.precision == pytest.approx(4 / 9)
    assert report.code.macro.recall == pytest.approx(2 / 3)
    assert report.code.macro.f1 == pytest.approx(0.5)
    # per case category P/R/F1: a .5/.5/.5, b 1/1/1, c .5/1/(2/3)
    assert report.category.macro.precision == pytest.approx(2 / 3)
    assert report.category.macro.recall == pytest.approx(5 / 6)
    assert report.category.macro.f1 == pytest.approx(13 / 18)


def test_per_case_differences(report: EvaluationReport) -> None:
    a, b, c = report.cases
    assert a.true_positives == ("E11.9",)
    assert a.missed == ("I10",)
    assert a.extra == ("R52",)
    assert a.errors == (CodeError("missed", "I10", None), CodeError("extra", None, "R52"))
    assert b.predicted[0] == Prediction("E11.9", 0.75)  # predictions are normalized too
    assert b.errors == (CodeError("wrong_specificity", "E11.65", "E11.9"),)
    assert c.errors == (
        CodeError("extra", None, "K21.9"),
        CodeError("extra_in_category", None, "N39.3"),
    )
    assert c.code.precision == pytest.approx(1 / 3)
    assert c.category.f1 == pytest.approx(2 / 3)
    assert (report.n_cases, report.gold_codes, report.predicted_codes) == (3, 5, 7)


def test_error_classes_and_top_codes(report: EvaluationReport) -> None:
    classes = report.error_classes
    assert (classes.missed, classes.extra, classes.wrong_specificity) == (1, 2, 1)
    assert (classes.missed_in_category, classes.extra_in_category) == (0, 1)
    assert classes.gold_not_in_release is None
    assert report.code_in_release is None
    assert report.top_missed == (("E11.65", 1), ("I10", 1))
    assert report.top_extra == (("E11.9", 1), ("K21.9", 1), ("N39.3", 1), ("R52", 1))


def test_wrong_specificity_pairs_by_longest_prefix_then_leftovers() -> None:
    case = GoldCase("x", "t", ("E11.65", "E11.9", "E11.21", "I10"), None, None, None, None)
    coder = DictCoder({"x": (("E11.649", 0.5), ("E11.9", 0.9), ("I10", 0.9), ("I11.9", 0.4))})
    (result,) = evaluate([case], coder).cases
    assert result.errors == (
        CodeError("wrong_specificity", "E11.65", "E11.649"),
        CodeError("missed_in_category", "E11.21", None),
        CodeError("extra", None, "I11.9"),
    )


def test_gold_not_in_release_is_kept_apart() -> None:
    case = GoldCase("x", "t", ("E11.9", "E11.65", "K29.70"), None, None, None, None)
    coder = DictCoder({"x": (("E11.9", 0.9), ("E11.649", 0.6))})
    current = {"E11.9", "E11.649", "E11.65"}
    result = evaluate([case], coder, code_exists=lambda code: code in current)
    assert result.error_classes.gold_not_in_release == 1
    assert result.cases[0].errors == (
        CodeError("gold_not_in_release", "K29.70", None),
        CodeError("wrong_specificity", "E11.65", "E11.649"),
    )
    assert result.top_not_in_release == (("K29.70", 1),)
    assert result.top_missed == (("E11.65", 1),)
    assert result.code.micro.recall == pytest.approx(1 / 3)
    assert result.code_in_release is not None
    assert result.code_in_release.micro.recall == pytest.approx(1 / 2)


# -- calibration ------------------------------------------------------------------------
def test_reliability_bins(report: EvaluationReport) -> None:
    bins = {round(b.lower, 1): b for b in report.bins}
    assert len(report.bins) == 10
    assert [round(b.lower, 1) for b in report.bins] == [i / 10 for i in range(10)]
    assert [b.count for b in report.bins] == [0, 1, 0, 1, 0, 1, 0, 1, 1, 2]
    assert bins[0.0].mean_confidence is None and bins[0.0].accuracy is None
    assert bins[0.9].mean_confidence == pytest.approx(0.95)
    assert bins[0.9].accuracy == 1.0
    assert bins[0.7].accuracy == 0.0  # E11.9 on case b
    assert bins[0.8].accuracy == 1.0
    # |0 - c| for the wrong ones (0.15, 0.35, 0.55, 0.75), |1 - c| for the right ones
    assert report.ece == pytest.approx((0.15 + 0.35 + 0.55 + 0.75 + 0.15 + 2 * 0.05) / 7)


def test_bin_edges_and_clamping() -> None:
    case = GoldCase("x", "t", ("A00.0",), None, None, None, None)
    answers = (("A00.0", 1.0), ("A00.1", 0.0), ("A00.9", 0.1), ("A01.0", 1.7), ("A02.0", -1.0))
    result = evaluate([case], DictCoder({"x": answers}))
    assert [b.count for b in result.bins] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert result.bins[9].mean_confidence == 1.0
    assert result.bins[9].accuracy == 0.5


# -- running the coder ------------------------------------------------------------------
def test_a_coder_that_raises_on_one_case_does_not_stop_the_run(
    gold_cases: list[GoldCase],
) -> None:
    result = evaluate(gold_cases, DictCoder(ANSWERS, fail=frozenset({"b"})))
    assert result.coder_errors == 1
    a, b, c = result.cases
    assert b.error == "RuntimeError: engine broke on b"
    assert b.predicted == () and b.missed == ("E11.65", "J45.909")
    assert a.error is None and c.error is None and c.true_positives == ("N39.0",)
    assert (result.code.tp, result.code.fp, result.code.fn) == (2, 3, 3)
    assert "engine broke on b" in report_to_text(result)


def test_an_unpicklable_coder_runs_sequentially(gold_cases: list[GoldCase]) -> None:
    result = evaluate(
        gold_cases,
        lambda case: [Prediction(code, 0.5) for code in case.codes],
        jobs=4,
    )
    assert result.jobs == 1
    assert result.notes and "cannot be pickled" in result.notes[0]
    assert result.code.micro.f1 == 1.0


def test_parallel_run_matches_sequential(gold_cases: list[GoldCase]) -> None:
    coder = DictCoder(ANSWERS, fail=frozenset({"c"}))
    sequential = evaluate(gold_cases, coder)
    parallel = evaluate(gold_cases, coder, jobs=2)
    assert parallel.jobs == 2 and not parallel.notes

    def stable(r: EvaluationReport) -> dict[str, Any]:
        data = report_to_json(r)
        del data["timing"]
        for case in data["per_case"]:
            del case["seconds"]
        return data

    assert stable(parallel) == stable(sequential)


def test_progress_and_timing(gold_cases: list[GoldCase]) -> None:
    ticks: list[int] = []
    result = evaluate(gold_cases, DictCoder(ANSWERS), progress=ticks.append)
    assert ticks == [1, 1, 1]
    assert result.elapsed_seconds >= 0.0
    assert result.notes_per_second >= 0.0


def test_evaluate_rejects_no_cases_and_bad_jobs(gold_cases: list[GoldCase]) -> None:
    with pytest.raises(InvalidInputError, match="no cases"):
        evaluate([], DictCoder({}))
    with pytest.raises(InvalidInputError, match="jobs"):
        evaluate(gold_cases, DictCoder(ANSWERS), jobs=0)


def test_run_evaluation_checks_options_before_coding(tmp_path: Path) -> None:
    gold = write_gold(tmp_path / "g.jsonl", GOLD)
    with pytest.raises(InvalidInputError, match="unknown setting"):
        run_evaluation(gold, setting="ward", home=tmp_path / "home")
    with pytest.raises(InvalidInputError, match="not a date"):
        run_evaluation(gold, date="01/05/2026", home=tmp_path / "home")


@pytest.mark.slow
def test_run_evaluation_codes_with_the_engine(tmp_path: Path, built_home: Path) -> None:
    gold = write_gold(
        tmp_path / "g.jsonl",
        [
            {
                "id": "n1",
                "text": "ASSESSMENT\n\nType 2 diabetes mellitus without complications.",
                "icd10cm": ["E11.9", "U99.99"],  # U99.99: in no release
                "setting": "unknown",  # CodiEsp's marker: the engine's default setting
            },
            {"id": "n2", "text": "", "icd10cm": [], "setting": "outpatient"},
        ],
    )
    result = run_evaluation(gold, home=built_home, date="2026-05-01")
    assert result.coder_errors == 0, [c.error for c in result.cases]
    assert result.release == "icd10cm-2026-04"
    assert result.gold_path == str(gold)
    assert result.error_classes.gold_not_in_release == 1
    assert result.top_not_in_release == (("U99.99", 1),)
    assert result.n_cases == 2
    parallel = run_evaluation(gold, home=built_home, jobs=2)
    assert parallel.jobs == 2 and parallel.coder_errors == 0


# -- rendering --------------------------------------------------------------------------
def test_json_keys_are_stable(report: EvaluationReport) -> None:
    data = report_to_json(report)
    assert list(data) == [
        "schema",
        "gold_path",
        "release",
        "n_cases",
        "coder_errors",
        "gold_codes",
        "predicted_codes",
        "gold_unparsed",
        "scores",
        "error_classes",
        "top_missed",
        "top_extra",
        "top_not_in_release",
        "calibration",
        "timing",
        "notes",
        "procedures",
        "encounter",
        "per_case",
    ]
    assert data["schema"] == JSON_SCHEMA
    assert data["procedures"] is None  # no "pcs" in this gold
    assert set(data["scores"]) == {"code", "category", "code_in_release"}
    assert set(data["scores"]["code"]) == {"micro", "macro", "tp", "fp", "fn"}
    assert data["scores"]["category"]["micro"]["f1"] == pytest.approx(8 / 11)
    assert data["error_classes"]["wrong_specificity"] == 1
    assert data["top_extra"][0] == {"code": "E11.9", "count": 1}
    assert data["calibration"]["predictions"] == 7
    assert set(data["calibration"]["bins"][0]) == {
        "lower",
        "upper",
        "count",
        "mean_confidence",
        "accuracy",
    }
    assert set(data["per_case"][0]) == {
        "id",
        "gold",
        "predicted",
        "true_positives",
        "missed",
        "extra",
        "errors",
        "scores",
        "seconds",
        "error",
        "exact",
        "encounter_confidence",
    }
    assert data["per_case"][1]["errors"] == [
        {"kind": "wrong_specificity", "gold": "E11.65", "predicted": "E11.9"}
    ]
    json.dumps(data)  # plain JSON data throughout


def test_text_report_sections_and_worst_cases(report: EvaluationReport) -> None:
    text = report_to_text(report, max_cases=2)
    order = ["micro", "Error classes", "Top missed", "Reliability", "Worst cases"]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "Worst cases (2 of 3 imperfect)" in text
    assert "wrong_specificity E11.65 -> E11.9" in report_to_text(report)
    assert "[0.9, 1.0]" in text and "[0.0, 0.1)" in text
    worst = text[text.index("Worst cases") :]
    # every case has code F1 0.5: the ones with more differences (a, c) come first
    assert "  a  code F1 0.500" in worst and "  c  code F1 0.500" in worst
    assert "  b  code F1" not in worst


# -- properties -------------------------------------------------------------------------
CODES = st.from_regex(r"[A-TV-Z][0-9]{2}(\.[0-9][0-9A-Z]{0,2})?", fullmatch=True)
CASES = st.lists(st.lists(CODES, max_size=5), min_size=1, max_size=6).map(
    lambda golds: [
        GoldCase(f"case-{i}", "t", tuple(dict.fromkeys(g)), None, None, None, None)
        for i, g in enumerate(golds)
    ]
)


@given(CASES, st.floats(0.0, 1.0))
def test_exact_coder_scores_one(cases: list[GoldCase], confidence: float) -> None:
    result = evaluate(cases, lambda case: [Prediction(c, confidence) for c in case.codes])
    for level in (result.code, result.category):
        assert level.micro.precision == level.micro.recall == level.micro.f1 == 1.0
        assert level.macro.precision == level.macro.recall == level.macro.f1 == 1.0
    assert all(case.perfect for case in result.cases)


@given(CASES, st.lists(st.tuples(CODES, st.floats(0.0, 1.0)), max_size=8))
def test_scores_are_bounded_and_errors_account_for_every_difference(
    cases: list[GoldCase], predictions: list[tuple[str, float]]
) -> None:
    result = evaluate(cases, lambda case: [Prediction(c, p) for c, p in predictions])
    for level in (result.code, result.category):
        for scores in (level.micro, level.macro):
            for value in (scores.precision, scores.recall, scores.f1):
                assert 0.0 <= value <= 1.0
    classes = result.error_classes
    paired = classes.wrong_specificity
    assert result.code.fn == classes.missed + classes.missed_in_category + paired
    assert result.code.fp == classes.extra + classes.extra_in_category + paired
    assert 0.0 <= result.ece <= 1.0
    assert sum(b.count for b in result.bins) == result.predicted_codes


def test_unscored_prefixes_leave_gold_and_predictions_out(gold_cases: list[GoldCase]) -> None:
    """``--unscored R52 N39.3``: a's extra R52 and c's extra N39.3 are no longer errors,
    and a gold code of the family (I10 with ``I1``) is not counted missed either."""
    full = evaluate(gold_cases, DictCoder(ANSWERS))
    left = evaluate(gold_cases, DictCoder(ANSWERS), unscored=["r52", "N39.3", "I1"])
    assert (full.code.tp, full.code.fp, full.code.fn) == (3, 4, 2)
    assert (left.code.tp, left.code.fp, left.code.fn) == (3, 2, 1)
    assert any("R52" in n and "left out of the scoring" in n for n in left.notes)
    assert not any("left out" in n for n in full.notes)
