"""The autonomous-coding policy (issue 14 part 3): set by a manager, read by everyone who
works the queue, and the auditor's verdict on a sampled auto-finalized encounter.

Off by default (no policy row). ``set_autonomy`` stores a new row (the history stays);
``run_coding`` applies the newest (``auto_finalize``). An auditor (reviewer or manager)
closes a sampled encounter with ``audit_auto_finalized``: agreed, it leaves the audit
queue; disagreed, it is re-opened for review with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medcoder.errors import InvalidInputError, WorkflowError
from medcoder.records import audit
from medcoder.records.auto_finalize import policy_in_force
from medcoder.records.finalize import after_reopen
from medcoder.records.gate import RecordsGate
from medcoder.records.models import AutonomyPolicy, EncounterStatus
from medcoder.records.permissions import Action


@dataclass(frozen=True, slots=True)
class PolicyView:
    """The policy in force; ``enabled`` False (and no threshold) when none was ever set."""

    enabled: bool
    threshold: float | None
    sample: float
    seed: int
    set_by: str | None
    set_at: dt.datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "threshold": self.threshold,
            "sample": self.sample,
            "seed": self.seed,
            "set_by": self.set_by,
            "set_at": self.set_at.isoformat() if self.set_at else None,
        }


OFF = PolicyView(False, None, 0.0, 0, None, None)


def _view(row: AutonomyPolicy | None) -> PolicyView:
    if row is None:
        return OFF
    at = row.set_at
    if at is not None and at.tzinfo is None:  # SQLite keeps no zone; it was written in UTC
        at = at.replace(tzinfo=dt.UTC)
    return PolicyView(row.enabled, row.threshold, row.sample, row.seed, row.set_by, at)


class AutonomyMixin(RecordsGate):
    """The autonomous-coding policy and the audit of what it finalized."""

    def autonomy_policy(self, actor: str | None) -> PolicyView:
        with self._acting(actor, Action.VIEW_AUTONOMY) as (session, _user):
            return _view(policy_in_force(session))

    def set_autonomy(
        self,
        actor: str | None,
        *,
        enabled: bool,
        threshold: float | None = None,
        sample: float | None = None,
        seed: int | None = None,
    ) -> PolicyView:
        """Turn the policy on (``threshold`` needed the first time) or off; a value not
        given keeps the one in force. Audited with the policy before and after."""
        with self._acting(actor, Action.SET_AUTONOMY) as (session, user):
            before = _view(policy_in_force(session))
            threshold = before.threshold if threshold is None else threshold
            sample = before.sample if sample is None else sample
            seed = before.seed if seed is None else seed
            if enabled and threshold is None:
                raise InvalidInputError(
                    "no threshold: the policy has none yet", hint="--threshold 0.9"
                )
            if threshold is not None and not 0 < threshold <= 1:
                raise InvalidInputError(f"threshold {threshold} is not in (0, 1]")
            if not 0 <= sample <= 1:
                raise InvalidInputError(f"audit sample {sample} is not a share in [0, 1]")
            row = AutonomyPolicy(
                enabled=enabled,
                threshold=threshold if threshold is not None else 1.0,
                sample=sample,
                seed=seed,
                set_by=user.name,
            )
            session.add(row)
            session.flush()
            after = _view(row)
            audit.record(
                session,
                actor=user.name,
                action="set_autonomy",
                entity="autonomy_policy",
                entity_id=row.id,
                before=before.to_json(),
                after=after.to_json(),
            )
            return after

    def audit_auto_finalized(
        self, actor: str | None, encounter_id: str, *, agree: bool, reason: str | None = None
    ) -> None:
        """The auditor's verdict on an auto-finalized encounter of the audit sample:
        agreed, it leaves the audit queue; not agreed (a reason needed), it is re-opened
        for review."""
        with self._acting(actor, Action.REOPEN) as (session, user):
            encounter = self._encounter(session, encounter_id)
            finalized = encounter.status == EncounterStatus.FINALIZED
            if not (finalized and encounter.auto_finalized and encounter.audit_pending):
                raise WorkflowError(
                    f"encounter {encounter.external_id} awaits no audit",
                    hint="medcoder queue --audit lists those that do",
                )
            if not agree and not (reason or "").strip():
                raise InvalidInputError("a disagreement needs a reason", hint="--reason TEXT")
            encounter.audit_pending = False
            if not agree:
                encounter.unlock()
                after_reopen(self, session, encounter)  # the patient-year's HCC score
            audit.record(
                session,
                actor=user.name,
                action="audit_auto_finalized",
                entity="encounter",
                entity_id=encounter.external_id,
                before={"status": "finalized"},
                after={"status": encounter.status, "agree": agree},
                **({"reason": reason} if reason else {}),
            )
