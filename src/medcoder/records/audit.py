"""The audit trail: append-only events, each chained to the one before under a keyed MAC.

``hash = HMAC-SHA256(audit key, prev_hash | canonical JSON of the event and the key id)``;
the key lives outside the database (``audit_keys.py``) and each event names the key that
signed it, so a rotation leaves old events verifiable. ``audit_head`` holds the last link
for the writers; after each commit the head is also anchored outside the database
(``anchor.py``), so deleting the newest events and rewinding ``audit_head`` is caught as
surely as editing or deleting one in the middle. ``chain.py`` checks all of it. Events
written before keyed auditing (``key_id`` NULL, plain SHA-256) still verify, but only
before the first keyed event: an unkeyed event after a keyed one is a forgery.

Events never carry PHI values: a PHI read or change names the record and the fields, and
``before``/``after`` hold only coded, non-identifying values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from medcoder.errors import RecordsError, WorkflowError
from medcoder.records import anchor, audit_keys
from medcoder.records.chain import GENESIS, canonical, signed_hash, unreadable, verify_chain
from medcoder.records.chain import ChainReport as ChainReport  # the service reports these
from medcoder.records.chain import ChainStatus as ChainStatus
from medcoder.records.models import AuditEvent, AuditHead

AUDIT_LOCK = 0x6D6564636F646572  # PostgreSQL advisory lock key ("medcoder")
_TRAIL = "medcoder.audit.trail"  # Session.info keys
_PENDING = "medcoder.audit.pending"
_HEAD = "medcoder.audit.head"  # the head row this transaction has locked (held strongly)
VIA_KEY = "medcoder.audit.api_key"  # the API key the session's actor acts through
#: Detail keys whose values are free text a user typed (issue 17 item 5): sealed with a key
#: derived from the audit key ring, read back with :func:`reveal`.
FREE_TEXT = ("reason", "acknowledgement")
log = logging.getLogger(__name__)


@dataclasses.dataclass
class AuditTrail:
    """What a records service signs its events with and anchors its head in."""

    home: Path
    ring: audit_keys.AuditKeyRing

    @property
    def anchor_path(self) -> Path:
        return anchor.anchor_file(self.home)

    def anchor_head(self, last_id: int, last_hash: str, key_id: str, create: bool) -> None:
        """Move the anchor to this head (never back; ``create``: also when there is no
        anchor file). A failure leaves the chain unanchored, which ``verify`` reports,
        rather than undo a committed transaction."""
        unsigned = anchor.Anchor(last_id, last_hash, key_id, mac="")
        mac = self.ring.sign("audit-anchor", unsigned.signed_text(), key_id=key_id)
        head = dataclasses.replace(unsigned, mac=mac)
        try:
            written = anchor.advance_anchor(self.anchor_path, head, create=create)
        except (OSError, anchor.AnchorUnreadableError) as exc:
            log.error("audit event %d committed but not anchored: %s", last_id, exc)
            return
        if not written and not self.anchor_path.exists():
            log.error(
                "audit event %d not anchored: %s is missing (see `medcoder audit anchor`)",
                last_id,
                self.anchor_path,
            )


def attach(sessions: sessionmaker[Session], home: Path) -> AuditTrail:
    """Give every session of ``sessions`` the audit key ring, and anchor the head after
    each commit that appended events. Refuses a ring without the newest event's key."""
    try:
        with sessions() as session:
            signed_last = session.scalar(
                select(AuditEvent.key_id)
                .where(AuditEvent.key_id.is_not(None))
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
    except SQLAlchemyError as exc:
        raise unreadable(exc) from exc
    trail = AuditTrail(home, audit_keys.open_ring(home, signed_last=signed_last))
    sessions.kw["info"] = {**sessions.kw.get("info", {}), _TRAIL: trail}
    sa_event.listen(sessions, "after_commit", _after_commit)
    sa_event.listen(sessions, "after_rollback", _after_rollback)
    return trail


def _after_commit(session: Session) -> None:
    session.info.pop(_HEAD, None)
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    try:
        _trail(session).anchor_head(*pending)
    except Exception:  # the transaction has committed: report, never raise past it
        log.exception("audit event %d committed but not anchored", pending[0])


def _after_rollback(session: Session) -> None:
    session.info.pop(_HEAD, None)
    session.info.pop(_PENDING, None)


def _trail(session: Session) -> AuditTrail:
    trail = session.info.get(_TRAIL)
    if not isinstance(trail, AuditTrail):
        # Never fall back to unkeyed links: verify would (rightly) call them forged.
        raise RecordsError("this session has no audit key ring (use Records' sessions)")
    return trail


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    **detail: Any,
) -> AuditEvent:
    """Append one signed event in the caller's transaction (it commits or rolls back with
    it); the head is anchored once the transaction commits. An actor acting through an
    API key (``VIA_KEY`` in the session's info) has the key's id added as ``api_key``."""
    ring = _trail(session).ring
    pending = session.info.get(_PENDING)
    head: AuditHead | None = session.info.get(_HEAD)
    if pending is not None and head is not None:
        # An event of this transaction locked the head: a later one (an enrollment after
        # its finalize) links on to that event without reading the head again, and is
        # flushed with what follows it (the head row is written once, at that flush).
        prev_id, prev_hash = pending[0], pending[1]
    else:
        head = session.get(AuditHead, 1, with_for_update=True)
        if head is None and session.get_bind().dialect.name == "postgresql":
            # Before the first event there is no head row to lock (SQLite's BEGIN IMMEDIATE
            # already serializes writers): take a transaction lock instead, then look again.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
            head = session.get(AuditHead, 1, with_for_update=True)
        prev_id, prev_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
    if session.info.get(VIA_KEY) is not None:
        detail = {**detail, "api_key": session.info[VIA_KEY]}
    for key in FREE_TEXT:
        # Typed by a user, so possibly PHI, and an event can never be deleted: sealed.
        if isinstance(detail.get(key), str):
            detail = {**detail, key: ring.seal(detail[key])}
    event = AuditEvent(
        id=prev_id + 1,
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        detail=canonical(detail),
        prev_hash=prev_hash,
        key_id=ring.current,
    )
    event.hash = signed_hash(ring, prev_hash, event)
    session.add(event)
    if head is None:
        head = AuditHead(id=1, last_id=event.id, last_hash=event.hash)
        session.add(head)
    else:
        head.last_id, head.last_hash = event.id, event.hash
    if pending is None:
        session.flush()  # a later event of the transaction is flushed with what follows it
    # The anchor file is created only by the first signed events (or `reanchor`): after
    # signed ones, a missing anchor was lost or deleted, which verify must go on reporting.
    create = pending[3] if pending else prev_id == 0 or _unsigned(session, prev_id)
    session.info[_PENDING] = (event.id, event.hash, ring.current, create)
    session.info[_HEAD] = head
    return event


def _unsigned(session: Session, event_id: int) -> bool:
    key_id = session.scalar(select(AuditEvent.key_id).where(AuditEvent.id == event_id))
    return key_id is None


def reanchor(session: Session, *, actor: str) -> ChainReport:
    """Anchor the head anew after the anchor file was lost, once every link verifies; the
    act is itself an audited event. Refused on a broken chain (keep the evidence)."""
    report = verify(session)
    if report.status is ChainStatus.BROKEN:
        raise WorkflowError(
            f"not re-anchored: {report.message}",
            hint="a broken chain is evidence: investigate, restore from a backup",
        )
    record(
        session,
        actor=actor,
        action="audit_reanchor",
        entity="audit",
        before={"status": report.status.value, "events": report.events},
    )
    last_id, last_hash, key_id, _create = session.info[_PENDING]
    session.info[_PENDING] = (last_id, last_hash, key_id, True)
    return report


def rotate_key(session: Session, *, actor: str) -> str:
    """Sign from now on with a new audit key (saved first, beside the old ones); the
    rotation is itself an event, signed by the new key. Returns the new key's id."""
    trail = _trail(session)
    before = trail.ring.current
    ring = audit_keys.load_ring(trail.home) or trail.ring  # another process may have rotated
    trail.ring = audit_keys.rotate_ring(trail.home, ring)
    record(
        session,
        actor=actor,
        action="audit_key_rotate",
        entity="keys",
        entity_id=trail.ring.current,
        before={"audit_key": before},
        after={"audit_key": trail.ring.current},
    )
    return trail.ring.current


def verify(session: Session) -> ChainReport:
    """Check the chain of this session's database against its anchor (``chain.py``)."""
    trail = _trail(session)
    ring = audit_keys.load_ring(trail.home) or trail.ring  # keys rotated by another process
    return verify_chain(session, ring, trail.anchor_path)


def reveal(session: Session, detail: dict[str, Any]) -> dict[str, Any]:
    """An event's detail with its sealed free text opened (for a reader allowed PHI)."""
    ring = _trail(session).ring
    return {
        k: ring.unseal(v) if k in FREE_TEXT and isinstance(v, str) else v for k, v in detail.items()
    }
