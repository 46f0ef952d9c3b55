"""The dashboard's charts: ``reports.plot`` draws every report, rows or none."""

from __future__ import annotations

import matplotlib

from medcoder.reports.plot import render_chart
from medcoder.reports.result import Chart, Report, Table
from medcoder.web.dashboard_pages import chart_svg


def test_a_series_chart_of_no_rows_draws_without_a_warning() -> None:
    # A filter matching nothing: the API's svg of the coders report drew an empty legend,
    # a warning (an error under the tests' filterwarnings).
    empty = Report(
        "coders", "Finalized per coder per day", {},
        (Table("daily", ("day", "coder", "finalized"), []),),
        Chart("daily", "day", ("finalized",), "line", series="coder"),
    )  # fmt: skip
    assert render_chart(empty, "svg").lstrip().startswith(b"<?xml")


def test_chart_text_from_the_data_is_escaped() -> None:
    # The dashboard puts the SVG in the page as it is: a payer or coder named like markup
    # must come out as text.
    hostile = "<script>alert(1)</script>"
    report = Report(
        "edits", "Edits", {}, (Table("top", ("edit", "findings"), [(hostile, 2)]),),
        Chart("top", "edit", ("findings",), "barh"),
    )  # fmt: skip
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        drawn = render_chart(report, "svg").decode()
    assert "<script" not in drawn and "&lt;script&gt;" in drawn
    assert chart_svg(report, "edits").startswith("<svg")
