"""Engines, sessions and migrations for the records database.

SQLite by default (``$MEDCODER_HOME/records.sqlite``, WAL, foreign keys on, every
transaction ``BEGIN IMMEDIATE`` so the audit chain is extended by one writer at a time);
``MEDCODER_DATABASE_URL`` names another database (PostgreSQL). Migrations are Alembic
revisions kept inside the package and run from code: no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from medcoder import settings
from medcoder.errors import DatabaseError

SQLITE_FILE = "records.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(home: Path) -> str:
    """``MEDCODER_DATABASE_URL`` if set, else the SQLite file under the home."""
    return settings.database_url() or f"sqlite:///{home / SQLITE_FILE}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver must not open transactions itself; "begin" below does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives power loss, not just a kill
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (in one transaction where the database allows)."""
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migration failed: {exc.__class__.__name__}: {exc}") from exc


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def check_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind the code's schema."""
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot open the records database: {exc}", hint="check MEDCODER_DATABASE_URL"
        ) from exc
    if revision is None:
        raise DatabaseError(
            f"no records database at {engine.url.render_as_string(hide_password=True)}",
            hint="run `medcoder db init`",
        )
    if revision != head_revision():
        raise DatabaseError(
            f"the records database is at revision {revision}, the code needs {head_revision()}",
            hint="run `medcoder db upgrade`",
        )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
