"""``release-impact``: open and finalized encounters whose ICD-10-CM codes a newer
installed release deletes, retitles or makes non-billable (a header: a code that now
needs more characters), as ``codesets diff`` would list them (``codesets.diff``), looked
up only for the codes in use (thousands) rather than diffing every code of two releases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from medcoder.kinds import CodeSystem
from medcoder.records.models import ACTIVE_STATUSES
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import CA, FINALIZED, REPORTED, E, filter_encounters

ACTIVE = tuple(s.value for s in ACTIVE_STATUSES)


def _title(text: str) -> str:
    return " ".join(text.split())


def release_impact_report(
    session: Session, f: ReportFilters, o: ReportOptions, home: Path
) -> Report:
    from medcoder.codesets.registry import Registry

    registry = Registry(home, quiet=True)
    try:
        target = registry.open(o.to_release) if o.to_release else registry.latest()
        open_now = E.c.status != FINALIZED
        live = (open_now & CA.c.status.in_(ACTIVE)) | (
            (E.c.status == FINALIZED) & CA.c.status.in_(REPORTED)
        )
        # One row per (release, code): its open and finalized encounters counted apart (an
        # encounter is one or the other), each code then looked up once per release.
        query = (
            select(
                CA.c.release,
                CA.c.code,
                func.count(case((open_now, CA.c.encounter_id)).distinct()),
                func.count(case((E.c.status == FINALIZED, CA.c.encounter_id)).distinct()),
            )
            .select_from(CA.join(E, E.c.id == CA.c.encounter_id))
            .where(CA.c.system == CodeSystem.ICD10CM.value)
            .where(live)
            .where(CA.c.release != target.name)
        )
        if f.release is not None:
            query = query.where(CA.c.release == f.release)
        query = filter_encounters(query, f)
        used = session.execute(query.group_by(CA.c.release, CA.c.code)).all()
        in_use: dict[str, list[str]] = defaultdict(list)
        for release, code, _open, _final in used:
            in_use[release].append(code)
        target.get_many(r[1] for r in used)  # read in batches: ``_change`` finds them cached
        olds: dict[str, object] = {}
        for release, codes in in_use.items():
            try:
                old = registry.open(release)
            except Exception:  # a release no longer installed: compare titles unknown
                olds[release] = None
                continue
            olds[release] = old
            old.get_many(codes)
        rows: dict[tuple[str, str], list[object]] = {}
        for release, code, open_n, final_n in used:
            change = _change(olds[release], target, code)
            if change is not None:
                kind, new_title = change
                rows[(release, code)] = [release, code, kind, new_title, open_n, final_n]
        table = sorted((tuple(r) for r in rows.values()), key=lambda r: (r[2], r[0], r[1]))
        by_kind: Counter[str] = Counter()
        for r in table:
            by_kind[str(r[2])] += int(r[4]) + int(r[5])  # type: ignore[call-overload]
        return Report(
            "release-impact",
            f"Codes in use that {target.name} deletes or changes",
            {**f.to_json(), "to_release": target.name},
            (
                Table("codes", ("release", "code", "change", "new_title", "open_encounters",
                                "finalized_encounters"), table),
                Table("by_change", ("change", "encounter_codes"), sorted(by_kind.items())),
            ),
            Chart("by_change", "change", ("encounter_codes",), "bar",
                  title=f"Encounter codes affected by {target.name}"),
            notes=("open: pending or in review (active codes); finalized: reported codes",),
            sources=(target.name,),
        )  # fmt: skip
    finally:
        registry.close()


def _change(old: object, new: object, code: str) -> tuple[str, str] | None:
    from medcoder.codesets.store import Release

    assert isinstance(new, Release)
    now = new.get(code)
    if now is None:
        return ("deleted", "")
    if not now.billable:
        return ("not billable", now.title)
    if isinstance(old, Release):
        was = old.get(code)
        if was is not None and _title(was.title) != _title(now.title):
            return ("retitled", now.title)
    return None
