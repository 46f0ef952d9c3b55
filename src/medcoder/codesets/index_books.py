"""A release's Index and Table books as stored: terms, their subterms and table cells.

The Alphabetic Index, the Table of Neoplasms, the Table of Drugs and Chemicals and the
Index to External Causes are stored as one tree of terms per book (ICD-10-CM Official
Guidelines I.B.1: a code is located in the Index first, then verified in the Tabular).
These are the read queries over them; :class:`~medcoder.codesets.store.Release` has them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from medcoder.codesets.readonly_db import ReadOnlyDatabase


@dataclass(frozen=True, slots=True)
class Term:
    """An index / table term as stored in a release."""

    id: int
    book: str
    parent_id: int | None
    level: int
    title: str
    nonessential: tuple[str, ...]
    code: str | None
    manifestation: str | None
    see: str | None
    see_also: str | None
    resolved: str | None
    resolution: str | None


_TERM_COLUMNS = (
    "id, book, parent_id, level, title, nonessential, code, manifestation, see, see_also, "
    "resolved, resolution"
)


class IndexBooks:
    """The index book queries of a release (mixed into ``Release``, which opens ``_db``)."""

    _db: ReadOnlyDatabase
    _terms: dict[int, Term | None]

    def books(self) -> dict[str, tuple[str, ...]]:
        return {
            book: tuple(json.loads(headings))
            for book, headings in self._db.execute("SELECT book, headings FROM books")
        }

    def _term(self, row: tuple[object, ...]) -> Term:
        values = list(row)
        nonessential = str(values[5])
        values[5] = tuple(nonessential.split("|")) if nonessential else ()
        return Term(*values)  # type: ignore[arg-type]

    def term(self, term_id: int) -> Term | None:
        if term_id in self._terms:
            return self._terms[term_id]
        row = self._db.execute(f"SELECT {_TERM_COLUMNS} FROM terms WHERE id = ?", (term_id,))
        found = row.fetchone()
        term = self._term(found) if found else None
        if len(self._terms) < 200_000:
            self._terms[term_id] = term
        return term

    def chain(self, term: Term) -> list[Term]:
        """The term and its parents, main term first."""
        found = [term]
        while found[0].parent_id is not None:
            parent = self.term(found[0].parent_id)
            if parent is None:
                break
            found.insert(0, parent)
        return found

    def subterms(self, term_id: int) -> list[Term]:
        rows = self._db.execute(
            f"SELECT {_TERM_COLUMNS} FROM terms WHERE parent_id = ? ORDER BY id", (term_id,)
        )
        return [self._term(r) for r in rows]

    def subterm_count(self, term_id: int) -> int:
        row = self._db.execute("SELECT count(*) FROM terms WHERE parent_id = ?", (term_id,))
        return int(row.fetchone()[0])

    def main_terms(self, book: str, norm: str | None = None) -> list[Term]:
        if norm is None:
            sql = f"SELECT {_TERM_COLUMNS} FROM terms WHERE book = ? AND level = 0 ORDER BY id"
            rows = self._db.execute(sql, (book,))
        else:
            sql = (
                f"SELECT {_TERM_COLUMNS} FROM terms WHERE book = ? AND level = 0 AND norm = ? "
                "ORDER BY id"
            )
            rows = self._db.execute(sql, (book, norm))
        return [self._term(r) for r in rows]

    def terms_named(self, book: str, norm: str) -> list[Term]:
        rows = self._db.execute(
            f"SELECT {_TERM_COLUMNS} FROM terms WHERE book = ? AND norm = ? ORDER BY level, id",
            (book, norm),
        )
        return [self._term(r) for r in rows]

    def cells(self, term_id: int) -> dict[int, tuple[str, str | None, str | None]]:
        """Table columns of a neoplasm or drug term: col -> (printed, resolved, resolution)."""
        return {
            col: (code, resolved, resolution)
            for col, code, resolved, resolution in self._db.execute(
                "SELECT col, code, resolved, resolution FROM cells WHERE term_id = ?", (term_id,)
            )
        }

    def index_rows(
        self, book: str = "index"
    ) -> list[tuple[int, int | None, int, str, tuple[str, ...], str | None]]:
        """(id, parent_id, level, title, nonessential, see) of every term of an index book."""
        rows = self._db.execute(
            "SELECT id, parent_id, level, title, nonessential, see FROM terms "
            "WHERE book = ? ORDER BY id",
            (book,),
        )
        return [
            (i, p, lv, t, tuple(n.split("|")) if n else (), see) for i, p, lv, t, n, see in rows
        ]

    def title_rows(self, *, billable_only: bool = False) -> list[tuple[str, str, str]]:
        """(code, text, source) for every code title and inclusion term (no 7th expansions)."""
        only = " AND c.billable = 1" if billable_only else ""
        titles = self._db.execute(
            "SELECT c.code, c.title FROM codes c "
            f"WHERE c.expansion = 0 AND c.kind NOT IN ('chapter', 'section'){only}"
        )
        out = [(c, t, "tabular") for c, t in titles]
        notes = self._db.execute(
            "SELECT n.code, n.text FROM notes n JOIN codes c ON c.code = n.code "
            f"WHERE n.kind = 'inclusion_terms'{only}"
        )
        out += [(c, t, "tabular") for c, t in notes]
        return out

    def main_term_titles(self, book: str) -> list[tuple[int, str]]:
        rows = self._db.execute(
            "SELECT id, title FROM terms WHERE book = ? AND level = 0 ORDER BY id", (book,)
        )
        return [(int(i), str(t)) for i, t in rows]
