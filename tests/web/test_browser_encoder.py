"""The encoder in a real browser (issue 16, part 3): click down the Neoplasm Table to a
site, click a cell and read the code's Tabular entry in the side panel, the page itself
staying where it was. Screenshots go to artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.serving import serving
from tests.web.test_browser import _log_in, _shot, browser_page, pytestmark

__all__ = ["browser_page", "pytestmark"]


def test_neoplasm_cell_opens_the_tabular_in_the_panel(
    api_home: Path, tmp_path: Path, browser_page: Any
) -> None:
    page = browser_page
    with serving(api_home, tmp_path / "serve.log") as base:
        _log_in(page, base, "/encoder/neoplasm")
        page.fill("input[name=path]", "lung")
        page.select_option("select[name=release]", "icd10cm-2026-04")
        page.click("form button[type=submit]")
        page.wait_for_selector("h1:has-text('lung')")
        address = page.url
        page.locator("tr.self td.cell a", has_text="D14.3").click()
        page.wait_for_selector("#panel #entry[data-code='D14.3']")
        panel = page.locator("#panel").inner_text()
        assert "Benign neoplasm of bronchus and lung" in panel and "D14.30" in panel
        assert page.url == address  # the panel changed, not the page
        page.locator("#panel a[data-panel]", has_text="D14.31").click()
        page.wait_for_selector("#panel #entry[data-code='D14.31']")
        _shot(page, "encoder-neoplasm-panel", full_page=False)
