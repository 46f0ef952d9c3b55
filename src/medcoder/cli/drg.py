"""``medcoder drg``: group an inpatient stay to its MS-DRG (CMS v43, FY2026)."""

from __future__ import annotations

from pathlib import Path

import click

from medcoder.cli.common import (
    console,
    date_option,
    emit_json,
    format_option,
    friendly_errors,
    home,
    parse_day,
)

__all__ = ["drg"]


@click.command("drg")
@click.option("--pdx", required=True, help="Principal diagnosis (ICD-10-CM, dots optional).")
@click.option("--sdx", multiple=True, help="Secondary diagnosis; repeat for each.")
@click.option("--pcs", multiple=True, help="ICD-10-PCS procedure; repeat for each.")
@click.option("--age", type=int, help="Age at admission (checked; MS-DRG v43 does not use it).")
@click.option("--sex", type=click.Choice(["F", "M"], case_sensitive=False), help="F or M.")
@click.option(
    "--discharge-status",
    default="01",
    show_default=True,
    help="UB-04 patient discharge status (20: expired).",
)
@date_option
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    help="CMS data folder holding msdrg/ (default: $MEDCODER_DATA, ../shared/data).",
)
@format_option
@click.pass_context
@friendly_errors
def drg(
    ctx: click.Context,
    pdx: str,
    sdx: tuple[str, ...],
    pcs: tuple[str, ...],
    age: int | None,
    sex: str | None,
    discharge_status: str,
    day: str | None,
    data: Path | None,
    fmt: str,
) -> None:
    """Group an inpatient stay to its MS-DRG (v43): weight, CC/MCC, what a CC or MCC would change.

    Prints the MS-DRG, MDC, title, weight, GMLOS and AMLOS (Table 5), the secondary
    diagnoses that count as MCC or CC, those on Tables 6I/6J that do not and why (6K),
    and what documenting a CC or MCC would change (impact only, never a code to add)."""
    from medcoder.drg.stay import group_stay

    result = group_stay(
        pdx,
        sdx,
        pcs,
        age,
        sex.upper() if sex else None,
        discharge_status,
        parse_day(day),
        data=data,
        home=home(ctx),
    )
    if fmt == "json":
        emit_json(result.to_dict())
        return
    out = console()
    out.print(f"MS-DRG {result.drg} {result.title}", style="bold")
    where = f"MS-DRG {result.version} ({result.grouper_logic}); {', '.join(result.releases)}"
    out.print(
        f"MDC {result.mdc or '-'}  {result.kind}  weight {result.weight}  "
        f"GMLOS {result.gmlos}  AMLOS {result.amlos}  [{where}]"
    )
    out.print(f"principal: {result.principal}")
    out.print(f"MCC: {', '.join(result.mcc) or 'none'}")
    out.print(f"CC: {', '.join(result.cc) or 'none'}")
    for excluded in result.excluded:
        out.print(f"not counted: {excluded.code} ({excluded.level}): {excluded.reason}")
    for what in result.what_if:
        out.print(f"what if: {what.message}")
    for note in result.notes:
        out.print(f"note: {note}")
