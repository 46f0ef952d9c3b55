"""``medcoder claim ENC --format 837p|837i|fhir``: a finalized encounter as a claim.

The records service reads the encounter (a manager's identified export, audited); the
interop writers check every code against the releases in force and write X12 5010 837P /
837I or a FHIR R4 Bundle. Submitter, receiver and billing provider come from the
``MEDCODER_CLAIM_*`` settings (synthetic placeholders by default, ISA15 ``T``).
"""

from __future__ import annotations

from pathlib import Path

import click

from medcoder.cli.common import (
    check_output_folder,
    friendly_errors,
    records,
    user_option,
    write_output,
)

__all__ = ["claim"]


@click.command("claim")
@click.argument("encounter")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["837p", "837i", "fhir"]),
    required=True,
    help="837p professional, 837i institutional (X12 5010), fhir (R4 Bundle, JSON).",
)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Default: stdout."
)
@click.option(
    "--control-number",
    type=click.IntRange(1, 999_999_999),
    default=1,
    show_default=True,
    help="X12 interchange and group control number (ISA13, GS06).",
)
@click.option("--production", is_flag=True, help="X12: mark the interchange P (default T, test).")
@user_option
@click.pass_context
@friendly_errors
def claim(
    ctx: click.Context,
    encounter: str,
    fmt: str,
    output: Path | None,
    control_number: int,
    production: bool,
    user: str | None,
) -> None:
    """A finalized encounter as a claim: X12 837P, 837I or a FHIR R4 Bundle."""
    from medcoder.records.claim_out import InstalledCodeCatalog

    check_output_folder(output)
    service = records(ctx)
    document = service.claim_document(user, encounter, fmt=fmt)
    catalog = InstalledCodeCatalog(service.home)
    try:
        if fmt == "fhir":
            from medcoder.interop.fhir_out import build_bundle

            text = build_bundle(document, catalog=catalog).model_dump_json(indent=2) + "\n"
        else:
            from medcoder.interop.x12_837 import ClaimFormat, build_837

            text = build_837(
                [document],
                ClaimFormat(fmt),
                control_number=control_number,
                production=production,
                catalog=catalog,
            )
    finally:
        catalog.close()
    write_output(text, output, f"claim {encounter} written to {output} ({fmt})")
