"""An encounter's history read from the audit trail (issue 16, part 6): who imported,
coded, accepted, rejected, changed, added, re-sequenced, finalized and re-opened it, when,
and with what reason. The trail is the record; nothing here is stored twice.

Reads (``read`` events) are left out: they are who looked, not what was done.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.models import AuditEvent, Encounter

# What each audited action says on a timeline.
VERBS = {
    "import": "imported documents",
    "run_coding": "ran the coding engine",
    "accept": "accepted",
    "reject": "rejected",
    "change": "changed",
    "add": "added",
    "resequence": "re-sequenced the codes",
    "finalize": "finalized",
    "reopen": "re-opened",
    "export": "exported the claim",
}


QUERY_VERBS = {
    "query_open": "sent the provider a query",
    "query_answer": "recorded the provider's answer",
    "query_close": "closed a query",
}


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One step of an encounter's history, as the audit trail recorded it."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    summary: str  # "changed E11.9 to E11.22", "finalized with 4 codes"
    reason: str | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "summary": self.summary,
            "reason": self.reason,
        }


def summarize(action: str, detail: dict[str, Any]) -> str:
    """The words a timeline shows for one event."""
    verb = VERBS.get(action, action.replace("_", " "))
    code = detail.get("code")
    if action == "change" and code:
        return f"changed {code} to {detail.get('new_code', '?')}"
    if action in QUERY_VERBS:
        about = f" about {code}" if code else ""
        which = f"{detail.get('template', '?')} query {detail.get('query')}{about}"
        return f"{QUERY_VERBS[action]} ({which})"
    if action in ("lock_take", "lock_release", "assign"):
        return _who_works(action, detail)
    after = detail.get("after")
    if action == "set_line" and code and isinstance(after, dict):
        modifiers = ", ".join(after.get("modifiers") or []) or "none"
        return f"set {code} to {after.get('units')} unit(s), modifiers {modifiers}"
    if action == "set_poa" and code and isinstance(after, dict):
        return f"set present on admission of {code} to {after.get('poa')}"
    if code:
        return f"{verb} {code}"
    if action == "finalize" and isinstance(after, dict) and after.get("codes"):
        codes = after["codes"]
        warned = detail.get("edit_warnings")
        extra = f", acknowledging {len(warned)} claim-edit warning(s)" if warned else ""
        return f"finalized with {len(codes)} code(s): {', '.join(codes)}{extra}"
    if action == "resequence" and isinstance(after, list):
        return f"re-sequenced the codes: {', '.join(str(c) for c in after)}"
    if action == "run_coding" and isinstance(after, dict) and "suggested" in after:
        suggested = after["suggested"]
        count = len(suggested) if isinstance(suggested, list) else suggested
        return f"ran the coding engine with {after.get('release', '?')}: {count} code(s) suggested"
    if action == "import" and isinstance(after, dict) and "documents_added" in after:
        return f"imported {after['documents_added']} document(s)"
    return verb


def _who_works(action: str, detail: dict[str, Any]) -> str:
    """Taking, releasing and assigning the encounter (issue 16, part 4)."""
    if action == "lock_take":
        return "took the encounter for work"
    if action == "lock_release":
        return f"released {detail.get('holder', '?')}'s hold"
    to = detail.get("to")
    released = f", ending {detail['released']}'s hold" if detail.get("released") else ""
    return (f"assigned it to {to}" if to else "unassigned it") + released


class HistoryMixin(RecordsGate):
    """The timeline of one encounter."""

    def history(self, actor: str | None, encounter_id: str) -> list[HistoryEvent]:
        """Every audited step on the encounter, oldest first (reasons are PHI-adjacent
        free text: the same role that reads the encounter reads its history; audited)."""
        with self._reading(actor, encounter_id, "history") as (session, encounter):
            return self._history(session, encounter)

    @staticmethod
    def _history(session: Session, encounter: Encounter) -> list[HistoryEvent]:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == "encounter")
            .where(AuditEvent.entity_id == encounter.external_id)
            .where(AuditEvent.action != "read")
            .order_by(AuditEvent.id)
        ).all()
        events = []
        for row in rows:
            # Typed reasons are sealed in the trail (issue 17 item 5): opened for a reader
            # allowed the encounter's PHI.
            detail = audit.reveal(session, json.loads(row.detail))
            reason = detail.get("reason")
            events.append(
                HistoryEvent(
                    id=row.id,
                    at=dt.datetime.fromisoformat(row.at),
                    actor=row.actor,
                    action=row.action,
                    summary=summarize(row.action, detail),
                    reason=str(reason) if reason else None,
                    detail=detail,
                )
            )
        return events
