"""HCPCS Level II from a note: drugs given (units from the descriptor's dose), DME and
supplies, and common G-code services.

A mention found by the curated hints (``procedures/hints.py``) is coded when the note says
it was given, supplied or performed on this date: not negated, planned, historical, in a
medication or allergy list, or taken by mouth. The code is the first of the hint's codes
valid on the date of service in the installed release; its units come from the dose the
descriptor names and the dose documented, rounded up (``procedures/units.py``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import CodeStatus
from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import SectionKind
from medcoder.nlp.text import Sentence
from medcoder.procedures.hints import HcpcsHint, HintBook, default_hints
from medcoder.procedures.modifiers import (
    BILATERAL_ITEMS,
    RIGHT_LEFT,
    laterality_modifiers,
    side_of,
)
from medcoder.procedures.units import (
    billing_units,
    descriptor_quantity,
    documented_count,
    documented_dose,
)
from medcoder.results import (
    DroppedCandidate,
    Evidence,
    ProcedureAssignment,
    RuleApplied,
    StageFindings,
)

GIVEN = RuleApplied(
    "hcpcs-given.v1",
    "HCPCS Level II: report what was furnished on the date",
    "the note documents it given, supplied or performed",
)
DRUG_UNITS = RuleApplied(
    "hcpcs-drug-units.v1",
    "Medicare Claims Processing Manual Ch. 17: units = dose given / descriptor dose, rounded up",
    "billing units from the HCPCS descriptor's dose",
)
SUPPLY_UNITS = RuleApplied(
    "hcpcs-supply-units.v1",
    "HCPCS Level II descriptor quantity: units = items furnished / items per unit, rounded up",
    "billing units from the HCPCS descriptor's count",
)
NOT_GIVEN = RuleApplied(
    "hcpcs-not-given.v1",
    "HCPCS Level II: report only what was furnished",
    "negated, planned, historical, listed or by mouth",
)
DATE_OF_SERVICE = RuleApplied(
    "hcpcs-valid-on-date.v1",
    "CMS HCPCS quarterly file / I/OCE",
    "no hinted code is valid on the date of service",
)

LIST_SECTIONS = {
    SectionKind.MEDICATIONS,
    SectionKind.ALLERGIES,
    SectionKind.FAMILY_HISTORY,
    SectionKind.PAST_MEDICAL_HISTORY,
    SectionKind.PAST_SURGICAL_HISTORY,
}
_PLANNED_RE = re.compile(
    r"\b(will|would|plan(?:s|ning)? to|planned|consider(?:ing)?|recommend(?:ed|s)?|if needed|"
    r"as needed|prn|may need|next visit|declined|refused|deferred|discussed|to be given|"
    r"should|schedule[d]? for|going to|did not want|does not want|requested)\b",
    re.IGNORECASE,
)
_REACTION_RE = re.compile(
    r"\b(reaction|reactions|allerg(?:y|ic|ies)|intoleran(?:t|ce)|sensitivity)\b", re.IGNORECASE
)
# A clause ends at a comma, semicolon or a coordinating "and"/"but"/"then": "She will rest
# for two days, we provided crutches today" plans the rest, not the crutches.
_CLAUSE_RE = re.compile(r"[,;:]|\b(?:and|but|then)\b", re.IGNORECASE)
# "Eugene Walker", "Mr. Walker": a hint word used as a person's name in this note.
_NAME_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][a-z]+)|\b[A-Z][a-z]+\s+([A-Z][a-z]+)\b")
_ORAL_RE = re.compile(
    r"\b(po|p\.o\.|by mouth|orally|oral|tablets?|tabs?|capsules?|caps)\b", re.IGNORECASE
)
CONFIDENCE = {"drug": 0.9, "dme": 0.75, "supply": 0.75, "service": 0.8}


@dataclass(slots=True)
class _Found:
    hint: HcpcsHint
    status: CodeStatus
    evidence: list[Evidence]
    units: int
    arithmetic: str
    uncertain: tuple[str, ...]
    modifiers: tuple[str, ...]
    rules: tuple[RuleApplied, ...]


class HcpcsCoder:
    """The HCPCS Level II procedure stage (a :class:`~medcoder.stage.Stage`)."""

    name = "hcpcs"

    def __init__(self, hints: HintBook | None = None) -> None:
        self.hints = hints or default_hints()
        self._pattern = self.hints.pattern()
        self._by_name = self.hints.by_name()
        self._cues = {
            name: re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
            for name, words in self.hints.cues.items()
            if words
        }

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        lookup = code_sets.procedure_code_sets
        if lookup is None or not lookup.has_hcpcs:
            return StageFindings()  # no HCPCS release installed: the system is not coded
        document, text, sections = note.document, note.text, note.sections
        matches = list(self._pattern.finditer(text.lower()))
        if not matches:
            return StageFindings()
        starts = [s.start for s in sections]
        found: dict[str, _Found] = {}
        dropped: list[DroppedCandidate] = []
        for match in matches:
            hint = self._by_name[match.group(1)]
            start, end = match.span(1)
            index = bisect_right(starts, start) - 1
            section = sections[index] if index >= 0 else None
            kind = str(section.kind) if section else "other"
            span = Evidence(start, end, text[start:end], kind)
            if section is not None and section.kind in LIST_SECTIONS:
                dropped.append(
                    DroppedCandidate(
                        hint.codes[0],
                        span.text,
                        f"in {kind}: not furnished on this date",
                        NOT_GIVEN,
                        span,
                    )
                )
                continue
            body = note.sentences() if section is None else note.section_sentences(section)
            sentence = next((s for s in body if s.start <= start < s.end), None)
            if sentence is None:
                continue
            reason = self._not_given(note, sentence, span, hint, kind)
            if reason:
                dropped.append(
                    DroppedCandidate(hint.codes[0], sentence.text.strip(), reason, NOT_GIVEN, span)
                )
                continue
            status = self._valid_code(hint, document, lookup)
            if status is None:
                dropped.append(
                    DroppedCandidate(
                        hint.codes[0],
                        span.text,
                        "no hinted code valid on the date of service",
                        DATE_OF_SERVICE,
                        span,
                    )
                )
                continue
            item = self._measure(hint, status, text, sentence, end, span)
            previous = found.get(status.code)
            if previous is None or item.units > previous.units:
                if previous is not None:
                    item.evidence = previous.evidence + item.evidence
                found[status.code] = item
            else:
                previous.evidence.append(span)
        codes = tuple(self._assignment(f, document, lookup) for f in found.values())
        return StageFindings(procedures=codes, dropped=tuple(dropped))

    def _not_given(
        self,
        note: ParsedNote,
        sentence: Sentence,
        span: Evidence,
        hint: HcpcsHint,
        section: str,
    ) -> str:
        document = note.document
        (assertion,) = note.assertions(sentence, [(span.start, span.end)], section)
        if assertion.negated:
            return "negated: not given"
        if assertion.hypothetical:
            return "hypothetical: not given"
        if assertion.historical or assertion.family:
            return "historical or family: not on this date"
        if _PLANNED_RE.search(_clause(document.text, sentence, span)):
            return "planned or declined, not furnished on this date"
        if _REACTION_RE.search(sentence.text):
            return "a reaction or allergy to it, not a dose given"
        if (
            hint.kind in ("dme", "supply")  # surnames: Walker, Cane; drug brands follow verbs
            and span.text[:1].isupper()
            and span.text.lower() in _names(document.text)
        ):
            return "a person's name in this note"
        if hint.kind == "drug" and _ORAL_RE.search(sentence.text):
            return "taken by mouth: J-codes report drugs given other than orally"
        cue = self._cues.get(hint.cue)
        if cue is not None and not cue.search(sentence.text):
            return f"no statement that it was {hint.cue}"
        return ""

    def _valid_code(
        self, hint: HcpcsHint, document: ClinicalDocument, lookup: ProcedureCodeSets
    ) -> CodeStatus | None:
        for code in hint.codes:
            try:
                status = lookup.lookup(code, document.date_of_service)
            except MedcoderError:
                return None
            if status.valid:
                return status
        return None

    def _measure(
        self,
        hint: HcpcsHint,
        status: CodeStatus,
        text: str,
        sentence: Sentence,
        end: int,
        span: Evidence,
    ) -> _Found:
        after = text[end : sentence.end]
        units, arithmetic = 1, ""
        uncertain: tuple[str, ...] = ()
        rules: tuple[RuleApplied, ...] = (GIVEN,)
        per_unit = descriptor_quantity(status.title)
        if hint.kind in ("drug", "supply") and per_unit is not None:
            given = (
                documented_count(text[sentence.start : sentence.end], hint.count)
                if hint.count
                else documented_dose(after[:80], per_unit.dimension)
                or documented_dose(
                    text[max(sentence.start, span.start - 40) : span.start], per_unit.dimension
                )
            )
            computed = billing_units(given, per_unit) if given is not None else None
            if computed is not None:
                units, arithmetic = computed
                rules += (DRUG_UNITS if hint.kind == "drug" else SUPPLY_UNITS,)
            else:
                arithmetic = "no dose documented in the descriptor's measure: 1 unit"
                uncertain = ("units",)
        modifiers: tuple[str, ...] = ()
        if hint.lateral:
            side = side_of(sentence.text)
            modifiers = laterality_modifiers(side)
            if side == "bilateral":
                units, rules = units * 2, (*rules, BILATERAL_ITEMS)
            elif modifiers:
                rules += (RIGHT_LEFT,)
        return _Found(hint, status, [span], units, arithmetic, uncertain, modifiers, rules)

    def _assignment(
        self, found: _Found, document: ClinicalDocument, lookup: ProcedureCodeSets
    ) -> ProcedureAssignment:
        status = found.status
        path = f"{status.code} '{status.title}'"
        if found.arithmetic:
            path += f"; {found.arithmetic} -> {found.units} unit{'s' if found.units > 1 else ''}"
        checks = [f"valid on the date of service ({status.release}, {status.source})"]
        modifiers = found.modifiers
        if modifiers:
            # a modifier the installed release lacks on this date is left off, and said
            unknown = lookup.unknown_modifiers(modifiers, document.date_of_service)
            modifiers = tuple(m for m in modifiers if m not in unknown)
            checks.append(
                f"modifier {', '.join(unknown)} not in the HCPCS release: left off"
                if unknown
                else f"modifier {', '.join(modifiers)} valid on the date of service"
            )
        confidence = CONFIDENCE[found.hint.kind] - (0.25 if found.uncertain else 0.0)
        return ProcedureAssignment(
            code=status.code,
            system=CodeSystem.HCPCS,
            title=status.title,
            release=status.release,
            sequence=0,
            confidence=round(confidence, 2),
            evidence=tuple(found.evidence),
            path=path,
            checks=tuple(checks),
            rules=found.rules,
            units=found.units,
            modifiers=modifiers,
            uncertain_axes=found.uncertain,
        )


def _clause(text: str, sentence: Sentence, span: Evidence) -> str:
    """The part of the sentence between the clause breaks around the mention."""
    before = text[sentence.start : span.start]
    after = text[span.end : sentence.end]
    breaks = list(_CLAUSE_RE.finditer(before))
    start = breaks[-1].end() if breaks else 0
    following = _CLAUSE_RE.search(after)
    end = following.start() if following else len(after)
    return before[start:] + span.text + after[:end]


def _names(text: str) -> set[str]:
    return {(a or b).lower() for a, b in _NAME_RE.findall(text)}
