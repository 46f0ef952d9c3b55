"""The command line loads a command's module only when that command runs, and its
``--help`` lists every command from the lazy table without loading any."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from medcoder.cli import COMMANDS, main
from medcoder.cli.lazy import LazyGroup

CLI_DIR = Path(__file__).resolve().parents[2] / "src" / "medcoder" / "cli"
COMMAND_MODULES = sorted({lazy.module for lazy in COMMANDS.values()})


def _listing(group: click.Group) -> str:
    ctx = click.Context(group, info_name="medcoder")
    formatter = ctx.make_formatter()
    group.format_commands(ctx, formatter)
    return formatter.getvalue()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_help_is_the_commands_own(name: str) -> None:
    command = COMMANDS[name].load()
    assert command.name == name
    assert COMMANDS[name].short_help == command.get_short_help_str(limit=sys.maxsize)


def test_listing_equals_the_one_of_the_loaded_commands() -> None:
    lazy = LazyGroup(name="medcoder", lazy_commands=COMMANDS)
    loaded = click.Group(name="medcoder", commands={n: c.load() for n, c in COMMANDS.items()})
    assert _listing(lazy) == _listing(loaded)
    assert all(f"  {name} " in _listing(lazy) for name in COMMANDS)


def test_every_command_is_in_the_table() -> None:
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(COMMANDS)


def _modules_after(*args: str) -> set[str]:
    """The modules loaded by ``medcoder ARGS`` run in a fresh interpreter."""
    script = (
        "import json, sys\n"
        "from medcoder.cli import main\n"
        f"main({list(args)!r}, prog_name='medcoder', standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_imports_no_command_module_and_nothing_heavy() -> None:
    loaded = _modules_after("--help")
    assert not loaded & set(COMMAND_MODULES)
    for heavy in ("fastapi", "sqlalchemy", "alembic", "rich", "lxml", "openpyxl",
                  "medcoder.pipeline", "medcoder.codesets.registry"):  # fmt: skip
        assert heavy not in loaded, heavy


def test_a_command_loads_its_module_only() -> None:
    loaded = _modules_after("pcs", "--help")
    assert "medcoder.cli.pcs" in loaded
    assert not loaded & (set(COMMAND_MODULES) - {"medcoder.cli.pcs"})
    assert "fastapi" not in loaded and "sqlalchemy" not in loaded


@pytest.mark.parametrize("path", sorted(CLI_DIR.glob("*.py")), ids=lambda p: p.name)
def test_command_modules_never_import_the_main_group(path: Path) -> None:
    """Helpers come from cli/common.py: a command module importing medcoder.cli is a loop."""
    if path.name == "__init__.py":
        return
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.module != "medcoder.cli", f"{path.name}:{node.lineno}"
        elif isinstance(node, ast.Import):
            assert all(alias.name != "medcoder.cli" for alias in node.names), path.name


def test_python_dash_m_medcoder() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "medcoder", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: medcoder [OPTIONS] COMMAND")
