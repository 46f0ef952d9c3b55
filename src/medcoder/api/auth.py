"""Who is calling: a bearer token from ``/v1/login``, an API key, or the web session cookie.

Tokens are stateless and expire: ``base64url(name|expiry).hmac``, the HMAC keyed by the
records key (``FieldCipher.blind_index``), so no second secret has to be kept and rotating
the records key signs every session out. Every request still looks the user up, so a
deactivated user is refused at once.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from medcoder.errors import AuthenticationError
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

    name: str
    role: str


def issue_token(records: Records, name: str, ttl: dt.timedelta) -> tuple[str, dt.datetime]:
    expires = (dt.datetime.now(dt.UTC) + ttl).replace(microsecond=0)
    payload = f"{name}|{int(expires.timestamp())}"
    signature = records.cipher.blind_index(payload, purpose=PURPOSE)
    encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return f"{encoded}.{signature}", expires


def token_user(records: Records, token: str) -> str | None:
    """The user name a valid, unexpired token was issued to, else None."""
    encoded, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    expected = records.cipher.blind_index(payload, purpose=PURPOSE)
    if not hmac.compare_digest(expected, signature):
        return None
    name, _, expiry = payload.rpartition("|")
    if not expiry.isdigit() or int(expiry) < dt.datetime.now(dt.UTC).timestamp():
        return None
    return name


def _records(request: Request) -> Records:
    records: Records = request.app.state.services.records()
    return records


def _from_token(records: Records, token: str) -> Principal:
    name = token_user(records, token)
    found = records.active_user(name) if name else None
    if found is None:
        raise AuthenticationError(
            "the token is invalid or expired", hint="log in again: POST /v1/login"
        )
    return Principal(*found)


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
        found = records.api_key_user(api_key)
        if found is None:
            raise AuthenticationError("the API key is unknown or revoked")
        return Principal(*found)
    principal = cookie_principal(request)
    if principal is not None:
        return principal
    raise AuthenticationError(
        "authentication required",
        hint="POST /v1/login for a token, then send Authorization: Bearer TOKEN (or X-API-Key)",
    )


Actor = Annotated[Principal, Depends(current_principal)]
