"""An opened, read-only release: code lookup, notes with inheritance, 7th characters, search.

Its Index and Table books' queries are in codesets/index_books.py (``Term`` is
re-exported here: the coding engine and the encoder import it with ``Release``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from medcoder.codesets.codes import code_prefix, compact, normalize, parent_candidates
from medcoder.codesets.index_books import IndexBooks, Term
from medcoder.codesets.manifest import MANIFEST_FILE, RELEASE_FILE, read_manifest
from medcoder.codesets.model import INHERITED_NOTE_KINDS, NodeKind, NoteKind, ReleaseInfo
from medcoder.codesets.readonly_db import ReadOnlyDatabase
from medcoder.codesets.text import fts_any_query, fts_query
from medcoder.errors import ReleaseNotFoundError, UnknownCodeError

__all__ = ["CodeEntry", "NoteText", "Release", "SearchHit", "SevenCharacter", "Term"]


@dataclass(frozen=True, slots=True)
class CodeEntry:
    code: str
    kind: NodeKind
    title: str
    parent: str | None
    billable: bool
    seven_chr_from: str | None
    expansion: bool
    release: str


@dataclass(frozen=True, slots=True)
class NoteText:
    text: str
    inherited_from: str | None = None  # None: written at the code itself


@dataclass(frozen=True, slots=True)
class SevenCharacter:
    defined_at: str
    note: str | None
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    code: str
    title: str
    source: str  # title, inclusion_term, index
    matched: str  # the text that matched
    billable: bool
    score: float


_CODE_COLUMNS = "code, kind, title, parent, billable, seven_chr_from, expansion"


class Release(IndexBooks):
    """A built release opened read-only. Cheap to open: nothing is loaded up front."""

    def __init__(self, folder: Path) -> None:
        if not (folder / MANIFEST_FILE).exists() or not (folder / RELEASE_FILE).exists():
            raise ReleaseNotFoundError(
                f"no built release in {folder}", hint="run `medcoder setup` to build releases"
            )
        self.folder = folder
        self.info: ReleaseInfo = read_manifest(folder)
        self._db = ReadOnlyDatabase(folder / RELEASE_FILE)
        self._cache: dict[str, CodeEntry | None] = {}
        self._terms: dict[int, Term | None] = {}
        self._notes: dict[str, dict[NoteKind, list[NoteText]]] = {}
        # Per-release helpers built on demand (e.g. the index navigator and its caches).
        self.memo: dict[str, object] = {}

    @property
    def name(self) -> str:
        return self.info.name

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Release:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- codes -----------------------------------------------------------------
    def _entry(self, row: tuple[str, str, str, str | None, int, str | None, int]) -> CodeEntry:
        return CodeEntry(
            code=row[0],
            kind=NodeKind(row[1]),
            title=row[2],
            parent=row[3],
            billable=bool(row[4]),
            seven_chr_from=row[5],
            expansion=bool(row[6]),
            release=self.info.name,
        )

    def get(self, code: str) -> CodeEntry | None:
        """The entry for a code (any spelling), a section (A00-A09) or a chapter; else None."""
        try:
            return self._cache[code]
        except KeyError:
            pass
        entry = self._fetch(code)
        if len(self._cache) < 200_000:
            self._cache[code] = entry
        return entry

    def get_many(self, codes: Iterable[str]) -> dict[str, CodeEntry | None]:
        """``get`` for each of ``codes`` (as asked), those not cached read 500 to a query
        rather than one by one (a report looks up the thousands of codes in use)."""
        found: dict[str, CodeEntry | None] = {}
        wanted: dict[str, list[str]] = {}  # canonical code -> the spellings asked
        for code in codes:
            if code in found:
                continue
            if code in self._cache:
                found[code] = self._cache[code]
                continue
            try:
                wanted.setdefault(normalize(code), []).append(code)
            except Exception:
                found[code] = None  # as ``get``: not a code
        keys = list(wanted)
        for at in range(0, len(keys), 500):
            chunk = keys[at : at + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {_CODE_COLUMNS} FROM codes WHERE code IN ({marks})", chunk
            )
            entries = {row[0]: self._entry(row) for row in rows}
            for key in chunk:
                for code in wanted[key]:
                    found[code] = entries.get(key)
        for code, entry in found.items():
            if len(self._cache) < 200_000:
                self._cache[code] = entry
        return found

    def _fetch(self, code: str) -> CodeEntry | None:
        try:
            key = normalize(code)
        except Exception:
            return None
        row = self._db.execute(
            f"SELECT {_CODE_COLUMNS} FROM codes WHERE code = ?", (key,)
        ).fetchone()
        return self._entry(row) if row else None

    def lookup(self, code: str) -> CodeEntry:
        """Like get, but an unknown code raises UnknownCodeError naming the nearest codes."""
        entry = self.get(code)
        if entry is None:
            raise UnknownCodeError(code.strip(), self.info.name, self.nearest(code))
        return entry

    def nearest(self, code: str, limit: int = 5) -> list[str]:
        """Nearest valid codes: billable codes under the longest prefix that exists."""
        try:
            candidates = parent_candidates(code) if len(compact(code)) > 3 else []
        except Exception:
            return []
        for prefix in [*candidates, compact(code)[:3]]:
            entry = self.get(prefix)
            if entry is None:
                continue
            if entry.billable:
                siblings = [c.code for c in self.children(entry.parent or "") if c.billable]
                return ([entry.code] + [s for s in siblings if s != entry.code])[:limit]
            return [c.code for c in self.billable_descendants(entry.code, limit)]
        return []

    def children(self, code: str) -> list[CodeEntry]:
        rows = self._db.execute(
            f"SELECT {_CODE_COLUMNS} FROM codes WHERE parent = ? ORDER BY seq", (code,)
        ).fetchall()
        return [self._entry(r) for r in rows]

    def billable_descendants(self, code: str, limit: int | None = None) -> list[CodeEntry]:
        out: list[CodeEntry] = []
        stack = [code]
        while stack and (limit is None or len(out) < limit):
            current = stack.pop(0)
            for child in self.children(current):
                if child.billable:
                    out.append(child)
                else:
                    stack.append(child.code)
        return out[:limit] if limit is not None else out

    def ancestors(self, code: str) -> list[CodeEntry]:
        """From the chapter down to the code's parent."""
        chain: list[CodeEntry] = []
        entry = self.get(code)
        while entry is not None and entry.parent is not None:
            entry = self.get(entry.parent)
            if entry is not None:
                chain.append(entry)
        return list(reversed(chain))

    def iter_codes(self) -> Iterator[CodeEntry]:
        for row in self._db.execute(f"SELECT {_CODE_COLUMNS} FROM codes ORDER BY seq"):
            yield self._entry(row)

    # -- notes and 7th characters -----------------------------------------------
    def own_notes(self, code: str) -> dict[NoteKind, list[str]]:
        notes: dict[NoteKind, list[str]] = {}
        rows = self._db.execute(
            "SELECT kind, text FROM notes WHERE code = ? AND kind != 'seven_chr_note' ORDER BY ord",
            (code,),
        )
        for kind, text in rows:
            notes.setdefault(NoteKind(kind), []).append(text)
        return notes

    def all_own_notes(self) -> dict[str, dict[NoteKind, list[str]]]:
        """Every node's own notes in one pass (for release diffs)."""
        out: dict[str, dict[NoteKind, list[str]]] = {}
        rows = self._db.execute(
            "SELECT code, kind, text FROM notes WHERE kind != 'seven_chr_note' ORDER BY code, ord"
        )
        for code, kind, text in rows:
            out.setdefault(code, {}).setdefault(NoteKind(kind), []).append(text)
        return out

    def notes(self, code: str) -> dict[NoteKind, list[NoteText]]:
        """Notes at the code and inherited ones (see _notes); cached per code."""
        key = code.strip().upper()
        cached = self._notes.get(key)
        if cached is None:
            cached = self._collect_notes(code)
            if len(self._notes) < 50_000:
                self._notes[key] = cached
        return {kind: list(texts) for kind, texts in cached.items()}

    def _collect_notes(self, code: str) -> dict[NoteKind, list[NoteText]]:
        """Notes at the code, then those inherited from its ancestors (nearest first).

        ICD-10-CM Tabular conventions: instructional notes at a category, section or
        chapter apply to all codes below it; inclusion terms do not travel.
        """
        entry = self.lookup(code)
        result: dict[NoteKind, list[NoteText]] = {kind: [] for kind in NoteKind}
        own_key = entry.parent if entry.expansion and entry.parent else entry.code
        for kind, texts in self.own_notes(own_key).items():
            result[kind].extend(NoteText(t) for t in texts)
        for ancestor in reversed(self.ancestors(own_key)):
            for kind, texts in self.own_notes(ancestor.code).items():
                if kind in INHERITED_NOTE_KINDS:
                    result[kind].extend(NoteText(t, ancestor.code) for t in texts)
        return result

    def seven_character(self, code: str) -> SevenCharacter | None:
        entry = self.lookup(code)
        if entry.seven_chr_from is None:
            return None
        values = tuple(
            (char, meaning)
            for char, meaning in self._db.execute(
                "SELECT char, meaning FROM seven_chr WHERE code = ? ORDER BY ord",
                (entry.seven_chr_from,),
            )
        )
        note = self._db.execute(
            "SELECT text FROM notes WHERE code = ? AND kind = 'seven_chr_note'",
            (entry.seven_chr_from,),
        ).fetchone()
        return SevenCharacter(entry.seven_chr_from, note[0] if note else None, values)

    # -- search -------------------------------------------------------------------
    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Code numbers first, then words. A text that spells a code or a code prefix
        (``E11.42``, ``e1142``, ``W00``) lists that code, then the billable codes under it,
        complete with placeholder and 7th character (``W00.0XXA``), in Tabular order.
        Words match titles, inclusion terms and index terms in any order, ranked by BM25,
        one hit per code; when no entry holds every word, entries holding any of them."""
        hits: dict[str, SearchHit] = {}
        prefix = code_prefix(text)
        if prefix is not None:
            for hit in self._code_hits(prefix, limit):
                hits.setdefault(hit.code, hit)
        if len(hits) < limit:
            found = self._word_hits(fts_query(text), limit)
            if not found and prefix is None:
                found = self._word_hits(fts_any_query(text), limit)
            for hit in found:
                hits.setdefault(hit.code, hit)
        return list(hits.values())[:limit]

    def _code_hits(self, prefix: str, limit: int) -> list[SearchHit]:
        # Codes sort by their dotted form, so a prefix is one range of the primary key.
        exact = self._db.execute(
            "SELECT code, title, billable FROM codes WHERE code = ?", (prefix,)
        ).fetchall()
        under = self._db.execute(
            "SELECT code, title, billable FROM codes WHERE code > ? AND code < ? "
            "AND billable = 1 ORDER BY code LIMIT ?",
            (prefix, prefix + "\uffff", limit),
        ).fetchall()
        return [
            SearchHit(code, title, "code", code, bool(billable), 1.0)
            for code, title, billable in [*exact, *under]
        ]

    def _word_hits(self, query: str, limit: int) -> list[SearchHit]:
        if not query:
            return []
        rows = self._db.execute(
            "SELECT s.code, s.source, s.text, bm25(search) AS score, c.title, c.billable "
            "FROM search s JOIN codes c ON c.code = s.code "
            "WHERE search MATCH ? ORDER BY score LIMIT ?",
            (query, limit * 4),
        ).fetchall()
        hits: dict[str, SearchHit] = {}
        for code, source, matched, score, title, billable in rows:
            # The title is the most authoritative match; keep the best-ranked row per code.
            if code not in hits:
                hits[code] = SearchHit(code, title, source, matched, bool(billable), -score)
        return list(hits.values())
