"""The lexicon's phrase table: phrase -> entries, matched over a note's words.

:class:`Lexicon` holds the phrases packed (flat arrays and strings) the way they are
cached on disk, with its marshal save/load; :class:`LexEntry` and :class:`LexMatch` are
what a match returns. Building the table from a release is lexicon.py's work; this
module knows nothing of releases, so matching and persistence read on their own.

Matching looks words up in a phrase dictionary with a prefix set that ends each scan
early. We tried pyahocorasick first: matching was as fast, but building its automaton
for ~250k phrases took 1.3 s on every start, against a fraction of that to load this
dictionary from its marshal cache, and the coding engine's cold-start budget is 2 s.
"""

from __future__ import annotations

import marshal
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medcoder.nlp.text import Token, content_words

LEXICON_VERSION = 21


@dataclass(frozen=True, slots=True)
class LexEntry:
    kind: str  # index | tabular | curated
    label: str  # index path, Tabular title, or curated pattern
    term_id: int | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class LexMatch:
    first: int  # token index, inclusive
    last: int  # token index, inclusive
    entries: tuple[LexEntry, ...]


# A phrase's key in the lexicon's one table: 2 * (phrase number + 1) when the key is a
# phrase (0 when it is not), plus 1 when a longer phrase starts with it, so one look-up
# per word both finds a phrase and says whether to read on.
_IS_PREFIX = 1
_SEPARATOR = "\x1f"  # between packed strings: never in a phrase, title or code


class Lexicon:
    """Phrase -> entries, matched over a note's normalized words.

    Kept packed (flat arrays and strings) the way it is cached on disk, so a process
    loads it in a fraction of the time ~250,000 tuples and entries would take; an entry
    becomes a :class:`LexEntry` when a note first matches it.
    """

    def __init__(self, release_name: str, phrases: dict[str, list[LexEntry]]) -> None:
        numbers: dict[LexEntry, int] = {}
        ids = array("l")
        offsets = array("l", [0])
        for found in phrases.values():
            ids.extend(numbers.setdefault(e, len(numbers)) for e in found)
            offsets.append(len(ids))
        entries = list(numbers)
        if any(_SEPARATOR in (e.label + e.kind + (e.code or "")) for e in entries):
            raise ValueError("a lexicon label holds the packing separator")
        # Every proper prefix of a phrase, so a scan stops as soon as no phrase can follow.
        prefixes: set[str] = set()
        for phrase in phrases:
            cut = phrase.rfind(" ")
            while cut > 0:
                head = phrase[:cut]
                if head in prefixes:
                    break
                prefixes.add(head)
                cut = phrase.rfind(" ", 0, cut)
        keys = list(phrases)
        values = array("l", (2 * n + 2 + (k in prefixes) for n, k in enumerate(keys)))
        only_prefixes = sorted(prefixes.difference(phrases))
        keys += only_prefixes
        values.extend([_IS_PREFIX] * len(only_prefixes))
        term_ids = array("l", (-1 if e.term_id is None else e.term_id for e in entries))
        self._init(
            release_name,
            len(phrases),
            "\n".join(keys),
            values,
            ids,
            offsets,
            (
                _SEPARATOR.join(e.kind for e in entries),
                _SEPARATOR.join(e.label for e in entries),
                term_ids,
                _SEPARATOR.join(e.code or "" for e in entries),
            ),
        )

    def _init(
        self,
        release_name: str,
        size: int,
        keys: str,
        values: array[int],
        ids: array[int],
        offsets: array[int],
        entries: tuple[str, str, array[int], str],
    ) -> None:
        self.release_name = release_name
        self.size = size  # phrases
        self._packed = (keys, values, ids, offsets, entries)
        self._keys: dict[str, int] = dict(zip(keys.split("\n"), values, strict=True))
        self._ids = ids
        self._offsets = offsets
        kinds, labels, term_ids, codes = entries
        self._kinds = kinds.split(_SEPARATOR)
        self._labels = labels.split(_SEPARATOR)
        self._term_ids = term_ids
        self._codes = codes.split(_SEPARATOR)
        # Entries made on first match; equal whichever thread makes one first.
        self._entries: dict[int, LexEntry] = {}
        self._phrase_entries: dict[int, tuple[LexEntry, ...]] = {}  # phrase -> its entries

    def phrases(self) -> list[str]:
        """Every phrase of the lexicon (not the prefixes kept for scanning)."""
        return [k for k, v in self._keys.items() if v >= 2]

    def _entry(self, number: int) -> LexEntry:
        entry = self._entries.get(number)
        if entry is None:
            term_id = self._term_ids[number]
            code = self._codes[number]
            entry = LexEntry(
                self._kinds[number],
                self._labels[number],
                None if term_id < 0 else term_id,
                code or None,
            )
            self._entries[number] = entry
        return entry

    def _phrase(self, phrase: int) -> tuple[LexEntry, ...]:
        ids, offsets = self._ids, self._offsets
        return tuple([self._entry(i) for i in ids[offsets[phrase] : offsets[phrase + 1]]])

    def match(self, tokens: Sequence[Token]) -> list[LexMatch]:
        """Longest non-overlapping matches over the tokens (stopwords skipped)."""
        return self.match_words(*content_words(tokens))

    def match_words(self, kept: Sequence[int], parts: Sequence[str]) -> list[LexMatch]:
        """:meth:`match` over a sentence's content words (``ParsedNote.content``): their
        positions among the tokens and their normalized forms."""
        get = self._keys.get
        found: list[tuple[int, int, int]] = []
        n = len(parts)
        for k, key in enumerate(parts):
            value = get(key)
            if value is None:
                continue  # most words start nothing: one look-up
            if value >= 2:
                found.append((0, k, (value >> 1) - 1))
            j = k + 1
            while j < n and value & _IS_PREFIX:
                key = f"{key} {parts[j]}"
                value = get(key)
                if value is None:
                    break
                if value >= 2:
                    found.append((k - j, k, (value >> 1) - 1))
                j += 1
        if not found:
            return []
        # Longest first, then leftmost; a match overlapping one already taken is dropped.
        found.sort(key=lambda f: (f[0], f[1]))
        taken = [False] * n
        out: list[LexMatch] = []
        made = self._phrase_entries
        for negative_span, first_k, phrase in found:
            last_k = first_k - negative_span
            if True in taken[first_k : last_k + 1]:
                continue
            taken[first_k : last_k + 1] = [True] * (last_k - first_k + 1)
            entries = made.get(phrase)
            if entries is None:
                entries = made[phrase] = self._phrase(phrase)
            out.append(LexMatch(kept[first_k], kept[last_k], entries))
        out.sort(key=lambda m: m.first)
        return out

    # -- persistence ------------------------------------------------------------------
    # marshal, not pickle: the cache holds only strings, ints and bytes, loads in a
    # fraction of a second, and cannot execute code when read.
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        keys, values, ids, offsets, (kinds, labels, term_ids, codes) = self._packed
        packed = (
            LEXICON_VERSION, self.release_name, self.size, keys, values.tobytes(),
            ids.tobytes(), offsets.tobytes(), kinds, labels, term_ids.tobytes(), codes,
        )  # fmt: skip
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(marshal.dumps(packed))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, release_name: str) -> Lexicon | None:
        try:
            packed = marshal.loads(path.read_bytes())
            version, name, size, keys, values, ids, offsets, kinds, labels, term_ids, codes = packed
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if version != LEXICON_VERSION or name != release_name:
            return None
        lexicon = cls.__new__(cls)
        try:
            lexicon._init(
                name, size, keys, _longs(values), _longs(ids), _longs(offsets),
                (kinds, labels, _longs(term_ids), codes),
            )  # fmt: skip
        except (ValueError, TypeError, AttributeError):
            return None  # a damaged cache: build again
        return lexicon


def _longs(data: bytes) -> array[int]:
    numbers = array("l")
    numbers.frombytes(data)
    return numbers
