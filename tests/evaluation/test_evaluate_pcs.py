"""ICD-10-PCS scoring at 4 and 7 characters, with gold codes truncated by annotators."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.errors import InvalidInputError
from medcoder.evaluation.pcs import score_pcs
from medcoder.evaluation.report import report_to_json, report_to_text
from medcoder.evaluation.run import GoldCase, Prediction, evaluate, load_gold
from medcoder.kinds import CodeSystem, Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine, diagnosis_stages
from medcoder.procedures.pcs import PcsCoder
from medcoder.serialize import result_json


def test_truncated_gold_is_scored_at_the_characters_given() -> None:
    scores = score_pcs(
        [
            # BW20 (truncated) is found by BW20ZZZ; 0DTJ4ZZ in full is missed by 0DTJ0ZZ
            # at 7 characters but found at 4.
            (["BW20", "0DTJ4ZZ"], ["BW20ZZZ", "0DTJ0ZZ", "4A02X4Z"]),
            (["0FB0"], []),
        ]
    )
    assert (scores.cases, scores.gold_full, scores.gold_truncated) == (2, 1, 2)
    assert (scores.at4.tp_gold, scores.at4.gold, scores.at4.predicted) == (2, 3, 3)
    assert scores.at4.precision == pytest.approx(2 / 3) and scores.at4.recall == pytest.approx(
        2 / 3
    )
    assert (scores.at7.tp_gold, scores.at7.tp_predicted) == (1, 1)
    assert scores.at7.precision == pytest.approx(1 / 3) and scores.at7.recall == pytest.approx(
        1 / 3
    )
    assert score_pcs([([], [])]).at7.f1 == 1.0


def test_gold_pcs_field_is_read_and_checked(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "text": "x", "icd10cm": [], "pcs": ["bw20"]}) + "\n")
    assert load_gold(gold)[0].pcs == ("bw20",)
    gold.write_text(json.dumps({"id": "a", "text": "x", "icd10cm": [], "pcs": "BW20"}) + "\n")
    with pytest.raises(InvalidInputError, match='"pcs" must be a list'):
        load_gold(gold)


def fake_coder(case: GoldCase) -> Sequence[Prediction]:
    return [Prediction("E11.9", 0.9), Prediction("BW03ZZZ", 0.8, CodeSystem.ICD10PCS)]


def test_evaluate_scores_procedures_apart_from_diagnoses() -> None:
    cases = [GoldCase("a", "t", ("E11.9",), pcs=("BW03",)), GoldCase("b", "t", ("E11.9",))]
    report = evaluate(cases, fake_coder)
    assert report.code.micro.precision == 1.0  # the PCS code is not a diagnosis FP
    assert report.procedures is not None and report.procedures.cases == 1
    assert report.procedures.at4.recall == 1.0
    assert report_to_json(report)["procedures"]["at7"]["precision"] == 1.0
    assert "ICD-10-PCS (1 cases" in report_to_text(report)
    assert evaluate([cases[1]], fake_coder).procedures is None


def test_engine_lists_pcs_codes_apart(cm_pcs_home: Path) -> None:
    chooser = CodeSetChooser(Registry(cm_pcs_home, quiet=True))
    assert chooser.has_pcs
    engine = CodingEngine(chooser, stages=(*diagnosis_stages(chooser), PcsCoder()))
    text = "DIAGNOSES: Acute appendicitis.\nPROCEDURE: Laparoscopic appendectomy."
    from datetime import date

    result = engine.code(
        ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=date(2026, 5, 1))
    )
    assert [(p.code, p.sequence) for p in result.procedures] == [("0DTJ4ZZ", 1)]
    data = result_json(result)["procedures"][0]
    assert data["system"] == "icd10pcs" and data["uncertain_axes"] == []
    assert any(c.code.startswith("K35") for c in result.codes)
