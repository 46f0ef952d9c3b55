"""Build HCPCS Level II and CPT-number releases from the CMS files in a data folder.

``setup_hcpcs`` is the setup step registered in ``codesets/systems.py``: it builds one
release per Alpha-Numeric quarter file found (``HCPC2025_OCT_ANWEB.xlsx`` ->
``hcpcs-2025-10``, effective 2025-10-01..2025-12-31) and, from the I/OCE tables, one
release of Level II validity spans (``hcpcs-ioce-2026-04``) and one of CPT numbers
(``cpt-ioce-2026-04``, numbers only: no descriptor is ever stored from it).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

from medcoder.codesets.hcpcs.anweb import anweb_quarter, load_anweb
from medcoder.codesets.hcpcs.ioce import load_cpt_spans, load_level2_spans
from medcoder.codesets.hcpcs.model import HcpcsRecord, ValiditySpan
from medcoder.codesets.hcpcs.store import ProcedureRelease, iso, source, write_release
from medcoder.codesets.setup_report import SetupReport

LAYOUT_PREFERENCE = (".xlsx", ".txt", ".csv")  # the official xlsx first


def quarter_dates(year: int, month: int) -> tuple[date, date]:
    """First and last day of the quarter that starts in ``month``."""
    start = date(year, month, 1)
    after = date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def find_anweb_files(data: Path) -> dict[tuple[int, int], Path]:
    """One Alpha-Numeric file per quarter found in ``data`` or ``data/hcpcs``."""
    found: dict[tuple[int, int], Path] = {}
    for folder in (data, data / "hcpcs"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if "ANWEB" not in path.name.upper() or path.suffix.lower() not in LAYOUT_PREFERENCE:
                continue
            quarter = anweb_quarter(path)
            if quarter is None:
                continue
            known = found.get(quarter)
            rank = LAYOUT_PREFERENCE.index(path.suffix.lower())
            if known is None or rank < LAYOUT_PREFERENCE.index(known.suffix.lower()):
                found[quarter] = path
    return found


def _find(data: Path, *names: str) -> Path | None:
    for name in names:
        for folder in (data, data / "hcpcs"):
            hits = sorted(folder.glob(name)) if folder.is_dir() else []
            if hits:
                return hits[-1]
    return None


def build_anweb(path: Path, home: Path, *, force: bool = False) -> ProcedureRelease:
    """One quarter's Alpha-Numeric file -> ``<home>/hcpcs/hcpcs-YYYY-MM/``."""
    quarter = anweb_quarter(path)
    if quarter is None:
        from medcoder.errors import SourceFormatError

        raise SourceFormatError(
            path,
            "cannot tell the quarter from the file name",
            hint="keep the CMS name, e.g. HCPC2025_OCT_ANWEB.xlsx",
        )
    year, month = quarter
    start, end = quarter_dates(year, month)
    manifest = ProcedureRelease(
        name=f"hcpcs-{year}-{month:02d}",
        system="hcpcs",
        kind="anweb",
        quarter=f"{year}-{month:02d}",
        effective_from=start,
        effective_to=end,
        sources=(source("anweb", path, path.suffix.lower().lstrip(".")),),
    )

    def fill(db: sqlite3.Connection) -> dict[str, int]:
        return write_records(db, load_anweb(path))

    return write_release(home, manifest, fill, force=force)


def write_records(db: sqlite3.Connection, records: list[HcpcsRecord]) -> dict[str, int]:
    db.executemany(
        "INSERT INTO codes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                r.code,
                int(r.is_modifier),
                r.long_description,
                r.short_description,
                iso(r.added),
                iso(r.action_effective),
                iso(r.terminated),
                r.action_code,
                r.coverage,
                r.betos,
                r.pricing,
            )
            for r in records
        ],
    )
    codes = [r for r in records if not r.is_modifier]
    return {
        "codes": len(codes),
        "modifiers": len(records) - len(codes),
        "terminated": sum(1 for r in codes if r.terminated),
    }


def write_spans(db: sqlite3.Connection, spans: list[ValiditySpan]) -> dict[str, int]:
    db.executemany(
        "INSERT INTO spans VALUES (?,?,?,?,?,?,?)",
        [
            (
                s.code,
                s.start.isoformat(),
                s.end.isoformat(),
                s.short_description,
                s.status_indicator,
                s.apc,
                iso(s.terminated),
            )
            for s in spans
        ],
    )
    return {"spans": len(spans), "codes": len({s.code for s in spans})}


def build_ioce(
    level2: Path, cpt: Path | None, home: Path, *, force: bool = False
) -> list[ProcedureRelease]:
    """The I/OCE Level II spans (and the CPT numbers, when that table is there)."""
    spans, calendar = load_level2_spans(level2)
    if not spans:
        return []
    latest = max(s.start for s in spans)
    quarter = f"{latest.year}-{latest.month:02d}"
    first, last = min(s.start for s in spans), max(s.end for s in spans)
    built = [
        write_release(
            home,
            ProcedureRelease(
                f"hcpcs-ioce-{quarter}",
                "hcpcs",
                "ioce",
                quarter,
                first,
                last,
                (source("ioce-level2", level2, "csv"),),
            ),
            lambda db: write_spans(db, spans),
            force=force,
        )
    ]
    if cpt is not None:
        cpt_spans = load_cpt_spans(cpt, calendar)
        built.append(
            write_release(
                home,
                ProcedureRelease(
                    f"cpt-ioce-{quarter}",
                    "cpt",
                    "ioce",
                    quarter,
                    first,
                    last,
                    (source("ioce-cpt", cpt, "csv"), source("ioce-level2", level2, "csv")),
                ),
                lambda db: write_spans(db, cpt_spans),
                force=force,
            )
        )
    return built


def setup_hcpcs(data: Path, home: Path, force: bool) -> SetupReport:
    """The ``medcoder setup`` step for HCPCS Level II and CPT numbers."""
    built: list[ProcedureRelease] = [
        build_anweb(path, home, force=force) for _, path in sorted(find_anweb_files(data).items())
    ]
    level2 = _find(data, "ioce_hcpcs_level2_all_versions.csv", "ioce_hcpcs_level2_*.csv")
    if level2 is not None:
        cpt = _find(data, "ioce_cpt_cdt_codes_no_descriptors.csv")
        built += build_ioce(level2, cpt, home, force=force)
    if not built:
        return SetupReport(
            "hcpcs", (), "no HCPCS files found (HCPC<year>_<MON>_ANWEB.xlsx/csv/txt, ioce_*.csv)"
        )
    parts = []
    for release in built:
        stats = release.stats
        if release.kind == "anweb":
            parts.append(
                f"{release.name}: {stats['codes']:,} codes, {stats['modifiers']:,} modifiers"
            )
        else:
            parts.append(
                f"{release.name}: {stats['codes']:,} codes over {stats['spans']:,} I/OCE spans "
                f"{release.effective_from}..{release.effective_to}"
            )
    return SetupReport("hcpcs", tuple(r.name for r in built), "; ".join(parts))
