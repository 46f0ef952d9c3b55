"""Report routes (issue 15): ``GET /v1/reports`` lists the kinds, ``GET /v1/reports/{kind}``
runs one as the authenticated user (a reporting role; audited) and answers JSON (every
table), CSV (one table) or the chart as PNG or SVG; ``GET /v1/outcomes/{registry}`` is
``medcoder outcomes``. The filters are the CLI's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.reports.filters import parse_filters
from medcoder.reports.options import parse_options
from medcoder.reports.result import Report
from medcoder.reports.runner import KINDS, run_report

router = APIRouter(prefix="/v1", tags=["reports"])

Kind = Literal[
    "codes",
    "casemix",
    "hcc",
    "comorbidity",
    "coders",
    "agreement",
    "dnfb",
    "edits",
    "release-impact",
]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/reports")
def report_kinds(actor: Actor) -> dict[str, str]:
    """The reports there are, each with its one-line description."""
    del actor
    return dict(KINDS)


@router.get("/reports/{kind}", response_model=None)
def report(
    kind: Kind,
    actor: Actor,
    request: Request,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    setting: Text = None,
    payer: Text = None,
    coder: Text = None,
    release: Text = None,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
    by: Literal["code", "category"] = "code",
    system: Literal["icd10cm", "icd10pcs", "cpt", "hcpcs"] | None = None,
    as_of: Annotated[str | None, Query(max_length=10)] = None,
    to_release: Text = None,
    format: Literal["json", "csv", "png", "svg"] = "json",
    table: Text = None,
) -> dict[str, Any] | Response:
    """A report on coded data: aggregates of de-identified rows, never PHI."""
    filters = parse_filters(
        start=start, end=end, setting=setting, payer=payer, coder=coder, release=release
    )
    options = parse_options(top=top, by=by, system=system, as_of=as_of, to_release=to_release)
    _chart_extra(format)
    result = run_report(services(request).records(), actor.name, kind, filters, options)
    return _answer(result, format, table)


def _chart_extra(format: str) -> None:
    if format in ("png", "svg"):
        from medcoder.errors import MissingExtraError

        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise MissingExtraError("report charts", "reports", ("matplotlib",)) from None


def _answer(result: Report, format: str, table: str | None) -> dict[str, Any] | Response:
    from medcoder.reports import render

    if format == "csv":
        return Response(render.to_csv(result, table), media_type="text/csv; charset=utf-8")
    if format in ("png", "svg"):
        from medcoder.reports.plot import render_chart

        media = "image/png" if format == "png" else "image/svg+xml"
        return Response(render_chart(result, format), media_type=media)
    return result.to_json()


@router.get("/outcomes/{registry}", response_model=None)
def outcomes(
    registry: Annotated[str, Path(max_length=80)],
    actor: Actor,
    request: Request,
    window: Annotated[int, Query(ge=1, le=365)] = 30,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    payer: Text = None,
    coder: Text = None,
    format: Literal["json", "csv", "png", "svg"] = "json",
) -> dict[str, Any] | Response:
    """A registry's outcomes by month of discharge (``medcoder outcomes``)."""
    from medcoder.reports.runner import run_outcomes

    filters = parse_filters(start=start, end=end, payer=payer, coder=coder)
    _chart_extra(format)
    result = run_outcomes(services(request).records(), actor.name, registry, filters, None, window)
    return _answer(result, format, None)
