"""The principal diagnosis of an inpatient stay (Guidelines Section II, UHDDS).

"The condition established after study to be chiefly responsible for occasioning the
admission of the patient to the hospital for care." A coder finds it, in this order:

1. chapter-specific sequencing that overrides the general rules: sepsis present on
   admission first with its localized infection after it (I.C.1.d.4), unless the sepsis
   is due to a complication of care (I.C.1.d.5.b: the complication first); COVID-19 first
   (I.C.1.g.1.a); codes that may never be principal are passed over (R65.2-, status Z
   codes, organism codes B95-B97, adverse-effect T codes, manifestations "in diseases
   classified elsewhere", external causes);
2. the record's own statement: "principal diagnosis:", "admitted for ...", "X was due to
   Y" (the cause established after study of a symptom);
3. the admitting diagnosis and the order of the discharge diagnoses (II.B / II.C: two
   interrelated conditions or two equally meeting the definition: the first written);
   a symptom followed by contrasting diagnoses ("chest pain due to GERD versus spasm")
   keeps the symptom first (II.E);
4. the Tabular's sequencing notes: a code whose "use additional code" note names the
   chosen one goes before it (I11.0 before I50.-), and a chosen code that says "code
   first" a reported one yields to it (I.A.13).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

from medcoder.codesets.model import NoteKind
from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.instructions import note_refers_to
from medcoder.coding.stay import StayReading, StayRole
from medcoder.results import CodeAssignment, Evidence, RuleApplied

PRINCIPAL = RuleApplied(
    "principal-diagnosis.v1",
    "ICD-10-CM Guidelines Section II (UHDDS principal diagnosis)",
    "the condition established after study to be chiefly responsible for the admission",
)
SEPSIS_FIRST = RuleApplied(
    "sepsis-principal.v1",
    "ICD-10-CM Guidelines I.C.1.d.4",
    "sepsis present on admission is sequenced first, the localized infection after it",
)
COVID_PRINCIPAL = RuleApplied(
    "covid-principal.v1",
    "ICD-10-CM Guidelines I.C.1.g.1.a",
    "COVID-19 meeting the principal diagnosis definition: U07.1 first, its manifestations after",
)
COMPLICATION_FIRST = RuleApplied(
    "complication-first.v1",
    "ICD-10-CM Guidelines I.C.1.d.5.b / I.C.19.g",
    "an infection following a procedure is coded first, the sepsis and infection after it",
)
CONTRASTING_SYMPTOM = RuleApplied(
    "contrasting-symptom.v1",
    "ICD-10-CM Guidelines II.E",
    "a symptom followed by contrasting / comparative diagnoses is sequenced first",
)

_NEVER_PRINCIPAL = re.compile(
    r"^(R65\.[12]|Z79|Z68|Z99|Z53|Z91|Z86|Z87|Z88|Z92|Z95|Z96|Z98|B9[5-7]|"
    r"T(3[6-9]|4\d|50)\.\w{2}[56]|[VWXY]\d)"
)
_SEPSIS = re.compile(r"^(A40|A41|A02\.1|A22\.7|A26\.7|A32\.7|A39\.[1-4]|A42\.7|A54\.86|B37\.7)")
_PROCEDURE_INFECTION = re.compile(r"^(T81\.4|T80\.2|T82\.[67]|T83\.[56]|T84\.[567]|T85\.7|T88\.0)")
_NOT_ON_ADMISSION = re.compile(
    r"\b(developed|hospital day|on day \d|after admission|during (the|his|her) (stay|admission))\b",
    re.I,
)
_STATED = re.compile(r"\b(principal|primary) diagnosis\b|\bchiefly responsible\b", re.I)
_ADMITTED_FOR = re.compile(
    r"\b(admitted|hospitali[sz]ed|admission)\b[^.;]{0,60}?\b(for|with|because of)\b", re.I
)
_CAUSE = re.compile(
    r"\b(due to|caused by|attributed to|secondary to|established|the diagnosis (is|was))\b", re.I
)
_CONTRAST = re.compile(r"\b(versus|vs\.?|or)\b", re.I)
_CLASSIFIED_ELSEWHERE = "classified elsewhere"


def may_be_principal(a: CodeAssignment) -> bool:
    return not _NEVER_PRINCIPAL.match(a.code) and _CLASSIFIED_ELSEWHERE not in a.title.lower()


def choose_principal(
    reading: StayReading,
    release: Release,
    codes: Sequence[CodeAssignment],
    mentions: Sequence[Candidate] = (),
) -> list[CodeAssignment]:
    """The codes with the principal diagnosis first (renumbered); the rest keep their order.

    ``mentions``: every condition mention of the note before the rules ran; one written
    in the narrative ("admitted for the hip fracture") speaks for the reported code of
    the same category (the fracture coded from the discharge list)."""
    if not codes:
        return []
    eligible = [a for a in codes if may_be_principal(a)]
    if not eligible:
        return _renumber(list(codes))
    chosen, rule = _override(reading, eligible)
    if chosen is None:
        layout = _Layout(reading, codes, mentions)
        scores = {a.code: layout.score(a) for a in eligible}
        chosen = max(eligible, key=lambda a: (scores[a.code], -codes.index(a)))
        rule = PRINCIPAL
    chosen = _tabular_order(release, chosen, eligible)
    rest = [a for a in codes if a is not chosen]
    first = replace(chosen, rules=tuple(dict.fromkeys((*chosen.rules, rule))))
    return _renumber([first, *rest])


def _renumber(codes: list[CodeAssignment]) -> list[CodeAssignment]:
    return [replace(a, sequence=n) for n, a in enumerate(codes, 1)]


def _override(
    reading: StayReading, eligible: Sequence[CodeAssignment]
) -> tuple[CodeAssignment | None, RuleApplied]:
    sepsis = [a for a in eligible if _SEPSIS.match(a.code)]
    complication = [a for a in eligible if _PROCEDURE_INFECTION.match(a.code)]
    if sepsis and complication:
        return complication[0], COMPLICATION_FIRST
    on_admission = [a for a in sepsis if not _acquired(reading, a)]
    if on_admission:
        return on_admission[0], SEPSIS_FIRST
    covid = [a for a in eligible if a.code == "U07.1"]
    if covid:
        return covid[0], COVID_PRINCIPAL
    return None, PRINCIPAL


def _acquired(reading: StayReading, a: CodeAssignment) -> bool:
    """The sepsis developed after admission (Appendix I: not POA)."""
    for e in a.evidence:
        sentence = reading.sentence_at(e.start)
        if sentence is not None and _NOT_ON_ADMISSION.search(sentence.text):
            return True
    return False


class _Layout:
    """Where each reported code is written, indexed once per note so that scoring stays
    near-linear in the number of mentions (a code may be mentioned thousands of times)."""

    def __init__(
        self,
        reading: StayReading,
        codes: Sequence[CodeAssignment],
        mentions: Sequence[Candidate],
    ) -> None:
        self.reading = reading
        by_category: dict[str, list[Evidence]] = {}
        for m in mentions:
            if m.negated or m.historical or m.family or m.hypothetical:
                continue
            by_category.setdefault(m.code[:3], []).append(m.evidence)
        # Each reported code's evidence with the present mentions of its category (its
        # own code among them), wherever they were written.
        self.seen: dict[str, tuple[Evidence, ...]] = {}
        for a in codes:
            more = by_category.get(a.code[:3], [])
            self.seen[a.code] = tuple(dict.fromkeys((*a.evidence, *more)))
        # Definitive (non-symptom) codes by offset: a symptom is what is explained,
        # never the explanation.
        placed = sorted(
            (e.start, n)
            for n, a in enumerate(codes)
            if not a.code.startswith("R")
            for e in self.seen[a.code]
        )
        self.starts = [p[0] for p in placed]
        self.owners = [codes[p[1]] for p in placed]
        first_listed = sorted(
            {
                min(e.start for e in b.evidence if reading.role_at(e.start) is StayRole.DISCHARGE)
                for b in codes
                if may_be_principal(b)
                and any(reading.role_at(e.start) is StayRole.DISCHARGE for e in b.evidence)
            }
        )
        self.first_listed = {start: rank for rank, start in enumerate(first_listed)}

    def definitive_between(self, start: int, end: int) -> list[CodeAssignment]:
        i, j = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return list(dict.fromkeys(self.owners[i:j]))

    def first_after(self, offset: int) -> CodeAssignment | None:
        """The definitive code written first at or after ``offset`` in its sentence."""
        sentence = self.reading.sentence_at(offset)
        end = sentence.end if sentence else offset + 200
        found = self.definitive_between(offset, end)
        return found[0] if found else None

    def score(self, a: CodeAssignment) -> float:
        """How strongly the record names ``a`` the reason for the admission."""
        reading = self.reading
        score = 0.0
        for e in self.seen[a.code]:
            role = reading.role_at(e.start)
            sentence = reading.sentence_at(e.start)
            if sentence is None:
                continue
            text, at = sentence.text, e.start - sentence.start
            if role is StayRole.PRINCIPAL or _STATED.search(text[:at]):
                score = max(score, 100.0)
            stated = _ADMITTED_FOR.search(text)
            if stated and stated.end() <= at:
                first = self.first_after(sentence.start + stated.end())
                score += 60.0 if first is a else 10.0
            cause = _CAUSE.search(text)
            if (
                cause
                and cause.end() <= at
                and role is not StayRole.DISCHARGE
                and self.first_after(sentence.start + cause.end()) is a
            ):
                score += 35.0
            if role is StayRole.ADMISSION:
                score += 25.0
            if role is StayRole.NARRATIVE:
                score += 2.0  # evaluated or treated during the stay
        score += self.discharge_rank(a)
        if a.code.startswith("R"):
            if self.contrasted(a):
                score += 150.0
            elif self.beside_definitive(a):
                score -= 40.0  # II.A: a related definitive diagnosis was established
        return score

    def discharge_rank(self, a: CodeAssignment) -> float:
        """II.B / II.C: the first of the discharge diagnoses, then the next ones."""
        mine = [e.start for e in a.evidence if self.reading.role_at(e.start) is StayRole.DISCHARGE]
        if not mine:
            return 0.0
        rank = self.first_listed.get(min(mine), len(self.first_listed))
        return max(30.0 - 10.0 * rank, 5.0)

    def contrasted(self, a: CodeAssignment) -> bool:
        """II.E: "<symptom> due to <dx> versus <dx>" in the final diagnoses."""
        for e in a.evidence:
            sentence = self.reading.sentence_at(e.start)
            if sentence is None or not self.reading.is_final(e.start):
                continue
            if not _CONTRAST.search(self.reading.note.text[e.end : sentence.end]):
                continue
            if len(self.definitive_between(e.end, sentence.end)) >= 2:
                return True
        return False

    def beside_definitive(self, a: CodeAssignment) -> bool:
        """The symptom is written in one final diagnosis with a definitive one."""
        for e in a.evidence:
            sentence = self.reading.sentence_at(e.start)
            if sentence is None or not self.reading.is_final(e.start):
                continue
            if self.definitive_between(sentence.start, sentence.end):
                return True
        return False


def _tabular_order(
    release: Release, chosen: CodeAssignment, eligible: Sequence[CodeAssignment]
) -> CodeAssignment:
    """I.A.13: an etiology code whose "use additional code" note names the chosen code
    goes first; a chosen code whose "code first" note names a reported code yields."""
    for _ in range(3):
        moved = False
        for other in eligible:
            if other is chosen:
                continue
            notes = release.notes(other.code).get(NoteKind.USE_ADDITIONAL_CODE, [])
            if any(note_refers_to(n.text, chosen.code) for n in notes):
                chosen, moved = other, True
                break
            first = release.notes(chosen.code).get(NoteKind.CODE_FIRST, [])
            if any(note_refers_to(n.text, other.code) for n in first):
                chosen, moved = other, True
                break
        if not moved:
            break
    return chosen
