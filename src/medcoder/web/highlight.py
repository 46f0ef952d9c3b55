"""The note cut into segments, each naming the evidence spans that cover it, so the page
can mark every span and link it both ways to its code (overlaps included)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of note text; ``marks`` are the ids (code or dropped candidate) covering it."""

    text: str
    marks: tuple[str, ...]

    @property
    def css(self) -> str:
        """``ev`` over a code's evidence, ``dr`` over a dropped candidate's only; ``multi``
        where several spans overlap."""
        kind = "ev" if any(m.startswith("c:") for m in self.marks) else "dr"
        return f"{kind} multi" if len(self.marks) > 1 else kind


def spans_for(
    key: str, evidence: Iterable[Mapping[str, Any]], text: str
) -> list[tuple[int, int, str]]:
    """(start, end, key) for each evidence span that still quotes ``text`` exactly (a span
    from an older run whose words no longer sit there is left out, not mis-marked)."""
    found = []
    for item in evidence:
        start, end = item.get("start"), item.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        if 0 <= start < end <= len(text) and text[start:end] == item.get("text"):
            found.append((start, end, key))
    return found


def segments(
    text: str, spans: Iterable[tuple[int, int, str]], cuts_at: Iterable[int] = ()
) -> list[Segment]:
    """Cut ``text`` at every span boundary (and at ``cuts_at``); each piece lists the spans
    over it, in order."""
    ordered = sorted(set(spans))
    cuts = sorted(
        {0, len(text), *(s for s, _, _ in ordered), *(e for _, e, _ in ordered)}
        | {c for c in cuts_at if 0 <= c <= len(text)}
    )
    pieces = []
    for start, end in itertools.pairwise(cuts):
        marks = tuple(dict.fromkeys(k for s, e, k in ordered if s <= start and end <= e))
        pieces.append(Segment(text[start:end], marks))
    return pieces


@dataclass(frozen=True, slots=True)
class DocumentPart:
    """One document of a multi-document encounter: its label and its segments."""

    label: str
    segments: tuple[Segment, ...]


def by_document(
    text: str, spans: Iterable[tuple[int, int, str]], bounds: Iterable[tuple[str, int, int]]
) -> list[DocumentPart]:
    """The joined note cut per document (``bounds``: label, start, end in ``text``), so
    that each document is shown under its own label; the joins between them are dropped."""
    bounds = list(bounds)
    pieces = segments(text, spans, {b for _, start, end in bounds for b in (start, end)})
    parts: list[DocumentPart] = []
    at = 0
    placed: list[tuple[int, Segment]] = []
    for piece in pieces:
        placed.append((at, piece))
        at += len(piece.text)
    for label, start, end in bounds:
        inside = tuple(p for offset, p in placed if start <= offset < end)
        parts.append(DocumentPart(label, inside))
    return parts
