"""Recognize ICD-10-CM release files in a data folder and plan the releases to build.

CMS names its files by fiscal year (``icd10cm_tabular_2026.xml``) and marks mid-year
updates by month (``icd10cm-tabular-April-1-2026.xml``). The fiscal year runs
October 1 to September 30; an April update is effective April 1 of the fiscal year.
One release is planned per Tabular List (or per order file where no Tabular exists);
its index and tables come from the same fiscal year when present, else from the newest
earlier year, and the release records that it mixes years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from medcoder.errors import DataNotFoundError

_MONTHS = {
    "jan": 1, "january": 1, "apr": 4, "april": 4, "jul": 7, "july": 7, "oct": 10, "october": 10,
}  # fmt: skip
_YEAR_RE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_MONTH_RE = re.compile(r"(?<![a-z])(jan|january|apr|april|jul|july|oct|october)(?![a-z])")

ROLES = ("tabular", "index", "neoplasm", "drug", "eindex", "order", "code_list")


@dataclass(frozen=True, slots=True)
class FoundFile:
    role: str
    path: Path
    fiscal_year: int
    month: int  # 10 for a fiscal-year (October) release, else the update month


@dataclass(frozen=True, slots=True)
class ReleasePlan:
    """What to build for one release: its name, dates and source files."""

    name: str
    fiscal_year: int
    effective_from: date
    effective_to: date
    files: tuple[FoundFile, ...]

    def file(self, role: str) -> FoundFile | None:
        return next((f for f in self.files if f.role == role), None)


def _role(path: Path) -> str | None:
    name = path.name.lower()
    if path.suffix.lower() == ".xml":
        if "tabular" in name:
            return "tabular"
        if "eindex" in name:
            return "eindex"
        if "neoplasm" in name:
            return "neoplasm"
        if "drug" in name:
            return "drug"
        if "index" in name and "pcs" not in name:
            return "index"
    if path.suffix.lower() == ".csv" and "icd10cm" in name and name.endswith("index.csv"):
        return "index"
    if path.suffix.lower() == ".txt":
        if "icd10cm" in name and "order" in name:
            return "order"
        if name.startswith("code-list"):
            return "code_list"
    return None


def file_dating(path: Path) -> tuple[int, int] | None:
    """(fiscal year, month) from the file name, else its folder name (``fy2026-april``)."""
    for text in (path.name.lower(), path.parent.name.lower()):
        year = _YEAR_RE.search(text)
        if year:
            month = _MONTH_RE.search(text)
            return int(year.group(1)), _MONTHS[month.group(1)] if month else 10
    return None


def find_files(data_dir: Path) -> list[FoundFile]:
    """Every ICD-10-CM file under ``data_dir`` whose role and year we can tell."""
    if not data_dir.is_dir():
        raise DataNotFoundError(
            f"data folder {data_dir} does not exist",
            hint="pass --data DIR or set MEDCODER_DATA to the folder holding the CMS files",
        )
    found: list[FoundFile] = []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file() or "icd10pcs" in str(path).lower():
            continue
        role = _role(path)
        dating = file_dating(path) if role else None
        if role and dating:
            found.append(FoundFile(role, path, dating[0], dating[1]))
    return found


def effective_from(fiscal_year: int, month: int) -> date:
    """FY2026 starts 2025-10-01; its April update starts 2026-04-01."""
    if month >= 10:
        return date(fiscal_year - 1, month, 1)
    return date(fiscal_year, month, 1)


def release_name(fiscal_year: int, month: int) -> str:
    return f"icd10cm-{fiscal_year}" if month == 10 else f"icd10cm-{fiscal_year}-{month:02d}"


def _fy_position(month: int) -> int:
    return 0 if month >= 10 else month


def _companion(found: list[FoundFile], role: str, anchor: FoundFile) -> FoundFile | None:
    """Same folder first, then the same fiscal year, then the newest earlier year."""
    candidates = [f for f in found if f.role == role and f.fiscal_year <= anchor.fiscal_year]
    if not candidates:
        return None

    def rank(f: FoundFile) -> tuple[int, int, int, int]:
        return (
            f.path.parent == anchor.path.parent,
            f.fiscal_year,
            # Position within the fiscal year (October first): an April file is later
            # than an October release of the same year.
            _fy_position(f.month) <= _fy_position(anchor.month),
            f.path.suffix.lower() == ".xml",  # the official XML beats a flattened CSV
        )

    return max(candidates, key=rank)


def plan_releases(data_dir: Path) -> list[ReleasePlan]:
    """Plan one release per Tabular List (or order file without a Tabular), oldest first."""
    found = find_files(data_dir)
    anchors: dict[tuple[int, int], FoundFile] = {}
    for f in found:
        if f.role == "tabular":
            anchors[(f.fiscal_year, f.month if f.month != 10 else 0)] = f
    for f in found:
        key = (f.fiscal_year, f.month if f.month != 10 else 0)
        if f.role == "order" and key not in anchors:
            anchors[key] = f
    ordered = [anchors[k] for k in sorted(anchors)]
    plans: list[ReleasePlan] = []
    for i, anchor in enumerate(ordered):
        start = effective_from(anchor.fiscal_year, anchor.month)
        end = date(anchor.fiscal_year, 9, 30)
        if i + 1 < len(ordered):
            nxt = ordered[i + 1]
            end = min(end, effective_from(nxt.fiscal_year, nxt.month) - timedelta(days=1))
        files = [anchor]
        if anchor.role == "tabular":
            for role in ("index", "neoplasm", "drug", "eindex"):
                companion = _companion(found, role, anchor)
                if companion is not None:
                    files.append(companion)
        for role in ("order", "code_list"):
            same = [
                f
                for f in found
                if f.role == role and f.path.parent == anchor.path.parent and f is not anchor
            ]
            files.extend(same[:1])
        plans.append(
            ReleasePlan(
                name=release_name(anchor.fiscal_year, anchor.month),
                fiscal_year=anchor.fiscal_year,
                effective_from=start,
                effective_to=end,
                files=tuple(files),
            )
        )
    return plans
