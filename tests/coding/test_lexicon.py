"""The vocabulary built from the release: index phrases in natural order, Tabular titles,
the curated vocabulary, and the words that are never a condition alone."""

from __future__ import annotations

import pytest

from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.store import Release
from medcoder.coding.lexicon import (
    Lexicon,
    _forms,
    curated_vocabulary,
    lexicon_for,
    not_alone_words,
)
from medcoder.nlp.text import tokenize


def test_comma_variants_stand_alone_but_qualifiers_do_not() -> None:
    assert _forms("Diabetes, diabetic", ()) == {("diabete",), ("diabetic",)}
    assert ("physical",) not in _forms("Violence, physical", ())
    assert ("physical", "violence") in _forms("Violence, physical", ())


def test_a_default_qualifier_leaves_the_head_alone() -> None:
    assert ("fracture",) in _forms("Fracture, traumatic", ())


def test_or_alternatives_share_the_eponym() -> None:
    forms = _forms("Heberden's disease or nodes", ())
    assert ("heberden", "node") in forms
    assert ("node",) not in forms
    assert _forms("atrial or auricular", ()) == {("atrial",), ("auricular",)}


def test_nonessential_modifiers_may_be_said() -> None:
    assert ("diabete", "mellitu") in _forms("Diabetes, diabetic", ("mellitus",)) or (
        ("diabete", "mellitus") in _forms("Diabetes, diabetic", ("mellitus",))
    )


@pytest.fixture(scope="module")
def lexicon(release_2026: Release) -> Lexicon:
    return lexicon_for(release_2026)


def _labels(lexicon: Lexicon, text: str) -> list[tuple[str, list[str]]]:
    tokens = tokenize(text)
    return [
        (" ".join(t.text for t in tokens[m.first : m.last + 1]), [e.label for e in m.entries])
        for m in lexicon.match(tokens)
    ]


def test_index_phrases_match_in_natural_order(lexicon: Lexicon) -> None:
    found = dict(_labels(lexicon, "Congestive heart failure and kidney stones."))
    assert any(
        "Failure" in label and "congestive" in label for label in found["Congestive heart failure"]
    )
    assert any("kidney" in label.lower() for label in found["kidney stones"])


def test_longest_match_wins(lexicon: Lexicon) -> None:
    spans = [span for span, _ in _labels(lexicon, "chronic kidney disease stage 3a")]
    assert spans[0].startswith("chronic kidney disease")


def test_generic_words_alone_are_not_conditions(lexicon: Lexicon) -> None:
    assert _labels(lexicon, "Patient Education and Counseling. Old records. Follow up.") == []
    assert "counseling" in not_alone_words()


def test_curated_abbreviations_resolve_in_the_index(release_2026: Release) -> None:
    navigator = IndexNavigator.for_release(release_2026)
    unresolved = [
        item["pattern"]
        for item in curated_vocabulary()
        if ("index" in item and ((r := navigator.walk(item["index"])).unmatched or not r.steps))
        or ("code" in item and release_2026.get(item["code"]) is None)
    ]
    assert unresolved == []


def test_lexicon_cache_round_trip(release_2026: Release, tmp_path) -> None:  # type: ignore[no-untyped-def]
    built = lexicon_for(release_2026)
    path = tmp_path / "lex.bin"
    built.save(path)
    loaded = Lexicon.load(path, release_2026.name)
    assert loaded is not None and loaded.size == built.size
    tokens = tokenize("type 2 diabetes with hypertension")
    assert [m.entries for m in loaded.match(tokens)] == [m.entries for m in built.match(tokens)]
    assert Lexicon.load(path, "another-release") is None
    path.write_bytes(b"garbage")
    assert Lexicon.load(path, release_2026.name) is None


def test_lexicon_cache_is_named_by_the_vocabulary(release_2026: Release, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An edited vocabulary.json builds a new cache file instead of reading the old one."""
    from medcoder.coding.lexicon import _cached_lexicon, _vocabulary_digest

    built = lexicon_for(release_2026)
    release_2026.memo.pop("lexicon", None)
    try:
        _cached_lexicon(release_2026, tmp_path, "lexicon", lambda _release: built)
    finally:
        release_2026.memo["lexicon"] = built
    (cached,) = tmp_path.iterdir()
    assert _vocabulary_digest() in cached.name


def test_encounter_reasons_are_matched_only_as_stated(lexicon: Lexicon) -> None:
    """'Aftercare' is in the lexicon as an encounter entry, read by the diagnosis stage only
    in the chief complaint and the assessment (I.C.21.c.7)."""
    kinds = {e.kind for m in lexicon.match(tokenize("aftercare")) for e in m.entries}
    assert kinds == {"encounter"}
