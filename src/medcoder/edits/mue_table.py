"""The CMS Medically Unlikely Edits (MUE) table that ``edits/mue.py`` reads.

Reads the CMS MUE CSV layout (Practitioner, Outpatient Hospital or DME Supplier file):
copyright / title lines, then a header row
``HCPCS/CPT Code, <kind> Services MUE Values, MUE Adjudication Indicator, MUE Rationale``
and one row per code. The MUE Adjudication Indicator (MAI) says how units are counted:
1 per claim line; 2 (policy) and 3 (clinical) per date of service, all lines summed.
No MUE file ships with ../shared/data; the tests use a small made-up file in this layout.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import EditTableError


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    max_units: int
    mai: int  # 1 line edit, 2 date-of-service (policy), 3 date-of-service (clinical)
    rationale: str


@dataclass(frozen=True, slots=True)
class MueTable:
    limits: dict[str, MueLimit]
    source: str
    release: str  # e.g. "mue-2026q2" from the file name, else the file name


def _release(path: Path) -> str:
    match = re.search(r"(20\d\d)[ _-]?q([1-4])", path.name, re.I)
    return f"mue-{match.group(1)}q{match.group(2)}" if match else f"mue:{path.name}"


def load_mue(path: Path) -> MueTable:
    """Read a CMS MUE CSV; E602 naming the file (and line) if it is not in that layout."""
    if not path.is_file():
        raise EditTableError(f"no MUE file {path}", hint="pass --mue FILE (the CMS MUE CSV)")
    limits: dict[str, MueLimit] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        header_line = 0
        for line, row in enumerate(rows, start=1):
            cells = [c.strip() for c in row]
            if not header_line:
                if (
                    len(cells) >= 3
                    and cells[0].upper().startswith("HCPCS")
                    and any("MUE VALUE" in c.upper() for c in cells)
                ):
                    header_line = line
                continue
            if not any(cells):
                continue
            limits[cells[0].upper()] = _limit(path, line, cells)
    if not header_line:
        raise EditTableError(
            f"{path}: no 'HCPCS/CPT Code, ... MUE Values, MUE Adjudication Indicator' header",
            hint="give the CMS MUE CSV file (Practitioner, Outpatient Hospital or DME)",
        )
    return MueTable(limits, str(path), _release(path))


def _limit(path: Path, line: int, cells: list[str]) -> MueLimit:
    try:
        value = int(cells[1])
        mai = int(cells[2].split()[0])
    except (IndexError, ValueError) as exc:
        raise EditTableError(
            f"{path}:{line}: expected code, MUE value, MUE Adjudication Indicator"
        ) from exc
    if mai not in (1, 2, 3) or value < 0:
        raise EditTableError(f"{path}:{line}: MUE indicator {mai} / value {value} out of range")
    return MueLimit(cells[0].upper(), value, mai, cells[3] if len(cells) > 3 else "")
