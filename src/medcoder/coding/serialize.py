"""Plain-JSON form of a coding result (CLI, batch files, and the REST API later)."""

from __future__ import annotations

from typing import Any

from medcoder.coding.model import CodeAssignment, CodingResult, DroppedCandidate, Evidence


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"start": e.start, "end": e.end, "text": e.text, "section": e.section}


def assignment_json(a: CodeAssignment) -> dict[str, Any]:
    return {
        "code": a.code,
        "system": a.system,
        "title": a.title,
        "release": a.release,
        "sequence": a.sequence,
        "confidence": a.confidence,
        "evidence": [evidence_json(e) for e in a.evidence],
        "index_path": a.index_path,
        "tabular_checks": list(a.tabular_checks),
        "rules": [{"rule": r.rule, "guideline": r.guideline, "detail": r.detail} for r in a.rules],
    }


def dropped_json(d: DroppedCandidate) -> dict[str, Any]:
    return {
        "code": d.code,
        "text": d.text,
        "reason": d.reason,
        "rule": d.rule.rule,
        "guideline": d.rule.guideline,
        "evidence": evidence_json(d.evidence) if d.evidence else None,
    }


def result_json(result: CodingResult) -> dict[str, Any]:
    return {
        "id": result.document_id,
        "release": result.release,
        "setting": result.setting,
        "date_of_service": result.date_of_service,
        "codes": [assignment_json(a) for a in result.codes],
        "dropped": [dropped_json(d) for d in result.dropped],
        "notices": list(result.notices),
    }
