"""/v1/health, /v1/login, /v1/me, and user administration (passwords, API keys)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from medcoder import __version__
from medcoder.api.auth import Actor
from medcoder.api.auth import issue_token as _issue_token
from medcoder.api.schemas import ApiKeyBody, LoginRequest, PasswordBody, UserBody
from medcoder.api.services import Services
from medcoder.errors import AuthenticationError

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
    token, expires = _issue_token(records, found[0], svc.settings.token_ttl)
    return {
        "token": token,
        "token_type": "bearer",
        "expires_at": expires.isoformat(),
        "user": found[0],
        "role": found[1],
    }


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
    services(request).records().add_user(actor.name, body.name, body.role)
    return {"ok": True, "name": body.name.strip(), "role": body.role}


@router.put("/users/{name}/password", status_code=204)
def set_password(name: str, body: PasswordBody, actor: Actor, request: Request) -> Response:
    """Set a user's password (admins; at least 12 characters)."""
    services(request).records().set_password(actor.name, name, body.password)
    return Response(status_code=204)


@router.post("/api-keys", status_code=201)
def create_api_key(body: ApiKeyBody, actor: Actor, request: Request) -> dict[str, Any]:
    """A new API key acting as ``user`` (admins); the key is returned once, never stored."""
    key = services(request).records().create_api_key(actor.name, body.user, body.label)
    return {"key": key, "user": body.user, "label": body.label}
