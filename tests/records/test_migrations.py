"""The Alembic revisions build exactly the ORM schema, and ship inside the package."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from medcoder.records import db
from medcoder.records.models import Base
from medcoder.records.service import Records

from .conftest import Backend


def test_migrations_match_the_models(records: Records) -> None:
    with records.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert db.current_revision(records.engine) == db.head_revision()


def test_migrations_live_in_the_package() -> None:
    import medcoder

    package = Path(medcoder.__file__).parent
    assert package / "records" / "migrations" == db.MIGRATIONS
    assert (db.MIGRATIONS / "env.py").is_file()
    assert list((db.MIGRATIONS / "versions").glob("r0001_*.py"))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_is_in_wal_mode_with_foreign_keys(records: Records) -> None:
    with records.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_upgrade_is_idempotent_and_unmigrated_db_is_refused(
    records: Records, backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medcoder.errors import DatabaseError

    Records.init(records.home).close()  # `db upgrade` on a current database
    backend.fresh(monkeypatch)
    empty = tmp_path / "empty"
    try:
        Records.open(empty)
    except DatabaseError as exc:
        assert "medcoder db init" in (exc.hint or "")
    else:
        raise AssertionError("an empty database must be refused")
