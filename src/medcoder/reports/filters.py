"""The filters every report takes: a date-of-service range, setting, payer, coder and
code-set release; checked once here so that a bad one is one E300 line naming it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from medcoder.errors import InvalidInputError
from medcoder.kinds import Setting


@dataclass(frozen=True, slots=True)
class ReportFilters:
    start: dt.date | None = None  # date of service, inclusive
    end: dt.date | None = None  # inclusive
    setting: Setting | None = None
    payer: str | None = None
    coder: str | None = None  # who finalized (coders: who decided)
    release: str | None = None  # the release a code came from

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("start", "end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        if self.setting is not None:
            data["setting"] = self.setting.value
        return data


def _day(name: str, value: str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(
            f"--{name} {value!r} is not a date", hint="use YYYY-MM-DD, e.g. 2026-01-31"
        ) from None


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > 200:
        raise InvalidInputError(f"--{name} {value!r}: give 1 to 200 characters")
    return text


def parse_filters(
    *,
    start: str | None = None,
    end: str | None = None,
    setting: str | None = None,
    payer: str | None = None,
    coder: str | None = None,
    release: str | None = None,
) -> ReportFilters:
    """Filters from text (CLI options, query parameters); E300 naming the bad one."""
    first, last = _day("from", start), _day("to", end)
    if first and last and first > last:
        raise InvalidInputError(f"--from {first} is after --to {last}")
    chosen = None
    if setting is not None:
        try:
            chosen = Setting(setting.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in Setting)
            raise InvalidInputError(f"--setting {setting!r} is not a setting ({names})") from None
    return ReportFilters(
        first,
        last,
        chosen,
        _text("payer", payer),
        _text("coder", coder),
        _text("release", release),
    )
