"""Loader for the flattened Alphabetic Index CSV (``*_ICD10CM_YYYY_Index.csv``).

Columns: RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code, one row per
term in document order; the tree is rebuilt from Level (0 = main term). This form
drops the bracketed manifestation codes of the XML index.
"""

from __future__ import annotations

import csv
from pathlib import Path

from medcoder.codesets.loaders.index_xml import split_nonessential
from medcoder.codesets.model import BookKind, IndexBook, IndexEntry
from medcoder.errors import SourceFormatError

REQUIRED_COLUMNS = ("Level", "Term", "See", "SeeAlso", "NonEssModif", "Code")


def load_index_csv(path: Path, version: str = "") -> IndexBook:
    """Read the flattened index CSV, rebuilding parents from the Level column."""
    try:
        return _load(path, version)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(path, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc


def _load(path: Path, version: str) -> IndexBook:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceFormatError(path, f"cannot read file: {exc}") from exc
    entries: list[IndexEntry] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceFormatError(
                path,
                f"missing columns: {', '.join(missing)}",
                line=1,
                hint=f"expected a header with {', '.join(REQUIRED_COLUMNS)}",
            )
        stack: list[int] = []  # entry ids of the current path, index = level
        try:
            for row in reader:
                line = reader.line_num
                try:
                    level = int(row["Level"])
                except (TypeError, ValueError) as exc:
                    raise SourceFormatError(
                        path, f"Level {row['Level']!r} is not a number", line=line
                    ) from exc
                if level < 0 or level > len(stack):
                    raise SourceFormatError(
                        path, f"level {level} follows a level-{len(stack) - 1} term", line=line
                    )
                term = " ".join((row["Term"] or "").split())
                nonessential = split_nonessential(row["NonEssModif"] or "")
                if not term:
                    # A term printed only in parentheses, e.g. "(somatoform)" under
                    # "Pain, persistent": its words are the term.
                    term = " ".join(nonessential)
                if not term:
                    raise SourceFormatError(path, "empty Term", line=line)
                del stack[level:]
                entry_id = len(entries) + 1
                entries.append(
                    IndexEntry(
                        id=entry_id,
                        parent_id=stack[-1] if stack else None,
                        level=level,
                        title=term,
                        nonessential=nonessential,
                        code=(row["Code"] or "").strip() or None,
                        see=(row["See"] or "").strip() or None,
                        see_also=(row["SeeAlso"] or "").strip() or None,
                    )
                )
                stack.append(entry_id)
        except csv.Error as exc:
            raise SourceFormatError(path, f"bad CSV: {exc}", line=reader.line_num) from exc

    if not entries:
        raise SourceFormatError(path, "no index rows found")
    return IndexBook(kind=BookKind.INDEX, version=version, headings=(), entries=tuple(entries))
