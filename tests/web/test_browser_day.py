"""A coder's day in a real browser (issue 16), Debian's chromium driven by Playwright:
the encoder at typing speed (a code number lists that code first; words typed and Enter
pressed before picking are refused as a code), a physician query sent from a code and
answered, a clean visit reviewed and finalized in a handful of keystrokes, an ended
session back through the login page to the same encounter, and the styled page of an
unknown address. Screenshots go to artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medcoder.api.auth import SESSION_COOKIE
from tests.api.conftest import PASSWORD
from tests.api.serving import serving
from tests.web.test_browser import _card, _log_in, _shot, _updated, browser_page, pytestmark

__all__ = ["browser_page", "pytestmark"]


def test_a_coders_day(api_home: Path, tmp_path: Path, browser_page: Any) -> None:
    page = browser_page
    with serving(api_home, tmp_path / "serve.log") as base:
        _log_in(page, base, "/encounters/E-100")
        page.wait_for_selector(_card("E11.9"))

        # Type-ahead: a code number lists that code first.
        add = page.locator("#add-form input[name=code]")
        add.fill("E11.42")
        page.wait_for_selector('#code-options option[value="E11.42"]', state="attached")
        first = page.locator("#code-options option").first.get_attribute("value")
        assert first == "E11.42"
        # Words and Enter before picking: refused as a code, nothing sent.
        cards = page.locator("article.code-card").count()
        # The type-ahead's own request for these words is answered before the session
        # ends below; else, on a slow machine, it is that request (sent 150 ms after
        # typing) that finds the session ended and leaves the page.
        with page.expect_response(lambda r: "/v1/codes/search" in r.url and "pleuritic" in r.url):
            add.fill("pleuritic chest pain")
        add.press("Enter")
        page.wait_for_selector("#flash:not([hidden])")
        assert "words, not a code" in page.locator("#flash").inner_text()
        assert page.locator("article.code-card").count() == cards  # nothing was added
        _shot(page, "encoder-words")

        # An ended session: the next request goes to the login page, and back after it.
        page.wait_for_load_state("networkidle")  # nothing in flight when the session ends
        page.context.clear_cookies()
        page.context.add_cookies([{"name": SESSION_COOKIE, "value": "ended", "url": base}])
        add.fill("E11")  # the type-ahead's request finds the session ended
        page.wait_for_url(f"{base}/login?expired=1&next=%2Fencounters%2FE-100")
        assert "Your session has ended" in page.locator("form.login").inner_text()
        _shot(page, "login-expired")
        page.fill("input[name=username]", "coder")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/encounters/E-100")
        page.wait_for_selector(_card("E11.9"))

        # A physician query from a code: compose, send (holding finalize), record the answer.
        page.click(f"{_card('E11.9')} button[data-act=query]")
        page.wait_for_selector("#query-compose[open]")
        assert page.locator("#query-form select[name=code]").input_value() == "E11.9"
        page.select_option("#query-form select[name=template]", "specificity")
        page.fill("#query-form input[name=text]", "type 2 diabetes, glucose 310")
        page.check("#query-form input[name=hold_finalize]")
        _updated(page, lambda: page.click("#query-form button[type=submit]"))
        page.wait_for_selector("div.query.st-q-open")
        assert "glucose 310" in page.locator("div.query").inner_text()
        _shot(page, "query-open")
        page.select_option("div.query form.query-answer select", index=0)
        _updated(page, lambda: page.click("div.query form.query-answer button[type=submit]"))
        page.wait_for_selector("div.query.st-q-answered")
        page.wait_for_selector(_card("E11.9"))

        # A clean visit: accept each suggestion (the next one is selected after each, in
        # place), then f and Enter. Count the keystrokes.
        page.locator("body").click(position={"x": 5, "y": 5})
        page.evaluate("window.stillTheSamePage = true")
        keys = 0
        while page.locator("article.code-card.st-suggested").count():
            selected = page.locator("article.code-card.active")
            key = selected.get_attribute("data-key")
            assert "st-suggested" in (selected.get_attribute("class") or "")
            _updated(page, lambda: page.keyboard.press("a"))
            keys += 1
            page.wait_for_selector(f'article.code-card.st-accepted[data-key="{key}"]')
            if page.locator("article.code-card.st-suggested").count():  # the next one is up
                page.wait_for_selector("article.code-card.active.st-suggested")
                assert page.evaluate("document.activeElement.classList.contains('active')")
        assert page.evaluate("window.stillTheSamePage === true")
        page.keyboard.press("f")
        page.wait_for_selector("#confirm:not([hidden])")
        page.keyboard.press("Enter")
        keys += 2
        page.wait_for_url(f"{base}/queue?done=E-100")
        assert "E-100 finalized" in page.locator("#done").inner_text()
        assert keys <= 8, keys
        _shot(page, "queue-done")

        # An unknown address: a page in the coder's words, not JSON.
        page.goto(f"{base}/encounters/E-100/nowhere")
        assert "This page does not exist" in page.locator("main").inner_text()
        _shot(page, "not-found")
