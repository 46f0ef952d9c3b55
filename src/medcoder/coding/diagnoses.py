"""The diagnosis stage: every condition the note documents, coded and ruled.

Sentence by sentence, the stage matches condition mentions against the release's lexicon
(Alphabetic Index terms in natural order, Tabular titles and inclusion terms, a curated
clinical vocabulary), reads each mention's assertion (negated, uncertain, historical,
family, hypothetical) from the parsed note, refines it in the Index with the words of its
own clause and completes it in the Tabular; then the guideline rules (coding/rules.py)
decide what is reported and why the rest was dropped. The words, sentences and ConText
scopes come from the :class:`~medcoder.nlp.note.ParsedNote`, read once for every stage.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from pathlib import Path

from medcoder.codesets.in_force import CodeSetsInForce
from medcoder.codesets.store import Release
from medcoder.coding import adverse, companions
from medcoder.coding.candidate import Candidate
from medcoder.coding.inpatient import filter_candidates, rewrite_codes
from medcoder.coding.lexicon import LexEntry, Lexicon, expand_context, lexicon_for
from medcoder.coding.mention_filters import (
    PERSON_TITLES,
    not_as_written,
    qualifies_next,
    restates_infection,
)
from medcoder.coding.principal import choose_principal
from medcoder.coding.problem_lines import clause_bounds, field_label, problem_blocks
from medcoder.coding.rules import apply_rules
from medcoder.coding.select import CodeSelector, context_words, selector_for, words_context
from medcoder.coding.stay import StayReading
from medcoder.nlp.note import ParsedNote
from medcoder.nlp.sections import DIAGNOSTIC_SECTIONS, Section, SectionKind
from medcoder.nlp.text import Sentence, tokenize
from medcoder.results import DroppedCandidate, Evidence, StageFindings

# Index entries that name a body part or a finding word, not a condition, are skipped
# as mentions of their own ("Acute - see condition" is already left out of the lexicon).
_SOURCE_RANK = {"abbreviation": 0, "curated": 0, "index": 1, "status": 1, "tabular": 2}
STATED_REASON_SECTIONS = DIAGNOSTIC_SECTIONS | {SectionKind.CHIEF_COMPLAINT}
DRUG_CAUSE_WORDS = frozenset({"drug", "drugs", "due_drug", "due_drugs"})
BLOCK_AXIS_WORDS = frozenset({"right", "left", "bilateral", "unilateral", "exacerbation"})


# A mention coded: (code, title, index path, source, Tabular checks, depth).
_Coded = tuple[str, str, str, str, tuple[str, ...], int]


class DiagnosisStage:
    """ICD-10-CM diagnoses, first-listed or principal first (the guideline rules sequence).

    Holds only per-release structures (the lexicon cache folder, the personal-history
    entry of each release): nothing of one note, so threads may share it.
    """

    name = "diagnoses"

    def __init__(self, cache_dir: Path | None = None) -> None:
        """``cache_dir``: where the lexicon of each release is cached between runs."""
        self.cache_dir = cache_dir
        self._history_terms: dict[str, int | None] = {}
        self._lock = threading.Lock()

    def __call__(
        self, note: ParsedNote, code_sets: CodeSetsInForce, so_far: StageFindings
    ) -> StageFindings:
        release = code_sets.icd10cm
        candidates = self.candidates(note, release)
        # IV.J / III.B: with an assessment written, only what it assesses is reported.
        assessed = any(
            s.kind in DIAGNOSTIC_SECTIONS and note.text[s.body_start : s.end].strip()
            for s in note.sections
        )
        early: list[DroppedCandidate] = []
        reading = StayReading(note) if note.document.setting.is_inpatient else None
        mentions = candidates
        if reading is not None:  # Guidelines II.H at discharge; admitting dx after study
            candidates, early = filter_candidates(reading, candidates)
        codes, dropped = apply_rules(note.document, release, candidates, has_assessment=assessed)
        if reading is not None:  # Guidelines Section II / III: the stay read as a whole
            codes, rewritten = rewrite_codes(reading, release, codes)
            codes = choose_principal(reading, release, codes, mentions)
            dropped = early + dropped + rewritten
        return StageFindings(diagnoses=tuple(codes), dropped=tuple(dropped))

    def candidates(self, note: ParsedNote, release: Release) -> list[Candidate]:
        """Every condition mention in the note, coded, with its assertion status."""
        lexicon = lexicon_for(release, self.cache_dir)
        selector = selector_for(release)
        out: list[Candidate] = []
        sentence_number = 0
        for section in note.body_sections:
            sentences = note.section_sentences(section)
            blocks: list[frozenset[str] | None]
            if section.kind in DIAGNOSTIC_SECTIONS:
                tokens = [note.tokens(s) for s in sentences]
                blocks = problem_blocks(section, sentences, tokens)
            else:  # problem lines are read in diagnostic sections only
                blocks = [None] * len(sentences)
            for sentence, block_words in zip(sentences, blocks, strict=True):
                sentence_number += 1
                if not sentence_number & 63:
                    note.check_time("the diagnosis stage")
                out.extend(
                    self._sentence_candidates(
                        note, section, sentence, sentence_number, lexicon, selector, block_words
                    )
                )
        return out

    def _sentence_candidates(
        self,
        note: ParsedNote,
        section: Section,
        sentence: Sentence,
        number: int,
        lexicon: Lexicon,
        selector: CodeSelector,
        block_words: frozenset[str] | None,
    ) -> list[Candidate]:
        text = note.text
        kept, parts = note.content(sentence)
        matches = lexicon.match_words(kept, parts)
        if not matches:
            return []
        label = field_label(sentence)
        label_end = sentence.start + label.end() if label else -1
        tokens = note.tokens(sentence)  # only for a sentence that matched
        matches = [
            m
            for m in matches
            if tokens[m.first].start >= label_end
            # A person, not an eponym: "Mr. Dawson" is the patient, never Dawson's
            # encephalitis; "Dr. Parkinson" a colleague, never Parkinson's disease.
            and not (m.first and tokens[m.first - 1].norm in PERSON_TITLES)
        ]
        matches = [m for m in matches if not qualifies_next(m, matches, selector.release)]
        matches = [m for m in matches if not restates_infection(m, matches, selector.release)]
        if not matches:
            return []
        spans = [(tokens[m.first].start, tokens[m.last].end) for m in matches]
        kind = str(section.kind)
        assertions = note.assertions(sentence, spans, kind)
        clauses = clause_bounds(sentence)
        starts = [t.start for t in tokens]
        problem_line = block_words is not None
        contexts: dict[tuple[int, int], frozenset[str]] = {}  # mentions of one clause share it
        # I.C.21.c.8: a follow-up after completed treatment names a condition that no
        # longer exists: its personal-history code is looked up as for a past mention.
        follow_up = companions.completed_treatment(sentence.text)
        out: list[Candidate] = []
        for match, (start, end), assertion in zip(matches, spans, assertions, strict=True):
            # The index is refined with the words of the mention's own clause: in "COPD,
            # hypertension and ulcer", "pulmonary" does not make the hypertension pulmonary.
            if block_words is not None:
                bounds = (sentence.start, sentence.end)  # a problem line is one problem
            else:
                bounds = (0, len(text))
                for clause in clauses:
                    if clause[0] <= start < clause[1]:
                        bounds = clause
                        break
            context = contexts.get(bounds)
            if context is None:
                # The clause's tokens are those between two offsets (tokens are in order),
                # its content words those of the sentence's between the two positions.
                first, stop = bisect_left(starts, bounds[0]), bisect_left(starts, bounds[1])
                words = parts[bisect_left(kept, first) : bisect_left(kept, stop)]
                lead = tokens[first].norm if stop - first > 1 else ""
                if words and words[0] == lead and lead.isdigit():
                    words = words[1:]  # a list number ("2.") is not a word of the clause
                context = expand_context(words_context(words))
                if adverse.links_a_drug(selector.release, text[bounds[0] : bounds[1]]):
                    context |= DRUG_CAUSE_WORDS  # "Urticaria, due to, drugs" (I.C.19.e.5.a)
                if block_words is not None:
                    # A problem heading is specified by the reasoning written under it, for
                    # the axes a heading often leaves out (side, exacerbation); other words
                    # there describe findings, not this problem.
                    context |= expand_context(block_words) & BLOCK_AXIS_WORDS
                contexts[bounds] = context
            entries = match.entries
            if not assertion.historical:
                # Status codes name what was done ("s/p cataract extraction"), never a
                # current finding: only for mentions written as past.
                entries = tuple([e for e in entries if e.kind != "status"])
            if section.kind not in STATED_REASON_SECTIONS:
                # "Aftercare ..." is the reason for the visit only where the provider
                # states it (chief complaint, assessment); I.C.21.c.7.
                entries = tuple([e for e in entries if e.kind != "encounter"])
            written = text[start:end]
            found = self._best_candidate(entries, context, selector, written, note.patient_words)
            # An encounter reason needs the subterm that says what for ("Aftercare,
            # following surgery, joint replacement"): "aftercare" alone names nothing.
            found = [f for f in found if not (f[3] == "encounter" and f[5] == 0)]
            if not found:
                continue  # most mentions: no Evidence, no history code looked up
            evidence = Evidence(start, end, written, kind)
            history: tuple[str | None, str] = (None, "")
            if assertion.historical or follow_up:
                history = self._personal_history(selector, context)
            triggers = tuple([f"{t.category.lower()}: {t.literal}" for t in assertion.triggers])
            for code, title, path, source, checks, depth in found:
                if assertion.historical or follow_up:
                    history = self._specific_history(selector, context, code, title, history)
                out.append(
                    Candidate(
                        code=code,
                        title=title,
                        evidence=evidence,
                        index_path=path,
                        source=source,
                        tabular_checks=checks,
                        section=evidence.section,
                        negated=assertion.negated,
                        uncertain=assertion.uncertain,
                        historical=assertion.historical,
                        family=assertion.family,
                        hypothetical=assertion.hypothetical,
                        assertion_triggers=triggers,
                        depth=depth,
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
        key = selector.release.name
        if key not in self._history_terms:
            with self._lock:  # one walk per release, whichever thread asks first
                start = selector.navigator.walk("History, personal", suggest=False)
                steps = start.steps
                self._history_terms[key] = (
                    steps[-1].term_id if steps and not start.unmatched else None
                )
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
        code: str,
        title: str,
        found: tuple[str | None, str],
    ) -> tuple[str | None, str]:
        """A history code left unspecified by the note's words ("basal cell carcinoma"
        -> Z85.9) is refined with the words of the condition's own Tabular title (C44.91
        "... of skin" -> Z85.828, other malignant neoplasm of skin): the site a coder
        reads off the code and its category ("Other and unspecified malignant neoplasm
        of skin")."""
        if found[0] is not None:
            entry = selector.release.get(found[0])
            if entry is None or "unspecified" not in entry.title.lower():
                return found
        category = selector.release.get(code[:3])
        titles = f"{title}. {category.title if category else ''}"
        title_words = context_words(tokenize(titles, 0))
        better = self._personal_history(selector, context | title_words)
        return better if better[0] is not None else found

    def _best_candidate(
        self,
        entries: tuple[LexEntry, ...],
        context: frozenset[str],
        selector: CodeSelector,
        written: str,
        patient_words: frozenset[str],
    ) -> list[_Coded]:
        """The codes of the first entry (curated, then index, then Tabular) that yields one:
        (code, title, index path, source, Tabular checks, depth) each."""
        ranked = sorted(entries, key=lambda e: _SOURCE_RANK.get(e.kind, 9))
        for entry in ranked:
            if entry.kind == "abbreviation" and not written.isupper():
                continue
            if entry.kind == "curated" and not_as_written(entry, written):
                continue
            if entry.term_id is not None:
                choice = selector.refine(entry.term_id, context)
                if choice.code is None and patient_words:
                    # "Hypogonadism" has codes only under "male" / "female": the
                    # patient's sex, from --sex or the note, chooses.
                    choice = selector.refine(entry.term_id, context | patient_words)
                if choice.code is None:
                    continue
                path = selector.path_label(choice.path)
                if any(t.see for t in choice.path):
                    # A "see" followed names the site the Tabular child is chosen by
                    # ("Cellulitis, leg - see lower limb": L03.11-, lower limb, left).
                    context = context | context_words(tokenize(path, 0))
                codes, checks = selector.complete(choice.code, context)
                depth = choice.depth
            elif entry.code is not None:
                codes, checks = selector.complete(entry.code, context)
                path = f"Tabular: {entry.label}"
                depth = 0
            else:
                continue
            if not codes:
                continue
            out: list[_Coded] = []
            for code in codes:
                found = selector.release.get(code)
                title = found.title if found else ""
                out.append((code, title, path, entry.kind, tuple(checks), depth))
            return out
        return []
