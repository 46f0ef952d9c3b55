"""Plain-JSON forms of code-set results, shared by the CLI and (later) the REST API."""

from __future__ import annotations

from typing import Any

from medcoder.codesets.diff import ReleaseDiff
from medcoder.codesets.index_walk import IndexResult, IndexStep
from medcoder.codesets.model import NoteKind, ReleaseInfo
from medcoder.codesets.store import CodeEntry, Release
from medcoder.codesets.tables import TableResult
from medcoder.codesets.validate import Validation


def entry_brief(entry: CodeEntry) -> dict[str, Any]:
    return {"code": entry.code, "title": entry.title, "kind": str(entry.kind),
            "billable": entry.billable}  # fmt: skip


def code_detail(release: Release, code: str) -> dict[str, Any]:
    """Everything a coder checks in the Tabular for one code."""
    entry = release.lookup(code)
    notes = release.notes(entry.code)
    seven = release.seven_character(entry.code)
    return {
        "code": entry.code,
        "title": entry.title,
        "kind": str(entry.kind),
        "billable": entry.billable,
        "release": release.name,
        "ancestors": [entry_brief(a) for a in release.ancestors(entry.code)],
        "children": [entry_brief(c) for c in release.children(entry.code)],
        "notes": {
            str(kind): [{"text": n.text, "inherited_from": n.inherited_from} for n in notes[kind]]
            for kind in NoteKind
        },
        "seven_character": None
        if seven is None
        else {
            "defined_at": seven.defined_at,
            "note": seven.note,
            "values": [{"character": c, "meaning": m} for c, m in seven.values],
        },
    }


def validation(result: Validation) -> dict[str, Any]:
    return {
        "code": result.code,
        "status": str(result.status),
        "valid": result.valid,
        "reason": result.reason,
        "title": result.title,
        "release": result.release,
        "suggestions": list(result.suggestions),
    }


def _step(step: IndexStep) -> dict[str, Any]:
    return {
        "level": step.level,
        "title": step.title,
        "nonessential": list(step.nonessential),
        "code": step.code,
        "verified_code": step.resolved,
        "verification": step.resolution,
        "see": step.see,
        "see_also": step.see_also,
    }


def index_result(result: IndexResult) -> dict[str, Any]:
    coded = result.coded_step
    return {
        "query": result.query,
        "book": result.book,
        "release": result.release,
        "found": result.found,
        "code": result.code,
        "printed_code": coded.code if coded else None,
        "verification": coded.resolution if coded else None,
        "manifestation": result.manifestation,
        "path": [_step(s) for s in result.steps],
        "followed": list(result.followed),
        "unmatched": list(result.unmatched),
        "suggestions": list(result.suggestions),
    }


def table_result(result: TableResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "table": result.table,
        "column": result.column,
        "release": result.release,
        "code": result.code,
        "printed_code": result.printed,
        "verification": result.resolution,
        "path": [_step(s) for s in result.steps],
        "row": result.row,
        "see": result.see,
        "unmatched": list(result.unmatched),
    }


def release_info(info: ReleaseInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "system": info.system,
        "fiscal_year": info.fiscal_year,
        "effective_from": info.effective_from.isoformat(),
        "effective_to": info.effective_to.isoformat(),
        "index_fiscal_year": info.index_fiscal_year,
        "embedded": info.embedded,
        "loader_version": info.loader_version,
        "built_at": info.built_at,
        "notes": list(info.notes),
        "stats": dict(info.stats),
        "sources": [
            {"role": s.role, "path": s.path, "sha256": s.sha256, "fiscal_year": s.fiscal_year}
            for s in info.sources
        ],
    }


def release_diff(diff: ReleaseDiff) -> dict[str, Any]:
    return {
        "old": diff.old,
        "new": diff.new,
        "added": [{"code": c.code, "title": c.title, "billable": c.billable} for c in diff.added],
        "deleted": [
            {"code": c.code, "title": c.title, "billable": c.billable} for c in diff.deleted
        ],
        "revised": [
            {"code": c.code, "old_title": c.old_title, "title": c.title} for c in diff.revised
        ],
        "notes_changed": [
            {"code": n.code, "kind": n.kind, "added": list(n.added), "removed": list(n.removed)}
            for n in diff.notes_changed
        ],
    }
