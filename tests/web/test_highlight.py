"""The note cut at evidence spans: nothing lost, every span marked where it quotes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from medcoder.web.highlight import Segment, segments, spans_for


def test_overlapping_spans_mark_their_shared_words() -> None:
    text = "Type 2 diabetes with CKD."
    spans = [(0, 15, "c:E11.22"), (7, 15, "c:E11.9"), (21, 24, "c:N18.9")]
    assert segments(text, spans) == [
        Segment("Type 2 ", ("c:E11.22",)),
        Segment("diabetes", ("c:E11.22", "c:E11.9")),
        Segment(" with ", ()),
        Segment("CKD", ("c:N18.9",)),
        Segment(".", ()),
    ]


def test_a_span_that_no_longer_quotes_the_note_is_left_out() -> None:
    text = "Asthma, mild."
    evidence = [
        {"start": 0, "end": 6, "text": "Asthma"},
        {"start": 0, "end": 6, "text": "Eczema"},
        {"start": 5, "end": 99, "text": "x"},
        {"start": "0", "end": 6, "text": "Asthma"},
    ]
    assert spans_for("c:J45.909", evidence, text) == [(0, 6, "c:J45.909")]


@given(
    st.text(max_size=60),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from("abc")), max_size=6),
)
def test_segments_give_back_the_whole_note(text: str, raw: list[tuple[int, int, str]]) -> None:
    spans = [(min(s, e), max(s, e), k) for s, e, k in raw if min(s, e) < max(s, e) <= len(text)]
    pieces = segments(text, spans)
    assert "".join(p.text for p in pieces) == text
    position = 0
    for piece in pieces:
        end = position + len(piece.text)
        covering = {k for s, e, k in spans if s <= position and end <= e}
        assert set(piece.marks) == covering
        position = end
