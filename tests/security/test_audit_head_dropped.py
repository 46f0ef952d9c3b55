"""Issue 17 item 14: ``audit verify`` after the head table is dropped is one coded error
(E401), never an unexpected one (exit 70, E000). Kept so that it stays so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from medcoder.cli import main
from medcoder.errors import DatabaseError
from medcoder.records.service import Records
from tests.records import conftest as records_fixtures

backend = records_fixtures.backend
records_home = records_fixtures.records_home
records = records_fixtures.records


@pytest.mark.parametrize("table", ["audit_head", "audit_events"])
def test_audit_verify_after_a_dropped_table_is_e401(
    records: Records, records_home: Path, backend: records_fixtures.Backend, table: str
) -> None:
    records.close()
    connection = backend.raw(records_home)
    try:
        connection.execute(f"DROP TABLE {table}" + ("" if backend.is_sqlite else " CASCADE"))
    finally:
        connection.close()
    with pytest.raises(DatabaseError):  # at open (events gone) or at verify (head gone)
        reopened = Records.open(records_home)
        try:
            reopened.verify_audit("root")
        finally:
            reopened.close()
    result = CliRunner().invoke(main, ["audit", "verify", "--user", "root"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error[E401]") and "E000" not in result.stderr
