"""The encoder (issue 16, part 3): the Alphabetic Index, the External Cause index, the
Neoplasm Table and the Table of Drugs clicked down one level at a time on the installed
FY2026 release; each code link opens its Tabular entry, a fragment for the side panel or
a whole page."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from fastapi.testclient import TestClient

from medcoder.codesets.registry import Registry
from medcoder.codesets.tables import lookup_table
from medcoder.web.encoder import choose_release, code_target
from tests.web.test_pages import _log_in

R26 = "icd10cm-2026-04"


def _term_links(page: str) -> dict[str, str]:
    """Subterm title -> its address, as the page links them."""
    found = re.findall(r'<a href="(/encoder/[a-z]+\?term=\d+[^"]*)">([^<]+)</a>', page)
    return {title: href.replace("&amp;", "&") for href, title in found}


def _row(page: str, title: str) -> dict[str, str]:
    """The code each column of a table row links (column name -> code)."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells and re.sub(r"<[^>]+>", "", cells[0]).strip().startswith(title):
            heads = re.findall(r"<th[^>]*>([^<]+)</th>", page)[1:]
            codes = [re.findall(r'href="/tabular/([^?"]+)', c) for c in cells[1:]]
            return {h: (c[0] if c else "") for h, c in zip(heads, codes, strict=True)}
    raise AssertionError(f"no row {title!r}")


def test_neoplasm_table_clicked_down_to_a_cell(client: TestClient, registry: Registry) -> None:
    _log_in(client)
    top = client.get("/encoder/neoplasm", params={"release": R26})
    assert top.status_code == 200 and "Malignant Primary" in top.text
    lung = client.get(_term_links(top.text)["lung"])  # the site, clicked
    assert lung.status_code == 200 and "<h1>lung" in lung.text
    row = _row(lung.text, "lung")
    release = registry.open(R26)
    for column, heading in (("malignant-primary", "Malignant Primary"), ("benign", "Benign")):
        assert row[heading] == lookup_table(release, "neoplasm", "lung", column).code
    assert row["Benign"] == "D14.3"  # printed D14.3-: opens the category, codes below listed
    panel = client.get(f"/tabular/{row['Benign']}", params={"release": R26, "panel": "1"})
    assert panel.status_code == 200 and "<html" not in panel.text
    assert "D14.30" in panel.text and "Codes below" in panel.text
    deeper = _term_links(lung.text)
    assert deeper, "lung has subterms, each a link"
    # The table's "mesothelioma, see Mesothelioma" leads to the Alphabetic Index's term.
    see = re.search(r'<i>see</i> <a class="see" href="([^"]+)">Mesothelioma</a>', lung.text)
    assert see is not None
    followed = client.get(see.group(1).replace("&amp;", "&"))
    assert "/encoder/index?term=" in str(followed.url) and "<h1>Mesothelioma" in followed.text
    assert 'href="/tabular/C45.9?release=icd10cm-2026-04"' in followed.text


def test_drug_table_row_and_its_seventh_characters(client: TestClient) -> None:
    _log_in(client)
    letter = client.get("/encoder/drug", params={"letter": "C", "release": R26})
    assert letter.status_code == 200
    assert "Caffeine" not in _term_links(letter.text)  # no subterms: its row is the end
    row = _row(letter.text, "Caffeine")
    assert row["Poisoning Accidental (unintentional)"] == "T43.611"
    assert row["Adverse effect"] == "T43.615" and row["Underdosing"] == "T43.616"
    entry = client.get("/tabular/T43.615", params={"release": R26, "panel": "1"}).text
    assert "7th character" in entry and "initial encounter" in entry


def test_index_subterms_see_references_and_the_tabular_page(client: TestClient) -> None:
    _log_in(client)
    letter = client.get("/encoder/index", params={"letter": "D", "release": R26}).text
    diabetes = client.get(_term_links(letter)["Diabetes, diabetic"]).text
    type2 = client.get(_term_links(diabetes)["type 2"]).text
    assert 'href="/tabular/E11.9?release=icd10cm-2026-04"' in type2
    # "see" / "see also" are links to the term they name.
    abandonment = client.get("/encoder/index", params={"letter": "A", "release": R26}).text
    assert 'href="/encoder/index?path=Maltreatment&amp;release=icd10cm-2026-04"' in abandonment
    followed = client.get(
        "/encoder/index", params={"path": "Maltreatment", "release": R26}, follow_redirects=False
    )
    assert followed.status_code == 303 and "term=" in followed.headers["location"]
    assert "<h1>Maltreatment" in client.get(followed.headers["location"]).text
    # A "see Neoplasm, skin, benign" reference opens the table's row, its column marked.
    skin = client.get("/encoder/index", params={"path": "Neoplasm, skin, benign", "release": R26})
    assert "/encoder/neoplasm" in str(skin.url) and "col=benign" in str(skin.url)
    assert '<th class="on">Benign</th>' in skin.text
    # Without script the code is a page of its own: title, notes, the workbench around it.
    page = client.get("/tabular/E11.9", params={"release": R26})
    assert page.status_code == 200 and "<html" in page.text and "Type 2 diabetes" in page.text


def test_external_cause_index_and_release_by_date(client: TestClient) -> None:
    _log_in(client)
    fall = client.get("/encoder/eindex", params={"path": "Fall", "date": "2026-05-01"})
    assert fall.status_code == 200 and R26 in fall.text and "/tabular/W19" in fall.text
    older = client.get("/encoder/eindex", params={"path": "Fall", "date": "2025-06-01"})
    assert "icd10cm-2025-04" in older.text
    # The form as a browser sends it: an empty date box is "today", not an error.
    form = {"path": "lung", "release": R26, "date": ""}
    assert client.get("/encoder/neoplasm", params=form, follow_redirects=False).status_code == 303
    bad = client.get("/encoder/index", params={"date": "2026-02-30"})
    assert bad.status_code == 422 and "E300" in bad.text
    missing = client.get("/encoder/index", params={"path": "Zzqxv", "release": R26})
    assert missing.status_code == 200 and "not found" in missing.text


def test_refusals_and_bad_addresses(client: TestClient) -> None:
    gone = client.get("/encoder/index", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    assert client.get("/tabular/E11.9", follow_redirects=False).status_code == 303
    _log_in(client, "analyst")  # reading the code sets is every role's
    assert client.get("/encoder/index", params={"release": R26}).status_code == 200
    assert client.get("/encoder/tabular").status_code == 422
    assert client.get("/encoder/index", params={"term": 9_999_999}).status_code == 404
    assert client.get("/tabular/Q99.999", params={"release": R26}).status_code == 404


def test_release_in_force_and_code_targets(registry: Registry) -> None:
    chosen, notice = choose_release(registry, "", dt.date(2025, 6, 1))
    assert chosen.name == "icd10cm-2025-04" and notice == ""
    assert choose_release(registry, R26, None)[0].name == R26
    assert code_target("C79.8-", "C79.8") == "C79.8"
    assert code_target("--", None) is None and code_target("D49.1", None) == "D49.1"


@pytest.mark.parametrize("book", ["neoplasm", "drug"])
def test_table_pages_render_fast(client: TestClient, book: str) -> None:
    _log_in(client)
    params = {"release": R26} if book == "neoplasm" else {"release": R26, "letter": "A"}
    client.get(f"/encoder/{book}", params=params)  # warm: the release opened, cells cached
    started = time.perf_counter()
    page = client.get(f"/encoder/{book}", params=params)
    took = time.perf_counter() - started
    assert page.status_code == 200 and took < 5, took


def _next(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return found.group(1).replace("&amp;", "&") if found else None


def _titles(page: str) -> list[str]:
    """Each main term's row as text (its title first)."""
    body = page.split('id="mains"')[1].split("</section>")[0]
    rows = re.findall(r"<tr[^>]*><td>(.*?)</td>", body, re.S) or re.findall(
        r"<li[^>]*>(.*?)</li>", body, re.S
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", r)) for r in rows]


@pytest.mark.parametrize(("book", "letter"), [("drug", "C"), ("index", "D")])
def test_main_terms_come_a_page_at_a_time(
    client: TestClient, registry: Registry, book: str, letter: str
) -> None:
    from medcoder.web.encoder import page_size

    size = page_size(book)
    _log_in(client)
    release = registry.open(R26)
    every = [t.title for t in release.main_terms(book) if t.title[:1].upper() == letter]
    assert len(every) > 2 * size  # a letter long enough to page
    url: str | None = f"/encoder/{book}?letter={letter}&release={R26}"
    seen: list[str] = []
    sizes = []
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200, url
        sizes.append(len(page.content))
        titles = _titles(page.text)
        assert 0 < len(titles) <= size
        seen += titles
        url = _next(page.text)
    assert len(seen) == len(every) and len(sizes) == -(-len(every) // size)
    assert all(text.startswith(title) for text, title in zip(seen, every, strict=True))
    assert max(sizes) < 100 * 1024, sizes  # the Table of Drugs' C was ~385 KiB in one page
    # The first page's address is the letter's, as before; a page past the end is the last.
    first = client.get(f"/encoder/{book}", params={"letter": letter, "release": R26}).text
    again = client.get(f"/encoder/{book}", params={"letter": letter, "page": 1, "release": R26})
    assert _titles(first) == _titles(again.text)
    assert 'rel="prev"' not in first and f"of {len(every)}" in first
    last = client.get(f"/encoder/{book}", params={"letter": letter, "page": 999, "release": R26})
    assert _titles(last.text)[-1] == seen[-1] and 'rel="next"' not in last.text
    assert client.get(f"/encoder/{book}", params={"page": 0}).status_code == 422


def test_terms_starting_with_jumps_to_their_page(client: TestClient, registry: Registry) -> None:
    from medcoder.web.encoder import PAGE_SIZE

    _log_in(client)
    every = [t for t in registry.open(R26).main_terms("index") if t.title.startswith("D")]
    at = next(i for i, t in enumerate(every) if t.title.casefold().startswith("dys"))
    assert at >= PAGE_SIZE  # not on the letter's first page
    page = client.get("/encoder/index", params={"start": "dys", "release": R26}).text
    assert 'aria-current="page" title="' in page and 'rel="prev"' in page
    found = page.split('id="found"')[1].split("</li>")[0]
    assert every[at].title in found and 'name="start" value="dys"' in page
    assert 'type="hidden" name="release" value="icd10cm-2026-04"' in page
    # Between two terms: the next one; past the last: the last page.
    after = client.get("/encoder/index", params={"start": "Dzz", "release": R26}).text
    assert every[-1].title in after.split('id="found"')[1].split("</li>")[0]
