"""The vocabulary a note is matched against, built from one release, and its cache.

Phrases come from three places, each pointing back to where a coder would look:
- the Alphabetic Index, written in natural order ("Failure, heart, congestive" is
  found as "congestive heart failure"; "Stone, kidney" as "kidney stone");
- Tabular titles and inclusion terms, without "unspecified" / "NOS";
- the curated clinical vocabulary kept as data in this repository (abbreviations and
  everyday phrasing: HTN, T2DM, afib, "heart attack"), each mapped to an index path.

This module builds the lexicon from a release and caches it on disk; what it builds
with lives beside it: phrase_forms.py (how a term is written), lexicon_table.py (the
packed phrase table, its matching and its on-disk form) and vocabulary.py (readers of
vocabulary.json). Their names are re-exported here, where callers have always
imported them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from itertools import product
from pathlib import Path

from medcoder.codesets.index_walk import CONNECTORS, IndexNavigator
from medcoder.codesets.store import Release
from medcoder.codesets.text import norm_term
from medcoder.coding.lexicon_table import LEXICON_VERSION as LEXICON_VERSION
from medcoder.coding.lexicon_table import LexEntry as LexEntry
from medcoder.coding.lexicon_table import Lexicon as Lexicon
from medcoder.coding.lexicon_table import LexMatch as LexMatch
from medcoder.coding.phrase_forms import _PAREN_RE, _shortest_forms
from medcoder.coding.phrase_forms import _UNSPECIFIED_RE as _UNSPECIFIED_RE
from medcoder.coding.phrase_forms import DEFAULT_QUALIFIERS as DEFAULT_QUALIFIERS
from medcoder.coding.phrase_forms import _forms as _forms
from medcoder.coding.phrase_forms import words as words
from medcoder.coding.vocabulary import _vocabulary_data as _vocabulary_data
from medcoder.coding.vocabulary import _vocabulary_digest as _vocabulary_digest
from medcoder.coding.vocabulary import curated_vocabulary as curated_vocabulary
from medcoder.coding.vocabulary import encounter_main_terms as encounter_main_terms
from medcoder.coding.vocabulary import expand_context as expand_context
from medcoder.coding.vocabulary import not_alone_words as not_alone_words
from medcoder.coding.vocabulary import not_indexed_main_terms as not_indexed_main_terms


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
        for form in sorted(_forms(title, nonessential)):  # one order in every process
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
            for form in sorted(_forms(title, nonessential)):  # one order in every process
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
