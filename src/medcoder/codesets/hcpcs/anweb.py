"""Loaders for the CMS Alpha-Numeric HCPCS file: the xlsx, its CSV conversion, and the
fixed-width txt record (320 characters, the CMS "HCPCS Contractor Record" layout).

Every layout carries the same fields. A code's long description may run over several
records: the first (RECID 3 for a code, 7 for a modifier, SEQNUM 0010) holds the detail
fields, continuation records (RECID 4 / 8, SEQNUM 0020, 0030 ...) only more text. The
xlsx and CSV usually hold the whole description in one row, but are read the same way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path

from medcoder.codesets.hcpcs.model import HcpcsRecord
from medcoder.errors import SourceFormatError

# The CMS record layout (HCPC<year>_recordlayout.txt), 1-based inclusive positions.
TXT_FIELDS: dict[str, tuple[int, int]] = {
    "HCPC": (1, 5),
    "SEQNUM": (6, 10),
    "RECID": (11, 11),
    "LONG DESCRIPTION": (12, 91),
    "SHORT DESCRIPTION": (92, 119),
    "PRICE1": (120, 121),
    "COV": (230, 230),
    "BETOS": (257, 259),
    "ADD DT": (269, 276),
    "ACT EFF DT": (277, 284),
    "TERM DT": (285, 292),
    "ACTION CD": (293, 293),
}
REQUIRED = ("HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION")
FIRST_RECORD = {"3": False, "7": True}  # RECID -> is_modifier
CONTINUATION = {"4": False, "8": True}
MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_FILE_RE = re.compile(r"HCPC(\d{4})(?:_([A-Z]{3})(?=[_.]|$))?", re.IGNORECASE)


def anweb_quarter(path: Path) -> tuple[int, int] | None:
    """(year, first month of the quarter) from a name like ``HCPC2025_OCT_ANWEB.xlsx``.

    A name with a year and no month is the January annual file.
    """
    found = _FILE_RE.search(path.name)
    if not found:
        return None
    month = MONTHS.get((found.group(2) or "JAN").upper())
    return (int(found.group(1)), month) if month else None


def parse_yyyymmdd(
    text: str | None, *, path: Path | str = "", line: int | None = None
) -> date | None:
    """``20250101`` -> date; blank -> None; anything else names the file and line."""
    value = (text or "").strip()
    if not value:
        return None
    if len(value) == 8 and value.isdigit():
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            pass
    raise SourceFormatError(path, f"bad date {value!r} (expected YYYYMMDD)", line=line)


def load_anweb(path: Path) -> list[HcpcsRecord]:
    """Codes and modifiers from an Alpha-Numeric file in any of its three layouts."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix == ".txt":
        rows = _txt_rows(path)
    else:
        raise SourceFormatError(
            path,
            f"unknown HCPCS file type {suffix!r}",
            hint="use the CMS .xlsx, .csv or fixed-width .txt file",
        )
    return records_from_rows(rows, path)


def records_from_rows(
    rows: Iterable[tuple[int, Mapping[str, str]]], path: Path
) -> list[HcpcsRecord]:
    """Join continuation records onto their first record, in file order."""
    firsts: dict[str, tuple[int, dict[str, str]]] = {}
    extra: dict[str, list[tuple[str, str]]] = {}
    for line, row in rows:
        code = (row.get("HCPC") or "").strip().upper()
        if not code:
            continue
        recid = (row.get("RECID") or "").strip()
        if recid in FIRST_RECORD:
            if code in firsts:
                raise SourceFormatError(path, f"{code} has two first records", line=line)
            firsts[code] = (line, dict(row))
        elif recid in CONTINUATION:
            text = (row.get("LONG DESCRIPTION") or "").strip()
            extra.setdefault(code, []).append(((row.get("SEQNUM") or "").strip(), text))
        else:
            raise SourceFormatError(
                path,
                f"{code}: unknown RECID {recid!r}",
                line=line,
                hint="RECID is 3/4 for codes, 7/8 for modifiers",
            )
    orphans = sorted(set(extra) - set(firsts))
    if orphans:
        raise SourceFormatError(path, f"continuation records without a first record: {orphans[:5]}")
    records = []
    for code, (line, row) in firsts.items():
        long_text = (row.get("LONG DESCRIPTION") or "").strip()
        for _seq, text in sorted(extra.get(code, [])):
            long_text = f"{long_text} {text}".strip()
        records.append(
            HcpcsRecord(
                code=code,
                is_modifier=FIRST_RECORD[(row.get("RECID") or "").strip()],
                long_description=long_text,
                short_description=(row.get("SHORT DESCRIPTION") or "").strip(),
                added=parse_yyyymmdd(row.get("ADD DT"), path=path, line=line),
                action_effective=parse_yyyymmdd(row.get("ACT EFF DT"), path=path, line=line),
                terminated=parse_yyyymmdd(row.get("TERM DT"), path=path, line=line),
                action_code=(row.get("ACTION CD") or "").strip(),
                coverage=(row.get("COV") or "").strip(),
                betos=(row.get("BETOS") or "").strip(),
                pricing=(row.get("PRICE1") or "").strip(),
            )
        )
    if not records:
        raise SourceFormatError(path, "no HCPCS codes found")
    return records


def _check_header(header: Iterable[str], path: Path) -> list[str]:
    names = [str(h or "").strip().upper().replace("_", " ") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SourceFormatError(
            path, f"not a CMS Alpha-Numeric HCPCS file: no column {', '.join(missing)}", line=1
        )
    return names


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    # The CMS conversions are Windows-1252 where a descriptor holds a non-ASCII sign.
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.reader(text.splitlines())
    names = _check_header(next(reader, []), path)
    for number, values in enumerate(reader, start=2):
        yield number, dict(zip(names, values, strict=False))


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    import openpyxl  # imported here: only setup reads the xlsx

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        names = _check_header([str(v or "") for v in next(rows, ())], path)
        for number, values in enumerate(rows, start=2):
            yield number, {n: _cell(v) for n, v in zip(names, values, strict=False)}
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _txt_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="cp1252", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if len(line) < 11:
                raise SourceFormatError(
                    path,
                    "record shorter than the 11-character key",
                    line=number,
                    hint="expected the 320-character CMS record layout",
                )
            yield number, {name: line[a - 1 : b] for name, (a, b) in TXT_FIELDS.items()}
