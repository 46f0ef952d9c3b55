"""The inpatient principal diagnosis and the Section II / III rules, one rule at a time on
short synthetic discharge summaries (coding/stay.py, coding/inpatient.py,
coding/principal.py; issue 14 part 2)."""

from __future__ import annotations

import pytest

from medcoder.codesets.registry import Registry
from medcoder.coding.stay import StayRole, role_of
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import find_sections
from medcoder.pipeline import CodingEngine
from medcoder.results import CodingResult

DAY = "2026-05-15"


@pytest.fixture(scope="module")
def engine(registry: Registry) -> CodingEngine:
    return CodingEngine(registry)


def _code(engine: CodingEngine, text: str, setting: Setting = Setting.INPATIENT) -> CodingResult:
    import datetime as dt

    document = ClinicalDocument(
        text=text, setting=setting, date_of_service=dt.date.fromisoformat(DAY)
    )
    return engine.code(document)


def _codes(result: CodingResult) -> list[str]:
    return [c.code for c in result.codes if c.code[0] not in "VWXY"]


def _rules(result: CodingResult) -> set[str]:
    return {r.rule for c in result.codes for r in c.rules} | {d.rule.rule for d in result.dropped}


def test_section_roles() -> None:
    text = (
        "ADMITTING DIAGNOSIS: Chest pain.\nHISTORY OF PRESENT ILLNESS: x.\n"
        "HOSPITAL COURSE: y.\nPRINCIPAL DIAGNOSIS: z.\nDISCHARGE DIAGNOSES:\n1. w.\n"
    )
    roles = [role_of(s) for s in find_sections(text)]
    assert roles == [
        StayRole.ADMISSION,
        StayRole.NARRATIVE,
        StayRole.NARRATIVE,
        StayRole.PRINCIPAL,
        StayRole.DISCHARGE,
    ]


def test_admitted_for_outranks_discharge_order(engine: CodingEngine) -> None:
    # Section II: the condition the stay was for, wherever the discharge list puts it.
    text = (
        "HOSPITAL COURSE: Admitted for cellulitis of the right forearm, treated with IV "
        "cefazolin.\nDISCHARGE DIAGNOSES:\n1. Essential hypertension.\n"
        "2. Cellulitis of right upper limb.\n"
    )
    codes = _codes(_code(engine, text))
    assert codes[0] == "L03.113"
    assert "I10" in codes
    # Outpatient sequencing is unchanged: the first condition listed.
    assert _codes(_code(engine, text, Setting.OUTPATIENT))[0] == "I10"


def test_sepsis_present_on_admission_first(engine: CodingEngine) -> None:
    # I.C.1.d.4: sepsis POA first, the localized infection after it.
    text = (
        "DISCHARGE DIAGNOSES:\n1. Urinary tract infection.\n"
        "2. Sepsis due to Escherichia coli, present on admission.\n"
    )
    result = _code(engine, text)
    assert _codes(result)[:2] == ["A41.51", "N39.0"]
    assert "sepsis-principal.v1" in _rules(result)


def test_severe_sepsis_gets_its_infection(engine: CodingEngine) -> None:
    # I.C.1.d.1.b: R65.2- is never principal; organism unspecified: A41.9 first.
    text = "DISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Severe sepsis.\n"
    codes = _codes(_code(engine, text))
    assert codes[0] == "A41.9"
    assert "R65.20" in codes and "J18.9" in codes


def test_complication_of_care_before_sepsis(engine: CodingEngine) -> None:
    # I.C.1.d.5.b: the postprocedural infection first, then the sepsis.
    text = (
        "DISCHARGE DIAGNOSES:\n1. Sepsis, present on admission.\n"
        "2. Postoperative wound infection.\n"
    )
    codes = _codes(_code(engine, text))
    assert codes[0].startswith("T81.4")
    assert "A41.9" in codes


def test_copd_with_pneumonia_combination(engine: CodingEngine) -> None:
    text = "DISCHARGE DIAGNOSES:\n1. Pneumonia.\n2. Chronic obstructive pulmonary disease.\n"
    result = _code(engine, text)
    codes = _codes(result)
    assert codes[0] == "J18.9"
    assert "J44.0" in codes and "J44.9" not in codes
    assert "copd-infection.v1" in _rules(result)


def test_diverticulosis_with_bleeding_combination(engine: CodingEngine) -> None:
    text = (
        "ADMISSION DIAGNOSIS: Lower GI bleeding.\n"
        "DISCHARGE DIAGNOSES:\n1. Acute blood loss anemia.\n"
        "2. Diverticulosis of the sigmoid colon with hemorrhage.\n"
    )
    codes = _codes(_code(engine, text))
    assert codes[0] == "K57.31"
    assert "K92.2" not in codes and "D62" in codes


def test_symptom_explained_by_diagnosis_not_coded(engine: CodingEngine) -> None:
    # I.B.5 / II.A: chest pain established as due to an NSTEMI.
    text = (
        "ADMISSION DIAGNOSIS: Chest pain.\nHOSPITAL COURSE: The chest pain was due to a "
        "non-ST elevation myocardial infarction.\nDISCHARGE DIAGNOSES:\n"
        "1. Non-ST elevation myocardial infarction.\n"
    )
    result = _code(engine, text)
    assert _codes(result) == ["I21.4"]
    assert "inpatient-symptom.v1" in _rules(result)


def test_symptom_with_contrasting_diagnoses_first(engine: CodingEngine) -> None:
    # II.E: the symptom first, the contrasting diagnoses as additional codes.
    text = (
        "DISCHARGE DIAGNOSES:\n1. Chest pain due to gastroesophageal reflux disease "
        "versus esophageal spasm.\n"
    )
    codes = _codes(_code(engine, text))
    assert codes[0] == "R07.9"
    assert {"K21.9", "K22.4"} <= set(codes)


def test_two_equally_meeting_first_listed(engine: CodingEngine) -> None:
    # II.C: either may be first; absent other guidance, the first written.
    text = (
        "DISCHARGE DIAGNOSES:\n1. Acute on chronic systolic heart failure.\n"
        "2. Right lower lobe pneumonia.\n"
    )
    assert _codes(_code(engine, text))[:2] == ["I50.23", "J18.9"]


def test_plan_not_carried_out(engine: CodingEngine) -> None:
    # II.F: the reason for admission stays principal when the surgery is cancelled.
    text = (
        "ADMISSION DIAGNOSIS: Cholelithiasis, for elective cholecystectomy.\n"
        "HOSPITAL COURSE: New atrial fibrillation was found before surgery and the "
        "cholecystectomy was cancelled.\nDISCHARGE DIAGNOSES:\n1. Atrial fibrillation.\n"
        "2. Calculus of gallbladder.\n"
    )
    assert _codes(_code(engine, text))[0] == "K80.20"


def test_uncertain_only_on_admission_not_coded(engine: CodingEngine) -> None:
    # II.H applies to a diagnosis still uncertain at discharge, not a ruled-out one.
    text = (
        "ADMISSION DIAGNOSIS: Chest pain, rule out myocardial infarction.\n"
        "DISCHARGE DIAGNOSES:\n1. Atypical chest pain.\n"
    )
    result = _code(engine, text)
    assert _codes(result) == ["R07.89"]
    assert "uncertain-at-discharge.v1" in _rules(result)
    at_discharge = "DISCHARGE DIAGNOSES:\n1. Probable community-acquired pneumonia.\n"
    assert _codes(_code(engine, at_discharge)) == ["J18.9"]


def test_admitting_diagnosis_superseded(engine: CodingEngine) -> None:
    text = "ADMISSION DIAGNOSIS: Pyelonephritis.\nDISCHARGE DIAGNOSES:\n1. Acute pyelonephritis.\n"
    result = _code(engine, text)
    assert _codes(result) == ["N10"]
    assert "admitting-superseded.v1" in _rules(result)


def test_hypertensive_heart_disease_before_heart_failure(engine: CodingEngine) -> None:
    # I.C.9.a.1: I11.0 first, the type of heart failure after it (Tabular order note).
    text = (
        "DISCHARGE DIAGNOSES:\n1. Acute on chronic systolic heart failure.\n"
        "2. Hypertensive heart disease.\n"
    )
    assert _codes(_code(engine, text))[:2] == ["I11.0", "I50.23"]


def test_covid_pneumonia_first(engine: CodingEngine) -> None:
    # I.C.1.g.1.a and the Tabular's "code first" at J12.82.
    text = "DISCHARGE DIAGNOSES:\n1. COVID-19 pneumonia.\n"
    assert _codes(_code(engine, text))[:2] == ["U07.1", "J12.82"]


def test_hemiplegia_dominance_default(engine: CodingEngine) -> None:
    # I.C.6.a: the left side is non-dominant unless the note says otherwise.
    text = "DISCHARGE DIAGNOSES:\n1. Nontraumatic intracerebral hemorrhage.\n2. Left hemiplegia.\n"
    codes = _codes(_code(engine, text))
    assert "G81.94" in codes and "G81.92" not in codes
    left_handed = "SOCIAL HISTORY: She is left-handed.\n" + text
    assert "G81.92" in _codes(_code(engine, left_handed))


def test_index_see_at_subterm_is_followed(engine: CodingEngine) -> None:
    # I.A.16: "Fracture, femur, intertrochanteric - see Fracture, femur, trochanteric".
    text = "DISCHARGE DIAGNOSES:\n1. Displaced intertrochanteric fracture of left femur.\n"
    assert _codes(_code(engine, text))[0] == "S72.142A"
