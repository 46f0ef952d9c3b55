"""Records fixtures: a fresh database per test under a fixed synthetic key, with users of
every role, and a coding engine over the releases built from ../shared/data.

Every test that touches the database runs on SQLite and again on PostgreSQL (marker
``postgres``) when ``MEDCODER_TEST_POSTGRES_URL`` names a server, e.g.
``postgresql+psycopg://medcoder:medcoder@127.0.0.1/medcoder_test``. On PostgreSQL each
test gets a schema of its own (``search_path`` set in the URL), dropped afterwards."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from medcoder.codesets.registry import Registry
from medcoder.pipeline import CodingEngine
from medcoder.records.service import Records

TEST_KEY = base64.b64encode(bytes(range(32))).decode()
USERS = {
    "root": "admin",
    "cora": "coder",
    "rex": "reviewer",
    "mia": "manager",
    "ann": "analyst",
}
# Synthetic patients only: names and numbers invented for these tests.
PATIENT = {"mrn": "QX-774411", "name": "Ottoline Vantablack", "dob": "1931-03-09", "sex": "F"}
NOTE = "ASSESSMENT: Type 2 diabetes mellitus. Essential hypertension. Zyxwort rash noted."


def doc(encounter: str, text: str = NOTE, **overrides: Any) -> dict[str, Any]:
    return {
        **PATIENT,
        "encounter_id": encounter,
        "setting": "outpatient",
        "date": "2026-05-01",
        "kind": "progress",
        "text": text,
        "payer": "Acme Health",
        **overrides,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


POSTGRES_ENV = "MEDCODER_TEST_POSTGRES_URL"


class Backend:
    """The database a test runs on: the home's SQLite file, or fresh PostgreSQL schemas."""

    def __init__(self, name: str, server_url: str | None = None) -> None:
        self.name = name
        self._server = make_url(server_url) if server_url else None
        self._schemas: list[str] = []

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    def _conninfo(self) -> str:
        assert self._server is not None
        return self._server.set(drivername="postgresql").render_as_string(hide_password=False)

    def fresh(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point ``MEDCODER_DATABASE_URL`` at a new, empty database (SQLite: the home file)."""
        if self._server is None:
            monkeypatch.delenv("MEDCODER_DATABASE_URL", raising=False)
            return
        import psycopg

        schema = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(f"CREATE SCHEMA {schema}")
        self._schemas.append(schema)
        url = self._server.update_query_dict({"options": f"-csearch_path={schema}"})
        monkeypatch.setenv("MEDCODER_DATABASE_URL", url.render_as_string(hide_password=False))

    def raw(self, home: Path) -> Any:
        """A DB-API connection (autocommit) to the test's database, around the service."""
        if self._server is None:
            return sqlite3.connect(home / "records.sqlite", isolation_level=None)
        import psycopg

        return psycopg.connect(
            self._conninfo(), autocommit=True, options=f"-csearch_path={self._schemas[-1]}"
        )

    @property
    def error(self) -> type[Exception]:
        """What the driver raises when the database refuses a statement."""
        if self._server is None:
            return sqlite3.DatabaseError
        import psycopg

        return psycopg.Error

    def drop_schemas(self) -> None:
        if not self._schemas:
            return
        import psycopg

        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            for schema in self._schemas:
                connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A marker skip (rather than one from the fixture) folds into one -ra line per file.
    if os.environ.get(POSTGRES_ENV):
        return
    skip = pytest.mark.skip(reason=f"PostgreSQL run: set {POSTGRES_ENV} to run it")
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres, id="postgres")]
)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """SQLite always; PostgreSQL when MEDCODER_TEST_POSTGRES_URL is set (else skipped)."""
    if request.param == "sqlite":
        yield Backend("sqlite")
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL run: set {POSTGRES_ENV} (e.g. postgresql+psycopg://...)")
    chosen = Backend("postgresql", url)
    yield chosen
    chosen.drop_schemas()


@pytest.fixture(scope="session")
def coding_engine(built_home: Path) -> CodingEngine:
    return CodingEngine(Registry(built_home, quiet=True))


@pytest.fixture
def records_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: Backend) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("MEDCODER_HOME", str(home))
    monkeypatch.setenv("MEDCODER_KEY", TEST_KEY)
    backend.fresh(monkeypatch)
    monkeypatch.delenv("MEDCODER_NEW_KEY", raising=False)
    monkeypatch.delenv("MEDCODER_AUDIT_KEY", raising=False)
    monkeypatch.delenv("MEDCODER_NEW_AUDIT_KEY", raising=False)
    monkeypatch.delenv("MEDCODER_USER", raising=False)
    return home


@pytest.fixture
def records(records_home: Path) -> Iterator[Records]:
    """An empty database with one user of each role (no coding engine)."""
    Records.init(records_home).close()
    service = Records.open(records_home)
    for name, role in USERS.items():
        service.add_user("root", name, role)
    yield service
    service.close()


@pytest.fixture
def coded(records: Records, coding_engine: CodingEngine, tmp_path: Path) -> Records:
    """Two encounters imported; E-100 coded by the engine and awaiting review."""
    records._coder = coding_engine
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [doc("E-100"), doc("E-200", "ASSESSMENT: Asthma.", date="2026-05-02", payer="Beta")],
    )
    records.import_path("mia", source)
    records.run_coding("cora", "E-100")
    return records


@pytest.fixture
def raw(backend: Backend, records_home: Path) -> Any:
    """A connection whose owner dropped the database's own guard; the chain remains."""
    connection = backend.raw(records_home)
    if backend.is_sqlite:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("DROP TRIGGER audit_events_no_delete")
    else:
        connection.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    yield connection
    connection.close()


@pytest.fixture
def busy(records: Records, tmp_path: Path) -> Records:
    records.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1"), doc("E-2")]))
    records.encounter_view("rex", "E-1")
    return records
