"""Install a licensed CPT file as a release: ``<home>/cpt/cpt-<year>/`` (January 1 to
December 31: CPT is an annual code set), with its manifest like every other release."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

from medcoder.codesets.cpt.loaders import CptEntry, load_cpt_file
from medcoder.codesets.hcpcs.store import ProcedureRelease, source, write_release
from medcoder.kinds import CodeSystem

_YEAR_RE = re.compile(r"(20\d\d)|PPRRVU(\d\d)", re.IGNORECASE)


def cpt_year(path: Path, default: int | None = None) -> int:
    """The CPT year from the file name (``cpt2025.csv``, ``PPRRVU25_JAN.csv``), else ``default``
    (else this year)."""
    found = _YEAR_RE.search(path.name)
    if found:
        return int(found.group(1)) if found.group(1) else 2000 + int(found.group(2))
    return default or date.today().year


def install_cpt(
    path: Path, home: Path, *, year: int | None = None, force: bool = True
) -> ProcedureRelease:
    """Load ``path`` (refused if its layout is unknown) into ``<home>/cpt/cpt-<year>/``."""
    layout, entries = load_cpt_file(path)
    year = year or cpt_year(path)
    manifest = ProcedureRelease(
        name=f"cpt-{year}",
        system=CodeSystem.CPT,
        kind="cpt-file",
        quarter=str(year),
        effective_from=date(year, 1, 1),
        effective_to=date(year, 12, 31),
        sources=(source("cpt-file", path, layout),),
    )

    def fill(db: sqlite3.Connection) -> dict[str, int]:
        return _write(db, entries)

    return write_release(home, manifest, fill, force=force)


def _write(db: sqlite3.Connection, entries: list[CptEntry]) -> dict[str, int]:
    db.executemany(
        "INSERT OR REPLACE INTO codes VALUES (?,0,?,?,NULL,NULL,NULL,?,'','','')",
        [(e.code, e.long_descriptor, e.short_descriptor, e.status) for e in entries],
    )
    return {"codes": len(entries)}
