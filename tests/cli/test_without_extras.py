"""``pip install -e .`` with no extras: every command runs, and one that needs an extra
(``serve``: api; parquet export: parquet; a PostgreSQL URL: postgres) prints one line
naming it, never a traceback. The optional packages are made unimportable in a fresh
interpreter (``sys.modules[name] = None``), as if they were not installed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from medcoder.cli import COMMANDS
from medcoder.cli.common import EXTRAS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "office-visit.txt"
OPTIONAL = ("fastapi", "uvicorn", "jinja2", "multipart", "python_multipart", "pyarrow",
            "psycopg", "starlette", "httpx")  # fmt: skip
PRELUDE = (
    "import sys\n"
    f"for name in {OPTIONAL!r}:\n"
    "    sys.modules[name] = None\n"
    "from medcoder.cli import main\n"
    "main(sys.argv[1:], prog_name='medcoder')\n"
)


def medcoder(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_one_line(done: subprocess.CompletedProcess[str], code: str, extra: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) >= 1 and lines[0].startswith(f"error[{code}]: "), done.stderr
    assert f"pip install 'medcoder[{extra}]'" in lines[0]


def test_extras_are_the_ones_of_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["optional-dependencies"]
    for extra, distributions in EXTRAS.items():
        names = [re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0] for spec in declared[extra]]
        assert tuple(names) == distributions, extra


def test_help_of_every_command() -> None:
    assert medcoder("--help").returncode == 0
    for name in sorted(COMMANDS):
        done = medcoder(name, "--help")
        assert done.returncode == 0, (name, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stdout.startswith(f"Usage: medcoder {name}"), name


def test_code_a_note(built_home: Path) -> None:
    done = medcoder("--home", str(built_home), "code", str(EXAMPLE), "--date", "2026-05-01")
    assert done.returncode == 0, done.stderr
    assert "E11.22" in done.stdout and "Traceback" not in done.stderr


def test_serve_names_the_api_extra(tmp_path: Path) -> None:
    done = medcoder("--home", str(tmp_path), "serve")
    assert_one_line(done, "E102", "api")
    assert len(done.stderr.splitlines()) == 1


def test_parquet_export_names_the_parquet_extra(tmp_path: Path) -> None:
    out = tmp_path / "codes.parquet"
    done = medcoder("--home", str(tmp_path), "export", "--deidentified", "--format", "parquet",
                    "--output", str(out))  # fmt: skip
    assert_one_line(done, "E407", "parquet")


@pytest.mark.parametrize("args", [("db", "init"), ("queue",)])
def test_a_postgresql_url_names_the_postgres_extra(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = "postgresql+psycopg://medcoder:medcoder@127.0.0.1:9/medcoder"
    done = medcoder("--home", str(tmp_path), *args, env={"MEDCODER_DATABASE_URL": url})
    assert_one_line(done, "E102", "postgres")
    assert len(done.stderr.splitlines()) == 1
