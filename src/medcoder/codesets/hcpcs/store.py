"""Procedure code-set releases on disk: ``<home>/<system>/<name>/release.{json,sqlite}``.

A release is written to a staging folder and renamed into place, like the ICD-10-CM
releases (codesets/build.py); its manifest names the system, kind, quarter, effective
dates and every source file with its sha256.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from medcoder.codesets.manifest import sha256_of
from medcoder.codesets.staging import build_atomically
from medcoder.errors import SourceFormatError

MANIFEST_FILE = "release.json"
DATABASE_FILE = "release.sqlite"
LOADER_VERSION = "hcpcs-loader/1"

SCHEMA = """
CREATE TABLE codes (
    code TEXT PRIMARY KEY, is_modifier INTEGER NOT NULL, long_description TEXT NOT NULL,
    short_description TEXT NOT NULL, added TEXT, action_effective TEXT, terminated TEXT,
    action_code TEXT NOT NULL, coverage TEXT NOT NULL, betos TEXT NOT NULL, pricing TEXT NOT NULL
);
CREATE TABLE spans (
    code TEXT NOT NULL, start TEXT NOT NULL, end TEXT NOT NULL, short_description TEXT NOT NULL,
    status_indicator TEXT NOT NULL, apc TEXT NOT NULL, terminated TEXT
);
CREATE INDEX spans_code ON spans (code);
"""


@dataclass(frozen=True, slots=True)
class Source:
    """One file a release was built from."""

    role: str  # anweb | ioce-level2 | ioce-cpt | cpt-file
    path: str
    sha256: str
    layout: str = ""  # xlsx | csv | txt | pprrvu | descriptor-csv


@dataclass(frozen=True, slots=True)
class ProcedureRelease:
    """The manifest of one built HCPCS or CPT release."""

    name: str  # hcpcs-2025-10, hcpcs-ioce-2026-04, cpt-ioce-2026-04, cpt-2025
    system: str  # hcpcs | cpt
    kind: str  # anweb | ioce | cpt-file
    quarter: str  # 2025-10 (first month of the quarter), or the CPT year
    effective_from: date
    effective_to: date
    sources: tuple[Source, ...]
    stats: dict[str, int] = field(default_factory=dict)
    loader_version: str = LOADER_VERSION
    built_at: str = ""
    folder: Path = Path()

    def covers(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system": self.system,
            "kind": self.kind,
            "quarter": self.quarter,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat(),
            "sources": [
                {"role": s.role, "path": s.path, "sha256": s.sha256, "layout": s.layout}
                for s in self.sources
            ],
            "stats": self.stats,
            "loader_version": self.loader_version,
            "built_at": self.built_at,
        }


def read_manifest(folder: Path) -> ProcedureRelease:
    path = folder / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return ProcedureRelease(
            name=data["name"],
            system=data["system"],
            kind=data["kind"],
            quarter=data["quarter"],
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(data["effective_to"]),
            sources=tuple(Source(**s) for s in data["sources"]),
            stats={k: int(v) for k, v in data["stats"].items()},
            loader_version=data["loader_version"],
            built_at=data["built_at"],
            folder=folder,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceFormatError(
            path,
            f"unreadable release manifest: {exc}",
            hint="rebuild it with `medcoder setup --force`",
        ) from exc


def installed(home: Path, system: str) -> list[ProcedureRelease]:
    """Releases of ``system`` under ``home``, oldest first."""
    root = home / system
    if not root.is_dir():
        return []
    found = [read_manifest(f) for f in sorted(root.iterdir()) if (f / MANIFEST_FILE).is_file()]
    return sorted(found, key=lambda r: (r.effective_from, r.name))


def source(role: str, path: Path, layout: str = "") -> Source:
    return Source(role, str(path.resolve()), sha256_of(path), layout)


def write_release(
    home: Path,
    manifest: ProcedureRelease,
    fill: Callable[[sqlite3.Connection], dict[str, int]],
    *,
    force: bool = False,
) -> ProcedureRelease:
    """Build ``manifest.name`` under ``home/<system>/``; ``fill`` writes the rows, returns stats."""
    root = home / manifest.system
    target = root / manifest.name
    if (target / MANIFEST_FILE).is_file() and not force:
        return read_manifest(target)

    def build(staging: Path) -> None:
        db = sqlite3.connect(staging / DATABASE_FILE)
        try:
            db.executescript(SCHEMA)
            stats = fill(db)
            db.commit()
        finally:
            db.close()
        built = ProcedureRelease(
            **{
                **_fields(manifest),
                "stats": stats,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        (staging / MANIFEST_FILE).write_text(json.dumps(built.to_json(), indent=2), "utf-8")

    build_atomically(root, manifest.name, build)
    return read_manifest(target)


def _fields(manifest: ProcedureRelease) -> dict[str, Any]:
    return {name: getattr(manifest, name) for name in ProcedureRelease.__dataclass_fields__}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def from_iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
