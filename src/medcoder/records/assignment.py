"""Who works which encounter (issue 16, part 4): a manager assigns an encounter to a
coder, a coder takes the next unassigned one from the queue, and opening one for work
holds it (``locks``: one conditional UPDATE, so two coders taking the same encounter at
once never both get it). A hold lapses ``MEDCODER_LOCK_MINUTES`` after the holder's
last action; the holder releases it, or a manager does (audited, with a reason).

Taking, releasing and assigning are audited; renewing a hold one already has is not
(every review action renews it: the trail has the action itself).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from medcoder import settings
from medcoder.errors import InvalidInputError, WorkflowError
from medcoder.records import audit, locks
from medcoder.records.gate import RecordsGate
from medcoder.records.models import Encounter, EncounterStatus, Role, User, utcnow
from medcoder.records.permissions import Action, allowed

NEXT_TRIES = 20  # candidates tried by ``take_next`` when others take them first


@dataclass(frozen=True, slots=True)
class LockView:
    """An encounter's assignment and hold as they stand (a lapsed hold reads as none)."""

    encounter: str
    assigned_to: str | None
    locked_by: str | None
    locked_until: dt.datetime | None

    @classmethod
    def of(cls, encounter: Encounter) -> LockView:
        holder = locks.live_holder(encounter)
        until = locks.aware(encounter.locked_until) if holder else None
        return cls(encounter.external_id, encounter.assigned_to, holder, until)

    def to_json(self) -> dict[str, Any]:
        return {
            "encounter": self.encounter,
            "assigned_to": self.assigned_to,
            "locked_by": self.locked_by,
            "locked_until": self.locked_until.isoformat() if self.locked_until else None,
        }


class AssignmentMixin(RecordsGate):
    """Assign, take (and take the next), release; the lock as it stands."""

    def take(self, actor: str | None, encounter_id: str) -> LockView:
        """Hold the encounter for work (or renew one's hold); E408 naming the holder when
        another user holds it or it is assigned to another."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._encounter(session, encounter_id)
            self._editable(encounter)
            had = locks.live_holder(encounter) == user.name
            locks.hold(session, encounter, user.name)
            if not had:
                self._audit_lock(session, user, encounter, "lock_take")
            return LockView.of(encounter)

    def open_for_work(self, actor: str | None, encounter_id: str) -> LockView:
        """What opening the encounter's page does: a user who may review takes the hold of
        an encounter in review that no one else holds; otherwise it is only read."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, user):
            encounter = self._encounter(session, encounter_id)
            free = session.scalar(
                select(Encounter.id).where(
                    Encounter.id == encounter.id, locks.free_for(user.name, utcnow())
                )
            )
            if (
                allowed(Role(user.role), Action.REVIEW)
                and encounter.status == EncounterStatus.REVIEW
                and free is not None
            ):
                had = locks.live_holder(encounter) == user.name
                locks.hold(session, encounter, user.name)
                if not had:
                    self._audit_lock(session, user, encounter, "lock_take")
            return LockView.of(encounter)

    def take_next(self, actor: str | None) -> LockView | None:
        """Assign oneself the longest-waiting encounter in review that is unassigned and
        held by no one (oneself included: that one is already one's work), and hold it;
        None when there is none. Each candidate is taken by one conditional UPDATE: one
        another coder took meanwhile is passed over."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            now = utcnow()
            waiting = (
                select(Encounter.id)
                .where(
                    Encounter.status == EncounterStatus.REVIEW,
                    Encounter.assigned_to.is_(None),
                    locks.unheld(now),
                )
                .order_by(Encounter.coded_at, Encounter.id)
                .limit(NEXT_TRIES)
            )
            for encounter_id in list(session.scalars(waiting)):
                done = session.connection().execute(
                    update(Encounter)
                    .where(
                        Encounter.id == encounter_id,
                        Encounter.status == EncounterStatus.REVIEW,
                        Encounter.assigned_to.is_(None),
                        locks.unheld(now),
                    )
                    .values(
                        assigned_to=user.name, assigned_by=user.name, assigned_at=now,
                        locked_by=user.name, locked_until=now + settings.lock_ttl(),
                    )
                )  # fmt: skip
                if done.rowcount == 1:
                    encounter = session.get(Encounter, encounter_id)
                    assert encounter is not None  # just updated
                    session.refresh(encounter)
                    self._audit_lock(session, user, encounter, "assign", to=user.name)
                    return LockView.of(encounter)
            return None

    def release(self, actor: str | None, encounter_id: str) -> LockView:
        """Give up one's own hold (the encounter stays assigned to whom it was)."""
        with self._acting(actor, Action.REVIEW) as (session, user):
            encounter = self._row_locked(session, encounter_id)
            holder = locks.live_holder(encounter)
            if holder is None:
                raise WorkflowError(f"encounter {encounter.external_id} is not held by anyone")
            if holder != user.name:
                raise locks.held_error(encounter, user.name, utcnow())
            self._clear(session, encounter)
            self._audit_lock(session, user, encounter, "lock_release", holder=holder)
            return LockView.of(encounter)

    def force_release(self, actor: str | None, encounter_id: str, reason: str) -> LockView:
        """A manager ends another user's hold (audited with the holder and the reason)."""
        with self._acting(actor, Action.ASSIGN) as (session, user):
            encounter = self._row_locked(session, encounter_id)
            reason = self._reason(reason, "releasing another user's hold")
            holder = locks.live_holder(encounter)
            if holder is None:
                raise WorkflowError(f"encounter {encounter.external_id} is not held by anyone")
            self._clear(session, encounter)
            self._audit_lock(session, user, encounter, "lock_release", holder=holder, reason=reason)
            return LockView.of(encounter)

    def assign(self, actor: str | None, encounter_id: str, to: str | None) -> LockView:
        """Assign the encounter to user ``to`` (a role that reviews), or unassign it
        (None). A hold by anyone else ends: the assignee works it now."""
        with self._acting(actor, Action.ASSIGN) as (session, user):
            encounter = self._row_locked(session, encounter_id)
            self._editable(encounter)
            target = None
            if to is not None:
                target = self._user(session, to.strip())
                if not target.active or not allowed(Role(target.role), Action.REVIEW):
                    raise InvalidInputError(
                        f"{target.name} ({target.role}{'' if target.active else ', inactive'})"
                        " cannot review encounters",
                        hint="assign an active coder or reviewer",
                    )
            before = encounter.assigned_to
            holder = locks.live_holder(encounter)
            encounter.assigned_to = target.name if target else None
            encounter.assigned_by = user.name if target else None
            encounter.assigned_at = utcnow() if target else None
            ended = holder if holder is not None and holder != encounter.assigned_to else None
            if ended:
                encounter.locked_by = encounter.locked_until = None
            self._audit_lock(
                session, user, encounter, "assign", before=before, to=encounter.assigned_to,
                **({"released": ended} if ended else {}),
            )  # fmt: skip
            session.flush()
            return LockView.of(encounter)

    def lock_state(self, actor: str | None, encounter_id: str) -> LockView:
        """The encounter's assignment and hold as they stand."""
        with self._acting(actor, Action.VIEW_QUEUE) as (session, _user):
            return LockView.of(self._encounter(session, encounter_id))

    # -- helpers ------------------------------------------------------------------------
    def _row_locked(self, session: Session, encounter_id: str) -> Encounter:
        """The encounter, its row locked until the transaction ends (PostgreSQL: a take
        committed meanwhile is seen, not overwritten; SQLite writes one at a time)."""
        encounter = self._encounter(session, encounter_id)
        session.refresh(encounter, with_for_update=True)
        return encounter

    @staticmethod
    def _clear(session: Session, encounter: Encounter) -> None:
        encounter.locked_by = encounter.locked_until = None
        session.flush()

    @staticmethod
    def _audit_lock(
        session: Session, user: User, encounter: Encounter, action: str, **extra: Any
    ) -> None:
        audit.record(
            session, actor=user.name, action=action, entity="encounter",
            entity_id=encounter.external_id, **extra,
        )  # fmt: skip
