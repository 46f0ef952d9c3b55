"""``medcoder drg``: JSON keys, the table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medcoder.cli import main


def _run(home: Path, data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), "drg", "--data", str(data), *args])
    return result.exit_code, result.stdout, result.stderr


def test_json(cm_pcs_home: Path, shared_data: Path) -> None:
    code, out, _ = _run(
        cm_pcs_home,
        shared_data,
        "--pdx",
        "j189",
        "--sdx",
        "J96.01",
        "--age",
        "70",
        "--sex",
        "F",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0
    assert {"drg", "mdc", "title", "weight", "gmlos", "mcc", "cc"} <= set(data)
    assert (data["drg"], data["mdc"], data["mcc"]) == ("193", "04", ["J96.01"])


def test_table_shows_what_if(cm_pcs_home: Path, shared_data: Path) -> None:
    code, out, _ = _run(cm_pcs_home, shared_data, "--pdx", "J18.9")
    assert code == 0 and "MS-DRG 195" in out and "an MCC would move 195 -> 193" in out


def test_bad_code_is_one_line(cm_pcs_home: Path, shared_data: Path) -> None:
    code, _, err = _run(cm_pcs_home, shared_data, "--pdx", "J18.9", "--sdx", "ZZZ")
    assert code == 2
    assert err.startswith("error[E702]: secondary diagnosis 1") and "Traceback" not in err
