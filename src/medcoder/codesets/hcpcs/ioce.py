"""The I/OCE code tables: which HCPCS Level II codes and CPT/CDT numbers are valid on a
date, across every quarterly I/OCE version since 2019-07 (from the pyoce package's tables).

Each row holds a code for a span of I/OCE versions (``lo_ioce_version``..``hi_ioce_version``).
The Level II table also gives the dates of those versions (``effective_start``,
``effective_end_ioce``); the CPT numbers table gives only the version numbers, so their
dates are taken from the Level II table, and from the quarterly calendar (version 76 =
2019-07-01, one version a quarter) for any version that table does not date.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from medcoder.codesets.hcpcs.anweb import parse_yyyymmdd
from medcoder.codesets.hcpcs.model import ValiditySpan
from medcoder.errors import SourceFormatError

LEVEL2_COLUMNS = (
    "hcpcs",
    "short_description",
    "status_indicator",
    "apc",
    "date_terminated",
    "lo_ioce_version",
    "hi_ioce_version",
    "effective_start",
    "effective_end_ioce",
)
CPT_COLUMNS = (
    "code",
    "status_indicator",
    "apc",
    "date_approved",
    "date_terminated",
    "lo_ioce_version",
    "hi_ioce_version",
)
FIRST_VERSION, FIRST_VERSION_START = 76, date(2019, 7, 1)


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceFormatError(
                path, f"not an I/OCE code table: no column {', '.join(missing)}", line=1
            )
        yield from enumerate(reader, start=2)


def _int(text: str, path: Path, line: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise SourceFormatError(path, f"bad I/OCE version {text!r}", line=line) from None


def quarter_start(version: int) -> date:
    """The first day of an I/OCE version by the quarterly calendar."""
    months = (FIRST_VERSION_START.month - 1) + 3 * (version - FIRST_VERSION)
    return date(FIRST_VERSION_START.year + months // 12, months % 12 + 1, 1)


class VersionCalendar:
    """I/OCE version number -> (first day, last day)."""

    def __init__(self) -> None:
        self.starts: dict[int, date] = {}
        self.ends: dict[int, date] = {}

    def start(self, version: int) -> date:
        return self.starts.get(version) or quarter_start(version)

    def end(self, version: int) -> date:
        return self.ends.get(version) or (quarter_start(version + 1) - timedelta(days=1))


def load_level2_spans(path: Path) -> tuple[list[ValiditySpan], VersionCalendar]:
    """HCPCS Level II spans, and the version dates the table reveals."""
    calendar = VersionCalendar()
    spans = []
    for line, row in _rows(path, LEVEL2_COLUMNS):
        lo = _int(row["lo_ioce_version"], path, line)
        hi = _int(row["hi_ioce_version"], path, line)
        start = parse_yyyymmdd(row["effective_start"], path=path, line=line)
        end = parse_yyyymmdd(row["effective_end_ioce"], path=path, line=line)
        if start is None or end is None:
            raise SourceFormatError(path, "a span without effective dates", line=line)
        calendar.starts.setdefault(lo, start)
        calendar.ends[hi] = max(end, calendar.ends.get(hi, end))
        spans.append(
            ValiditySpan(
                code=row["hcpcs"].strip().upper(),
                start=start,
                end=end,
                short_description=row["short_description"].strip(),
                status_indicator=row["status_indicator"].strip(),
                apc=row["apc"].strip(),
                terminated=parse_yyyymmdd(row["date_terminated"], path=path, line=line),
            )
        )
    return spans, calendar


def load_cpt_spans(path: Path, calendar: VersionCalendar) -> list[ValiditySpan]:
    """CPT (and CDT) numbers, no descriptors, dated through the version calendar."""
    spans = []
    for line, row in _rows(path, CPT_COLUMNS):
        lo = _int(row["lo_ioce_version"], path, line)
        hi = _int(row["hi_ioce_version"], path, line)
        spans.append(
            ValiditySpan(
                code=row["code"].strip().upper(),
                start=calendar.start(lo),
                end=calendar.end(hi),
                status_indicator=row["status_indicator"].strip(),
                apc=row["apc"].strip(),
                terminated=parse_yyyymmdd(row["date_terminated"], path=path, line=line),
            )
        )
    return spans
