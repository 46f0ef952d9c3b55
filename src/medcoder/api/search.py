"""Type-ahead over the procedure code systems (issue 16, part 1: add and change search
the system the line belongs to): ICD-10-PCS for inpatient procedures, HCPCS Level II and
CPT for outpatient service lines. A code typed, or its first characters, lists those
codes first; then titles holding the words. CPT is searched by number only: the AMA's
descriptors are not shipped, so a CPT hit carries no title."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.errors import CodeSetError
from medcoder.kinds import CodeSystem

_CPT = re.compile(r"[0-9]{1,4}[0-9FTU]?")


def _hit(system: CodeSystem, code: str, title: str, source: str) -> dict[str, Any]:
    return {"code": code, "title": title, "billable": True, "source": source,
            "matched": code if source == "code" else title, "score": 1.0,
            "system": system.value}  # fmt: skip


def procedure_hits(
    chooser: CodeSetChooser, system: CodeSystem, q: str, day: dt.date | None, limit: int
) -> list[dict[str, Any]]:
    """Hits of ``q`` in ``system`` (not ICD-10-CM) in force on ``day``; none where the
    system is not installed."""
    hits: dict[str, dict[str, Any]] = {}
    typed = "".join(q.split()).upper()
    if system is CodeSystem.ICD10PCS:
        if not chooser.has_pcs:
            return []
        try:
            pcs = chooser.pcs_registry.choose(day=day)
        except CodeSetError:
            return []
        for code, title in pcs.with_prefix(typed, limit) if typed.isalnum() else []:
            hits.setdefault(code, _hit(system, code, title, "code"))
        for code, title in pcs.search(q, limit) if len(hits) < limit else []:
            hits.setdefault(code, _hit(system, code, title, "title"))
    elif system is CodeSystem.HCPCS:
        code_sets = chooser.procedure_code_sets
        if code_sets is None:
            return []
        for record in code_sets.with_prefix(typed, day, limit) if typed.isalnum() else []:
            hits.setdefault(record.code, _hit(system, record.code, record.long_description, "code"))
        for record in code_sets.search(q, day, limit) if len(hits) < limit else []:
            hits.setdefault(
                record.code, _hit(system, record.code, record.long_description, "title")
            )
    elif system is CodeSystem.CPT and _CPT.fullmatch(typed) and len(typed) == 5:
        hits[typed] = _hit(system, typed, "", "code")  # validated when added
    return list(hits.values())[:limit]
