"""Users and their roles: adding, changing a role, deactivating and reactivating.

A service account (``add_user(..., service_account=True)``) is a system such as an EHR
feed, not a person: it never has a password, and it is the only user an admin may make
API keys for (``credentials.py``), so an admin never acts as a person.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.errors import InvalidInputError, PermissionDeniedError, WorkflowError
from medcoder.records import audit
from medcoder.records.gate import RecordsGate
from medcoder.records.models import ApiKey, Role, User, utcnow
from medcoder.records.permissions import Action


def _keep_an_admin(session: Session, target: User) -> None:
    """Refuse to take ``target``'s admin role (demotion, deactivation) when no other active
    admin would remain: nobody could manage users or keys again."""
    if target.role != Role.ADMIN or not target.active:
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != target.id)
    )
    if not others:
        raise WorkflowError(
            f"{target.name} is the last admin: no one could manage users or keys",
            hint="make another user an admin first",
        )


class UsersMixin(RecordsGate):
    """Adding users, changing roles, deactivating (admins only, every change audited)."""

    def add_user(
        self, actor: str | None, name: str, role: str, *, service_account: bool = False
    ) -> None:
        """Add a user; the very first user must be an admin (a person) and needs no acting
        user. ``service_account``: a system that calls the API with keys, never a person."""
        parsed = Role.parse(role)
        name = name.strip()
        if not name:
            raise InvalidInputError("a user needs a name")
        with self._sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(User)) == 0:
                if parsed is not Role.ADMIN or service_account:
                    raise PermissionDeniedError(
                        "the first user must be an admin (a person, not a service account)",
                        hint="add it with --role admin",
                    )
                session.add(User(name=name, role=parsed.value))
                audit.record(
                    session,
                    actor=name,
                    action="user_add",
                    entity="user",
                    entity_id=name,
                    after={"role": parsed.value},
                    bootstrap=True,
                )
                return
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            if session.scalar(select(User).where(User.name == name)) is not None:
                raise InvalidInputError(
                    f"a user named {name!r} exists", hint="change a role with `medcoder users role`"
                )
            session.add(User(name=name, role=parsed.value, service_account=service_account))
            audit.record(
                session,
                actor=user.name,
                action="user_add",
                entity="user",
                entity_id=name,
                after={"role": parsed.value, "service_account": service_account},
            )

    def set_role(self, actor: str | None, name: str, role: str) -> None:
        """Give user ``name`` another role."""
        parsed = Role.parse(role)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            before = target.role
            if parsed is not Role.ADMIN:
                _keep_an_admin(session, target)
            target.role = parsed.value
            audit.record(
                session,
                actor=user.name,
                action="user_role",
                entity="user",
                entity_id=name,
                before={"role": before},
                after={"role": parsed.value},
            )

    def list_users(self, actor: str | None) -> list[tuple[str, str, bool]]:
        """Every user as (name, role, active), by name."""
        with self._acting(actor, Action.MANAGE_USERS) as (session, _user):
            users = session.scalars(select(User).order_by(User.name))
            return [(u.name, u.role, u.active) for u in users]

    def deactivate_user(self, actor: str | None, name: str) -> None:
        """Refuse user ``name`` from now on: every token (the credential version moves on)
        and every API key (revoked) stops working at once. The last active admin stays."""
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            _keep_an_admin(session, target)
            target.active = False
            target.credential_version += 1
            now = utcnow()
            keys = session.scalars(
                select(ApiKey).where(ApiKey.user_id == target.id, ApiKey.revoked_at.is_(None))
            ).all()
            for key in keys:
                key.revoked_at = now
            audit.record(
                session,
                actor=user.name,
                action="user_deactivate",
                entity="user",
                entity_id=name,
                after={"active": False, "keys_revoked": sorted(k.id for k in keys)},
            )

    def reactivate_user(self, actor: str | None, name: str) -> None:
        """Let user ``name`` log in again (tokens and keys from before stay refused)."""
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            target.active = True
            audit.record(
                session,
                actor=user.name,
                action="user_reactivate",
                entity="user",
                entity_id=name,
                after={"active": True},
            )
