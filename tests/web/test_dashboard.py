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
from markupsafe import escape

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
    assert scripts == [' type="module" src="/static/workbench.js"']  # no chart library, no CDN
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


def _options(page: str, name: str) -> list[tuple[str, bool]]:
    box = page.split(f'<select name="{name}">')[1].split("</select>")[0]
    found = re.findall(r'<option(?: value="([^"]*)")?\s*(selected)?\s*>([^<]*)</option>', box)
    return [(value if value or text == "any" else text, bool(on)) for value, on, text in found]


def test_the_release_filter_is_a_choice_of_the_installed_releases(
    client: TestClient,
    records_home: Path,  # noqa: F811 - the fixture
) -> None:
    from medcoder.codesets.registry import Registry
    from tests.reports.conftest import R25

    _log_in(client, "mia")
    installed = [i.name for i in Registry(records_home).available() if i.system == "icd10cm"]
    page = client.get("/dashboard", params={"kind": "codes"}).text
    options = _options(page, "release")
    assert options[0] == ("", False) and installed  # "any" first: the default, no filter
    assert sorted(options[1:]) == sorted((r, False) for r in installed)
    assert '<input name="release"' not in page
    # A release the codes came from, not installed here: still chosen, and still filtering.
    chosen = client.get("/dashboard", params={"kind": "codes", "release": R25}).text
    assert (R25, True) in _options(chosen, "release")
    api = client.get("/v1/reports/codes", params={"release": R25}).json()["tables"]["top"]
    assert api and _cells(chosen, "codes") == [
        ["–" if v is None else str(v) for v in r.values()] for r in api
    ]
    assert "release=" + R25 in chosen  # the tabs and downloads keep it
    # The form posts nothing, runs no script: a GET form of plain boxes.
    form = page.split('<form class="inline filters"')[1].split("</form>")[0]
    assert 'method="get"' in form and "onsubmit" not in form and "<script" not in form


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"from": "2026-13-01"}, "From '2026-13-01' is not a date"),
        ({"to": "01/02/2026"}, "To '01/02/2026' is not a date"),
        ({"from": "2026-03-01", "to": "2026-01-01"}, "From 2026-03-01 is after To 2026-01-01"),
        ({"setting": "spa"}, "Setting 'spa' is not a setting"),
    ],
)
def test_a_bad_filter_is_named_on_the_page(
    client: TestClient, params: dict[str, str], label: str
) -> None:
    _log_in(client, "mia")
    page = client.get("/dashboard", params={"kind": "codes", **params})
    assert page.status_code == 422 and "E300" in page.text
    problem = page.text.split('id="problem"')[1].split("</p>")[0]
    assert label.replace("'", "&#39;") in problem and "--" not in problem
    for name in ("from", "to"):  # the date boxes keep what was typed, to correct it
        if name in params:
            assert f'name="{name}" value="{params[name]}"' in page.text
    assert 'id="report-' not in page.text


def test_every_report_shows_its_notes_and_sources(client: TestClient) -> None:
    _log_in(client, "root")
    page = client.get("/dashboard", params={"all": "1"}).text
    for kind in KINDS:
        body = page.split(f'id="report-{kind}"')[1].split("</section>")[0]
        whole = client.get(f"/v1/reports/{kind}").json()
        for note in whole["notes"]:
            assert f"Note: {escape(note)}" in body, (kind, note)
        if whole["sources"]:
            assert "Sources: " + escape("; ".join(whole["sources"])) in body, kind
