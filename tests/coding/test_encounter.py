"""Encounter-confidence features (coding/encounter.py) on synthetic notes."""

from __future__ import annotations

from medcoder.coding.encounter import (
    CANDIDATES,
    FEATURES,
    encounter_confidence,
    encounter_features,
    problem_lines,
)
from medcoder.kinds import CodeSystem, Setting
from medcoder.nlp.sections import find_sections
from medcoder.results import CodeAssignment, CodingResult, Evidence

# Synthetic, written for this test.
NOTE = (
    "HISTORY OF PRESENT ILLNESS\n\nA 50-year-old seen for two problems.\n\n"
    "ASSESSMENT AND PLAN\n\nThe patient is a 50-year-old man who presents for follow-up of "
    "his chronic problems today.\n\n"
    "1. Gout.\n- Medical Reasoning: no flares since the last visit.\n\n"
    "Asthma\n• Medical Treatment: continue the inhaler.\n"
)


def _code(code: str, title: str, confidence: float) -> CodeAssignment:
    span = Evidence(0, 4, "Gout", "assessment")
    return CodeAssignment(code, title, CodeSystem.ICD10CM, "icd10cm-2026-04", 1, confidence,
                          (span,), "", ())  # fmt: skip


def test_problem_lines_are_the_short_unlabelled_lines_of_the_assessment() -> None:
    assert problem_lines(NOTE, find_sections(NOTE)) == 2
    assert problem_lines("Gout.\nAsthma.", find_sections("Gout.\nAsthma.")) == 0  # no heading


def test_features_and_confidence_of_a_result() -> None:
    one = CodingResult("n", "icd10cm-2026-04", Setting.OUTPATIENT, None,
                       (_code("M10.9", "Gout, unspecified", 0.7),))  # fmt: skip
    values = dict(zip(CANDIDATES, encounter_features(one, NOTE, names=CANDIDATES), strict=True))
    assert values["codes"] == 1 and values["unspecified"] == 1 and values["problems"] == 2
    assert values["problems_over_codes"] == 1 and values["codes_over_problems"] == 0
    assert values["has_assessment"] == 1 and values["min_confidence"] == 0.7
    assert len(encounter_features(one, NOTE)) == len(FEATURES)
    assert set(FEATURES) <= set(CANDIDATES)
    confidence = encounter_confidence(one, NOTE)
    assert confidence is not None and 0 <= confidence <= 1


def test_code_family_and_path_features() -> None:
    knee = CodeAssignment("M25.569", "Pain in unspecified knee", CodeSystem.ICD10CM,
                          "icd10cm-2026-04", 1, 0.7, (), "Pain, joint, knee", ())  # fmt: skip
    cough = CodeAssignment("R05.9", "Cough, unspecified", CodeSystem.ICD10CM, "icd10cm-2026-04",
                           2, 0.7, (), "Tabular: Cough NOS", ())  # fmt: skip
    fall = CodeAssignment("W19.XXXA", "Unspecified fall, initial encounter", CodeSystem.ICD10CM,
                          "icd10cm-2026-04", 3, 0.5, (), "External causes: Fall", ())  # fmt: skip
    result = CodingResult("n", "icd10cm-2026-04", Setting.OUTPATIENT, None, (knee, cough, fall))
    values = dict(zip(CANDIDATES, encounter_features(result, NOTE, names=CANDIDATES), strict=True))
    assert values["site_open"] == 1  # the knee's side is left open
    assert values["symptom_codes"] == 1 and values["tabular_path"] == 1
    assert values["external_causes"] == 1 and values["musculoskeletal"] == 1
    assert values["chapters"] == 3 and values["status_codes"] == 0
