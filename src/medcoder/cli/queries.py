"""``medcoder query``: physician queries (clinical documentation improvement; issue 16,
part 7) from the command line: the templates, compose one from a code or a dropped
candidate, list them (by status, encounter, provider), record an answer, close one, and
the volume and response-time report.

Each subcommand calls the records service the REST API calls (``records.queries``), as
the acting user: the same role checks, encryption and audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from medcoder.cli.common import emit_json, format_option, friendly_errors, records, user_option
from medcoder.errors import InvalidInputError, RecordNotFoundError

if TYPE_CHECKING:  # the database stack loads only when a subcommand runs
    from medcoder.records.service import QueryView, Records

__all__ = ["query_group"]

STATUSES = ["open", "answered", "closed"]


@click.group("query")
@user_option
@click.pass_context
def query_group(ctx: click.Context, user: str | None) -> None:
    """Physician queries: templates, ask, list, answer, close, report."""
    ctx.obj["user"] = user


def _user(ctx: click.Context) -> str | None:
    user: str | None = ctx.obj.get("user")
    return user


@query_group.command("templates")
@format_option
@click.pass_context
@friendly_errors
def query_templates_command(ctx: click.Context, fmt: str) -> None:
    """The query templates (kept as data): name, label, options offered."""
    from medcoder.records.queries import query_templates

    found = query_templates().values()
    if fmt == "json":
        emit_json([{"name": t.name, "label": t.label, "question": t.question,
                    "options": list(t.options)} for t in found])  # fmt: skip
        return
    for t in found:
        click.echo(f"{t.name:<14} {t.label}  (options: {'; '.join(t.options)})")


def _quoted(database: Records, user: str | None, encounter: str, code: str | None,
            dropped: str | None) -> tuple[str | None, str]:  # fmt: skip
    """The code asked about and the record's words quoted: a dropped candidate's words
    from the latest coding run, or an active code's evidence."""
    if dropped is not None:
        runs = database.coding_runs(user, encounter)
        wanted = dropped.strip().upper()
        items: list[dict[str, Any]] = runs[0].result.get("dropped", []) if runs else []
        found = next((d for d in items if str(d.get("code", "")).upper() == wanted), None)
        if found is None:
            listed = ", ".join(sorted({str(d.get("code")) for d in items if d.get("code")}))
            raise RecordNotFoundError(
                f"no dropped candidate {wanted} in the latest run of encounter {encounter}",
                hint=f"dropped candidates: {listed or 'none'}",
            )
        words = (found.get("evidence") or {}).get("text") or found.get("text") or ""
        return wanted, str(words)
    if code is None:
        return None, ""
    view = database.encounter_view(user, encounter)
    line = next((c for c in view.codes if c.code == code.strip().upper()), None)
    words = " ... ".join(str(e.get("text", "")) for e in line.evidence) if line else ""
    return code.strip().upper(), words


@query_group.command("ask")
@click.argument("encounter")
@click.option(
    "--template", "template", required=True,
    help="specificity, acuity, clinical_validity, poa or conflicting.",
)  # fmt: skip
@click.option("--code", help="The code the query is about (its evidence is quoted).")
@click.option("--dropped", help="A candidate the engine dropped (its words are quoted).")
@click.option("--text", help="The record's words to quote (default: the code's evidence).")
@click.option("--provider", help="The provider asked (default: the encounter's attending).")
@click.option("--hold", is_flag=True, help="Hold finalize while the query is open.")
@click.pass_context
@friendly_errors
def query_ask(
    ctx: click.Context, encounter: str, template: str, code: str | None, dropped: str | None,
    text: str | None, provider: str | None, hold: bool,
) -> None:  # fmt: skip
    """Send the provider a compliant, non-leading query about ENCOUNTER from a template,
    about a code (--code) or a dropped candidate (--dropped)."""
    if code and dropped:
        raise InvalidInputError("give --code or --dropped, not both")
    database, user = records(ctx), _user(ctx)
    about, words = _quoted(database, user, encounter, code, dropped)
    query_id = database.ask_query(
        user, encounter, template, code=about, text=text or words, provider=provider,
        hold_finalize=hold,
    )  # fmt: skip
    held = " (holds finalize)" if hold else ""
    click.echo(f"{encounter}: query {query_id} sent{held}")


@query_group.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--encounter")
@click.option("--provider", help="The provider asked (any case).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@format_option
@click.pass_context
@friendly_errors
def query_list(
    ctx: click.Context, status: str | None, encounter: str | None, provider: str | None,
    limit: int, fmt: str,
) -> None:  # fmt: skip
    """Queries, newest first, by status, encounter and provider (reading them is audited)."""
    found = records(ctx).query_list(
        _user(ctx), status=status, encounter_id=encounter, provider=provider, limit=limit
    )
    if fmt == "json":
        emit_json([q.to_json() for q in found])
        return
    if not found:
        click.echo("no query matches")
    for q in found:
        _echo(q)


def _echo(q: QueryView) -> None:
    hold = " holds finalize" if q.hold_finalize and q.status == "open" else ""
    click.echo(
        f"{q.id:>5} {q.encounter} {q.status:<8} {q.template:<14} {q.code or '-':<8} "
        f"to {q.provider or '-'}, asked by {q.asked_by} {q.asked_at:%Y-%m-%d %H:%M}{hold}"
    )
    click.echo(f"      Q: {q.question}")
    if q.answer is not None:
        click.echo(f"      A: {q.answer} ({q.answered_by}, {q.answered_at:%Y-%m-%d %H:%M})")


@query_group.command("answer")
@click.argument("query_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--answer", required=True, help="The provider's answer, as given.")
@click.pass_context
@friendly_errors
def query_answer(ctx: click.Context, query_id: int, answer: str) -> None:
    """Record the provider's answer to an open query."""
    records(ctx).answer_query(_user(ctx), query_id, answer)
    click.echo(f"query {query_id}: answered")


@query_group.command("close")
@click.argument("query_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--reason", help="Why (withdrawn, answer acted on); kept in the audit trail.")
@click.pass_context
@friendly_errors
def query_close(ctx: click.Context, query_id: int, reason: str | None) -> None:
    """Close a query, answered or not."""
    records(ctx).close_query(_user(ctx), query_id, reason)
    click.echo(f"query {query_id}: closed")


@query_group.command("report")
@format_option
@click.pass_context
@friendly_errors
def query_report(ctx: click.Context, fmt: str) -> None:
    """Query volume by template and status, and the median hours to an answer."""
    report = records(ctx).query_report(_user(ctx))
    if fmt == "json":
        emit_json(report)
        return
    median = report["median_hours_to_answer"]
    click.echo(
        f"{report['total']} queries, {report['open']} open, {report['answered']} answered; "
        f"median {median if median is not None else '-'} h to an answer"
    )
    for template, counts in sorted(report["by_template"].items()):
        shown = ", ".join(f"{status} {n}" for status, n in counts.items())
        click.echo(f"  {template:<14} {shown}")
