"""``medcoder db|import|run-coding|queue|review|export|audit|users|keys``.

The commands parse options and print; the service layer checks roles and audits. The
acting user is ``--user NAME`` or ``$MEDCODER_USER``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from medcoder.cli import friendly_errors
from medcoder.errors import ExportError, InvalidInputError

if TYPE_CHECKING:  # the database stack loads only when a records command runs
    from medcoder.records.service import Records

user_option = click.option(
    "--user", "user", envvar="MEDCODER_USER", help="Acting user (default: $MEDCODER_USER)."
)


def _home(ctx: click.Context) -> Path | None:
    home: Path | None = (ctx.find_root().obj or {}).get("home")
    return home


def _records(ctx: click.Context) -> Records:
    from medcoder.records.service import Records

    records: Records | None = ctx.obj.get("records") if ctx.obj else None
    if records is None:
        records = Records.open(_home(ctx))
        ctx.obj["records"] = records
        ctx.call_on_close(records.close)
    return records


# -- database ----------------------------------------------------------------------------
@click.group("db")
def db_group() -> None:
    """Create or migrate the records database."""


def _migrate(ctx: click.Context, message: str) -> None:
    from medcoder.records import db
    from medcoder.records.service import Records

    records = Records.init(_home(ctx))
    click.echo(f"{message} {db.current_revision(records.engine)}")
    records.close()


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
@user_option
@click.pass_context
@friendly_errors
def import_command(ctx: click.Context, path: Path, user: str | None) -> None:
    """Import documents: a JSONL file, a .txt note with a .json sidecar, or a folder."""
    report = _records(ctx).import_path(user, path)
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
    """Run the coding engine and store its suggestions for review."""
    if bool(encounter) == all_pending:
        raise InvalidInputError("give --encounter ID or --all-pending (one of them)")
    records = _records(ctx)
    targets = records.pending(user) if all_pending else [str(encounter)]
    for target in targets:
        count = records.run_coding(user, target)
        click.echo(f"{target}: {count} code(s) suggested")
    if not targets:
        click.echo("no encounter is pending")


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
    fmt: str,
    user: str | None,
) -> None:
    """Encounters awaiting review, oldest first, a page at a time."""
    items = _records(ctx).queue(
        user, setting=setting, payer=payer, max_confidence=max_confidence,
        limit=limit, offset=offset,
    )  # fmt: skip
    rows = [
        {
            "encounter": i.encounter,
            "setting": i.setting,
            "date_of_service": i.date_of_service.isoformat() if i.date_of_service else None,
            "payer": i.payer,
            "suggested": i.suggested,
            "lowest_confidence": i.lowest_confidence,
        }
        for i in items
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("the review queue is empty")
    for row in rows:
        low = row["lowest_confidence"]
        click.echo(
            f"{row['encounter']}  {row['setting']}  {row['date_of_service'] or '-'}  "
            f"{row['payer'] or '-'}  {row['suggested']} suggested"
            + (f"  lowest {low:.2f}" if low is not None else "")
        )


# -- review ------------------------------------------------------------------------------
@click.group("review")
@click.argument("encounter")
@user_option
@click.pass_context
def review(ctx: click.Context, encounter: str, user: str | None) -> None:
    """Review ENCOUNTER's codes: show, accept, reject, change, add, sequence, finalize, reopen."""
    ctx.obj["encounter"] = encounter
    ctx.obj["user"] = user


def _target(ctx: click.Context) -> tuple[Records, str | None, str]:
    return _records(ctx), ctx.obj.get("user"), str(ctx.obj["encounter"])


@review.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
@friendly_errors
def review_show(ctx: click.Context, fmt: str) -> None:
    """The encounter, its patient, documents and codes (reading it is audited)."""
    records, user, encounter = _target(ctx)
    view = records.encounter_view(user, encounter)
    if fmt == "json":
        data: dict[str, Any] = {
            "encounter": view.encounter,
            "status": view.status,
            "setting": view.setting,
            "date_of_service": view.date_of_service.isoformat() if view.date_of_service else None,
            "payer": view.payer,
            "attending": view.attending,
            "mrn": view.mrn,
            "name": view.name,
            "dob": view.dob.isoformat(),
            "sex": view.sex,
            "documents": [{"kind": k, "text": t} for k, t in view.documents],
            "codes": [c.to_json() for c in view.codes],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{view.encounter} ({view.status}): {view.setting}, {view.date_of_service}, "
        f"payer {view.payer or '-'}"
    )
    click.echo(f"patient {view.name}, MRN {view.mrn}, born {view.dob}, sex {view.sex or '-'}")
    for c in view.codes:
        conf = f" {c.confidence:.2f}" if c.confidence is not None else ""
        why = f" ({c.reason})" if c.reason else ""
        click.echo(
            f"  {c.sequence:>2} {c.code:<9} {c.status:<9} {c.source:<6}{conf} {c.title}{why}"
        )


@review.command("accept")
@click.argument("codes", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def review_accept(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """Accept suggested codes."""
    records, user, encounter = _target(ctx)
    for code in codes:
        records.accept(user, encounter, code)
        click.echo(f"{encounter}: accepted {code}")


@review.command("reject")
@click.argument("code")
@click.option("--reason", required=True, help="Why the code is not reported.")
@click.pass_context
@friendly_errors
def review_reject(ctx: click.Context, code: str, reason: str) -> None:
    """Reject a code (a reason is required)."""
    records, user, encounter = _target(ctx)
    records.reject(user, encounter, code, reason)
    click.echo(f"{encounter}: rejected {code}")


@review.command("change")
@click.argument("code")
@click.argument("new_code")
@click.option("--reason")
@click.pass_context
@friendly_errors
def review_change(ctx: click.Context, code: str, new_code: str, reason: str | None) -> None:
    """Replace CODE by NEW_CODE (validated in the release in force)."""
    records, user, encounter = _target(ctx)
    records.change(user, encounter, code, new_code, reason)
    click.echo(f"{encounter}: changed {code} to {new_code}")


@review.command("add")
@click.argument("code")
@click.option("--reason")
@click.pass_context
@friendly_errors
def review_add(ctx: click.Context, code: str, reason: str | None) -> None:
    """Add a code the engine did not suggest (validated in the release in force)."""
    records, user, encounter = _target(ctx)
    records.add(user, encounter, code, reason)
    click.echo(f"{encounter}: added {code}")


@review.command("sequence")
@click.argument("codes", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def review_sequence(ctx: click.Context, codes: tuple[str, ...]) -> None:
    """Order the active codes: first-listed (or principal) first."""
    records, user, encounter = _target(ctx)
    records.resequence(user, encounter, codes)
    click.echo(f"{encounter}: sequenced {' '.join(codes)}")


@review.command("finalize")
@click.option("--acknowledge", help="Reason for reporting despite claim-edit warnings.")
@click.pass_context
@friendly_errors
def review_finalize(ctx: click.Context, acknowledge: str | None) -> None:
    """Lock the encounter (every suggestion decided; claim edits pass or are acknowledged)."""
    records, user, encounter = _target(ctx)
    records.finalize(user, encounter, acknowledge)
    click.echo(f"{encounter}: finalized")


@review.command("reopen")
@click.option("--reason", required=True, help="Why the finalized encounter is re-opened.")
@click.pass_context
@friendly_errors
def review_reopen(ctx: click.Context, reason: str) -> None:
    """Re-open a finalized encounter (audited; a reason is required)."""
    records, user, encounter = _target(ctx)
    records.reopen(user, encounter, reason)
    click.echo(f"{encounter}: re-opened")


# -- export, audit, users, keys ------------------------------------------------------------
@click.command("export")
@click.option("--deidentified", is_flag=True, help="HIPAA Safe Harbor de-identified rows.")
@click.option(
    "--with-text",
    is_flag=True,
    help="With --deidentified: add the notes, scrubbed of identifiers (Safe Harbor).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True
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
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ExportError(
                "parquet export needs pyarrow, which is not installed",
                hint="pip install 'medcoder[parquet]', or use --format csv",
            ) from None
        if output is None:
            raise InvalidInputError("parquet export needs --output FILE")
    rows = _records(ctx).export_rows(user, deidentified=deidentified, with_text=with_text)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert output is not None
        pq.write_table(pa.Table.from_pylist(rows), output)
        click.echo(f"{len(rows)} row(s) written to {output}", err=True)
        return
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")
        click.echo(f"{len(rows)} row(s) written to {output}", err=True)


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

    report = _records(ctx).verify_audit(user)
    click.echo(report.message)
    if not report.ok:
        sys.exit(1 if report.status is ChainStatus.BROKEN else 3)


@audit_group.command("anchor")
@user_option
@click.pass_context
@friendly_errors
def audit_anchor(ctx: click.Context, user: str | None) -> None:
    """Write the anchor file anew after it was lost (admins; refused if the chain is broken)."""
    report = _records(ctx).reanchor_audit(user)
    click.echo(f"audit chain anchored at event {report.events + 1} (was: {report.message})")


@audit_group.command("rotate-key")
@user_option
@click.pass_context
@friendly_errors
def audit_rotate_key(ctx: click.Context, user: str | None) -> None:
    """Sign new audit events with a new key (MEDCODER_NEW_AUDIT_KEY when MEDCODER_AUDIT_KEY
    is set); the old keys stay in the ring to verify the events they signed."""
    click.echo(f"audit events are now signed by key {_records(ctx).rotate_audit_key(user)}")


@click.group("users")
def users_group() -> None:
    """Add users, list them, change their role."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="coder, reviewer (auditor), manager, admin, analyst.")
@user_option
@click.pass_context
@friendly_errors
def users_add(ctx: click.Context, name: str, role: str, user: str | None) -> None:
    """Add a user (the first one must be an admin)."""
    _records(ctx).add_user(user, name, role)
    click.echo(f"added {name} ({role})")


@users_group.command("list")
@user_option
@click.pass_context
@friendly_errors
def users_list(ctx: click.Context, user: str | None) -> None:
    """Every user with role and status."""
    for name, role, active in _records(ctx).list_users(user):
        click.echo(f"{name}  {role}" + ("" if active else "  (inactive)"))


@users_group.command("role")
@click.argument("name")
@click.argument("role")
@user_option
@click.pass_context
@friendly_errors
def users_role(ctx: click.Context, name: str, role: str, user: str | None) -> None:
    """Change a user's role."""
    _records(ctx).set_role(user, name, role)
    click.echo(f"{name} is now {role}")


@users_group.command("password")
@click.argument("name")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="MEDCODER_NEW_PASSWORD",
    help="The new password (prompted; or $MEDCODER_NEW_PASSWORD).",
)
@user_option
@click.pass_context
@friendly_errors
def users_password(ctx: click.Context, name: str, password: str, user: str | None) -> None:
    """Set NAME's password for the API and the workbench (admins; 12+ characters)."""
    _records(ctx).set_password(user, name, password)
    click.echo(f"password set for {name}")


@users_group.command("api-key")
@click.argument("name")
@click.option("--label", default="api key", show_default=True, help="What the key is for.")
@user_option
@click.pass_context
@friendly_errors
def users_api_key(ctx: click.Context, name: str, label: str, user: str | None) -> None:
    """Create an API key acting as NAME (admins); it is printed once and never stored."""
    click.echo(_records(ctx).create_api_key(user, name, label))


@click.group("keys")
def keys_group() -> None:
    """The encryption key for PHI at rest."""


@keys_group.command("rotate")
@user_option
@click.pass_context
@friendly_errors
def keys_rotate(ctx: click.Context, user: str | None) -> None:
    """Re-encrypt every PHI value under a new key (MEDCODER_NEW_KEY when MEDCODER_KEY is set)."""
    counts = _records(ctx).rotate_keys(user)
    click.echo(f"re-encrypted {sum(counts.values())} value(s)")


COMMANDS = (
    db_group,
    import_command,
    run_coding,
    queue,
    review,
    export,
    audit_group,
    users_group,
    keys_group,
)
