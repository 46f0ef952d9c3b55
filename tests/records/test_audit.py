"""The audit trail is append-only and hash-chained: edits and deletions are detected."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from medcoder.records.service import Records

from .conftest import doc, write_jsonl


def _raw(home: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(home / "records.sqlite", isolation_level=None)
    # Someone with the raw file can drop the database's own guard; the chain remains.
    connection.execute("DROP TRIGGER audit_events_no_update")
    connection.execute("DROP TRIGGER audit_events_no_delete")
    return connection


@pytest.fixture
def busy(records: Records, tmp_path: Path) -> Records:
    records.import_path("mia", write_jsonl(tmp_path / "a.jsonl", [doc("E-1"), doc("E-2")]))
    records.encounter_view("rex", "E-1")
    return records


def test_intact_chain_verifies(busy: Records) -> None:
    report = busy.verify_audit("rex")
    assert report.ok and report.events >= 9  # 5 users, patient, 2 imports, a read


def test_the_database_refuses_to_change_events(busy: Records, records_home: Path) -> None:
    connection = sqlite3.connect(records_home / "records.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("DELETE FROM audit_events WHERE id = 3")
    connection.close()


def test_an_edited_event_is_found(busy: Records, records_home: Path) -> None:
    raw = _raw(records_home)
    raw.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 7")
    raw.close()
    report = busy.verify_audit("rex")
    assert (report.ok, report.broken_at) == (False, 7)
    assert "changed" in (report.problem or "")


def test_a_deleted_event_is_found(busy: Records, records_home: Path) -> None:
    raw = _raw(records_home)
    raw.execute("DELETE FROM audit_events WHERE id = 4")
    raw.close()
    report = busy.verify_audit("rex")
    assert (report.ok, report.broken_at) == (False, 4)
    assert "missing" in (report.problem or "")


def test_deleting_the_newest_events_is_found(busy: Records, records_home: Path) -> None:
    raw = _raw(records_home)
    last = raw.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    raw.execute("DELETE FROM audit_events WHERE id >= ?", (last - 1,))
    raw.close()
    report = busy.verify_audit("rex")
    assert not report.ok and "missing" in (report.problem or "")


def test_cli_verify_exits_1_on_tampering(busy: Records, records_home: Path) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    ok = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert ok.exit_code == 0 and "intact" in ok.output
    raw = _raw(records_home)
    raw.execute("UPDATE audit_events SET detail = '{}' WHERE id = 8")
    raw.close()
    broken = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert broken.exit_code == 1
    assert "broken at event 8" in broken.output
