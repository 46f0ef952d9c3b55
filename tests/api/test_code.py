"""POST /v1/code and the code-set routes give what the CLI gives."""

from __future__ import annotations

import json

from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcoder.cli import main

# Synthetic note, written for this test.
NOTE = (
    "CHIEF COMPLAINT: follow-up.\n"
    "ASSESSMENT AND PLAN:\n1. Type 2 diabetes mellitus with diabetic chronic kidney disease.\n"
    "2. Essential hypertension.\n"
)


def test_code_matches_the_cli_json(
    client: TestClient, headers: dict[str, dict[str, str]], tmp_path: object, built_home: object
) -> None:
    response = client.post(
        "/v1/code",
        json={"text": NOTE, "setting": "outpatient", "date": "2026-05-01", "id": "visit"},
        headers=headers["coder"],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["release"] == "icd10cm-2026-04"
    codes = [c["code"] for c in body["codes"]]
    assert "E11.22" in codes
    first = body["codes"][0]
    assert {"evidence", "index_path", "rules", "confidence"} <= set(first)
    assert 0 <= body["encounter_confidence"] <= 1
    note = tmp_path / "visit.txt"  # type: ignore[operator]
    note.write_text(NOTE, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--home", str(built_home), "code", str(note), "--date", "2026-05-01", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == body


def test_code_refuses_bad_input_in_the_error_shape(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    auth = headers["analyst"]  # coding a posted note stores nothing: every role may
    for bad in (
        {"text": NOTE, "setting": "hospice"},
        {"text": NOTE, "date": "2026-13-01"},
        {"text": NOTE, "age": -1},
        {"text": NOTE, "unknown": 1},
        {"text": 5},
    ):
        response = client.post("/v1/code", json=bad, headers=auth)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "E504"
    empty = client.post("/v1/code", json={"text": ""}, headers=auth)
    assert empty.status_code == 200 and empty.json()["codes"] == []


def test_codeset_routes(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    auth = headers["coder"]
    releases = client.get("/v1/releases", headers=auth).json()
    assert "icd10cm-2026-04" in [r["name"] for r in releases]
    shown = client.get("/v1/codes/S72.001A", params={"date": "2026-05-01"}, headers=auth).json()
    assert shown["code"] == "S72.001A" and shown["release"] == "icd10cm-2026-04"
    assert shown["seven_character"]["values"]
    check = client.get("/v1/codes/S00.00A/validation", headers=auth).json()
    assert check["valid"] is False
    hits = client.get("/v1/codes/search", params={"q": "heart failure"}, headers=auth).json()
    assert hits and any(h["code"].startswith("I50") for h in hits)
    for typed in ("E11.42", "Z79.84", "J96.01"):  # code numbers come first (issue 16)
        found = client.get("/v1/codes/search", params={"q": typed}, headers=auth).json()
        assert found[0]["code"] == typed and found[0]["source"] == "code"
    w00 = client.get("/v1/codes/search", params={"q": "W00", "limit": 3}, headers=auth).json()
    assert [h["code"] for h in w00][:2] == ["W00", "W00.0XXA"] and w00[1]["billable"]
    walk = client.get(
        "/v1/index", params={"path": "Diabetes, type 2, with, chronic kidney disease"}, headers=auth
    ).json()
    assert walk["code"] == "E11.22"
    neo = client.get(
        "/v1/tables/neoplasm", params={"site": "lung", "behavior": "malignant-primary"},
        headers=auth,
    ).json()  # fmt: skip
    assert neo["code"].startswith("C34")
    drug = client.get(
        "/v1/tables/drug",
        params={"substance": "acetaminophen", "intent": "poisoning-accidental"},
        headers=auth,
    ).json()
    assert drug["code"].startswith("T39.1X1")
    bad = client.get(
        "/v1/tables/drug", params={"substance": "x", "intent": "sideways"}, headers=auth
    )
    assert bad.status_code == 422
    diff = client.get(
        "/v1/releases/diff", params={"old": "icd10cm-2025-04", "new": "icd10cm-2026-04"},
        headers=auth,
    ).json()  # fmt: skip
    assert diff["added"] and {"added", "deleted", "revised", "notes_changed"} <= set(diff)
