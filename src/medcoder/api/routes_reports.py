"""Report routes (issue 15): ``GET /v1/reports`` lists the kinds, ``GET /v1/reports/{kind}``
runs one as the authenticated user (a reporting role; audited) and answers JSON (every
table), CSV (one table) or the chart as PNG or SVG. The filters are the CLI's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from medcoder.api.auth import Actor
from medcoder.api.routes_auth import services
from medcoder.reports.filters import parse_filters
from medcoder.reports.options import parse_options
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
    from medcoder.reports import render

    filters = parse_filters(
        start=start, end=end, setting=setting, payer=payer, coder=coder, release=release
    )
    options = parse_options(top=top, by=by, system=system, as_of=as_of, to_release=to_release)
    if format in ("png", "svg"):
        from medcoder.errors import MissingExtraError

        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise MissingExtraError("report charts", "reports", ("matplotlib",)) from None
    result = run_report(services(request).records(), actor.name, kind, filters, options)
    if format == "csv":
        return Response(render.to_csv(result, table), media_type="text/csv; charset=utf-8")
    if format in ("png", "svg"):
        from medcoder.reports.plot import render_chart

        media = "image/png" if format == "png" else "image/svg+xml"
        return Response(render_chart(result, format), media_type=media)
    return result.to_json()
