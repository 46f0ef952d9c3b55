"""ICD-10-PCS tables as loaded from the official XML: tables, rows, axis values, definitions.

A PCS code has seven characters. The first three (section, body system, root operation
or type) name a table; each table row lists the values allowed on characters 4-7 (body
part, approach, device, qualifier in the Medical and Surgical section), and every
combination of one value per axis within one row is a valid code (ICD-10-PCS Tables,
"Code Structure"). The letters I and O are never used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

PCS_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
CODE_LENGTH = 7
# Axis names used when a table says nothing else (the Medical and Surgical section).
DEFAULT_AXES = (
    "Section", "Body System", "Operation", "Body Part", "Approach", "Device", "Qualifier",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AxisValue:
    """One value of one axis: its character and label, e.g. ``4`` Percutaneous Endoscopic."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class PcsRow:
    """One row of a table: the values allowed on characters 4-7, all combinable."""

    axes: tuple[tuple[AxisValue, ...], ...]  # positions 4, 5, 6, 7
    titles: tuple[str, ...]  # axis titles for positions 4-7 ("Body Part", ...)

    def values(self, position: int) -> tuple[AxisValue, ...]:
        return self.axes[position - 4]

    def allows(self, position: int, char: str) -> bool:
        return any(v.code == char for v in self.axes[position - 4])

    def label(self, position: int, char: str) -> str | None:
        return next((v.label for v in self.axes[position - 4] if v.code == char), None)

    @property
    def code_count(self) -> int:
        return prod(len(a) for a in self.axes)

    def codes(self, prefix: str) -> list[str]:
        """Every code this row makes valid."""
        out = [prefix]
        for axis in self.axes:
            out = [c + v.code for c in out for v in axis]
        return out


@dataclass(frozen=True, slots=True)
class PcsTable:
    """One table: characters 1-3 with their labels, the root operation's definition, rows."""

    section: AxisValue
    body_system: AxisValue
    operation: AxisValue
    definition: str
    titles: tuple[str, str, str]  # axis titles of positions 1-3 ("Operation" or "Type")
    rows: tuple[PcsRow, ...]

    @property
    def prefix(self) -> str:
        return self.section.code + self.body_system.code + self.operation.code

    def axis_title(self, position: int) -> str:
        if position <= 3:
            return self.titles[position - 1]
        if self.rows:
            return self.rows[0].titles[position - 4]
        return DEFAULT_AXES[position - 1]

    def codes(self) -> list[str]:
        return [code for row in self.rows for code in row.codes(self.prefix)]


@dataclass(frozen=True, slots=True)
class PcsTerm:
    """A Definitions entry: a root operation, approach, body part, device, ... of a section.

    ``titles`` are the axis values it defines (a body part entry may cover "1st Toe, Left"
    and "1st Toe, Right"); ``includes`` are the words coders write for them ("Hallux").
    """

    section: str
    position: int
    axis: str
    titles: tuple[str, ...]
    definition: str = ""
    explanation: str = ""
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PcsTables:
    """A whole Tables file, with its version (the fiscal year)."""

    version: str
    tables: tuple[PcsTable, ...]
    terms: tuple[PcsTerm, ...] = field(default_factory=tuple)

    @property
    def code_count(self) -> int:
        return sum(row.code_count for table in self.tables for row in table.rows)
