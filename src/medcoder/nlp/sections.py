"""Recognize the sections of a clinical note and what each means for coding.

A coder reads the assessment / diagnoses for the reportable conditions, the history
sections for chronic and status conditions, the family history for Z80-Z84, and
treats a review of systems or an exam as findings, not diagnoses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class SectionKind(StrEnum):
    CHIEF_COMPLAINT = "chief_complaint"
    HPI = "history_of_present_illness"
    PAST_MEDICAL_HISTORY = "past_medical_history"
    PAST_SURGICAL_HISTORY = "past_surgical_history"
    FAMILY_HISTORY = "family_history"
    SOCIAL_HISTORY = "social_history"
    REVIEW_OF_SYSTEMS = "review_of_systems"
    PHYSICAL_EXAM = "physical_exam"
    VITALS = "vitals"
    RESULTS = "results"
    MEDICATIONS = "medications"
    ALLERGIES = "allergies"
    ASSESSMENT = "assessment"  # assessment, impression, assessment and plan
    PLAN = "plan"
    DIAGNOSES = "diagnoses"  # diagnoses, discharge / final / postoperative diagnoses
    PROCEDURES = "procedures"
    HOSPITAL_COURSE = "hospital_course"
    INSTRUCTIONS = "instructions"
    OTHER = "other"  # text before the first heading, or an unknown heading


# Normalized heading text -> kind. Checked by exact match, then by the longest key
# that starts the heading ("past medical history significant for" -> PMH).
HEADINGS: dict[str, SectionKind] = {
    "chief complaint": SectionKind.CHIEF_COMPLAINT,
    "cc": SectionKind.CHIEF_COMPLAINT,
    "reason for visit": SectionKind.CHIEF_COMPLAINT,
    "reason for consultation": SectionKind.CHIEF_COMPLAINT,
    "history of present illness": SectionKind.HPI,
    "hpi": SectionKind.HPI,
    "history": SectionKind.HPI,
    "interval history": SectionKind.HPI,
    "subjective": SectionKind.HPI,
    "past medical history": SectionKind.PAST_MEDICAL_HISTORY,
    "medical history": SectionKind.PAST_MEDICAL_HISTORY,
    "past history": SectionKind.PAST_MEDICAL_HISTORY,
    "pmh": SectionKind.PAST_MEDICAL_HISTORY,
    "problem list": SectionKind.PAST_MEDICAL_HISTORY,
    "active problems": SectionKind.PAST_MEDICAL_HISTORY,
    "past surgical history": SectionKind.PAST_SURGICAL_HISTORY,
    "surgical history": SectionKind.PAST_SURGICAL_HISTORY,
    "psh": SectionKind.PAST_SURGICAL_HISTORY,
    "family history": SectionKind.FAMILY_HISTORY,
    "fh": SectionKind.FAMILY_HISTORY,
    "social history": SectionKind.SOCIAL_HISTORY,
    "sh": SectionKind.SOCIAL_HISTORY,
    "review of systems": SectionKind.REVIEW_OF_SYSTEMS,
    "ros": SectionKind.REVIEW_OF_SYSTEMS,
    "physical exam": SectionKind.PHYSICAL_EXAM,
    "physical examination": SectionKind.PHYSICAL_EXAM,
    "exam": SectionKind.PHYSICAL_EXAM,
    "examination": SectionKind.PHYSICAL_EXAM,
    "objective": SectionKind.PHYSICAL_EXAM,
    "vitals": SectionKind.VITALS,
    "vital signs": SectionKind.VITALS,
    "vitals reviewed": SectionKind.VITALS,
    "results": SectionKind.RESULTS,
    "labs": SectionKind.RESULTS,
    "laboratory": SectionKind.RESULTS,
    "imaging": SectionKind.RESULTS,
    "data": SectionKind.RESULTS,
    "studies": SectionKind.RESULTS,
    "medications": SectionKind.MEDICATIONS,
    "current medications": SectionKind.MEDICATIONS,
    "home medications": SectionKind.MEDICATIONS,
    "meds": SectionKind.MEDICATIONS,
    "allergies": SectionKind.ALLERGIES,
    "assessment and plan": SectionKind.ASSESSMENT,
    "assessment plan": SectionKind.ASSESSMENT,
    "a p": SectionKind.ASSESSMENT,
    "assessment": SectionKind.ASSESSMENT,
    "impression": SectionKind.ASSESSMENT,
    "impression and plan": SectionKind.ASSESSMENT,
    "clinical impression": SectionKind.ASSESSMENT,
    "plan": SectionKind.PLAN,
    "diagnosis": SectionKind.DIAGNOSES,
    "diagnoses": SectionKind.DIAGNOSES,
    "discharge diagnosis": SectionKind.DIAGNOSES,
    "discharge diagnoses": SectionKind.DIAGNOSES,
    "final diagnosis": SectionKind.DIAGNOSES,
    "final diagnoses": SectionKind.DIAGNOSES,
    "principal diagnosis": SectionKind.DIAGNOSES,
    "secondary diagnoses": SectionKind.DIAGNOSES,
    "admission diagnosis": SectionKind.DIAGNOSES,
    "admission diagnoses": SectionKind.DIAGNOSES,
    "admitting diagnosis": SectionKind.DIAGNOSES,
    "admitting diagnoses": SectionKind.DIAGNOSES,
    "reason for admission": SectionKind.CHIEF_COMPLAINT,
    "primary diagnosis": SectionKind.DIAGNOSES,
    "preoperative diagnosis": SectionKind.DIAGNOSES,
    "postoperative diagnosis": SectionKind.DIAGNOSES,
    "procedure": SectionKind.PROCEDURES,
    "procedures": SectionKind.PROCEDURES,
    "operation": SectionKind.PROCEDURES,
    "procedure performed": SectionKind.PROCEDURES,
    "hospital course": SectionKind.HOSPITAL_COURSE,
    "instructions": SectionKind.INSTRUCTIONS,
    "patient instructions": SectionKind.INSTRUCTIONS,
    "discharge instructions": SectionKind.INSTRUCTIONS,
    "follow up": SectionKind.INSTRUCTIONS,
}

# Sections whose conditions are reportable diagnoses for the encounter.
DIAGNOSTIC_SECTIONS = frozenset({SectionKind.ASSESSMENT, SectionKind.DIAGNOSES})
# Findings, not diagnoses: a negative ROS, a normal exam, or a lab value.
FINDING_SECTIONS = frozenset(
    {SectionKind.REVIEW_OF_SYSTEMS, SectionKind.PHYSICAL_EXAM, SectionKind.VITALS,
     SectionKind.RESULTS, SectionKind.ALLERGIES, SectionKind.INSTRUCTIONS}
)  # fmt: skip

# A heading: a short line in capitals, or "Heading:" at the start of a line.
_CAPS_LINE_RE = re.compile(r"^[ \t]*([A-Z][A-Z &/,()'-]{1,60}?)[ \t]*:?[ \t]*$", re.MULTILINE)
_COLON_RE = re.compile(r"^[ \t]*([A-Za-z][A-Za-z &/,()'-]{1,50}?)[ \t]*:", re.MULTILINE)
_NON_WORD = re.compile(r"[^a-z]+")


@dataclass(frozen=True, slots=True)
class Section:
    kind: SectionKind
    heading: str  # as written ("" for text before the first heading)
    start: int  # start of the heading
    body_start: int
    end: int


# "History of present illness 2": a known heading followed by more words, the longest
# first (ties in the table's order); sorted here once, not for every line read.
_LEADS = tuple(known + " " for known in sorted(HEADINGS, key=len, reverse=True) if len(known) > 3)


def heading_kind(heading: str) -> SectionKind | None:
    key = _NON_WORD.sub(" ", heading.lower()).strip()
    found = HEADINGS.get(key)
    if found is not None or not key.startswith(_LEADS):  # most lines start no heading
        return found
    for lead in _LEADS:
        if key.startswith(lead):
            return HEADINGS[lead[:-1]]
    return None


def find_sections(text: str) -> list[Section]:
    """Split a note into sections; text before the first heading is an OTHER section."""
    marks: list[tuple[int, int, str, SectionKind]] = []  # start, body_start, heading, kind
    for match in _CAPS_LINE_RE.finditer(text):
        heading = match.group(1).strip()
        kind = heading_kind(heading)
        if kind is not None:
            marks.append((match.start(1), match.end(), heading, kind))
    # A set of the starts, not a scan of the marks: a note of many headings stays linear.
    taken = {m[0] for m in marks}
    for match in _COLON_RE.finditer(text):
        heading = match.group(1).strip()
        kind = heading_kind(heading)
        # "Medical Reasoning:" inside a plan is not a new section; only known headings count.
        if kind is not None and match.start(1) not in taken:
            marks.append((match.start(1), match.end(), heading, kind))
            taken.add(match.start(1))
    marks.sort()
    marks = _without_report_impressions(text, marks)
    sections: list[Section] = []
    if not marks or marks[0][0] > 0:
        first_end = marks[0][0] if marks else len(text)
        if text[:first_end].strip():
            sections.append(Section(SectionKind.OTHER, "", 0, 0, first_end))
    for i, (start, body_start, heading, kind) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        sections.append(Section(kind, heading, start, body_start, end))
    return sections


def _without_report_impressions(
    text: str, marks: list[tuple[int, int, str, SectionKind]]
) -> list[tuple[int, int, str, SectionKind]]:
    """An inline "Impression: ..." under RESULTS is the imaging or test report's own
    impression, a finding read with the results, not the provider's assessment
    (Guidelines III.B / IV.K: abnormal findings are coded only where the provider says
    what they mean); a heading line of its own ("IMPRESSION") still opens one."""
    kept: list[tuple[int, int, str, SectionKind]] = []
    for mark in marks:
        _, body_start, heading, kind = mark
        line_end = text.find("\n", body_start)
        inline = text[body_start : len(text) if line_end < 0 else line_end].strip()
        if (
            kind is SectionKind.ASSESSMENT
            and kept
            and kept[-1][3] is SectionKind.RESULTS
            and heading.lower().startswith("impression")
            and inline
        ):
            continue
        kept.append(mark)
    return kept


def section_at(sections: list[Section], offset: int) -> Section | None:
    for section in sections:
        if section.start <= offset < section.end:
            return section
    return None
