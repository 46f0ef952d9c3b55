"""The coding pipeline: document -> sections -> mentions -> candidates -> code assignments.

Each stage returns frozen results; the guideline rules (coding/rules.py) decide what is
reported, and every drop is kept with its reason for the reviewing coder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.coding.candidate import Candidate
from medcoder.coding.external_cause import external_causes, is_injury
from medcoder.coding.lexicon import LexEntry, Lexicon, expand_context, lexicon_for
from medcoder.coding.rules import apply_rules
from medcoder.coding.select import CodeSelector, context_words
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS, Section, SectionKind, find_sections
from medcoder.nlp.text import Sentence, Token, split_sentences, tokenize
from medcoder.procedures.model import ProcedureCoder
from medcoder.results import (
    CodingResult,
    DroppedCandidate,
    EMLevel,
    Evidence,
    ProcedureAssignment,
    ProcedureFindings,
)

# Index entries that name a body part or a finding word, not a condition, are skipped
# as mentions of their own ("Acute - see condition" is already left out of the lexicon).
_SOURCE_RANK = {"abbreviation": 0, "curated": 0, "index": 1, "status": 1, "tabular": 2}
# An assessment written as a problem list: "Kidney stones." / "2. Hypertension, stable."
PROBLEM_LINE_WORDS = 14
PLAN_VERBS = frozenset(
    {
        "continue",
        "start",
        "stop",
        "increase",
        "decrease",
        "order",
        "obtain",
        "refer",
        "return",
        "follow",
        "recheck",
        "check",
        "schedule",
        "discuss",
        "advise",
        "advised",
        "encourage",
        "encouraged",
        "counsel",
        "counseled",
        "monitor",
        "repeat",
        "consider",
        "initiate",
        "prescribe",
        "prescribed",
        "recommend",
        "recommended",
        "will",
        "we",
        "plan",
        "see",
        "call",
        "add",
        "hold",
        "resume",
        "titrate",
        "avoid",
        "begin",
        "take",
        "send",
        "continued",
        "started",
    }
)
BLOCK_AXIS_WORDS = frozenset({"right", "left", "bilateral", "unilateral", "exacerbation"})
# "Medical Reasoning:", "Patient Education and Counseling:": a field label, not findings.
_LABEL_RE = re.compile(r"^[\s•*\-–\d.)]*([A-Za-z][A-Za-z /&'-]{0,60}):")


_CLAUSE_BREAK_RE = re.compile(r"[,;:()]|\s-\s")


def _clause_bounds(sentence: Sentence) -> list[tuple[int, int]]:
    """Character ranges (document offsets) of the sentence's comma / semicolon clauses."""
    bounds: list[tuple[int, int]] = []
    start = sentence.start
    for m in _CLAUSE_BREAK_RE.finditer(sentence.text):
        bounds.append((start, sentence.start + m.start()))
        start = sentence.start + m.end()
    bounds.append((start, sentence.end))
    return bounds


def _is_problem_line(section: Section, sentence: Sentence) -> bool:
    if section.kind not in DIAGNOSTIC_SECTIONS:
        return False
    label = _LABEL_RE.match(sentence.text)
    if label and len(label.group(1).split()) <= 6:
        return False
    words = [t.norm for t in tokenize(sentence.text) if t.norm.isalnum()]
    if words and words[0].isdigit():
        words = words[1:]  # "2. Hypertension."
    if not words or words[0] in PLAN_VERBS:
        return False  # "Continue headache diary.": an order, not a problem
    return len(words) <= PROBLEM_LINE_WORDS


def _problem_blocks(
    section: Section, sentences: list[Sentence], tokens: list[list[Token]]
) -> list[frozenset[str] | None]:
    """For each problem line, the words of the lines under it (until the next problem)."""
    flags = [_is_problem_line(section, s) for s in sentences]
    out: list[frozenset[str] | None] = []
    for i, flag in enumerate(flags):
        if not flag:
            out.append(None)
            continue
        words: set[str] = set()
        for j in range(i + 1, len(sentences)):
            if flags[j]:
                break
            words.update(t.norm for t in tokens[j])
        out.append(frozenset(words))
    return out


_SEX_RE = re.compile(
    r"\b\d{1,3}[- ](?:year|yr)s?[- ]old\s+(male|female|man|woman|gentleman|lady|boy|girl)\b",
    re.IGNORECASE,
)
_SEX_WORDS = {
    "male": "male", "man": "male", "gentleman": "male", "boy": "male",
    "female": "female", "woman": "female", "lady": "female", "girl": "female",
}  # fmt: skip


def patient_words(document: ClinicalDocument) -> frozenset[str]:
    """The patient's sex as an index word: from --sex, else from "62-year-old male"."""
    if document.sex is not None:
        return frozenset({"male" if document.sex.value == "M" else "female"})
    found = _SEX_RE.search(document.text[:3000])
    return frozenset({_SEX_WORDS[found.group(1).lower()]}) if found else frozenset()


class CodingEngine:
    """Codes clinical documents against the release in force on the date of service."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        external_causes: bool = True,
        procedure_coders: Sequence[ProcedureCoder] = (),
    ) -> None:
        """``external_causes``: also report V00-Y38 / Y93 codes for injuries (the cause from
        the sentence that tells the injury, the activity the patient was doing then).
        Guidelines I.C.20 make them voluntary unless a state or payer requires them; on by
        default because coders report them (on the ACI dev set, turning them on moved
        full-code micro F1 from 0.618 to 0.622 and category F1 from 0.750 to 0.757).

        ``procedure_coders``: the procedure stages (PCS, HCPCS, CPT, E/M) run on the same
        sections after the diagnoses; their codes are listed apart, in ``procedures``."""
        self.registry = registry or Registry(quiet=True)
        self.external_causes = external_causes
        self.procedure_coders = tuple(procedure_coders)
        self.detector = AssertionDetector()
        self._selectors: dict[str, CodeSelector] = {}
        self._patient_words: frozenset[str] = frozenset()
        self._history_terms: dict[str, int | None] = {}

    def _cache_dir(self) -> Path:
        return self.registry.home / "cache"

    def selector(self, release: Release) -> CodeSelector:
        if release.name not in self._selectors:
            self._selectors[release.name] = CodeSelector(release)
        return self._selectors[release.name]

    def code(self, document: ClinicalDocument, *, release_name: str | None = None) -> CodingResult:
        release = self.registry.choose(name=release_name, day=document.date_of_service)
        notices: tuple[str, ...] = ()
        if not document.text.strip():
            notices = ("the note is empty: nothing to code",)
        sections = find_sections(document.text)
        candidates = self.candidates(document, release, sections)
        assessed = any(
            s.kind in DIAGNOSTIC_SECTIONS and document.text[s.body_start : s.end].strip()
            for s in sections
        )
        codes, dropped = apply_rules(document, release, candidates, has_assessment=assessed)
        injuries = [c for c in codes if is_injury(c.code)] if self.external_causes else []
        codes += external_causes(
            document.text, release, self.selector(release), self.detector, injuries,
            len(codes) + 1, sections,
        )  # fmt: skip
        procedures = self.procedures(document, sections)
        return CodingResult(
            document_id=document.id,
            release=release.name,
            setting=document.setting,
            date_of_service=document.date_of_service.isoformat()
            if document.date_of_service
            else None,
            codes=tuple(codes),
            dropped=tuple(dropped) + procedures.dropped,
            notices=notices + procedures.notices,
            procedures=procedures.codes,
            em_level=procedures.em_level,
        )

    def procedures(self, document: ClinicalDocument, sections: list[Section]) -> ProcedureFindings:
        """Run every procedure stage; number the codes in one sequence, in stage order."""
        codes: list[ProcedureAssignment] = []
        dropped: list[DroppedCandidate] = []
        notices: list[str] = []
        em_level: EMLevel | None = None
        for coder in self.procedure_coders:
            found = coder.code_procedures(document, sections)
            codes.extend(found.codes)
            dropped.extend(found.dropped)
            notices.extend(found.notices)
            em_level = em_level or found.em_level
        numbered = tuple(replace(p, sequence=n) for n, p in enumerate(codes, start=1))
        return ProcedureFindings(numbered, em_level, tuple(dropped), tuple(notices))

    # -- stages -------------------------------------------------------------------------
    def candidates(
        self,
        document: ClinicalDocument,
        release: Release,
        sections: list[Section] | None = None,
    ) -> list[Candidate]:
        """Every condition mention in the note, coded, with its assertion status.

        ``sections``: the note's sections when the caller already found them."""
        text = document.text
        self._patient_words = patient_words(document)
        lexicon = lexicon_for(release, self._cache_dir())
        selector = self.selector(release)
        if sections is None:
            sections = find_sections(text)
        sections = sections or [Section(SectionKind.OTHER, "", 0, 0, len(text))]
        out: list[Candidate] = []
        sentence_number = 0
        for section in sections:
            sentences = split_sentences(text, section.body_start, section.end)
            tokens = [tokenize(s.text, s.start) for s in sentences]
            blocks = _problem_blocks(section, sentences, tokens)
            for sentence, sentence_tokens, block_words in zip(
                sentences, tokens, blocks, strict=True
            ):
                sentence_number += 1
                out.extend(
                    self._sentence_candidates(
                        text, section, sentence, sentence_tokens, sentence_number, lexicon,
                        selector, block_words,
                    )
                )  # fmt: skip
        return out

    def _sentence_candidates(
        self,
        text: str,
        section: Section,
        sentence: Sentence,
        tokens: list[Token],
        number: int,
        lexicon: Lexicon,
        selector: CodeSelector,
        block_words: frozenset[str] | None,
    ) -> list[Candidate]:
        matches = lexicon.match(tokens)
        if not matches:
            return []
        label = _LABEL_RE.match(sentence.text)
        label_end = (
            sentence.start + label.end() if label and len(label.group(1).split()) <= 6 else -1
        )
        matches = [m for m in matches if tokens[m.first].start >= label_end]
        if not matches:
            return []
        spans = [(tokens[m.first].start, tokens[m.last].end) for m in matches]
        assertions = self.detector.assert_spans(
            text, sentence, spans, str(section.kind), tokens=tokens
        )
        clauses = _clause_bounds(sentence)
        problem_line = block_words is not None
        out: list[Candidate] = []
        for match, (start, end), assertion in zip(matches, spans, assertions, strict=True):
            evidence = Evidence(start, end, text[start:end], str(section.kind))
            # The index is refined with the words of the mention's own clause: in "COPD,
            # hypertension and ulcer", "pulmonary" does not make the hypertension pulmonary.
            low, high = next(((a, b) for a, b in clauses if a <= start < b), (0, len(text)))
            if block_words is not None:
                low, high = sentence.start, sentence.end  # a problem line is one problem
            context = context_words([t for t in tokens if low <= t.start < high])
            context = expand_context(context)
            if block_words is not None:
                # A problem heading is specified by the reasoning written under it, for the
                # axes a heading often leaves out (side, exacerbation); other words there
                # describe findings, not this problem.
                context |= expand_context(block_words) & BLOCK_AXIS_WORDS
            history: tuple[str | None, str] = (None, "")
            if assertion.historical:
                history = self._personal_history(selector, context)
            entries = match.entries
            if not assertion.historical:
                # Status codes name what was done ("s/p cataract extraction"), never a
                # current finding: only for mentions written as past.
                entries = tuple(e for e in entries if e.kind != "status")
            for candidate in self._best_candidate(entries, context, selector, evidence):
                if assertion.historical:
                    history = self._specific_history(selector, context, candidate, history)
                out.append(
                    replace(
                        candidate,
                        negated=assertion.negated,
                        uncertain=assertion.uncertain,
                        historical=assertion.historical,
                        family=assertion.family,
                        hypothetical=assertion.hypothetical,
                        assertion_triggers=tuple(
                            f"{t.category.lower()}: {t.literal}" for t in assertion.triggers
                        ),
                        sentence=number,
                        problem_line=problem_line,
                        history_code=history[0],
                        history_path=history[1],
                    )
                )
        return out

    def _personal_history(
        self, selector: CodeSelector, context: frozenset[str]
    ) -> tuple[str | None, str]:
        """I.C.21.c.4: a past condition is reported with its personal-history Z code,
        found under "History, personal (of)" with the words of the mention's clause."""
        key = f"history-personal:{selector.release.name}"
        if key not in self._history_terms:
            start = selector.navigator.walk("History, personal", suggest=False)
            found = start.steps[-1].term_id if start.steps and not start.unmatched else None
            self._history_terms[key] = found
        term_id = self._history_terms[key]
        if term_id is None:
            return None, ""
        choice = selector.refine(term_id, context)
        if choice.depth == 0 or choice.code is None:
            return None, ""
        codes, _ = selector.complete(choice.code, context)
        if not codes or not codes[0].startswith("Z"):
            return None, ""
        return codes[0], selector.path_label(choice.path)

    def _specific_history(
        self,
        selector: CodeSelector,
        context: frozenset[str],
        candidate: Candidate,
        found: tuple[str | None, str],
    ) -> tuple[str | None, str]:
        """A history code left unspecified by the note's words ("basal cell carcinoma"
        -> Z85.9) is refined with the words of the condition's own Tabular title (C44.91
        "... of skin" -> Z85.828, other malignant neoplasm of skin): the site a coder
        reads off the code and its category ("Other and unspecified malignant neoplasm
        of skin")."""
        code = found[0]
        if code is not None:
            entry = selector.release.get(code)
            if entry is None or "unspecified" not in entry.title.lower():
                return found
        category = selector.release.get(candidate.code[:3])
        titles = f"{candidate.title}. {category.title if category else ''}"
        title_words = context_words(tokenize(titles, 0))
        better = self._personal_history(selector, context | title_words)
        return better if better[0] is not None else found

    def _best_candidate(
        self,
        entries: tuple[LexEntry, ...],
        context: frozenset[str],
        selector: CodeSelector,
        evidence: Evidence,
    ) -> list[Candidate]:
        """The codes of the first entry (curated, then index, then Tabular) that yields one."""
        ranked = sorted(entries, key=lambda e: _SOURCE_RANK.get(e.kind, 9))
        for entry in ranked:
            if entry.kind == "abbreviation" and not evidence.text.isupper():
                continue
            if entry.term_id is not None:
                choice = selector.refine(entry.term_id, context)
                if choice.code is None and self._patient_words:
                    # "Hypogonadism" has codes only under "male" / "female": the
                    # patient's sex, from --sex or the note, chooses.
                    choice = selector.refine(entry.term_id, context | self._patient_words)
                if choice.code is None:
                    continue
                codes, checks = selector.complete(choice.code, context)
                path = selector.path_label(choice.path)
                depth = choice.depth
            elif entry.code is not None:
                codes, checks = selector.complete(entry.code, context)
                path = f"Tabular: {entry.label}"
                depth = 0
            else:
                continue
            if not codes:
                continue
            out = []
            for code in codes:
                found = selector.release.get(code)
                out.append(
                    Candidate(
                        code=code,
                        title=found.title if found else "",
                        evidence=evidence,
                        index_path=path,
                        source=entry.kind,
                        tabular_checks=tuple(checks),
                        section=evidence.section,
                        depth=depth,
                    )
                )
            return out
        return []
