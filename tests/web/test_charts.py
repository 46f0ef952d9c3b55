"""The dashboard's charts: ``reports.plot`` draws every report, rows or none."""

from __future__ import annotations

from medcoder.reports.plot import render_chart
from medcoder.reports.result import Chart, Report, Table


def test_a_series_chart_of_no_rows_draws_without_a_warning() -> None:
    # A filter matching nothing: the API's svg of the coders report drew an empty legend,
    # a warning (an error under the tests' filterwarnings).
    empty = Report(
        "coders", "Finalized per coder per day", {},
        (Table("daily", ("day", "coder", "finalized"), []),),
        Chart("daily", "day", ("finalized",), "line", series="coder"),
    )  # fmt: skip
    assert render_chart(empty, "svg").lstrip().startswith(b"<?xml")
