"""The queue shows who holds each encounter, opening an encounter for work holds it, and
another coder sees it locked (issue 16, part 4); the claim panel's HCC flags (part 2)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.test_pages import _log_in

Headers = dict[str, dict[str, str]]


def test_opening_holds_and_others_see_it_locked(client: TestClient, headers: Headers) -> None:
    _log_in(client, "coder")
    page = client.get("/encounters/E-100").text
    assert 'id="held"' in page and "You hold this encounter until" in page
    assert (
        client.get("/v1/encounters/E-100/lock", headers=headers["reviewer"]).json()["locked_by"]
        == "coder"
    )
    _log_in(client, "reviewer")
    page = client.get("/encounters/E-100").text
    assert "<b>Locked:</b> coder is working this encounter until" in page
    queue = client.get("/queue").text
    row = queue.split('href="/encounters/E-100"')[1].split("</tr>")[0]
    assert "coder until" in row
    assert 'class="held"' in queue.split('href="/encounters/E-100"')[0].rsplit("<tr", 1)[1]
    mine = client.get("/queue", params={"mine": "true"}).text
    assert "E-100" not in mine and "The review queue is empty" in mine
    # The workbench's own call is refused with the holder named and a hint in its words.
    refused = client.post(
        "/v1/encounters/E-100/codes/E11.9/accept", headers={"X-Requested-With": "medcoder"}
    )
    error = refused.json()["error"]
    assert refused.status_code == 409 and error["code"] == "E408", refused.text
    assert "being worked by coder until" in error["message"]
    assert "Work queue" in error["hint"] and "medcoder" not in error["hint"]


def test_claim_panel_hcc_flags_on_the_page(client: TestClient, headers: Headers) -> None:
    document = {
        "mrn": "ZZ-0032", "name": "Ilse Brackwater", "dob": "1949-10-02", "sex": "F",
        "encounter_id": "E-820", "setting": "outpatient", "date": "2025-09-06",
        "kind": "note", "text": "ASSESSMENT: Gout.", "payer": "Medicare Advantage",
    }  # fmt: skip
    made = client.post("/v1/imports", json={"documents": [document]}, headers=headers["manager"])
    assert made.status_code == 201
    coder = headers["coder"]
    assert client.post("/v1/encounters/E-820/coding-runs", headers=coder).status_code == 201
    for code in ("E11.42", "E11.9"):
        assert client.post("/v1/encounters/E-820/codes", json={"code": code}, headers=coder)
    _log_in(client, "coder")
    page = client.get("/encounters/E-820").text
    assert 'data-next="E-100"' in page  # E-100 waits, unassigned: it is next
    assigned = client.put("/v1/encounters/E-100/assignment", json={"user": "reviewer"},
                          headers=headers["manager"])  # fmt: skip
    assert assigned.status_code == 200
    page = client.get("/encounters/E-820").text
    assert 'data-next=""' in page  # another's assignment is never offered as next
    slot = page.split('id="hcc-slot"')[1].split("</div>")[0]
    assert "RAF <b" in slot and "PY2026" in slot
    assert "HCC 38 dropped under HCC 37" in slot and "HCC 37</span>" in slot


def test_lock_hints_name_no_command() -> None:
    from medcoder.web.errors import workbench_hint

    for hint in (
        "work another encounter, or ask cora or a manager to release it "
        "(medcoder review E-1 release)",
        "a manager reassigns it: medcoder review E-1 assign USER",
    ):
        worded = workbench_hint(hint) or ""
        assert worded and "medcoder" not in worded and "--" not in worded, hint
