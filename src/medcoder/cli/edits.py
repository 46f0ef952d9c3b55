"""``medcoder check CLAIM.json`` and ``medcoder edits list|recheck``: claim edits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from medcoder.cli.common import console, friendly_errors, home, registry

if TYPE_CHECKING:
    from medcoder.codesets.registry import Registry
    from medcoder.edits.findings import EditReport
    from medcoder.nlp.document import ClinicalDocument
    from medcoder.results import CodingResult

__all__ = ["check", "check_result", "edits", "print_report"]

F = TypeVar("F", bound=Callable[..., Any])


def table_options(func: F) -> F:
    """--data / --mce / --ncci / --mue: where the edit tables are (read at run time)."""
    options = [
        click.option("--mue", type=click.Path(path_type=Path, dir_okay=False),
                     help="CMS MUE CSV (Practitioner / Outpatient Hospital / DME); "
                     "default $MEDCODER_MUE_FILE."),
        click.option("--ncci", type=click.Path(path_type=Path, file_okay=False),
                     help="Folder of the I/OCE NCCI tables (default <data>/ncci/ioce-*)."),
        click.option("--mce", type=click.Path(path_type=Path, file_okay=False),
                     help="Folder of the derived MCE tables (default <data>/mce)."),
        click.option("--data", type=click.Path(path_type=Path, file_okay=False),
                     help="CMS data folder (default $MEDCODER_DATA or ../shared/data)."),
    ]  # fmt: skip
    for option in options:
        func = option(func)
    return func


def check_result(
    releases: Registry, result: CodingResult, document: ClinicalDocument
) -> tuple[CodingResult, EditReport]:
    """``code --check``: the engine's result adjusted by the edits, and what remains."""
    from medcoder.edits.adjust import adjust
    from medcoder.edits.checker import ClaimChecker, configured_tables

    day = document.date_of_service or releases.open(result.release).info.effective_from
    checker = ClaimChecker(releases, configured_tables(home=releases.home))
    sex = document.sex.value if document.sex is not None else None
    return adjust(result, checker, day=day, age=document.age, sex=sex)


def print_report(report: EditReport, fmt: str, title: str | None = None) -> None:
    """An edit report as a table (errors, warnings, what was skipped) or as JSON."""
    from medcoder.edits.findings import report_json

    if fmt == "json":
        click.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    out = console()
    used = ", ".join(f"{k} {v}" for k, v in report.releases.items())
    head = title or f"claim {report.claim_id or '(no id)'}"
    out.print(f"{head}: {len(report.errors)} error(s), {len(report.warnings)} warning(s) "
              f"[{used}]", style="bold")  # fmt: skip
    if report.findings:
        table = Table("severity", "edit", "codes", "what", "fix")
        for f in report.findings:
            table.add_row(f.severity.value, f.edit, " ".join(f.codes), f.message, f.fix)
        out.print(table)
    for line in report.skipped:
        out.print(f"skipped: {line}")


@click.command("check")
@click.argument("claim", type=click.Path(path_type=Path, dir_okay=False))
@table_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.pass_context
def check(
    ctx: click.Context, claim: Path, data: Path | None, mce: Path | None, ncci: Path | None,
    mue: Path | None, fmt: str,
) -> None:  # fmt: skip
    """Check a claim (JSON: date_of_service, setting, age, sex, codes) against the edits.

    Exits 1 when an edit reports an error, 0 otherwise.
    """

    @friendly_errors
    def run() -> int:
        from medcoder.edits.checker import ClaimChecker, configured_tables
        from medcoder.edits.claim import load_claim

        parsed = load_claim(claim)
        releases = registry(ctx)
        tables = configured_tables(data=data, mce=mce, ncci=ncci, mue=mue, home=releases.home)
        report = ClaimChecker(releases, tables).check(parsed)
        print_report(report, fmt, title=f"{claim.name}")
        return 1 if report.errors else 0

    sys.exit(run())


@click.group("edits")
def edits() -> None:
    """Claim edits on stored encounters."""


@edits.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
def list_edits(fmt: str) -> None:
    """Every edit: its stable id, the rule and its source."""
    from medcoder.edits.checker import default_rules

    specs = [spec for rule in default_rules() for spec in rule.specs]
    if fmt == "json":
        click.echo(json.dumps([{"edit": s.id, "rule": s.rule, "source": s.source}
                               for s in specs], indent=2))  # fmt: skip
        return
    from rich.table import Table

    table = Table("edit", "rule", "source")
    for spec in specs:
        table.add_row(spec.id, spec.rule, spec.source)
    console().print(table)


@edits.command("recheck")
@click.option("--user", envvar="MEDCODER_USER", help="Acting user (or $MEDCODER_USER).")
@table_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.pass_context
def recheck(
    ctx: click.Context, user: str | None, data: Path | None, mce: Path | None,
    ncci: Path | None, mue: Path | None, fmt: str,
) -> None:  # fmt: skip
    """Re-run the edits on open encounters with the releases installed now, listing what
    the new release or quarter breaks (findings absent under the codes' own release)."""

    @friendly_errors
    def run() -> None:
        from medcoder.edits.checker import configured_tables
        from medcoder.records.claim_gate import recheck_open
        from medcoder.records.service import Records

        records = Records.open(home(ctx))
        try:
            tables = configured_tables(data=data, mce=mce, ncci=ncci, mue=mue,
                                       home=records.home)  # fmt: skip
            results = recheck_open(records, user, tables)
        finally:
            records.close()
        if fmt == "json":
            click.echo(json.dumps([r.to_json() for r in results], indent=2))
            return
        if not results:
            click.echo("no open encounter has new findings")
        for r in results:
            click.echo(f"{r.encounter} ({r.release}): {len(r.new)} new finding(s)")
            for f in r.new:
                click.echo(f"  {f.severity.value} {f.edit} {' '.join(f.codes)}: {f.message}")
                click.echo(f"    fix: {f.fix}")

    run()
