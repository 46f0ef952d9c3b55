"""What changed between two ICD-10-PCS releases: codes added, deleted and retitled, and
tables added or removed (CMS revises the Tables every October 1)."""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.codesets.pcs.store import PcsRelease


@dataclass(frozen=True, slots=True)
class PcsDiff:
    old: str
    new: str
    added: tuple[tuple[str, str], ...]  # (code, title)
    deleted: tuple[tuple[str, str], ...]
    retitled: tuple[tuple[str, str, str], ...]  # (code, old title, new title)
    tables_added: tuple[str, ...]
    tables_deleted: tuple[str, ...]


def diff_pcs(old: PcsRelease, new: PcsRelease) -> PcsDiff:
    """Compare two releases; titles composed on either side are not counted as revised."""
    before, after = old.titles(), new.titles()
    retitled = tuple(
        (code, before[code][0], after[code][0])
        for code in sorted(before.keys() & after.keys())
        if before[code][0] != after[code][0] and not (before[code][1] or after[code][1])
    )
    return PcsDiff(
        old=old.name,
        new=new.name,
        added=tuple((c, after[c][0]) for c in sorted(after.keys() - before.keys())),
        deleted=tuple((c, before[c][0]) for c in sorted(before.keys() - after.keys())),
        retitled=retitled,
        tables_added=tuple(sorted(new.tables.keys() - old.tables.keys())),
        tables_deleted=tuple(sorted(old.tables.keys() - new.tables.keys())),
    )
