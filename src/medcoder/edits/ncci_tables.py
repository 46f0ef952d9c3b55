"""The NCCI procedure-to-procedure (PTP) pair table and the add-on code table, as the
CMS Integrated Outpatient Code Editor (I/OCE) applies them, by date of service.

Layouts read (``<data>/ncci/ioce-YYYYqN/``, from the pyoce package's I/OCE tables):

- ``ioce_ncci_ptp_pairs_all_versions.csv.gz``: column1_code, column2_code,
  modifier_allowed (0/1), lo_ioce_version, hi_ioce_version, effective_start,
  effective_end_ioce (YYYYMMDD); else one quarter's ``ioce_ncci_ptp_pairs_*.csv.gz``:
  column1_code, column2_code, modifier_allowed, effective_since_ioce_quarter_start;
- ``ioce_addon_code_edits.csv``: aoc_type, addon_code, primary_code, lo/hi version,
  effective_start, effective_end_ioce;
- ``ioce_version_range.csv``: I/OCE version -> the dates it was in force.

The 1.4-1.6 M pairs are held as sorted parallel arrays (8 + 4 + 4 + 1 bytes a pair) and
found by binary search; the compiled arrays are cached under ``cache_dir`` keyed by the
source file's sha256, so only the first load parses the CSV.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import json
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import EditTableError

_BITS = 20  # code ids < 2**20
_ROW_BITS = 22  # rows < 2**22 while sorting
_MAGIC = b"MCPTP1\n"
OPEN_END = 99991231


def _day(value: dt.date) -> int:
    return value.year * 10_000 + value.month * 100 + value.day


@dataclass(frozen=True, slots=True)
class PtpPair:
    column1: str
    column2: str
    modifier_allowed: bool
    effective_start: int  # YYYYMMDD
    effective_end: int


class PtpIndex:
    """NCCI PTP pairs, looked up by (column 1, column 2) and date of service."""

    def __init__(
        self,
        codes: list[str],
        keys: array[int],
        starts: array[int],
        ends: array[int],
        modifiers: array[int],
        versions: list[tuple[str, int, int]],
        source: str,
    ) -> None:
        self.codes = codes
        self.ids = {code: i for i, code in enumerate(codes)}
        self.keys, self.starts, self.ends, self.modifiers = keys, starts, ends, modifiers
        self.versions = versions  # (I/OCE version, start, end) YYYYMMDD
        self.source = source

    def __len__(self) -> int:
        return len(self.keys)

    def pair(self, column1: str, column2: str, day: dt.date) -> PtpPair | None:
        """The pair in force on ``day`` with column1 first, if any."""
        a, b = self.ids.get(column1), self.ids.get(column2)
        if a is None or b is None:
            return None
        key = (a << _BITS) | b
        when = _day(day)
        i = bisect.bisect_left(self.keys, key)
        while i < len(self.keys) and self.keys[i] == key:
            if self.starts[i] <= when <= self.ends[i]:
                return PtpPair(column1, column2, bool(self.modifiers[i]), self.starts[i],
                               self.ends[i])  # fmt: skip
            i += 1
        return None

    def version_on(self, day: dt.date) -> str:
        when = _day(day)
        for version, start, end in self.versions:
            if start <= when <= end:
                return f"ioce-{version}"
        return "ioce-unknown-quarter"


def _versions(folder: Path) -> list[tuple[str, int, int]]:
    path = folder / "ioce_version_range.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (row["ioce_version_id"], int(row["date_started"]), int(row["date_ended"]))
            for row in csv.DictReader(handle)
        ]


def ptp_source(folder: Path) -> Path:
    if not folder.is_dir():
        raise EditTableError(f"no NCCI folder {folder}", hint="pass --ncci DIR or --data DIR")
    every = folder / "ioce_ncci_ptp_pairs_all_versions.csv.gz"
    if every.is_file():
        return every
    quarters = sorted(folder.glob("ioce_ncci_ptp_pairs_*.csv*"))
    if not quarters:
        raise EditTableError(
            f"no NCCI PTP table (ioce_ncci_ptp_pairs_*.csv.gz) in {folder}",
            hint="pass --ncci DIR naming the folder of the I/OCE NCCI tables",
        )
    return quarters[-1]


def _open_text(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from handle


def _parse(path: Path) -> tuple[list[str], array[int], array[int], array[int], array[int]]:
    lines = _open_text(path)
    header = next(lines, "").strip().split(",")
    if header[:3] != ["column1_code", "column2_code", "modifier_allowed"]:
        raise EditTableError(f"{path}:1: expected column1_code,column2_code,modifier_allowed")
    ranged = "effective_start" in header
    i_start = header.index("effective_start") if ranged else 3
    i_end = header.index("effective_end_ioce") if ranged else -1
    ids: dict[str, int] = {}
    composite: list[int] = []
    starts, ends, modifiers = array("i"), array("i"), array("b")
    for line_no, line in enumerate(lines, start=2):
        cells = line.rstrip("\r\n").split(",")
        try:
            a = ids.setdefault(cells[0], len(ids))
            b = ids.setdefault(cells[1], len(ids))
            starts.append(int(cells[i_start]))
            ends.append(int(cells[i_end]) if ranged else OPEN_END)
            modifiers.append(cells[2] == "1")
        except (IndexError, ValueError) as exc:
            raise EditTableError(f"{path}:{line_no}: malformed PTP row {line.strip()!r}") from exc
        composite.append((((a << _BITS) | b) << _ROW_BITS) | (line_no - 2))
    if len(ids) >= 1 << _BITS or len(composite) >= 1 << _ROW_BITS:
        raise EditTableError(f"{path}: too large for the PTP index ({len(composite)} rows)")
    composite.sort()
    mask = (1 << _ROW_BITS) - 1
    order = [c & mask for c in composite]
    keys = array("q", [c >> _ROW_BITS for c in composite])
    return (
        list(ids),
        keys,
        array("i", [starts[i] for i in order]),
        array("i", [ends[i] for i in order]),
        array("b", [modifiers[i] for i in order]),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_ptp(folder: Path, *, cache_dir: Path | None = None) -> PtpIndex:
    """The PTP index for the I/OCE tables in ``folder`` (compiled once, then cached)."""
    source = ptp_source(folder)
    versions = _versions(folder)
    cache = cache_dir / f"ptp-{_sha256(source)[:20]}.bin" if cache_dir else None
    if cache is not None and cache.is_file():
        try:
            return _read_cache(cache, versions, str(source))
        except (OSError, ValueError, EOFError):
            pass  # a damaged cache is rebuilt below
    codes, keys, starts, ends, modifiers = _parse(source)
    if cache is not None:
        # A read-only home: the index still works, uncached.
        with contextlib.suppress(OSError):
            _write_cache(cache, codes, keys, starts, ends, modifiers)
    return PtpIndex(codes, keys, starts, ends, modifiers, versions, str(source))


def _write_cache(
    path: Path, codes: list[str], keys: array[int], starts: array[int], ends: array[int],
    modifiers: array[int],
) -> None:  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    header = json.dumps({"codes": codes, "rows": len(keys)}).encode()
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as handle:
        handle.write(_MAGIC + len(header).to_bytes(8, "little") + header)
        for part in (keys, starts, ends, modifiers):
            part.tofile(handle)
    tmp.replace(path)


def _read_cache(path: Path, versions: list[tuple[str, int, int]], source: str) -> PtpIndex:
    with path.open("rb") as handle:
        if handle.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not a PTP cache")
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
        rows = int(header["rows"])
        keys, starts, ends, modifiers = array("q"), array("i"), array("i"), array("b")
        for part in (keys, starts, ends, modifiers):
            part.fromfile(handle, rows)
    return PtpIndex(header["codes"], keys, starts, ends, modifiers, versions, source)


@dataclass(frozen=True, slots=True)
class AddonEdit:
    aoc_type: int  # 1: primaries listed; 2: contractor-defined; 3: listed or contractor's
    primary: str | None
    effective_start: int
    effective_end: int


class AddonTable:
    """Add-on code -> its primary procedure edits, by date of service."""

    def __init__(self, edits: dict[str, list[AddonEdit]], source: str) -> None:
        self.edits = edits
        self.source = source

    def on(self, addon: str, day: dt.date) -> list[AddonEdit]:
        when = _day(day)
        rows = self.edits.get(addon, ())
        return [e for e in rows if e.effective_start <= when <= e.effective_end]


def load_addons(folder: Path) -> AddonTable:
    path = folder / "ioce_addon_code_edits.csv"
    if not path.is_file():
        raise EditTableError(f"no add-on code table {path}", hint="pass --ncci DIR or --data DIR")
    edits: dict[str, list[AddonEdit]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for line, row in enumerate(reader, start=2):
            try:
                edit = AddonEdit(
                    int(row["aoc_type"]),
                    row["primary_code"].strip() or None,
                    int(row["effective_start"]),
                    int(row["effective_end_ioce"]),
                )
            except (KeyError, ValueError, AttributeError) as exc:
                raise EditTableError(f"{path}:{line}: malformed add-on row") from exc
            edits.setdefault(row["addon_code"].strip(), []).append(edit)
    return AddonTable(edits, str(path))
