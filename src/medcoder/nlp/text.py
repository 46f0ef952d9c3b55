"""Sentences and word tokens with character offsets, and the word normalization that
matching uses on both sides (the note and the code-set vocabulary)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

# Words, numbers, and the slash abbreviations clinicians write (s/p, h/o, r/o, w/o).
_WORD_RE = re.compile(r"[A-Za-z]/[A-Za-z](?![A-Za-z])|[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[/+]")
_LIST_NUMBER_RE = re.compile(r"(?:^|\n|[.!?:]\s)\s*\d{1,2}[.)]$")
# Sentence ends: ". " / "? " / "! " before an upper-case letter or a digit, ";" never,
# a blank line, a bullet at the start of a line, or a line that ends a heading.
_SENTENCE_BREAK_RE = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z0-9\"'(•\-*])"
    r"|\n\s*\n"
    r"|\n(?=\s*(?:[•*\-–]|\d+[.)])\s)"
    r"|(?<=:)\s*\n"
    r"|\n(?=[A-Z][A-Za-z /&]{2,40}:)"
)
# Words matching skips on both sides: "stone of the kidney" is matched as "stone kidney".
STOPWORDS = frozenset({"of", "the", "a", "an", "and", "or"})
_ABBREVIATIONS = ("dr.", "mr.", "mrs.", "ms.", "vs.", "e.g.", "i.e.", "approx.", "no.", "st.")
_AFTER_ABBREVIATION = tuple(" " + a for a in _ABBREVIATIONS)


class Token(NamedTuple):
    """A word of the note: as written, its offsets in the note, and its normalized form.

    A NamedTuple, not a frozen dataclass: a note has thousands of tokens and a tuple is
    built several times faster (immutable all the same)."""

    text: str
    start: int
    end: int
    norm: str  # normalized form used for matching


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def fold(text: str) -> str:
    """Lower case, accents removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


@functools.lru_cache(maxsize=65_536)
def norm_word(word: str) -> str:
    """Lower case, accent-free, crude singular: ``Stones`` -> ``stone``, ``kidneys`` -> ``kidney``.

    The same function runs on the vocabulary and on the note, so a form that is not a
    true singular (``diabetes`` -> ``diabete``) still matches itself.
    """
    w = fold(word).replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")):
        return w[:-1]
    return w


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The words of ``text`` with their offsets in the note (``offset`` = where it starts)."""
    return list(tokens_between(text, 0, len(text), offset))


_new_token = tuple.__new__  # Token(...) runs a Python-level __new__; this is the same tuple


def tokens_between(text: str, start: int, end: int, shift: int = 0) -> tuple[Token, ...]:
    """The words of ``text[start:end]``, read in place (no copy of the slice), with their
    offsets in ``text`` plus ``shift``. The same words as ``tokenize(text[start:end],
    start + shift)``: a pattern stops at ``end`` as it would at the end of the slice."""
    norm, new = norm_word, _new_token
    if shift:
        return tuple(
            [
                new(Token, (m[0], m.start() + shift, m.end() + shift, norm(m[0])))
                for m in _WORD_RE.finditer(text, start, end)
            ]
        )
    return tuple(
        [
            new(Token, (m[0], m.start(), m.end(), norm(m[0])))
            for m in _WORD_RE.finditer(text, start, end)
        ]
    )


def content_words(tokens: Sequence[Token]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The words lexicon matching reads (stopwords and punctuation dropped): their
    positions among ``tokens`` and their normalized forms."""
    kept: list[int] = []
    parts: list[str] = []
    for i, (_, _, _, norm) in enumerate(tokens):
        if norm not in STOPWORDS and norm.isalnum():
            kept.append(i)
            parts.append(norm)
    return tuple(kept), tuple(parts)


def content_between(text: str, start: int, end: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """``content_words(tokens_between(text, start, end))`` without building the tokens:
    most sentences match nothing, and then only their normalized words are read."""
    kept: list[int] = []
    parts: list[str] = []
    for i, norm in enumerate(map(norm_word, _WORD_RE.findall(text, start, end))):
        if norm not in STOPWORDS and norm.isalnum():
            kept.append(i)
            parts.append(norm)
    return tuple(kept), tuple(parts)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    chunk = text[start:stop]
    sentences: list[Sentence] = []
    cursor = 0
    for match in _SENTENCE_BREAK_RE.finditer(chunk):
        at = match.start()
        # An abbreviation ("Dr.") and a list number ("2." / "2)") both end in "." or ")":
        # a break after any other character needs neither check.
        if at and chunk[at - 1] in ".)":
            before = " " + chunk[max(0, at - 8) : at].lower()
            if before.endswith(_AFTER_ABBREVIATION) or _LIST_NUMBER_RE.search(
                chunk[max(0, at - 10) : at]
            ):
                continue
        _append(sentences, text, start + cursor, start + at)
        cursor = match.end()
    _append(sentences, text, start + cursor, stop)
    return sentences


def _append(sentences: list[Sentence], text: str, begin: int, end: int) -> None:
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    if end > begin:
        sentences.append(Sentence(begin, end, text[begin:end]))
