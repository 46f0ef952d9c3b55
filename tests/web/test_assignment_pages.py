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


def _take_next(client: TestClient, page: str, origin: str | None = None) -> str:
    csrf = page.split('id="take-next"')[1].split('name="csrf" value="')[1].split('"')[0]
    sent = {"origin": origin} if origin else {}
    done = client.post("/queue/next", data={"csrf": csrf}, headers=sent, follow_redirects=False)
    assert done.status_code in (303, 403), done.text
    return done.headers.get("location", done.text)


def test_take_next_takes_the_free_one_and_skips_held(client: TestClient, headers: Headers) -> None:
    _log_in(client, "reviewer")
    client.get("/encounters/E-100")  # the reviewer holds E-100 (opened for work)
    _log_in(client, "coder")
    queue = client.get("/queue").text
    assert '<form method="post" action="/queue/next" id="take-next">' in queue
    assert _take_next(client, queue) == "/queue?none_free=true"  # E-100 is held by another
    told = client.get("/queue", params={"none_free": "true"}).text
    assert 'id="none-free" role="status"' in told and "No encounter is free to take" in told
    # The reviewer lets it go: the coder's Take next gets it, assigned and held.
    released = client.delete("/v1/encounters/E-100/lock", headers=headers["reviewer"])
    assert released.status_code == 200, released.text
    assert _take_next(client, client.get("/queue").text) == "/encounters/E-100"
    lock = client.get("/v1/encounters/E-100/lock", headers=headers["manager"]).json()
    assert lock["assigned_to"] == "coder" and lock["locked_by"] == "coder"
    # Taken already (assigned): no one else's Take next gets it.
    _log_in(client, "reviewer")
    assert _take_next(client, client.get("/queue").text) == "/queue?none_free=true"


def test_take_next_is_refused_from_elsewhere_and_hidden_from_readers(
    client: TestClient, headers: Headers
) -> None:
    _log_in(client, "coder")
    page = client.get("/queue").text
    forged = client.post("/queue/next", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 401 and "E501" in forged.text
    other = _take_next(client, page, origin="https://elsewhere.example")
    assert "E403" in other and "another site" in other
    lock = client.get("/v1/encounters/E-100/lock", headers=headers["manager"]).json()
    assert lock["assigned_to"] is None and lock["locked_by"] is None  # nothing was taken
    _log_in(client, "analyst")  # reads, never reviews: no button
    assert 'id="take-next"' not in client.get("/queue").text
    client.cookies.clear()
    gone = client.post("/queue/next", data={"csrf": "x"}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_the_page_has_a_polite_live_region(client: TestClient) -> None:
    _log_in(client, "coder")
    for url in ("/queue", "/encounters/E-100"):
        page = client.get(url).text
        assert page.count('aria-live="polite"') >= 1 and 'id="announce"' in page
