"""Sentences, tokens and the word normalization shared by the note and the vocabulary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from medcoder.nlp.text import (
    content_between,
    content_words,
    norm_word,
    split_sentences,
    tokenize,
    tokens_between,
)


def test_sentences_break_at_periods_bullets_blank_lines_and_headings() -> None:
    text = (
        "ASSESSMENT AND PLAN\n\nKidney stones.\n• Medical Reasoning: Pain again. "
        "Dr. Lee agrees.\n\nMigraines.\n1. Continue sumatriptan. 2. Hydrate."
    )
    got = [s.text for s in split_sentences(text)]
    assert got == [
        "ASSESSMENT AND PLAN",
        "Kidney stones.",
        "• Medical Reasoning: Pain again.",
        "Dr. Lee agrees.",
        "Migraines.",
        "1. Continue sumatriptan.",
        "2. Hydrate.",
    ]


def test_a_word_ending_like_an_abbreviation_still_ends_a_sentence() -> None:
    # "problems." ends in "ms." but is not the title "Ms."
    text = "Follow-up of chronic problems.\n\nAcid reflux with nausea."
    assert [s.text for s in split_sentences(text)] == [
        "Follow-up of chronic problems.",
        "Acid reflux with nausea.",
    ]


def test_sentence_offsets_point_into_the_document() -> None:
    text = "HPI: cough.  Fever since Monday."
    for sentence in split_sentences(text, 5):
        assert text[sentence.start : sentence.end] == sentence.text


def test_tokens_keep_offsets_and_slash_abbreviations() -> None:
    tokens = tokenize("s/p CABG, h/o stones")
    assert [t.text for t in tokens] == ["s/p", "CABG", "h/o", "stones"]
    assert [t.norm for t in tokens] == ["s/p", "cabg", "h/o", "stone"]
    assert tokens[1].start == 4 and tokens[1].end == 8


def test_norm_word_is_a_crude_symmetric_singular() -> None:
    assert norm_word("Stones") == "stone"
    assert norm_word("kidneys") == "kidney"
    assert norm_word("arteries") == "artery"
    assert norm_word("abscess") == "abscess"
    assert norm_word("sepsis") == "sepsis"
    assert norm_word("Crohn's") == "crohn"


@given(st.text(max_size=400))
def test_sentences_and_tokens_never_fail_and_stay_in_bounds(text: str) -> None:
    for sentence in split_sentences(text):
        assert 0 <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end] == sentence.text
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


@given(
    st.text(alphabet="ab/’' .,\n1s", max_size=40),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=5),
)
def test_words_read_in_place_are_the_words_of_the_slice(
    text: str, start: int, end: int, shift: int
) -> None:
    # The parsed note tokenizes sentences in place (no slice copied); a word that runs
    # past the end ("a/b" cut after "a/") must be cut exactly as the slice cuts it.
    start, end = min(start, len(text)), min(max(start, end), len(text))
    assert tokens_between(text, start, end, shift) == tuple(
        tokenize(text[start:end], start + shift)
    )


@given(
    st.text(alphabet="ab/’' .,\n1sOfThe", max_size=40),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=40),
)
def test_content_words_read_without_tokens_are_those_of_the_tokens(
    text: str, start: int, end: int
) -> None:
    # A sentence no lexicon matches is never tokenized: its content words are read
    # straight from the text, and must be the ones its tokens would give.
    start, end = min(start, len(text)), min(max(start, end), len(text))
    assert content_between(text, start, end) == content_words(tokens_between(text, start, end))
    assert content_between("the Stones of the kidney", 0, 24) == ((1, 4), ("stone", "kidney"))
