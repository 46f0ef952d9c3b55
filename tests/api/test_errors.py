"""One JSON error shape for every error, whatever raised it (pinned here)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from medcoder.api import ApiSettings, create_app
from medcoder.api.errors import status_for
from medcoder.errors import (
    AuthenticationError,
    DatabaseError,
    InvalidInputError,
    PermissionDeniedError,
    RecordNotFoundError,
    UnknownCodeError,
    WorkflowError,
)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The pinned shape: exactly these keys, nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "status", "error"}
    assert body["ok"] is False
    assert body["status"] == status
    assert set(body["error"]) == {"code", "message", "hint"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["hint"] is None or isinstance(body["error"]["hint"], str)
    return dict(body["error"])


def test_status_follows_the_error_code() -> None:
    assert status_for(AuthenticationError("x")) == 401
    assert status_for(PermissionDeniedError("x")) == 403
    assert status_for(RecordNotFoundError("x")) == 404
    assert status_for(UnknownCodeError("Q99", "icd10cm-2026-04")) == 404
    assert status_for(WorkflowError("x")) == 409
    assert status_for(InvalidInputError("x")) == 422
    assert status_for(DatabaseError("x")) == 503


def test_every_kind_of_error_has_the_one_shape(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    coder, analyst = headers["coder"], headers["analyst"]
    assert_error(client.get("/v1/queue"), 401, "E501")
    assert_error(client.get("/v1/queue", headers={"Authorization": "Bearer x.y"}), 401, "E501")
    assert_error(client.get("/v1/nowhere", headers=coder), 404, "E503")
    assert_error(client.delete("/v1/queue", headers=coder), 405, "E503")
    error = assert_error(client.post("/v1/code", json={"txt": "x"}, headers=coder), 422, "E504")
    assert "text" in error["message"]
    assert_error(client.get("/v1/queue", headers=analyst), 403, "E403")
    assert_error(client.get("/v1/encounters/E-999", headers=coder), 404, "E404")
    assert_error(client.post("/v1/encounters/E-100/finalize", headers=coder), 409, "E405")
    assert_error(client.get("/v1/codes/Q99.999", headers=coder), 404, "E205")
    error = assert_error(
        client.post("/v1/encounters/E-100/codes", json={"code": "E11"}, headers=coder), 422, "E300"
    )
    assert "E11" in error["message"]
    assert_error(client.get("/v1/codes/E11.9?release=icd10cm-1999", headers=coder), 404, "E201")


def test_a_body_over_the_limit_is_refused_unread(api_home: Any, coding_engine: Any) -> None:
    app = create_app(ApiSettings(home=api_home, engine=coding_engine, max_body_bytes=1000))
    with TestClient(app) as small:
        response = small.post("/v1/login", json={"username": "coder", "password": "x" * 2000})
        assert_error(response, 413, "E502")

        def chunks() -> Any:  # no Content-Length: counted while read
            yield b'{"username": "coder", "password": "'
            for _ in range(10):
                yield b"x" * 200
            yield b'"}'

        response = small.post(
            "/v1/login", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_error(response, 413, "E502")


def test_an_unexpected_error_says_nothing_of_the_request(
    client: TestClient, headers: dict[str, dict[str, str]], monkeypatch: Any
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("Ottoline Vantablack QX-774411")

    monkeypatch.setattr(services.records(), "queue", boom)
    quiet = TestClient(client.app, raise_server_exceptions=False)
    error = assert_error(quiet.get("/v1/queue", headers=headers["coder"]), 500, "E000")
    assert "Vantablack" not in error["message"]
