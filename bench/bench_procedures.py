"""Procedure stages' added time per 3 KB note (issue 13 target: <= 1 ms), beside yardsticks
timed in the same run on the same notes.

    python bench/bench_procedures.py [--home DIR] [--rounds 5] [--limit 200]
                                     [--outpatient FILE] [--inpatient FILE]

Two note sets, because the stages split by setting: outpatient notes (default: the ACI dev
set) run E/M, HCPCS and CPT; inpatient notes (default: the CodiEsp dev set) run
ICD-10-PCS, HCPCS and CPT (E/M declines an inpatient note at once). Per set:

- **added**: the engine with every stage (``default_stages``) minus the engine with the
  diagnosis stages alone (``diagnosis_stages``), per note, scaled to 3 KB (3,072 chars)
  by the set's mean note length. This is what `medcoder code` pays for procedures: the
  note is parsed once and its sentences, tokens and assertions are shared by all stages.
- **per stage**: each procedure stage alone on a note parsed for it (parse time taken
  off), so a lazily built piece the diagnosis stages would have shared is charged here.
- yardsticks: the diagnosis engine alone on the same notes, and one regex pass
  (``\\b[a-z]+\\b`` over the lower-cased note) over the same text.

Every figure is the CPU time of this process (``time.process_time``: on a shared machine
the wall clock also counts the time other processes hold the core), the best of
``--rounds`` interleaved rounds (A B C A B C ...), so a burst of load hits every figure
alike; one warm-up pass fills the caches first.
Notes come from JSONL files (``text``); nothing from them is printed.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from medcoder.codesets.in_force import CodeSetChooser
from medcoder.codesets.registry import Registry
from medcoder.kinds import Setting
from medcoder.nlp.assertion import AssertionDetector
from medcoder.nlp.document import ClinicalDocument
from medcoder.nlp.note import parse_note
from medcoder.pipeline import CodingEngine, default_stages, diagnosis_stages
from medcoder.procedures.coders import procedure_stages
from medcoder.results import StageFindings
from medcoder.settings import home_dir

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "eval" / "dev"
KB3 = 3072
DAY = date(2026, 5, 1)  # ICD-10-CM 2026-04 and PCS FY2026 both in force
_WORD = re.compile(r"\b[a-z]+\b")


def _notes(path: Path, limit: int) -> list[str]:
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()][:limit]


def _best(rounds: int, jobs: dict[str, Callable[[], None]]) -> dict[str, float]:
    """CPU seconds of each job, best of ``rounds`` interleaved runs (after one warm-up)."""
    for job in jobs.values():
        job()
    best = dict.fromkeys(jobs, float("inf"))
    for _ in range(rounds):
        for name, job in jobs.items():
            start = time.process_time()
            job()
            best[name] = min(best[name], time.process_time() - start)
    return best


def measure(chooser: CodeSetChooser, texts: Sequence[str], setting: Setting,
            rounds: int) -> None:  # fmt: skip
    documents = [ClinicalDocument(t, setting=setting, date_of_service=DAY) for t in texts]
    diagnoses = CodingEngine(chooser, stages=diagnosis_stages(chooser))
    everything = CodingEngine(chooser, stages=default_stages(chooser))
    detector = AssertionDetector()
    code_sets = chooser.choose(DAY)

    def run(engine: CodingEngine) -> Callable[[], None]:
        return lambda: [engine.code(d) for d in documents] and None

    def parse_only() -> None:
        for d in documents:
            parse_note(d, detector)

    def stage_job(stage: object) -> Callable[[], None]:
        def job() -> None:
            for d in documents:
                stage(parse_note(d, detector), code_sets, StageFindings())  # type: ignore[operator]

        return job

    def regex() -> None:
        for t in texts:
            _WORD.findall(t.lower())

    stages = procedure_stages(chooser)
    jobs = {"diagnoses only": run(diagnoses), "all stages": run(everything),
            "parse only": parse_only, "regex pass": regex}  # fmt: skip
    jobs |= {f"stage {s.name}": stage_job(s) for s in stages}
    best = _best(rounds, jobs)
    mean_chars = sum(map(len, texts)) / len(texts)
    scale = KB3 / mean_chars

    def per3kb(seconds: float) -> float:
        return seconds / len(texts) * 1000 * scale

    added = per3kb(best["all stages"] - best["diagnoses only"])
    print(f"\n{setting.value} notes: {len(texts)}, mean {mean_chars:,.0f} chars; "
          f"stages: {', '.join(s.name for s in stages)}")  # fmt: skip
    print(f"  procedure stages added (all - diagnoses only): {added:.3f} ms per 3 KB note")
    for stage in stages:
        own = per3kb(best[f"stage {stage.name}"] - best["parse only"])
        print(f"    {stage.name:10s} alone (parse taken off): {own:.3f} ms per 3 KB note")
    print(
        f"  yardstick diagnosis engine alone: {per3kb(best['diagnoses only']):.3f} ms "
        f"per 3 KB note (procedures add {added / per3kb(best['diagnoses only']):.1%})"
    )
    print(f"  yardstick regex pass: {per3kb(best['regex pass']):.3f} ms per 3 KB note "
          f"(procedures added = {added / per3kb(best['regex pass']):.1f}x)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=200, help="notes per set")
    parser.add_argument("--outpatient", type=Path, default=DEV / "aci_amazon_dev.jsonl")
    parser.add_argument("--inpatient", type=Path, default=DEV / "codiesp_dev.jsonl")
    args = parser.parse_args()
    chooser = CodeSetChooser(Registry(home_dir(args.home), quiet=True))
    print(f"home {home_dir(args.home)}; best of {args.rounds} rounds")
    measure(chooser, _notes(args.outpatient, args.limit), Setting.OUTPATIENT, args.rounds)
    measure(chooser, _notes(args.inpatient, args.limit), Setting.INPATIENT, args.rounds)


if __name__ == "__main__":
    main()
