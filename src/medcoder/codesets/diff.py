"""What changed between two releases: added, deleted and retitled codes, changed notes.

Coders keep up with the October and April updates; a diff lists every code added or
deleted (7th-character expansions included, as they are reportable codes), every
title revision, and every code whose own instructional notes changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.codesets.store import Release


@dataclass(frozen=True, slots=True)
class CodeChange:
    code: str
    title: str
    old_title: str | None = None
    billable: bool | None = None


@dataclass(frozen=True, slots=True)
class NotesChange:
    code: str
    kind: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    old: str
    new: str
    added: tuple[CodeChange, ...]
    deleted: tuple[CodeChange, ...]
    revised: tuple[CodeChange, ...]
    notes_changed: tuple[NotesChange, ...]


def _norm_title(title: str) -> str:
    return " ".join(title.split())


def diff_releases(old: Release, new: Release) -> ReleaseDiff:
    old_codes = {e.code: e for e in old.iter_codes()}
    new_codes = {e.code: e for e in new.iter_codes()}
    added = tuple(
        CodeChange(c, e.title, billable=e.billable)
        for c, e in new_codes.items()
        if c not in old_codes
    )
    deleted = tuple(
        CodeChange(c, e.title, billable=e.billable)
        for c, e in old_codes.items()
        if c not in new_codes
    )
    revised = tuple(
        CodeChange(c, e.title, old_codes[c].title, e.billable)
        for c, e in new_codes.items()
        if c in old_codes and _norm_title(e.title) != _norm_title(old_codes[c].title)
    )
    notes: list[NotesChange] = []
    old_notes, new_notes = old.all_own_notes(), new.all_own_notes()
    for code, entry in new_codes.items():
        if code not in old_codes or entry.expansion:
            continue
        before, after = old_notes.get(code, {}), new_notes.get(code, {})
        for kind in sorted(set(before) | set(after)):
            was, now = before.get(kind, []), after.get(kind, [])
            if was != now:
                notes.append(
                    NotesChange(
                        code,
                        str(kind),
                        tuple(t for t in now if t not in was),
                        tuple(t for t in was if t not in now),
                    )
                )
    return ReleaseDiff(old.name, new.name, added, deleted, revised, tuple(notes))
