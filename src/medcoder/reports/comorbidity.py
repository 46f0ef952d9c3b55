"""``comorbidity``: Elixhauser (AHRQ Comorbidity Software Refined v2026.1, with its POA
rules: ``ahrq_elixhauser``) and Charlson (Quan 2005: ``comorbidity_maps``) prevalence among
finalized encounters, and by month of service the mean Charlson index and the mean AHRQ
in-hospital mortality and 30-day readmission indices.

AHRQ counts secondary diagnoses only and reads the POA indicator of inpatient records;
outpatient records carry none, so they run as AHRQ's "POA not available" option (the
POA-dependent measures unassigned). Charlson reads every reported diagnosis, as Quan.

The principal diagnosis is the reported ICD-10-CM code numbered 1: review keeps an
encounter's active diagnoses numbered 1, 2, ... without gaps (a reject renumbers, a change
takes the old number, an add comes last, a resequence and a re-run number from 1; see
``records/review.py``), and a finalized encounter has no suggestion left, so its reported
diagnoses are its active ones (tests/reports/test_comorbidity_report.py holds this).

The database returns the distinct reported ICD-10-CM codes first (a covering index), the
finalized encounters counted by month, then the rows of the codes that map, each with its
encounter's month and setting, its POA indicator and sequence (``ix_code_assignments_report``,
the encounters joined). A row's contribution is worked out once per (code, POA, secondary,
setting) as bit masks, an encounter's measures are the OR of its rows' masks, and each
month's distinct Charlson and AHRQ masks are scored once.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.kinds import CodeSystem, Setting
from medcoder.reports.ahrq_elixhauser import mapper
from medcoder.reports.ahrq_reference import SOURCE as AHRQ_SOURCE
from medcoder.reports.comorbidity_maps import charlson_map
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    REPORTED,
    E,
    date_of_service,
    fetch_tuples,
    finalized_encounters,
    month_of,
    share,
)

ELIXHAUSER, CHARLSON = "elixhauser_ahrq", "charlson"


def comorbidity_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    del o
    charlson, cmr = charlson_map(), mapper()
    dx = (CA.c.system == CodeSystem.ICD10CM.value, CA.c.status.in_(REPORTED))
    distinct = session.scalars(select(CA.c.code).where(*dx).distinct()).all()
    cbits = {c.key: 1 << i for i, c in enumerate(charlson.categories)}
    cmasks: dict[str, int] = {}
    wanted = []
    for code in distinct:
        cmasks[code] = sum(cbits[k] for k in set(charlson.categories_of(code)))
        if cmasks[code] or cmr.maps(code):
            wanted.append(code)
    month = month_of(date_of_service())
    per_month_total: dict[str, int] = {
        when or "": n
        for when, n in session.execute(finalized_encounters(f, month, func.count()).group_by(month))
    }
    total = sum(per_month_total.values())
    # The mapped rows of the finalized encounters the filters pass, each with its month,
    # setting, POA and sequence (the encounters joined, not fetched one by one).
    rows: list[tuple[int, str | None, str, str, str | None, int]] = []
    if wanted and total:
        query = (
            finalized_encounters(f, E.c.id, month, E.c.setting, CA.c.code, CA.c.poa, CA.c.sequence)
            .join(CA, CA.c.encounter_id == E.c.id)
            .where(*dx, CA.c.code.in_(sorted(wanted)))
        )
        if f.release is not None:
            query = query.where(CA.c.release == f.release)
        rows = fetch_tuples(session, query)
    # An encounter's Charlson mask and AHRQ bits, packed in one int (AHRQ above Charlson).
    shift = len(charlson.categories)
    found: dict[int, int] = {}
    meta: dict[int, tuple[str, bool]] = {}
    inpatient = Setting.INPATIENT.value
    # (code, POA, secondary, inpatient) -> the row's packed bits, worked out once: AHRQ
    # reads secondary diagnoses only. Locals: this loop sees every mapped row.
    packed: dict[tuple[str, str | None, bool, bool], int] = {}
    found_get, packed_get = found.get, packed.get
    for encounter, when, setting, code, poa, sequence in rows:
        seen = found_get(encounter)
        if seen is None:
            meta[encounter] = (when or "", setting == inpatient)
            seen = 0
        row_key = (code, poa, sequence != 1, setting == inpatient)
        bits = packed_get(row_key)
        if bits is None:
            ahrq = cmr.code_bits(code, poa, row_key[3]) if row_key[2] else 0
            bits = packed[row_key] = cmasks[code] | ahrq << shift
        found[encounter] = seen | bits
    # Charlson and AHRQ add up apart: count each month's distinct masks, score each once.
    by_charlson: Counter[tuple[str, int]] = Counter()
    by_ahrq: Counter[tuple[str, bool, int]] = Counter()
    low = (1 << shift) - 1
    for e, bits in found.items():
        when, poa_reported = meta[e]
        by_charlson[when, bits & low] += 1
        by_ahrq[when, poa_reported, bits >> shift] += 1
    charlson_counts: dict[str, int] = defaultdict(int)
    ahrq_counts: dict[str, int] = defaultdict(int)
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0])
    buckets: dict[str, int] = defaultdict(int)
    for (when, cm), n in by_charlson.items():
        cflags = [k for k, b in cbits.items() if cm & b]
        for key in cflags:
            charlson_counts[key] += n
        ci = charlson.index(cflags)
        sums[when][0] += ci * n
        buckets[_bucket(ci)] += n
    for (when, poa_reported, ab), n in by_ahrq.items():
        aflags = cmr.flags(cmr.finish(ab, poa_reported))
        for key in aflags:
            ahrq_counts[key] += n
        readmission, mortality = cmr.indices(aflags)
        sums[when][1] += mortality * n
        sums[when][2] += readmission * n
    prevalence: list[tuple[str, str, str, int, float]] = [
        (ELIXHAUSER, f"CMR_{m.key}", m.label, ahrq_counts[m.key], share(ahrq_counts[m.key], total))
        for m in cmr.reference.measures
    ]
    prevalence.extend(
        (CHARLSON, c.key, c.label, charlson_counts[c.key], share(charlson_counts[c.key], total))
        for c in charlson.categories
    )
    by_month = [
        (m, n, *(round(s / n, 3) if n else 0.0 for s in sums[m]))
        for m, n in sorted((m or "", n) for m, n in per_month_total.items())
    ]
    buckets["0"] += total - sum(buckets.values())
    return Report(
        "comorbidity",
        f"Comorbidity: Elixhauser (AHRQ Refined {cmr.reference.version}) and Charlson (Quan 2005)",
        f.to_json(),
        (
            Table(
                "prevalence", ("index", "category", "label", "encounters", "percent"), prevalence
            ),
            Table(
                "index_by_month",
                ("month", "encounters", "mean_charlson", "mean_ahrq_mortality",
                 "mean_ahrq_readmission"),
                by_month,
            ),
            Table(
                "charlson_distribution",
                ("charlson", "encounters", "percent"),
                [(b, buckets[b], share(buckets[b], total)) for b in ("0", "1-2", "3-4", "5+")],
            ),
        ),
        Chart("index_by_month", "month",
              ("mean_charlson", "mean_ahrq_mortality", "mean_ahrq_readmission"), "line",
              title="Mean comorbidity indices by month"),
        notes=(
            f"{total} finalized encounters",
            f"Elixhauser: AHRQ Comorbidity Software Refined {cmr.reference.version}, secondary "
            "diagnoses; inpatient POA rules (POA-dependent measures need Y, W or exempt); "
            "outpatient records have no POA: POA-dependent measures not assigned (AHRQ POA=0)",
            "Charlson: Quan 2005 ICD-10 algorithm, Charlson 1987 weights, every diagnosis",
        ),
        sources=(AHRQ_SOURCE, charlson.source),
    )  # fmt: skip


def _bucket(score: int) -> str:
    return "0" if score <= 0 else "1-2" if score <= 2 else "3-4" if score <= 4 else "5+"
