"""``medcoder hcpcs show|validate|search|modifiers|diff|releases``: HCPCS Level II and CPT
numbers on a date of service."""

from __future__ import annotations

import csv
import io
import sys

import click
from rich.table import Table

from medcoder.cli.common import console, emit_json, format_option, friendly_errors, home, parse_day
from medcoder.codesets.hcpcs.diff import diff_hcpcs
from medcoder.codesets.hcpcs.lookup import ProcedureCodeSets
from medcoder.codesets.hcpcs.model import record_json, status_json
from medcoder.errors import InvalidInputError, UnknownModifierError
from medcoder.kinds import CodeSystem

__all__ = ["hcpcs"]

date_option = click.option("--date", "day", help="Date of service (YYYY-MM-DD).")


def _sets(ctx: click.Context) -> ProcedureCodeSets:
    return ProcedureCodeSets(home(ctx))


@click.group()
def hcpcs() -> None:
    """HCPCS Level II codes and modifiers, and CPT numbers, on a date of service."""


@hcpcs.command("releases")
@format_option
@click.pass_context
@friendly_errors
def releases(ctx: click.Context, fmt: str) -> None:
    """Installed HCPCS and CPT releases with their effective dates and sources."""
    found = _sets(ctx).releases()
    if fmt == "json":
        emit_json([r.to_json() for r in found])
        return
    table = Table("release", "kind", "effective", "counts", "source")
    for r in found:
        counts = ", ".join(f"{k} {v:,}" for k, v in r.stats.items())
        table.add_row(
            r.name,
            r.kind,
            f"{r.effective_from} .. {r.effective_to}",
            counts,
            "; ".join(s.path.rsplit("/", 1)[-1] for s in r.sources),
        )
    console().print(table)


@hcpcs.command("show")
@click.argument("code")
@date_option
@format_option
@click.pass_context
@friendly_errors
def show(ctx: click.Context, code: str, day: str | None, fmt: str) -> None:
    """A code's descriptor and status on the date of service (or a modifier's)."""
    sets = _sets(ctx)
    when = parse_day(day)
    if len(code.strip()) == 2:
        quarter = sets.anweb_for(when)
        record = sets.record(quarter, code.strip().upper()) if quarter else None
        if record is None or not record.is_modifier:
            raise UnknownModifierError(
                [code.strip().upper()], quarter.name if quarter else "no HCPCS release"
            )
        if fmt == "json":
            emit_json(record_json(record))
        else:
            where = quarter.name if quarter else ""
            console().print(f"{record.code}  {record.long_description}  (modifier; {where})")
        return
    status = sets.lookup(code, when)
    if fmt == "json":
        emit_json(status_json(status))
        return
    out = console()
    title = status.title or (
        "(CPT descriptor not installed: `medcoder setup --cpt FILE`)"
        if status.system == CodeSystem.CPT
        else ""
    )
    out.print(f"{status.code}  {title}")
    ended = f", last day {status.terminated}" if status.terminated else ""
    out.print(
        f"  {status.status} ({'valid' if status.valid else 'not valid'}) on "
        f"{when or 'the newest release'}; from {status.effective_from}{ended}"
    )
    out.print(f"  release {status.release} ({status.source or 'not found'})")
    if status.note:
        out.print(f"  note: {status.note}")
    if status.status == "unknown":
        sys.exit(1)


@hcpcs.command("validate")
@click.argument("codes", nargs=-1, required=True)
@date_option
@click.option("--modifier", "modifiers", multiple=True, help="Modifier to check (repeatable).")
@format_option
@click.pass_context
@friendly_errors
def validate(
    ctx: click.Context,
    codes: tuple[str, ...],
    day: str | None,
    modifiers: tuple[str, ...],
    fmt: str,
) -> None:
    """Are CODES (J1100, 99213, or J1100-RT with modifiers) valid on the date?

    Exits 1 when any code is not valid; unknown modifiers are an error naming them.
    """
    sets = _sets(ctx)
    when = parse_day(day)
    mods = [m for m in modifiers]
    for code in codes:
        mods += [m for m in code.split("-")[1:] if m]
    sets.check_modifiers(mods, when)
    results = [sets.lookup(code, when) for code in codes]
    if fmt == "json":
        emit_json([status_json(s) for s in results])
    else:
        table = Table("code", "valid", "status", "release", "note")
        for s in results:
            table.add_row(s.code, "yes" if s.valid else "no", s.status, s.release, s.note)
        console().print(table)
    if not all(s.valid for s in results):
        sys.exit(1)


@hcpcs.command("search")
@click.argument("words", nargs=-1, required=True)
@date_option
@click.option("--limit", default=25, show_default=True)
@format_option
@click.pass_context
@friendly_errors
def search(
    ctx: click.Context, words: tuple[str, ...], day: str | None, limit: int, fmt: str
) -> None:
    """HCPCS Level II codes whose descriptor holds every one of WORDS."""
    if limit < 1:
        raise InvalidInputError("--limit must be at least 1")
    found = _sets(ctx).search(" ".join(words), parse_day(day), limit)
    if fmt == "json":
        emit_json([record_json(r) for r in found])
        return
    table = Table("code", "descriptor", "last day")
    for r in found:
        table.add_row(r.code, r.long_description, str(r.terminated or ""))
    console().print(table)


@hcpcs.command("modifiers")
@date_option
@format_option
@click.pass_context
@friendly_errors
def modifiers_cmd(ctx: click.Context, day: str | None, fmt: str) -> None:
    """The HCPCS Level II modifiers of the quarter for the date."""
    found = _sets(ctx).modifiers(parse_day(day))
    if fmt == "json":
        emit_json([record_json(r) for r in found])
        return
    table = Table("modifier", "descriptor", "last day")
    for r in found:
        table.add_row(r.code, r.long_description, str(r.terminated or ""))
    console().print(table)


@hcpcs.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.pass_context
@friendly_errors
def diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Codes added, terminated, removed and re-described from quarter OLD to NEW."""
    result = diff_hcpcs(_sets(ctx), old, new)
    rows = [
        {
            "change": c.change,
            "code": c.code,
            "modifier": c.is_modifier,
            "title": c.title,
            "old_title": c.old_title,
            "detail": c.detail,
        }
        for c in result.changes
    ]
    if fmt == "json":
        emit_json({"old": old, "new": new, "changes": rows})
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["change", "code"])
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    counts = {k: len(result.of(k)) for k in ("added", "terminated", "removed", "descriptor")}
    screen = console()
    screen.print(f"{old} -> {new}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    table = Table("change", "code", "descriptor", "was / detail")
    for c in result.changes:
        table.add_row(c.change, c.code, c.title, c.old_title or c.detail)
    screen.print(table)
