"""``medcoder db|import|run-coding|queue|export|audit``: the coded-records database.

The commands parse options and print; the service layer (``medcoder.records.service``,
imported when a command runs) checks roles and audits. The acting user is ``--user NAME``
or ``$MEDCODER_USER``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click

from medcoder.cli.common import (
    check_output_folder,
    friendly_errors,
    home,
    records,
    user_option,
    write_output,
    write_parquet,
)
from medcoder.errors import ExportError, InvalidInputError
from medcoder.kinds import ImportFormat, QueueSort

__all__ = ["audit_group", "db_group", "export", "import_command", "queue", "run_coding"]


# -- database ----------------------------------------------------------------------------
@click.group("db")
def db_group() -> None:
    """Create or migrate the records database."""


def _migrate(ctx: click.Context, message: str) -> None:
    from medcoder.records import db
    from medcoder.records.service import Records

    database = Records.init(home(ctx))
    click.echo(f"{message} {db.current_revision(database.engine)}")
    database.close()


@db_group.command("init")
@click.pass_context
@friendly_errors
def db_init(ctx: click.Context) -> None:
    """Create the database (and records.key unless MEDCODER_KEY is set); migrate to head."""
    _migrate(ctx, "records database ready at revision")


@db_group.command("upgrade")
@click.pass_context
@friendly_errors
def db_upgrade(ctx: click.Context) -> None:
    """Apply the migrations the database lacks."""
    _migrate(ctx, "records database at revision")


# -- import and coding -------------------------------------------------------------------
@click.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in ImportFormat]),
    help="jsonl, fhir (R4 Bundles, JSON or NDJSON) or hl7 (v2 MDM^T02, ORU^R01); "
    "default: seen in each file.",
)
@user_option
@click.pass_context
@friendly_errors
def import_command(ctx: click.Context, path: Path, fmt: str | None, user: str | None) -> None:
    """Import documents: JSONL, FHIR R4 Bundles, HL7 v2 messages, a .txt note with a
    .json sidecar, or a folder of them. A bad line, Bundle or message is reported (with
    its place) and skipped; the others go on."""
    report = records(ctx).import_path(user, path, ImportFormat(fmt) if fmt else None)
    for error in report.errors:
        click.echo(f"skipped: {error.message}", err=True)
    click.echo(
        f"{report.encounters_created} encounter(s) created, {report.documents_added} "
        f"document(s) added, {report.duplicates} already present, "
        f"{len(report.errors)} skipped"
    )
    if report.errors:
        sys.exit(1)


@click.command("run-coding")
@click.option("--encounter", "encounter", help="Encounter to code.")
@click.option("--all-pending", is_flag=True, help="Code every encounter not yet coded.")
@user_option
@click.pass_context
@friendly_errors
def run_coding(
    ctx: click.Context, encounter: str | None, all_pending: bool, user: str | None
) -> None:
    """Run the coding engine and store its suggestions for review.

    With --all-pending, an encounter that cannot be coded is reported (stderr: id, error
    code, message) and the others go on; the exit status is then 1."""
    if bool(encounter) == all_pending:
        raise InvalidInputError("give --encounter ID or --all-pending (one of them)")
    database = records(ctx)
    if not all_pending:
        count = database.run_coding(user, str(encounter))
        click.echo(f"{encounter}: {count} code(s) suggested")
        return
    report = database.code_pending(user)
    for target, count in report.coded.items():
        click.echo(f"{target}: {count} code(s) suggested")
    for failure in report.failures:
        click.echo(f"{failure.encounter}: error[{failure.code}]: {failure.message}", err=True)
    if not report.coded and not report.failures:
        click.echo("no encounter is pending")
    if report.failures:
        total = len(report.coded) + len(report.failures)
        click.echo(f"{len(report.failures)} of {total} encounter(s) failed", err=True)
        sys.exit(1)


@click.command("queue")
@click.option("--setting", type=click.Choice(["outpatient", "inpatient", "emergency"]))
@click.option("--payer")
@click.option(
    "--max-confidence",
    type=click.FloatRange(0, 1),
    help="Only encounters with a suggestion at or below this confidence.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--sort",
    type=click.Choice([s.value for s in QueueSort]),
    default=QueueSort.AGE.value,
    show_default=True,
    help="age: longest waiting first; newest; date (of service); payer; confidence: least "
    "certain first.",
)
@click.option(
    "--failed", is_flag=True, help="Encounters that failed to code instead, with the reason."
)
@click.option("--audit", is_flag=True,
              help="Instead, auto-finalized encounters sampled for audit.")  # fmt: skip
@click.option("--mine", is_flag=True, help="Only encounters assigned to me or held by me.")
@click.option("--next", "take_next", is_flag=True,
              help="Take the oldest unassigned encounter (assigned to me, held).")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@user_option
@click.pass_context
@friendly_errors
def queue(
    ctx: click.Context,
    setting: str | None,
    payer: str | None,
    max_confidence: float | None,
    limit: int,
    offset: int,
    sort: str,
    failed: bool,
    audit: bool,
    mine: bool,
    take_next: bool,
    fmt: str,
    user: str | None,
) -> None:
    """Encounters awaiting review, oldest first, a page at a time.

    The payer matches in any case; --sort orders otherwise; --failed lists the
    encounters that failed to code, with the reason; --mine those assigned to or held by
    me; --next takes the next unassigned one. Each row names its assignee and holder."""
    if failed:
        _failed(ctx, user, limit, fmt)
        return
    if take_next:
        taken = records(ctx).take_next(user)
        if fmt == "json":
            click.echo(json.dumps(taken.to_json() if taken else None, indent=2))
        elif taken is None:
            click.echo("no unassigned encounter is waiting")
        else:
            until = taken.locked_until.strftime("%H:%M") if taken.locked_until else "-"
            click.echo(f"{taken.encounter}: assigned to you, held until {until} UTC")
        return
    items = records(ctx).queue(
        user, setting=setting, payer=payer, max_confidence=max_confidence,
        limit=limit, offset=offset, sort=QueueSort(sort), audit=audit, mine=mine,
    )  # fmt: skip
    rows = [i.to_json() for i in items]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("the audit queue is empty" if audit else "the review queue is empty")
        if not audit and offset == 0 and records(ctx).failed(user, limit=1):
            click.echo("some encounters failed to code: medcoder queue --failed", err=True)
    for row in rows:
        low = row["lowest_confidence"]
        click.echo(
            f"{row['encounter']}  {row['setting']}  {row['date_of_service'] or '-'}  "
            f"{row['payer'] or '-'}  {row['suggested']} suggested"
            + (f"  lowest {low:.2f}" if low is not None else "")
            + (f"  assigned {row['assigned_to']}" if row["assigned_to"] else "")
            + (f"  held by {row['locked_by']} until {row['locked_until'][11:16]} UTC"
               if row["locked_by"] else "")
        )  # fmt: skip


# -- export, audit ------------------------------------------------------------
@click.command("export")
@click.option("--deidentified", is_flag=True, help="HIPAA Safe Harbor de-identified rows.")
@click.option(
    "--with-text",
    is_flag=True,
    help="With --deidentified: add the notes, scrubbed of identifiers (Safe Harbor).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "fhir"]),
    default="csv",
    show_default=True,
    help="fhir: one FHIR R4 Bundle (Patient, Encounter, Condition, Procedure, Claim) a line.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File to write (csv: default stdout; parquet: required).",
)
@user_option
@click.pass_context
@friendly_errors
def export(
    ctx: click.Context,
    deidentified: bool,
    with_text: bool,
    fmt: str,
    output: Path | None,
    user: str | None,
) -> None:
    """The reported codes of finalized encounters."""
    if with_text and not deidentified:
        raise InvalidInputError("--with-text goes with --deidentified", hint="add --deidentified")
    check_output_folder(output)
    if fmt == "fhir":
        if with_text:
            raise InvalidInputError("--with-text goes with csv or parquet, not fhir")
        _export_fhir(ctx, user, deidentified, output)
        return
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ExportError(
                "parquet export needs pyarrow (the 'parquet' extra), not installed here: "
                "pip install 'medcoder[parquet]'",
                hint="or use --format csv",
            ) from None
        if output is None:
            raise InvalidInputError("parquet export needs --output FILE")
    rows = records(ctx).export_rows(user, deidentified=deidentified, with_text=with_text)
    if fmt == "parquet":
        assert output is not None
        write_parquet(rows, output)
        return
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    write_output(buffer.getvalue(), output, f"{len(rows)} row(s) written to {output}")


def _export_fhir(
    ctx: click.Context, user: str | None, deidentified: bool, output: Path | None
) -> None:
    """Finalized encounters as FHIR Bundles, NDJSON (FHIR Bulk Data's format), every code
    checked against the releases in force before anything is written."""
    from medcoder.interop.fhir_out import build_bundle
    from medcoder.records.claim_out import InstalledCodeCatalog

    service = records(ctx)
    catalog = InstalledCodeCatalog(service.home)
    try:  # codes checked on the real dates of service, in the service (issue 15)
        documents = service.claim_documents(user, deidentified=deidentified, catalog=catalog)
    finally:
        catalog.close()
    text = "".join(build_bundle(document).model_dump_json() + "\n" for document in documents)
    write_output(text, output, f"{len(documents)} bundle(s) written to {output}")


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@user_option
@click.pass_context
@friendly_errors
def audit_verify(ctx: click.Context, user: str | None) -> None:
    """Check every link of the chain and its anchor: exit 1 at the first edited, missing or
    forged event, 3 when the newest events are not anchored (see the README)."""
    from medcoder.records.audit import ChainStatus

    report = records(ctx).verify_audit(user)
    click.echo(report.message)
    if not report.ok:
        sys.exit(1 if report.status is ChainStatus.BROKEN else 3)


@audit_group.command("anchor")
@user_option
@click.pass_context
@friendly_errors
def audit_anchor(ctx: click.Context, user: str | None) -> None:
    """Write the anchor file anew after it was lost (admins; refused if the chain is broken)."""
    report = records(ctx).reanchor_audit(user)
    click.echo(f"audit chain anchored at event {report.events + 1} (was: {report.message})")


@audit_group.command("rotate-key")
@user_option
@click.pass_context
@friendly_errors
def audit_rotate_key(ctx: click.Context, user: str | None) -> None:
    """Sign new audit events with a new key (MEDCODER_NEW_AUDIT_KEY when MEDCODER_AUDIT_KEY
    is set); the old keys stay in the ring to verify the events they signed."""
    click.echo(f"audit events are now signed by key {records(ctx).rotate_audit_key(user)}")


def _failed(ctx: click.Context, user: str | None, limit: int, fmt: str) -> None:
    """Pending encounters whose last coding attempt failed (issue 16, part 4)."""
    items = records(ctx).failed(user, limit=limit)
    rows = [i.to_json() for i in items]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no encounter failed to code")
    for row in rows:
        click.echo(
            f"{row['encounter']}  {row['setting']}  {row['date_of_service'] or '-'}  "
            f"error[{row['error']}]: {row['message']}  ({row['attempts']} attempt(s), last "
            f"{str(row['failed_at'])[:16]} by {row['failed_by']})"
        )
