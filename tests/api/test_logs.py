"""No PHI in logs: the access log names route templates, never values."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.records.conftest import PATIENT


def test_access_log_carries_no_phi(
    client: TestClient, headers: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Zebulon Quartermaine"  # a synthetic name sent in a note and a query
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/v1/code", json={"text": f"Patient {secret}. Asthma."}, headers=headers["coder"]
        )
        client.get("/v1/encounters/E-100", headers=headers["coder"])
        client.get(f"/v1/codes/search?q={secret}", headers=headers["coder"])
        client.post("/v1/login", json={"username": secret, "password": "wrong password!"})
        client.post("/v1/code", json={"text": 7, "age": secret}, headers=headers["coder"])
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("medcoder")]
    assert any("/v1/encounters/{encounter_id} 200" in line for line in lines)
    # Everything the server side logged (httpx is the test's own client, logging its URLs).
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    for value in (secret, "E-100", PATIENT["name"], PATIENT["mrn"], "Asthma"):
        assert value not in text
