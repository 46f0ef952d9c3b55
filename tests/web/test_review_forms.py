"""The encounter page without script (issue 16, part 4): each form posts to
POST /encounters/{id}/review, the action goes through the records service as the API's
does (role checks, validation, audit), and the page comes back whole."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.test_pages import _log_in

Headers = dict[str, dict[str, str]]
REVIEW = "/encounters/E-100/review"


def _csrf(client: TestClient) -> str:
    """The anti-forgery value the page's forms carry for this session."""
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/encounters/E-100").text)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, **form: str) -> tuple[int, str]:
    response = client.post(REVIEW, data={"csrf": _csrf(client), **form}, follow_redirects=False)
    return response.status_code, response.headers.get("location", response.text)


def _dx(page: str) -> list[tuple[str, str]]:
    """The diagnosis cards, top to bottom: (code, status)."""
    return re.findall(
        r'<article class="code-card st-(\w+)" data-key="c:([^"]+)"[^>]*data-group="dx"', page
    )


def test_every_form_posts_without_script(client: TestClient, headers: Headers) -> None:
    _log_in(client)
    page = client.get("/encounters/E-100").text
    assert page.count(f'action="{REVIEW}"') >= 4  # the cards' forms, add, queries
    assert '<form class="inline" data-form="reject" method="post"' in page
    # Accept: back to the page, whole, with the decision shown.
    assert _post(client, act="accept", code="E11.9", system="icd10cm") == (303, "/encounters/E-100")
    page = client.get("/encounters/E-100").text
    assert ("accepted", "E11.9") in _dx(page)
    # A move button sends the group's whole new order (as drag and drop does).
    [first_order] = re.findall(r'data-act="first" name="order" value="([^"]+)"', page)[:1]
    assert _post(client, order=first_order)[0] == 303
    moved = [code for _, code in _dx(client.get("/encounters/E-100").text)]
    assert " ".join(f"icd10cm:{c}" for c in moved) == first_order
    # Reject needs a reason: refused in the coder's words, with the way back.
    status, text = _post(client, act="reject", code="I10", system="icd10cm", reason="")
    assert status == 422 and "reason" in text and 'href="/encounters/E-100"' in text
    assert _post(client, act="reject", code="I10", reason="not in the plan")[0] == 303
    assert _post(client, act="add", code="Z79.84", system="icd10cm", reason="")[0] == 303
    view = client.get("/v1/encounters/E-100", headers=headers["coder"]).json()
    statuses = {c["code"]: c["status"] for c in view["codes"]}
    assert statuses["I10"] == "rejected" and statuses["Z79.84"] == "added"
    # A physician query, then its answer, then closing it.
    assert _post(client, act="query", template="specificity", code="E11.9",
                 text="glucose 310")[0] == 303  # fmt: skip
    query = client.get("/v1/encounters/E-100/queries", headers=headers["coder"]).json()[0]["id"]
    assert _post(client, act="answer", query=str(query), answer="other", detail="x")[0] == 303
    assert _post(client, act="close", query=str(query))[0] == 303
    asked = client.get("/v1/encounters/E-100/queries", headers=headers["coder"]).json()[0]
    assert asked["status"] == "closed" and asked["answer"] == "other: x"


def test_forms_from_elsewhere_or_without_a_session_are_refused(client: TestClient) -> None:
    accept = {"act": "accept", "code": "E11.9"}
    nobody = client.post(REVIEW, data=accept, follow_redirects=False)
    assert nobody.status_code == 303 and nobody.headers["location"].startswith("/login")
    _log_in(client)
    # Another site's form: it cannot read the session to carry its token, and even with
    # one its Origin gives it away.
    tokenless = client.post(REVIEW, data=accept, follow_redirects=False)
    assert tokenless.status_code == 401 and "was not sent from this session" in tokenless.text
    wrong = client.post(REVIEW, data={**accept, "csrf": "0" * 64}, follow_redirects=False)
    assert wrong.status_code == 401
    forged = client.post(
        REVIEW, data={**accept, "csrf": _csrf(client)},
        headers={"origin": "https://evil.example"}, follow_redirects=False,
    )  # fmt: skip
    assert forged.status_code == 403 and "another site" in forged.text
    view = client.get("/encounters/E-100").text
    assert ("suggested", "E11.9") in _dx(view)  # none of them did anything
    assert _post(client, act="launch")[0] == 422
    status, text = _post(client, code="E11.9")
    assert status == 422 and "no action" in text
