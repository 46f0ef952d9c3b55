"""Built ICD-10-PCS releases: open one, look codes up, validate, explain, search, and
choose the release in force on a date of service."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from medcoder.codesets.manifest import MANIFEST_FILE, RELEASE_FILE, read_manifest
from medcoder.codesets.model import ReleaseInfo
from medcoder.codesets.pcs.model import AxisValue, PcsRow, PcsTable, PcsTerm
from medcoder.codesets.pcs.validate import (
    CharacterMeaning,
    PcsValidation,
    explain_characters,
    normalize_pcs,
    validate_pcs,
)
from medcoder.codesets.readonly_db import ReadOnlyDatabase
from medcoder.codesets.text import fts_query
from medcoder.errors import InvalidPcsCodeError, NoReleaseForDateError, ReleaseNotFoundError
from medcoder.kinds import CodeSystem


@dataclass(frozen=True, slots=True)
class PcsCode:
    """A valid code with its title and the meaning of each character."""

    code: str
    title: str
    title_composed: bool  # True: built from the axes (the title list lacked the code)
    release: str
    characters: tuple[CharacterMeaning, ...]


def _table_from_json(prefix: str, text: str) -> PcsTable:
    data = json.loads(text)
    labels = data["labels"]
    rows = tuple(
        PcsRow(
            axes=tuple(tuple(AxisValue(c, label) for c, label in axis) for axis in row["axes"]),
            titles=tuple(row["titles"]),
        )
        for row in data["rows"]
    )
    titles = data["titles"]
    return PcsTable(
        section=AxisValue(prefix[0], labels[0]),
        body_system=AxisValue(prefix[1], labels[1]),
        operation=AxisValue(prefix[2], labels[2]),
        definition=data["definition"],
        titles=(titles[0], titles[1], titles[2]),
        rows=rows,
    )


class PcsRelease:
    """One built release, opened read-only; the tables load on first use (about 30 ms)."""

    def __init__(self, folder: Path) -> None:
        if not (folder / MANIFEST_FILE).exists():
            raise ReleaseNotFoundError(f"no ICD-10-PCS release at {folder}")
        self.folder = folder
        self.info: ReleaseInfo = read_manifest(folder)
        self.name = self.info.name
        self.db = ReadOnlyDatabase(folder / RELEASE_FILE)
        self._tables: dict[str, PcsTable] | None = None
        self._terms: dict[tuple[str, int, str], PcsTerm] | None = None
        self._index: tuple[tuple[str, str, str], ...] | None = None

    def close(self) -> None:
        self.db.close()

    @property
    def tables(self) -> dict[str, PcsTable]:
        """Every table by its three-character prefix."""
        if self._tables is None:
            self._tables = {
                prefix: _table_from_json(prefix, data)
                for prefix, data in self.db.execute("SELECT prefix, data FROM pcs_tables")
            }
        return self._tables

    @property
    def terms(self) -> dict[tuple[str, int, str], PcsTerm]:
        """Definitions terms by (section, position, value title)."""
        if self._terms is None:
            self._terms = {}
            for row in self.db.execute("SELECT * FROM terms"):
                section, position, axis, titles, definition, explanation, includes = row
                term = PcsTerm(section, position, axis, tuple(json.loads(titles)), definition,
                               explanation, tuple(json.loads(includes)))  # fmt: skip
                for title in term.titles:
                    self._terms[(section, position, title)] = term
        return self._terms

    @property
    def index_references(self) -> tuple[tuple[str, str, str], ...]:
        """The Index's "see" references (term, root operation, code prefix or ""); none
        for a release built without an Index file or before they were stored."""
        if self._index is None:
            has = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'index_see'"
            ).fetchone()
            rows = self.db.execute("SELECT term, target, prefix FROM index_see") if has else []
            self._index = tuple((str(t), str(o), str(p)) for t, o, p in rows)
        return self._index

    def table(self, prefix: str) -> PcsTable:
        """The table for a three-character prefix; an unknown prefix names what is allowed."""
        prefix = normalize_pcs(prefix)
        if len(prefix) != 3:
            raise InvalidPcsCodeError(
                f"{prefix!r}: a table is named by 3 characters (section, body system, "
                "operation), e.g. 0DT"
            )
        found = self.tables.get(prefix)
        if found is None:
            check = validate_pcs(prefix + "0000", self.tables, self.name)
            problem = check.problem.message() if check.problem else check.message()
            raise InvalidPcsCodeError(f"no table {prefix} in {self.name}: {problem}")
        return found

    def validate(self, code: str) -> PcsValidation:
        return validate_pcs(code, self.tables, self.name)

    def title(self, code: str) -> tuple[str, bool] | None:
        row = self.db.execute(
            "SELECT title, composed FROM codes WHERE code = ?", (normalize_pcs(code),)
        ).fetchone()
        return (str(row[0]), bool(row[1])) if row else None

    def lookup(self, code: str) -> PcsCode:
        """A valid code with its title and explained characters, else InvalidPcsCodeError."""
        check = self.validate(code)
        if not check.valid:
            problem = check.problem
            hint = None
            if problem is not None:
                hint = "allowed: " + ", ".join(f"{v.code} {v.label}" for v in problem.allowed)
            raise InvalidPcsCodeError(check.message(), hint=hint)
        title = self.title(check.code) or ("", True)
        table = self.tables[check.code[:3]]
        characters = tuple(
            self._define(check.code[0], c) for c in explain_characters(check.code, table)
        )
        return PcsCode(check.code, title[0], title[1], self.name, characters)

    def _define(self, section: str, meaning: CharacterMeaning) -> CharacterMeaning:
        term = self.terms.get((section, meaning.position, meaning.label))
        if term is None:
            return meaning
        return replace(
            meaning,
            definition=term.definition or meaning.definition,
            explanation=term.explanation,
            includes=term.includes,
        )

    def search(self, text: str, limit: int = 20) -> list[tuple[str, str]]:
        """Codes whose title holds every word of ``text`` (best match first)."""
        query = fts_query(text)
        if not query:
            return []
        rows = self.db.execute(
            "SELECT s.code, c.title FROM search s JOIN codes c ON c.code = s.code "
            "WHERE search MATCH ? ORDER BY bm25(search), s.code LIMIT ?",
            (query, limit),
        )
        return [(str(code), str(title)) for code, title in rows]

    def with_prefix(self, prefix: str, limit: int = 20) -> list[tuple[str, str]]:
        """Codes starting with ``prefix`` (a code typed, or its first characters), in
        code order: one range of the code column."""
        key = "".join(prefix.split()).upper()
        if not key.isalnum():
            return []
        rows = self.db.execute(
            "SELECT code, title FROM codes WHERE code >= ? AND code < ? ORDER BY code LIMIT ?",
            (key, key + "\uffff", limit),
        )
        return [(str(code), str(title)) for code, title in rows]

    def codes(self) -> set[str]:
        return {str(c) for (c,) in self.db.execute("SELECT code FROM codes")}

    def titles(self) -> dict[str, tuple[str, bool]]:
        return {
            str(c): (str(t), bool(x))
            for c, t, x in self.db.execute("SELECT code, title, composed FROM codes")
        }


class PcsRegistry:
    """The ICD-10-PCS releases built under ``<home>/icd10pcs``."""

    def __init__(self, home: Path) -> None:
        self.root = home / CodeSystem.ICD10PCS  # <home>/icd10pcs/<release>
        self._open: dict[str, PcsRelease] = {}
        self._installed: list[ReleaseInfo] | None = None

    def installed(self) -> list[ReleaseInfo]:
        """Built releases, oldest first (read once per registry: releases are immutable)."""
        if self._installed is None:
            self._installed = self._scan()
        return self._installed

    def _scan(self) -> list[ReleaseInfo]:
        if not self.root.is_dir():
            return []
        infos = [
            read_manifest(folder)
            for folder in sorted(self.root.iterdir())
            if (folder / MANIFEST_FILE).exists()
        ]
        return sorted(infos, key=lambda i: i.effective_from)

    def open(self, name: str) -> PcsRelease:
        if name not in self._open:
            known = [i.name for i in self.installed()]
            if name not in known:
                raise ReleaseNotFoundError(
                    f"no ICD-10-PCS release named {name!r} (installed: "
                    f"{', '.join(known) or 'none'})",
                    hint="run `medcoder setup --data DIR` with the PCS tables in DIR",
                )
            self._open[name] = PcsRelease(self.root / name)
        return self._open[name]

    def choose(self, *, name: str | None = None, day: date | None = None) -> PcsRelease:
        """By name, else the release in force on the date of service, else the newest."""
        if name:
            return self.open(name)
        infos = self.installed()
        if not infos:
            raise ReleaseNotFoundError(
                "no ICD-10-PCS release is installed",
                hint="run `medcoder setup --data DIR` with icd10pcs_tables_<year>.xml in DIR",
            )
        if day is None:
            return self.open(infos[-1].name)
        for info in infos:
            if info.covers(day):
                return self.open(info.name)
        spans = "; ".join(f"{i.name} {i.effective_from}..{i.effective_to}" for i in infos)
        raise NoReleaseForDateError(
            f"no ICD-10-PCS release covers {day.isoformat()} (installed: {spans})",
            hint="install the tables of that fiscal year (Oct 1 - Sep 30) with medcoder setup",
        )

    def close(self) -> None:
        for release in self._open.values():
            release.close()
        self._open.clear()
