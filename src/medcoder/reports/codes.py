"""``codes``: how often each code (or 3-character category) is reported on finalized
encounters, the top N, and each top one's count by month of service."""

from __future__ import annotations

from sqlalchemy import String, func, literal
from sqlalchemy.orm import Session

from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    date_of_service,
    month_of,
    reported_codes,
    reported_codes_scan,
    share,
)


def codes_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    # A category is the code's first three characters (ICD-10-CM category, ICD-10-PCS
    # section + body system + root operation; CPT/HCPCS codes are kept whole).
    key = func.substr(CA.c.code, 1, 3) if o.by == "category" else CA.c.code
    # Counted from the covering index ``ix_code_assignments_report`` (migration 0010) in
    # its order, without sorting (``reported_codes_scan``): the title is not in it, so it
    # is read with the trend, for the top codes only.
    per_code = reported_codes_scan(f, CA.c.system, key.label("key"), func.count().label("n"))
    per_code = per_code.group_by(CA.c.system, key)
    if o.system is not None:
        per_code = per_code.where(CA.c.system == o.system.value)
    counts = session.execute(per_code).all()
    total = sum(row[2] for row in counts)
    top = sorted(counts, key=lambda r: (-r[2], r[0], r[1]))[: o.top]
    month = month_of(date_of_service())
    title = func.max(CA.c.title) if o.by == "code" else literal("", String)
    trend: list[tuple[str, str, str, int]] = []
    titles: dict[tuple[str, str], str] = {}
    if top:
        query = reported_codes(f, month.label("month"), CA.c.system, key, func.count(), title)
        # The systems too, so that PostgreSQL seeks the top codes in the index (system
        # leads it) rather than reading the table; the pairs are checked below.
        query = query.where(CA.c.system.in_(sorted({r[0] for r in top})))
        query = query.where(key.in_([r[1] for r in top])).group_by(month, CA.c.system, key)
        wanted_pairs = {(r[0], r[1]) for r in top}
        for m, s, k, n, t in session.execute(query):
            if (s, k) in wanted_pairs:
                trend.append((m or "", s, k, n))
                titles[(s, k)] = max(titles.get((s, k), ""), t or "")
        trend.sort()
    rows = [
        (rank, s, k, titles.get((s, k), ""), n, share(n, total))
        for rank, (s, k, n) in enumerate(top, start=1)
    ]
    label = "category" if o.by == "category" else "code"
    return Report(
        "codes",
        f"Top {o.top} reported {label}s",
        f.to_json(),
        (
            Table("top", ("rank", "system", label, "title", "count", "percent"), rows),
            Table("trend", ("month", "system", label, "count"), trend),
        ),
        Chart("top", label, ("count",), "barh", title=f"Top {o.top} {label}s"),
        notes=(f"{total} reported codes on finalized encounters",),
    )
