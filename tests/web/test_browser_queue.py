"""In a real browser: the queue's Take next opens the free encounter, held; moving a code
card and accepting one are announced in the polite live region (#announce) that screen
readers read. Waits on the workbench's own ``data-updates`` counter, never a fixed time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.serving import serving
from tests.web.test_browser import _card, _log_in, _order, _updated, browser_page  # noqa: F401

pytestmark = pytest.mark.browser


def test_take_next_and_the_announcements(
    api_home: Path,
    tmp_path: Path,
    browser_page: Any,  # noqa: F811 - the fixture
) -> None:
    page = browser_page
    with serving(api_home, tmp_path / "serve.log") as base:
        _log_in(page, base, "/queue")
        page.click("#take-next button")
        page.wait_for_url(f"{base}/encounters/E-100")
        assert "You hold this encounter" in page.inner_text("#held")
        region = page.locator("#announce")
        assert region.get_attribute("aria-live") == "polite" and region.inner_text() == ""

        first, second = _order(page)[:2]
        page.click(f"{_card(first)} .title")
        _updated(page, lambda: page.keyboard.press("d"))  # down one
        assert _order(page)[:2] == [second, first]
        count = len(_order(page))
        assert region.text_content() == f"{first} moved to position 2 of {count}"

        _updated(page, lambda: page.keyboard.press("a"))  # accept the selected card
        assert region.text_content() == f"{first} accepted"
