"""Pages in the coder's language (issue 16, part 8): styled 404/422 pages, an ended
session back to the login page and then to the same encounter, hints that name buttons."""

from __future__ import annotations

from fastapi.testclient import TestClient

from medcoder.api.auth import SESSION_COOKIE
from medcoder.web.errors import workbench_hint
from tests.api.conftest import PASSWORD
from tests.web.test_pages import _log_in

WORKBENCH = {"X-Requested-With": "medcoder"}


def test_an_unknown_page_is_a_styled_page(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "This page does not exist" in page.text and 'href="/queue"' in page.text
    api = client.get("/v1/no/such/route")  # the API keeps its one JSON shape
    assert api.status_code == 404 and api.json()["error"]["code"] == "E503"


def test_a_bad_page_parameter_is_a_styled_page(client: TestClient) -> None:
    _log_in(client)
    page = client.get("/queue", params={"offset": "-1"})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "offset" in page.text and "{" not in page.text.split("<main>")[1].split("</main>")[0]


def test_an_ended_session_goes_to_the_login_page_and_back(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "not-a-valid-token")
    page = client.get("/encounters/E-100", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/encounters/E-100&expired=1"
    login = client.get(page.headers["location"])
    assert "Your session has ended" in login.text
    assert 'name="next" value="/encounters/E-100"' in login.text
    client.cookies.clear()
    back = client.post(
        "/login", data={"username": "coder", "password": PASSWORD, "next": "/encounters/E-100"},
        follow_redirects=False,
    )  # fmt: skip
    assert back.headers["location"] == "/encounters/E-100"


def test_the_workbench_gets_hints_naming_buttons(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    _log_in(client)
    mine = client.post("/v1/encounters/E-404/codes/I10/accept", headers=WORKBENCH)
    hint = mine.json()["error"]["hint"]
    assert mine.status_code == 404 and "Work queue" in hint and "medcoder" not in hint
    script = client.post("/v1/encounters/E-404/codes/I10/accept", headers=headers["coder"])
    assert "`medcoder queue`" in script.json()["error"]["hint"]  # the CLI's words stay


def test_no_workbench_hint_names_a_command() -> None:
    cli_hints = [
        "fix them, or finalize --acknowledge REASON to report the codes as they are",
        "--acknowledge REASON",
        "`medcoder queue` lists encounters awaiting review",
        "re-open it with a reason: medcoder review E-1 reopen --reason TEXT",
        "pass --reason TEXT",
        "review and finalize it: medcoder review E-1 finalize",
        "run `medcoder db upgrade`",
    ]
    for hint in cli_hints:
        worded = workbench_hint(hint) or ""
        assert "medcoder" not in worded and "--" not in worded, hint
    assert workbench_hint("add a code first") == "add a code first"
    assert workbench_hint(None) is None
