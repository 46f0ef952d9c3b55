"""The ConText rule lexicon: categories, directions, rules, and finding triggers in a sentence.

Step 1 of the algorithm described in :mod:`medcoder.nlp.assertion`: the lexicon
(``nlp/data/context_rules.json``) is validated and indexed by :class:`ContextRules`, which
finds the triggers of one sentence in one left-to-right pass (longest literal first,
keyed by the first word) and pre-tests a sentence's raw text so that one with no
modifying rule's key word is never tokenized. Split out of ``assertion.py`` so that the
lexicon and its matching read apart from the scopes (``context_scope``) and the
detector (``assertion``), which import from here; every public name here is also
importable from :mod:`medcoder.nlp.assertion`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from medcoder.errors import SourceFormatError
from medcoder.nlp.text import Token, tokenize

__all__ = [
    "MODIFIERS",
    "Category",
    "ContextRule",
    "ContextRules",
    "Direction",
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

_RULE_KEYS = frozenset({"literal", "category", "direction", "max_scope"})
_REQUIRED_KEYS = ("literal", "category", "direction")
_PIECE_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ContextRule:
    """One lexicon entry: a literal phrase and what it does to the words around it."""

    literal: str
    category: Category
    direction: Direction
    max_scope: int | None = None  # in words; None: the category's default


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


_K = TypeVar("_K", bound=StrEnum)


def _member(kind: type[_K], item: dict[str, Any], key: str, where: str, source: str) -> _K:
    """``item[key]`` as a member of ``kind``; an unknown value named with ``where``."""
    try:
        return kind(item[key])
    except ValueError as exc:
        raise SourceFormatError(
            source,
            f"{where}: unknown {key} {item[key]!r}",
            hint=f"use one of {', '.join(kind)}",
        ) from exc


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
    where = f"rule {number} ({literal!r})"
    category = _member(Category, item, "category", where, source)
    direction = _member(Direction, item, "direction", where, source)
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
