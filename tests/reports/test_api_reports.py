"""``GET /v1/reports/{kind}`` on the synthetic database: JSON, CSV, PNG/SVG, roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcoder.api.app import create_app
from medcoder.api.settings import ApiSettings
from medcoder.records.service import Records

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def client(synthetic: Records, records_home: Path) -> Iterator[TestClient]:
    for user in ("ann", "cora"):
        synthetic.set_password("root", user, PASSWORD)
    with TestClient(create_app(ApiSettings(home=records_home))) as test_client:
        yield test_client


def login(client: TestClient, user: str) -> dict[str, str]:
    response = client.post("/v1/login", json={"username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_report_json_csv_and_charts(client: TestClient) -> None:
    ann = login(client, "ann")
    got = client.get("/v1/reports/codes", params={"payer": "Acme", "by": "category"}, headers=ann)
    assert got.status_code == 200, got.text
    assert {r["category"]: r["count"] for r in got.json()["tables"]["top"]} == {
        "E11": 1, "I10": 1, "J45": 1, "M17": 1
    }  # fmt: skip
    csv = client.get("/v1/reports/edits", params={"format": "csv"}, headers=ann)
    assert csv.status_code == 200 and csv.text.splitlines() == ["edit,findings", "W1,2", "W2,1"]
    png = client.get("/v1/reports/coders", params={"format": "png"}, headers=ann)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(
        "/v1/reports/dnfb", params={"format": "svg", "as_of": "2026-03-25"}, headers=ann
    )
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "codes" in client.get("/v1/reports", headers=ann).json()


def test_report_errors(client: TestClient) -> None:
    ann = login(client, "ann")
    bad = client.get("/v1/reports/codes", params={"from": "2026-99-01"}, headers=ann)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "E300"
    assert client.get("/v1/reports/everything", headers=ann).status_code == 422
    refused = client.get("/v1/reports/codes", headers=login(client, "cora"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "E403"
    assert client.get("/v1/reports/codes").status_code == 401
    missing = client.get("/v1/outcomes/diabetes", headers=ann)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "E404"
