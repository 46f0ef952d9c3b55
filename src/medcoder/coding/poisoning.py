"""Poisonings and underdosing: a drug not taken as prescribed.

ICD-10-CM Guidelines I.C.19.e.5:
* (b) poisoning: an overdose, the wrong drug, the wrong dose taken or given in error,
  or a drug taken with alcohol or another drug not prescribed together: the Table of
  Drugs and Chemicals' poisoning code (T36-T50, the intent in its 5th or 6th character:
  1 accidental, 2 intentional self-harm, 3 assault, 4 undetermined) is sequenced first,
  followed by the codes of its manifestations. With no intent documented the intent is
  accidental (I.C.19.e.5.b); undetermined only where the record says it cannot be told.
* (c) underdosing: less of a drug taken than prescribed (the patient ran out, skipped
  doses): the condition is coded first, the underdosing code (6 in the 5th or 6th
  character) after it; it is never first-listed.
The adverse effect of a drug properly taken (I.C.19.e.5.a) is coding/adverse.py.

The drug is a word the Table of Drugs lists as a main term with a T36-T50 code in the
column, read in the sentence that says how it was taken; the 7th character is A
(active treatment, I.C.19.a).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from medcoder.codesets.codes import with_seventh
from medcoder.codesets.store import Release
from medcoder.codesets.tables import DRUG_COLUMNS
from medcoder.codesets.text import norm_term
from medcoder.coding.candidate import Candidate
from medcoder.nlp.sections import Section, SectionKind, find_sections
from medcoder.results import Evidence, RuleApplied

# How the drug was taken wrongly (I.C.19.e.5.b).
_POISONING_RE = re.compile(
    r"\b(?:overdos\w*|poison\w*|by\s+mistake|in\s+error|accidental(?:ly)?\s+(?:took|taken|"
    r"ingest\w*|swallow\w*|given)|extra\s+(?:doses?|pills?|tablets?)|double\s+(?:doses?|"
    r"(?:his|her|their)\s+dose)|too\s+(?:much|many)|wrong\s+(?:drug|medication|medicine|dose|"
    r"pills?)|(?:took|taken|swallowed|ingested)\s+(?:about\s+|around\s+|over\s+)?"
    r"(?:\d+|a\s+handful|a\s+bottle|dozens?|ten|twenty|thirty|forty|fifty)\b)",
    re.IGNORECASE,
)
# Taking less than prescribed (I.C.19.e.5.c).
_UNDERDOSING_RE = re.compile(
    r"\b(?:underdos\w*|ran\s+out\s+of|run\s+out\s+of|missed\s+(?:several\s+|multiple\s+|"
    r"a\s+few\s+|some\s+)?doses\s+of|skipp\w*\s+(?:doses\s+of|(?:his|her|their)\s+)|"
    r"(?:has|had|have)\s+not\s+been\s+taking|could\s*n[o']t\s+afford|rationing)\b",
    re.IGNORECASE,
)
# The intent, read anywhere in the history and assessment (I.C.19.e.5.b).
_INTENTS = (
    ("poisoning-intentional",
     re.compile(r"\b(?:intentional\w*|on\s+purpose|deliberate\w*|suicid\w*|self[- ]harm\w*|"
                r"self[- ]poison\w*|self[- ]inflicted|"
                r"to\s+(?:hurt|harm|kill)\s+(?:her|him|them|my)sel\w+)\b", re.I)),
    ("poisoning-assault",
     re.compile(r"\b(?:poisoned\s+by\s+(?:her|his|their|a|an|the)\s+\w+|assault\w*)\b", re.I)),
    ("poisoning-undetermined",
     re.compile(r"\b(?:undetermined\s+intent|unclear\s+(?:whether|if)\s+(?:it\s+was\s+)?"
                r"(?:intentional|accidental))\b", re.I)),
)  # fmt: skip
_NEGATED_BEFORE_RE = re.compile(
    r"\b(?:no|denies|denied|not|never|without|history\s+of|h/o|prior|previous)\b[^.;]{0,30}$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_READ_IN = frozenset(
    {SectionKind.CHIEF_COMPLAINT, SectionKind.HPI, SectionKind.ASSESSMENT,
     SectionKind.DIAGNOSES, SectionKind.OTHER}
)  # fmt: skip
_SENTENCE_RE = re.compile(r"[^.\n]+")


POISONING = RuleApplied(
    "poisoning.v1",
    "ICD-10-CM Guidelines I.C.19.e.5.b",
    "a drug taken wrongly (overdose, wrong drug or dose, by mistake): the Table of Drugs' "
    "poisoning code, its intent from the note, sequenced before the manifestations",
)
UNDERDOSING = RuleApplied(
    "underdosing.v1",
    "ICD-10-CM Guidelines I.C.19.e.5.c",
    "less of a drug taken than prescribed: the Table of Drugs' underdosing code after the "
    "condition, never first-listed",
)


@dataclass(frozen=True, slots=True)
class DrugEvent:
    code: str  # with the 7th character
    evidence: Evidence
    underdosing: bool


@functools.lru_cache(maxsize=2)
def sections_of(text: str) -> tuple[Section, ...]:
    """The note's sections, found once for the rules that read them here and in
    coding/long_term.py (the last two notes are kept)."""
    return tuple(find_sections(text))


def drug_names(release: Release) -> frozenset[str]:
    """The main terms of the release's Table of Drugs, normalized; read once per release
    so a word that names no drug costs a set look-up, not a query."""
    found = release.memo.get("drug_main_terms")
    if not isinstance(found, frozenset):
        books = release.books()
        found = frozenset(
            norm_term(t.title) for t in (release.main_terms("drug") if "drug" in books else [])
        )
        release.memo["drug_main_terms"] = found
    return found


def drug_code(release: Release, name: str, column: str) -> str | None:
    """The code (no 7th character) the Table of Drugs gives a drug main term in a
    column, where it is a drug or medicament (T36-T50); memoized per release."""
    if name not in drug_names(release):
        return None
    memo = release.memo.setdefault("drug_column_codes", {})
    assert isinstance(memo, dict)
    key = (name, column)
    if key in memo:
        found: str | None = memo[key]
        return found
    code = None
    if "drug" in release.books():
        col = DRUG_COLUMNS[column]
        for term in release.main_terms("drug", name):
            printed, resolved, _ = release.cells(term.id).get(col, (None, None, None))
            cell = resolved or printed
            if cell and re.match(r"T(3[6-9]|4[0-9]|50)", cell):
                code = cell
                break
    memo[key] = code
    return code


def _intent(text: str) -> str:
    for column, pattern in _INTENTS:
        if pattern.search(text):
            return column
    return "poisoning-accidental"  # I.C.19.e.5.b: no intent documented


def drug_events(release: Release, text: str) -> list[DrugEvent]:
    """The poisonings and underdosings a note documents, in note order: each drug named
    in a sentence of the history or assessment that says it was taken wrongly."""
    if not (_POISONING_RE.search(text) or _UNDERDOSING_RE.search(text)):
        return []  # most notes: no sections parsed
    sections = sections_of(text)
    read = [s for s in sections if s.kind in _READ_IN]
    intent = _intent(" ".join(text[s.body_start : s.end] for s in read))
    events: list[DrugEvent] = []
    seen: set[str] = set()
    for section in read:
        for sentence in _SENTENCE_RE.finditer(text, section.body_start, section.end):
            for pattern, column, under in (
                (_POISONING_RE, intent, False),
                (_UNDERDOSING_RE, "underdosing", True),
            ):
                trigger = pattern.search(sentence.group())
                if trigger is None:
                    continue
                if _NEGATED_BEFORE_RE.search(sentence.group()[: trigger.start()]):
                    continue  # "denies any overdose", "history of overdose"
                for word in _WORD_RE.finditer(sentence.group()):
                    found = drug_code(release, norm_term(word.group()), column)
                    code = with_seventh(found, "A") if found else None
                    if code is None or code in seen or code.startswith("T50.90"):
                        continue  # "tablets", "drug": no drug named
                    entry = release.get(code)
                    if entry is None or not entry.billable:
                        continue
                    seen.add(code)
                    start = sentence.start() + word.start()
                    evidence = Evidence(
                        start, start + len(word.group()), word.group(), str(section.kind)
                    )
                    events.append(DrugEvent(code, evidence, under))
    return events


def sequence_drug_events(
    text: str, release: Release, by_code: dict[str, list[Candidate]], order: list[str]
) -> list[str]:
    """Poisoning codes first (before the manifestations), underdosing codes last
    (after the condition); ``by_code`` gains their sources. A note whose codes name no
    condition and no poisoning gets none (an underdosing code is never coded alone)."""
    events = [e for e in drug_events(release, text) if e.code not in by_code]
    if not events:
        return order
    first: list[str] = []
    last: list[str] = []
    for event in events:
        if event.underdosing and not order:
            continue
        entry = release.get(event.code)
        rule = UNDERDOSING if event.underdosing else POISONING
        by_code[event.code] = [
            Candidate(event.code, entry.title if entry else "", event.evidence,
                      "Table of Drugs and Chemicals, "
                      + ("underdosing" if event.underdosing else "poisoning"),
                      "index", (), event.evidence.section, rules=(rule,))
        ]  # fmt: skip
        (last if event.underdosing else first).append(event.code)
    return [*first, *order, *last]
