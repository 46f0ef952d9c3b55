"""A built release's SQLite file opened read-only, one connection per thread.

Built releases never change, so every thread may read one at once; but a single
``sqlite3.Connection`` shared by threads serializes them and shares its cursors' state.
Each thread therefore opens its own read-only connection on first use (a few tens of
microseconds), and the threads of an API server code in parallel.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class ReadOnlyDatabase:
    """``execute`` on this thread's read-only connection to ``path``."""

    def __init__(self, path: Path, *, rows: bool = False) -> None:
        self.uri = f"file:{path.resolve()}?mode=ro"
        self.rows = rows  # sqlite3.Row results (by column name) instead of tuples
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        self._closed = False
        self.connection()  # a missing or unreadable file fails here, not mid-coding

    def connection(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:  # as a closed sqlite3.Connection answers, on every thread
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            db = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
            if self.rows:
                db.row_factory = sqlite3.Row
            self._local.db = db
            with self._lock:
                self._opened.append(db)
        return db

    def execute(self, sql: str, parameters: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.connection().execute(sql, tuple(parameters))

    def close(self) -> None:
        with self._lock:
            for db in self._opened:
                db.close()
            self._opened.clear()
            self._closed = True
        self._local = threading.local()
