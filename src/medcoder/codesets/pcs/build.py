"""Find ICD-10-PCS files in a data folder and build each fiscal year into one SQLite file.

A release lives in ``<MEDCODER_HOME>/icd10pcs/icd10pcs-<FY>/`` as ``release.sqlite`` and
a ``release.json`` manifest (name, fiscal year, effective dates, source files with
sha256), like the ICD-10-CM releases. PCS has one release per fiscal year, effective
October 1 to September 30.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from medcoder.codesets.manifest import (
    MANIFEST_FILE,
    RELEASE_FILE,
    read_manifest,
    seal_release,
    sha256_of,
)
from medcoder.codesets.model import ReleaseInfo, SourceFile
from medcoder.codesets.pcs.loader import load_index_references, load_long_titles, load_tables
from medcoder.codesets.pcs.model import PcsTables
from medcoder.codesets.pcs.titles import Labels, compose_title, shape, template_of
from medcoder.codesets.setup_report import SetupReport
from medcoder.codesets.staging import build_atomically
from medcoder.codesets.text import norm_term
from medcoder.kinds import CodeSystem

SYSTEM = CodeSystem.ICD10PCS
LOADER_VERSION = "icd10pcs-loader/1"
_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- One row per table (characters 1-3); rows hold the axis values of characters 4-7.
CREATE TABLE pcs_tables (prefix TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE terms (
    section TEXT NOT NULL, position INTEGER NOT NULL, axis TEXT NOT NULL, titles TEXT NOT NULL,
    definition TEXT NOT NULL, explanation TEXT NOT NULL, includes TEXT NOT NULL
);
-- Every valid code with its long title; composed = 1 where the title list lacked it.
CREATE TABLE codes (code TEXT PRIMARY KEY, title TEXT NOT NULL, composed INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE VIRTUAL TABLE search USING fts5(code UNINDEXED, text, tokenize = 'unicode61');
-- The Index's "see" references (term -> root operation, code prefix or ""), when an
-- Index file was found: the stage derives procedure words from them.
CREATE TABLE index_see (term TEXT NOT NULL, target TEXT NOT NULL, prefix TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class PcsPlan:
    """What to build for one fiscal year."""

    fiscal_year: int
    tables: Path
    definitions: Path | None
    long_titles: Path | None
    index: Path | None = None  # a PCS Index CSV (term,content), e.g. the partial index

    @property
    def name(self) -> str:
        return f"{SYSTEM}-{self.fiscal_year}"


def plan_pcs(data_dir: Path) -> list[PcsPlan]:
    """One plan per ``*pcs*tables*<year>*.xml`` under ``data_dir``, oldest first."""
    files = sorted(p for p in data_dir.rglob("*") if p.is_file() and "pcs" in p.name.lower())
    titles = next((p for p in files if "long_title" in p.name.lower()), None)
    index = next(
        (p for p in files if "index" in p.name.lower() and p.suffix.lower() == ".csv"), None
    )
    plans = []
    for path in files:
        name = path.name.lower()
        year = _YEAR_RE.search(name)
        if not (year and "tables" in name and name.endswith(".xml")):
            continue
        definitions = next(
            (p for p in files
             if "definitions" in p.name.lower() and year.group(1) in p.name
             and p.suffix.lower() == ".xml"),
            None,
        )  # fmt: skip
        plans.append(PcsPlan(int(year.group(1)), path, definitions, titles, index))
    return sorted(plans, key=lambda p: p.fiscal_year)


def build_pcs_release(plan: PcsPlan, home: Path, *, force: bool = False) -> ReleaseInfo:
    """Build ``plan`` into ``home/icd10pcs/<name>/``; an existing build is kept unless force."""
    root = home / SYSTEM
    target = root / plan.name
    if (target / MANIFEST_FILE).exists() and not force:
        return read_manifest(target)
    return build_atomically(root, plan.name, lambda staging: _build_into(plan, staging))


def table_json(tables: PcsTables) -> dict[str, str]:
    """Each table as compact JSON, keyed by its three-character prefix."""
    out = {}
    for t in tables.tables:
        out[t.prefix] = json.dumps(
            {
                "labels": [t.section.label, t.body_system.label, t.operation.label],
                "definition": t.definition,
                "titles": list(t.titles),
                "rows": [
                    {"titles": list(r.titles), "axes": [[[v.code, v.label] for v in a]
                                                        for a in r.axes]}
                    for r in t.rows
                ],
            },
            separators=(",", ":"),
        )  # fmt: skip
    return out


def titled_codes(tables: PcsTables, long_titles: dict[str, str]) -> list[tuple[str, str, int]]:
    """Every valid code with its title: from the list, else composed (flag 1)."""
    labelled: list[tuple[str, Labels]] = []
    for table in tables.tables:
        head = (table.section.label, table.body_system.label, table.operation.label)
        for row in table.rows:
            for code in row.codes(table.prefix):
                labels = head + tuple(row.label(p, code[p - 1]) or "" for p in (4, 5, 6, 7))
                labelled.append((code, labels))
    votes: dict[tuple[str, ...], Counter[str]] = {}
    for code, labels in labelled:
        if code in long_titles:
            template = template_of(long_titles[code], labels)
            if template is not None:
                votes.setdefault(shape(code, labels), Counter())[template] += 1
    templates = {key: count.most_common(1)[0][0] for key, count in votes.items()}
    return [
        (code, long_titles[code], 0)
        if code in long_titles
        else (code, compose_title(code, labels, templates), 1)
        for code, labels in labelled
    ]


def _build_into(plan: PcsPlan, folder: Path) -> ReleaseInfo:
    tables = load_tables(plan.tables, plan.definitions)
    long_titles = load_long_titles(plan.long_titles) if plan.long_titles else {}
    code_rows = titled_codes(tables, long_titles)
    db = sqlite3.connect(folder / RELEASE_FILE)
    try:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO pcs_tables VALUES (?,?)", table_json(tables).items())
        db.executemany(
            "INSERT INTO terms VALUES (?,?,?,?,?,?,?)",
            ((t.section, t.position, t.axis, json.dumps(t.titles), t.definition, t.explanation,
              json.dumps(t.includes)) for t in tables.terms),
        )  # fmt: skip
        db.executemany("INSERT OR IGNORE INTO codes VALUES (?,?,?)", code_rows)
        references = load_index_references(plan.index) if plan.index else ()
        db.executemany("INSERT INTO index_see VALUES (?,?,?)", references)
        db.executemany(
            "INSERT INTO search(code, text) VALUES (?,?)",
            ((code, norm_term(title)) for code, title, _ in code_rows),
        )
        composed = sum(1 for _, _, c in code_rows if c)
        notes = []
        if plan.long_titles is not None:
            notes.append(
                f"long titles from {plan.long_titles.name} (DERIVED list); "
                f"{composed:,} titles composed from the table axes"
            )
        sources = tuple(
            SourceFile(role, str(path.resolve()), sha256_of(path), year)
            for role, path, year in (
                ("tables", plan.tables, plan.fiscal_year),
                ("definitions", plan.definitions, plan.fiscal_year),
                ("long_titles", plan.long_titles, None),  # an undated, DERIVED list
                ("index", plan.index, None),
            )
            if path is not None
        )  # fmt: skip
        info = ReleaseInfo(
            name=plan.name,
            system=SYSTEM,
            fiscal_year=plan.fiscal_year,
            effective_from=date(plan.fiscal_year - 1, 10, 1),
            effective_to=date(plan.fiscal_year, 9, 30),
            sources=sources,
            loader_version=LOADER_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            notes=tuple(notes),
            stats={
                "tables": len(tables.tables),
                "rows": sum(len(t.rows) for t in tables.tables),
                "codes": len(code_rows),
                "composed_titles": composed,
                "definitions": len(tables.terms),
                "index_references": len(references),
            },
        )
        seal_release(db, folder, info)
    finally:
        db.close()
    return info


def setup_pcs(data: Path, home: Path, force: bool) -> SetupReport:
    """The ``medcoder setup`` step: build every PCS fiscal year found in ``data``."""
    plans = plan_pcs(data)
    if not plans:
        return SetupReport(
            SYSTEM, (), f"no ICD-10-PCS tables (icd10pcs_tables_<year>.xml) in {data}"
        )
    infos = [build_pcs_release(plan, home, force=force) for plan in plans]
    message = "; ".join(
        f"{i.name}: {i.effective_from}..{i.effective_to}, {i.stats.get('codes', 0):,} codes "
        f"in {i.stats.get('tables', 0):,} tables"
        for i in infos
    )
    return SetupReport(SYSTEM, tuple(i.name for i in infos), message)
