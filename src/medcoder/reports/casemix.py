"""``casemix``: the MS-DRGs billed on finalized inpatient stays (grouped at finalize,
``encounters.drg``/``drg_weight``), the case-mix index (mean relative weight) by month
and by service line (the DRG's MDC, CMS Table 5), and length of stay against the DRG's
geometric mean length of stay (GMLOS, Table 5)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.orm import Session

from medcoder.drg.tables import DrgInfo
from medcoder.errors import MedcoderError
from medcoder.kinds import Setting
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Chart, Report, Table
from medcoder.reports.sql import E, date_of_service, days_between, finalized_encounters, month_of


def table5(data: Path | None) -> tuple[dict[str, DrgInfo], str | None]:
    """Table 5 by DRG, or nothing (with why) when the CMS data folder lacks it."""
    from medcoder.drg.tables import TABLE5, load_table5
    from medcoder.settings import find_data_dir

    folder = find_data_dir(data)
    if folder is None:
        return {}, "no CMS data folder: DRG titles, service lines and GMLOS left out"
    try:
        return load_table5(folder / "msdrg" / TABLE5), None
    except MedcoderError as exc:
        return {}, f"MS-DRG Table 5 not read ({exc.message}): titles and GMLOS left out"


def casemix_report(session: Session, f: ReportFilters, o: ReportOptions) -> Report:
    los = days_between(E.c.admit_date, E.c.discharge_date)
    base = finalized_encounters(
        f,
        E.c.drg,
        func.count().label("cases"),
        func.sum(E.c.drg_weight),
        func.sum(los),
        func.count(los),
    ).where(E.c.drg.is_not(None))
    if f.setting is None:
        base = base.where(E.c.setting == Setting.INPATIENT.value)
    per_drg = session.execute(base.group_by(E.c.drg)).all()
    month = month_of(date_of_service())
    by_month = session.execute(
        finalized_encounters(f, month, func.count(), func.avg(E.c.drg_weight))
        .where(E.c.drg.is_not(None))
        .where(E.c.setting == (f.setting or Setting.INPATIENT).value)
        .group_by(month)
        .order_by(month)
    ).all()
    info, missing = table5(o.data)
    total = sum(r[1] for r in per_drg)
    drg_rows = []
    lines: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    los_rows = []
    for drg, cases, weight_sum, los_sum, los_n in sorted(per_drg, key=lambda r: (-r[1], r[0])):
        row = info.get(drg)
        weight = (weight_sum or 0.0) / cases
        drg_rows.append(
            (drg, row.title if row else "", row.mdc if row else "", cases,
             round(100.0 * cases / total, 2) if total else 0.0, round(weight, 4))
        )  # fmt: skip
        line = lines[f"MDC {row.mdc}" if row and row.mdc else "unknown"]
        line[0] += cases
        line[1] += weight_sum or 0.0
        if los_n:
            alos = los_sum / los_n
            gmlos = row.gmlos if row else None
            ratio = round(alos / gmlos, 3) if gmlos else None
            los_rows.append((drg, los_n, round(alos, 2), gmlos, ratio))
    line_rows = sorted(
        ((name, int(c), round(w / c, 4)) for name, (c, w) in lines.items() if c),
        key=lambda r: (-r[1], r[0]),
    )
    notes = [f"{total} finalized stays with an MS-DRG"]
    if missing:
        notes.append(missing)
    return Report(
        "casemix",
        "Case mix: MS-DRGs, case-mix index, LOS vs GMLOS",
        f.to_json(),
        (
            Table("drgs", ("drg", "title", "mdc", "cases", "percent", "mean_weight"), drg_rows),
            Table(
                "cmi_by_month",
                ("month", "cases", "cmi"),
                [(m, n, round(w or 0.0, 4)) for m, n, w in by_month],
            ),
            Table("cmi_by_service_line", ("service_line", "cases", "cmi"), line_rows),
            Table("los", ("drg", "stays", "mean_los", "gmlos", "los_to_gmlos"), los_rows),
        ),
        Chart("cmi_by_month", "month", ("cmi",), "line", title="Case-mix index by month"),
        notes=tuple(notes),
        sources=("CMS FY2026 MS-DRG Table 5",) if info else (),
    )
