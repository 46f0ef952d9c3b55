"""``medcoder setup`` and ``medcoder codesets list|diff``: building and comparing releases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from medcoder.cli.common import console, emit_json, format_option, friendly_errors, registry

__all__ = ["codesets", "setup"]


@click.command()
@click.option("--data", "data", type=click.Path(path_type=Path), help="Folder of CMS files.")
@click.option("--force", is_flag=True, help="Rebuild releases that are already built.")
@click.option(
    "--cpt",
    "cpt",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A licensed CPT file to install (layouts in README).",
)
@click.option("--cpt-year", type=int, help="Year of the CPT file (default: from its name).")
@click.pass_context
@friendly_errors
def setup(
    ctx: click.Context, data: Path | None, force: bool, cpt: Path | None, cpt_year: int | None
) -> None:
    """Build every code-set release found in the CMS data folder (and a CPT file)."""
    from medcoder.codesets.systems import setup_steps
    from medcoder.settings import data_dir

    releases = registry(ctx)
    if cpt is not None:
        from medcoder.codesets.cpt.build import install_cpt

        cpt_release = install_cpt(cpt, releases.home, year=cpt_year)
        click.echo(
            f"cpt: {cpt_release.name}: {cpt_release.stats['codes']:,} codes "
            f"({cpt_release.sources[0].layout})"
        )
        if data is None:
            return
    folder = data_dir(data)
    click.echo(f"reading CMS files in {folder}", err=True)
    for info in releases.setup(folder, force=force):
        extra = f" ({'; '.join(info.notes)})" if info.notes else ""
        click.echo(
            f"{info.name}: {info.effective_from}..{info.effective_to}, "
            f"{info.stats.get('billable', 0):,} billable codes{extra}"
        )
    # The coding engine's vocabularies (the Index's, and the Index to External Causes')
    # are derived from each release; building them now keeps the first `medcoder code`
    # fast (they are cached under MEDCODER_HOME/cache).
    from medcoder.coding.lexicon import external_cause_lexicon_for, lexicon_for

    for info in releases.installed():
        if info.index_fiscal_year is not None:
            release = releases.open(info.name)
            lexicon_for(release, releases.home / "cache")
            if "eindex" in release.books():
                external_cause_lexicon_for(release, releases.home / "cache")
    for step in setup_steps():
        report = step(folder, releases.home, force)
        click.echo(f"{report.system}: {report.message}")
    click.echo(f"releases stored in {releases.releases_dir}", err=True)


@click.group()
def codesets() -> None:
    """List installed releases and compare them."""


@codesets.command("list")
@format_option
@click.pass_context
@friendly_errors
def codesets_list(ctx: click.Context, fmt: str) -> None:
    """Installed releases with their effective dates and sources."""
    from medcoder.codesets import serialize

    infos = registry(ctx).available()
    if fmt == "json":
        emit_json([serialize.release_info(i) for i in infos])
        return
    from rich.table import Table

    table = Table("release", "effective", "billable", "index", "notes")
    for info in infos:
        index = f"FY{info.index_fiscal_year}" if info.index_fiscal_year else "none"
        table.add_row(
            info.name + (" (embedded)" if info.embedded else ""),
            f"{info.effective_from} .. {info.effective_to}",
            f"{info.stats.get('billable', 0):,}",
            index,
            "; ".join(info.notes),
        )
    console().print(table)


@codesets.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.pass_context
@friendly_errors
def codesets_diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Codes added, deleted and retitled, and notes changed, from OLD to NEW."""
    from medcoder.codesets import serialize
    from medcoder.codesets.diff import diff_releases

    releases = registry(ctx)
    diff = diff_releases(releases.open(old), releases.open(new))
    data = serialize.release_diff(diff)
    if fmt == "json":
        emit_json(data)
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["change", "code", "title", "old_title", "note_kind", "detail"])
        for row in data["added"]:
            writer.writerow(["added", row["code"], row["title"], "", "", ""])
        for row in data["deleted"]:
            writer.writerow(["deleted", row["code"], row["title"], "", "", ""])
        for row in data["revised"]:
            writer.writerow(["revised", row["code"], row["title"], row["old_title"], "", ""])
        for row in data["notes_changed"]:
            detail = "; ".join(
                [*("+" + t for t in row["added"]), *("-" + t for t in row["removed"])]
            )
            writer.writerow(["notes_changed", row["code"], "", "", row["kind"], detail])
        click.echo(out.getvalue(), nl=False)
        return
    from rich.table import Table

    out_console = console()
    out_console.print(
        f"{old} -> {new}: {len(diff.added)} added, {len(diff.deleted)} deleted, "
        f"{len(diff.revised)} revised, {len(diff.notes_changed)} notes changed"
    )
    for label, rows in (("added", diff.added), ("deleted", diff.deleted)):
        table = Table("code", "title", title=label)
        for change in rows:
            table.add_row(change.code, change.title)
        out_console.print(table)
    revised = Table("code", "old title", "new title", title="revised")
    for change in diff.revised:
        revised.add_row(change.code, change.old_title or "", change.title)
    out_console.print(revised)
    notes = Table("code", "note", f"in {old}", f"in {new}", title="notes changed")
    for note in diff.notes_changed:
        notes.add_row(note.code, note.kind, "\n".join(note.removed), "\n".join(note.added))
    out_console.print(notes)
