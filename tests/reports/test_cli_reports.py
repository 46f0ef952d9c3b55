"""``medcoder report`` and ``medcoder registry`` on the synthetic database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcoder.cli import main
from medcoder.cli.reports import KIND_NAMES
from medcoder.records.service import Records
from medcoder.reports.runner import KINDS

from .conftest import needs_ahrq

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_lists_every_report(synthetic: Records) -> None:
    assert tuple(KINDS) == KIND_NAMES


def test_report_formats(synthetic: Records) -> None:
    code, out, _ = run("report", "codes", "--user", "ann", "--format", "json", "--payer", "Acme")
    assert code == 0
    assert {r["code"] for r in json.loads(out)["tables"]["top"]} == {
        "M17.11", "I10", "J45.909", "E11.65"
    }  # fmt: skip
    code, out, _ = run("report", "agreement", "--user", "ann", "--format", "csv",
                       "--table", "top_changed")  # fmt: skip
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["suggested", "changed_to", "count"],
        ["E11.9", "E11.65", "1"],
    ]
    code, out, _ = run("report", "dnfb", "--user", "ann", "--as-of", "2026-03-25")
    assert code == 0 and "15-30" in out and "Discharged, not final billed" in out


@needs_ahrq
@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_report_plot(synthetic: Records, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"chart{suffix}"
    code, _out, err = run("report", "comorbidity", "--user", "ann", "--format", "json",
                          "--plot", str(target))  # fmt: skip
    assert code == 0, err
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:2000]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--from", "2026-02-30"), "--from"),
        (("--setting", "ward"), "--setting"),
        (("--top", "many"), "--top"),
        (("--plot", "chart.gif"), ".png or .svg"),
        (("--table", "nope", "--format", "csv"), "no table"),
    ],
)
def test_bad_filters_are_one_line(synthetic: Records, args: tuple[str, ...], needle: str) -> None:
    code, _out, err = run("report", "codes", "--user", "ann", *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith("error[E300]") and needle in lines[0]
    assert "Traceback" not in err


def test_a_coder_is_refused(synthetic: Records) -> None:
    code, _out, err = run("report", "codes", "--user", "cora")
    assert code == 2 and err.startswith("error[E403]")


def test_missing_matplotlib_is_e102(
    synthetic: Records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    code, _out, err = run("report", "codes", "--user", "ann", "--plot", str(tmp_path / "c.png"))
    assert code == 2 and err.startswith("error[E102]") and "reports" in err


def test_registry_commands(synthetic: Records, tmp_path: Path) -> None:
    code, out, err = run("registry", "examples", str(tmp_path / "reg"))
    assert code == 0, err
    # The diabetes registry enrolls patients 1 (E11.22 on S-1) and 3 (E11.65 on S-3).
    code, out, err = run("registry", "define", str(tmp_path / "reg" / "diabetes.json"),
                         "--user", "mia")  # fmt: skip
    assert code == 0, err
    assert "2 patient(s) enrolled" in out
    code, out, _ = run("registry", "list", "--user", "ann", "--format", "json")
    assert json.loads(out)[0]["members"] == 2
    code, out, _ = run("registry", "members", "diabetes", "--user", "mia")
    assert "MRN-1" in out and "MRN-3" in out
    code, out, _ = run("registry", "extract", "diabetes", "--user", "ann", "--deidentified",
                       "--format", "json")  # fmt: skip
    rows = json.loads(out)
    assert code == 0 and {r["code"] for r in rows} >= {"E11.22", "E11.65"}
    assert "MRN-1" not in out and "S-1" not in out and "mrn" not in rows[0]
    code, _out, err = run("registry", "extract", "diabetes", "--user", "ann")
    assert code == 2 and err.startswith("error[E403]")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "include": {"icd10cm": ["E11-"]}}', encoding="utf-8")
    code, _out, err = run("registry", "define", str(bad), "--user", "mia")
    assert code == 2 and err.startswith("error[E409]") and "include.icd10cm" in err


def test_missing_elixhauser_ahrq_is_e102(
    synthetic: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from medcoder.reports.ahrq_elixhauser import mapper
    from medcoder.reports.ahrq_reference import reference

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "elixhauser_ahrq" else real(name, *a),
    )
    mapper.cache_clear()
    reference.cache_clear()
    try:
        code, _out, err = run("report", "comorbidity", "--user", "ann")
    finally:
        mapper.cache_clear()
        reference.cache_clear()
    assert code == 2 and err.startswith("error[E102]"), err
    assert "pip install 'medcoder[reports]'" in err and "elixhauser-ahrq" in err
    assert "Traceback" not in err
