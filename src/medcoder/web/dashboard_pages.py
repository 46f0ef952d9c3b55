"""The dashboard (issue 15, part 1): the reports of ``medcoder report``, each with its
tables and its chart, drawn on the server (``reports.plot``, matplotlib) and put in the
page as inline SVG: no script library, nothing from another site.

One report is run per request (``kind``; the first by default), or every one with
``all=1`` (each table cut to ``ALL_ROWS`` rows): each run is a query and a chart, so the
page costs what is shown. The reports run as the signed-in user through the records
service's reporting door, which checks the role (``Action.VIEW_REPORTS``) and audits the
run; a report is an aggregate of de-identified rows, so the analyst sees no PHI.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from medcoder.codesets.registry import Registry
from medcoder.errors import InvalidInputError, MedcoderError, PermissionDeniedError
from medcoder.kinds import CodeSystem, Setting
from medcoder.records.models import Role
from medcoder.records.permissions import Action, allowed
from medcoder.reports.filters import parse_filters
from medcoder.reports.result import Report
from medcoder.reports.runner import KINDS, check_kind, run_report
from medcoder.web.pages import _error_page, _render, _services, _to_login, _who

ROWS = 200  # rows of a table shown for one report (the CSV has them all)
ALL_ROWS = 25  # rows of each table when every report is shown
FILTERS = ("from", "to", "setting", "payer", "coder", "release")
LABELS = {"from": "From", "to": "To", "setting": "Setting", "payer": "Payer", "coder": "Coder",
          "release": "Release"}  # fmt: skip
_FLAG = re.compile(r"--(" + "|".join(FILTERS) + r")\b")
Text = Annotated[str, Query(max_length=200)]
Day = Annotated[str, Query(max_length=10)]
_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)


def chart_svg(report: Report, salt: str) -> str:
    """The report's chart as an ``<svg>`` element to put in a page: text kept as text
    (``svg.fonttype: none``), ids salted per chart so two charts never share one."""
    try:
        import matplotlib
    except ImportError:  # the ``reports`` extra is not installed: tables only
        return ""
    from medcoder.reports.plot import render_chart

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        drawn = render_chart(report, "svg").decode("utf-8")
    return _PROLOG.sub("", drawn, count=1)


def _has_rows(report: Report) -> bool:
    return report.chart is not None and bool(report.table(report.chart.table).rows)


def section(report: Report, rows: int, query: dict[str, str]) -> dict[str, Any]:
    """One report on the page: its tables (cut to ``rows``), notes, chart and downloads."""
    base = f"/v1/reports/{report.kind}?"
    tables = []
    for table in report.tables:
        csv = base + urlencode({**query, "format": "csv", "table": table.name})
        tables.append(
            {"name": table.name, "columns": table.columns, "rows": table.rows[:rows],
             "total": len(table.rows), "csv": csv}
        )  # fmt: skip
    return {
        "kind": report.kind,
        "title": report.title,
        "notes": list(report.notes),
        "sources": list(report.sources),
        "tables": tables,
        "chart": chart_svg(report, report.kind) if _has_rows(report) else None,
        "json": base + urlencode({**query, "format": "json"}),
    }


def worded(error: InvalidInputError) -> dict[str, str | None]:
    """A filter error in the form's words: ``--from '2026-13-01' is not a date`` (the CLI's
    flag) becomes ``From '2026-13-01' is not a date`` (the box's label)."""
    message = _FLAG.sub(lambda m: LABELS[m.group(1)], error.message)
    return {"code": error.code, "message": message, "hint": error.hint}


def icd10cm_releases(registry: Registry) -> list[str]:
    """The installed ICD-10-CM releases' names (the codes' ``release`` a report filters
    on), newest first."""
    found = [i for i in registry.available() if i.system == CodeSystem.ICD10CM.value]
    return [i.name for i in sorted(found, key=lambda i: i.effective_from, reverse=True)]


def install(app: FastAPI) -> None:
    @app.get("/dashboard", include_in_schema=False)
    def dashboard(
        request: Request,
        kind: Annotated[str, Query(max_length=20)] = "",
        all: bool = False,
        start: Annotated[str, Query(alias="from", max_length=10)] = "",
        end: Annotated[str, Query(alias="to", max_length=10)] = "",
        setting: Text = "",
        payer: Text = "",
        coder: Text = "",
        release: Text = "",
    ) -> Response:
        """The reports, one (``kind``) or all (``all=1``), under ``medcoder report``'s
        filters (a GET form: the address is the dashboard as filtered)."""
        who = _who(request)
        if who is None:
            return _to_login(request)
        given = dict(zip(FILTERS, (start, end, setting, payer, coder, release), strict=True))
        query = {k: v for k, v in given.items() if v}
        try:
            if not allowed(Role(who.role), Action.VIEW_REPORTS):
                raise PermissionDeniedError(
                    f"{who.role} may not view reports",
                    hint="the dashboard is for managers, analysts and administrators",
                )
            services = _services(request)
            releases = services.with_codesets(icd10cm_releases)
            kinds = list(KINDS) if all else [check_kind(kind or next(iter(KINDS)))]
        except MedcoderError as error:
            return _error_page(request, who, error)
        shown: list[dict[str, Any]] = []
        problem = None
        try:
            filters = parse_filters(
                start=start or None, end=end or None, setting=setting or None,
                payer=payer or None, coder=coder or None, release=release or None,
            )  # fmt: skip
            records = services.records()
            rows = ALL_ROWS if all else ROWS
            shown = [section(run_report(records, who.name, k, filters), rows, query) for k in kinds]
        except InvalidInputError as error:
            problem = worded(error)  # the form again, as given, the field named (E300, 422)
        except MedcoderError as error:
            return _error_page(request, who, error)
        if release and release not in releases:
            releases.append(release)  # a release no longer installed, still on old codes
        return _render(
            request, "dashboard.html", who, status=422 if problem else 200, kinds=KINDS,
            shown=shown, all=all, kind=kinds[0], given=given, query=urlencode(query),
            settings=[s.value for s in Setting], releases=releases, problem=problem,
        )  # fmt: skip
