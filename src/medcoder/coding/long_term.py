"""Long-term (current) drug therapy, Z79.-, from the medication list and statements.

ICD-10-CM Guidelines I.C.21.c.3 (status, Z79): a code from Z79 is assigned for a
patient's continuous use of a prescribed drug for a chronic condition, a long-term
prophylaxis or a long course; not for a patient with addiction, and not for a drug
given once or for a brief period at this encounter. I.C.4.a.3: a diabetic treated with
insulin is Z79.4, with oral hypoglycemic drugs Z79.84, with injectable non-insulin
antidiabetic drugs Z79.85; with insulin and an oral drug both Z79.4 and Z79.84.

A drug counts where the note's medication list names it (an item not stopped, held,
as needed, or an allergy) or a sentence of the history, assessment or plan says the
patient is on it ("takes", "on", "continue", "compliant with"). Its group is read off
the Table of Drugs and Chemicals (the subcategory of its poisoning code: T45.51-
anticoagulants, T45.52- antithrombotics, T39.01- aspirin, T38.3- hypoglycemics, T38.0-
glucocorticoids), or coding/data/drug_classes.json for names the Table lacks.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from medcoder.codesets.model import NoteKind
from medcoder.codesets.store import NoteText, Release
from medcoder.codesets.tables import DRUG_COLUMNS
from medcoder.codesets.text import norm_term
from medcoder.coding import poisoning
from medcoder.coding.candidate import Candidate
from medcoder.coding.instructions import note_refers_to
from medcoder.nlp.sections import SectionKind
from medcoder.results import Evidence, RuleApplied

LONG_TERM = RuleApplied(
    "long-term-drug-therapy.v1",
    "ICD-10-CM Guidelines I.C.21.c.3 / I.C.4.a.3",
    "a drug the patient takes continuously (medication list or statement): its Z79 code",
)
# Table subcategory (or drug_classes.json group) -> the Z79 code of its group.
_Z79 = {
    "insulin": "Z79.4",
    "T38.3": "Z79.84",
    "T38.3-injectable": "Z79.85",
    "T45.51": "Z79.01",
    "T45.52": "Z79.02",
    "T39.01": "Z79.82",
    "T38.0": "Z79.52",
}
# Groups often given for a short course (a steroid burst): only where the note says
# the use is long term; any other drug the Table lists is then Z79.899.
_STATED_ONLY = frozenset({"T38.0"})
_STATED_LONG_TERM_RE = re.compile(
    r"\b(?:long[- ]term|chronic(?:ally)?\s+(?:on|therapy|use|treatment)|maintenance)\b", re.I
)
OTHER_LONG_TERM = "Z79.899"
_CONTROL_OF_A_CONDITION = frozenset({"Z79.4", "Z79.84", "Z79.85"})
_ON_RE = re.compile(
    r"\b(?:on|takes|taking|take|continues?|continuing|remains\s+on|maintained\s+on|"
    r"compliant\s+with|uses|using|increase|decrease|refill(?:ed)?|been\s+on)\b",
    re.IGNORECASE,
)
# Not continuous use: stopped, held, as needed, an allergy, a dose given at this visit.
_NOT_CURRENT_RE = re.compile(
    r"\b(?:stop\w*|discontinu\w*|d/c|held|hold\w*|off|no\s+longer|not\s+(?:on|taking)|"
    r"allerg\w*|intoleran\w*|reaction|as\s+needed|prn|given|administered|received|"
    r"injected|one\s+dose|single\s+dose|once(?!\s+(?:a\s+)?(?:daily|day|nightly|weekly))|"
    r"x\s*1|in\s+(?:the\s+)?(?:clinic|office|"
    r"emergency)|stat|completed|finished|short\s+course|taper\w*|for\s+\d+\s+days|"
    r"inhal\w*|nasal|topical|cream|ointment|drops|spray|instillation|intravesical|local|"
    r"denies|never|ago|earlier|previously|formerly|in\s+the\s+past)\b",
    re.IGNORECASE,
)
_ON_REACH = 3  # words after a bare "on" within which the drug is named
_LIST_SECTIONS = frozenset({SectionKind.MEDICATIONS})
_STATEMENT_SECTIONS = frozenset(
    {SectionKind.HPI, SectionKind.ASSESSMENT, SectionKind.DIAGNOSES, SectionKind.OTHER,
     SectionKind.CHIEF_COMPLAINT}
)  # fmt: skip
_ITEM_RE = re.compile(r"[^.\n;,]+")
_SENTENCE_RE = re.compile(r"[^.\n]+")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]{2,}")


@functools.lru_cache(maxsize=1)
def _curated() -> dict[str, str]:
    """Drug name -> group, from coding/data/drug_classes.json."""
    resource = resources.files("medcoder.coding") / "data" / "drug_classes.json"
    data = json.loads(resource.read_text(encoding="utf-8"))
    return {name: group for group, names in data["classes"].items() for name in names}


def drug_group(release: Release, name: str) -> str | None:
    """The group of a drug name: 'insulin', a Table of Drugs subcategory with its
    Z79 code, or None; memoized per release."""
    if name not in _curated() and name not in poisoning.drug_names(release):
        return None  # most words: no drug, nothing kept
    memo = release.memo.setdefault("long_term_groups", {})
    assert isinstance(memo, dict)
    if name in memo:
        found: str | None = memo[name]
        return found
    group = _curated().get(name)
    if group is None and "drug" in release.books():
        for term in release.main_terms("drug", name):
            printed, resolved, _ = release.cells(term.id).get(
                DRUG_COLUMNS["poisoning-accidental"], (None, None, None)
            )
            cell = resolved or printed or ""
            if name == "insulin" and cell.startswith("T38.3"):
                group = "insulin"
            else:
                group = next((g for g in _Z79 if g.startswith("T") and cell.startswith(g)), None)
            if group:
                break
    memo[name] = group
    return group


def _drugs_in(
    release: Release, text: str, offset: int, section: str, *, stated: bool
) -> list[tuple[str, Evidence]]:
    """The Z79 codes of the drugs named in ``text``; ``stated``: the note says the use
    is long term (then steroids and any other drug of the Table count too)."""
    out = []
    for word in _WORD_RE.finditer(text):
        name = norm_term(word.group())
        group = drug_group(release, name)
        if group in _STATED_ONLY and not stated:
            continue
        code = _Z79[group] if group is not None else None
        if code is None and stated and poisoning.drug_code(release, name, "adverse-effect"):
            code = OTHER_LONG_TERM
        if code is not None:
            start = offset + word.start()
            evidence = Evidence(start, start + len(word.group()), word.group(), section)
            out.append((code, evidence))
    return out


def _use_additional(release: Release, code: str) -> list[NoteText]:
    return release.notes(code).get(NoteKind.USE_ADDITIONAL_CODE, [])


def _stated_use(
    release: Release, sentence: str, offset: int, section: str, *, stated: bool
) -> list[tuple[str, Evidence]]:
    """The drugs a sentence says the patient is on: those after a verb of use ("takes
    lisinopril, metformin and aspirin"); after a bare "on", only where a drug follows
    within a few words ("on apixaban", not "replaced on day 4 by enoxaparin")."""
    for on in _ON_RE.finditer(sentence):
        rest = sentence[on.end() :]
        drugs = _drugs_in(release, rest, offset + on.end(), section, stated=stated)
        if not drugs:
            continue
        if on.group().lower().split()[-1] == "on":
            near = offset + on.end() + len(" ".join(rest.split()[:_ON_REACH]))
            if drugs[0][1].start > near + (len(rest) - len(rest.lstrip())):
                continue
        return drugs
    return []


def current_drug_therapy(release: Release, text: str) -> list[tuple[str, Evidence]]:
    """The Z79 codes of the drugs a note documents as taken continuously, each with the
    drug's first mention, in note order."""
    found: dict[str, Evidence] = {}
    for section in poisoning.sections_of(text):
        kind = section.kind
        if kind in _LIST_SECTIONS:
            pieces = _ITEM_RE.finditer(text, section.body_start, section.end)
        elif kind in _STATEMENT_SECTIONS:
            pieces = _SENTENCE_RE.finditer(text, section.body_start, section.end)
        else:
            continue
        for piece in pieces:
            words = piece.group()
            if _NOT_CURRENT_RE.search(words):
                continue
            stated = bool(_STATED_LONG_TERM_RE.search(words))
            if kind in _STATEMENT_SECTIONS:
                drugs = _stated_use(release, words, piece.start(), str(kind), stated=stated)
            else:
                drugs = _drugs_in(release, words, piece.start(), str(kind), stated=stated)
            for code, evidence in drugs:
                found.setdefault(code, evidence)
    return sorted(found.items(), key=lambda item: item[1].start)


def add_drug_therapy(
    text: str, release: Release, by_code: dict[str, list[Candidate]], order: list[str]
) -> list[str]:
    """After the conditions, the Z79 codes of the drugs taken long term (never alone:
    a status code is not the reason for a visit here). A Z79 code that a category's
    "use additional code" note names (E08-E13: insulin Z79.4, oral hypoglycemics
    Z79.84, injectable non-insulin antidiabetics Z79.85; I.C.4.a.3) is the control of
    that condition and is reported only beside a code whose note names it."""
    if not order:
        return order
    found = current_drug_therapy(release, text)
    asked = set()
    if any(code in _CONTROL_OF_A_CONDITION for code, _ in found):
        asked = {
            code
            for reported in order
            for code in _CONTROL_OF_A_CONDITION
            if any(note_refers_to(n.text, code) for n in _use_additional(release, reported))
        }
    result = list(order)
    for code, evidence in found:
        entry = release.get(code)
        if code in by_code or entry is None or not entry.billable:
            continue
        if code in _CONTROL_OF_A_CONDITION and code not in asked:
            continue
        by_code[code] = [
            Candidate(code, entry.title, evidence, "Long-term (current) drug therapy, Z79",
                      "status", (), evidence.section, rules=(LONG_TERM,))
        ]  # fmt: skip
        result.append(code)
    return result
