"""The issue-14 rules one behaviour at a time: companion codes (coding/companions.py),
adverse effects (coding/adverse.py), severe sepsis (coding/sepsis.py), the Excludes1
direction and the cross-validated calibration of scripts/fit_calibration.py."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from medcoder.codesets.store import Release
from medcoder.coding import adverse, companions
from medcoder.coding.candidate import Candidate
from medcoder.coding.rules import apply_rules
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.results import Evidence


def _at(
    text: str, words: str, code: str, section: str = "assessment", **flags: object
) -> Candidate:
    start = text.index(words)
    base = Candidate(
        code=code, title="", evidence=Evidence(start, start + len(words), words, section),
        index_path="test", source="index", tabular_checks=(), section=section,
        sentence=text.count("\n", 0, start),
    )  # fmt: skip
    return replace(base, **flags)  # type: ignore[arg-type]


def _codes(text: str, release: Release, candidates: list[Candidate], setting: Setting) -> list[str]:
    codes, _ = apply_rules(
        ClinicalDocument(text, setting), release, candidates, has_assessment=True
    )
    return [c.code for c in codes]


@pytest.mark.parametrize(
    ("value", "code"), [("42.3", "Z68.41"), ("36.0", "Z68.36"), ("19.2", "Z68.1"), ("71", "Z68.45")]
)
def test_bmi_partner_reads_the_range_off_the_tabular(
    release_2026: Release, value: str, code: str
) -> None:
    text = f"VITALS: BMI {value}\nASSESSMENT: Obesity.\n"
    found = companions.bmi_partner(ClinicalDocument(text), release_2026, ["E66.9"])
    assert found is not None and found[0] == code


def test_bmi_needs_a_code_that_asks_for_it_and_an_adult(release_2026: Release) -> None:
    text = "VITALS: BMI 31.0\nASSESSMENT: Hypertension.\n"
    assert companions.bmi_partner(ClinicalDocument(text), release_2026, ["I10"]) is None
    child = ClinicalDocument("BMI 31.0. Obesity.", age=12)
    assert companions.bmi_partner(child, release_2026, ["E66.9"]) is None


def test_a_drug_properly_taken_gets_its_adverse_effect_code(release_2026: Release) -> None:
    sentence = "Urticaria due to amoxicillin."
    assert adverse.adverse_effect_codes(release_2026, sentence, sentence) == ["T36.0X5A"]
    assert adverse.adverse_effect_codes(release_2026, "Cough, lisinopril-induced.", "") == [
        "T46.4X5A"
    ]


def test_no_adverse_effect_for_a_poisoning_or_a_word_that_is_no_drug(
    release_2026: Release,
) -> None:
    note = "Took too many metoprolol tablets. Dizziness due to metoprolol."
    assert adverse.adverse_effect_codes(release_2026, "Dizziness due to metoprolol.", note) == []
    assert adverse.adverse_effect_codes(release_2026, "Pain due to the fall.", "") == []


def test_screening_done_before_or_planned_is_not_coded(release_2026: Release) -> None:
    text = "ASSESSMENT\nHad a normal mammogram in 01/2021.\nWill schedule a mammogram.\n"
    past = _at(text, "mammogram in", "Z12.31")
    later = _at(text, "a mammogram.", "Z12.31")
    assert _codes(text, release_2026, [past, later], Setting.OUTPATIENT) == []
    today = "ASSESSMENT\nScreening mammogram done today.\n"
    assert _codes(today, release_2026, [_at(today, "mammogram", "Z12.31")], Setting.OUTPATIENT)


def test_quit_smoking_is_history_but_continuing_is_current(release_2026: Release) -> None:
    text = "SOCIAL HISTORY\nFormer smoker, quit in 2001.\nASSESSMENT\nCOPD.\n"
    smoker = _at(text, "smoker", "F17.210", section="social_history")
    copd = _at(text, "COPD", "J44.9")
    # J44 asks for the tobacco history code (use additional code): it comes first.
    assert _codes(text, release_2026, [smoker, copd], Setting.OUTPATIENT) == ["J44.9", "Z87.891"]
    current = "SOCIAL HISTORY\nHistory of smoking; still smokes daily.\nASSESSMENT\nCOPD.\n"
    smoking = _at(current, "smoking", "F17.210", section="social_history", historical=True)
    assert "Z87.891" not in _codes(
        current, release_2026, [smoking, _at(current, "COPD", "J44.9")], Setting.OUTPATIENT
    )


def test_presenting_symptoms_only_when_nothing_is_confirmed(release_2026: Release) -> None:
    text = "HPI\nCough for a week.\nASSESSMENT\nPossible pneumonia.\n"
    cough = _at(text, "Cough", "R05.9", section="history_of_present_illness")
    pneumonia = _at(text, "pneumonia", "J18.9", uncertain=True)
    assert _codes(text, release_2026, [cough, pneumonia], Setting.OUTPATIENT) == ["R05.9"]
    asthma = _at(text, "Possible", "J45.909")  # a confirmed diagnosis beside it
    assert _codes(text, release_2026, [cough, pneumonia, asthma], Setting.OUTPATIENT) == ["J45.909"]


def test_severe_sepsis_needs_the_organ_dysfunction_linked(release_2026: Release) -> None:
    text = "DIAGNOSES\nSepsis.\nAcute kidney injury due to sepsis.\n"
    found = [_at(text, "Sepsis", "A41.9"), _at(text, "Acute kidney injury", "N17.9")]
    assert _codes(text, release_2026, found, Setting.INPATIENT) == ["A41.9", "R65.20", "N17.9"]
    other = "DIAGNOSES\nSepsis.\nAcute kidney injury due to dehydration.\n"
    found = [_at(other, "Sepsis", "A41.9"), _at(other, "Acute kidney injury", "N17.9")]
    assert _codes(other, release_2026, found, Setting.INPATIENT) == ["A41.9", "N17.9"]


def test_excludes1_drops_the_integral_symptom_even_listed_first(release_2026: Release) -> None:
    text = "DIAGNOSES\nHypoxemia.\nAcute respiratory failure with hypoxia.\n"
    found = [_at(text, "Hypoxemia", "R09.02"), _at(text, "Acute respiratory", "J96.01")]
    assert _codes(text, release_2026, found, Setting.INPATIENT) == ["J96.01"]


def _fit_script():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[2] / "scripts" / "fit_calibration.py"
    spec = importlib.util.spec_from_file_location("fit_calibration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fit_calibration"] = module
    spec.loader.exec_module(module)
    return module


def test_out_of_fold_ece_scores_each_fold_with_the_others_table() -> None:
    fit = _fit_script()
    # Fold 0 is all right and fold 1 all wrong for the same features: a table fitted on
    # the other fold is wrong about each, so the out-of-fold ECE is large while the
    # in-sample table (p about 0.5 for both) looks calibrated.
    rows = [(0, ("a",), False, True)] * 20 + [(1, ("a",), False, False)] * 20
    table = fit.fit(rows)
    assert fit.ece_of(table, rows) < 0.05
    assert fit.out_of_fold_ece(rows, 2) > 0.9
