"""Scoring of the issue-13 blind sets (tests/procedures/data): paragraph E/M vignettes
and HCPCS Level II statements, each split into a dev half and a held-out half.

Run ``python -m tests.procedures.blind_sets`` for the figures (builds a temporary HCPCS
home from ../shared/data)."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.sections import find_sections
from medcoder.pipeline import make_document
from medcoder.procedures.em import EMCoder
from tests.procedures.runner import StageRunner

DATA = Path(__file__).resolve().parent / "data"


def load(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((DATA / name).read_text("utf-8"))["cases"]
    return cases


@dataclass(frozen=True, slots=True)
class Score:
    right: int
    total: int
    misses: tuple[str, ...]

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.right}/{self.total} = {self.rate:.1%}"


def em_score(
    split: str | None, coder: EMCoder | None = None, name: str = "em_paragraph_blind.json"
) -> Score:
    """E/M level agreement on the paragraph vignettes of one split (None: all) of the
    set ``name`` (em_paragraph_blind.json, or the second and third rounds'
    em_paragraph_blind2.json and em_paragraph_blind3.json, split "blind")."""
    coder = coder or EMCoder()
    right, misses = 0, []
    for case in load(name):
        if split is not None and case["split"] != split:
            continue
        document = make_document(case["text"], id=case["id"])
        found = coder.findings(document, find_sections(case["text"]))
        level = found.em_level
        got = level.code if level is not None else "none"
        if got == case["expected"]:
            right += 1
        else:
            why = "; ".join(d.reason for d in found.dropped)
            detail = (
                ", ".join(f"{m.element} {m.level}" for m in level.elements) + f" {level.basis}"
                if level is not None
                else why
            )
            misses.append(f"{case['id']}: expected {case['expected']}, got {got} ({detail})")
    return Score(right, right + len(misses), tuple(misses))


def hcpcs_score(runner: StageRunner, split: str | None) -> tuple[Score, Score]:
    """(code+units exact, code+units+modifiers exact) on the HCPCS statements."""
    right = full = total = 0
    misses = []
    for case in load("hcpcs_blind.json"):
        if split is not None and case["split"] != split:
            continue
        total += 1
        document = ClinicalDocument(case["text"], date_of_service=date.fromisoformat(case["date"]))
        found = runner(document).procedures
        got = Counter((p.code, p.units) for p in found)
        want = Counter((e["code"], e["units"]) for e in case["expected"])
        got_m = Counter((p.code, p.units, tuple(p.modifiers)) for p in found)
        want_m = Counter((e["code"], e["units"], tuple(e["modifiers"])) for e in case["expected"])
        right += got == want
        full += got_m == want_m
        if got_m != want_m:
            misses.append(f"{case['id']}: expected {sorted(want_m)}, got {sorted(got_m)}")
    return Score(right, total, tuple(misses)), Score(full, total, ())


def main() -> None:
    from medcoder.codesets.hcpcs.build import build_anweb, build_ioce
    from medcoder.procedures.hcpcs import HcpcsCoder

    em_sets = [(n, s) for n in ("em_paragraph_blind.json", "em_paragraph_blind2.json")
               for s in ("dev", "held_out")] + [("em_paragraph_blind3.json", "blind")]  # fmt: skip
    for name, split in em_sets:
        score = em_score(split, name=name)
        print(f"E/M {name} {split}: {score}")
        for miss in score.misses:
            print("   ", miss)
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data") / "hcpcs"
    with tempfile.TemporaryDirectory() as home:
        build_anweb(folder / "HCPC2025_OCT_ANWEB.csv", Path(home))
        build_ioce(
            folder / "ioce_hcpcs_level2_all_versions.csv",
            folder / "ioce_cpt_cdt_codes_no_descriptors.csv",
            Path(home),
        )
        runner = StageRunner(HcpcsCoder(), Path(home))
        for split in ("dev", "held_out"):
            units, mods = hcpcs_score(runner, split)
            print(f"HCPCS {split}: code+units {units}; with modifiers {mods}")
            for miss in units.misses:
                print("   ", miss)


if __name__ == "__main__":
    main()
