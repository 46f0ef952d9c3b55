"""The parsed note: one clinical document read once and shared by every coding stage.

A coder reads a chart once and then looks for diagnoses, causes, procedures and the visit
level in the same reading. So does medcoder: :func:`parse_note` finds the sections, and
the sentences, their words and the assertion context (ConText) of each sentence are read
the first time a stage asks and kept on the note, so the diagnosis, external-cause, E/M,
ICD-10-PCS, HCPCS and CPT stages never split, tokenize or run ConText over the same
sentence twice. (spaCy's ``Doc`` plays this part in a spaCy pipeline.)

A note belongs to one coding call: nothing here is shared between notes or threads, and
the memos die with the note, so coding needs no per-note state on a shared engine and no
module-level cache standing in for one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

from medcoder.errors import TimeBudgetError
from medcoder.kinds import Sex
from medcoder.nlp.assertion import Assertion, AssertionDetector, SentenceScope
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import Section, SectionKind, find_sections
from medcoder.nlp.text import (
    Sentence,
    Token,
    content_between,
    content_words,
    split_sentences,
    tokens_between,
)

_SEX_RE = re.compile(
    r"\b\d{1,3}[- ](?:year|yr)s?[- ]old\s+(male|female|man|woman|gentleman|lady|boy|girl)\b",
    re.IGNORECASE,
)
_SEX_WORDS = {
    "male": "male", "man": "male", "gentleman": "male", "boy": "male",
    "female": "female", "woman": "female", "lady": "female", "girl": "female",
}  # fmt: skip


def patient_words(document: ClinicalDocument) -> frozenset[str]:
    """The patient's sex as an Index word: from --sex, else from "62-year-old male"."""
    if document.sex is not None:
        return frozenset({"male" if document.sex is Sex.MALE else "female"})
    found = _SEX_RE.search(document.text[:3000])
    return frozenset({_SEX_WORDS[found.group(1).lower()]}) if found else frozenset()


class ParsedNote:
    """A document with its sections, and its sentences, tokens and ConText scopes on demand.

    ``sections`` are the note's headings as found; ``body_sections`` are what the stages
    walk: the sections, or the whole text as one OTHER section when the note has none.
    """

    __slots__ = (
        "_content",
        "_scopes",
        "_sentences",
        "_tokens",
        "body_sections",
        "deadline",
        "detector",
        "document",
        "patient_words",
        "sections",
        "text",
    )

    def __init__(
        self,
        document: ClinicalDocument,
        detector: AssertionDetector,
        *,
        deadline: float | None = None,
    ) -> None:
        self.document = document
        # time.monotonic() by which coding must end (a REST request's budget), or None.
        self.deadline = deadline
        self.text = document.text
        self.detector = detector
        self.sections: tuple[Section, ...] = tuple(find_sections(document.text))
        self.body_sections: tuple[Section, ...] = self.sections or (
            Section(SectionKind.OTHER, "", 0, 0, len(document.text)),
        )
        self.patient_words = patient_words(document)
        # One memo per kind, keyed by offsets: looked up thousands of times a note.
        self._sentences: dict[tuple[int, int], tuple[Sentence, ...]] = {}
        self._tokens: dict[tuple[int, int], tuple[Token, ...]] = {}
        self._scopes: dict[tuple[int, int, str | None], SentenceScope] = {}
        self._content: dict[tuple[int, int], tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def check_time(self, where: str) -> None:
        """Stop with E302 when the note's time budget is spent. Stages call it between
        sentences, so a budget holds within one stage's work on one sentence."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeBudgetError(
                f"coding stopped in {where}: the note ({len(self.text):,} characters) took "
                "longer than its time budget",
                hint="split the note, or raise MEDCODER_CODE_TIME_BUDGET_S",
            )

    def sentences(self, start: int = 0, end: int | None = None) -> tuple[Sentence, ...]:
        """The sentences of ``text[start:end]`` (offsets into the note), split once."""
        key = (start, len(self.text) if end is None else end)
        found = self._sentences.get(key)
        if found is None:
            found = self._sentences[key] = tuple(split_sentences(self.text, *key))
        return found

    def section_sentences(self, section: Section) -> tuple[Sentence, ...]:
        return self.sentences(section.body_start, section.end)

    def tokens(self, sentence: Sentence) -> tuple[Token, ...]:
        """The words of a sentence with their offsets in the note, tokenized once."""
        key = (sentence.start, sentence.end)
        found = self._tokens.get(key)
        if found is None:
            found = self._tokens[key] = tokens_between(self.text, *key)
        return found

    def content(self, sentence: Sentence) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """The sentence's words as lexicons match them (``nlp.text.content_words``): the
        positions of its non-stopwords among its tokens, and their normalized forms."""
        key = (sentence.start, sentence.end)
        found = self._content.get(key)
        if found is None:
            tokens = self._tokens.get(key)
            # A sentence whose tokens no stage has asked for yet: its words alone (most
            # sentences match nothing and never need their tokens).
            found = content_between(self.text, *key) if tokens is None else content_words(tokens)
            self._content[key] = found
        return found

    def scope(self, sentence: Sentence, section: str | None) -> SentenceScope:
        """The sentence's ConText triggers and their reach, read once per section kind."""
        key = (sentence.start, sentence.end, section)
        found = self._scopes.get(key)
        if found is None:
            found = self.detector.scope(self.text, sentence, section, tokens=self.tokens(sentence))
            self._scopes[key] = found
        return found

    def assertions(
        self, sentence: Sentence, spans: Sequence[tuple[int, int]], section: str | None
    ) -> list[Assertion]:
        """The assertion (negated, uncertain, historical, family, hypothetical) of each
        mention ``spans`` of one sentence, as ConText reads it in that section."""
        if not spans:
            return []
        return self.scope(sentence, section).assert_spans(spans)


def parse_note(
    document: ClinicalDocument, detector: AssertionDetector, *, deadline: float | None = None
) -> ParsedNote:
    return ParsedNote(document, detector, deadline=deadline)
