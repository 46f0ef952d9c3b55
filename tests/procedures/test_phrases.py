"""All phrase lists matched in one pass: whole words, longest first, looked up by span."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from medcoder.procedures.phrases import PhraseBook

BOOK = PhraseBook.build(
    {"chronic": ["chronic", "chronic kidney disease", "gout"], "cues": ["mg", "x-ray", "dr."],
     "worse": ["kidney disease worsening"]}
)  # fmt: skip


def test_whole_words_longest_first_and_overlapping_lists() -> None:
    text = "chronic kidney disease worsening; gouty? no: gout. 20mg. x-ray by dr. lee"
    ix = BOOK.index(text)
    assert [h.text for h in ix.finditer("chronic")] == ["chronic kidney disease", "gout"]
    assert [h.text for h in ix.finditer("worse")] == ["kidney disease worsening"]
    assert [h.text for h in ix.finditer("cues")] == ["mg", "x-ray", "dr."]  # "20mg" holds "mg"


def test_search_and_finditer_keep_to_the_span() -> None:
    text = "gout here. gout there."
    ix = BOOK.index(text)
    assert ix.search("chronic", 1) is not None and ix.search("chronic", 1).start == 11  # type: ignore[union-attr]
    assert ix.search("chronic", 0, 3) is None  # the hit does not end inside [0, 3)
    assert ix.search("missing") is None
    assert BOOK.index(text, [(11, len(text))]).search("chronic") is not None
    assert BOOK.index(text, [(0, 9)]).search("chronic", 5) is None


@given(st.text(alphabet="gout chronic kidney disease x-ray.mg20 ", max_size=60))
def test_search_is_the_first_of_finditer(text: str) -> None:
    ix = BOOK.index(text)
    for start in range(0, len(text) + 1, 7):
        for end in (None, start + 10):
            first = next(ix.finditer("chronic", start, end), None)
            assert ix.search("chronic", start, end) == first
            if first is not None:
                assert text[first.start : first.end] == first.text
