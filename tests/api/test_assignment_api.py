"""Assignment and the work lock over the API (issue 16, part 4), and the claim panel's
HCC flags for a payer that risk-adjusts (part 2)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

Headers = dict[str, dict[str, str]]


def test_lock_take_refuse_release_assign_next(client: TestClient, headers: Headers) -> None:
    coder, reviewer, manager = headers["coder"], headers["reviewer"], headers["manager"]
    taken = client.post("/v1/encounters/E-100/lock", headers=coder)
    assert taken.status_code == 200, taken.text
    assert taken.json()["locked_by"] == "coder" and taken.json()["locked_until"]
    refused = client.post("/v1/encounters/E-100/codes/E11.9/accept", headers=reviewer)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "E408" and "being worked by coder until" in error["message"]
    queue = client.get("/v1/queue", headers=reviewer).json()
    assert queue[0]["encounter"] == "E-100" and queue[0]["locked_by"] == "coder"
    assert client.get("/v1/encounters/E-100/lock", headers=reviewer).json()["locked_by"] == "coder"
    # The holder's own release; a manager's release of another's hold (a reason needed).
    assert client.delete("/v1/encounters/E-100/lock", headers=reviewer).status_code == 409
    assert client.post("/v1/encounters/E-100/lock/release", json={"reason": ""},
                       headers=manager).status_code == 422  # fmt: skip
    released = client.post(
        "/v1/encounters/E-100/lock/release", json={"reason": "coder left"}, headers=manager
    )
    assert released.status_code == 200 and released.json()["locked_by"] is None
    assigned = client.put(
        "/v1/encounters/E-100/assignment", json={"user": "reviewer"}, headers=manager
    )
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "reviewer"
    assert client.post("/v1/encounters/E-100/lock", headers=coder).status_code == 409
    mine = client.get("/v1/queue", params={"mine": True}, headers=reviewer).json()
    assert [i["encounter"] for i in mine] == ["E-100"]
    assert client.get("/v1/queue", params={"mine": True}, headers=coder).json() == []
    assert client.put("/v1/encounters/E-100/assignment", json={"user": "analyst"},
                      headers=manager).status_code == 422  # fmt: skip
    assert client.put("/v1/encounters/E-100/assignment", json={"user": None},
                      headers=manager).json()["assigned_to"] is None  # fmt: skip
    following = client.post("/v1/queue/next", headers=coder).json()
    assert following["encounter"] == "E-100" and following["assigned_to"] == "coder"
    assert client.post("/v1/queue/next", headers=reviewer).json() == {"encounter": None}


def _document(encounter: str, payer: str) -> dict[str, Any]:
    return {
        "mrn": "ZZ-0031", "name": "Tamsin Quellbrook", "dob": "1951-04-09", "sex": "F",
        "encounter_id": encounter, "setting": "outpatient", "date": "2026-05-06",
        "kind": "note", "text": "ASSESSMENT: Gout.", "payer": payer,
    }  # fmt: skip


@pytest.mark.parametrize("payer", ["MEDICARE ADVANTAGE", "Delta"])
def test_claim_panel_hcc_flags(
    payer: str, client: TestClient, headers: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEDCODER_RISK_ADJUSTED_PAYERS", raising=False)
    coder = headers["coder"]
    made = client.post("/v1/imports", json={"documents": [_document("E-810", payer)]},
                       headers=headers["manager"])  # fmt: skip
    assert made.status_code == 201, made.text
    assert client.post("/v1/encounters/E-810/coding-runs", headers=coder).status_code == 201
    for code in ("E11.42", "E11.9", "I50.22"):
        added = client.post("/v1/encounters/E-810/codes", json={"code": code}, headers=coder)
        assert added.status_code == 201, added.text
    hcc = client.get("/v1/encounters/E-810/claim-check", headers=coder).json()["hcc"]
    if payer == "Delta":
        assert hcc is None  # a payer that does not risk-adjust: no flags
        return
    assert hcc["model"] == "CMS-HCC Model V28" and hcc["payment_year"] == 2026
    flags = {c["code"]: c for c in hcc["codes"]}
    assert flags["E11.42"]["kept"] == ["37"]
    assert flags["E11.9"]["kept"] == [] and flags["E11.9"]["dropped"] == [{"hcc": "38", "by": "37"}]
    assert flags["I50.22"]["kept"] == ["226"]
    assert {h["hcc"] for h in hcc["hccs"]} == {"37", "226"}
    coefficients = sum(h["coefficient"] for h in hcc["hccs"])
    coefficients += sum(i["coefficient"] for i in hcc["interactions"])
    assert hcc["risk_score"] == pytest.approx(hcc["demographic_score"] + coefficients, abs=2e-3)
    assert any("not modelled" in n for n in hcc["notes"])  # 2026 service -> PY2027
    assert (hcc["eligible"] is False) == bool(hcc["ineligible_reason"])


def test_queries_listed_by_status_encounter_provider(client: TestClient, headers: Headers) -> None:
    coder = headers["coder"]
    body = {"template": "acuity", "text": "short of breath", "provider": "Dr Quill"}
    asked = client.post("/v1/encounters/E-100/queries", json=body, headers=coder)
    assert asked.status_code == 201, asked.text
    get = lambda **params: client.get("/v1/queries", params=params, headers=coder).json()  # noqa: E731
    assert [q["id"] for q in get(status="open", provider="DR QUILL")] == [asked.json()["query"]]
    assert get(status="closed") == [] and get(provider="Dr Other") == []
    assert get(encounter="E-100")[0]["provider"] == "Dr Quill"
    assert (
        client.get("/v1/queries", params={"encounter": "E-404"}, headers=coder).status_code == 404
    )
