"""Plain-JSON form of a coding result (CLI, batch files, and the REST API later)."""

from __future__ import annotations

import json
from typing import Any

from medcoder.results import (
    CodeAssignment,
    CodingResult,
    DroppedCandidate,
    EMLevel,
    Evidence,
    PoaProposal,
    ProcedureAssignment,
    RuleApplied,
)

# Python refuses to read an integer of more digits than this (CVE-2020-10735 guard).
_MAX_INT_DIGITS = 4_300


def _bounded_int(text: str) -> int | float:
    return int(text) if len(text) <= _MAX_INT_DIGITS else float("inf")


def loads_input(text: str | bytes) -> Any:
    """``json.loads`` for input from outside (batch lines, claims): an integer of more
    digits than Python reads becomes infinity, which every whole-number field refuses by
    name, instead of a ValueError for the whole line. Deep nesting still raises
    RecursionError, which the caller reports as its own format error."""
    return json.loads(text, parse_int=_bounded_int)


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"start": e.start, "end": e.end, "text": e.text, "section": e.section}


def poa_json(p: PoaProposal) -> dict[str, Any]:
    return {
        "indicator": p.indicator.value,
        "confidence": p.confidence,
        "reason": p.reason,
        "evidence": [evidence_json(e) for e in p.evidence],
        "rule": p.rule.rule if p.rule else None,
    }


def assignment_json(a: CodeAssignment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": a.code,
        "system": a.system,
        "title": a.title,
        "release": a.release,
        "sequence": a.sequence,
        "confidence": a.confidence,
        "evidence": [evidence_json(e) for e in a.evidence],
        "index_path": a.index_path,
        "tabular_checks": list(a.tabular_checks),
        "rules": [rule_json(r) for r in a.rules],
    }
    if a.poa is not None:  # inpatient diagnoses only
        out["poa"] = poa_json(a.poa)
    return out


def dropped_json(d: DroppedCandidate) -> dict[str, Any]:
    return {
        "code": d.code,
        "text": d.text,
        "reason": d.reason,
        "rule": d.rule.rule,
        "guideline": d.rule.guideline,
        "evidence": evidence_json(d.evidence) if d.evidence else None,
    }


def rule_json(r: RuleApplied) -> dict[str, Any]:
    return {"rule": r.rule, "guideline": r.guideline, "detail": r.detail}


def procedure_json(p: ProcedureAssignment) -> dict[str, Any]:
    return {
        "code": p.code,
        "system": p.system,
        "title": p.title,
        "release": p.release,
        "sequence": p.sequence,
        "confidence": p.confidence,
        "units": p.units,
        "modifiers": list(p.modifiers),
        "evidence": [evidence_json(e) for e in p.evidence],
        "path": p.path,
        "checks": list(p.checks),
        "uncertain_axes": list(p.uncertain_axes),
        "rules": [rule_json(r) for r in p.rules],
    }


def em_level_json(level: EMLevel | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {
        "code": level.code,
        "patient_status": level.patient_status,
        "basis": level.basis,
        "mdm_level": level.mdm_level,
        "elements": [
            {
                "element": m.element,
                "level": m.level,
                "detail": m.detail,
                "evidence": [evidence_json(e) for e in m.evidence],
            }
            for m in level.elements
        ],
        "time_minutes": level.time_minutes,
        "time_evidence": evidence_json(level.time_evidence) if level.time_evidence else None,
        "confidence": level.confidence,
        "rules": [rule_json(r) for r in level.rules],
    }


def result_json(result: CodingResult) -> dict[str, Any]:
    return {
        "id": result.document_id,
        "release": result.release,
        "setting": result.setting,
        "date_of_service": result.date_of_service,
        "codes": [assignment_json(a) for a in result.codes],
        "dropped": [dropped_json(d) for d in result.dropped],
        "procedures": [procedure_json(p) for p in result.procedures],
        "em_level": em_level_json(result.em_level),
        "notices": list(result.notices),
        "encounter_confidence": result.encounter_confidence,
    }
