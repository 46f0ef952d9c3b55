"""What every ``medcoder`` command shares: error reporting, output, options, the stores.

Command modules import their helpers from here, never from ``medcoder.cli`` (the main
group), so that no command module imports the CLI back. Importing this module is cheap
(click and the error types): the code-set registry, the records database and rich are
imported by the helper that needs them, when a command runs.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from medcoder.errors import ExportError, MedcoderError, MissingExtraError

if TYPE_CHECKING:
    from rich.console import Console

    from medcoder.codesets.registry import Registry
    from medcoder.codesets.store import Release
    from medcoder.records.service import Records

__all__ = [
    "EXTRAS",
    "FORMAT",
    "choose_release",
    "console",
    "date_option",
    "emit_json",
    "format_option",
    "friendly_errors",
    "home",
    "parse_day",
    "records",
    "registry",
    "release_option",
    "require_extra",
    "user_option",
]

P = ParamSpec("P")
R = TypeVar("R")

FORMAT = click.Choice(["table", "json"])
release_option = click.option("--release", "release", help="Release name, e.g. icd10cm-2026-04.")
date_option = click.option("--date", "day", help="Date of service (YYYY-MM-DD): picks the release.")
format_option = click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
user_option = click.option(
    "--user", "user", envvar="MEDCODER_USER", help="Acting user (default: $MEDCODER_USER)."
)

#: The optional parts of medcoder: each pip extra of pyproject.toml and the distributions
#: it installs (a test keeps the two equal).
EXTRAS: dict[str, tuple[str, ...]] = {
    "api": ("fastapi", "uvicorn", "jinja2", "python-multipart"),
    "parquet": ("pyarrow",),
    "postgres": ("psycopg",),
    "reports": ("matplotlib", "elixhauser-ahrq"),
    "spark": ("pyspark", "pyarrow", "pandas"),
}
# The import name of each distribution above (python-multipart is imported as
# python_multipart, by older releases as multipart).
_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "fastapi": ("fastapi",),
    "uvicorn": ("uvicorn",),
    "jinja2": ("jinja2",),
    "python-multipart": ("python_multipart", "multipart"),
    "pyarrow": ("pyarrow",),
    "psycopg": ("psycopg",),
    "matplotlib": ("matplotlib",),
    "elixhauser-ahrq": ("elixhauser_ahrq",),
    "pyspark": ("pyspark",),
    "pandas": ("pandas",),
}
# A module of two extras (pyarrow: parquet, spark) is named by the first.
_EXTRA_OF_MODULE: dict[str, str] = {}
for _extra, _distributions in EXTRAS.items():
    for _distribution in _distributions:
        for _module in _IMPORT_NAMES[_distribution]:
            _EXTRA_OF_MODULE.setdefault(_module, _extra)


def require_extra(extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` (one line naming the extra) unless every package
    of ``extra`` can be imported; looked up without importing them."""
    missing = [
        distribution
        for distribution in EXTRAS[extra]
        if not any(importlib.util.find_spec(name) for name in _IMPORT_NAMES[distribution])
    ]
    if missing:
        raise MissingExtraError(what, extra, EXTRAS[extra])


def _missing_extra(exc: ModuleNotFoundError) -> MissingExtraError | None:
    """The extra that would install the module an optional code path failed to import."""
    top = (exc.name or "").partition(".")[0]
    extra = _EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    ctx = click.get_current_context(silent=True)
    what = f"`{ctx.command_path}`" if ctx is not None else "this command"
    return MissingExtraError(what, extra, EXTRAS[extra])


def _report(exc: MedcoderError) -> None:
    click.echo(f"error[{exc.code}]: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn every error into one readable line on stderr (exit 2; 70 when unexpected)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MedcoderError as exc:
            _report(exc)
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # never a traceback at the CLI
            missing = _missing_extra(exc) if isinstance(exc, ModuleNotFoundError) else None
            if missing is not None:  # e.g. a postgresql+psycopg URL without psycopg
                _report(missing)
                sys.exit(2)
            click.echo(f"error[E000]: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("hint: please report this with the command you ran", err=True)
            sys.exit(70)

    return wrapper


def console() -> Console:
    """A rich console for tables and plain lines."""
    from rich.console import Console

    # Tabular text holds square brackets ("[any part, except buttock]"): never markup.
    return Console(highlight=False, soft_wrap=True, markup=False)


def emit_json(data: Any) -> None:
    """Print DATA as indented JSON (non-ASCII kept as is)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def check_output_folder(output: Path | None) -> None:
    """Refuse an ``--output`` whose folder does not exist, before any PHI is read."""
    if output is not None and not output.parent.is_dir():
        raise ExportError(
            f"cannot write {output}: no folder {output.parent}", hint="create the folder first"
        )


def write_output(text: str, output: Path | None, done: str) -> None:
    """TEXT to stdout, or to ``--output`` and then ``done`` said on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(done, err=True)


def write_parquet(rows: list[dict[str, Any]], output: Path) -> None:
    """ROWS as one Parquet table at ``output`` (pyarrow: the caller has checked the extra),
    then how many rows said on stderr."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.write_table(pa.Table.from_pylist(rows), output)
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc}") from exc
    click.echo(f"{len(rows)} row(s) written to {output}", err=True)


def home(ctx: click.Context) -> Path | None:
    """The ``--home`` given to ``medcoder`` (None: $MEDCODER_HOME or the default)."""
    given: Path | None = (ctx.find_root().obj or {}).get("home")
    return given


def registry(ctx: click.Context) -> Registry:
    """The ICD-10-CM release registry of this invocation (opened once)."""
    from medcoder.codesets.registry import Registry

    obj = ctx.find_root().obj
    found: Registry | None = obj.get("registry")
    if found is None:
        found = Registry(obj.get("home"))
        obj["registry"] = found
    return found


def choose_release(ctx: click.Context, name: str | None, day: str | None) -> Release:
    """The release named, else the one in force on the date of service, else the newest."""
    return registry(ctx).choose(name=name, day=parse_day(day))


def parse_day(day: str | None) -> date | None:
    """``--date``: YYYY-MM-DD, else error E300 (the pipeline's own reading of a date)."""
    if day is None:  # the coding pipeline is imported only when there is a date to read
        return None
    from medcoder.pipeline import parse_date

    return parse_date(day)


def records(ctx: click.Context) -> Records:
    """The records database of this invocation (opened once, closed when it ends)."""
    from medcoder.records.service import Records

    obj = ctx.find_root().obj
    found: Records | None = obj.get("records")
    if found is None:
        found = Records.open(home(ctx))
        obj["records"] = found
        ctx.call_on_close(found.close)
    return found
