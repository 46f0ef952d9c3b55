"""The reports over every code read covering indexes (migrations 0010 and 0013), filtered
or not: each SQLite statement a report runs is explained (EXPLAIN QUERY PLAN) and the
index it must read is named. The figures themselves are checked in ``test_reports``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event

from medcoder.records.service import Records
from medcoder.reports.filters import parse_filters
from medcoder.reports.options import ReportOptions
from medcoder.reports.runner import run_report

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def plans(records: Records, kind: str, **filters: str) -> dict[str, str]:
    """Each SELECT the report ran over ``code_assignments`` or ``encounters``: its plan."""
    ran: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        ran.append((statement, parameters))

    event.listen(records.engine, "before_cursor_execute", seen)
    try:
        options = ReportOptions(as_of=dt.date(2026, 3, 25))
        run_report(records, "ann", kind, parse_filters(**filters), options)
    finally:
        event.remove(records.engine, "before_cursor_execute", seen)
    out = {}
    with records.engine.connect() as connection:
        for statement, parameters in ran:
            if statement.startswith("SELECT") and "GROUP BY" in statement:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                out[statement] = "\n".join(row[3] for row in rows)
    return out


def only(found: dict[str, str], needle: str) -> str:
    (plan,) = [plan for statement, plan in found.items() if needle in statement]
    return plan


@pytest.mark.parametrize("filters", [{}, {"payer": "Acme", "start": "2026-01-01"}])
def test_codes_counts_from_the_covering_index_in_order(
    synthetic: Records, filters: dict[str, str]
) -> None:
    plan = only(plans(synthetic, "codes", **filters), "AS n")
    assert "COVERING INDEX ix_code_assignments_report" in plan
    assert "TEMP B-TREE" not in plan  # grouped in index order, not sorted
    assert "SEARCH encounters" in plan and "LIST SUBQUERY" in plan  # the ids, built once


@pytest.mark.parametrize(
    "filters", [{}, {"coder": "rex"}, {"release": "icd10cm-2026-04", "setting": "inpatient"}]
)
def test_agreement_reads_the_decisions_index_alone(
    synthetic: Records, filters: dict[str, str]
) -> None:
    found = plans(synthetic, "agreement", **filters)
    decided = only(found, "GROUP BY code_assignments.system, code_assignments.code, code_")
    assert "COVERING INDEX ix_code_assignments_decisions" in decided
    assert "TEMP B-TREE FOR GROUP BY" not in decided
    changed = only(found, "replaced_by")
    assert "COVERING INDEX ix_code_assignments_decisions" in changed
