"""``medcoder report KIND`` and ``medcoder registry define|list|members|extract``.

Reports run as the acting user (``--user`` or ``$MEDCODER_USER``: a reporting role) on the
records database; the report modules, matplotlib and rich load only when a command runs.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medcoder.cli.common import (
    check_output_folder,
    console,
    friendly_errors,
    records,
    require_extra,
    user_option,
    write_output,
    write_parquet,
)
from medcoder.errors import InvalidInputError

if TYPE_CHECKING:
    from medcoder.reports.result import Report

__all__ = ["outcomes", "registry_group", "report"]

KIND_NAMES = (
    "codes",
    "casemix",
    "hcc",
    "comorbidity",
    "coders",
    "agreement",
    "dnfb",
    "edits",
    "release-impact",
)  # medcoder.reports.runner.KINDS (a test keeps the two equal)


@click.command("report")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.option("--from", "start", metavar="DATE", help="First date of service (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Last date of service (YYYY-MM-DD).")
@click.option("--setting", help="inpatient, outpatient or emergency.")
@click.option("--payer", help="One payer, as stored.")
@click.option("--coder", help="Who finalized (agreement: who decided).")
@click.option("--release", help="Codes from this code-set release only.")
@click.option("--top", default="20", show_default=True, help="Rows of top-N tables.")
@click.option("--by", default="code", show_default=True, help="codes: code or category.")
@click.option("--system", help="codes: one code system (icd10cm, icd10pcs, cpt, hcpcs).")
@click.option("--as-of", "as_of", metavar="DATE", help="dnfb: count ages to this day.")
@click.option("--to-release", "to_release", help="release-impact: the newer release.")
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    help="CMS data folder holding msdrg/ (casemix; default $MEDCODER_DATA, ../shared/data).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--table", "table_name", help="csv: which table (default the first).")
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also draw the report's chart to FILE (.png or .svg; the 'reports' extra).",
)
@user_option
@click.pass_context
@friendly_errors
def report(
    ctx: click.Context,
    kind: str,
    start: str | None,
    end: str | None,
    setting: str | None,
    payer: str | None,
    coder: str | None,
    release: str | None,
    top: str,
    by: str,
    system: str | None,
    as_of: str | None,
    to_release: str | None,
    data: Path | None,
    fmt: str,
    table_name: str | None,
    plot: Path | None,
    user: str | None,
) -> None:
    """Reports on coded data: codes, casemix, hcc, comorbidity, coders, agreement, dnfb,
    edits, release-impact.

    Aggregates over de-identified rows (no PHI), for the analyst, manager and admin roles.
    """
    from medcoder.reports.filters import parse_filters
    from medcoder.reports.options import parse_options
    from medcoder.reports.runner import run_report

    filters = parse_filters(
        start=start, end=end, setting=setting, payer=payer, coder=coder, release=release
    )
    options = parse_options(
        top=top, by=by, system=system, as_of=as_of, to_release=to_release, data=data
    )
    plot_fmt = _plot_check(plot)  # checked before the database is read
    result = run_report(records(ctx), user, kind, filters, options)
    _emit(result, fmt, table_name, plot, plot_fmt)


@click.command("outcomes")
@click.argument("registry")
@click.option("--window", default=30, show_default=True, help="Readmission window (days).")
@click.option("--from", "start", metavar="DATE", help="First discharge date (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", help="Last discharge date (YYYY-MM-DD).")
@click.option("--payer", help="Index stays of one payer.")
@click.option("--coder", help="Index stays finalized by one coder.")
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    help="CMS data folder holding msdrg/ (GMLOS; default $MEDCODER_DATA, ../shared/data).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also draw the rates by month to FILE (.png or .svg; the 'reports' extra).",
)
@user_option
@click.pass_context
@friendly_errors
def outcomes(
    ctx: click.Context,
    registry: str,
    window: int,
    start: str | None,
    end: str | None,
    payer: str | None,
    coder: str | None,
    data: Path | None,
    fmt: str,
    plot: Path | None,
    user: str | None,
) -> None:
    """A registry's outcomes by month: readmissions, mortality, LOS observed/expected,
    hospital-acquired conditions.

    30-day all-cause readmissions, in-hospital mortality, LOS against GMLOS, HACs with POA
    N; readmission and mortality also as O/E against a model fitted on the database's stays
    (AHRQ Elixhauser readmission or mortality index, age), 95% CI by Byar. The definitions
    are in the README and ``medcoder.reports.outcomes``.
    """
    from medcoder.reports.filters import parse_filters
    from medcoder.reports.options import parse_options
    from medcoder.reports.runner import run_outcomes

    filters = parse_filters(start=start, end=end, payer=payer, coder=coder)
    options = parse_options(data=data)
    plot_fmt = _plot_check(plot)
    result = run_outcomes(records(ctx), user, registry, filters, options, window)
    _emit(result, fmt, None, plot, plot_fmt)


def _plot_check(plot: Path | None) -> str | None:
    if plot is None:
        return None
    from medcoder.reports.plot import plot_format

    chosen = plot_format(plot)
    require_extra("reports", "a --plot")
    if not plot.parent.is_dir():
        from medcoder.errors import InvalidInputError

        raise InvalidInputError(f"--plot {plot}: no folder {plot.parent}")
    return chosen


def _emit(result: Report, fmt: str, table: str | None, plot: Path | None, how: str | None) -> None:
    from medcoder.reports import render

    if fmt == "json":
        click.echo(render.to_json(result))
    elif fmt == "csv":
        click.echo(render.to_csv(result, table), nl=False)
    else:
        out = console()
        for part in render.rich_tables(result):
            out.print(part)
    if plot is not None and how is not None:
        from medcoder.reports.plot import render_chart

        plot.write_bytes(render_chart(result, how))
        click.echo(f"chart written to {plot}", err=True)


# -- registries ------------------------------------------------------------------------------
@click.group("registry")
def registry_group() -> None:
    """Registries: define from a JSON file, list, members, extract."""


@registry_group.command("define")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@user_option
@click.pass_context
@friendly_errors
def registry_define(ctx: click.Context, path: Path, user: str | None) -> None:
    """Define (or redefine) the registry in PATH; qualifying finalized encounters enroll."""
    from medcoder.registries.definition import load

    definition = load(path)
    enrolled = records(ctx).define_registry(user, definition)
    click.echo(f"registry {definition.name} defined; {enrolled} patient(s) enrolled")


@registry_group.command("examples")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@friendly_errors
def registry_examples(folder: Path) -> None:
    """Write the shipped example registries (diabetes, heart failure, cancer, stroke)."""
    from medcoder.registries.definition import examples

    folder.mkdir(parents=True, exist_ok=True)
    for name, definition in examples().items():
        target = folder / f"{name}.json"
        target.write_text(json.dumps(definition.source, indent=2) + "\n", encoding="utf-8")
        click.echo(str(target))


@registry_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@user_option
@click.pass_context
@friendly_errors
def registry_list(ctx: click.Context, fmt: str, user: str | None) -> None:
    """Every registry, with its members now and those removed."""
    found = records(ctx).list_registries(user)
    if fmt == "json":
        click.echo(json.dumps([_summary(s) for s in found], indent=2))
        return
    for s in found:
        click.echo(f"{s.name:<16} {s.members:>7} member(s) {s.removed:>5} removed  {s.title}")


def _summary(s: object) -> dict[str, object]:
    keys = ("name", "title", "members", "removed", "defined_by", "defined_at")
    return {k: getattr(s, k) for k in keys}


@registry_group.command("members")
@click.argument("name")
@click.option("--removed", is_flag=True, help="Also those removed, with the reason.")
@user_option
@click.pass_context
@friendly_errors
def registry_members(ctx: click.Context, name: str, removed: bool, user: str | None) -> None:
    """The registry's members by MRN (a PHI read, audited)."""
    for row in records(ctx).registry_members(user, name, removed=removed):
        gone = (
            f"  removed {row['removed_at']}: {row['removed_reason']}" if row["removed_at"] else ""
        )
        click.echo(f"{row['mrn']}  enrolled {row['enrolled_at']} by {row['encounter']}{gone}")


@registry_group.command("extract")
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "parquet", "fhir"]),
    default="csv",
    show_default=True,
    help="parquet: the 'parquet' extra, needs --output; fhir: one FHIR R4 Bundle "
    "(Patient, Encounter, Condition, Procedure of each member).",
)
@click.option("--deidentified", is_flag=True, help="HIPAA Safe Harbor, as export --deidentified.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (default stdout; parquet: required).",
)
@user_option
@click.pass_context
@friendly_errors
def registry_extract(
    ctx: click.Context,
    name: str,
    fmt: str,
    deidentified: bool,
    output: Path | None,
    user: str | None,
) -> None:
    """The members' qualifying encounters: one row per reported code (csv, json, parquet),
    or one FHIR R4 Bundle."""
    check_output_folder(output)
    if fmt == "parquet":
        require_extra("parquet", "registry extract --format parquet")
        if output is None:
            raise InvalidInputError("--format parquet needs --output FILE")
    service = records(ctx)
    if fmt == "fhir":
        from medcoder.interop.fhir_out import registry_bundle
        from medcoder.records.claim_out import InstalledCodeCatalog

        catalog = InstalledCodeCatalog(service.home)
        try:  # codes checked on the real dates of service, in the service
            claims = service.registry_claims(user, name, deidentified=deidentified, catalog=catalog)
        finally:
            catalog.close()
        bundle = registry_bundle(name, claims)
        text = bundle.model_dump_json(indent=2) + "\n"
        write_output(text, output, f"{len(claims)} member(s) written to {output}")
        return
    rows = service.registry_extract(user, name, deidentified=deidentified)
    if fmt == "parquet":
        assert output is not None
        write_parquet(rows, output)
        return
    if fmt == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        text = buffer.getvalue()
    write_output(text, output, f"{len(rows)} row(s) written to {output}")
