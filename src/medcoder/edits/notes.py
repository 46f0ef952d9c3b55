"""Which codes an instructional note names: ``(E11.3-)``, ``(N18.1-N18.6)``, ``(I96)``,
and the Tabular's qualified ranges ``(E08-E13 with .42)`` or ``(B27.0-B27.9 with fifth
character 1)``. Read once per note text (cached): the edits ask for every pair of codes.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medcoder.codesets.store import Release

_GROUP_RE = re.compile(r"\(([^()]*)\)")
_REF_RE = re.compile(
    r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)"
    r"(?:\.?(-)(?![A-Z][0-9])|-([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?))?"
)
_WITH_SUFFIX_RE = re.compile(r"\bwith \.([0-9A-Z]+)")
_WITH_FIFTH_RE = re.compile(r"\bwith (?:fifth|5th) character ([0-9A-Z])", re.I)


@dataclass(frozen=True, slots=True)
class CodeRef:
    """One code, header (dash) or range named by a note, with its qualifier if any."""

    first: str  # compact (no dot)
    last: str | None = None  # end of a range, compact
    dash: bool = False  # "E11.3-": every code below
    suffix: str | None = None  # "with .42": characters 4.. of the code
    fifth: str | None = None  # "with fifth character 1"

    def matches(self, code: str) -> bool:
        flat = code.replace(".", "").upper()
        if self.last is not None:
            hit = self.first <= flat[: len(self.first)] and flat[: len(self.last)] <= self.last
        elif self.dash or self.suffix is not None or self.fifth is not None:
            hit = flat.startswith(self.first)
        else:
            hit = flat == self.first
        if hit and self.suffix is not None:
            hit = flat[3:].startswith(self.suffix)
        if hit and self.fifth is not None:
            hit = len(flat) >= 5 and flat[4] == self.fifth
        return hit


@functools.lru_cache(maxsize=65_536)
def note_refs(text: str) -> tuple[CodeRef, ...]:
    """The code references of one note (the parenthesised codes; else any code in it)."""
    groups = _GROUP_RE.findall(text) or [text]
    refs: list[CodeRef] = []
    for group in groups:
        suffix = _WITH_SUFFIX_RE.search(group)
        fifth = _WITH_FIFTH_RE.search(group)
        for first, dash, last in _REF_RE.findall(group):
            refs.append(
                CodeRef(
                    first=first.replace(".", ""),
                    last=last.replace(".", "") if last else None,
                    dash=bool(dash),
                    suffix=suffix.group(1) if suffix else None,
                    fifth=fifth.group(1) if fifth else None,
                )
            )
    return tuple(refs)


class CodeIndex:
    """The codes of one claim, indexed so that the codes a note names are found without
    testing every code: exact codes by a dict, headers by their prefixes, ranges by
    bisection of the sorted codes. Keeps a pairwise edit linear in the codes plus the
    pairs it finds (it was quadratic: every note tested against every code)."""

    def __init__(self, codes: Sequence[str]) -> None:
        self._flat = [c.replace(".", "").upper() for c in codes]
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        for position, flat in enumerate(self._flat):
            self._exact.setdefault(flat, []).append(position)
            for end in range(1, len(flat) + 1):
                self._prefix.setdefault(flat[:end], []).append(position)
        self._sorted = sorted(range(len(self._flat)), key=self._flat.__getitem__)
        self._keys = [self._flat[p] for p in self._sorted]

    def named_by(self, text: str) -> set[int]:
        """Positions of the codes the note names (as :func:`names_code` decides)."""
        found: set[int] = set()
        for ref in note_refs(text):
            if ref.last is not None:
                # flat[:len(first)] >= first  <=>  flat >= first; and
                # flat[:len(last)] <= last    <=>  flat < last followed by any character.
                low = bisect.bisect_left(self._keys, ref.first)
                high = bisect.bisect_left(self._keys, ref.last + "\U0010ffff")
                candidates: Iterable[int] = self._sorted[low:high]
            elif ref.dash or ref.suffix is not None or ref.fifth is not None:
                candidates = self._prefix.get(ref.first, ())
            else:
                candidates = self._exact.get(ref.first, ())
            found.update(p for p in candidates if ref.matches(self._flat[p]))
        return found


def names_code(text: str, code: str) -> bool:
    """Does the note name ``code`` (exactly, under a header, or within a range)?"""
    return any(ref.matches(code) for ref in note_refs(text))


def note_groups(texts: list[str]) -> list[tuple[str, list[str]]]:
    """Notes as the Tabular prints them: a lead-in ending with ':' then its items.

    ``["code to identify control using:", "insulin (Z79.4)", ...]`` ->
    ``[("code to identify control using:", ["insulin (Z79.4)", ...])]``; a note on its own
    (no colon before it) is a group of one.
    """
    groups: list[tuple[str, list[str]]] = []
    for text in texts:
        if text.rstrip().endswith(":"):
            groups.append((text, []))
        elif groups and groups[-1][0].rstrip().endswith(":"):
            groups[-1][1].append(text)
        else:
            groups.append((text, [text]))
    return groups


# The instructional notes the edits read (all inherited down the Tabular, I.A.12-13).
EDIT_NOTE_KINDS = ("excludes1", "code_first", "use_additional_code")


class ReleaseNotes:
    """The edits' notes for every code of a release, read in one pass (about 0.2 s) and
    then served from memory with their inheritance: checking thousands of claims asks
    for the notes of every code on them."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self._own: dict[str, dict[str, tuple[str, ...]]] = {}
        for code, kinds in release.all_own_notes().items():
            wanted = {str(k): tuple(v) for k, v in kinds.items() if str(k) in EDIT_NOTE_KINDS}
            if wanted:
                self._own[code] = wanted
        self._cache: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}

    def get(self, code: str, kind: str) -> tuple[tuple[str, str | None], ...]:
        """(text, inherited_from) for ``kind`` at the code, then at its ancestors (nearest
        first); inherited_from is None for a note written at the code itself."""
        key = (code, kind)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        entry = self.release.get(code)
        out: list[tuple[str, str | None]] = []
        if entry is not None:
            own_key = entry.parent if entry.expansion and entry.parent else entry.code
            out += [(t, None) for t in self._own.get(own_key, {}).get(kind, ())]
            for ancestor in reversed(self.release.ancestors(own_key)):
                out += [(t, ancestor.code) for t in self._own.get(ancestor.code, {}).get(kind, ())]
        result = tuple(out)
        if len(self._cache) < 300_000:
            self._cache[key] = result
        return result


def release_notes(release: Release) -> ReleaseNotes:
    """The ReleaseNotes of a release, built once and kept in its memo."""
    notes = release.memo.get("edits.notes")
    if not isinstance(notes, ReleaseNotes):
        notes = ReleaseNotes(release)
        release.memo["edits.notes"] = notes
    return notes
