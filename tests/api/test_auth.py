"""Login with hashed passwords, expiring tokens, API keys; health needs nothing."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from medcoder.api import ApiSettings, create_app
from medcoder.api.auth import PURPOSE, issue_token, token_user
from medcoder.cli import main
from medcoder.errors import InvalidInputError
from medcoder.pipeline import CodingEngine
from medcoder.records.models import AuditEvent, User
from medcoder.records.service import Records
from tests.api.conftest import PASSWORD, login


def test_health_needs_no_credentials(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["ok"] is True and body["version"]


def test_login_gives_a_token_for_the_right_password_only(client: TestClient) -> None:
    response = client.post("/v1/login", json={"username": "coder", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == "coder" and body["role"] == "coder" and body["token_type"] == "bearer"
    assert dt.datetime.fromisoformat(body["expires_at"]) > dt.datetime.now(dt.UTC)
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {"user": "coder", "role": "coder"}
    for username, password in (("coder", "wrong password!"), ("nobody", PASSWORD)):
        bad = client.post("/v1/login", json={"username": username, "password": password})
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "E501"
        assert bad.headers["www-authenticate"] == "Bearer"


def test_passwords_are_stored_as_argon2_hashes_and_failures_audited(
    client: TestClient, api_home: Path
) -> None:
    client.post("/v1/login", json={"username": "coder", "password": "wrong password!"})
    records = Records.open(api_home)
    try:
        with records._sessions() as session:
            stored = session.scalar(select(User.password_hash).where(User.name == "coder"))
            assert stored and stored.startswith("$argon2id$") and PASSWORD not in stored
            failures = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "login_failed")
            ).all()
            assert [f.actor for f in failures] == ["coder"]
            assert all("wrong" not in f.detail for f in failures)
        with pytest.raises(InvalidInputError, match="12 characters"):
            records.set_password("admin", "coder", "short")
        assert records.verify_audit("admin").ok
    finally:
        records.close()


def test_tokens_expire_and_cannot_be_forged(client: TestClient, api_home: Path) -> None:
    records = Records.open(api_home)
    try:
        expired, _ = issue_token(records, "coder", 0, dt.timedelta(seconds=-1))
        assert token_user(records, expired) is None
        good, _ = issue_token(records, "coder", 1, dt.timedelta(minutes=5))
        assert token_user(records, good) == ("coder", 1)
        _payload, _, signature = good.partition(".")
        forged = issue_token(records, "admin", 1, dt.timedelta(minutes=5))[0].split(".")[0]
        assert token_user(records, f"{forged}.{signature}") is None
        assert token_user(records, "not a token") is None
        # A token from before credential versions (name|expiry), signed right, is refused.
        expiry = int((dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).timestamp())
        payload = f"coder|{expiry}"
        old = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        old_token = f"{old}.{records.cipher.blind_index(payload, purpose=PURPOSE)}"
        assert token_user(records, old_token) is None
    finally:
        records.close()
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_a_deactivated_user_is_refused_at_once(client: TestClient, api_home: Path) -> None:
    auth = login(client, "coder")
    records = Records.open(api_home)
    try:
        with records._sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == "coder"))
            assert user is not None
            user.active = False
    finally:
        records.close()
    assert client.get("/v1/me", headers=auth).status_code == 401


def test_api_keys_act_as_their_user(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    made = client.post("/v1/api-keys", json={"label": "my script"}, headers=headers["coder"])
    assert made.status_code == 201
    key = made.json()["key"]
    assert made.json()["user"] == "coder" and isinstance(made.json()["id"], int)
    assert key.startswith("mck_")
    assert client.get("/v1/me", headers={"X-API-Key": key}).json()["user"] == "coder"
    assert client.get("/v1/queue", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/v1/me", headers={"X-API-Key": key + "x"}).status_code == 401
    # Keys for another user: only an admin, only for a service account (tests/security).
    refused = client.post("/v1/api-keys", json={"user": "coder"}, headers=headers["manager"])
    assert refused.status_code == 403


def test_cli_sets_a_password_and_makes_an_api_key(
    api_home: Path, coding_engine: CodingEngine
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--home", str(api_home), "users", "password", "coder", "--user", "admin"],
        input="a new long passphrase\na new long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["--home", str(api_home), "users", "api-key", "reviewer", "--user", "coder"]
    )
    assert result.exit_code == 2 and "E403" in result.output
    result = runner.invoke(
        main, ["--home", str(api_home), "users", "api-key", "--user", "reviewer"]
    )
    assert result.exit_code == 0
    key = result.output.strip()
    app = create_app(ApiSettings(home=api_home, engine=coding_engine))
    with TestClient(app) as fresh:
        assert login(fresh, "coder", "a new long passphrase")
        assert fresh.get("/v1/me", headers={"X-API-Key": key}).json()["role"] == "reviewer"


def test_session_cookie_needs_the_csrf_header_for_changes(client: TestClient) -> None:
    token = login(client, "coder")["Authorization"].split()[1]
    client.cookies.set("medcoder_session", token)
    assert client.get("/v1/me").json()["user"] == "coder"
    refused = client.post("/v1/encounters/E-100/codes/E11.9/accept")
    assert refused.status_code == 401
    accepted = client.post(
        "/v1/encounters/E-100/codes/E11.9/accept", headers={"X-Requested-With": "medcoder"}
    )
    assert accepted.status_code == 200, accepted.text


def test_failed_logins_are_throttled_per_user_name(client: TestClient) -> None:
    for _ in range(5):
        wrong = client.post("/v1/login", json={"username": "coder", "password": "not it at all"})
        assert wrong.status_code == 401
    blocked = client.post("/v1/login", json={"username": "coder", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "E505"
    assert "try again in" in blocked.json()["error"]["hint"]
    # Another user is not held up, and a success clears that user's count.
    assert login(client, "reviewer")
    page = client.post("/login", data={"username": "coder", "password": PASSWORD})
    assert page.status_code == 429 and "too many failed logins" in page.text


def test_an_unknown_login_name_is_never_stored_in_clear(client: TestClient, api_home: Path) -> None:
    """Issue 17 item 5: a password or a patient's name typed as the user name."""
    typed = "Ottoline Vantablack hunter2!"
    for _ in range(2):
        client.post("/v1/login", json={"username": typed, "password": "whatever it is"})
    records = Records.open(api_home)
    try:
        with records._sessions() as session:
            failures = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "login_failed")
            ).all()
            assert len(failures) == 2
            for f in failures:
                assert "Vantablack" not in f"{f.actor} {f.entity_id} {f.detail}"
                assert f.actor == "(unknown user)"
            assert failures[0].entity_id == failures[1].entity_id  # tries of one name group
    finally:
        records.close()
