"""Section headings and what they mean for coding."""

from __future__ import annotations

from medcoder.nlp.sections import SectionKind, find_sections, heading_kind, section_at

NOTE = """Patient seen today.

CHIEF COMPLAINT

Back pain.

HISTORY OF PRESENT ILLNESS
Pain since Friday.
Past Medical History: hypertension.
FAMILY HISTORY: mother with diabetes.
REVIEW OF SYSTEMS
Denies fever.
ASSESSMENT AND PLAN
Lumbar strain.
• Medical Reasoning: lifting injury.
"""


def test_headings_in_capitals_and_with_colons_are_found() -> None:
    kinds = [s.kind for s in find_sections(NOTE)]
    assert kinds == [
        SectionKind.OTHER,
        SectionKind.CHIEF_COMPLAINT,
        SectionKind.HPI,
        SectionKind.PAST_MEDICAL_HISTORY,
        SectionKind.FAMILY_HISTORY,
        SectionKind.REVIEW_OF_SYSTEMS,
        SectionKind.ASSESSMENT,
    ]


def test_field_labels_inside_a_plan_are_not_sections() -> None:
    sections = find_sections(NOTE)
    offset = NOTE.index("Medical Reasoning")
    found = section_at(sections, offset)
    assert found is not None and found.kind is SectionKind.ASSESSMENT


def test_section_bodies_start_after_the_heading() -> None:
    for section in find_sections(NOTE):
        if section.kind is SectionKind.PAST_MEDICAL_HISTORY:
            assert NOTE[section.body_start : section.end].strip() == "hypertension."


def test_heading_synonyms() -> None:
    assert heading_kind("Impression") is SectionKind.ASSESSMENT
    assert heading_kind("DISCHARGE DIAGNOSES") is SectionKind.DIAGNOSES
    assert heading_kind("A/P") is SectionKind.ASSESSMENT
    assert heading_kind("Past medical history significant for") is (
        SectionKind.PAST_MEDICAL_HISTORY
    )
    assert heading_kind("Medical Reasoning") is None


def test_a_note_without_headings_is_one_section() -> None:
    sections = find_sections("A 70-year-old man with fever and cough.")
    assert [s.kind for s in sections] == [SectionKind.OTHER]
    assert find_sections("") == []


def test_a_report_impression_under_results_stays_a_result() -> None:
    # The imaging report's own "Impression: ..." is a finding (III.B / IV.K); the
    # provider's assessment after it, and an IMPRESSION heading line, open sections.
    text = (
        "RESULTS\nX-ray of the lumbar spine.\nImpression: Mild facet arthropathy at L4-5.\n"
        "ASSESSMENT\nLow back pain.\n"
    )
    kinds = [s.kind for s in find_sections(text)]
    assert kinds == [SectionKind.RESULTS, SectionKind.ASSESSMENT]
    own_line = "RESULTS\nCBC normal.\nIMPRESSION\nViral pharyngitis.\n"
    assert [s.kind for s in find_sections(own_line)] == [
        SectionKind.RESULTS,
        SectionKind.ASSESSMENT,
    ]
    alone = "HPI\nCough.\nImpression: Acute bronchitis.\n"
    assert [s.kind for s in find_sections(alone)][-1] is SectionKind.ASSESSMENT
