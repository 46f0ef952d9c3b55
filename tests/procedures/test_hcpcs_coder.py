"""The HCPCS stage on the tiny fixture release, the hint book, and the engine wiring."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from medcoder.codesets.cpt.build import install_cpt
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.errors import SourceFormatError
from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.coders import procedure_stages
from medcoder.procedures.cpt import CptCoder
from medcoder.procedures.hcpcs import HcpcsCoder
from medcoder.procedures.hints import HintBook, default_hints
from tests.procedures.runner import StageRunner

CPT_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "cpt" / "cpt_made_up_2025.csv"


def code(coder: StageRunner, text: str, day: date) -> dict[str, object]:
    found = coder(ClinicalDocument(text, date_of_service=day))
    return {"codes": found.procedures, "dropped": found.dropped}


def test_dose_units_path_and_drops(fixture_home: Path) -> None:
    coder = StageRunner(HcpcsCoder(), fixture_home)
    text = (
        "MEDICATIONS:\nDexamethasone 4 mg daily.\n"
        "PLAN:\nDecadron 10 mg IV given today. Walker dispensed.\n"
    )
    found = code(coder, text, date(2025, 11, 3))
    (walker_or_drug, *rest) = found["codes"]  # type: ignore[misc]
    codes = {p.code: p for p in [walker_or_drug, *rest]}
    drug = codes["J1100"]
    assert drug.units == 10 and drug.release == "hcpcs-2025-10"
    assert "10 mg / 1 mg per unit = 10 -> 10 units" in drug.path
    assert [r.rule for r in drug.rules] == ["hcpcs-given.v1", "hcpcs-drug-units.v1"]
    assert drug.evidence[0].text == "Decadron" and drug.evidence[0].section == "plan"
    # E0135 (pickup walker) is not in the fixture release: nothing valid, dropped as such.
    reasons = {d.code: d.reason for d in found["dropped"]}  # type: ignore[attr-defined]
    assert reasons["J1100"] == "in medications: not furnished on this date"
    assert reasons["E0135"] == "no hinted code valid on the date of service"


def test_terminated_code_not_reported_after_its_last_day(fixture_home: Path) -> None:
    coder = StageRunner(HcpcsCoder(), fixture_home)
    text = "PLAN:\nDepression screening performed, PHQ-9 score 2."
    assert [p.code for p in code(coder, text, date(2025, 12, 1))["codes"]] == ["G0444"]  # type: ignore[attr-defined]
    assert code(coder, text, date(2026, 2, 1))["codes"] == ()


def test_no_dose_means_one_uncertain_unit(fixture_home: Path) -> None:
    coder = StageRunner(HcpcsCoder(), fixture_home)
    (drug,) = code(coder, "PLAN:\nDexamethasone IM given.", date(2025, 11, 3))["codes"]  # type: ignore[misc]
    assert drug.units == 1 and drug.uncertain_axes == ("units",) and drug.confidence < 0.9


def test_hint_book_rejects_unknown_keys(tmp_path: Path) -> None:
    assert default_hints().version == "hcpcs-hints.v2"
    bad = tmp_path / "hints.json"
    bad.write_text(
        json.dumps(
            {
                "cues": {"x": ["given"]},
                "hints": [
                    {"kind": "drug", "names": ["a"], "codes": ["J1100"], "cue": "x", "units": 8}
                ],
            }
        ),
        "utf-8",
    )
    with pytest.raises(SourceFormatError, match=r"unknown keys \['units'\]"):
        HintBook.from_json(bad)


def test_cpt_descriptors_laterality_and_distinct_site(tmp_path: Path, fixture_home: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(fixture_home, home)
    install_cpt(CPT_FILE, home)
    coder = StageRunner(CptCoder(), home)
    text = (
        "PROCEDURE:\nAspiration of the right knee joint was performed.\n"
        "Destruction of benign warts on the left hand.\n"
        "Destruction of benign warts on the left hand, repeated for hemostasis.\n"
        "A separate lesion on the left foot: destruction of benign warts performed.\n"
        "PLAN:\nWe will schedule simple repair of the superficial wound laceration; "
        "the procedure is deferred.\n"
    )
    found = code(coder, text, date(2025, 5, 3))
    got = [(p.code, p.modifiers) for p in found["codes"]]  # type: ignore[attr-defined]
    assert got == [("20610", ("RT",)), ("17110", ("LT",)), ("17110", ("LT", "XS"))]
    xs = found["codes"][2]  # type: ignore[index]
    assert "modifier-xs-distinct-site.v1" in [r.rule for r in xs.rules]
    assert xs.title.startswith("Destruction of benign lesions")
    assert [d.code for d in found["dropped"]] == ["12001"]  # type: ignore[attr-defined]


def test_default_coders_follow_what_is_installed(tmp_path: Path, fixture_home: Path) -> None:
    def ours(home: Path) -> list[str]:
        chooser = CodeSetChooser(Registry(home, quiet=True))
        names = [type(s).__name__ for s in procedure_stages(chooser)]
        return [n for n in names if n in ("HcpcsCoder", "CptCoder")]

    assert ours(tmp_path / "empty") == []
    assert ours(fixture_home) == ["HcpcsCoder"]
    home = tmp_path / "with-cpt"
    shutil.copytree(fixture_home, home)
    install_cpt(CPT_FILE, home)
    assert ours(home) == ["HcpcsCoder", "CptCoder"]


def test_engine_lists_hcpcs_beside_the_diagnoses(
    built_home: Path, fixture_home: Path, tmp_path: Path
) -> None:
    from medcoder.pipeline import CodingEngine, diagnosis_stages
    from medcoder.serialize import result_json

    # One home: the ICD-10-CM releases (and their lexicon cache) built from ../shared/data
    # beside the tiny HCPCS fixture quarters.
    home = tmp_path / "home"
    shutil.copytree(fixture_home, home)
    for shared in ("releases", "cache"):
        if (built_home / shared).exists():
            (home / shared).symlink_to(built_home / shared)
    chooser = CodeSetChooser(Registry(home, quiet=True))
    engine = CodingEngine(chooser, stages=(*diagnosis_stages(chooser), HcpcsCoder()))
    text = "ASSESSMENT: Hypertension.\nPLAN:\nDexamethasone 6 mg IM given today."
    data = result_json(engine.code(ClinicalDocument(text, date_of_service=date(2025, 6, 2))))
    (drug,) = data["procedures"]
    assert (drug["code"], drug["units"], drug["sequence"]) == ("J1100", 6, 1)
    # before the fixture quarters: the I/OCE spans date it, the quarter file titles it
    assert drug["release"] == "hcpcs-ioce-2026-01" and drug["title"].startswith("Injection")
    assert drug["rules"][1]["rule"] == "hcpcs-drug-units.v1"
    assert any(c["code"].startswith("I10") for c in data["codes"])
