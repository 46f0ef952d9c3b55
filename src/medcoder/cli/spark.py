"""``medcoder spark-code IN OUT``: a Parquet table of notes coded on Apache Spark."""

from __future__ import annotations

from pathlib import Path

import click

from medcoder.cli.common import friendly_errors, registry, require_extra

__all__ = ["spark_code"]


@click.command("spark-code")
@click.argument("source", type=click.Path(path_type=Path))
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master: local[N] (N cores here), spark://HOST:PORT, yarn...")  # fmt: skip
@click.option("--partitions", type=click.IntRange(1, 100_000),
              help="Tasks to split the notes into (default: twice the cores).")  # fmt: skip
@click.pass_context
@friendly_errors
def spark_code(
    ctx: click.Context, source: Path, output: Path, master: str, partitions: int | None
) -> None:
    """Code a Parquet table of notes on Apache Spark into a Parquet folder (the fields of batch).

    SOURCE: a .parquet file or a folder of them, with the columns of a batch line (text;
    id, setting, date, age, sex, patient_status). OUTPUT: a new folder of Parquet parts,
    one row per note: id, line, error, codes, dropped, procedures, em_level (JSON text),
    release, encounter_confidence. Needs pip install 'medcoder[spark]' and Java 17+."""
    require_extra("spark", "`medcoder spark-code`")
    from medcoder.spark.job import code_parquet, session

    home = registry(ctx).home
    if not source.exists():  # before Spark starts (seconds)
        from medcoder.errors import InvalidInputError

        raise InvalidInputError(f"no Parquet table at {source}",
                                hint="give a .parquet file or a folder of them")  # fmt: skip
    spark = session(master, partitions=partitions or 8)
    try:
        coded, failed = code_parquet(spark, source, output, home=home, partitions=partitions)
    finally:
        spark.stop()
    click.echo(f"{coded} coded, {failed} failed, written to {output}", err=True)
    if failed:
        click.echo('failed rows carry an "error" field in the output', err=True)
