"""The Medicare Code Editor tables the MCE edits (``edits/mce.py``) read.

Read from the DERIVED files in ``<data>/mce`` (a third-party reimplementation of the CMS
MCE v43 run on every FY2026 code at ages 0, 10, 40, 70, 100; see README, Claim edits,
for their limits):

- ``mce_pdx_edits_by_code.csv``: ``code,edit`` (MANIFESTATION_AS_PDX, UNACCEPTABLE_PDX,
  E_CODE_AS_PDX, QUESTIONABLE_ADMISSION, UNSPECIFIED, REQUIRES_SDX, ...);
- ``mce_age_conflict_by_code.csv``: ``code,age_conflict_at_ages`` (the probes that fired,
  e.g. ``a0s1 a70s1 a100s2``). The probe pattern names the MCE age category, whose age
  range comes from the MCE definitions: newborn 0, pediatric 0-17, maternity 9-64,
  adult 15-124.

Sex conflicts are not in those files: they come from ``data/sex_specific.json``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from medcoder.edits.notes import CodeRef
from medcoder.errors import EditTableError

# Which probe ages (0, 10, 40, 70, 100) fire for each category.
_PROBE_PATTERNS: dict[frozenset[int], str] = {
    frozenset({10, 40, 70, 100}): "newborn",
    frozenset({40, 70, 100}): "pediatric",
    frozenset({0, 70, 100}): "maternity",
    frozenset({0, 10}): "adult",
}


@dataclass(frozen=True, slots=True)
class MceTables:
    pdx_edits: dict[str, frozenset[str]]  # compact code -> MCE edits as principal
    age_category: dict[str, str]  # compact code -> newborn | pediatric | maternity | adult
    sex_blocks: dict[str, tuple[tuple[CodeRef, str], ...]]  # F|M -> (ref, what) for that sex
    source: str

    def sex_of(self, code: str) -> tuple[str, str] | None:
        """(F|M, block description) when the code belongs to one sex only."""
        for sex, blocks in self.sex_blocks.items():
            for ref, what in blocks:
                if ref.matches(code):
                    return sex, what
        return None


def _rows(path: Path, columns: tuple[str, str]) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise EditTableError(
            f"MCE table {path} not found",
            hint="pass --mce DIR (the folder with mce_pdx_edits_by_code.csv) or --data DIR",
        )
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if tuple(header[:2]) != columns:
            raise EditTableError(f"{path}:1: expected columns {','.join(columns)}")
        for line, row in enumerate(reader, start=2):
            if len(row) < 2:
                raise EditTableError(f"{path}:{line}: expected {len(columns)} columns")
            yield line, row


def _probe_ages(text: str) -> frozenset[int]:
    ages = set()
    for probe in text.split():
        ages.add(int(probe[1:].split("s")[0]))
    return frozenset(ages)


def load_sex_blocks() -> dict[str, tuple[tuple[CodeRef, str], ...]]:
    data = json.loads(
        (resources.files("medcoder.edits") / "data" / "sex_specific.json").read_text("utf-8")
    )
    out: dict[str, tuple[tuple[CodeRef, str], ...]] = {}
    for sex, key in (("F", "female"), ("M", "male")):
        out[sex] = tuple(
            (CodeRef(first.replace(".", ""), last.replace(".", "")), what)
            for first, last, what in data[key]
        )
    return out


def load_mce(folder: Path) -> MceTables:
    """Read the derived MCE tables from ``folder``; E602 if missing or malformed."""
    pdx: dict[str, set[str]] = {}
    for _, row in _rows(folder / "mce_pdx_edits_by_code.csv", ("code", "edit")):
        pdx.setdefault(row[0].strip().upper(), set()).add(row[1].strip())
    ages: dict[str, str] = {}
    path = folder / "mce_age_conflict_by_code.csv"
    for line, row in _rows(path, ("code", "age_conflict_at_ages")):
        try:
            pattern = _probe_ages(row[1])
        except ValueError as exc:
            raise EditTableError(f"{path}:{line}: bad probe list {row[1]!r}") from exc
        category = _PROBE_PATTERNS.get(pattern)
        if category is not None:
            ages[row[0].strip().upper()] = category
    return MceTables(
        {k: frozenset(v) for k, v in pdx.items()}, ages, load_sex_blocks(), str(folder)
    )
