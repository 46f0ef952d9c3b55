"""Each MDM element on its own: problems addressed, data, risk (AMA 2021 MDM table)."""

from __future__ import annotations

import pytest

from medcoder.nlp.sections import find_sections
from medcoder.procedures.em_elements import (
    classify_entry,
    data_element,
    problems_element,
    risk_element,
)
from medcoder.procedures.em_rules import default_em_rules
from medcoder.procedures.em_text import (
    Region,
    assessment_regions,
    lower_text,
    plan_regions,
    problem_entries,
)
from medcoder.results import MDMElement


def problems_of(assessment: str) -> MDMElement:
    text = "HPI: follow-up.\nASSESSMENT:\n" + assessment
    rules, lowered = default_em_rules(), lower_text(text)
    ix = rules.index(lowered)
    entries = problem_entries(text, assessment_regions(text, ix, find_sections(text)))
    return problems_element([p for e in entries for p in classify_entry(text, lowered, ix, e)])


def data_of(text: str) -> MDMElement:
    rules, lowered = default_em_rules(), lower_text(text)
    sections = find_sections(text)
    regions = [Region(s.body_start, s.end, str(s.kind)) for s in sections]
    return data_element(text, lowered, rules.index(lowered), regions, rules)


def risk_of(plan: str) -> MDMElement:
    text = "PLAN:\n" + plan
    rules, lowered = default_em_rules(), lower_text(text)
    regions = plan_regions(text, find_sections(text))
    return risk_element(text, lowered, rules.index(lowered), regions, rules)


# -- problems --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("assessment", "level"),
    [
        ("Common cold, self-limited.", "straightforward"),
        # AMA 2021: an acute illness for which treatment is considered is low; a minor
        # problem not resolving on its expected course is acute, uncomplicated.
        ("Viral upper respiratory infection.", "low"),
        ("Plantar wart.", "straightforward"),
        ("Plantar wart, persistent despite salicylic acid.", "low"),
        # Severe progression: a progression with a poor prognosis is high.
        ("Metastatic lung cancer, progressing, poor prognosis.", "high"),
        ("Left lumbar radiculopathy with new motor weakness.", "moderate"),
        # A diagnosis sentence after others ("name, status") is a problem addressed.
        (
            "Seen today. Knee swelling better.\nRight patellofemoral pain syndrome, uncomplicated.",
            "low",
        ),
        ("1. Sunburn - self-limited.\n2. Insect bites - minor.", "low"),
        ("Essential hypertension, stable.", "low"),
        ("Acute cystitis, uncomplicated.", "low"),
        ("1. Hypertension - stable.\n2. Hyperlipidemia - stable.", "moderate"),
        ("Hypertension and hyperlipidemia, both stable.", "moderate"),
        ("Type 2 diabetes with diabetic chronic kidney disease, stable.", "low"),
        ("Type 2 diabetes, poorly controlled, worsening.", "moderate"),
        ("Asthma with acute exacerbation.", "moderate"),
        ("Breast mass, etiology uncertain.", "moderate"),
        ("Influenza with fever, myalgias and vomiting.", "moderate"),
        ("Closed fracture of the distal radius.", "moderate"),
        ("Heart failure, severe exacerbation.", "high"),
        ("Chest pain, acute coronary syndrome until proven otherwise.", "high"),
        ("Acute bronchitis, resolved.", "straightforward"),
    ],
)
def test_problems_level(assessment: str, level: str) -> None:
    element = problems_of(assessment)
    assert element.level == level, element.detail
    assert element.element == "problems"


def test_problems_carry_evidence_and_a_detail_naming_what_was_counted() -> None:
    element = problems_of("1. Hypertension - stable.\n2. Gout - stable.")
    assert "chronic stable: hypertension" in element.detail
    assert [e.text for e in element.evidence] == ["Hypertension - stable.", "Gout - stable."]


def test_the_same_problem_twice_counts_once() -> None:
    assert problems_of("Hypertension, stable. Hypertension, stable.").level == "low"


def test_no_problem_found_is_straightforward() -> None:
    element = problems_of("Return in 6 months.")
    assert element.level == "straightforward"
    assert element.evidence == ()


# -- data ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PLAN: Continue current care.", "straightforward"),
        ("PLAN: CBC ordered.", "straightforward"),
        ("PLAN: Ordered CBC and TSH.", "low"),
        ("HPI: History provided by her mother, as the child is 2.", "low"),
        ("PLAN: Ordered CBC, TSH and a lipid panel.", "moderate"),
        ("RESULTS: Hemoglobin A1c 7.1%. Lipid panel normal.\nPLAN: Order a TSH.", "moderate"),
        ("DATA: My independent interpretation of the chest x-ray: no infiltrate.", "moderate"),
        ("PLAN: Discussed management with Dr. Lee, cardiology.", "moderate"),
        ("DATA: I personally reviewed the images of the knee MRI.\n"
         "PLAN: Discussed with Dr. Ames, orthopedic surgery, by phone.", "high"),
        ("HPI: I reviewed the outside records from Mercy Hospital.\nPLAN: Ordered CBC, BMP.",
         "moderate"),
    ],
)  # fmt: skip
def test_data_level(text: str, level: str) -> None:
    element = data_of(text)
    assert element.level == level, element.detail
    assert element.element == "data"


def test_unique_tests_count_once_and_imaging_by_site() -> None:
    assert data_of("PLAN: Order CBC. Repeat CBC in 1 week.").level == "straightforward"
    two_sites = data_of("RESULTS: Knee x-ray reviewed.\nPLAN: Lumbar spine x-ray ordered.")
    assert two_sites.level == "low", two_sites.detail


def test_a_negated_or_merely_named_test_is_not_counted() -> None:
    assert data_of("PLAN: No labs needed. No x-ray indicated. No CBC ordered.").level == (
        "straightforward"
    )
    assert data_of("HPI: She had a CBC and a TSH years ago.").level == "straightforward"


def test_discussion_needs_an_external_party() -> None:
    assert data_of("PLAN: Discussed the plan with the patient.").level == "straightforward"


# -- risk ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("plan", "level"),
    [
        ("Rest and fluids.", "straightforward"),
        ("Acetaminophen as needed.", "low"),
        ("Ibuprofen 600 mg over the counter.", "low"),
        ("Physical therapy referral.", "low"),
        ("Continue lisinopril 20 mg daily.", "moderate"),
        ("Start amoxicillin 500 mg three times daily.", "moderate"),
        ("Increase losartan.", "moderate"),  # a drug known by its ending
        ("Prescription sent for an inhaler.", "moderate"),
        ("He cannot afford his statin; switched to a $4 generic.", "moderate"),
        ("Scheduled for surgery: total knee arthroplasty next month.", "moderate"),
        ("Decision to admit to the hospital for IV antibiotics.", "high"),
        ("DNR status confirmed; enroll in hospice.", "high"),
        ("Methotrexate requires intensive monitoring for toxicity: CBC and LFTs monthly.",
         "high"),
        ("Decision for surgery despite high surgical risk: hip replacement.", "high"),
    ],
)  # fmt: skip
def test_risk_level(plan: str, level: str) -> None:
    element = risk_of(plan)
    assert element.level == level, element.detail
    assert element.element == "risk"


def test_return_precautions_are_not_a_decision_for_hospitalization() -> None:
    assert risk_of("Go to the ED if worse; call 911 if chest pain.").level == "straightforward"
    assert risk_of("Return precautions: hospital admission may be needed if worse.").level == (
        "straightforward"
    )


def test_risk_names_what_was_counted_with_evidence() -> None:
    element = risk_of("Continue acetaminophen. Start sertraline 50 mg daily.")
    assert element.detail == "prescription drug management: sertraline"
    assert element.evidence[0].text == "Start sertraline 50 mg daily."


def test_plan_field_labels_are_not_problems() -> None:
    element = problems_of(
        "1. Hypertension, stable.\nMedical Treatment: Continue Imitrex.\n"
        "Additional Testing: An autoimmune panel."
    )
    assert element.level == "low", element.detail
    assert "unclassified" not in element.detail


def test_a_problem_written_twice_counts_at_its_most_complex() -> None:
    element = problems_of("1. Arthritis, stable.\n2. Arthritis with a flare this week.")
    assert element.level == "moderate"
    assert element.detail == "chronic worse: arthritis"


def test_generic_words_are_named_by_what_follows_and_vague_ones_are_not_problems() -> None:
    assert problems_of("Chronic low back pain, stable.").detail.startswith(
        "chronic stable: chronic low back"
    )
    assert problems_of("We reviewed her chronic conditions.").level == "straightforward"


def test_a_summary_sentence_is_not_a_problem() -> None:
    element = problems_of("The patient is a 58-year-old male who presents for follow-up.")
    assert element.level == "straightforward", element.detail
