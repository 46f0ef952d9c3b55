"""The encoder (issue 16, part 3): the Alphabetic Index, the Index to External Causes, the
Neoplasm Table and the Table of Drugs and Chemicals, one level at a time, each subterm a
link; every code opens its Tabular entry (a side panel, or a page of its own).

ICD-10-CM Guidelines I.A.12 ("see", "see also": a cross-reference is followed), I.B.1 (a
code found in the Index is verified in the Tabular), I.C.2 (the Neoplasm Table: the site,
then the column for the behavior) and I.C.19.e (the Table of Drugs: the column is the
intent). The walks are the ones ``medcoder codes index|neoplasm|drug`` make.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from medcoder.codesets.index_walk import IndexNavigator, split_path
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release, Term
from medcoder.codesets.tables import DRUG_COLUMNS, NEOPLASM_COLUMNS, lookup_table
from medcoder.codesets.text import norm_term
from medcoder.errors import MissingComponentError, NoReleaseForDateError

BOOKS = {
    "index": "Alphabetic Index",
    "eindex": "External Cause Index",
    "neoplasm": "Neoplasm Table",
    "drug": "Table of Drugs and Chemicals",
}
TABLES = {"neoplasm": NEOPLASM_COLUMNS, "drug": DRUG_COLUMNS}
# Words of a "see Neoplasm, ..." reference that name the column, not the site.
BEHAVIORS = {
    "malignant": "malignant-primary",
    "benign": "benign",
    "in situ": "in-situ",
    "uncertain behavior": "uncertain",
    "unspecified behavior": "unspecified",
}
# Main terms listed a page at a time: the Table of Drugs' C was ~385 KiB of HTML in one page
# (eight linked cells a row); 200 terms of the index, 100 rows of a table (~70 KiB) a page.
PAGE_SIZE = 200
TABLE_PAGE_SIZE = 100


def page_size(book: str) -> int:
    return TABLE_PAGE_SIZE if book in TABLES else PAGE_SIZE


def choose_release(registry: Registry, name: str, day: dt.date | None) -> tuple[Release, str]:
    """The release named, else the one in force on ``day`` (default today); when none
    covers today the newest, with a line saying so."""
    if name or day is not None:
        return registry.choose(name=name or None, day=day), ""
    today = dt.date.today()
    try:
        return registry.choose(day=today), ""
    except NoReleaseForDateError:
        newest = registry.choose()
        return newest, f"No installed release covers today ({today}); showing {newest.name}."


def code_target(printed: str | None, resolved: str | None) -> str | None:
    """The Tabular code a printed index code or table cell opens: the release's own
    resolution ("C79.8-" opens C79.8, whose codes below are listed), else the printed code
    without its dash; a "--" cell opens nothing."""
    if resolved:
        return resolved
    if not printed or printed.strip("-") == "":
        return None
    return printed.rstrip("-").rstrip(".")


def _cells(release: Release, term: Term, book: str) -> list[dict[str, Any]]:
    columns = TABLES.get(book)
    if columns is None:
        return []
    found = release.cells(term.id)
    out = []
    for name, col in columns.items():
        printed, resolved, resolution = found.get(col, (None, None, None))
        out.append(
            {"column": name, "printed": printed or "", "code": code_target(printed, resolved),
             "resolution": resolution}
        )  # fmt: skip
    return out


def term_view(release: Release, term: Term, book: str, *, count: bool = True) -> dict[str, Any]:
    return {
        "id": term.id,
        "level": term.level,
        "title": term.title,
        "nonessential": list(term.nonessential),
        "printed": term.code,
        "code": code_target(term.code, term.resolved),
        "resolution": term.resolution,
        "manifestation": term.manifestation,
        "see": term.see,
        "see_also": term.see_also,
        "cells": _cells(release, term, book),
        "subterms": release.subterm_count(term.id) if count else 0,
    }


def headings(release: Release, book: str) -> list[str]:
    """The table's printed column headings (without the first, the term's own)."""
    return list(release.books().get(book, ())[1:])


def letters(release: Release, book: str) -> list[str]:
    """The first characters main terms start with: digits, then letters."""
    return sorted({title[:1].upper() for _, title in release.main_term_titles(book)})


def _plain(text: str) -> str:
    """Text as the books sort it: case and accents aside (Débove's files under Deb)."""
    parts = unicodedata.normalize("NFKD", text)
    return "".join(c for c in parts if not unicodedata.combining(c)).casefold()


def _jump(terms: list[Term], start: str) -> int:
    """Where "terms starting with ``start``" lands: the first term that starts so, else the
    first after it in the book's order, else the last."""
    key = _plain(start.strip())
    titles = [_plain(t.title) for t in terms]
    found = next((i for i, t in enumerate(titles) if t.startswith(key)), None)
    if found is None:
        found = next((i for i, t in enumerate(titles) if t > key), len(terms) - 1)
    return found


def main_terms(
    release: Release, book: str, letter: str, page: int = 1, start: str = ""
) -> dict[str, Any]:
    """One page (``page_size``) of the main terms starting with ``letter`` (tables: with
    their cells); ``start`` chooses the page that holds the first term starting so (and
    marks it). A page past the last is the last. Each page: its number, the count of
    pages, and each page's first and last titles (the pager's labels)."""
    wanted = letter.upper()[:1]
    terms = [t for t in release.main_terms(book) if t.title[:1].upper() == wanted]
    size = page_size(book)
    pages = max(1, -(-len(terms) // size))
    found = _jump(terms, start) if start.strip() and terms else None
    if found is not None:
        page = found // size + 1
    page = min(max(page, 1), pages)
    first = (page - 1) * size
    shown = terms[first : first + size]
    spans = [
        (terms[i].title, terms[min(i + size, len(terms)) - 1].title)
        for i in range(0, len(terms), size)
    ]
    return {
        "mains": [term_view(release, t, book) for t in shown],
        "page": page,
        "pages": pages,
        "total": len(terms),
        "first": first + 1,
        "spans": spans,
        "found": terms[found].id if found is not None else None,
    }


def check_book(release: Release, book: str) -> None:
    if book not in release.books():
        raise MissingComponentError(
            f"{release.name} has no {BOOKS[book]}",
            hint="build a release with the index and table files: `medcoder setup --data DIR`",
        )


def _table_site(segments: list[str]) -> tuple[list[str], str | None]:
    """ "Neoplasm, skin, benign": the site segments and the behavior column named."""
    column = None
    site = []
    for segment in segments[1:]:
        word = norm_term(segment)
        if word in BEHAVIORS:
            column = BEHAVIORS[word]
        elif word not in ("by site", "neoplastic"):
            site.append(segment)
    return site, column


def follow(release: Release, book: str, path: str) -> dict[str, Any]:
    """Where an index path (typed, or a "see" reference) leads: ``book``, the term's id
    (None: the book's first page), the column named, and what did not match."""
    segments = split_path(path)
    first = norm_term(segments[0]) if segments else ""
    books = release.books()
    column = None
    if first.startswith("table of drugs") and "drug" in books:
        return {"book": "drug", "term": None, "column": None, "unmatched": [], "near": []}
    if first in ("neoplasm", "neoplasm neoplastic") and "neoplasm" in books:
        site, column = _table_site(segments)
        if not site:
            return {"book": "neoplasm", "term": None, "column": column, "unmatched": [],
                    "near": []}  # fmt: skip
        book, segments = "neoplasm", site
    else:
        book = book if book in books else "index"
    if book in TABLES:
        found = lookup_table(release, book, ", ".join(segments), next(iter(TABLES[book])))
        steps, unmatched, near = found.steps, list(found.unmatched), []
        itself = bool(steps) and norm_term(steps[-1].see or "") == norm_term(", ".join(segments))
        if (not steps or unmatched or itself) and "index" in books:
            # A table's "see Mesothelioma" names a term of the Alphabetic Index (the
            # table's own row of that name is the cross-reference itself).
            walked = IndexNavigator.for_release(release).walk(", ".join(segments), "index")
            if walked.found and not walked.unmatched:
                book, steps, unmatched = "index", walked.steps, []
    else:
        walked = IndexNavigator.for_release(release).walk(", ".join(segments), book)
        steps, unmatched, near = walked.steps, list(walked.unmatched), list(walked.suggestions)
    return {
        "book": book,
        "term": steps[-1].term_id if steps else None,
        "column": column,
        "unmatched": unmatched,
        "near": near if not steps else [],
    }


def term_page(release: Release, book: str, term_id: int) -> dict[str, Any] | None:
    """A term: the path down to it, itself, and its subterms one level down."""
    term = release.term(term_id)
    if term is None or term.book != book:
        return None
    return {
        "crumbs": [{"id": t.id, "title": t.title} for t in release.chain(term)[:-1]],
        "term": term_view(release, term, book),
        "subterms": [term_view(release, t, book) for t in release.subterms(term.id)],
    }
