"""``medcoder hcpcs ...`` and ``medcoder setup --cpt``: output formats and friendly errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from medcoder.cli import main

CPT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cpt"


def run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_show_json_and_table(fixture_home: Path) -> None:
    code, out, _ = run(
        fixture_home, "hcpcs", "show", "J1100", "--date", "2025-11-03", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert (data["valid"], data["release"], data["source"]) == (True, "hcpcs-2025-10", "anweb")
    code, out, _ = run(fixture_home, "hcpcs", "show", "99213")
    assert code == 0 and "CPT descriptor not installed" in out
    code, out, _ = run(fixture_home, "hcpcs", "show", "RT")
    assert code == 0 and "Right side" in out


def test_validate_exit_codes_and_unknown_modifiers(fixture_home: Path) -> None:
    code, out, _ = run(
        fixture_home, "hcpcs", "validate", "J1100-RT", "E0143", "--date", "2025-11-03"
    )
    assert code == 0 and "yes" in out
    code, _, _ = run(fixture_home, "hcpcs", "validate", "G0444", "--date", "2026-01-05")
    assert code == 1
    code, _, err = run(fixture_home, "hcpcs", "validate", "J1100-ZZ", "--modifier", "QQ")
    assert code == 2
    assert (
        "error[E221]: unknown modifiers QQ, ZZ" in err
        or "error[E221]: unknown modifiers ZZ, QQ" in err
    )
    assert "Traceback" not in err
    code, _, err = run(fixture_home, "hcpcs", "show", "J1100", "--date", "2025-13-01")
    assert code == 2 and "error[E300]" in err


def test_search_modifiers_diff_releases(fixture_home: Path) -> None:
    code, out, _ = run(fixture_home, "hcpcs", "search", "walker", "--format", "json")
    assert code == 0 and [r["code"] for r in json.loads(out)] == ["E0143"]
    code, out, _ = run(fixture_home, "hcpcs", "modifiers", "--format", "json")
    assert [r["code"] for r in json.loads(out)] == ["LT", "RT", "XS"]
    code, out, _ = run(
        fixture_home, "hcpcs", "diff", "hcpcs-2025-07", "hcpcs-2025-10", "--format", "csv"
    )
    assert code == 0 and "added,Q9998" in out
    code, out, _ = run(fixture_home, "hcpcs", "diff", "hcpcs-2025-07", "hcpcs-2025-10")
    assert "1 added, 1 terminated, 0 removed, 1 descriptor" in out
    code, out, _ = run(fixture_home, "hcpcs", "releases", "--format", "json")
    assert {r["name"] for r in json.loads(out)} >= {"hcpcs-2025-07", "cpt-ioce-2026-01"}


def test_setup_cpt_file(tmp_path: Path, fixture_home: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(fixture_home, home)
    code, out, _ = run(home, "setup", "--cpt", str(CPT_FIXTURES / "cpt_made_up_2025.csv"))
    assert code == 0 and "cpt-2025: 5 codes (descriptor-csv)" in out
    code, out, _ = run(home, "hcpcs", "show", "20610", "--date", "2025-05-01", "--format", "json")
    data = json.loads(out)
    assert data["title"].startswith("Aspiration or injection") and data["source"] == "ioce"
    code, _, err = run(home, "setup", "--cpt", str(CPT_FIXTURES / "cpt_unknown_layout.csv"))
    assert code == 2 and "error[E220]" in err
    assert "missing columns code, short_descriptor, long_descriptor" in err
