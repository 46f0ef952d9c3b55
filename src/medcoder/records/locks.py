"""The work lock on an encounter (issue 16, part 4): two coders never work the same one.

A lock is ``locked_by`` and ``locked_until`` on the encounter's row. Taking or renewing it
is one conditional UPDATE (free, expired, or already the taker's; and not assigned to
another user): the row that matches is the taker's, and exactly one of two coders taking
the same encounter at once gets it (SQLite runs one writing transaction at a time,
``BEGIN IMMEDIATE``; PostgreSQL's second UPDATE waits on the row and re-checks the
condition on the committed row). Opening an encounter for work takes it (the workbench's
page, ``review ENC take``, ``queue --next``); every review action then checks it
(``check``: refused while another user holds it, renewed when its user acts), and a
lapsed lock (``MEDCODER_LOCK_MINUTES``) is free again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from medcoder import settings
from medcoder.errors import EncounterLockedError
from medcoder.records.models import Encounter, utcnow


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes (stored as UTC)."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def live_holder(encounter: Encounter, now: dt.datetime | None = None) -> str | None:
    """Who holds the encounter now (None: free, or the lock lapsed)."""
    until = aware(encounter.locked_until)
    if encounter.locked_by is None or until is None or until <= (now or utcnow()):
        return None
    return encounter.locked_by


def unheld(now: dt.datetime) -> ColumnElement[bool]:
    """The rows no one holds now (never locked, released, or lapsed)."""
    return or_(
        Encounter.locked_by.is_(None),
        Encounter.locked_until.is_(None),
        Encounter.locked_until <= now,
    )


def free_for(user: str, now: dt.datetime) -> ColumnElement[bool]:
    """The rows ``user`` may hold: unlocked, lapsed or theirs; unassigned or theirs."""
    return and_(
        or_(
            Encounter.locked_by.is_(None),
            Encounter.locked_by == user,
            Encounter.locked_until.is_(None),
            Encounter.locked_until <= now,
        ),
        or_(Encounter.assigned_to.is_(None), Encounter.assigned_to == user),
    )


def held_error(encounter: Encounter, user: str, now: dt.datetime) -> EncounterLockedError:
    """E408 naming who holds the encounter and until when (or whom it is assigned to)."""
    holder = live_holder(encounter, now)
    name = encounter.external_id
    if holder is not None and holder != user:
        until = aware(encounter.locked_until)
        assert until is not None  # a live holder has an expiry
        return EncounterLockedError(
            f"encounter {name} is being worked by {holder} until "
            f"{until.strftime('%Y-%m-%d %H:%M')} UTC",
            hint=f"work another encounter, or ask {holder} or a manager to release it "
            f"(medcoder review {name} release)",
        )
    return EncounterLockedError(
        f"encounter {name} is assigned to {encounter.assigned_to}",
        hint=f"a manager reassigns it: medcoder review {name} assign USER",
    )


def hold(session: Session, encounter: Encounter, user: str) -> dt.datetime:
    """Take or renew ``user``'s lock on ``encounter``; its new expiry. E408 when another
    user holds it or it is assigned to another."""
    now = utcnow()
    until = now + settings.lock_ttl()
    done = session.connection().execute(
        update(Encounter)
        .where(Encounter.id == encounter.id, free_for(user, now))
        .values(locked_by=user, locked_until=until)
    )
    if done.rowcount != 1:
        session.refresh(encounter)
        raise held_error(encounter, user, now)
    set_committed_value(encounter, "locked_by", user)
    set_committed_value(encounter, "locked_until", until)
    return until


def check(session: Session, encounter: Encounter, user: str) -> None:
    """A review action's check: E408 while another user holds the encounter or it is
    assigned to another; ``user``'s own hold is renewed (activity). The row is locked
    for the rest of the transaction (PostgreSQL), so a take cannot slip in between."""
    session.refresh(encounter, with_for_update=True)
    now = utcnow()
    holder = live_holder(encounter, now)
    if (holder is not None and holder != user) or encounter.assigned_to not in (None, user):
        raise held_error(encounter, user, now)
    if holder == user:
        encounter.locked_until = now + settings.lock_ttl()
