"""The encounter page and the queue for a coder's whole day (issue 16): documents under
their labels, the history timeline, the claim panel, the release notice of a date no
release covers, the finalize summary, the queue's sort and the failed-to-code page."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.test_pages import _log_in

Headers = dict[str, dict[str, str]]


def _document(encounter: str, kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "mrn": "ZZ-0011", "name": "Bram Oakhurst", "dob": "1950-07-08", "sex": "M",
        "encounter_id": encounter, "setting": "outpatient", "date": "2026-05-05",
        "kind": kind, "text": text, "payer": "Delta", **extra,
    }  # fmt: skip


def _coded(client: TestClient, headers: Headers, *documents: dict[str, Any]) -> str:
    made = client.post(
        "/v1/imports", json={"documents": list(documents)}, headers=headers["manager"]
    )
    assert made.status_code == 201 and not made.json()["errors"], made.text
    encounter = str(documents[0]["encounter_id"])
    ran = client.post(f"/v1/encounters/{encounter}/coding-runs", headers=headers["coder"])
    assert ran.status_code == 201, ran.text
    return encounter


def test_documents_are_labelled_and_separated(client: TestClient, headers: Headers) -> None:
    encounter = _coded(
        client, headers,
        _document("E-700", "progress_note", "ASSESSMENT: Essential hypertension."),
        _document("E-700", "lab_report", "RESULTS: Type 2 diabetes mellitus confirmed."),
    )  # fmt: skip
    _log_in(client)
    page = client.get(f"/encounters/{encounter}").text
    labels = re.findall(r'<span class="doc-label"[^>]*>([^<]+)</span>', page)
    assert labels == ["Document 1 of 2: progress note", "Document 2 of 2: lab report"]
    note = page.split('id="note">')[1].split("</pre>")[0]
    first, second = note.split("Document 2 of 2")
    assert "hypertension" in first and "diabetes" in second  # each under its own label
    marks = re.findall(r'data-keys="([^"]+)">([^<]+)</mark>', note)
    assert any("diabetes" in text.lower() for _, text in marks)  # offsets still line up


def test_history_claim_panel_and_finalize_summary(client: TestClient, headers: Headers) -> None:
    rejected = client.post(
        "/v1/encounters/E-100/codes/I10/reject", json={"reason": "not in the plan"},
        headers=headers["coder"],
    )  # fmt: skip
    assert rejected.is_success
    _log_in(client)
    page = client.get("/encounters/E-100").text
    history = page.split('id="history"')[1].split("</details>")[0]
    assert "rejected I10" in history and "not in the plan" in history
    assert "ran the coding engine" in history
    assert 'id="claim"' in page and "Edits read" in page
    assert 'id="confirm"' in page and "Finalize and open next" not in page  # none waiting
    assert 'id="acknowledge"' in page and 'aria-label="Acknowledge' in page
    assert re.search(r'<input id="acknowledge"[^>]*hidden', page)  # only when needed
    assert "<h3>Diagnoses" in page and "<h3>Procedures" in page
    assert '<details class="dropped" open>' not in page  # the dropped list starts closed


def test_a_date_no_release_covers_shows_its_notice(client: TestClient, headers: Headers) -> None:
    encounter = _coded(
        client, headers,
        _document("E-701", "note", "ASSESSMENT: Essential hypertension.", date="2001-06-01"),
    )  # fmt: skip
    _log_in(client)
    page = client.get(f"/encounters/{encounter}").text
    notice = page.split('id="release-notice"')[1].split("</p>")[0]
    assert "2001-06-01" in notice and "nearest" in notice
    claim = page.split('id="claim"')[1].split("</section>")[0]
    assert "2001-06-01" in claim  # on the claim panel too
    check = client.get(f"/v1/encounters/{encounter}/claim-check", headers=headers["coder"])
    assert "nearest" in check.json()["release_notice"]


def test_queue_sort_done_message_and_failed_page(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/queue", params={"sort": "payer", "done": "E-9", "payer": "acme health"})
    assert page.status_code == 200
    assert '<option value="payer" selected>' in page.text
    assert "E-9 finalized." in page.text and 'href="/encounters/E-100"' in page.text
    failed = client.get("/queue/failed")
    assert failed.status_code == 200 and "No encounter failed to code" in failed.text
    assert client.get("/queue", params={"sort": "sideways"}).status_code == 422


def test_finalize_goes_on_to_the_next_encounter(client: TestClient, headers: Headers) -> None:
    _coded(client, headers, _document("E-702", "note", "ASSESSMENT: Gout."))
    _log_in(client)
    page = client.get("/encounters/E-100", params={"done": "E-050"}).text
    assert 'data-next="E-702"' in page and "Finalize and open next" in page
    assert "E-050 finalized." in page


def test_code_this_on_a_dropped_candidate(client: TestClient, headers: Headers) -> None:
    encounter = _coded(
        client, headers,
        _document("E-703", "note", "ASSESSMENT: Essential hypertension. No pneumonia."),
    )  # fmt: skip
    _log_in(client)
    page = client.get(f"/encounters/{encounter}").text
    pattern = r'<button class="link code-this" type="button" data-code="([^"]+)"'
    codes = re.findall(pattern, page)
    assert codes, "no dropped candidate with a code"
    code = codes[0]
    added = client.post(
        f"/v1/encounters/{encounter}/codes", json={"code": code},
        headers={"X-Requested-With": "medcoder"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    after = client.get(f"/encounters/{encounter}").text
    assert "coded now" in after
    assert f'class="link code-this" type="button" data-code="{code}"' not in after


def test_a_claim_edit_shows_next_to_its_codes_with_its_fixes(
    client: TestClient, headers: Headers
) -> None:
    added = client.post(
        "/v1/encounters/E-100/codes", json={"code": "E10.9"}, headers=headers["coder"]
    )
    assert added.status_code == 201, added.text
    _log_in(client)
    page = client.get("/encounters/E-100").text
    claim = page.split('id="claim"')[1].split("</section>")[0]
    assert 'data-codes="' in claim and "E10.9" in claim
    assert 'data-fix="reject" data-key="c:E10.9"' in claim and "Reject E10.9" in claim
    card = page.split('data-key="c:E10.9"')[1].split("</header>")[0]
    assert 'class="finding sev-' in card  # the finding is marked on the code's card
