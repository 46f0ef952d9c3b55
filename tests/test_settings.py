"""Every environment read is in settings.py, and every variable it names is documented."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from medcoder import settings
from medcoder.errors import ConfigurationError, DataNotFoundError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "medcoder"
ENVIRONMENT_READS = {"environ", "environb", "getenv", "getenvb"}


def environment_reads(source: str) -> list[int]:
    """Lines that read the environment through ``os``; a write (``os.environ[K] = v``,
    which ``medcoder serve`` does for its workers) is not a read."""
    tree = ast.parse(source)
    writes = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del)
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            lines += [node.lineno for alias in node.names if alias.name in ENVIRONMENT_READS]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ENVIRONMENT_READS
            and id(node) not in writes
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_reads_and_passes_writes() -> None:
    source = (
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('X')\nb = os.getenv('Y')\nc = os.environ['Z']\n"
        "os.environ['W'] = '1'\n"
    )
    assert sorted(environment_reads(source)) == [2, 3, 4, 5]


def test_no_module_but_settings_reads_the_environment() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "settings.py"
        for line in environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "read the environment through medcoder.settings"


def test_every_envvar_option_is_a_setting() -> None:
    named = {
        match
        for path in PACKAGE.rglob("*.py")
        for match in re.findall(r"envvar=\"([A-Z_]+)\"", path.read_text(encoding="utf-8"))
    }
    assert named <= set(settings.ENVIRONMENT)


def test_every_variable_settings_names_is_listed() -> None:
    source = (PACKAGE / "settings.py").read_text(encoding="utf-8")
    constants = set(re.findall(r"^[A-Z_]+_ENV = \"(MEDCODER_[A-Z_]+)\"", source, re.M))
    assert constants == set(settings.ENVIRONMENT)


def test_every_variable_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Settings", 1)[1].split("\n###", 1)[0]
    rows = re.findall(r"^\| `(MEDCODER_[A-Z_]+)` \|", table, re.M)
    assert rows == list(settings.ENVIRONMENT)


def test_an_empty_value_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.DATABASE_URL_ENV, "")
    monkeypatch.setenv(settings.MUE_FILE_ENV, "")
    assert settings.database_url() is None
    assert settings.mue_file() is None


def test_home_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    assert settings.home_dir() == tmp_path
    assert settings.home_dir(tmp_path / "given") == tmp_path / "given"


def test_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(settings.DATA_ENV, str(tmp_path))
    assert settings.data_dir() == tmp_path
    monkeypatch.setenv(settings.DATA_ENV, str(tmp_path / "missing"))
    assert settings.find_data_dir() is None
    with pytest.raises(DataNotFoundError, match="missing"):
        settings.data_dir()


def test_token_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.TOKEN_TTL_ENV, raising=False)
    assert settings.token_ttl() == dt.timedelta(hours=8)
    monkeypatch.setenv(settings.TOKEN_TTL_ENV, "0")
    assert settings.token_ttl() == dt.timedelta(minutes=1)
    monkeypatch.setenv(settings.TOKEN_TTL_ENV, "soon")
    with pytest.raises(ConfigurationError, match="soon"):
        settings.token_ttl()


def test_secure_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.SECURE_COOKIES_ENV, "1")
    assert settings.secure_cookies()
    monkeypatch.setenv(settings.SECURE_COOKIES_ENV, "yes")
    assert not settings.secure_cookies()
