"""MS-DRG grouping of one inpatient stay: the ``drgpy`` grouper (Apache-2.0) on the CMS
FY2026 CC/MCC tables.

drgpy carries the MS-DRG v43 logic (MDC assignment, surgical hierarchy, the DRG formulas)
and its own CC/MCC lists; those lists miss 41 codes that Tables 6I/6J carry and Table 6K
marks "No Excl" (J12.82 an MCC; Z59.0x, Z16.x, L49.3-L49.9, D89.83x, K77 CCs). So the
engine's CC/MCC map, PDX exclusions (6K Part 1), alive-only list (6K Part 2) and DRG
severity exclusions (6K Part 3) are replaced by the CMS tables read at run time.

What the grouper does not take: age (MS-DRG v43 assigns no DRG by age; the Medicare Code
Editor's age edits are ``medcoder check``'s) and present-on-admission (the HAC-POA
reduction; drgpy's v43 data marks no HAC codes). Sex decides a few DRGs (MDC 12/13): when
it is not given the stay is grouped as both, and an error asks for it if they differ.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from medcoder.drg.codes import CodeValidator, check_or_raise
from medcoder.drg.result import DrgResult, ExcludedCode, WhatIf
from medcoder.drg.tables import GROUPER_VERSION, DrgTables
from medcoder.errors import GroupingInputError, UngroupableError
from medcoder.kinds import Sex

FY2026 = (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
APRIL_UPDATE = dt.date(2026, 4, 1)  # MS-DRG v43.1: the April 1, 2026 code update
# UB-04 FL17 patient discharge status: expired (20) and hospice deaths (40-42).
EXPIRED = frozenset({"20", "40", "41", "42"})
UNGROUPABLE = frozenset({"000", "998", "999"})
_NO_EXCLUSION = "none"  # a PDX collection that holds no principal (6K "No Excl")
NOTES = (
    "age is not used: MS-DRG v43 assigns no DRG by age (the MCE age edits are in `medcoder check`)",
    "present-on-admission is not used: no HAC-POA reduction is applied",
)


def logic_version(day: dt.date | None) -> str:
    """drgpy's v43 (October 2025) or v43.1 (April 2026 update); no date: the newest."""
    if day is not None and not FY2026[0] <= day <= FY2026[1]:
        raise GroupingInputError(
            f"date of service {day.isoformat()} is outside FY2026 "
            f"({FY2026[0].isoformat()} to {FY2026[1].isoformat()}), the MS-DRG v43 tables here",
            hint="group stays discharged in FY2026, or install the tables of that year",
        )
    return "v43.1" if day is None or day >= APRIL_UPDATE else "v43"


def _ensure_sex(sex: Sex | str | None) -> Sex | None:
    if sex is None or isinstance(sex, Sex):
        return sex
    try:
        return Sex(sex.strip().upper())
    except ValueError:
        raise GroupingInputError(f"sex {sex!r} is not F or M") from None


def _ensure_status(status: str | None) -> str:
    value = (status or "01").strip()
    if len(value) != 2 or not value.isdigit():
        raise GroupingInputError(
            f"discharge status {status!r} is not a two-digit UB-04 code",
            hint="e.g. 01 (home), 20 (expired), 06 (home health)",
        )
    return value


class MsDrgGrouper:
    """Groups stays; one per process (the drgpy maps take about 1 s to load per version)."""

    def __init__(self, tables: DrgTables, codes: CodeValidator) -> None:
        self.tables = tables
        self.codes = codes
        self._engines: dict[str, Any] = {}
        self._lock = threading.Lock()

    def engine(self, version: str) -> Any:
        """drgpy's engine for ``version`` with the CMS CC/MCC tables in place of its own."""
        with self._lock:
            if version not in self._engines:
                from drgpy.msdrg import DRGEngine

                engine = DRGEngine(version)
                t = self.tables
                alive = t.alive_only
                engine.ccmap = {
                    code: {
                        "level": t.level(code),
                        "aowa": code in alive,
                        "hac": None,
                        "pdx": t.pdx_collection.get(code, _NO_EXCLUSION),
                    }
                    for code in t.mcc | t.cc
                }
                engine.exmap = {**t.collections, _NO_EXCLUSION: frozenset()}
                engine.drg_exclusions = {}
                for exclusion in t.severity_exclusions:
                    for drg in exclusion.drgs:
                        engine.drg_exclusions[drg] = set(exclusion.codes)
                self._engines[version] = engine
            return self._engines[version]

    def group(
        self,
        pdx: str,
        sdx: Sequence[str] = (),
        pcs: Sequence[str] = (),
        *,
        age: int | None = None,
        sex: Sex | str | None = None,
        discharge_status: str | None = "01",
        day: dt.date | None = None,
    ) -> DrgResult:
        """Validate the codes, group the stay, and account for every CC/MCC."""
        version = logic_version(day)
        if age is not None and not 0 <= age <= 124:
            raise GroupingInputError(f"age {age} is outside 0-124")
        given_sex = _ensure_sex(sex)
        status = _ensure_status(discharge_status)
        checks = [check_or_raise(self.codes, pdx, "principal diagnosis", day)]
        checks += [
            check_or_raise(self.codes, code, f"secondary diagnosis {n}", day)
            for n, code in enumerate(sdx, start=1)
        ]
        proc_checks = [
            check_or_raise(self.codes, code, f"procedure {n}", day, procedure=True)
            for n, code in enumerate(pcs, start=1)
        ]
        principal = checks[0].code
        secondary = [check.code for check in checks[1:]]
        procedures = [check.code for check in proc_checks]
        releases = tuple(dict.fromkeys(check.release for check in checks + proc_checks))
        secondary = [c for c in dict.fromkeys(secondary) if c != principal]
        procedures = list(dict.fromkeys(procedures))
        dx = [c.replace(".", "") for c in (principal, *secondary)]
        alive = status not in EXPIRED
        engine = self.engine(version)
        if given_sex is None:
            as_f = self._drg(engine, dx, procedures, Sex.FEMALE, alive, status)
            as_m = self._drg(engine, dx, procedures, Sex.MALE, alive, status)
            if as_f != as_m:
                raise GroupingInputError(
                    f"the patient's sex decides the MS-DRG here ({as_f} if F, {as_m} if M)",
                    hint="give --sex F or --sex M",
                )
            chosen = Sex.FEMALE
        else:
            chosen = given_sex
        drg = self._drg(engine, dx, procedures, chosen, alive, status)
        if drg is None or drg in UNGROUPABLE or drg not in self.tables.drgs:
            raise UngroupableError(
                f"no MS-DRG for principal {principal}"
                + (f" with {', '.join(secondary + procedures)}" if secondary or procedures else "")
                + f" (grouper {version} returned {drg or 'nothing'})",
                hint="check the principal diagnosis is acceptable as principal "
                "(`medcoder check` runs the MCE edits)",
            )
        mcc, cc, excluded = self._severity(dx[0], secondary, drg, alive)
        info = self.tables.drgs[drg]
        what_if = self._what_if(engine, dx, procedures, chosen, alive, status, drg, mcc, cc)
        notes = (
            NOTES
            if given_sex is not None
            else (*NOTES, "sex not given: it does not change the MS-DRG of this stay")
        )
        return DrgResult(
            drg=drg,
            mdc=info.mdc,
            title=info.title,
            kind=info.kind,
            weight=info.weight,
            gmlos=info.gmlos,
            amlos=info.amlos,
            version=GROUPER_VERSION,
            grouper_logic=version,
            principal=principal,
            secondary=tuple(secondary),
            procedures=tuple(procedures),
            mcc=mcc,
            cc=cc,
            excluded=excluded,
            what_if=what_if,
            releases=releases,
            notes=notes,
        )

    def _drg(
        self, engine: Any, dx: list[str], pcs: list[str], sex: Sex, alive: bool, status: str
    ) -> str | None:
        found: list[str] = engine.get_drg_all(dx, pcs, sex.value, alive, None, status)
        return found[0] if found else None

    def _severity(
        self, principal: str, secondary: list[str], drg: str, alive: bool
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[ExcludedCode, ...]]:
        """Which secondary diagnoses count as MCC / CC, and why the others on 6I/6J do not."""
        t = self.tables
        mcc: list[str] = []
        cc: list[str] = []
        excluded: list[ExcludedCode] = []
        dotted_principal = principal if len(principal) == 3 else f"{principal[:3]}.{principal[3:]}"
        for code in secondary:
            flat = code.replace(".", "")
            level = t.level(flat)
            if level is None:
                continue
            collection = t.excluded_by(flat, principal)
            severity = t.severity_exclusion(drg, flat)
            if collection is not None:  # Table 6K Part 1
                reason = (
                    f"excluded by principal {dotted_principal} "
                    f"(Table 6K PDX collection {collection})"
                )
            elif not alive and flat in t.alive_only:  # Table 6K Part 2
                reason = "counts only when the patient is discharged alive (Table 6K Part 2)"
            elif severity is not None:  # Table 6K Part 3
                reason = (
                    f"no CC/MCC in DRGs {severity.drgs[0]}-{severity.drgs[-1]} "
                    f"{severity.title} (Table 6K Part 3)"
                )
            else:
                (mcc if level == "MCC" else cc).append(code)
                continue
            excluded.append(ExcludedCode(code, level, reason))
        return tuple(mcc), tuple(cc), tuple(excluded)

    def _what_if(
        self,
        engine: Any,
        dx: list[str],
        pcs: list[str],
        sex: Sex,
        alive: bool,
        status: str,
        drg: str,
        mcc: tuple[str, ...],
        cc: tuple[str, ...],
    ) -> tuple[WhatIf, ...]:
        """Regroup with one more MCC (or CC) severity mark and nothing else: the features
        are the grouper's own (``get_features``), so no diagnosis code is invented."""
        if mcc:
            return ()
        levels = ("MCC",) if cc else ("MCC", "CC")
        base: Counter[str] = engine.get_features(
            dx, pcs, sex.value, alive, None, status, engine.drg_exclusions.get(drg, set())
        )
        out = []
        for level in levels:
            features = base.copy()
            features["_" + level] += 1
            found = engine._evaluate(features)  # drgpy's DRG formulas over the features
            other = found[0] if found else None
            if other is None or other == drg or other not in self.tables.drgs:
                continue
            to = self.tables.drgs[other]
            out.append(WhatIf(level, drg, other, to.title, self.tables.drgs[drg].weight, to.weight))
        return tuple(out)
