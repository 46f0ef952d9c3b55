"""Encounters that failed to code (issue 16, parts 4 and 5): a run over the pending
encounters goes on past one it cannot code, and says which, why and when in the audit
trail (``coding_failed``), so that a manager finds them (``medcoder queue --failed``, the
workbench's Failed to code page) instead of an empty queue.

The error's code and message are kept; an unexpected error keeps its type only (its text
could quote a note). An encounter leaves the list once it is coded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select

from medcoder.records import audit
from medcoder.records.coding_runs import CodingFailure, CodingRunsMixin, PendingReport
from medcoder.records.models import AuditEvent, Encounter, EncounterStatus
from medcoder.records.permissions import Action

FAILED = "coding_failed"


@dataclass(frozen=True, slots=True)
class FailedItem:
    """A pending encounter whose last coding attempt failed, and why."""

    encounter: str
    setting: str
    date_of_service: dt.date | None
    payer: str | None
    failed_at: dt.datetime
    failed_by: str
    code: str  # the stable error code, e.g. E302
    message: str
    attempts: int

    def to_json(self) -> dict[str, object]:
        """One row of ``medcoder queue --failed --format json`` and ``GET /v1/queue/failed``."""
        return {
            "encounter": self.encounter,
            "setting": self.setting,
            "date_of_service": self.date_of_service.isoformat() if self.date_of_service else None,
            "payer": self.payer,
            "failed_at": self.failed_at.isoformat(),
            "failed_by": self.failed_by,
            "error": self.code,
            "message": self.message,
            "attempts": self.attempts,
        }


class FailuresMixin(CodingRunsMixin):
    """Coding of the pending encounters, remembering the ones that failed."""

    def code_pending(self, actor: str | None) -> PendingReport:
        """As ``CodingRunsMixin.code_pending``; each failure is also audited as
        ``coding_failed`` (its own transaction: the encounter's stays rolled back)."""
        report = super().code_pending(actor)
        for failure in report.failures:
            self._note_failure(actor, failure)
        return report

    def _note_failure(self, actor: str | None, failure: CodingFailure) -> None:
        message = failure.message
        if failure.code == "E000":  # unexpected: its text could quote the note
            message = message.split(":", 1)[0]
        with self._acting(actor, Action.RUN_CODING) as (session, user):
            audit.record(
                session,
                actor=user.name,
                action=FAILED,
                entity="encounter",
                entity_id=failure.encounter,
                error=failure.code,
                message=message,
            )

    def failed(self, actor: str | None, *, limit: int = 100) -> list[FailedItem]:
        """Pending encounters whose last coding attempt failed, most recent failure first."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, _user):
            last = (
                select(
                    AuditEvent.entity_id,
                    func.max(AuditEvent.id).label("last"),
                    func.count().label("attempts"),
                )
                .where(AuditEvent.action == FAILED, AuditEvent.entity == "encounter")
                .group_by(AuditEvent.entity_id)
                .subquery()
            )
            rows = session.execute(
                select(AuditEvent, Encounter, last.c.attempts)
                .join(last, AuditEvent.id == last.c.last)
                .join(Encounter, Encounter.external_id == last.c.entity_id)
                .where(Encounter.status == EncounterStatus.PENDING)
                .order_by(AuditEvent.id.desc())
                .limit(max(1, limit))
            ).all()
            items = []
            for event, encounter, attempts in rows:
                detail = json.loads(event.detail)
                items.append(
                    FailedItem(
                        encounter=encounter.external_id,
                        setting=encounter.setting,
                        date_of_service=encounter.date_of_service,
                        payer=encounter.payer,
                        failed_at=dt.datetime.fromisoformat(event.at),
                        failed_by=event.actor,
                        code=str(detail.get("error", "E000")),
                        message=str(detail.get("message", "")),
                        attempts=int(attempts),
                    )
                )
            return items
