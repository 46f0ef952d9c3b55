"""The ``medcoder`` command line.

Every deliberate error prints one ``error[Exxx]: ...`` line (and a ``hint:`` line) on
stderr and exits 2; an unexpected one prints one line too, never a traceback.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from rich.console import Console
from rich.table import Table

from medcoder.codesets import serialize
from medcoder.codesets.diff import diff_releases
from medcoder.codesets.index_walk import IndexNavigator
from medcoder.codesets.registry import Registry
from medcoder.codesets.store import Release
from medcoder.codesets.systems import setup_steps
from medcoder.codesets.tables import DRUG_COLUMNS, NEOPLASM_COLUMNS, lookup_table
from medcoder.codesets.validate import validate
from medcoder.errors import InvalidInputError, MedcoderError, MissingComponentError
from medcoder.pipeline import parse_date
from medcoder.settings import data_dir

P = ParamSpec("P")
R = TypeVar("R")
FORMAT = click.Choice(["table", "json"])


def _console() -> Console:
    # Tabular text holds square brackets ("[any part, except buttock]"): never markup.
    return Console(highlight=False, soft_wrap=True, markup=False)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn every error into one readable line on stderr."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MedcoderError as exc:
            click.echo(f"error[{exc.code}]: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # never a traceback at the CLI
            click.echo(f"error[E000]: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("hint: please report this with the command you ran", err=True)
            sys.exit(70)

    return wrapper


def _registry(ctx: click.Context) -> Registry:
    registry: Registry | None = ctx.obj.get("registry")
    if registry is None:
        registry = Registry(ctx.obj.get("home"))
        ctx.obj["registry"] = registry
    return registry


def _release(ctx: click.Context, release: str | None, day: str | None) -> Release:
    return _registry(ctx).choose(name=release, day=parse_date(day))


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


release_option = click.option("--release", "release", help="Release name, e.g. icd10cm-2026-04.")
date_option = click.option("--date", "day", help="Date of service (YYYY-MM-DD): picks the release.")
format_option = click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)


@click.group()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="MEDCODER_HOME",
    help="Where built releases live (default: $MEDCODER_HOME or the user data dir).",
)
@click.version_option(package_name="medcoder")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """medcoder: medical coding from clinical text, on versioned official code sets."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home


@main.command()
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
    registry = _registry(ctx)
    if cpt is not None:
        from medcoder.codesets.cpt.build import install_cpt

        cpt_release = install_cpt(cpt, registry.home, year=cpt_year)
        click.echo(
            f"cpt: {cpt_release.name}: {cpt_release.stats['codes']:,} codes "
            f"({cpt_release.sources[0].layout})"
        )
        if data is None:
            return
    folder = data_dir(data)
    click.echo(f"reading CMS files in {folder}", err=True)
    for info in registry.setup(folder, force=force):
        extra = f" ({'; '.join(info.notes)})" if info.notes else ""
        click.echo(
            f"{info.name}: {info.effective_from}..{info.effective_to}, "
            f"{info.stats.get('billable', 0):,} billable codes{extra}"
        )
    # The coding engine's vocabulary is derived from each release; building it now
    # keeps the first `medcoder code` fast (it is cached under MEDCODER_HOME/cache).
    from medcoder.coding.lexicon import lexicon_for

    for info in registry.installed():
        if info.index_fiscal_year is not None:
            lexicon_for(registry.open(info.name), registry.home / "cache")
    for step in setup_steps():
        report = step(folder, registry.home, force)
        click.echo(f"{report.system}: {report.message}")
    click.echo(f"releases stored in {registry.releases_dir}", err=True)


# -- codesets ----------------------------------------------------------------------------
@main.group()
def codesets() -> None:
    """List installed releases and compare them."""


@codesets.command("list")
@format_option
@click.pass_context
@friendly_errors
def codesets_list(ctx: click.Context, fmt: str) -> None:
    """Installed releases with their effective dates and sources."""
    infos = _registry(ctx).available()
    if fmt == "json":
        _emit_json([serialize.release_info(i) for i in infos])
        return
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
    _console().print(table)


@codesets.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.pass_context
@friendly_errors
def codesets_diff(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Codes added, deleted and retitled, and notes changed, from OLD to NEW."""
    registry = _registry(ctx)
    diff = diff_releases(registry.open(old), registry.open(new))
    data = serialize.release_diff(diff)
    if fmt == "json":
        _emit_json(data)
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
    console = _console()
    console.print(
        f"{old} -> {new}: {len(diff.added)} added, {len(diff.deleted)} deleted, "
        f"{len(diff.revised)} revised, {len(diff.notes_changed)} notes changed"
    )
    for label, rows in (("added", diff.added), ("deleted", diff.deleted)):
        table = Table("code", "title", title=label)
        for change in rows:
            table.add_row(change.code, change.title)
        console.print(table)
    revised = Table("code", "old title", "new title", title="revised")
    for change in diff.revised:
        revised.add_row(change.code, change.old_title or "", change.title)
    console.print(revised)


# -- codes -----------------------------------------------------------------------------
@main.group()
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
    chosen = _release(ctx, release, day)
    data = serialize.code_detail(chosen, code)
    if fmt == "json":
        _emit_json(data)
        return
    console = _console()
    billable = "billable" if data["billable"] else "not billable"
    console.print(f"{data['code']}  {data['title']}  ({billable}; {data['release']})", style="bold")
    for ancestor in data["ancestors"]:
        console.print(f"  in {ancestor['code']}: {ancestor['title']}")
    for kind, notes in data["notes"].items():
        for note in notes:
            origin = f"  [from {note['inherited_from']}]" if note["inherited_from"] else ""
            console.print(f"  {kind}: {note['text']}{origin}")
    seven = data["seven_character"]
    if seven:
        console.print(f"  7th character (defined at {seven['defined_at']}):")
        for value in seven["values"]:
            console.print(f"    {value['character']}  {value['meaning']}")
    if data["children"]:
        console.print("  children:")
        for child in data["children"][:40]:
            mark = "" if child["billable"] else " (header)"
            console.print(f"    {child['code']}  {child['title']}{mark}")


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
    result = validate(_release(ctx, release, day), code)
    if fmt == "json":
        _emit_json(serialize.validation(result))
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
    hits = _release(ctx, release, day).search(query, limit)
    if fmt == "json":
        _emit_json([
            {"code": h.code, "title": h.title, "billable": h.billable, "source": h.source,
             "matched": h.matched, "score": round(h.score, 3)}
            for h in hits
        ])  # fmt: skip
        return
    if not hits:
        click.echo(f"no match for {query!r}")
        return
    table = Table("code", "title", "matched", "via")
    for hit in hits:
        table.add_row(hit.code + ("" if hit.billable else " *"), hit.title, hit.matched, hit.source)
    _console().print(table)


@codes.command("index")
@click.argument("path")
@click.option("--book", type=click.Choice(["index", "eindex"]), default="index")
@release_option
@date_option
@format_option
@click.pass_context
@friendly_errors
def codes_index(
    ctx: click.Context, path: str, book: str, release: str | None, day: str | None, fmt: str
) -> None:
    """Walk the Alphabetic Index: "Diabetes, type 2, with, chronic kidney disease"."""
    chosen = _release(ctx, release, day)
    if book not in chosen.books():
        raise MissingComponentError(
            f"{chosen.name} has no Alphabetic Index",
            hint="build a release with the index: `medcoder setup --data DIR`",
        )
    result = IndexNavigator.for_release(chosen).walk(path, book)
    data = serialize.index_result(result)
    if fmt == "json":
        _emit_json(data)
        return
    console = _console()
    if not result.found:
        console.print(f"no main term matches {path!r}")
        if result.suggestions:
            console.print(f"  main terms near it: {'; '.join(result.suggestions)}")
        sys.exit(1)
    for step in data["path"]:
        code = f"  {step['code']}" if step["code"] else ""
        modifiers = " ".join(f"({m})" for m in step["nonessential"])
        see = f"  see {step['see']}" if step["see"] else ""
        see_also = f"  see also {step['see_also']}" if step["see_also"] else ""
        console.print(f"{'  ' * step['level']}{step['title']} {modifiers}{code}{see}{see_also}")
    for followed in result.followed:
        console.print(f"followed: see {followed}")
    if result.unmatched:
        console.print(f"not found below the path: {', '.join(result.unmatched)}")
        if result.suggestions:
            console.print(f"  subterms here: {'; '.join(result.suggestions)}")
    if data["code"]:
        verified = data["verification"]
        extra = f" (printed {data['printed_code']}; {verified})" if verified != "ok" else ""
        manif = f" [{data['manifestation']}]" if data["manifestation"] else ""
        console.print(f"code: {data['code']}{manif}{extra}", style="bold")


def _table_command(table: str, columns: dict[str, int], option: str) -> Callable[..., None]:
    @release_option
    @date_option
    @format_option
    @click.pass_context
    @friendly_errors
    def command(ctx: click.Context, query: str, column: str, release: str | None,
                day: str | None, fmt: str) -> None:  # fmt: skip
        result = lookup_table(_release(ctx, release, day), table, query, column)
        data = serialize.table_result(result)
        if fmt == "json":
            _emit_json(data)
            return
        console = _console()
        if not result.steps or result.unmatched:
            console.print(f"no {table} table row matches {query!r}")
            if result.unmatched:
                console.print(f"not found: {', '.join(result.unmatched)}")
            sys.exit(1)
        console.print(f"row: {result.path}")
        for heading, value in result.row.items():
            console.print(f"  {heading}: {value}")
        if result.see:
            console.print(f"  see {result.see}")
        shown = result.code or "no code in this column"
        extra = (
            f" (printed {result.printed}; {result.resolution})" if result.resolution != "ok" else ""
        )
        console.print(f"{column}: {shown}{extra}", style="bold")

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


# -- coding ------------------------------------------------------------------------------
def _read_note(path: Path) -> tuple[str, list[str]]:
    """The note's text; bytes that are not UTF-8 are replaced, with a notice (never fatal)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read {path}: {exc.strerror}", hint="give the path of a text file"
        ) from exc
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        return text, [
            f"{path}: {bad} byte(s) were not UTF-8 (first at byte {exc.start}) and were "
            "replaced; save the note as UTF-8 to keep every character"
        ]


@main.command("code")
@click.argument("note", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--setting", default="outpatient", show_default=True,
              help="outpatient (Guidelines IV) or inpatient (II/III).")  # fmt: skip
@date_option
@release_option
@click.option("--age", type=click.IntRange(0, 130))
@click.option("--sex", type=click.Choice(["F", "M"], case_sensitive=False))
@click.option("--external-causes/--no-external-causes", default=True, show_default=True,
              help="Report external cause codes (V00-Y38, Y93) with injuries.")  # fmt: skip
@click.option("--patient-status", type=click.Choice(["new", "established"], case_sensitive=False),
              help="For the office E/M level; default: read from the note.")  # fmt: skip
@click.option("--check", "run_edits", is_flag=True,
              help="Run the claim edits on the codes and let them adjust them.")  # fmt: skip
@format_option
@click.pass_context
@friendly_errors
def code_note(
    ctx: click.Context, note: Path, setting: str, day: str | None, release: str | None,
    age: int | None, sex: str | None, external_causes: bool, patient_status: str | None,
    run_edits: bool, fmt: str,
) -> None:  # fmt: skip
    """Code a clinical note: ICD-10-CM codes in order, with evidence, path and rules."""
    from medcoder.pipeline import engine_for, make_document
    from medcoder.serialize import result_json

    text, notices = _read_note(note)
    for notice in notices:
        click.echo(f"notice: {notice}", err=True)
    document = make_document(
        text,
        setting=setting,
        date_of_service=day,
        age=age,
        sex=sex,
        id=note.stem,
        patient_status=patient_status,
    )
    registry = _registry(ctx)
    registry.available()  # tells the user (stderr) when only the embedded default exists
    engine = engine_for(registry.home, external_causes=external_causes)
    result = engine.code(document, release_name=release)
    report = None
    if run_edits:  # claim edits (issue 7): adjust, then list what remains
        from medcoder.edits.cli import check_result, print_report, report_json

        result, report = check_result(registry, result, document)
    data = result_json(result)
    data["notices"] = [*notices, *data["notices"]]
    if report is not None:
        data["edits"] = report_json(report)
    if fmt == "json":
        _emit_json(data)
        return
    console = _console()
    for notice in result.notices:
        console.print(f"notice: {notice}")
    console.print(f"{note.name}: {result.setting}, {result.release}", style="bold")
    table = Table("#", "code", "title", "conf.", "evidence", "index path / rules")
    for a in result.codes:
        words = "; ".join(f"{e.text!r} ({e.section})" for e in a.evidence[:3])
        rules = "; ".join(r.rule for r in a.rules)
        table.add_row(str(a.sequence), a.code, a.title, f"{a.confidence:.2f}", words,
                      a.index_path + (f" | {rules}" if rules else ""))  # fmt: skip
    console.print(table)
    if result.procedures:
        procedures = Table("#", "code", "system", "title", "units", "mod.", "conf.", "evidence",
                           "path / rules", title="procedures")  # fmt: skip
        for p in result.procedures:
            words = "; ".join(f"{e.text!r}" for e in p.evidence[:3])
            rules = "; ".join(r.rule for r in p.rules)
            procedures.add_row(str(p.sequence), p.code, p.system, p.title, str(p.units),
                               " ".join(p.modifiers), f"{p.confidence:.2f}", words,
                               p.path + (f" | {rules}" if rules else ""))  # fmt: skip
        console.print(procedures)
    if result.em_level is not None:
        em = result.em_level
        console.print(
            f"E/M {em.code} ({em.patient_status}, by {em.basis}; MDM {em.mdm_level}"
            + (f"; {em.time_minutes} min" if em.time_minutes is not None else "")
            + f"; confidence {em.confidence:.2f})"
        )
        for m in em.elements:
            console.print(f"  {m.element}: {m.level} - {m.detail}")
        if em.time_evidence is not None:
            console.print(f"  time: {em.time_minutes} min - {em.time_evidence.text!r}")
        modifiers = [m for p in result.procedures if p.code == em.code for m in p.modifiers]
        if modifiers:
            console.print(f"  modifiers: {' '.join(modifiers)}")
    if result.dropped:
        dropped = Table("considered", "code", "why not coded", title="dropped")
        for d in result.dropped[:40]:
            dropped.add_row(d.text, d.code or "", f"{d.reason} [{d.rule.guideline}]")
        console.print(dropped)
    if report is not None:
        print_report(report, "table", title="claim edits")


@main.command("batch")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True)
@click.pass_context
@friendly_errors
def batch(ctx: click.Context, source: Path, output: Path, jobs: int) -> None:
    """Code every note of a JSONL file ({"id","text",...} per line) into OUTPUT."""
    from rich.progress import Progress

    from medcoder.batch import run_batch

    home = _registry(ctx).home
    with source.open("rb") as handle:
        total = sum(1 for line in handle if line.strip())
    if sys.stderr.isatty():
        with Progress(transient=True) as bar:
            task = bar.add_task("coding", total=total)
            summary = run_batch(source, output, home=home, jobs=jobs,
                                progress=lambda n: bar.advance(task, n))  # fmt: skip
    else:
        summary = run_batch(source, output, home=home, jobs=jobs)
    click.echo(f"{summary.coded} coded, {summary.failed} failed, written to {output}", err=True)
    if summary.failed:
        click.echo('failed lines carry an "error" field in the output', err=True)


@main.command("evaluate")
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--setting", help="Override every case's setting (outpatient / inpatient).")
@date_option
@release_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--max-cases", type=click.IntRange(0, 10_000), default=20, show_default=True,
              help="Worst cases shown in the text report.")  # fmt: skip
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the JSON report here.")  # fmt: skip
@format_option
@click.pass_context
@friendly_errors
def evaluate(
    ctx: click.Context, gold: Path, setting: str | None, day: str | None, release: str | None,
    jobs: int, max_cases: int, output: Path | None, fmt: str,
) -> None:  # fmt: skip
    """Score the engine on a gold file ({"id","text","icd10cm":[...]} per line)."""
    from medcoder.evaluation.report import report_to_json, report_to_text
    from medcoder.evaluation.run import run_evaluation

    report = run_evaluation(
        gold, setting=setting, date=day, release=release, home=_registry(ctx).home, jobs=jobs
    )
    data = report_to_json(report)
    if output is not None:
        output.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if fmt == "json":
        _emit_json(data)
    else:
        click.echo(report_to_text(report, max_cases=max_cases))


# -- coded records (database, review workflow, audit) ------------------------------------
def _register_records() -> None:
    from medcoder.records.cli import COMMANDS

    for command in COMMANDS:
        main.add_command(command)
    from medcoder.api.cli import serve

    main.add_command(serve)


_register_records()


def _register_pcs() -> None:
    from medcoder.codesets.pcs.cli import pcs_group

    main.add_command(pcs_group)


_register_pcs()


def _register_hcpcs() -> None:
    from medcoder.codesets.hcpcs.cli import hcpcs

    main.add_command(hcpcs)


_register_hcpcs()


def _register_edits() -> None:
    from medcoder.edits.cli import COMMANDS as EDIT_COMMANDS

    for command in EDIT_COMMANDS:
        main.add_command(command)


_register_edits()
