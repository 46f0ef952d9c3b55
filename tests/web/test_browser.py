"""End to end in a real browser (Debian's chromium, driven by Playwright): log in, open
the queue and an encounter, click a code and see its words, click words and see their
code, drag a code above another and make it principal again with the keyboard, accept
one code, change another (type-ahead), reject the rest, all in place (no reload),
finalize with the keyboard, and find all of it in the database. Screenshots go to
artifacts/.

The page changes in place after each action: a test waits for the workbench's own
``data-updates`` counter (moved on once the changed parts are in place) or for a
card's class, never for a navigation or a fixed time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from medcoder.records.service import Records
from tests.api.conftest import PASSWORD
from tests.api.serving import serving
from tests.records.conftest import doc, write_jsonl

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.fixture
def browser_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed (.ci/run installs it: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(60_000)  # a loaded 2-core CI machine
            yield page
        finally:
            browser.close()


def _shot(page: Any, name: str, **options: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), **options)


def _log_in(page: Any, base: str, target: str) -> None:
    """Ask for ``target``, sign in as the coder on the login page it sends to, and land
    on ``target``."""
    page.goto(f"{base}{target}")
    page.fill("input[name=username]", "coder")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{target}")


def _card(code: str) -> str:
    return f'article.code-card[data-key="c:{code}"]'


def _updated(page: Any, act: Callable[[], object]) -> None:
    """Do ``act`` and wait until the workbench has put in place what it changed (its
    ``data-updates`` counter moves on once the API call and the fragment are done)."""
    before = int(page.get_attribute("#workbench", "data-updates") or 0)
    act()
    page.wait_for_selector(f'#workbench[data-updates="{before + 1}"]', state="attached")


def _order(page: Any, group: str = "dx") -> list[str]:
    """The codes of a group's cards, top to bottom."""
    cards = page.locator(f'#workbench article.code-card[data-group="{group}"]')
    return [str(code) for code in cards.evaluate_all("cs => cs.map(c => c.dataset.code)")]


# Synthetic, written for this test: a longer note for the layout screenshots.
LONG_NOTE = """\
CHIEF COMPLAINT: Follow-up of diabetes and blood pressure; new cough.

HISTORY OF PRESENT ILLNESS: A 67-year-old woman with type 2 diabetes mellitus with diabetic
chronic kidney disease, stage 3a, reports a productive cough for five days with low-grade
fever. She denies chest pain. Essential hypertension is controlled on lisinopril. Family
history of colon cancer in her father.

PHYSICAL EXAMINATION: Temperature 100.2 F. Crackles at the right lung base.

RESULTS: Chest x-ray shows right lower lobe consolidation consistent with pneumonia.

ASSESSMENT AND PLAN:
1. Community-acquired pneumonia, right lower lobe. Start amoxicillin-clavulanate.
2. Type 2 diabetes mellitus with diabetic chronic kidney disease, stage 3a.
3. Essential hypertension. Continue lisinopril.
4. Hyperlipidemia. Continue atorvastatin.
"""


def _add_long_encounter(home: Path, work: Path) -> None:
    records = Records.open(home)
    try:
        source = write_jsonl(work / "long.jsonl", [doc("E-600", LONG_NOTE, payer="Gamma")])
        records.import_path("manager", source)
        records.run_coding("coder", "E-600")
    finally:
        records.close()


def test_review_in_the_browser(api_home: Path, tmp_path: Path, browser_page: Any) -> None:
    page = browser_page
    _add_long_encounter(api_home, tmp_path)
    with serving(api_home, tmp_path / "serve.log") as base:
        page.goto(f"{base}/")
        _shot(page, "login")
        page.fill("input[name=username]", "coder")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/queue")
        _shot(page, "queue")

        page.click("text=E-100")
        page.wait_for_selector(_card("E11.9"))
        _shot(page, "encounter")

        # Click a code: its words are highlighted.
        page.click(f"{_card('I10')} .title")
        active = page.locator("#note mark.active")
        assert active.count() >= 1
        assert "hypertension" in " ".join(active.all_inner_texts()).lower()
        assert "active" in (page.get_attribute(_card("I10"), "class") or "")
        # Click the words: their code is selected.
        page.locator('#note mark[data-keys~="c:E11.9"]').first.click()
        assert "active" in (page.get_attribute(_card("E11.9"), "class") or "")
        assert "active" not in (page.get_attribute(_card("I10"), "class") or "")
        _shot(page, "encounter-selected")
        page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page

        # Drag the second diagnosis above the first: one call with the new order.
        first, second = _order(page)[:2]
        _updated(page, lambda: page.locator(_card(second)).drag_to(
            page.locator(_card(first)), target_position={"x": 30, "y": 4}))  # fmt: skip
        assert _order(page)[:2] == [second, first]
        assert page.locator(f"{_card(second)} .seq").inner_text() == "1"
        # Make the other first again from the keyboard: select its card, press p.
        page.click(f"{_card(first)} .title")
        _updated(page, lambda: page.keyboard.press("p"))
        assert _order(page)[:2] == [first, second]
        assert "active" in (page.get_attribute(_card(first), "class") or "")  # still selected
        history = page.locator("#history").inner_text()
        assert history.count("re-sequenced the codes") == 2, history

        # Accept one code.
        _updated(page, lambda: page.click(f"{_card('E11.9')} button[data-act=accept]"))
        page.wait_for_selector(f"{_card('E11.9')} .badge.st-accepted")

        # Change another, finding the new code by type-ahead over the release in force.
        page.click(f"{_card('I10')} button[data-act=change]")
        field = page.locator(f"{_card('I10')} form[data-form=change] input[name=new_code]")
        field.fill("hypertensive heart")
        page.wait_for_selector('#code-options option[value^="I11"]', state="attached")
        field.fill("I11.9")
        page.fill(f"{_card('I10')} form[data-form=change] input[name=reason]", "heart disease")
        _updated(
            page, lambda: page.click(f"{_card('I10')} form[data-form=change] button[type=submit]")
        )
        page.wait_for_selector(f"{_card('I11.9')} .badge.st-accepted")
        assert "active" in (page.get_attribute(_card("I11.9"), "class") or "")  # the new code

        # Reject what is left undecided, each with a reason.
        while page.locator("article.code-card.st-suggested").count():
            card = page.locator("article.code-card.st-suggested").first
            key = card.get_attribute("data-key")  # a diagnosis or a procedure line
            card.locator("button[data-act=reject]").click()
            card.locator("form[data-form=reject] input[name=reason]").fill(
                "not documented as a diagnosis"
            )
            _updated(page, card.locator("form[data-form=reject] button[type=submit]").click)
            page.wait_for_selector(f'article.code-card[data-key="{key}"]', state="detached")
        assert page.evaluate("window.stillTheSamePage === true")  # every change in place
        decided = page.locator("#decided summary").inner_text()
        assert "Rejected and changed" in decided  # the header counts came with the parts
        _shot(page, "encounter-reviewed")

        # Finalize with the keyboard: f shows the summary to confirm, Enter finalizes and
        # opens the next encounter in the queue with a success message (issue 16, part 4).
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("f")
        page.wait_for_selector("#confirm:not([hidden]) #confirm-codes li")
        summary = page.locator("#confirm-codes").inner_text()
        assert "E11.9" in summary and "I11.9" in summary
        _shot(page, "encounter-confirm")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/encounters/E-600?done=E-100")
        assert "E-100 finalized" in page.locator("#done").inner_text()
        page.goto(f"{base}/encounters/E-100")
        page.wait_for_selector("h1 .badge.st-finalized")
        assert "coder" in page.locator("#finalized-by").inner_text()
        _shot(page, "encounter-finalized", full_page=True)

        page.goto(f"{base}/browse?code=S72.001A&release=icd10cm-2026-04")
        page.wait_for_selector("#entry")
        _shot(page, "browse-code", full_page=True)
        page.goto(f"{base}/browse?old=icd10cm-2025-04&new=icd10cm-2026-04")
        page.wait_for_selector("#diff")
        _shot(page, "browse-diff")
        page.goto(f"{base}/encounters/E-600")
        page.wait_for_selector("article.code-card")
        page.locator("article.code-card details.why").first.locator("summary").click()
        _shot(page, "encounter-long")
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.reload()
        page.wait_for_selector("article.code-card")
        _shot(page, "encounter-wide")
        page.set_viewport_size({"width": 900, "height": 1000})
        _shot(page, "encounter-narrow")

    records = Records.open(api_home)
    try:
        view = records.encounter_view("reviewer", "E-100")
        statuses = {c.code: c.status for c in view.codes}
        assert view.status == "finalized"
        assert statuses["E11.9"] == "accepted"
        assert statuses["I10"] == "changed" and statuses["I11.9"] == "accepted"
        assert "suggested" not in statuses.values()
        assert records.verify_audit("reviewer").ok
    finally:
        records.close()
