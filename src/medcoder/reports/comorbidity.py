"""``comorbidity``: Charlson and Elixhauser prevalence among finalized encounters and the
index scores (``comorbidity_maps``), overall and by month of service.

The database returns the distinct reported ICD-10-CM codes first; each is mapped once in
Python (there are thousands, not millions), and the encounters' mapped codes come back
through a join on that small list.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcoder.kinds import CodeSystem
from medcoder.reports.comorbidity_maps import maps
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    REPORTED,
    date_of_service,
    finalized_encounters,
    month_of,
    reported_codes,
    share,
)


def comorbidity_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    del o
    charlson, elix = maps()["charlson"], maps()["elixhauser"]
    distinct = session.scalars(
        select(CA.c.code)
        .where(CA.c.system == CodeSystem.ICD10CM.value, CA.c.status.in_(REPORTED))
        .distinct()
    ).all()  # every code reported anywhere: mapped once; the join below filters
    # Each code's categories as one bit mask (Charlson's bits first, then Elixhauser's):
    # an encounter's flags are the OR of its codes' masks, and the encounters that share
    # a month and a mask are counted once.
    bits = {c.key: 1 << i for i, c in enumerate(charlson.categories)}
    shift = len(charlson.categories)
    ebits = {c.key: 1 << (shift + i) for i, c in enumerate(elix.categories)}
    masks: dict[str, int] = {}
    for code in distinct:
        mask = sum(bits[k] for k in set(charlson.categories_of(code)))
        mask |= sum(ebits[k] for k in set(elix.categories_of(code)))
        if mask:
            masks[code] = mask
    month = month_of(date_of_service())
    per_month_total: dict[str, int] = {
        m: n
        for m, n in session.execute(finalized_encounters(f, month, func.count()).group_by(month))
    }
    total = sum(per_month_total.values())
    found: dict[int, tuple[str, int]] = {}
    if masks:
        query = (
            reported_codes(f, CA.c.encounter_id, month, CA.c.code)
            .where(CA.c.system == CodeSystem.ICD10CM.value)
            .where(CA.c.code.in_(sorted(masks)))
            .distinct()
        )
        for encounter, when, code in session.execute(query).all():
            seen = found.get(encounter)
            found[encounter] = (
                (seen[0], seen[1] | masks[code]) if seen else (when or "", masks[code])
            )
    groups = Counter(found.values())
    flag_sets = {
        mask: (
            frozenset(k for k, b in bits.items() if mask & b),
            frozenset(k for k, b in ebits.items() if mask & b),
        )
        for mask in {mask for _when, mask in groups}
    }
    prevalence: list[tuple[str, str, str, int, float]] = []
    for name, table, slot in (("charlson", charlson, 0), ("elixhauser", elix, 1)):
        counts: dict[str, int] = defaultdict(int)
        for (_when, mask), n in groups.items():
            for key in flag_sets[mask][slot]:
                counts[key] += n
        for cat in table.categories:
            prevalence.append(
                (name, cat.key, cat.label, counts[cat.key], share(counts[cat.key], total))
            )
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0])
    buckets: dict[str, int] = defaultdict(int)
    scores = {
        mask: (charlson.index(flags[0]), elix.index(flags[1])) for mask, flags in flag_sets.items()
    }
    for (when, mask), n in groups.items():
        ci, ei = scores[mask]
        sums[when][0] += ci * n
        sums[when][1] += ei * n
        buckets[_bucket(ci)] += n
    by_month = [
        (m, n, round(sums[m][0] / n, 3) if n else 0.0, round(sums[m][1] / n, 3) if n else 0.0)
        for m, n in sorted((m or "", n) for m, n in per_month_total.items())
    ]
    buckets["0"] += total - sum(buckets.values())
    return Report(
        "comorbidity",
        "Comorbidity: Charlson and Elixhauser (Quan 2005 ICD-10 algorithms)",
        f.to_json(),
        (
            Table(
                "prevalence", ("index", "category", "label", "encounters", "percent"), prevalence
            ),
            Table(
                "index_by_month",
                ("month", "encounters", "mean_charlson", "mean_elixhauser_vw"),
                by_month,
            ),
            Table(
                "charlson_distribution",
                ("charlson", "encounters", "percent"),
                [(b, buckets[b], share(buckets[b], total)) for b in ("0", "1-2", "3-4", "5+")],
            ),
        ),
        Chart("index_by_month", "month", ("mean_charlson", "mean_elixhauser_vw"), "line",
              title="Mean comorbidity index by month"),
        notes=(
            f"{total} finalized encounters",
            "Quan 2005 ICD-10 Elixhauser, not AHRQ Refined (no POA rules applied)",
        ),
        sources=(charlson.source, elix.source),
    )  # fmt: skip


def _bucket(score: int) -> str:
    return "0" if score <= 0 else "1-2" if score <= 2 else "3-4" if score <= 4 else "5+"
