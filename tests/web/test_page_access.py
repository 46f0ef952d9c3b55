"""The pages' authorization matrix: every workbench page x every role, and signed out.

The pages read through the records service, which checks the permission table; a page a
role may not use answers 403 (E403) as a page, never a traceback or another role's data.
A test fails when a page is missing from the matrix (the API's own matrix, over
``/openapi.json``, is tests/api/test_authorization.py)."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from medcoder.records.models import Role
from medcoder.records.permissions import PERMISSIONS, Action
from tests.api.conftest import PASSWORD, ROLES

R26 = "release=icd10cm-2026-04"


class Page(NamedTuple):
    template: str
    url: str
    action: Action | None  # None: any signed-in user
    ok: int = 200
    signed_out: int = 303  # to the login page; a fragment answers 401 (workbench.js logs in)


PAGES = [
    Page("/", "/", None, 303),
    Page("/queue", "/queue", Action.VIEW_QUEUE),
    Page("/queue/failed", "/queue/failed", Action.VIEW_QUEUE),
    Page("/encounters/{encounter_id}", "/encounters/E-100", Action.VIEW_ENCOUNTER),
    Page(
        "/encounters/{encounter_id}/fragment",
        "/encounters/E-100/fragment?part=codes",
        Action.VIEW_ENCOUNTER,
        signed_out=401,
    ),
    Page("/browse", "/browse?q=asthma", None),
    Page("/encoder", "/encoder", None, 303),
    Page("/encoder/{book}", f"/encoder/neoplasm?{R26}", None),
    Page("/tabular/{code}", f"/tabular/C34.90?{R26}", None),
    Page("/dashboard", "/dashboard?kind=coders", Action.VIEW_REPORTS),
]
# Signing in and out: open to everyone, tested in test_pages.py.
OPEN = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
# The encounter page's forms without script: each action's roles, the session's form token
# and the origin are tested in test_review_forms.py.
# The queue's Take next (a form too): tested in test_assignment_pages.py.
FORMS = {("POST", "/encounters/{encounter_id}/review"), ("POST", "/queue/next")}
FRAMEWORK = ("/v1/", "/openapi.json", "/docs", "/static")


def test_the_matrix_covers_every_page(client: TestClient) -> None:
    routes = {
        (method, route.path)
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and not route.path.startswith(FRAMEWORK)
        for method in route.methods
    }
    assert routes - OPEN - FORMS == {("GET", page.template) for page in PAGES}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_the_role(role: str, client: TestClient) -> None:
    signed = client.post("/login", data={"username": role, "password": PASSWORD},
                         follow_redirects=False)  # fmt: skip
    assert signed.status_code == 303
    for page in PAGES:
        response = client.get(page.url, follow_redirects=False)
        allowed = page.action is None or Role(role) in PERMISSIONS[page.action]
        where = f"{role} GET {page.url}: {response.status_code}"
        if allowed:
            assert response.status_code == page.ok, where
        else:
            assert response.status_code == 403 and "E403" in response.text, where


def test_every_page_needs_a_session(client: TestClient) -> None:
    for page in (p for p in PAGES if p.ok == 200):  # the others only redirect
        response = client.get(page.url, follow_redirects=False)
        assert response.status_code == page.signed_out, page
        if page.signed_out == 303:
            assert response.headers["location"].startswith("/login"), page
