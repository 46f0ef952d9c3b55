"""The authorization matrix: every endpoint x every role (and no credentials).

A role the records permission table allows is never refused (its answer may still be
404 or 409); a role it does not allow gets 403; without credentials every endpoint but
health and login answers 401. A test fails when an endpoint is missing from the matrix.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient

from medcoder.records.models import Role
from medcoder.records.permissions import PERMISSIONS, Action
from tests.api.conftest import PASSWORD, ROLES

E = "/v1/encounters/{encounter_id}"
C = E + "/codes/{code}"


class Endpoint(NamedTuple):
    method: str
    template: str
    url: str
    body: dict[str, Any] | None
    action: Action | None  # None: any authenticated user


DOCUMENT = {
    "mrn": "ZZ-0002", "name": "Pell Oxgarth", "dob": "1960-01-01", "encounter_id": "E-400",
    "setting": "outpatient", "date": "2026-06-01", "kind": "note", "text": "ASSESSMENT: Gout.",
}  # fmt: skip
MATRIX = [
    Endpoint("GET", "/v1/me", "/v1/me", None, None),
    Endpoint("GET", "/v1/users", "/v1/users", None, Action.MANAGE_USERS),
    Endpoint("POST", "/v1/users", "/v1/users", {"name": "newbie", "role": "coder"},
             Action.MANAGE_USERS),
    Endpoint("PUT", "/v1/users/{name}/password", "/v1/users/analyst/password",
             {"password": PASSWORD}, Action.MANAGE_USERS),
    Endpoint("POST", "/v1/users/{name}/deactivate", "/v1/users/analyst/deactivate", None,
             Action.MANAGE_USERS),
    Endpoint("POST", "/v1/users/{name}/reactivate", "/v1/users/analyst/reactivate", None,
             Action.MANAGE_USERS),
    Endpoint("POST", "/v1/api-keys", "/v1/api-keys", {"label": "mine"}, Action.OWN_CREDENTIALS),
    Endpoint("GET", "/v1/api-keys", "/v1/api-keys", None, Action.OWN_CREDENTIALS),
    Endpoint("POST", "/v1/api-keys/{key_id}/revoke", "/v1/api-keys/999/revoke", None,
             Action.OWN_CREDENTIALS),
    Endpoint("POST", "/v1/code", "/v1/code", {"text": "ASSESSMENT: Asthma."}, None),
    Endpoint("GET", "/v1/releases", "/v1/releases", None, None),
    Endpoint("GET", "/v1/releases/diff",
             "/v1/releases/diff?old=icd10cm-2021-01&new=icd10cm-2021-01", None, None),
    Endpoint("GET", "/v1/codes/search", "/v1/codes/search?q=asthma", None, None),
    Endpoint("GET", "/v1/codes/{code}", "/v1/codes/E11.9", None, None),
    Endpoint("GET", "/v1/codes/{code}/validation", "/v1/codes/E11.9/validation", None, None),
    Endpoint("GET", "/v1/index", "/v1/index?path=Asthma", None, None),
    Endpoint("GET", "/v1/tables/neoplasm", "/v1/tables/neoplasm?site=lung&behavior=benign",
             None, None),
    Endpoint("GET", "/v1/tables/drug", "/v1/tables/drug?substance=caffeine&intent=adverse-effect",
             None, None),
    Endpoint("POST", "/v1/imports", "/v1/imports", {"documents": [DOCUMENT]}, Action.IMPORT),
    Endpoint("GET", "/v1/encounters/pending", "/v1/encounters/pending", None, Action.RUN_CODING),
    Endpoint("POST", E + "/coding-runs", "/v1/encounters/E-200/coding-runs", None,
             Action.RUN_CODING),
    Endpoint("GET", E + "/coding-runs", "/v1/encounters/E-100/coding-runs", None,
             Action.VIEW_ENCOUNTER),
    Endpoint("GET", "/v1/queue", "/v1/queue", None, Action.VIEW_QUEUE),
    Endpoint("GET", "/v1/queue/failed", "/v1/queue/failed", None, Action.VIEW_QUEUE),
    Endpoint("GET", E + "/history", "/v1/encounters/E-100/history", None,
             Action.VIEW_ENCOUNTER),
    Endpoint("GET", E + "/claim-check", "/v1/encounters/E-100/claim-check", None,
             Action.VIEW_ENCOUNTER),
    Endpoint("GET", E + "/lock", "/v1/encounters/E-100/lock", None, Action.VIEW_QUEUE),
    Endpoint("POST", E + "/lock", "/v1/encounters/E-100/lock", None, Action.REVIEW),
    Endpoint("DELETE", E + "/lock", "/v1/encounters/E-100/lock", None, Action.REVIEW),
    Endpoint("POST", E + "/lock/release", "/v1/encounters/E-100/lock/release",
             {"reason": "out today"}, Action.ASSIGN),
    Endpoint("PUT", E + "/assignment", "/v1/encounters/E-100/assignment", {"user": None},
             Action.ASSIGN),
    Endpoint("POST", "/v1/queue/next", "/v1/queue/next", None, Action.REVIEW),
    Endpoint("GET", "/v1/query-templates", "/v1/query-templates", None, None),
    Endpoint("POST", E + "/queries", "/v1/encounters/E-100/queries",
             {"template": "acuity", "text": "shortness of breath", "code": "E11.9"},
             Action.REVIEW),
    Endpoint("GET", E + "/queries", "/v1/encounters/E-100/queries", None,
             Action.VIEW_ENCOUNTER),
    Endpoint("GET", "/v1/queries", "/v1/queries?status=open", None, Action.VIEW_ENCOUNTER),
    Endpoint("POST", "/v1/queries/{query_id}/answer", "/v1/queries/1/answer",
             {"answer": "Acute"}, Action.REVIEW),
    Endpoint("POST", "/v1/queries/{query_id}/close", "/v1/queries/1/close", None,
             Action.REVIEW),
    Endpoint("GET", "/v1/queries/report", "/v1/queries/report", None, Action.VIEW_QUEUE),
    Endpoint("GET", E, "/v1/encounters/E-100", None, Action.VIEW_ENCOUNTER),
    Endpoint("GET", E + "/documents", "/v1/encounters/E-100/documents", None,
             Action.VIEW_ENCOUNTER),
    Endpoint("GET", E + "/codes", "/v1/encounters/E-100/codes", None, Action.VIEW_ENCOUNTER),
    Endpoint("POST", C + "/accept", "/v1/encounters/E-100/codes/E11.9/accept", None,
             Action.REVIEW),
    Endpoint("POST", C + "/reject", "/v1/encounters/E-100/codes/I10/reject",
             {"reason": "not documented"}, Action.REVIEW),
    Endpoint("POST", C + "/change", "/v1/encounters/E-100/codes/E11.9/change",
             {"new_code": "E11.65"}, Action.REVIEW),
    Endpoint("POST", E + "/codes", "/v1/encounters/E-100/codes", {"code": "Z79.84"},
             Action.REVIEW),
    Endpoint("PUT", E + "/sequence", "/v1/encounters/E-100/sequence", {"codes": ["E11.65"]},
             Action.REVIEW),
    Endpoint("PUT", C + "/line", "/v1/encounters/E-100/codes/E11.9/line", {"units": 2},
             Action.REVIEW),
    Endpoint("PUT", C + "/poa", "/v1/encounters/E-100/codes/E11.9/poa", {"poa": "Y"},
             Action.REVIEW),
    Endpoint("POST", E + "/finalize", "/v1/encounters/E-100/finalize", None, Action.FINALIZE),
    Endpoint("POST", E + "/reopen", "/v1/encounters/E-100/reopen", {"reason": "audit"},
             Action.REOPEN),
    Endpoint("GET", "/v1/export", "/v1/export", None, Action.EXPORT_DEIDENTIFIED),
    Endpoint("GET", "/v1/export", "/v1/export?deidentified=false", None,
             Action.EXPORT_IDENTIFIED),
    Endpoint("POST", "/v1/audit/verify", "/v1/audit/verify", None, Action.VERIFY_AUDIT),
    Endpoint("GET", "/v1/reports", "/v1/reports", None, None),
    Endpoint("GET", "/v1/reports/{kind}", "/v1/reports/codes", None, Action.VIEW_REPORTS),
    Endpoint("GET", "/v1/outcomes/{registry}", "/v1/outcomes/diabetes", None,
             Action.VIEW_REPORTS),
    # Last: it ends the caller's token.
    Endpoint("POST", "/v1/logout", "/v1/logout", None, Action.OWN_CREDENTIALS),
]  # fmt: skip
OPEN = {("GET", "/v1/health"), ("POST", "/v1/login")}


def _call(client: TestClient, endpoint: Endpoint, headers: dict[str, str]) -> Any:
    return client.request(endpoint.method, endpoint.url, json=endpoint.body, headers=headers)


def test_the_matrix_covers_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert routes - OPEN == {(e.method, e.template) for e in MATRIX}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_the_role(
    role: str, client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    auth = headers[role]
    for endpoint in MATRIX:
        response = _call(client, endpoint, auth)
        allowed = endpoint.action is None or Role(role) in PERMISSIONS[endpoint.action]
        where = f"{role} {endpoint.method} {endpoint.url}: {response.status_code} {response.text}"
        if allowed:
            assert response.status_code not in (401, 403), where
            assert response.status_code < 500, where
        else:
            assert response.status_code == 403, where
            assert response.json()["error"]["code"] == "E403", where


def test_every_endpoint_needs_credentials(client: TestClient) -> None:
    for endpoint in MATRIX:
        response = _call(client, endpoint, {})
        assert response.status_code == 401, endpoint
        assert response.json()["error"]["code"] == "E501"
