"""Run a report by kind as a user, through the records service's reporting door."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from medcoder.errors import InvalidInputError
from medcoder.reports.filters import ReportFilters
from medcoder.reports.options import ReportOptions
from medcoder.reports.result import Report

if TYPE_CHECKING:
    from medcoder.records.service import Records

#: Every report: its one-line description (the CLI's and the API's help).
KINDS: dict[str, str] = {
    "codes": "frequency of codes or categories, top N, trend by month",
    "casemix": "MS-DRG distribution, case-mix index by month and service line, LOS vs GMLOS",
    "hcc": "CMS-HCC prevalence and mean raw risk score by payer and year",
    "comorbidity": "Elixhauser (AHRQ Refined v2026.1) and Charlson prevalence and indices",
    "coders": "finalized per coder per day, turnaround import to final, re-opened rate",
    "agreement": "coders' accept / change / reject of engine suggestions; top changes",
    "dnfb": "discharged, not final billed, by days since discharge",
    "edits": "claim-edit warnings acknowledged at finalize, by edit and code",
    "release-impact": "open and finalized encounters whose codes a newer release changes",
}


def _builder(
    records: Records, kind: str
) -> Callable[[Session, ReportFilters, ReportOptions], Report]:
    if kind == "codes":
        from medcoder.reports.codes import codes_report

        return codes_report
    if kind == "casemix":
        from medcoder.reports.casemix import casemix_report

        return casemix_report
    if kind == "hcc":
        from medcoder.reports.hcc_report import hcc_report

        return lambda s, f, o: hcc_report(s, f, o, records.birth_dates)
    if kind == "comorbidity":
        from medcoder.reports.comorbidity import comorbidity_report

        return comorbidity_report
    if kind == "release-impact":
        from medcoder.reports.release_impact import release_impact_report

        return lambda s, f, o: release_impact_report(s, f, o, records.home)
    from medcoder.reports import workflow

    return {
        "coders": workflow.coders_report,
        "agreement": workflow.agreement_report,
        "dnfb": workflow.dnfb_report,
        "edits": workflow.edits_report,
    }[kind]


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInputError(f"no report {kind!r}", hint=f"reports: {', '.join(KINDS)}")
    return kind


def run_report(
    records: Records,
    actor: str | None,
    kind: str,
    filters: ReportFilters | None = None,
    options: ReportOptions | None = None,
) -> Report:
    """Report ``kind`` as ``actor`` (a reporting role; the run is audited)."""
    build = _builder(records, check_kind(kind))
    f, o = filters or ReportFilters(), options or ReportOptions()
    if kind == "hcc":
        from medcoder.reports.hcc_report import stored_path

        if stored_path(f):  # the stored scores brought up to date first (its own transaction)
            records.refresh_hcc_store(actor)
    with records.reporting(actor, kind, f.to_json()) as session:
        return build(session, f, o)


def run_outcomes(
    records: Records,
    actor: str | None,
    registry: str,
    filters: ReportFilters | None = None,
    options: ReportOptions | None = None,
    window: int = 30,
) -> Report:
    """Outcomes of a registry's members (``outcomes``) as ``actor`` (a reporting role)."""
    from medcoder.reports.outcomes import outcomes_report

    if not 1 <= window <= 365:
        raise InvalidInputError(f"--window {window}: give 1 to 365 days")
    f, o = filters or ReportFilters(), options or ReportOptions()
    with records.reporting(actor, "outcomes", {**f.to_json(), "registry": registry}) as session:
        return outcomes_report(session, registry, f, o, window, records.birth_dates)
