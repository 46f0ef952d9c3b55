"""The engine's proposals as stored suggestions: every diagnosis (with the engine's
present-on-admission proposal on an inpatient stay) and every procedure (ICD-10-PCS, CPT,
HCPCS, with units and modifiers), each group numbered apart as on the claim. A code the
coder already decided keeps the coder's decision when the encounter is coded again."""

from __future__ import annotations

import json

from medcoder.kinds import CodeSystem
from medcoder.records.crypto import FieldCipher
from medcoder.records.models import ACTIVE_STATUSES, CodeAssignment, CodeSource, CodeStatus
from medcoder.results import CodingResult, Evidence, PoaProposal
from medcoder.serialize import evidence_json


def suggestion_rows(
    cipher: FieldCipher, result: CodingResult, kept: list[CodeAssignment], *, inpatient: bool
) -> list[CodeAssignment]:
    """The engine's codes as SUGGESTED rows, each group (diagnoses; procedures)
    numbered after its active codes the coder decided; a code the coder decided stays
    as decided (a kept diagnosis without a POA takes the engine's)."""
    decided = {(c.system, c.code): c for c in kept}
    seen = set(decided)
    sequence = {True: 0, False: 0}
    for row in sorted((c for c in kept if c.status in ACTIVE_STATUSES), key=lambda c: c.sequence):
        diagnosis = row.system == CodeSystem.ICD10CM
        sequence[diagnosis] += 1  # the kept codes first, numbered without gaps
        row.sequence = sequence[diagnosis]
    rows: list[CodeAssignment] = []
    for dx in result.codes:
        poa = dx.poa if inpatient else None
        key = (dx.system.value, dx.code)
        done = decided.get(key)
        if (
            done is not None
            and poa is not None
            and done.poa is None
            and done.status in ACTIVE_STATUSES
        ):
            store_poa(cipher, done, poa)
        if key in seen:
            continue
        seen.add(key)
        sequence[True] += 1
        row = _suggested(dx.system, dx.code, dx.title, dx.release, sequence[True])
        row.confidence = dx.confidence
        row.evidence_enc = _evidence(cipher, dx.evidence)
        if poa is not None:
            store_poa(cipher, row, poa)
        rows.append(row)
    for px in result.procedures:
        key = (px.system.value, px.code)
        if key in seen:
            continue  # decided by the coder, or proposed twice: one line per code
        seen.add(key)
        sequence[False] += 1
        row = _suggested(px.system, px.code, px.title, px.release, sequence[False])
        row.confidence = px.confidence
        row.evidence_enc = _evidence(cipher, px.evidence)
        row.units = px.units
        row.modifiers = list(px.modifiers) or None
        rows.append(row)
    return rows


def _suggested(
    system: CodeSystem, code: str, title: str, release: str, sequence: int
) -> CodeAssignment:
    return CodeAssignment(
        system=system.value,
        code=code,
        title=title,
        sequence=sequence,
        source=CodeSource.ENGINE.value,
        status=CodeStatus.SUGGESTED.value,
        release=release,
        units=1,
    )


def _evidence(cipher: FieldCipher, evidence: tuple[Evidence, ...]) -> bytes:
    text = json.dumps([evidence_json(e) for e in evidence])
    return cipher.encrypt(text, field="code_assignments.evidence")


def store_poa(cipher: FieldCipher, row: CodeAssignment, poa: PoaProposal) -> None:
    """The engine's POA proposal on an inpatient diagnosis: indicator, confidence,
    and why (reason, rule, evidence spans: PHI, encrypted)."""
    row.poa = poa.indicator.value
    row.poa_source = CodeSource.ENGINE.value
    row.poa_confidence = poa.confidence
    why = {
        "reason": poa.reason,
        "rule": poa.rule.rule if poa.rule else None,
        "evidence": [evidence_json(e) for e in poa.evidence],
    }
    row.poa_evidence_enc = cipher.encrypt(json.dumps(why), field="code_assignments.poa_evidence")
