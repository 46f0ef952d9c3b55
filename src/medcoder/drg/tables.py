"""The CMS MS-DRG tables of the FY2026 IPPS Final Rule (v43), read from ``<data>/msdrg``.

- Table 5 (``FY2026_Table5_drg_weights.txt``, tab-separated): MS-DRG, post-acute and
  special-pay flags, MDC, type, title, weights before and after the 10% cap, geometric and
  arithmetic mean length of stay. The weight used is the one with the cap applied.
- Table 6I (MCC list) and 6J (CC list): ``code<TAB>description``, dotted codes.
- Table 6K (CC exclusions, gzip): Part 1 lists every CC/MCC with its PDX collection
  (``0002:3 codes``) or ``No Excl``, then each ``PDX collection NNNN`` with the principal
  diagnoses that make the CC/MCC a non-CC; Part 2 the codes that count only when the
  patient is discharged alive; Part 3 the secondary diagnoses that do not count as CC/MCC
  in select MS-DRGs (``MDC 01 DRGs 082-084 ...``).

The level of a code comes from 6I/6J (the issue that brought this module in: the grouper
package's own lists miss codes those tables carry); 6K only says when it does not count.
The files are read as cp1252 (Table 5 holds Windows punctuation).
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medcoder.errors import GroupingTableError

TABLE5 = "FY2026_Table5_drg_weights.txt"
TABLE6I = "FY2026_Table6I_mcc_list.txt"
TABLE6J = "FY2026_Table6J_cc_list.txt"
TABLE6K = "FY2026_Table6K_cc_exclusions.txt.gz"
GROUPER_VERSION = "v43"  # MS-DRG v43: FY2026, October 1, 2025 - September 30, 2026

_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
_K1 = re.compile(r"^ ([A-Z][0-9A-Z]{2,6})\s+(CC|MCC)\s+(No Excl|(\d{4}):\d+ codes)")
_K_COLLECTION = re.compile(r"^PDX collection (\d{4})")
_K_MEMBER = re.compile(r"^  ([A-Z][0-9A-Z]{2,6})\b")
_K_DRGS = re.compile(r"^MDC \d{2} DRGs (\d{3})-(\d{3}) (.+?)\s*$")


@dataclass(frozen=True, slots=True)
class DrgInfo:
    """One row of Table 5."""

    drg: str
    mdc: str  # "PRE", "01".."25", or "" for the DRGs outside any MDC
    kind: str  # SURG | MED | **
    title: str
    weight: float | None  # None for 998/999
    gmlos: float | None
    amlos: float | None


@dataclass(frozen=True, slots=True)
class SeverityExclusion:
    """Table 6K Part 3: secondary diagnoses that are no CC/MCC in these DRGs."""

    drgs: tuple[str, ...]
    title: str
    codes: frozenset[str]


@dataclass(frozen=True)
class DrgTables:
    """Everything read from the five files; codes compact (no dots)."""

    drgs: dict[str, DrgInfo]
    mcc: frozenset[str]  # Table 6I
    cc: frozenset[str]  # Table 6J
    pdx_collection: dict[str, str]  # CC/MCC -> its Table 6K PDX collection (absent: No Excl)
    collections: dict[str, frozenset[str]]  # collection -> principal diagnoses it holds
    alive_only: frozenset[str]  # Table 6K Part 2
    severity_exclusions: tuple[SeverityExclusion, ...]  # Table 6K Part 3
    source: str

    def level(self, code: str) -> str | None:
        """MCC, CC or None for a compact code."""
        return "MCC" if code in self.mcc else "CC" if code in self.cc else None

    def excluded_by(self, code: str, principal: str) -> str | None:
        """The PDX collection of ``code`` when ``principal`` is in it (Table 6K Part 1)."""
        collection = self.pdx_collection.get(code)
        if collection is not None and principal in self.collections.get(collection, ()):
            return collection
        return None

    def severity_exclusion(self, drg: str, code: str) -> SeverityExclusion | None:
        for exclusion in self.severity_exclusions:
            if drg in exclusion.drgs and code in exclusion.codes:
                return exclusion
        return None


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise GroupingTableError(
            f"MS-DRG table {path} not found",
            hint="pass --data DIR (the folder holding msdrg/) or set MEDCODER_DATA",
        )
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="cp1252", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.rstrip("\r\n")


def _float(text: str) -> float | None:
    text = text.strip()
    return None if text in ("", ".") else float(text)


def load_table5(path: Path) -> dict[str, DrgInfo]:
    drgs: dict[str, DrgInfo] = {}
    for number, line in _lines(path):
        cells = [cell.strip().strip('"') for cell in line.split("\t")]
        if not re.fullmatch(r"\d{3}", cells[0]):
            continue  # title, header and blank lines
        if len(cells) < 10:
            raise GroupingTableError(f"{path}:{number}: expected 10 tab-separated columns")
        try:
            info = DrgInfo(
                cells[0],
                cells[3],
                cells[4],
                cells[5],
                _float(cells[7]),
                _float(cells[8]),
                _float(cells[9]),
            )
        except ValueError as exc:
            raise GroupingTableError(f"{path}:{number}: {exc}") from None
        drgs[info.drg] = info
    if not drgs:
        raise GroupingTableError(f"{path}: no MS-DRG rows (not Table 5?)")
    return drgs


def load_code_list(path: Path) -> frozenset[str]:
    """Table 6I or 6J: the code column, compact."""
    codes = set()
    for _number, line in _lines(path):
        first = line.split("\t", 1)[0].strip()
        if _CODE.fullmatch(first):
            codes.add(first.replace(".", ""))
    if not codes:
        raise GroupingTableError(f"{path}: no diagnosis codes (not Table 6I/6J?)")
    return frozenset(codes)


def load_table6k(
    path: Path,
) -> tuple[
    dict[str, str], dict[str, frozenset[str]], frozenset[str], tuple[SeverityExclusion, ...]
]:
    pdx: dict[str, str] = {}
    collections: dict[str, set[str]] = {}
    alive: set[str] = set()
    severity: list[tuple[tuple[str, ...], str, set[str]]] = []
    part = 1
    members: set[str] | None = None
    for number, line in _lines(path):
        if line.startswith("K Part 2"):
            part, members = 2, alive
            continue
        if line.startswith("K Part 3"):
            part, members = 3, None
            continue
        if part == 1:
            if found := _K1.match(line):
                if found.group(4):
                    pdx[found.group(1)] = found.group(4)
                continue
            if found := _K_COLLECTION.match(line):
                members = collections.setdefault(found.group(1), set())
                continue
        if part == 3 and (found := _K_DRGS.match(line)):
            first, last = int(found.group(1)), int(found.group(2))
            drgs = tuple(f"{n:03d}" for n in range(first, last + 1))
            members = set()
            severity.append((drgs, found.group(3), members))
            continue
        if found := _K_MEMBER.match(line):
            if members is None:
                raise GroupingTableError(f"{path}:{number}: a code outside any list")
            members.add(found.group(1))
    if not pdx or not collections:
        raise GroupingTableError(f"{path}: no CC/MCC rows or PDX collections (not Table 6K?)")
    missing = sorted(set(pdx.values()) - set(collections))
    if missing:
        raise GroupingTableError(f"{path}: PDX collections {', '.join(missing[:5])} not listed")
    return (
        pdx,
        {key: frozenset(value) for key, value in collections.items()},
        frozenset(alive),
        tuple(SeverityExclusion(d, t, frozenset(c)) for d, t, c in severity),
    )


def load_tables(folder: Path) -> DrgTables:
    """Read the FY2026 tables from ``folder`` (``<data>/msdrg``); E701 if one is missing
    or not in its layout."""
    drgs = load_table5(folder / TABLE5)
    mcc = load_code_list(folder / TABLE6I)
    cc = load_code_list(folder / TABLE6J) - mcc
    pdx, collections, alive, severity = load_table6k(folder / TABLE6K)
    return DrgTables(drgs, mcc, cc, pdx, collections, alive, severity, str(folder))


_cache: dict[Path, DrgTables] = {}
_cache_lock = threading.Lock()


def tables_at(folder: Path) -> DrgTables:
    """``load_tables`` once per folder per process (about 1 s to read; every stay reuses it)."""
    key = folder.resolve()
    with _cache_lock:
        if key not in _cache:
            _cache[key] = load_tables(folder)
        return _cache[key]
