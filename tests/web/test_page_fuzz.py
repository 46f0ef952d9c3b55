"""The new pages' parameters, generated (the schemathesis run covers ``/openapi.json``
only, and the pages are not in it): whatever a browser's address bar sends, the dashboard,
the encoder and the release diff answer a page, a redirect or a styled 4xx page, never a
500, never a traceback, never the typed value back unescaped."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_pages import _log_in

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
DAYS = st.one_of(st.just(""), st.dates().map(str), TEXT)
BOOKS = st.sampled_from(["index", "eindex", "neoplasm", "drug", "tabular", ""])
FUZZ = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _fine(response: Any) -> None:
    where = f"{response.request.url}: {response.status_code}"
    assert response.status_code < 500, where
    assert "Traceback" not in response.text and "<script>x" not in response.text, where


def test_generated_page_addresses(client: TestClient) -> None:
    _log_in(client, "manager")  # every page here is open to the manager

    @FUZZ
    @given(kind=TEXT, start=DAYS, end=DAYS, setting=TEXT, payer=TEXT, every=st.booleans())
    def dashboard(kind: str, start: str, end: str, setting: str, payer: str, every: bool) -> None:
        params = {"kind": kind, "from": start, "to": end, "setting": setting, "payer": payer}
        _fine(client.get("/dashboard", params={**params, "all": "1" if every else ""}))

    @FUZZ
    @given(book=BOOKS, path=TEXT, letter=TEXT, term=st.integers(-5, 20_000_000), day=DAYS)
    def encoder(book: str, path: str, letter: str, term: int, day: str) -> None:
        params = {"path": path, "letter": letter, "date": day, "release": "icd10cm-2026-04"}
        _fine(client.get(f"/encoder/{book}", params={**params, "term": term}))
        _fine(client.get(f"/encoder/{book}", params={**params, "path": "<script>x"}))

    @FUZZ
    @given(code=TEXT, show=TEXT, page=st.integers(-3, 200_000))
    def tabular_and_diff(code: str, show: str, page: int) -> None:
        _fine(client.get(f"/tabular/{quote(code, safe='')}", params={"panel": "1"}))
        diff = {"old": "icd10cm-2025-04", "new": "icd10cm-2026-04", "show": show, "page": page}
        _fine(client.get("/browse", params=diff))

    dashboard()
    encoder()
    tabular_and_diff()
