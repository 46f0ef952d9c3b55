"""Every code system on the encounter page (issue 16, part 1): an inpatient stay with its
admit and discharge dates, length of stay, POA on each diagnosis, its ICD-10-PCS procedure
and MS-DRG with the CC/MCC drivers (part 2); an outpatient visit with CPT and HCPCS lines
(units, modifiers); Add offering the systems of the setting; the type-ahead searching
ICD-10-PCS and HCPCS by code number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medcoder.api.settings import ApiSettings
from medcoder.records.service import Records
from medcoder.web.app import create_app
from tests.api.conftest import PASSWORD
from tests.codesets.hcpcs.conftest import hcpcs_home  # noqa: F401  (fixture)
from tests.records import conftest as records_fixtures
from tests.records.test_procedures import procedure_home, stays  # noqa: F401  (fixtures)

backend = records_fixtures.backend
records_home = records_fixtures.records_home
records = records_fixtures.records


@pytest.fixture
def stay_client(stays: Records, records_home: Path) -> Iterator[TestClient]:  # noqa: F811
    stays.set_password("root", "cora", PASSWORD)
    engine: Any = stays._coder
    app = create_app(ApiSettings(home=records_home, engine=engine))
    with TestClient(app) as client:
        response = client.post(
            "/login", data={"username": "cora", "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303
        yield client


def test_an_inpatient_stay_shows_pcs_poa_and_the_drg(stay_client: TestClient) -> None:
    page = stay_client.get("/encounters/IP-1")
    assert page.status_code == 200, page.text
    text = page.text
    stay = text.split('id="stay"')[1].split("</p>")[0]
    assert "2026-04-28" in stay and "2026-05-01" in stay and "length of stay 3 day(s)" in stay
    assert 'data-key="c:icd10pcs:0DTJ4ZZ"' in text and "ICD-10-PCS" in text
    assert text.count('class="poa-select"') == 2  # one per diagnosis
    assert '<option value="Y" selected>' in text  # K35.80: stated on admission
    drg = text.split('id="drg-slot"')[1].split("</div>")[0]
    assert "MS-DRG" in drg and "APPENDI" in drg.upper() and "no CC or MCC" in drg
    assert '<option value="icd10pcs">ICD-10-PCS</option>' in text


def test_a_cc_added_moves_the_drg_on_the_page(stay_client: TestClient) -> None:
    before = stay_client.get("/encounters/IP-1").text.split('id="drg-slot"')[1]
    added = stay_client.post(
        "/v1/encounters/IP-1/codes", json={"code": "N17.9", "poa": "N"},
        headers={"X-Requested-With": "medcoder"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    after = stay_client.get("/encounters/IP-1").text
    slot = after.split('id="drg-slot"')[1].split("</div>")[0]
    assert "CC <b>N17.9</b>" in slot and slot != before.split("</div>")[0]
    assert '<span class="badge cc" title="counts as a CC for the MS-DRG">CC</span>' in after


def test_an_outpatient_visit_shows_cpt_and_hcpcs_lines(stay_client: TestClient) -> None:
    text = stay_client.get("/encounters/OP-1").text
    for key in ("c:cpt:29880", "c:cpt:29881", "c:hcpcs:J1885"):
        assert f'data-key="{key}"' in text
    j_code = text.split('data-key="c:hcpcs:J1885"')[1].split("</article>")[0]
    assert 'data-units="2"' in j_code and 'data-act="line"' in j_code
    assert "poa-select" not in text and 'id="drg-slot"' not in text  # outpatient
    assert '<option value="icd10pcs">' not in text  # Add offers CPT and HCPCS here
    found = stay_client.get(
        "/v1/codes/search", params={"q": "J1885", "system": "hcpcs", "date": "2026-05-01"}
    ).json()
    assert found[0]["code"] == "J1885" and found[0]["system"] == "hcpcs"
    pcs = stay_client.get("/v1/codes/search", params={"q": "0DTJ4", "system": "icd10pcs"}).json()
    assert pcs and all(h["code"].startswith("0DTJ4") for h in pcs)
