"""Build a release: load its CMS files, apply the Tabular conventions, write one SQLite file.

A built release is immutable: it is written to a temporary file and renamed into place,
with a ``release.json`` manifest recording every source file's sha256, the effective
dates and the loader version. Index codes that the release's Tabular expanded, deleted
or made non-billable (an older index beside a newer Tabular) are resolved or flagged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from medcoder.codesets.catalog import FoundFile, ReleasePlan
from medcoder.codesets.loaders.index_csv import load_index_csv
from medcoder.codesets.loaders.index_xml import load_index_xml
from medcoder.codesets.loaders.order_file import load_order_file
from medcoder.codesets.loaders.tabular_xml import load_tabular
from medcoder.codesets.manifest import (
    MANIFEST_FILE,
    RELEASE_FILE,
    read_manifest,
    seal_release,
    sha256_of,
)
from medcoder.codesets.model import BookKind, IndexBook, ReleaseInfo, SourceFile, TabularNode
from medcoder.codesets.resolve import IndexCodeResolver
from medcoder.codesets.schema import SCHEMA
from medcoder.codesets.staging import build_atomically
from medcoder.codesets.tabular import CodeRow, code_rows, order_rows
from medcoder.codesets.text import norm_term
from medcoder.errors import ReleaseBuildError

LOADER_VERSION = "icd10cm-loader/1"


def _load_book(found: FoundFile) -> IndexBook:
    kind = {
        "index": BookKind.INDEX,
        "eindex": BookKind.EXTERNAL_CAUSE,
        "neoplasm": BookKind.NEOPLASM,
        "drug": BookKind.DRUG,
    }[found.role]
    if found.path.suffix.lower() == ".csv":
        return load_index_csv(found.path, version=str(found.fiscal_year))
    return load_index_xml(found.path, kind)


def build_release(
    plan: ReleasePlan, releases_dir: Path, *, embedded: bool = False, force: bool = False
) -> ReleaseInfo:
    """Build ``plan`` into ``releases_dir/<name>/``; an existing build is kept unless ``force``."""
    target = releases_dir / plan.name
    if (target / MANIFEST_FILE).exists() and not force:
        return read_manifest(target)
    return build_atomically(
        releases_dir, plan.name, lambda staging: _build_into(plan, staging, embedded=embedded)
    )


def _build_into(plan: ReleasePlan, folder: Path, *, embedded: bool) -> ReleaseInfo:
    tabular_file = plan.file("tabular")
    nodes: list[TabularNode] = []
    if tabular_file is not None:
        nodes = list(load_tabular(tabular_file.path).nodes)
        rows = list(code_rows(nodes))
    else:
        order_file = plan.file("order")
        if order_file is None:
            raise ReleaseBuildError(f"{plan.name}: neither a Tabular List nor an order file")
        rows = list(order_rows(load_order_file(order_file.path)))
    books = [_load_book(f) for f in plan.files if f.role in ("index", "eindex", "neoplasm", "drug")]
    resolver = IndexCodeResolver(rows)
    index_file = plan.file("index")
    notes: list[str] = []
    if index_file is None:
        notes.append("no Alphabetic Index: index lookups are unavailable in this release")
    elif index_file.fiscal_year != plan.fiscal_year:
        notes.append(
            f"Alphabetic Index and tables from FY{index_file.fiscal_year} beside the "
            f"FY{plan.fiscal_year} Tabular List: index codes verified against this Tabular"
        )
    if tabular_file is None:
        notes.append("built from the order file: titles and billable flags only, no notes")

    db = sqlite3.connect(folder / RELEASE_FILE)
    try:
        db.executescript(SCHEMA)
        _write_codes(db, rows)
        _write_notes(db, nodes)
        stats = _write_books(db, books, resolver)
        _write_search(db, nodes, rows)
        stats.update(
            codes=sum(1 for r in rows if r.kind not in ("chapter", "section")),
            billable=sum(1 for r in rows if r.billable),
        )
        sources = tuple(
            SourceFile(f.role, str(f.path.resolve()), sha256_of(f.path), f.fiscal_year)
            for f in plan.files
        )
        info = ReleaseInfo(
            name=plan.name,
            system="icd10cm",
            fiscal_year=plan.fiscal_year,
            effective_from=plan.effective_from,
            effective_to=plan.effective_to,
            sources=sources,
            loader_version=LOADER_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_fiscal_year=index_file.fiscal_year if index_file else None,
            embedded=embedded,
            notes=tuple(notes),
            stats=stats,
        )
        seal_release(db, folder, info)
    finally:
        db.close()
    return info


def _write_codes(db: sqlite3.Connection, rows: list[CodeRow]) -> None:
    db.executemany(
        "INSERT INTO codes VALUES (?,?,?,?,?,?,?,?)",
        (
            (r.code, str(r.kind), r.title, r.parent, int(r.billable), seq, r.seven_chr_from,
             int(r.expansion))
            for seq, r in enumerate(rows)
        ),
    )  # fmt: skip


def _write_notes(db: sqlite3.Connection, nodes: list[TabularNode]) -> None:
    db.executemany(
        "INSERT INTO notes VALUES (?,?,?,?)",
        ((n.code, str(note.kind), i, note.text) for n in nodes for i, note in enumerate(n.notes)),
    )
    db.executemany(
        "INSERT INTO seven_chr VALUES (?,?,?,?)",
        (
            (n.code, char, meaning, i)
            for n in nodes
            for i, (char, meaning) in enumerate(n.seven_chr)
        ),
    )
    db.executemany(
        "INSERT INTO notes VALUES (?,'seven_chr_note',0,?)",
        ((n.code, n.seven_chr_note) for n in nodes if n.seven_chr_note),
    )


def _write_books(
    db: sqlite3.Connection, books: Iterable[IndexBook], resolver: IndexCodeResolver
) -> dict[str, int]:
    stats: dict[str, int] = {}
    offset = 0
    for book in books:
        db.execute(
            "INSERT INTO books VALUES (?,?,?)",
            (str(book.kind), book.version, json.dumps(list(book.headings))),
        )
        term_rows = []
        cell_rows = []
        for e in book.entries:
            resolved, status = resolver.resolve(e.code) if e.code else (None, None)
            if status:
                stats[f"index_{status}"] = stats.get(f"index_{status}", 0) + 1
            term_rows.append(
                (
                    e.id + offset, str(book.kind),
                    e.parent_id + offset if e.parent_id is not None else None,
                    e.level, e.title, "|".join(e.nonessential), e.code, e.manifestation,
                    e.see, e.see_also, norm_term(e.title), resolved, status,
                )
            )  # fmt: skip
            for col, value in e.cells:
                cell_resolved, cell_status = resolver.resolve(value)
                cell_rows.append((e.id + offset, col, value, cell_resolved, cell_status))
        db.executemany("INSERT INTO terms VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", term_rows)
        db.executemany("INSERT INTO cells VALUES (?,?,?,?,?)", cell_rows)
        stats[f"{book.kind}_terms"] = len(book.entries)
        offset += len(book.entries)
    return stats


def _write_search(db: sqlite3.Connection, nodes: list[TabularNode], rows: list[CodeRow]) -> None:
    """Full-text rows: code titles, inclusion terms, and index terms with their full path."""
    db.executemany(
        "INSERT INTO search(code, source, text) VALUES (?,?,?)",
        ((r.code, "title", r.title) for r in rows if not r.expansion),
    )
    db.executemany(
        "INSERT INTO search(code, source, text) VALUES (?,?,?)",
        (
            (n.code, "inclusion_term", note.text)
            for n in nodes
            for note in n.notes
            if note.kind == "inclusion_terms"
        ),
    )
    # Index terms: the searchable text is the whole path (main term, subterms), so a
    # search for "diabetes kidney" finds "Diabetes, with, chronic kidney disease".
    paths: dict[int, str] = {}
    index_rows = []
    for term_id, parent_id, title, code, resolved in db.execute(
        "SELECT id, parent_id, title, code, resolved FROM terms WHERE book = 'index' ORDER BY id"
    ):
        path = f"{paths[parent_id]}, {title}" if parent_id in paths else title
        paths[term_id] = path
        if code:
            index_rows.append((resolved or code, "index", path, term_id))
    db.executemany("INSERT INTO search(code, source, text, term_id) VALUES (?,?,?,?)", index_rows)
