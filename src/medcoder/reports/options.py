"""Options some reports take beyond the filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import InvalidInputError
from medcoder.kinds import CodeSystem


@dataclass(frozen=True, slots=True)
class ReportOptions:
    top: int = 20  # codes, agreement, edits: how many rows
    by: str = "code"  # codes: code | category
    system: CodeSystem | None = None  # codes: one code system (default every one)
    as_of: dt.date | None = None  # dnfb: the day ages are counted to (default today)
    to_release: str | None = None  # release-impact: the newer release (default newest)
    data: Path | None = None  # the CMS data folder (MS-DRG Table 5)


def parse_options(
    *,
    top: int | str | None = None,
    by: str | None = None,
    system: str | None = None,
    as_of: str | None = None,
    to_release: str | None = None,
    data: Path | None = None,
) -> ReportOptions:
    count = 20
    if top is not None:
        try:
            count = int(top)
        except ValueError:
            count = 0
        if not 1 <= count <= 1000:
            raise InvalidInputError(f"--top {top!r}: give a number 1-1000")
    grouping = (by or "code").strip().lower()
    if grouping not in ("code", "category"):
        raise InvalidInputError(f"--by {by!r}: use code or category")
    chosen = None
    if system is not None:
        try:
            chosen = CodeSystem(system.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in CodeSystem)
            raise InvalidInputError(f"--system {system!r} is not a code system ({names})") from None
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise InvalidInputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    return ReportOptions(count, grouping, chosen, day, to_release, data)
