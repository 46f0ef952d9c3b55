"""``medcoder code``, ``batch`` and ``evaluate``: the coding engine on notes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from medcoder.cli.common import (
    console,
    date_option,
    emit_json,
    format_option,
    friendly_errors,
    registry,
    release_option,
)
from medcoder.errors import InputTooLargeError, InvalidInputError

__all__ = ["batch", "code_note", "evaluate"]


def _read_note(path: Path) -> tuple[str, list[str]]:
    """The note's text (UTF-8, or as its byte-order mark says); bytes that do not decode
    are replaced, with a notice (never fatal).

    Read no further than the note limit (a character is at most 4 bytes, in UTF-8 and in
    UTF-32), so an endless file (``/dev/zero``, a pipe) is refused, E301, instead of
    filling memory."""
    from medcoder.nlp.document import MAX_TEXT_CHARS

    try:
        with path.open("rb") as handle:
            raw = handle.read(4 * (MAX_TEXT_CHARS + 2))  # and a byte-order mark
    except OSError as exc:
        raise InvalidInputError(
            f"cannot read {path}: {exc.strerror}", hint="give the path of a text file"
        ) from exc
    from medcoder.nlp.normalize import decode_note

    text, notices = decode_note(raw, str(path))  # a byte-order mark names UTF-16/32
    if len(text) > MAX_TEXT_CHARS:
        raise InputTooLargeError(
            f"{path} is over the note limit of {MAX_TEXT_CHARS:,} characters",
            hint="split the document and code the parts",
        )
    return text, notices


@click.command("code")
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
    releases = registry(ctx)
    releases.available()  # tells the user (stderr) when only the embedded default exists
    engine = engine_for(releases.home, external_causes=external_causes)
    result = engine.code(document, release_name=release)
    report = None
    if run_edits:  # claim edits (issue 7): adjust, then list what remains
        from medcoder.cli.edits import check_result
        from medcoder.edits.findings import report_json

        # the engine's releases: the one just coded against is open there already
        result, report = check_result(engine.registry, result, document)
    data = result_json(result)
    data["notices"] = [*notices, *data["notices"]]
    if report is not None:
        data["edits"] = report_json(report)
    if fmt == "json":
        emit_json(data)
        return
    from rich.table import Table

    out = console()
    for notice in result.notices:
        out.print(f"notice: {notice}")
    out.print(f"{note.name}: {result.setting}, {result.release}", style="bold")
    table = Table("#", "code", "title", "conf.", "evidence", "index path / rules")
    for a in result.codes:
        words = "; ".join(f"{e.text!r} ({e.section})" for e in a.evidence[:3])
        rules = "; ".join(r.rule for r in a.rules)
        table.add_row(str(a.sequence), a.code, a.title, f"{a.confidence:.2f}", words,
                      a.index_path + (f" | {rules}" if rules else ""))  # fmt: skip
    out.print(table)
    if result.procedures:
        procedures = Table("#", "code", "system", "title", "units", "mod.", "conf.", "evidence",
                           "path / rules", title="procedures")  # fmt: skip
        for p in result.procedures:
            words = "; ".join(f"{e.text!r}" for e in p.evidence[:3])
            rules = "; ".join(r.rule for r in p.rules)
            procedures.add_row(str(p.sequence), p.code, p.system, p.title, str(p.units),
                               " ".join(p.modifiers), f"{p.confidence:.2f}", words,
                               p.path + (f" | {rules}" if rules else ""))  # fmt: skip
        out.print(procedures)
    if result.em_level is not None:
        em = result.em_level
        out.print(
            f"E/M {em.code} ({em.patient_status}, by {em.basis}; MDM {em.mdm_level}"
            + (f"; {em.time_minutes} min" if em.time_minutes is not None else "")
            + f"; confidence {em.confidence:.2f})"
        )
        for m in em.elements:
            out.print(f"  {m.element}: {m.level} - {m.detail}")
        if em.time_evidence is not None:
            out.print(f"  time: {em.time_minutes} min - {em.time_evidence.text!r}")
        modifiers = [m for p in result.procedures if p.code == em.code for m in p.modifiers]
        if modifiers:
            out.print(f"  modifiers: {' '.join(modifiers)}")
    if result.dropped:
        dropped = Table("considered", "code", "why not coded", title="dropped")
        for d in result.dropped[:40]:
            dropped.add_row(d.text, d.code or "", f"{d.reason} [{d.rule.guideline}]")
        out.print(dropped)
    if report is not None:
        from medcoder.cli.edits import print_report

        print_report(report, "table", title="claim edits")


@click.command("batch")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True)
@click.pass_context
@friendly_errors
def batch(ctx: click.Context, source: Path, output: Path, jobs: int) -> None:
    """Code every note of a JSONL file ({"id","text",...} per line) into OUTPUT."""
    from rich.progress import Progress

    from medcoder.batch import run_batch

    home = registry(ctx).home
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


@click.command("evaluate")
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--setting", help="Override every case's setting (outpatient / inpatient).")
@date_option
@release_option
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--max-cases", type=click.IntRange(0, 10_000), default=20, show_default=True,
              help="Worst cases shown in the text report.")  # fmt: skip
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the JSON report here.")  # fmt: skip
@click.option("--autonomy-precision", type=click.FloatRange(0, 1, min_open=True), default=0.95,
              show_default=True,
              help="Exactly right share the autonomy threshold must reach.")  # fmt: skip
@click.option("--encounter-folds", type=click.IntRange(0, 100), default=0, show_default=True,
              help="K >= 2: refit the encounter confidence on these cases, K-fold, and "
              "report out-of-fold figures; 0: the shipped model's.")  # fmt: skip
@click.option("--unscored", "unscored", multiple=True, metavar="PREFIX",
              help="Leave codes starting with PREFIX out of scoring, gold and "
              "predictions alike (a family the gold's annotators never coded: Z79).")  # fmt: skip
@format_option
@click.pass_context
@friendly_errors
def evaluate(
    ctx: click.Context, gold: Path, setting: str | None, day: str | None, release: str | None,
    jobs: int, max_cases: int, output: Path | None, autonomy_precision: float,
    encounter_folds: int, unscored: tuple[str, ...], fmt: str,
) -> None:  # fmt: skip
    """Score the engine on a gold file ({"id","text","icd10cm":[...]} per line)."""
    from medcoder.evaluation.engine import run_evaluation
    from medcoder.evaluation.report import report_to_json, report_to_text

    report = run_evaluation(
        gold, setting=setting, date=day, release=release, home=registry(ctx).home, jobs=jobs,
        autonomy_precision=autonomy_precision, encounter_folds=encounter_folds,
        unscored=unscored,
    )  # fmt: skip
    data = report_to_json(report)
    if output is not None:
        output.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if fmt == "json":
        emit_json(data)
    else:
        click.echo(report_to_text(report, max_cases=max_cases))
