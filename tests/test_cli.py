"""The ``medcoder`` command line, run in-process with click's CliRunner.

Every deliberate error prints ``error[Exxx]: ...`` (and a hint) on stderr, exits 2 and
never shows a traceback; ``codes validate`` exits 1 for a code not valid for reporting.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from medcoder.cli import main
from medcoder.codesets.registry import Registry

pytestmark = pytest.mark.slow

NOTE_KEYS = {
    "includes", "inclusion_terms", "excludes1", "excludes2", "code_first",
    "use_additional_code", "code_also", "notes",
}  # fmt: skip


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


@pytest.fixture(scope="session")
def cli_home(built_home: Path) -> Path:
    """Releases built from ../shared/data once per session (tests/conftest.py)."""
    return built_home


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args], env=env)


def run_json(home: Path, *args: str) -> Any:
    result = run(home, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_user_error(result: Result, code: str) -> str:
    """One ``error[code]`` line on stderr, exit status 2, no traceback; returns stderr."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"error[{code}]: "), result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


# -- codes show ----------------------------------------------------------------------------
def test_show_json(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "show", "E11.22")
    assert {"code", "title", "billable", "release", "ancestors", "children", "notes",
            "seven_character"} <= set(data)  # fmt: skip
    assert data["code"] == "E11.22"
    assert data["title"] == "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    assert data["billable"] is True
    assert data["kind"] == "code"
    assert data["release"] == "icd10cm-2026-04"
    assert [a["code"] for a in data["ancestors"]] == ["4", "E08-E13", "E11", "E11.2"]
    assert data["children"] == []
    assert data["seven_character"] is None
    assert set(data["notes"]) == NOTE_KEYS
    for notes in data["notes"].values():
        for note in notes:
            assert set(note) == {"text", "inherited_from"}
    own = data["notes"]["use_additional_code"][0]
    assert own == {
        "text": "code to identify stage of chronic kidney disease (N18.1-N18.6)",
        "inherited_from": None,
    }
    assert {"text": "type 1 diabetes mellitus (E10.-)", "inherited_from": "E11"} in data["notes"][
        "excludes1"
    ]


def test_show_json_seven_character(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "show", "S72.001A")
    seven = data["seven_character"]
    assert seven["defined_at"] == "S72"
    assert seven["note"].startswith("The appropriate 7th character")
    assert [v["character"] for v in seven["values"]] == list("ABCDEFGHJKMNPQRS")
    assert seven["values"][0] == {
        "character": "A",
        "meaning": "initial encounter for closed fracture",
    }


def test_show_header_lists_children(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "show", "e11.2")
    assert data["code"] == "E11.2"
    assert data["billable"] is False
    assert [c["code"] for c in data["children"]] == ["E11.21", "E11.22", "E11.29"]


def test_show_table(cli_home: Path) -> None:
    result = run(cli_home, "codes", "show", "S72.001A")
    assert result.exit_code == 0, result.output
    assert "S72.001A" in result.stdout
    assert "7th character (defined at S72)" in result.stdout
    assert "excludes2: fracture of foot (S92.-)" in result.stdout


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("L02.212", "Cutaneous abscess of back [any part, except buttock and flank]"),
        ("S72.001A", "excludes2: fracture of foot (S92.-)  [from S72]"),
    ],
)
def test_show_table_prints_square_brackets(cli_home: Path, code: str, shown: str) -> None:
    result = run(cli_home, "codes", "show", code)
    assert result.exit_code == 0, result.output
    assert shown in result.stdout


def test_date_of_service_picks_the_release(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "show", "G35", "--date", "2025-06-01")
    assert data["release"] == "icd10cm-2025-04"
    assert data["billable"] is True
    data = run_json(cli_home, "codes", "show", "G35", "--date", "2026-06-01")
    assert data["release"] == "icd10cm-2026-04"
    assert data["billable"] is False


def test_release_by_name(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "show", "E11.22", "--release", "icd10cm-2021-01")
    assert data["release"] == "icd10cm-2021-01"


def test_home_from_environment(cli_home: Path) -> None:
    result = CliRunner().invoke(
        main, ["codes", "show", "E11.22", "--format", "json"], env={"MEDCODER_HOME": str(cli_home)}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["release"] == "icd10cm-2026-04"


# -- codes validate ------------------------------------------------------------------------
def test_validate_needs_seventh_character_exits_1(cli_home: Path) -> None:
    result = run(cli_home, "codes", "validate", "S72.001")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        "S72.001 requires a 7th character: A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S"
        in result.stdout
    )
    assert "try: S72.001A, S72.001B, S72.001C" in result.stdout


def test_validate_valid_code_exits_0(cli_home: Path) -> None:
    result = run(cli_home, "codes", "validate", "S72.001A")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("S72.001A: valid (icd10cm-2026-04)")


def test_validate_json(cli_home: Path) -> None:
    result = run(cli_home, "codes", "validate", "S00.00A", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "invalid"
    assert data["valid"] is False
    assert data["suggestions"] == ["S00.00XA"]


# -- search, index, tables -------------------------------------------------------------------
def test_search(cli_home: Path) -> None:
    result = run(cli_home, "codes", "search", "heart failure")
    assert result.exit_code == 0, result.output
    assert "I50" in result.stdout
    hits = run_json(cli_home, "codes", "search", "heart", "failure", "--limit", "5")
    assert len(hits) == 5
    assert hits[0]["code"] == "I50"
    assert set(hits[0]) == {"code", "title", "billable", "source", "matched", "score"}


def test_search_no_match(cli_home: Path) -> None:
    result = run(cli_home, "codes", "search", "xyzzyplugh")
    assert result.exit_code == 0
    assert "no match for 'xyzzyplugh'" in result.stdout


def test_index(cli_home: Path) -> None:
    result = run(cli_home, "codes", "index", "Diabetes, type 2, with, chronic kidney disease")
    assert result.exit_code == 0, result.output
    assert "E11.22" in result.stdout
    assert "code: E11.22" in result.stdout


def test_index_json_shows_verification(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "index", "Sclerosis, multiple")
    assert data["code"] == "G35.D"
    assert data["printed_code"] == "G35"
    assert data["verification"] == "expanded_resolved"
    assert data["found"] is True


def test_index_not_found_exits_1(cli_home: Path) -> None:
    result = run(cli_home, "codes", "index", "Xyzzyplugh")
    assert result.exit_code == 1
    assert "no main term matches 'Xyzzyplugh'" in result.stdout


def test_index_on_a_release_without_index(cli_home: Path) -> None:
    result = run(cli_home, "codes", "index", "Diabetes", "--release", "icd10cm-2021-01")
    stderr = assert_user_error(result, "E206")
    assert "hint:" in stderr


def test_neoplasm(cli_home: Path) -> None:
    result = run(cli_home, "codes", "neoplasm", "lung", "--behavior", "malignant-primary")
    assert result.exit_code == 0, result.output
    assert "row: Neoplasm, neoplastic, lung" in result.stdout
    assert "C34.9" in result.stdout
    assert "printed C34.9-; incomplete" in result.stdout


def test_drug_json(cli_home: Path) -> None:
    data = run_json(cli_home, "codes", "drug", "acetaminophen", "--intent", "poisoning-accidental")
    assert data["table"] == "drug"
    assert data["column"] == "poisoning-accidental"
    assert data["code"] == "T39.1X1"
    assert data["printed_code"] == "T39.1X1"
    assert data["verification"] == "needs_7th"
    assert data["row"]["Adverse effect"] == "T39.1X5"


def test_drug_not_in_table_exits_1(cli_home: Path) -> None:
    result = run(cli_home, "codes", "drug", "xyzzy", "--intent", "underdosing")
    assert result.exit_code == 1
    assert "no drug table row matches 'xyzzy'" in result.stdout


def test_table_column_is_a_click_choice(cli_home: Path) -> None:
    result = run(cli_home, "codes", "neoplasm", "lung", "--behavior", "bogus")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "'bogus' is not one of" in result.output


def test_neoplasm_site_not_found_is_not_answered_with_the_main_row(cli_home: Path) -> None:
    result = run(cli_home, "codes", "neoplasm", "lymph gland", "--behavior", "malignant-primary")
    assert result.exit_code != 0 or "not found" in result.output


# -- codesets ------------------------------------------------------------------------------
def test_codesets_list_json(cli_home: Path) -> None:
    data = run_json(cli_home, "codesets", "list")
    assert [r["name"] for r in data] == ["icd10cm-2021-01", "icd10cm-2025-04", "icd10cm-2026-04"]
    newest = data[-1]
    assert newest["effective_from"] == "2026-04-01"
    assert newest["effective_to"] == "2026-09-30"
    assert newest["index_fiscal_year"] == 2025
    assert newest["embedded"] is False
    assert all(len(s["sha256"]) == 64 for s in newest["sources"])


def test_codesets_list_table(cli_home: Path) -> None:
    result = run(cli_home, "codesets", "list")
    assert result.exit_code == 0, result.output
    for name in ["icd10cm-2021-01", "icd10cm-2025-04", "icd10cm-2026-04"]:
        assert name in result.stdout


def test_codesets_diff_json(cli_home: Path) -> None:
    data = run_json(cli_home, "codesets", "diff", "icd10cm-2025-04", "icd10cm-2026-04")
    assert {"added", "deleted", "revised", "notes_changed"} <= set(data)
    assert (data["old"], data["new"]) == ("icd10cm-2025-04", "icd10cm-2026-04")
    assert len(data["added"]) >= 500
    assert "G35.D" in {row["code"] for row in data["added"]}
    assert data["deleted"] and data["revised"] and data["notes_changed"]
    assert set(data["revised"][0]) == {"code", "old_title", "title"}


def test_codesets_diff_csv(cli_home: Path) -> None:
    result = run(
        cli_home, "codesets", "diff", "icd10cm-2025-04", "icd10cm-2026-04", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["change", "code", "title", "old_title", "note_kind", "detail"]
    changes = {row[0] for row in rows[1:]}
    assert changes == {"added", "deleted", "revised", "notes_changed"}
    assert ["added", "G35.D", "Multiple sclerosis, unspecified", "", "", ""] in rows


def test_codesets_diff_table_lists_the_changed_notes(cli_home: Path) -> None:
    result = run(cli_home, "codesets", "diff", "icd10cm-2025-04", "icd10cm-2026-04")
    assert result.exit_code == 0, result.output
    listed = result.stdout.split("notes changed")[-1]  # the table after the counts line
    assert "B18" in listed and "use_additional_code" in listed


def test_codesets_diff_unknown_release(cli_home: Path) -> None:
    result = run(cli_home, "codesets", "diff", "icd10cm-2025-04", "icd10cm-2099")
    assert_user_error(result, "E201")


# -- errors: one line, a hint, exit 2, no traceback ------------------------------------------
def test_unknown_code(cli_home: Path) -> None:
    stderr = assert_user_error(run(cli_home, "codes", "show", "E11.99"), "E205")
    assert stderr.splitlines() == [
        "error[E205]: E11.99 is not a code in icd10cm-2026-04",
        "hint: nearest valid codes: E11.9, E11.8, E11.A",
    ]


def test_date_no_release_covers(cli_home: Path) -> None:
    stderr = assert_user_error(
        run(cli_home, "codes", "show", "E11.22", "--date", "2030-01-01"), "E202"
    )
    assert "2030-01-01" in stderr
    assert "icd10cm-2026-04" in stderr


@pytest.mark.parametrize("day", ["2025-13-01", "yesterday", "01/06/2025"])
def test_malformed_date(cli_home: Path, day: str) -> None:
    stderr = assert_user_error(run(cli_home, "codes", "show", "E11.22", "--date", day), "E300")
    assert "hint: write dates as YYYY-MM-DD" in stderr


def test_unknown_release_name(cli_home: Path) -> None:
    result = run(cli_home, "codes", "show", "E11.22", "--release", "icd10cm-1999")
    stderr = assert_user_error(result, "E201")
    assert "icd10cm-1999" in stderr
    assert "hint:" in stderr


def test_setup_without_data_folder(tmp_path: Path) -> None:
    result = run(tmp_path / "home", "setup", "--data", "/nonexistent")
    stderr = assert_user_error(result, "E101")
    assert "/nonexistent" in stderr.splitlines()[0]
    hint = stderr.splitlines()[1]
    assert hint.startswith("hint: ") and "--data" in hint


def test_setup_with_truncated_tabular_names_file_and_line(tmp_path: Path) -> None:
    source = _repo_root().parent / "shared" / "data" / "icd10cm" / "fy2026-april"
    tabular = source / "icd10cm-tabular-April-1-2026.xml"
    if not tabular.is_file():
        pytest.skip(f"{tabular} not found")
    data = tmp_path / "data"
    data.mkdir()
    truncated = data / "icd10cm-tabular-April-1-2026.xml"
    with tabular.open("rb") as handle:
        truncated.write_bytes(handle.read(200_000))
    lines = truncated.read_bytes().count(b"\n") + 1

    home = tmp_path / "home"
    result = run(home, "setup", "--data", str(data))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    error = next(line for line in result.stderr.splitlines() if line.startswith("error["))
    match = re.match(rf"error\[E204\]: {re.escape(str(truncated))}:(\d+): ", error)
    assert match, error
    assert 1 <= int(match.group(1)) <= lines
    # the failed build leaves nothing behind
    assert Registry(home, quiet=True).installed() == []


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.output
