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


def test_upgrade_from_0005_keeps_rows_and_defaults_the_claim_fields(
    records_home: Path, backend: Backend
) -> None:
    """A database with coded encounters at 0005 (before the claim fields) upgrades to head
    with every row kept: units 1, no modifiers, no POA, no discharge status."""
    import sqlalchemy as sa

    engine = db.make_engine(db.database_url(records_home))
    try:
        db.upgrade(engine, "0005")
        now = "2026-05-01 12:00:00"
        with engine.begin() as connection:
            run = connection.execute
            run(sa.text(
                "INSERT INTO patients (id, mrn_index, mrn_enc, name_enc, dob_enc, sex, created_at)"
                " VALUES (1, 'ix', :b, :b, :b, 'F', :now)"
            ), {"b": b"token", "now": now})  # fmt: skip
            run(sa.text(
                "INSERT INTO encounters (id, external_id, patient_id, setting, service_date,"
                " status, created_at) VALUES (1, 'E-OLD', 1, 'inpatient', '2026-05-01',"
                " 'review', :now)"
            ), {"now": now})  # fmt: skip
            for number, code in enumerate(("K35.80", "E11.9"), start=1):
                run(sa.text(
                    "INSERT INTO code_assignments (id, encounter_id, system, code, title,"
                    " sequence, source, status, release, updated_at) VALUES (:id, 1,"
                    " 'icd10cm', :code, '', :id, 'engine', 'accepted', 'icd10cm-2026-04', :now)"
                ), {"id": number, "code": code, "now": now})  # fmt: skip
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT code, sequence, status, units, modifiers, poa, poa_source"
                " FROM code_assignments ORDER BY id"
            )).all()  # fmt: skip
            encounter = connection.execute(
                sa.text("SELECT external_id, discharge_status, drg FROM encounters")
            ).one()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("K35.80", 1, "accepted", 1, None, None, None),
        ("E11.9", 2, "accepted", 1, None, None, None),
    ]
    assert tuple(encounter) == ("E-OLD", None, None)
