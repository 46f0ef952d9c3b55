"""CPT from a note, matched to the descriptors of the user's licensed CPT file.

Runs only when ``medcoder setup --cpt FILE`` installed one: medcoder holds no CPT
descriptor text. Sentences of the procedure section, and sentences elsewhere that say a
procedure was performed, are compared with the descriptors sharing a content word with
them: a descriptor's score is the share of its content words found in the sentence, a
word counting as found when rapidfuzz rates it 85 or more against a sentence word (so
"aspirated" finds "aspiration", a typo still matches). A match must cover
at least 60% of the descriptor and two of its words, be affirmed (not negated, planned or
historical) and be a CPT number valid on the date of service.

Modifiers: RT/LT when the sentence documents one side, 50 when both sides (one line) and
the descriptor does not cover both already; on a repeat of the same code, the NCCI
modifier the note documents (XE separate encounter, XP separate practitioner, XS
separate site or the other side, XU non-overlapping, else 59), never a bare repeat.
"""

from __future__ import annotations

import re
import threading
from datetime import date

from rapidfuzz import fuzz
from rapidfuzz.distance import Prefix

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import HcpcsRecord
from medcoder.codesets.hcpcs.store import ProcedureRelease
from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.errors import MedcoderError
from medcoder.kinds import CodeSystem
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import SectionKind
from medcoder.procedures.modifiers import (
    BILATERAL_50,
    DISTINCT_SITE,
    RIGHT_LEFT,
    bilateral_modifier,
    distinct_service,
    laterality_modifiers,
    side_of,
)
from medcoder.results import (
    DroppedCandidate,
    Evidence,
    ProcedureAssignment,
    RuleApplied,
    StageFindings,
)

MATCHED = RuleApplied(
    "cpt-descriptor-match.v1",
    "CPT: report the code whose descriptor describes the procedure performed",
    "matched to the licensed descriptor",
)
NOT_DONE = RuleApplied(
    "cpt-not-performed.v1",
    "CPT: report only procedures performed",
    "negated, planned or historical",
)
MIN_COVERAGE = 0.6
WORD_SCORE = 85.0
_PERFORMED_RE = re.compile(
    r"\b(performed|underwent|was done|were done|completed|procedure|we did|aspirated|"
    r"injected|repaired|removed|excised|debrided|destroyed|drained)\b",
    re.IGNORECASE,
)
_PLANNED_RE = re.compile(
    r"\b(will|plan(?:ned|s)? to|consider|recommend(?:ed)?|schedule[d]?|"
    r"declined|refused|deferred|if needed)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[a-z]{4,}")
_STOP = frozenset(
    {
        *("with", "without", "each", "from", "than", "other", "into", "that", "this"),
        *("were", "have", "been", "made", "wording", "such", "under", "over", "when"),
        *("only", "more", "less", "first", "patient"),
    }
)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _STOP}


def _groups(descriptor: str) -> list[tuple[str, ...]]:
    """Content words in order; alternatives joined by "or" form one group ("aspiration or
    injection" is found when either is)."""
    groups: list[tuple[str, ...]] = []
    joined = False
    for word in re.findall(r"[a-z]+", descriptor.lower()):
        if word == "or":
            joined = bool(groups)
            continue
        if len(word) < 4 or word in _STOP:
            joined = joined and word in ("a", "an", "the")
            continue
        if joined:
            groups[-1] += (word,)
        else:
            groups.append((word,))
        joined = False
    return groups


def _found(word: str, sentence_words: set[str]) -> bool:
    if word in sentence_words:
        return True
    # a shared stem ("aspirat-ion"/"aspirat-ed") or a near spelling
    return any(
        Prefix.similarity(word, other) >= 6 or fuzz.ratio(word, other) >= WORD_SCORE
        for other in sentence_words
    )


class _Descriptors:
    """The licensed descriptors, indexed by content word."""

    def __init__(self, records: list[HcpcsRecord]) -> None:
        self.records = records
        self.groups = [_groups(r.long_description) for r in records]
        self.index: dict[str, list[int]] = {}
        for number, groups in enumerate(self.groups):
            for word in {w for group in groups for w in group}:
                self.index.setdefault(word[:6], []).append(number)

    def best(self, sentence: str) -> tuple[HcpcsRecord, float, tuple[str, ...]] | None:
        said = _content_words(sentence)
        candidates = {n for w in said for n in self.index.get(w[:6], ())}
        best: tuple[float, int, tuple[str, ...]] | None = None
        for number in sorted(candidates):
            groups = self.groups[number]
            shared = tuple(sorted(w for g in groups for w in g if _found(w, said)))
            hit = sum(1 for g in groups if any(_found(w, said) for w in g))
            score = hit / len(groups) if groups else 0.0
            if len(shared) >= 2 and score >= MIN_COVERAGE and (best is None or score > best[0]):
                best = (score, number, shared)
        if best is None:
            return None
        return self.records[best[1]], best[0], best[2]


class CptCoder:
    """The CPT procedure stage, over the descriptors of the installed CPT file."""

    name = "cpt"

    def __init__(self) -> None:
        self._choices: dict[str, _Descriptors] = {}  # per CPT release, read on first use
        self._lock = threading.Lock()

    def _descriptors(self, lookup: ProcedureCodeSets, release: ProcedureRelease) -> _Descriptors:
        if release.name not in self._choices:
            with self._lock:  # one read of the file's descriptors, whichever thread asks
                if release.name not in self._choices:
                    rows = lookup._conn(release).execute("SELECT code FROM codes").fetchall()
                    records = [r for (code,) in rows if (r := lookup.record(release, code))]
                    self._choices[release.name] = _Descriptors(records)
        return self._choices[release.name]

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        document, sections = note.document, note.sections
        lookup = code_sets.procedure_code_sets
        release = lookup.cpt_file_for(document.date_of_service) if lookup else None
        if lookup is None or release is None:
            return StageFindings()  # no licensed CPT file for the date: CPT is not coded
        descriptors = self._descriptors(lookup, release)
        codes: list[ProcedureAssignment] = []
        dropped: list[DroppedCandidate] = []
        sides: dict[str, list[str | None]] = {}
        for section in sections:
            in_procedures = section.kind == SectionKind.PROCEDURES
            if section.kind in (SectionKind.PAST_SURGICAL_HISTORY, SectionKind.FAMILY_HISTORY):
                continue
            for sentence in note.section_sentences(section):
                if not (in_procedures or _PERFORMED_RE.search(sentence.text)):
                    continue
                best = descriptors.best(sentence.text)
                if best is None:
                    continue
                record, score, shared = best
                span = Evidence(
                    sentence.start, sentence.end, sentence.text.strip(), str(section.kind)
                )
                (assertion,) = note.assertions(
                    sentence, [(sentence.start, sentence.end)], str(section.kind)
                )
                if assertion.negated or assertion.historical or _PLANNED_RE.search(sentence.text):
                    dropped.append(
                        DroppedCandidate(
                            record.code, span.text, "not performed on this date", NOT_DONE, span
                        )
                    )
                    continue
                if not _valid(lookup, record.code, document.date_of_service):
                    continue
                side = side_of(sentence.text)
                earlier = sides.setdefault(record.code, [])
                distinct = distinct_service(sentence.text) if earlier else None
                if earlier and distinct is None and side is not None and side not in earlier:
                    distinct = ("XS", DISTINCT_SITE)  # the other side: a separate structure
                if earlier and distinct is None:
                    continue  # the same service told twice
                earlier.append(side)
                modifiers = laterality_modifiers(side if side != "bilateral" else None)
                rules = [MATCHED]
                if modifiers:
                    rules.append(RIGHT_LEFT)
                bilateral = bilateral_modifier(record.long_description, side)
                if bilateral:
                    modifiers, rules = bilateral, [*rules, BILATERAL_50]
                if distinct is not None:
                    modifiers += (distinct[0],)
                    rules.append(distinct[1])
                checks = [f"CPT number valid on the date of service ({release.name})"]
                if modifiers:
                    unknown = lookup.unknown_modifiers(modifiers, document.date_of_service)
                    modifiers = tuple(m for m in modifiers if m not in unknown)
                    if unknown:
                        checks.append(f"modifier {', '.join(unknown)} not installed: left off")
                codes.append(
                    ProcedureAssignment(
                        code=record.code,
                        system=CodeSystem.CPT,
                        title=record.long_description,
                        release=release.name,
                        sequence=0,
                        confidence=round(min(0.9, 0.5 + score * 0.4), 2),
                        evidence=(span,),
                        path=f"descriptor of {record.code} in {release.name} matched "
                        f"({score:.0%} of its words; {', '.join(sorted(shared))})",
                        checks=tuple(checks),
                        rules=tuple(rules),
                        modifiers=modifiers,
                    )
                )
        return StageFindings(procedures=tuple(codes), dropped=tuple(dropped))


def _valid(lookup: ProcedureCodeSets, code: str, day: date | None) -> bool:
    try:
        return lookup.is_valid(code, day)
    except MedcoderError:
        return False
