"""Is a HCPCS Level II code or CPT number valid on a date of service, and what is it?

The public entry point for other stages (claim edits, the procedure coders):
``ProcedureCodeSets(home).lookup(code, day)`` and ``.is_valid(code, day)``.

Which source decides, in order (HCPCS Level II):

1. the Alpha-Numeric quarter file whose quarter holds the date (ADD DT .. TERM DT);
2. the I/OCE spans, which date every code across quarters since 2019-07;
3. the nearest installed quarter file, by the code's add and termination dates (said in
   ``note``).

CPT numbers are dated by the I/OCE CPT table; a licensed CPT file (``medcoder setup --cpt``)
adds descriptors, and alone decides only for numbers the I/OCE table does not hold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from medcoder.codesets.hcpcs.model import CodeStatus, HcpcsRecord, is_cpt_number, normalize_code
from medcoder.codesets.hcpcs.store import DATABASE_FILE, ProcedureRelease, from_iso, installed
from medcoder.codesets.readonly_db import ReadOnlyDatabase
from medcoder.errors import ProcedureCodeSetMissingError, UnknownModifierError
from medcoder.kinds import CodeSystem
from medcoder.settings import home_dir

# CPT modifier NUMBERS (AMA; numbers only, never their descriptors): accepted as modifiers
# beside the HCPCS Level II modifiers of the Alpha-Numeric file.
CPT_MODIFIER_NUMBERS = frozenset(
    {
        *("22", "23", "24", "25", "26", "27", "32", "33", "47", "50", "51", "52", "53"),
        *("54", "55", "56", "57", "58", "59", "62", "63", "66", "73", "74", "76", "77"),
        *("78", "79", "80", "81", "82", "90", "91", "92", "93", "95", "96", "97", "99"),
    }
)


class ProcedureCodeSets:
    """The HCPCS Level II and CPT releases installed under ``<home>``, chosen by date."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home_dir(home)
        hcpcs = installed(self.home, CodeSystem.HCPCS)
        cpt = installed(self.home, CodeSystem.CPT)
        self.anweb = [r for r in hcpcs if r.kind == "anweb"]
        self.level2_spans = [r for r in hcpcs if r.kind == "ioce"]
        self.cpt_spans = [r for r in cpt if r.kind == "ioce"]
        self.cpt_files = [r for r in cpt if r.kind == "cpt-file"]
        self._db: dict[str, ReadOnlyDatabase] = {}

    # -- releases ---------------------------------------------------------------------
    @property
    def has_hcpcs(self) -> bool:
        return bool(self.anweb or self.level2_spans)

    @property
    def has_cpt(self) -> bool:
        return bool(self.cpt_spans or self.cpt_files)

    def releases(self) -> list[ProcedureRelease]:
        return [*self.anweb, *self.level2_spans, *self.cpt_spans, *self.cpt_files]

    def anweb_for(self, day: date | None) -> ProcedureRelease | None:
        """The quarter file covering ``day``; else the newest one before it; else the oldest."""
        if not self.anweb:
            return None
        if day is None:
            return self.anweb[-1]
        covering = [r for r in self.anweb if r.covers(day)]
        if covering:
            return covering[-1]
        before = [r for r in self.anweb if r.effective_to < day]
        return before[-1] if before else self.anweb[0]

    def cpt_file_for(self, day: date | None) -> ProcedureRelease | None:
        if not self.cpt_files:
            return None
        covering = [r for r in self.cpt_files if day is None or r.covers(day)]
        return (covering or self.cpt_files)[-1]

    def _conn(self, release: ProcedureRelease) -> ReadOnlyDatabase:
        if release.name not in self._db:
            self._db[release.name] = ReadOnlyDatabase(release.folder / DATABASE_FILE, rows=True)
        return self._db[release.name]

    def record(self, release: ProcedureRelease, code: str) -> HcpcsRecord | None:
        row = self._conn(release).execute("SELECT * FROM codes WHERE code = ?", (code,)).fetchone()
        return _record(row) if row else None

    # -- lookups ----------------------------------------------------------------------
    def lookup(self, code: str, day: date | None = None) -> CodeStatus:
        """Status of ``code`` on the date of service (the newest quarter when no date)."""
        code = normalize_code(code)
        if is_cpt_number(code):
            return self._lookup_cpt(code, day)
        if not self.has_hcpcs:
            raise ProcedureCodeSetMissingError(
                "no HCPCS Level II release is installed",
                hint="run `medcoder setup --data DIR` with the CMS HCPCS files in DIR/hcpcs",
            )
        quarter = self.anweb_for(day)
        record = self.record(quarter, code) if quarter else None
        if quarter is not None and record is not None and record.is_modifier:
            record = None
        when = day or (quarter.effective_from if quarter else None)
        if quarter is not None and record is not None and when is not None and quarter.covers(when):
            return _from_record(record, when, quarter, "anweb")
        spans = self._spans(self.level2_spans, code, when)
        if spans is not None:
            return _titled(spans, record) if record is not None else spans
        if record is not None and quarter is not None and when is not None:
            status = _from_record(record, when, quarter, "anweb")
            note = (
                f"{when} is outside {quarter.name} ({quarter.effective_from}.."
                f"{quarter.effective_to}): decided by the code's add and termination dates"
            )
            return _replace_note(status, note)
        if code.startswith("D") and self.cpt_spans:  # CDT numbers live in the CPT/CDT table
            return self._lookup_cpt(code, day)
        name = quarter.name if quarter else self.level2_spans[-1].name
        return _unknown(code, CodeSystem.HCPCS, name, self._coverage_note(self.level2_spans, when))

    @staticmethod
    def _coverage_note(releases: list[ProcedureRelease], day: date | None) -> str:
        if day is None or any(r.covers(day) for r in releases):
            return ""
        spans = "; ".join(f"{r.name} {r.effective_from}..{r.effective_to}" for r in releases)
        return f"no installed release dates codes on {day} ({spans or 'none installed'})"

    def is_valid(self, code: str, day: date | None = None) -> bool:
        """True when ``code`` may be reported on ``day`` (see :meth:`lookup`)."""
        return self.lookup(code, day).valid

    def _lookup_cpt(self, code: str, day: date | None) -> CodeStatus:
        if not self.has_cpt:
            raise ProcedureCodeSetMissingError(
                "no CPT numbers are installed",
                hint="run `medcoder setup --data DIR` (I/OCE tables) "
                "or `medcoder setup --cpt FILE`",
            )
        licensed = self.cpt_file_for(day)
        described = self.record(licensed, code) if licensed else None
        when = day or (self.cpt_spans[-1].effective_to if self.cpt_spans else None)
        status = self._spans(self.cpt_spans, code, when, system="cpt")
        if status is not None:
            if described is not None:
                status = _titled(status, described)
            return status
        if described is not None and licensed is not None:
            when = day or licensed.effective_from
            return _from_record(described, when, licensed, "cpt-file", system="cpt")
        name = (self.cpt_spans or self.cpt_files)[-1].name
        return _unknown(code, "cpt", name, self._coverage_note(self.cpt_spans, when))

    def _spans(
        self, releases: list[ProcedureRelease], code: str, day: date | None, system: str = "hcpcs"
    ) -> CodeStatus | None:
        if not releases or day is None:
            return None
        release = next((r for r in reversed(releases) if r.covers(day)), None)
        if release is None:
            return None
        rows = (
            self._conn(release)
            .execute("SELECT * FROM spans WHERE code = ? ORDER BY start", (code,))
            .fetchall()
        )
        if not rows:
            return None
        iso_day = day.isoformat()
        live = [r for r in rows if r["start"] <= iso_day <= r["end"]]
        first = min(r["start"] for r in rows)
        terminated = from_iso(max((r["terminated"] or "" for r in rows), default="") or None)
        if live and not (terminated and day > terminated):
            row, state, valid = live[-1], "active", True
        elif terminated and day > terminated:
            row, state, valid = rows[-1], "terminated", False
        elif iso_day < first:
            row, state, valid = rows[0], "not_yet_effective", False
        else:
            row, state, valid = rows[-1], "terminated", False
        last = max(r["end"] for r in rows)
        end = terminated or (from_iso(last) if last < release.effective_to.isoformat() else None)
        title = "" if system == "cpt" else row["short_description"]
        return CodeStatus(
            code=code,
            system=system,
            valid=valid,
            status=state,
            title=title,
            short_title=title,
            effective_from=from_iso(first),
            terminated=end,
            release=release.name,
            source="ioce",
            status_indicator=row["status_indicator"],
        )

    # -- modifiers and search -----------------------------------------------------------
    def modifiers(self, day: date | None = None) -> list[HcpcsRecord]:
        """The HCPCS Level II modifiers of the quarter file for ``day``."""
        quarter = self.anweb_for(day)
        if quarter is None:
            return []
        rows = (
            self._conn(quarter)
            .execute("SELECT * FROM codes WHERE is_modifier = 1 ORDER BY code")
            .fetchall()
        )
        return [_record(r) for r in rows]

    def unknown_modifiers(self, modifiers: Iterable[str], day: date | None = None) -> list[str]:
        """Modifiers that are neither HCPCS Level II modifiers valid on ``day`` nor CPT ones."""
        quarter = self.anweb_for(day)
        bad = []
        for raw in modifiers:
            mod = raw.strip().upper()
            if mod in CPT_MODIFIER_NUMBERS:
                continue
            record = self.record(quarter, mod) if quarter else None
            when = day or (quarter.effective_from if quarter else None)
            if (
                record is None
                or not record.is_modifier
                or (
                    when is not None and not _from_record(record, when, quarter, "anweb").valid  # type: ignore[arg-type]
                )
            ):
                bad.append(mod)
        return bad

    def check_modifiers(self, modifiers: Iterable[str], day: date | None = None) -> None:
        """Raise :class:`UnknownModifierError` naming every unknown modifier."""
        bad = self.unknown_modifiers(modifiers, day)
        if bad:
            quarter = self.anweb_for(day)
            raise UnknownModifierError(bad, quarter.name if quarter else "no HCPCS release")

    def search(self, text: str, day: date | None = None, limit: int = 25) -> list[HcpcsRecord]:
        """Codes whose long or short descriptor holds every word of ``text``."""
        quarter = self.anweb_for(day)
        words = [w for w in text.lower().split() if w]
        if quarter is None or not words:
            return []
        clause = " AND ".join(
            "lower(long_description || ' ' || short_description) LIKE ?" for _ in words
        )
        rows = (
            self._conn(quarter)
            .execute(
                f"SELECT * FROM codes WHERE is_modifier = 0 AND {clause} ORDER BY code LIMIT ?",
                [*(f"%{w}%" for w in words), limit],
            )
            .fetchall()
        )
        return [_record(r) for r in rows]

    def with_prefix(
        self, prefix: str, day: date | None = None, limit: int = 25
    ) -> list[HcpcsRecord]:
        """Level II codes starting with ``prefix`` (a code typed, or its first characters)."""
        quarter = self.anweb_for(day)
        key = "".join(prefix.split()).upper()
        if quarter is None or not key.isalnum():
            return []
        rows = (
            self._conn(quarter)
            .execute(
                "SELECT * FROM codes WHERE is_modifier = 0 AND code >= ? AND code < ? "
                "ORDER BY code LIMIT ?",
                (key, key + "\uffff", limit),
            )
            .fetchall()
        )
        return [_record(r) for r in rows]

    def close(self) -> None:
        for db in self._db.values():
            db.close()
        self._db.clear()


def _record(row: sqlite3.Row) -> HcpcsRecord:
    return HcpcsRecord(
        code=row["code"],
        is_modifier=bool(row["is_modifier"]),
        long_description=row["long_description"],
        short_description=row["short_description"],
        added=from_iso(row["added"]),
        action_effective=from_iso(row["action_effective"]),
        terminated=from_iso(row["terminated"]),
        action_code=row["action_code"],
        coverage=row["coverage"],
        betos=row["betos"],
        pricing=row["pricing"],
    )


def _from_record(
    record: HcpcsRecord, day: date, release: ProcedureRelease, source: str, system: str = "hcpcs"
) -> CodeStatus:
    if record.terminated is not None and day > record.terminated:
        state = "terminated"
    elif record.added is not None and day < record.added:
        state = "not_yet_effective"
    else:
        state = "active"
    return CodeStatus(
        code=record.code,
        system=system,
        valid=state == "active",
        status=state,
        title=record.long_description,
        short_title=record.short_description,
        effective_from=record.added,
        terminated=record.terminated,
        release=release.name,
        source=source,
        action_code=record.action_code,
    )


def _titled(status: CodeStatus, record: HcpcsRecord) -> CodeStatus:
    from dataclasses import replace

    return replace(status, title=record.long_description, short_title=record.short_description)


def _replace_note(status: CodeStatus, note: str) -> CodeStatus:
    from dataclasses import replace

    return replace(status, note=note)


def _unknown(code: str, system: str, release: str, note: str = "") -> CodeStatus:
    return CodeStatus(
        code=code,
        system=system,
        valid=False,
        status="unknown",
        title="",
        short_title="",
        effective_from=None,
        terminated=None,
        release=release,
        source="",
        note=note,
    )
