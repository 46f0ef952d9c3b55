"""Expressions every report shares, written once for SQLite and PostgreSQL alike.

Dates: a date of service is ``coalesce(discharge, service, admit)`` (the date that picks
the release, ``Encounter.date_of_service``); its month is the first seven characters of
its ISO text (``CAST(date AS VARCHAR)`` is ISO on both). Day differences compile to
``julianday`` arithmetic on SQLite and date subtraction on PostgreSQL (``days_between``,
``hours_between``): the one place the dialects differ.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, String, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from medcoder.records.models import (
    REPORTED_STATUSES,
    CodeAssignment,
    Encounter,
    EncounterStatus,
    date_of_service_sql,
)
from medcoder.reports.filters import ReportFilters

E = Encounter.__table__
CA = CodeAssignment.__table__
REPORTED = tuple(s.value for s in REPORTED_STATUSES)
FINALIZED = EncounterStatus.FINALIZED.value


class days_between(FunctionElement[float]):
    """``end - start`` in days (dates or timestamps)."""

    type = Float()
    inherit_cache = True


class hours_between(FunctionElement[float]):
    """``end - start`` in hours (timestamps)."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_pg(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    end_sql, start_sql = compiler.process(end, **kw), compiler.process(start, **kw)
    return f"(CAST({end_sql} AS DATE) - CAST({start_sql} AS DATE))"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 24.0)"
    )


@compiles(hours_between, "postgresql")
def _hours_pg(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 3600.0 AS DOUBLE PRECISION)"
    )


def date_of_service() -> ColumnElement[dt.date]:
    return date_of_service_sql()


def month_of(day: ColumnElement[Any]) -> ColumnElement[str]:
    return func.substr(cast(day, String), 1, 7)


def year_of(day: ColumnElement[Any]) -> ColumnElement[str]:
    return func.substr(cast(day, String), 1, 4)


def day_of(moment: ColumnElement[Any]) -> ColumnElement[str]:
    return func.substr(cast(moment, String), 1, 10)


def filter_encounters(
    query: Select[Any], f: ReportFilters, *, coder: ColumnElement[Any] | None = None
) -> Select[Any]:
    """Add the encounter-level filters (the query reads ``encounters``). ``coder``: the
    column the coder filter reads (default: who finalized)."""
    dos = date_of_service()
    if f.start is not None:
        query = query.where(dos >= f.start)
    if f.end is not None:
        query = query.where(dos <= f.end)
    if f.setting is not None:
        query = query.where(E.c.setting == f.setting.value)
    if f.payer is not None:
        query = query.where(E.c.payer == f.payer)
    if f.coder is not None:
        query = query.where((coder if coder is not None else E.c.finalized_by) == f.coder)
    return query


def filter_codes_by_encounter(query: Select[Any], f: ReportFilters) -> Select[Any]:
    """Add the date, setting and payer filters to a query of ``code_assignments`` alone:
    ``encounter_id + 0 IN`` the ids of the encounters they pass (built once) rather than a
    join, so that the query still reads its covering index in order (see
    ``reported_codes_scan``). The coder and release filters read code columns: the caller's."""
    if f.start is None and f.end is None and f.setting is None and f.payer is None:
        return query
    plain = ReportFilters(f.start, f.end, f.setting, f.payer)
    return query.where((CA.c.encounter_id + 0).in_(filter_encounters(select(E.c.id), plain)))


def filter_release_by_encounter(query: Select[Any], f: ReportFilters) -> Select[Any]:
    """Encounters with a code from the release (for encounter-level reports)."""
    if f.release is None:
        return query
    return query.where(E.c.id.in_(select(CA.c.encounter_id).where(CA.c.release == f.release)))


def reported_codes(f: ReportFilters, *columns: ColumnElement[Any]) -> Select[Any]:
    """``columns`` over the reported codes of finalized encounters, filtered."""
    query = (
        select(*columns)
        .select_from(CA.join(E, E.c.id == CA.c.encounter_id))
        .where(E.c.status == FINALIZED)
        .where(CA.c.status.in_(REPORTED))
    )
    if f.release is not None:
        query = query.where(CA.c.release == f.release)
    return filter_encounters(query, f)


def finalized_ids(f: ReportFilters) -> Select[Any]:
    """The ids of the finalized encounters that pass the encounter filters."""
    return filter_encounters(select(E.c.id).where(E.c.status == FINALIZED), f)


def reported_codes_scan(f: ReportFilters, *columns: ColumnElement[Any]) -> Select[Any]:
    """``reported_codes`` for a pass over every code: ``code_assignments`` alone (its
    covering index ``ix_code_assignments_report``, in code order), each row's encounter
    looked up in the set of finalized ids the filters pass (one hash or B-tree built once)
    instead of joined. ``encounter_id + 0`` is an expression, so that SQLite does not
    turn the plan around (seek each finalized encounter's codes, then sort 750,000 rows
    to group them: 2-3x slower on 1,000,000 codes, measured). Only ``columns`` of
    ``code_assignments``."""
    query = (
        select(*columns)
        .select_from(CA)
        .where(CA.c.status.in_(REPORTED))
        .where((CA.c.encounter_id + 0).in_(finalized_ids(f)))
    )
    if f.release is not None:
        query = query.where(CA.c.release == f.release)
    return query


def finalized_encounters(f: ReportFilters, *columns: ColumnElement[Any]) -> Select[Any]:
    query = select(*columns).select_from(E).where(E.c.status == FINALIZED)
    return filter_release_by_encounter(filter_encounters(query, f), f)


def share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def fetch_tuples(session: Any, query: Select[Any]) -> list[tuple[Any, ...]]:
    """``query``'s rows as the driver's plain tuples, for the reports that fold hundreds of
    thousands of rows in Python (``comorbidity``): SQLAlchemy's ``Row`` objects cost
    about as much as the query there. The statement is compiled by the session's dialect
    (IN lists expanded) and run on its connection, in its transaction."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    args: Any = (
        tuple(params[name] for name in compiled.positiontup or ())
        if compiled.positional
        else params
    )
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()
