"""The ICD-10-CM Official Guidelines as named, versioned rules over coded candidates.

Each rule that drops or changes a code leaves a RuleApplied naming the guideline
section, so the reviewing coder sees why. Order: assertion rules (what is documented
as present), scope (what was addressed at this encounter), combination codes,
specificity and Excludes1, then sequencing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding import adverse, companions, organisms, sepsis
from medcoder.coding.candidate import Candidate
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
INTEGRAL = RuleApplied(
    "integral-symptom.v1",
    "ICD-10-CM Guidelines I.B.5",
    "a sign or symptom documented with a definitive diagnosis ('X with Y'): not coded",
)
FINDING = RuleApplied(
    "finding-section.v1",
    "ICD-10-CM Guidelines IV.D / III.B",
    "a finding in the review of systems, exam or results, not a documented diagnosis",
)
LESS_SPECIFIC = RuleApplied(
    "specificity.v1",
    "ICD-10-CM Guidelines I.B.1 / IV.B",
    "a more specific code of the same category is reported",
)
EXCLUDES1 = RuleApplied(
    "excludes1.v1",
    "ICD-10-CM Guidelines I.A.12.a (Excludes1)",
    "Excludes1 with a code already reported: the two are never coded together",
)
HTN_HEART = RuleApplied(
    "hypertension-heart.v1",
    "ICD-10-CM Guidelines I.C.9.a.1",
    "hypertension with heart failure: combination code I11.0, heart failure coded too",
)
HTN_CKD = RuleApplied(
    "hypertension-ckd.v1",
    "ICD-10-CM Guidelines I.C.9.a.2",
    "hypertension with chronic kidney disease: combination code I12.-, CKD stage coded too",
)
HTN_HEART_CKD = RuleApplied(
    "hypertension-heart-ckd.v1",
    "ICD-10-CM Guidelines I.C.9.a.3",
    "hypertension with heart failure and chronic kidney disease: combination code I13.-",
)
DIABETES_CKD = RuleApplied(
    "diabetes-ckd.v1",
    "ICD-10-CM Guidelines I.A.15 / I.C.4.a",
    "diabetes 'with' chronic kidney disease is presumed linked: E1x.22 with the N18 stage",
)

CHRONIC_PAIN = RuleApplied(
    "chronic-pain.v1",
    "ICD-10-CM Guidelines I.C.6.b.1",
    "pain documented as chronic: G89.29 is reported with the site code",
)
_PAIN_CODE_RE = re.compile(r"^(R52|M54\.|M25\.5|M79\.6|R10\.|R07\.|R51|M79\.1)")
_CHRONIC_RE = re.compile(r"\bchronic\b[\w\s]{0,20}$", re.I)
_WITH_RE = re.compile(r"\b(with|w/|associated with|accompanied by)\b", re.I)
# Between two symptoms of one "with" list: "nausea and vomiting", "fever, chills".
_LIST_GAP_RE = re.compile(r"\s*(,|and|or|, and|, or|\/)?\s*", re.I)


@functools.lru_cache(maxsize=1)
def _chronic_prefixes() -> tuple[str, ...]:
    from medcoder.coding.lexicon import _vocabulary_data

    section = _vocabulary_data().get("chronic_conditions", {})
    listed = section.get("category_prefixes", []) if isinstance(section, dict) else []
    return tuple(str(p) for p in listed)


def _chronic(code: str) -> bool:
    return code.startswith(_chronic_prefixes())


def _drop(c: Candidate, rule: RuleApplied, reason: str | None = None) -> DroppedCandidate:
    return DroppedCandidate(c.code, c.evidence.text, reason or rule.detail, rule, c.evidence)


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
            and (not _chronic(c.code) or companions.history_anywhere(c))
        ):
            dropped.append(_drop(c, HISTORICAL, f"{c.code} is past: {c.history_code} instead"))
            found = release.get(c.history_code)
            kept.append(
                replace(c, code=c.history_code, title=found.title if found else "",
                        index_path=c.history_path, rules=(*c.rules, PERSONAL_HISTORY))
            )  # fmt: skip
        elif c.historical and not _chronic(c.code):
            dropped.append(_drop(c, HISTORICAL))
        elif c.historical:
            kept.append(replace(c, rules=(*c.rules, HISTORY_CHRONIC)))
        else:
            kept.append(c)
    return kept, dropped


def _integral(
    document: ClinicalDocument, candidates: list[Candidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.B.5: "reflux with nausea and vomiting": the symptoms after "with" are integral.

    Only the symptoms "with" attaches to the diagnosis right before it, and those listed
    straight after them ("and vomiting"), are dropped: in "mydriasis, facial weakness
    with normal cranial nerves, ... and hyporeflexia" the last sign is not part of the
    first.
    """
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    by_sentence: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_sentence.setdefault(c.sentence, []).append(c)
    integral: dict[int, str] = {}  # id(candidate) -> the diagnosis it belongs to
    for group in by_sentence.values():
        group = sorted(group, key=lambda c: c.evidence.start)
        anchor: Candidate | None = None
        chained = False
        for previous, c in zip([None, *group[:-1]], group, strict=True):
            if not c.code.startswith("R"):
                anchor, chained = c, False
                continue
            if previous is None or anchor is None:
                continue
            gap = document.text[previous.evidence.end : c.evidence.start]
            # The symptom's own phrase may hold the "with" ("Vomiting, with nausea" is
            # matched as "with nausea and vomiting" right after the diagnosis).
            linked = _WITH_RE.search(gap) or _WITH_RE.match(c.evidence.text)
            if previous is anchor and len(gap) <= 40 and linked:
                chained = True
            elif not (chained and id(previous) in integral and _LIST_GAP_RE.fullmatch(gap)):
                chained = False
            if chained:
                integral[id(c)] = anchor.code
    for c in candidates:
        if id(c) in integral:
            dropped.append(_drop(c, INTEGRAL, f"{c.code} integral to {integral[id(c)]}"))
        else:
            kept.append(c)
    return kept, dropped


def _chronic_pain(
    document: ClinicalDocument, release: Release, candidates: list[Candidate]
) -> list[Candidate]:
    """I.C.6.b.1: "chronic back pain" is coded G89.29 with the site code (M54.9)."""
    added: list[Candidate] = []
    if release.get("G89.29") is None or any(c.code.startswith("G89") for c in candidates):
        return added
    for c in candidates:
        if not _PAIN_CODE_RE.match(c.code):
            continue
        before = document.text[max(0, c.evidence.start - 25) : c.evidence.start]
        if "chronic" in c.evidence.text.lower() or _CHRONIC_RE.search(before):
            entry = release.get("G89.29")
            added.append(
                replace(c, code="G89.29", title=entry.title if entry else "",
                        index_path="Pain, chronic, specified NEC", rules=(CHRONIC_PAIN,))
            )  # fmt: skip
            break
    return added


def _pain_with_injury(
    candidates: list[Candidate],
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.B.5: pain is routinely part of an acute injury (a sprain, a fracture), so a pain
    code is not reported beside an injury code (S00-T14)."""
    if not any(re.match(r"^(S|T0|T1[0-4])", c.code) for c in candidates):
        return candidates, []
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        if re.match(r"^(R52|M79\.6|M25\.5|M54\.)", c.code):
            dropped.append(_drop(c, INTEGRAL, f"{c.code}: pain integral to the injury"))
        else:
            kept.append(c)
    return kept, dropped


def _merge(candidates: list[Candidate]) -> dict[str, list[Candidate]]:
    by_code: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_code.setdefault(c.code, []).append(c)
    return by_code


def _combinations(
    release: Release, by_code: dict[str, list[Candidate]]
) -> tuple[dict[str, list[Candidate]], dict[str, RuleApplied], list[DroppedCandidate]]:
    """Hypertension and diabetes combination codes (I.C.9.a, I.C.4.a with I.A.15)."""
    added_rules: dict[str, RuleApplied] = {}
    dropped: list[DroppedCandidate] = []
    codes = set(by_code)
    ckd = sorted(c for c in codes if c.startswith("N18"))
    heart_failure = sorted(c for c in codes if c.startswith("I50"))

    def swap(old: str, new: str, rule: RuleApplied) -> None:
        if release.get(new) is None or not release.get(new).billable:  # type: ignore[union-attr]
            return
        sources = by_code.pop(old)
        found = release.get(new)
        title = found.title if found else ""
        by_code.setdefault(new, []).extend(
            replace(s, code=new, title=title, rules=(*s.rules, rule)) for s in sources
        )
        added_rules[new] = rule
        for s in sources:
            dropped.append(_drop(s, rule, f"{old} replaced by combination code {new}"))

    if "I10" in codes:
        stage5 = any(c in ("N18.5", "N18.6") for c in ckd)
        if ckd and heart_failure:
            swap("I10", "I13.2" if stage5 else "I13.0", HTN_HEART_CKD)
        elif heart_failure:
            swap("I10", "I11.0", HTN_HEART)
        elif ckd:
            swap("I10", "I12.0" if stage5 else "I12.9", HTN_CKD)
    if ckd:
        for code in list(by_code):
            if re.fullmatch(r"E1[013]\.9", code) or re.fullmatch(r"E0[89]\.9", code):
                swap(code, f"{code[:3]}.22", DIABETES_CKD)
    return by_code, added_rules, dropped


def _specificity(release: Release, by_code: dict[str, list[Candidate]]) -> list[DroppedCandidate]:
    """Drop an unspecified code when a more specific one under the same parent is reported
    (E11.9 beside E11.65, E87.20 beside E87.22), never for another condition of the
    category (acidosis E87.20 stays beside hypokalemia E87.6)."""
    dropped: list[DroppedCandidate] = []
    for code in list(by_code):
        parent = code[:-1].rstrip(".")
        others = [o for o in by_code if o != code and o.startswith(parent)]
        entry = release.get(code)
        if not others or entry is None:
            continue
        unspecific = "unspecified" in entry.title.lower() or code.endswith(".9")
        more_specific = [
            o for o in others if "unspecified" not in (release.get(o) or entry).title.lower()
        ]
        if unspecific and more_specific:
            for c in by_code.pop(code):
                dropped.append(_drop(c, LESS_SPECIFIC, f"{code} dropped for {more_specific[0]}"))
    return dropped


def _excludes1(
    release: Release, by_code: dict[str, list[Candidate]], order: list[str]
) -> list[DroppedCandidate]:
    """I.A.12.a: two codes in an Excludes1 relation are not reported together.

    The code listed later goes, except where the note sits at a sign or symptom (R00-R99)
    and names a definitive diagnosis: the symptom is the one integral to the diagnosis
    (I.B.5; hypoxemia R09.02 excludes respiratory failure J96.-, and with acute
    respiratory failure with hypoxia J96.01 it is R09.02 that is not coded)."""
    dropped: list[DroppedCandidate] = []
    for code in list(order):
        if code not in by_code:
            continue
        notes = release.notes(code).get("excludes1", [])  # type: ignore[call-overload]
        for note in notes:
            for other in list(by_code):
                if code not in by_code:
                    break
                if other == code or not note_refers_to(note.text, other):
                    continue
                if _yields(release, code, other):
                    for c in by_code.pop(code):
                        dropped.append(
                            _drop(c, EXCLUDES1, f"{code} is Excludes1 with {other}, the more "
                                  f"specific code it gives way to: {note.text}")
                        )  # fmt: skip
                elif order.index(other) > order.index(code):
                    for c in by_code.pop(other):
                        dropped.append(
                            _drop(c, EXCLUDES1, f"{other} is Excludes1 at {code}: {note.text}")
                        )
    return dropped


def _yields(release: Release, code: str, other: str) -> bool:
    """In an Excludes1 pair, does ``code`` (the one holding the note) give way to
    ``other``: a symptom to a definitive diagnosis (I.B.5), an unspecified code to one
    that names the same thing more narrowly (I.B.1 / IV.B: R52 beside R10.30)."""
    if code.startswith("R") != other.startswith("R"):
        return code.startswith("R")
    mine, theirs = release.get(code), release.get(other)
    if mine is None or theirs is None:
        return False
    # The other names the same thing more narrowly: "Pain, unspecified" within "Lower
    # abdominal pain, unspecified".
    own = set(re.findall(r"[a-z]+", mine.title.lower())) - {"unspecified", "nos"}
    narrower = set(re.findall(r"[a-z]+", theirs.title.lower()))
    return "unspecified" in mine.title.lower() and own < narrower


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


ADVERSE_EFFECT = RuleApplied(
    "adverse-effect.v1",
    "ICD-10-CM Guidelines I.C.19.e.5.a",
    "a drug properly taken caused the effect: the Table of Drugs' adverse-effect code "
    "follows the nature of the effect",
)


AGENT = RuleApplied(
    "infectious-agent.v1",
    "ICD-10-CM Guidelines I.A.13 (use additional code B95-B97)",
    "the organism the note names for the infection, from the Index's 'as cause of "
    "disease classified elsewhere' entries",
)


def _infectious_agents(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """After an infection whose code asks for its agent, the agent the same sentence
    names (coding/organisms.py): urinary tract infection due to E. coli, N39.0 B96.20."""
    if any(code.startswith(("B95", "B96", "B97")) for code in by_code):
        return order
    result = list(order)
    for code in order:
        if not organisms.asks_for_agent(release, code, note_refers_to):
            continue
        sentences = [
            companions.sentence_of(document.text, c.evidence.start, c.evidence.end)
            for c in by_code[code]
        ]
        agent = organisms.agent_named(release, sentences)
        if agent is None or agent in by_code or organisms.named_by(release, agent, by_code):
            continue
        entry = release.get(agent)
        by_code[agent] = [
            replace(by_code[code][0], code=agent, title=entry.title if entry else "",
                    index_path="Infection, as cause of disease classified elsewhere",
                    tabular_checks=(), rules=(AGENT,))
        ]  # fmt: skip
        result.insert(result.index(code) + 1, agent)
        break  # one agent for the note's infections: the coder adds others
    return result


def _agents_for_unspecified_sites(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """ "MRSA infection" beside an infection whose site is known (a prosthetic joint
    infection T84.5-): the organism is the agent B95.62, not A49.02 (organisms.py)."""

    def sentences(code: str) -> list[str]:
        return [
            companions.sentence_of(document.text, c.evidence.start, c.evidence.end)
            for c in by_code[code]
        ]

    swaps = organisms.agents_for_unspecified_sites(release, order, sentences, note_refers_to)
    result = list(order)
    for code, agent in swaps.items():
        entry = release.get(agent)
        by_code[agent] = [
            replace(c, code=agent, title=entry.title if entry else "",
                    index_path="Infection, as cause of disease classified elsewhere",
                    tabular_checks=(), rules=(*c.rules, AGENT))
            for c in by_code.pop(code)
        ]  # fmt: skip
        result[result.index(code)] = agent
    return result


def _adverse_effects(
    document: ClinicalDocument,
    release: Release,
    by_code: dict[str, list[Candidate]],
    order: list[str],
) -> list[str]:
    """I.C.19.e.5.a: after each effect whose sentence gives a drug as its cause, the
    drug's adverse-effect code (coding/adverse.py)."""
    result = list(order)
    for code in order:
        if code.startswith(("S", "T", "V", "W", "X", "Y", "Z")):
            continue
        for c in by_code[code]:
            sentence = companions.sentence_of(document.text, c.evidence.start, c.evidence.end)
            for added in adverse.adverse_effect_codes(release, sentence, document.text):
                if added in by_code:
                    continue
                entry = release.get(added)
                by_code[added] = [
                    replace(c, code=added, title=entry.title if entry else "",
                            index_path="Table of Drugs and Chemicals, adverse effect",
                            source="index", tabular_checks=(), rules=(ADVERSE_EFFECT,))
                ]  # fmt: skip
                result.insert(result.index(code) + 1, added)
    return result


def confidence_features(sources: list[Candidate]) -> tuple[str, ...]:
    """What the confidence depends on, most telling first (backed off right to left).

    Where the code was found (a problem line of the assessment, elsewhere in it, or
    a note without an assessment), how (curated / index / Tabular title), what kind of
    code (a symptom R code, a Z status code, an injury, other), and how often.
    """
    best = sources[0]
    diagnostic = {str(k) for k in DIAGNOSTIC_SECTIONS}
    if best.problem_line:
        place = "problem"
    elif best.section in diagnostic:
        place = "assessment"
    else:
        place = "elsewhere"
    how = {"curated": "index", "abbreviation": "index"}.get(best.source, best.source)
    kind = {"R": "symptom", "Z": "status", "S": "injury", "T": "injury"}.get(
        best.code[:1], "condition"
    )
    return (place, how, kind, "repeated" if len(sources) > 1 else "once")


def _confidence(sources: list[Candidate]) -> float:
    """Calibrated on the development sets (scripts/fit_calibration.py): the observed share
    of codes with these features that the gold standard also has."""
    return confidence_from(
        calibration_table(), confidence_features(sources), uncertain=sources[0].uncertain
    )


def confidence_from(
    table: dict[str, float], features: tuple[str, ...], *, uncertain: bool = False
) -> float:
    """The confidence ``table`` gives these features, backing off right to left (also
    what scripts/fit_calibration.py scores its held-out folds with)."""
    for n in range(len(features), 0, -1):
        key = "|".join(features[:n])
        if key in table:
            value = table[key]
            break
    else:
        value = table.get("", 0.5)
    if uncertain:
        value *= 0.8  # coded as if confirmed (inpatient II.H): less sure than documented
    return round(max(0.02, min(0.98, value)), 3)


@functools.lru_cache(maxsize=1)
def calibration_table() -> dict[str, float]:
    """Feature key -> probability, from coding/data/calibration.json."""
    from importlib import resources

    resource = resources.files("medcoder.coding") / "data" / "calibration.json"
    try:
        data = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"": 0.5}
    return {str(k): float(v["p"]) for k, v in data["table"].items()}


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
    kept, out_of_scope = _scope_filter(kept, release, has_assessment, presenting)
    dropped += out_of_scope
    kept, planned = companions.planned_services(document, kept, DroppedCandidate)
    dropped += planned
    kept, single = companions.single_falls(document, kept, DroppedCandidate)
    dropped += single
    kept, resolved = companions.follow_up_after_treatment(document, kept, DroppedCandidate)
    dropped += resolved
    kept, integral = _integral(document, kept)
    dropped += integral
    kept, integral = _pain_with_injury(kept)
    dropped += integral
    kept += _chronic_pain(document, release, kept)
    by_code = _merge(kept)
    by_code, _, combo_dropped = _combinations(release, by_code)
    dropped += combo_dropped
    dropped += _specificity(release, by_code)
    # Sequencing: outpatient first-listed is the first condition assessed (IV.G);
    # inpatient principal is the first listed diagnosis (II) - both document order here.
    order = sorted(by_code, key=lambda code: min(c.evidence.start for c in by_code[code]))
    dropped += _excludes1(release, by_code, order)
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
    order = _infectious_agents(document, release, by_code, order)
    order = _agents_for_unspecified_sites(document, release, by_code, order)
    order = _adverse_effects(document, release, by_code, order)
    order = sepsis.severe_sepsis(document, release, by_code, order)
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
                confidence=_confidence(sources),
                evidence=tuple(evidence),
                index_path=sources[0].index_path,
                tabular_checks=sources[0].tabular_checks,
                rules=tuple(rules),
            )
        )
    return assignments, dropped
