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
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from medcoder.errors import SourceFormatError
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


class Category(StrEnum):
    """What a trigger says about the mentions in its scope (ConText's categories)."""

    NEGATED_EXISTENCE = "NEGATED_EXISTENCE"
    POSSIBLE_EXISTENCE = "POSSIBLE_EXISTENCE"
    HISTORICAL = "HISTORICAL"
    FAMILY = "FAMILY"  # any experiencer other than the patient
    HYPOTHETICAL = "HYPOTHETICAL"
    PSEUDO = "PSEUDO"  # looks like a trigger, is not one ("no increase")
    TERMINATE = "TERMINATE"  # ends every scope it falls in ("but")


class Direction(StrEnum):
    FORWARD = "FORWARD"
    BACKWARD = "BACKWARD"
    BIDIRECTIONAL = "BIDIRECTIONAL"
    TERMINATE = "TERMINATE"
    PSEUDO = "PSEUDO"


MODIFIERS = frozenset(
    {
        Category.NEGATED_EXISTENCE,
        Category.POSSIBLE_EXISTENCE,
        Category.HISTORICAL,
        Category.FAMILY,
        Category.HYPOTHETICAL,
    }
)

# Scope in words when a rule gives no max_scope. Negation and uncertainty reach about a
# clause; experiencer and hypothetical phrasing ("should you develop ...", "mother was
# diagnosed with ...") run a little longer. Lists renew the budget (see module doc).
DEFAULT_FORWARD_SCOPE: dict[Category, int] = {
    Category.NEGATED_EXISTENCE: 8,
    Category.POSSIBLE_EXISTENCE: 8,
    Category.HISTORICAL: 8,
    Category.FAMILY: 10,
    Category.HYPOTHETICAL: 10,
}
DEFAULT_BACKWARD_SCOPE = 5  # "pneumonia has been ruled out", "kidney stones in the past"

SECTION_FAMILY_HISTORY = "family_history"
SECTION_PAST_MEDICAL_HISTORY = "past_medical_history"
SECTION_PAST_SURGICAL_HISTORY = "past_surgical_history"
SECTION_REVIEW_OF_SYSTEMS = "review_of_systems"

_HISTORY_SECTIONS = frozenset({SECTION_PAST_MEDICAL_HISTORY, SECTION_PAST_SURGICAL_HISTORY})
_RULE_KEYS = frozenset({"literal", "category", "direction", "max_scope"})
_REQUIRED_KEYS = ("literal", "category", "direction")
# Words that separate list items: each renews a forward scope's word budget.
_COORDINATORS = frozenset({"and", "or", "nor", "/"})
# Words allowed between two stacked triggers ("no known history of", "mother with a
# history of", "no personal or family history of").
_CHAIN_WORDS = frozenset(
    {"a", "an", "any", "the", "with", "of", "for", "known", "personal", "or", "and", "his", "her"}
)
_PIECE_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One lexicon entry: a literal phrase and what it does to the words around it."""

    literal: str
    category: Category
    direction: Direction
    max_scope: int | None = None  # in words; None: the category's default


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


@dataclass(frozen=True, slots=True)
class _Compiled:
    norms: tuple[str, ...]
    words: list[str]  # the same, as a list, compared against slices of the sentence
    size: int
    rule: ContextRule


@dataclass(slots=True)
class _Match:
    begin: int  # first word, or for punctuation the number of words before it
    end: int  # one past the last word (== begin for punctuation)
    start: int  # character offsets in the document
    stop: int
    rule: ContextRule


class ContextRules:
    """A validated ConText lexicon, indexed for one-pass matching."""

    def __init__(self, rules: Iterable[ContextRule], *, source: str = "<rules>") -> None:
        self.rules: tuple[ContextRule, ...] = tuple(rules)
        self.source = source
        by_first: dict[str, list[_Compiled]] = {}
        punctuation: list[ContextRule] = []
        seen: dict[tuple[str, ...], tuple[int, ContextRule]] = {}
        for number, rule in enumerate(self.rules, start=1):
            norms = tuple(t.norm for t in tokenize(rule.literal))
            if not norms:
                punctuation.append(rule)
                continue
            earlier = seen.get(norms)
            if earlier is not None:
                first, other = earlier
                if (other.category, other.direction, other.max_scope) != (
                    rule.category,
                    rule.direction,
                    rule.max_scope,
                ):
                    raise SourceFormatError(
                        source,
                        f"rule {number} ({rule.literal!r}) reads the same as rule {first} "
                        f"({other.literal!r}) but says something else",
                        hint="keep one of the two, or make it BIDIRECTIONAL",
                    )
                continue
            seen[norms] = (number, rule)
            by_first.setdefault(norms[0], []).append(
                _Compiled(norms, list(norms), len(norms), rule)
            )
        for candidates in by_first.values():
            candidates.sort(key=lambda c: -len(c.norms))
        self._by_first = by_first
        self._punctuation = tuple(punctuation)
        # Only modifiers matter to the pre-test: without one, every mention is affirmed.
        pretest = _pretest(
            c.norms for group in by_first.values() for c in group if c.rule.category in MODIFIERS
        )
        if pretest is not None:
            runs, slashed = pretest
            marks = {r.literal.lower() for r in punctuation if r.category in MODIFIERS}
            pretest = (runs, tuple(sorted(marks | set(slashed))))
        self._pretest = pretest

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"ContextRules({len(self.rules)} rules from {self.source})"

    @classmethod
    def default(cls) -> ContextRules:
        """The lexicon shipped with medcoder, loaded once per process."""
        return _default_rules()

    @classmethod
    def from_json(cls, path: str | Path) -> ContextRules:
        """Rules from a JSON file: a list of {literal, category, direction, max_scope}."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SourceFormatError(path, f"cannot read the rules: {exc}") from exc
        return cls.from_data(data, source=str(path))

    @classmethod
    def from_data(cls, data: object, *, source: str = "<rules>") -> ContextRules:
        """Rules from parsed JSON; anything unexpected is refused with its rule number."""
        if not isinstance(data, list):
            raise SourceFormatError(source, "expected a JSON list of rules")
        rules = [_parse_rule(item, number, source) for number, item in enumerate(data, 1)]
        return cls(rules, source=source)

    def _find(
        self, tokens: Sequence[Token], norms: Sequence[str], text: str, offset: int
    ) -> list[_Match]:
        """Triggers in one sentence, in order: ``tokens`` of ``text`` (which starts at
        ``offset`` in the document) and their norms; leftmost, then longest, wins."""
        by_first = self._by_first
        found: list[_Match] = []
        resume = 0
        for i in [i for i, word in enumerate(norms) if word in by_first]:
            if i < resume:
                continue  # inside the previous match
            for compiled in by_first[norms[i]]:
                k = compiled.size
                if k == 1 or norms[i : i + k] == compiled.words:
                    found.append(
                        _Match(i, i + k, tokens[i].start, tokens[i + k - 1].end, compiled.rule)
                    )
                    resume = i + k
                    break
        extra: list[_Match] = []
        starts: list[int] | None = None
        for rule in self._punctuation:
            at = text.find(rule.literal)
            while at >= 0:
                where = offset + at
                if starts is None:
                    starts = [t.start for t in tokens]
                gap = bisect_left(starts, where)
                extra.append(_Match(gap, gap, where, where + len(rule.literal), rule))
                at = text.find(rule.literal, at + len(rule.literal))
        if extra:
            found.extend(extra)
            found.sort(key=lambda m: (m.begin, m.end))
        return found

    def _may_match(self, text: str) -> bool:
        """False only when no modifying rule can match ``text`` (tested before tokenizing)."""
        if self._pretest is None or not text.isascii():
            return True
        runs, marks = self._pretest
        lowered = text.lower()
        for mark in marks:  # "s/p", "?": few, and rare in text
            if mark in lowered:
                return True
        return not runs.isdisjoint(_PIECE_RE.findall(lowered))


def _parse_rule(item: object, number: int, source: str) -> ContextRule:
    if not isinstance(item, dict):
        raise SourceFormatError(source, f"rule {number}: expected an object, got {item!r}")
    unknown = sorted(set(item) - _RULE_KEYS)
    if unknown:
        raise SourceFormatError(
            source,
            f"rule {number}: unknown key(s) {', '.join(map(repr, unknown))}",
            hint=f"a rule has only {', '.join(sorted(_RULE_KEYS))}",
        )
    missing = [key for key in _REQUIRED_KEYS if key not in item]
    if missing:
        raise SourceFormatError(source, f"rule {number}: missing {', '.join(missing)}")
    literal = item["literal"]
    if not isinstance(literal, str) or not literal.strip():
        raise SourceFormatError(source, f"rule {number}: literal must be a non-empty string")
    try:
        category = Category(item["category"])
    except ValueError as exc:
        raise SourceFormatError(
            source,
            f"rule {number} ({literal!r}): unknown category {item['category']!r}",
            hint=f"use one of {', '.join(Category)}",
        ) from exc
    try:
        direction = Direction(item["direction"])
    except ValueError as exc:
        raise SourceFormatError(
            source,
            f"rule {number} ({literal!r}): unknown direction {item['direction']!r}",
            hint=f"use one of {', '.join(Direction)}",
        ) from exc
    if category in MODIFIERS:
        if direction not in (Direction.FORWARD, Direction.BACKWARD, Direction.BIDIRECTIONAL):
            raise SourceFormatError(
                source,
                f"rule {number} ({literal!r}): a {category} rule needs direction FORWARD, "
                f"BACKWARD or BIDIRECTIONAL, not {direction}",
            )
    elif direction != category.value:
        raise SourceFormatError(
            source, f"rule {number} ({literal!r}): a {category} rule has direction {category}"
        )
    max_scope = item.get("max_scope")
    if max_scope is not None and (
        isinstance(max_scope, bool) or not isinstance(max_scope, int) or max_scope < 1
    ):
        raise SourceFormatError(
            source, f"rule {number} ({literal!r}): max_scope must be a positive integer or null"
        )
    return ContextRule(literal.strip(), category, direction, max_scope)


def _pretest(rules: Iterable[tuple[str, ...]]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """What a sentence must contain for any of these literals (as word norms) to match.

    Each literal needs all of its words, so one word per literal is enough to test for:
    the longest, which skips "in", "a", "is" ("in the past" is keyed on "past").
    ``norm_word`` lowers case, drops a final 's and makes a crude singular (s, ies -> y),
    so a word whose norm is ``w`` is written ``w``, ``ws`` or ``w[:-1]ies``, with or
    without 's; a word that starts with a letter starts a run of letters and digits in the
    text, and that run is the leading run of one of those forms. Words with a slash
    ("s/p") are looked for as written. Returns (runs, slash words), or None when the
    test would not be sound (a word that starts with a digit or is not ASCII).
    """
    runs: set[str] = set()
    slashed: set[str] = set()
    for norms in rules:
        word = max(norms, key=len)
        if not word[:1].isalpha() or not word.isascii():
            return None
        if "/" in word:
            slashed.add(word)
            continue
        forms = [word, word + "s"]
        if word.endswith("y"):
            forms.append(word[:-1] + "ies")
        for form in forms:
            run = _PIECE_RE.match(form)
            if run is None:
                return None
            runs.add(run.group(0))
    return frozenset(runs), tuple(sorted(slashed))


@cache
def _default_rules() -> ContextRules:
    resource = resources.files("medcoder.nlp") / "data" / "context_rules.json"
    return ContextRules.from_data(
        json.loads(resource.read_text(encoding="utf-8")), source=str(resource)
    )


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


def _scopes(
    tokens: Sequence[Token],
    norms: Sequence[str],
    matches: list[_Match],
    sentence_text: str,
    offset: int,
    section: str | None,
) -> list[tuple[_Match, list[tuple[int, int]]]]:
    """Each modifying trigger with its scope(s), as half-open word ranges.

    ``matches`` are in sentence order. Gap ``g`` is the text between word ``g - 1`` and
    word ``g`` (``g`` = 0 .. number of words).
    """
    n = len(tokens)
    comma = [False] * (n + 1)
    at = sentence_text.find(",")
    if at >= 0:
        starts = [t.start for t in tokens]
        while at >= 0:
            comma[bisect_left(starts, offset + at)] = True
            at = sentence_text.find(",", at + 1)
    in_trigger = [False] * n
    for m in matches:
        if m.rule.category is not Category.PSEUDO:
            for i in range(m.begin, m.end):
                in_trigger[i] = True
    blockers = [m for m in matches if m.rule.category is not Category.PSEUDO]

    def gap(g: int) -> str:
        left = tokens[g - 1].end - offset if g > 0 else 0
        right = tokens[g].start - offset if g < n else len(sentence_text)
        return sentence_text[left:right]

    def chained(a: _Match, b: _Match) -> bool:
        """``b`` follows ``a`` with only function words (or other triggers) between."""
        if b.end == b.begin or b.rule.category is Category.TERMINATE or comma[a.end]:
            return False
        return all(
            (in_trigger[i] or norms[i] in _CHAIN_WORDS) and not comma[i + 1]
            for i in range(a.end, b.begin)
        )

    out: list[tuple[_Match, list[tuple[int, int]]]] = []
    for index, m in enumerate(blockers):
        rule = m.rule
        category = rule.category
        if category not in MODIFIERS:
            continue
        ranges: list[tuple[int, int]] = []
        look_back = rule.direction is not Direction.FORWARD
        if rule.direction is not Direction.BACKWARD:
            if (
                rule.direction is Direction.FORWARD
                and m.begin > 0
                and ":" in gap(m.begin)
                and (m.end >= n or any(c in gap(m.end) for c in ",;."))
            ):
                look_back = True  # a template answer: "Fever: no."
            else:
                # Every later trigger ends the scope, unless it is stacked on this one.
                # A later trigger of the same category takes over ("no masses, no edema"):
                # the flags are the same and the trace names the nearest trigger.
                stop = n
                for b in blockers[index + 1 :]:
                    if b.begin >= m.end and not chained(m, b):
                        stop = b.begin
                        break
                budget: int | None = rule.max_scope or DEFAULT_FORWARD_SCOPE[category]
                if section == SECTION_REVIEW_OF_SYSTEMS and category is Category.NEGATED_EXISTENCE:
                    budget = None  # review-of-systems lines are lists to the end
                end = _walk_forward(m.end, stop, budget, norms, comma, in_trigger)
                if end > m.end:
                    ranges.append((m.end, end))
        if look_back:
            limit = 0
            for b in reversed(blockers[:index]):
                if b.end <= m.begin:
                    limit = b.end
                    break
            budget_back = rule.max_scope or DEFAULT_BACKWARD_SCOPE
            begin = _walk_back(m.begin, limit, budget_back, norms, comma, in_trigger)
            if begin < m.begin:
                ranges.append((begin, m.begin))
        if ranges:
            out.append((m, ranges))
    return out


def _walk_forward(
    begin: int,
    stop: int,
    budget: int | None,
    norms: Sequence[str],
    comma: list[bool],
    in_trigger: list[bool],
) -> int:
    """One past the last word a forward scope starting at ``begin`` covers."""
    if budget is None:
        return stop
    left = budget
    j = begin
    while j < stop and left > 0:
        if not in_trigger[j]:
            left -= 1
        j += 1
        if j < stop and (comma[j] or norms[j] in _COORDINATORS):
            left = budget  # the next list item
    return j


def _walk_back(
    begin: int,
    limit: int,
    budget: int,
    norms: Sequence[str],
    comma: list[bool],
    in_trigger: list[bool],
) -> int:
    """The first word a backward scope ending before ``begin`` covers."""
    left = budget
    coordinated = False
    j = begin
    while j > limit and left > 0:
        if j < begin and comma[j]:
            if not coordinated:
                break  # "chest pain, ACS versus GERD": not a list
            left = budget
        j -= 1
        if norms[j] in _COORDINATORS:
            coordinated = True
        if not in_trigger[j]:
            left -= 1
    return j
