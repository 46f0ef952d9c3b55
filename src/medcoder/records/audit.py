"""The audit trail: append-only events, each hash-chained to the one before.

``hash = sha256(prev_hash | canonical JSON of the event)``, with ``audit_head`` holding the
last link so that deleting the newest events is caught as surely as editing or deleting
one in the middle. Events never carry PHI values: a PHI read or change names the record
and the fields, and ``before``/``after`` hold only coded, non-identifying values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from medcoder.records.models import AuditEvent, AuditHead

GENESIS = "0" * 64
AUDIT_LOCK = 0x6D6564636F646572  # PostgreSQL advisory lock key ("medcoder")


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    prev_hash: str,
    event_id: int,
    at: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: str,
) -> str:
    body = canonical(
        {
            "id": event_id,
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        }
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    **detail: Any,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with it)."""
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None and session.get_bind().dialect.name == "postgresql":
        # Before the first event there is no head row to lock (SQLite's BEGIN IMMEDIATE
        # already serializes writers): take a transaction lock instead, then look again.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
        head = session.get(AuditHead, 1, with_for_update=True)
    prev_id, prev_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    event_id = prev_id + 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    key = None if entity_id is None else str(entity_id)
    body = canonical(detail)
    digest = event_hash(prev_hash, event_id, at, actor, action, entity, key, body)
    event = AuditEvent(
        id=event_id,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=key,
        detail=body,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(event)
    if head is None:
        session.add(AuditHead(id=1, last_id=event_id, last_hash=digest))
    else:
        head.last_id, head.last_hash = event_id, digest
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    """``ok`` or the first broken link: the event id and what is wrong there."""

    events: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> ChainReport:
    """Walk the chain from the first event; report the first edited, missing or extra one."""
    prev_hash, expected_id, count = GENESIS, 1, 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.id != expected_id:
            return ChainReport(count, expected_id, f"event {expected_id} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(count, event.id, "its link to the previous event does not match")
        digest = event_hash(
            prev_hash,
            event.id,
            event.at,
            event.actor,
            event.action,
            event.entity,
            event.entity_id,
            event.detail,
        )
        if digest != event.hash:
            return ChainReport(count, event.id, "its content was changed after it was written")
        prev_hash, expected_id, count = event.hash, expected_id + 1, count + 1
    head = session.get(AuditHead, 1)
    if head is None:
        if count:
            return ChainReport(count, count, "the chain head is missing")
        return ChainReport(0)
    if head.last_id != count or head.last_hash != prev_hash:
        return ChainReport(
            count, count + 1, f"events after {count} are missing (head is {head.last_id})"
        )
    return ChainReport(count)
