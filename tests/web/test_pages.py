"""The workbench pages: login sets the session cookie; the queue, the encounter page with
its evidence marked and linked, and the code browser render from the same services."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD
from tests.records.conftest import PATIENT


def _log_in(client: TestClient, user: str = "coder") -> None:
    response = client.post(
        "/login", data={"username": user, "password": PASSWORD, "next": "/queue"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_pages_need_a_session(client: TestClient) -> None:
    for path in ("/queue", "/encounters/E-100", "/browse"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    failed = client.post("/login", data={"username": "coder", "password": "nope nope nope"})
    assert failed.status_code == 401 and "Wrong user name or password" in failed.text


def test_login_never_redirects_off_site(client: TestClient) -> None:
    response = client.post(
        "/login", data={"username": "coder", "password": PASSWORD, "next": "//evil.example"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.headers["location"] == "/queue"


def test_queue_lists_encounters_in_review(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/queue").text
    assert 'href="/encounters/E-100"' in page
    assert "E-200" not in page  # pending, not coded yet


def test_encounter_page_marks_evidence_and_links_codes(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/encounters/E-100").text
    assert PATIENT["name"] in page
    cards = re.findall(r'<article class="code-card[^"]*" data-key="c:([^"]+)"', page)
    assert {"E11.9", "I10"} <= set(cards)
    marks = re.findall(r'<mark class="[^"]*" data-keys="([^"]+)">([^<]+)</mark>', page)
    by_code = {key: text for keys, text in marks for key in keys.split()}
    assert "diabetes" in by_code["c:E11.9"].lower()
    assert "hypertension" in by_code["c:I10"].lower()
    assert "Why: index path and rules" in page


def test_dropped_candidates_are_listed_with_their_reasons(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    document = {
        "mrn": "ZZ-0003", "name": "Tamsin Holloway", "dob": "1970-04-05", "sex": "F",
        "encounter_id": "E-500", "setting": "outpatient", "date": "2026-05-01", "kind": "note",
        "text": "ASSESSMENT: Essential hypertension. Denies chest pain. No pneumonia.",
    }  # fmt: skip
    made = client.post("/v1/imports", json={"documents": [document]}, headers=headers["manager"])
    assert made.status_code == 201
    assert client.post("/v1/encounters/E-500/coding-runs", headers=headers["coder"]).is_success
    _log_in(client)
    page = client.get("/encounters/E-500").text
    assert "Considered and dropped" in page
    dropped = re.findall(r'<li data-key="(d:\d+)" class="linkable">(.*?)</li>', page, re.S)
    assert dropped and any("documented as absent" in text for _, text in dropped)
    marked = re.findall(r'<mark class="dr" data-keys="(d:\d+)">([^<]+)</mark>', page)
    assert {key for key, _ in marked} <= {key for key, _ in dropped}
    assert any("pneumonia" in text.lower() or "chest pain" in text.lower() for _, text in marked)


def test_admin_sees_no_phi_in_the_workbench(client: TestClient) -> None:
    _log_in(client, "admin")
    page = client.get("/encounters/E-100")
    assert page.status_code == 403 and "E403" in page.text
    assert PATIENT["name"] not in page.text


def test_code_browser(client: TestClient) -> None:
    _log_in(client)
    entry = client.get("/browse", params={"code": "S72.001A", "release": "icd10cm-2026-04"}).text
    assert "S72.001A" in entry and "7th character" in entry
    hits = client.get("/browse", params={"q": "asthma"}).text
    assert "J45" in hits
    walk = client.get("/browse", params={"path": "Diabetes, type 2, with, chronic kidney disease"})
    assert "E11.22" in walk.text
    diff = client.get("/browse", params={"old": "icd10cm-2025-04", "new": "icd10cm-2026-04"})
    assert "added" in diff.text and diff.status_code == 200
    assert "Added (615)" in diff.text and "1–100 of 615" in diff.text
    last = client.get("/browse", params={"old": "icd10cm-2025-04", "new": "icd10cm-2026-04",
                                         "show": "added", "page": 7})  # fmt: skip
    assert "601–615 of 615" in last.text and "page 7 of 7" in last.text
    # The changed notes themselves, old and new (issue 16), not only their count.
    notes = client.get("/browse", params={"old": "icd10cm-2025-04", "new": "icd10cm-2026-04",
                                          "show": "notes_changed"}).text  # fmt: skip
    assert "Notes changed (165)" in notes
    row = notes.split('href="/browse?code=B18&')[1].split("</tr>")[0]
    assert "use additional code" in row and "<ins>code, if applicable, for ascites (R18.8)" in row
    inclusion = notes.split('href="/browse?code=B96.21&')[1].split("</tr>")[0]
    assert "<del>O157:H7 Escherichia coli [E.coli]" in inclusion
    assert "<ins>O157:H7 Escherichia coli [E. coli]" in inclusion
    missing = client.get("/browse", params={"code": "Q99.999"})
    assert missing.status_code == 404 and "E205" in missing.text
