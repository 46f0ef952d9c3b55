"""The dashboard (issue 15, part 1) on the reports' synthetic database: one report per
request with its table, its chart as inline SVG and its downloads; the filters of
``medcoder report``; the roles the reports allow, and nobody else."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medcoder.api.settings import ApiSettings
from medcoder.records.service import Records
from medcoder.reports.runner import KINDS
from medcoder.web.app import create_app
from tests.reports.conftest import (  # noqa: F401 - the fixtures
    backend,
    needs_ahrq,
    records,
    records_home,
    synthetic,
)

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def client(synthetic: Records, records_home: Path) -> Iterator[TestClient]:  # noqa: F811
    for user in ("root", "ann", "cora", "rex", "mia"):
        synthetic.set_password("root", user, PASSWORD)
    with TestClient(create_app(ApiSettings(home=records_home))) as test_client:
        yield test_client


def _log_in(client: TestClient, user: str) -> None:
    done = client.post("/login", data={"username": user, "password": PASSWORD},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text


def _cells(page: str, section: str) -> list[list[str]]:
    body = page.split(f'id="report-{section}"')[1].split("</section>")[0]
    first = body.split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", first, re.S)
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in rows]


def test_one_report_with_its_table_chart_and_downloads(client: TestClient) -> None:
    _log_in(client, "ann")  # the analyst: aggregates of de-identified rows
    page = client.get("/dashboard", params={"kind": "edits"})
    assert page.status_code == 200, page.text
    assert _cells(page.text, "edits") == [["W1", "2"], ["W2", "1"]]  # as the API's CSV
    figure = page.text.split('<figure class="chart"')[1].split("</figure>")[0]
    assert "<svg" in figure and "<?xml" not in figure
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts == [' src="/static/workbench.js" defer']  # no chart library, no CDN
    assert "W1" in figure  # text kept as text, not glyph paths
    links = re.findall(r'href="(/v1/reports/edits\?[^"]+)"', page.text)
    assert "format=json" in links[0] and "format=csv" in links[1]
    csv = client.get(links[1].replace("&amp;", "&"))  # the first table's CSV
    assert csv.status_code == 200 and csv.text.splitlines()[1:] == ["W1,2", "W2,1"]
    assert 'id="report-codes"' not in page.text  # one report per request
    assert "Synthetic Person" not in page.text and "MRN-" not in page.text


def test_filters_are_the_reports(client: TestClient) -> None:
    _log_in(client, "mia")
    page = client.get("/dashboard", params={"kind": "codes", "payer": "Acme"}).text
    api = client.get("/v1/reports/codes", params={"payer": "Acme"}).json()["tables"]["top"]
    assert api and _cells(page, "codes") == [
        ["–" if v is None else str(v) for v in r.values()] for r in api
    ]  # the same rows as the API's, under the same filter
    assert 'value="Acme"' in page and "payer=Acme" in page  # the form and the links keep it
    none = client.get("/dashboard", params={"kind": "codes", "payer": "Nobody"}).text
    assert "No rows under these filters" in none
    bad = client.get("/dashboard", params={"from": "2026-99-01"})
    assert bad.status_code == 422 and "E300" in bad.text
    unknown = client.get("/dashboard", params={"kind": "everything"})
    assert unknown.status_code == 422 and "E300" in unknown.text


@needs_ahrq
def test_every_report_at_once_is_capped(client: TestClient) -> None:
    _log_in(client, "root")
    started = time.perf_counter()
    page = client.get("/dashboard", params={"all": "1"})
    took = time.perf_counter() - started
    assert page.status_code == 200, page.text
    assert set(re.findall(r'id="report-([a-z-]+)"', page.text)) == set(KINDS)
    assert page.text.count("<svg") >= len(KINDS) - 1
    assert took < 60, took


@pytest.mark.parametrize("user", ["cora", "rex"])
def test_coders_and_reviewers_are_refused(client: TestClient, user: str) -> None:
    _log_in(client, user)
    page = client.get("/dashboard")
    assert page.status_code == 403 and "E403" in page.text
    assert 'href="/dashboard"' not in page.text  # not in their navigation either


def test_signed_out_goes_to_login(client: TestClient) -> None:
    gone = client.get("/dashboard", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
