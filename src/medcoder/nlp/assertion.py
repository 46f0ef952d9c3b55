"""Assertion status of a mention: negated, uncertain, historical, family, hypothetical.

This is ConText (Harkema, Dowling, Thornblade & Chapman 2009, "ConText: an algorithm
for determining negation, experiencer, and temporal status from clinical reports",
J Biomed Inform 42:839-851), written directly over medcoder's own tokens
(``medcoder.nlp.text.tokenize``) instead of through medSpaCy: medSpaCy's ConText took
about 20 ms per 3 KB note, four times our whole 5 ms per-note budget. The algorithm is
the same; only the plumbing is ours.

How a sentence is read:

1. Trigger terms come from the rule lexicon, which is data
   (``nlp/data/context_rules.json``, loaded by :class:`ContextRules`). They are found in
   one left-to-right pass over the sentence's normalized words, longest literal first,
   with a dict keyed by the first word (no regex per rule). Matches do not overlap, so a
   pseudo-trigger ("no increase", "gram negative") swallows the trigger words inside it.
   Literals made only of punctuation (";", "?") are found between the words. Before
   that, a sentence in which no modifying rule's key word occurs at all (checked on the
   raw text with one regex and a set) is answered without being tokenized.
2. Each trigger of a modifying category gets a scope, counted in words:

   - FORWARD: the words after it, up to the end of the sentence, a terminator ("but",
     "however", ";" ...), another trigger (one of the same category takes over, so the
     trace names the nearest), or ``max_scope`` words;
   - BACKWARD: the words before it, bounded the same way;
   - BIDIRECTIONAL: both.

   ``max_scope`` is the rule's, else :data:`DEFAULT_FORWARD_SCOPE` for its category
   forward and :data:`DEFAULT_BACKWARD_SCOPE` backward. Three refinements:

   - lists stay in scope: every comma, "and", "or", "nor" or "/" between items renews the
     word budget, so "Denies fever, chills, or night sweats" negates all three. Going
     backward a comma is crossed only inside a coordinated list ("fever, chills and
     sweats were ruled out"), so "chest pain, ACS versus GERD" keeps the chest pain;
   - stacked triggers chain: a trigger of another category that follows with only
     function words between ("no family history of", "denies any history of", "mother
     with history of") does not end the first trigger's scope; both apply;
   - a template answer after a colon looks back: in "Fever: no." the "no" has nothing
     after it, so it covers "Fever".

3. A mention is modified by a trigger when any of its words lies in the trigger's scope
   and none of them is part of the trigger itself (medSpaCy's rule: "family history of
   colon cancer" as one mention is a family-history concept, not a family mention).

Sections (the values of ``medcoder.nlp.sections.SectionKind``) set defaults: every
mention in ``family_history`` is family; in ``past_medical_history`` and
``past_surgical_history`` it is historical; in ``review_of_systems`` a negation reaches
to the end of its clause with no word limit, because review-of-systems lines are lists.
Such a default appears in the trace as a trigger whose literal is ``section:<name>``, with
an empty span at the start of the sentence.

Speed, measured over every sentence of a 3 KB note with two mentions each, on one CPU
core: 1.0-1.2 ms, of which ``tokenize`` is about half. A caller that has tokenized the
sentence already passes its tokens as ``tokens=``, and the call then takes about 0.55 ms.

"due to" and "secondary to" are deliberately not terminators: in "anemia, likely
secondary to GI bleed" the bleed is what is uncertain.

Historical means the note places the condition in the past ("history of", "s/p",
"years ago"); whether a chronic condition so written is still current ("history of
hypertension" on lisinopril) is for the coding rules to decide, as is uncertainty:

Uncertain means what the ICD-10-CM Guidelines call an uncertain diagnosis ("probable",
"suspected", "likely", "questionable", "possible", "rule out", "consistent with",
"compatible with", "working diagnosis"; Guidelines II.H, III.C, IV.H), whatever the
setting: whether an uncertain diagnosis is coded is decided later, by the coding rules.

Where the parts live: this module holds the results (:class:`Assertion`,
:class:`Trigger`), the detector and :class:`SentenceScope` (step 3, and the section
defaults); the lexicon and trigger matching (step 1) are in
:mod:`medcoder.nlp.context_rules`, the scope walk (step 2) in
:mod:`medcoder.nlp.context_scope`. Every name those modules define publicly is
importable from here as well.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from medcoder.nlp.context_rules import MODIFIERS as MODIFIERS
from medcoder.nlp.context_rules import Category, ContextRule, ContextRules, Direction
from medcoder.nlp.context_scope import (
    DEFAULT_BACKWARD_SCOPE,
    DEFAULT_FORWARD_SCOPE,
    SECTION_FAMILY_HISTORY,
    _scopes,
)
from medcoder.nlp.context_scope import (
    SECTION_PAST_MEDICAL_HISTORY as SECTION_PAST_MEDICAL_HISTORY,
)
from medcoder.nlp.context_scope import (
    SECTION_PAST_SURGICAL_HISTORY as SECTION_PAST_SURGICAL_HISTORY,
)
from medcoder.nlp.context_scope import SECTION_REVIEW_OF_SYSTEMS as SECTION_REVIEW_OF_SYSTEMS
from medcoder.nlp.text import Sentence, Token, tokenize

__all__ = [
    "DEFAULT_BACKWARD_SCOPE",
    "DEFAULT_FORWARD_SCOPE",
    "Assertion",
    "AssertionDetector",
    "Category",
    "ContextRule",
    "ContextRules",
    "Direction",
    "SentenceScope",
    "Trigger",
]

_HISTORY_SECTIONS = frozenset({SECTION_PAST_MEDICAL_HISTORY, SECTION_PAST_SURGICAL_HISTORY})


@dataclass(frozen=True, slots=True)
class Trigger:
    """A rule that fired, for the coder's trace: offsets are into the whole document."""

    literal: str
    category: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Assertion:
    """The status of one mention. All False: present, the patient's, current, certain."""

    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    family: bool = False
    hypothetical: bool = False
    triggers: tuple[Trigger, ...] = ()


_AFFIRMED = Assertion()


class AssertionDetector:
    """ConText over one sentence at a time; see the module docstring for the algorithm."""

    def __init__(self, rules: ContextRules | None = None) -> None:
        self.rules = rules if rules is not None else ContextRules.default()

    def assert_span(
        self,
        text: str,
        sentence: Sentence,
        span_start: int,
        span_end: int,
        section: str | None = None,
    ) -> Assertion:
        """The assertion of the mention at ``text[span_start:span_end]`` in ``sentence``."""
        return self.assert_spans(text, sentence, [(span_start, span_end)], section)[0]

    def assert_spans(
        self,
        text: str,
        sentence: Sentence,
        spans: Sequence[tuple[int, int]],
        section: str | None = None,
        *,
        tokens: Sequence[Token] | None = None,
    ) -> list[Assertion]:
        """Assertions for many mentions of one sentence, reading the sentence once.

        ``text`` is the whole document, ``sentence`` one of ``split_sentences(text)`` and
        each span a pair of character offsets into ``text``. A span with no word inside the
        sentence gets only the section's defaults; nothing here raises for odd offsets.

        ``tokens``, when the caller has them already, are the sentence's words as
        ``tokenize(text[sentence.start:sentence.end], sentence.start)`` gives them;
        tokenizing is about half the time this call takes.
        """
        if not spans:
            return []
        return self.scope(text, sentence, section, tokens=tokens).assert_spans(spans)

    def scope(
        self,
        text: str,
        sentence: Sentence,
        section: str | None = None,
        *,
        tokens: Sequence[Token] | None = None,
    ) -> SentenceScope:
        """The triggers of one sentence and the words each one reaches: everything a span's
        assertion needs, computed once however many stages ask about the sentence."""
        base = _AFFIRMED
        base_family = section == SECTION_FAMILY_HISTORY
        base_historical = section in _HISTORY_SECTIONS
        if base_family or base_historical:
            category = Category.FAMILY if base_family else Category.HISTORICAL
            mark = Trigger(f"section:{section}", category.value, sentence.start, sentence.start)
            base = Assertion(historical=base_historical, family=base_family, triggers=(mark,))
        sentence_text = text[sentence.start : sentence.end]
        if not self.rules._may_match(sentence_text):
            return SentenceScope(base)
        if tokens is None:
            tokens = tokenize(sentence_text, sentence.start)
        norms = [t.norm for t in tokens]
        matches = self.rules._find(tokens, norms, sentence_text, sentence.start)
        if not any(m.rule.category in MODIFIERS for m in matches):
            return SentenceScope(base)
        scoped = tuple(
            (
                m.begin,
                m.end,
                tuple(ranges),
                m.rule.category,
                Trigger(m.rule.literal, m.rule.category.value, m.start, m.stop),
            )
            for m, ranges in _scopes(tokens, norms, matches, sentence_text, sentence.start, section)
        )
        if not scoped:
            return SentenceScope(base)
        starts = tuple(t.start for t in tokens)
        ends = tuple(t.end for t in tokens)
        return SentenceScope(base, scoped, starts, ends)


_Scoped = tuple[int, int, tuple[tuple[int, int], ...], "Category", Trigger]


@dataclass(frozen=True, slots=True)
class SentenceScope:
    """One sentence's modifying triggers with the word ranges they reach (ConText step 2),
    and the section's default (``base``); :meth:`assert_spans` answers step 3 for any
    mention of the sentence without reading it again."""

    base: Assertion
    scoped: tuple[_Scoped, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    def assert_spans(self, spans: Sequence[tuple[int, int]]) -> list[Assertion]:
        base = self.base
        if not self.scoped:
            return [base] * len(spans)
        out: list[Assertion] = []
        for span_start, span_end in spans:
            first = bisect_right(self.ends, span_start)
            last = bisect_left(self.starts, span_end)  # one past the last word of the span
            fired = [
                (category, trigger)
                for begin, end, ranges, category, trigger in self.scoped
                if first < last
                and not (begin < last and first < end)  # a trigger inside the mention
                and any(lo < last and first < hi for lo, hi in ranges)
            ]
            if not fired:
                out.append(base)
                continue
            categories = {category for category, _ in fired}
            out.append(
                Assertion(
                    negated=Category.NEGATED_EXISTENCE in categories,
                    uncertain=Category.POSSIBLE_EXISTENCE in categories,
                    historical=base.historical or Category.HISTORICAL in categories,
                    family=base.family or Category.FAMILY in categories,
                    hypothetical=Category.HYPOTHETICAL in categories,
                    triggers=base.triggers + tuple(trigger for _, trigger in fired),
                )
            )
        return out
