"""``medcoder hcc``: CMS-HCC risk adjustment of a list of codes or of a patient-year."""

from __future__ import annotations

from pathlib import Path

import click

from medcoder.cli.common import (
    console,
    emit_json,
    format_option,
    friendly_errors,
    records,
    registry,
    user_option,
)
from medcoder.errors import GroupingInputError

__all__ = ["hcc"]


@click.command("hcc")
@click.argument("codes", nargs=-1)
@click.option("--age", type=int, help="Age (with --patient: from the record, on Feb 1).")
@click.option("--sex", type=click.Choice(["F", "M"], case_sensitive=False), help="F or M.")
@click.option(
    "--model",
    type=click.Choice(["v28", "v24"], case_sensitive=False),
    help="One model alone (default: the payment year's CMS blend).",
)
@click.option("--year", type=int, default=2026, show_default=True, help="Payment year.")
@click.option(
    "--dual",
    default="NA",
    show_default=True,
    help="Medicaid dual status code (NA: non-dual; 02 full, 01 partial...).",
)
@click.option("--patient", "mrn", help="Score a patient-year from its finalized encounters.")
@click.option(
    "--service-year",
    type=int,
    help="With --patient: year of the dates of service (default: year - 1).",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    help="CMS data folder holding hcc/ (default: $MEDCODER_DATA, ../shared/data).",
)
@user_option
@format_option
@click.pass_context
@friendly_errors
def hcc(
    ctx: click.Context,
    codes: tuple[str, ...],
    age: int | None,
    sex: str | None,
    model: str | None,
    year: int,
    dual: str,
    mrn: str | None,
    service_year: int | None,
    data: Path | None,
    user: str | None,
    fmt: str,
) -> None:
    """CMS-HCC risk score of codes or a patient-year: HCCs, interactions, raw score.

    For CODES, or for a patient-year (--patient MRN: the ICD-10-CM codes of the
    finalized encounters whose CPT/HCPCS procedures make them eligible; inpatient stays
    count as they are)."""
    from medcoder.hcc.codes import release_check
    from medcoder.hcc.model import risk_score
    from medcoder.hcc.patient import age_for_payment_year, patient_year_score
    from medcoder.settings import find_data_dir

    if mrn is not None:
        if codes:
            raise GroupingInputError("give CODES or --patient, not both")
        inputs = records(ctx).risk_inputs(user, mrn, service_year or year - 1)
        patient_sex = sex or inputs.sex
        if patient_sex is None:
            raise GroupingInputError("the patient's sex is not recorded", hint="give --sex")
        result = patient_year_score(
            inputs.encounters,
            age=age if age is not None else age_for_payment_year(inputs.dob, year),
            sex=patient_sex.upper(),
            year=year,
            model=model,
            dual=dual,
            data=find_data_dir(data),
        )
    else:
        if not codes:
            raise GroupingInputError("no diagnosis codes", hint="give CODES or --patient MRN")
        if age is None or sex is None:
            raise GroupingInputError("--age and --sex are required with CODES")
        result = risk_score(
            codes,
            age=age,
            sex=sex.upper(),
            year=year,
            model=model,
            dual=dual,
            check=release_check(registry(ctx)),
        )
    if fmt == "json":
        emit_json(result.to_dict())
        return
    out = console()
    out.print(
        f"risk score {result.risk_score:.3f}  PY{result.payment_year}  age {result.age} "
        f"sex {result.sex}  [{result.source}]",
        style="bold",
    )
    for score in result.models:
        out.print(
            f"{score.model} ({score.blend:.0%}): {score.risk_score:.3f}  "
            f"{score.segment}, {score.category} {score.demographic_score:.3f}"
        )
        for factor in score.hccs:
            out.print(
                f"  HCC {factor.hcc} {factor.label or ''}: {factor.coefficient:.3f} "
                f"({', '.join(factor.codes)})"
            )
        for name, value in score.interactions:
            out.print(f"  interaction {name}: {value:.3f}")
    for code in result.codes:
        for hcc_, by in code.dropped:
            out.print(f"dropped: {code.code} HCC {hcc_} under HCC {by} ({code.model})")
    mapped = {c.code for c in result.codes if c.hccs}
    unmapped = [c for c in result.diagnoses if c not in mapped]
    if unmapped:
        out.print(f"no HCC: {', '.join(unmapped)}")
    for excluded in result.excluded_encounters:
        out.print(f"not counted: encounter {excluded.encounter}: {excluded.reason}")
    for note in result.notes:
        out.print(f"note: {note}")
