"""The audit trail: append-only events, each chained to the one before under a keyed MAC.

``hash = HMAC-SHA256(audit key, prev_hash | canonical JSON of the event and the key id)``;
the key lives outside the database (``audit_keys.py``) and each event names the key that
signed it, so a rotation leaves old events verifiable. ``audit_head`` holds the last link
for the writers; after each commit the head is also anchored outside the database
(``anchor.py``), so deleting the newest events and rewinding ``audit_head`` is caught as
surely as editing or deleting one in the middle. Events written before keyed auditing
(``key_id`` NULL, plain SHA-256) still verify, but only before the first keyed event: an
unkeyed event after a keyed one is a forgery (a downgrade), never a legacy event.

Events never carry PHI values: a PHI read or change names the record and the fields, and
``before``/``after`` hold only coded, non-identifying values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from medcoder.errors import DatabaseError, RecordsError
from medcoder.records import anchor, audit_keys
from medcoder.records.models import AuditEvent, AuditHead

GENESIS = "0" * 64
AUDIT_LOCK = 0x6D6564636F646572  # PostgreSQL advisory lock key ("medcoder")
_TRAIL = "medcoder.audit.trail"  # Session.info keys
_PENDING = "medcoder.audit.pending"
log = logging.getLogger(__name__)


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _body(event: AuditEvent, *, keyed: bool) -> str:
    fields = {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "detail": event.detail,
    }
    if keyed:
        fields["key"] = event.key_id
    return canonical(fields)


def legacy_hash(prev_hash: str, event: AuditEvent) -> str:
    """The unkeyed link of an event written before keyed auditing (anyone can compute it)."""
    return hashlib.sha256(f"{prev_hash}|{_body(event, keyed=False)}".encode()).hexdigest()


def signed_hash(ring: audit_keys.AuditKeyRing, prev_hash: str, event: AuditEvent) -> str:
    """The keyed link: only a holder of the key ``event.key_id`` can compute it."""
    body = _body(event, keyed=True)
    return ring.sign("audit-event", f"{prev_hash}|{body}", key_id=event.key_id)


@dataclasses.dataclass
class AuditTrail:
    """What a records service signs its events with and anchors its head in."""

    home: Path
    ring: audit_keys.AuditKeyRing

    @property
    def anchor_path(self) -> Path:
        return anchor.anchor_file(self.home)

    def anchor_head(self, last_id: int, last_hash: str, key_id: str) -> None:
        """Move the anchor to this head (never back); a failure leaves the chain
        unanchored, which ``verify`` reports, rather than undoing a committed transaction."""
        unsigned = anchor.Anchor(last_id, last_hash, key_id, mac="")
        mac = self.ring.sign("audit-anchor", unsigned.signed_text(), key_id=key_id)
        head = dataclasses.replace(unsigned, mac=mac)
        try:
            anchor.advance_anchor(self.anchor_path, head)
        except (OSError, anchor.AnchorUnreadableError) as exc:
            log.error("audit event %d committed but not anchored: %s", last_id, exc)


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
        raise _unreadable(exc) from exc
    trail = AuditTrail(home, audit_keys.open_ring(home, signed_last=signed_last))
    sessions.kw["info"] = {**sessions.kw.get("info", {}), _TRAIL: trail}
    sa_event.listen(sessions, "after_commit", _after_commit)
    sa_event.listen(sessions, "after_rollback", _after_rollback)
    return trail


def _unreadable(exc: SQLAlchemyError) -> DatabaseError:
    reason = (str(getattr(exc, "orig", None) or exc).splitlines() or ["?"])[0]
    return DatabaseError(
        f"cannot read the audit trail: {reason}",
        hint="its tables were altered or dropped: restore the database from a backup",
    )


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        _trail(session).anchor_head(*pending)


def _after_rollback(session: Session) -> None:
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
    it); the head is anchored once the transaction commits."""
    ring = _trail(session).ring
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None and session.get_bind().dialect.name == "postgresql":
        # Before the first event there is no head row to lock (SQLite's BEGIN IMMEDIATE
        # already serializes writers): take a transaction lock instead, then look again.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
        head = session.get(AuditHead, 1, with_for_update=True)
    prev_id, prev_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
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
        session.add(AuditHead(id=1, last_id=event.id, last_hash=event.hash))
    else:
        head.last_id, head.last_hash = event.id, event.hash
    session.flush()
    session.info[_PENDING] = (event.id, event.hash, ring.current)
    return event


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


class ChainStatus(StrEnum):
    """What ``verify`` found; only ``INTACT`` is ok."""

    INTACT = "intact"
    # An edited, missing, extra, forged or downgraded event, or a head or anchor that does
    # not match the chain: someone changed the record.
    BROKEN = "broken"
    # Events but no anchor file: the newest events cannot be checked (deleted anchor).
    UNANCHORED = "unanchored"
    # Signed events after the anchor's: they verify (only a key holder can sign), so this is
    # a commit whose anchor write did not happen (a crash), not a forgery; the next audited
    # commit anchors them.
    AHEAD_OF_ANCHOR = "ahead_of_anchor"


@dataclasses.dataclass(frozen=True, slots=True)
class ChainReport:
    """``ok``, or what is wrong: the first broken link's event id and the problem."""

    events: int
    broken_at: int | None = None
    problem: str | None = None
    status: ChainStatus = ChainStatus.INTACT
    legacy: int = 0  # unkeyed events from before keyed auditing, at the start of the chain

    @property
    def ok(self) -> bool:
        return self.status is ChainStatus.INTACT

    @property
    def message(self) -> str:
        """One line for the CLI."""
        if self.ok:
            old = f" ({self.legacy} unkeyed, from before keyed auditing)" if self.legacy else ""
            return f"audit chain intact: {self.events} event(s){old}"
        if self.status is ChainStatus.BROKEN:
            where = f" at event {self.broken_at}" if self.broken_at is not None else ""
            return f"audit chain broken{where}: {self.problem}"
        return f"audit chain {self.status.value.replace('_', ' ')}: {self.problem}"


ANCHOR_WAIT_S = 2.0  # how long verify waits for a writer's anchor that trails its commit


def verify(session: Session) -> ChainReport:
    """Walk the chain from the first event and check its head against the anchor file;
    report the first edited, missing, extra, forged or downgraded event."""
    trail = _trail(session)
    ring = audit_keys.load_ring(trail.home) or trail.ring  # keys rotated by another process
    try:
        # Read before the walk: an anchor is written after its commit, so the walk sees it.
        pinned = anchor.read_anchor(trail.anchor_path)
    except anchor.AnchorUnreadableError as exc:
        return ChainReport(0, None, f"the anchor file is garbled: {exc}", ChainStatus.BROKEN)
    try:
        walked = _walk(session, ring, since=pinned.last_id if pinned else 0)
    except SQLAlchemyError as exc:
        raise _unreadable(exc) from exc
    if isinstance(walked, ChainReport):
        return walked
    return _check_anchor(trail.anchor_path, ring, pinned, walked)


@dataclasses.dataclass(frozen=True, slots=True)
class _Walked:
    events: int
    legacy: int
    tail: dict[int, str]  # the hash of each event from the anchor's on


def _walk(session: Session, ring: audit_keys.AuditKeyRing, *, since: int) -> ChainReport | _Walked:
    prev_hash, expected, legacy, signed = GENESIS, 1, 0, False
    tail: dict[int, str] = {}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count = expected - 1
        if event.id != expected:
            return _broken(count, expected, f"event {expected} is missing")
        if event.prev_hash != prev_hash:
            return _broken(count, event.id, "its link to the previous event does not match")
        if event.key_id is None:
            if signed:
                return _broken(count, event.id, "an unkeyed event after signed ones (forged)")
            digest = legacy_hash(prev_hash, event)
            legacy += 1
        elif event.key_id not in ring.keys:
            return _broken(
                count, event.id, f"it names audit key {event.key_id}, which is not in the ring"
            )
        else:
            signed = True
            digest = signed_hash(ring, prev_hash, event)
        if not hmac.compare_digest(digest, event.hash):
            return _broken(count, event.id, "its content was changed after it was written")
        if event.id >= since:
            tail[event.id] = event.hash
        prev_hash, expected = event.hash, expected + 1
    count = expected - 1
    head = session.get(AuditHead, 1)
    if head is None:
        if count:
            return _broken(count, count, "the chain head is missing")
    elif head.last_id != count or head.last_hash != prev_hash:
        return _broken(
            count, count + 1, f"events after {count} are missing (head is {head.last_id})"
        )
    return _Walked(count, legacy, tail)


def _broken(events: int, at: int | None, problem: str) -> ChainReport:
    return ChainReport(events, at, problem, ChainStatus.BROKEN)


def _check_anchor(
    path: Path, ring: audit_keys.AuditKeyRing, pinned: anchor.Anchor | None, walked: _Walked
) -> ChainReport:
    count = walked.events
    if pinned is None:
        if count == 0:
            return ChainReport(0)
        return ChainReport(
            count,
            None,
            f"the anchor file {path} is missing, so the newest events cannot be checked "
            "(restore it from a backup; an audited action writes a new one)",
            ChainStatus.UNANCHORED,
            walked.legacy,
        )
    problem = _anchor_problem(ring, pinned, walked)
    if problem is not None:
        return problem
    deadline = time.monotonic() + ANCHOR_WAIT_S
    while pinned.last_id < count:
        # A writer may have committed before the walk and not yet written its anchor.
        if time.monotonic() >= deadline:
            return ChainReport(
                count,
                None,
                f"{count - pinned.last_id} signed event(s) after the last anchor (event "
                f"{pinned.last_id}): a crash between commit and anchor write? The next "
                "audited action anchors them",
                ChainStatus.AHEAD_OF_ANCHOR,
                walked.legacy,
            )
        time.sleep(0.05)
        try:
            newer = anchor.read_anchor(path)
        except anchor.AnchorUnreadableError as exc:
            return _broken(count, None, f"the anchor file is garbled: {exc}")
        if newer is None or newer.last_id <= pinned.last_id:
            continue
        if newer.last_id > count:  # a commit after the walk: its signed head covers ours
            return _mac_problem(ring, newer, count) or ChainReport(count, legacy=walked.legacy)
        problem = _anchor_problem(ring, newer, walked)
        if problem is not None:
            return problem
        pinned = newer
    return ChainReport(count, legacy=walked.legacy)


def _mac_problem(
    ring: audit_keys.AuditKeyRing, pinned: anchor.Anchor, count: int
) -> ChainReport | None:
    if pinned.key_id not in ring.keys:
        return _broken(count, None, f"the anchor names audit key {pinned.key_id}, not in the ring")
    mac = ring.sign("audit-anchor", pinned.signed_text(), key_id=pinned.key_id)
    if not hmac.compare_digest(mac, pinned.mac):
        return _broken(count, None, "the anchor file was altered (its MAC does not match)")
    return None


def _anchor_problem(
    ring: audit_keys.AuditKeyRing, pinned: anchor.Anchor, walked: _Walked
) -> ChainReport | None:
    """The anchor's MAC, and its event: present in the walk, with the anchored hash."""
    count = walked.events
    problem = _mac_problem(ring, pinned, count)
    if problem is not None:
        return problem
    if pinned.last_id > count:
        missing = (
            f"events {count + 1} to {pinned.last_id}"
            if pinned.last_id > count + 1
            else f"event {pinned.last_id}"
        )
        return _broken(
            count, count + 1, f"{missing} are missing: the anchor names event {pinned.last_id}"
        )
    if walked.tail.get(pinned.last_id) != pinned.last_hash:
        return _broken(
            count,
            pinned.last_id,
            "it does not match the anchor: the chain was rewritten at or before it",
        )
    return None
