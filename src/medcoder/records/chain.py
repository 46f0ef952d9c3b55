"""Checking the audit chain: each link, the head, and the anchor outside the database.

What a link is (``legacy_hash`` for events from before keyed auditing, ``signed_hash``
since) and what ``audit verify`` reports (``ChainReport``); the writing side, which signs
events and anchors the head, is ``audit.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from medcoder.errors import DatabaseError
from medcoder.records import anchor, audit_keys
from medcoder.records.models import AuditEvent, AuditHead

GENESIS = "0" * 64


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


def verify_chain(session: Session, ring: audit_keys.AuditKeyRing, path: Path) -> ChainReport:
    """Walk the chain from the first event and check its head against the anchor file at
    ``path``; report the first edited, missing, extra, forged or downgraded event."""
    try:
        # Read before the walk: an anchor is written after its commit, so the walk sees it.
        pinned = anchor.read_anchor(path)
    except anchor.AnchorUnreadableError as exc:
        return ChainReport(0, None, f"the anchor file is garbled: {exc}", ChainStatus.BROKEN)
    try:
        walked = _walk(session, ring, since=pinned.last_id if pinned else 0)
    except SQLAlchemyError as exc:
        raise unreadable(exc) from exc
    if isinstance(walked, ChainReport):
        return walked
    return _check_anchor(path, ring, pinned, walked)


def unreadable(exc: SQLAlchemyError) -> DatabaseError:
    """One coded error for an audit table that cannot be read (altered or dropped)."""
    reason = (str(getattr(exc, "orig", None) or exc).splitlines() or ["?"])[0]
    return DatabaseError(
        f"cannot read the audit trail: {reason}",
        hint="its tables were altered or dropped: restore the database from a backup",
    )


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
            f"events {count + 1} to {pinned.last_id} are"
            if pinned.last_id > count + 1
            else f"event {pinned.last_id} is"
        )
        return _broken(
            count, count + 1, f"{missing} missing: the anchor names event {pinned.last_id}"
        )
    if walked.tail.get(pinned.last_id) != pinned.last_hash:
        return _broken(
            count,
            pinned.last_id,
            "it does not match the anchor: the chain was rewritten at or before it",
        )
    return None
