"""Guideline rules about the codes around the ones a note names.

* IV.H: an uncertain diagnosis is not coded in the outpatient setting; the signs and
  symptoms that brought the patient in (chief complaint, history of present illness)
  are coded instead, though the assessment names only the uncertain diagnosis.
* I.C.21.c.4: a dependence the patient no longer has ("former smoker", "quit ten years
  ago") is its personal-history code (Z87.891), never current dependence (F17.2-);
  history codes are acceptable on any record whatever the reason for the visit.
* I.C.21.c.12 (screening): a screening code is reported when the screening is the
  reason for this encounter or is done during it; one only planned or ordered for later
  ("will schedule a screening mammogram"), or done before ("had a negative mammogram
  in 01/2021"), is not.
* I.A.13 / I.B.14: a "use additional code" partner the note documents is reported: the
  body mass index (Z68.-) beside the obesity, overweight or underweight it qualifies,
  the Z68 code chosen by the value's range in the Tabular titles of the release.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from medcoder.codesets.store import CodeEntry, Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.instructions import note_refers_to
from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS, SectionKind
from medcoder.results import DroppedCandidate, Evidence, RuleApplied

SYMPTOMS_OF_UNCERTAIN = RuleApplied(
    "uncertain-symptoms.v1",
    "ICD-10-CM Guidelines IV.H",
    "the diagnosis is uncertain (outpatient): the presenting signs and symptoms are coded",
)
PAST_DEPENDENCE = RuleApplied(
    "past-dependence.v1",
    "ICD-10-CM Guidelines I.C.21.c.4 / I.C.5.b",
    "a dependence the patient no longer has: personal history Z87.891, not current F17.2-",
)
PLANNED_SERVICE = RuleApplied(
    "planned-service.v1",
    "ICD-10-CM Guidelines I.C.21.c.12 / IV.A",
    "a screening planned for later or done before is not a reason for this encounter",
)
BMI_PARTNER = RuleApplied(
    "bmi-partner.v1",
    "ICD-10-CM Guidelines I.A.13 / I.B.14 (use additional code Z68.-)",
    "the body mass index documented beside the weight diagnosis it qualifies",
)

STATUS_PARTNER = RuleApplied(
    "status-partner.v1",
    "ICD-10-CM Guidelines I.A.13 / I.C.21.c.7 (use additional code)",
    "the status code the aftercare code asks for, named in the note",
)

_PRESENTING = frozenset({str(SectionKind.CHIEF_COMPLAINT), str(SectionKind.HPI)})
_DIAGNOSTIC = frozenset(str(k) for k in DIAGNOSTIC_SECTIONS)
NICOTINE_HISTORY = "Z87.891"
_TOBACCO = ("F17.2", "Z72.0")  # nicotine dependence, tobacco use
_PAST_RE = re.compile(
    r"\b(former|formerly|ex-?smoker|quit|stopped|used to|previously|remote|years ago)\b",
    re.IGNORECASE,
)
# A screening named at another encounter than this one: planned or ordered for later, or
# already done ("had a negative mammogram in 01/2021").
_ANOTHER_TIME_RE = re.compile(
    r"\b(schedul\w*|will|plan\w*|due for|next (?:week|month|year|visit)|order\w*|refer\w*|"
    r"recommend\w*|arrang\w*|overdue|needs?|had|underwent|was|were|last|ago|previous\w*|"
    r"prior)\b|\b\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)
_TODAY_RE = re.compile(r"\b(today|this visit|this encounter)\b", re.IGNORECASE)
_CURRENT_SMOKING_RE = re.compile(
    r"\b(continues to|still|currently|actively|active)\s+(smok\w*)|\bsmokes\s+\d",
    re.IGNORECASE,
)
# "BMI 42.3", "BMI of 42", "body mass index is 31.2 kg/m2"
_BMI_RE = re.compile(r"\b(?:BMI|body mass index)\b[^0-9\n.]{0,20}(\d{2}(?:\.\d+)?)", re.IGNORECASE)
_RANGE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)")
_BELOW_RE = re.compile(r"(\d+(?:\.\d+)?) or less")
_ABOVE_RE = re.compile(r"(\d+(?:\.\d+)?) or greater")
ADULT_AGE = 20  # Z68.1-Z68.45 are adult BMI codes (20 years and older); Z68.5- percentiles


# A sentence ends at a line break or at a period followed by a space and a capital,
# a digit or the end, but not after a lone capital ("E. coli", "S. aureus").
_SENTENCE_END_RE = re.compile(r"\n|(?<![^A-Za-z][A-Z])(?<!^[A-Z])\.(?=\s+[A-Z0-9(]|\s*$)")


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence holding a span (see _SENTENCE_END_RE)."""
    window_start = max(0, start - 600)
    left = window_start
    for m in _SENTENCE_END_RE.finditer(text, window_start, start):
        left = m.end()
    stop = _SENTENCE_END_RE.search(text, end)
    return text[left : stop.start() if stop else len(text)]


def symptoms_to_keep(document: ClinicalDocument, candidates: Iterable[Candidate]) -> frozenset[int]:
    """IV.H: ids of the presenting symptoms (R codes of the chief complaint and history of
    present illness, documented as present) of an outpatient note whose assessment
    leaves a diagnosis uncertain and confirms none in its place."""
    if document.setting.guidelines is not Setting.OUTPATIENT:
        return frozenset()
    listed = list(candidates)
    assessed = [c for c in listed if c.section in _DIAGNOSTIC]
    uncertain = [c for c in assessed if c.uncertain and not c.code.startswith(("R", "Z"))]
    confirmed = [
        c
        for c in assessed
        if not (c.uncertain or c.negated or c.hypothetical or c.family or c.historical)
        and not c.code.startswith(("R", "Z"))
    ]
    if not uncertain or confirmed:
        return frozenset()
    return frozenset(
        id(c)
        for c in listed
        if c.section in _PRESENTING
        and c.code.startswith("R")
        and not (c.uncertain or c.negated or c.hypothetical or c.family or c.historical)
    )


def keep_symptom(c: Candidate) -> Candidate:
    return replace(c, rules=(*c.rules, SYMPTOMS_OF_UNCERTAIN))


def past_dependence(document: ClinicalDocument, candidates: list[Candidate]) -> list[Candidate]:
    """I.C.21.c.4: tobacco dependence written as past becomes its history code."""
    out: list[Candidate] = []
    if _CURRENT_SMOKING_RE.search(document.text):
        return candidates  # "history of smoking ... continues to smoke": current use
    for c in candidates:
        if c.code.startswith(_TOBACCO) and not c.negated:
            # The words of the sentence, not the "history of" trigger alone: "a history of
            # smoking" is often current use.
            sentence = sentence_of(document.text, c.evidence.start, c.evidence.end)
            if _PAST_RE.search(sentence):
                c = replace(
                    c,
                    historical=True,
                    history_code=NICOTINE_HISTORY,
                    history_path="History, personal, nicotine dependence",
                )
        out.append(c)
    return out


def history_anywhere(c: Candidate) -> bool:
    """I.C.21.c.4: "history codes are acceptable on any medical record regardless of the
    reason for visit": the nicotine-dependence history is kept outside the assessment."""
    return (
        c.code.startswith(_TOBACCO)
        and c.historical
        and c.history_code == NICOTINE_HISTORY
        and not c.negated
    )


def stated_reason(c: Candidate) -> bool:
    """I.C.21.c.7: an encounter reason ("Aftercare following ...") the provider wrote as
    the chief complaint is the reason for the visit, though the assessment says more."""
    return c.source == "encounter" and c.section == str(SectionKind.CHIEF_COMPLAINT)


def planned_services(
    document: ClinicalDocument, candidates: list[Candidate], drop: type[DroppedCandidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.C.21.c.12: a screening code (Z11-Z13) whose every mention is of a screening
    at another time (planned, ordered for later, done before)."""
    screening = [c for c in candidates if c.code.startswith(("Z11", "Z12", "Z13"))]
    planned: set[str] = set()
    for code in {c.code for c in screening}:
        mentions = [c for c in screening if c.code == code]
        if any(c.section == str(SectionKind.CHIEF_COMPLAINT) for c in mentions):
            continue  # the screening is why the patient came
        sentences = [sentence_of(document.text, c.evidence.start, c.evidence.end) for c in mentions]
        if all(_ANOTHER_TIME_RE.search(s) and not _TODAY_RE.search(s) for s in sentences):
            planned.add(code)
    kept = [c for c in candidates if c.code not in planned]
    dropped = [
        drop(c.code, c.evidence.text, PLANNED_SERVICE.detail, PLANNED_SERVICE, c.evidence)
        for c in candidates
        if c.code in planned
    ]
    return kept, dropped


def _bmi_ranges(release: Release) -> tuple[tuple[float, float, str], ...]:
    """(low, high, code) of each adult BMI code, read off the Tabular titles of Z68
    (memoized per release)."""
    cached = release.memo.get("bmi_ranges")
    if isinstance(cached, tuple):
        return cached
    out: list[tuple[float, float, str]] = []
    for entry in _leaves(release, "Z68"):
        title = entry.title.lower()
        if "adult" not in title:
            continue
        if m := _RANGE_RE.search(title):
            out.append((float(m.group(1)), float(m.group(2)), entry.code))
        elif m := _BELOW_RE.search(title):
            out.append((0.0, float(m.group(1)), entry.code))
        elif m := _ABOVE_RE.search(title):
            out.append((float(m.group(1)), 1000.0, entry.code))
    release.memo["bmi_ranges"] = tuple(out)
    return tuple(out)


def _leaves(release: Release, code: str) -> list[CodeEntry]:
    entry = release.get(code)
    if entry is None:
        return []
    if entry.billable:
        return [entry]
    out: list[CodeEntry] = []
    for child in release.children(code):
        out.extend(_leaves(release, child.code))
    return out


def bmi_partner(
    document: ClinicalDocument, release: Release, reported: Iterable[str]
) -> tuple[str, Evidence] | None:
    """The Z68 code of the BMI the note documents, where a reported code asks for it."""
    if document.age is not None and document.age < ADULT_AGE:
        return None  # pediatric BMI is coded by percentile (Z68.5-), not by value
    wants = any(
        note_refers_to(n.text, "Z68.1")
        for code in reported
        for n in release.notes(code).get("use_additional_code", [])  # type: ignore[call-overload]
    )
    if not wants:
        return None
    for m in _BMI_RE.finditer(document.text):
        value = float(m.group(1))
        for low, high, code in _bmi_ranges(release):
            # the titles give one decimal (42.0-44.9): the value is read to one decimal
            if low <= round(value, 1) <= high:
                return code, Evidence(m.start(), m.end(), m.group(0), str(SectionKind.OTHER))
    return None


_CATEGORY_REF_RE = re.compile(r"\((Z\d\d(?:\.\d{1,3})?)-?\)")
_WORD_RE = re.compile(r"[a-z]+")
# Encounter reasons whose Tabular notes ask for the status code of what they are for.
_AFTERCARE = ("Z47", "Z48")


def status_partners(
    document: ClinicalDocument, release: Release, reported: Iterable[str]
) -> list[tuple[str, Evidence]]:
    """I.C.21.c.7 / I.A.13: the status code an aftercare code asks for ("use additional
    code to identify the joint (Z96.6-)"), where the note names it: the one code under
    the category whose own title words (its side and site, the words its siblings do not
    all share) are all in the note."""
    text = document.text.lower()
    note_words = set(_WORD_RE.findall(text))
    out: list[tuple[str, Evidence]] = []
    for code in reported:
        if not code.startswith(_AFTERCARE):
            continue
        notes = release.notes(code).get("use_additional_code", [])  # type: ignore[call-overload]
        for note in notes:
            for ref in _CATEGORY_REF_RE.findall(note.text):
                found = _named_leaf(release, ref, note_words)
                if found is not None and found[0] not in {c for c, _ in out}:
                    leaf, word = found
                    at = re.search(rf"\b{word}\b", text)
                    start, end = (at.start(), at.end()) if at else (0, 0)
                    section = str(SectionKind.OTHER)
                    out.append((leaf, Evidence(start, end, document.text[start:end], section)))
    return out


def _named_leaf(release: Release, category: str, note_words: set[str]) -> tuple[str, str] | None:
    leaves = _leaves(release, category)
    if len(leaves) < 2:
        return None
    titles = [set(_WORD_RE.findall(leaf.title.lower())) for leaf in leaves]
    counts: dict[str, int] = {}
    for words in titles:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    shared = {w for w, n in counts.items() if n * 2 >= len(leaves)}
    fits = []
    for leaf, words in zip(leaves, titles, strict=True):
        own = words - shared
        if own and own <= note_words:
            fits.append((len(own), leaf.code, sorted(own)[0]))
    fits.sort(reverse=True)
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None  # nothing named, or two equally named: the coder decides
    return fits[0][1], fits[0][2]


REPEATED_FALLS = RuleApplied(
    "repeated-falls.v1",
    "ICD-10-CM Tabular R29.6 (repeated falls) / Guidelines I.C.20",
    "one fall is not repeated falls: it is told by the injury and its external cause",
)
FOLLOW_UP = RuleApplied(
    "follow-up-after-treatment.v1",
    "ICD-10-CM Guidelines I.C.21.c.8",
    "follow-up examination after completed treatment: Z09 first, with the history code",
)
FOLLOW_UP_CODE = "Z09"
_REPEATED_RE = re.compile(
    r"\b(falls|repeated|recurrent|frequent|multiple|several|many|tendency|prone)\b|"
    r"\b(?:two|three|four|five|\d+)\s+(?:\w+\s+)?(?:falls|times)\b",
    re.IGNORECASE,
)
_FALL_CODES = ("R29.6", "Z91.81")
_COMPLETED_RE = re.compile(
    r"\bfollow[- ]?up\b[^.\n]{0,60}\b(?:after|following)\b[^.\n]{0,30}"
    r"\b(?:complet\w*|finish\w*|treatment|course|therapy)\b",
    re.IGNORECASE,
)
# The treatment is over: "completed", "finished", or the condition "resolved".
_OVER_RE = re.compile(r"\b(?:complet\w*|finish\w*|resolved|cleared|healed)\b", re.I)


def completed_treatment(sentence: str) -> bool:
    """I.C.21.c.8: the sentence states a follow-up examination after completed treatment
    ("follow-up after completed treatment of ...", "follow-up after treatment of X, now
    resolved")."""
    return bool(_COMPLETED_RE.search(sentence) and _OVER_RE.search(sentence))


def single_falls(
    document: ClinicalDocument, candidates: list[Candidate], drop: type[DroppedCandidate]
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """R29.6 (and the falling history Z91.81 it turns into when past) only where the
    note tells more than one fall ("falls", "repeated", "three falls this year")."""
    kept: list[Candidate] = []
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        sentence = sentence_of(document.text, c.evidence.start, c.evidence.end)
        if c.code in _FALL_CODES and not _REPEATED_RE.search(sentence):
            rule = REPEATED_FALLS
            dropped.append(drop(c.code, c.evidence.text, rule.detail, rule, c.evidence))
        else:
            kept.append(c)
    return kept, dropped


def follow_up_after_treatment(
    document: ClinicalDocument,
    release: Release,
    candidates: list[Candidate],
    drop: type[DroppedCandidate],
) -> tuple[list[Candidate], list[DroppedCandidate]]:
    """I.C.21.c.8: "follow-up examination after completed treatment" stated in the chief
    complaint or the assessment is the reason for the visit, Z09 first; the condition
    named in that sentence no longer exists and is not coded as current: its
    personal-history code (I.C.21.c.4, Z85-Z87) follows, which Z09's "use additional
    code" note asks for."""
    stated = _DIAGNOSTIC | {str(SectionKind.CHIEF_COMPLAINT)}
    sentences = {
        c.sentence
        for c in candidates
        if c.section in stated
        and completed_treatment(sentence_of(document.text, c.evidence.start, c.evidence.end))
    }
    if not sentences:
        return candidates, []
    first = next(c for c in candidates if c.sentence in sentences)
    entry = release.get(FOLLOW_UP_CODE)
    title = entry.title if entry else ""
    kept = [replace(first, code=FOLLOW_UP_CODE, title=title, index_path="Examination, follow-up",
                    source="index", rules=(FOLLOW_UP,))]  # fmt: skip
    dropped: list[DroppedCandidate] = []
    for c in candidates:
        if c.sentence in sentences and not c.code.startswith("Z"):
            dropped.append(drop(c.code, c.evidence.text, FOLLOW_UP.detail, FOLLOW_UP, c.evidence))
            if c.history_code:
                found = release.get(c.history_code)
                kept.append(
                    replace(c, code=c.history_code, title=found.title if found else "",
                            index_path=c.history_path, historical=True,
                            rules=(*c.rules, FOLLOW_UP))
                )  # fmt: skip
        else:
            kept.append(c)
    return kept, dropped
