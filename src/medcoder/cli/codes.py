"""``medcoder codes show|validate|search|index|neoplasm|drug``: one ICD-10-CM release."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from medcoder.cli.common import (
    choose_release,
    console,
    date_option,
    emit_json,
    format_option,
    friendly_errors,
    release_option,
)
from medcoder.codesets import serialize
from medcoder.codesets.tables import DRUG_COLUMNS, NEOPLASM_COLUMNS, lookup_table
from medcoder.errors import MissingComponentError

__all__ = ["codes"]


@click.group()
def codes() -> None:
    """Look up, validate and search codes; walk the index and tables."""


@codes.command("show")
@click.argument("code")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def codes_show(
    ctx: click.Context, code: str, release: str | None, day: str | None, fmt: str
) -> None:
    """A code's title, hierarchy, notes (inherited ones marked) and 7th characters."""
    data = serialize.code_detail(choose_release(ctx, release, day), code)
    if fmt == "json":
        emit_json(data)
        return
    out = console()
    billable = "billable" if data["billable"] else "not billable"
    out.print(f"{data['code']}  {data['title']}  ({billable}; {data['release']})", style="bold")
    for ancestor in data["ancestors"]:
        out.print(f"  in {ancestor['code']}: {ancestor['title']}")
    for kind, notes in data["notes"].items():
        for note in notes:
            origin = f"  [from {note['inherited_from']}]" if note["inherited_from"] else ""
            out.print(f"  {kind}: {note['text']}{origin}")
    seven = data["seven_character"]
    if seven:
        out.print(f"  7th character (defined at {seven['defined_at']}):")
        for value in seven["values"]:
            out.print(f"    {value['character']}  {value['meaning']}")
    if data["children"]:
        out.print("  children:")
        for child in data["children"][:40]:
            mark = "" if child["billable"] else " (header)"
            out.print(f"    {child['code']}  {child['title']}{mark}")


@codes.command("validate")
@click.argument("code")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def codes_validate(
    ctx: click.Context, code: str, release: str | None, day: str | None, fmt: str
) -> None:
    """Say whether CODE is valid for reporting on the date of service, and why not."""
    from medcoder.codesets.validate import validate

    result = validate(choose_release(ctx, release, day), code)
    if fmt == "json":
        emit_json(serialize.validation(result))
    else:
        line = f"{result.code}: {result.status} ({result.release}): {result.reason}"
        click.echo(line)
        if result.suggestions:
            click.echo(f"  try: {', '.join(result.suggestions)}")
    if not result.valid:
        sys.exit(1)


@codes.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 500))
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def codes_search(
    ctx: click.Context, text: tuple[str, ...], limit: int, release: str | None,
    day: str | None, fmt: str,
) -> None:  # fmt: skip
    """Search titles, inclusion terms and index terms, best first."""
    query = " ".join(text)
    hits = choose_release(ctx, release, day).search(query, limit)
    if fmt == "json":
        emit_json([
            {"code": h.code, "title": h.title, "billable": h.billable, "source": h.source,
             "matched": h.matched, "score": round(h.score, 3)}
            for h in hits
        ])  # fmt: skip
        return
    if not hits:
        click.echo(f"no match for {query!r}")
        return
    from rich.table import Table

    table = Table("code", "title", "matched", "via")
    for hit in hits:
        table.add_row(hit.code + ("" if hit.billable else " *"), hit.title, hit.matched, hit.source)
    console().print(table)


@codes.command("index")
@click.argument("path")
@click.option("--book", type=click.Choice(["index", "eindex"]), default="index")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def codes_index(
    ctx: click.Context, path: str, book: str, release: str | None, day: str | None,
    fmt: str,
) -> None:  # fmt: skip
    """Walk the Alphabetic Index: "Diabetes, type 2, with, chronic kidney disease"."""
    from medcoder.codesets.index_walk import IndexNavigator

    chosen = choose_release(ctx, release, day)
    if book not in chosen.books():
        raise MissingComponentError(
            f"{chosen.name} has no Alphabetic Index",
            hint="build a release with the index: `medcoder setup --data DIR`",
        )
    result = IndexNavigator.for_release(chosen).walk(path, book)
    data = serialize.index_result(result)
    if fmt == "json":
        emit_json(data)
        return
    out = console()
    if not result.found:
        out.print(f"no main term matches {path!r}")
        if result.suggestions:
            out.print(f"  main terms near it: {'; '.join(result.suggestions)}")
        sys.exit(1)
    for step in data["path"]:
        code = f"  {step['code']}" if step["code"] else ""
        modifiers = " ".join(f"({m})" for m in step["nonessential"])
        see = f"  see {step['see']}" if step["see"] else ""
        see_also = f"  see also {step['see_also']}" if step["see_also"] else ""
        out.print(f"{'  ' * step['level']}{step['title']} {modifiers}{code}{see}{see_also}")
    for followed in result.followed:
        out.print(f"followed: see {followed}")
    if result.unmatched:
        out.print(f"not found below the path: {', '.join(result.unmatched)}")
        if result.suggestions:
            out.print(f"  subterms here: {'; '.join(result.suggestions)}")
    if data["code"]:
        verified = data["verification"]
        extra = f" (printed {data['printed_code']}; {verified})" if verified != "ok" else ""
        manif = f" [{data['manifestation']}]" if data["manifestation"] else ""
        out.print(f"code: {data['code']}{manif}{extra}", style="bold")


def _table_command(table: str, columns: dict[str, int], option: str) -> Callable[..., None]:
    @release_option
    @date_option
    @format_option
    @click.pass_context
    @friendly_errors
    def command(ctx: click.Context, query: str, column: str, release: str | None,
                day: str | None, fmt: str) -> None:  # fmt: skip
        result = lookup_table(choose_release(ctx, release, day), table, query, column)
        data = serialize.table_result(result)
        if fmt == "json":
            emit_json(data)
            return
        out = console()
        if not result.steps or result.unmatched:
            out.print(f"no {table} table row matches {query!r}")
            if result.unmatched:
                out.print(f"not found: {', '.join(result.unmatched)}")
            sys.exit(1)
        out.print(f"row: {result.path}")
        for heading, value in result.row.items():
            out.print(f"  {heading}: {value}")
        if result.see:
            out.print(f"  see {result.see}")
        shown = result.code or "no code in this column"
        extra = (
            f" (printed {result.printed}; {result.resolution})" if result.resolution != "ok" else ""
        )
        out.print(f"{column}: {shown}{extra}", style="bold")

    command = click.argument("query")(command)
    command = click.option(
        f"--{option}", "column", type=click.Choice(list(columns)), required=True
    )(command)
    return command


codes.command("neoplasm", help="Neoplasm Table: SITE and --behavior.")(
    _table_command("neoplasm", NEOPLASM_COLUMNS, "behavior")
)
codes.command("drug", help="Table of Drugs and Chemicals: SUBSTANCE and --intent.")(
    _table_command("drug", DRUG_COLUMNS, "intent")
)
