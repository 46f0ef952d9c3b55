"""The autonomous-coding step of a coding run (issue 14 part 3): finalize without review.

Under the policy in force (``autonomy.py`` sets it; no policy: off), an encounter whose
engine run gives an ``encounter_confidence`` at or above the threshold is finalized by
the run itself, on these conditions, each checked in this order:

1. no person has decided any of its codes yet (a re-run after review stays in review);
2. the engine suggested at least one code;
3. each suggested procedure, supply or E/M code has a confidence of its own at or above
   the threshold (the encounter confidence scores the diagnoses), and an inpatient
   stay's diagnoses all carry a present-on-admission indicator (as ``finalize`` asks);
4. the claim edits (``medcoder.edits``) find nothing on the suggested codes: any error
   or warning sends the encounter to the review queue (a warning needs a person's
   acknowledgement, which no policy gives).

It is then finalized with its suggestions accepted, ``finalized_by`` "auto" and
``auto_finalized`` set; :func:`sampled` picks the configured share of these for audit
(``audit_pending``: the audit queue, ``medcoder queue --audit``). Every decision, either
way, is an audit event ``auto_finalize`` naming the confidence, threshold and policy.

This is records workflow used by ``intake`` and ``autonomy``, like ``claim_gate``.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.errors import MedcoderError
from medcoder.records import audit
from medcoder.records.code_lines import is_dx, poa_complete
from medcoder.records.finalize import after_finalize, bill_drg, edit_report
from medcoder.records.gate import RecordsGate
from medcoder.records.models import (
    AutonomyPolicy,
    CodeAssignment,
    CodeStatus,
    Encounter,
    User,
    utcnow,
)

AUTO = "auto"  # finalized_by and updated_by of what the policy decided


def policy_in_force(session: Session) -> AutonomyPolicy | None:
    """The newest policy row, or None when there is none (the policy is then off)."""
    query = select(AutonomyPolicy).order_by(AutonomyPolicy.id.desc()).limit(1)
    return session.scalars(query).first()


def sampled(seed: int, encounter: str, share: float) -> bool:
    """Whether ``encounter`` falls in the audit sample: a hash of the seed and the
    encounter id read as a number in [0, 1), below ``share``. Deterministic (the same
    seed picks the same encounters on every run and machine) and independent of the
    order encounters are coded in."""
    digest = hashlib.sha256(f"{seed}:{encounter}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _edit_findings(
    records: RecordsGate, encounter: Encounter, codes: list[CodeAssignment]
) -> list[str]:
    """The claim edits' errors and warnings on ``codes`` (keys: finalize's own check,
    ``finalize.edit_report``), or why they could not run."""
    _release, notice = records.release_choice(encounter)
    if notice:  # coded with the nearest release: the coder decides (issue 16, part 5)
        return [f"claim edits could not run: {notice}"]
    try:
        report = edit_report(records, encounter, codes)
    except MedcoderError as exc:  # no edit tables, no release: a person must look
        return [f"claim edits could not run: [{exc.code}] {exc.message}"]
    return [f.key for f in (*report.errors, *report.warnings)]


def auto_finalize(
    records: RecordsGate,
    session: Session,
    user: User,
    encounter: Encounter,
    confidence: float | None,
    *,
    reviewed: bool,
) -> bool:
    """Apply the policy to ``encounter`` just coded (its suggestions flushed); True when
    it was finalized. ``reviewed``: a person has decided some of its codes before."""
    encounter.encounter_confidence = confidence
    policy = policy_in_force(session)
    if policy is None or not policy.enabled:
        return False
    suggested = list(
        session.scalars(
            select(CodeAssignment)
            .where(
                CodeAssignment.encounter_id == encounter.id,
                CodeAssignment.status == CodeStatus.SUGGESTED,
            )
            .order_by(CodeAssignment.sequence)
        )
    )
    why: list[str] = []
    if confidence is None or confidence < policy.threshold:
        why.append(f"encounter confidence {confidence} below the threshold {policy.threshold}")
    elif reviewed:
        why.append("codes already decided by a person")
    elif not suggested:
        why.append("no code suggested")
    else:
        # The encounter confidence scores the diagnoses; a procedure, supply or E/M code
        # must clear the threshold on its own confidence.
        why.extend(
            f"{row.code}: confidence {row.confidence} below the threshold"
            for row in suggested
            if not is_dx(row) and (row.confidence or 0.0) < policy.threshold
        )
        try:
            poa_complete(encounter, suggested)  # inpatient: every diagnosis has its POA
        except MedcoderError as exc:
            why.append(f"[{exc.code}] {exc.message}")
        if not why:
            why.extend(_edit_findings(records, encounter, suggested))
    detail = {
        "policy": policy.id,
        "threshold": policy.threshold,
        "encounter_confidence": confidence,
    }
    if why:
        audit.record(
            session,
            actor=user.name,
            action="auto_finalize",
            entity="encounter",
            entity_id=encounter.external_id,
            after={"status": "review", "why": why, **detail},
        )
        return False
    # An inpatient stay's MS-DRG is stored as billed, as ``finalize`` stores it.
    billed = bill_drg(records, encounter, suggested)
    now = utcnow()
    for row in suggested:
        row.status = CodeStatus.ACCEPTED.value
        row.updated_by = AUTO
        row.updated_at = now
    encounter.lock(AUTO)
    encounter.auto_finalized = True
    encounter.audit_pending = sampled(policy.seed, encounter.external_id, policy.sample)
    audit.record(
        session,
        actor=user.name,
        action="auto_finalize",
        entity="encounter",
        entity_id=encounter.external_id,
        before={"status": "review"},
        after={
            "status": "finalized",
            "codes": [row.code for row in suggested],
            "audit_sample": encounter.audit_pending,
            **detail,
            **billed,
        },
    )
    after_finalize(records, session, user.name, encounter)
    return True
