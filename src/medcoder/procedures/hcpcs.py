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
from dataclasses import dataclass, replace
from datetime import date

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import CodeStatus
from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import SectionKind
from medcoder.nlp.text import Sentence
from medcoder.procedures.hints import (
    HcpcsHint,
    HintBook,
    choose_codes,
    default_hints,
    vaccine_pair,
)
from medcoder.procedures.modifiers import (
    BILATERAL_ITEMS,
    RIGHT_LEFT,
    laterality_modifiers,
    side_of,
)
from medcoder.procedures.units import (
    billing_units,
    container_kind,
    descriptor_quantity,
    discarded_dose,
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
DISCARDED = RuleApplied(
    "hcpcs-jw-jz.v1",
    "CMS discarded drug policy (Medicare Claims Processing Manual Ch. 17 §40; JW/JZ "
    "modifiers FAQ, JZ required from 2023-07-01): single-dose containers only",
    "",
)
VACCINE_PAIR = RuleApplied(
    "hcpcs-vaccine-admin.v1",
    "Medicare Claims Processing Manual Ch. 18 §10.2: G0008/G0009/G0010 administration is "
    "reported with the vaccine product code on the same claim",
    "",
)
RISK_CHOICE = RuleApplied(
    "hcpcs-screening-risk.v1",
    "Medicare Claims Processing Manual Ch. 18 §60 (colorectal screening) and the HCPCS "
    "descriptors: the code is chosen by the history the note gives",
    "",
)
JZ_FROM = date(2023, 7, 1)
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
            hint, choice = choose_codes(hint, text)
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
            if choice:
                item.rules += (_detail(RISK_CHOICE, choice),)
            if hint.pair:
                item.rules += (_detail(VACCINE_PAIR, vaccine_pair(hint, text)),)
            for key, line in self._discard_lines(item, document, text, sentence, status.code):
                previous = found.get(key)
                if previous is None or line.units > previous.units:
                    if previous is not None:
                        line.evidence = previous.evidence + line.evidence
                    found[key] = line
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
        per_unit = descriptor_quantity(status.title, each=bool(hint.count))
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

    def _discard_lines(
        self, item: _Found, document: ClinicalDocument, text: str, sentence: Sentence, code: str
    ) -> list[tuple[str, _Found]]:
        """The drug's line, with JZ when a single-dose container was used up, and a JW line
        for an amount discarded from it. A multi-dose or unnamed container gets neither:
        the policy covers single-dose containers only."""
        said = text[sentence.start : sentence.end]
        on_date = document.date_of_service
        if (
            item.hint.kind != "drug"
            or container_kind(said) != "single"
            or "units" in item.uncertain
        ):
            return [(code, item)]
        per_unit = descriptor_quantity(item.status.title)
        wasted = discarded_dose(said, per_unit.dimension) if per_unit else None
        if wasted is None or per_unit is None:
            if on_date is not None and on_date < JZ_FROM:
                return [(code, item)]
            item.modifiers += ("JZ",)
            item.rules += (_detail(DISCARDED, "single-dose container, none discarded: JZ"),)
            return [(code, item)]
        computed = billing_units(wasted, per_unit)
        if computed is None:
            return [(code, item)]
        units, arithmetic = computed
        why = f"single-dose container, {wasted.written} discarded: JW line"
        line = replace(item, evidence=list(item.evidence), units=units,
                       arithmetic=f"discarded {arithmetic}", modifiers=("JW",),
                       rules=(*item.rules, _detail(DISCARDED, why)))  # fmt: skip
        return [(code, item), (f"{code}:JW", line)]

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


def _detail(rule: RuleApplied, detail: str) -> RuleApplied:
    return RuleApplied(rule.rule, rule.guideline, detail)
