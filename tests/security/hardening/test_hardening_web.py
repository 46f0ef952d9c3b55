"""Issue 17, items 11, 12 and 16 (over HTTP): a huge query parameter gave a 500 with a
traceback; PHI pages and API answers had no CSP, framing, sniffing or caching headers, and
a cross-origin POST to /login set a session (login CSRF); an admin's import error named
another patient."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD
from tests.records.conftest import doc

HUGE = "9" * 40


def _log_in(client: TestClient, user: str = "coder", **headers: str) -> int:
    response = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "next": "/queue"},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def _one_error_shape(response: object, status: int) -> None:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == status  # type: ignore[attr-defined]
    assert body["ok"] is False and body["status"] == status
    assert set(body["error"]) == {"code", "message", "hint"}
    assert "Traceback" not in response.text  # type: ignore[attr-defined]


def _styled_page(response: object, status: int, value: str) -> None:
    """A workbench page's bad parameter: a styled page in the coder's words (issue 16,
    part 8), naming the parameter, never echoing its value, never a traceback."""
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "Something in the address is not right" in text and "E504" in text
    assert value not in text and "Traceback" not in text


# -- item 11: every query parameter is bounded ------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        f"offset={HUGE}",
        "offset=-1",
        f"offset=1e{HUGE}",
        "setting=" + "x" * 500,
        "payer=" + "x" * 500,
    ],
)
def test_the_web_queue_bounds_its_parameters(client: TestClient, query: str) -> None:
    assert _log_in(client) == 303
    _styled_page(client.get(f"/queue?{query}"), 422, query.split("=", 1)[1])


def test_a_large_but_allowed_offset_is_an_empty_page(client: TestClient) -> None:
    assert _log_in(client) == 303
    page = client.get("/queue?offset=10000000")
    assert page.status_code == 200 and "E-100" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        f"/v1/queue?offset={HUGE}",
        f"/v1/queue?limit={HUGE}",
        "/v1/queue?max_confidence=1e400",
        f"/v1/codes/search?q=asthma&limit={HUGE}",
        f"/v1/codes/E11.9?date=9{HUGE}-01-01",
        "/v1/codes/search?q=" + "a" * 5000,
    ],
)
def test_api_query_parameters_are_bounded(
    client: TestClient, headers: dict[str, dict[str, str]], path: str
) -> None:
    _one_error_shape(client.get(path, headers=headers["manager"]), 422)


def test_the_login_page_bounds_next(client: TestClient) -> None:
    _styled_page(client.get("/login?next=" + "/" * 5000), 422, "/" * 5000)


# -- item 12: security headers and login CSRF ------------------------------------------
def _assert_locked_down(response: object, *, cached: bool = False) -> None:
    h = response.headers  # type: ignore[attr-defined]
    assert "default-src 'self'" in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    if not cached:
        assert h["cache-control"] == "no-store"


def test_phi_pages_and_api_answers_carry_the_security_headers(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    assert _log_in(client) == 303
    for path in ("/queue", "/encounters/E-100", "/browse?q=asthma", "/login"):
        _assert_locked_down(client.get(path))
    for path in ("/v1/encounters/E-100", "/v1/queue", "/v1/me", "/v1/nothing-here"):
        _assert_locked_down(client.get(path, headers=headers["coder"]))
    _assert_locked_down(client.get("/v1/encounters/E-100"))  # a 401 too
    static = client.get("/static/workbench.css")  # no PHI: may be cached
    _assert_locked_down(static, cached=True)
    assert static.headers.get("cache-control") != "no-store"


@pytest.mark.parametrize(
    "forged",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "http://testserver.evil.example"},
    ],
)
def test_a_cross_origin_login_sets_no_session(client: TestClient, forged: dict[str, str]) -> None:
    assert _log_in(client, **forged) == 403
    assert "medcoder_session" not in client.cookies
    assert client.get("/queue", follow_redirects=False).status_code == 303  # to /login


@pytest.mark.parametrize(
    "same",
    [{}, {"Origin": "http://testserver"}, {"Referer": "http://testserver/login?next=/queue"}],
)
def test_a_same_origin_login_still_works(client: TestClient, same: dict[str, str]) -> None:
    assert _log_in(client, **same) == 303
    assert client.get("/queue").status_code == 200


# -- item 16 (over the API): the admin's import of an existing encounter ------------------
def test_an_admin_import_names_no_patient(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    other = {"mrn": "QX-000002", "name": "Brunhilde Quist", "dob": "1980-01-01"}
    answers = []
    for document in (doc("E-200", "Appended.", **other), doc("E-200", "Appended.")):
        response = client.post(
            "/v1/imports", json={"documents": [document]}, headers=headers["admin"]
        )
        answers.append(response.json())
    assert answers[0] == answers[1]
    assert "another patient" not in str(answers[0]) and "QX-" not in str(answers[0])
    stored = client.get("/v1/encounters/E-200/documents", headers=headers["manager"]).json()
    assert len(stored) == 1
