"""The office/outpatient E/M level (99202-99205 new, 99211-99215 established) and
modifier 25, as a procedure stage.

The level is chosen by medical decision making (2 of 3 elements of the AMA MDM table) or
by the total time on the date of the encounter when the note documents it, whichever
gives the higher level (ties go to MDM, whose elements carry their evidence). The stage
runs only for outpatient notes shaped like an office visit. Rules: ``em_rules.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.kinds import CodeSystem, Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import Section, SectionKind
from medcoder.procedures.em_elements import (
    Problem,
    classify_entry,
    data_element,
    problems_element,
    risk_element,
)
from medcoder.procedures.em_rules import EMRules, default_em_rules, mdm_level
from medcoder.procedures.em_text import (
    HISTORY_KINDS,
    Region,
    assessment_regions,
    lower_text,
    patient_status,
    plan_regions,
    problem_entries,
    sentence_around,
    total_time,
    visit_kind,
)
from medcoder.procedures.phrases import PhraseIndex
from medcoder.results import (
    DroppedCandidate,
    EMLevel,
    Evidence,
    MDMElement,
    ProcedureAssignment,
    RuleApplied,
    StageFindings,
)

_GUIDE = "AMA CPT E/M Services Guidelines (office or other outpatient), 2021"
RULE_MDM = RuleApplied("em-mdm.v1", f"{_GUIDE}: Table 1, levels of MDM (2 of 3 elements)", "")
RULE_TIME = RuleApplied(
    "em-time.v1", f"{_GUIDE}: total time on the date of the encounter (2024 thresholds)", ""
)
RULE_STATUS = RuleApplied(
    "em-patient-status.v1", f"{_GUIDE}: new and established patients (3-year rule)", ""
)
RULE_99211 = RuleApplied(
    "em-99211.v1", f"{_GUIDE}: 99211 may not require a physician/QHP; no MDM or time", ""
)
RULE_25 = RuleApplied(
    "em-modifier-25.v1",
    "AMA CPT Appendix A, modifier 25; CMS NCCI Policy Manual ch. XI.B (E/M with a minor "
    "procedure the same day)",
    "",
)
RULE_DOCUMENTED = RuleApplied(
    "em-documented.v1", f"{_GUIDE}: each MDM element is leveled on what is documented", ""
)
_LACKING = {
    "problems": "problems addressed (no assessment found)",
    "data": "data reviewed or ordered",
    "risk": "management decisions (risk)",
}
RULE_VISIT = RuleApplied("em-office-visit.v1", f"{_GUIDE}: office or other outpatient only", "")
# Words a procedure note shares with any problem entry ("right", "today"): not a link.
_GENERIC = frozenset(
    {"right", "left", "bilateral", "today", "daily", "with", "after", "under", "patient",
     "tolerated", "well", "consent", "verbal", "obtained", "applied", "procedure", "performed",
     "complications", "sterile", "prep", "lateral", "medial", "approach", "cycles", "times",
     "return"}
)  # fmt: skip
_WORD_RE = re.compile(r"[a-z]{4,}")
_HEADLINE = 300  # the top of the note, read whatever its section (em_text.visit_kind)
# Not read at all: history and medication lists name what was not addressed today, and
# the review of systems and exam hold findings (no problem, test, drug or decision).
_NOT_READ = HISTORY_KINDS | {SectionKind.PHYSICAL_EXAM, SectionKind.VITALS}
# An exam finding ("pharynx injected") is not a procedure done.
_NOT_PROCEDURE = HISTORY_KINDS | {
    SectionKind.PHYSICAL_EXAM,
    SectionKind.VITALS,
    SectionKind.RESULTS,
}


def _with(rule: RuleApplied, detail: str) -> RuleApplied:
    return RuleApplied(rule.rule, rule.guideline, detail)


class EMCoder:
    """The E/M stage: an ``EMLevel`` and the E/M code as a ``ProcedureAssignment``."""

    system = CodeSystem.CPT
    name = "em"

    def __init__(self, rules: EMRules | None = None) -> None:
        self._rules = rules

    @property
    def rules(self) -> EMRules:
        if self._rules is None:
            self._rules = default_em_rules()
        return self._rules

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        # E/M reads the note by phrase over the whole text (em_text), not sentence by
        # sentence: the code sets do not enter into it (the rules ship with medcoder).
        return self.findings(note.document, note.sections)

    def findings(self, document: ClinicalDocument, sections: Sequence[Section]) -> StageFindings:
        """The visit level of one document whose sections were already found."""
        rules = self.rules
        text = document.text
        if not text.strip():
            return StageFindings()
        if document.setting is not Setting.OUTPATIENT:
            why = f"{document.setting} setting: not an office or other outpatient visit"
            drop = DroppedCandidate(None, "office/outpatient E/M", why, _with(RULE_VISIT, why))
            return StageFindings(dropped=(drop,))
        lowered = lower_text(text)
        ix = rules.index(lowered, _read_spans(text, sections))
        assessment = assessment_regions(text, ix, sections)
        plan = plan_regions(text, sections)
        kind, why = visit_kind(document, ix, sections, bool(assessment or plan))
        narrative = not (assessment or plan)
        if narrative:
            # No assessment or plan written as such: every sentence outside history lists
            # and the exam may name a problem addressed (a paragraph vignette, issue 13).
            assessment = _data_regions(text, sections, _NOT_READ) or [Region(0, len(text), "other")]
        if kind == "not_office":
            drop = DroppedCandidate(None, "office/outpatient E/M", why, _with(RULE_VISIT, why))
            return StageFindings(dropped=(drop,))
        if kind == "no_visit":
            drop = DroppedCandidate(None, "office/outpatient E/M", why, _with(RULE_VISIT, why))
            return StageFindings(dropped=(drop,))
        status, status_span, assumed = patient_status(document, ix)
        status_rule = _with(
            RULE_STATUS,
            f"{status} patient"
            + (" (from the flag)" if document.patient_status is not None else "")
            + (" (assumed: the note does not say)" if assumed else ""),
        )
        if kind == "staff":
            return self._staff_visit(document, status, status_rule, why)
        return self._level(document, lowered, ix, sections, assessment, plan, status,
                           status_span, status_rule, assumed, narrative)  # fmt: skip

    def _staff_visit(
        self, document: ClinicalDocument, status: str, status_rule: RuleApplied, why: str
    ) -> StageFindings:
        if status != "established":
            return StageFindings()
        code = self.rules.codes["established"]["minimal"]
        element = MDMElement("problems", "straightforward", f"{why}: no MDM needed")
        rules = (status_rule, _with(RULE_99211, why))
        level = EMLevel(code, status, "mdm", "straightforward", (element,), None, None, 0.6, rules)
        return StageFindings(procedures=(self._assignment(level, (), "", ()),), em_level=level)

    def _level(
        self, document: ClinicalDocument, lowered: str, ix: PhraseIndex,
        sections: Sequence[Section], assessment: list[Region], plan: list[Region], status: str,
        status_span: Evidence | None, status_rule: RuleApplied, assumed: bool,
        narrative: bool = False,
    ) -> StageFindings:  # fmt: skip
        rules, text = self.rules, document.text
        entries = problem_entries(text, assessment or plan)
        same = rules.problem_synonyms
        problems = [
            replace(p, name=same.get(p.name.lower(), p.name))
            for entry in entries
            for p in classify_entry(text, lowered, ix, entry)
        ]
        procedure = _procedure_spans(text, lowered, ix, sections)
        indication: list[Problem] = []
        if procedure:
            indication = _indication(lowered, ix, procedure, problems)
            problems = [p for p in problems if p not in indication]
            if not problems:
                why = "only the procedure's own indication was addressed: no significant, "
                why += "separately identifiable E/M"
                drop = DroppedCandidate(None, "office/outpatient E/M", why, _with(RULE_25, why),
                                        procedure[0])  # fmt: skip
                return StageFindings(dropped=(drop,))
        elements = (
            problems_element(problems, indication),
            data_element(text, lowered, ix, _data_regions(text, sections), rules, procedure),
            risk_element(text, lowered, ix, [*assessment, *plan], rules),
        )
        mdm = mdm_level(*(m.level for m in elements))
        mdm_code = rules.mdm_code(status, mdm)
        timed = total_time(text, lowered)
        time_code = rules.time_code(status, timed[0]) if timed else None
        by_time = time_code is not None and int(time_code) > int(mdm_code)
        code = time_code if by_time and time_code else mdm_code
        applied = [status_rule, _with(RULE_MDM, f"MDM {mdm} -> {mdm_code}: " + ", ".join(
            f"{m.element} {m.level}" for m in elements))]  # fmt: skip
        if timed:
            applied.append(_with(RULE_TIME, f"{timed[0]} min -> {time_code or 'below threshold'}"
                                 + (" (chosen: higher than MDM)" if by_time else "")))  # fmt: skip
        modifiers: tuple[str, ...] = ()
        if procedure:
            modifiers = ("25",)
            names = ", ".join(sorted({p.name for p in problems}))
            applied.append(_with(RULE_25, f"same-day procedure, E/M for other problems: {names}"))
        found = sum(1 for m in elements if m.evidence)
        if narrative and not found and not timed and status_span is None:
            why = "nothing to level: no problem addressed, data or management decision found"
            drop = DroppedCandidate(None, "office/outpatient E/M", why, _with(RULE_DOCUMENTED, why))
            return StageFindings(dropped=(drop,))
        confidence = 0.9 if by_time else 0.45 + 0.1 * found
        if assumed:
            confidence -= 0.1
        if narrative:
            confidence -= 0.05  # no assessment or plan written as such
        lacking = [m.element for m in elements if not m.evidence]
        if not by_time and (not elements[0].evidence or found <= 1):
            # Too little to level with trust: a level all the same, at low confidence,
            # with what the note does not document named (issue 13).
            confidence = min(confidence, 0.35)
        if lacking:
            applied.append(_with(RULE_DOCUMENTED, "not documented: " + ", ".join(
                _LACKING[e] for e in lacking) + "; leveled on what is written"))  # fmt: skip
        level = EMLevel(
            code=code, patient_status=status, basis="time" if by_time else "mdm", mdm_level=mdm,
            elements=elements, time_minutes=timed[0] if timed else None,
            time_evidence=timed[1] if timed else None, confidence=round(confidence, 2),
            rules=tuple(applied),
        )  # fmt: skip
        extra = tuple(x for x in (status_span, timed[1] if timed else None) if x is not None)
        path = (
            f"{status} patient, by total time: {timed[0]} min"
            if by_time and timed
            else f"{status} patient, by MDM: {mdm} ("
            + ", ".join(f"{m.element} {m.level}" for m in elements)
            + ")"
        )
        return StageFindings(
            procedures=(self._assignment(level, extra, path, modifiers),), em_level=level
        )

    def _assignment(
        self, level: EMLevel, extra: tuple[Evidence, ...], path: str, modifiers: tuple[str, ...]
    ) -> ProcedureAssignment:
        evidence = tuple(dict.fromkeys([*extra, *(e for m in level.elements for e in m.evidence)]))
        return ProcedureAssignment(
            code=level.code, system=CodeSystem.CPT, title="", release=self.rules.version,
            sequence=0, confidence=level.confidence, evidence=evidence[:12],
            path=f"office/outpatient E/M, {path or level.rules[-1].detail}",
            rules=level.rules, modifiers=modifiers,
        )  # fmt: skip


def _read_spans(text: str, sections: Sequence[Section]) -> list[tuple[int, int]]:
    """What the stage reads: the headline and every section but history lists, the review
    of systems and the exam (a third of a typical note, and the slowest part to scan)."""
    spans: list[tuple[int, int]] = [(0, min(len(text), _HEADLINE))]
    for section in sections:
        if section.kind in _NOT_READ:
            continue
        start, end = max(section.start, spans[-1][1]), section.end
        if start >= end:
            continue
        if start == spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if not sections:
        spans = [(0, len(text))]
    return spans


def _data_regions(
    text: str, sections: Sequence[Section], skip: frozenset[SectionKind] = HISTORY_KINDS
) -> list[Region]:
    """Everything but history and medication lists (which name past tests and drugs)."""
    if not sections:
        return [Region(0, len(text), "other")]
    return [Region(s.body_start, s.end, str(s.kind)) for s in sections if s.kind not in skip]


def _procedure_spans(
    text: str, lowered: str, ix: PhraseIndex, sections: Sequence[Section]
) -> list[Evidence]:
    """A minor procedure documented as done today: a procedure section, or a sentence
    naming a procedure with a word that says it was performed."""
    out = []
    for section in sections:
        body = text[section.body_start : section.end]
        if section.kind is SectionKind.PROCEDURES and body.strip():
            start = section.body_start + len(body) - len(body.lstrip())
            end = min(section.body_start + len(body.rstrip()), start + 200)
            out.append(Evidence(start, end, text[start:end], str(section.kind)))
    if out:
        return out
    for region in _data_regions(text, sections, _NOT_PROCEDURE):
        for m in ix.finditer("procedures.names", region.start, region.end):
            start, end = sentence_around(lowered, m.start, m.end, region)
            performed = ix.search("procedures.performed_cues", start, end)
            if performed and not any(e.start == start for e in out):
                out.append(Evidence(start, end, text[start:end], region.section))
    return out


def _indication(
    lowered: str, ix: PhraseIndex, procedure: Sequence[Evidence], problems: Sequence[Problem]
) -> list[Problem]:
    """The problems the procedure treats: their entry says so ("treated with cryotherapy
    today as above") or shares a word with the procedure statement ("wart", "knee")."""
    words = {w for p in procedure for w in _WORD_RE.findall(lowered[p.start : p.end])}
    words -= _GENERIC
    out = []
    for problem in problems:
        s, e = problem.entry.start, problem.entry.end
        cue = ix.search("procedures.indication_cues", s, e)
        named = ix.search("procedures.names", s, e)
        shared = words & set(_WORD_RE.findall(lowered[s:e]))
        if cue or named or shared:
            out.append(problem)
    return out
