"""Users, their roles and their credentials for the REST API (passwords and API keys)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.errors import InvalidInputError, PermissionDeniedError, WorkflowError
from medcoder.records import audit, passwords
from medcoder.records.gate import RecordsGate
from medcoder.records.models import ApiKey, Role, User
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
    """Adding users and roles; API passwords and keys (admins only, every change audited)."""

    def add_user(self, actor: str | None, name: str, role: str) -> None:
        """Add a user; the very first user must be an admin and needs no acting user."""
        parsed = Role.parse(role)
        name = name.strip()
        if not name:
            raise InvalidInputError("a user needs a name")
        with self._sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(User)) == 0:
                if parsed is not Role.ADMIN:
                    raise PermissionDeniedError(
                        "the first user must be an admin", hint="add it with --role admin"
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
            session.add(User(name=name, role=parsed.value))
            audit.record(
                session,
                actor=user.name,
                action="user_add",
                entity="user",
                entity_id=name,
                after={"role": parsed.value},
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

    # -- credentials (the REST API) ---------------------------------------------------
    def set_password(self, actor: str | None, name: str, password: str) -> None:
        """Set a user's API password (argon2id); only admins manage credentials."""
        hashed = passwords.hash_password(password)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            target.password_hash = hashed
            audit.record(
                session, actor=user.name, action="set_password", entity="user", entity_id=name
            )

    def authenticate(self, name: str, password: str) -> tuple[str, str] | None:
        """(name, role) when the password is right and the user active; a failure is
        audited (the name tried, never the password)."""
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == name))
            ok = passwords.verify_password(user.password_hash if user else None, password)
            if user is None or not ok or not user.active:
                audit.record(
                    session,
                    actor=name[:80] or "(none)",
                    action="login_failed",
                    entity="user",
                    entity_id=name[:120] or None,
                )
                return None
            return user.name, user.role

    def active_user(self, name: str) -> tuple[str, str] | None:
        """(name, role) of an active user, else None (checked on every API request)."""
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None or not user.active:
                return None
            return user.name, user.role

    def create_api_key(self, actor: str | None, name: str, label: str) -> str:
        """A new API key acting as user ``name``; the key is shown once, only its hash kept."""
        key = "mck_" + secrets.token_urlsafe(32)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            session.add(
                ApiKey(
                    user_id=target.id,
                    label=label.strip()[:120] or "api key",
                    key_hash=hashlib.sha256(key.encode()).hexdigest(),
                    created_by=user.name,
                )
            )
            audit.record(
                session,
                actor=user.name,
                action="api_key_create",
                entity="user",
                entity_id=name,
                after={"label": label[:120]},
            )
        return key

    def api_key_user(self, key: str) -> tuple[str, str] | None:
        """(name, role) of the active user an unrevoked key acts as, else None."""
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        with self._sessions() as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
            )
            if row is None or not row.user.active:
                return None
            return row.user.name, row.user.role
