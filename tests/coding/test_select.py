"""Index refinement with the note's words, and completion in the Tabular."""

from __future__ import annotations

import pytest

from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.store import Release
from medcoder.coding.select import CodeSelector
from medcoder.nlp.text import tokenize


def _words(text: str) -> frozenset[str]:
    return frozenset(t.norm for t in tokenize(text))


@pytest.fixture(scope="module")
def selector(release_2026: Release) -> CodeSelector:
    return CodeSelector(release_2026)


def _term(release: Release, path: str) -> int:
    result = IndexNavigator.for_release(release).walk(path)
    assert result.found and not result.unmatched, path
    return result.steps[-1].term_id


def test_refine_follows_subterms_the_note_supports(
    selector: CodeSelector, release_2026: Release
) -> None:
    choice = selector.refine(_term(release_2026, "Diabetes"), _words("type 2 diabetes"))
    assert choice.code == "E11.9"
    linked = selector.refine(
        _term(release_2026, "Diabetes"), _words("type 2 diabetes with chronic kidney disease")
    )
    assert linked.code == "E11.22"  # through the "with" subterm (I.A.15)


def test_complete_adds_the_seventh_character(selector: CodeSelector) -> None:
    codes, checks = selector.complete("S39.012", _words("lumbar strain"))
    assert codes == ["S39.012A"]
    assert any("initial encounter" in c for c in checks)
    codes, _ = selector.complete("S39.012", _words("strain, subsequent visit, healing"))
    assert codes == ["S39.012D"]


def test_complete_chooses_the_side_from_the_note(selector: CodeSelector) -> None:
    assert selector.complete("M17.1-", _words("right knee"))[0] == ["M17.11"]
    assert selector.complete("M17.1-", _words("knee"))[0] == ["M17.10"]


def test_both_sides_without_a_bilateral_code_gives_two_codes(selector: CodeSelector) -> None:
    codes, checks = selector.complete("M77.0-", _words("medial epicondylitis both elbows"))
    assert codes == ["M77.01", "M77.02"]
    assert any("bilateral" in c for c in checks)


def test_an_index_code_the_tabular_lacks_is_not_completed(selector: CodeSelector) -> None:
    assert selector.complete("Q99.99", frozenset())[0] == []
