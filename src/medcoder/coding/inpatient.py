"""Inpatient coding rules that read a discharge summary as a whole (Guidelines II, III).

Before the general rules: an uncertain diagnosis is coded as if confirmed only when it is
still uncertain *at the time of discharge* (II.H: the admitting "rule out MI" that was
ruled out is not coded), and an admitting diagnosis is superseded by the diagnosis
established after study (II: "after study"; "Pyelonephritis" admitted, "acute
pyelonephritis" at discharge). After them: symptoms the discharge diagnoses do not carry
are integral or explained (I.B.5, III.B), and combination codes replace the pairs the
Index "with" convention links (I.A.15). Each change leaves a named RuleApplied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.stay import StayReading, StayRole
from medcoder.results import CodeAssignment, DroppedCandidate, Evidence, RuleApplied

UNCERTAIN_NOT_AT_DISCHARGE = RuleApplied(
    "uncertain-at-discharge.v1",
    "ICD-10-CM Guidelines II.H / III.C",
    "uncertain only on admission or during the stay, not at discharge: not coded",
)
SUPERSEDED_ADMITTING = RuleApplied(
    "admitting-superseded.v1",
    "ICD-10-CM Guidelines Section II (UHDDS principal diagnosis: 'after study')",
    "the admitting diagnosis is superseded by the diagnosis established after study",
)
INPATIENT_SYMPTOM = RuleApplied(
    "inpatient-symptom.v1",
    "ICD-10-CM Guidelines I.B.5 / III.B",
    "a sign or symptom the discharge diagnoses do not carry: integral to or explained by "
    "the diagnoses established, not coded",
)
COPD_INFECTION = RuleApplied(
    "copd-infection.v1",
    "ICD-10-CM Tabular J44.0 / Guidelines I.A.15",
    "COPD with an acute lower respiratory infection: J44.0, the infection coded also",
)
DIVERTICULAR_BLEEDING = RuleApplied(
    "diverticular-bleeding.v1",
    "ICD-10-CM Index 'Diverticulosis/Diverticulitis, with bleeding' / Guidelines I.A.15",
    "diverticular disease with bleeding: the combination code K57.x1 / K57.x3",
)
HYPERTENSIVE_COMBINATION = RuleApplied(
    "hypertensive-combination.v1",
    "ICD-10-CM Guidelines I.C.9.a.1-3",
    "hypertensive heart / kidney disease with heart failure or CKD: the combination code",
)
SEVERE_SEPSIS_INFECTION = RuleApplied(
    "severe-sepsis-infection.v1",
    "ICD-10-CM Guidelines I.C.1.d.1.a.ii / I.C.1.d.1.b",
    "severe sepsis (R65.2-) is coded after its systemic infection; organism not specified: A41.9",
)
COVID_FIRST = RuleApplied(
    "covid-code-first.v1",
    "ICD-10-CM Guidelines I.C.1.g.1.a / Tabular J12.82 'Code first COVID-19 (U07.1)'",
    "pneumonia due to COVID-19: U07.1 coded first",
)
CHOLECYSTITIS_CALCULUS = RuleApplied(
    "cholecystitis-calculus.v1",
    "ICD-10-CM Index 'Calculus, gallbladder, with cholecystitis' / Guidelines I.A.15",
    "acute cholecystitis with gallstones: the combination code K80.00",
)
DOMINANCE_DEFAULT = RuleApplied(
    "hemiplegia-dominance.v1",
    "ICD-10-CM Guidelines I.C.6.a",
    "dominance not documented: the right side is dominant, the left non-dominant",
)

_BLEEDING_CODES = re.compile(r"^(K92\.[012]|K62\.5|R58|R19\.5)")
_BLEEDING_WORDS = re.compile(r"\b(bleed\w*|hemorrhag\w*|haemorrhag\w*)\b", re.I)
_LARGE_BOWEL_WORDS = re.compile(
    r"\b(colon\w*|colonic|sigmoid|cecum|cecal|rectum|rectal|large intestine|large bowel)\b",
    re.I,
)
_LOWER_RESPIRATORY_INFECTION = re.compile(r"^(J1[2-8]|J20|J21|J22|J09\.X1|J10\.0|J11\.0|J69)")
_SYSTEMIC_INFECTION = re.compile(
    r"^(A40|A41|A02\.1|A22\.7|A26\.7|A32\.7|A39\.[1-4]|A42\.7|A54\.86|B37\.7)"
)
_DOMINANCE = re.compile(r"^(G81\.[019]|G83\.[123]|I69\.[0-9]5)([1-4])$")
_LEFT_HANDED = re.compile(r"\bleft[- ]hand(ed)?\b|\bleft[- ]dominant\b", re.I)
_STEM = 5


def _stems(text: str) -> frozenset[str]:
    return frozenset(w[:_STEM] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1)


def _drop(c: Candidate, rule: RuleApplied, reason: str) -> DroppedCandidate:
    return DroppedCandidate(c.code, c.evidence.text, reason, rule, c.evidence)


def filter_candidates(
    reading: StayReading, candidates: Sequence[Candidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """II.H at discharge only, and admitting diagnoses superseded after study."""
    if not reading.has_final:
        return list(candidates), []
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    final = [c for c in candidates if reading.is_final(c.evidence.start) and _present(c)]
    for c in candidates:
        role = reading.role_at(c.evidence.start)
        if c.uncertain and not reading.is_final(c.evidence.start):
            dropped.append(
                _drop(c, UNCERTAIN_NOT_AT_DISCHARGE, f"{c.code} uncertain before discharge")
            )
            continue
        if role is StayRole.ADMISSION and _present(c):
            mine = _stems(c.evidence.text)
            better = next(
                (
                    f
                    for f in final
                    if f.code != c.code
                    and (f.code[:3] == c.code[:3] or (mine and mine <= _stems(f.evidence.text)))
                ),
                None,
            )
            if better is not None:
                dropped.append(
                    _drop(
                        c,
                        SUPERSEDED_ADMITTING,
                        f"{c.code} superseded by {better.code} at discharge",
                    )
                )
                continue
        kept.append(c)
    return kept, dropped


def _present(c: Candidate) -> bool:
    return not (c.negated or c.historical or c.family or c.hypothetical)


def _drop_assignment(a: CodeAssignment, rule: RuleApplied, reason: str) -> list[DroppedCandidate]:
    return [DroppedCandidate(a.code, e.text, reason, rule, e) for e in a.evidence]


class _Codes:
    """The reported codes of one stay while the inpatient rules rewrite them."""

    def __init__(self, release: Release, codes: Sequence[CodeAssignment]) -> None:
        self.release = release
        self.codes = list(codes)
        self.dropped: list[DroppedCandidate] = []

    def find(self, pattern: str) -> list[CodeAssignment]:
        return [a for a in self.codes if re.match(pattern, a.code)]

    def has(self, code: str) -> bool:
        return any(a.code == code for a in self.codes)

    def valid(self, code: str) -> bool:
        entry = self.release.get(code)
        return entry is not None and entry.billable

    def drop(self, a: CodeAssignment, rule: RuleApplied, reason: str) -> None:
        if a in self.codes:
            self.codes.remove(a)
            self.dropped += _drop_assignment(a, rule, reason)

    def replace(self, old: CodeAssignment, new: str, rule: RuleApplied) -> None:
        """``old`` becomes ``new`` (merged into it when ``new`` is already reported)."""
        if not self.valid(new) or old not in self.codes:
            return
        same = next((a for a in self.codes if a.code == new), None)
        at = self.codes.index(old)
        self.codes.remove(old)
        self.dropped += _drop_assignment(old, rule, f"{old.code} replaced by {new}")
        if same is not None:
            i = self.codes.index(same)
            self.codes[i] = _with_evidence(same, old.evidence, rule)
            return
        entry = self.release.get(new)
        made = replace(
            old,
            code=new,
            title=entry.title if entry else "",
            index_path=f"{old.index_path} -> {rule.rule}",
            tabular_checks=(f"{new}: valid for reporting in {self.release.name}",),
            rules=(*old.rules, rule),
        )
        self.codes.insert(at, made)

    def add(self, code: str, like: CodeAssignment, rule: RuleApplied, before: bool) -> None:
        if self.has(code) or not self.valid(code):
            return
        entry = self.release.get(code)
        made = replace(
            like,
            code=code,
            title=entry.title if entry else "",
            index_path=rule.rule,
            tabular_checks=(f"{code}: valid for reporting in {self.release.name}",),
            rules=(rule,),
        )
        at = self.codes.index(like)
        self.codes.insert(at if before else at + 1, made)

    def merge_into(self, target: CodeAssignment, gone: CodeAssignment, rule: RuleApplied) -> None:
        """``gone`` is carried by ``target`` (its evidence kept with it)."""
        if gone not in self.codes or target not in self.codes:
            return
        self.codes.remove(gone)
        self.dropped += _drop_assignment(gone, rule, f"{gone.code} carried by {target.code}")
        i = self.codes.index(target)
        self.codes[i] = _with_evidence(target, gone.evidence, rule)


def _with_evidence(
    a: CodeAssignment, more: Sequence[Evidence], rule: RuleApplied
) -> CodeAssignment:
    evidence = tuple(dict.fromkeys((*a.evidence, *more)))
    rules = tuple(dict.fromkeys((*a.rules, rule)))
    return replace(a, evidence=evidence, rules=rules)


def rewrite_codes(
    reading: StayReading, release: Release, codes: Sequence[CodeAssignment]
) -> tuple[list[CodeAssignment], list[DroppedCandidate]]:
    """Symptoms, combination codes and code-first partners of an inpatient stay."""
    work = _Codes(release, codes)
    _copd(work)
    _diverticular(reading, work)  # before the symptoms: it carries the bleeding's mentions
    _hypertensive(work)
    _cholecystitis(reading, work)
    _sepsis_partner(work)
    _covid(work)
    _dominance(reading, work)
    _symptoms(reading, work)
    return work.codes, work.dropped


def _symptoms(reading: StayReading, work: _Codes) -> None:
    """I.B.5 / III.B: with discharge diagnoses written, a symptom they do not list is
    integral to (or explained by) what was established; one they list stays."""
    if not reading.has_final or not any(not a.code.startswith("R") for a in work.codes):
        return
    for a in list(work.codes):
        if not a.code.startswith("R") or a.code.startswith("R65.2"):
            continue
        if not any(reading.is_final(e.start) for e in a.evidence):
            work.drop(a, INPATIENT_SYMPTOM, f"{a.code} not among the discharge diagnoses")


def _copd(work: _Codes) -> None:
    infections = [a for a in work.codes if _LOWER_RESPIRATORY_INFECTION.match(a.code)]
    if not infections:
        return
    for a in work.find(r"J44\.[19]$"):
        if a.code == "J44.9":
            work.replace(a, "J44.0", COPD_INFECTION)
        elif not work.has("J44.0"):
            work.add("J44.0", a, COPD_INFECTION, before=False)


def _diverticular(reading: StayReading, work: _Codes) -> None:
    for a in work.find(r"K57\.[0-9][0-9]$"):
        last = int(a.code[-1])
        text = " ".join(_sentence_text(reading, e) for e in a.evidence)
        part = a.code[4]
        if part == "9" and _LARGE_BOWEL_WORDS.search(text):
            part = "3"  # Index: Diverticulosis, colon - see Diverticulosis, intestine, large
        bleeds = work.find(_BLEEDING_CODES.pattern)
        bleeding = bool(bleeds) or bool(_BLEEDING_WORDS.search(text))
        if last % 2 == 0 and bleeding:
            last += 1
        new = f"K57.{part}{last}"
        if new != a.code:
            work.replace(a, new, DIVERTICULAR_BLEEDING)
        target = next((b for b in work.codes if b.code == new), None)
        if target is not None and last % 2 == 1:
            for b in work.find(_BLEEDING_CODES.pattern):
                work.merge_into(target, b, DIVERTICULAR_BLEEDING)
                target = next(c for c in work.codes if c.code == new)


def _sentence_text(reading: StayReading, e: Evidence) -> str:
    sentence = reading.sentence_at(e.start)
    return sentence.text if sentence else e.text


def _hypertensive(work: _Codes) -> None:
    """I.C.9.a: I11 with CKD is I13; I12 with heart failure is I13; I11.9 with heart
    failure is I11.0."""
    failure = work.find(r"I50")
    ckd = work.find(r"N18\.")
    stage5 = any(a.code in ("N18.5", "N18.6") for a in ckd)
    for a in work.find(r"I1[12]\."):
        if (a.code.startswith("I11") and ckd) or (a.code.startswith("I12") and failure):
            new = (
                ("I13.2" if stage5 else "I13.0") if failure else ("I13.11" if stage5 else "I13.10")
            )
            work.replace(a, new, HYPERTENSIVE_COMBINATION)
        elif a.code == "I11.9" and failure:
            work.replace(a, "I11.0", HYPERTENSIVE_COMBINATION)
    for a in work.find(r"I13\.1"):
        if failure:
            work.replace(a, "I13.2" if stage5 else "I13.0", HYPERTENSIVE_COMBINATION)


def _cholecystitis(reading: StayReading, work: _Codes) -> None:
    for a in work.find(r"K81\.0$"):
        text = " ".join(_sentence_text(reading, e) for e in a.evidence)
        stones = work.find(r"K80\.2")
        if stones or re.search(r"\b(cholelithiasis|gallstones?|calculus|calculous)\b", text, re.I):
            work.replace(a, "K80.00", CHOLECYSTITIS_CALCULUS)
            target = next((b for b in work.codes if b.code == "K80.00"), None)
            for b in stones:
                if target is not None:
                    work.merge_into(target, b, CHOLECYSTITIS_CALCULUS)


def _sepsis_partner(work: _Codes) -> None:
    severe = work.find(r"R65\.2")
    if severe and not any(_SYSTEMIC_INFECTION.match(a.code) for a in work.codes):
        work.add("A41.9", severe[0], SEVERE_SEPSIS_INFECTION, before=True)


def _covid(work: _Codes) -> None:
    for a in work.find(r"J12\.82$"):
        work.add("U07.1", a, COVID_FIRST, before=True)


def _dominance(reading: StayReading, work: _Codes) -> None:
    left_handed = bool(_LEFT_HANDED.search(reading.note.text))
    for a in list(work.codes):
        m = _DOMINANCE.match(a.code)
        if not m:
            continue
        right_side = m.group(2) in "13"
        # Left-handed: the left side is the dominant one.
        want = ("3" if right_side else "2") if left_handed else ("1" if right_side else "4")
        if want != m.group(2):
            work.replace(a, f"{m.group(1)}{want}", DOMINANCE_DEFAULT)
