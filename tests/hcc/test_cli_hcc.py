"""``medcoder hcc CODE...``: JSON keys, the table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medcoder.cli import main


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), "hcc", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json(built_home: Path) -> None:
    code, out, _ = _run(
        built_home,
        "E11.22",
        "N184",
        "I50.9",
        "--age",
        "70",
        "--sex",
        "F",
        "--model",
        "v28",
        "--year",
        "2026",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and data["risk_score"] == 1.723
    assert set(data["hccs"]) == {"37", "226", "327"}


def test_table_names_dropped_hcc(built_home: Path) -> None:
    code, out, _ = _run(built_home, "E11.9", "E11.22", "--age", "70", "--sex", "M")
    assert code == 0 and "HCC 37 " in out and "dropped: E11.9 HCC 38 under HCC 37" in out


def test_bad_code_and_age_are_one_line(built_home: Path) -> None:
    code, _, err = _run(built_home, "E11", "--age", "70", "--sex", "F")
    assert code == 2 and err.startswith("error[E702]: diagnosis E11: E11 is a header")
    code, _, err = _run(built_home, "E11.9", "--age", "-3", "--sex", "F")
    assert code == 2 and err.startswith("error[E702]: age -3") and "Traceback" not in err
