"""The ICD-10-CM Official Guidelines as named, versioned rules over coded candidates.

Each rule that drops or changes a code leaves a RuleApplied naming the guideline
section, so the reviewing coder sees why. Order: assertion rules (what is documented
as present), scope (what was addressed at this encounter), integral symptoms and
chronic pain (coding/symptoms.py), combination codes (coding/combinations.py),
specificity and Excludes1 (coding/specificity.py), then sequencing with the codes
around them: companions, infectious agents (coding/organisms.py), adverse effects
(coding/adverse.py), poisonings (coding/poisoning.py), severe sepsis, long-term drug
therapy (coding/long_term.py); each code's confidence from coding/confidence.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding import (
    adverse,
    combinations,
    companions,
    long_term,
    organisms,
    poisoning,
    sepsis,
    specificity,
    symptoms,
)
from medcoder.coding.candidate import Candidate
from medcoder.coding.candidate import dropped as _drop
from medcoder.coding.confidence import confidence_of
from medcoder.coding.instructions import note_refers_to
from medcoder.kinds import CodeSystem, Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS, FINDING_SECTIONS, SectionKind
from medcoder.results import CodeAssignment, DroppedCandidate, RuleApplied

NEGATED = RuleApplied(
    "negated.v1", "ICD-10-CM Guidelines I.B.1 / IV.J", "documented as absent: not coded"
)
HYPOTHETICAL = RuleApplied(
    "hypothetical.v1", "ICD-10-CM Guidelines IV.J", "a possible future condition: not coded"
)
FAMILY = RuleApplied(
    "family-history.v1",
    "ICD-10-CM Guidelines I.C.21.c.4",
    "a relative's condition: a family-history Z code (Z80-Z84) applies, not the condition",
)
UNCERTAIN_OUTPATIENT = RuleApplied(
    "uncertain-outpatient.v1",
    "ICD-10-CM Guidelines IV.H",
    "uncertain diagnosis (probable, suspected, rule out...) is not coded in the outpatient "
    "setting; code the signs and symptoms instead",
)
UNCERTAIN_INPATIENT = RuleApplied(
    "uncertain-inpatient.v1",
    "ICD-10-CM Guidelines II.H / III.C",
    "uncertain diagnosis at discharge coded as if it existed (inpatient)",
)
HISTORICAL = RuleApplied(
    "history-of.v1",
    "ICD-10-CM Guidelines I.C.21.c.4",
    "a past condition that no longer exists: not coded as current",
)
OUT_OF_SCOPE = RuleApplied(
    "addressed-conditions.v1",
    "ICD-10-CM Guidelines IV.I / IV.J",
    "not among the conditions assessed at this encounter",
)
PERSONAL_HISTORY = RuleApplied(
    "personal-history.v1",
    "ICD-10-CM Guidelines I.C.21.c.4",
    "a condition that no longer exists: its personal-history Z code (Z85-Z87) is reported",
)
HISTORY_CHRONIC = RuleApplied(
    "history-chronic.v1",
    "ICD-10-CM Guidelines IV.J / I.C.21.c.4",
    "'history of' a chronic condition documents a current condition, coded as such",
)
REASONING_ONLY = RuleApplied(
    "problem-list.v1",
    "ICD-10-CM Guidelines IV.I / IV.J",
    "named only in the reasoning under an assessed problem, not as a problem of its own",
)
FINDING = RuleApplied(
    "finding-section.v1",
    "ICD-10-CM Guidelines IV.D / III.B",
    "a finding in the review of systems, exam or results, not a documented diagnosis",
)
# "History of aortic aneurysm repair": the past mention names the procedure that treated
# the condition, so the chronic condition is not documented as current (I.C.21.c.4).
_TREATED_RE = re.compile(
    r"\s*(?:repair|resection|excision|removal|ablation|ligation|clipping|coiling|"
    r"(?:was |were )?(?:surgically )?(?:repaired|resected|excised|removed|ablated))\b",
    re.I,
)


@functools.lru_cache(maxsize=1)
def _chronic_prefixes() -> tuple[str, ...]:
    from medcoder.coding.lexicon import _vocabulary_data

    section = _vocabulary_data().get("chronic_conditions", {})
    listed = section.get("category_prefixes", []) if isinstance(section, dict) else []
    return tuple(str(p) for p in listed)


def _chronic(code: str) -> bool:
    return code.startswith(_chronic_prefixes())


def _assertion_filter(
    document: ClinicalDocument, candidates: Iterable[Candidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        if c.negated:
            dropped.append(_drop(c, NEGATED))
        elif c.hypothetical:
            dropped.append(_drop(c, HYPOTHETICAL))
        elif c.family or c.section == SectionKind.FAMILY_HISTORY:
            dropped.append(_drop(c, FAMILY))
        elif c.uncertain and document.setting.guidelines is Setting.OUTPATIENT:
            dropped.append(_drop(c, UNCERTAIN_OUTPATIENT))
        elif c.uncertain:
            kept.append(replace(c, rules=(*c.rules, UNCERTAIN_INPATIENT)))
        else:
            kept.append(c)
    return kept, dropped


def _scope_filter(
    candidates: list[Candidate],
    release: Release,
    has_assessment: bool | None = None,
    presenting: frozenset[int] = frozenset(),
    text: str = "",
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """Conditions assessed at the encounter: the assessment / diagnoses when the note has one.

    Where the assessment is a problem list, the problems are its short heading lines;
    conditions named only inside the reasoning under a problem (an echo finding, a
    symptom) are context for that problem, not problems of their own.
    """
    diagnostic = {str(k) for k in DIAGNOSTIC_SECTIONS}
    findings = {str(k) for k in FINDING_SECTIONS}
    if has_assessment is None:
        has_assessment = any(c.section in diagnostic for c in candidates)
    problem_list = any(c.problem_line for c in candidates)
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        if id(c) in presenting:
            kept.append(companions.keep_symptom(c))  # IV.H, see coding/companions.py
        elif (
            has_assessment
            and c.section not in diagnostic
            and not companions.history_anywhere(c)
            and not companions.stated_reason(c)
        ):
            dropped.append(_drop(c, OUT_OF_SCOPE))
        elif problem_list and not c.problem_line and not companions.history_anywhere(c):
            dropped.append(_drop(c, REASONING_ONLY))
        elif c.section in findings:
            dropped.append(_drop(c, FINDING))
        elif (
            c.historical
            and c.history_code
            and (not _chronic(c.code) or companions.history_anywhere(c) or _treated(text, c))
        ):
            dropped.append(_drop(c, HISTORICAL, f"{c.code} is past: {c.history_code} instead"))
            found = release.get(c.history_code)
            kept.append(
                replace(c, code=c.history_code, title=found.title if found else "",
                        index_path=c.history_path, rules=(*c.rules, PERSONAL_HISTORY))
            )  # fmt: skip
        elif c.historical and (not _chronic(c.code) or _treated(text, c)):
            dropped.append(_drop(c, HISTORICAL))
        elif c.historical:
            kept.append(replace(c, rules=(*c.rules, HISTORY_CHRONIC)))
        else:
            kept.append(c)
    return kept, dropped


def _treated(text: str, c: Candidate) -> bool:
    """The words right after a past mention name the procedure that treated it."""
    return bool(_TREATED_RE.match(text, c.evidence.end, c.evidence.end + 40))


def _merge(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    by_code: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_code.setdefault(c.code, []).append(c)
    return by_code


def _etiology_first(release: Release, order: list[str]) -> list[str]:
    """A code whose "use additional code" note names another reported code goes first
    (I.A.13 etiology/manifestation; I11.0 before I50.-, I12.9 and E11.22 before N18.-)."""
    result = list(order)
    for code in order:
        notes = release.notes(code).get("use_additional_code", [])  # type: ignore[call-overload]
        for other in list(result):
            if other == code or result.index(other) > result.index(code):
                continue
            if any(note_refers_to(n.text, other) for n in notes):
                result.remove(code)
                result.insert(result.index(other), code)
    return result


def apply_rules(
    document: ClinicalDocument,
    release: Release,
    candidates: list[Candidate],
    *,
    has_assessment: bool | None = None,
) -> tuple[list[CodeAssignment], list[DroppedCandidate]]:
    """``has_assessment``: the note has an assessment / diagnoses section with text (then
    only what it assesses is reported); None: infer from where the candidates are."""
    candidates = companions.past_dependence(document, candidates)
    presenting = companions.symptoms_to_keep(document, candidates)
    kept, dropped = _assertion_filter(document, candidates)
    kept, out_of_scope = _scope_filter(kept, release, has_assessment, presenting, document.text)
    dropped += out_of_scope
    kept, planned = companions.planned_services(document, kept, DroppedCandidate)
    dropped += planned
    kept, single = companions.single_falls(document, kept, DroppedCandidate)
    dropped += single
    kept, resolved = companions.follow_up_after_treatment(document, release, kept, DroppedCandidate)
    dropped += resolved
    kept, integral = symptoms.integral_symptoms(document, kept)
    dropped += integral
    kept, integral = symptoms.pain_with_injury(kept)
    dropped += integral
    kept += symptoms.chronic_pain(document, release, kept)
    by_code = _merge(kept)
    by_code, _, combo_dropped = combinations.combination_codes(release, by_code)
    dropped += combo_dropped
    dropped += specificity.less_specific(release, by_code)
    # Sequencing: outpatient first-listed is the first condition assessed (IV.G);
    # inpatient principal is the first listed diagnosis (II) - both document order here.
    order = sorted(by_code, key=lambda code: min(c.evidence.start for c in by_code[code]))
    dropped += specificity.excludes1(release, by_code, order)
    order = _etiology_first(release, [c for c in order if c in by_code])
    partner = companions.bmi_partner(document, release, order)
    if partner is not None and partner[0] not in by_code:
        bmi_code, bmi_evidence = partner
        entry = release.get(bmi_code)
        by_code[bmi_code] = [
            Candidate(bmi_code, entry.title if entry else "", bmi_evidence, "Tabular: Z68",
                      "tabular", (), bmi_evidence.section, rules=(companions.BMI_PARTNER,))
        ]  # fmt: skip
        order.append(bmi_code)
    for status_code, status_evidence in companions.status_partners(document, release, order):
        if status_code not in by_code:
            entry = release.get(status_code)
            by_code[status_code] = [
                Candidate(status_code, entry.title if entry else "", status_evidence,
                          "Tabular: use additional code", "tabular", (),
                          status_evidence.section, rules=(companions.STATUS_PARTNER,))
            ]  # fmt: skip
            order.append(status_code)
    order = organisms.add_agents(document, release, by_code, order)
    order = organisms.swap_agents_for_unspecified_sites(document, release, by_code, order)
    order = adverse.add_adverse_effects(document, release, by_code, order)
    order = poisoning.sequence_drug_events(document.text, release, by_code, order)
    order = sepsis.severe_sepsis(document, release, by_code, order)
    order = long_term.add_drug_therapy(document.text, release, by_code, order)
    assignments: list[CodeAssignment] = []
    for sequence, code in enumerate(order, start=1):
        sources = sorted(by_code[code], key=lambda c: c.evidence.start)
        # First occurrence kept, in order; a dict, not a list scan, so a code mentioned
        # thousands of times in one huge note stays linear (issue 17 item 6).
        rules = dict.fromkeys(r for s in sources for r in s.rules)
        evidence = dict.fromkeys(s.evidence for s in sources)
        assignments.append(
            CodeAssignment(
                code=code,
                title=sources[0].title,
                system=CodeSystem.ICD10CM,
                release=release.name,
                sequence=sequence,
                confidence=confidence_of(sources),
                evidence=tuple(evidence),
                index_path=sources[0].index_path,
                tabular_checks=sources[0].tabular_checks,
                rules=tuple(rules),
            )
        )
    return assignments, dropped
