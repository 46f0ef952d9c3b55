"""Read a licensed CPT file in one of the accepted layouts.

Accepted layouts (the header names are matched case-insensitively, spaces = underscores):

``descriptor-csv``
    one row per code with the columns ``code`` (or ``cpt_code``), ``short_descriptor``
    (or ``short``, ``short_description``) and ``long_descriptor`` (or ``long``,
    ``long_description``, ``description``); comma, tab or ``|`` separated.
``pprrvu``
    the CMS physician fee schedule relative value file (PPRRVU<yy>_<MON>.csv): title rows,
    then a header row with ``HCPCS``, ``MOD``, ``DESCRIPTION`` and the status code; rows
    with a modifier (26, TC, 53) repeat the code and are skipped, and Level II codes
    (which come from the Alpha-Numeric file) are left out.

Any other header is refused with :class:`CptLayoutError` naming the missing columns.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import CptLayoutError, SourceFormatError

CODE_RE = re.compile(r"^\d{4}[0-9FTU]$")

DESCRIPTOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "cpt_code", "cpt", "hcpcs_code"),
    "short_descriptor": ("short_descriptor", "short", "short_description", "short_desc"),
    "long_descriptor": (
        "long_descriptor",
        "long",
        "long_description",
        "long_desc",
        "description",
        "descriptor",
    ),
}
PPRRVU_COLUMNS: dict[str, tuple[str, ...]] = {
    "HCPCS": ("hcpcs",),
    "MOD": ("mod",),
    "DESCRIPTION": ("description",),
}
HEADER_SEARCH_ROWS = 20  # PPRRVU files open with title and copyright rows


@dataclass(frozen=True, slots=True)
class CptEntry:
    """A CPT number with the user's descriptors (never stored in the repository)."""

    code: str
    short_descriptor: str
    long_descriptor: str
    status: str = ""  # PPRRVU status code (A active, ...)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _match(
    header: list[str], wanted: dict[str, tuple[str, ...]]
) -> tuple[dict[str, int], list[str]]:
    names = [_norm(h) for h in header]
    found: dict[str, int] = {}
    for column, aliases in wanted.items():
        for alias in aliases:
            if alias in names:
                found[column] = names.index(alias)
                break
    return found, [c for c in wanted if c not in found]


def _read_rows(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(path, f"cannot read the CPT file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t|", key=sample.count)
    return list(csv.reader(text.splitlines(), delimiter=delimiter))


def load_cpt_file(path: Path) -> tuple[str, list[CptEntry]]:
    """(layout name, entries) from ``path``; refuses an unknown layout naming what is missing."""
    rows = _read_rows(path)
    if not rows:
        raise CptLayoutError(path, "the CPT file is empty")
    columns, missing = _match(rows[0], DESCRIPTOR_COLUMNS)
    if not missing:
        return "descriptor-csv", _descriptor_entries(path, rows, columns)
    for number, header in enumerate(rows[:HEADER_SEARCH_ROWS]):
        rvu, rvu_missing = _match(header, PPRRVU_COLUMNS)
        if not rvu_missing:
            return "pprrvu", _pprrvu_entries(path, rows, number, rvu)
    _, rvu_missing = _match(rows[0], PPRRVU_COLUMNS)
    raise CptLayoutError(
        path,
        "unknown CPT file layout: missing columns "
        f"{', '.join(missing)} (descriptor CSV) or {', '.join(rvu_missing)} (CMS PPRRVU)",
        line=1,
        hint="give a CSV with code, short_descriptor, long_descriptor, or the CMS PPRRVU file",
    )


def _descriptor_entries(
    path: Path, rows: list[list[str]], columns: dict[str, int]
) -> list[CptEntry]:
    entries = []
    width = max(columns.values()) + 1
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            raise SourceFormatError(path, f"{len(row)} columns, expected {width}", line=number)
        code = row[columns["code"]].strip().upper()
        if not CODE_RE.match(code):
            raise SourceFormatError(
                path,
                f"{code!r} is not a CPT number",
                line=number,
                hint="CPT numbers are 5 characters: 4 digits then a digit, F, T or U",
            )
        entries.append(
            CptEntry(
                code,
                row[columns["short_descriptor"]].strip(),
                row[columns["long_descriptor"]].strip(),
            )
        )
    return entries


def _pprrvu_entries(
    path: Path, rows: list[list[str]], header_row: int, columns: dict[str, int]
) -> list[CptEntry]:
    header = [_norm(h) for h in rows[header_row]]
    status_col = next(
        (header.index(n) for n in ("status_code", "status", "code") if n in header), None
    )
    entries: dict[str, CptEntry] = {}
    for row in rows[header_row + 1 :]:
        if len(row) <= max(columns.values()):
            continue
        code = row[columns["HCPCS"]].strip().upper()
        if not CODE_RE.match(code) or row[columns["MOD"]].strip():
            continue  # Level II codes, modifier rows (26/TC/53), trailing notes
        description = row[columns["DESCRIPTION"]].strip()
        status = row[status_col].strip() if status_col is not None and status_col < len(row) else ""
        entries.setdefault(code, CptEntry(code, description, description, status))
    if not entries:
        raise SourceFormatError(
            path, "a PPRRVU header but no CPT rows under it", line=header_row + 1
        )
    return list(entries.values())
