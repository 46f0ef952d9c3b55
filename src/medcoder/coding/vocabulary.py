"""The curated clinical vocabulary (coding/data/vocabulary.json), read once.

Its sections, each read by its own function here: the curated entries (abbreviations
and everyday phrasing mapped to an index path or a code), the words never a condition
alone, context synonyms, the main terms kept out of the lexicon and the encounter
reasons; plus the digest naming the lexicon cache built from it. Kept apart from the
lexicon builders because the diagnosis stage and rules.py read it too.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources

from medcoder.coding.phrase_forms import words
from medcoder.errors import SourceFormatError


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
def written_as_is() -> frozenset[str]:
    """Curated patterns matched only where the note writes that very form (vocabulary.json
    "written_as_is"): the verb "smokes" is a smoker, the noun "smoke" it normalizes to is
    not ("wood smoke", "smoke inhalation")."""
    section = _vocabulary_data().get("written_as_is", {})
    listed = section.get("patterns", []) if isinstance(section, dict) else []
    return frozenset(str(w).lower() for w in listed)


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


def encounter_main_terms() -> list[str]:
    """Encounter-reason main terms read where the provider states the reason for the
    visit (vocabulary.json "not_indexed" "stated_reasons")."""
    section = _vocabulary_data().get("not_indexed", {})
    listed = section.get("stated_reasons", []) if isinstance(section, dict) else []
    return [str(m) for m in listed]
