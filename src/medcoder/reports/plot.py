"""A report's chart as PNG or SVG (matplotlib, the ``reports`` extra), drawn off-screen
(the Agg backend) so that it runs on a server without a display."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

from medcoder.errors import InvalidInputError
from medcoder.reports.result import Report

FORMATS = {".png": "png", ".svg": "svg"}


def plot_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(f"--plot {path}: write a .png or .svg file")
    return FORMATS[suffix]


def render_chart(report: Report, fmt: str) -> bytes:
    """The chart of ``report`` as PNG or SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    chart = report.chart
    figure = Figure(figsize=(9, 5), dpi=100)
    axes = figure.add_subplot()
    if chart is None:
        axes.text(0.5, 0.5, "no chart for this report", ha="center")
    else:
        table = report.table(chart.table)
        index = {name: i for i, name in enumerate(table.columns)}
        if chart.series is not None:
            lines: dict[str, list[tuple[object, float]]] = defaultdict(list)
            for row in table.rows:
                value = row[index[chart.y[0]]]
                lines[str(row[index[chart.series]])].append(
                    (row[index[chart.x]], float(value or 0))
                )
            for name, points in sorted(lines.items()):
                xs = [str(x) for x, _ in points]
                axes.plot(xs, [y for _, y in points], marker="o", label=name)
            if lines:  # no rows, no lines: a legend of nothing warns
                axes.legend(title=chart.series)
        else:
            labels = [str(row[index[chart.x]]) for row in table.rows]
            for n, name in enumerate(chart.y):
                ys = [float(row[index[name]] or 0) for row in table.rows]
                if chart.kind == "line":
                    axes.plot(labels, ys, marker="o", label=name)
                elif chart.kind == "barh":
                    axes.barh(labels[::-1], ys[::-1], label=name)
                else:
                    width = 0.8 / len(chart.y)
                    spots = [i + n * width for i in range(len(labels))]
                    axes.bar(spots, ys, width=width, label=name)
                    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))], labels)
            if len(chart.y) > 1:
                axes.legend()
        axes.set_title(chart.title or report.title)
        axes.tick_params(axis="x", labelrotation=45 if chart.kind != "barh" else 0)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()
