"""``medcoder pcs show|validate|table|search|diff|list``: the ICD-10-PCS releases.

Each command picks the release by ``--release`` name, else by ``--date`` of service, else
the newest; output is a readable table or ``--format json``.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click
from rich.table import Table

from medcoder.cli.common import (
    console,
    date_option,
    emit_json,
    format_option,
    friendly_errors,
    home,
    parse_day,
)
from medcoder.codesets.pcs.diff import diff_pcs
from medcoder.codesets.pcs.store import PcsCode, PcsRegistry, PcsRelease
from medcoder.settings import home_dir

__all__ = ["code_json", "pcs_group"]

release_option = click.option("--release", "release", help="Release name, e.g. icd10pcs-2026.")


def _registry(ctx: click.Context) -> PcsRegistry:
    obj = ctx.find_root().obj or {}
    registry: PcsRegistry | None = obj.get("pcs_registry")
    if registry is None:
        registry = PcsRegistry(home_dir(home(ctx)))
        obj["pcs_registry"] = registry
        ctx.call_on_close(registry.close)
    return registry


def _release(ctx: click.Context, release: str | None, day: str | None) -> PcsRelease:
    return _registry(ctx).choose(name=release, day=parse_day(day))


def code_json(found: PcsCode) -> dict[str, Any]:
    """A PCS code, its title and the meaning of each character, as JSON."""
    return {
        "code": found.code,
        "title": found.title,
        "title_composed": found.title_composed,
        "release": found.release,
        "characters": [asdict(c) for c in found.characters],
    }


@click.group("pcs")
def pcs_group() -> None:
    """ICD-10-PCS: show, validate and search codes, list table rows, compare releases."""


@pcs_group.command("show")
@click.argument("code")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def pcs_show(ctx: click.Context, code: str, release: str | None, day: str | None,
             fmt: str) -> None:  # fmt: skip
    """A code's title and the meaning of each of its seven characters."""
    found = _release(ctx, release, day).lookup(code)
    if fmt == "json":
        emit_json(code_json(found))
        return
    out = console()
    composed = " (composed from the table axes)" if found.title_composed else ""
    out.print(f"{found.code}  {found.title}{composed}  [{found.release}]")
    table = Table("#", "axis", "value", "meaning", "definition / includes")
    for c in found.characters:
        notes = c.definition
        if c.includes:
            notes += (" | " if notes else "") + "includes: " + "; ".join(c.includes)
        table.add_row(str(c.position), c.axis, c.value, c.label, notes)
    out.print(table)


@pcs_group.command("validate")
@click.argument("codes", nargs=-1, required=True)
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def pcs_validate(ctx: click.Context, codes: tuple[str, ...], release: str | None,
                 day: str | None, fmt: str) -> None:  # fmt: skip
    """Is each CODE valid in its table row? Exit status 1 when any is not."""
    chosen = _release(ctx, release, day)
    results = [chosen.validate(code) for code in codes]
    if fmt == "json":
        emit_json([
            {"code": r.code, "release": r.release, "valid": r.valid, "message": r.message(),
             "problem": asdict(r.problem) if r.problem else None}
            for r in results
        ])  # fmt: skip
    else:
        for r in results:
            click.echo(("valid   " if r.valid else "INVALID ") + r.message())
    if not all(r.valid for r in results):
        sys.exit(1)


@pcs_group.command("table")
@click.argument("prefix")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def pcs_table(ctx: click.Context, prefix: str, release: str | None, day: str | None,
              fmt: str) -> None:  # fmt: skip
    """The rows of a table named by its first three characters (e.g. 0DT)."""
    chosen = _release(ctx, release, day)
    table = chosen.table(prefix)
    if fmt == "json":
        emit_json({
            "prefix": table.prefix, "release": chosen.name,
            "section": asdict(table.section), "body_system": asdict(table.body_system),
            "operation": asdict(table.operation), "definition": table.definition,
            "rows": [{title: [asdict(v) for v in axis] for title, axis in zip(r.titles, r.axes,
                                                                            strict=True)}
                     for r in table.rows],
        })  # fmt: skip
        return
    out = console()
    out.print(
        f"{table.prefix}: {table.section.label} / {table.body_system.label} / "
        f"{table.operation.label} [{chosen.name}]"
    )
    if table.definition:
        out.print(f"{table.axis_title(3)}: {table.definition}")
    for number, row in enumerate(table.rows, start=1):
        grid = Table(*row.titles, title=f"row {number} ({row.code_count:,} codes)")
        depth = max(len(a) for a in row.axes)
        for i in range(depth):
            grid.add_row(*(f"{a[i].code} {a[i].label}" if i < len(a) else "" for a in row.axes))
        out.print(grid)


@pcs_group.command("search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=int, default=20, show_default=True)
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def pcs_search(ctx: click.Context, text: tuple[str, ...], limit: int, release: str | None,
               day: str | None, fmt: str) -> None:  # fmt: skip
    """Codes whose title holds every word of TEXT; else the codes TEXT describes as an
    operative statement ("laparoscopic appendectomy" -> 0DTJ4ZZ)."""
    chosen = _release(ctx, release, day)
    query = " ".join(text)
    hits = chosen.search(query, limit)
    how = "title"
    if not hits:
        hits, how = _coded(ctx, query, chosen), "coded"
    if fmt == "json":
        emit_json(
            [{"code": c, "title": t, "release": chosen.name, "found_by": how} for c, t in hits]
        )
        return
    found_by = " (coded from the procedure words)" if how == "coded" else ""
    table = Table("code", "title", title=f"{len(hits)} codes [{chosen.name}]{found_by}")
    for c, t in hits:
        table.add_row(c, t)
    console().print(table)


def _coded(ctx: click.Context, query: str, chosen: PcsRelease) -> list[tuple[str, str]]:
    """The inpatient PCS stage run on the query as if it were an operative statement."""
    from medcoder.kinds import Setting
    from medcoder.nlp.assertion import AssertionDetector
    from medcoder.nlp.document import ClinicalDocument
    from medcoder.nlp.note import parse_note
    from medcoder.procedures.pcs import PcsCoder

    document = ClinicalDocument(
        query, setting=Setting.INPATIENT, date_of_service=chosen.info.effective_from
    )
    found = PcsCoder().findings(parse_note(document, AssertionDetector()), chosen)
    return [(c.code, c.title) for c in found.procedures]


@pcs_group.command("diff")
@click.argument("old")
@click.argument("new")
@format_option
@click.pass_context
@friendly_errors
def pcs_diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Codes and tables added, deleted and retitled from release OLD to NEW."""
    registry = _registry(ctx)
    diff = diff_pcs(registry.open(old), registry.open(new))
    if fmt == "json":
        emit_json(asdict(diff))
        return
    click.echo(
        f"{diff.old} -> {diff.new}: {len(diff.added)} added, {len(diff.deleted)} deleted, "
        f"{len(diff.retitled)} retitled; tables +{len(diff.tables_added)} "
        f"-{len(diff.tables_deleted)}"
    )
    for label, rows in (("added", diff.added), ("deleted", diff.deleted)):
        for code, title in rows:
            click.echo(f"{label:8} {code}  {title}")
    for code, before, after in diff.retitled:
        click.echo(f"retitled {code}  {before} -> {after}")


@pcs_group.command("list")
@format_option
@click.pass_context
@friendly_errors
def pcs_list(ctx: click.Context, fmt: str) -> None:
    """Installed ICD-10-PCS releases with their effective dates."""
    infos = _registry(ctx).installed()
    if fmt == "json":
        emit_json([{"name": i.name, "fiscal_year": i.fiscal_year,
                "effective_from": i.effective_from.isoformat(),
                "effective_to": i.effective_to.isoformat(), "stats": i.stats,
                "sources": [asdict(s) for s in i.sources]} for i in infos])  # fmt: skip
        return
    for i in infos:
        counts = f"{i.stats.get('codes', 0):,} codes in {i.stats.get('tables', 0)} tables"
        click.echo(f"{i.name}: {i.effective_from}..{i.effective_to}, {counts}")
