"""/v1/health, /v1/login, /v1/logout, /v1/me, and user administration (passwords, API
keys, deactivation)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from medcoder import __version__
from medcoder.api.auth import Actor
from medcoder.api.auth import issue_token as _issue_token
from medcoder.api.schemas import ApiKeyBody, LoginRequest, PasswordBody, UserBody
from medcoder.api.services import Services
from medcoder.errors import AuthenticationError
from medcoder.records.credentials import MAX_KEY_ID

router = APIRouter(prefix="/v1", tags=["auth"])


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


@router.get("/health")
def health() -> dict[str, Any]:
    """Liveness: needs no credentials and touches no database."""
    return {"ok": True, "version": __version__}


@router.post("/login")
def login(body: LoginRequest, request: Request) -> dict[str, Any]:
    """Exchange a user name and password for a bearer token that expires."""
    svc = services(request)
    records = svc.records()
    svc.logins.check(body.username)
    found = records.authenticate(body.username, body.password)
    if found is None:
        svc.logins.failed(body.username)
        raise AuthenticationError("wrong user name or password")
    svc.logins.succeeded(body.username)
    token, expires = _issue_token(records, found.name, found.version, svc.settings.token_ttl)
    return {
        "token": token,
        "token_type": "bearer",
        "expires_at": expires.isoformat(),
        "user": found[0],
        "role": found[1],
    }


@router.post("/logout", status_code=204)
def logout(actor: Actor, request: Request) -> Response:
    """Log the caller out everywhere: every token issued to it so far is refused (API keys
    are revoked one by one)."""
    services(request).records().sign_out(actor.name)
    return Response(status_code=204)


@router.get("/me")
def me(actor: Actor) -> dict[str, Any]:
    """The calling user and role."""
    return {"user": actor.name, "role": actor.role}


@router.get("/users")
def list_users(actor: Actor, request: Request) -> list[dict[str, Any]]:
    """Every user with role and status (admins)."""
    rows = services(request).records().list_users(actor.name)
    return [{"name": n, "role": r, "active": a} for n, r, a in rows]


@router.post("/users", status_code=201)
def add_user(body: UserBody, actor: Actor, request: Request) -> dict[str, Any]:
    """Add a user (admins)."""
    records = services(request).records()
    records.add_user(actor.name, body.name, body.role, service_account=body.service_account)
    return {
        "ok": True,
        "name": body.name.strip(),
        "role": body.role,
        "service_account": body.service_account,
    }


@router.put("/users/{name}/password", status_code=204)
def set_password(name: str, body: PasswordBody, actor: Actor, request: Request) -> Response:
    """Set a user's password (admins; at least 12 characters)."""
    services(request).records().set_password(actor.name, name, body.password)
    return Response(status_code=204)


@router.post("/users/{name}/deactivate", status_code=204)
def deactivate_user(name: str, actor: Actor, request: Request) -> Response:
    """Refuse a user from now on: its tokens and API keys stop working (admins)."""
    services(request).records().deactivate_user(actor.name, name)
    return Response(status_code=204)


@router.post("/users/{name}/reactivate", status_code=204)
def reactivate_user(name: str, actor: Actor, request: Request) -> Response:
    """Let a deactivated user log in again; its old tokens and keys stay refused (admins)."""
    services(request).records().reactivate_user(actor.name, name)
    return Response(status_code=204)


@router.post("/api-keys", status_code=201)
def create_api_key(body: ApiKeyBody, actor: Actor, request: Request) -> dict[str, Any]:
    """A new API key acting as the caller, or (admins) as service account ``user``; the
    key is returned once, never stored."""
    made = services(request).records().create_api_key(actor.name, body.user, body.label)
    return {"id": made.id, "key": made.key, "user": made.user, "label": body.label}


@router.get("/api-keys")
def list_api_keys(actor: Actor, request: Request) -> list[dict[str, Any]]:
    """The caller's API keys (an admin: every key), never the keys themselves."""
    rows = services(request).records().list_api_keys(actor.name)
    return [
        {
            "id": k.id,
            "user": k.user,
            "label": k.label,
            "created_by": k.created_by,
            "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
        }
        for k in rows
    ]


@router.post("/api-keys/{key_id}/revoke", status_code=204)
def revoke_api_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_KEY_ID)], actor: Actor, request: Request
) -> Response:
    """Revoke an API key (its owner, or an admin): refused on every request from now."""
    services(request).records().revoke_api_key(actor.name, key_id)
    return Response(status_code=204)
