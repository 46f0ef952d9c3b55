"""What a report returns: named tables of plain values, the filters it ran under, notes,
and the chart that draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Chart:
    """Draw ``table``: ``x`` against each of ``y``; ``series`` splits lines by a column."""

    table: str
    x: str
    y: tuple[str, ...]
    kind: str = "bar"  # bar | barh | line
    series: str | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    title: str
    filters: dict[str, Any]
    tables: tuple[Table, ...]
    chart: Chart | None = None
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)  # releases and tables read

    def table(self, name: str | None = None) -> Table:
        if name is None:
            return self.tables[0]
        for table in self.tables:
            if table.name == name:
                return table
        from medcoder.errors import InvalidInputError

        names = ", ".join(t.name for t in self.tables)
        raise InvalidInputError(
            f"report {self.kind} has no table {name!r}", hint=f"tables: {names}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "filters": {k: v for k, v in self.filters.items() if v is not None},
            "tables": {t.name: t.records() for t in self.tables},
            "notes": list(self.notes),
            "sources": list(self.sources),
        }
