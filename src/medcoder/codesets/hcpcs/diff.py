"""What changed between two HCPCS Level II quarter releases: codes and modifiers added,
terminated (a termination date newly set, or the code dropped from the file), and
descriptors changed (long or short)."""

from __future__ import annotations

from dataclasses import dataclass

from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import HcpcsRecord
from medcoder.errors import ReleaseNotFoundError


@dataclass(frozen=True, slots=True)
class HcpcsChange:
    code: str
    change: str  # added | terminated | removed | descriptor
    is_modifier: bool
    title: str
    old_title: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class HcpcsDiff:
    old: str
    new: str
    changes: tuple[HcpcsChange, ...]

    def of(self, change: str) -> tuple[HcpcsChange, ...]:
        return tuple(c for c in self.changes if c.change == change)


def _all(sets: ProcedureCodeSets, name: str) -> dict[str, HcpcsRecord]:
    release = next((r for r in sets.anweb if r.name == name), None)
    if release is None:
        known = ", ".join(r.name for r in sets.anweb) or "none"
        raise ReleaseNotFoundError(
            f"no HCPCS quarter release named {name!r} (installed: {known})",
            hint="run `medcoder hcpcs releases`",
        )
    rows = sets._conn(release).execute("SELECT code FROM codes").fetchall()
    found = {}
    for (code,) in rows:
        record = sets.record(release, code)
        if record is not None:
            found[code] = record
    return found


def diff_hcpcs(sets: ProcedureCodeSets, old: str, new: str) -> HcpcsDiff:
    """Changes from quarter release ``old`` to ``new``, in code order."""
    before, after = _all(sets, old), _all(sets, new)
    changes: list[HcpcsChange] = []
    for code in sorted(set(before) | set(after)):
        a, b = before.get(code), after.get(code)
        if a is None and b is not None:
            changes.append(
                HcpcsChange(
                    code,
                    "added",
                    b.is_modifier,
                    b.long_description,
                    detail=f"added {b.added}" if b.added else "",
                )
            )
            continue
        if b is None and a is not None:
            changes.append(HcpcsChange(code, "removed", a.is_modifier, a.long_description))
            continue
        assert a is not None and b is not None
        if b.terminated and b.terminated != a.terminated:
            changes.append(
                HcpcsChange(
                    code,
                    "terminated",
                    b.is_modifier,
                    b.long_description,
                    detail=f"last day {b.terminated}",
                )
            )
        if (a.long_description, a.short_description) != (b.long_description, b.short_description):
            changes.append(
                HcpcsChange(
                    code,
                    "descriptor",
                    b.is_modifier,
                    b.long_description,
                    old_title=a.long_description,
                    detail=f"short: {a.short_description!r} -> {b.short_description!r}"
                    if a.short_description != b.short_description
                    else "",
                )
            )
    return HcpcsDiff(old, new, tuple(changes))
