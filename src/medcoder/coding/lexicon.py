"""The vocabulary a note is matched against, built from one release.

Phrases come from three places, each pointing back to where a coder would look:
- the Alphabetic Index, written in natural order ("Failure, heart, congestive" is
  found as "congestive heart failure"; "Stone, kidney" as "kidney stone");
- Tabular titles and inclusion terms, without "unspecified" / "NOS";
- the curated clinical vocabulary kept as data in this repository (abbreviations and
  everyday phrasing: HTN, T2DM, afib, "heart attack"), each mapped to an index path.
Matching looks words up in a phrase dictionary with a prefix set that ends each scan
early. We tried pyahocorasick first: matching was as fast, but building its automaton
for ~250k phrases took 1.3 s on every start, against a fraction of that to load this
dictionary from its marshal cache, and the coding engine's cold-start budget is 2 s.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import marshal
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import product
from pathlib import Path

from medcoder.codesets.index_walk import CONNECTORS, IndexNavigator
from medcoder.codesets.store import Release
from medcoder.codesets.text import norm_term
from medcoder.errors import SourceFormatError
from medcoder.nlp.text import STOPWORDS, Token, content_words, tokenize

LEXICON_VERSION = 20
_PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_UNSPECIFIED_RE = re.compile(
    r",?\s*(unspecified|not otherwise specified|nos|not elsewhere classified|nec)\s*$", re.I
)


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


@functools.lru_cache(maxsize=200_000)
def _words_cached(text: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(text) if t.norm not in STOPWORDS and t.norm.isalnum())


def words(text: str) -> list[str]:
    """Normalized words of a phrase, stopwords dropped (the note gets the same treatment)."""
    return list(_words_cached(text))


def _is_variant(head: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """``diabetic`` varies ``diabetes`` (same stem); ``physical`` does not vary ``violence``."""
    return bool(head and part) and len(part) == 1 and part[0][:3] == head[-1][:3]


# Qualifiers that only restate the default ("Fracture, traumatic" is the entry for a
# fracture not otherwise described), so the head alone names the term too.
DEFAULT_QUALIFIERS = frozenset(
    {"traumatic", "nontraumatic", "acute", "chronic", "primary", "simple", "nos", "nec",
     "generalized", "general", "unspecified", "nonspecific"}
)  # fmt: skip


@functools.lru_cache(maxsize=100_000)
def _forms(title: str, nonessential: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Ways a term is written in a note.

    The index uses commas two ways: for variants of one word ("Diabetes, diabetic",
    "Calculus, calculi") and for an inverted qualifier ("Violence, physical",
    "Castration, traumatic, male"). A variant stands alone; a qualifier is said before
    or after the head ("physical violence"), never alone. " or " joins alternatives.
    """
    out: set[tuple[str, ...]] = set()
    parts = [_alternatives(p) for p in _PAREN_RE.sub(" ", title).split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return frozenset(out)
    heads = list(parts[0])
    qualifier_parts = []
    for part in parts[1:]:
        if all(_is_variant(parts[0][0], alt) for alt in part):
            heads.extend(part)
        else:
            qualifier_parts.append(part)
    qualifier_options: list[tuple[str, ...]] = [
        tuple(w for alt in combo for w in alt) for combo in product(*qualifier_parts)
    ][:4]
    for h in heads:
        bases: list[tuple[str, ...]] = []
        for qualifiers in qualifier_options:
            if not qualifiers:
                bases.append(h)
                continue
            bases += [qualifiers + h, h + qualifiers]
            if set(qualifiers) <= DEFAULT_QUALIFIERS:
                bases.append(h)
        for base in bases:
            out.add(base)
            for modifier in nonessential[:3]:
                extra = tuple(words(modifier))
                if extra and len(extra) <= 2:
                    out.add(base + extra)
                    out.add(extra + base)
    return frozenset(out)


def _shortest_forms(title: str, nonessential: tuple[str, ...], keep: int) -> list[tuple[str, ...]]:
    """The ``keep`` shortest forms of a term, fewest words then fewest letters: the plain
    noun of "Ulcer, ulcerated, ulcerating, ..." first. The order is total, so the
    lexicon is the same in every process (a frozenset's order changes with the hash seed).
    """
    return sorted(_forms(title, nonessential), key=lambda f: (len(f), len("".join(f)), f))[:keep]


def _alternatives(part: str) -> list[tuple[str, ...]]:
    """``atrial or auricular`` -> both words; ``Heberden's disease or nodes`` -> the
    eponym with either noun (a lone word after "or" replaces the last word)."""
    pieces = [tuple(words(p)) for p in part.split(" or ")]
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        return pieces
    first = pieces[0]
    out = [first]
    for piece in pieces[1:]:
        out.append(first[:-1] + piece if len(piece) == 1 and len(first) > 1 else piece)
    return out


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


# -- building ---------------------------------------------------------------------------
def _index_phrases(
    release: Release, phrases: dict[str, list[LexEntry]], book: str = "index"
) -> None:
    """Natural-order phrases for main terms and their first two subterm levels."""
    rows = release.index_rows(book)
    by_id = {r[0]: r for r in rows}
    skipped_main = {m.lower() for m in not_indexed_main_terms()}
    for term_id, parent_id, level, title, nonessential, see in rows:
        if level > 2 or (see and "condition" in see.lower()):
            continue  # "Acute - see condition": a modifier, not a term of its own
        chain = [(title, nonessential)]
        parent = parent_id
        while parent is not None:
            p = by_id[parent]
            chain.insert(0, (p[3], p[4]))  # (title, nonessential)
            parent = p[1]
        if chain[0][0].lower() in skipped_main:
            continue
        # Connectors ("with", "due to") link two conditions: the phrase is not one term.
        if any(
            t.lower() in CONNECTORS or t.lower().startswith(("see ", "by ")) for t, _ in chain[1:]
        ):
            continue
        # Bounded: at most 4 written forms per level keeps the vocabulary to a few
        # hundred thousand phrases.
        form_sets = [_shortest_forms(t, n, 4) for t, n in chain[-1:]]
        form_sets = [_shortest_forms(t, (), 2) for t, _ in chain[:-1]] + form_sets
        label = ", ".join(t for t, _ in chain)
        entry = LexEntry("index", label, term_id=term_id)
        for combo in product(*form_sets):
            main, subs = combo[0], list(combo[1:])
            orders: list[tuple[str, ...]] = []
            if not subs:
                orders.append(main)
            elif len(subs) == 1:
                orders += [subs[0] + main, main + subs[0]]
            else:
                orders += [subs[1] + subs[0] + main, subs[0] + subs[1] + main]
            for words_ in orders:
                if 0 < len(words_) <= 8:
                    phrases.setdefault(" ".join(words_), []).append(entry)


def _tabular_phrases(release: Release, phrases: dict[str, list[LexEntry]]) -> None:
    # Billable codes only: a header's title ("Type 2 diabetes mellitus", E11) names a
    # category the index resolves better ("Diabetes, type 2" -> E11.9).
    for code, title, source in release.title_rows(billable_only=True):
        text = _UNSPECIFIED_RE.sub("", _PAREN_RE.sub(" ", title)).strip(" ,")
        # "Other and unspecified syphilis", "Presence of unspecified ... implant": the
        # title is a residual category, not words a clinician writes.
        if re.search(r"\b(unspecified|other|NOS|NEC)\b", text, re.I):
            continue
        found = words(text)
        if 0 < len(found) <= 8:
            phrases.setdefault(" ".join(found), []).append(LexEntry(source, title, code=code))


@functools.lru_cache(maxsize=1)
def _vocabulary_data() -> dict[str, object]:
    """vocabulary.json, read once: it ships inside the package and does not change."""
    resource = resources.files("medcoder.coding") / "data" / "vocabulary.json"
    data: dict[str, object] = json.loads(resource.read_text(encoding="utf-8"))
    return data


@functools.lru_cache(maxsize=1)
def _vocabulary_digest() -> str:
    """A short digest of vocabulary.json, naming the lexicon cache built from it."""
    resource = resources.files("medcoder.coding") / "data" / "vocabulary.json"
    return hashlib.sha256(resource.read_bytes()).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def not_alone_words() -> frozenset[str]:
    """Words that are not a condition when written alone (vocabulary.json "not_alone")."""
    section = _vocabulary_data().get("not_alone", {})
    listed = section.get("words", []) if isinstance(section, dict) else []
    return frozenset(" ".join(words(w)) for w in listed)


@functools.lru_cache(maxsize=1)
def _context_synonyms() -> dict[str, str]:
    section = _vocabulary_data().get("context_synonyms", {})
    table = section.get("words", {}) if isinstance(section, dict) else {}
    return {" ".join(words(k)): " ".join(words(v)) for k, v in dict(table).items()}


@functools.lru_cache(maxsize=1)
def _synonym_words() -> frozenset[str]:
    return frozenset(_context_synonyms())


def expand_context(context: frozenset[str]) -> frozenset[str]:
    """Add the index's word for what a note says another way ("flare" -> exacerbation)."""
    synonyms = _context_synonyms()
    extra = {word for w in context & _synonym_words() for word in synonyms[w].split()}
    if "bilateral" in context or "bilateral" in extra:
        extra.discard("unilateral")  # "right and left knees": both sides
    return context | extra if extra else context


def not_indexed_main_terms() -> list[str]:
    """Index main terms for encounters and services, kept out of the lexicon."""
    section = _vocabulary_data().get("not_indexed", {})
    listed = section.get("main_terms", []) if isinstance(section, dict) else []
    return [str(m) for m in listed]


def curated_vocabulary() -> list[dict[str, str]]:
    """The curated clinical vocabulary shipped with medcoder (coding/data/vocabulary.json)."""
    resource = resources.files("medcoder.coding") / "data" / "vocabulary.json"
    entries = _vocabulary_data()["entries"]
    assert isinstance(entries, list)
    for number, item in enumerate(entries, start=1):
        unknown = set(item) - {"pattern", "index", "code", "note"}
        if unknown or "pattern" not in item or ("index" in item) == ("code" in item):
            raise SourceFormatError(
                str(resource),
                f"entry {number}: needs a pattern and one of index / code; unknown keys {unknown}",
            )
    return list(entries)


def _curated_phrases(release: Release, phrases: dict[str, list[LexEntry]]) -> None:
    navigator = IndexNavigator.for_release(release)
    section = _vocabulary_data().get("ambiguous_abbreviations", {})
    listed = section.get("words", []) if isinstance(section, dict) else []
    ambiguous = {" ".join(words(str(w))) for w in listed}
    for item in curated_vocabulary():
        found = words(item["pattern"])
        if "code" in item:
            entry_code = release.get(item["code"])
            if entry_code is not None and found:
                phrases.setdefault(" ".join(found), []).insert(
                    0,
                    LexEntry(
                        "curated", f"{item['pattern']} -> {entry_code.code}", code=entry_code.code
                    ),
                )
            continue
        result = navigator.walk(item["index"])
        if not result.steps or result.unmatched:
            continue  # a path this release's index does not have
        # An abbreviation that is also a word once lower-cased is matched only where the
        # note writes it in capitals (DOE, MI), never as the word ("does", "Ms.").
        kind = "abbreviation" if " ".join(found) in ambiguous else "curated"
        entry = LexEntry(kind, f"{item['pattern']} -> {result.path}", result.steps[-1].term_id)
        if found:
            phrases.setdefault(" ".join(found), []).insert(0, entry)


def build_lexicon(release: Release) -> Lexicon:
    phrases: dict[str, list[LexEntry]] = {}
    if "index" in release.books():
        _index_phrases(release, phrases)
    _tabular_phrases(release, phrases)
    for word in not_alone_words():
        phrases.pop(word, None)
    for phrase in [p for p in phrases if " " not in p and len(p) <= 2]:
        del phrases[phrase]  # "h", "ms": single letters and pairs are abbreviations at best
    if "index" in release.books():
        _status_phrases(release, phrases)
        _encounter_phrases(release, phrases)
        _curated_phrases(release, phrases)
    return Lexicon(release.name, phrases)


def encounter_main_terms() -> list[str]:
    """Encounter-reason main terms read where the provider states the reason for the
    visit (vocabulary.json "not_indexed" "stated_reasons")."""
    section = _vocabulary_data().get("not_indexed", {})
    listed = section.get("stated_reasons", []) if isinstance(section, dict) else []
    return [str(m) for m in listed]


def _encounter_phrases(release: Release, phrases: dict[str, list[LexEntry]]) -> None:
    """ "Aftercare following knee replacement": an encounter-reason main term kept out of
    the Index phrases, matched by its own word and refined with the words of its clause;
    the diagnosis stage takes it only from the chief complaint or the assessment, where
    the provider states the reason for the encounter (I.C.21.c.7)."""
    for name in encounter_main_terms():
        for term in release.main_terms("index", norm_term(name)):
            phrase = " ".join(words(term.title))
            if phrase:
                phrases.setdefault(phrase, []).append(
                    LexEntry("encounter", term.title, term_id=term.id)
                )


def _status_phrases(release: Release, phrases: dict[str, list[LexEntry]]) -> None:
    """ "s/p cataract extraction": the subterms of the index's "Status (post)" entry,
    matched alone but used only for mentions written as past (I.C.21.c.3 status codes)."""
    for term_id, parent_id, level, title, nonessential, _see in release.index_rows():
        if level != 1 or parent_id is None:
            continue
        parent = release.term(parent_id)
        if parent is None or parent.title.lower() != "status":
            continue
        for form in _forms(title, nonessential):
            phrase = " ".join(form)
            if phrase and phrase not in not_alone_words() and len(form) <= 4:
                phrases.setdefault(phrase, []).append(
                    LexEntry("status", f"Status, {title}", term_id=term_id)
                )


def build_external_cause_lexicon(release: Release) -> Lexicon:
    """Phrases of the Index to External Causes, and the curated ways notes say them."""
    phrases: dict[str, list[LexEntry]] = {}
    if "eindex" not in release.books():
        return Lexicon(release.name, phrases)
    _index_phrases(release, phrases, "eindex")
    for word in not_alone_words():
        phrases.pop(word, None)  # "heat" applied to a sprain is treatment, not a cause
    # "Activity, golf": a note says "playing golf"; the activity alone names the entry.
    for term_id, _parent, level, title, nonessential, _see in release.index_rows("eindex"):
        if level == 1 and _activity_parent(release, term_id):
            for form in _forms(title, nonessential):
                if form and " ".join(form) not in not_alone_words():
                    entry = LexEntry("eindex", f"Activity, {title}", term_id=term_id)
                    phrases.setdefault(" ".join(form), []).append(entry)
                    for verb in _activity_verbs(form):  # "golf" -> "golfing"
                        phrases.setdefault(verb, []).append(entry)
    navigator = IndexNavigator.for_release(release)
    section = _vocabulary_data().get("external_cause", {})
    entries = section.get("entries", []) if isinstance(section, dict) else []
    for item in entries:
        result = navigator.walk(str(item["index"]), "eindex")
        found = words(str(item["pattern"]))
        if result.steps and not result.unmatched and found:
            phrases.setdefault(" ".join(found), []).insert(
                0, LexEntry("eindex", f"{item['pattern']} -> {result.path}",
                            term_id=result.steps[-1].term_id)
            )  # fmt: skip
    return Lexicon(release.name, phrases)


def _activity_verbs(form: tuple[str, ...] | list[str]) -> list[str]:
    """A one-word sport names its activity as a verb in notes: golf -> golfing, jog ->
    jogging (consonant doubled), bike -> biking."""
    if len(form) != 1 or len(form[0]) < 3 or form[0].endswith("ing") or not form[0].isalpha():
        return []
    word = form[0]
    stem = word[:-1] if word.endswith("e") else word
    verbs = [stem + "ing"]
    if word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        verbs.append(word + word[-1] + "ing")
    return verbs


def _activity_parent(release: Release, term_id: int) -> bool:
    term = release.term(term_id)
    parent = release.term(term.parent_id) if term and term.parent_id else None
    return parent is not None and parent.title.lower().startswith("activity")


def external_cause_lexicon_for(release: Release, cache_dir: Path | None = None) -> Lexicon:
    """The release's Index to External Causes lexicon: from memory, else from the on-disk
    cache, else built."""
    return _cached_lexicon(release, cache_dir, "eindex_lexicon", build_external_cause_lexicon)


def lexicon_for(release: Release, cache_dir: Path | None = None) -> Lexicon:
    """The release's lexicon: from memory, else from the on-disk cache, else built."""
    return _cached_lexicon(release, cache_dir, "lexicon", build_lexicon)


def _cached_lexicon(
    release: Release, cache_dir: Path | None, kind: str, build: Callable[[Release], Lexicon]
) -> Lexicon:
    cached = release.memo.get(kind)
    if isinstance(cached, Lexicon):
        return cached
    suffix = "lexicon" if kind == "lexicon" else kind.replace("_", "-")
    # The curated vocabulary is part of the key: an edited vocabulary.json rebuilds the
    # cache instead of serving the phrases of the old one.
    name = f"{release.name}.{suffix}-v{LEXICON_VERSION}-{_vocabulary_digest()}.pickle"
    path = cache_dir / name if cache_dir else None
    lexicon = Lexicon.load(path, release.name) if path is not None and path.exists() else None
    if lexicon is None:
        lexicon = build(release)
        if path is not None:
            with contextlib.suppress(OSError):  # a read-only home: rebuild next time
                lexicon.save(path)
    release.memo[kind] = lexicon
    return lexicon
