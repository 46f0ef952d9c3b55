"""How a discharge summary is read for the inpatient rules: which part says what.

A coder reads an inpatient record by the role of each part (UHDDS; Guidelines Section
II): the attending's own statement of the principal diagnosis, the discharge (final)
diagnoses, the admitting diagnosis or chief complaint (the reason the patient came, often
a symptom, superseded by what was established "after study"), and the narrative (history
of present illness, hospital course: what was evaluated and treated). :class:`StayReading`
maps each offset of a parsed note to its role, once per note.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from enum import Enum

from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import Section, SectionKind
from medcoder.nlp.text import Sentence


class StayRole(Enum):
    """The part of a discharge summary a mention was written in."""

    PRINCIPAL = "principal"  # "Principal diagnosis:", "Primary diagnosis:"
    DISCHARGE = "discharge"  # discharge / final / secondary diagnoses
    ADMISSION = "admission"  # admitting diagnosis, chief complaint, reason for admission
    NARRATIVE = "narrative"  # history of present illness, hospital course
    OTHER = "other"


_PRINCIPAL_HEADING = re.compile(r"\b(principal|primary)\b", re.I)
_ADMISSION_HEADING = re.compile(r"\b(admi\w*|chief complaint|reason for)\b", re.I)
_DISCHARGE_HEADING = re.compile(r"\b(discharge|final|secondary)\b.*\bdiagnos", re.I)
_NARRATIVE_KINDS = frozenset({SectionKind.HPI, SectionKind.HOSPITAL_COURSE})


def role_of(section: Section) -> StayRole:
    """The role of a section, from its heading as written and its kind."""
    heading = section.heading
    if section.kind in (SectionKind.INSTRUCTIONS, SectionKind.MEDICATIONS):
        return StayRole.OTHER
    if _PRINCIPAL_HEADING.search(heading) and "diagnos" in heading.lower():
        return StayRole.PRINCIPAL
    if _ADMISSION_HEADING.search(heading) or section.kind is SectionKind.CHIEF_COMPLAINT:
        return StayRole.ADMISSION
    if _DISCHARGE_HEADING.search(heading) or section.kind is SectionKind.DIAGNOSES:
        return StayRole.DISCHARGE
    if section.kind in _NARRATIVE_KINDS:
        return StayRole.NARRATIVE
    return StayRole.OTHER


class StayReading:
    """The roles of one parsed note's sections, and its sentences by offset."""

    def __init__(self, note: ParsedNote) -> None:
        self.note = note
        self.sections = tuple(sorted(note.sections, key=lambda s: s.start))
        self._starts = [s.start for s in self.sections]
        self.roles = tuple(role_of(s) for s in self.sections)
        # A stated principal or a discharge list: the diagnoses established after study.
        self.has_final = any(r in (StayRole.PRINCIPAL, StayRole.DISCHARGE) for r in self.roles)
        self._sentences = note.sentences()
        self._sentence_starts = [s.start for s in self._sentences]

    def section_at(self, offset: int) -> tuple[Section, StayRole] | None:
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        return self.sections[i], self.roles[i]

    def role_at(self, offset: int) -> StayRole:
        found = self.section_at(offset)
        return found[1] if found else StayRole.OTHER

    def sentence_at(self, offset: int) -> Sentence | None:
        i = bisect_right(self._sentence_starts, offset) - 1
        if i < 0:
            return None
        sentence = self._sentences[i]
        return sentence if sentence.start <= offset < max(sentence.end, offset + 1) else None

    def is_final(self, offset: int) -> bool:
        """Written where the diagnoses established after study are listed."""
        return self.role_at(offset) in (StayRole.PRINCIPAL, StayRole.DISCHARGE)
