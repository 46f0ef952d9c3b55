"""Loader for the ICD-10-CM index-family XML files.

One schema (``icd10cm-index-YYYY.xsd``, root ``ICD10CM.index``) serves four books: the
Alphabetic Index to Diseases and Injuries, the Index to External Causes, the Neoplasm
Table and the Table of Drugs and Chemicals. A ``mainTerm`` and its nested ``term``
elements carry a title (with ``nemod`` nonessential modifiers), then optionally see,
seeAlso, code, seecat, subcat, manif (the bracketed manifestation code), and table
``cell`` columns.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from medcoder.codesets.loaders.tabular_xml import line_of, parse_xml, text_of
from medcoder.codesets.model import BookKind, IndexBook, IndexEntry
from medcoder.errors import SourceFormatError

_PAREN_RE = re.compile(r"\(([^()]*)\)")


def split_nonessential(text: str) -> tuple[str, ...]:
    """``(mellitus) (sugar)`` -> ``("mellitus", "sugar")``."""
    found = tuple(m.strip() for m in _PAREN_RE.findall(text) if m.strip())
    if found:
        return found
    stripped = text.strip()
    return (stripped,) if stripped else ()


def _title(element: etree._Element) -> tuple[str, tuple[str, ...]]:
    title_el = element.find("title")
    if title_el is None:
        title_el = element.find("diff")
    if title_el is None:
        return "", ()
    nemods: list[str] = []
    parts: list[str] = [title_el.text or ""]
    for child in title_el:
        if child.tag == "nemod":
            nemods.extend(split_nonessential(text_of(child)))
        else:
            parts.append(text_of(child))
        parts.append(child.tail or "")
    title = " ".join("".join(parts).split())
    # A term printed only in parentheses ("(somatoform)"): its words are the term.
    return title or " ".join(nemods), tuple(nemods)


def _optional(element: etree._Element, tag: str) -> str | None:
    found = element.find(tag)
    text = text_of(found) if found is not None else ""
    return text or None


def guess_kind(root: etree._Element, path: Path) -> BookKind:
    """Tell the four books apart from their column headings or title."""
    headings = " ".join(text_of(h) for h in root.iterfind("indexHeading/head")).lower()
    title = text_of(root.find("title")).lower()
    if "malignant" in headings:
        return BookKind.NEOPLASM
    if "poisoning" in headings or "substance" in headings:
        return BookKind.DRUG
    if "external cause" in title or "eindex" in path.name.lower():
        return BookKind.EXTERNAL_CAUSE
    return BookKind.INDEX


def load_index_xml(path: Path, kind: BookKind | None = None) -> IndexBook:
    """Read one index-family XML book into entries in document order."""
    root = parse_xml(path)
    if root.tag != "ICD10CM.index":
        raise SourceFormatError(
            path, f"expected root element ICD10CM.index, found {root.tag}", line=line_of(root)
        )
    book_kind = kind or guess_kind(root, path)
    heads = list(root.iterfind("indexHeading/head"))
    for head in heads:
        if not str(head.get("col", "")).isdigit():
            raise SourceFormatError(path, "table heading without a numeric col", line=line_of(head))
    headings = tuple(text_of(h) for h in sorted(heads, key=lambda h: int(h.get("col", "0"))))
    entries: list[IndexEntry] = []

    def walk(element: etree._Element, parent_id: int | None, level: int) -> None:
        title, nemods = _title(element)
        if not title:
            raise SourceFormatError(path, "index term without a title", line=line_of(element))
        cells: list[tuple[int, str]] = []
        for cell in element.iterfind("cell"):
            try:
                col = int(cell.get("col", ""))
            except ValueError as exc:
                raise SourceFormatError(
                    path, "table cell without a numeric col", line=line_of(cell)
                ) from exc
            cells.append((col, text_of(cell)))
        entry_id = len(entries) + 1
        entries.append(
            IndexEntry(
                id=entry_id,
                parent_id=parent_id,
                level=level,
                title=title,
                nonessential=nemods,
                code=_optional(element, "code"),
                manifestation=_optional(element, "manif"),
                see=_optional(element, "see") or _optional(element, "seecat"),
                see_also=_optional(element, "seeAlso"),
                cells=tuple(cells),
            )
        )
        for term in element.iterfind("term"):
            declared = term.get("level")
            if declared is not None and declared.isdigit() and int(declared) != level + 1:
                raise SourceFormatError(
                    path,
                    f"term level {declared} under a level-{level} term",
                    line=line_of(term),
                )
            walk(term, entry_id, level + 1)

    for letter in root.iterfind("letter"):
        for main_term in letter.iterfind("mainTerm"):
            walk(main_term, None, 0)
    if not entries:
        raise SourceFormatError(path, "no main terms found: is this an ICD-10-CM index XML?")
    return IndexBook(
        kind=book_kind,
        version=text_of(root.find("version")),
        headings=headings,
        entries=tuple(entries),
    )
