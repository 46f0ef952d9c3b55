"""The PCS blind set (tests/procedures/data/pcs_blind.json): synthetic one-line operative
statements written before the derived vocabulary was built, each with its expected code.
A statement counts as right when the stage returns exactly that one code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from medcoder.kinds import Setting
from medcoder.nlp.document import ClinicalDocument
from tests.procedures.runner import StageRunner

BLIND = Path(__file__).resolve().parent / "data" / "pcs_blind.json"
# Procedures outside the Medical and Surgical section (imaging, administration, ...).
OTHER_SECTIONS = BLIND.with_name("pcs_other_blind.json")
DAY = date(2026, 2, 1)


def cases(split: str | None = None, path: Path = BLIND) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [c for c in data if split is None or c["split"] == split]


def predict(runner: StageRunner, text: str) -> list[str]:
    document = ClinicalDocument(text, setting=Setting.INPATIENT, date_of_service=DAY)
    return [p.code for p in runner(document).procedures]


def share_right(
    runner: StageRunner, split: str | None = None, path: Path = BLIND
) -> tuple[float, list[str]]:
    """(share of statements coded exactly, the misses as 'expected <- got: text')."""
    chosen = cases(split, path)
    misses = []
    for case in chosen:
        got = predict(runner, case["text"])
        if got != [case["code"]]:
            misses.append(f"{case['code']} <- {got}: {case['text']}")
    return 1 - len(misses) / len(chosen), misses
