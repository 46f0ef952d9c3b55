"""The workbench's API (issue 16): an encounter's history from the audit trail, the claim
edits on its codes as they stand, the queue's sort and case-insensitive payer filter, the
encounters that failed to code, and the failure page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medcoder.errors import TimeBudgetError
from medcoder.pipeline import CodingEngine
from medcoder.records.service import Records

Headers = dict[str, dict[str, str]]


def _import(client: TestClient, headers: Headers, *documents: dict[str, Any]) -> None:
    made = client.post(
        "/v1/imports", json={"documents": list(documents)}, headers=headers["manager"]
    )
    assert made.status_code == 201 and not made.json()["errors"], made.text


def _document(encounter: str, payer: str, text: str = "ASSESSMENT: Gout.") -> dict[str, Any]:
    return {
        "mrn": "ZZ-0009", "name": "Orla Fenwick", "dob": "1958-02-03", "sex": "F",
        "encounter_id": encounter, "setting": "outpatient", "date": "2026-05-04",
        "kind": "note", "text": text, "payer": payer,
    }  # fmt: skip


def test_history_names_who_did_what_and_why(client: TestClient, headers: Headers) -> None:
    coder = headers["coder"]
    assert client.post("/v1/encounters/E-100/codes/E11.9/accept", headers=coder).is_success
    rejected = client.post(
        "/v1/encounters/E-100/codes/I10/reject", json={"reason": "not in the plan"},
        headers=coder,
    )  # fmt: skip
    assert rejected.is_success, rejected.text
    events = client.get("/v1/encounters/E-100/history", headers=coder).json()
    actions = [e["action"] for e in events]
    assert actions[:2] == ["import", "run_coding"] and "read" not in actions
    assert actions[-2:] == ["accept", "reject"]
    accept, reject = events[-2:]
    assert accept["actor"] == "coder" and accept["summary"] == "accepted E11.9"
    assert reject["summary"] == "rejected I10" and reject["reason"] == "not in the plan"
    assert "code(s) suggested" in events[1]["summary"]
    assert client.get("/v1/encounters/E-404/history", headers=coder).status_code == 404


def test_claim_check_runs_the_edits_without_finalizing(
    client: TestClient, headers: Headers
) -> None:
    coder = headers["coder"]
    check = client.get("/v1/encounters/E-100/claim-check", headers=coder)
    assert check.status_code == 200, check.text
    body = check.json()
    assert body["encounter"] == "E-100" and body["release_notice"] is None
    assert body["errors"] == sum(f["severity"] == "error" for f in body["findings"])
    assert body["releases"]["icd10cm"] == "icd10cm-2026-04"
    # An Excludes1 pair added by hand shows at once, next to its codes; nothing is locked.
    added = client.post("/v1/encounters/E-100/codes", json={"code": "E10.9"}, headers=coder)
    assert added.status_code == 201, added.text
    after = client.get("/v1/encounters/E-100/claim-check", headers=coder).json()
    paired = [f for f in after["findings"] if {"E10.9"} <= set(f["codes"])]
    assert paired and paired[0]["fix"]
    assert client.get("/v1/encounters/E-100", headers=coder).json()["status"] == "review"


def test_queue_payer_any_case_and_sorts(client: TestClient, headers: Headers) -> None:
    _import(client, headers, _document("E-301", "Zeta Care"), _document("E-302", "alpha plan"))
    for encounter in ("E-301", "E-302"):
        assert client.post(f"/v1/encounters/{encounter}/coding-runs", headers=headers["coder"])
    get = lambda **params: [  # noqa: E731
        i["encounter"]
        for i in client.get("/v1/queue", params=params, headers=headers["coder"]).json()
    ]
    assert get(payer="ZETA CARE") == ["E-301"] and get(payer=" zeta care ") == ["E-301"]
    assert get() == ["E-100", "E-301", "E-302"]  # longest waiting first
    assert get(sort="newest") == ["E-302", "E-301", "E-100"]
    assert get(sort="payer") == ["E-100", "E-302", "E-301"]  # Acme, alpha, Zeta
    assert set(get(sort="confidence")) == {"E-100", "E-301", "E-302"}
    assert get(sort="date") == ["E-100", "E-301", "E-302"]  # 2026-05-01, then 05-04 by age
    bad = client.get("/v1/queue", params={"sort": "sideways"}, headers=headers["coder"])
    assert bad.status_code == 422


@pytest.mark.usefixtures("client")
def test_failed_to_code_is_listed_with_the_reason(
    client: TestClient, headers: Headers, api_home: Path, coding_engine: CodingEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    records = Records.open(api_home, coder=coding_engine)

    def slow(self: Records, actor: str | None, encounter_id: str) -> int:
        raise TimeBudgetError("the note was not coded within its time budget")

    monkeypatch.setattr(Records, "run_coding", slow)
    try:
        report = records.code_pending("coder")
    finally:
        records.close()
    assert [f.encounter for f in report.failures] == ["E-200"]
    failed = client.get("/v1/queue/failed", headers=headers["manager"]).json()
    assert [(f["encounter"], f["error"], f["attempts"]) for f in failed] == [("E-200", "E302", 1)]
    assert "time budget" in failed[0]["message"] and failed[0]["payer"] == "Beta"
    assert client.get("/v1/queue/failed", headers=headers["admin"]).status_code == 403


def test_evidence_stays_with_a_changed_code_and_a_coded_dropped_candidate(
    client: TestClient, headers: Headers
) -> None:
    coder = headers["coder"]
    before = {c["code"]: c for c in client.get("/v1/encounters/E-100/codes", headers=coder).json()}
    assert before["E11.9"]["evidence"]
    changed = client.post(
        "/v1/encounters/E-100/codes/E11.9/change", json={"new_code": "E11.65"}, headers=coder
    )
    assert changed.is_success, changed.text
    after = {c["code"]: c for c in client.get("/v1/encounters/E-100/codes", headers=coder).json()}
    assert after["E11.65"]["evidence"] == before["E11.9"]["evidence"]

    _import(client, headers, _document(
        "E-303", "Delta", "ASSESSMENT: Essential hypertension. Denies chest pain. No pneumonia."
    ))  # fmt: skip
    assert client.post("/v1/encounters/E-303/coding-runs", headers=coder).status_code == 201
    (run,) = client.get("/v1/encounters/E-303/coding-runs", headers=coder).json()
    candidates = [d for d in run["result"]["dropped"] if d.get("code") and d.get("evidence")]
    assert candidates, run["result"]["dropped"]
    dropped = candidates[0]
    added = client.post("/v1/encounters/E-303/codes", json={"code": dropped["code"]}, headers=coder)
    assert added.status_code == 201, added.text
    rows = {c["code"]: c for c in client.get("/v1/encounters/E-303/codes", headers=coder).json()}
    assert rows[dropped["code"]]["evidence"] == [dropped["evidence"]]
