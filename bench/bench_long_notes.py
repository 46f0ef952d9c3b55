"""Long-note benchmark (issue 17 item 6): coding time must grow linearly with the note.

Notes of 0.1, 1 and 4 million characters (the largest note taken is 5 M), in two shapes:

- ``prose``: a synthetic visit note (headings, sentences with full stops) repeated;
- ``one sentence``: clauses joined by "and" with no full stop anywhere, the shape that
  was quadratic (a code mentioned thousands of times in one sentence).

Each is coded with every stage `medcoder code` runs, beside a yardstick timed on the same
text in the same run: one ``re.findall(r"\\w+")`` pass (linear, in C). The figure to
read is seconds per million characters at each size and its ratio to the yardstick's:
linear coding keeps both flat from 0.1 M to 4 M (the growth exponent, log(t4M / t0.1M)
/ log(40), is 1.0 for linear, 2.0 for quadratic). Peak RSS is printed after each size.

    python bench/bench_long_notes.py [--home DIR] [--data DIR] [--sizes 0.1,1,4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DAY = dt.date(2026, 5, 1)
# Synthetic text written for this benchmark.
PROSE = (
    "HISTORY OF PRESENT ILLNESS:\nThe patient is seen for follow-up of type 2 diabetes "
    "mellitus with diabetic neuropathy. She reports chest pain on exertion and shortness of "
    "breath. She denies fever or cough.\nASSESSMENT AND PLAN:\n1. Essential hypertension, "
    "continue lisinopril.\n2. Chronic kidney disease stage 3a. Check labs.\n\n"
)
ONE_SENTENCE = (
    "chest pain and shortness of breath with cough and type 2 diabetes mellitus with "
    "neuropathy and chronic kidney disease stage 3 and essential hypertension and "
)


def text_of(unit: str, chars: int) -> str:
    return (unit * (chars // len(unit) + 1))[:chars]


def best_of(repeat: int, work: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, help="MEDCODER_HOME with built releases")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="0.1,1,4", help="millions of characters")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the best is kept")
    args = parser.parse_args()
    from medcoder.codesets.in_force import CodeSetChooser
    from medcoder.codesets.registry import Registry
    from medcoder.kinds import Setting
    from medcoder.nlp.document import ClinicalDocument
    from medcoder.pipeline import CodingEngine, default_stages

    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name)
    registry = Registry(home, quiet=True)
    if not registry.installed():
        print(f"building releases from {args.data} ...", file=sys.stderr)
        registry.setup(args.data)
    chooser = CodeSetChooser(registry)
    engine = CodingEngine(chooser, stages=default_stages(chooser))
    sizes = [float(s) for s in args.sizes.split(",")]
    word = re.compile(r"\w+")
    print(f"{'shape':<13} {'M chars':>7} {'coding s':>9} {'s/M':>7} {'yardstick s/M':>13} "
          f"{'ratio':>7} {'RSS MB':>7}")  # fmt: skip
    for shape, unit in (("prose", PROSE), ("one sentence", ONE_SENTENCE)):
        # Warm-up: the lexicon and selectors load on the first note.
        engine.code(ClinicalDocument(text=unit, setting=Setting.OUTPATIENT, date_of_service=DAY))
        per_size: list[tuple[float, float]] = []
        for millions in sizes:
            text = text_of(unit, int(millions * 1_000_000))
            document = ClinicalDocument(text=text, setting=Setting.OUTPATIENT, date_of_service=DAY)
            coding = best_of(args.repeat, lambda d=document: engine.code(d))
            yardstick = best_of(args.repeat, lambda t=text: word.findall(t))
            per_size.append((millions, coding))
            rss = psutil.Process().memory_info().rss / 2**20
            ratio = coding / yardstick
            print(f"{shape:<13} {millions:>7g} {coding:>9.2f} {coding / millions:>7.2f} "
                  f"{yardstick / millions:>13.3f} {ratio:>7.0f} {rss:>7.0f}")  # fmt: skip
        (m0, t0), (m1, t1) = per_size[0], per_size[-1]
        if m1 > m0:
            exponent = math.log(t1 / t0) / math.log(m1 / m0)
            print(
                f"{shape:<13} growth exponent {m0:g} M -> {m1:g} M: {exponent:.2f} "
                "(1.0 linear, 2.0 quadratic)"
            )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
