"""Who is calling: a bearer token from ``/v1/login``, an API key, or the web session cookie.

Tokens are stateless and expire: ``base64url(name|version|expiry).hmac``, the HMAC keyed
by the records key (``FieldCipher.blind_index``), so no second secret has to be kept and
rotating the records key signs every session out. ``version`` is the user's credential
version: every request looks the user up and compares it, so after a password change, a
logout (``POST /v1/logout``) or a deactivation every earlier token is refused at once. A
request with an API key acts as a ``KeyActor``, so its audit events name the key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from medcoder.errors import AuthenticationError
from medcoder.records.permissions import KeyActor
from medcoder.records.service import Records

SESSION_COOKIE = "medcoder_session"
CSRF_HEADER = "X-Requested-With"  # cross-site forms cannot set it; see cookie_principal
PURPOSE = "api-token"

bearer = HTTPBearer(auto_error=False, description="A token from POST /v1/login")
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key (`medcoder users api-key`)"
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting user of a request (passed to the service as ``actor``)."""

    name: str  # a ``KeyActor`` (a str naming the key too) for a request with an API key
    role: str
    key_id: int | None = None


def issue_token(
    records: Records, name: str, version: int, ttl: dt.timedelta
) -> tuple[str, dt.datetime]:
    """A signed token for user ``name`` at credential ``version``, and when it expires."""
    expires = (dt.datetime.now(dt.UTC) + ttl).replace(microsecond=0)
    payload = f"{name}|{version}|{int(expires.timestamp())}"
    signature = records.cipher.blind_index(payload, purpose=PURPOSE)
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{signature}", expires


def token_user(records: Records, token: str) -> tuple[str, int] | None:
    """(user name, credential version) of a valid, unexpired token, else None."""
    encoded, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    expected = records.cipher.blind_index(payload, purpose=PURPOSE)
    if not hmac.compare_digest(expected, signature):
        return None
    rest, _, expiry = payload.rpartition("|")
    name, _, version = rest.rpartition("|")
    if not (version.isdigit() and expiry.isdigit()):
        return None  # also a token from before credential versions: log in again
    if int(expiry) < dt.datetime.now(dt.UTC).timestamp():
        return None
    return name, int(version)


def _records(request: Request) -> Records:
    records: Records = request.app.state.services.records()
    return records


def _from_token(records: Records, token: str) -> Principal:
    claim = token_user(records, token)
    found = records.active_user(*claim) if claim else None
    if found is None:
        raise AuthenticationError(
            "the token is invalid or expired", hint="log in again: POST /v1/login"
        )
    return Principal(*found)


def end_session(records: Records, token: str | None) -> None:
    """Log out the user of a valid session token everywhere (the workbench's logout).

    Its form sends no ``X-Requested-With``: the SameSite=Strict cookie is never sent by
    another site, so a valid cookie here is the user's own."""
    claim = token_user(records, token) if token else None
    if claim is not None and records.active_user(*claim) is not None:
        records.sign_out(claim[0])


def cookie_principal(request: Request) -> Principal | None:
    """The web session's user, or None. A state-changing request with the cookie must
    carry ``X-Requested-With`` too (with the SameSite=Strict cookie: no cross-site use)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if request.method not in ("GET", "HEAD") and not request.headers.get(CSRF_HEADER):
        raise AuthenticationError(
            "a request with the session cookie needs the X-Requested-With header",
            hint="send the token as Authorization: Bearer instead",
        )
    return _from_token(_records(request), token)


def form_token(session_token: str) -> str:
    """What the workbench's forms carry for this session when they post without script
    (``form_principal``): a digest of the session token, which a page on another site
    cannot read (the cookie is HttpOnly and SameSite=Strict), so cannot put in a form."""
    return hashlib.sha256(b"medcoder-form|" + session_token.encode()).hexdigest()


def form_principal(request: Request, sent: str | None) -> Principal | None:
    """The web session's user for a form posted without script: in place of the
    ``X-Requested-With`` header a form cannot send, it carries ``form_token`` of the
    session (the synchronizer-token pattern, OWASP CSRF Prevention Cheat Sheet)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if not sent or not hmac.compare_digest(sent, form_token(token)):
        raise AuthenticationError(
            "the form was not sent from this session's page",
            hint="open the encounter page again and send the form from it",
        )
    return _from_token(_records(request), token)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """Every endpoint but health and login depends on this."""
    records = _records(request)
    if credentials is not None and credentials.scheme.lower() == "bearer":
        return _from_token(records, credentials.credentials)
    if api_key:
        key = records.api_key_user(api_key)
        if key is None:
            raise AuthenticationError("the API key is unknown or revoked")
        return Principal(KeyActor(key.name, key.key_id), key.role, key.key_id)
    principal = cookie_principal(request)
    if principal is not None:
        return principal
    raise AuthenticationError(
        "authentication required",
        hint="POST /v1/login for a token, then send Authorization: Bearer TOKEN (or X-API-Key)",
    )


Actor = Annotated[Principal, Depends(current_principal)]
