"""Reports on the coding work: ``coders`` (finalized per coder per day, turnaround from
import to final, re-opened rate), ``agreement`` (what coders did with the engine's
suggestions), ``dnfb`` (discharged, not final billed) and ``edits`` (claim-edit warnings
acknowledged at finalize)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from medcoder.records.models import AuditEvent, CodeSource, CodeStatus, EncounterStatus
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import (
    CA,
    FINALIZED,
    E,
    day_of,
    days_between,
    filter_codes_by_encounter,
    filter_encounters,
    filter_release_by_encounter,
    finalized_encounters,
    hours_between,
    share,
)

A = AuditEvent.__table__


def _finalizes(f: ReportFilters) -> Select[Any]:
    """Per actor: finalize events of encounters that pass the filters, and those of them
    the encounter's next finalize/reopen event (by id) was a re-open of (``lead`` over
    each encounter's events: one row per actor comes back, not every event)."""
    following = func.lead(A.c.action).over(partition_by=A.c.entity_id, order_by=A.c.id)
    events: Select[Any] = (
        select(A.c.actor, A.c.action, following.label("next"))
        .select_from(A.join(E, E.c.external_id == A.c.entity_id))
        .where(A.c.entity == "encounter")
        .where(A.c.action.in_(("finalize", "reopen")))
    )
    events = filter_encounters(events, f, coder=A.c.actor)
    chosen = filter_release_by_encounter(events, f).subquery()
    return (
        select(chosen.c.actor, func.count(), func.count(case((chosen.c.next == "reopen", 1))))
        .where(chosen.c.action == "finalize")
        .group_by(chosen.c.actor)
    )


def coders_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    del o
    day = day_of(E.c.finalized_at)
    per_day = session.execute(
        finalized_encounters(f, E.c.finalized_by, day, func.count())
        .group_by(E.c.finalized_by, day)
        .order_by(day, E.c.finalized_by)
    ).all()
    turnaround = hours_between(E.c.created_at, E.c.finalized_at)
    per_coder = {
        coder: (n, mean)
        for coder, n, mean in session.execute(
            finalized_encounters(f, E.c.finalized_by, func.count(), func.avg(turnaround)).group_by(
                E.c.finalized_by
            )
        )
    }
    # Re-opened rate: of a coder's finalizes, those the encounter's next finalize/reopen
    # event undid (read from the audit trail: ``finalized_by`` is cleared by a re-open).
    finalizes: Counter[str] = Counter()
    reopened: Counter[str] = Counter()
    for actor, n, undone in session.execute(_finalizes(f)):
        finalizes[actor], reopened[actor] = n, undone
    coders = sorted(set(per_coder) | set(finalizes))
    rows = [
        (
            coder,
            per_coder.get(coder, (0, None))[0],
            round(per_coder[coder][1], 2) if coder in per_coder and per_coder[coder][1] else None,
            finalizes[coder],
            reopened[coder],
            share(reopened[coder], finalizes[coder]),
        )
        for coder in coders
    ]
    return Report(
        "coders",
        "Coders: finalized per day, turnaround, re-opened rate",
        f.to_json(),
        (
            Table(
                "coders",
                ("coder", "finalized_now", "mean_turnaround_hours", "finalize_events",
                 "reopened", "reopened_percent"),
                rows,
            ),
            Table("per_day", ("coder", "day", "finalized"), [tuple(r) for r in per_day]),
        ),
        Chart("per_day", "day", ("finalized",), "line", series="coder",
              title="Encounters finalized per coder per day"),
        notes=("turnaround: import (encounter created) to final, encounters finalized now",),
    )  # fmt: skip


BANDS = ((0.5, "<0.50"), (0.7, "0.50-0.69"), (0.9, "0.70-0.89"))


def _filter_decisions(query: Select[Any], f: ReportFilters) -> Select[Any]:
    """The filters on the engine's decided suggestions: coder (who decided) and release
    from the code's own columns, the rest through its encounter; every column they read is
    in ``ix_code_assignments_decisions`` (migration 0013), so a filtered run reads the
    index alone as well."""
    if f.release is not None:
        query = query.where(CA.c.release == f.release)
    if f.coder is not None:
        query = query.where(CA.c.updated_by == f.coder)
    return filter_codes_by_encounter(query, f)


def agreement_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    decided = (CodeStatus.ACCEPTED.value, CodeStatus.CHANGED.value, CodeStatus.REJECTED.value)
    # One pass over the decided suggestions, by code and status: families, bands and the
    # codes rejected most all fold from it. Grouped in the order of the covering index
    # ``ix_code_assignments_decisions`` (migration 0009), the database streams the groups
    # without sorting; each confidence band is a difference of cumulative counts.
    below = [func.count(case((CA.c.confidence < limit, 1))) for limit, _label in BANDS]
    base = (
        select(
            CA.c.system,
            CA.c.code,
            CA.c.status,
            func.count(),
            func.count(case((CA.c.confidence.is_(None), 1))),
            *below,
        )
        .select_from(CA)
        .where(CA.c.source == CodeSource.ENGINE.value)
        .where(CA.c.status.in_(decided))
    )
    base = _filter_decisions(base, f)
    counts = session.execute(base.group_by(CA.c.system, CA.c.code, CA.c.status)).all()
    fam: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    bands: dict[str, Counter[str]] = defaultdict(Counter)
    rejects: Counter[str] = Counter()
    for system, code, status, n, unknown, *cumulative in counts:
        fam[(system, code[:1])][status] += n
        if unknown:
            bands["none"][status] += unknown
        previous = 0
        for (_limit, label), upto in zip(BANDS, cumulative, strict=True):
            if upto - previous:
                bands[label][status] += upto - previous
            previous = upto
        if n - unknown - previous:
            bands[">=0.90"][status] += n - unknown - previous
        if status == CodeStatus.REJECTED.value:
            rejects[code] += n

    def _row(c: Counter[str]) -> tuple[int, int, int, int, float]:
        n = sum(c.values())
        return (n, c["accepted"], c["changed"], c["rejected"], share(c["accepted"], n))

    fam_rows = [(s, k, *_row(c)) for (s, k), c in sorted(fam.items())]
    order = [label for _l, label in BANDS] + [">=0.90", "none"]
    band_rows = [(b, *_row(bands[b])) for b in order if b in bands]
    new = aliased(CA)
    changed = (
        select(CA.c.code, new.c.code, func.count().label("n"))
        .select_from(CA.join(new, new.c.id == CA.c.replaced_by))
        .where(and_(CA.c.source == CodeSource.ENGINE.value, CA.c.status == "changed"))
    )
    changed = _filter_decisions(changed, f)
    top_changes = session.execute(
        changed.group_by(CA.c.code, new.c.code)
        .order_by(func.count().desc(), CA.c.code, new.c.code)  # ties in one order, every run
        .limit(o.top)
    ).all()
    rejected = sorted(rejects.items(), key=lambda r: (-r[1], r[0]))[: o.top]
    cols = ("decided", "accepted", "changed", "rejected", "accepted_percent")
    return Report(
        "agreement",
        "Agreement: coders' decisions on the engine's suggestions",
        f.to_json(),
        (
            Table("by_family", ("system", "family", *cols), fam_rows),
            Table("by_confidence", ("confidence", *cols), band_rows),
            Table("top_changed", ("suggested", "changed_to", "count"),
                  [tuple(r) for r in top_changes]),
            Table("top_rejected", ("suggested", "count"), rejected),
        ),
        Chart("by_confidence", "confidence", ("accepted_percent",), "bar",
              title="Suggestions accepted as is, by engine confidence"),
        notes=("family: the code's first character (ICD-10-CM chapter letter, PCS section)",),
    )  # fmt: skip


AGE_BUCKETS = ((3, "0-3"), (7, "4-7"), (14, "8-14"), (30, "15-30"), (60, "31-60"))


def dnfb_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    as_of = o.as_of or dt.datetime.now(dt.UTC).date()
    discharged = func.coalesce(E.c.discharge_date, E.c.service_date)
    age = days_between(discharged, literal(as_of, type_=Date))
    bucket = case(*((age <= limit, label) for limit, label in AGE_BUCKETS), else_="61+")
    query = (
        select(bucket, E.c.status, func.count())
        .select_from(E)
        .where(E.c.status != FINALIZED)
        .where(discharged.is_not(None))
        .where(discharged <= as_of)
    )
    query = filter_release_by_encounter(filter_encounters(query, f, coder=E.c.finalized_by), f)
    counts = session.execute(query.group_by(bucket, E.c.status)).all()
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for label, status, n in counts:
        table[label][status] += n
    labels = [label for _l, label in AGE_BUCKETS] + ["61+"]
    pending, review = EncounterStatus.PENDING.value, EncounterStatus.REVIEW.value
    rows = [
        (b, table[b][pending], table[b][review], table[b][pending] + table[b][review])
        for b in labels
    ]
    total = sum(r[3] for r in rows)
    return Report(
        "dnfb",
        f"Discharged, not final billed, as of {as_of.isoformat()}",
        {**f.to_json(), "as_of": as_of.isoformat()},
        (Table("age_buckets", ("days_since_discharge", "pending", "in_review", "total"), rows),),
        Chart("age_buckets", "days_since_discharge", ("pending", "in_review"), "bar",
              title="DNFB encounters by days since discharge"),
        notes=(f"{total} encounters discharged (or seen) and not finalized",),
    )  # fmt: skip


def edits_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    # Findings that block (errors) never reach finalize; warnings are finalized only when
    # acknowledged, and the finalize event keeps them (``edit_warnings``: ``EDIT:CODES``).
    query = (
        select(A.c.detail)
        .select_from(A.join(E, E.c.external_id == A.c.entity_id))
        .where(A.c.entity == "encounter")
        .where(A.c.action == "finalize")
        .where(A.c.detail.like('%"edit_warnings"%'))
    )
    query = filter_release_by_encounter(filter_encounters(query, f, coder=A.c.actor), f)
    by_edit: Counter[str] = Counter()
    by_pair: Counter[tuple[str, str]] = Counter()
    claims = 0
    for (detail,) in session.execute(query):
        warnings = json.loads(detail).get("edit_warnings") or []
        claims += 1
        for key in warnings:
            edit, _sep, codes = str(key).partition(":")
            by_edit[edit] += 1
            by_pair[(edit, codes)] += 1
    return Report(
        "edits",
        "Claim-edit warnings acknowledged at finalize",
        f.to_json(),
        (
            Table("by_edit", ("edit", "findings"),
                  sorted(by_edit.items(), key=lambda r: (-r[1], r[0]))),
            Table("by_edit_and_code", ("edit", "codes", "findings"),
                  [(e, c, n) for (e, c), n in sorted(by_pair.items(),
                                                     key=lambda r: (-r[1], r[0]))][: o.top]),
        ),
        Chart("by_edit", "edit", ("findings",), "barh", title="Acknowledged claim-edit findings"),
        notes=(f"{claims} finalizes with acknowledged warnings",
               "errors block finalize and are not stored; warnings are, once acknowledged"),
    )  # fmt: skip
