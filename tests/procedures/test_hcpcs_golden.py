"""HCPCS Level II golden notes (synthetic): drugs with dose-to-units, DME, supplies and
G-codes, against the full October 2025 release and I/OCE tables from ../shared/data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from medcoder.nlp.document import ClinicalDocument
from medcoder.procedures.hcpcs import HcpcsCoder
from tests.procedures.runner import StageRunner

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "golden" / "hcpcs_golden.json").read_text("utf-8")
)["cases"]


@pytest.fixture(scope="module")
def coder(hcpcs_home: Path) -> StageRunner:
    return StageRunner(HcpcsCoder(), hcpcs_home)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(coder: StageRunner, case: dict[str, Any]) -> None:
    document = ClinicalDocument(case["text"], date_of_service=date.fromisoformat(case["date"]))
    found = coder(document)
    reported = {p.code: p for p in found.procedures}
    for expected in case["expected"]:
        assert expected["code"] in reported, f"missed {expected['code']}: got {sorted(reported)}"
        got = reported[expected["code"]]
        assert got.units == expected["units"], got.path
        assert list(got.modifiers) == expected.get("modifiers", [])
        if got.modifiers:
            assert f"modifier {', '.join(got.modifiers)} valid on the date of service" in got.checks
        assert got.evidence and got.rules and got.release.startswith("hcpcs-")
        assert got.title  # the descriptor from the installed release
    assert len(reported) == len(case["expected"]), sorted(reported)
    for absent in case.get("absent", []):
        assert absent not in reported
