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


def segments(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Segment]:
    """Cut ``text`` at every span boundary; each piece lists the spans over it, in order."""
    ordered = sorted(set(spans))
    cuts = sorted({0, len(text), *(s for s, _, _ in ordered), *(e for _, e, _ in ordered)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        marks = tuple(dict.fromkeys(k for s, e, k in ordered if s <= start and end <= e))
        pieces.append(Segment(text[start:end], marks))
    return pieces
