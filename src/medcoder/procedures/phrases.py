"""Phrase lists matched as whole words, all lists in one pass over a note.

Python's ``re`` tries a pattern at every position of the note, so scanning a 2.7 KB note
once per phrase list (about 40 lists) cost over a millisecond. All phrases of all lists
go into one prefix tree compiled as a single regex (``dis(?:cuss(?:ed)?|...)``) inside a
lookahead, so one scan finds the longest phrase that starts at each word, overlapping
ones included; a hit is then filed under every list that holds that phrase.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Hit:
    """One phrase found: offsets into the note and the text as lower-cased."""

    start: int
    end: int
    text: str


def _trie_pattern(words: Sequence[str]) -> str:
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + build(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy: the longer phrase is tried first, the shorter one when it fails.
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True, slots=True)
class PhraseBook:
    """Every phrase list, compiled into one pattern."""

    lists: Mapping[str, tuple[str, ...]]  # list name -> phrases (lower case)
    names: Mapping[str, tuple[str, ...]]  # phrase -> the lists that hold it
    pattern: re.Pattern[str]

    @classmethod
    def build(cls, lists: Mapping[str, Sequence[str]]) -> PhraseBook:
        names: dict[str, list[str]] = {}
        for name, phrases in lists.items():
            for phrase in phrases:
                if phrase.strip():
                    names.setdefault(phrase.strip().lower(), []).append(name)
        body = _trie_pattern(sorted(names)) or "(?!x)x"
        # "20mg" holds the word "mg": digits may come before a phrase, letters may not.
        pattern = re.compile(rf"(?<![a-z])(?=({body})(?![a-z0-9]))")
        return cls(
            lists={name: tuple(p.lower() for p in phrases) for name, phrases in lists.items()},
            names={phrase: tuple(n) for phrase, n in names.items()},
            pattern=pattern,
        )

    def index(self, lowered: str, spans: Sequence[tuple[int, int]] | None = None) -> PhraseIndex:
        """Find every list's phrases in ``lowered`` (the note, lower-cased), in the
        ``spans`` given (in order, not overlapping) or in the whole text."""
        hits: dict[str, list[Hit]] = {}
        names = self.names
        for low, high in spans if spans is not None else ((0, len(lowered)),):
            for m in self.pattern.finditer(lowered, low, high):
                phrase = m.group(1)
                start = m.start()
                if start + len(phrase) > high:
                    continue
                hit = Hit(start, start + len(phrase), phrase)
                for name in names[phrase]:
                    hits.setdefault(name, []).append(hit)
        return PhraseIndex(hits)


class PhraseIndex:
    """The phrases found in one note, list by list, in order."""

    __slots__ = ("_hits", "_starts")

    def __init__(self, hits: dict[str, list[Hit]]) -> None:
        self._hits = hits
        self._starts = {name: [h.start for h in found] for name, found in hits.items()}

    def finditer(self, name: str, start: int = 0, end: int | None = None) -> Iterator[Hit]:
        """The hits of list ``name`` that lie inside ``[start, end)``."""
        found = self._hits.get(name)
        if not found:
            return
        i = bisect_left(self._starts[name], start)
        while i < len(found) and (end is None or found[i].start < end):
            if end is None or found[i].end <= end:
                yield found[i]
            i += 1

    def search(self, name: str, start: int = 0, end: int | None = None) -> Hit | None:
        """The first hit of list ``name`` inside ``[start, end)``, if any."""
        found = self._hits.get(name)
        if not found:
            return None
        for i in range(bisect_left(self._starts[name], start), len(found)):
            hit = found[i]
            if end is not None and hit.start >= end:
                return None
            if end is None or hit.end <= end:
                return hit
        return None
