"""Coding-engine benchmark: cold start, notes per second on one core, peak memory.

Targets (issue 3): >= 200 notes/s on one core for ~2.7 KB notes once loaded; cold start
<= 2 s (fresh process: import, open the release, load the lexicon, code one note);
RSS <= 800 MB. Notes come from a JSONL file (default: the ACI dev set beside the repo);
nothing from them is printed.

    python bench/bench_coding.py [--home DIR] [--notes FILE] [--date 2025-06-01] [--no-procedures]

The engine runs the default procedure stages as `medcoder code` does (the E/M level...);
`--no-procedures` measures diagnosis coding alone, for comparison. `--setting inpatient`
codes the notes as inpatient (the ICD-10-PCS stage codes inpatient notes only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_NOTES = REPO.parent / "shared" / "eval" / "dev" / "aci_amazon_dev.jsonl"
DEFAULT_DATA = REPO.parent / "shared" / "data"

COLD = """
import time, resource, sys
t0 = time.perf_counter()
from pathlib import Path
from datetime import date
from medcoder.codesets.registry import Registry
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine, default_stages, diagnosis_stages
chooser = CodeSetChooser(Registry(Path(sys.argv[1]), quiet=True))
stages = default_stages(chooser) if sys.argv[4] == "1" else diagnosis_stages(chooser)
engine = CodingEngine(chooser, stages=stages)
result = engine.code(ClinicalDocument(sys.argv[2], date_of_service=date.fromisoformat(sys.argv[3])))
t1 = time.perf_counter()
print(t1 - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(result.codes))
"""

THROUGHPUT = """
import json, time, resource, sys
from pathlib import Path
from datetime import date
from medcoder.codesets.registry import Registry
from medcoder.codesets.in_force import CodeSetChooser
from medcoder.nlp.document import ClinicalDocument
from medcoder.pipeline import CodingEngine, default_stages, diagnosis_stages
chooser = CodeSetChooser(Registry(Path(sys.argv[1]), quiet=True))
stages = default_stages(chooser) if sys.argv[5] == "1" else diagnosis_stages(chooser)
engine = CodingEngine(chooser, stages=stages)
day = date.fromisoformat(sys.argv[3])
from medcoder.kinds import Setting
setting = Setting(sys.argv[6])
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
first = time.perf_counter()
for text in texts:  # first pass: lexicon loaded, per-term caches filling
    engine.code(ClinicalDocument(text, setting=setting, date_of_service=day))
first_pass = len(texts) / (time.perf_counter() - first)
times = []
rounds = int(sys.argv[4])
start = time.perf_counter()
for _ in range(rounds):
    for text in texts:
        t = time.perf_counter()
        engine.code(ClinicalDocument(text, setting=setting, date_of_service=day))
        times.append(time.perf_counter() - t)
total = time.perf_counter() - start
chars = sum(len(t) for t in texts) / len(texts)
print(json.dumps({"notes": len(times), "seconds": total, "mean_chars": chars,
                  "first_pass": first_pass,
                  "median_ms": sorted(times)[len(times) // 2] * 1000,
                  "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, help="MEDCODER_HOME with built releases")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    parser.add_argument("--date", default="2025-06-01")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--setting", choices=["outpatient", "inpatient"], default="outpatient")
    parser.add_argument("--no-procedures", action="store_true",
                        help="Diagnoses only: no procedure stages (E/M...).")  # fmt: skip
    args = parser.parse_args()
    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name)
    from medcoder.codesets.registry import Registry

    registry = Registry(home, quiet=True)
    if not registry.installed():
        print(f"building releases from {args.data} ...", file=sys.stderr)
        registry.setup(args.data)
    first = json.loads(args.notes.open(encoding="utf-8").readline())["text"]
    # The first run also builds the lexicon cache; cold start is measured after it.
    procedures = "0" if args.no_procedures else "1"
    subprocess.run([sys.executable, "-c", COLD, str(home), first, args.date, procedures],
                   check=True, capture_output=True)  # fmt: skip
    colds = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", COLD, str(home), first, args.date,
                              procedures], check=True, capture_output=True, text=True)  # fmt: skip
        colds.append(float(out.stdout.split()[0]))
    out = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", THROUGHPUT, str(home), str(args.notes),
         args.date, str(args.rounds), procedures, args.setting],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures = json.loads(out.stdout)
    rate = figures["notes"] / figures["seconds"]
    rows = [
        ("cold start (import + load + 1 note)", f"{statistics.median(colds):.2f} s", "2 s",
         statistics.median(colds) <= 2),
        ("throughput, one core (steady)", f"{rate:.0f} notes/s", "200 notes/s", rate >= 200),
        ("  first pass over the notes", f"{figures['first_pass']:.0f} notes/s", "", None),
        ("  mean note size", f"{figures['mean_chars']:.0f} chars", "", None),
        ("  median / p95 per note", f"{figures['median_ms']:.2f} / {figures['p95_ms']:.2f} ms",
         "", None),
        ("peak RSS", f"{figures['rss_mb']:.0f} MB", "800 MB", figures["rss_mb"] <= 800),
    ]  # fmt: skip
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<40} {value:>18} {target:>12} {verdict}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
