"""The audit trail is append-only and hash-chained: edits and deletions are detected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcoder.records.service import Records

from .conftest import Backend


def test_intact_chain_verifies(busy: Records) -> None:
    report = busy.verify_audit("rex")
    assert report.ok and report.events >= 9  # 5 users, patient, 2 imports, a read


def test_the_database_refuses_to_change_events(
    busy: Records, backend: Backend, records_home: Path
) -> None:
    connection = backend.raw(records_home)
    statements = ["UPDATE audit_events SET actor = 'eve' WHERE id = 3", "DELETE FROM audit_events"]
    if not backend.is_sqlite:
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with pytest.raises(backend.error, match="append-only"):
            connection.execute(statement)
    connection.close()
    assert busy.verify_audit("rex").ok


def test_an_edited_event_is_found(busy: Records, raw: Any) -> None:
    raw.execute("UPDATE audit_events SET actor = 'eve' WHERE id = 7")
    report = busy.verify_audit("rex")
    assert (report.ok, report.broken_at) == (False, 7)
    assert "changed" in (report.problem or "")


def test_a_deleted_event_is_found(busy: Records, raw: Any) -> None:
    raw.execute("DELETE FROM audit_events WHERE id = 4")
    report = busy.verify_audit("rex")
    assert (report.ok, report.broken_at) == (False, 4)
    assert "missing" in (report.problem or "")


def test_deleting_the_newest_events_is_found(busy: Records, raw: Any) -> None:
    last = int(raw.execute("SELECT max(id) FROM audit_events").fetchone()[0])
    raw.execute(f"DELETE FROM audit_events WHERE id >= {last - 1}")
    report = busy.verify_audit("rex")
    assert not report.ok and "missing" in (report.problem or "")


def test_cli_verify_exits_1_on_tampering(busy: Records, raw: Any) -> None:
    from click.testing import CliRunner

    from medcoder.cli import main

    ok = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert ok.exit_code == 0 and "intact" in ok.output
    raw.execute("UPDATE audit_events SET detail = '{}' WHERE id = 8")
    broken = CliRunner().invoke(main, ["audit", "verify", "--user", "rex"])
    assert broken.exit_code == 1
    assert "broken at event 8" in broken.output


def test_concurrent_writers_keep_one_chain(busy: Records) -> None:
    from concurrent.futures import ThreadPoolExecutor

    before = busy.verify_audit("rex").events
    with ThreadPoolExecutor(max_workers=4) as pool:
        views = list(pool.map(lambda _: busy.encounter_view("rex", "E-1"), range(24)))
    assert {v.encounter for v in views} == {"E-1"}
    report = busy.verify_audit("rex")
    assert report.ok and report.events == before + 24


def test_events_of_one_transaction_read_the_head_once(records: Records) -> None:
    """Issue 15: the later events of a transaction (an enrollment's after its finalize)
    link on without reading the locked head again, and stay chained even when the
    session's objects are expired in between."""
    from sqlalchemy import event

    from medcoder.records import audit

    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "audit_head" in statement:
            reads.append(statement)

    before = records.verify_audit("rex").events
    event.listen(records.engine, "before_cursor_execute", seen)
    try:
        with records._sessions.begin() as session:
            for n in range(3):
                audit.record(session, actor="root", action="test", entity="t", entity_id=n)
            assert len(reads) == 1
            session.expire_all()  # unflushed links must survive this
            audit.record(session, actor="root", action="test", entity="t", entity_id=3)
    finally:
        event.remove(records.engine, "before_cursor_execute", seen)
    report = records.verify_audit("rex")
    assert report.ok and report.events == before + 4
