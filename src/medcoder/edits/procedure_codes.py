"""Procedure code sets as the validity edits (``edits/procedure_validity.py``) ask them.

The edits ask a ``ProcedureCodeSet``; any code-set implementation that answers
``validity`` plugs in (the procedure code-set releases under ``codesets/`` once
installed). Until then ``IoceProcedureCodes`` answers for CPT and HCPCS from the I/OCE
code lists in ``<data>/hcpcs`` (code numbers and dates only: no CPT descriptors):

- ``ioce_hcpcs_level2_all_versions.csv``: hcpcs, ..., date_approved, date_terminated,
  lo_ioce_version, hi_ioce_version, effective_start, effective_end_ioce;
- ``ioce_cpt_cdt_codes_no_descriptors.csv``: code, status_indicator, apc,
  date_approved, date_terminated, lo_ioce_version, hi_ioce_version (versions dated by
  ``ioce_version_range.csv``).
ICD-10-PCS is not answered by it (None: the edit is skipped with a notice).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from medcoder.errors import EditTableError
from medcoder.kinds import CodeSystem


@dataclass(frozen=True, slots=True)
class ProcedureValidity:
    valid: bool
    reason: str
    release: str
    suggestions: tuple[str, ...] = ()


class ProcedureCodeSet(Protocol):
    """Answers validity for the systems it holds; None for a system it does not hold."""

    def validity(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None: ...


@runtime_checkable
class ModifierSet(Protocol):
    """Also answers which modifiers are not valid on a date (None: no modifier list)."""

    def unknown_modifiers(
        self, modifiers: Sequence[str], day: dt.date
    ) -> tuple[list[str], str] | None: ...


@dataclass(frozen=True, slots=True)
class _Span:
    start: int  # YYYYMMDD
    end: int


def _day(value: dt.date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


class IoceProcedureCodes:
    """CPT and HCPCS Level II code numbers with the dates the I/OCE held them."""

    def __init__(self, spans: dict[CodeSystem, dict[str, list[_Span]]], release: str) -> None:
        self.spans = spans
        self.release = release

    @classmethod
    def load(cls, hcpcs_dir: Path, versions_file: Path | None = None) -> IoceProcedureCodes:
        versions = _versions(versions_file) if versions_file else {}
        level2 = hcpcs_dir / "ioce_hcpcs_level2_all_versions.csv"
        cpt = hcpcs_dir / "ioce_cpt_cdt_codes_no_descriptors.csv"
        spans: dict[CodeSystem, dict[str, list[_Span]]] = {}
        spans[CodeSystem.HCPCS] = _read(level2, "hcpcs", versions)
        if cpt.is_file():
            spans[CodeSystem.CPT] = _read(cpt, "code", versions)
        return cls(spans, "ioce-code-lists")

    def validity(self, system: CodeSystem, code: str, day: dt.date) -> ProcedureValidity | None:
        if system not in self.spans:
            return None
        when = _day(day)
        table = self.spans[system]
        rows = table.get(code)
        if rows is None and system is CodeSystem.HCPCS:
            rows = self.spans.get(CodeSystem.CPT, {}).get(code)  # CPT is HCPCS Level I
        if rows is None:
            other = CodeSystem.HCPCS if system is CodeSystem.CPT else None
            hint = (
                f" (it is a HCPCS Level II code: give system {other.value})"
                if other and code in self.spans.get(other, {})
                else ""
            )
            return ProcedureValidity(False, f"{code} is not a {system.value} code{hint}",
                                     self.release)  # fmt: skip
        if any(s.start <= when <= s.end for s in rows):
            return ProcedureValidity(True, "valid on the date of service", self.release)
        last = max(s.end for s in rows)
        first = min(s.start for s in rows)
        if last < when:
            return ProcedureValidity(False, f"{code} was deleted: valid through "
                                     f"{_iso(last)}", self.release)  # fmt: skip
        if first > when:
            return ProcedureValidity(False, f"{code} is not yet effective: valid from "
                                     f"{_iso(first)}", self.release)  # fmt: skip
        return ProcedureValidity(False, f"{code} was not valid on {day.isoformat()}",
                                 self.release)  # fmt: skip


def _iso(value: int) -> str:
    return f"{value // 10_000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"


def _versions(path: Path) -> dict[int, tuple[int, int]]:
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            int(r["ioce_internal_version"]): (int(r["date_started"]), int(r["date_ended"]))
            for r in csv.DictReader(handle)
        }


def _read(path: Path, column: str, versions: dict[int, tuple[int, int]]) -> dict[str, list[_Span]]:
    if not path.is_file():
        raise EditTableError(f"no procedure code list {path}", hint="pass --data DIR")
    out: dict[str, list[_Span]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                if row.get("effective_start"):
                    start, end = int(row["effective_start"]), int(row["effective_end_ioce"])
                else:
                    lo, hi = int(row["lo_ioce_version"]), int(row["hi_ioce_version"])
                    if lo not in versions or hi not in versions:
                        continue  # an undated version: cannot place it in time
                    start, end = versions[lo][0], versions[hi][1]
                terminated = (row.get("date_terminated") or "").strip()
                if terminated:
                    end = min(end, int(terminated))
            except (KeyError, ValueError) as exc:
                raise EditTableError(f"{path}:{line}: malformed row") from exc
            out.setdefault(row[column].strip().upper(), []).append(_Span(start, end))
    return out
