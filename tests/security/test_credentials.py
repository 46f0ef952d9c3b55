"""Issue 17 items 3 and 4: credentials that can be revoked, and no acting as another user.

Each test first replays the attack the review found (an old token that outlives a
password change, a logout or a deactivation; a revoked key; an admin minting a key for a
coder and reading as them) and then checks the refusal.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from medcoder.cli import main
from medcoder.records.models import AuditEvent
from medcoder.records.service import Records
from tests.api.conftest import PASSWORD, login

NEW_PASSWORD = "a brand new passphrase"


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/v1/me", headers=headers).status_code


def _key(client: TestClient, headers: dict[str, str], **body: str) -> dict[str, str]:
    made = client.post("/v1/api-keys", json={"label": "test", **body}, headers=headers)
    assert made.status_code == 201, made.text
    found: dict[str, str] = made.json()
    return found


def test_a_password_change_ends_the_old_tokens(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    old = login(client, "coder")
    changed = client.put(
        "/v1/users/coder/password", json={"password": NEW_PASSWORD}, headers=headers["admin"]
    )
    assert changed.status_code == 204
    assert _me(client, old) == 401
    assert _me(client, login(client, "coder", NEW_PASSWORD)) == 200


def test_logout_ends_every_token_of_the_user(client: TestClient) -> None:
    first, second = login(client, "coder"), login(client, "coder")
    assert client.post("/v1/logout", headers=first).status_code == 204
    assert _me(client, first) == 401 and _me(client, second) == 401
    assert _me(client, login(client, "coder")) == 200


def test_the_workbench_logout_ends_the_session_token(client: TestClient) -> None:
    token = login(client, "coder")["Authorization"].split()[1]
    client.cookies.set("medcoder_session", token)
    assert client.get("/v1/me").status_code == 200
    client.post("/logout", follow_redirects=False)
    client.cookies.clear()
    assert _me(client, {"Authorization": f"Bearer {token}"}) == 401


def test_a_deactivated_user_loses_tokens_and_keys_until_reactivated(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    token = login(client, "coder")
    key = {"X-API-Key": _key(client, token)["key"]}
    assert _me(client, key) == 200
    done = client.post("/v1/users/coder/deactivate", headers=headers["admin"])
    assert done.status_code == 204, done.text
    assert _me(client, token) == 401 and _me(client, key) == 401
    refused = client.post("/v1/login", json={"username": "coder", "password": PASSWORD})
    assert refused.status_code == 401
    listed = client.get("/v1/users", headers=headers["admin"]).json()
    assert {"name": "coder", "role": "coder", "active": False} in [
        {k: u[k] for k in ("name", "role", "active")} for u in listed
    ]
    assert client.post("/v1/users/coder/reactivate", headers=headers["admin"]).status_code == 204
    assert _me(client, token) == 401  # the old token stays dead; a new login works
    assert _me(client, login(client, "coder")) == 200
    # Only admins deactivate, and the last active admin cannot lock everyone out.
    refused = client.post("/v1/users/reviewer/deactivate", headers=headers["manager"])
    assert refused.status_code == 403
    alone = client.post("/v1/users/admin/deactivate", headers=headers["admin"])
    assert alone.status_code in (403, 409) and _me(client, headers["admin"]) == 200


def test_a_revoked_key_is_refused(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    made = _key(client, headers["coder"])
    key = {"X-API-Key": made["key"]}
    assert _me(client, key) == 200
    # Another user (not an admin) cannot revoke it; the owner can.
    other = client.post(f"/v1/api-keys/{made['id']}/revoke", headers=headers["reviewer"])
    assert other.status_code in (403, 404) and _me(client, key) == 200
    for bad in ("0", str(2**70), "x"):
        assert (
            client.post(f"/v1/api-keys/{bad}/revoke", headers=headers["coder"]).status_code == 422
        )
    done = client.post(f"/v1/api-keys/{made['id']}/revoke", headers=headers["coder"])
    assert done.status_code == 204, done.text
    assert _me(client, key) == 401
    # An admin revokes anyone's key.
    second = _key(client, headers["coder"])
    by_admin = client.post(f"/v1/api-keys/{second['id']}/revoke", headers=headers["admin"])
    assert by_admin.status_code == 204 and _me(client, {"X-API-Key": second["key"]}) == 401


def test_an_admin_cannot_mint_a_key_for_a_person(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    minted = client.post(
        "/v1/api-keys", json={"user": "manager", "label": "mine now"}, headers=headers["admin"]
    )
    assert minted.status_code == 403, minted.text
    # ...so no identified export is read as the manager by the admin.
    assert client.get("/v1/export?deidentified=false", headers=headers["admin"]).status_code == 403


def test_keys_for_service_accounts_and_the_caller_only(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    added = client.post(
        "/v1/users",
        json={"name": "ehr-feed", "role": "manager", "service_account": True},
        headers=headers["admin"],
    )
    assert added.status_code == 201, added.text
    feed = _key(client, headers["admin"], user="ehr-feed")
    assert client.get("/v1/me", headers={"X-API-Key": feed["key"]}).json()["user"] == "ehr-feed"
    # A service account has no password, so no one logs in as it.
    password = client.put(
        "/v1/users/ehr-feed/password", json={"password": PASSWORD}, headers=headers["admin"]
    )
    assert password.status_code == 403
    # A user makes keys for itself only; a key cannot make keys (revoking it ends them all).
    assert _key(client, headers["coder"])["user"] == "coder"
    refused = client.post("/v1/api-keys", json={"user": "reviewer"}, headers=headers["coder"])
    assert refused.status_code == 403
    by_key = client.post("/v1/api-keys", json={}, headers={"X-API-Key": feed["key"]})
    assert by_key.status_code == 403


def test_events_under_an_api_key_carry_its_id(
    client: TestClient, headers: dict[str, dict[str, str]], api_home: Path
) -> None:
    made = _key(client, headers["manager"])
    key = {"X-API-Key": made["key"]}
    assert client.get("/v1/encounters/E-100", headers=key).status_code == 200
    assert client.get("/v1/encounters/E-100", headers=headers["manager"]).status_code == 200
    records = Records.open(api_home)
    try:
        with records._sessions() as session:
            reads = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "read", AuditEvent.actor == "manager")
                .order_by(AuditEvent.id)
            ).all()
        keys = [json.loads(event.detail).get("api_key") for event in reads]
        assert keys[-2:] == [made["id"], None]
        assert records.verify_audit("admin").ok
    finally:
        records.close()


def test_the_cli_revokes_deactivates_and_makes_service_accounts(api_home: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--home", str(api_home), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("users", "add", "feed", "--role", "coder", "--service-account", "--user", "admin")
    refused = runner.invoke(
        main, ["--home", str(api_home), "users", "api-key", "coder", "--user", "admin"]
    )
    assert refused.exit_code == 2 and "E403" in refused.output
    key = run("users", "api-key", "feed", "--user", "admin").strip()
    records = Records.open(api_home)
    try:
        assert records.api_key_user(key) is not None
        listed = run("users", "api-keys", "--user", "admin")
        key_id = next(line.split()[0] for line in listed.splitlines() if " feed " in line)
        run("users", "revoke-key", key_id, "--user", "admin")
        assert records.api_key_user(key) is None
        run("users", "deactivate", "coder", "--user", "admin")
        assert "coder  coder  (inactive)" in run("users", "list", "--user", "admin")
        assert records.authenticate("coder", PASSWORD) is None
        run("users", "reactivate", "coder", "--user", "admin")
        assert records.authenticate("coder", PASSWORD) is not None
    finally:
        records.close()


def test_a_refusal_under_an_api_key_names_the_key(
    client: TestClient, headers: dict[str, dict[str, str]], api_home: Path
) -> None:
    made = _key(client, headers["analyst"])
    refused = client.get("/v1/encounters/E-100", headers={"X-API-Key": made["key"]})
    assert refused.status_code == 403
    records = Records.open(api_home)
    try:
        with records._sessions() as session:
            last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and (last.actor, last.action) == ("analyst", "denied")
        assert json.loads(last.detail)["api_key"] == made["id"]
    finally:
        records.close()
