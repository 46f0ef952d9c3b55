"""``medcoder pcs ...`` run in-process on releases built from the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from medcoder.cli import main


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), "pcs", *args])


def test_show_table_and_json(pcs_fixture_home: Path) -> None:
    result = run(pcs_fixture_home, "show", "0DTJ4ZZ")
    assert result.exit_code == 0, result.output
    assert "Resection of Appendix, Percutaneous Endoscopic Approach" in result.output
    assert "Vermiform" in result.output
    data = json.loads(run(pcs_fixture_home, "show", "0dtn0zz", "--format", "json").output)
    assert data["title_composed"] is True and data["release"] == "icd10pcs-2026"
    assert data["characters"][3] | {"includes": []} == {
        "position": 4, "axis": "Body Part", "value": "N", "label": "Sigmoid Colon",
        "definition": "", "explanation": "", "includes": [],
    }  # fmt: skip


def test_release_by_date(pcs_fixture_home: Path) -> None:
    old = run(pcs_fixture_home, "show", "0DTK0ZZ", "--date", "2025-06-01")
    assert old.exit_code == 0 and "Gallbladder" in old.output
    new = run(pcs_fixture_home, "show", "0DTK0ZZ", "--date", "2025-11-01")
    assert new.exit_code == 2
    assert "error[E240]" in new.output and "character 4 (body part) 'K'" in new.output
    assert "Traceback" not in new.output


def test_validate_exit_status_and_json(pcs_fixture_home: Path) -> None:
    ok = run(pcs_fixture_home, "validate", "0DTJ0ZZ")
    assert ok.exit_code == 0 and ok.output.startswith("valid")
    bad = run(pcs_fixture_home, "validate", "0DTJ0ZZ", "0DTJXZZ", "--format", "json")
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert [d["valid"] for d in data] == [True, False]
    assert data[1]["problem"]["position"] == 5 and data[1]["problem"]["axis"] == "Approach"


def test_table_rows_and_unknown_table(pcs_fixture_home: Path) -> None:
    result = run(pcs_fixture_home, "table", "0DT")
    assert result.exit_code == 0 and "row 2 (1 codes)" in result.output
    data = json.loads(run(pcs_fixture_home, "table", "0DT", "--format", "json").output)
    assert [v["code"] for v in data["rows"][1]["Qualifier"]] == ["G"]
    missing = run(pcs_fixture_home, "table", "0DX")
    assert missing.exit_code == 2 and "character 3 (operation) 'X'" in missing.output


def test_search_list_and_diff(pcs_fixture_home: Path) -> None:
    hits = json.loads(run(pcs_fixture_home, "search", "sigmoid", "--format", "json").output)
    assert {h["code"] for h in hits} == {"0DTN0ZZ", "0DTN4ZZ", "0DTN8ZZ"}
    listing = run(pcs_fixture_home, "list")
    assert "icd10pcs-2025" in listing.output and "icd10pcs-2026" in listing.output
    diff = run(pcs_fixture_home, "diff", "icd10pcs-2025", "icd10pcs-2026")
    assert "5 added, 3 deleted" in diff.output and "deleted  0DTK0ZZ" in diff.output


def test_no_release_installed_is_a_friendly_error(tmp_path: Path) -> None:
    result = run(tmp_path, "show", "0DTJ0ZZ")
    assert result.exit_code == 2
    assert "error[E201]: no ICD-10-PCS release is installed" in result.output


def test_search_falls_back_to_coding_the_words(pcs_home: Path) -> None:
    data = json.loads(
        run(pcs_home, "search", "laparoscopic", "appendectomy", "--format", "json").output
    )
    assert [(h["code"], h["found_by"]) for h in data] == [("0DTJ4ZZ", "coded")]
    titled = json.loads(run(pcs_home, "search", "resection", "appendix", "--format", "json").output)
    assert titled and all(h["found_by"] == "title" for h in titled)
