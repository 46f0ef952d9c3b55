"""`medcoder code`, `batch` and `evaluate` at the command line, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcoder.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "office-visit.txt"


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_code_the_bundled_example_as_json(built_home: Path) -> None:
    code, out, err = _run(built_home, "code", str(EXAMPLE), "--date", "2026-05-01",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    codes = [c["code"] for c in data["codes"]]
    assert data["release"] == "icd10cm-2026-04"
    # Diabetes with CKD 3a (I.C.4.a), hypertension with CKD (I.C.9.a.2), GERD.
    assert {"E11.22", "N18.31", "I12.9", "K21.9"} <= set(codes)
    assert "I10" not in codes
    # The family history and the ROS negatives are not coded; the uncertain pneumonia
    # (outpatient, IV.H) is listed among the dropped.
    assert not any(c.startswith(("C50", "J18")) for c in codes)
    reasons = {d["rule"] for d in data["dropped"]}
    assert "uncertain-outpatient.v1" in reasons
    # The whole code set's chance of being exactly right (issue 14 part 3).
    assert 0 <= data["encounter_confidence"] <= 1
    for item in data["codes"]:
        assert item["evidence"] and 0 < item["confidence"] <= 1
        for span in item["evidence"]:
            text = EXAMPLE.read_text(encoding="utf-8")
            assert text[span["start"] : span["end"]] == span["text"]


def test_code_table_output(built_home: Path) -> None:
    code, out, _ = _run(built_home, "code", str(EXAMPLE), "--date", "2026-05-01")
    assert code == 0
    assert "E11.22" in out and "dropped" in out


def test_empty_note_gives_a_notice(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "empty.txt"
    note.write_text("   \n", encoding="utf-8")
    code, out, _ = _run(built_home, "code", str(note), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["codes"] == [] and "empty" in data["notices"][0]


def test_non_utf8_bytes_are_replaced_with_a_notice(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "latin1.txt"
    note.write_bytes("ASSESSMENT\nHypertension. Caf\xe9 visit.\n".encode("latin-1"))
    code, out, err = _run(built_home, "code", str(note), "--format", "json")
    assert code == 0
    assert "not UTF-8" in err
    assert "I10" in [c["code"] for c in json.loads(out)["codes"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--setting", "ambulatory"], "E300"),
        (["--date", "2019-01-01"], "E202"),
        (["--date", "yesterday"], "E300"),
    ],
)
def test_bad_options_are_one_line_errors(built_home: Path, args: list[str], expected: str) -> None:
    code, _, err = _run(built_home, "code", str(EXAMPLE), *args)
    assert code == 2
    assert err.startswith(f"error[{expected}]")
    assert "Traceback" not in err


def test_a_note_too_large_is_refused_clearly(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "huge.txt"
    note.write_text("Hypertension. " * 800_000, encoding="utf-8")  # about 11 MB
    code, _, err = _run(built_home, "code", str(note))
    assert code == 2 and "limit" in err and "Traceback" not in err


def test_batch_keeps_going_past_bad_lines(built_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(
                    {"id": "a", "text": "ASSESSMENT\nType 2 diabetes.", "date": "2026-05-01"}
                ),
                "{not json",
                json.dumps({"id": "b", "text": "ASSESSMENT\nGout.", "setting": "sideways"}),
                json.dumps({"id": "c"}),
                json.dumps({"id": "d", "text": "ASSESSMENT\nAsthma.", "date": "2026-05-01"}),
            ]
        ),
        encoding="utf-8",
    )
    output = tmp_path / "out.jsonl"
    code, _, err = _run(built_home, "batch", str(source), "--output", str(output))
    assert code == 0, err
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line.get("id") for line in lines] == ["a", None, "b", "c", "d"]
    assert "E11.9" in [c["code"] for c in lines[0]["codes"]]
    assert lines[0]["codes"][0]["system"] == "icd10cm"
    assert "not JSON" in lines[1]["error"] and lines[1]["line"] == 2
    assert "setting" in lines[2]["error"]
    assert "text" in lines[3]["error"]
    assert "J45.909" in [c["code"] for c in lines[4]["codes"]]
    for line in (lines[0], lines[4]):
        assert 0 <= line["encounter_confidence"] <= 1
    assert "3 coded, 2 failed" in err or "2 coded, 3 failed" in err or "failed" in err


def test_evaluate_reports_scores(built_home: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {"id": "1", "text": "ASSESSMENT\nGout.\nHypertension.", "icd10cm": ["M109", "I10"]}
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, err = _run(built_home, "evaluate", str(gold), "--date", "2026-05-01",
                          "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["scores"]["code"]["micro"]["f1"] == 1.0
    assert data["encounter"]["exact"] == 1 and data["encounter"]["exact_match_rate"] == 1.0
    assert 0 <= data["per_case"][0]["encounter_confidence"] <= 1


def test_external_causes_by_default_and_off_when_asked(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "fall.txt"
    note.write_text(
        "HPI: She slipped and fell on the ice yesterday while golfing.\n"
        "SOCIAL HISTORY: She plays tennis on weekends.\n"
        "ASSESSMENT AND PLAN\nClosed fracture of the right wrist.\n",
        encoding="utf-8",
    )
    plain = json.loads(_run(built_home, "code", str(note), "--date", "2026-05-01",
                            "--no-external-causes", "--format", "json")[1])  # fmt: skip
    with_causes = json.loads(_run(built_home, "code", str(note), "--date", "2026-05-01",
                                  "--format", "json")[1])  # fmt: skip
    assert not any(c["code"][0] in "VWXY" for c in plain["codes"])
    causes = [c for c in with_causes["codes"] if c["code"][0] in "VWXY"]
    # W01 (slipping) excludes falls on ice and snow: the Excludes1 note leads to W00.
    assert causes[0]["code"] == "W00.0XXA", causes
    assert any("Excludes1" in check for check in causes[0]["tabular_checks"])
    assert causes[0]["rules"][0]["guideline"].startswith("ICD-10-CM Guidelines I.C.20")
    # The activity is the one in the injury sentence (golfing), not the social history.
    activities = [c["code"] for c in causes if c["code"].startswith("Y93")]
    assert activities == ["Y93.53"], causes


def test_a_past_condition_gets_its_personal_history_code(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "history.txt"
    note.write_text(
        "ASSESSMENT AND PLAN\n1. Hypertension.\n2. History of kidney stones.\n",
        encoding="utf-8",
    )
    data = json.loads(_run(built_home, "code", str(note), "--date", "2026-05-01",
                           "--format", "json")[1])  # fmt: skip
    codes = [c["code"] for c in data["codes"]]
    assert "I10" in codes and "Z87.442" in codes and "N20.0" not in codes
    history = next(c for c in data["codes"] if c["code"] == "Z87.442")
    assert history["rules"][-1]["rule"] == "personal-history.v1"


def test_sex_specific_index_subterms_use_the_patient_sex(built_home: Path, tmp_path: Path) -> None:
    note = tmp_path / "hypogonadism.txt"
    note.write_text("ASSESSMENT\nHypogonadism.\n", encoding="utf-8")
    male = json.loads(_run(built_home, "code", str(note), "--date", "2026-05-01", "--sex", "M",
                           "--format", "json")[1])  # fmt: skip
    assert [c["code"] for c in male["codes"]] == ["E29.1"]
