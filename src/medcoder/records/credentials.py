"""Credentials for the REST API: passwords, the credential version, and API keys.

Tokens are stateless (``api.auth``) but carry the user's ``credential_version``; a
password change, a logout (``sign_out``: every token of the user) and a deactivation bump
it, and every request checks it (``active_user``), so an old token is refused at once.

An API key acts as the user who made it, or as a service account an admin made it for:
never as another person, so an admin cannot read as a coder or a manager. A key cannot
make keys (revoking a leaked key then ends what it could do). Every event written under a
key names it (``permissions.KeyActor``, ``audit.VIA_KEY``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import NamedTuple

from sqlalchemy import select

from medcoder.errors import PermissionDeniedError, RecordNotFoundError
from medcoder.records import audit, passwords
from medcoder.records.gate import RecordsGate
from medcoder.records.models import ApiKey, Role, User, utcnow
from medcoder.records.permissions import Action, KeyActor, allowed

MAX_KEY_ID = 2**31 - 1  # key ids are database integers: a larger one names no key


class Login(NamedTuple):
    """A user who gave the right password: what a token is issued for."""

    name: str
    role: str
    version: int  # the credential version the token carries


class KeyUser(NamedTuple):
    """The user an API key acts as, and the key."""

    name: str
    role: str
    key_id: int


class NewKey(NamedTuple):
    """A key just made: ``key`` is shown this once, only its hash is kept."""

    id: int
    key: str
    user: str


class KeyView(NamedTuple):
    """An API key as listed (never the key itself)."""

    id: int
    user: str
    label: str
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


class CredentialsMixin(RecordsGate):
    """Passwords, logging out everywhere, API keys (made, listed, revoked); all audited."""

    def set_password(self, actor: str | None, name: str, password: str) -> None:
        """Set a user's password (argon2id; admins only). Every token issued before is
        refused from now on. A service account has none."""
        hashed = passwords.hash_password(password)
        with self._acting(actor, Action.MANAGE_USERS) as (session, user):
            target = self._user(session, name)
            if target.service_account:
                raise PermissionDeniedError(
                    f"{name} is a service account: it has no password",
                    hint=f"make it an API key: medcoder users api-key {name}",
                )
            target.password_hash = hashed
            target.credential_version += 1
            audit.record(
                session, actor=user.name, action="set_password", entity="user", entity_id=name
            )

    def authenticate(self, name: str, password: str) -> Login | None:
        """The login when the password is right and the user active; a failure is audited
        (the name tried, never the password)."""
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == name))
            ok = passwords.verify_password(user.password_hash if user else None, password)
            if user is None or not ok or not user.active:
                # A name that is no user may be anything typed into the form (a password,
                # a patient's name): the undeletable trail keeps only a keyed hash of it,
                # so repeated tries of one name still group together (issue 17 item 5).
                tried = name if user is not None else "(unknown user)"
                typed = name if user is not None else self._typed_name(name)
                audit.record(
                    session,
                    actor=tried[:80] or "(none)",
                    action="login_failed",
                    entity="user",
                    entity_id=typed[:120] or None,
                )
                return None
            return Login(user.name, user.role, user.credential_version)

    def _typed_name(self, name: str) -> str:
        """A keyed hash of a login name that is no user (never the name itself)."""
        return "name:" + self.cipher.blind_index(name, purpose="login-name")[:32]

    def active_user(self, name: str, version: int) -> tuple[str, str] | None:
        """(name, role) of an active user whose credentials are still at ``version``,
        else None (checked on every request with a token)."""
        with self._sessions() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None or not user.active or user.credential_version != version:
                return None
            return user.name, user.role

    def sign_out(self, actor: str | None) -> None:
        """Log ``actor`` out everywhere: every token issued to it so far is refused (its
        API keys are revoked one by one, ``revoke_api_key``)."""
        with self._acting(actor, Action.OWN_CREDENTIALS) as (session, user):
            user.credential_version += 1
            audit.record(
                session, actor=user.name, action="sign_out", entity="user", entity_id=user.name
            )

    # -- API keys -------------------------------------------------------------------------
    def create_api_key(self, actor: str | None, name: str | None, label: str) -> NewKey:
        """A new key acting as ``actor`` (``name`` None or the actor's own), or, by an
        admin, as service account ``name``; never as another person, never made by a key."""
        own = name is None or name == actor
        action = Action.OWN_CREDENTIALS if own else Action.MANAGE_USERS
        key = "mck_" + secrets.token_urlsafe(32)
        with self._acting(actor, action) as (session, user):
            if isinstance(actor, KeyActor):
                raise PermissionDeniedError(
                    "an API key cannot make API keys", hint="log in with a password to make one"
                )
            target = user if own else self._user(session, name or "")
            if not own and not target.service_account:
                raise PermissionDeniedError(
                    f"{target.name} is a person: a key acts as its maker or a service account",
                    hint=f"{target.name} makes its own key; or add a service account with "
                    "`medcoder users add NAME --role ROLE --service-account`",
                )
            row = ApiKey(
                user_id=target.id,
                label=label.strip()[:120] or "api key",
                key_hash=_digest(key),
                created_by=user.name,
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                actor=user.name,
                action="api_key_create",
                entity="user",
                entity_id=target.name,
                after={"label": label[:120], "key_id": row.id},
            )
            return NewKey(row.id, key, target.name)

    def list_api_keys(self, actor: str | None) -> list[KeyView]:
        """The actor's own keys; an admin's list has every key."""
        with self._acting(actor, Action.OWN_CREDENTIALS) as (session, user):
            query = select(ApiKey).order_by(ApiKey.id)
            if not allowed(Role(user.role), Action.MANAGE_USERS):
                query = query.where(ApiKey.user_id == user.id)
            return [
                KeyView(k.id, k.user.name, k.label, k.created_by, k.created_at, k.revoked_at)
                for k in session.scalars(query)
            ]

    def revoke_api_key(self, actor: str | None, key_id: int) -> None:
        """Revoke one key (its owner, or an admin): refused on every request from now."""
        with self._acting(actor, Action.OWN_CREDENTIALS) as (session, user):
            row = session.get(ApiKey, key_id) if 0 < key_id <= MAX_KEY_ID else None
            admin = allowed(Role(user.role), Action.MANAGE_USERS)
            if row is None or (row.user_id != user.id and not admin):
                # Another user's key is "not found": ids are not confirmed to strangers.
                raise RecordNotFoundError(
                    f"no API key {key_id} of yours", hint="`medcoder users api-keys` lists them"
                )
            if row.revoked_at is not None:
                return
            row.revoked_at = utcnow()
            audit.record(
                session,
                actor=user.name,
                action="api_key_revoke",
                entity="user",
                entity_id=row.user.name,
                after={"key_id": row.id},
            )

    def api_key_user(self, key: str) -> KeyUser | None:
        """The active user an unrevoked key acts as, with the key's id; else None."""
        with self._sessions() as session:
            row = session.scalar(
                select(ApiKey).where(ApiKey.key_hash == _digest(key), ApiKey.revoked_at.is_(None))
            )
            if row is None or not row.user.active:
                return None
            return KeyUser(row.user.name, row.user.role, row.id)
