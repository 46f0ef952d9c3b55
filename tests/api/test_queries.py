"""Physician queries (issue 16, part 7): templates kept as data and non-leading, a query
composed from a code with the record's words, held finalize while open, the provider's
answer recorded, closed, in the history, on the page, and the volume report."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from medcoder.records.queries import query_templates
from tests.web.test_pages import _log_in

Headers = dict[str, dict[str, str]]
LEADING = re.compile(r"\b(DRG|MCC|CC|reimburse\w*|payment|pay|severity|revenue)\b", re.I)


def test_templates_are_data_and_never_lead() -> None:
    templates = query_templates()
    assert set(templates) == {"specificity", "acuity", "clinical_validity", "poa", "conflicting"}
    for template in templates.values():
        assert "{text}" in template.question  # it presents the record's own words
        assert not LEADING.search(template.question), template.name
        assert len(template.options) >= 3
        assert any(re.search(r"undetermined|unable to determine|insufficient", o, re.I)
                   for o in template.options), template.name  # fmt: skip


def test_a_query_from_compose_to_report(client: TestClient, headers: Headers) -> None:
    coder = headers["coder"]
    listed = client.get("/v1/query-templates", headers=coder).json()
    assert [t["name"] for t in listed][:2] == ["specificity", "acuity"]
    sent = client.post(
        "/v1/encounters/E-100/queries",
        json={"template": "specificity", "code": "E11.9", "text": "type 2 diabetes",
              "hold_finalize": True},
        headers=coder,
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    query = sent.json()["query"]
    held = client.post("/v1/encounters/E-100/finalize", headers=coder)
    assert held.status_code == 409 and "holding finalize" in held.json()["error"]["message"]
    (shown,) = client.get("/v1/encounters/E-100/queries", headers=coder).json()
    assert shown["status"] == "open" and shown["hold_finalize"]
    assert "\u201ctype 2 diabetes\u201d" in shown["question"] and "E11.9" in shown["question"]
    bad = client.post(
        "/v1/encounters/E-100/queries", json={"template": "leading", "text": "x"}, headers=coder
    )
    assert bad.status_code == 422 and "specificity" in bad.json()["error"]["hint"]

    answered = client.post(
        f"/v1/queries/{query}/answer", json={"answer": "Type 2 diabetes with hyperglycemia"},
        headers=coder,
    )  # fmt: skip
    assert answered.is_success, answered.text
    again = client.post(f"/v1/queries/{query}/answer", json={"answer": "x"}, headers=coder)
    assert again.status_code == 409
    after = client.post("/v1/encounters/E-100/finalize", headers=coder)
    assert "holding finalize" not in after.text  # the hold is gone (other checks remain)
    assert client.post(f"/v1/queries/{query}/close", headers=coder).is_success
    assert client.post("/v1/queries/999999/close", headers=coder).status_code == 404

    report = client.get("/v1/queries/report", headers=headers["manager"]).json()
    assert report["total"] == 1 and report["open"] == 0 and report["answered"] == 1
    assert report["by_template"]["specificity"]["closed"] == 1
    assert report["median_hours_to_answer"] is not None
    history = client.get("/v1/encounters/E-100/history", headers=coder).json()
    summaries = [e["summary"] for e in history]
    assert any(s.startswith("sent the provider a query (specificity") for s in summaries)
    assert any(s.startswith("recorded the provider's answer") for s in summaries)

    _log_in(client)
    page = client.get("/encounters/E-100").text
    section = page.split('id="queries"')[1].split("</section>")[0]
    assert "type 2 diabetes" in section and "Type 2 diabetes with hyperglycemia" in section
    assert 'id="query-form"' in section and 'data-act="query"' in page
