"""A built ICD-10-CM release's files and its manifest (``release.json``): what the release
is, its effective dates and the sha256 of every source file it was built from.

Apart from ``build.py`` so that opening and choosing releases (every ``medcoder code``)
never imports the builders and their XML loaders.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import date
from pathlib import Path

from medcoder.codesets.model import ReleaseInfo, SourceFile

RELEASE_FILE = "release.sqlite"
MANIFEST_FILE = "release.json"


def sha256_of(path: Path) -> str:
    """The sha256 of a source file, as the manifest records it."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_json(info: ReleaseInfo) -> str:
    data = asdict(info)
    data["effective_from"] = info.effective_from.isoformat()
    data["effective_to"] = info.effective_to.isoformat()
    return json.dumps(data, indent=2, sort_keys=True)


def seal_release(db: sqlite3.Connection, folder: Path, info: ReleaseInfo) -> None:
    """A build's last step (ICD-10-CM and ICD-10-PCS alike): the manifest stored in the
    database's ``meta`` table, the database committed and compacted (VACUUM), then the
    manifest file written beside it. The caller still closes ``db``."""
    db.execute("INSERT INTO meta VALUES ('release', ?)", (manifest_json(info),))
    db.commit()
    db.execute("VACUUM")
    (folder / MANIFEST_FILE).write_text(manifest_json(info), encoding="utf-8")


def read_manifest(folder: Path) -> ReleaseInfo:
    data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    data["effective_from"] = date.fromisoformat(data["effective_from"])
    data["effective_to"] = date.fromisoformat(data["effective_to"])
    data["sources"] = tuple(SourceFile(**s) for s in data["sources"])
    data["notes"] = tuple(data.get("notes", ()))
    return ReleaseInfo(**data)
