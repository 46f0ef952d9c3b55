"""`medcoder check CLAIM.json` and `medcoder code --check` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcoder.cli import main

pytestmark = pytest.mark.slow


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_check_prints_findings_as_json_and_exits_1(
    built_home: Path, tmp_path: Path, shared_data: Path
) -> None:
    claim = {
        "id": "CLM-9",
        "date_of_service": "2026-05-01",
        "setting": "outpatient",
        "codes": [
            {"system": "icd10cm", "code": "E11.9"},
            {"system": "icd10cm", "code": "E10.9"},
            {"system": "hcpcs", "code": "A2040"},
        ],
    }
    code, out, _ = _run(built_home, "check", str(_write(tmp_path, claim)), "--format", "json",
                        "--data", str(shared_data))  # fmt: skip
    assert code == 1
    data = json.loads(out)
    assert data["claim"] == "CLM-9" and data["errors"] == 1
    (finding,) = data["findings"]
    assert finding["edit"] == "excludes1.v1" and finding["release"] == "icd10cm-2026-04"
    assert {"severity", "codes", "rule", "source", "fix", "key"} <= set(finding)


def test_check_table_of_a_clean_claim_exits_0(
    built_home: Path, tmp_path: Path, shared_data: Path
) -> None:
    claim = {"date_of_service": "2026-05-01", "codes": [{"system": "icd10cm", "code": "I10"}]}
    code, out, _ = _run(built_home, "check", str(_write(tmp_path, claim)),
                        "--data", str(shared_data))  # fmt: skip
    assert code == 0
    assert "0 error(s), 0 warning(s)" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "error[E601]: "),
        ('{"date_of_service": "2026-02-30", "codes": []}', "is not a date"),
        (
            '{"date_of_service": "2026-05-01", "codes": [{"system": "loinc", "code": "1"}]}',
            "unknown code system 'loinc'",
        ),
    ],
)
def test_bad_claims_print_one_error_line(
    built_home: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = _run(built_home, "check", str(path))
    assert code == 2
    assert err.startswith("error[E601]: ") and message in err
    assert "Traceback" not in err


def test_code_check_adds_the_edits_to_the_output(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("ASSESSMENT:\n1. Essential hypertension.\n", encoding="utf-8")
    code, out, _ = _run(built_home, "code", str(note), "--date", "2026-05-01", "--check",
                        "--format", "json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["edits"]["releases"]["icd10cm"] == "icd10cm-2026-04"
    assert data["edits"]["errors"] == 0


def test_every_edit_is_listed_and_documented(built_home: Path) -> None:
    code, out, _ = _run(built_home, "edits", "list", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    ids = [e["edit"] for e in listed]
    assert len(ids) == len(set(ids)) and all(e["rule"] and e["source"] for e in listed)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    undocumented = [i for i in ids if f"`{i}`" not in readme]
    assert undocumented == []
