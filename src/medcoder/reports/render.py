"""A report as text: JSON (every table), CSV (one table) or rich tables."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from medcoder.reports.result import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False)


def to_csv(report: Report, table: str | None = None) -> str:
    chosen = report.table(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(chosen.columns)
    writer.writerows(["" if v is None else v for v in row] for row in chosen.rows)
    return out.getvalue()


def rich_tables(report: Report, limit: int = 50) -> list[Any]:
    """rich renderables: a title, each table (its first ``limit`` rows), the notes."""
    from rich.table import Table as RichTable
    from rich.text import Text

    shown: list[Any] = [Text(report.title, style="bold")]
    for table in report.tables:
        grid = RichTable(title=table.name, title_justify="left")
        for name in table.columns:
            grid.add_column(name)
        for row in table.rows[:limit]:
            grid.add_row(*("-" if v is None else str(v) for v in row))
        shown.append(grid)
        if len(table.rows) > limit:
            shown.append(Text(f"... {len(table.rows) - limit} more rows (--format csv/json)"))
    shown += [Text(f"note: {n}") for n in report.notes]
    return shown
